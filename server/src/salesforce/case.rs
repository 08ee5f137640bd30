//! One case, written exactly once, in at most two API calls for any number
//! of photos:
//!
//! 1. `POST /composite` (one API call), three subrequests:
//!    - `case`: `PATCH /sobjects/Case/Intake_Key__c/{intake id}` — an upsert
//!      by the intake's external ID, so a repeat finds the case it made;
//!    - `number`: `GET /sobjects/Case/@{case.id}?fields=CaseNumber`;
//!    - `files`: the SOQL query of the case's files
//!      (`ContentVersion WHERE FirstPublishLocationId = '@{case.id}'`), with
//!      their `Checksum` (MD5 of the bytes) and `PathOnClient` (which carries
//!      the photo's SHA-256).
//! 2. Only if photos are missing from the case: `POST /composite/sobjects`,
//!    one multipart sObject Collections request with every missing photo as a
//!    `ContentVersion` published to the case (`FirstPublishLocationId`).
//!    Split only past Salesforce's limits (200 records, 500 MB of files).
//!
//! What is already in Salesforce is asked of Salesforce, not of our own
//! records: a crash can come after Salesforce committed and before we wrote
//! anything down.

use std::collections::BTreeMap;

use fieldcase_core::schema::{AssetAttr, SystemValue};
use fieldcase_core::wire::GeoPoint;
use fieldcase_core::{CaseSchema, FieldErrors, FieldValue};
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use super::rest::{Api, CallError, SfError, classify_errors, parse_errors};

/// Salesforce's sObject Collections limits.
const MAX_RECORDS_PER_REQUEST: usize = 200;
const MAX_FILE_BYTES_PER_REQUEST: usize = 500 * 1000 * 1000;

/// The Case's fields as Salesforce takes them, and its external ID.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFields {
    /// The external-ID field upserts key on (`Intake_Key__c`).
    pub key_field: String,
    /// Its value: the intake's id.
    pub key: String,
    /// The upsert's body: never the key field, never `Id`.
    pub body: Map<String, Value>,
}

/// The asset's CRM ids, which link the case.
#[derive(Debug, Clone, Default)]
pub struct AssetLinks<'a> {
    pub asset_id: Option<&'a str>,
    pub account_id: Option<&'a str>,
}

/// Map an intake's validated fields onto the Case by the case schema:
/// asset-filled fields from the asset as it is now, the system key from the
/// intake id and the reference from the stored intake (what the technician
/// was told to quote), everything else from the stored values. Fields no longer in
/// the schema are left out, and so is every field the admin's policy does not
/// allow (`allowed`), whoever filled it: it never reaches Salesforce.
pub fn case_fields(
    schema: &CaseSchema,
    values: &BTreeMap<String, FieldValue>,
    links: &AssetLinks<'_>,
    intake_id: &str,
    reference: &str,
    allowed: &dyn Fn(&str) -> bool,
) -> Result<CaseFields, String> {
    let mut key_field = None;
    let mut body = Map::new();
    for def in &schema.fields {
        match def.system {
            Some(SystemValue::IntakeKey) => {
                key_field = Some(def.name.clone());
                continue;
            }
            Some(SystemValue::IntakeReference) if allowed(&def.name) => {
                body.insert(def.name.clone(), Value::String(reference.to_owned()));
                continue;
            }
            Some(SystemValue::IntakeReference) => continue,
            None => {}
        }
        if def.name.eq_ignore_ascii_case("Id") || !allowed(&def.name) {
            continue;
        }
        let value = match def.from_asset {
            Some(AssetAttr::AssetId) => links.asset_id.map(|id| Value::String(id.to_owned())),
            Some(AssetAttr::AccountId) => links.account_id.map(|id| Value::String(id.to_owned())),
            None => values.get(&def.name).map(to_json),
        };
        if let Some(value) = value {
            body.insert(def.name.clone(), value);
        }
    }
    let key_field = key_field.ok_or_else(|| {
        format!(
            "the case schema has no field with \"system\": \"intake_key\" (an external ID on \
             {}); without it a write cannot be made exactly once",
            schema.object
        )
    })?;
    Ok(CaseFields {
        key_field,
        key: intake_id.to_owned(),
        body,
    })
}

