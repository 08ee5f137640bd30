//! Case's `describe` → the case schema.
//!
//! The org decides the facts: which fields exist and their types, lengths,
//! active picklist values, whether a picklist is restricted, and which fields
//! it requires (not nillable, createable, not defaulted on create).
//! fieldcase keeps its own annotations from the current schema: labels,
//! hints, `technician_visible`, `from_asset`, `system`, defaults that are
//! still valid, and the fields it requires beyond the org (an import never
//! makes a field fieldcase requires optional; it says so instead).
//!
//! Fields come from the current schema (those the org still has), then the
//! org's fields a write needs (required ones) or an administrator added
//! (createable custom fields, except other integrations' external IDs).

use fieldcase_core::schema::{FieldDef, FieldType, PicklistValue};
use fieldcase_core::{CaseSchema, FieldValue};
use serde_json::Value;

/// An imported schema, and what a person should know about it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub schema: CaseSchema,
    /// Fields skipped, requirements kept: one sentence each.
    pub notes: Vec<String>,
}

/// The org's view of one field.
struct Described<'a> {
    name: &'a str,
    label: &'a str,
    field_type: Option<FieldType>,
    raw_type: &'a str,
    length: Option<u32>,
    required: bool,
    createable: bool,
    custom: bool,
    external_id: bool,
    restricted: bool,
    values: Vec<PicklistValue>,
    picklist_default: Option<String>,
    boolean_default: Option<bool>,
    reference_to: Option<String>,
}

