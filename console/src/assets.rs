//! The assets page's pure parts: the list's query string, the form's fields
//! checked with the core (the server checks them again), and an import
//! report in a sentence.

use fieldcase_core::FieldErrors;
use fieldcase_core::assets::{AssetInput, AssetStatus, ImportReport};

/// The list's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetQuery {
    pub q: String,
    pub status: AssetStatus,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?q=…&status=…&page=…&per_page=…` (defaults left out).
pub fn query_string(q: &AssetQuery) -> String {
    let mut parts = Vec::new();
    let text = q.q.trim();
    if !text.is_empty() {
        parts.push(format!("q={}", encode(text)));
    }
    match q.status {
        AssetStatus::Active => {}
        AssetStatus::Retired => parts.push("status=retired".into()),
        AssetStatus::All => parts.push("status=all".into()),
    }
    if q.page > 1 {
        parts.push(format!("page={}", q.page));
    }
    if q.per_page > 0 {
        parts.push(format!("per_page={}", q.per_page));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The status select's value.
pub fn parse_status(s: &str) -> AssetStatus {
    match s {
        "retired" => AssetStatus::Retired,
        "all" => AssetStatus::All,
        _ => AssetStatus::Active,
    }
}

/// The form's text boxes, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetForm {
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    pub location: String,
    pub install_date: String,
}

impl AssetForm {
    pub fn of(a: &fieldcase_core::assets::AdminAsset) -> Self {
        AssetForm {
            name: a.name.clone(),
            serial_number: a.serial_number.clone(),
            model: a.model.clone(),
            account_name: a.account_name.clone(),
            site: a.site.clone(),
            location: a.location.clone().unwrap_or_default(),
            install_date: a.install_date.clone().unwrap_or_default(),
        }
    }

    /// The body to send, checked by the core, or what to fix in each field.
    pub fn input(&self) -> Result<AssetInput, FieldErrors> {
        AssetInput {
            name: self.name.clone(),
            serial_number: self.serial_number.clone(),
            model: self.model.clone(),
            account_name: self.account_name.clone(),
            site: self.site.clone(),
            location: Some(self.location.clone()),
            install_date: Some(self.install_date.clone()),
        }
        .check()
    }
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What an import did, in a sentence.
pub fn report_sentence(r: &ImportReport) -> String {
    if !r.imported_any() && !r.problems.is_empty() {
        return format!(
            "Nothing was imported: {} to fix (below). Fix them and import the file again, or import only the valid rows.",
            count(bad_rows(r), "row has problems", "rows have problems")
        );
    }
    let mut out = format!(
        "{} read: {} new, {} updated",
        count(r.rows, "row", "rows"),
        r.created,
        r.updated
    );
    if r.skipped > 0 {
        out.push_str(&format!(", {} skipped (see below)", r.skipped));
    }
    out.push('.');
    out
}

fn bad_rows(r: &ImportReport) -> u32 {
    let mut rows: Vec<u32> = r.problems.iter().map(|p| p.row).collect();
    rows.sort_unstable();
    rows.dedup();
    u32::try_from(rows.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fieldcase_core::assets::{ImportMode, ImportProblem};

    #[test]
    fn the_list_query_leaves_defaults_out_and_encodes_the_search() {
        assert_eq!(query_string(&AssetQuery::default()), "");
        let q = AssetQuery {
            q: " pump & co ".into(),
            status: AssetStatus::All,
            page: 3,
            per_page: 25,
        };
        assert_eq!(
            query_string(&q),
            "?q=pump%20%26%20co&status=all&page=3&per_page=25"
        );
        assert_eq!(parse_status("retired"), AssetStatus::Retired);
        assert_eq!(parse_status("x"), AssetStatus::Active);
    }

    #[test]
    fn the_form_is_checked_by_the_core() {
        let mut f = AssetForm {
            name: "Pump".into(),
            account_name: "Acme".into(),
            ..AssetForm::default()
        };
        let ok = f.input().unwrap();
        assert_eq!(ok.location, None);
        f.install_date = "31/12/2024".into();
        assert!(f.input().unwrap_err().get("install_date").is_some());
    }

    #[test]
    fn reports_say_what_happened() {
        let mut r = ImportReport {
            mode: ImportMode::ValidRows,
            rows: 5,
            created: 2,
            updated: 1,
            skipped: 2,
            problems: vec![],
        };
        assert_eq!(
            report_sentence(&r),
            "5 rows read: 2 new, 1 updated, 2 skipped (see below)."
        );
        r.created = 0;
        r.updated = 0;
        r.skipped = 5;
        r.mode = ImportMode::AllOrNothing;
        r.problems = vec![ImportProblem {
            row: 3,
            column: "Name".into(),
            message: "Name is required: fill it in.".into(),
            salesforce_id: None,
        }];
        assert!(report_sentence(&r).starts_with("Nothing was imported: 1 row has problems"));
    }
}
