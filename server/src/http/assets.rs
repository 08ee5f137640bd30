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
//!
//! The context and the recent submissions carry an `ETag` (a hash of their
//! JSON), and `/a/{token}` names both in its `Fieldcase-Versions` header, so
//! the service worker can answer the page's two reads from its cache when
//! the page was just served with exactly what it keeps (see [`VERSIONS`]).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use fieldcase_core::AssetToken;
use fieldcase_core::CaseDraft;
use fieldcase_core::console::{SubmissionDetail, SubmissionSummary};
use fieldcase_core::wire::{ApiError, AssetView, IntakeContext, PhotoReceipt};
use sha2::{Digest, Sha256};

use super::AppState;
use super::admin::escape;
use super::extract::{Json, Path};
use super::static_files;
use crate::dist::{PageAssets, insert_after_body};
use crate::error::{ASSET_INACTIVE_MESSAGE, Error, Result};
use crate::i18n::{CODE_JS, Lang, switcher_html, tr, words_meta};
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
async fn submissions(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let asset = state.active_asset(&token).await?;
    Ok(recent(&state, &asset.id).await?.into_response())
}

/// The recent submissions on an asset, as `GET …/intakes` answers them.
async fn recent(state: &AppState, asset_id: &str) -> Result<Versioned> {
    let rows = state.store.asset_submissions(asset_id).await?;
    let list = rows
        .into_iter()
        .map(|r| r.decode())
        .collect::<std::result::Result<Vec<SubmissionSummary>, _>>()?;
    Versioned::of(&list)
}

/// The asset's context, as `GET /api/v1/assets/{token}` answers it.
fn intake_context(state: &AppState, asset: AssetView) -> Result<Versioned> {
    Versioned::of(&IntakeContext {
        asset,
        schema: (*state.schema).clone(),
        limits: state.limits,
        server_structuring: state.structurer.uses_a_model(),
    })
}

/// A JSON answer and its version: `"` + the first 16 hex digits of the
/// SHA-256 of its bytes + `"`, sent as its `ETag`.
struct Versioned {
    body: Vec<u8>,
    etag: String,
}

impl Versioned {
    fn of<T: serde::Serialize>(value: &T) -> Result<Versioned> {
        let body =
            serde_json::to_vec(value).map_err(|e| Error::Internal(format!("JSON answer: {e}")))?;
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
        Ok(Versioned { body, etag })
    }
}

impl IntoResponse for Versioned {
    fn into_response(self) -> Response {
        (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::ETAG, self.etag),
            ],
            self.body,
        )
            .into_response()
    }
}

/// `/a/{token}`'s header naming the versions of the two answers its page
/// reads first: `context="…", intakes="…"` (each an `ETag` above).
///
/// Why: on a repeat visit the service worker answers those two reads from
/// its cache only when what it keeps has exactly the version this page was
/// served with a moment ago (`app/js/sw.js`), so only the HTML crosses the
/// network, and the context is never another asset's (the cache is keyed by
/// the token's URL) nor stale (a changed asset, schema, limit or submission
/// is a new version, read from the network). A time-based policy
/// (max-age, stale-while-revalidate) would show a dispatcher's decision or a
/// changed schema late; this costs one query the page's next read needs
/// anyway.
pub const VERSIONS: HeaderName = HeaderName::from_static("fieldcase-versions");

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
        .route("/open", get(open_code))
}

#[derive(serde::Deserialize)]
struct OpenQuery {
    #[serde(default)]
    code: String,
}

