//! What a scanned QR code opens.
//!
//! - `GET /api/v1/assets/{token}` → [`IntakeContext`]: the asset, the schema
//!   and the limits, all the app needs to start an intake.
//! - `GET /a/{token}` → the app (which reads the token from the path), or a
//!   small "Code not active" page. `/A/{token}` (what the QR encodes, upper
//!   case for a compact code) redirects to it.
//! - `GET /qr/{token}.svg` → the printable QR label.
//! - `GET /api/v1/assets/{token}/intakes[/{id}]` → the technician's recent
//!   submissions on the asset and where each stands; one of them in full, to
//!   amend a returned one.
//!
//! Malformed, unknown and revoked tokens get one and the same answer, so the
//! API reveals nothing about which codes exist.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use fieldcase_core::AssetToken;
use fieldcase_core::CaseDraft;
use fieldcase_core::console::{SubmissionDetail, SubmissionSummary};
use fieldcase_core::wire::{ApiError, IntakeContext, PhotoReceipt};

use super::AppState;
use super::extract::{Json, Path};
use super::static_files;
use crate::error::{ASSET_INACTIVE_MESSAGE, Error, Result};
use crate::qr;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(context, submissions, submission))]
pub struct Api;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/assets/{token}", get(context))
        .route("/api/v1/assets/{token}/intakes", get(submissions))
        .route("/api/v1/assets/{token}/intakes/{id}", get(submission))
}

/// `GET /api/v1/assets/{token}/intakes`: recent submissions on this asset,
/// with where each stands (a rejection's reason, a returned one's question).
#[utoipa::path(
    get,
    path = "/api/v1/assets/{token}/intakes",
    tag = "technician",
    params(("token" = String, Path, description = "The asset's link token, from its QR label (20 characters).")),
    responses(
        (status = 200, description = "The recent submissions, newest first.", body = Vec<SubmissionSummary>),
        (status = 404, description = "The code is unknown, revoked or malformed (`asset_inactive`).", body = ApiError),
    )
)]
async fn submissions(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Vec<SubmissionSummary>>> {
    let asset = state.active_asset(&token).await?;
    let rows = state.store.asset_submissions(&asset.id).await?;
    let list = rows
        .into_iter()
        .map(|r| r.decode())
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Json(list))
}

/// `GET /api/v1/assets/{token}/intakes/{id}`: one submission as sent (with
/// dispatchers' edits), to amend and resend when it was returned.
#[utoipa::path(
    get,
    path = "/api/v1/assets/{token}/intakes/{id}",
    tag = "technician",
    params(
        ("token" = String, Path, description = "The asset's link token, from its QR label (20 characters)."),
        ("id" = String, Path, format = Uuid, description = "The intake's id."),
    ),
    responses(
        (status = 200, description = "The submission as sent, with dispatchers' edits.", body = SubmissionDetail),
        (status = 404, description = "The code is not active (`asset_inactive`), or no such intake was submitted through it (`intake_not_found`).", body = ApiError),
    )
)]
async fn submission(
    State(state): State<AppState>,
    Path((token, raw_id)): Path<(String, String)>,
) -> Result<Json<SubmissionDetail>> {
    let asset = state.active_asset(&token).await?;
    let id = fieldcase_core::IntakeId::parse(&raw_id).ok_or(Error::IntakeNotFound)?;
    let summary = state
        .store
        .asset_submission(&asset.id, &id)
        .await?
        .ok_or(Error::IntakeNotFound)?
        .decode()?;
    let r = state
        .store
        .review_intake(&id)
        .await?
        .ok_or(Error::IntakeNotFound)?;
    let fields: CaseDraft = serde_json::from_str(&r.fields_json)
        .map_err(|e| Error::Internal(format!("stored fields: {e}")))?;
    Ok(Json(SubmissionDetail {
        summary,
        notes: r.notes,
        fields,
        technician: r.technician,
        photos: r
            .photos
            .into_iter()
            .map(|p| PhotoReceipt {
                sha256: p.sha256,
                content_type: p.content_type,
                width: p.width,
                height: p.height,
                bytes: p.bytes,
            })
            .collect(),
    }))
}

pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/a/{token}", get(page))
        .route("/A/{token}", get(upper_case_page))
        .route("/qr/{file}", get(qr_svg))
}

/// `GET /api/v1/assets/{token}`
#[utoipa::path(
    get,
    path = "/api/v1/assets/{token}",
    tag = "technician",
    params(("token" = String, Path, description = "The asset's link token, from its QR label (20 characters).")),
    responses(
        (status = 200, description = "The asset, the case schema and the upload limits.", body = IntakeContext),
        (status = 404, description = "The code is unknown, revoked or malformed (`asset_inactive`).", body = ApiError),
    )
)]
async fn context(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<IntakeContext>> {
    let asset = state.active_asset(&token).await?;
    tracing::info!(asset_id = %asset.id, "intake context served");
    Ok(Json(IntakeContext {
        asset: asset.view,
        schema: (*state.schema).clone(),
        limits: state.limits,
    }))
}

/// `GET /a/{token}`: the app, or the "not active" page.
async fn page(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, Error>,
    req: Request,
) -> Response {
    let Ok(Path(token)) = path else {
        return inactive_page();
    };
    match state.active_asset(&token).await {
        Ok(_) => static_files::index(&state, req).await,
        Err(Error::AssetInactive) => inactive_page(),
        Err(e) => {
            tracing::error!(error = %e, "asset page: lookup failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(page_html(
                    "Something went wrong",
                    "Something went wrong on the server. Scan the code again in a minute.",
                )),
            )
                .into_response()
        }
    }
}

/// `GET /A/{token}`: QR codes carry the link in upper case; send the browser
/// to the canonical lower-case path.
async fn upper_case_page(path: std::result::Result<Path<String>, Error>) -> Response {
    match path.ok().and_then(|Path(raw)| AssetToken::parse(&raw).ok()) {
        Some(token) => Redirect::temporary(&token.link_path()).into_response(),
        None => inactive_page(),
    }
}

/// `GET /qr/{token}.svg`
async fn qr_svg(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let token = file.strip_suffix(".svg").ok_or(Error::AssetInactive)?;
    let asset = state.active_asset(token).await?;
    let svg = qr::svg(&state.public_url, &asset.view.token)
        .map_err(|e| Error::Internal(format!("QR encoding: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // Private: the image carries the token. An hour, so a revoked
            // code's label soon stops being served from a cache.
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// The page for a code that is not active: no script, nothing about any asset.
pub fn inactive_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page_html("Code not active", ASSET_INACTIVE_MESSAGE)),
    )
        .into_response()
}

/// A minimal standalone page (works without the built app).
pub fn page_html(title: &str, text: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    )
}
