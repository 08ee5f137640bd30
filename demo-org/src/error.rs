//! One error type for the whole org, rendered in Salesforce's envelopes:
//!
//! * REST (`/services/data/…`): a JSON array `[{"message","errorCode","fields"}]`
//!   with the status Salesforce uses for that code.
//! * OAuth (`/services/oauth2/…`): `{"error","error_description"}`.
//! * sObject Collections use `statusCode` instead of `errorCode` inside each
//!   result; [`ApiError::collection_errors`] renders that shape.
//!
//! Internal failures (database, I/O) become a 500 `UNKNOWN_EXCEPTION` and are
//! logged; nothing here ever includes a token or a secret.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Every failure the org can answer with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Salesforce REST error (array envelope).
    #[error("{0}")]
    Api(ApiError),
    /// An OAuth endpoint error (`{"error","error_description"}`).
    #[error("{}: {}", .0.error, .0.description)]
    OAuth(OAuthError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::OAuth(e)
    }
}

/// One entry of Salesforce's error array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem {
    pub message: String,
    pub error_code: String,
    pub fields: Vec<String>,
}

/// A REST error: an HTTP status and one or more `{message, errorCode, fields}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: Vec<ErrorItem>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.errors.first() {
            Some(e) => write!(
                f,
                "{} {}: {}",
                self.status.as_u16(),
                e.error_code,
                e.message
            ),
            None => write!(f, "{}", self.status),
        }
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            errors: vec![ErrorItem {
                message: message.into(),
                error_code: code.to_string(),
                fields: Vec::new(),
            }],
        }
    }

    /// Sets the `fields` of the (first) error.
    pub fn fields<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.fields = fields.into_iter().map(Into::into).collect();
        }
        self
    }

    pub fn code(&self) -> &str {
        self.errors
            .first()
            .map(|e| e.error_code.as_str())
            .unwrap_or("")
    }

    /// The REST envelope: `[{"message","errorCode","fields"}]`. Like
    /// Salesforce, request-level errors (session, routing, parsing, limits)
    /// carry no `fields`; record-level ones always do.
    pub fn body(&self) -> Value {
        Value::Array(
            self.errors
                .iter()
                .map(|e| {
                    if e.fields.is_empty() && request_level(&e.error_code) {
                        json!({"message": e.message, "errorCode": e.error_code})
                    } else {
                        json!({"message": e.message, "errorCode": e.error_code, "fields": e.fields})
                    }
                })
                .collect(),
        )
    }

    /// The sObject Collections shape: `[{"statusCode","message","fields"}]`.
    pub fn collection_errors(&self) -> Value {
        Value::Array(
            self.errors
                .iter()
                .map(|e| json!({"statusCode": e.error_code, "message": e.message, "fields": e.fields}))
                .collect(),
        )
    }

    // ---- the errors the org answers with -------------------------------

    pub fn invalid_session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn request_limit_exceeded() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// Salesforce's answer when a path segment is neither a record id nor an
    /// external ID field, or an external ID value matches nothing.
    pub fn ext_not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {what}"),
        )
    }

    pub fn method_not_allowed(method: &str, allowed: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
        )
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn json_parser(message: impl Into<String>) -> Self {
        Self::bad_request("JSON_PARSER_ERROR", message)
    }

    pub fn required_missing(fields: &[String]) -> Self {
        Self::bad_request(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", fields.join(", ")),
        )
        .fields(fields.iter().cloned())
    }

    pub fn string_too_long(field: &str, value: &str, max: u32) -> Self {
        // Salesforce quotes the value; keep the message readable for huge ones.
        let shown: String = if value.chars().count() > 1000 {
            let head: String = value.chars().take(1000).collect();
            format!("{head}...")
        } else {
            value.to_string()
        };
        Self::bad_request(
            "STRING_TOO_LONG",
            format!("{field}: data value too large: {shown} (max length={max})"),
        )
        .fields([field])
    }

    pub fn restricted_picklist(field: &str, value: &str) -> Self {
        Self::bad_request(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            format!("{field}: bad value for restricted picklist field: {value}"),
        )
        .fields([field])
    }

    pub fn duplicate_value(field: &str, existing_id: &str) -> Self {
        // Salesforce names the other record by its 15-character id.
        let short = existing_id.get(..15).unwrap_or(existing_id);
        Self::bad_request(
            "DUPLICATE_VALUE",
            format!("duplicate value found: {field} duplicates value on record with id: {short}"),
        )
    }

    pub fn invalid_field(message: impl Into<String>) -> Self {
        Self::bad_request("INVALID_FIELD", message)
    }

    pub fn no_such_column(field: &str, sobject: &str) -> Self {
        Self::invalid_field(format!(
            "No such column '{field}' on sobject of type {sobject}"
        ))
    }

    pub fn malformed_query(message: impl Into<String>) -> Self {
        Self::bad_request("MALFORMED_QUERY", message)
    }

    pub fn processing_halted(message: impl Into<String>) -> Self {
        Self::bad_request("PROCESSING_HALTED", message)
    }

    pub fn rolled_back() -> Self {
        Self::processing_halted(
            "The transaction was rolled back since another operation in the same transaction failed.",
        )
    }

    pub fn all_or_none_rolled_back() -> Self {
        Self::bad_request(
            "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "Record rolled back because not all records were valid and the request was using AllOrNone header",
        )
    }

    pub fn server_unavailable(status: StatusCode) -> Self {
        if status == StatusCode::SERVICE_UNAVAILABLE {
            Self::new(
                status,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable; please retry later (demo org fault injection).",
            )
        } else {
            Self::new(
                status,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: \
                 1234567890-12345 (-1234567890) (demo org fault injection)",
            )
        }
    }
}

/// Errors about the request rather than a record's fields.
fn request_level(code: &str) -> bool {
    matches!(
        code,
        "INVALID_SESSION_ID"
            | "NOT_FOUND"
            | "METHOD_NOT_ALLOWED"
            | "REQUEST_LIMIT_EXCEEDED"
            | "MALFORMED_QUERY"
            | "INVALID_TYPE"
            | "JSON_PARSER_ERROR"
            | "SERVER_UNAVAILABLE"
            | "UNKNOWN_EXCEPTION"
            | "REQUEST_ENTITY_TOO_LARGE"
            | "INVALID_MULTIPART_REQUEST"
            | "INVALID_INPUT"
            | "LIMIT_EXCEEDED"
            | "EXCEEDED_ID_LIMIT"
    )
}

/// An OAuth error: `{"error","error_description"}`, 400 unless said otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    pub fn expired_token() -> Self {
        Self::invalid_grant("expired access/refresh token")
    }

    pub fn authentication_failure() -> Self {
        Self::invalid_grant("authentication failure")
    }

    pub fn invalid_client() -> Self {
        Self::new("invalid_client", "invalid client credentials")
    }

    pub fn unsupported_grant_type() -> Self {
        Self::new("unsupported_grant_type", "grant type not supported")
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }
}

/// `application/json;charset=UTF-8`, as Salesforce labels its JSON.
pub fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json;charset=UTF-8")
}

pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, json_content_type());
    res
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Api(e) => json_response(e.status, &e.body()),
            Error::OAuth(e) => {
                let mut res = json_response(
                    e.status,
                    &json!({"error": e.error, "error_description": e.description}),
                );
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            other => {
                tracing::error!(error = %other, "internal error");
                let e = ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred in the demo org; see its log.",
                );
                json_response(e.status, &e.body())
            }
        }
    }
}
