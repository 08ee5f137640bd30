//! The intake form embedded in a customer portal.
//!
//! | method | path                                           |                               |
//! |--------|------------------------------------------------|-------------------------------|
//! | GET    | `/embed/{portal}?t=JWT&origin=…&accent=…`      | the form (HTML), or a clear error page |
//! | GET    | `/embed/embed.js`, `/embed/embed.css`          | the form's script and style   |
//! | GET    | `/embed/resize.js`                             | the parent page's helper (MIT) |
//! | GET    | `/api/v1/embed/assets`                         | → `Vec<EmbedAsset>`           |
//! | POST   | `/api/v1/embed/assets/{asset}/photos`          | one photo → `PhotoReceipt`    |
//! | PUT    | `/api/v1/embed/intakes/{id}`                   | [`EmbedSubmission`] → `IntakeReceipt` |
//!
//! The page is server-rendered HTML with a small hand-written script (no
//! WebAssembly: it must be quick inside someone else's page). It is framable
//! only by the portal's registered origins (`frame-ancestors`); every other
//! page of fieldcase says `frame-ancestors 'none'`. The embed token is
//! verified here ([`crate::embed`]); the page then carries an embed session
//! that its script sends as `Authorization: Bearer` (no cookies).

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use fieldcase_core::IntakeId;
use fieldcase_core::embed::{EmbedAsset, EmbedSubmission, Portal, parse_origin};
use fieldcase_core::wire::{ApiError, IntakeReceipt, IntakeSubmission, PhotoReceipt, Technician};
use uuid::Uuid;

use super::AppState;
use super::admin::escape;
use super::extract::{Json, Path};
use super::intakes::{Via, ViaPortal, accept, propose};
use crate::auth::ClientAddress;
use crate::embed::{EmbedClaims, SessionClaims, TokenProblem};
use crate::error::{Error, Result};
use crate::i18n::{EMBED_JS, Lang, tr, words_meta};
use crate::store::ActiveAsset;

/// Every word the embed page shows, in one place for the translation pass.
pub mod words {
    /// Every sentence below (a test checks each is in `i18n/es.json`).
    pub const ALL: &[&str] = &[
        TITLE,
        INTRO,
        WHICH_ASSET,
        NOTES,
        NOTES_HINT,
        PHOTOS,
        PHOTOS_HINT,
        NAME,
        EMAIL,
        SUBMIT,
        NOSCRIPT,
        DONE_HEADING,
        DONE_TEXT,
        ERROR_TITLE,
        EXPIRED,
        INVALID,
        MISSING,
        UNKNOWN_PORTAL,
        WRONG_ORIGIN,
        NO_ASSETS,
        SESSION_ENDED,
        ASSET_NOT_YOURS,
        NOTES_MISSING,
    ];

    pub const TITLE: &str = "Report a problem";
    pub const INTRO: &str = "Tell us what is wrong and we will get back to you.";
    pub const WHICH_ASSET: &str = "Which equipment?";
    pub const NOTES: &str = "What is wrong?";
    pub const NOTES_HINT: &str =
        "What you see or hear, since when, and whether anyone could get hurt.";
    pub const PHOTOS: &str = "Photos (optional)";
    pub const PHOTOS_HINT: &str = "JPEG, PNG or WebP.";
    pub const NAME: &str = "Your name";
    pub const EMAIL: &str = "Your e-mail (optional)";
    pub const SUBMIT: &str = "Send report";
    pub const NOSCRIPT: &str =
        "This form needs JavaScript. Turn it on, or call your service contact.";
    pub const DONE_HEADING: &str = "Thank you — we have your report";
    pub const DONE_TEXT: &str = "Quote this reference if you contact us about it:";
    pub const ERROR_TITLE: &str = "This form cannot open";
    pub const EXPIRED: &str =
        "The link to this form has expired. Reload the page to get a fresh one.";
    pub const INVALID: &str = "The link to this form is not valid. Reload the page; if this \
         happens again, tell the portal's support team.";
    pub const MISSING: &str = "The link to this form is incomplete. Reload the page; if this \
         happens again, tell the portal's support team.";
    pub const UNKNOWN_PORTAL: &str = "This form is not available from this portal any more. \
         Tell the portal's support team.";
    pub const WRONG_ORIGIN: &str = "This form is not set up for this website. Tell the \
         portal's support team.";
    pub const NO_ASSETS: &str = "We found no equipment on your account to report on. Contact \
         your service contact.";
    pub const SESSION_ENDED: &str =
        "This form has been open too long. Reload the page and send your report again.";
    pub const ASSET_NOT_YOURS: &str =
        "This equipment is not on your account. Choose one from the list.";
    pub const NOTES_MISSING: &str = "Describe what is wrong.";
}