/// `GET /open?code=…`: the code form, sent before the page's script took it
/// over (a slow phone, a tap right after the page appeared). A code that
/// reads right opens its asset's page (which decides whether it is active);
/// anything else is the form again, with what was typed and what to fix.
async fn open_code(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    query: std::result::Result<
        axum::extract::Query<OpenQuery>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Response {
    let lang = Lang::of(&headers);
    let typed = query.map(|q| q.0.code).unwrap_or_default();
    let typed: String = typed.chars().take(200).collect();
    let problem = match fieldcase_core::token::read_code(&typed) {
        Ok(token) => return Redirect::to(&token.link_path()).into_response(),
        Err(fieldcase_core::token::TokenError::WrongLength(0)) => {
            tr(lang, "Type the code printed under the QR.").to_owned()
        }
        Err(fieldcase_core::token::TokenError::WrongLength(n)) => fieldcase_core::text::fill(
            tr(
                lang,
                "That code doesn't look right: an asset code has {} characters; this one has {}.",
            ),
            &["20", &n.to_string()],
        ),
        Err(fieldcase_core::token::TokenError::BadCharacter(c)) => {
            let hint = match c {
                '0' => tr(lang, " (the letter O?)"),
                '1' => tr(lang, " (the letter I?)"),
                '8' => tr(lang, " (the letter B?)"),
                _ => "",
            };
            fieldcase_core::text::fill(
                tr(
                    lang,
                    "That code doesn't look right: an asset code uses only letters and the digits 2–7; “{}” is not one of them{}.",
                ),
                &[&c.to_string(), hint],
            )
        }
    };
    let form = code_entry(lang)
        .replacen(
            "id=\"code\" name=\"code\"",
            &format!(
                "id=\"code\" name=\"code\" value=\"{}\" aria-invalid=\"true\" autofocus",
                escape(&typed)
            ),
            1,
        )
        .replacen(
            "role=\"alert\" hidden></p>",
            &format!("role=\"alert\">{}</p>", escape(&problem)),
            1,
        );
    let assets = page_assets(&state).await;
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page_html(
            lang,
            &assets,
            tr(lang, "Scan the QR code on the equipment"),
            "",
            &form,
        )),
    )
        .into_response()
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
async fn context(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let asset = state.active_asset(&token).await?;
    tracing::info!(asset_id = %asset.id, "intake context served");
    Ok(intake_context(&state, asset.view)?.into_response())
}

/// `GET /a/{token}`: the app with the asset's card already in its HTML (the
/// first paint needs no WebAssembly), or the "not active" page.
async fn page(
    State(state): State<AppState>,
    path: std::result::Result<Path<String>, Error>,
    req: Request,
) -> Response {
    let lang = Lang::of(req.headers());
    let Ok(Path(token)) = path else {
        return inactive_page(&state, lang).await;
    };
    match state.active_asset(&token).await {
        Ok(asset) => {
            let versions = page_versions(&state, &asset.id, &asset.view).await;
            let page = app_with_card(&state, &asset.view, lang, versions, req).await;
            super::app_page(&state, page)
        }
        Err(Error::AssetInactive) => inactive_page(&state, lang).await,
        Err(e) => {
            tracing::error!(error = %e, "asset page: lookup failed");
            let assets = page_assets(&state).await;
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CACHE_CONTROL, "no-store")],
                Html(page_html(
                    lang,
                    &assets,
                    tr(lang, "Something went wrong"),
                    tr(
                        lang,
                        "Something went wrong on the server. Scan the code again in a minute.",
                    ),
                    "",
                )),
            )
                .into_response()
        }
    }
}

/// `GET /A/{token}`: QR codes carry the link in upper case; send the browser
/// to the canonical lower-case path.
async fn upper_case_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    path: std::result::Result<Path<String>, Error>,
) -> Response {
    match path.ok().and_then(|Path(raw)| AssetToken::parse(&raw).ok()) {
        Some(token) => Redirect::temporary(&token.link_path()).into_response(),
        None => inactive_page(&state, Lang::of(&headers)).await,
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

/// The page for a code that is not active: nothing about any asset; a field
/// to type the code on the label and a "Scan a code" button (`/public/code.js`,
/// a static file: no inline script). The app's own "not active" screen
/// (`app/src/components/mod.rs`, `inactive`) draws the same markup.
pub async fn inactive_page(state: &AppState, lang: Lang) -> Response {
    let assets = page_assets(state).await;
    (
        StatusCode::NOT_FOUND,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::VARY, "accept-language, cookie"),
        ],
        Html(page_html(
            lang,
            &assets,
            tr(lang, "Code not active"),
            tr(lang, ASSET_INACTIVE_MESSAGE),
            &code_entry(lang),
        )),
    )
        .into_response()
}