fn to_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Bool(b) => Value::Bool(*b),
        FieldValue::Number(n) => json!(n),
        FieldValue::Text(s) => Value::String(s.clone()),
    }
}

/// A photo to attach, with what identifies it in Salesforce.
#[derive(Clone)]
pub struct PhotoFile {
    pub sha256: String,
    /// Salesforce's `Checksum`: MD5 of the bytes, lower-case hex.
    pub md5: String,
    pub title: String,
    /// Carries the SHA-256, so a file can be recognised by name too.
    pub path_on_client: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The ContentVersion's `Description`: where the photo was taken, only
    /// when the technician switched location on for it. A field beside the
    /// file, never in it (the bytes are stripped of EXIF, GPS included).
    pub description: Option<String>,
}

impl std::fmt::Debug for PhotoFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoFile")
            .field("sha256", &self.sha256)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl PhotoFile {
    /// Photo `n` (from 1) of the intake with short reference `reference`.
    pub fn new(
        reference: &str,
        n: usize,
        sha256: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Self {
        let ext = match content_type {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        };
        PhotoFile {
            sha256: sha256.to_owned(),
            md5: hex::encode(Md5::digest(&bytes)),
            title: format!("{reference} photo {n}"),
            path_on_client: format!("{reference}-{n}-{sha256}.{ext}"),
            content_type: content_type.to_owned(),
            bytes,
            description: None,
        }
    }

    /// The photo with where it was taken, in its `Description`.
    pub fn located(mut self, at: Option<GeoPoint>) -> Self {
        self.description =
            at.map(|p| format!("Location (switched on by the technician): {}", p.describe()));
        self
    }

    /// Whether a file already on the case is this photo.
    fn is(&self, existing: &ExistingFile) -> bool {
        existing
            .checksum
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(&self.md5))
            || existing
                .path_on_client
                .as_deref()
                .is_some_and(|p| p.contains(&self.sha256))
    }
}

/// A `ContentVersion` already published to the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingFile {
    pub id: String,
    pub checksum: Option<String>,
    pub path_on_client: Option<String>,
}

/// What call 1 learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub case_id: String,
    pub case_number: String,
    /// The upsert made the case (false: it was there already).
    pub created: bool,
    pub files: Vec<ExistingFile>,
}