pub fn router(limits: &fieldcase_core::wire::Limits) -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/v1/embed/assets/{asset}/photos", post(upload))
        .layer(DefaultBodyLimit::max(super::photos::upload_body_limit(
            limits,
        )));
    let submissions = Router::new()
        .route("/api/v1/embed/intakes/{id}", put(submit))
        .layer(DefaultBodyLimit::max(SUBMIT_BODY_LIMIT))
        .layer(axum::Extension(super::extract::JsonLimit(
            SUBMIT_BODY_LIMIT as u64,
        )));
    Router::new()
        .route("/embed/resize.js", get(resize_js))
        .route("/embed/embed.js", get(embed_js))
        .route("/embed/embed.css", get(embed_css))
        .route("/embed/{portal}", get(page))
        .route("/api/v1/embed/assets", get(assets))
        .merge(uploads)
        .merge(submissions)
}

/// A customer's report: notes and a few photo hashes.
const SUBMIT_BODY_LIMIT: usize = 256 * 1024;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(assets, upload, submit), components(schemas(EmbedAsset)))]
pub struct Api;

const RESIZE_JS: &str = include_str!("../../embed/resize.js");
const EMBED_CSS: &str = include_str!("../../embed/embed.css");

/// One of the embed's files, with its brotli form made once (quality 11),
/// served to browsers that accept it: they are loaded inside someone else's
/// page, often on a phone.
struct EmbedFile {
    content_type: &'static str,
    plain: &'static str,
    brotli: std::sync::LazyLock<Vec<u8>>,
}

fn brotli_of(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    // Compressing from memory into memory cannot fail.
    let _ = brotli::BrotliCompress(&mut text.as_bytes(), &mut out, &params);
    out
}

static RESIZE: EmbedFile = EmbedFile {
    content_type: "text/javascript; charset=utf-8",
    plain: RESIZE_JS,
    brotli: std::sync::LazyLock::new(|| brotli_of(RESIZE_JS)),
};
static SCRIPT: EmbedFile = EmbedFile {
    content_type: "text/javascript; charset=utf-8",
    plain: EMBED_JS,
    brotli: std::sync::LazyLock::new(|| brotli_of(EMBED_JS)),
};
static STYLE: EmbedFile = EmbedFile {
    content_type: "text/css; charset=utf-8",
    plain: EMBED_CSS,
    brotli: std::sync::LazyLock::new(|| brotli_of(EMBED_CSS)),
};

fn asset_file(file: &'static EmbedFile, request: &HeaderMap) -> Response {
    let br = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")));
    let headers = [
        (header::CONTENT_TYPE, file.content_type),
        // Small, and changed with each release: revalidated each time.
        (header::CACHE_CONTROL, "no-cache"),
        (header::VARY, "accept-encoding"),
        // resize.js is loaded by portals' pages, from another origin.
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin",
        ),
    ];
    if br {
        (
            headers,
            [(header::CONTENT_ENCODING, "br")],
            file.brotli.as_slice(),
        )
            .into_response()
    } else {
        (headers, file.plain).into_response()
    }
}

async fn resize_js(headers: HeaderMap) -> Response {
    asset_file(&RESIZE, &headers)
}

async fn embed_js(headers: HeaderMap) -> Response {
    asset_file(&SCRIPT, &headers)
}

async fn embed_css(headers: HeaderMap) -> Response {
    asset_file(&STYLE, &headers)
}

/// The embed page's policy: the form's own files only, framed only by
/// `ancestors` (the portal's origins, or `'none'`).
pub fn content_security_policy(ancestors: &[String]) -> String {
    let ancestors = if ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        ancestors.join(" ")
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
         connect-src 'self'; form-action 'none'; base-uri 'none'; object-src 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// The page's query: the token, the parent's origin, an accent colour.
#[derive(Debug, Default)]
struct PageQuery {
    token: Option<String>,
    origin: Option<String>,
    accent: Option<String>,
    /// `en`, `es`: the portal's language, else the browser's.
    lang: Option<String>,
}

fn page_query(raw: Option<&str>) -> PageQuery {
    let mut q = PageQuery::default();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v = Some(v.into_owned());
        match &*k {
            "t" => q.token = v,
            "origin" => q.origin = v,
            "accent" => q.accent = v,
            "lang" => q.lang = v,
            _ => {}
        }
    }
    q
}

