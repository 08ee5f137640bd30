//! The one error type of every request handler, and the one body shape of
//! every failure: [`fieldcase_core::wire::ApiError`].
//!
//! Each variant knows its status, its stable `code` and a message that tells a
//! person what to fix. Internal failures are logged here (never with tokens,
//! notes, names or other personal data) and answered with a generic message.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldcase_core::FieldErrors;
use fieldcase_core::schema::CaseSchema;
use fieldcase_core::wire::ApiError;

/// The answer to an inactive, unknown or malformed asset code: always the same.
pub const ASSET_INACTIVE_MESSAGE: &str = "This code is not active — ask your dispatcher.";

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The asset token is malformed, unknown or revoked. One answer for all three.
    #[error("asset code not active")]
    AssetInactive,

    #[error("intake not found")]
    IntakeNotFound,

    /// No photo with that hash was uploaded through this asset's link.
    #[error("photo not found")]
    PhotoNotFound,

    /// The path named something that is not there (e.g. an unknown API route).
    #[error("no such route")]
    RouteNotFound,

    #[error("method not allowed")]
    MethodNotAllowed,

    /// The same intake id was submitted before with different content.
    #[error("intake already submitted with different content")]
    IntakeConflict { reference: String },

    /// The draft failed schema validation.
    #[error("{count} fields failed validation", count = fields.len())]
    Validation {
        message: String,
        fields: FieldErrors,
    },

    /// The request was understood but something in it must change (422).
    #[error("unprocessable: {code}")]
    Unprocessable { code: &'static str, message: String },

    /// The request itself is malformed (400).
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, message: String },

    /// The request body is larger than this route accepts (413).
    #[error("payload too large: {code}")]
    TooLarge { code: &'static str, message: String },

    /// The body is not in a media type this route accepts (415).
    #[error("unsupported media type")]
    UnsupportedMediaType { message: String },

    /// No signed-in staff member (401): sign in first.
    #[error("unauthorized: {code}")]
    Unauthorized { code: &'static str, message: String },

    /// Signed in, but the role does not allow it; or a cross-site request (403).
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str, message: String },

    /// A staff resource that does not exist (404).
    #[error("not found: {code}")]
    NotFound { code: &'static str, message: String },

    /// The request was made on a state that changed since (409), e.g. a
    /// stale revision; the message says who changed what.
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: String },

    /// Too many attempts (429); try again after `retry_after_secs`.
    #[error("too many requests")]
    TooManyRequests {
        retry_after_secs: u64,
        message: String,
    },

    /// The server is at a limit of its own (503); try again after
    /// `retry_after_secs`. Nothing was kept of the request.
    #[error("busy")]
    Busy {
        retry_after_secs: u64,
        message: String,
    },

    /// A service fieldcase asks on the caller's behalf (Salesforce) could
    /// not answer (502); nothing was changed.
    #[error("upstream")]
    Upstream { message: String },

    /// The request took longer than its timeout (408).
    #[error("request timeout")]
    Timeout { message: String },

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),

    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Error::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Error::Unauthorized {
            code: "sign_in_required",
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Error::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Error::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Error::Unprocessable {
            code,
            message: message.into(),
        }
    }

    /// A validation failure, summarised with the fields' labels:
    /// "2 fields need attention: Subject, Your name."
    pub fn validation(schema: &CaseSchema, fields: FieldErrors) -> Self {
        // In the order the review screen shows them, then any unknown names.
        let mut labels: Vec<&str> = schema
            .fields
            .iter()
            .filter(|f| fields.0.contains_key(&f.name))
            .map(|f| f.label.as_str())
            .collect();
        labels.extend(
            fields
                .0
                .keys()
                .filter(|name| schema.field(name).is_none())
                .map(String::as_str),
        );
        let message = match labels.len() {
            1 => format!("1 field needs attention: {}.", labels[0]),
            n => format!("{n} fields need attention: {}.", labels.join(", ")),
        };
        Error::Validation { message, fields }
    }

    /// The message a person is shown for this error.
    pub fn public_message(&self) -> String {
        self.parts().2
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    pub(crate) fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Error::AssetInactive => (
                StatusCode::NOT_FOUND,
                "asset_inactive",
                ASSET_INACTIVE_MESSAGE.to_owned(),
            ),
            Error::IntakeNotFound => (
                StatusCode::NOT_FOUND,
                "intake_not_found",
                "There is no intake with this id. Check the link, or submit the intake again."
                    .to_owned(),
            ),
            Error::PhotoNotFound => (
                StatusCode::NOT_FOUND,
                "photo_not_found",
                "No such photo was uploaded for this asset. Add the photo again.".to_owned(),
            ),
            Error::RouteNotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no such API route. Check the method and path: every route lives \
                 under /api/v1 (assets/{token}, assets/{token}/photos, intakes/{id})."
                    .to_owned(),
            ),
            Error::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This route does not accept that method. Check the method against the API \
                 (GET for reading, POST for photos, PUT for intakes)."
                    .to_owned(),
            ),
            Error::IntakeConflict { reference } => (
                StatusCode::CONFLICT,
                "intake_already_submitted",
                format!(
                    "This intake was already submitted as {reference} with different content. \
                     Start a new intake to send something else."
                ),
            ),
            Error::Validation { message, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message.clone(),
            ),
            Error::Unprocessable { code, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, *code, message.clone())
            }
            Error::BadRequest { code, message } => {
                (StatusCode::BAD_REQUEST, *code, message.clone())
            }
            Error::TooLarge { code, message } => {
                (StatusCode::PAYLOAD_TOO_LARGE, *code, message.clone())
            }
            Error::UnsupportedMediaType { message } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message.clone(),
            ),
            Error::Unauthorized { code, message } => {
                (StatusCode::UNAUTHORIZED, *code, message.clone())
            }
            Error::Forbidden { code, message } => (StatusCode::FORBIDDEN, *code, message.clone()),
            Error::NotFound { code, message } => (StatusCode::NOT_FOUND, *code, message.clone()),
            Error::Conflict { code, message } => (StatusCode::CONFLICT, *code, message.clone()),
            Error::TooManyRequests { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                message.clone(),
            ),
            Error::Busy { message, .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "busy", message.clone())
            }
            Error::Upstream { message } => (
                StatusCode::BAD_GATEWAY,
                "upstream_unavailable",
                message.clone(),
            ),
            Error::Timeout { message } => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                message.clone(),
            ),
            Error::Database(_) | Error::Io(_) | Error::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on the server. Nothing you sent was lost: try again in a \
                 minute, and tell your dispatcher if it keeps happening."
                    .to_owned(),
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if status.is_server_error() && !matches!(self, Error::Busy { .. }) {
            // The Display of these variants carries no request data: sqlx and
            // io errors name tables, constraints and (content-hash) paths only.
            tracing::error!(error = %self, code, "request failed");
        } else {
            tracing::debug!(code, status = status.as_u16(), "request refused");
        }
        let retry_after = match &self {
            Error::TooManyRequests {
                retry_after_secs, ..
            }
            | Error::Busy {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let fields = match self {
            Error::Validation { fields, .. } => fields,
            _ => FieldErrors::default(),
        };
        let body = ApiError {
            code: code.to_owned(),
            message,
            fields,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

/// Format a byte count for people: `15 MB`, `20.3 MB`, `512 KB`.
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 {
        let s = format!("{mb:.1}");
        format!("{} MB", s.trim_end_matches(".0"))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fieldcase_core::CaseSchema;

    #[test]
    fn validation_summary_uses_labels() {
        let schema = CaseSchema::salesforce_default();
        let mut fields = FieldErrors::default();
        fields
            .0
            .insert("Subject".into(), "Subject is required.".into());
        fields
            .0
            .insert("SuppliedName".into(), "Your name is required.".into());
        let Error::Validation { message, .. } = Error::validation(&schema, fields) else {
            panic!("not a validation error");
        };
        assert_eq!(message, "2 fields need attention: Subject, Your name.");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(megabytes(15 * 1024 * 1024), "15 MB");
        assert_eq!(megabytes(21_300_000), "20.3 MB");
        assert_eq!(megabytes(200_000), "196 KB");
    }
}
