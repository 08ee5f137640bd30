//! OAuth 2.0 under `/services/oauth2/`, as Salesforce answers it:
//!
//! * `GET /authorize`: the web-server flow with PKCE (S256 required): a login
//!   and consent page; `POST /authorize` checks the demo user's password and
//!   redirects to the registered callback with `code` and `state`.
//! * `POST /token`: `authorization_code` (+ `code_verifier`), `refresh_token`,
//!   `client_credentials` (client id/secret in the form or HTTP Basic).
//!   The response has `access_token`, `refresh_token` (code flow with the
//!   `refresh_token`/`offline_access` scope only), `signature`, `scope`,
//!   `instance_url`, `id`, `token_type`, `issued_at` (ms, a string) and no
//!   `expires_in`, like Salesforce's.
//! * `POST|GET /revoke`: a refresh token takes its access tokens with it.
//! * `POST /introspect`, `GET|POST /userinfo`, and the identity URL `/id/{org}/{user}`.
//!
//! Tokens, codes and secrets are never logged; tokens are stored as SHA-256
//! hashes only.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{ApiError, Error, OAuthError, Result, json_response};
use crate::html;
use crate::seed::{DEMO_USER_ID, ORG_ID};
use crate::server::Org;
use crate::store::{self, CodeRow, TokenRow};

/// How long an authorization code lives (Salesforce: 15 minutes).
const CODE_TTL_MS: i64 = 15 * 60 * 1000;
/// The connected app's scopes when a request names none.
const DEFAULT_SCOPE: &str = "api refresh_token";
const ALLOWED_SCOPES: &[&str] = &[
    "api",
    "refresh_token",
    "offline_access",
    "id",
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "web",
    "full",
];

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// SHA-256 hex: how tokens and codes are stored.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_b64(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rng().fill(&mut b[..]);
    URL_SAFE_NO_PAD.encode(b)
}

