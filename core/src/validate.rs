//! Field values and their validation against a [`CaseSchema`].
//!
//! Parse, don't validate: [`CaseDraft::validate`] is the only way to obtain a
//! [`ValidCase`], and it runs unchanged in the browser (to show problems
//! before Submit) and on the server (which trusts nothing the client sends).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::{CaseSchema, FieldDef, FieldType, Hint};
use fieldcase_i18n::t;

use crate::text::{Lines, clean, fill};
use crate::wire::Technician;

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

    /// Blank text counts as no value at all (text of only invisible
    /// characters, which [`clean`] drops, is blank too).
    pub fn is_blank(&self) -> bool {
        matches!(self, FieldValue::Text(s) if s.trim().is_empty()
            || clean(s, Lines::Multi).is_ok_and(|c| c.trim().is_empty()))
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
                    fill(
                        t!("{} is not a field of {}; remove it."),
                        &[name, &schema.object],
                    ),
                );
            }
        }
        for def in &schema.fields {
            match self.0.get(&def.name).filter(|v| !v.is_blank()) {
                None => {
                    if def.required {
                        errors.insert(def.name.clone(), fill(t!("{} is required."), &[&def.label]));
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
            _ => Err(fill(t!("{} must be ticked or not ticked."), &[label])),
        },
        FieldType::Number => match value {
            FieldValue::Number(n) if n.is_finite() => Ok(FieldValue::Number(*n)),
            FieldValue::Text(s) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(FieldValue::Number(n)),
                _ => Err(not_a_number(label)),
            },
            _ => Err(not_a_number(label)),
        },
        _ => {
            let Some(text) = value.as_text() else {
                return Err(fill(t!("{} must be text."), &[label]));
            };
            let lines = if def.field_type == FieldType::Textarea {
                Lines::Multi
            } else {
                Lines::Single
            };
            let text = clean(text, lines).map_err(|problem| problem.message(label))?;
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
            return Err(too_long(label, n, max as usize));
        }
    }
    match def.field_type {
        FieldType::Picklist if def.restricted && !def.values.iter().any(|v| v.value == text) => {
            let choices: Vec<&str> = def.values.iter().map(|v| v.value.as_str()).collect();
            return Err(fill(
                t!("{} must be one of: {}."),
                &[label, &choices.join(", ")],
            ));
        }
        FieldType::Email => {
            email_problem(text).map_or(Ok(()), |why| Err(bad_email(label, &why)))?
        }
        FieldType::Phone => {
            phone_problem(text).map_or(Ok(()), |why| Err(bad_phone(label, &why)))?
        }
        FieldType::Date if !is_iso_date(text) => {
            return Err(fill(t!("{} must be a date written YYYY-MM-DD."), &[label]));
        }
        FieldType::Reference => {
            let ok = (text.len() == 15 || text.len() == 18)
                && text.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(fill(
                    t!("{} must be a record Id of 15 or 18 letters and digits."),
                    &[label],
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

fn not_a_number(label: &str) -> String {
    fill(t!("{} must be a number, such as 12 or 3.5."), &[label])
}

/// `label` is `n` characters, over the limit `max`.
fn too_long(label: &str, n: usize, max: usize) -> String {
    fill(
        t!("{} is {} characters; the limit is {}. Shorten it by {}."),
        &[
            label,
            &n.to_string(),
            &max.to_string(),
            &(n - max).to_string(),
        ],
    )
}

fn bad_email(label: &str, why: &str) -> String {
    fill(
        t!("{} must be an email address such as name@example.com: {}."),
        &[label, why],
    )
}

fn bad_phone(label: &str, why: &str) -> String {
    fill(
        t!("{} must be a phone number such as +44 20 7946 0958: {}."),
        &[label, why],
    )
}

/// Longest technician name accepted, in characters.
pub const MAX_TECHNICIAN_NAME_CHARS: usize = 255;
/// Longest technician phone number accepted, in characters (Salesforce's
/// Phone fields hold 40).
pub const MAX_PHONE_CHARS: usize = 40;

/// The technician's details checked like case fields: each cleaned as
/// single-line text and trimmed (blank e-mail and phone become `None`), the
/// e-mail and phone in the formats the CRM accepts. A problem is keyed by the
/// schema field that shows that detail on the review screen (`SuppliedEmail`
/// by default), so the app shows it there; `technician.email` and so on when
/// the schema has no such field.
pub fn validate_technician(t: &Technician, schema: &CaseSchema) -> Result<Technician, FieldErrors> {
    let mut errors = BTreeMap::new();
    let mut check = |hint: Hint, detail: &str, default_label: &str, value: &str| {
        let def = schema.fields.iter().find(|d| d.has_hint(hint));
        let key = def.map_or_else(|| format!("technician.{detail}"), |d| d.name.clone());
        let label = def.map_or(default_label, |d| d.label.as_str());
        let cleaned = match clean(value, Lines::Single) {
            Ok(c) => c.trim().to_owned(),
            Err(problem) => {
                errors.insert(key, problem.message(label));
                return None;
            }
        };
        let (max, problem) = match hint {
            Hint::TechnicianEmail => (
                MAX_EMAIL_CHARS,
                email_problem(&cleaned).map(|why| bad_email(label, &why)),
            ),
            Hint::TechnicianPhone => (
                MAX_PHONE_CHARS,
                phone_problem(&cleaned).map(|why| bad_phone(label, &why)),
            ),
            _ => (MAX_TECHNICIAN_NAME_CHARS, None),
        };
        let n = cleaned.chars().count();
        let problem = if n > max {
            Some(too_long(label, n, max))
        } else if cleaned.is_empty() {
            None
        } else {
            problem
        };
        match problem {
            Some(message) => {
                errors.insert(key, message);
                None
            }
            None => Some(cleaned),
        }
    };
    let name = check(Hint::TechnicianName, "name", t!("Your name"), &t.name);
    let email = t
        .email
        .as_deref()
        .and_then(|e| check(Hint::TechnicianEmail, "email", t!("Your email"), e));
    let phone = t
        .phone
        .as_deref()
        .and_then(|p| check(Hint::TechnicianPhone, "phone", t!("Your phone"), p));
    if !errors.is_empty() {
        return Err(FieldErrors(errors));
    }
    Ok(Technician {
        name: name.unwrap_or_default(),
        email: email.filter(|e| !e.is_empty()),
        phone: phone.filter(|p| !p.is_empty()),
    })
}

/// Longest address a Salesforce Email field holds.
pub const MAX_EMAIL_CHARS: usize = 80;

/// Why `s` is not an address a Salesforce Email field accepts, or `None`.
///
/// Salesforce checks `local@domain` with ASCII only: the local part of
/// letters, digits and ``!#$%&'*+/=?^_`{|}~.-`` (no leading, trailing or
/// double dot, at most 64), a domain of dot-separated labels of letters,
/// digits and hyphens with at least one dot, and 80 characters in all.
/// Checking the same here means the technician hears of `a@b@c` at Review,
/// not from the CRM after approval.
pub fn email_problem(s: &str) -> Option<String> {
    if s.chars().any(char::is_whitespace) {
        return Some(t!("remove the spaces").into());
    }
    let n = s.chars().count();
    if n > MAX_EMAIL_CHARS {
        return Some(fill(
            t!("it is {} characters and the CRM keeps at most {}"),
            &[&n.to_string(), &MAX_EMAIL_CHARS.to_string()],
        ));
    }
    let ats = s.matches('@').count();
    if ats == 0 {
        return Some(t!("it needs an @ between the name and the domain").into());
    }
    if ats > 1 {
        return Some(t!("it has more than one @; keep one").into());
    }
    let (local, domain) = s.split_once('@')?;
    if let Some(c) = s.chars().find(|c| !c.is_ascii()) {
        return Some(fill(
            t!("{} is not a character the CRM accepts in an address"),
            &[&format!("{c:?}")],
        ));
    }
    if local.is_empty() {
        return Some(t!("put the name before the @").into());
    }
    if local.len() > 64 {
        return Some(t!("the part before the @ is over 64 characters").into());
    }
    const LOCAL_EXTRA: &str = "!#$%&'*+/=?^_`{|}~.-";
    if let Some(c) = local
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !LOCAL_EXTRA.contains(*c))
    {
        return Some(fill(
            t!("{} cannot be part of an address"),
            &[&format!("{c:?}")],
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some(
            t!("the part before the @ cannot start or end with a dot, or have two in a row").into(),
        );
    }
    if domain.is_empty() {
        return Some(t!("put the domain, such as example.com, after the @").into());
    }
    if !domain.contains('.') {
        return Some(t!("the part after the @ needs a dot, as in example.com").into());
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Some(fill(
                t!("{} is not a domain: use letters, digits, hyphens and single dots"),
                &[&format!("{domain:?}")],
            ));
        }
    }
    if domain
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Some(fill(
            t!("{} does not end in a domain name such as .com"),
            &[&format!("{domain:?}")],
        ));
    }
    None
}

/// Why `s` is not a phone number, or `None`: 6 to 20 digits, with spaces,
/// a leading `+`, `( ) - .` and an extension after `x` allowed.
pub fn phone_problem(s: &str) -> Option<String> {
    if let Some(c) = s
        .chars()
        .find(|&c| !c.is_ascii_digit() && !" +-().x".contains(c))
    {
        return Some(fill(
            t!("{} cannot be part of it; use digits, spaces, + ( ) - . and x for an extension"),
            &[&format!("{c:?}")],
        ));
    }
    if s.rfind('+').is_some_and(|i| i > 0) {
        return Some(t!("a + may only come first").into());
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if !(6..=20).contains(&digits) {
        return Some(fill(
            t!("it has {} digits; a phone number has 6 to 20"),
            &[&digits.to_string()],
        ));
    }
    None
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
    fn emails_are_checked_as_salesforce_does() {
        for good in [
            "dana@example.com",
            "dana.okafor+pumps@plant-3.example.co.uk",
            "o'neil@example.ie",
            "x@b.io",
        ] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for (bad, why) in [
            ("a@b@c", "more than one @"),
            ("a@b@c.com", "more than one @"),
            ("dana at example.com", "spaces"),
            ("dana@example", "needs a dot"),
            ("@example.com", "before the @"),
            ("dana@", "after the @"),
            ("dana.@example.com", "dot"),
            ("da..na@example.com", "dot"),
            ("dana@exa_mple.com", "not a domain"),
            ("dana@-example.com", "not a domain"),
            ("dana@example..com", "not a domain"),
            ("dana@10.0.0.1", "domain name"),
            ("dána@example.com", "not a character"),
            ("dana(x)@example.com", "cannot be part"),
            ("danaexample.com", "needs an @"),
        ] {
            let problem = email_problem(bad).unwrap_or_default();
            assert!(problem.contains(why), "{bad}: {problem:?}");
        }
        let long = format!("{}@example.com", "a".repeat(70));
        assert!(
            email_problem(&long)
                .unwrap_or_default()
                .contains("at most 80")
        );
    }

    #[test]
    fn phones_are_digits_with_a_little_punctuation() {
        for good in ["+44 (0)20 7946-0958", "0113 496 0000 x 12", "555.123.4567"] {
            assert_eq!(phone_problem(good), None, "{good}");
        }
        for bad in [
            "call me",
            "12345",
            "44+ 20 7946 0958",
            "0113/496 0000",
            &"1".repeat(21),
        ] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_double_at_email_is_refused_at_review() {
        let mut pairs = minimal();
        pairs.push(("SuppliedEmail", FieldValue::text("a@b@c")));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        assert_eq!(
            errors.get("SuppliedEmail"),
            Some(
                "Your email must be an email address such as name@example.com: \
                 it has more than one @; keep one."
            )
        );
    }

    #[test]
    fn invisible_and_control_characters_never_reach_a_valid_case() {
        let mut pairs = minimal();
        pairs.push((
            "Subject",
            FieldValue::text("Pump\u{0} \u{202E}P-12\u{202C} leak\u{200B}ing"),
        ));
        pairs.push((
            "Description",
            FieldValue::text("line one\r\nline\u{7} two\u{2066}"),
        ));
        pairs.push((
            "SuppliedName",
            FieldValue::text("\u{FEFF}Dana Okafor\u{200F}"),
        ));
        let valid = draft(&pairs).validate(&schema()).unwrap();
        assert_eq!(
            valid.get("Subject"),
            Some(&FieldValue::text("Pump P-12 leaking"))
        );
        assert_eq!(
            valid.get("Description"),
            Some(&FieldValue::text("line one\nline two"))
        );
        assert_eq!(
            valid.get("SuppliedName"),
            Some(&FieldValue::text("Dana Okafor"))
        );
    }

    #[test]
    fn only_invisible_characters_is_no_value() {
        let mut pairs = minimal();
        pairs.push(("Subject", FieldValue::text("\u{200B}\u{202E}\u{0}")));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        assert_eq!(errors.get("Subject"), Some("Subject is required."));
    }

    #[test]
    fn a_line_break_in_a_single_line_field_says_what_to_fix() {
        let mut pairs = minimal();
        pairs.push(("Subject", FieldValue::text("Pump P-12\nleaking")));
        let errors = draft(&pairs).validate(&schema()).unwrap_err();
        assert_eq!(
            errors.get("Subject"),
            Some("Subject must be a single line: replace the line break with a space or a comma.")
        );
    }

    #[test]
    fn technician_details_are_checked_like_case_fields() {
        let t = Technician {
            name: " Dana\u{202E} Okafor\u{0} ".into(),
            email: Some(" dana@example.com ".into()),
            phone: Some("  ".into()),
        };
        let clean = validate_technician(&t, &schema()).unwrap();
        assert_eq!(clean.name, "Dana Okafor");
        assert_eq!(clean.email.as_deref(), Some("dana@example.com"));
        assert_eq!(clean.phone, None);

        let t = Technician {
            name: "Dana\nOkafor".into(),
            email: Some("a@b@c".into()),
            phone: Some("call me".into()),
        };
        let errors = validate_technician(&t, &schema()).unwrap_err();
        assert!(
            errors
                .get("SuppliedName")
                .unwrap_or_default()
                .contains("single line")
        );
        assert!(
            errors
                .get("SuppliedEmail")
                .unwrap_or_default()
                .contains("more than one @")
        );
        assert!(
            errors
                .get("SuppliedPhone")
                .unwrap_or_default()
                .starts_with("Your phone must be")
        );

        let mut bare = schema();
        bare.fields.retain(|f| f.hints.is_empty());
        let errors = validate_technician(&t, &bare).unwrap_err();
        assert!(errors.get("technician.email").is_some(), "{errors:?}");
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
