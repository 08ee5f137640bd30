//! Composite resources: `POST /composite` (up to 25 subrequests in one API
//! call, `@{ref.path}` references to earlier results, `allOrNone`) and the
//! sObject Collections `POST /composite/sobjects` (create, JSON or multipart
//! files) and `PATCH /composite/sobjects/{Object}/{ExtField}` (upsert).
//!
//! Everything runs inside the request's one transaction: each subrequest or
//! record in its own savepoint, so `allOrNone: false` keeps the successes, and
//! `allOrNone: true` rolls the whole request back on the first failure.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sqlx::Connection as _;
use sqlx::sqlite::SqliteConnection;

use crate::describe::{self, SObjectDef};
use crate::error::{ApiError, Error, Result};
use crate::files;
use crate::rest::{self, Ctx, Input, Op, Reply, Upserted};
use crate::sobjects;

/// Most subrequests in one composite request.
pub const MAX_SUBREQUESTS: usize = 25;
/// Most records in one sObject Collections request.
pub const MAX_COLLECTION_RECORDS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeBody {
    #[serde(default)]
    all_or_none: bool,
    #[serde(default)]
    #[allow(dead_code)]
    collate_subrequests: bool,
    composite_request: Vec<Subrequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subrequest {
    method: String,
    url: String,
    reference_id: String,
    #[serde(default)]
    body: Option<Value>,
}

/// A finished subrequest, as `compositeResponse` lists it.
struct SubResult {
    reference_id: String,
    status: StatusCode,
    body: Value,
    location: Option<String>,
}

impl SubResult {
    fn from_error(reference_id: &str, e: &ApiError) -> Self {
        SubResult {
            reference_id: reference_id.into(),
            status: e.status,
            body: e.body(),
            location: None,
        }
    }
    fn ok(&self) -> bool {
        self.status.is_success()
    }
    fn json(&self) -> Value {
        let headers = match &self.location {
            Some(l) => json!({"Location": l}),
            None => json!({}),
        };
        json!({
            "body": self.body,
            "httpHeaders": headers,
            "httpStatusCode": self.status.as_u16(),
            "referenceId": self.reference_id,
        })
    }
}

fn valid_reference_id(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Earlier results, by referenceId: the body of a success, or None for a failure.
type Refs = HashMap<String, Option<Value>>;

/// Follows `id`, `records[0].Id`, `a.b` into a result body.
fn lookup<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = body;
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        let mut rest = indexes;
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let i: usize = r[..end].parse().ok()?;
            cur = cur.get(i)?;
            rest = &r[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(cur)
}

fn resolve_ref(expr: &str, refs: &Refs) -> Result<Value, ApiError> {
    let (ref_id, path) = expr.split_once('.').unwrap_or((expr, ""));
    let halted = |why: &str| {
        ApiError::processing_halted(format!(
            "Invalid reference specified. No value for {expr} found in {ref_id}. {why}"
        ))
    };
    match refs.get(ref_id) {
        None => Err(halted(&format!(
            "Provided referenceId ('{ref_id}') must be the referenceId of an earlier subrequest."
        ))),
        Some(None) => Err(halted(&format!(
            "Provided referenceId ('{ref_id}') refers to a failed subrequest."
        ))),
        Some(Some(body)) => {
            let found = if path.is_empty() {
                Some(body)
            } else {
                lookup(body, path)
            };
            found
                .cloned()
                .ok_or_else(|| halted("The path does not exist in that result."))
        }
    }
}

/// Replaces every `@{ref.path}` in `s`. A string that is exactly one
/// reference takes the referenced value's JSON type.
fn resolve_str(s: &str, refs: &Refs) -> Result<Value, ApiError> {
    if !s.contains("@{") {
        return Ok(Value::String(s.to_string()));
    }
    if let Some(inner) = s.strip_prefix("@{").and_then(|r| r.strip_suffix('}'))
        && !inner.contains('}')
    {
        return resolve_ref(inner, refs);
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        match resolve_ref(&after[..end], refs)? {
            Value::String(v) => out.push_str(&v),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

fn resolve_value(v: &Value, refs: &Refs) -> Result<Value, ApiError> {
    Ok(match v {
        Value::String(s) => resolve_str(s, refs)?,
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| resolve_value(x, refs))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                out.insert(k.clone(), resolve_value(x, refs)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn subrequest_op(sub: &Subrequest, url: &str) -> Result<(u32, Op), ApiError> {
    let method = Method::from_bytes(sub.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| ApiError::json_parser(format!("Invalid HTTP method: {}", sub.method)))?;
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    let Some(rest) = path.strip_prefix("/services/data/") else {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            format!("The subrequest URL must start with /services/data/vXX.X/: {url}"),
        ));
    };
    let segs = rest::segments(rest);
    let Some((first, segs)) = segs.split_first() else {
        return Err(ApiError::not_found());
    };
    let version = rest::parse_version(first).ok_or_else(ApiError::not_found)?;
    let op = rest::parse_op(&method, segs, &rest::query_pairs(query))?;
    if matches!(op, Op::Composite | Op::Blob { .. }) {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            format!("{} is not supported in a composite subrequest", op.label()),
        ));
    }
    Ok((version, op))
}

/// Runs one subrequest (references already resolved) on `conn`.
async fn run_subrequest(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    sub: &Subrequest,
    refs: &Refs,
) -> Result<SubResult> {
    let rid = sub.reference_id.as_str();
    let url = match resolve_str(&sub.url, refs) {
        Ok(Value::String(u)) => u,
        Ok(other) => other.to_string(),
        Err(e) => return Ok(SubResult::from_error(rid, &e)),
    };
    let (version, op) = match subrequest_op(sub, &url) {
        Ok(x) => x,
        Err(e) => return Ok(SubResult::from_error(rid, &e)),
    };
    ctx.org.log_request(format!("composite: {}", op.label()));
    let input = if op.takes_body() {
        match sub.body.as_ref().map(|b| resolve_value(b, refs)) {
            Some(Ok(b)) => Input::Json(b),
            Some(Err(e)) => return Ok(SubResult::from_error(rid, &e)),
            None => Input::None,
        }
    } else {
        Input::None
    };
    let outer_version = ctx.version;
    ctx.version = version;
    // Boxed: execute → composite::run → execute would be an infinitely sized future.
    let result = Box::pin(rest::execute(conn, ctx, &op, input)).await;
    ctx.version = outer_version;
    match result {
        Ok(reply) => Ok(SubResult {
            reference_id: rid.into(),
            status: reply.status,
            body: reply.body_json(),
            location: reply.location,
        }),
        Err(Error::Api(e)) => Ok(SubResult::from_error(rid, &e)),
        Err(other) => Err(other),
    }
}

/// `POST /composite`.
pub async fn run(conn: &mut SqliteConnection, ctx: &mut Ctx<'_>, body: &Value) -> Result<Reply> {
    let req: CompositeBody = serde_json::from_value(body.clone())
        .map_err(|e| ApiError::json_parser(format!("Invalid composite request: {e}")))?;
    if req.composite_request.is_empty() {
        return Err(
            ApiError::json_parser("compositeRequest must contain at least one subrequest").into(),
        );
    }
    if req.composite_request.len() > MAX_SUBREQUESTS {
        // Salesforce reports this inside compositeResponse.
        return Ok(Reply::json(
            StatusCode::BAD_REQUEST,
            json!({"compositeResponse": [{
                "body": [{"errorCode": "LIMIT_EXCEEDED", "message": "The request can’t contain more than 25 operations."}],
                "httpHeaders": {},
                "httpStatusCode": 400,
                "referenceId": null,
            }]}),
        ));
    }
    let mut seen = Vec::new();
    for sub in &req.composite_request {
        if !valid_reference_id(&sub.reference_id) {
            return Err(ApiError::json_parser(format!(
                "Invalid referenceId '{}': it must start with a letter and contain only letters, digits and underscores",
                sub.reference_id
            ))
            .into());
        }
        if seen.contains(&sub.reference_id.as_str()) {
            return Err(ApiError::json_parser(format!(
                "Duplicate referenceId: {}",
                sub.reference_id
            ))
            .into());
        }
        seen.push(&sub.reference_id);
    }

    let wrote_before = ctx.wrote;
    let mut all = conn.begin().await?;
    let mut refs: Refs = HashMap::new();
    let mut results: Vec<SubResult> = Vec::new();
    let mut failed = false;
    for sub in &req.composite_request {
        let result = if req.all_or_none {
            run_subrequest(&mut all, ctx, sub, &refs).await?
        } else {
            let before = ctx.wrote;
            let mut sp = all.begin().await?;
            let r = run_subrequest(&mut sp, ctx, sub, &refs).await?;
            if r.ok() {
                sp.commit().await?;
            } else {
                sp.rollback().await?;
                ctx.wrote = before;
            }
            r
        };
        refs.insert(
            sub.reference_id.clone(),
            result.ok().then(|| result.body.clone()),
        );
        let ok = result.ok();
        results.push(result);
        if !ok && req.all_or_none {
            failed = true;
            break;
        }
    }
    if failed {
        all.rollback().await?;
        ctx.wrote = wrote_before;
        let halted = ApiError::rolled_back();
        let mut out = Vec::new();
        for sub in &req.composite_request {
            match results.iter().find(|r| r.reference_id == sub.reference_id) {
                Some(r) if !r.ok() => out.push(r.json()),
                _ => out.push(SubResult::from_error(&sub.reference_id, &halted).json()),
            }
        }
        return Ok(Reply::ok(json!({"compositeResponse": out})));
    }
    all.commit().await?;
    Ok(Reply::ok(
        json!({"compositeResponse": results.iter().map(SubResult::json).collect::<Vec<_>>()}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectionBody {
    #[serde(default)]
    all_or_none: bool,
    records: Vec<Value>,
}

fn parse_collection(body: Value) -> Result<CollectionBody> {
    let c: CollectionBody = serde_json::from_value(body)
        .map_err(|e| ApiError::json_parser(format!("Invalid sObject Collections request: {e}")))?;
    if c.records.len() > MAX_COLLECTION_RECORDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
        .into());
    }
    Ok(c)
}

fn record_type(record: &Value) -> Result<&'static SObjectDef, ApiError> {
    let t = record
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str);
    match t {
        Some(t) => describe::sobject(t).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_TYPE",
                format!("sObject type '{t}' is not supported."),
            )
        }),
        None => Err(ApiError::bad_request(
            "INVALID_TYPE",
            "Each record needs attributes.type, the sObject type.",
        )),
    }
}

/// One record's outcome: its id (and upsert's created flag), or its errors.
type ItemResult = Result<(String, Option<bool>), ApiError>;

/// What a Collections request does to each record.
enum Kind<'a> {
    Create {
        parts: &'a [files::Part],
    },
    Upsert {
        def: &'static SObjectDef,
        field: &'static crate::describe::FieldDef,
    },
}

