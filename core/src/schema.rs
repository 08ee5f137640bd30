//! The case schema: a declarative description of the CRM object an intake
//! becomes (Salesforce's `Case` by default). It is data, not code: the default
//! lives in `core/schemas/case.json`, a deployment may point the server at its
//! own file, and a later step imports it from the org's `describe`.

use serde::{Deserialize, Serialize};

use crate::validate::FieldValue;

/// The default schema, mirroring Salesforce's standard Case plus fieldcase's
/// field-service custom fields.
pub const DEFAULT_SCHEMA_JSON: &str = include_str!("../schemas/case.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSchema {
    /// The CRM object's API name, e.g. `Case`.
    pub object: String,
    pub label: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Picklist,
    Checkbox,
    Email,
    Phone,
    Number,
    Date,
    Reference,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PicklistValue {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl PicklistValue {
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.value)
    }
}

/// What can set a field, besides a person typing into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    /// A short summary built from the notes and the asset.
    Subject,
    /// The notes themselves.
    Notes,
    /// Cues such as "breaker", "bearing", "leak".
    Type,
    /// Cues such as "smoke", "flooding", "when you get a chance".
    Priority,
    /// Cues such as "install", "broke down", "running slow".
    Reason,
    /// Codes such as `E-42`, `F07`, `code 0x1F`.
    ErrorCode,
    /// Readings with units: `3.2 bar`, `85C`, `1200 rpm`.
    Reading,
    /// Cues such as "exposed wire", "gas smell".
    SafetyHazard,
    /// The technician's remembered details.
    TechnicianName,
    TechnicianEmail,
    TechnicianPhone,
}

/// Fields filled from the scanned asset, never typed by the technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetAttr {
    /// The asset's record Id in the CRM.
    AssetId,
    /// The owning account's record Id in the CRM.
    AccountId,
}

/// Fields the system fills (never the technician, never the structurer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SystemValue {
    /// The intake's id: the external-ID key that makes CRM writes exactly-once.
    IntakeKey,
    /// The intake's reference (`FC-XXXX-XXXX`), the one the technician was
    /// told to quote, so a dispatcher finds the case by it. Written from the
    /// stored intake (a crafted id may have made the server pick another
    /// candidate), never from the draft.
    IntakeReference,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldDef {
    /// API name, e.g. `Subject` or `Error_Code__c`.
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// Maximum length in characters (text-like fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Allowed values, in display order (picklists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<PicklistValue>,
    /// Whether a value outside `values` is refused (Salesforce's restricted picklist).
    #[serde(default = "yes")]
    pub restricted: bool,
    /// The value used when nothing else sets the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<FieldValue>,
    /// Shown on the technician's review screen.
    #[serde(default = "yes")]
    pub technician_visible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_asset: Option<AssetAttr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemValue>,
    /// The object a reference points to (`Asset`, `Account`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_to: Option<String>,
    /// An external-ID field (upserts key on it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external_id: bool,
    /// What may propose a value for this field from the notes or the context.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Hint>,
}

fn yes() -> bool {
    true
}

impl FieldDef {
    /// A person may type into this field (it is neither asset- nor system-filled).
    pub fn is_editable(&self) -> bool {
        self.technician_visible && self.from_asset.is_none() && self.system.is_none()
    }

    pub fn is_text_like(&self) -> bool {
        matches!(
            self.field_type,
            FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone
        )
    }

    pub fn has_hint(&self, hint: Hint) -> bool {
        self.hints.contains(&hint)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

impl CaseSchema {
    /// The built-in schema. It is checked by a unit test, so this cannot fail
    /// in a released build.
    pub fn salesforce_default() -> Self {
        #[allow(clippy::expect_used)]
        Self::from_json(DEFAULT_SCHEMA_JSON).expect("core/schemas/case.json is valid")
    }

    /// Parse and check a schema file.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        let schema: CaseSchema = serde_json::from_str(json)
            .map_err(|e| SchemaError(format!("the schema file is not valid: {e}")))?;
        schema.check()?;
        Ok(schema)
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The first field carrying a hint.
    pub fn field_with_hint(&self, hint: Hint) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.has_hint(hint))
    }