/// Call 1: upsert the case, read its number and its files, in one composite
/// request.
pub async fn upsert(api: Api<'_>, fields: &CaseFields) -> Result<Upserted, CallError> {
    let key: String = url::form_urlencoded::byte_serialize(fields.key.as_bytes()).collect();
    let soql: String = url::form_urlencoded::byte_serialize(
        b"SELECT Id, Checksum, PathOnClient FROM ContentVersion WHERE FirstPublishLocationId = ",
    )
    .collect();
    let body = json!({
        "allOrNone": false,
        "compositeRequest": [
            {
                "method": "PATCH",
                "url": api.data_path(&format!("/sobjects/Case/{}/{key}", fields.key_field)),
                "referenceId": "case",
                "body": fields.body,
            },
            {
                "method": "GET",
                "url": api.data_path("/sobjects/Case/@{case.id}?fields=CaseNumber"),
                "referenceId": "number",
            },
            {
                "method": "GET",
                "url": api.data_path(&format!("/query?q={soql}'@{{case.id}}'")),
                "referenceId": "files",
            },
        ],
    });
    let answer = api.post_json("/composite", &body).await?;
    let subs = answer
        .get("compositeResponse")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            CallError::Transient("a composite answer without compositeResponse".into())
        })?;
    let sub = |reference: &str| -> Result<&Value, CallError> {
        let found = subs
            .iter()
            .find(|s| s.get("referenceId").and_then(Value::as_str) == Some(reference))
            .ok_or_else(|| {
                CallError::Transient(format!("the composite answer lacks {reference}"))
            })?;
        let status = found
            .get("httpStatusCode")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let body = found.get("body").unwrap_or(&Value::Null);
        match status {
            200..=299 => Ok(body),
            300 => Err(CallError::Rejected(vec![SfError {
                code: "MULTIPLE_CHOICES".into(),
                message: format!(
                    "Several cases carry this intake's key in {}; keep one and delete the others.",
                    fields.key_field
                ),
                fields: vec![fields.key_field.clone()],
            }])),
            _ => Err(sub_error(status, body)),
        }
    };
    let case = sub("case")?;
    let case_id = case
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| CallError::Transient("an upsert answer without an id".into()))?
        .to_owned();
    let created = case
        .get("created")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let case_number = sub("number")?
        .get("CaseNumber")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let files = sub("files")?
        .get("records")
        .and_then(Value::as_array)
        .map(|records| {
            records
                .iter()
                .filter_map(|r| {
                    Some(ExistingFile {
                        id: r.get("Id")?.as_str()?.to_owned(),
                        checksum: r.get("Checksum").and_then(Value::as_str).map(str::to_owned),
                        path_on_client: r
                            .get("PathOnClient")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Upserted {
        case_id,
        case_number,
        created,
        files,
    })
}

/// A failed subrequest. `PROCESSING_HALTED` only says another one failed.
fn sub_error(status: u64, body: &Value) -> CallError {
    let errors = parse_errors(body);
    if status == 401 {
        return CallError::InvalidSession;
    }
    if status >= 500 {
        return CallError::Transient(format!("HTTP {status} in a composite subrequest"));
    }
    if errors.is_empty() {
        return CallError::Transient(format!("HTTP {status} in a composite subrequest"));
    }
    classify_errors(errors)
}

/// Which photos the case lacks, and the files of those it has: (sha256,
/// ContentVersion id).
pub fn missing<'p>(
    photos: &'p [PhotoFile],
    existing: &[ExistingFile],
) -> (Vec<&'p PhotoFile>, Vec<(String, String)>) {
    let mut missing = Vec::new();
    let mut found = Vec::new();
    for photo in photos {
        match existing.iter().find(|e| photo.is(e)) {
            Some(e) => found.push((photo.sha256.clone(), e.id.clone())),
            None => missing.push(photo),
        }
    }
    (missing, found)
}

/// Photos in request-sized groups (one group unless past Salesforce's limits).
pub fn batches<'p>(photos: &[&'p PhotoFile]) -> Vec<Vec<&'p PhotoFile>> {
    let mut out: Vec<Vec<&PhotoFile>> = Vec::new();
    let mut bytes = 0usize;
    for photo in photos {
        let fits = out.last().is_some_and(|b| {
            b.len() < MAX_RECORDS_PER_REQUEST
                && bytes + photo.bytes.len() <= MAX_FILE_BYTES_PER_REQUEST
        });
        if !fits {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += photo.bytes.len();
        if let Some(last) = out.last_mut() {
            last.push(photo);
        }
    }
    out
}

/// Call 2: publish photos to the case as Files, in one multipart sObject
/// Collections request. Returns (sha256, ContentVersion id) for each.
pub async fn upload(
    api: Api<'_>,
    case_id: &str,
    photos: &[&PhotoFile],
) -> Result<Vec<(String, String)>, CallError> {
    let records: Vec<Value> = photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut record = json!({
                "attributes": {
                    "type": "ContentVersion",
                    "binaryPartName": format!("photo{i}"),
                    "binaryPartNameAlias": "VersionData",
                },
                "Title": p.title,
                "PathOnClient": p.path_on_client,
                "FirstPublishLocationId": case_id,
            });
            if let Some(d) = &p.description {
                record["Description"] = Value::String(d.clone());
            }
            record
        })
        .collect();
    let collection = json!({ "allOrNone": false, "records": records }).to_string();
    let part = |result: reqwest::Result<reqwest::multipart::Part>| {
        result.map_err(|_| CallError::Transient("could not build the upload".into()))
    };
    let mut form = reqwest::multipart::Form::new().part(
        "collection",
        part(reqwest::multipart::Part::text(collection).mime_str("application/json"))?,
    );
    for (i, p) in photos.iter().enumerate() {
        form = form.part(
            format!("photo{i}"),
            part(
                reqwest::multipart::Part::bytes(p.bytes.clone())
                    .file_name(p.path_on_client.clone())
                    .mime_str(&p.content_type),
            )?,
        );
    }
    let answer = api.post_multipart("/composite/sobjects", form).await?;
    let results = answer
        .as_array()
        .ok_or_else(|| CallError::Transient("an upload answer that is not a list".into()))?;
    let mut uploaded = Vec::new();
    let mut errors = Vec::new();
    for (photo, result) in photos.iter().zip(results) {
        let ok = result.get("success").and_then(Value::as_bool) == Some(true);
        match result.get("id").and_then(Value::as_str) {
            Some(id) if ok => uploaded.push((photo.sha256.clone(), id.to_owned())),
            _ => errors.extend(parse_errors(result.get("errors").unwrap_or(&Value::Null))),
        }
    }
    if !errors.is_empty() || uploaded.len() != photos.len() {
        if errors.is_empty() {
            return Err(CallError::Transient(
                "an upload answer missing results".into(),
            ));
        }
        // The files that did arrive are found by their checksum next time.
        return Err(match classify_errors(errors) {
            CallError::Rejected(errors) => CallError::Rejected(
                errors
                    .into_iter()
                    .map(|e| SfError {
                        fields: vec![PHOTOS_KEY.to_owned()],
                        ..e
                    })
                    .collect(),
            ),
            other => other,
        });
    }
    Ok(uploaded)
}

