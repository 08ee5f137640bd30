//! Record writes and reads for every sObject, validated against
//! [`crate::describe`] the way Salesforce validates them: unknown fields,
//! read-only fields, JSON types, lengths, restricted picklists, references,
//! required fields and unique fields, each with Salesforce's error code.

use base64::Engine as _;
use serde_json::{Map, Value, json};
use sqlx::sqlite::SqliteConnection;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::describe::{self, FieldDef, FieldType, SObjectDef};
use crate::error::{ApiError, Error, Result};
use crate::ids;
use crate::rest::Ctx;
use crate::store::{self, Record};

/// How a write treats the fields it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// Salesforce's datetime text: `2025-11-21T10:30:00.000+0000`.
pub fn format_datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses RFC 3339 or Salesforce's `…+0000` form.
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    // `+hhmm` → `+hh:mm`
    let n = s.len();
    if n > 5 {
        let (head, tail) = s.split_at(n - 5);
        let b = tail.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[1..].iter().all(u8::is_ascii_digit) {
            let fixed = format!("{head}{}{}:{}", &tail[..1], &tail[1..3], &tail[3..]);
            return OffsetDateTime::parse(&fixed, &Rfc3339).ok();
        }
    }
    None
}

fn valid_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).is_ok()
}

fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "START_OBJECT value {",
        Value::Array(_) => "START_ARRAY value [",
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(_) => "VALUE_TRUE/VALUE_FALSE",
        Value::Null => "VALUE_NULL",
    }
}

fn deserialize_error(ty: &str, v: &Value) -> ApiError {
    ApiError::json_parser(format!(
        "Cannot deserialize instance of {ty} from {} or request may be missing a required field",
        json_kind(v)
    ))
}

/// Validated values under canonical field names; a base64 field's bytes apart.
#[derive(Debug, Default)]
pub struct Validated {
    pub fields: Map<String, Value>,
    /// Fields the body set to null (to clear on update).
    pub cleared: Vec<&'static str>,
    pub blob: Option<Vec<u8>>,
}

/// Checks `body` against `def` for a create or an update.
pub async fn validate(
    conn: &mut SqliteConnection,
    def: &SObjectDef,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<Validated> {
    let mut out = Validated::default();
    let mut not_writable = Vec::new();
    for (key, value) in body {
        if key == "attributes" {
            continue;
        }
        let Some(f) = def.field(key) else {
            return Err(ApiError::no_such_column(key, def.name).into());
        };
        if f.ty == FieldType::Id {
            return Err(match mode {
                Mode::Create => ApiError::bad_request(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Id: cannot specify Id in an insert call",
                )
                .fields(["Id"]),
                Mode::Update => ApiError::invalid_field(
                    "The Id field should not be specified in the sobject data.",
                ),
            }
            .into());
        }
        let writable = match mode {
            Mode::Create => f.createable,
            Mode::Update => f.updateable,
        };
        if !writable {
            not_writable.push(f.name.to_string());
            continue;
        }
        if value.is_null() {
            if f.ty == FieldType::Boolean {
                out.fields.insert(f.name.into(), Value::Bool(false));
            } else if f.restricted && !f.nillable {
                return Err(ApiError::restricted_picklist(f.name, "null").into());
            } else {
                out.cleared.push(f.name);
            }
            continue;
        }
        let v = check_value(conn, f, value).await?;
        if f.ty == FieldType::Base64 {
            let text = v.as_str().unwrap_or_default();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| deserialize_error("base64", value))?;
            out.blob = Some(bytes);
        } else {
            out.fields.insert(f.name.into(), v);
        }
    }
    if !not_writable.is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field \
                 and verify that it is read/write for your profile or permission set.",
                not_writable.join(", ")
            ),
        )
        .fields(not_writable)
        .into());
    }
    // Clearing a required field is as bad as leaving it out.
    let cleared_required: Vec<String> = out
        .cleared
        .iter()
        .filter_map(|n| def.field(n))
        .filter(|f| !f.nillable)
        .map(|f| f.name.to_string())
        .collect();
    if !cleared_required.is_empty() {
        return Err(ApiError::required_missing(&cleared_required).into());
    }
    Ok(out)
}

