//! The OAuth 2.1 authorization server in front of `/mcp`, as the MCP
//! authorization specification asks: protected-resource metadata
//! (RFC 9728), authorization-server metadata (RFC 8414), dynamic client
//! registration (RFC 7591, switchable off), the authorization code grant
//! with PKCE S256 only and a consent page, refresh tokens that rotate, and
//! revocation (RFC 7009).
//!
//! Hand-written: the Rust OAuth *server* crates are either unmaintained
//! (`oxide-auth`, whose last release predates axum 0.8 and OAuth 2.1) or
//! frameworks of their own; what is needed here is small, and each RFC
//! error case is covered by `tests/api/mcp.rs`. The endpoints answer
//! OAuth's own error body (`{"error", "error_description"}`), which is what
//! OAuth clients read, not the API's `{code, message, fields}`.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

use super::{Scope, hash_secret, new_secret, parse_scopes, scopes_text};
use crate::auth::{ClientAddress, Staff};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::admin::escape;
use crate::store::mcp::{McpClientRow, NewMcpCode, NewMcpTokens};
use crate::store::{Actor, ActorKind};

/// How long an authorization code may wait for its exchange.
const CODE_TTL: Duration = Duration::from_secs(120);
/// The largest registration or token request read.
const MAX_OAUTH_BODY: usize = 16 * 1024;
const MAX_CLIENT_NAME_CHARS: usize = 100;
const MAX_REDIRECT_URIS: usize = 10;

pub fn router(state: &AppState) -> Router<AppState> {
    // The consent form posts to our own page: the staff same-origin rule.
    let consent = Router::new()
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_decide),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::same_origin,
        ));
    Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(server_metadata),
        )
        .route("/oauth/register", post(register))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .layer(DefaultBodyLimit::max(MAX_OAUTH_BODY))
        .merge(consent)
}

/// An OAuth error body (RFC 6749 §5.2), never cached.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    no_store(&mut response);
    response
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn json_ok(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    no_store(&mut response);
    response
}

/// Form or query parameters, each at most once (RFC 6749 §3.1).
fn params(raw: &[u8]) -> std::result::Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("{k} is given more than once."));
        }
    }
    Ok(out)
}

/// `GET /.well-known/oauth-protected-resource` (RFC 9728).
async fn resource_metadata(State(state): State<AppState>) -> Response {
    let mcp = &state.mcp;
    json_ok(
        StatusCode::OK,
        json!({
            "resource": mcp.resource,
            "authorization_servers": [mcp.issuer],
            "scopes_supported": Scope::ALL.map(Scope::as_str),
            "bearer_methods_supported": ["header"],
            "resource_name": "fieldcase",
        }),
    )
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
async fn server_metadata(State(state): State<AppState>) -> Response {
    let mcp = &state.mcp;
    let base = &mcp.issuer;
    let mut body = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "scopes_supported": Scope::ALL.map(Scope::as_str),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "authorization_response_iss_parameter_supported": true,
    });
    if mcp.dynamic_registration {
        body["registration_endpoint"] = json!(format!("{base}/oauth/register"));
    }
    json_ok(StatusCode::OK, body)
}

/// A redirect URI a client may register: https, or http to this machine
/// (a desktop client's loopback listener, RFC 8252 §7.3); no fragment.
fn redirect_uri_ok(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    if url.fragment().is_some() || uri.len() > 2000 {
        return false;
    }
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => false,
    }
}