/// Where a refused photo's message goes among an intake's problems.
pub const PHOTOS_KEY: &str = "Photos";

/// Salesforce's refusal of an intake, told twice, per field (keyed by field
/// API name, or the object's name when Salesforce names no field).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusal {
    /// fieldcase's own words, by error code: what a technician is shown.
    pub problems: FieldErrors,
    /// Salesforce's own messages, shortened. They can quote the refused
    /// value (a customer's e-mail, say): for staff only, never logged.
    pub crm_messages: FieldErrors,
}

/// Sort Salesforce's errors onto the fields they name, in both voices.
pub fn refusal(schema: &CaseSchema, errors: &[SfError]) -> Refusal {
    let mut problems: BTreeMap<String, String> = BTreeMap::new();
    let mut crm: BTreeMap<String, String> = BTreeMap::new();
    for e in errors {
        let raw = shorten(&e.message, 300);
        let keys = if e.fields.is_empty() {
            vec![schema.object.clone()]
        } else {
            e.fields.clone()
        };
        for key in keys {
            let own = own_message(schema, &e.code, &key);
            add(&mut problems, &key, &own);
            add(&mut crm, &key, &raw);
        }
    }
    Refusal {
        problems: FieldErrors(problems),
        crm_messages: FieldErrors(crm),
    }
}

/// Append `message` to `key`'s messages, once.
fn add(out: &mut BTreeMap<String, String>, key: &str, message: &str) {
    match out.get_mut(key) {
        Some(m) if m.contains(message) => {}
        Some(m) => {
            m.push(' ');
            m.push_str(message);
        }
        None => {
            out.insert(key.to_owned(), message.to_owned());
        }
    }
}

