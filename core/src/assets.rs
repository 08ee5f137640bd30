//! Assets as admins manage them: their wire types, the one check of an
//! asset's fields (the console's form, the API, the CSV import and the org
//! import all go through [`AssetInput::check`]), the CSV's columns and the
//! label sheet's paper and grid.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldErrors;
use crate::text::{self, Lines};

/// Longest asset name (Salesforce's `Asset.Name`).
pub const MAX_NAME_CHARS: usize = 255;
/// Longest serial number (Salesforce's `Asset.SerialNumber`).
pub const MAX_SERIAL_CHARS: usize = 80;
/// Longest model, account, site or location.
pub const MAX_TEXT_CHARS: usize = 255;
/// Assets per page of the admin's list, at most.
pub const MAX_PER_PAGE: u32 = 200;
/// Assets on one label print, at most (ten sheets of 3×8).
pub const MAX_LABELS: usize = 240;

/// An asset as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminAsset {
    pub id: Uuid,
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date: Option<String>,
    /// The Asset record's Id in Salesforce, when imported from the org.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_asset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_account_id: Option<String>,
    /// The link its QR label opens (`https://host/a/TOKEN`); none once retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// When it was retired: its links answer as unknown ones do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
    pub created_at: String,
}

impl AdminAsset {
    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }
}

/// One page of the admin's asset list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetPage {
    pub assets: Vec<AdminAsset>,
    /// How many assets match the search, over all pages.
    pub total: u64,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl AssetPage {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page.max(1))).max(1)
    }
}

/// Which assets the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    #[default]
    Active,
    Retired,
    All,
}

/// An asset's fields as an admin types them (create and edit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetInput {
    pub name: String,
    #[serde(default)]
    pub serial_number: String,
    #[serde(default)]
    pub model: String,
    pub account_name: String,
    #[serde(default)]
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date: Option<String>,
}

/// The field names of [`AssetInput`], in the form's order.
pub const INPUT_FIELDS: [&str; 7] = [
    "name",
    "serial_number",
    "model",
    "account_name",
    "site",
    "location",
    "install_date",
];

fn one_line(
    problems: &mut FieldErrors,
    field: &str,
    label: &str,
    raw: &str,
    max: usize,
    required: bool,
) -> String {
    let cleaned = match text::clean(raw, Lines::Single) {
        Ok(v) => v.trim().to_owned(),
        Err(_) => {
            problems.0.insert(
                field.into(),
                format!("{label}: write it on one line, without line breaks."),
            );
            return String::new();
        }
    };
    if required && cleaned.is_empty() {
        problems
            .0
            .insert(field.into(), format!("{label} is required: fill it in."));
    } else if cleaned.chars().count() > max {
        problems.0.insert(
            field.into(),
            format!(
                "{label} is {} characters long: shorten it to at most {max}.",
                cleaned.chars().count()
            ),
        );
    }
    cleaned
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r)
            .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2999).contains(&y) && (1..=days).contains(&d)
}

impl AssetInput {
    /// The fields cleaned (`text::clean`, trimmed; an empty optional field
    /// becomes none), or what to fix in each.
    pub fn check(&self) -> Result<AssetInput, FieldErrors> {
        let mut p = FieldErrors::default();
        let name = one_line(&mut p, "name", "Name", &self.name, MAX_NAME_CHARS, true);
        let serial_number = one_line(
            &mut p,
            "serial_number",
            "Serial number",
            &self.serial_number,
            MAX_SERIAL_CHARS,
            false,
        );
        let model = one_line(&mut p, "model", "Model", &self.model, MAX_TEXT_CHARS, false);
        let account_name = one_line(
            &mut p,
            "account_name",
            "Account",
            &self.account_name,
            MAX_TEXT_CHARS,
            true,
        );
        let site = one_line(&mut p, "site", "Site", &self.site, MAX_TEXT_CHARS, false);
        let location = self
            .location
            .as_deref()
            .map(|l| one_line(&mut p, "location", "Location", l, MAX_TEXT_CHARS, false))
            .filter(|l| !l.is_empty());
        let install_date = self
            .install_date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned);
        if let Some(d) = &install_date
            && !is_iso_date(d)
        {
            p.0.insert(
                "install_date".into(),
                format!(
                    "Install date {:?} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31.",
                    text::printable(d)
                ),
            );
        }
        if p.is_empty() {
            Ok(AssetInput {
                name,
                serial_number,
                model,
                account_name,
                site,
                location,
                install_date,
            })
        } else {
            Err(p)
        }
    }
}

/// What to do with a CSV that has bad rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is imported until every row is valid.
    #[default]
    AllOrNothing,
    /// The valid rows are imported; the bad ones are reported.
    ValidRows,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::AllOrNothing => "all_or_nothing",
            ImportMode::ValidRows => "valid_rows",
        }
    }
}

/// One problem in one row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// The CSV's line as a spreadsheet numbers it (the header is row 1);
    /// for the org import, the record's place in the answer.
    pub row: u32,
    /// The column (CSV header) or field the problem is in; empty for the
    /// whole row.
    pub column: String,
    /// What to fix.
    pub message: String,
    /// The Salesforce Asset Id, for the org import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_id: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub mode: ImportMode,
    /// Data rows read (the header not counted).
    pub rows: u32,
    /// New assets made, each with its own link.
    pub created: u32,
    /// Existing assets whose fields were updated (same Salesforce id, or
    /// for a CSV row without one, the same serial number and account).
    pub updated: u32,
    /// Bad rows, not imported.
    pub skipped: u32,
    /// Every problem, by row.
    pub problems: Vec<ImportProblem>,
}

