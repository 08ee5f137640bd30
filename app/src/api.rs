//! The typed client for the server's API (routes in `fieldcase_core::wire`).
//!
//! Every answer that is not 2xx becomes an [`ApiError`] (the server's body
//! when it sent one, a plain sentence otherwise); a request that never got an
//! answer becomes [`Failure::Offline`]. The mapping is pure and tested on the
//! host; the calls themselves exist only in the browser.

use fieldcase_core::wire::ApiError;

/// Said whenever the server could not be reached.
pub const OFFLINE_MESSAGE: &str =
    "You're offline or the server can't be reached — your work is saved on this phone; try again.";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer: no signal, server down, request cut.
    Offline,
    /// The server answered with an error.
    Api { status: u16, error: ApiError },
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Offline => OFFLINE_MESSAGE,
            Failure::Api { error, .. } => &error.message,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Offline => None,
            Failure::Api { status, .. } => Some(*status),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Failure::Offline => "offline",
            Failure::Api { error, .. } => &error.code,
        }
    }

    /// The server's answer for a non-2xx response.
    pub fn from_response(status: u16, body: &str) -> Failure {
        let error = match serde_json::from_str::<ApiError>(body) {
            Ok(e) if !e.message.trim().is_empty() => e,
            Ok(e) => ApiError {
                message: fallback_message(status).to_owned(),
                ..e
            },
            Err(_) => ApiError {
                code: fallback_code(status).to_owned(),
                message: fallback_message(status).to_owned(),
                fields: Default::default(),
            },
        };
        Failure::Api { status, error }
    }
}

fn fallback_code(status: u16) -> &'static str {
    match status {
        404 => "not_found",
        413 => "too_large",
        429 => "too_many_requests",
        500..=599 => "server_error",
        _ => "http_error",
    }
}

/// A sentence for answers without a readable body (a proxy's error page…).
fn fallback_message(status: u16) -> &'static str {
    match status {
        404 => "The server doesn't know this page.",
        413 => "That is too large for the server to accept.",
        429 => {
            "The server is busy; wait a minute, then try again. Your work is saved on this phone."
        }
        502..=504 => OFFLINE_MESSAGE,
        _ => {
            "Something went wrong on the server; your work is saved on this phone — try again in a moment."
        }
    }
}

/// `{API_PREFIX}/assets/{token}` and friends.
pub fn asset_path(token: &str, rest: &str) -> String {
    let mut p = String::from(fieldcase_core::wire::API_PREFIX);
    p.push_str("/assets/");
    p.push_str(token);
    p.push_str(rest);
    p
}

/// The thumbnail of an uploaded photo.
pub fn thumb_path(token: &str, sha256: &str) -> String {
    let mut p = asset_path(token, "/photos/");
    p.push_str(sha256);
    p.push_str("/thumb");
    p
}

pub fn intake_path(id: &uuid::Uuid) -> String {
    let mut p = String::from(fieldcase_core::wire::API_PREFIX);
    p.push_str("/intakes/");
    p.push_str(&id.to_string());
    p
}

#[cfg(target_arch = "wasm32")]
pub use browser::*;

#[cfg(target_arch = "wasm32")]
mod browser {
    use fieldcase_core::wire::{IntakeContext, IntakeReceipt, IntakeSubmission, PhotoReceipt};
    use gloo_net::http::Request;
    use serde::de::DeserializeOwned;

    use super::*;

    /// The body of a 2xx answer; every other outcome as a [`Failure`].
    /// (Not generic: one copy of this state machine serves every route.)
    async fn body(req: Result<Request, gloo_net::Error>) -> Result<String, Failure> {
        let response = match req {
            Ok(r) => r.send().await.map_err(|_| Failure::Offline)?,
            Err(_) => return Err(Failure::Offline),
        };
        let status = response.status();
        // A body cut off mid-way is a network failure too.
        let body = response.text().await.map_err(|_| Failure::Offline)?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(Failure::from_response(status, &body))
        }
    }

    fn parse<T: DeserializeOwned>(body: Result<String, Failure>) -> Result<T, Failure> {
        serde_json::from_str(&body?).map_err(|_| Failure::from_response(500, ""))
    }

    fn get(path: &str) -> Result<Request, gloo_net::Error> {
        Request::get(path)
            .header("Accept", "application/json")
            .build()
    }

    /// `GET /assets/{token}`.
    pub async fn intake_context(token: &str) -> Result<IntakeContext, Failure> {
        parse(body(get(&asset_path(token, ""))).await)
    }

    /// `POST /assets/{token}/photos`, one file per request.
    pub async fn upload_photo(token: &str, file: &web_sys::File) -> Result<PhotoReceipt, Failure> {
        let form = web_sys::FormData::new().map_err(|_| Failure::Offline)?;
        form.append_with_blob_and_filename("photo", file, &file.name())
            .map_err(|_| Failure::Offline)?;
        let req = Request::post(&asset_path(token, "/photos"))
            .header("Accept", "application/json")
            .body(form);
        parse(body(req).await)
    }

    /// `PUT /intakes/{id}`.
    pub async fn submit(sub: &IntakeSubmission) -> Result<IntakeReceipt, Failure> {
        let req = Request::put(&intake_path(&sub.id))
            .header("Accept", "application/json")
            .json(sub);
        parse(body(req).await)
    }

    /// `GET /intakes/{id}`.
    pub async fn intake(id: &uuid::Uuid) -> Result<IntakeReceipt, Failure> {
        parse(body(get(&intake_path(id))).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_keep_code_message_and_fields() {
        let body = r#"{"code":"validation_failed","message":"Fix the fields.","fields":{"Subject":"Subject is required."}}"#;
        let f = Failure::from_response(422, body);
        assert_eq!(f.status(), Some(422));
        assert_eq!(f.code(), "validation_failed");
        assert_eq!(f.message(), "Fix the fields.");
        let Failure::Api { error, .. } = f else {
            panic!()
        };
        assert_eq!(error.fields.get("Subject"), Some("Subject is required."));
    }

    #[test]
    fn unreadable_error_bodies_still_say_something_useful() {
        let f = Failure::from_response(502, "<html>Bad gateway</html>");
        assert_eq!(f.message(), OFFLINE_MESSAGE);
        assert_eq!(f.code(), "server_error");
        let f = Failure::from_response(500, "");
        assert!(
            f.message().contains("saved on this phone"),
            "{}",
            f.message()
        );
        let f = Failure::from_response(404, r#"{"code":"asset_inactive","message":""}"#);
        assert_eq!(f.code(), "asset_inactive");
        assert!(!f.message().is_empty());
        assert!(Failure::Offline.message().contains("offline"));
    }

    #[test]
    fn paths_follow_the_route_table() {
        assert_eq!(asset_path("ABC", ""), "/api/v1/assets/ABC");
        assert_eq!(asset_path("ABC", "/photos"), "/api/v1/assets/ABC/photos");
        assert_eq!(
            thumb_path("ABC", "ff"),
            "/api/v1/assets/ABC/photos/ff/thumb"
        );
        assert_eq!(
            intake_path(&uuid::Uuid::nil()),
            "/api/v1/intakes/00000000-0000-0000-0000-000000000000"
        );
    }
}