/// A colour the portal may pass: `#rgb` or `#rrggbb`.
pub fn accent(raw: &str) -> Option<String> {
    let hex = raw.strip_prefix('#')?;
    ((hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// `GET /embed/{portal}?t=…`: the form, or a page that says what went wrong
/// (framable by the portal, so the customer sees it inside the portal).
async fn page(
    State(state): State<AppState>,
    Path(raw_portal): Path<String>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    let query = page_query(raw.as_deref());
    let lang = Lang::of_embed(query.lang.as_deref(), &headers);
    let Ok(portal_id) = raw_portal.parse::<Uuid>() else {
        return Ok(error_page(
            lang,
            &[],
            None,
            TokenProblem::UnknownPortal,
            words::UNKNOWN_PORTAL,
        ));
    };
    let Some(portal) = state.store.portal(&portal_id).await? else {
        return Ok(error_page(
            lang,
            &[],
            None,
            TokenProblem::UnknownPortal,
            words::UNKNOWN_PORTAL,
        ));
    };
    // Where to post messages: the origin the iframe URL names, if it is one
    // of the portal's; with one origin registered, that one.
    let parent = match &query.origin {
        Some(o) => parse_origin(o).ok().filter(|o| portal.origins.contains(o)),
        None if portal.origins.len() == 1 => portal.origins.first().cloned(),
        None => None,
    };
    let fail = |problem: TokenProblem, message: &'static str| {
        tracing::info!(portal_id = %portal.id, code = problem.code(), "embed page refused");
        Ok(error_page(
            lang,
            &portal.origins,
            parent.as_deref(),
            problem,
            message,
        ))
    };
    let Some(key) = state.store.enabled_portal_key(&portal_id).await? else {
        return fail(TokenProblem::UnknownPortal, words::UNKNOWN_PORTAL);
    };
    let Some(parent) = parent.clone() else {
        return fail(TokenProblem::Invalid, words::WRONG_ORIGIN);
    };
    let Some(token) = query.token.as_deref().filter(|t| !t.is_empty()) else {
        return fail(TokenProblem::Missing, words::MISSING);
    };
    let now = crate::embed::now_secs();
    let claims = match crate::embed::verify_token(token, &portal_id, &key.secret, now) {
        Ok(c) => c,
        Err(TokenProblem::Expired) => return fail(TokenProblem::Expired, words::EXPIRED),
        Err(problem) => return fail(problem, words::INVALID),
    };
    let assets = scope_assets(&state, &claims.account, &claims.asset).await?;
    if assets.is_empty() {
        return fail(TokenProblem::Invalid, words::NO_ASSETS);
    }
    let session =
        crate::embed::sign_session(&state.store.embed_session_key(), portal_id, &claims, now);
    tracing::info!(portal_id = %portal.id, assets = assets.len(), "embed page opened");
    let html = form_html(&FormPage {
        parent: &parent,
        session: &session,
        claims: &claims,
        assets: &assets,
        accent: query.accent.as_deref().and_then(accent),
        lang,
    });
    Ok(html_response(StatusCode::OK, &portal.origins, html))
}

fn html_response(status: StatusCode, ancestors: &[String], html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(ancestors)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// The assets an embed session may report on: the account's (by CRM account
/// id or name) and the one asset the token names, if it has an active link.
async fn scope_assets(
    state: &AppState,
    account: &Option<String>,
    asset: &Option<String>,
) -> Result<Vec<EmbedAsset>> {
    let mut assets = match account.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(account) => state.store.account_assets(account).await?,
        None => Vec::new(),
    };
    if let Some(id) = asset.as_deref().map(str::trim).filter(|a| !a.is_empty())
        && !assets.iter().any(|a| a.id == id)
        && let Some(found) = state.store.active_asset_by_id(id).await?
    {
        assets.insert(0, embed_asset(&found));
    }
    Ok(assets)
}

fn embed_asset(a: &ActiveAsset) -> EmbedAsset {
    EmbedAsset {
        id: a.id.clone(),
        name: a.view.name.clone(),
        model: a.view.model.clone(),
        serial_number: a.view.serial_number.clone(),
        site: a.view.site.clone(),
        location: a.view.location.clone(),
    }
}

struct FormPage<'a> {
    parent: &'a str,
    session: &'a str,
    claims: &'a EmbedClaims,
    assets: &'a [EmbedAsset],
    accent: Option<String>,
    lang: Lang,
}

fn head(lang: Lang, title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/embed/embed.css\">{words}\
         <script src=\"/embed/embed.js\" defer></script></head>",
        code = lang.code(),
        title = escape(title),
        words = words_meta(lang, &[EMBED_JS]),
    )
}

