//! The REST API under `/services/data/`: one handler parses the path into an
//! [`Op`], authenticates, counts the call, runs the op in a transaction and
//! answers with Salesforce's status, body and `Sforce-Limit-Info` header.
//! Composite subrequests go through the same [`parse_op`] and [`execute`].
//!
//! | Method | Path (after `/services/data/vXX.X`) | Op |
//! | --- | --- | --- |
//! | GET | `/` | resources |
//! | GET | `/limits` | `DailyApiRequests` |
//! | GET | `/sobjects` | describeGlobal |
//! | GET, POST | `/sobjects/{Object}` | basic info, create (ContentVersion: JSON or multipart) |
//! | GET | `/sobjects/{Object}/describe` | describe |
//! | GET, PATCH, DELETE | `/sobjects/{Object}/{id}` | read (`?fields=`), update, delete |
//! | GET, PATCH | `/sobjects/{Object}/{ExtField}/{value}` | read by external id, upsert |
//! | GET | `/sobjects/ContentVersion/{id}/VersionData` | the file's bytes |
//! | GET | `/query?q=`, `/queryAll?q=` | SOQL subset |
//! | POST | `/composite` | composite (≤ 25 subrequests, one API call) |
//! | POST | `/composite/sobjects` | Collections create (JSON ≤ 200, or multipart files) |
//! | PATCH | `/composite/sobjects/{Object}/{ExtField}` | Collections upsert |

use std::time::Duration;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnection;
use time::OffsetDateTime;

use crate::composite;
use crate::describe::{self, FieldDef, FieldType, SObjectDef};
use crate::error::{ApiError, Error, Result, json_response};
use crate::files::{self, Part};
use crate::ids;
use crate::oauth;
use crate::server::Org;
use crate::sobjects::{self, record_json, record_url};
use crate::store;

/// Oldest API version the org answers (Salesforce retired older ones).
pub const MIN_VERSION: u32 = 31;
/// Newest API version the org answers.
pub const MAX_VERSION: u32 = 66;
/// The versions `GET /services/data/` lists, with their release names.
pub const LISTED_VERSIONS: &[(u32, &str)] = &[
    (62, "Winter '25"),
    (63, "Spring '25"),
    (64, "Summer '25"),
    (65, "Winter '26"),
    (66, "Spring '26"),
];
/// The first version whose upsert answers an update with 200 and `created`.
const UPSERT_CREATED_FLAG_SINCE: u32 = 46;

/// `GET /services/data/`.
pub fn versions_json() -> Value {
    Value::Array(
        LISTED_VERSIONS
            .iter()
            .map(|(v, label)| json!({"label": label, "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")}))
            .collect(),
    )
}

/// `v65.0` → 65.
pub fn parse_version(seg: &str) -> Option<u32> {
    let n: u32 = seg.strip_prefix('v')?.strip_suffix(".0")?.parse().ok()?;
    (MIN_VERSION..=MAX_VERSION).contains(&n).then_some(n)
}

/// What one request runs as: who, at which API version, when.
pub struct Ctx<'a> {
    pub org: &'a Org,
    pub version: u32,
    pub user_id: String,
    pub now: OffsetDateTime,
    /// Set when the request changed data (for `drop_after_commit_next`).
    pub wrote: bool,
}

impl Ctx<'_> {
    /// `65.0`.
    pub fn v(&self) -> String {
        format!("{}.0", self.version)
    }
}

