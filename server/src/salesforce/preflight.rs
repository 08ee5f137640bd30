//! The connection preflight: before anything is written, can the connected
//! org take what fieldcase would write?
//!
//! For every Case field the schema maps (and the policy allows), `describe`
//! must say it exists, that the connected user may create it, and that its
//! type and length fit the schema's; the intake key must be an external ID
//! marked unique (the exactly-once write upserts on it); `ContentVersion`
//! must be createable (photos are Files). Each problem is one line that says
//! what to change in Salesforce Setup. The org's `IsSandbox` (else the
//! login URL) labels the connection sandbox or production.
//!
//! The checks are pure ([`problems`], [`environment`]) and tested here; the
//! calls that fetch what they read are [`super::Salesforce::preflight`].

use std::collections::BTreeSet;

use fieldcase_core::CaseSchema;
use fieldcase_core::schema::{FieldDef, FieldType, SystemValue};
use fieldcase_core::wire::OrgEnvironment;
use serde_json::Value;
use url::Url;

/// Sandbox or production: the org's own `IsSandbox` when it answered, else
/// what the login URL says (`test.salesforce.com` and `*.sandbox.my.
/// salesforce.com` are sandboxes, `login.salesforce.com` production).
pub fn environment(login_url: &Url, is_sandbox: Option<bool>) -> OrgEnvironment {
    match is_sandbox {
        Some(true) => return OrgEnvironment::Sandbox,
        Some(false) => return OrgEnvironment::Production,
        None => {}
    }
    let host = login_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "test.salesforce.com" || host.ends_with(".sandbox.my.salesforce.com") {
        OrgEnvironment::Sandbox
    } else if host == "login.salesforce.com" {
        OrgEnvironment::Production
    } else {
        OrgEnvironment::Unknown
    }
}

/// The org's `IsSandbox`, from `SELECT IsSandbox FROM Organization`'s answer.
pub fn is_sandbox(query: &Value) -> Option<bool> {
    query.get("records")?.get(0)?.get("IsSandbox")?.as_bool()
}

/// The Case fields a write would send: every schema field but `Id` (the
/// system ones included: the key and the reference are written too), and
/// of those, the ones the policy allows when it names them.
pub fn written<'s>(
    schema: &'s CaseSchema,
    allowed: Option<&BTreeSet<String>>,
) -> Vec<&'s FieldDef> {
    schema
        .fields
        .iter()
        .filter(|d| !d.name.eq_ignore_ascii_case("Id"))
        .filter(|d| d.system.is_some() || allowed.is_none_or(|a| a.contains(&d.name)))
        .collect()
}

