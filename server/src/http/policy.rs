//! Admins read, change, version and try the policy.
//!
//! | method | path                               |                                   |
//! |--------|------------------------------------|-----------------------------------|
//! | GET    | `/api/v1/admin/policy`             | → [`CurrentPolicy`]               |
//! | PUT    | `/api/v1/admin/policy`             | [`Policy`] → [`CurrentPolicy`]    |
//! | GET    | `/api/v1/admin/policy/versions`    | → `Vec<`[`PolicyVersion`]`>`      |
//! | POST   | `/api/v1/admin/policy/dry-run`     | [`Policy`] → [`DryRun`]           |
//!
//! A change is validated against the case schema and the hand-off
//! configuration (every problem with its path, 422, nothing saved), saved as
//! the next version with its author and a field-level diff (also in the
//! audit trail), then put in force at once. The body's `version` is the
//! version it was edited from: another admin's save meanwhile answers 409.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use fieldcase_core::console::{ActorKind, StaffUser};
use fieldcase_core::policy::{
    Change, CurrentPolicy, DryRun, Policy, PolicyError, PolicyVersion, ValidPolicy, diff,
};
use fieldcase_core::structure::Proposal;
use fieldcase_core::wire::ApiError;
use fieldcase_core::{FieldErrors, FieldValue};
use serde_json::json;
use std::collections::BTreeMap;

use super::AppState;
use super::extract::Json;
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::policy::Subject;
use crate::store::Actor;

/// How many of the latest intakes a dry run tries.
pub const DRY_RUN_INTAKES: u32 = 500;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(current, save, versions, dry_run))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/policy", get(current).put(save))
        .route("/api/v1/admin/policy/versions", get(versions))
        .route("/api/v1/admin/policy/dry-run", post(dry_run))
}

/// The policy checked against the schema and the hand-off channels, or a 422
/// whose `fields` map each path to what to fix.
fn checked(state: &AppState, policy: Policy) -> Result<ValidPolicy> {
    let invalid = |errors: Vec<PolicyError>| {
        let mut fields = FieldErrors::default();
        for e in &errors {
            fields
                .0
                .entry(e.path.clone())
                .and_modify(|m: &mut String| {
                    m.push_str("; ");
                    m.push_str(&e.message);
                })
                .or_insert_with(|| e.message.clone());
        }
        let first = errors
            .first()
            .map(|e| format!("{}: {}", e.path, e.message))
            .unwrap_or_default();
        Error::Validation {
            message: format!(
                "The policy was not saved: {} problem{} ({first}{}).",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                if errors.len() > 1 {
                    "; and more below"
                } else {
                    ""
                }
            ),
            fields,
        }
    };
    let valid = policy.validate(&state.schema).map_err(invalid)?;
    let channels = &state.escalation_channels;
    let route = valid.check_route(&channels.webhook_names(), channels.email);
    if !route.is_empty() {
        return Err(invalid(route));
    }
    Ok(valid)
}

async fn current_view(state: &AppState) -> Result<CurrentPolicy> {
    let policy = state.policy.get().policy().clone();
    let stored = state.store.current_policy().await?;
    Ok(CurrentPolicy {
        policy,
        author: stored.as_ref().map(|s| s.author.clone()),
        saved_at: stored.map(|s| s.created_at),
    })
}

/// `GET /api/v1/admin/policy`
#[utoipa::path(
    get,
    path = "/api/v1/admin/policy",
    operation_id = "get_policy",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The policy in force, its version and who saved it (version 0: the built-in default, every intake needs a person).", body = CurrentPolicy),
    )
)]
async fn current(State(state): State<AppState>, _: Admin) -> Result<Json<CurrentPolicy>> {
    Ok(Json(current_view(&state).await?))
}