/// One REST operation.
#[derive(Debug, Clone)]
pub enum Op {
    Resources,
    Limits,
    DescribeGlobal,
    SObjectInfo(&'static SObjectDef),
    Describe(&'static SObjectDef),
    Create(&'static SObjectDef),
    Get {
        def: &'static SObjectDef,
        id: String,
        fields: Option<Vec<&'static FieldDef>>,
    },
    Update {
        def: &'static SObjectDef,
        id: String,
    },
    Delete {
        def: &'static SObjectDef,
        id: String,
    },
    GetByExt {
        def: &'static SObjectDef,
        field: String,
        value: String,
        fields: Option<Vec<&'static FieldDef>>,
    },
    Upsert {
        def: &'static SObjectDef,
        field: String,
        value: String,
    },
    Blob {
        def: &'static SObjectDef,
        id: String,
    },
    Query(String),
    Composite,
    CollectionsCreate,
    CollectionsUpsert {
        def: &'static SObjectDef,
        field: String,
    },
}

impl Op {
    /// Whether the op may write (runs in a `BEGIN IMMEDIATE` transaction).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Op::Create(_)
                | Op::Update { .. }
                | Op::Delete { .. }
                | Op::Upsert { .. }
                | Op::Composite
                | Op::CollectionsCreate
                | Op::CollectionsUpsert { .. }
        )
    }

    /// Whether the op reads a JSON (or multipart) body.
    pub fn takes_body(&self) -> bool {
        self.writes() && !matches!(self, Op::Delete { .. })
    }

    /// The route as `/__demo/stats` counts it.
    pub fn label(&self) -> String {
        match self {
            Op::Resources => "GET /".into(),
            Op::Limits => "GET /limits".into(),
            Op::DescribeGlobal => "GET /sobjects".into(),
            Op::SObjectInfo(d) => format!("GET /sobjects/{}", d.name),
            Op::Describe(d) => format!("GET /sobjects/{}/describe", d.name),
            Op::Create(d) => format!("POST /sobjects/{}", d.name),
            Op::Get { def, .. } => format!("GET /sobjects/{}/{{id}}", def.name),
            Op::Update { def, .. } => format!("PATCH /sobjects/{}/{{id}}", def.name),
            Op::Delete { def, .. } => format!("DELETE /sobjects/{}/{{id}}", def.name),
            Op::GetByExt { def, field, .. } => {
                format!("GET /sobjects/{}/{field}/{{value}}", def.name)
            }
            Op::Upsert { def, field, .. } => {
                format!("PATCH /sobjects/{}/{field}/{{value}}", def.name)
            }
            Op::Blob { def, .. } => format!("GET /sobjects/{}/{{id}}/VersionData", def.name),
            Op::Query(_) => "GET /query".into(),
            Op::Composite => "POST /composite".into(),
            Op::CollectionsCreate => "POST /composite/sobjects".into(),
            Op::CollectionsUpsert { def, field } => {
                format!("PATCH /composite/sobjects/{}/{field}", def.name)
            }
        }
    }
}

fn sobject_or_404(name: &str) -> Result<&'static SObjectDef, ApiError> {
    describe::sobject(name).ok_or_else(ApiError::not_found)
}

/// The record id in `seg` when it is one of `def`'s.
fn id_of(def: &SObjectDef, seg: &str) -> Option<String> {
    ids::normalize(seg).filter(|id| ids::prefix(id) == def.key_prefix)
}

fn fields_param(
    def: &'static SObjectDef,
    query: &[(String, String)],
) -> Result<Option<Vec<&'static FieldDef>>, ApiError> {
    let Some((_, list)) = query.iter().find(|(k, _)| k == "fields") else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        out.push(
            def.field(name)
                .ok_or_else(|| ApiError::no_such_column(name, def.name))?,
        );
    }
    Ok(Some(out))
}

