//! Salesforce Files: a `ContentVersion` insert stores the bytes, creates its
//! `ContentDocument` (or adds a version to one) and shares the document with
//! the `FirstPublishLocationId` record through a `ContentDocumentLink`.
//!
//! Uploads arrive three ways, as in Salesforce:
//! * JSON with base64 `VersionData` (`POST /sobjects/ContentVersion`),
//! * multipart `POST /sobjects/ContentVersion`: part `entity_content` (JSON)
//!   and part `VersionData` (the bytes),
//! * sObject Collections multipart `POST /composite/sobjects`: a JSON part
//!   (`collection` or `entity_content`) whose records name their binary part
//!   (`attributes.binaryPartName`, `binaryPartNameAlias: "VersionData"`).
//!
//! `Checksum` is the MD5 of the bytes in hex, like Salesforce's, so a client
//! can tell a file it already uploaded.

use axum::http::HeaderMap;
use bytes::Bytes;
use md5::{Digest, Md5};
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteConnection;

use crate::describe;
use crate::error::{ApiError, Result};
use crate::rest::Ctx;
use crate::sobjects::{self, format_datetime};
use crate::store;

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub content_type: Option<String>,
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// Whether a request is `multipart/form-data` (or `multipart/mixed`).
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

/// Splits a multipart body into its parts.
pub async fn parse_multipart(headers: &HeaderMap, body: Bytes) -> Result<Vec<Part>> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| ApiError::json_parser(format!("Invalid multipart request: {e}")))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(
                    ApiError::json_parser(format!("Invalid multipart request: {e}")).into(),
                );
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let content_type = field.content_type().map(|m| m.to_string());
        let file_name = field.file_name().map(str::to_string);
        let data = field
            .bytes()
            .await
            .map_err(|e| ApiError::json_parser(format!("Invalid multipart request: {e}")))?;
        parts.push(Part {
            name,
            content_type,
            file_name,
            data,
        });
    }
    Ok(parts)
}

fn json_part(part: &Part) -> Result<Value> {
    serde_json::from_slice(&part.data).map_err(|e| {
        ApiError::json_parser(format!("Invalid JSON in part '{}': {e}", part.name)).into()
    })
}

/// `POST /sobjects/ContentVersion` as multipart: `entity_content` + `VersionData`.
pub async fn create_version_multipart(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    parts: Vec<Part>,
) -> Result<String> {
    let def = describe::sobject("ContentVersion").ok_or_else(ApiError::not_found)?;
    let Some(entity) = parts.iter().find(|p| p.name == "entity_content") else {
        return Err(ApiError::bad_request(
            "INVALID_MULTIPART_REQUEST",
            "The multipart request must have a part named entity_content with the record as JSON.",
        )
        .into());
    };
    let body = json_part(entity)?;
    let data = parts
        .iter()
        .find(|p| p.name == "VersionData")
        .map(|p| p.data.to_vec());
    sobjects::create(conn, ctx, def, &body, data).await
}

/// The JSON part of a Collections multipart request.
pub fn collection_part(parts: &[Part]) -> Result<(Value, &[Part])> {
    let Some(p) = parts
        .iter()
        .find(|p| p.name == "collection" || p.name == "entity_content")
    else {
        return Err(ApiError::bad_request(
            "INVALID_MULTIPART_REQUEST",
            "The multipart request must have a JSON part named collection (or entity_content).",
        )
        .into());
    };
    Ok((json_part(p)?, parts))
}

/// The bytes a Collections record names with `attributes.binaryPartName`.
pub fn binary_for(record: &Map<String, Value>, parts: &[Part]) -> Result<Option<Vec<u8>>> {
    let Some(attrs) = record.get("attributes").and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(name) = attrs.get("binaryPartName").and_then(Value::as_str) else {
        return Ok(None);
    };
    let alias = attrs
        .get("binaryPartNameAlias")
        .and_then(Value::as_str)
        .unwrap_or("VersionData");
    if alias != "VersionData" {
        return Err(ApiError::invalid_field(format!(
            "binaryPartNameAlias must name the record's base64 field (VersionData), not {alias}"
        ))
        .into());
    }
    match parts.iter().find(|p| p.name == name) {
        Some(p) => Ok(Some(p.data.to_vec())),
        None => Err(ApiError::bad_request(
            "INVALID_MULTIPART_REQUEST",
            format!("Binary part {name} is missing from the request."),
        )
        .into()),
    }
}

