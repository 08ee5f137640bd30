//! `PUT /api/v1/intakes/{id}` submits a reviewed intake; the technician
//! reads its receipt back through the asset's link
//! (`GET /api/v1/assets/{token}/intakes/{id}/receipt`), staff at
//! `GET /api/v1/intakes/{id}`.
//!
//! The app makes the id before the first attempt, so submitting is
//! idempotent: the same id with the same content answers the stored receipt
//! (200, `replayed`), with different content 409. The server trusts nothing
//! in the body: it re-checks the token, overwrites asset and system fields,
//! validates against the schema, checks every photo, and structures the notes
//! itself for the audit trail.
//!
//! A submitted intake waits for a dispatcher's review (status `submitted`);
//! consoles hear of it at once. A `returned` intake is amended by the same
//! PUT with the same id: its next revision, never a second intake. The
//! receipt (and `GET`) show the case number and link once written, or what
//! Salesforce refused.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use fieldcase_core::structure::{self, Proposal};
use fieldcase_core::text::{self, Lines};
use fieldcase_core::validate::{check_value, validate_technician};
use fieldcase_core::wire::{
    ApiError, IntakeReceipt, IntakeStatus, IntakeSubmission, check_photo_locations,
    intake_reference,
};
use fieldcase_core::{CaseSchema, FieldErrors, ValidCase};
use fieldcase_core::{FieldValue, IntakeId, pii};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::AppState;
use super::console;
use super::extract::{Json, Path};
use crate::auth::{ClientAddress, Staff};
use crate::error::{Error, Result, megabytes};
use crate::store::review;
use crate::store::{
    self, ActiveAsset, Actor, ActorKind, IntakeRecord, NewEvent, NewIntake, QueueKeys,
};

/// Notes and fields of a few tens of thousands of characters fit easily.
const BODY_LIMIT: usize = 1024 * 1024;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(submit, receipt, asset_receipt))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/intakes/{id}", put(submit).get(receipt))
        .route(
            "/api/v1/assets/{token}/intakes/{id}/receipt",
            get(asset_receipt),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::Extension(super::extract::JsonLimit(
            BODY_LIMIT as u64,
        )))
}

/// `PUT /api/v1/intakes/{id}`
#[utoipa::path(
    put,
    path = "/api/v1/intakes/{id}",
    tag = "technician",
    params(("id" = String, Path, format = Uuid, description = "The intake's id, made by the app before the first attempt (UUID v7); the same as `id` in the body.")),
    request_body = IntakeSubmission,
    responses(
        (status = 201, description = "A new intake (or a returned one's new revision), waiting for review.", body = IntakeReceipt),
        (status = 200, description = "This id was submitted with this content before: the same receipt, `replayed`.", body = IntakeReceipt),
        (status = 400, description = "The id in the path is not a UUID version 7 (`bad_intake_id`) or differs from the body's (`intake_id_mismatch`).", body = ApiError),
        (status = 404, description = "The body's asset code is not active (`asset_inactive`).", body = ApiError),
        (status = 409, description = "This id was submitted before with different content (`intake_conflict`).", body = ApiError),
        (status = 422, description = "A field, the notes, the technician's details or a photo must change; `fields` says which and how.", body = ApiError),
    )
)]
async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(raw_id): Path<String>,
    Json(submission): Json<IntakeSubmission>,
) -> Result<(StatusCode, Json<IntakeReceipt>)> {
    state.rate_limits.submission_from(address)?;
    let id = IntakeId::parse_new(&raw_id).map_err(|m| Error::bad_request("bad_intake_id", m))?;
    if submission.id != id.uuid() {
        return Err(Error::bad_request(
            "intake_id_mismatch",
            format!(
                "The id in the path ({id}) and in the body ({}) differ. Send the same id in both.",
                submission.id
            ),
        ));
    }
    // The token first: nothing about a stored intake (not even that a
    // replay matches) is told to someone without its asset's link.
    let asset = state.active_asset_for(&submission.asset_token).await?;
    let (status, receipt) = accept(&state, id, &asset, submission, Via::Link).await?;
    Ok((status, Json(receipt)))
}

