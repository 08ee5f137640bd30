//! The table of messy notes (`tests/data/notes.json`) and how a proposal is
//! scored against it. Shared by `tests/structuring.rs` (which demands every
//! expectation) and `benches/structuring.rs` (which reports accuracy and speed).
#![allow(dead_code)]

use fieldcase_core::structure::{Context, Proposal, Source, structure};
use fieldcase_core::wire::{AssetView, Technician};
use fieldcase_core::{AssetToken, CaseSchema, FieldValue};
use serde_json::{Map, Value};

pub const NOTES_JSON: &str = include_str!("../data/notes.json");
/// The development corpus: the rules may be tuned on it (see `GUIDELINES.md`).
pub const DEV_JSON: &str = include_str!("../data/dev.json");
/// The held-out corpus: written before any tuning and never tuned on.
pub const DEV2_JSON: &str = include_str!("../data/dev2.json");
pub const HELDOUT_JSON: &str = include_str!("../data/heldout.json");

/// The fields a case may expect, in report order (`Subject` = `subject_contains`).
pub const FIELDS: [&str; 7] = [
    "Priority",
    "Type",
    "Reason",
    "Error_Code__c",
    "Meter_Reading__c",
    "Safety_Hazard__c",
    "Subject",
];

/// The longest subject the structurer may propose.
pub const SUBJECT_MAX: usize = 80;

pub struct Case {
    pub id: String,
    /// The trade or asset family tag of the corpus files (not in notes.json).
    pub trade: Option<String>,
    /// The writing voice tag of the corpus files (not in notes.json).
    pub voice: Option<String>,
    pub notes: String,
    pub asset: AssetView,
    pub expect: Map<String, Value>,
}

/// The asset a case uses unless it names its own.
pub fn default_asset() -> AssetView {
    AssetView {
        token: AssetToken::from_random_bytes([7; 12]),
        name: "Feed pump P-12".into(),
        serial_number: "GP-44817".into(),
        model: "Grundfos CR 32".into(),
        account_name: "Northwind Foods".into(),
        site: "Leeds plant".into(),
        location: Some("Boiler room B".into()),
        install_date: Some("2021-04-12".into()),
        crm_asset_id: Some("02i000000000001AAA".into()),
        crm_account_id: Some("001000000000001AAA".into()),
    }
}

pub fn technician() -> Technician {
    Technician {
        name: "Sam Patel".into(),
        email: Some("sam.patel@example.com".into()),
        phone: Some("+44 7700 900123".into()),
    }
}

fn text(file: &str, v: &Value, what: &str) -> String {
    match v.as_str() {
        Some(s) => s.to_owned(),
        None => panic!("{file}: {what} must be a string, got {v}"),
    }
}

/// Parse the table (`tests/data/notes.json`); panics with a reason on a
/// malformed entry.
pub fn load() -> Vec<Case> {
    load_file("notes.json", NOTES_JSON)
}

/// Parse a table in the format of `notes.json` (`file` names it in panics).
/// Entry-level keys other than `id`, `notes`, `asset`, `expect`, `trade` and
/// `voice` are ignored.
pub fn load_file(file: &str, json: &str) -> Vec<Case> {
    let all: Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => panic!("{file} is not valid JSON: {e}"),
    };
    let Some(list) = all.as_array() else {
        panic!("{file} must be an array")
    };
    list.iter()
        .enumerate()
        .map(|(i, entry)| {
            let id = entry
                .get("id")
                .map_or_else(|| format!("#{i}"), |v| text(file, v, "id"));
            let notes = text(file, &entry["notes"], "notes");
            let trade = entry.get("trade").map(|v| text(file, v, "trade"));
            let voice = entry.get("voice").map(|v| text(file, v, "voice"));
            let mut asset = default_asset();
            if let Some(a) = entry.get("asset") {
                if let Some(n) = a.get("name") {
                    asset.name = text(file, n, "asset.name");
                }
                if let Some(m) = a.get("model") {
                    asset.model = text(file, m, "asset.model");
                }
                if let Some(s) = a.get("serial_number") {
                    asset.serial_number = text(file, s, "asset.serial_number");
                }
            }
            let Some(expect) = entry.get("expect").and_then(Value::as_object).cloned() else {
                panic!("{file} {id}: expect must be an object")
            };
            for key in expect.keys() {
                let known = key == "subject_contains" || FIELDS.contains(&key.as_str());
                assert!(known, "{file} {id}: unknown expectation {key}");
            }
            Case {
                id,
                trade,
                voice,
                notes,
                asset,
                expect,
            }
        })
        .collect()
}