/// fieldcase's words for Salesforce's error `code` on `key` (a field's API
/// name, the photos, or the object itself): what happened and who fixes it.
/// Never Salesforce's text, which can quote the value it refused.
fn own_message(schema: &CaseSchema, code: &str, key: &str) -> String {
    if key == PHOTOS_KEY {
        return "A photo was refused by the CRM; a dispatcher will look at it.".to_owned();
    }
    let Some(field) = schema.field(key) else {
        return match code {
            "FIELD_CUSTOM_VALIDATION_EXCEPTION" => {
                "The case was refused by the CRM's rules; a dispatcher will correct it.".to_owned()
            }
            _ => "The CRM refused the case; a dispatcher will look at it.".to_owned(),
        };
    };
    let label = &field.label;
    match code {
        "FIELD_CUSTOM_VALIDATION_EXCEPTION" => {
            format!("{label} was refused by the CRM's rules; a dispatcher will correct it.")
        }
        "STRING_TOO_LONG" => {
            format!("{label} is longer than the CRM accepts; a dispatcher will shorten it.")
        }
        "REQUIRED_FIELD_MISSING" => {
            format!("{label} is required by the CRM; a dispatcher will fill it in.")
        }
        "INVALID_EMAIL_ADDRESS" => format!(
            "{label} is not an e-mail address the CRM accepts; a dispatcher will correct it."
        ),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
        | "INVALID_TYPE_ON_FIELD_IN_RECORD"
        | "NUMBER_OUTSIDE_VALID_RANGE"
        | "FIELD_INTEGRITY_EXCEPTION"
        | "INVALID_FIELD" => {
            format!("{label} has a value the CRM does not accept; a dispatcher will correct it.")
        }
        "DUPLICATE_VALUE" => {
            format!("{label} matches another record in the CRM; a dispatcher will sort it out.")
        }
        _ => format!("{label} was refused by the CRM; a dispatcher will correct it."),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn photo(n: usize, bytes: &[u8]) -> PhotoFile {
        PhotoFile::new(
            "FC-ABCD-EFGH",
            n,
            &format!("{n:064x}"),
            "image/jpeg",
            bytes.to_vec(),
        )
    }

    #[test]
    fn a_located_photo_says_where_in_its_description_and_only_then() {
        assert_eq!(photo(1, b"x").description, None);
        let at = GeoPoint {
            latitude: 53.800755,
            longitude: -1.549077,
            accuracy_m: 12.0,
        };
        let p = photo(1, b"x").located(Some(at));
        assert_eq!(
            p.description.as_deref(),
            Some("Location (switched on by the technician): 53.800755, -1.549077 (±12 m)")
        );
        assert_eq!(p.bytes, b"x", "the file itself is untouched");
    }

    #[test]
    fn the_case_body_follows_the_schema_carries_the_reference_and_never_holds_the_key() {
        let schema = CaseSchema::salesforce_default();
        let mut values = BTreeMap::new();
        values.insert("Subject".to_owned(), FieldValue::text("Leak"));
        values.insert("Safety_Hazard__c".to_owned(), FieldValue::Bool(true));
        values.insert("Intake_Key__c".to_owned(), FieldValue::text("forged"));
        values.insert("AssetId".to_owned(), FieldValue::text("02iOLD"));
        values.insert("Gone__c".to_owned(), FieldValue::text("not in the schema"));
        values.insert(
            "Intake_Reference__c".to_owned(),
            FieldValue::text("FC-FORGED"),
        );
        let links = AssetLinks {
            asset_id: Some("02i000000000001AAA"),
            account_id: None,
        };
        let f = case_fields(
            &schema,
            &values,
            &links,
            "0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e",
            "FC-0B3C-4D5E",
            &|_| true,
        )
        .unwrap();
        assert_eq!(f.key_field, "Intake_Key__c");
        assert_eq!(f.key, "0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e");
        assert_eq!(
            Value::Object(f.body),
            json!({
                "Subject": "Leak",
                "Safety_Hazard__c": true,
                "AssetId": "02i000000000001AAA",
                "Intake_Reference__c": "FC-0B3C-4D5E"
            })
        );
    }

    #[test]
    fn a_field_the_policy_does_not_allow_is_never_in_the_body() {
        let schema = CaseSchema::salesforce_default();
        let mut values = BTreeMap::new();
        values.insert("Subject".to_owned(), FieldValue::text("Leak"));
        values.insert(
            "SuppliedPhone".to_owned(),
            FieldValue::text("+44 20 7946 0000"),
        );
        let links = AssetLinks {
            asset_id: Some("02i000000000001AAA"),
            account_id: None,
        };
        let allowed = |f: &str| f == "Subject";
        let f = case_fields(
            &schema,
            &values,
            &links,
            "0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e",
            "FC-0B3C-4D5E",
            &allowed,
        )
        .unwrap();
        // The key still keys the upsert (it is in the URL, never the body).
        assert_eq!(f.key_field, "Intake_Key__c");
        assert_eq!(Value::Object(f.body), json!({ "Subject": "Leak" }));
    }

    #[test]
    fn photos_already_on_the_case_are_recognised_by_checksum_or_name() {
        let photos = [photo(1, b"one"), photo(2, b"two"), photo(3, b"three")];
        let existing = [
            ExistingFile {
                id: "068A".into(),
                checksum: Some(photos[0].md5.to_uppercase()),
                path_on_client: Some("renamed.jpg".into()),
            },
            ExistingFile {
                id: "068B".into(),
                checksum: None,
                path_on_client: Some(photos[2].path_on_client.clone()),
            },
        ];
        let (missing, found) = missing(&photos, &existing);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].sha256, photos[1].sha256);
        assert_eq!(
            found,
            [
                (photos[0].sha256.clone(), "068A".to_owned()),
                (photos[2].sha256.clone(), "068B".to_owned())
            ]
        );
        assert_eq!(photos[0].md5, "f97c5d29941bfb1b2fdab0874906ab82");
        assert!(photos[1].path_on_client.ends_with(".jpg"));
    }

    #[test]
    fn uploads_split_only_past_salesforces_limits() {
        let small: Vec<PhotoFile> = (1..=5).map(|n| photo(n, b"x")).collect();
        let refs: Vec<&PhotoFile> = small.iter().collect();
        assert_eq!(batches(&refs).len(), 1);
        let many: Vec<PhotoFile> = (1..=201).map(|n| photo(n, b"x")).collect();
        let refs: Vec<&PhotoFile> = many.iter().collect();
        let split = batches(&refs);
        assert_eq!(split.iter().map(Vec::len).collect::<Vec<_>>(), [200, 1]);
        assert!(batches(&[]).is_empty());
    }

    #[test]
    fn refusals_land_on_their_fields_in_our_words_and_salesforces_for_staff() {
        let schema = CaseSchema::salesforce_default();
        let errors = [
            SfError {
                code: "STRING_TOO_LONG".into(),
                message: "Error_Code__c: data value too large: E-42-E-42 (max length=40)".into(),
                fields: vec!["Error_Code__c".into()],
            },
            SfError {
                code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
                message: "Cases for this account need a contact.".into(),
                fields: vec![],
            },
            SfError {
                code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
                message: "jane.doe@customer.example is on the do-not-contact list".into(),
                fields: vec!["SuppliedEmail".into()],
            },
        ];
        let r = refusal(&schema, &errors);
        let label = |name: &str| schema.field(name).unwrap().label.clone();
        assert_eq!(
            r.problems.get("Error_Code__c").unwrap(),
            format!(
                "{} is longer than the CRM accepts; a dispatcher will shorten it.",
                label("Error_Code__c")
            )
        );
        assert_eq!(
            r.problems.get("SuppliedEmail").unwrap(),
            format!(
                "{} was refused by the CRM's rules; a dispatcher will correct it.",
                label("SuppliedEmail")
            )
        );
        assert_eq!(
            r.problems.get("Case"),
            Some("The case was refused by the CRM's rules; a dispatcher will correct it.")
        );
        for own in r.problems.0.values() {
            assert!(!own.contains("jane") && !own.contains("E-42"), "{own}");
        }
        assert!(
            r.crm_messages
                .get("Error_Code__c")
                .unwrap()
                .contains("max length=40")
        );
        assert_eq!(
            r.crm_messages.get("Case"),
            Some("Cases for this account need a contact.")
        );
        assert!(
            r.crm_messages
                .get("SuppliedEmail")
                .unwrap()
                .contains("jane.doe")
        );
    }
}