/// Parses a method and the path segments after `/services/data/vXX.X`.
pub fn parse_op(
    method: &Method,
    segs: &[String],
    query: &[(String, String)],
) -> Result<Op, ApiError> {
    let m = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let not_allowed = |allowed: &str| Err(ApiError::method_not_allowed(m.as_str(), allowed));
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        [] => match m {
            Method::GET => Ok(Op::Resources),
            _ => not_allowed("GET,HEAD"),
        },
        ["limits"] => match m {
            Method::GET => Ok(Op::Limits),
            _ => not_allowed("GET,HEAD"),
        },
        ["sobjects"] => match m {
            Method::GET => Ok(Op::DescribeGlobal),
            _ => not_allowed("GET,HEAD"),
        },
        ["sobjects", object] => {
            let def = sobject_or_404(object)?;
            match m {
                Method::GET => Ok(Op::SObjectInfo(def)),
                Method::POST => Ok(Op::Create(def)),
                _ => not_allowed("GET,HEAD,POST"),
            }
        }
        ["sobjects", object, "describe"] => {
            let def = sobject_or_404(object)?;
            match m {
                Method::GET => Ok(Op::Describe(def)),
                _ => not_allowed("GET,HEAD"),
            }
        }
        ["sobjects", object, seg] => {
            let def = sobject_or_404(object)?;
            let Some(id) = id_of(def, seg) else {
                return Err(ApiError::ext_not_found(seg));
            };
            match m {
                Method::GET => Ok(Op::Get {
                    def,
                    id,
                    fields: fields_param(def, query)?,
                }),
                Method::PATCH => Ok(Op::Update { def, id }),
                Method::DELETE => Ok(Op::Delete { def, id }),
                _ => not_allowed("GET,PATCH,DELETE,HEAD"),
            }
        }
        ["sobjects", object, a, b] => {
            let def = sobject_or_404(object)?;
            if let Some(id) = id_of(def, a) {
                return match def.field(b) {
                    Some(f) if f.ty == FieldType::Base64 && m == Method::GET => {
                        Ok(Op::Blob { def, id })
                    }
                    Some(f) if f.ty == FieldType::Base64 => not_allowed("GET,HEAD"),
                    _ => Err(ApiError::not_found()),
                };
            }
            match m {
                Method::GET => Ok(Op::GetByExt {
                    def,
                    field: (*a).to_string(),
                    value: (*b).to_string(),
                    fields: fields_param(def, query)?,
                }),
                Method::PATCH => Ok(Op::Upsert {
                    def,
                    field: (*a).to_string(),
                    value: (*b).to_string(),
                }),
                _ => not_allowed("GET,PATCH,HEAD"),
            }
        }
        ["query" | "queryAll"] => match m {
            Method::GET => match query.iter().find(|(k, _)| k == "q") {
                Some((_, q)) if !q.trim().is_empty() => Ok(Op::Query(q.clone())),
                _ => Err(ApiError::malformed_query(
                    "A query string (q=SELECT ...) is required.",
                )),
            },
            _ => not_allowed("GET,HEAD"),
        },
        ["composite"] => match m {
            Method::POST => Ok(Op::Composite),
            _ => not_allowed("POST"),
        },
        ["composite", "sobjects"] => match m {
            Method::POST => Ok(Op::CollectionsCreate),
            _ => not_allowed("POST"),
        },
        ["composite", "sobjects", object, field] => {
            let def = sobject_or_404(object)?;
            match m {
                Method::PATCH => Ok(Op::CollectionsUpsert {
                    def,
                    field: (*field).to_string(),
                }),
                _ => not_allowed("PATCH"),
            }
        }
        _ => Err(ApiError::not_found()),
    }
}

/// The body an op reads.
#[derive(Debug)]
pub enum Input {
    None,
    Json(Value),
    Multipart(Vec<Part>),
}

/// What an op answers.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: ReplyBody,
    pub location: Option<String>,
}

#[derive(Debug)]
pub enum ReplyBody {
    Json(Value),
    Empty,
    Binary {
        content_type: &'static str,
        data: Vec<u8>,
    },
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            body: ReplyBody::Json(body),
            location: None,
        }
    }
    pub fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, body)
    }
    pub fn no_content() -> Self {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: ReplyBody::Empty,
            location: None,
        }
    }
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
    /// The body as JSON (null for none), for composite subresponses.
    pub fn body_json(&self) -> Value {
        match &self.body {
            ReplyBody::Json(v) => v.clone(),
            _ => Value::Null,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut res = match self.body {
            ReplyBody::Json(v) => json_response(self.status, &v),
            ReplyBody::Empty => self.status.into_response(),
            ReplyBody::Binary { content_type, data } => {
                (self.status, [(header::CONTENT_TYPE, content_type)], data).into_response()
            }
        };
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            res.headers_mut().insert(header::LOCATION, loc);
        }
        res
    }
}

