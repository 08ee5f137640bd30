//! The built app (Trunk's `dist/`), served as the router's fallback:
//!
//! - files, precompressed (`.br`, `.gz`) when the browser accepts it;
//! - hashed names (`app-<hash>.wasm`), and a fixed name asked for with its
//!   current version (`/public/favicon.svg?v=<hash>`, as index.html names
//!   the icon and the manifest: `dist::version_links`), cached for a year;
//!   everything else (index.html above all) revalidated on each load;
//! - extension-less paths (deep links) answered with index.html;
//! - anything under `/api` that no route matched: a 404 in the API's shape;
//! - no `dist/` at all: a 503 page saying to build the app.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;
use super::assets::{page_assets, page_html};
use crate::dist::is_hashed_name;
use crate::error::Error;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Everything no route matched.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return Error::RouteNotFound.into_response();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Error::MethodNotAllowed.into_response();
    }
    let Some(dist) = state.dist.clone() else {
        return not_built();
    };
    serve_from(&dist, req).await
}

/// `GET /console/…`: the console's bundle (`dist-console/`), its deep links
/// answered with its index.html.
pub async fn console(State(state): State<AppState>, mut req: Request) -> Response {
    let Some(dist) = state.console_dist.clone() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            Html(page_html(
                &page_assets(&state).await,
                "Console not built",
                "The dispatcher console has not been built. Run scripts/run (or scripts/test), \
                 which builds it into dist-console/.",
                "",
            )),
        )
            .into_response();
    };
    let inner = req.uri().path().strip_prefix("/console").unwrap_or("/");
    let inner = if inner.is_empty() { "/" } else { inner };
    match inner.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return (StatusCode::NOT_FOUND, "Not found.").into_response(),
    }
    serve_from(&dist, req).await
}

/// A file of a built bundle, or its index.html for a deep link.
async fn serve_from(dist: &std::path::Path, req: Request) -> Response {
    let path = req.uri().path();
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    let hashed = is_hashed_name(path) || is_current_version(dist, path, req.uri().query()).await;
    let response = if last_segment.contains('.') {
        // A file: it exists or it is a 404 (never index.html in its place).
        let response = serve(
            ServeDir::new(dist).precompressed_br().precompressed_gzip(),
            req,
        )
        .await;
        if response.status() == StatusCode::NOT_FOUND {
            return (
                StatusCode::NOT_FOUND,
                [(header::CACHE_CONTROL, "no-store")],
                "Not found.",
            )
                .into_response();
        }
        response
    } else {
        // A directory or a deep link into the app: index.html when nothing else.
        let index = ServeFile::new(dist.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        let dir = ServeDir::new(dist)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(index);
        serve(dir, req).await
    };
    with_cache_policy(response, hashed)
}

/// Whether `?v=` names the version the file at `path` has now (an old or
/// made-up version is served, but revalidated like any fixed name).
async fn is_current_version(dist: &std::path::Path, path: &str, query: Option<&str>) -> bool {
    let Some(v) = query.and_then(|q| q.split('&').find_map(|p| p.strip_prefix("v="))) else {
        return false;
    };
    let rel = path.trim_start_matches('/');
    if v.len() != 16 || rel.split('/').any(|s| s == ".." || s.is_empty()) {
        return false;
    }
    let file = dist.join(rel);
    tokio::task::spawn_blocking(move || crate::dist::file_version(&file))
        .await
        .ok()
        .flatten()
        .is_some_and(|current| current == v)
}

/// `dist/index.html` for a request (precompressed when accepted), as the
/// `/a/{token}` page uses it.
pub async fn index(state: &AppState, req: Request) -> Response {
    let Some(dist) = state.dist.clone() else {
        return not_built();
    };
    let file = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    with_cache_policy(serve(file, req).await, false)
}

async fn serve<S, B>(service: S, req: Request) -> Response
where
    S: tower::Service<
            Request,
            Response = axum::http::Response<B>,
            Error = std::convert::Infallible,
        >,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    match service.oneshot(req).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

fn with_cache_policy(mut response: Response, hashed: bool) -> Response {
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same URL answers br, gzip or plain bytes: caches must key on it.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// The answer while `dist/` is missing: the API works, the app does not.
fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page_html(
            &crate::dist::PageAssets::default(),
            "App not built",
            "The fieldcase app has not been built yet. Run <code>trunk build --release</code> \
             in <code>app/</code> (it writes <code>dist/</code>), or point <code>--dist</code> at \
             the built files, then restart the server.",
            "",
        )),
    )
        .into_response()
}
