//! Fault injection for tests, under `/__demo/` (the demo org only; no real
//! org has these routes). Faults apply to the REST API (`/services/data/…`).
//!
//! `POST /__demo/faults` with any of:
//!
//! ```json
//! {
//!   "expire_access_tokens": true,          // every live access token expires now
//!   "revoke_refresh_tokens": true,         // every refresh token is revoked (access tokens stay until they expire)
//!   "fail_next": {"status": 503, "count": 2},  // next N REST calls: 503 SERVER_UNAVAILABLE or 500 UNKNOWN_EXCEPTION
//!   "limit_exceeded_next": 1,              // next N authenticated REST calls: 403 REQUEST_LIMIT_EXCEEDED
//!   "latency_ms": 250,                     // every REST response waits this long (after the work is done)
//!   "drop_after_commit_next": 1,           // next N writes commit, then the connection closes with no response
//!   "late_after_commit_next": {"count": 1, "ms": 2000}, // next N writes commit, then answer only after ms more
//!   "after_commit_route": "POST /composite/sobjects",   // the two above count only writes to this route ("" = any)
//!   "not_createable": ["Case.Error_Code__c", "ContentVersion"] // describe says createable=false (a field, or an object); [] clears
//! }
//! ```
//!
//! A write is any call that committed a change: an sObject create, update,
//! upsert or delete, a `/composite` request with one (the case upsert), or an
//! sObject Collections request (the `ContentVersion` photo upload, `POST
//! /composite/sobjects`). `after_commit_route` takes the route as
//! `calls_by_route` names it, so a test can lose the photo upload's answer
//! and not the case upsert's.
//!
//! answers `{"faults": {...current...}, "expired_access_tokens": n, "revoked_refresh_tokens": n}`.
//! Counters given replace the current ones; fields left out keep theirs.
//! `GET /__demo/faults` shows the current faults, `POST /__demo/reset` clears
//! them all, and `GET /__demo/stats` answers
//! `{"api_calls", "api_limit", "cases", "content_versions", "calls_by_route": {"POST /composite": 1, …}, "requests": ["POST /composite", "composite: PATCH /sobjects/Case/…", …]}`.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Result, json_response};
use crate::oauth::now_ms;
use crate::server::Org;
use crate::store;

/// `fail_next`: answer the next `count` REST calls with `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailNext {
    pub status: u16,
    pub count: u32,
}

/// `late_after_commit_next`: the next `count` writes answer `ms` late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LateAnswer {
    pub count: u32,
    pub ms: u64,
}

/// The faults in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FaultState {
    pub fail_next: Option<FailNext>,
    pub limit_exceeded_next: u32,
    pub latency_ms: u64,
    pub drop_after_commit_next: u32,
    pub late_after_commit_next: Option<LateAnswer>,
    pub after_commit_route: Option<String>,
    /// `Object.Field` (or `Object`) that describe answers as not createable:
    /// the integration user's field-level security (or object permission)
    /// as a preflight would find it. Describe only: writes are not refused.
    pub not_createable: Vec<String>,
}

/// The body of `POST /__demo/faults`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    #[serde(default)]
    pub expire_access_tokens: bool,
    #[serde(default)]
    pub revoke_refresh_tokens: bool,
    pub fail_next: Option<FailNext>,
    pub limit_exceeded_next: Option<u32>,
    pub latency_ms: Option<u64>,
    pub drop_after_commit_next: Option<u32>,
    pub late_after_commit_next: Option<LateAnswer>,
    pub after_commit_route: Option<String>,
    pub not_createable: Option<Vec<String>>,
}

/// The org's faults, shared by every request.
#[derive(Debug, Default)]
pub struct Faults(Mutex<FaultState>);