/// `POST /oauth/register` (RFC 7591): public clients only.
async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> Response {
    if let Some(ip) = address {
        let limiter = &state.mcp.registrations;
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&ip) {
            let secs = not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                + 1;
            let mut response = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "temporarily_unavailable",
                &format!("Too many client registrations from this address; try again in {secs} s."),
            );
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
    }
    if !state.mcp.dynamic_registration {
        return oauth_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Clients cannot register themselves on this server; an admin registers them.",
        );
    }
    let Ok(meta) = serde_json::from_slice::<Value>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "The body must be a JSON object of client metadata.",
        );
    };
    let bad = |e: &str, d: &str| oauth_error(StatusCode::BAD_REQUEST, e, d);
    let name = meta["client_name"]
        .as_str()
        .and_then(|n| fieldcase_core::text::clean(n, fieldcase_core::text::Lines::Single).ok())
        .map(|n| n.trim().to_owned())
        .unwrap_or_default();
    if name.is_empty() || name.chars().count() > MAX_CLIENT_NAME_CHARS {
        return bad(
            "invalid_client_metadata",
            "client_name is required (1 to 100 characters): people see it when they consent.",
        );
    }
    let Some(uris) = meta["redirect_uris"].as_array() else {
        return bad(
            "invalid_redirect_uri",
            "redirect_uris must be a list of URLs.",
        );
    };
    let uris: Vec<String> = uris
        .iter()
        .filter_map(|u| u.as_str().map(str::to_owned))
        .collect();
    if uris.is_empty()
        || uris.len() > MAX_REDIRECT_URIS
        || uris.len() != meta["redirect_uris"].as_array().map_or(0, Vec::len)
    {
        return bad(
            "invalid_redirect_uri",
            "redirect_uris must list 1 to 10 URLs.",
        );
    }
    if let Some(u) = uris.iter().find(|u| !redirect_uri_ok(u)) {
        return bad(
            "invalid_redirect_uri",
            &format!(
                "{u} is not allowed: use https, or http to localhost or 127.0.0.1, without a \
                 fragment."
            ),
        );
    }
    if let Some(method) = meta["token_endpoint_auth_method"].as_str()
        && method != "none"
    {
        return bad(
            "invalid_client_metadata",
            "token_endpoint_auth_method must be \"none\": clients here are public and use \
                 PKCE.",
        );
    }
    if let Some(types) = meta["grant_types"].as_array()
        && types
            .iter()
            .any(|t| !matches!(t.as_str(), Some("authorization_code" | "refresh_token")))
    {
        return bad(
            "invalid_client_metadata",
            "grant_types may be authorization_code and refresh_token only.",
        );
    }
    if let Some(types) = meta["response_types"].as_array()
        && types.iter().any(|t| t.as_str() != Some("code"))
    {
        return bad(
            "invalid_client_metadata",
            "response_types may be code only.",
        );
    }
    if let Some(scope) = meta["scope"].as_str()
        && parse_scopes(scope).is_none()
    {
        return bad(
            "invalid_client_metadata",
            "scope may name assets:read, intakes:propose and intakes:read only.",
        );
    }
    let client = match state.store.insert_mcp_client(&name, &uris, "dynamic").await {
        Ok(c) => c,
        Err(e) => return Error::Database(e).into_response(),
    };
    tracing::info!(client_id = %client.id, "MCP client registered");
    let issued_at = time::OffsetDateTime::now_utc().unix_timestamp();
    json_ok(
        StatusCode::CREATED,
        json!({
            "client_id": client.id,
            "client_id_issued_at": issued_at,
            "client_name": client.name,
            "redirect_uris": uris,
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": scopes_text(&Scope::ALL),
        }),
    )
}

/// A checked authorization request.
struct Authorize {
    client: McpClientRow,
    redirect_uri: String,
    code_challenge: String,
    scopes: Vec<Scope>,
    resource: String,
    state: Option<String>,
}

/// Why an authorization request cannot go on.
enum Refusal {
    /// The client or its redirect URI cannot be trusted: told on our page,
    /// never redirected (RFC 6749 §4.1.2.1).
    Page(String),
    /// Told to the client at its redirect URI.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

impl Refusal {
    fn into_response(self, issuer: &str) -> Response {
        match self {
            Refusal::Page(message) => message_page(StatusCode::BAD_REQUEST, &message),
            Refusal::Redirect {
                redirect_uri,
                error,
                description,
                state,
            } => {
                let mut pairs = vec![
                    ("error", error.to_owned()),
                    ("error_description", description),
                ];
                if let Some(s) = state {
                    pairs.push(("state", s));
                }
                pairs.push(("iss", issuer.to_owned()));
                Redirect::to(&with_query(&redirect_uri, &pairs)).into_response()
            }
        }
    }
}

fn with_query(uri: &str, pairs: &[(&str, String)]) -> String {
    let mut out = String::from(uri);
    let mut encoded = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        encoded.append_pair(k, v);
    }
    out.push(if uri.contains('?') { '&' } else { '?' });
    out.push_str(&encoded.finish());
    out
}