/// Compares secrets without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// base64(HMAC-SHA256(id + issued_at, client_secret)): the `signature` field.
pub fn signature(id_url: &str, issued_at: &str, client_secret: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(id_url.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The identity URL, the token response's `id`.
pub fn identity_url(org: &Org, user_id: &str) -> String {
    format!("{}/id/{ORG_ID}/{user_id}", org.public_url)
}

/// Who a valid access token acts as.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub expires_at: i64,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    // Salesforce takes `Bearer` and the older `OAuth`.
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

async fn session_for(org: &Org, token: &str) -> Result<Option<Session>> {
    let mut conn = org.store.read().await?;
    let row = store::token(&mut conn, &hash(token)).await?;
    Ok(row
        .filter(|r| r.kind == "access" && !r.revoked && r.expires_at.is_some_and(|e| e > now_ms()))
        .map(|r| Session {
            user_id: r.user_id,
            client_id: r.client_id,
            scope: r.scope,
            expires_at: r.expires_at.unwrap_or_default(),
        }))
}

/// The REST API's check: a live access token, or 401 `INVALID_SESSION_ID`.
pub async fn authenticate(org: &Org, headers: &HeaderMap) -> Result<Session> {
    let Some(token) = bearer(headers) else {
        return Err(ApiError::invalid_session().into());
    };
    session_for(org, token)
        .await?
        .ok_or_else(|| ApiError::invalid_session().into())
}

// ---- authorize ----------------------------------------------------------------

/// The authorize request's parameters (query on GET, form on POST).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub login_hint: Option<String>,
    pub prompt: Option<String>,
    pub display: Option<String>,
    pub nonce: Option<String>,
    // POST only.
    pub username: Option<String>,
    pub password: Option<String>,
    pub action: Option<String>,
}

impl AuthorizeParams {
    /// The OAuth parameters to carry through the login form.
    pub fn hidden_fields(&self) -> Vec<(&'static str, String)> {
        [
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("state", &self.state),
            ("scope", &self.scope),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("nonce", &self.nonce),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

/// An authorize request that passed every check.
struct Approved {
    redirect: Url,
    state: Option<String>,
    scope: String,
    challenge: String,
}

fn redirect_with(mut url: Url, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    // 302 Found, as Salesforce redirects.
    match HeaderValue::from_str(url.as_str()) {
        Ok(loc) => (StatusCode::FOUND, [(header::LOCATION, loc)]).into_response(),
        Err(_) => html::oauth_error_page(
            "invalid_request",
            "redirect_uri is not a valid header value",
        ),
    }
}

/// A PKCE verifier or challenge as Salesforce takes it: RFC 7636's
/// unreserved characters, at least 43 long, and longer than the RFC's 128
/// (some common client libraries send 171 characters and Salesforce accepts
/// them; 255 keeps a bound on what is hashed).
fn valid_pkce_value(s: &str) -> bool {
    (43..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn resolve_scope(requested: Option<&str>) -> Result<String, ()> {
    let requested = requested
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_SCOPE);
    let mut out: Vec<&str> = Vec::new();
    for s in requested.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
        if !ALLOWED_SCOPES.contains(&s) {
            return Err(());
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out.join(" "))
}

/// Checks client and callback (errors shown on a page: there is nowhere safe
/// to redirect), then the rest (errors redirected to the callback).
fn check_authorize(org: &Org, p: &AuthorizeParams) -> Result<Approved, Box<Response>> {
    let client_ok = p.client_id.as_deref().is_some_and(|c| c == org.client_id);
    if !client_ok {
        return Err(Box::new(html::oauth_error_page(
            "invalid_client_id",
            "client identifier invalid",
        )));
    }
    let Some(redirect) = p
        .redirect_uri
        .as_deref()
        .and_then(|r| Url::parse(r).ok())
        .filter(|u| org.redirect_uris.contains(u))
    else {
        return Err(Box::new(html::oauth_error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        )));
    };
    let state = p.state.clone();
    let fail = |error: &str, description: &str| {
        Box::new(redirect_with(
            redirect.clone(),
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        ))
    };
    if p.response_type.as_deref() != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "response type not supported",
        ));
    }
    let Some(challenge) = p.code_challenge.clone() else {
        return Err(fail("invalid_request", "missing required code challenge"));
    };
    if !p
        .code_challenge_method
        .as_deref()
        .unwrap_or("S256")
        .eq("S256")
    {
        return Err(fail(
            "invalid_request",
            "code challenge method not supported",
        ));
    }
    if !valid_pkce_value(&challenge) {
        return Err(fail("invalid_request", "invalid code challenge"));
    }
    let Ok(scope) = resolve_scope(p.scope.as_deref()) else {
        return Err(fail("invalid_scope", "the requested scope is not allowed"));
    };
    Ok(Approved {
        redirect,
        state,
        scope,
        challenge,
    })
}

/// `GET /services/oauth2/authorize`: the login and consent page.
pub async fn authorize_get(State(org): State<Org>, Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(res) = check_authorize(&org, &p) {
        return *res;
    }
    let username = p.login_hint.clone().unwrap_or_else(|| org.username.clone());
    html::login_page(&org, &p, &username, None)
}

/// `POST /services/oauth2/authorize`: the form's answer.
pub async fn authorize_post(State(org): State<Org>, body: Bytes) -> Response {
    let p: AuthorizeParams = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let approved = match check_authorize(&org, &p) {
        Ok(a) => a,
        Err(res) => return *res,
    };
    if p.action.as_deref() == Some("deny") {
        return redirect_with(
            approved.redirect,
            &[
                ("error", "access_denied"),
                ("error_description", "end-user denied authorization"),
            ],
            approved.state.as_deref(),
        );
    }
    let username = p.username.clone().unwrap_or_default();
    let password = p.password.clone().unwrap_or_default();
    if !username.trim().eq_ignore_ascii_case(&org.username)
        || !same_secret(&password, &org.password)
    {
        return html::login_page(
            &org,
            &p,
            &username,
            Some("Please check your username and password."),
        );
    }
    let code = format!("aPrx{}", random_b64(32));
    let row = CodeRow {
        client_id: org.client_id.clone(),
        user_id: DEMO_USER_ID.into(),
        redirect_uri: approved.redirect.to_string(),
        code_challenge: approved.challenge,
        scope: approved.scope,
        expires_at: now_ms() + CODE_TTL_MS,
        used: false,
    };
    let stored = async {
        let mut conn = org.store.read().await?;
        store::insert_code(&mut conn, &hash(&code), &row).await
    }
    .await;
    if let Err(e) = stored {
        return e.into_response();
    }
    redirect_with(
        approved.redirect,
        &[("code", &code)],
        approved.state.as_deref(),
    )
}

// ---- token -------------------------------------------------------------------

/// Client id and secret from HTTP Basic or the form.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            form.get("client_id").cloned(),
            form.get("client_secret").cloned(),
        ),
    }
}