impl Faults {
    fn with<T>(&self, f: impl FnOnce(&mut FaultState) -> T) -> T {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn snapshot(&self) -> FaultState {
        self.with(|s| s.clone())
    }

    pub fn reset(&self) {
        self.with(|s| *s = FaultState::default());
    }

    /// The status to fail this REST call with, if `fail_next` is armed.
    pub fn take_fail(&self) -> Option<StatusCode> {
        self.with(|s| {
            let f = s.fail_next.as_mut()?;
            if f.count == 0 {
                s.fail_next = None;
                return None;
            }
            f.count -= 1;
            let status = StatusCode::from_u16(f.status).ok();
            if f.count == 0 {
                s.fail_next = None;
            }
            status
        })
    }

    pub fn take_limit_exceeded(&self) -> bool {
        self.with(|s| take(&mut s.limit_exceeded_next))
    }

    /// Whether a write to `route` that committed loses its answer.
    pub fn take_drop_after_commit(&self, route: &str) -> bool {
        self.with(|s| s.route_matches(route) && take(&mut s.drop_after_commit_next))
    }

    /// How late a write to `route` that committed answers, if at all.
    pub fn take_late_after_commit(&self, route: &str) -> Option<Duration> {
        self.with(|s| {
            if !s.route_matches(route) {
                return None;
            }
            let late = s.late_after_commit_next.as_mut()?;
            late.count = late.count.saturating_sub(1);
            let wait = Duration::from_millis(late.ms);
            if late.count == 0 {
                s.late_after_commit_next = None;
            }
            Some(wait)
        })
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.with(|s| s.latency_ms))
    }

    fn apply(&self, r: &FaultRequest) {
        self.with(|s| {
            if let Some(f) = r.fail_next {
                s.fail_next = (f.count > 0).then_some(f);
            }
            if let Some(n) = r.limit_exceeded_next {
                s.limit_exceeded_next = n;
            }
            if let Some(ms) = r.latency_ms {
                s.latency_ms = ms;
            }
            if let Some(n) = r.drop_after_commit_next {
                s.drop_after_commit_next = n;
            }
            if let Some(late) = r.late_after_commit_next {
                s.late_after_commit_next = (late.count > 0).then_some(late);
            }
            if let Some(route) = &r.after_commit_route {
                s.after_commit_route = Some(route.clone()).filter(|r| !r.is_empty());
            }
            if let Some(names) = &r.not_createable {
                s.not_createable = names.clone();
            }
        });
    }

    /// `describe` of `object` as the faults make it: `not_createable`
    /// fields (and the object itself) answer `createable: false`.
    pub fn describe(&self, object: &str, mut describe: Value) -> Value {
        let names = self.with(|s| s.not_createable.clone());
        if names.is_empty() {
            return describe;
        }
        let hit = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        if hit(object) {
            describe["createable"] = Value::Bool(false);
        }
        if let Some(fields) = describe.get_mut("fields").and_then(Value::as_array_mut) {
            for f in fields {
                let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
                if hit(&format!("{object}.{name}")) {
                    f["createable"] = Value::Bool(false);
                    f["updateable"] = Value::Bool(false);
                }
            }
        }
        describe
    }
}

impl FaultState {
    fn route_matches(&self, route: &str) -> bool {
        self.after_commit_route
            .as_deref()
            .is_none_or(|r| r == route)
    }
}

fn take(n: &mut u32) -> bool {
    if *n > 0 {
        *n -= 1;
        true
    } else {
        false
    }
}

/// A response whose body fails at once: hyper closes the connection before
/// anything (even the status line) reaches the client, which sees the
/// connection end with no response — what a network failure after a commit
/// looks like.
pub fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "demo org fault injection: connection dropped after commit",
        ))
    });
    Response::new(Body::from_stream(stream))
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &json!({"error": message.into()}))
}

