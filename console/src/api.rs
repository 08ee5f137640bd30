//! The typed client for the staff routes (`fieldcase_core::console`).
//!
//! Every answer that is not 2xx becomes a [`Failure::Api`] carrying the
//! server's [`ApiError`] (a plain sentence when the body is not one); a
//! request that got no answer is [`Failure::Offline`]. Paths, decoding and
//! the error mapping are pure and tested on the host; the calls (one per
//! route, same-origin `fetch` with `credentials: same-origin` and JSON bodies)
//! exist only in the browser.

use fieldcase_core::wire::{API_PREFIX, ApiError};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Said when the server could not be reached.
pub const OFFLINE_MESSAGE: &str =
    "The server can't be reached; check your connection and try again.";

/// Shown on the sign-in page after a 401 elsewhere.
pub const SESSION_ENDED: &str = "Your session has ended; sign in again.";

/// The code of a 409 on an edit or action made on an old revision.
pub const STALE_REVISION: &str = "stale_revision";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Offline,
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

    /// The per-field messages of a refused edit.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Failure::Offline => None,
            Failure::Api { error, .. } => error.fields.get(field),
        }
    }

    /// Every per-field (or per-path) message, sorted by field or path.
    pub fn field_messages(&self) -> Vec<(String, String)> {
        match self {
            Failure::Offline => Vec::new(),
            Failure::Api { error, .. } => error
                .fields
                .0
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The session is gone: go to sign-in.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// Someone else changed the intake first.
    pub fn is_stale(&self) -> bool {
        self.status() == Some(409) && self.code() == STALE_REVISION
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
                code: format!("http_{status}"),
                message: fallback_message(status).to_owned(),
                fields: Default::default(),
            },
        };
        Failure::Api { status, error }
    }
}

fn fallback_message(status: u16) -> &'static str {
    match status {
        401 => SESSION_ENDED,
        403 => "You don't have permission to do that.",
        404 => "That was not found; it may have been removed.",
        409 => "Someone changed this first; reload the latest.",
        429 => "Too many requests; wait a moment and try again.",
        500..=599 => "The server had a problem; try again in a moment.",
        _ => "The server refused the request.",
    }
}

/// A 2xx body read as `T`; anything else as the server's error.
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, Failure> {
    if (200..300).contains(&status) {
        // A 204 answers no body: read it as JSON `null` (for `()`).
        let body = if body.trim().is_empty() { "null" } else { body };
        serde_json::from_str(body).map_err(|_| Failure::Api {
            status,
            error: ApiError {
                code: "unreadable_answer".to_owned(),
                message: "The server's answer could not be read; reload the page.".to_owned(),
                fields: Default::default(),
            },
        })
    } else {
        Err(Failure::from_response(status, body))
    }
}

/// Every path the console calls, under `/api/v1`.
pub mod path {
    use super::*;

