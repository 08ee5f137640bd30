//! The intake page's field inputs: what each input shows, its validation
//! (the core's own `check_value`, as the server runs it) and which fields a
//! save sends (only those changed from the current values).

use std::collections::BTreeMap;

use fieldcase_core::schema::{CaseSchema, FieldDef, FieldType};
use fieldcase_core::validate::{CaseDraft, FieldErrors, FieldValue, check_value};

/// What a dispatcher has typed, by field API name (the inputs' text).
pub type Inputs = BTreeMap<String, String>;

/// The text an input shows for a value: checkboxes as `true`/`false`.
pub fn input_text(value: Option<&FieldValue>) -> String {
    match value {
        None => String::new(),
        Some(FieldValue::Bool(b)) => b.to_string(),
        Some(FieldValue::Number(n)) => n.to_string(),
        Some(FieldValue::Text(s)) => s.clone(),
    }
}

/// The fields a dispatcher may change, in the schema's order.
pub fn editable_fields(schema: &CaseSchema) -> impl Iterator<Item = &FieldDef> {
    schema.fields.iter().filter(|f| f.is_editable())
}

/// One input's value, checked: `Ok(None)` is "no value".
pub fn check_input(def: &FieldDef, text: &str) -> Result<Option<FieldValue>, String> {
    let value = match def.field_type {
        FieldType::Checkbox => FieldValue::Bool(text == "true"),
        _ if text.trim().is_empty() => {
            return if def.required {
                Err(format!("{} is required.", def.label))
            } else {
                Ok(None)
            };
        }
        _ => FieldValue::text(text),
    };
    check_value(def, &value).map(Some)
}

/// The current value as the validator would store it (trimmed text, numbers
/// as numbers), so an input left as it was never counts as a change.
fn normalized(def: &FieldDef, value: Option<&FieldValue>) -> Option<FieldValue> {
    let v = value.filter(|v| !v.is_blank())?;
    Some(check_value(def, v).unwrap_or_else(|_| v.clone()))
}

/// The body of a save: each changed field (`None` clears it), or every
/// input's message when one is not valid.
pub fn changes(
    schema: &CaseSchema,
    current: &CaseDraft,
    inputs: &Inputs,
) -> Result<BTreeMap<String, Option<FieldValue>>, FieldErrors> {
    let mut out = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for def in editable_fields(schema) {
        let Some(text) = inputs.get(&def.name) else {
            continue;
        };
        match check_input(def, text) {
            Err(m) => {
                errors.insert(def.name.clone(), m);
            }
            Ok(new) => {
                let old = normalized(def, current.get(&def.name));
                // An unticked checkbox equals a field with no value.
                let same = new == old
                    || (def.field_type == FieldType::Checkbox
                        && new == Some(FieldValue::Bool(false))
                        && old.is_none());
                if !same {
                    out.insert(def.name.clone(), new);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(FieldErrors(errors))
    }
}

/// The inputs that differ from the current values (kept across a reload or a
/// sign-in, so typed work survives a 409 or an ended session).
pub fn dirty(schema: &CaseSchema, current: &CaseDraft, inputs: &Inputs) -> Inputs {
    inputs
        .iter()
        .filter(|(name, text)| {
            schema.field(name).is_some_and(|def| {
                input_text(current.get(name)) != **text
                    && !matches!(changes_one(def, current, text), Ok(false))
            })
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn changes_one(def: &FieldDef, current: &CaseDraft, text: &str) -> Result<bool, String> {
    let new = check_input(def, text)?;
    Ok(new != normalized(def, current.get(&def.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> CaseSchema {
        CaseSchema::salesforce_default()
    }

    fn current() -> CaseDraft {
        let mut d = CaseDraft::default();
        d.set("Subject", FieldValue::text("Pump leaking"));
        d.set("Priority", FieldValue::text("Low"));
        d.set("Safety_Hazard__c", FieldValue::Bool(false));
        d.set("Error_Code__c", FieldValue::text("E-42"));
        d.set("SuppliedName", FieldValue::text("Ann"));
        d
    }

    fn inputs(pairs: &[(&str, &str)]) -> Inputs {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_changed_fields_are_sent_and_blank_clears() {
        let c = changes(
            &schema(),
            &current(),
            &inputs(&[
                ("Subject", "Pump leaking  "),
                ("Priority", "High"),
                ("Safety_Hazard__c", "true"),
                ("Error_Code__c", " "),
                ("Meter_Reading__c", ""),
            ]),
        );
        let expected: BTreeMap<String, Option<FieldValue>> = [
            ("Error_Code__c".to_owned(), None),
            ("Priority".to_owned(), Some(FieldValue::text("High"))),
            ("Safety_Hazard__c".to_owned(), Some(FieldValue::Bool(true))),
        ]
        .into_iter()
        .collect();
        assert_eq!(c, Ok(expected));
    }

    #[test]
    fn an_unticked_box_on_an_unset_field_is_no_change() {
        let mut d = current();
        d.0.remove("Safety_Hazard__c");
        let c = changes(&schema(), &d, &inputs(&[("Safety_Hazard__c", "false")]));
        assert_eq!(c, Ok(BTreeMap::new()));
    }

    #[test]
    fn invalid_inputs_give_the_cores_messages() {
        let long = "x".repeat(41);
        let c = changes(
            &schema(),
            &current(),
            &inputs(&[
                ("Subject", ""),
                ("Priority", "Urgent"),
                ("Error_Code__c", &long),
                ("SuppliedEmail", "ann@"),
            ]),
        );
        let Err(e) = c else { panic!("expected errors") };
        assert_eq!(e.get("Subject"), Some("Subject is required."));
        assert_eq!(
            e.get("Priority"),
            Some("Priority must be one of: High, Medium, Low.")
        );
        assert_eq!(
            e.get("Error_Code__c"),
            Some("Error code is 41 characters; the limit is 40. Shorten it by 1.")
        );
        assert!(
            e.get("SuppliedEmail")
                .is_some_and(|m| m.contains("email address"))
        );
    }

    #[test]
    fn system_and_asset_fields_are_not_editable() {
        let schema = schema();
        let names: Vec<&str> = editable_fields(&schema).map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"Priority"));
        assert!(!names.contains(&"AssetId"));
        assert!(!names.contains(&"Intake_Key__c"));
        let c = changes(
            &schema,
            &current(),
            &inputs(&[("AssetId", "02i000000000001AAA")]),
        );
        assert_eq!(c, Ok(BTreeMap::new()));
    }

    #[test]
    fn dirty_inputs_are_those_a_save_would_send_or_refuse() {
        let d = dirty(
            &schema(),
            &current(),
            &inputs(&[
                ("Subject", "Pump leaking"),
                ("Priority", "High"),
                ("SuppliedEmail", "bad"),
            ]),
        );
        assert_eq!(d, inputs(&[("Priority", "High"), ("SuppliedEmail", "bad")]));
        assert_eq!(input_text(Some(&FieldValue::Bool(true))), "true");
        assert_eq!(input_text(Some(&FieldValue::Number(3.5))), "3.5");
        assert_eq!(input_text(None), "");
    }
}
