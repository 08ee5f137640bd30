//! The typed client for the server's API (routes in `fieldcase_core::wire`).
//!
//! Every answer that is not 2xx becomes an [`ApiError`] (the server's body
//! when it sent one, a plain sentence otherwise); a request that never got an
//! answer becomes [`Failure::Offline`]. The mapping is pure and tested on the
//! host; the calls themselves exist only in the browser.

use fieldcase_core::wire::IntakeStatus;
use fieldcase_i18n::t;

use crate::json::{self, Json};

/// The server's error body (`fieldcase_core::wire::ApiError`), as the app keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// A sentence for a person, saying what to fix.
    pub message: String,
    /// Per-field messages: `(field API name, message)`.
    pub fields: Vec<(String, String)>,
}

/// Said whenever the server could not be reached.
pub const OFFLINE_MESSAGE: &str = t!(
    "You're offline or the server can't be reached — your work is saved on this phone; try again."
);

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
        let error = match read_api_error(body) {
            Some(e) if !e.message.trim().is_empty() => e,
            Some(e) => ApiError {
                message: fallback_message(status).to_owned(),
                ..e
            },
            None => ApiError {
                code: fallback_code(status).to_owned(),
                message: fallback_message(status).to_owned(),
                fields: Default::default(),
            },
        };
        Failure::Api { status, error }
    }

    /// A 2xx answer the app cannot read (a server from another version).
    pub fn unreadable() -> Failure {
        Failure::from_response(500, "")
    }
}

/// The one error shape, `{code, message, fields}`.
fn read_api_error(body: &str) -> Option<ApiError> {
    let v = json::parse(body)?;
    let mut fields = Vec::new();
    for (k, m) in v.opt("fields", Json::obj)?.unwrap_or_default() {
        fields.push((k.clone(), m.str()?.to_owned()));
    }
    Some(ApiError {
        code: v.get("code")?.str()?.to_owned(),
        message: v.get("message")?.str()?.to_owned(),
        fields,
    })
}

/// `POST /assets/{token}/photos`: the receipt's hash and size.
pub fn read_photo_receipt(body: &str) -> Option<(String, u64)> {
    let v = json::parse(body)?;
    Some((v.get("sha256")?.str()?.to_owned(), v.get("bytes")?.u64()?))
}

/// `PUT /intakes/{id}` (and its receipt read back): what the technician is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// `FC-XXXX-XXXX`.
    pub reference: String,
    pub photo_count: u32,
    /// `submitted` after a Submit: a dispatcher reviews it before it is a case.
    pub status: IntakeStatus,
    /// Once `written`.
    pub case_number: Option<String>,
}