/// The client must be the connected app; a secret, when given (or required),
/// must be its secret.
fn check_client(
    org: &Org,
    id: Option<&str>,
    secret: Option<&str>,
    secret_required: bool,
) -> Result<(), OAuthError> {
    if id != Some(org.client_id.as_str()) {
        return Err(OAuthError::invalid_client());
    }
    match secret {
        Some(s) if same_secret(s, &org.client_secret) => Ok(()),
        Some(_) => Err(OAuthError::invalid_client()),
        None if secret_required => Err(OAuthError::invalid_client()),
        None => Ok(()),
    }
}

fn wants_refresh(scope: &str) -> bool {
    scope
        .split(' ')
        .any(|s| s == "refresh_token" || s == "offline_access")
}

/// Issues an access token (and, for a new grant, a refresh token) and builds
/// Salesforce's token response.
async fn issue(org: &Org, user_id: &str, scope: &str, refresh: RefreshToken) -> Result<Value> {
    let issued_at = now_ms();
    let access = format!("{}!{}", &ORG_ID[..15], random_b64(72));
    let mut conn = org.store.write().await?;
    let (new_refresh, refresh_hash) = match refresh {
        RefreshToken::New => {
            let r = format!("5Aep861{}", random_b64(64));
            let h = hash(&r);
            store::insert_token(
                &mut conn,
                &TokenRow {
                    token_hash: h.clone(),
                    kind: "refresh".into(),
                    refresh_hash: None,
                    client_id: org.client_id.clone(),
                    user_id: user_id.into(),
                    scope: scope.into(),
                    issued_at,
                    expires_at: None,
                    revoked: false,
                },
            )
            .await?;
            (Some(r), Some(h))
        }
        RefreshToken::Existing(h) => (None, Some(h)),
        RefreshToken::None => (None, None),
    };
    store::insert_token(
        &mut conn,
        &TokenRow {
            token_hash: hash(&access),
            kind: "access".into(),
            refresh_hash,
            client_id: org.client_id.clone(),
            user_id: user_id.into(),
            scope: scope.into(),
            issued_at,
            expires_at: Some(issued_at + org.token_ttl_ms),
            revoked: false,
        },
    )
    .await?;
    conn.commit().await?;

    let id = identity_url(org, user_id);
    let issued = issued_at.to_string();
    let mut body = json!({
        "access_token": access,
        "signature": signature(&id, &issued, &org.client_secret),
        "scope": scope,
        "instance_url": org.public_url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued,
    });
    if let (Some(r), Value::Object(m)) = (new_refresh, &mut body) {
        m.insert("refresh_token".into(), Value::String(r));
    }
    Ok(body)
}

enum RefreshToken {
    /// A new grant: issue a refresh token.
    New,
    /// A refresh: the access token belongs to this refresh token (by hash).
    Existing(String),
    None,
}

