//! `POST /api/v1/assets/{token}/photos`: one photo per request, in the
//! multipart field `photo`, answered with a [`PhotoReceipt`].
//! `GET /api/v1/assets/{token}/photos/{sha256}/thumb`: the photo's thumbnail,
//! for a photo uploaded through that asset's link (the app shows it after a
//! reload, when the picture on the phone is gone from memory).
//!
//! The body is streamed to a temporary file (hashing as it goes, and never
//! past the byte limit), judged by its content, decoded once within limits to
//! make a thumbnail, then moved to its content-addressed name. The same bytes
//! again return the same receipt.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use fieldcase_core::wire::{ApiError, Limits, PhotoReceipt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::AppState;
use super::extract::{Json, Path, multipart_rejection};
use crate::auth::ClientAddress;
use crate::error::{Error, Result, megabytes};
use crate::photo::{self, PhotoProblem, TempFile};

/// Room for the multipart framing around the photo itself.
const MULTIPART_MARGIN: u64 = 64 * 1024;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(upload, thumbnail))]
pub struct Api;

/// The upload's body as the description shows it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only its schema is used
pub(super) struct PhotoUpload {
    /// The photo's bytes (JPEG, PNG or WebP); one per request.
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

/// The body limit of a photo upload: the photo and its multipart framing.
pub(super) fn upload_body_limit(limits: &Limits) -> usize {
    usize::try_from(limits.max_photo_bytes.saturating_add(MULTIPART_MARGIN)).unwrap_or(usize::MAX)
}

pub fn router(limits: &Limits) -> Router<AppState> {
    let body_limit = upload_body_limit(limits);
    Router::new()
        .route("/api/v1/assets/{token}/photos", post(upload))
        .layer(DefaultBodyLimit::max(body_limit))
        .route(
            "/api/v1/assets/{token}/photos/{sha256}/thumb",
            get(thumbnail),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/assets/{token}/photos/{sha256}/thumb",
    tag = "technician",
    params(
        ("token" = String, Path, description = "The asset's link token, from its QR label (20 characters)."),
        ("sha256" = String, Path, description = "The photo's SHA-256, as its receipt gave it."),
    ),
    responses(
        (status = 200, description = "The thumbnail.", content_type = "image/jpeg", body = super::openapi::FileBytes),
        (status = 404, description = "The code is not active (`asset_inactive`), or no such photo was uploaded through it (`photo_not_found`).", body = ApiError),
    )
)]
async fn thumbnail(
    State(state): State<AppState>,
    Path((token, sha256)): Path<(String, String)>,
) -> Result<impl IntoResponse> {
    let asset = state.active_asset(&token).await?;
    let Some(sha256) = fieldcase_core::Sha256::parse(&sha256) else {
        return Err(Error::PhotoNotFound);
    };
    if state
        .store
        .uploaded_photo(&asset.id, &sha256)
        .await?
        .is_none()
    {
        return Err(Error::PhotoNotFound);
    }
    let jpeg = tokio::fs::read(state.files.thumb_path(sha256.as_str()))
        .await
        .map_err(|_| Error::PhotoNotFound)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg))
}

/// An upload streamed to disk.
struct Received {
    sha256: fieldcase_core::Sha256,
    bytes: u64,
}