fn described(v: &Value) -> Option<Described<'_>> {
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    let raw_type = s("type")?;
    let field_type = match raw_type {
        "string" | "url" | "encryptedstring" => Some(FieldType::Text),
        "textarea" => Some(FieldType::Textarea),
        "picklist" => Some(FieldType::Picklist),
        "boolean" => Some(FieldType::Checkbox),
        "email" => Some(FieldType::Email),
        "phone" => Some(FieldType::Phone),
        "double" | "int" | "long" | "currency" | "percent" => Some(FieldType::Number),
        "date" => Some(FieldType::Date),
        "reference" => Some(FieldType::Reference),
        _ => None,
    };
    let active: Vec<&Value> = v
        .get("picklistValues")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|p| p.get("active").and_then(Value::as_bool) != Some(false))
                .collect()
        })
        .unwrap_or_default();
    let values = active
        .iter()
        .filter_map(|p| {
            let value = p.get("value").and_then(Value::as_str)?.to_owned();
            let label = p
                .get("label")
                .and_then(Value::as_str)
                .filter(|l| *l != value)
                .map(str::to_owned);
            Some(PicklistValue { value, label })
        })
        .collect();
    let picklist_default = active
        .iter()
        .find(|p| p.get("defaultValue").and_then(Value::as_bool) == Some(true))
        .and_then(|p| p.get("value").and_then(Value::as_str))
        .map(str::to_owned);
    let createable = b("createable");
    Some(Described {
        name: s("name")?,
        label: s("label").unwrap_or_default(),
        field_type,
        raw_type,
        length: v
            .get("length")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0),
        required: !b("nillable") && createable && !b("defaultedOnCreate"),
        createable,
        custom: b("custom"),
        external_id: b("externalId"),
        restricted: b("restrictedPicklist"),
        values,
        picklist_default,
        boolean_default: v.get("defaultValue").and_then(Value::as_bool),
        reference_to: v
            .get("referenceTo")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// The case schema the org's `describe` of `current.object` implies.
pub fn schema_from_describe(describe: &Value, current: &CaseSchema) -> Result<Imported, String> {
    let fields: Vec<Described<'_>> = describe
        .get("fields")
        .and_then(Value::as_array)
        .ok_or("the describe answer has no fields")?
        .iter()
        .filter_map(described)
        .collect();
    let find = |name: &str| fields.iter().find(|f| f.name.eq_ignore_ascii_case(name));
    let mut notes = Vec::new();
    let mut out = Vec::new();

    for old in &current.fields {
        let Some(d) = find(&old.name) else {
            continue; // removed: the diff says so
        };
        let Some(field_type) = d.field_type else {
            notes.push(format!(
                "{}: its type in the org ({}) is not one fieldcase can fill; left out.",
                old.name, d.raw_type
            ));
            continue;
        };
        if !d.createable {
            notes.push(format!(
                "{}: the connected user cannot set it in the org; left out.",
                old.name
            ));
            continue;
        }
        let mut def = old.clone();
        def.name = d.name.to_owned();
        def.field_type = field_type;
        apply_facts(&mut def, d);
        if old.required && !d.required {
            def.required = true;
            notes.push(format!(
                "{}: optional in the org; fieldcase keeps requiring it.",
                old.name
            ));
        }
        if def.field_type == FieldType::Picklist && def.values.is_empty() {
            notes.push(format!(
                "{}: no active picklist values; left out.",
                old.name
            ));
            continue;
        }
        out.push(def);
    }

    for d in &fields {
        if current.field(d.name).is_some() || out.iter().any(|f| f.name == d.name) {
            continue;
        }
        let wanted = d.required || (d.custom && d.createable && !d.external_id);
        if !wanted || !d.createable {
            continue;
        }
        let Some(field_type) = d.field_type else {
            notes.push(format!(
                "{}: the org {} it, but its type ({}) is not one fieldcase can fill; \
                 writes will fail until that changes.",
                d.name,
                if d.required { "requires" } else { "has" },
                d.raw_type
            ));
            continue;
        };
        let mut def = FieldDef {
            name: d.name.to_owned(),
            label: if d.label.is_empty() { d.name } else { d.label }.to_owned(),
            field_type,
            required: false,
            max_length: None,
            values: Vec::new(),
            restricted: true,
            default: None,
            technician_visible: true,
            from_asset: None,
            system: None,
            reference_to: None,
            external_id: false,
            hints: Vec::new(),
        };
        apply_facts(&mut def, d);
        if def.field_type == FieldType::Picklist && def.values.is_empty() {
            notes.push(format!("{}: no active picklist values; left out.", d.name));
            continue;
        }
        out.push(def);
    }

    let schema = CaseSchema {
        object: current.object.clone(),
        label: describe
            .get("label")
            .and_then(Value::as_str)
            .unwrap_or(&current.label)
            .to_owned(),
        fields: out,
    };
    schema
        .check()
        .map_err(|e| format!("the imported schema is not usable: {e}"))?;
    Ok(Imported { schema, notes })
}

/// The org's facts onto a field definition.
fn apply_facts(def: &mut FieldDef, d: &Described<'_>) {
    def.required = d.required;
    def.external_id = d.external_id;
    def.max_length = if def.is_text_like() {
        d.length.or(def.max_length)
    } else {
        None
    };
    def.reference_to = if def.field_type == FieldType::Reference {
        d.reference_to.clone().or(def.reference_to.take())
    } else {
        None
    };
    if def.field_type == FieldType::Picklist {
        def.values = d.values.clone();
        def.restricted = d.restricted;
        let still_valid = matches!(&def.default, Some(FieldValue::Text(v)) if def.values.iter().any(|p| &p.value == v));
        if !still_valid {
            def.default = d.picklist_default.clone().map(FieldValue::Text);
        }
    } else {
        def.values.clear();
        def.restricted = true;
        match def.field_type {
            FieldType::Checkbox => {
                if !matches!(def.default, Some(FieldValue::Bool(_))) {
                    def.default = d.boolean_default.map(FieldValue::Bool);
                }
            }
            FieldType::Number => {
                if !matches!(def.default, Some(FieldValue::Number(_))) {
                    def.default = None;
                }
            }
            _ => {
                if !matches!(def.default, Some(FieldValue::Text(_))) {
                    def.default = None;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fieldcase_core::schema::SchemaChange;
    use serde_json::json;

    fn field(name: &str, ty: &str, extra: Value) -> Value {
        let mut v = json!({
            "name": name, "label": name, "type": ty, "length": 0, "nillable": true,
            "createable": true, "defaultedOnCreate": false, "picklistValues": [],
            "restrictedPicklist": false, "referenceTo": [], "externalId": false, "custom": name.ends_with("__c"),
        });
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        v
    }

    fn picklist(values: &[&str], default: Option<&str>) -> Value {
        Value::Array(
            values
                .iter()
                .map(|v| json!({"active": true, "value": v, "label": v, "defaultValue": Some(*v) == default}))
                .collect(),
        )
    }

    fn describe() -> Value {
        json!({"name": "Case", "label": "Case", "fields": [
            field("Id", "id", json!({"createable": false, "nillable": false})),
            field("CaseNumber", "string", json!({"createable": false, "nillable": false, "length": 30})),
            field("Subject", "string", json!({"length": 200})),
            field("Description", "textarea", json!({"length": 32000})),
            field("Type", "picklist", json!({"picklistValues": picklist(&["Mechanical", "Electrical", "Electronic", "Structural", "Other", "Hydraulic"], None), "restrictedPicklist": true})),
            field("Priority", "picklist", json!({"picklistValues": picklist(&["High", "Medium"], Some("Medium")), "restrictedPicklist": true, "defaultedOnCreate": true})),
            field("Reason", "picklist", json!({"picklistValues": picklist(&["Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other"], None), "restrictedPicklist": true})),
            field("Origin", "picklist", json!({"picklistValues": picklist(&["Phone", "Email", "Web"], None), "restrictedPicklist": true})),
            field("Error_Code__c", "string", json!({"length": 40})),
            field("Safety_Hazard__c", "boolean", json!({"nillable": false, "defaultedOnCreate": true, "defaultValue": false})),
            field("SuppliedName", "string", json!({"length": 80})),
            field("SuppliedEmail", "email", json!({"length": 80})),
            field("SuppliedPhone", "phone", json!({"length": 40})),
            field("AssetId", "reference", json!({"referenceTo": ["Asset"]})),
            field("AccountId", "reference", json!({"referenceTo": ["Account"]})),
            field("Intake_Key__c", "string", json!({"length": 36, "externalId": true})),
            field("Intake_Reference__c", "string", json!({"length": 20})),
            field("External_Ref__c", "string", json!({"length": 64, "externalId": true})),
            field("Site_Contact__c", "string", json!({"length": 80})),
            field("Region__c", "picklist", json!({"nillable": false, "picklistValues": picklist(&["North", "South"], None), "restrictedPicklist": true})),
            field("IsEscalated", "boolean", json!({"nillable": false, "defaultedOnCreate": true})),
        ]})
    }

    #[test]
    fn a_describe_becomes_a_schema_that_keeps_fieldcases_annotations() {
        let current = CaseSchema::salesforce_default();
        let imported = schema_from_describe(&describe(), &current).unwrap();
        let s = &imported.schema;
        let subject = s.field("Subject").unwrap();
        assert_eq!(subject.max_length, Some(200));
        assert!(subject.required, "fieldcase's requirement is kept");
        assert_eq!(subject.hints, current.field("Subject").unwrap().hints);
        assert_eq!(s.field("SuppliedName").unwrap().label, "Your name");
        assert_eq!(
            s.field("AssetId").unwrap().from_asset,
            current.field("AssetId").unwrap().from_asset
        );
        assert_eq!(
            s.field("Intake_Key__c").unwrap().system,
            current.field("Intake_Key__c").unwrap().system
        );
        assert_eq!(
            s.field("Intake_Reference__c").unwrap().system,
            Some(fieldcase_core::schema::SystemValue::IntakeReference),
            "the reference stays the system's to fill"
        );
        let region = s.field("Region__c").unwrap();
        assert!(region.required && region.restricted);
        assert!(
            s.field("External_Ref__c").is_none(),
            "another integration's key"
        );
        assert!(
            s.field("IsEscalated").is_none(),
            "a standard optional field"
        );
        assert_eq!(
            s.field("Priority").unwrap().default,
            Some(FieldValue::text("Medium"))
        );

        let changes: Vec<String> = current.diff(s).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            [
                "+ Site_Contact__c: new text field",
                "+ Region__c: new picklist field",
                "~ Subject: max length 255 → 200",
                "~ Type: picklist value \"Hydraulic\" added",
                "~ Priority: picklist value \"Low\" removed",
                "- Meter_Reading__c: field removed",
            ]
        );
        assert!(
            imported
                .notes
                .iter()
                .any(|n| n.starts_with("Subject: optional in the org")),
            "{:?}",
            imported.notes
        );
        assert!(matches!(
            current.diff(s)[0],
            SchemaChange::FieldAdded { .. }
        ));
    }
}