/// A PKCE challenge or verifier: 43–128 unreserved characters (RFC 7636).
fn pkce_text_ok(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

async fn check_authorize(
    state: &AppState,
    p: &BTreeMap<String, String>,
) -> std::result::Result<Authorize, Refusal> {
    let Some(client_id) = p.get("client_id") else {
        return Err(Refusal::Page(
            "The assistant's request names no client_id. Connect it again from the assistant."
                .into(),
        ));
    };
    let client = match state.store.mcp_client(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(Refusal::Page(
                "This assistant is not registered with fieldcase (unknown client_id). Connect \
                 it again from the assistant."
                    .into(),
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "authorize: database error");
            return Err(Refusal::Page(
                "fieldcase could not read its database. Try again in a minute.".into(),
            ));
        }
    };
    let registered = client.redirect_uris();
    let redirect_uri = match p.get("redirect_uri") {
        Some(u) if registered.contains(u) => u.clone(),
        Some(_) => {
            return Err(Refusal::Page(
                "The assistant asked to come back to an address it did not register \
                 (redirect_uri mismatch), so nothing is sent there."
                    .into(),
            ));
        }
        None if registered.len() == 1 => registered[0].clone(),
        None => {
            return Err(Refusal::Page(
                "The assistant's request names no redirect_uri.".into(),
            ));
        }
    };
    let state_param = p.get("state").cloned();
    let redirect = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        description: description.to_owned(),
        state: state_param.clone(),
    };
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(redirect(
            "unsupported_response_type",
            "response_type must be code.",
        ));
    }
    let Some(challenge) = p.get("code_challenge").filter(|c| pkce_text_ok(c)) else {
        return Err(redirect(
            "invalid_request",
            "PKCE is required: send code_challenge (43 to 128 characters) with \
             code_challenge_method S256.",
        ));
    };
    if p.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return Err(redirect(
            "invalid_request",
            "code_challenge_method must be S256.",
        ));
    }
    let scopes = match p.get("scope").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Scope::ALL.to_vec(),
        Some(s) => match parse_scopes(s) {
            Some(scopes) if !scopes.is_empty() => scopes,
            _ => {
                return Err(redirect(
                    "invalid_scope",
                    "scope may name assets:read, intakes:propose and intakes:read only.",
                ));
            }
        },
    };
    let resource = match p.get("resource") {
        None => state.mcp.resource.clone(),
        Some(r) if r.trim_end_matches('/') == state.mcp.resource => state.mcp.resource.clone(),
        Some(_) => {
            return Err(redirect(
                "invalid_target",
                "resource must be this server's /mcp URL.",
            ));
        }
    };
    Ok(Authorize {
        client,
        redirect_uri,
        code_challenge: challenge.clone(),
        scopes,
        resource,
        state: state_param,
    })
}

/// A page of ours with one message (the page shell, no form).
fn message_page(status: StatusCode, message: &str) -> Response {
    let html = crate::http::assets::page_html(
        crate::i18n::Lang::En,
        &crate::dist::PageAssets::default(),
        "Connect an AI assistant",
        &escape(message),
        "",
    );
    let mut response = (status, Html(html)).into_response();
    no_store(&mut response);
    response
}