    /// The schema's own consistency rules: things that would make every intake fail.
    pub fn check(&self) -> Result<(), SchemaError> {
        let mut seen = std::collections::BTreeSet::new();
        for f in &self.fields {
            if !seen.insert(f.name.as_str()) {
                return Err(SchemaError(format!("field {} is listed twice", f.name)));
            }
            if f.field_type == FieldType::Picklist && f.values.is_empty() {
                return Err(SchemaError(format!(
                    "picklist {} has no values; add at least one",
                    f.name
                )));
            }
            if let Some(FieldValue::Text(d)) = &f.default
                && f.field_type == FieldType::Picklist
                && !f.values.iter().any(|v| &v.value == d)
            {
                return Err(SchemaError(format!(
                    "the default {d:?} of {} is not one of its values",
                    f.name
                )));
            }
            if f.is_text_like() && f.max_length.is_none() {
                return Err(SchemaError(format!(
                    "text field {} needs a max_length",
                    f.name
                )));
            }
        }
        Ok(())
    }
}

/// One difference between two schemas, as [`CaseSchema::diff`] finds it.
/// Displays as one line for a person reviewing an import before applying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaChange {
    FieldAdded {
        field: String,
        field_type: FieldType,
    },
    FieldRemoved {
        field: String,
    },
    TypeChanged {
        field: String,
        from: FieldType,
        to: FieldType,
    },
    ValueAdded {
        field: String,
        value: String,
    },
    ValueRemoved {
        field: String,
        value: String,
    },
    LengthChanged {
        field: String,
        from: Option<u32>,
        to: Option<u32>,
    },
    RequiredChanged {
        field: String,
        required: bool,
    },
    RestrictedChanged {
        field: String,
        restricted: bool,
    },
}

impl FieldType {
    /// The name the schema file uses (`text`, `picklist`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Picklist => "picklist",
            FieldType::Checkbox => "checkbox",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Reference => "reference",
        }
    }
}

impl std::fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let length = |n: &Option<u32>| n.map_or_else(|| "none".to_owned(), |n| n.to_string());
        match self {
            SchemaChange::FieldAdded { field, field_type } => {
                write!(f, "+ {field}: new {} field", field_type.as_str())
            }
            SchemaChange::FieldRemoved { field } => write!(f, "- {field}: field removed"),
            SchemaChange::TypeChanged { field, from, to } => {
                write!(f, "~ {field}: type {} → {}", from.as_str(), to.as_str())
            }
            SchemaChange::ValueAdded { field, value } => {
                write!(f, "~ {field}: picklist value {value:?} added")
            }
            SchemaChange::ValueRemoved { field, value } => {
                write!(f, "~ {field}: picklist value {value:?} removed")
            }
            SchemaChange::LengthChanged { field, from, to } => {
                write!(f, "~ {field}: max length {} → {}", length(from), length(to))
            }
            SchemaChange::RequiredChanged { field, required } => {
                let now = if *required { "required" } else { "optional" };
                write!(f, "~ {field}: now {now}")
            }
            SchemaChange::RestrictedChanged { field, restricted } => {
                let now = if *restricted {
                    "restricted to its values"
                } else {
                    "open to other values"
                };
                write!(f, "~ {field}: picklist now {now}")
            }
        }
    }
}