/// Who an intake comes from: a technician with the asset's link, a
/// customer through a portal, or an AI assistant through MCP.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via<'a> {
    Link,
    Portal(ViaPortal<'a>),
    Assistant(ViaAssistant<'a>),
}

/// An AI assistant's proposal (`propose_intake`): recorded as actor kind
/// `ai`, the client's name, on behalf of the person whose grant it used;
/// it waits for review (`in_review`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViaAssistant<'a> {
    pub client_name: &'a str,
    pub on_behalf_of: &'a str,
}

/// A customer, through a portal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViaPortal<'a> {
    pub portal_id: &'a str,
    pub portal_name: &'a str,
    /// The customer's id in the portal (the embed token's `sub`).
    pub customer: &'a str,
}

/// Store a submission for `asset` (already reached through a link, an
/// embed session or an MCP grant), idempotently: everything after the
/// caller's proof of access is the same for a technician, a customer and
/// an AI assistant.
pub(crate) async fn accept(
    state: &AppState,
    id: IntakeId,
    asset: &ActiveAsset,
    mut submission: IntakeSubmission,
    from: Via<'_>,
) -> Result<(StatusCode, IntakeReceipt)> {
    let via = match from {
        Via::Portal(p) => Some(p),
        Via::Link | Via::Assistant(_) => None,
    };
    let assistant = match from {
        Via::Assistant(a) => Some(a),
        Via::Link | Via::Portal(_) => None,
    };
    state.rate_limits.submission_to(&asset.id)?;
    for sha in &mut submission.photos {
        *sha = sha.trim().to_ascii_lowercase();
    }
    // Text hygiene before anything is hashed, stored or structured: the
    // notes lose invisible and control characters; the technician's details
    // are checked like case fields (the fields themselves in `validate`).
    submission.notes = text::clean(&submission.notes, Lines::Multi).unwrap_or_default();
    let technician_problems = match validate_technician(&submission.technician, &state.schema) {
        Ok(clean) => {
            submission.technician = clean;
            None
        }
        Err(errors) => Some(errors),
    };
    let request_hash = request_hash(&submission)?;
    let portal_id = via.map(|v| v.portal_id);
    // A retry of something already stored is answered from the store; a
    // returned intake, amended, becomes its next revision.
    let existing = state.store.intake(&id).await?;
    if let Some(existing) = &existing {
        if existing.asset_id != asset.id || existing.portal_id.as_deref() != portal_id {
            // Another asset's link (or another way in): answered as an
            // inactive code is, so an id taken elsewhere tells nothing (no
            // reference, no receipt).
            return Err(Error::AssetInactive);
        }
        let amendable =
            existing.status == IntakeStatus::Returned && existing.request_hash != request_hash;
        if !amendable {
            return replay(existing.clone(), &request_hash);
        }
    }
    check_notes(&submission.notes, state.limits.max_notes_chars)?;
    if let Some(errors) = technician_problems {
        return Err(Error::validation(&state.schema, errors));
    }
    check_photos(state, asset, &submission.photos).await?;
    check_photo_locations(&submission.photos, &submission.photo_locations).map_err(|m| {
        let mut fields = FieldErrors::default();
        fields.0.insert("photo_locations".into(), format!("{m}."));
        Error::Validation {
            message: "A photo's location cannot be stored; take it again or switch it off.".into(),
            fields,
        }
    })?;

    let mut draft = submission.fields.clone();
    draft.apply_context(&state.schema, &asset.view, &id.uuid());
    let valid = draft
        .validate(&state.schema)
        .map_err(|errors| Error::validation(&state.schema, errors))?;

    // A model's proposal for exactly these notes, when the review asked
    // for one: the audit trail then says which fields it proposed.
    let proposal = match state.ai_proposals.get(&asset.id, &submission.notes).await {
        Some(proposal) => proposal,
        None => propose(&state.schema, asset, &submission).await,
    };
    let changed = changed_fields(&state.schema, &proposal, &valid);
    let keys = QueueKeys::of(&state.schema, valid.fields());
    let fields_json = to_json(valid.fields())?;
    let proposal_json = to_json(&proposal)?;
    let reference = intake_reference(&id.uuid());
    // Personal data is counted for the audit trail (never its value).
    let terms = super::console::health_terms(state);
    let pii = pii::counts_by_field(&pii::scan(
        &state.schema,
        &submission.notes,
        valid.fields(),
        &terms,
    ));
    // A customer has no actor kind of their own yet (the audit table's
    // CHECK lists the kinds): a person without an account, named with
    // the portal they came through.
    let actor_name = match (via, assistant) {
        (Some(v), _) => format!(
            "{} (customer via portal {})",
            submission.technician.name.trim(),
            v.portal_name
        ),
        (None, Some(a)) => a.client_name.to_owned(),
        (None, None) => submission.technician.name.trim().to_owned(),
    };
    let technician = match assistant {
        Some(a) => Actor {
            kind: ActorKind::Ai,
            name: actor_name,
            on_behalf_of: Some(a.on_behalf_of.to_owned()),
        },
        None => Actor::new(ActorKind::Technician, actor_name),
    };
    // The admin's policy decides, with the facts of what is stored: a rule
    // may approve it, an escalation is queued before anyone reviews it.
    let policy = state.policy.get();
    let subject = crate::policy::Subject {
        schema: &state.schema,
        fields: valid.fields(),
        proposal: &proposal,
        notes: &submission.notes,
        photo_count: submission.photos.len(),
        account_name: &asset.view.account_name,
        crm_account_id: asset.view.crm_account_id.as_deref(),
        health_terms: &terms,
        proposed_by_ai: assistant.is_some(),
    };
    let outcome = crate::policy::decide(&policy, &subject);
    let approved_by_rule;
    let mut tx = state.store.begin().await?;

    if existing.is_some() {
        let revision = review::resubmit(
            &mut tx,
            &id.to_string(),
            &submission.notes,
            &fields_json,
            &proposal_json,
            &keys,
            &submission.technician,
            &request_hash,
            &submission.photos,
            &submission.photo_locations,
            &technician,
            &changed,
            &pii,
        )
        .await?;
        if revision.is_none() {
            // Someone acted on it meanwhile: answer from where it stands.
            tx.rollback().await?;
            let current = state
                .store
                .intake(&id)
                .await?
                .ok_or(Error::IntakeNotFound)?;
            return replay(current, &request_hash);
        }
        approved_by_rule = crate::policy::apply_at_submission(
            &mut tx,
            &policy,
            &outcome,
            &state.escalation_channels,
            &id,
            existing.as_ref().map_or(&reference, |e| &e.reference),
            &subject,
            &asset.view.name,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(intake_id = %id, "returned intake resubmitted");
    } else {
        let new = NewIntake {
            id,
            reference: &reference,
            asset_id: &asset.id,
            // An AI's proposal is in review at once; only the admin's
            // policy may approve it (a rule naming `proposed_by_ai`).
            status: if assistant.is_some() {
                IntakeStatus::InReview
            } else {
                IntakeStatus::Submitted
            },
            notes: &submission.notes,
            fields_json: &fields_json,
            proposal_json: &proposal_json,
            technician: &submission.technician,
            request_hash: &request_hash,
            photos: &submission.photos,
            locations: &submission.photo_locations,
            keys: &keys,
            event: NewEvent {
                actor_kind: technician.kind,
                actor: technician.name.clone(),
                kind: "submitted",
                detail: review::with_pii(
                    match via {
                        Some(v) => json!({
                            "changed_fields": changed,
                            "photo_count": submission.photos.len(),
                            "portal": { "id": v.portal_id, "name": v.portal_name },
                        }),
                        None => json!({
                            "changed_fields": changed,
                            "photo_count": submission.photos.len(),
                        }),
                    },
                    &pii,
                ),
            },
            portal: via.map(|v| store::PortalOrigin {
                portal_id: v.portal_id,
                customer: v.customer,
            }),
            on_behalf_of: assistant.map(|a| a.on_behalf_of),
        };
        let Some(reference) = store::insert_intake(&mut tx, &new).await? else {
            // A racing twin got there first.
            tx.rollback().await?;
            let existing = state
                .store
                .intake(&id)
                .await?
                .ok_or_else(|| Error::Internal("an intake vanished after a conflict".into()))?;
            if existing.asset_id != asset.id || existing.portal_id.as_deref() != portal_id {
                return Err(Error::AssetInactive);
            }
            return replay(existing, &request_hash);
        };
        store::audit::record_in(
            &mut tx,
            &Actor::system(),
            "structured",
            Some(&id.to_string()),
            &structured_detail(&proposal, &terms),
        )
        .await?;
        approved_by_rule = crate::policy::apply_at_submission(
            &mut tx,
            &policy,
            &outcome,
            &state.escalation_channels,
            &id,
            &reference,
            &subject,
            &asset.view.name,
        )
        .await?;
        crate::failpoint::hit("before_submit_commit");
        tx.commit().await?;
        crate::failpoint::hit("after_submit_commit");
        tracing::info!(
            intake_id = %id,
            reference,
            asset_id = %asset.id,
            photos = submission.photos.len(),
            changed_fields = changed.len(),
            "intake submitted for review"
        );
    }
    if approved_by_rule {
        state.write_wake.notify_one();
    }
    console::announce(state, &id).await;
    let record = state
        .store
        .intake(&id)
        .await?
        .ok_or_else(|| Error::Internal("a committed intake is missing".into()))?;
    Ok((StatusCode::CREATED, to_receipt(&record, false)?))
}

/// `GET /api/v1/intakes/{id}`: staff only (the technician reads through
/// the asset's link, below).
#[utoipa::path(
    get,
    path = "/api/v1/intakes/{id}",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    responses(
        (status = 200, description = "Where the intake stands: its status, and the case once written.", body = IntakeReceipt),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
    )
)]
async fn receipt(
    State(state): State<AppState>,
    _staff: Staff,
    Path(raw_id): Path<String>,
) -> Result<Json<IntakeReceipt>> {
    let id = parse_id(&raw_id)?;
    let record = state
        .store
        .intake(&id)
        .await?
        .ok_or(Error::IntakeNotFound)?;
    Ok(Json(to_receipt(&record, false)?))
}