/// Type or scan another code: the core's form (the app's `inactive` screen
/// draws the same), and its script.
fn code_entry(lang: Lang) -> String {
    let mut out = String::from("<div class=\"code-entry\">");
    let en = fieldcase_core::token::CODE_ENTRY_EN;
    out.push_str(&fieldcase_core::token::code_entry_html(
        &fieldcase_core::token::CodeEntryWords {
            label: tr(lang, en.label),
            open: tr(lang, en.open),
            scan: tr(lang, en.scan),
            camera: tr(lang, en.camera),
            stop: tr(lang, en.stop),
        },
    ));
    out.push_str("</div>\n<script type=\"module\" src=\"/public/code.js\"></script>");
    out
}

/// The stylesheet and scanner of the built app (none without one).
pub async fn page_assets(state: &AppState) -> PageAssets {
    match &state.dist {
        Some(dist) => tokio::fs::read_to_string(dist.join("index.html"))
            .await
            .map(|html| PageAssets::from_index(&html))
            .unwrap_or_default(),
        None => PageAssets::default(),
    }
}

/// The one shell of the server's own pages: the app's stylesheet and top
/// bar (with the language switcher), a heading, a lead paragraph, then
/// `more`. `title` is plain text; `lead` and `more` are HTML written by us
/// (never anyone's input), already in `lang`.
pub fn page_html(lang: Lang, assets: &PageAssets, title: &str, lead: &str, more: &str) -> String {
    page_html_with(lang, assets, title, lead, more, "")
}

/// [`page_html`] with more in its `<head>` (HTML written by us), e.g. a
/// page's own stylesheet.
pub fn page_html_with(
    lang: Lang,
    assets: &PageAssets,
    title: &str,
    lead: &str,
    more: &str,
    extra_head: &str,
) -> String {
    let title = escape(title);
    let mut head = String::new();
    if let Some(css) = &assets.stylesheet {
        head.push_str(&format!(
            "<link rel=\"stylesheet\" href=\"{}\">\n",
            escape(css)
        ));
    }
    // The "code not active" form's script speaks the page's language.
    head.push_str(&words_meta(lang, &[CODE_JS]));
    if let Some(wasm) = &assets.scanner {
        head.push_str(&format!(
            "<meta name=\"fieldcase-scanner\" content=\"{}\">\n",
            escape(wasm)
        ));
    }
    head.push_str(extra_head);
    format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"theme-color\" content=\"#0f3d5e\">\n\
         <link rel=\"icon\" href=\"/public/favicon.svg\" type=\"image/svg+xml\">\n\
         {head}<title>{title}</title>\n</head>\n<body>\n\
         <header class=\"bar\"><span class=\"brand\">fieldcase</span>{switcher}</header>\n\
         <main class=\"page\">\n<h1 tabindex=\"-1\">{title}</h1>\n<p class=\"lead\">{lead}</p>\n{more}\n</main>\n\
         </body>\n</html>\n",
        code = lang.code(),
        switcher = switcher_html(lang),
    )
}

