//! The HTTP surface: shared state, the router, and the layers every response
//! passes through (security headers, tracing without secrets).
//!
//! | method | path                              | module          |
//! |--------|-----------------------------------|-----------------|
//! | GET    | `/api/v1/assets/{token}`          | [`assets`]      |
//! | POST   | `/api/v1/assets/{token}/photos`   | [`photos`]      |
//! | PUT    | `/api/v1/intakes/{id}`            | [`intakes`]     |
//! | GET    | `/api/v1/intakes/{id}` (staff)    | [`intakes`]     |
//! | GET    | `/api/v1/assets/{token}/intakes/{id}/receipt` | [`intakes`] |
//! | GET    | `/api/v1/assets/{token}/intakes[/{id}]` | [`assets`] |
//! | POST/GET/DELETE | `/api/v1/session`        | [`session`]     |
//! | POST   | `/api/v1/invitations/accept`      | [`session`]     |
//! | *      | `/api/v1/console/…`               | [`console`]     |
//! | *      | `/api/v1/admin/users…`, `/api/v1/admin/invitations` | [`users`] |
//! | GET    | `/api/v1/admin/audit[.csv]`       | [`audit`]       |
//! | GET    | `/api/v1/admin/salesforce`        | [`admin`]       |
//! | *      | `/api/v1/admin/portals…`          | [`portals`]     |
//! | *      | `/api/v1/admin/policy…`           | [`policy`]      |
//! | GET    | `/embed/{portal}`, `/embed/*.js`, `/embed/embed.css` | [`embed`] |
//! | *      | `/api/v1/embed/…` (embed session) | [`embed`]       |
//! | GET    | `/api/v1/openapi.json`            | [`openapi`]     |
//! | GET    | `/admin/salesforce[/callback]`    | [`admin`]       |
//! | POST   | `/admin/salesforce/connect[-client-credentials]` | [`admin`] |
//! | GET    | `/console/…`                      | [`static_files`] (the console bundle) |
//! | GET    | `/a/{token}`, `/A/{token}`        | [`assets`]      |
//! | GET    | `/qr/{token}.svg`                 | [`assets`]      |
//! | GET    | `/healthz`                        | here            |
//! | GET    | anything else                     | [`static_files`]|

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fieldcase_core::console::QueueChange;
use fieldcase_core::wire::Limits;
use fieldcase_core::{AssetToken, CaseSchema};
use tokio::sync::{Notify, broadcast};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::auth::{AuthSettings, SignInLimits};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{Error, Result};
use crate::limits::{DecodeBudget, RateLimits, RequestLimits};
use crate::photo::PhotoFiles;
use crate::salesforce::Salesforce;
use crate::store::{ActiveAsset, Store};

/// The administrator's Salesforce pages and status.
pub mod admin;
/// Admins' assets: list, edit, retire, new links, imports, QR labels.
pub mod asset_admin;
/// The asset a QR link opens, its photo uploads, and the QR image and page.
pub mod assets;
/// The audit log for admins, and its CSV export.
pub mod audit;
/// The dispatchers' queue, intake page, decisions and live updates.
pub mod console;
/// The intake form embedded in a customer portal: its page and its API.
pub mod embed;
/// Extractors whose rejections speak [`fieldcase_core::wire::ApiError`].
pub mod extract;
/// Reviewed intakes: submit (idempotently) and read back the receipt.
pub mod intakes;
/// `GET /api/v1/openapi.json`: the API's description, built from the handlers.
pub mod openapi;
/// Photo uploads, judged by content and stored under their hash.
pub mod photos;
/// Admins read, change, version and try the policy.
pub mod policy;
/// Admins register customer portals (origins, a shared secret).
pub mod portals;
/// Staff sign-in and sign-out, and accepting an invitation.
pub mod session;
/// The built app: precompressed files, deep links, the "not built yet" page.
pub mod static_files;
/// Notes structured on the server, through an asset's link.
pub mod structuring;
/// Admins manage staff accounts and invitations.
pub mod users;

/// The policy the built app runs under: no inline script or style anywhere;
/// `wasm-unsafe-eval` lets the app's own WebAssembly compile. Nothing of ours
/// frames another page of ours: only the embed page (its own policy, in
/// [`embed`]) may be framed, and only by its portal's origins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Powerful features: the camera for our own origin only (the app takes
/// photos), nothing else.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(), geolocation=()";

/// The technician app's page (`/a/{token}`, and the `/index.html` its
/// service worker answers that path with offline): the location too, which
/// the app asks for only when the technician switches it on for a photo.
/// Every other page, the embed included, keeps [`PERMISSIONS_POLICY`].
pub const APP_PERMISSIONS_POLICY: &str = "camera=(self), microphone=(), geolocation=(self)";