fn asset_label(a: &EmbedAsset) -> String {
    let mut place = a.site.clone();
    if let Some(l) = a.location.as_deref().filter(|l| !l.is_empty()) {
        place = format!("{place}, {l}");
    }
    format!(
        "<span class=\"asset-name\">{}</span> <span class=\"asset-detail\">{} · {} · {}</span>",
        escape(&a.name),
        escape(&a.model),
        escape(&a.serial_number),
        escape(&place)
    )
}

fn form_html(p: &FormPage<'_>) -> String {
    let preselected = p
        .claims
        .asset
        .as_deref()
        .filter(|id| p.assets.iter().any(|a| a.id == *id))
        .or_else(|| (p.assets.len() == 1).then(|| p.assets[0].id.as_str()));
    let assets = if p.assets.len() == 1 {
        format!(
            "<p class=\"one-asset\">{}<input type=\"hidden\" name=\"asset\" value=\"{}\"></p>",
            asset_label(&p.assets[0]),
            escape(&p.assets[0].id)
        )
    } else {
        let items: String = p
            .assets
            .iter()
            .map(|a| {
                let checked = if Some(a.id.as_str()) == preselected {
                    " checked"
                } else {
                    ""
                };
                format!(
                    "<li><label><input type=\"radio\" name=\"asset\" value=\"{}\" required{checked}> {}</label></li>",
                    escape(&a.id),
                    asset_label(a)
                )
            })
            .collect();
        format!(
            "<fieldset><legend>{}</legend><ul class=\"assets\">{items}</ul></fieldset>",
            tr(p.lang, words::WHICH_ASSET)
        )
    };
    let name = p.claims.name.as_deref().unwrap_or_default();
    let email = p.claims.email.as_deref().unwrap_or_default();
    let accent = p
        .accent
        .as_deref()
        .map(|a| format!(" data-accent=\"{}\"", escape(a)))
        .unwrap_or_default();
    format!(
        "{head}<body><main id=\"embed\" data-state=\"form\" data-parent-origin=\"{parent}\" \
         data-session=\"{session}\"{accent}>\
         <h1 id=\"heading\" tabindex=\"-1\">{title}</h1><p class=\"intro\">{intro}</p>\
         <noscript><p class=\"problem\">{noscript}</p></noscript>\
         <form id=\"report\" novalidate>{assets}\
         <div class=\"field\"><label for=\"notes\">{notes}</label>\
         <p class=\"hint\" id=\"notes-hint\">{notes_hint}</p>\
         <textarea id=\"notes\" name=\"notes\" rows=\"5\" required aria-describedby=\"notes-hint\"></textarea></div>\
         <div class=\"field\"><label for=\"photos\">{photos}</label>\
         <p class=\"hint\" id=\"photos-hint\">{photos_hint}</p>\
         <input type=\"file\" id=\"photos\" accept=\"image/jpeg,image/png,image/webp\" multiple aria-describedby=\"photos-hint\">\
         <ul id=\"photo-list\" class=\"photo-list\"></ul></div>\
         <div class=\"field\"><label for=\"name\">{name_label}</label>\
         <input id=\"name\" name=\"name\" autocomplete=\"name\" required value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"email\">{email_label}</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{email}\"></div>\
         <p id=\"problem\" class=\"problem\" role=\"alert\"></p>\
         <button type=\"submit\" id=\"submit\">{submit}</button>\
         <p id=\"status\" class=\"status\" role=\"status\"></p></form>\
         <section id=\"done\" class=\"done\" hidden><h2 id=\"done-heading\" tabindex=\"-1\">{done_heading}</h2>\
         <p>{done_text} <strong id=\"reference\"></strong></p></section>\
         </main></body></html>",
        head = head(p.lang, tr(p.lang, words::TITLE)),
        parent = escape(p.parent),
        session = escape(p.session),
        title = tr(p.lang, words::TITLE),
        intro = tr(p.lang, words::INTRO),
        noscript = tr(p.lang, words::NOSCRIPT),
        notes = tr(p.lang, words::NOTES),
        notes_hint = tr(p.lang, words::NOTES_HINT),
        photos = tr(p.lang, words::PHOTOS),
        photos_hint = tr(p.lang, words::PHOTOS_HINT),
        name_label = tr(p.lang, words::NAME),
        name = escape(name),
        email_label = tr(p.lang, words::EMAIL),
        email = escape(email),
        submit = tr(p.lang, words::SUBMIT),
        done_heading = tr(p.lang, words::DONE_HEADING),
        done_text = tr(p.lang, words::DONE_TEXT),
    )
}