async fn create_one(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    record: &Value,
    parts: &[files::Part],
) -> Result<(String, Option<bool>)> {
    let def = record_type(record)?;
    if record.get("Id").or_else(|| record.get("id")).is_some() {
        return Err(ApiError::bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Id: cannot specify Id in an insert call",
        )
        .fields(["Id"])
        .into());
    }
    let blob = match record.as_object() {
        Some(m) => files::binary_for(m, parts)?,
        None => None,
    };
    let id = sobjects::create(conn, ctx, def, record, blob).await?;
    Ok((id, None))
}

async fn upsert_one(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &'static SObjectDef,
    f: &crate::describe::FieldDef,
    record: &Value,
) -> Result<(String, Option<bool>)> {
    let t = record_type(record)?;
    if t.name != def.name {
        return Err(ApiError::bad_request(
            "INVALID_TYPE",
            format!(
                "Every record must be a {} (the URL's sObject), not {}",
                def.name, t.name
            ),
        )
        .into());
    }
    let Some(m) = record.as_object() else {
        return Err(ApiError::json_parser("Each record must be a JSON object").into());
    };
    let value = m
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(f.name))
        .and_then(|(_, v)| v.as_str().map(str::to_string));
    let Some(value) = value else {
        return Err(
            ApiError::bad_request("MISSING_ARGUMENT", format!("{} not specified", f.name)).into(),
        );
    };
    let mut rest = m.clone();
    rest.retain(|k, _| !k.eq_ignore_ascii_case(f.name));
    match rest::upsert(conn, ctx, def, f.name, &value, &Value::Object(rest)).await? {
        Upserted::Created(id) => Ok((id, Some(true))),
        Upserted::Updated(id) => Ok((id, Some(false))),
        Upserted::Multiple(_) => Err(ApiError::bad_request(
            "DUPLICATE_EXTERNAL_ID",
            format!(
                "{}: more than one record found for external id field: {value}",
                f.name
            ),
        )
        .into()),
    }
}