#[utoipa::path(
    get,
    path = "/api/v1/assets/{token}/intakes/{id}/receipt",
    tag = "technician",
    params(
        ("token" = String, Path, description = "The asset's link token the intake was submitted through (20 characters)."),
        ("id" = String, Path, format = Uuid, description = "The intake's id."),
    ),
    responses(
        (status = 200, description = "Where the intake stands: its status, the case once written, or what the CRM refused (in fieldcase's words).", body = IntakeReceipt),
        (status = 404, description = "The code is not active (`asset_inactive`), or no such intake was submitted through it (`intake_not_found`, as for an unknown id).", body = ApiError),
    )
)]
/// `GET /api/v1/assets/{token}/intakes/{id}/receipt`: the receipt, to whoever
/// holds the link the intake was submitted through. Another asset's link
/// answers as an unknown id does.
async fn asset_receipt(
    State(state): State<AppState>,
    Path((token, raw_id)): Path<(String, String)>,
) -> Result<Json<IntakeReceipt>> {
    let asset = state.active_asset(&token).await?;
    let id = IntakeId::parse(&raw_id).ok_or(Error::IntakeNotFound)?;
    let record = state
        .store
        .intake(&id)
        .await?
        .filter(|r| r.asset_id == asset.id)
        .ok_or(Error::IntakeNotFound)?;
    Ok(Json(to_receipt(&record, false)?))
}