/// `PUT /api/v1/admin/policy`
#[utoipa::path(
    put,
    path = "/api/v1/admin/policy",
    operation_id = "save_policy",
    tag = "admin",
    security(("session_cookie" = [])),
    request_body(content = Policy, description = "The whole policy; `version` is the version it was edited from."),
    responses(
        (status = 200, description = "Saved as the next version and in force at once.", body = CurrentPolicy),
        (status = 409, description = "Another admin saved a version meanwhile (`policy_changed`): reload, then edit again. Or the policy writes to the CRM and the connected org is (or may be) production with no passed preflight against it (`preflight_required`): run the preflight and fix what it reports. Nothing was saved.", body = ApiError),
        (status = 422, description = "The policy is not valid: `fields` maps each path (e.g. `review.auto_approve[1].when.priority`) to what to fix. Nothing was saved.", body = ApiError),
    )
)]
async fn save(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(policy): Json<Policy>,
) -> Result<Json<CurrentPolicy>> {
    let before = state.policy.get();
    let base = policy.version;
    if base != before.version() {
        return Err(stale(before.version()));
    }
    let valid = checked(&state, policy)?;
    // Sandbox first: a policy that writes to a production org is put in
    // force only after a preflight against that org passed.
    if (valid.allows_case_write() || valid.allows(fieldcase_core::policy::Action::AttachFiles))
        && let Some(why) = state.salesforce.production_gate().await?
    {
        return Err(Error::conflict("preflight_required", why));
    }
    let version = before.version() + 1;
    let valid = valid.with_version(version);
    let old = serde_json::to_value(before.policy())
        .map_err(|e| Error::Internal(format!("policy json: {e}")))?;
    let new = serde_json::to_value(valid.policy())
        .map_err(|e| Error::Internal(format!("policy json: {e}")))?;
    let changes = diff(&old, &new);
    let document = new.to_string();
    let diff_json =
        serde_json::to_string(&changes).map_err(|e| Error::Internal(format!("diff json: {e}")))?;
    let saved = state
        .store
        .save_policy(
            version,
            &document,
            &actor(&admin),
            &diff_json,
            &json!({ "version": version, "previous_version": before.version(),
                     "changes": changes }),
        )
        .await?;
    if !saved {
        let now = state.store.current_policy().await?.map_or(0, |s| s.version);
        return Err(stale(u32::try_from(now).unwrap_or(0)));
    }
    state.policy.set(valid);
    tracing::info!(version, changes = changes.len(), "policy saved");
    Ok(Json(current_view(&state).await?))
}

fn stale(current: u32) -> Error {
    Error::conflict(
        "policy_changed",
        format!(
            "The policy was changed meanwhile (it is now version {current}); reload it, then \
             make your change again."
        ),
    )
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(ActorKind::Admin, user.email.clone())
}

/// `GET /api/v1/admin/policy/versions`
#[utoipa::path(
    get,
    path = "/api/v1/admin/policy/versions",
    operation_id = "list_policy_versions",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every saved version, newest first, with its author, time and what changed from the one before.", body = Vec<PolicyVersion>),
    )
)]
async fn versions(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<PolicyVersion>>> {
    let rows = state.store.policy_versions(200).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let bad = |what: &str| Error::Internal(format!("policy version {}: {what}", row.version));
        let policy: Policy =
            serde_json::from_str(&row.document_json).map_err(|_| bad("document"))?;
        let changes: Vec<Change> = serde_json::from_str(&row.diff_json).map_err(|_| bad("diff"))?;
        out.push(PolicyVersion {
            version: u32::try_from(row.version).map_err(|_| bad("version"))?,
            author: row.author,
            created_at: row.created_at,
            changes,
            policy,
        });
    }
    Ok(Json(out))
}

/// `POST /api/v1/admin/policy/dry-run`
#[utoipa::path(
    post,
    path = "/api/v1/admin/policy/dry-run",
    operation_id = "dry_run_policy",
    tag = "admin",
    security(("session_cookie" = [])),
    request_body(content = Policy, description = "A candidate policy; nothing is saved."),
    responses(
        (status = 200, description = "The candidate tried against the latest 500 intakes: how many it would auto-approve, escalate or hold, and which differ from the policy in force.", body = DryRun),
        (status = 422, description = "The candidate is not valid: `fields` maps each path to what to fix.", body = ApiError),
    )
)]
async fn dry_run(
    State(state): State<AppState>,
    _: Admin,
    Json(policy): Json<Policy>,
) -> Result<Json<DryRun>> {
    let candidate = checked(&state, policy)?;
    let current = state.policy.get();
    let mut run = DryRun::default();
    let terms = super::console::health_terms(&state);
    for row in state.store.policy_sample(DRY_RUN_INTAKES).await? {
        let (Ok(fields), Ok(proposal), Ok(id)) = (
            serde_json::from_str::<BTreeMap<String, FieldValue>>(&row.fields_json),
            serde_json::from_str::<Proposal>(&row.proposal_json),
            row.id.parse::<uuid::Uuid>(),
        ) else {
            tracing::warn!(intake_id = %row.id, "an intake the dry run cannot read; skipped");
            continue;
        };
        let subject = Subject {
            schema: &state.schema,
            fields: &fields,
            proposal: &proposal,
            notes: &row.notes,
            photo_count: usize::try_from(row.photo_count).unwrap_or(0),
            account_name: &row.account_name,
            crm_account_id: row.crm_account_id.as_deref(),
            health_terms: &terms,
            proposed_by_ai: row.proposed_by_ai,
        };
        let now = crate::policy::decide(&current, &subject);
        let then = crate::policy::decide(&candidate, &subject);
        run.add(id, &row.reference, &now, &then);
    }
    Ok(Json(run))
}