/// Runs each record in its own savepoint, within one savepoint for the whole
/// request; `allOrNone` with any failure rolls everything back.
async fn run_collection(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    records: &[Value],
    all_or_none: bool,
    kind: Kind<'_>,
) -> Result<Reply> {
    let wrote_before = ctx.wrote;
    let mut all = conn.begin().await?;
    let mut results: Vec<ItemResult> = Vec::new();
    for record in records {
        let before = ctx.wrote;
        let mut sp = all.begin().await?;
        let r = match &kind {
            Kind::Create { parts } => create_one(&mut sp, ctx, record, parts).await,
            Kind::Upsert { def, field } => upsert_one(&mut sp, ctx, def, field, record).await,
        };
        let r: ItemResult = match r {
            Ok(v) => Ok(v),
            Err(Error::Api(e)) => Err(e),
            Err(other) => return Err(other),
        };
        if r.is_ok() {
            sp.commit().await?;
        } else {
            sp.rollback().await?;
            ctx.wrote = before;
        }
        results.push(r);
    }
    let rolled = all_or_none && results.iter().any(Result::is_err);
    let rolled_back = ApiError::all_or_none_rolled_back();
    let items: Vec<Value> = results
        .into_iter()
        .map(|r| match r {
            Ok(_) if rolled => json!({"success": false, "errors": rolled_back.collection_errors()}),
            Ok((id, None)) => json!({"id": id, "success": true, "errors": []}),
            Ok((id, Some(created))) => {
                json!({"id": id, "success": true, "errors": [], "created": created})
            }
            Err(e) => json!({"success": false, "errors": e.collection_errors()}),
        })
        .collect();
    if rolled {
        all.rollback().await?;
        ctx.wrote = wrote_before;
    } else {
        all.commit().await?;
    }
    Ok(Reply::ok(Value::Array(items)))
}