/// What is wrong, one line each: `case` and `content_version` are the two
/// objects' `describe`.
pub fn problems(
    schema: &CaseSchema,
    allowed: Option<&BTreeSet<String>>,
    case: &Value,
    content_version: &Value,
) -> Vec<String> {
    let object = schema.object.as_str();
    let mut out = Vec::new();
    let described: Vec<&Value> = case
        .get("fields")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let find = |name: &str| {
        described.iter().copied().find(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    if case.get("createable").and_then(Value::as_bool) == Some(false) {
        out.push(format!(
            "object permissions: give the integration user's permission set Create on {object}"
        ));
    }
    for def in written(schema, allowed) {
        let name = &def.name;
        let Some(f) = find(name) else {
            out.push(format!(
                "{object}.{name} does not exist in this org: create it in Setup → Object \
                 Manager → {object} → Fields & Relationships (a {} field), or remove it from \
                 the schema",
                type_words(def.field_type)
            ));
            continue;
        };
        let b = |k: &str| f.get(k).and_then(Value::as_bool).unwrap_or(false);
        let raw = f.get("type").and_then(Value::as_str).unwrap_or_default();
        if b("calculated") {
            out.push(format!(
                "{object}.{name} is a formula field, which Salesforce never lets anyone write: \
                 remove it from the schema or the policy's allowed fields"
            ));
            continue;
        }
        if !b("createable") {
            out.push(format!(
                "field-level security: give the integration user's permission set Edit on \
                 {object}.{name}"
            ));
        }
        if !type_fits(def.field_type, raw) {
            out.push(format!(
                "{object}.{name} is a {raw} field in this org but the schema expects a {}: \
                 change the schema (`fieldcase schema import` reads the org's) or the field's \
                 type in Setup",
                type_words(def.field_type)
            ));
        }
        let length = f.get("length").and_then(Value::as_u64).unwrap_or(0);
        if let Some(max) = def.max_length
            && length > 0
            && u64::from(max) > length
        {
            out.push(format!(
                "{object}.{name} holds {length} characters in this org but the schema lets \
                 {max} through: raise the field's length in Setup to {max}, or lower the \
                 schema's max_length to {length}"
            ));
        }
        if def.field_type == FieldType::Picklist && b("restrictedPicklist") {
            let active: BTreeSet<&str> = f
                .get("picklistValues")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| p.get("active").and_then(Value::as_bool) != Some(false))
                .filter_map(|p| p.get("value").and_then(Value::as_str))
                .collect();
            for v in &def.values {
                if !active.contains(v.value.as_str()) {
                    out.push(format!(
                        "{object}.{name} has no active value \"{}\": add it to the picklist \
                         in Setup, or remove it from the schema",
                        v.value
                    ));
                }
            }
        }
        if def.system == Some(SystemValue::IntakeKey) && !(b("externalId") && b("unique")) {
            out.push(format!(
                "{object}.{name} must be an External ID marked Unique (each intake is written \
                 once by upserting on it): edit the field in Setup and tick both"
            ));
        }
    }
    if !schema
        .fields
        .iter()
        .any(|d| d.system == Some(SystemValue::IntakeKey))
    {
        out.push(format!(
            "the schema has no intake key (a field with \"system\": \"intake_key\"): add one \
             on an External ID, Unique {object} field"
        ));
    }
    if content_version.get("createable").and_then(Value::as_bool) != Some(true) {
        out.push(
            "object permissions: give the integration user's permission set Create on \
             ContentVersion (photos are attached as Files)"
                .to_owned(),
        );
    }
    out
}

/// Whether the org's describe `type` can hold the schema's type.
fn type_fits(expected: FieldType, raw: &str) -> bool {
    match expected {
        FieldType::Text => matches!(raw, "string" | "url" | "encryptedstring" | "textarea"),
        FieldType::Textarea => raw == "textarea",
        FieldType::Picklist => matches!(raw, "picklist" | "string"),
        FieldType::Checkbox => raw == "boolean",
        FieldType::Email => matches!(raw, "email" | "string"),
        FieldType::Phone => matches!(raw, "phone" | "string"),
        FieldType::Number => matches!(raw, "double" | "int" | "long" | "currency" | "percent"),
        FieldType::Date => raw == "date",
        FieldType::Reference => raw == "reference",
    }
}

fn type_words(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "text",
        FieldType::Textarea => "long text area",
        FieldType::Picklist => "picklist",
        FieldType::Checkbox => "checkbox",
        FieldType::Email => "email",
        FieldType::Phone => "phone",
        FieldType::Number => "number",
        FieldType::Date => "date",
        FieldType::Reference => "lookup",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> CaseSchema {
        CaseSchema::salesforce_default()
    }

    /// A describe that fits the built-in schema exactly.
    fn fitting() -> Value {
        let fields: Vec<Value> = schema()
            .fields
            .iter()
            .map(|d| {
                let raw = match d.field_type {
                    FieldType::Text => "string",
                    FieldType::Textarea => "textarea",
                    FieldType::Picklist => "picklist",
                    FieldType::Checkbox => "boolean",
                    FieldType::Email => "email",
                    FieldType::Phone => "phone",
                    FieldType::Number => "double",
                    FieldType::Date => "date",
                    FieldType::Reference => "reference",
                };
                let values: Vec<Value> = d
                    .values
                    .iter()
                    .map(|v| json!({"value": v.value, "active": true}))
                    .collect();
                json!({
                    "name": d.name, "type": raw, "createable": true,
                    "length": d.max_length.unwrap_or(0),
                    "externalId": d.system == Some(SystemValue::IntakeKey),
                    "unique": d.system == Some(SystemValue::IntakeKey),
                    "restrictedPicklist": d.restricted && d.field_type == FieldType::Picklist,
                    "picklistValues": values,
                })
            })
            .collect();
        json!({"name": "Case", "createable": true, "fields": fields})
    }

    fn field<'a>(describe: &'a mut Value, name: &str) -> &'a mut Value {
        describe["fields"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|f| f["name"] == name)
            .unwrap()
    }

    const CV: fn() -> Value = || json!({"name": "ContentVersion", "createable": true});

    #[test]
    fn an_org_that_fits_has_no_problem() {
        assert_eq!(
            problems(&schema(), None, &fitting(), &CV()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_problem_says_what_to_fix_in_setup() {
        let mut d = fitting();
        field(&mut d, "Error_Code__c")["createable"] = json!(false);
        field(&mut d, "Subject")["length"] = json!(80);
        field(&mut d, "Safety_Hazard__c")["type"] = json!("string");
        field(&mut d, "Intake_Key__c")["unique"] = json!(false);
        d["fields"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["name"] != "Meter_Reading__c");
        let p = problems(&schema(), None, &d, &json!({"createable": false}));
        let has = |needle: &str| p.iter().any(|l| l.contains(needle));
        assert!(
            has(
                "field-level security: give the integration user's permission set Edit on Case.Error_Code__c"
            ),
            "{p:#?}"
        );
        assert!(
            has("Case.Subject holds 80 characters in this org but the schema lets 255"),
            "{p:#?}"
        );
        assert!(
            has(
                "Case.Safety_Hazard__c is a string field in this org but the schema expects a checkbox"
            ),
            "{p:#?}"
        );
        assert!(
            has("Case.Intake_Key__c must be an External ID marked Unique"),
            "{p:#?}"
        );
        assert!(
            has("Case.Meter_Reading__c does not exist in this org"),
            "{p:#?}"
        );
        assert!(has("Create on ContentVersion"), "{p:#?}");
        assert_eq!(p.len(), 6, "{p:#?}");
    }

    #[test]
    fn only_the_fields_the_policy_allows_are_checked_besides_the_key() {
        let mut d = fitting();
        field(&mut d, "Error_Code__c")["createable"] = json!(false);
        field(&mut d, "Intake_Key__c")["createable"] = json!(false);
        let allowed: BTreeSet<String> = ["Subject", "Description"].map(String::from).into();
        let p = problems(&schema(), Some(&allowed), &d, &CV());
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].contains("Case.Intake_Key__c"), "{p:#?}");
    }

    #[test]
    fn a_picklist_value_the_org_lacks_is_named() {
        let mut d = fitting();
        let priority = field(&mut d, "Priority");
        priority["restrictedPicklist"] = json!(true);
        priority["picklistValues"] =
            json!([{"value": "High", "active": true}, {"value": "Low", "active": false}]);
        let p = problems(&schema(), None, &d, &CV());
        assert!(
            p.iter()
                .any(|l| l.contains("Case.Priority has no active value \"Medium\"")),
            "{p:#?}"
        );
        assert!(
            p.iter().any(|l| l.contains("\"Low\"")),
            "an inactive value counts as missing: {p:#?}"
        );
    }

    #[test]
    fn sandbox_or_production() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            environment(&url("https://test.salesforce.com"), None),
            OrgEnvironment::Sandbox
        );
        assert_eq!(
            environment(&url("https://acme--uat.sandbox.my.salesforce.com"), None),
            OrgEnvironment::Sandbox
        );
        assert_eq!(
            environment(&url("https://login.salesforce.com"), None),
            OrgEnvironment::Production
        );
        assert_eq!(
            environment(&url("https://acme.my.salesforce.com"), None),
            OrgEnvironment::Unknown
        );
        // The org's own answer wins over its URL.
        assert_eq!(
            environment(&url("https://login.salesforce.com"), Some(true)),
            OrgEnvironment::Sandbox
        );
        assert_eq!(
            environment(&url("http://127.0.0.1:9"), Some(false)),
            OrgEnvironment::Production
        );
        assert_eq!(
            is_sandbox(&json!({"records": [{"IsSandbox": true}]})),
            Some(true)
        );
        assert_eq!(is_sandbox(&json!({"records": []})), None);
    }
}