fn parse_id(raw: &str) -> Result<IntakeId> {
    IntakeId::parse(raw).ok_or_else(|| {
        Error::bad_request(
            "bad_intake_id",
            "The intake id in the path must be a UUID (the app makes a version 7 one, such as \
             0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e).",
        )
    })
}

/// SHA-256 of the canonical submission: serde's output of the parsed body
/// (fields are a sorted map, photos lower-cased), so formatting differences
/// in the JSON do not matter but any change of content does.
fn request_hash(submission: &IntakeSubmission) -> Result<String> {
    let canonical = serde_json::to_vec(submission)
        .map_err(|e| Error::Internal(format!("canonical submission: {e}")))?;
    Ok(hex::encode(Sha256::digest(&canonical)))
}

fn replay(existing: IntakeRecord, request_hash: &str) -> Result<(StatusCode, IntakeReceipt)> {
    if existing.request_hash == request_hash {
        tracing::info!(intake_id = %existing.id, "intake submission replayed");
        Ok((StatusCode::OK, to_receipt(&existing, true)?))
    } else {
        tracing::info!(intake_id = %existing.id, "intake id reused with different content");
        Err(Error::IntakeConflict {
            reference: existing.reference,
        })
    }
}

fn to_receipt(record: &IntakeRecord, replayed: bool) -> Result<IntakeReceipt> {
    let id = record.id.uuid();
    let status = record.status;
    let problems = match record.problems_json.as_deref() {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| Error::Internal(format!("stored problems: {e}")))?,
        None => FieldErrors::default(),
    };
    Ok(IntakeReceipt {
        id,
        reference: record.reference.clone(),
        status,
        submitted_at: record.created_at.clone(),
        photo_count: u32::try_from(record.photo_count).unwrap_or(u32::MAX),
        replayed,
        case_number: record.crm_case_number.clone(),
        case_url: record.crm_case_url.clone(),
        problems,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("json: {e}")))
}