fn token_json(body: Value) -> Response {
    let mut res = json_response(StatusCode::OK, &body);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// `POST /services/oauth2/token`.
pub async fn token(State(org): State<Org>, headers: HeaderMap, body: Bytes) -> Response {
    match token_inner(&org, &headers, &body).await {
        Ok(v) => token_json(v),
        Err(e) => e.into_response(),
    }
}

async fn token_inner(org: &Org, headers: &HeaderMap, body: &[u8]) -> Result<Value> {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).map_err(|_| {
        OAuthError::invalid_request("the request body must be application/x-www-form-urlencoded")
    })?;
    let (client_id, client_secret) = client_credentials(headers, &form);
    let grant = form
        .get("grant_type")
        .map(String::as_str)
        .unwrap_or_default();
    match grant {
        "authorization_code" => {
            check_client(org, client_id.as_deref(), client_secret.as_deref(), false)?;
            let code = form
                .get("code")
                .ok_or_else(|| OAuthError::invalid_grant("invalid authorization code"))?;
            let code_hash = hash(code);
            let row = {
                let mut conn = org.store.read().await?;
                store::code(&mut conn, &code_hash).await?
            };
            let Some(row) = row else {
                return Err(OAuthError::invalid_grant("invalid authorization code").into());
            };
            if row.used || row.expires_at <= now_ms() {
                return Err(OAuthError::invalid_grant("expired authorization code").into());
            }
            let redirect_ok = form
                .get("redirect_uri")
                .and_then(|r| Url::parse(r).ok())
                .is_some_and(|u| u.as_str() == row.redirect_uri);
            if !redirect_ok {
                return Err(
                    OAuthError::invalid_grant("redirect_uri must match configuration").into(),
                );
            }
            let verifier = form
                .get("code_verifier")
                .map(String::as_str)
                .unwrap_or_default();
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if !valid_pkce_value(verifier) || !same_secret(&computed, &row.code_challenge) {
                return Err(OAuthError::invalid_grant("invalid code verifier").into());
            }
            {
                let mut conn = org.store.read().await?;
                if !store::use_code(&mut conn, &code_hash).await? {
                    return Err(OAuthError::invalid_grant("expired authorization code").into());
                }
            }
            let refresh = if wants_refresh(&row.scope) {
                RefreshToken::New
            } else {
                RefreshToken::None
            };
            issue(org, &row.user_id, &row.scope, refresh).await
        }
        "refresh_token" => {
            check_client(org, client_id.as_deref(), client_secret.as_deref(), false)?;
            let token = form
                .get("refresh_token")
                .map(String::as_str)
                .unwrap_or_default();
            let h = hash(token);
            let row = {
                let mut conn = org.store.read().await?;
                store::token(&mut conn, &h).await?
            };
            match row {
                Some(r)
                    if r.kind == "refresh"
                        && !r.revoked
                        && Some(r.client_id.as_str()) == client_id.as_deref() =>
                {
                    issue(org, &r.user_id, &r.scope, RefreshToken::Existing(h)).await
                }
                _ => Err(OAuthError::expired_token().into()),
            }
        }
        "client_credentials" => {
            check_client(org, client_id.as_deref(), client_secret.as_deref(), true)?;
            let scope = resolve_scope(form.get("scope").map(String::as_str)).map_err(|_| {
                OAuthError::new("invalid_scope", "the requested scope is not allowed")
            })?;
            let scope: Vec<&str> = scope
                .split(' ')
                .filter(|s| *s != "refresh_token" && *s != "offline_access")
                .collect();
            issue(org, DEMO_USER_ID, &scope.join(" "), RefreshToken::None).await
        }
        _ => Err(OAuthError::unsupported_grant_type().into()),
    }
}

// ---- revoke, introspect, userinfo, identity ----------------------------------

