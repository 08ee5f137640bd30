//! Salesforce's REST API over HTTP: requests against an injected instance URL
//! with a timeout, and every answer sorted into what the caller can do about
//! it ([`CallError`]): refresh the session, retry later, or stop and show a
//! person Salesforce's message.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

/// A Salesforce error, from the REST envelope `[{message, errorCode, fields}]`
/// or the sObject Collections shape `{statusCode, message, fields}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfError {
    pub code: String,
    pub message: String,
    pub fields: Vec<String>,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// 401 `INVALID_SESSION_ID`: the access token expired or was revoked.
    InvalidSession,
    /// Worth trying again later: the network, a timeout, a 5xx,
    /// `REQUEST_LIMIT_EXCEEDED`, a locked row. The text names the cause
    /// (never a token, never a field's value).
    Transient(String),
    /// Salesforce refused the request as it is.
    Rejected(Vec<SfError>),
}

impl CallError {
    /// A short description for logs and the queue: codes and field names only.
    pub fn summary(&self) -> String {
        match self {
            CallError::InvalidSession => "INVALID_SESSION_ID".to_owned(),
            CallError::Transient(cause) => cause.clone(),
            CallError::Rejected(errors) => summarize(errors),
        }
    }
}

/// `CODE [Field, Field]; CODE` — what a log line or the queue may hold.
pub fn summarize(errors: &[SfError]) -> String {
    errors
        .iter()
        .map(|e| {
            if e.fields.is_empty() {
                e.code.clone()
            } else {
                format!("{} [{}]", e.code, e.fields.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Error codes that go away by themselves.
pub fn is_transient_code(code: &str) -> bool {
    matches!(
        code,
        "REQUEST_LIMIT_EXCEEDED"
            | "UNABLE_TO_LOCK_ROW"
            | "SERVER_UNAVAILABLE"
            | "UNKNOWN_EXCEPTION"
            | "REQUEST_RUNNING_TOO_LONG"
            | "QUERY_TIMEOUT"
            | "TXN_SECURITY_METERING_ERROR"
    )
}

/// Sort a list of Salesforce errors: a session error first, then anything
/// passing, else a rejection.
pub fn classify_errors(errors: Vec<SfError>) -> CallError {
    if errors.iter().any(|e| e.code == "INVALID_SESSION_ID") {
        return CallError::InvalidSession;
    }
    if let Some(e) = errors.iter().find(|e| is_transient_code(&e.code)) {
        return CallError::Transient(e.code.clone());
    }
    CallError::Rejected(errors)
}

/// Errors in either of Salesforce's shapes (a list, or one object).
pub fn parse_errors(body: &Value) -> Vec<SfError> {
    let one = |v: &Value| -> Option<SfError> {
        let code = v
            .get("errorCode")
            .or_else(|| v.get("statusCode"))
            .and_then(Value::as_str)?;
        Some(SfError {
            code: code.to_owned(),
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            fields: v
                .get("fields")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    };
    match body {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

/// One org's REST API, as one user (the access token).
#[derive(Clone, Copy)]
pub struct Api<'a> {
    http: &'a reqwest::Client,
    instance_url: &'a str,
    version: &'a str,
    token: &'a str,
}

impl std::fmt::Debug for Api<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("instance_url", &self.instance_url)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl<'a> Api<'a> {
    /// `version` like `64.0`; `instance_url` without a trailing slash.
    pub fn new(
        http: &'a reqwest::Client,
        instance_url: &'a str,
        version: &'a str,
        token: &'a str,
    ) -> Self {
        Api {
            http,
            instance_url: instance_url.trim_end_matches('/'),
            version: version.trim_start_matches('v'),
            token,
        }
    }

    /// `/services/data/vXX.X` + `path`: what composite subrequests name.
    pub fn data_path(&self, path: &str) -> String {
        format!("/services/data/v{}{path}", self.version)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.instance_url, self.data_path(path))
    }

    pub async fn get_json(&self, path: &str) -> Result<Value, CallError> {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, CallError> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Result<Value, CallError> {
        self.send(self.http.post(self.url(path)).multipart(form))
            .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, CallError> {
        let response = request
            .bearer_auth(self.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| CallError::Transient(transport_failure(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| CallError::Transient(transport_failure(&e)))?;
        classify(status, &body)
    }
}

/// A status and body → the JSON answer, or why not.
pub fn classify(status: StatusCode, body: &[u8]) -> Result<Value, CallError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if status.is_success() {
        return Ok(json.unwrap_or(Value::Null));
    }
    let errors = json.as_ref().map(parse_errors).unwrap_or_default();
    if status == StatusCode::UNAUTHORIZED {
        return Err(CallError::InvalidSession);
    }
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        let code = errors.first().map_or("", |e| e.code.as_str());
        return Err(CallError::Transient(format!(
            "HTTP {}{}{code}",
            status.as_u16(),
            if code.is_empty() { "" } else { " " }
        )));
    }
    if errors.is_empty() {
        // A 4xx without Salesforce's envelope: a proxy, or a wrong URL.
        return Err(CallError::Rejected(vec![SfError {
            code: format!("HTTP_{}", status.as_u16()),
            message: format!(
                "Salesforce answered {status} without an error description; check the \
                 instance URL and API version."
            ),
            fields: Vec::new(),
        }]));
    }
    Err(classify_errors(errors))
}

/// What went wrong on the wire, in a few words.
pub fn transport_failure(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer".to_owned()
    } else {
        "the connection failed (no answer)".to_owned()
    }
}

/// An HTTP client for Salesforce: no redirects followed (a token must not
/// travel to a host we did not choose), and a timeout on every request.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .user_agent(concat!("fieldcase/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified() {
        assert_eq!(
            classify(StatusCode::OK, br#"{"id":"500"}"#).unwrap()["id"],
            "500"
        );
        assert_eq!(
            classify(
                StatusCode::UNAUTHORIZED,
                br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
            ),
            Err(CallError::InvalidSession)
        );
        assert_eq!(
            classify(
                StatusCode::FORBIDDEN,
                br#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#
            ),
            Err(CallError::Transient("REQUEST_LIMIT_EXCEEDED".into()))
        );
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, b"<html>down</html>"),
            Err(CallError::Transient("HTTP 503".into()))
        );
        let Err(CallError::Rejected(errors)) = classify(
            StatusCode::BAD_REQUEST,
            br#"[{"message":"Subject: data value too large: xxx (max length=255)","errorCode":"STRING_TOO_LONG","fields":["Subject"]}]"#,
        ) else {
            panic!("a rejection");
        };
        assert_eq!(errors[0].code, "STRING_TOO_LONG");
        assert_eq!(errors[0].fields, ["Subject"]);
        assert_eq!(summarize(&errors), "STRING_TOO_LONG [Subject]");
    }

    #[test]
    fn collection_errors_use_status_code() {
        let errors = parse_errors(&serde_json::json!([
            {"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [PathOnClient]", "fields": ["PathOnClient"]}
        ]));
        assert_eq!(errors[0].code, "REQUIRED_FIELD_MISSING");
        assert_eq!(errors[0].fields, ["PathOnClient"]);
    }
}
