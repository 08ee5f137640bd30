//! Field values and their validation against a [`CaseSchema`].
//!
//! Parse, don't validate: [`CaseDraft::validate`] is the only way to obtain a
//! [`ValidCase`], and it runs unchanged in the browser (to show problems
//! before Submit) and on the server (which trusts nothing the client sends).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::{CaseSchema, FieldDef, FieldType};

/// One field's value as JSON carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl FieldValue {
    pub fn text(s: impl Into<String>) -> Self {
        FieldValue::Text(s.into())
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Blank text counts as no value at all.
    pub fn is_blank(&self) -> bool {
        matches!(self, FieldValue::Text(s) if s.trim().is_empty())
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Bool(true) => f.write_str("Yes"),
            FieldValue::Bool(false) => f.write_str("No"),
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Text(s) => f.write_str(s),
        }
    }
}

/// A proposed case: field API name → value. Absent and blank mean "no value".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CaseDraft(pub BTreeMap<String, FieldValue>);

/// Per-field messages, keyed by field API name; each says what to fix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = self.0.values().map(String::as_str).collect();
        f.write_str(&parts.join(" "))
    }
}

/// A draft that passed validation: every value is of its field's type, within
/// its limits, and every required field has a value. Only `validate` makes one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidCase(BTreeMap<String, FieldValue>);

impl ValidCase {
    pub fn fields(&self) -> &BTreeMap<String, FieldValue> {
        &self.0
    }
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.0.get(name)
    }
    pub fn into_fields(self) -> BTreeMap<String, FieldValue> {
        self.0
    }
}

impl CaseDraft {
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.0.get(name)
    }

    pub fn set(&mut self, name: impl Into<String>, value: FieldValue) {
        self.0.insert(name.into(), value);
    }

    /// Check every field against the schema. Blank text values are dropped;
    /// text is trimmed.
    pub fn validate(&self, schema: &CaseSchema) -> Result<ValidCase, FieldErrors> {
        let mut errors = BTreeMap::new();
        let mut out = BTreeMap::new();
        for name in self.0.keys() {
            if schema.field(name).is_none() {
                errors.insert(
                    name.clone(),
                    format!("{name} is not a field of {}; remove it.", schema.object),
                );
            }
        }
        for def in &schema.fields {
            match self.0.get(&def.name).filter(|v| !v.is_blank()) {
                None => {
                    if def.required {
                        errors.insert(def.name.clone(), format!("{} is required.", def.label));
                    }
                }
                Some(value) => match check_value(def, value) {
                    Ok(v) => {
                        out.insert(def.name.clone(), v);
                    }
                    Err(message) => {
                        errors.insert(def.name.clone(), message);
                    }
                },
            }
        }
        if errors.is_empty() {
            Ok(ValidCase(out))
        } else {
            Err(FieldErrors(errors))
        }
    }
}

/// Validate one value for one field; the message says what to fix.
pub fn check_value(def: &FieldDef, value: &FieldValue) -> Result<FieldValue, String> {
    let label = &def.label;
    match def.field_type {
        FieldType::Checkbox => match value {
            FieldValue::Bool(b) => Ok(FieldValue::Bool(*b)),
            _ => Err(format!("{label} must be ticked or not ticked.")),
        },
        FieldType::Number => match value {
            FieldValue::Number(n) if n.is_finite() => Ok(FieldValue::Number(*n)),
            FieldValue::Text(s) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(FieldValue::Number(n)),
                _ => Err(format!("{label} must be a number, such as 12 or 3.5.")),
            },
            _ => Err(format!("{label} must be a number, such as 12 or 3.5.")),
        },
        _ => {
            let Some(text) = value.as_text() else {
                return Err(format!("{label} must be text."));
            };
            let text = text.trim();
            check_text(def, text)?;
            Ok(FieldValue::Text(text.to_owned()))
        }
    }
}