/// The technician app's page header naming the release it boots: the
/// version its service worker carries (`server/src/dist.rs`).
///
/// Why: a page a worker fetched from the network is the server's release,
/// which after a deploy is newer than the worker that fetched it. The worker
/// records what each open page runs (`app/js/sw.js`) so that an older
/// release's cache goes as soon as no page needs it; recorded as the
/// fetching worker's own release, the old cache would outlive every page
/// of it until the next open.
pub const RELEASE: HeaderName = HeaderName::from_static("fieldcase-release");

/// Give the technician app's page its own [`APP_PERMISSIONS_POLICY`] and
/// name its release.
pub fn app_page(state: &AppState, mut response: Response) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(APP_PERMISSIONS_POLICY),
    );
    with_release(state, response)
}

/// Name the release a response of the technician app's index boots
/// ([`RELEASE`]).
pub fn with_release(state: &AppState, mut response: Response) -> Response {
    if let Some(v) = &state.app_release {
        response.headers_mut().insert(RELEASE, v.clone());
    }
    response
}

/// HSTS for a server reached over https (a year, subdomains too). Never sent
/// over plain http, where it would mean nothing and a laptop demo would
/// remember it.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

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
    /// The built app's release version, its pages' [`RELEASE`] header.
    pub app_release: Option<HeaderValue>,
    /// Full photo decodes are memory-hungry: they share this budget.
    pub decode_budget: Arc<DecodeBudget>,
    /// Timeouts, requests in flight and how to tell the client's address.
    pub request_limits: Arc<RequestLimits>,
    /// Uploads and submissions per asset link and per address.
    pub rate_limits: Arc<RateLimits>,
    /// The Salesforce connector.
    pub salesforce: Salesforce,
    /// Wakes the write worker (an intake was approved).
    pub write_wake: Arc<Notify>,
    /// Sessions and the same-origin rule.
    pub auth: Arc<AuthSettings>,
    pub sign_in_limits: Arc<SignInLimits>,
    /// Intake changes, for the consoles' live queue.
    pub changes: broadcast::Sender<QueueChange>,
    /// The console's built files, or `None` when not built.
    pub console_dist: Option<Arc<PathBuf>>,
    /// The admin's policy in force (changed only through [`policy`]).
    pub policy: crate::policy::PolicyCell,
    /// The hand-off channels the policy's escalation may name.
    pub escalation_channels: Arc<crate::policy::EscalationChannels>,
    /// The MCP server's settings and per-client limits.
    pub mcp: Arc<crate::mcp::McpSettings>,
    /// Structuring on the server: the rules engine, or Claude when configured.
    pub structurer: Arc<dyn crate::structurer::Structurer>,
    /// A model's recent proposals, for the audit trail of what is submitted.
    pub ai_proposals: crate::structurer::RecentProposals,
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
    // Staff routes: a session, and state changes only from our own origin.
    let staff_api = Router::new()
        .merge(session::router())
        .merge(console::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(admin::api_router())
        .merge(portals::router())
        .merge(policy::router())
        .merge(asset_admin::router())
        .merge(crate::mcp::admin::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::same_origin,
        ));
    let api = Router::new()
        .merge(assets::api_router())
        .merge(photos::router(&state.limits))
        .merge(intakes::router())
        .merge(structuring::router())
        .merge(embed::router(&state.limits))
        .merge(openapi::router())
        .merge(staff_api)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let admin_pages = admin::router()
        .merge(asset_admin::page_router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::same_origin,
        ));
    let sessions = SessionManagerLayer::new(SqliteStore::new(state.store.pool().clone()))
        .with_name("fieldcase_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.auth.secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(state.auth.idle).unwrap_or(time::Duration::HOUR),
        ));

    Router::new()
        .merge(api)
        .merge(assets::page_router())
        .merge(admin_pages)
        .merge(crate::mcp::router(&state))
        .route("/console", get(static_files::console))
        .route("/console/", get(static_files::console))
        .route("/console/{*path}", get(static_files::console))
        .route("/healthz", get(healthz))
        .fallback(static_files::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        // `?lang=` on a page: remembered, then the same page without it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::i18n::switch,
        ))
        .layer(sessions)
        // Limits: a body that stalls, a request that takes too long, and
        // more requests at once than the server takes on.
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
            state.request_limits.body_timeout_secs,
        )))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::in_flight,
        ))
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
        .layer(always(
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            state
                .auth
                .secure
                .then_some(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY)),
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