/// The page a refused token (or portal) gets: the form's look, what to do,
/// framable by the portal so the customer sees it where they are.
fn error_page(
    lang: Lang,
    ancestors: &[String],
    parent: Option<&str>,
    problem: TokenProblem,
    message: &'static str,
) -> Response {
    let status = match problem {
        TokenProblem::UnknownPortal => StatusCode::NOT_FOUND,
        TokenProblem::Missing => StatusCode::BAD_REQUEST,
        _ => StatusCode::FORBIDDEN,
    };
    let parent = parent
        .map(|p| format!(" data-parent-origin=\"{}\"", escape(p)))
        .unwrap_or_default();
    let html = format!(
        "{head}<body><main id=\"embed\" data-state=\"error\" data-code=\"{code}\"{parent}>\
         <h1>{title}</h1><p class=\"problem-text\">{message}</p></main></body></html>",
        head = head(lang, tr(lang, words::ERROR_TITLE)),
        code = problem.code(),
        title = tr(lang, words::ERROR_TITLE),
        message = escape(tr(lang, message)),
    );
    html_response(status, ancestors, html)
}

/// An embed session: the bearer of a session this server signed, for a
/// portal that is still enabled.
pub struct EmbedSession {
    pub claims: SessionClaims,
    pub portal: Portal,
}

fn session_required() -> Error {
    Error::Unauthorized {
        code: "embed_session_required",
        message: words::SESSION_ENDED.to_owned(),
    }
}

impl FromRequestParts<AppState> for EmbedSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(session_required)?;
        let claims = crate::embed::verify_session(&state.store.embed_session_key(), bearer.trim())
            .ok_or_else(session_required)?;
        let portal = state
            .store
            .portal(&claims.portal)
            .await?
            .filter(|p| p.enabled)
            .ok_or_else(session_required)?;
        Ok(EmbedSession { claims, portal })
    }
}

impl EmbedSession {
    /// One of the session's assets, by our id; another answers 404.
    async fn asset(&self, state: &AppState, asset_id: &str) -> Result<ActiveAsset> {
        let allowed = scope_assets(state, &self.claims.account, &self.claims.asset).await?;
        if !allowed.iter().any(|a| a.id == asset_id) {
            return Err(asset_not_yours());
        }
        state
            .store
            .active_asset_by_id(asset_id)
            .await?
            .ok_or_else(asset_not_yours)
    }
}

fn asset_not_yours() -> Error {
    Error::not_found("embed_asset_not_found", words::ASSET_NOT_YOURS)
}

/// `GET /api/v1/embed/assets`
#[utoipa::path(
    get,
    path = "/api/v1/embed/assets",
    operation_id = "embed_assets",
    tag = "embed",
    security(("embed_session" = [])),
    responses(
        (status = 200, description = "The assets the customer may report on.", body = Vec<EmbedAsset>),
    )
)]
async fn assets(
    State(state): State<AppState>,
    session: EmbedSession,
) -> Result<Json<Vec<EmbedAsset>>> {
    Ok(Json(
        scope_assets(&state, &session.claims.account, &session.claims.asset).await?,
    ))
}