pub fn run(case: &Case, schema: &CaseSchema, technician: &Technician) -> Proposal {
    structure(
        &case.notes,
        Context {
            asset: &case.asset,
            technician,
        },
        schema,
    )
}

/// One expectation's result.
pub struct Outcome {
    pub field: &'static str,
    pub ok: bool,
    /// What was expected and what came, for the report.
    pub detail: String,
}

fn shown(v: Option<&FieldValue>) -> String {
    match v {
        None => "(none)".into(),
        Some(FieldValue::Text(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

/// Every expectation of the case, checked against the proposal.
pub fn check(case: &Case, p: &Proposal, schema: &CaseSchema) -> Vec<Outcome> {
    let mut out = Vec::new();
    for field in FIELDS {
        let key = if field == "Subject" {
            "subject_contains"
        } else {
            field
        };
        let Some(want) = case.expect.get(key) else {
            continue;
        };
        let got = p.get(field).map(|f| &f.value);
        let ok = match field {
            "Safety_Hazard__c" => got == Some(&FieldValue::Bool(want.as_bool() == Some(true))),
            "Subject" => subject_ok(want, got, schema),
            _ => match want {
                Value::Null => got.is_none(),
                Value::String(s) => got == Some(&FieldValue::Text(s.clone())),
                other => panic!("{}: {field} must be a string or null, got {other}", case.id),
            },
        };
        out.push(Outcome {
            field,
            ok,
            detail: format!("expected {want}, got {}", shown(got)),
        });
    }
    out
}

/// The subject contains every expected phrase (ignoring case; an entry that is
/// a list is satisfied by any one of its phrases), fits, starts with a capital
/// and does not end in punctuation.
fn subject_ok(want: &Value, got: Option<&FieldValue>, schema: &CaseSchema) -> bool {
    let Some(FieldValue::Text(s)) = got else {
        return false;
    };
    let max = schema
        .field("Subject")
        .and_then(|f| f.max_length)
        .map_or(SUBJECT_MAX, |m| m as usize);
    let lower = s.to_lowercase();
    let has = |p: &Value| {
        p.as_str()
            .is_some_and(|p| lower.contains(&p.to_lowercase()))
    };
    let phrases = want.as_array().map(Vec::as_slice).unwrap_or_default();
    // Each entry is a phrase, or a list of phrases of which one must appear.
    phrases.iter().all(|p| match p.as_array() {
        Some(any) => any.iter().any(has),
        None => has(p),
    }) && s.chars().count() <= SUBJECT_MAX.min(max)
        && !s.starts_with(char::is_lowercase)
        && !s.ends_with(|c: char| ".,;:!?-–— ".contains(c))
}

/// Every `Source::Notes` span lies within the notes, on char boundaries, and
/// highlights something other than whitespace.
pub fn span_problems(notes: &str, p: &Proposal) -> Vec<String> {
    let mut out = Vec::new();
    for f in &p.fields {
        let Source::Notes { spans } = &f.source else {
            continue;
        };
        if spans.is_empty() {
            out.push(format!("{}: no spans", f.field));
        }
        for s in spans {
            let r = s.range();
            if r.start >= r.end || r.end > notes.len() {
                out.push(format!(
                    "{}: span {r:?} outside notes of {} bytes",
                    f.field,
                    notes.len()
                ));
            } else if !notes.is_char_boundary(r.start) || !notes.is_char_boundary(r.end) {
                out.push(format!("{}: span {r:?} cuts a character", f.field));
            } else if notes[r.clone()].trim().is_empty() {
                out.push(format!(
                    "{}: span {r:?} highlights only whitespace",
                    f.field
                ));
            }
        }
    }
    out
}