/// `GET /oauth/authorize`: the consent page, for a signed-in dispatcher
/// or admin (others are sent to sign in first).
async fn authorize_page(
    State(state): State<AppState>,
    staff: Result<Staff>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let p = match params(query.as_bytes()) {
        Ok(p) => p,
        Err(m) => return message_page(StatusCode::BAD_REQUEST, &m),
    };
    let request = match check_authorize(&state, &p).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(&state.mcp.issuer),
    };
    let user = match staff {
        Ok(Staff(user)) => user,
        Err(Error::Unauthorized { .. }) => {
            let next = format!("/oauth/authorize?{query}");
            let to: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &next)
                .finish();
            return Redirect::to(&format!("/console/sign-in?{to}")).into_response();
        }
        Err(other) => return other.into_response(),
    };
    let assets = crate::http::assets::page_assets(&state).await;
    let mut more = String::from("<ul class=\"consent-scopes\">");
    for s in &request.scopes {
        more.push_str(&format!("<li>{}</li>", escape(s.words())));
    }
    more.push_str("</ul>");
    more.push_str(
        "<p>It cannot approve intakes, change them after they are sent, or write to \
         Salesforce. Everything it proposes is recorded as proposed by this assistant on your \
         behalf. An admin can revoke this access at any time.</p>",
    );
    let host = url::Url::parse(&request.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    more.push_str(&format!(
        "<form method=\"post\" action=\"/oauth/authorize\">\
         <input type=\"hidden\" name=\"client_id\" value=\"{}\">\
         <input type=\"hidden\" name=\"redirect_uri\" value=\"{}\">\
         <input type=\"hidden\" name=\"response_type\" value=\"code\">\
         <input type=\"hidden\" name=\"code_challenge\" value=\"{}\">\
         <input type=\"hidden\" name=\"code_challenge_method\" value=\"S256\">\
         <input type=\"hidden\" name=\"scope\" value=\"{}\">\
         <input type=\"hidden\" name=\"resource\" value=\"{}\">{}\
         <p>Afterwards you go back to {}.</p>\
         <button type=\"submit\" class=\"btn primary\" name=\"decision\" value=\"allow\">Allow</button> \
         <button type=\"submit\" class=\"btn secondary\" name=\"decision\" value=\"deny\">Deny</button></form>",
        escape(&request.client.id),
        escape(&request.redirect_uri),
        escape(&request.code_challenge),
        escape(&scopes_text(&request.scopes)),
        escape(&request.resource),
        request
            .state
            .as_deref()
            .map(|s| format!(
                "<input type=\"hidden\" name=\"state\" value=\"{}\">",
                escape(s)
            ))
            .unwrap_or_default(),
        escape(&host),
    ));
    let lead = format!(
        "<strong>{}</strong> asks to use fieldcase as you ({}). It will be able to:",
        escape(&request.client.name),
        escape(&user.email)
    );
    let html = crate::http::assets::page_html(
        crate::i18n::Lang::En,
        &assets,
        "Connect an AI assistant",
        &lead,
        &more,
    );
    let mut response = (StatusCode::OK, Html(html)).into_response();
    no_store(&mut response);
    // The form's answer redirects to the client: browsers hold that
    // redirect to the form-action policy too.
    let policy = crate::http::CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!(
            "form-action 'self' {}",
            crate::auth::origin_of(&request.redirect_uri)
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

/// `POST /oauth/authorize`: the person's decision (same-origin only).
async fn authorize_decide(
    State(state): State<AppState>,
    staff: Result<Staff>,
    body: Bytes,
) -> Response {
    let Staff(user) = match staff {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let p = match params(&body) {
        Ok(p) => p,
        Err(m) => return message_page(StatusCode::BAD_REQUEST, &m),
    };
    let request = match check_authorize(&state, &p).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(&state.mcp.issuer),
    };
    let issuer = state.mcp.issuer.clone();
    if p.get("decision").map(String::as_str) != Some("allow") {
        return Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            error: "access_denied",
            description: "The person did not allow this assistant.".into(),
            state: request.state,
        }
        .into_response(&issuer);
    }
    let code = new_secret("fcc_");
    let code_hash = hash_secret(&code);
    let scopes = scopes_text(&request.scopes);
    let user_id = user.id.to_string();
    let kind = match user.role {
        fieldcase_core::console::Role::Admin => ActorKind::Admin,
        _ => ActorKind::Dispatcher,
    };
    let stored = state
        .store
        .insert_mcp_code(
            &NewMcpCode {
                code_hash: &code_hash,
                client_id: &request.client.id,
                user_id: &user_id,
                user_email: &user.email,
                scopes: &scopes,
                redirect_uri: &request.redirect_uri,
                code_challenge: &request.code_challenge,
                resource: &request.resource,
                ttl: CODE_TTL,
            },
            &Actor::new(kind, user.email.clone()),
            &request.client.name,
        )
        .await;
    if let Err(e) = stored {
        return Error::Database(e).into_response();
    }
    let mut pairs = vec![("code", code)];
    if let Some(s) = request.state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", issuer));
    Redirect::to(&with_query(&request.redirect_uri, &pairs)).into_response()
}

/// A new token pair's answer, and the hashes to store.
struct Issued {
    access: String,
    refresh: String,
}

impl Issued {
    fn new() -> Self {
        Issued {
            access: new_secret("fca_"),
            refresh: new_secret("fcr_"),
        }
    }

    fn hashes(&self) -> (String, String) {
        (hash_secret(&self.access), hash_secret(&self.refresh))
    }

    fn answer(&self, state: &AppState, scopes: &str) -> Response {
        json_ok(
            StatusCode::OK,
            json!({
                "access_token": self.access,
                "token_type": "Bearer",
                "expires_in": state.mcp.access_ttl.as_secs(),
                "refresh_token": self.refresh,
                "scope": scopes,
            }),
        )
    }
}

/// `POST /oauth/token`: the authorization code (with its PKCE verifier)
/// or a refresh token (rotated) for a new access token.
async fn token(State(state): State<AppState>, body: Bytes) -> Response {
    let p = match params(&body) {
        Ok(p) => p,
        Err(m) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &m),
    };
    let invalid_request = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", d);
    let invalid_grant = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", d);
    let Some(grant_type) = p.get("grant_type") else {
        return invalid_request("grant_type is missing.");
    };
    let Some(client_id) = p.get("client_id") else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id is missing (clients here are public: send it in the body).",
        );
    };
    let client = match state.store.mcp_client(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Unknown client_id: register the client first.",
            );
        }
        Err(e) => return Error::Database(e).into_response(),
    };
    match grant_type.as_str() {
        "authorization_code" => {
            let (Some(code), Some(verifier), Some(redirect_uri)) =
                (p.get("code"), p.get("code_verifier"), p.get("redirect_uri"))
            else {
                return invalid_request("code, code_verifier and redirect_uri are required.");
            };
            let code_hash = hash_secret(code);
            let row = match state.store.take_mcp_code(&code_hash).await {
                Ok(Some(Ok(row))) => row,
                Ok(Some(Err(_))) => {
                    return invalid_grant(
                        "This authorization code was used already; the access it gave is \
                         revoked. Authorize again.",
                    );
                }
                Ok(None) => return invalid_grant("Unknown authorization code."),
                Err(e) => return Error::Database(e).into_response(),
            };
            if row.client_id != client.id {
                return invalid_grant("This authorization code was issued to another client.");
            }
            if row.expires_at <= crate::store::now() {
                return invalid_grant("This authorization code has expired. Authorize again.");
            }
            if row.redirect_uri != *redirect_uri {
                return invalid_grant("redirect_uri differs from the one the code was issued for.");
            }
            let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if !pkce_text_ok(verifier) || challenge != row.code_challenge {
                return invalid_grant("code_verifier does not match the code_challenge.");
            }
            if let Some(r) = p.get("resource")
                && r.trim_end_matches('/') != row.resource
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "resource differs from the one authorized.",
                );
            }
            let issued = Issued::new();
            let (access_hash, refresh_hash) = issued.hashes();
            let made = state
                .store
                .insert_mcp_grant(
                    &code_hash,
                    &row,
                    &client.name,
                    &NewMcpTokens {
                        access_hash: &access_hash,
                        access_ttl: state.mcp.access_ttl,
                        refresh_hash: &refresh_hash,
                        refresh_ttl: state.mcp.refresh_ttl,
                        audience: &row.resource,
                    },
                )
                .await;
            match made {
                Ok(grant) => issued.answer(&state, &grant.scopes),
                Err(e) => Error::Database(e).into_response(),
            }
        }
        "refresh_token" => {
            let Some(refresh) = p.get("refresh_token") else {
                return invalid_request("refresh_token is required.");
            };
            let refresh_hash = hash_secret(refresh);
            let row = match state.store.mcp_token(&refresh_hash).await {
                Ok(Some(r)) if r.kind == "refresh" => r,
                Ok(_) => return invalid_grant("Unknown refresh token."),
                Err(e) => return Error::Database(e).into_response(),
            };
            if row.client_id != client.id {
                return invalid_grant("This refresh token was issued to another client.");
            }
            if row.revoked_at.is_some() {
                return invalid_grant("This access was revoked. Authorize again.");
            }
            if row.expires_at <= crate::store::now() {
                return invalid_grant("This refresh token has expired. Authorize again.");
            }
            let system = Actor::system();
            if row.used_at.is_some() {
                // A rotated token used again: stolen or replayed. The
                // whole grant ends (OAuth 2.1 §4.3.1).
                if let Err(e) = state.store.revoke_mcp_grant(&row.grant_id, &system).await {
                    return Error::Database(e).into_response();
                }
                return invalid_grant(
                    "This refresh token was used already; the access it belonged to is \
                     revoked. Authorize again.",
                );
            }
            if let Some(scope) = p.get("scope") {
                let asked = parse_scopes(scope);
                let granted = parse_scopes(&row.scopes).unwrap_or_default();
                if !asked.is_some_and(|a| a.iter().all(|s| granted.contains(s))) {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        "A refresh may only ask for scopes already granted.",
                    );
                }
            }
            let issued = Issued::new();
            let (access_hash, new_refresh_hash) = issued.hashes();
            let rotated = state
                .store
                .rotate_mcp_tokens(
                    &refresh_hash,
                    &row.grant_id,
                    &NewMcpTokens {
                        access_hash: &access_hash,
                        access_ttl: state.mcp.access_ttl,
                        refresh_hash: &new_refresh_hash,
                        refresh_ttl: state.mcp.refresh_ttl,
                        audience: &row.audience,
                    },
                )
                .await;
            match rotated {
                Ok(true) => issued.answer(&state, &row.scopes),
                Ok(false) => invalid_grant("This refresh token was used already."),
                Err(e) => Error::Database(e).into_response(),
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token.",
        ),
    }
}

/// `POST /oauth/revoke` (RFC 7009): the token's whole grant ends. 200
/// whatever the token (an unknown one included).
async fn revoke(State(state): State<AppState>, body: Bytes) -> Response {
    let p = match params(&body) {
        Ok(p) => p,
        Err(m) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &m),
    };
    let Some(token) = p.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is missing.",
        );
    };
    match state.store.mcp_token(&hash_secret(token)).await {
        Ok(Some(row)) => {
            if p.get("client_id").is_some_and(|c| *c != row.client_id) {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "This token was issued to another client.",
                );
            }
            let actor = Actor {
                kind: ActorKind::Ai,
                name: row.client_name.clone(),
                on_behalf_of: Some(row.user_email.clone()),
            };
            if let Err(e) = state.store.revoke_mcp_grant(&row.grant_id, &actor).await {
                return Error::Database(e).into_response();
            }
        }
        Ok(None) => {}
        Err(e) => return Error::Database(e).into_response(),
    }
    let mut response = StatusCode::OK.into_response();
    no_store(&mut response);
    response
}