/// 201 `{"id","success":true,"errors":[]}` with the record's Location.
pub fn created(ctx: &Ctx<'_>, def: &SObjectDef, id: &str) -> Reply {
    Reply {
        status: StatusCode::CREATED,
        body: ReplyBody::Json(json!({"id": id, "success": true, "errors": []})),
        location: Some(record_url(&ctx.v(), def.name, id)),
    }
}

/// How an upsert ended.
#[derive(Debug)]
pub enum Upserted {
    Created(String),
    Updated(String),
    /// Several records hold the value: their ids.
    Multiple(Vec<String>),
}

fn check_ext_field(def: &'static SObjectDef, field: &str) -> Result<&'static FieldDef, ApiError> {
    match def.field(field) {
        Some(f) if f.external_id || f.ty == FieldType::Id => Ok(f),
        _ => Err(ApiError::ext_not_found(field)),
    }
}

/// Upserts one record by external id (or `Id`).
pub async fn upsert(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    def: &'static SObjectDef,
    field: &str,
    value: &str,
    body: &Value,
) -> Result<Upserted> {
    let f = check_ext_field(def, field)?;
    let m = sobjects::body_object(body, def)?;
    for key in m.keys() {
        if key.eq_ignore_ascii_case("Id") {
            return Err(ApiError::invalid_field(
                "The Id field should not be specified in the sobject data.",
            )
            .into());
        }
        if key.eq_ignore_ascii_case(f.name) {
            return Err(ApiError::invalid_field(format!(
                "The external ID field {} should not be specified in the sobject data: the URL gives its value.",
                f.name
            ))
            .fields([f.name])
            .into());
        }
    }
    if f.ty == FieldType::Id {
        let Some(id) = id_of(def, value) else {
            return Err(ApiError::ext_not_found(value).into());
        };
        sobjects::update(conn, ctx, def, &id, body).await?;
        return Ok(Upserted::Updated(id));
    }
    let found = store::find_by_text(conn, def.name, f.name, value).await?;
    match found.as_slice() {
        [] => {
            let mut with_key = m.clone();
            with_key.insert(f.name.into(), Value::String(value.to_string()));
            let id = sobjects::create(conn, ctx, def, &Value::Object(with_key), None).await?;
            Ok(Upserted::Created(id))
        }
        [one] => {
            sobjects::update(conn, ctx, def, &one.id, body).await?;
            Ok(Upserted::Updated(one.id.clone()))
        }
        many => Ok(Upserted::Multiple(
            many.iter().map(|r| r.id.clone()).collect(),
        )),
    }
}

fn multiple_choices(ctx: &Ctx<'_>, def: &SObjectDef, ids: &[String]) -> Reply {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| record_url(&ctx.v(), def.name, id))
        .collect();
    Reply::json(StatusCode::MULTIPLE_CHOICES, json!(urls))
}

fn body_of(input: Input) -> Result<Value> {
    match input {
        Input::Json(v) => Ok(v),
        _ => Err(ApiError::json_parser("No content to map due to end-of-input").into()),
    }
}

/// Runs one op on `conn` (inside the caller's transaction).
pub async fn execute(
    conn: &mut SqliteConnection,
    ctx: &mut Ctx<'_>,
    op: &Op,
    input: Input,
) -> Result<Reply> {
    let v = ctx.v();
    match op {
        Op::Resources => {
            let base = format!("/services/data/v{v}");
            Ok(Reply::ok(json!({
                "sobjects": format!("{base}/sobjects"),
                "query": format!("{base}/query"),
                "queryAll": format!("{base}/queryAll"),
                "composite": format!("{base}/composite"),
                "limits": format!("{base}/limits"),
            })))
        }
        Op::Limits => {
            let used = ctx.org.api_used();
            let max = ctx.org.api_limit;
            Ok(Reply::ok(json!({
                "DailyApiRequests": {"Max": max, "Remaining": max.saturating_sub(used)},
            })))
        }
        Op::DescribeGlobal => Ok(Reply::ok(json!({
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": describe::all().iter().map(|d| d.global_entry(&v)).collect::<Vec<_>>(),
        }))),
        Op::SObjectInfo(def) => Ok(Reply::ok(
            json!({"objectDescribe": def.global_entry(&v), "recentItems": []}),
        )),
        Op::Describe(def) => Ok(Reply::ok(
            ctx.org.faults.describe(def.name, def.describe(&v)),
        )),
        Op::Create(def) => {
            let id = match input {
                Input::Multipart(parts) if def.name == "ContentVersion" => {
                    files::create_version_multipart(conn, ctx, parts).await?
                }
                other => sobjects::create(conn, ctx, def, &body_of(other)?, None).await?,
            };
            Ok(created(ctx, def, &id))
        }
        Op::Get { def, id, fields } => match store::get_record(conn, id).await? {
            Some(r) if r.sobject == def.name => {
                Ok(Reply::ok(record_json(def, &r, &v, fields.as_deref())))
            }
            _ => Err(ApiError::not_found().into()),
        },
        Op::Update { def, id } => {
            sobjects::update(conn, ctx, def, id, &body_of(input)?).await?;
            Ok(Reply::no_content())
        }
        Op::Delete { def, id } => {
            sobjects::delete(conn, ctx, def, id).await?;
            Ok(Reply::no_content())
        }
        Op::GetByExt {
            def,
            field,
            value,
            fields,
        } => {
            let f = check_ext_field(def, field)?;
            let found = if f.ty == FieldType::Id {
                match id_of(def, value) {
                    Some(id) => store::get_record(conn, &id).await?.into_iter().collect(),
                    None => Vec::new(),
                }
            } else {
                store::find_by_text(conn, def.name, f.name, value).await?
            };
            match found.as_slice() {
                [] => Err(ApiError::ext_not_found(value).into()),
                [one] => Ok(Reply::ok(record_json(def, one, &v, fields.as_deref()))),
                many => Ok(multiple_choices(
                    ctx,
                    def,
                    &many.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
                )),
            }
        }
        Op::Upsert { def, field, value } => {
            let body = body_of(input)?;
            match upsert(conn, ctx, def, field, value, &body).await? {
                Upserted::Created(id) => {
                    let mut r = created(ctx, def, &id);
                    if ctx.version >= UPSERT_CREATED_FLAG_SINCE {
                        r.body = ReplyBody::Json(
                            json!({"id": id, "success": true, "errors": [], "created": true}),
                        );
                    }
                    Ok(r)
                }
                Upserted::Updated(id) if ctx.version >= UPSERT_CREATED_FLAG_SINCE => Ok(Reply::ok(
                    json!({"id": id, "success": true, "errors": [], "created": false}),
                )),
                Upserted::Updated(_) => Ok(Reply::no_content()),
                Upserted::Multiple(ids) => Ok(multiple_choices(ctx, def, &ids)),
            }
        }
        Op::Blob { def, id } => {
            let exists = store::get_record(conn, id)
                .await?
                .is_some_and(|r| r.sobject == def.name);
            match store::content(conn, id).await? {
                Some(data) if exists => Ok(Reply {
                    status: StatusCode::OK,
                    body: ReplyBody::Binary {
                        content_type: "application/octetstream",
                        data,
                    },
                    location: None,
                }),
                _ => Err(ApiError::not_found().into()),
            }
        }
        Op::Query(q) => Ok(Reply::ok(crate::query::run(conn, &v, q).await?)),
        Op::Composite => composite::run(conn, ctx, &body_of(input)?).await,
        Op::CollectionsCreate => composite::collections_create(conn, ctx, input).await,
        Op::CollectionsUpsert { def, field } => {
            composite::collections_upsert(conn, ctx, def, field, &body_of(input)?).await
        }
    }
}

/// Splits a path after `/services/data` into percent-decoded segments.
pub fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// The query string's pairs.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

async fn read_input(op: &Op, headers: &HeaderMap, body: Bytes) -> Result<Input> {
    if !op.takes_body() {
        return Ok(Input::None);
    }
    let multipart_ok = matches!(op, Op::Create(d) if d.name == "ContentVersion")
        || matches!(op, Op::CollectionsCreate);
    if multipart_ok && files::is_multipart(headers) {
        return Ok(Input::Multipart(
            files::parse_multipart(headers, body).await?,
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::json_parser("No content to map due to end-of-input").into());
    }
    serde_json::from_slice(&body).map(Input::Json).map_err(|e| {
        ApiError::json_parser(format!("Unexpected character or malformed JSON: {e}")).into()
    })
}

/// Where a handled request leaves the connection.
struct Outcome {
    response: Response,
    drop_connection: bool,
    /// Answer this much later than everything else (`late_after_commit_next`).
    late: Duration,
}

/// Every request under `/services/data`.
pub async fn handle(
    State(org): State<Org>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let outcome = match handle_inner(&org, &method, &uri, &headers, body).await {
        Ok(o) => o,
        Err(e) => Outcome {
            response: e.into_response(),
            drop_connection: false,
            late: Duration::ZERO,
        },
    };
    let latency = org.faults.latency() + outcome.late;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if outcome.drop_connection {
        tracing::info!(
            path = uri.path(),
            "fault injection: committed, dropping the connection"
        );
        return crate::faults::dropped_connection();
    }
    let mut res = outcome.response;
    if let Ok(v) = HeaderValue::from_str(&format!("api-usage={}/{}", org.api_used(), org.api_limit))
    {
        res.headers_mut().insert("sforce-limit-info", v);
    }
    res
}

async fn handle_inner(
    org: &Org,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Outcome> {
    if let Some(status) = org.faults.take_fail() {
        return Err(ApiError::server_unavailable(status).into());
    }
    let rest = uri
        .path()
        .strip_prefix("/services/data")
        .unwrap_or_default();
    let segs = segments(rest);
    let Some((first, segs)) = segs.split_first() else {
        return match *method {
            Method::GET | Method::HEAD => Ok(Outcome {
                response: json_response(StatusCode::OK, &versions_json()),
                drop_connection: false,
                late: Duration::ZERO,
            }),
            _ => Err(ApiError::method_not_allowed(method.as_str(), "GET,HEAD").into()),
        };
    };
    let Some(version) = parse_version(first) else {
        return Err(ApiError::not_found().into());
    };
    let session = oauth::authenticate(org, headers).await?;
    if org.faults.take_limit_exceeded() || org.api_used() >= org.api_limit {
        return Err(ApiError::request_limit_exceeded().into());
    }
    let op = parse_op(method, segs, &query_pairs(uri.query()));
    let label = match &op {
        Ok(op) => op.label(),
        Err(_) => format!("{method} (unknown resource)"),
    };
    org.log_request(label.clone());
    org.count_call(&label).await?;
    let op = op?;
    let body = body.map_err(|e| {
        Error::Api(ApiError::new(
            e.status(),
            "REQUEST_ENTITY_TOO_LARGE",
            format!("The request body was refused: {e}"),
        ))
    })?;
    let input = read_input(&op, headers, body).await?;

    let mut ctx = Ctx {
        org,
        version,
        user_id: session.user_id,
        now: OffsetDateTime::now_utc(),
        wrote: false,
    };
    let reply = if op.writes() {
        let mut tx = org.store.write().await?;
        let reply = execute(&mut tx, &mut ctx, &op, input).await;
        match reply {
            Ok(r) if r.is_success() => {
                tx.commit().await?;
                r
            }
            other => {
                tx.rollback().await?;
                ctx.wrote = false;
                other?
            }
        }
    } else {
        let mut conn = org.store.read().await?;
        execute(&mut conn, &mut ctx, &op, input).await?
    };
    let drop_connection = ctx.wrote && org.faults.take_drop_after_commit(&label);
    let late = if ctx.wrote && !drop_connection {
        org.faults.take_late_after_commit(&label)
    } else {
        None
    };
    Ok(Outcome {
        response: reply.into_response(),
        drop_connection,
        late: late.unwrap_or_default(),
    })
}