    pub fn session() -> String {
        format!("{API_PREFIX}/session")
    }
    pub fn accept() -> String {
        format!("{API_PREFIX}/invitations/accept")
    }
    pub fn schema() -> String {
        format!("{API_PREFIX}/console/schema")
    }
    /// `query` from [`crate::query::queue_query_string`].
    pub fn queue(query: &str) -> String {
        format!("{API_PREFIX}/console/intakes{query}")
    }
    pub fn intake(id: &Uuid) -> String {
        format!("{API_PREFIX}/console/intakes/{id}")
    }
    /// `action`: `approve`, `reject` or `return`.
    pub fn intake_action(id: &Uuid, action: &str) -> String {
        format!("{API_PREFIX}/console/intakes/{id}/{action}")
    }
    pub fn bulk() -> String {
        format!("{API_PREFIX}/console/intakes/bulk")
    }
    pub fn events() -> String {
        format!("{API_PREFIX}/console/events")
    }
    pub fn audit(query: &str) -> String {
        format!("{API_PREFIX}/admin/audit{query}")
    }
    pub fn audit_csv(query: &str) -> String {
        format!("{API_PREFIX}/admin/audit.csv{query}")
    }
    pub fn users() -> String {
        format!("{API_PREFIX}/admin/users")
    }
    pub fn invitations() -> String {
        format!("{API_PREFIX}/admin/invitations")
    }
    pub fn user(id: &Uuid) -> String {
        format!("{API_PREFIX}/admin/users/{id}")
    }
    pub fn portals() -> String {
        format!("{API_PREFIX}/admin/portals")
    }
    pub fn portal_action(id: &Uuid, action: &str) -> String {
        format!("{API_PREFIX}/admin/portals/{id}/{action}")
    }
    pub fn policy() -> String {
        format!("{API_PREFIX}/admin/policy")
    }
    pub fn policy_versions() -> String {
        format!("{API_PREFIX}/admin/policy/versions")
    }
    pub fn policy_dry_run() -> String {
        format!("{API_PREFIX}/admin/policy/dry-run")
    }
    pub fn assets(query: &str) -> String {
        format!("{API_PREFIX}/admin/assets{query}")
    }
    pub fn asset(id: &Uuid) -> String {
        format!("{API_PREFIX}/admin/assets/{id}")
    }
    /// `retire`, `rotate`, `label.svg`, `label.png`.
    pub fn asset_action(id: &Uuid, action: &str) -> String {
        format!("{API_PREFIX}/admin/assets/{id}/{action}")
    }
    /// `csv?mode=…` or `salesforce`.
    pub fn asset_import(what: &str) -> String {
        format!("{API_PREFIX}/admin/asset-imports/{what}")
    }
    pub fn mcp_grants() -> String {
        format!("{API_PREFIX}/admin/mcp/grants")
    }
    pub fn mcp_grant_revoke(id: &Uuid) -> String {
        format!("{API_PREFIX}/admin/mcp/grants/{id}/revoke")
    }
}

#[cfg(target_arch = "wasm32")]
pub use calls::*;

#[cfg(target_arch = "wasm32")]
mod calls {
    use fieldcase_core::CaseSchema;
    use fieldcase_core::assets::{AdminAsset, AssetInput, AssetPage, ImportMode, ImportReport};
    use fieldcase_core::console::*;
    use fieldcase_core::embed::{NewPortal, Portal, PortalSecret};
    use fieldcase_core::policy::{CurrentPolicy, DryRun, Policy, PolicyVersion};
    use gloo_net::http::{Request, RequestBuilder};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use uuid::Uuid;
    use web_sys::RequestCredentials;

    use super::{Failure, decode, path};
    use crate::query::{audit_query_string, queue_query_string};

    fn same_origin(b: RequestBuilder) -> RequestBuilder {
        b.credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json")
    }

    async fn send<T: DeserializeOwned>(
        req: Result<Request, gloo_net::Error>,
    ) -> Result<T, Failure> {
        let req = req.map_err(|_| Failure::Offline)?;
        let resp = req.send().await.map_err(|_| Failure::Offline)?;
        let status = resp.status();
        let body = resp.text().await.map_err(|_| Failure::Offline)?;
        decode(status, &body)
    }