fn check_text(def: &FieldDef, text: &str) -> Result<(), String> {
    let label = &def.label;
    if let Some(max) = def.max_length {
        let n = text.chars().count();
        if n > max as usize {
            let over = n - max as usize;
            return Err(format!(
                "{label} is {n} characters; the limit is {max}. Shorten it by {over}."
            ));
        }
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(format!("{label} contains control characters; remove them."));
    }
    if def.field_type != FieldType::Textarea && text.contains('\n') {
        return Err(format!("{label} must be a single line."));
    }
    match def.field_type {
        FieldType::Picklist if def.restricted && !def.values.iter().any(|v| v.value == text) => {
            let choices: Vec<&str> = def.values.iter().map(|v| v.value.as_str()).collect();
            return Err(format!("{label} must be one of: {}.", choices.join(", ")));
        }
        FieldType::Email if !looks_like_email(text) => {
            return Err(format!(
                "{label} doesn't look like an email address; use the form name@example.com."
            ));
        }
        FieldType::Phone => {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            let allowed = text
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c) || c == 'x');
            if !allowed || !(6..=20).contains(&digits) {
                return Err(format!(
                    "{label} must be a phone number: 6 to 20 digits, with spaces, + - ( ) allowed."
                ));
            }
        }
        FieldType::Date if !is_iso_date(text) => {
            return Err(format!("{label} must be a date written YYYY-MM-DD."));
        }
        FieldType::Reference => {
            let ok = (text.len() == 15 || text.len() == 18)
                && text.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(format!(
                    "{label} must be a record Id of 15 or 18 letters and digits."
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// `YYYY-MM-DD`, a real calendar day.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
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
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> CaseSchema {
        CaseSchema::salesforce_default()
    }

    fn draft(pairs: &[(&str, FieldValue)]) -> CaseDraft {
        CaseDraft(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn minimal() -> Vec<(&'static str, FieldValue)> {
        vec![
            ("Subject", FieldValue::text("Pump P-12 leaking at seal")),
            ("Priority", FieldValue::text("High")),
            ("SuppliedName", FieldValue::text("Dana Okafor")),
        ]
    }

    #[test]
    fn a_complete_draft_is_valid_and_trimmed() {
        let mut pairs = minimal();
        pairs.push(("Subject", FieldValue::text("  Pump leaking  ")));
        pairs.push(("Safety_Hazard__c", FieldValue::Bool(true)));
        pairs.push(("Description", FieldValue::text("")));
        let valid = draft(&pairs).validate(&schema()).unwrap();
        assert_eq!(
            valid.get("Subject"),
            Some(&FieldValue::text("Pump leaking"))
        );
        assert_eq!(valid.get("Safety_Hazard__c"), Some(&FieldValue::Bool(true)));
        assert_eq!(valid.get("Description"), None, "blank text is no value");
    }

    #[test]
    fn missing_required_fields_are_named() {
        let errors = CaseDraft::default().validate(&schema()).unwrap_err();
        assert_eq!(errors.get("Subject"), Some("Subject is required."));
        assert_eq!(errors.get("SuppliedName"), Some("Your name is required."));
        assert!(errors.get("Description").is_none());
    }

    #[test]
    fn too_long_text_says_by_how_much() {
        let mut pairs = minimal();
        pairs.push(("Subject", FieldValue::text("x".repeat(300))));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        assert_eq!(
            errors.get("Subject"),
            Some("Subject is 300 characters; the limit is 255. Shorten it by 45.")
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut pairs = minimal();
        pairs.push(("SuppliedName", FieldValue::text("é".repeat(80))));
        assert!(draft(&pairs).validate(&schema()).is_ok());
    }

    #[test]
    fn picklists_accept_only_their_values() {
        let mut pairs = minimal();
        pairs.push(("Priority", FieldValue::text("Urgent")));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        assert_eq!(
            errors.get("Priority"),
            Some("Priority must be one of: High, Medium, Low.")
        );
    }

    #[test]
    fn typed_fields_reject_wrong_shapes() {
        let mut pairs = minimal();
        pairs.push(("SuppliedEmail", FieldValue::text("dana at example")));
        pairs.push(("SuppliedPhone", FieldValue::text("call me")));
        pairs.push(("Safety_Hazard__c", FieldValue::text("yes")));
        pairs.push(("AssetId", FieldValue::text("not-an-id")));
        pairs.push(("Subject", FieldValue::text("two\nlines")));
        pairs.push(("Bogus__c", FieldValue::text("x")));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        for f in [
            "SuppliedEmail",
            "SuppliedPhone",
            "Safety_Hazard__c",
            "AssetId",
            "Subject",
            "Bogus__c",
        ] {
            assert!(errors.get(f).is_some(), "{f} should be refused: {errors:?}");
        }
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn good_contact_details_pass() {
        let mut pairs = minimal();
        pairs.push(("SuppliedEmail", FieldValue::text("dana@example.com")));
        pairs.push(("SuppliedPhone", FieldValue::text("+44 (0)20 7946-0958")));
        pairs.push(("AssetId", FieldValue::text("02i5g00000AbCdEAAV")));
        assert!(draft(&pairs).validate(&schema()).is_ok());
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2023-13-01"));
        assert!(!is_iso_date("23-01-01"));
    }

    #[test]
    fn field_values_round_trip_as_plain_json() {
        let d = draft(&[
            ("Subject", FieldValue::text("x")),
            ("Safety_Hazard__c", FieldValue::Bool(false)),
        ]);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#"{"Safety_Hazard__c":false,"Subject":"x"}"#);
        assert_eq!(serde_json::from_str::<CaseDraft>(&json).unwrap(), d);
    }
}