/// `POST /api/v1/embed/assets/{asset}/photos`
#[utoipa::path(
    post,
    path = "/api/v1/embed/assets/{asset}/photos",
    operation_id = "embed_upload_photo",
    tag = "embed",
    security(("embed_session" = [])),
    params(("asset" = String, Path, description = "One of the session's assets (`EmbedAsset.id`).")),
    request_body(content = super::photos::PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored (or stored already): the photo's receipt.", body = PhotoReceipt),
        (status = 400, description = "Not a multipart body, no `photo` field, more than one, or cut off.", body = ApiError),
        (status = 404, description = "Not one of the session's assets (`embed_asset_not_found`).", body = ApiError),
        (status = 413, description = "The photo is larger than the limit (`photo_too_large`).", body = ApiError),
        (status = 422, description = "Not a JPEG, PNG or WebP image, or too many pixels.", body = ApiError),
    )
)]
async fn upload(
    State(state): State<AppState>,
    session: EmbedSession,
    ClientAddress(address): ClientAddress,
    Path(asset_id): Path<String>,
    headers: HeaderMap,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<PhotoReceipt>)> {
    state.rate_limits.upload_from(address)?;
    let asset = session.asset(&state, &asset_id).await?;
    let receipt = super::photos::store_upload(&state, &asset, &headers, multipart).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// `PUT /api/v1/embed/intakes/{id}`
#[utoipa::path(
    put,
    path = "/api/v1/embed/intakes/{id}",
    operation_id = "embed_submit",
    tag = "embed",
    security(("embed_session" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id, made by the page before the first attempt (UUID v7); the same as `id` in the body.")),
    request_body = EmbedSubmission,
    responses(
        (status = 201, description = "A new intake, waiting for a dispatcher.", body = IntakeReceipt),
        (status = 200, description = "This id was submitted with this content before: the same receipt, `replayed`.", body = IntakeReceipt),
        (status = 400, description = "The id is not a UUID version 7 (`bad_intake_id`) or differs from the body's (`intake_id_mismatch`).", body = ApiError),
        (status = 404, description = "Not one of the session's assets (`embed_asset_not_found`), or the id was used elsewhere.", body = ApiError),
        (status = 409, description = "This id was submitted before with different content (`intake_conflict`).", body = ApiError),
        (status = 422, description = "The notes, the name, the e-mail or a photo must change; `fields` says which.", body = ApiError),
    )
)]
async fn submit(
    State(state): State<AppState>,
    session: EmbedSession,
    ClientAddress(address): ClientAddress,
    Path(raw_id): Path<String>,
    Json(body): Json<EmbedSubmission>,
) -> Result<(StatusCode, Json<IntakeReceipt>)> {
    state.rate_limits.submission_from(address)?;
    let id = IntakeId::parse_new(&raw_id).map_err(|m| Error::bad_request("bad_intake_id", m))?;
    if body.id != id.uuid() {
        return Err(Error::bad_request(
            "intake_id_mismatch",
            format!(
                "The id in the path ({id}) and in the body ({}) differ. Send the same id in both.",
                body.id
            ),
        ));
    }
    let asset = session.asset(&state, &body.asset_id).await?;
    let notes = fieldcase_core::text::clean(&body.notes, fieldcase_core::text::Lines::Multi)
        .unwrap_or_default();
    if notes.trim().is_empty() {
        let mut fields = fieldcase_core::FieldErrors::default();
        fields.0.insert("notes".into(), words::NOTES_MISSING.into());
        return Err(Error::Validation {
            message: words::NOTES_MISSING.into(),
            fields,
        });
    }
    super::intakes::check_notes(&notes, state.limits.max_notes_chars)?;
    let customer = Technician {
        name: body.name.clone(),
        email: body.email.clone().filter(|e| !e.trim().is_empty()),
        phone: None,
    };
    // The case's fields are the server's structuring of the customer's
    // words (as on the technician's review screen, with no edits).
    let mut submission = IntakeSubmission {
        id: id.uuid(),
        asset_token: asset.view.token.clone(),
        notes,
        fields: fieldcase_core::CaseDraft::default(),
        technician: customer,
        photos: body.photos.clone(),
        // A customer's photos carry no location.
        photo_locations: Vec::new(),
    };
    if let Ok(clean) =
        fieldcase_core::validate::validate_technician(&submission.technician, &state.schema)
    {
        submission.technician = clean;
    }
    submission.fields = propose(&state.schema, &asset, &submission).await.to_draft();
    let portal_id = session.portal.id.to_string();
    let via = ViaPortal {
        portal_id: &portal_id,
        portal_name: &session.portal.name,
        customer: &session.claims.sub,
    };
    let (status, receipt) = accept(&state, id, &asset, submission, Via::Portal(via))
        .await
        .map_err(|e| match e {
            // The id was taken through another way in: say nothing of it.
            Error::AssetInactive => Error::IntakeNotFound,
            e => e,
        })?;
    Ok((status, Json(receipt)))
}