/// `POST /composite/sobjects`: create up to 200 records; with a multipart
/// body, ContentVersion records take their bytes from the named parts.
pub async fn collections_create(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    input: Input,
) -> Result<Reply> {
    let (body, parts) = match input {
        Input::Json(v) => (v, Vec::new()),
        Input::Multipart(parts) => {
            let (v, _) = files::collection_part(&parts)?;
            (v, parts)
        }
        Input::None => {
            return Err(ApiError::json_parser("No content to map due to end-of-input").into());
        }
    };
    let c = parse_collection(body)?;
    for r in &c.records {
        let kind = r["attributes"]["type"].as_str().unwrap_or("(no type)");
        ctx.org
            .log_request(format!("collection: POST /sobjects/{kind}"));
    }
    run_collection(
        conn,
        ctx,
        &c.records,
        c.all_or_none,
        Kind::Create { parts: &parts },
    )
    .await
}

/// `PATCH /composite/sobjects/{Object}/{ExtField}`: upsert up to 200 records,
/// each carrying its external id value.
pub async fn collections_upsert(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &'static SObjectDef,
    field: &str,
    body: &Value,
) -> Result<Reply> {
    let Some(f) = def.field(field).filter(|f| f.external_id) else {
        return Err(ApiError::ext_not_found(field).into());
    };
    let c = parse_collection(body.clone())?;
    run_collection(
        conn,
        ctx,
        &c.records,
        c.all_or_none,
        Kind::Upsert { def, field: f },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_into_strings_and_values() {
        let mut refs: Refs = HashMap::new();
        refs.insert(
            "newCase".into(),
            Some(json!({"id": "500Dm0000000001AAA", "n": 3})),
        );
        refs.insert(
            "q".into(),
            Some(json!({"records": [{"Id": "068Dm0000000001AAA"}]})),
        );
        refs.insert("bad".into(), None);
        assert_eq!(
            resolve_str("@{newCase.id}", &refs).ok(),
            Some(json!("500Dm0000000001AAA"))
        );
        assert_eq!(resolve_str("@{newCase.n}", &refs).ok(), Some(json!(3)));
        assert_eq!(
            resolve_str("/services/data/v65.0/sobjects/Case/@{newCase.id}", &refs).ok(),
            Some(json!(
                "/services/data/v65.0/sobjects/Case/500Dm0000000001AAA"
            ))
        );
        assert_eq!(
            resolve_str("@{q.records[0].Id}", &refs).ok(),
            Some(json!("068Dm0000000001AAA"))
        );
        assert_eq!(
            resolve_str("@{bad.id}", &refs).map_err(|e| e.code().to_string()),
            Err("PROCESSING_HALTED".into())
        );
        assert!(resolve_str("@{nope.id}", &refs).is_err());
        assert!(
            valid_reference_id("ref_1") && !valid_reference_id("1ref") && !valid_reference_id("")
        );
    }
}