/// One value: its JSON type, then its length, picklist, format or reference.
async fn check_value(conn: &mut SqliteConnection, f: &FieldDef, value: &Value) -> Result<Value> {
    match f.ty {
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(deserialize_error("boolean", value).into()),
        },
        FieldType::Double => match value {
            Value::Number(_) => Ok(value.clone()),
            _ => Err(deserialize_error("double", value).into()),
        },
        FieldType::Int => match value.as_i64() {
            Some(_) => Ok(value.clone()),
            None => Err(deserialize_error("int", value).into()),
        },
        FieldType::Date => match value.as_str() {
            Some(s) if valid_date(s) => Ok(value.clone()),
            _ => Err(deserialize_error("date", value).into()),
        },
        FieldType::DateTime => match value.as_str().and_then(parse_datetime) {
            Some(t) => Ok(Value::String(format_datetime(t))),
            None => Err(deserialize_error("datetime", value).into()),
        },
        FieldType::Base64 => match value {
            Value::String(_) => Ok(value.clone()),
            _ => Err(deserialize_error("base64", value).into()),
        },
        FieldType::Reference | FieldType::Id => {
            let Some(raw) = value.as_str() else {
                return Err(deserialize_error("id", value).into());
            };
            let Some(id) = ids::normalize(raw) else {
                return Err(ApiError::bad_request(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {raw}", f.label),
                )
                .fields([f.name])
                .into());
            };
            let target = describe::sobject_of_id(&id);
            if !target.is_some_and(|t| f.reference_to.contains(&t.name)) {
                return Err(ApiError::bad_request(
                    "FIELD_INTEGRITY_EXCEPTION",
                    format!("{}: id value of incorrect type: {raw}", f.label),
                )
                .fields([f.name])
                .into());
            }
            if store::get_record(conn, &id).await?.is_none() {
                return Err(ApiError::bad_request(
                    "INVALID_CROSS_REFERENCE_KEY",
                    format!("invalid cross reference id: {}", f.name),
                )
                .fields([f.name])
                .into());
            }
            Ok(Value::String(id))
        }
        _ => {
            // Text: Salesforce turns numbers and booleans into text.
            let s = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(deserialize_error("string", value).into()),
            };
            if f.length > 0 && s.chars().count() > f.length as usize {
                return Err(ApiError::string_too_long(f.name, &s, f.length).into());
            }
            if f.ty == FieldType::Picklist && f.restricted && !f.picklist.contains(&s.as_str()) {
                return Err(ApiError::restricted_picklist(f.name, &s).into());
            }
            if f.ty == FieldType::Email && !valid_email(&s) {
                return Err(ApiError::bad_request(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {s}", f.label),
                )
                .fields([f.name])
                .into());
            }
            Ok(Value::String(s))
        }
    }
}

/// The body of a write: a JSON object, or Salesforce's parser error.
pub fn body_object<'a>(body: &'a Value, def: &SObjectDef) -> Result<&'a Map<String, Value>> {
    let Some(m) = body.as_object() else {
        return Err(ApiError::json_parser(format!(
            "Cannot deserialize instance of {} from {} or request may be missing a required field",
            def.name,
            json_kind(body)
        ))
        .into());
    };
    if let Some(t) = m
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        && !t.eq_ignore_ascii_case(def.name)
    {
        return Err(ApiError::bad_request(
            "INVALID_TYPE",
            format!(
                "attributes.type {t} does not match the sObject {}",
                def.name
            ),
        )
        .into());
    }
    Ok(m)
}

/// Fills defaults and audit fields of a new record; checks required fields.
fn complete_new(def: &SObjectDef, ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<()> {
    let now = Value::String(format_datetime(ctx.now));
    let user = Value::String(ctx.user_id.clone());
    for f in &def.fields {
        if fields.contains_key(f.name) {
            continue;
        }
        let default = match f.name {
            "Id" => None,
            "CreatedDate" | "LastModifiedDate" | "SystemModstamp" => Some(now.clone()),
            "CreatedById" | "LastModifiedById" | "OwnerId" => Some(user.clone()),
            _ if f.ty == FieldType::Boolean => Some(Value::Bool(false)),
            _ => f.picklist_default.map(|d| Value::String(d.into())),
        };
        if let Some(d) = default {
            fields.insert(f.name.into(), d);
        }
    }
    let missing: Vec<String> = def
        .fields
        .iter()
        .filter(|f| f.required_on_create() && fields.get(f.name).is_none_or(Value::is_null))
        .map(|f| f.name.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::required_missing(&missing).into());
    }
    Ok(())
}

