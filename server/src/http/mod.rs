//! The HTTP surface: shared state, the router, and the layers every response
//! passes through (security headers, tracing without secrets).
//!
//! | method | path                              | module          |
//! |--------|-----------------------------------|-----------------|
//! | GET    | `/api/v1/assets/{token}`          | [`assets`]      |
//! | POST   | `/api/v1/assets/{token}/photos`   | [`photos`]      |
//! | PUT    | `/api/v1/intakes/{id}`            | [`intakes`]     |
//! | GET    | `/api/v1/intakes/{id}`            | [`intakes`]     |
//! | GET    | `/api/v1/admin/salesforce`        | [`admin`]       |
//! | GET    | `/admin/salesforce[/…]`           | [`admin`]       |
//! | POST   | `/admin/salesforce/connect-client-credentials` | [`admin`] |
//! | GET    | `/a/{token}`, `/A/{token}`        | [`assets`]      |
//! | GET    | `/qr/{token}.svg`                 | [`assets`]      |
//! | GET    | `/healthz`                        | here            |
//! | GET    | anything else                     | [`static_files`]|

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use fieldcase_core::wire::Limits;
use fieldcase_core::{AssetToken, CaseSchema};
use tokio::sync::{Notify, Semaphore};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::photo::PhotoFiles;
use crate::salesforce::Salesforce;
use crate::store::{ActiveAsset, Store};

/// The administrator's Salesforce pages and status.
pub mod admin;
/// The asset a QR link opens, its photo uploads, and the QR image and page.
pub mod assets;
/// Extractors whose rejections speak [`fieldcase_core::wire::ApiError`].
pub mod extract;
/// Reviewed intakes: submit (idempotently) and read back the receipt.
pub mod intakes;
/// Photo uploads, judged by content and stored under their hash.
pub mod photos;
/// The built app: precompressed files, deep links, the "not built yet" page.
pub mod static_files;

/// The policy the built app runs under: no inline script or style anywhere;
/// `wasm-unsafe-eval` lets the app's own WebAssembly compile.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'self'";

/// Everything a handler may need; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub schema: Arc<CaseSchema>,
    pub limits: Limits,
    /// Base of QR links, without a trailing slash.
    pub public_url: Arc<str>,
    pub files: PhotoFiles,
    /// The built app, or `None` when it has not been built.
    pub dist: Option<Arc<PathBuf>>,
    /// Full photo decodes are memory-hungry: this many at a time.
    pub decode_permits: Arc<Semaphore>,
    /// The Salesforce connector.
    pub salesforce: Salesforce,
    /// Wakes the write worker (an intake was approved).
    pub write_wake: Arc<Notify>,
}

impl AppState {
    /// The asset behind a token taken from a request. A malformed, unknown or
    /// revoked token all give [`Error::AssetInactive`], alike.
    pub async fn active_asset(&self, raw_token: &str) -> Result<ActiveAsset> {
        let token = AssetToken::parse(raw_token).map_err(|_| Error::AssetInactive)?;
        self.active_asset_for(&token).await
    }

    pub async fn active_asset_for(&self, token: &AssetToken) -> Result<ActiveAsset> {
        self.store
            .active_asset(token)
            .await?
            .ok_or(Error::AssetInactive)
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(assets::api_router())
        .merge(photos::router(&state.limits))
        .merge(intakes::router())
        .merge(admin::api_router())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    Router::new()
        .merge(api)
        .merge(assets::page_router())
        .merge(admin::router())
        .route("/healthz", get(healthz))
        .fallback(static_files::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(always(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // The asset token is in the path: never pass it on in a Referer.
        .layer(always(header::REFERRER_POLICY, "no-referrer"))
        .layer(always(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<axum::body::Body>| {
                    // The route template, never the raw path: asset tokens
                    // travel in paths and are secrets.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("(fallback)", MatchedPath::as_str);
                    tracing::info_span!("http", method = %req.method(), route)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// A header set on every response, unless the handler set it already.
fn always(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// `GET /healthz`: 200 `ok` when the database answers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let headers = [(header::CACHE_CONTROL, "no-store")];
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, headers, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                headers,
                "database unavailable",
            )
        }
    }
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