impl ImportReport {
    /// Whether anything was written.
    pub fn imported_any(&self) -> bool {
        self.created + self.updated > 0
    }
}

/// The CSV's columns: the header names accepted for each field (compared
/// ignoring case, spaces, `_` and `-`). `name` and `account` are required.
pub const CSV_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "assetname", "asset"]),
    ("serial_number", &["serial", "serialnumber", "serialno"]),
    ("model", &["model"]),
    ("account_name", &["account", "accountname", "customer"]),
    ("site", &["site"]),
    ("location", &["location"]),
    ("install_date", &["installdate", "installed"]),
    ("salesforce_id", &["salesforceid", "crmassetid", "assetid"]),
];

/// The field a CSV header names, if any.
pub fn csv_column(header: &str) -> Option<&'static str> {
    let key: String = header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    CSV_COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(field, _)| *field)
}

/// Whether `s` looks like a Salesforce record id (15 or 18 letters and digits).
pub fn is_salesforce_id(s: &str) -> bool {
    matches!(s.len(), 15 | 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The paper a label sheet is printed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LabelPaper {
    #[default]
    A4,
    Letter,
}

impl LabelPaper {
    pub const ALL: [LabelPaper; 2] = [LabelPaper::A4, LabelPaper::Letter];
    pub fn as_str(self) -> &'static str {
        match self {
            LabelPaper::A4 => "a4",
            LabelPaper::Letter => "letter",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            LabelPaper::A4 => "A4 (210 × 297 mm)",
            LabelPaper::Letter => "US Letter (8.5 × 11 in)",
        }
    }
}

/// The label grid: columns × rows per sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LabelGrid {
    /// 3 × 8, 24 labels (e.g. 70 × 37 mm on A4).
    #[default]
    #[serde(rename = "3x8")]
    G3x8,
    /// 2 × 5, 10 larger labels.
    #[serde(rename = "2x5")]
    G2x5,
}

impl LabelGrid {
    pub const ALL: [LabelGrid; 2] = [LabelGrid::G3x8, LabelGrid::G2x5];
    pub fn as_str(self) -> &'static str {
        match self {
            LabelGrid::G3x8 => "3x8",
            LabelGrid::G2x5 => "2x5",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// (columns, rows).
    pub fn size(self) -> (usize, usize) {
        match self {
            LabelGrid::G3x8 => (3, 8),
            LabelGrid::G2x5 => (2, 5),
        }
    }
    pub fn per_sheet(self) -> usize {
        let (c, r) = self.size();
        c * r
    }
    pub fn label(self) -> &'static str {
        match self {
            LabelGrid::G3x8 => "3 × 8 (24 a sheet)",
            LabelGrid::G2x5 => "2 × 5 (10 a sheet)",
        }
    }
}

/// The print page's address for these assets.
pub fn labels_path(ids: &[Uuid], paper: LabelPaper, grid: LabelGrid, crop_marks: bool) -> String {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut path = format!(
        "/admin/assets/labels?paper={}&grid={}&ids={}",
        paper.as_str(),
        grid.as_str(),
        ids.join(",")
    );
    if crop_marks {
        path.push_str("&crop=1");
    }
    path
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn input() -> AssetInput {
        AssetInput {
            name: "  Boiler B-2 ".into(),
            serial_number: "SN-1".into(),
            model: String::new(),
            account_name: "Northwind".into(),
            site: "Leeds".into(),
            location: Some("  ".into()),
            install_date: Some("2024-02-29".into()),
        }
    }

    #[test]
    fn a_good_asset_is_cleaned() {
        let ok = input().check().unwrap();
        assert_eq!(ok.name, "Boiler B-2");
        assert_eq!(ok.location, None);
        assert_eq!(ok.install_date.as_deref(), Some("2024-02-29"));
    }

    #[test]
    fn each_problem_says_what_to_fix() {
        let bad = AssetInput {
            name: " ".into(),
            serial_number: "x".repeat(81),
            account_name: "A\nB".into(),
            install_date: Some("2023-02-29".into()),
            ..input()
        };
        let p = bad.check().unwrap_err();
        assert!(p.get("name").unwrap().contains("required"));
        assert!(p.get("serial_number").unwrap().contains("at most 80"));
        assert!(p.get("account_name").unwrap().contains("one line"));
        assert!(p.get("install_date").unwrap().contains("YYYY-MM-DD"));
        assert!(p.get("model").is_none());
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        for ok in ["2024-02-29", "2000-02-29", "1999-12-31"] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2100-02-29",
            "2024-13-01",
            "2024-04-31",
            "24-01-01",
            "2024/01/01",
            "２024-01-01",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn csv_headers_are_forgiving_about_case_and_spacing() {
        assert_eq!(csv_column("Serial Number"), Some("serial_number"));
        assert_eq!(csv_column("ACCOUNT"), Some("account_name"));
        assert_eq!(csv_column("install_date"), Some("install_date"));
        assert_eq!(csv_column("Salesforce Id"), Some("salesforce_id"));
        assert_eq!(csv_column("colour"), None);
    }

    #[test]
    fn paper_grid_and_the_print_path() {
        assert_eq!(LabelGrid::parse("2x5"), Some(LabelGrid::G2x5));
        assert_eq!(LabelPaper::parse("letter"), Some(LabelPaper::Letter));
        assert_eq!(LabelGrid::G3x8.per_sheet(), 24);
        let id = Uuid::nil();
        assert_eq!(
            labels_path(&[id], LabelPaper::A4, LabelGrid::G3x8, true),
            format!("/admin/assets/labels?paper=a4&grid=3x8&ids={id}&crop=1")
        );
        assert_eq!(serde_json::to_string(&LabelGrid::G2x5).unwrap(), "\"2x5\"");
    }
}
