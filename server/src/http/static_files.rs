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
use crate::i18n::Lang;

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
    // The app's shell in each language, which the service worker answers
    // `/a/{token}` with offline: the same permissions as that page.
    let app_shell = Lang::ALL
        .iter()
        .any(|l| path.strip_prefix('/') == Some(l.index_file()));
    // The index is chosen (a header read, a file checked) only for a deep
    // link, not for every file of the bundle.
    let lang = Lang::of(req.headers());
    // `/` and a deep link are answered with the index too (a file never is).
    let index = app_shell || !names_a_file(path);
    let response = serve_from(&dist, |dist| app_index(dist, lang), req).await;
    match response.status().is_success() {
        true if app_shell => super::app_page(&state, response),
        true if index => super::with_release(&state, response),
        _ => response,
    }
}

/// The app's index for `lang` (`index.es.html`…), English when that
/// language was not built.
fn app_index(dist: &std::path::Path, lang: Lang) -> &'static str {
    if dist.join(lang.index_file()).is_file() {
        lang.index_file()
    } else {
        Lang::En.index_file()
    }
}

/// `GET /console/…`: the console's bundle (`dist-console/`), its deep links
/// answered with its index.html.
pub async fn console(State(state): State<AppState>, mut req: Request) -> Response {
    let Some(dist) = state.console_dist.clone() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            Html(page_html(
                Lang::En,
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
    serve_from(&dist, |_| "index.html", req).await
}

/// Whether `path` names a file (its last segment has a dot): served as
/// itself or a 404, never answered with the index as a deep link is.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/').next().unwrap_or_default().contains('.')
}

/// A file of a built bundle, or its `index` for a deep link.
async fn serve_from(
    dist: &std::path::Path,
    index: impl FnOnce(&std::path::Path) -> &'static str,
    req: Request,
) -> Response {
    let path = req.uri().path();
    let hashed = is_hashed_name(path) || is_current_version(dist, path, req.uri().query()).await;
    let response = if names_a_file(path) {
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
        // A directory or a deep link into the app: the index when nothing else.
        let index = ServeFile::new(dist.join(index(dist)))
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
    let index = app_index(&dist, Lang::of(req.headers()));
    let file = ServeFile::new(dist.join(index))
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
        // The same URL answers br, gzip or plain bytes (and an index in the
        // browser's language): caches must key on them.
        let vary = if hashed {
            "accept-encoding"
        } else {
            "accept-encoding, accept-language, cookie"
        };
        headers.insert(header::VARY, HeaderValue::from_static(vary));
    }
    response
}

/// The answer while `dist/` is missing: the API works, the app does not.
fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page_html(
            Lang::En,
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