    async fn get<T: DeserializeOwned>(url: &str) -> Result<T, Failure> {
        send(same_origin(Request::get(url)).build()).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, Failure> {
        send(same_origin(Request::post(url)).json(body)).await
    }

    async fn patch<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, Failure> {
        send(same_origin(Request::patch(url)).json(body)).await
    }

    pub async fn sign_in(body: &SignIn) -> Result<StaffUser, Failure> {
        post(&path::session(), body).await
    }
    pub async fn session() -> Result<StaffUser, Failure> {
        get(&path::session()).await
    }
    pub async fn sign_out() -> Result<(), Failure> {
        send(same_origin(Request::delete(&path::session())).build()).await
    }
    pub async fn accept_invitation(body: &AcceptInvitation) -> Result<StaffUser, Failure> {
        post(&path::accept(), body).await
    }
    pub async fn schema() -> Result<CaseSchema, Failure> {
        get(&path::schema()).await
    }
    pub async fn queue(q: &QueueQuery) -> Result<QueuePage, Failure> {
        get(&path::queue(&queue_query_string(q))).await
    }
    pub async fn intake(id: &Uuid) -> Result<IntakeDetail, Failure> {
        get(&path::intake(id)).await
    }
    pub async fn edit_intake(id: &Uuid, body: &FieldEdit) -> Result<IntakeDetail, Failure> {
        patch(&path::intake(id), body).await
    }
    pub async fn redact(id: &Uuid, body: &Redact) -> Result<IntakeDetail, Failure> {
        post(&path::intake_action(id, "redact"), body).await
    }
    pub async fn approve(id: &Uuid, body: &Approve) -> Result<IntakeDetail, Failure> {
        post(&path::intake_action(id, "approve"), body).await
    }
    pub async fn reject(id: &Uuid, body: &Reject) -> Result<IntakeDetail, Failure> {
        post(&path::intake_action(id, "reject"), body).await
    }
    pub async fn return_to_technician(id: &Uuid, body: &Return) -> Result<IntakeDetail, Failure> {
        post(&path::intake_action(id, "return"), body).await
    }
    pub async fn bulk(body: &BulkAction) -> Result<BulkOutcome, Failure> {
        post(&path::bulk(), body).await
    }
    pub async fn audit(q: &AuditQuery) -> Result<AuditPage, Failure> {
        get(&path::audit(&audit_query_string(q))).await
    }
    pub async fn users() -> Result<Vec<StaffUser>, Failure> {
        get(&path::users()).await
    }
    pub async fn invite(body: &Invite) -> Result<Invitation, Failure> {
        post(&path::invitations(), body).await
    }
    pub async fn change_user(id: &Uuid, body: &UserChange) -> Result<StaffUser, Failure> {
        patch(&path::user(id), body).await
    }
    pub async fn portals() -> Result<Vec<Portal>, Failure> {
        get(&path::portals()).await
    }
    pub async fn add_portal(body: &NewPortal) -> Result<PortalSecret, Failure> {
        post(&path::portals(), body).await
    }
    pub async fn rotate_portal(id: &Uuid) -> Result<PortalSecret, Failure> {
        post(&path::portal_action(id, "rotate"), &serde_json::json!({})).await
    }
    pub async fn disable_portal(id: &Uuid) -> Result<Portal, Failure> {
        post(&path::portal_action(id, "disable"), &serde_json::json!({})).await
    }
    pub async fn policy() -> Result<CurrentPolicy, Failure> {
        get(&path::policy()).await
    }
    pub async fn save_policy(body: &Policy) -> Result<CurrentPolicy, Failure> {
        send(same_origin(Request::put(&path::policy())).json(body)).await
    }
    pub async fn policy_versions() -> Result<Vec<PolicyVersion>, Failure> {
        get(&path::policy_versions()).await
    }
    pub async fn dry_run_policy(body: &Policy) -> Result<DryRun, Failure> {
        post(&path::policy_dry_run(), body).await
    }
    pub async fn assets(q: &crate::assets::AssetQuery) -> Result<AssetPage, Failure> {
        get(&path::assets(&crate::assets::query_string(q))).await
    }
    pub async fn create_asset(body: &AssetInput) -> Result<AdminAsset, Failure> {
        post(&path::assets(""), body).await
    }
    pub async fn update_asset(id: &Uuid, body: &AssetInput) -> Result<AdminAsset, Failure> {
        send(same_origin(Request::put(&path::asset(id))).json(body)).await
    }
    pub async fn retire_asset(id: &Uuid) -> Result<AdminAsset, Failure> {
        post(&path::asset_action(id, "retire"), &serde_json::json!({})).await
    }
    pub async fn rotate_asset(id: &Uuid) -> Result<AdminAsset, Failure> {
        post(&path::asset_action(id, "rotate"), &serde_json::json!({})).await
    }
    pub async fn import_csv(mode: ImportMode, csv: String) -> Result<ImportReport, Failure> {
        let url = path::asset_import(&format!("csv?mode={}", mode.as_str()));
        send(
            same_origin(Request::post(&url))
                .header("Content-Type", "text/csv")
                .body(csv),
        )
        .await
    }
    pub async fn import_from_salesforce() -> Result<ImportReport, Failure> {
        post(&path::asset_import("salesforce"), &serde_json::json!({})).await
    }
    pub async fn mcp_grants() -> Result<Vec<McpGrant>, Failure> {
        get(&path::mcp_grants()).await
    }
    pub async fn revoke_mcp_grant(id: &Uuid) -> Result<McpGrant, Failure> {
        post(&path::mcp_grant_revoke(id), &serde_json::json!({})).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::console::{QueuePage, StaffUser};

    #[test]
    fn the_servers_error_body_is_kept() {
        let f = Failure::from_response(
            409,
            r#"{"code":"stale_revision","message":"Bob changed Priority (Low → High) 2 minutes ago; reload the latest.","fields":{"Priority":"changed"}}"#,
        );
        assert!(f.is_stale());
        assert!(!f.is_unauthorized());
        assert!(f.message().starts_with("Bob changed Priority"));
        assert_eq!(f.field_message("Priority"), Some("changed"));
        assert_eq!(f.field_message("Subject"), None);
    }

    #[test]
    fn a_body_that_is_not_an_error_gets_a_plain_sentence() {
        let f = Failure::from_response(401, "<html>");
        assert!(f.is_unauthorized());
        assert_eq!(f.message(), SESSION_ENDED);
        assert_eq!(f.code(), "http_401");
        let f = Failure::from_response(
            429,
            r#"{"code":"rate_limited","message":"Too many attempts. Try again in 42 seconds."}"#,
        );
        assert_eq!(f.message(), "Too many attempts. Try again in 42 seconds.");
        let f = Failure::from_response(500, r#"{"code":"x","message":"  "}"#);
        assert_eq!(
            f.message(),
            "The server had a problem; try again in a moment."
        );
        assert_eq!(f.code(), "x");
        assert_eq!(Failure::Offline.message(), OFFLINE_MESSAGE);
        assert!(!Failure::from_response(409, r#"{"code":"conflict","message":"m"}"#).is_stale());
    }

    #[test]
    fn answers_decode_and_204_is_unit() {
        let page: Result<QueuePage, _> = decode(200, r#"{"rows":[],"waiting":4}"#);
        assert_eq!(
            page.map(|p| (p.rows.len(), p.waiting, p.next)),
            Ok((0, 4, None))
        );
        assert_eq!(decode::<()>(204, ""), Ok(()));
        let bad: Result<StaffUser, _> = decode(200, "{}");
        assert_eq!(
            bad.map_err(|f| f.code().to_owned()),
            Err("unreadable_answer".to_owned())
        );
        let err: Result<StaffUser, _> =
            decode(403, r#"{"code":"forbidden","message":"Admins only."}"#);
        assert_eq!(
            err.map_err(|f| f.message().to_owned()),
            Err("Admins only.".to_owned())
        );
    }

    #[test]
    fn paths() {
        let id = Uuid::nil();
        assert_eq!(path::session(), "/api/v1/session");
        assert_eq!(path::queue("?q=a"), "/api/v1/console/intakes?q=a");
        assert_eq!(
            path::intake_action(&id, "return"),
            "/api/v1/console/intakes/00000000-0000-0000-0000-000000000000/return"
        );
        assert_eq!(
            path::audit_csv("?kind=approved"),
            "/api/v1/admin/audit.csv?kind=approved"
        );
        assert_eq!(
            path::user(&id),
            "/api/v1/admin/users/00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(path::events(), "/api/v1/console/events");
        assert_eq!(
            path::asset_action(&id, "label.png"),
            "/api/v1/admin/assets/00000000-0000-0000-0000-000000000000/label.png"
        );
        assert_eq!(
            path::asset_import("csv?mode=valid_rows"),
            "/api/v1/admin/asset-imports/csv?mode=valid_rows"
        );
        assert_eq!(
            path::mcp_grant_revoke(&id),
            "/api/v1/admin/mcp/grants/00000000-0000-0000-0000-000000000000/revoke"
        );
    }
}