pub fn read_receipt(body: &str) -> Option<Receipt> {
    let v = json::parse(body)?;
    Some(Receipt {
        reference: v.get("reference")?.str()?.to_owned(),
        photo_count: v.get("photo_count")?.u32()?,
        status: IntakeStatus::parse(v.get("status")?.str()?)?,
        case_number: v.opt("case_number", Json::str)?.map(str::to_owned),
    })
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
        404 => t!("The server doesn't know this page."),
        413 => t!("That is too large for the server to accept."),
        429 => {
            t!(
                "The server is busy; wait a minute, then try again. Your work is saved on this phone."
            )
        }
        502..=504 => OFFLINE_MESSAGE,
        _ => {
            t!(
                "Something went wrong on the server; your work is saved on this phone — try again in a moment."
            )
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
    p.push_str(crate::draft::uuid_str(id, &mut [0; 36]));
    p
}

#[cfg(target_arch = "wasm32")]
pub use browser::*;

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::*;

    /// The body of a 2xx answer; every other outcome as a [`Failure`].
    async fn send(
        method: &str,
        path: &str,
        body: Option<&JsValue>,
        json: bool,
    ) -> Result<String, Failure> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new().map_err(|_| Failure::Offline)?;
        let _ = headers.set("Accept", "application/json");
        if json {
            let _ = headers.set("Content-Type", "application/json");
        }
        init.set_headers(&headers);
        if let Some(body) = body {
            init.set_body(body);
        }
        let window = web_sys::window().ok_or(Failure::Offline)?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(path, &init))
                .await
                .map_err(|_| Failure::Offline)?
                .unchecked_into();
        let status = response.status();
        // A body cut off mid-way is a network failure too.
        let text = response.text().map_err(|_| Failure::Offline)?;
        let body = JsFuture::from(text)
            .await
            .map_err(|_| Failure::Offline)?
            .as_string()
            .unwrap_or_default();
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(Failure::from_response(status, &body))
        }
    }

    fn read<T>(body: Result<String, Failure>, read: fn(&str) -> Option<T>) -> Result<T, Failure> {
        read(&body?).ok_or_else(Failure::unreadable)
    }

    /// `GET /assets/{token}`: the context, read and as sent.
    pub async fn intake_context(token: &str) -> Result<crate::context::Ctx, Failure> {
        read(
            send("GET", &asset_path(token, ""), None, false).await,
            crate::context::Ctx::parse,
        )
    }

    /// `PUT /intakes/{id}` with the submission (JSON text from the review engine).
    pub async fn submit(id: &uuid::Uuid, submission: &str) -> Result<Receipt, Failure> {
        let body = JsValue::from_str(submission);
        read(
            send("PUT", &intake_path(id), Some(&body), true).await,
            read_receipt,
        )
    }

    /// `POST /assets/{token}/structure`: the JSON as it came (the review
    /// engine reads it, with the notes it answered: `draft::with_server`).
    pub async fn structure(token: &str, body: &str) -> Result<String, Failure> {
        let body = JsValue::from_str(body);
        read(
            send("POST", &asset_path(token, "/structure"), Some(&body), true).await,
            |body| crate::json::parse(body).and_then(|v| v.obj().map(|_| body.to_owned())),
        )
    }

    /// `GET /assets/{token}/intakes/{id}/receipt`: only its asset's link reads it.
    pub async fn intake(token: &str, id: &uuid::Uuid) -> Result<Receipt, Failure> {
        let mut path = asset_path(token, "/intakes/");
        path.push_str(crate::draft::uuid_str(id, &mut [0; 36]));
        path.push_str("/receipt");
        read(send("GET", &path, None, false).await, read_receipt)
    }

    /// `GET /assets/{token}/intakes`: the technician's recent submissions here.
    /// `GET /assets/{token}/intakes`: the JSON as it came (the review engine
    /// reads and draws it: `OP_RECENT`).
    pub async fn submissions(token: &str) -> Result<String, Failure> {
        read(
            send("GET", &asset_path(token, "/intakes"), None, false).await,
            |body| crate::json::parse(body).and_then(|v| v.arr().map(|_| body.to_owned())),
        )
    }

    /// `GET /assets/{token}/intakes/{id}`: one of them, to amend.
    /// The JSON as it came (the review engine reads it: `OP_AMEND`).
    pub async fn submission(token: &str, id: &uuid::Uuid) -> Result<String, Failure> {
        let mut path = asset_path(token, "/intakes/");
        path.push_str(crate::draft::uuid_str(id, &mut [0; 36]));
        read(send("GET", &path, None, false).await, |body| {
            crate::json::parse(body).and_then(|v| v.obj().map(|_| body.to_owned()))
        })
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
        assert_eq!(
            error.fields,
            vec![("Subject".to_owned(), "Subject is required.".to_owned())]
        );
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
    fn answers_are_read_as_the_server_writes_them() {
        use fieldcase_core::wire::{IntakeReceipt, PhotoReceipt};
        let receipt = IntakeReceipt {
            id: uuid::Uuid::from_u128(1),
            reference: "FC-7K3M-9QXD".into(),
            status: IntakeStatus::Submitted,
            submitted_at: "2025-01-01T00:00:00Z".into(),
            photo_count: 2,
            replayed: false,
            case_number: None,
            case_url: None,
            problems: Default::default(),
        };
        let text = serde_json::to_string(&receipt).unwrap();
        assert_eq!(
            read_receipt(&text),
            Some(Receipt {
                reference: "FC-7K3M-9QXD".into(),
                photo_count: 2,
                status: IntakeStatus::Submitted,
                case_number: None,
            })
        );
        // Every status, the returned one too; a written one with its case.
        for status in IntakeStatus::ALL {
            let r = IntakeReceipt {
                status,
                case_number: Some("00001027".into()),
                replayed: true,
                ..receipt.clone()
            };
            let read = read_receipt(&serde_json::to_string(&r).unwrap()).unwrap();
            assert_eq!(read.status, status);
            assert_eq!(read.case_number.as_deref(), Some("00001027"));
        }
        let mut v = serde_json::to_value(&receipt).unwrap();
        v["status"] = "lost".into();
        assert_eq!(read_receipt(&v.to_string()), None);
        let photo = PhotoReceipt {
            sha256: "ab".repeat(32),
            content_type: "image/png".into(),
            width: 4,
            height: 3,
            bytes: 1234,
        };
        let text = serde_json::to_string(&photo).unwrap();
        assert_eq!(read_photo_receipt(&text), Some(("ab".repeat(32), 1234)));
        assert_eq!(read_receipt("{}"), None);
        assert_eq!(Failure::unreadable().code(), "server_error");
    }

    #[test]
    fn paths_follow_the_route_table() {
        assert_eq!(asset_path("ABC", ""), "/api/v1/assets/ABC");
        assert_eq!(asset_path("ABC", "/photos"), "/api/v1/assets/ABC/photos");
        assert_eq!(asset_path("ABC", "/intakes"), "/api/v1/assets/ABC/intakes");
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