/// `POST /__demo/faults`.
pub async fn post_faults(State(org): State<Org>, body: Bytes) -> Response {
    let req: FaultRequest = if body.iter().all(u8::is_ascii_whitespace) {
        FaultRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return admin_error(
                    StatusCode::BAD_REQUEST,
                    format!("invalid fault request: {e}"),
                );
            }
        }
    };
    if let Some(f) = req.fail_next
        && !matches!(f.status, 500 | 503)
    {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "fail_next.status must be 500 or 503",
        );
    }
    match apply(&org, &req).await {
        Ok((expired, revoked)) => {
            if expired > 0 || revoked > 0 {
                tracing::info!(expired, revoked, "fault injection: tokens invalidated");
            }
            json_response(
                StatusCode::OK,
                &json!({
                    "faults": org.faults.snapshot(),
                    "expired_access_tokens": expired,
                    "revoked_refresh_tokens": revoked,
                }),
            )
        }
        Err(e) => e.into_response(),
    }
}

async fn apply(org: &Org, req: &FaultRequest) -> Result<(u64, u64)> {
    let mut expired = 0;
    let mut revoked = 0;
    if req.expire_access_tokens || req.revoke_refresh_tokens {
        let mut tx = org.store.write().await?;
        if req.expire_access_tokens {
            expired = store::expire_access_tokens(&mut tx, now_ms()).await?;
        }
        if req.revoke_refresh_tokens {
            revoked = store::revoke_refresh_tokens(&mut tx).await?;
        }
        tx.commit().await?;
    }
    org.faults.apply(req);
    Ok((expired, revoked))
}

/// `GET /__demo/faults`.
pub async fn get_faults(State(org): State<Org>) -> Response {
    json_response(StatusCode::OK, &json!(org.faults.snapshot()))
}

/// `POST /__demo/reset`: no faults.
pub async fn reset(State(org): State<Org>) -> Response {
    org.faults.reset();
    json_response(StatusCode::OK, &json!({"faults": org.faults.snapshot()}))
}

/// `GET /__demo/stats`.
pub async fn stats(State(org): State<Org>) -> Response {
    match stats_json(&org).await {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => e.into_response(),
    }
}

async fn stats_json(org: &Org) -> Result<Value> {
    let mut conn = org.store.read().await?;
    let cases = store::count_records(&mut conn, "Case").await?;
    let versions = store::count_records(&mut conn, "ContentVersion").await?;
    let mut by_route = Map::new();
    for (route, calls) in store::api_calls(&mut conn).await? {
        by_route.insert(route, Value::from(calls));
    }
    Ok(json!({
        "api_calls": org.api_used(),
        "api_limit": org.api_limit,
        "cases": cases,
        "content_versions": versions,
        "calls_by_route": by_route,
        "requests": org.requests.lock().unwrap_or_else(|e| e.into_inner()).clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_run_down() {
        let f = Faults::default();
        f.apply(&FaultRequest {
            fail_next: Some(FailNext {
                status: 503,
                count: 2,
            }),
            limit_exceeded_next: Some(1),
            ..FaultRequest::default()
        });
        assert_eq!(f.take_fail(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(f.take_fail(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(f.take_fail(), None);
        assert!(f.take_limit_exceeded());
        assert!(!f.take_limit_exceeded());
        assert_eq!(f.snapshot(), FaultState::default());
    }

    #[test]
    fn after_commit_faults_can_be_kept_for_one_route() {
        let f = Faults::default();
        f.apply(&FaultRequest {
            drop_after_commit_next: Some(1),
            late_after_commit_next: Some(LateAnswer { count: 1, ms: 5 }),
            after_commit_route: Some("POST /composite/sobjects".into()),
            ..FaultRequest::default()
        });
        assert!(!f.take_drop_after_commit("POST /composite"));
        assert_eq!(f.take_late_after_commit("POST /composite"), None);
        assert!(f.take_drop_after_commit("POST /composite/sobjects"));
        assert_eq!(
            f.take_late_after_commit("POST /composite/sobjects"),
            Some(Duration::from_millis(5))
        );
        assert_eq!(f.take_late_after_commit("POST /composite/sobjects"), None);
        f.apply(&FaultRequest {
            after_commit_route: Some(String::new()),
            ..FaultRequest::default()
        });
        assert_eq!(f.snapshot(), FaultState::default());
    }
}
