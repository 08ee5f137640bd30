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

use crate::error::Error;

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
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
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
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge {
            code: "body_too_large",
            message: "The request body is larger than this route accepts. Shorten the notes \
                      and fields, and send photos separately to …/photos."
                .to_owned(),
        },
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
