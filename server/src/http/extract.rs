//! axum's extractors, with rejections turned into [`Error`]s, so a malformed
//! body or path gets the same `ApiError` shape — and a message saying what
//! to fix — as every other failure.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, megabytes};

/// A JSON body; a bad one answers `bad_json` with serde's line and column.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // For a 413's message: the body's declared size and this route's limit.
        let length = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        let limit = req
            .extensions()
            .get::<JsonLimit>()
            .map_or(AXUM_DEFAULT_BODY_LIMIT, |l| l.0);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(body_too_large(length, limit))
            }
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

/// axum's body limit where a router sets none (`DefaultBodyLimit`'s default).
const AXUM_DEFAULT_BODY_LIMIT: u64 = 2 * 1024 * 1024;

/// A router's JSON body limit, for the 413's message: a router that sets
/// `DefaultBodyLimit::max(n)` also adds `Extension(JsonLimit(n))` (axum
/// keeps its own limit private).
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub u64);

/// 413 naming both sizes: "The request body is 1.4 MB; this route accepts 1 MB."
pub fn body_too_large(length: Option<u64>, limit: u64) -> Error {
    let size = match length {
        Some(n) if n > limit => format!("The request body is {}; ", megabytes(n)),
        _ => "The request body is too large: ".to_owned(),
    };
    Error::TooLarge {
        code: "body_too_large",
        message: format!(
            "{size}this route accepts up to {}. Shorten the notes and fields, and send photos \
             separately to …/photos.",
            megabytes(limit)
        ),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// axum's text is "Failed to …: <serde's detail>"; keep the detail.
fn detail(body_text: &str) -> &str {
    body_text.split_once(": ").map_or(body_text, |(_, d)| d)
}

pub fn json_rejection(rejection: &JsonRejection) -> Error {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => Error::bad_request(
            "bad_json",
            format!(
                "The request body is not valid JSON: {}. Fix the JSON and send it again.",
                detail(&e.body_text())
            ),
        ),
        JsonRejection::JsonDataError(e) => Error::bad_request(
            "bad_json",
            format!(
                "The request body is JSON, but not what this route expects: {}. \
                 Fix that value and send it again.",
                detail(&e.body_text())
            ),
        ),
        JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType {
            message: "Send the body as JSON, with the header Content-Type: application/json."
                .to_owned(),
        },
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            body_too_large(None, AXUM_DEFAULT_BODY_LIMIT)
        }
        other => Error::bad_request(
            "bad_body",
            format!(
                "The request body could not be read ({}). Send it again.",
                other.body_text()
            ),
        ),
    }
}

/// Path parameters; a bad one answers `bad_path`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

pub fn path_rejection(rejection: &PathRejection) -> Error {
    Error::bad_request(
        "bad_path",
        format!(
            "The path is not valid: {}. Check the link and try again.",
            detail(&rejection.body_text())
        ),
    )
}

pub fn multipart_rejection(rejection: &MultipartRejection) -> Error {
    Error::bad_request(
        "bad_multipart",
        format!(
            "Send the photo as multipart/form-data, in a field named `photo` ({}).",
            rejection.body_text()
        ),
    )
}