/// `POST|GET /services/oauth2/revoke` (`token=` in the form or the query).
pub async fn revoke(State(org): State<Org>, method: Method, uri: Uri, body: Bytes) -> Response {
    let params: HashMap<String, String> = if method == Method::GET {
        uri.query()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default()
    } else {
        serde_urlencoded::from_bytes(&body).unwrap_or_default()
    };
    let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
        return Error::from(OAuthError::new(
            "unsupported_token_type",
            "this token type is not supported",
        ))
        .into_response();
    };
    let result = async {
        let mut conn = org.store.write().await?;
        let n = store::revoke_token(&mut conn, &hash(token)).await?;
        conn.commit().await?;
        Ok::<_, Error>(n)
    }
    .await;
    match result {
        Ok(0) => Error::from(OAuthError::new("invalid_token", "invalid token")).into_response(),
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /services/oauth2/introspect` (client authentication required).
pub async fn introspect(State(org): State<Org>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let (id, secret) = client_credentials(&headers, &form);
    if let Err(e) = check_client(&org, id.as_deref(), secret.as_deref(), true) {
        let mut e = e;
        e.status = StatusCode::UNAUTHORIZED;
        return Error::from(e).into_response();
    }
    let token = form.get("token").cloned().unwrap_or_default();
    let row = async {
        let mut conn = org.store.read().await?;
        store::token(&mut conn, &hash(&token)).await
    }
    .await;
    let row = match row {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let now = now_ms();
    let body = match row {
        Some(r) if !r.revoked && r.expires_at.is_none_or(|e| e > now) => json!({
            "active": true,
            "scope": r.scope,
            "client_id": r.client_id,
            "username": org.username,
            "sub": identity_url(&org, &r.user_id),
            "token_type": if r.kind == "access" { "access_token" } else { "refresh_token" },
            "exp": r.expires_at.map(|e| e / 1000),
            "iat": r.issued_at / 1000,
            "nbf": r.issued_at / 1000,
        }),
        _ => json!({"active": false}),
    };
    json_response(StatusCode::OK, &body)
}

fn bad_token() -> Response {
    (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response()
}

async fn user_json(org: &Org, user_id: &str) -> Result<Value> {
    let mut conn = org.store.read().await?;
    let user = store::get_record(&mut conn, user_id).await?;
    let field = |f: &str| {
        user.as_ref()
            .and_then(|u| u.str(f))
            .unwrap_or_default()
            .to_string()
    };
    let base = &org.public_url;
    Ok(json!({
        "user_id": user_id,
        "organization_id": ORG_ID,
        "username": field("Username"),
        "name": field("Name"),
        "first_name": field("FirstName"),
        "last_name": field("LastName"),
        "email": field("Email"),
        "updated": field("LastModifiedDate"),
        "urls": {
            "enterprise": format!("{base}/services/Soap/c/{{version}}/{}", &ORG_ID[..15]),
            "partner": format!("{base}/services/Soap/u/{{version}}/{}", &ORG_ID[..15]),
            "rest": format!("{base}/services/data/v{{version}}/"),
            "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
            "query": format!("{base}/services/data/v{{version}}/query/"),
            "profile": format!("{base}/{user_id}"),
            "custom_domain": base,
        },
    }))
}

/// `GET|POST /services/oauth2/userinfo` (OpenID Connect shape).
pub async fn userinfo(State(org): State<Org>, headers: HeaderMap) -> Response {
    let session = match bearer(&headers) {
        Some(t) => session_for(&org, t).await,
        None => Ok(None),
    };
    let session = match session {
        Ok(Some(s)) => s,
        Ok(None) => return bad_token(),
        Err(e) => return e.into_response(),
    };
    let u = match user_json(&org, &session.user_id).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let body = json!({
        "sub": identity_url(&org, &session.user_id),
        "user_id": session.user_id,
        "organization_id": ORG_ID,
        "preferred_username": u["username"],
        "nickname": u["first_name"],
        "name": u["name"],
        "email": u["email"],
        "email_verified": true,
        "given_name": u["first_name"],
        "family_name": u["last_name"],
        "zoneinfo": "Etc/UTC",
        "photos": {},
        "profile": u["urls"]["profile"],
        "address": {},
        "urls": u["urls"],
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "updated_at": u["updated"],
    });
    json_response(StatusCode::OK, &body)
}

/// `GET /id/{org}/{user}`: the identity service (the token response's `id`).
pub async fn identity(
    State(org): State<Org>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let session = match bearer(&headers) {
        Some(t) => session_for(&org, t).await,
        None => Ok(None),
    };
    let session = match session {
        Ok(Some(s)) => s,
        Ok(None) => return bad_token(),
        Err(e) => return e.into_response(),
    };
    if org_id != ORG_ID || user_id != session.user_id {
        return (StatusCode::FORBIDDEN, "Bad_Id").into_response();
    }
    let u = match user_json(&org, &session.user_id).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let body = json!({
        "id": identity_url(&org, &session.user_id),
        "asserted_user": true,
        "user_id": session.user_id,
        "organization_id": ORG_ID,
        "username": u["username"],
        "nick_name": u["first_name"],
        "display_name": u["name"],
        "email": u["email"],
        "email_verified": true,
        "first_name": u["first_name"],
        "last_name": u["last_name"],
        "timezone": "Etc/UTC",
        "photos": {},
        "urls": u["urls"],
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": u["updated"],
        "is_app_installed": true,
    });
    json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_and_reject_unknown() {
        assert_eq!(resolve_scope(None), Ok("api refresh_token".into()));
        assert_eq!(resolve_scope(Some("api api id")), Ok("api id".into()));
        assert!(resolve_scope(Some("api root")).is_err());
        assert!(wants_refresh("api refresh_token") && !wants_refresh("api"));
    }

    #[test]
    fn pkce_values() {
        assert!(valid_pkce_value(&"a".repeat(43)));
        assert!(!valid_pkce_value(&"a".repeat(42)));
        assert!(!valid_pkce_value(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn signature_is_hmac_sha256_of_id_and_issued_at() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature("what do ya want ", "for nothing?", "Jefe");
        let expected =
            hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .map(|b| STANDARD.encode(b))
                .unwrap_or_default();
        assert_eq!(sig, expected);
    }
}
