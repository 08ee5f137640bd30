//! `POST /api/v1/assets/{token}/structure`: notes structured on the server
//! (Claude when configured, checked by the core; else the rules engine, the
//! same as the phone's). Behind the asset's link, limited per link and per
//! address: each call may be a paid call to a model.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use fieldcase_core::text::{self, Lines};
use fieldcase_core::validate::validate_technician;
use fieldcase_core::wire::{ApiError, StructureRequest, StructureResponse};

use super::AppState;
use super::extract::{Json, Path};
use crate::auth::ClientAddress;
use crate::error::Result;
use crate::structurer::Job;

/// Notes are at most `max_notes_chars`; this is their JSON with room to spare.
const BODY_LIMIT: usize = 256 * 1024;

#[derive(utoipa::OpenApi)]
#[openapi(paths(structure))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assets/{token}/structure", post(structure))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::Extension(super::extract::JsonLimit(
            BODY_LIMIT as u64,
        )))
}

/// `POST /api/v1/assets/{token}/structure`
#[utoipa::path(
    post,
    path = "/api/v1/assets/{token}/structure",
    tag = "technician",
    params(("token" = String, Path, description = "The asset's link token, from its QR label (20 characters).")),
    request_body = StructureRequest,
    responses(
        (status = 200, description = "The proposed fields, each with the words of the notes that set it; `by` says whether a language model proposed any (`ai`) or the rules engine alone (`rules`).", body = StructureResponse),
        (status = 404, description = "The code is unknown, revoked or malformed (`asset_inactive`).", body = ApiError),
        (status = 422, description = "The notes are longer than the limit (`notes_too_long`).", body = ApiError),
    )
)]
async fn structure(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(token): Path<String>,
    Json(request): Json<StructureRequest>,
) -> Result<Json<StructureResponse>> {
    state.rate_limits.submission_from(address)?;
    let asset = state.active_asset(&token).await?;
    state.rate_limits.structuring_for(&asset.id)?;
    let notes = text::clean(&request.notes, Lines::Multi).unwrap_or_default();
    super::intakes::check_notes(&notes, state.limits.max_notes_chars)?;
    // Details that do not pass are simply not used for the proposal.
    let technician = validate_technician(&request.technician, &state.schema).unwrap_or_default();
    let policy = state.policy.get();
    let terms = policy.health_terms();
    let allowed = |f: &fieldcase_core::schema::FieldDef| policy.allows_field(&f.name);
    let structured = state
        .structurer
        .structure(Job {
            notes: &notes,
            asset: &asset.view,
            technician: &technician,
            schema: &state.schema,
            allowed: &allowed,
            redact: policy.requires_redaction().then_some(&terms),
        })
        .await;
    tracing::info!(asset_id = %asset.id, by = structured.by.as_str(), "notes structured");
    if structured.by == crate::structurer::By::Ai {
        state
            .ai_proposals
            .remember(&asset.id, &notes, &structured.proposal)
            .await;
    }
    Ok(Json(StructureResponse {
        by: structured.by.as_str().to_owned(),
        proposal: structured.proposal,
    }))
}