impl CaseSchema {
    /// What changes from `self` to `other`: the fields added first, then
    /// field by field in `self`'s order, its removal or its changes of type,
    /// picklist values, length, required-ness and restriction. Labels, hints
    /// and defaults are fieldcase's own and not compared.
    pub fn diff(&self, other: &CaseSchema) -> Vec<SchemaChange> {
        let mut changes = Vec::new();
        for new in &other.fields {
            if self.field(&new.name).is_none() {
                changes.push(SchemaChange::FieldAdded {
                    field: new.name.clone(),
                    field_type: new.field_type,
                });
            }
        }
        for old in &self.fields {
            let Some(new) = other.field(&old.name) else {
                changes.push(SchemaChange::FieldRemoved {
                    field: old.name.clone(),
                });
                continue;
            };
            let field = || old.name.clone();
            if old.field_type != new.field_type {
                changes.push(SchemaChange::TypeChanged {
                    field: field(),
                    from: old.field_type,
                    to: new.field_type,
                });
            }
            for v in &new.values {
                if !old.values.iter().any(|o| o.value == v.value) {
                    changes.push(SchemaChange::ValueAdded {
                        field: field(),
                        value: v.value.clone(),
                    });
                }
            }
            for v in &old.values {
                if !new.values.iter().any(|n| n.value == v.value) {
                    changes.push(SchemaChange::ValueRemoved {
                        field: field(),
                        value: v.value.clone(),
                    });
                }
            }
            if old.max_length != new.max_length {
                changes.push(SchemaChange::LengthChanged {
                    field: field(),
                    from: old.max_length,
                    to: new.max_length,
                });
            }
            if old.required != new.required {
                changes.push(SchemaChange::RequiredChanged {
                    field: field(),
                    required: new.required,
                });
            }
            let picklists =
                old.field_type == FieldType::Picklist && new.field_type == FieldType::Picklist;
            if picklists && old.restricted != new.restricted {
                changes.push(SchemaChange::RestrictedChanged {
                    field: field(),
                    restricted: new.restricted,
                });
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_mirrors_salesforce_case() {
        let s = CaseSchema::salesforce_default();
        assert_eq!(s.object, "Case");
        let subject = s.field("Subject").unwrap();
        assert_eq!(subject.max_length, Some(255));
        assert!(subject.required);
        assert_eq!(s.field("Description").unwrap().max_length, Some(32000));
        let values = |name: &str| -> Vec<String> {
            s.field(name)
                .unwrap()
                .values
                .iter()
                .map(|v| v.value.clone())
                .collect()
        };
        assert_eq!(
            values("Type"),
            [
                "Mechanical",
                "Electrical",
                "Electronic",
                "Structural",
                "Other"
            ]
        );
        assert_eq!(values("Priority"), ["High", "Medium", "Low"]);
        assert_eq!(
            values("Reason"),
            [
                "Installation",
                "Equipment Complexity",
                "Performance",
                "Breakdown",
                "Equipment Design",
                "Feedback",
                "Other"
            ]
        );
        assert_eq!(
            s.field("AssetId").unwrap().from_asset,
            Some(AssetAttr::AssetId)
        );
        assert_eq!(
            s.field("AccountId").unwrap().from_asset,
            Some(AssetAttr::AccountId)
        );
        let key = s.field("Intake_Key__c").unwrap();
        assert!(key.external_id);
        assert_eq!(key.system, Some(SystemValue::IntakeKey));
        assert_eq!(
            s.field("Safety_Hazard__c").unwrap().field_type,
            FieldType::Checkbox
        );
        for f in [
            "SuppliedName",
            "SuppliedEmail",
            "SuppliedPhone",
            "Origin",
            "Error_Code__c",
            "Meter_Reading__c",
        ] {
            assert!(s.field(f).is_some(), "{f} missing");
        }
    }

    #[test]
    fn rejects_inconsistent_schemas_with_a_reason() {
        let bad = r#"{"object":"Case","label":"Case","fields":[
            {"name":"Priority","label":"Priority","type":"picklist","values":[{"value":"High"}],"default":"Urgent"}]}"#;
        let err = CaseSchema::from_json(bad).unwrap_err();
        assert!(err.0.contains("Urgent"), "{err}");

        let dup = r#"{"object":"Case","label":"Case","fields":[
            {"name":"Subject","label":"Subject","type":"text","max_length":5},
            {"name":"Subject","label":"Subject","type":"text","max_length":5}]}"#;
        assert!(CaseSchema::from_json(dup).unwrap_err().0.contains("twice"));

        assert!(
            CaseSchema::from_json("{")
                .unwrap_err()
                .0
                .contains("not valid")
        );
    }

    #[test]
    fn an_unchanged_schema_has_no_differences() {
        let s = CaseSchema::salesforce_default();
        assert_eq!(s.diff(&s.clone()), []);
    }

    #[test]
    fn differences_are_found_and_read_naturally() {
        let old = CaseSchema::salesforce_default();
        let mut new = old.clone();
        new.fields.retain(|f| f.name != "Meter_Reading__c");
        new.fields.push(FieldDef {
            name: "Site_Contact__c".into(),
            label: "Site contact".into(),
            field_type: FieldType::Text,
            required: false,
            max_length: Some(80),
            values: Vec::new(),
            restricted: true,
            default: None,
            technician_visible: true,
            from_asset: None,
            system: None,
            reference_to: None,
            external_id: false,
            hints: Vec::new(),
        });
        let priority = new
            .fields
            .iter_mut()
            .find(|f| f.name == "Priority")
            .unwrap();
        priority.values.push(PicklistValue {
            value: "Critical".into(),
            label: None,
        });
        priority.values.retain(|v| v.value != "Low");
        priority.restricted = false;
        let subject = new.fields.iter_mut().find(|f| f.name == "Subject").unwrap();
        subject.max_length = Some(200);
        subject.required = false;
        let error_code = new
            .fields
            .iter_mut()
            .find(|f| f.name == "Error_Code__c")
            .unwrap();
        error_code.field_type = FieldType::Textarea;

        let lines: Vec<String> = old.diff(&new).iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "+ Site_Contact__c: new text field",
                "~ Subject: max length 255 → 200",
                "~ Subject: now optional",
                "~ Priority: picklist value \"Critical\" added",
                "~ Priority: picklist value \"Low\" removed",
                "~ Priority: picklist now open to other values",
                "~ Error_Code__c: type text → textarea",
                "- Meter_Reading__c: field removed",
            ]
        );
    }
}