/// Unique fields: no other record of `def` may hold the same value (any case).
async fn check_unique(
    conn: &mut SqliteConnection,
    def: &SObjectDef,
    fields: &Map<String, Value>,
    own_id: Option<&str>,
) -> Result<()> {
    for f in def.fields.iter().filter(|f| f.unique) {
        let Some(v) = fields.get(f.name).and_then(Value::as_str) else {
            continue;
        };
        let found = store::find_by_text(conn, def.name, f.name, v).await?;
        if let Some(other) = found.iter().find(|r| Some(r.id.as_str()) != own_id) {
            return Err(ApiError::duplicate_value(f.name, &other.id).into());
        }
    }
    Ok(())
}

/// Per-object rules on the complete record.
fn object_rules(def: &SObjectDef, ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<()> {
    match def.name {
        "Case" => {
            let closed = fields.get("Status").and_then(Value::as_str) == Some("Closed");
            let was_closed = fields.get("IsClosed").and_then(Value::as_bool) == Some(true);
            fields.insert("IsClosed".into(), Value::Bool(closed));
            if closed && !was_closed {
                fields.insert("ClosedDate".into(), Value::String(format_datetime(ctx.now)));
            } else if !closed {
                fields.remove("ClosedDate");
            }
        }
        "Asset" => {
            let has = |n: &str| fields.get(n).is_some_and(|v| !v.is_null());
            if !has("AccountId") && !has("ContactId") {
                return Err(ApiError::bad_request(
                    "FIELD_INTEGRITY_EXCEPTION",
                    "Every asset needs an account, a contact, or both.",
                )
                .fields(["AccountId", "ContactId"])
                .into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Creates a record from a request body (and, for ContentVersion, its bytes);
/// returns the new id.
pub async fn create(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &'static SObjectDef,
    body: &Value,
    blob: Option<Vec<u8>>,
) -> Result<String> {
    let m = body_object(body, def)?;
    if !def.createable {
        return Err(ApiError::bad_request(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type cannot be inserted: {}", def.label),
        )
        .into());
    }
    let mut v = validate(conn, def, m, Mode::Create).await?;
    if blob.is_some() {
        v.blob = blob;
    }
    if def.name == "ContentVersion" {
        return crate::files::insert_version(conn, ctx, v.fields, v.blob).await;
    }
    let mut fields = v.fields;
    complete_new(def, ctx, &mut fields)?;
    object_rules(def, ctx, &mut fields)?;
    check_unique(conn, def, &fields, None).await?;
    if def.name == "Case" {
        let n = store::next_number(conn, "case_number", 1000).await?;
        fields.insert("CaseNumber".into(), Value::String(format!("{n:08}")));
    }
    if def.name == "ContentDocumentLink" {
        check_new_link(conn, &fields).await?;
    }
    let id = insert(conn, ctx, def, fields).await?;
    Ok(id)
}

/// Stores a complete new record under a fresh id.
pub async fn insert(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &SObjectDef,
    fields: Map<String, Value>,
) -> Result<String> {
    let n = store::next_number(conn, &format!("id:{}", def.key_prefix), 0).await?;
    let id = ids::generate(def.key_prefix, n as u64);
    let record = Record {
        id: id.clone(),
        sobject: def.name.to_string(),
        fields,
    };
    store::insert_record(conn, &record)
        .await
        .map_err(|e| unique_violation(e, def))?;
    ctx.wrote = true;
    Ok(id)
}

/// The partial unique index on Case.Intake_Key__c backs [`check_unique`];
/// should a race slip past it, answer as Salesforce would.
fn unique_violation(e: Error, def: &SObjectDef) -> Error {
    if let Error::Db(sqlx::Error::Database(db)) = &e
        && db.is_unique_violation()
        && def.name == "Case"
    {
        return ApiError::bad_request(
            "DUPLICATE_VALUE",
            "duplicate value found: Intake_Key__c duplicates value on record with id: <unknown>",
        )
        .into();
    }
    e
}

async fn check_new_link(conn: &mut SqliteConnection, fields: &Map<String, Value>) -> Result<()> {
    let doc = fields
        .get("ContentDocumentId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let entity = fields
        .get("LinkedEntityId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let links = store::find_by_text(conn, "ContentDocumentLink", "ContentDocumentId", doc).await?;
    if let Some(l) = links
        .iter()
        .find(|l| l.str("LinkedEntityId") == Some(entity))
    {
        return Err(ApiError::duplicate_value("ContentDocumentId", &l.id).into());
    }
    Ok(())
}

/// Updates the fields `body` names on record `id` (a `PATCH`).
pub async fn update(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &'static SObjectDef,
    id: &str,
    body: &Value,
) -> Result<()> {
    let m = body_object(body, def)?;
    let Some(mut record) = store::get_record(conn, id)
        .await?
        .filter(|r| r.sobject == def.name)
    else {
        return Err(ApiError::not_found().into());
    };
    if !def.updateable {
        return Err(ApiError::bad_request(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type cannot be updated: {}", def.label),
        )
        .into());
    }
    let v = validate(conn, def, m, Mode::Update).await?;
    apply_update(conn, ctx, def, &mut record, v).await
}

/// Applies validated values to a stored record and saves it.
pub async fn apply_update(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &SObjectDef,
    record: &mut Record,
    v: Validated,
) -> Result<()> {
    for (k, val) in v.fields {
        record.fields.insert(k, val);
    }
    for k in v.cleared {
        record.fields.remove(k);
    }
    let now = Value::String(format_datetime(ctx.now));
    for f in ["LastModifiedDate", "SystemModstamp"] {
        if def.has_field(f) {
            record.fields.insert(f.into(), now.clone());
        }
    }
    if def.has_field("LastModifiedById") {
        record.fields.insert(
            "LastModifiedById".into(),
            Value::String(ctx.user_id.clone()),
        );
    }
    object_rules(def, ctx, &mut record.fields)?;
    check_unique(conn, def, &record.fields, Some(&record.id)).await?;
    store::replace_fields(conn, &record.id, &record.fields)
        .await
        .map_err(|e| unique_violation(e, def))?;
    ctx.wrote = true;
    Ok(())
}

/// Deletes record `id` (a ContentDocument takes its versions and links along).
pub async fn delete(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &SObjectDef,
    id: &str,
) -> Result<()> {
    if store::get_record(conn, id)
        .await?
        .is_none_or(|r| r.sobject != def.name)
    {
        return Err(ApiError::not_found().into());
    }
    if !def.deletable {
        return Err(ApiError::bad_request(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type cannot be deleted: {}", def.label),
        )
        .into());
    }
    if def.name == "ContentDocument" {
        for child in ["ContentVersion", "ContentDocumentLink"] {
            for r in store::find_by_text(conn, child, "ContentDocumentId", id).await? {
                store::delete_record(conn, &r.id).await?;
            }
        }
    }
    store::delete_record(conn, id).await?;
    ctx.wrote = true;
    Ok(())
}

/// `/services/data/vXX.X/sobjects/{type}/{id}`.
pub fn record_url(version: &str, sobject: &str, id: &str) -> String {
    format!("/services/data/v{version}/sobjects/{sobject}/{id}")
}

/// A record as the REST API shows it: `attributes`, `Id`, then every field
/// (null when unset), or only `only` when given.
pub fn record_json(
    def: &SObjectDef,
    record: &Record,
    version: &str,
    only: Option<&[&FieldDef]>,
) -> Value {
    let url = record_url(version, def.name, &record.id);
    let mut m = Map::new();
    m.insert("attributes".into(), json!({"type": def.name, "url": url}));
    let fields: Vec<&FieldDef> = match only {
        Some(list) => list.to_vec(),
        None => def.fields.iter().collect(),
    };
    m.insert("Id".into(), Value::String(record.id.clone()));
    for f in fields {
        if f.name == "Id" {
            continue;
        }
        let v = if f.ty == FieldType::Base64 {
            Value::String(format!("{url}/{}", f.name))
        } else {
            record.fields.get(f.name).cloned().unwrap_or(Value::Null)
        };
        m.insert(f.name.into(), v);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_round_trip_in_salesforce_form() {
        let t = parse_datetime("2025-11-21T10:30:00.123+0000").expect("sf form");
        assert_eq!(format_datetime(t), "2025-11-21T10:30:00.123+0000");
        let t = parse_datetime("2025-11-21T12:30:00+02:00").expect("rfc 3339");
        assert_eq!(format_datetime(t), "2025-11-21T10:30:00.000+0000");
        assert!(parse_datetime("yesterday").is_none());
    }

    #[test]
    fn emails() {
        assert!(valid_email("tech@example.com"));
        assert!(!valid_email("tech@example"));
        assert!(!valid_email("a b@example.com"));
        assert!(!valid_email("nobody"));
    }
}