pub(super) fn check_notes(notes: &str, max: u32) -> Result<()> {
    let n = notes.chars().count();
    let max = max as usize;
    if n > max {
        return Err(Error::unprocessable(
            "notes_too_long",
            format!(
                "The notes are {n} characters; the limit is {max}. Shorten them by {}.",
                n - max
            ),
        ));
    }
    Ok(())
}

/// Every photo must have been uploaded under this asset's link, once, within
/// the count and total-size limits.
async fn check_photos(state: &AppState, asset: &ActiveAsset, photos: &[String]) -> Result<()> {
    let limits = &state.limits;
    if photos.len() > limits.max_photos as usize {
        return Err(Error::unprocessable(
            "too_many_photos",
            format!(
                "This intake has {} photos; the limit is {}. Remove {}.",
                photos.len(),
                limits.max_photos,
                photos.len() - limits.max_photos as usize
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut total = 0u64;
    for (i, sha) in photos.iter().enumerate() {
        let n = i + 1;
        if !seen.insert(sha.as_str()) {
            return Err(Error::unprocessable(
                "duplicate_photo",
                format!("Photo {n} is the same as an earlier one. Remove one of them."),
            ));
        }
        let record = match fieldcase_core::Sha256::parse(sha) {
            Some(sha) => state.store.uploaded_photo(&asset.id, &sha).await?,
            None => None,
        };
        let Some(record) = record else {
            return Err(Error::unprocessable(
                "photo_not_uploaded",
                format!(
                    "Photo {n} was not uploaded from this asset's link. Remove it, or add it again."
                ),
            ));
        };
        total += u64::try_from(record.bytes).unwrap_or(0);
    }
    if total > limits.max_intake_photo_bytes {
        return Err(Error::unprocessable(
            "photos_too_large",
            format!(
                "These photos add up to {}; an intake may carry {}. Remove a photo or two.",
                megabytes(total),
                megabytes(limits.max_intake_photo_bytes)
            ),
        ));
    }
    Ok(())
}

/// The server's own structuring of the notes, kept for the audit trail. It
/// only informs the record, so a fault in it must not lose a submission
/// (see [`crate::structurer::propose`]).
pub(super) async fn propose(
    schema: &Arc<CaseSchema>,
    asset: &ActiveAsset,
    submission: &IntakeSubmission,
) -> Proposal {
    use tracing::Instrument;
    // The asset's id goes with the error logged if the engine panics.
    crate::structurer::propose(
        &submission.notes,
        &asset.view,
        &submission.technician,
        schema,
    )
    .instrument(tracing::error_span!("structuring", asset_id = %asset.id))
    .await
}

/// What the structuring proposed, for the audit trail: each field's value
/// (personal data in it redacted: the trail counts it, never keeps it),
/// where it came from and how sure it was.
fn structured_detail(proposal: &Proposal, terms: &pii::HealthTerms) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = proposal
        .fields
        .iter()
        .map(|f| {
            let source = match &f.source {
                structure::Source::Notes { .. } if f.proposed_by_ai => "ai",
                structure::Source::Notes { .. } => "notes",
                structure::Source::Asset => "asset",
                structure::Source::Technician => "technician",
                structure::Source::Default => "default",
            };
            let value = match &f.value {
                FieldValue::Text(t) => FieldValue::text(pii::redact_all(t, terms)),
                v => v.clone(),
            };
            json!({ "field": f.field, "value": value, "source": source,
                    "confidence": f.confidence })
        })
        .collect();
    json!({ "fields": fields })
}

/// The editable fields whose final value differs from the server's proposal.
fn changed_fields(schema: &CaseSchema, proposal: &Proposal, valid: &ValidCase) -> Vec<String> {
    schema
        .fields
        .iter()
        .filter(|def| def.is_editable())
        .filter(|def| {
            let proposed = proposal
                .get(&def.name)
                .filter(|p| !p.value.is_blank())
                .and_then(|p| check_value(def, &p.value).ok());
            proposed.as_ref() != valid.get(&def.name)
        })
        .map(|def| def.name.clone())
        .collect()
}