/// The asset's card as the app draws it (`asset_card` in
/// `app/src/components/intake.rs`: same elements, classes and text), and
/// the notes card under it (`notes_screen`: its label, hint and box, the box
/// read-only until the app's own takes its place), inside the `<main>` the
/// app replaces once it has the context, in the page's language. The notes'
/// hint is the largest text of the first screen: drawn here, it is painted
/// with the card (the LCP is the first paint) and the app's same-sized copy
/// is no later one.
pub fn first_paint_html(a: &AssetView, lang: Lang) -> String {
    let mut site = a.site.clone();
    if let Some(l) = &a.location {
        site.push_str(" — ");
        site.push_str(l);
    }
    let fact = |dt: &str, dd: &str| format!("<div><dt>{dt}</dt><dd>{}</dd></div>", escape(dd));
    let mut facts = String::new();
    facts.push_str(&fact(tr(lang, "Model"), &a.model));
    facts.push_str(&fact(tr(lang, "Serial"), &a.serial_number));
    facts.push_str(&fact(tr(lang, "Account"), &a.account_name));
    facts.push_str(&fact(tr(lang, "Site"), &site));
    if let Some(d) = &a.install_date {
        facts.push_str(&fact(tr(lang, "Installed"), d));
    }
    format!(
        "<header class=\"bar\" id=\"first-bar\"><span class=\"brand\">fieldcase</span>{switcher}</header>\
         <main class=\"page\" id=\"first-paint\"><section class=\"asset\" aria-labelledby=\"asset-name\">\
         <p class=\"eyebrow\">{eyebrow}</p><h1 id=\"asset-name\" tabindex=\"-1\">{name}</h1>\
         <dl class=\"facts\">{facts}</dl></section>\
         <section class=\"card\"><label for=\"notes\" class=\"big-label\">{notes}</label>\
         <p class=\"hint\" id=\"notes-hint\">{hint}</p>\
         <textarea id=\"notes\" rows=\"8\" aria-describedby=\"notes-hint\" readonly></textarea></section></main>",
        switcher = switcher_html(lang),
        eyebrow = tr(lang, "Equipment"),
        name = escape(&a.name),
        notes = tr(lang, "What did you find?"),
        hint = tr(
            lang,
            "Type it as it comes: symptoms, readings, error codes. It's saved on this phone as you type."
        ),
    )
}

/// The [`VERSIONS`] header's value for an asset's page (none when a read
/// fails: the page still opens, and its reads go to the network).
async fn page_versions(state: &AppState, asset_id: &str, view: &AssetView) -> Option<String> {
    let context = intake_context(state, view.clone()).ok()?;
    let intakes = match recent(state, asset_id).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "asset page: recent submissions");
            return None;
        }
    };
    Some(format!(
        "context={}, intakes={}",
        context.etag, intakes.etag
    ))
}

/// The app's index.html with the asset's card in its body and the asset in
/// its title; brotli when the browser takes it, revalidated by its ETag
/// (which covers the [`VERSIONS`] it is sent with).
async fn app_with_card(
    state: &AppState,
    a: &AssetView,
    lang: Lang,
    versions: Option<String>,
    req: Request,
) -> Response {
    let Some(dist) = &state.dist else {
        return static_files::index(state, req).await;
    };
    // That language's build, else English's (a dist built in English only).
    let html = match tokio::fs::read_to_string(dist.join(lang.index_file())).await {
        Ok(html) => Ok(html),
        Err(_) => tokio::fs::read_to_string(dist.join(Lang::En.index_file())).await,
    };
    let Ok(html) = html else {
        return static_files::index(state, req).await;
    };
    let mut title = String::from("<title>");
    title.push_str(&escape(&a.name));
    title.push_str(" · fieldcase</title>");
    let html = insert_after_body(&html, &first_paint_html(a, lang)).replacen(
        "<title>fieldcase</title>",
        &title,
        1,
    );
    let versions = versions.unwrap_or_default();
    let mut hash = Sha256::new();
    hash.update(html.as_bytes());
    hash.update([0]);
    hash.update(versions.as_bytes());
    let etag = format!("\"{}\"", &hex::encode(hash.finalize())[..16]);
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // The page's language comes from the cookie or Accept-Language.
    headers.insert(
        header::VARY,
        HeaderValue::from_static("accept-encoding, accept-language, cookie"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&versions)
        && !versions.is_empty()
    {
        headers.insert(VERSIONS, v);
    }
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let brotli = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")));
    if brotli {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 9,
            ..Default::default()
        };
        if brotli::BrotliCompress(&mut html.as_bytes(), &mut out, &params).is_ok() {
            return (
                headers,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_ENCODING, "br"),
                ],
                out,
            )
                .into_response();
        }
    }
    (headers, Html(html)).into_response()
}