/// Salesforce's `FileType` for an extension.
pub fn file_type(ext: &str) -> &'static str {
    match ext {
        "jpg" | "jpeg" => "JPG",
        "png" => "PNG",
        "gif" => "GIF",
        "webp" => "WEBP",
        "heic" => "HEIC",
        "bmp" => "BMP",
        "pdf" => "PDF",
        "txt" => "TEXT",
        "csv" => "CSV",
        "json" => "JSON",
        "xml" => "XML",
        "zip" => "ZIP",
        "mp4" => "MP4",
        "doc" => "WORD",
        "docx" => "WORD_X",
        "xls" => "EXCEL",
        "xlsx" => "EXCEL_X",
        _ => "UNKNOWN",
    }
}

/// The MIME type to serve a file of `FileType` with.
pub fn mime_for(file_type: &str) -> &'static str {
    match file_type {
        "JPG" => "image/jpeg",
        "PNG" => "image/png",
        "GIF" => "image/gif",
        "WEBP" => "image/webp",
        "BMP" => "image/bmp",
        "HEIC" => "image/heic",
        "PDF" => "application/pdf",
        "TEXT" => "text/plain; charset=utf-8",
        "CSV" => "text/csv; charset=utf-8",
        "JSON" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Whether a browser can show a file of `FileType` as an image.
pub fn is_image(file_type: &str) -> bool {
    matches!(file_type, "JPG" | "PNG" | "GIF" | "WEBP" | "BMP")
}

fn split_name(path: &str) -> (String, String) {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), ext.to_ascii_lowercase()),
        _ => (file.to_string(), String::new()),
    }
}