#[utoipa::path(
    post,
    path = "/api/v1/assets/{token}/photos",
    tag = "technician",
    params(("token" = String, Path, description = "The asset's link token, from its QR label (20 characters).")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored (or stored already): the photo's receipt.", body = PhotoReceipt),
        (status = 400, description = "Not a multipart body, no `photo` field, more than one, or cut off.", body = ApiError),
        (status = 404, description = "The code is unknown, revoked or malformed (`asset_inactive`).", body = ApiError),
        (status = 413, description = "The photo is larger than the limit (`photo_too_large`); the message names both sizes.", body = ApiError),
        (status = 422, description = "Not a JPEG, PNG or WebP image (`photo_not_image`), or too many pixels (`photo_too_many_pixels`).", body = ApiError),
    )
)]
async fn upload(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(token): Path<String>,
    headers: HeaderMap,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<PhotoReceipt>)> {
    state.rate_limits.upload_from(address)?;
    let asset = state.active_asset(&token).await?;
    let receipt = store_upload(&state, &asset, &headers, multipart).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// Receive, judge and store one photo for `asset` (reached through its link
/// or an embed session), within the asset's hourly byte quota.
pub(super) async fn store_upload(
    state: &AppState,
    asset: &crate::store::ActiveAsset,
    headers: &HeaderMap,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<PhotoReceipt> {
    let limit = state.limits.max_photo_bytes;
    let request_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The hourly quota counts the bytes the request says it carries (a
    // request that does not say is counted as the largest photo).
    state
        .rate_limits
        .upload_to(&asset.id, request_length.unwrap_or(limit).min(limit))?;
    let mut multipart = multipart.map_err(|r| multipart_rejection(&r))?;

    let temp = TempFile(state.files.temp_path());
    let mut received = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| stream_error(&e, limit, request_length))?
    {
        if field.name() != Some("photo") {
            drain(&mut field, limit, request_length).await?;
            continue;
        }
        if received.is_some() {
            return Err(Error::bad_request(
                "one_photo_per_request",
                "Send one photo per request: this one has more than one `photo` field.",
            ));
        }
        received = Some(receive(&mut field, &temp, limit, request_length).await?);
    }
    let Some(received) = received else {
        return Err(Error::bad_request(
            "photo_missing",
            "No photo in the request: send it as multipart/form-data in a field named `photo`.",
        ));
    };

    // Seen before: it was checked then. Only note that this asset has it
    // too (touching the file first keeps it from a sweep running now).
    if let Some(known) = state.store.photo(&received.sha256).await?
        && state.files.touch(known.sha256.as_str())
    {
        let receipt = known.receipt();
        state.store.record_photo(&receipt, &asset.id).await?;
        tracing::info!(asset_id = %asset.id, sha256 = %receipt.sha256, "photo already stored");
        return Ok(receipt);
    }

    let info = {
        let path = temp.0.clone();
        let max_pixels = state.limits.max_photo_pixels;
        let (info, cost) = blocking(move || photo::inspect_file(&path, max_pixels)).await?;
        // Full decodes are memory-hungry: they share one budget, in bytes.
        let _memory = state.decode_budget.reserve(cost).await?;
        let path = temp.0.clone();
        let files = state.files.clone();
        let sha256 = received.sha256.clone();
        blocking(move || {
            let thumb = photo::thumbnail_file(&path, &info)?;
            if let Ok(thumb) = &thumb {
                files.store(&path, sha256.as_str(), thumb)?;
            }
            Ok(thumb.map(|_| info))
        })
        .await?
    };

    let receipt = PhotoReceipt {
        sha256: received.sha256.into(),
        content_type: info.content_type().to_owned(),
        width: info.width,
        height: info.height,
        bytes: received.bytes,
    };
    state.store.record_photo(&receipt, &asset.id).await?;
    tracing::info!(
        asset_id = %asset.id,
        sha256 = %receipt.sha256,
        bytes = receipt.bytes,
        content_type = receipt.content_type,
        "photo stored"
    );
    Ok(receipt)
}

/// Run photo work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<Result<T, PhotoProblem>> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("photo task: {e}")))??
        .map_err(photo_problem)
}

/// Stream one field to `temp`, hashing as it goes, refusing past `limit`.
async fn receive(
    field: &mut Field<'_>,
    temp: &TempFile,
    limit: u64,
    request_length: Option<u64>,
) -> Result<Received> {
    // Owner-only from the start: the file becomes the stored photo by rename.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(crate::private_fs::FILE_MODE)
        .open(&temp.0)
        .await?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| stream_error(&e, limit, request_length))?
    {
        bytes += chunk.len() as u64;
        if bytes > limit {
            // Count (not keep) the rest that the body limit lets through,
            // to say how big the photo is.
            let total = drain(field, limit, request_length).await? + bytes;
            return Err(too_large(Some(total), limit));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    Ok(Received {
        sha256: fieldcase_core::Sha256::from_digest(&hasher.finalize().into()),
        bytes,
    })
}

/// Read a field to its end, returning its remaining length.
async fn drain(field: &mut Field<'_>, limit: u64, request_length: Option<u64>) -> Result<u64> {
    let mut bytes = 0u64;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| stream_error(&e, limit, request_length))?
    {
        bytes += chunk.len() as u64;
    }
    Ok(bytes)
}

fn stream_error(e: &MultipartError, limit: u64, request_length: Option<u64>) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // The body limit stopped us: the request's length is the best estimate.
        too_large(request_length, limit)
    } else {
        Error::bad_request(
            "bad_multipart",
            format!(
                "The upload was cut off or malformed ({}). Send the photo again.",
                e.body_text()
            ),
        )
    }
}

fn too_large(actual: Option<u64>, limit: u64) -> Error {
    let message = match actual {
        Some(actual) if actual > limit => format!(
            "This photo is {}; the limit is {}. Choose a smaller photo, or lower the camera's \
             resolution.",
            megabytes(actual),
            megabytes(limit)
        ),
        _ => format!(
            "This photo is larger than the limit of {}. Choose a smaller photo, or lower the \
             camera's resolution.",
            megabytes(limit)
        ),
    };
    Error::TooLarge {
        code: "photo_too_large",
        message,
    }
}

fn photo_problem(problem: PhotoProblem) -> Error {
    let code = match problem {
        PhotoProblem::NotImage => "photo_not_image",
        PhotoProblem::TooManyPixels { .. } => "photo_too_many_pixels",
    };
    Error::unprocessable(code, problem.message())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn too_large_says_both_sizes() {
        let Error::TooLarge { code, message } = too_large(Some(21_300_000), 15 * 1024 * 1024)
        else {
            panic!()
        };
        assert_eq!(code, "photo_too_large");
        assert!(
            message.starts_with("This photo is 20.3 MB; the limit is 15 MB."),
            "{message}"
        );
        let Error::TooLarge { message, .. } = too_large(None, 15 * 1024 * 1024) else {
            panic!()
        };
        assert!(
            message.contains("larger than the limit of 15 MB"),
            "{message}"
        );
    }
}