/// Inserts a validated ContentVersion with its bytes; returns its id.
pub async fn insert_version(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    mut fields: Map<String, Value>,
    data: Option<Vec<u8>>,
) -> Result<String> {
    let version_def = describe::sobject("ContentVersion").ok_or_else(ApiError::not_found)?;
    let doc_def = describe::sobject("ContentDocument").ok_or_else(ApiError::not_found)?;
    let link_def = describe::sobject("ContentDocumentLink").ok_or_else(ApiError::not_found)?;

    if fields.contains_key("ContentUrl") {
        return Err(ApiError::bad_request(
            "FIELD_INTEGRITY_EXCEPTION",
            "ContentUrl (link) versions are not supported by the demo org; upload VersionData.",
        )
        .into());
    }
    let mut missing = Vec::new();
    if fields
        .get("PathOnClient")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        missing.push("PathOnClient".to_string());
    }
    if data.is_none() {
        missing.push("VersionData".to_string());
    }
    if !missing.is_empty() {
        return Err(ApiError::required_missing(&missing).into());
    }
    let data = data.unwrap_or_default();
    let path = fields
        .get("PathOnClient")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (stem, ext) = split_name(&path);
    let ftype = file_type(&ext);
    let title = match fields.get("Title").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => stem,
    };
    let checksum = hex::encode(Md5::digest(&data));
    let now = Value::String(format_datetime(ctx.now));
    let user = Value::String(ctx.user_id.clone());

    let existing_doc = fields
        .get("ContentDocumentId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let first_publish = fields
        .get("FirstPublishLocationId")
        .and_then(Value::as_str)
        .map(str::to_string);
    if existing_doc.is_some() && first_publish.is_some() {
        return Err(ApiError::bad_request(
            "FIELD_INTEGRITY_EXCEPTION",
            "You cannot set FirstPublishLocationId on a new version of an existing document.",
        )
        .fields(["FirstPublishLocationId"])
        .into());
    }

    for (k, v) in [
        ("Title", Value::String(title.clone())),
        ("ContentSize", Value::from(data.len() as u64)),
        ("FileType", Value::String(ftype.into())),
        (
            "FileExtension",
            if ext.is_empty() {
                Value::Null
            } else {
                Value::String(ext.clone())
            },
        ),
        ("Checksum", Value::String(checksum)),
        ("IsLatest", Value::Bool(true)),
        ("ContentLocation", Value::String("S".into())),
        ("OwnerId", user.clone()),
        ("CreatedDate", now.clone()),
        ("CreatedById", user.clone()),
        ("LastModifiedDate", now.clone()),
        ("LastModifiedById", user.clone()),
        ("SystemModstamp", now.clone()),
    ] {
        if !v.is_null() {
            fields.insert(k.into(), v);
        }
    }

    let doc_id = match existing_doc {
        Some(doc_id) => {
            let Some(mut doc) = store::get_record(conn, &doc_id).await? else {
                return Err(ApiError::bad_request(
                    "INVALID_CROSS_REFERENCE_KEY",
                    "invalid cross reference id",
                )
                .fields(["ContentDocumentId"])
                .into());
            };
            let mut versions =
                store::find_by_text(conn, "ContentVersion", "ContentDocumentId", &doc_id).await?;
            for v in versions.iter_mut() {
                v.fields.insert("IsLatest".into(), Value::Bool(false));
                store::replace_fields(conn, &v.id, &v.fields).await?;
            }
            fields.insert(
                "VersionNumber".into(),
                Value::String((versions.len() + 1).to_string()),
            );
            fields.insert("ContentDocumentId".into(), Value::String(doc_id.clone()));
            let version_id = sobjects::insert(conn, ctx, version_def, fields).await?;
            for (k, v) in [
                ("Title", Value::String(title)),
                (
                    "LatestPublishedVersionId",
                    Value::String(version_id.clone()),
                ),
                ("ContentSize", Value::from(data.len() as u64)),
                ("FileType", Value::String(ftype.into())),
                ("LastModifiedDate", now.clone()),
                ("SystemModstamp", now.clone()),
            ] {
                doc.fields.insert(k.into(), v);
            }
            store::replace_fields(conn, &doc.id, &doc.fields).await?;
            store::put_content(conn, &version_id, &data).await?;
            return Ok(version_id);
        }
        None => {
            let mut doc = Map::new();
            for (k, v) in [
                ("Title", Value::String(title)),
                ("ContentSize", Value::from(data.len() as u64)),
                ("FileType", Value::String(ftype.into())),
                ("ParentId", user.clone()),
                ("IsDeleted", Value::Bool(false)),
                ("OwnerId", user.clone()),
                ("CreatedDate", now.clone()),
                ("CreatedById", user.clone()),
                ("LastModifiedDate", now.clone()),
                ("LastModifiedById", user.clone()),
                ("SystemModstamp", now.clone()),
            ] {
                doc.insert(k.into(), v);
            }
            if !ext.is_empty() {
                doc.insert("FileExtension".into(), Value::String(ext));
            }
            sobjects::insert(conn, ctx, doc_def, doc).await?
        }
    };

    fields.insert("VersionNumber".into(), Value::String("1".into()));
    fields.insert("ContentDocumentId".into(), Value::String(doc_id.clone()));
    let version_id = sobjects::insert(conn, ctx, version_def, fields).await?;
    store::put_content(conn, &version_id, &data).await?;
    if let Some(mut doc) = store::get_record(conn, &doc_id).await? {
        doc.fields.insert(
            "LatestPublishedVersionId".into(),
            Value::String(version_id.clone()),
        );
        store::replace_fields(conn, &doc_id, &doc.fields).await?;
    }

    // The owner's link, then the record the file was published to.
    let mut targets = vec![(ctx.user_id.clone(), "I")];
    if let Some(target) = first_publish.filter(|t| *t != ctx.user_id) {
        targets.push((target, "V"));
    }
    for (entity, share) in targets {
        let mut link = Map::new();
        link.insert("LinkedEntityId".into(), Value::String(entity));
        link.insert("ContentDocumentId".into(), Value::String(doc_id.clone()));
        link.insert("ShareType".into(), Value::String(share.into()));
        link.insert("Visibility".into(), Value::String("AllUsers".into()));
        link.insert("IsDeleted".into(), Value::Bool(false));
        link.insert("SystemModstamp".into(), now.clone());
        sobjects::insert(conn, ctx, link_def, link).await?;
    }
    Ok(version_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_title_and_extension() {
        assert_eq!(split_name("photos/pump.JPG"), ("pump".into(), "jpg".into()));
        assert_eq!(
            split_name("C:\\x\\notes.txt"),
            ("notes".into(), "txt".into())
        );
        assert_eq!(split_name("README"), ("README".into(), String::new()));
        assert_eq!(file_type("jpeg"), "JPG");
    }
}
