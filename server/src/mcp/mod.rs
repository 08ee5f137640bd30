//! The MCP server: AI assistants may look up assets and propose intakes
//! into the dispatchers' review queue — never approve, edit after
//! submission, or write to the CRM.
//!
//! - `/mcp`: MCP over Streamable HTTP (`rmcp`, stateless, JSON answers),
//!   behind [`guard`]: allowed `Host` and `Origin` (no DNS rebinding), an
//!   OAuth 2.1 bearer token audience-bound to this `/mcp`, the tool's scope
//!   (`insufficient_scope`, 403), and a per-client rate limit.
//! - `oauth.rs`: the authorization server (RFC 8414 metadata, RFC 9728
//!   protected-resource metadata, RFC 7591 registration, authorization code
//!   with PKCE S256 and a consent page, refresh-token rotation, RFC 7009
//!   revocation).
//! - `tools.rs`: the tools; `admin.rs`: the admin's list and revoke.

pub mod admin;
pub mod oauth;
pub mod tools;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::http::AppState;

/// The MCP server's settings (`fieldcase --help`, `FIELDCASE_MCP_*`).
#[derive(Debug, Clone, clap::Args)]
pub struct McpArgs {
    /// Hosts `/mcp` answers to (`Host` header; `name` or `name:port`),
    /// comma-separated. Empty: the public URL's host, localhost and
    /// 127.0.0.1. Anything else is refused (no DNS rebinding).
    #[arg(
        long = "mcp-allowed-hosts",
        env = "FIELDCASE_MCP_ALLOWED_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_hosts: Vec<String>,

    /// Browser origins allowed to call `/mcp` (`Origin` header),
    /// comma-separated. Empty: the public URL's origin only. Requests
    /// without `Origin` (not from a browser page) are not affected.
    #[arg(
        long = "mcp-allowed-origins",
        env = "FIELDCASE_MCP_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,

    /// Let AI clients register themselves (RFC 7591 dynamic registration).
    #[arg(
        long = "mcp-dynamic-registration",
        env = "FIELDCASE_MCP_DYNAMIC_REGISTRATION",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub dynamic_registration: bool,

    /// Minutes an access token lives.
    #[arg(
        long = "mcp-token-minutes",
        env = "FIELDCASE_MCP_TOKEN_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub token_minutes: u64,

    /// Days a refresh token lives (each use gives a new one).
    #[arg(
        long = "mcp-refresh-days",
        env = "FIELDCASE_MCP_REFRESH_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_days: u64,

    /// Requests a minute to `/mcp` per client.
    #[arg(
        long = "mcp-requests-per-minute",
        env = "FIELDCASE_MCP_REQUESTS_PER_MINUTE",
        default_value_t = 120,
        global = true
    )]
    pub requests_per_minute: u32,

    /// Proposals (`propose_intake`) a day per client (UTC days).
    #[arg(
        long = "mcp-proposals-per-day",
        env = "FIELDCASE_MCP_PROPOSALS_PER_DAY",
        default_value_t = 200,
        global = true
    )]
    pub proposals_per_day: u64,
}

/// Client registrations a minute from one address: a person connects an
/// assistant now and then; more is someone filling the table.
const REGISTRATIONS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(10).unwrap();

/// What `/mcp` needs at run time (made once at start-up).
#[derive(Debug)]
pub struct McpSettings {
    /// `Host` values allowed (lower case; with a port, or without to allow
    /// any port).
    pub allowed_hosts: Vec<String>,
    /// `Origin` values allowed (exact, lower case).
    pub allowed_origins: Vec<String>,
    pub dynamic_registration: bool,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub proposals_per_day: u64,
    /// This server's `/mcp` URL: the resource tokens are bound to.
    pub resource: String,
    /// The public URL (the authorization server's issuer).
    pub issuer: String,
    per_client: DefaultKeyedRateLimiter<String>,
    /// Registrations per client address (`/oauth/register` is open).
    pub registrations: DefaultKeyedRateLimiter<std::net::IpAddr>,
}

impl McpSettings {
    pub fn new(args: &McpArgs, public_url: &str) -> Self {
        let public_url = public_url.trim_end_matches('/');
        let origin = crate::auth::origin_of(public_url).to_ascii_lowercase();
        let public_host = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, h)| h)
            .to_owned();
        let allowed_hosts = if args.allowed_hosts.is_empty() {
            vec![
                public_host,
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                "[::1]".to_owned(),
            ]
        } else {
            args.allowed_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        };
        let allowed_origins = if args.allowed_origins.is_empty() {
            vec![origin]
        } else {
            args.allowed_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect()
        };
        let per_minute =
            NonZeroU32::new(args.requests_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        McpSettings {
            allowed_hosts,
            allowed_origins,
            dynamic_registration: args.dynamic_registration,
            access_ttl: Duration::from_secs(args.token_minutes.max(1) * 60),
            refresh_ttl: Duration::from_secs(args.refresh_days.max(1) * 24 * 3600),
            proposals_per_day: args.proposals_per_day,
            resource: format!("{public_url}/mcp"),
            issuer: public_url.to_owned(),
            per_client: RateLimiter::keyed(Quota::per_minute(per_minute)),
            registrations: RateLimiter::keyed(Quota::per_minute(REGISTRATIONS_PER_MINUTE)),
        }
    }

    /// Whether a `Host` header value is one `/mcp` answers to.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = match host.rsplit_once(':') {
            // `[::1]:8080` or `name:8080`; a bare `[::1]` has no port.
            Some((name, port)) if !port.contains(']') && !name.is_empty() => name.to_owned(),
            _ => host.clone(),
        };
        self.allowed_hosts
            .iter()
            .any(|allowed| *allowed == host || *allowed == name)
    }

    /// Whether a present `Origin` header value is allowed.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        self.allowed_origins.contains(&origin)
    }

    /// The protected-resource metadata's URL (RFC 9728), for the
    /// `WWW-Authenticate` challenge.
    pub fn resource_metadata_url(&self) -> String {
        format!("{}/.well-known/oauth-protected-resource", self.issuer)
    }
}

/// What an AI assistant may be allowed (`scope` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    AssetsRead,
    IntakesPropose,
    IntakesRead,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::AssetsRead, Scope::IntakesPropose, Scope::IntakesRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AssetsRead => "assets:read",
            Scope::IntakesPropose => "intakes:propose",
            Scope::IntakesRead => "intakes:read",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// What the person consents to, in plain words.
    pub fn words(self) -> &'static str {
        match self {
            Scope::AssetsRead => {
                "Look up assets (name, serial number, site, account) and their open intakes."
            }
            Scope::IntakesPropose => {
                "Propose new intakes on your behalf. Each waits in the review queue for a \
                 dispatcher; the assistant cannot approve them or write to Salesforce."
            }
            Scope::IntakesRead => {
                "Read an intake's status, the reviewer's reason or question, and its case \
                 number once written."
            }
        }
    }

    /// The scope a tool needs.
    pub fn for_tool(tool: &str) -> Option<Scope> {
        match tool {
            "find_assets" | "get_asset" | "describe_intake_schema" | "structure_notes" => {
                Some(Scope::AssetsRead)
            }
            "propose_intake" => Some(Scope::IntakesPropose),
            "get_intake_status" => Some(Scope::IntakesRead),
            _ => None,
        }
    }
}

/// A space-separated scope string, parsed: `None` when any is unknown.
pub fn parse_scopes(s: &str) -> Option<Vec<Scope>> {
    let mut out = Vec::new();
    for word in s.split_ascii_whitespace() {
        let scope = Scope::parse(word)?;
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    out.sort();
    Some(out)
}

pub fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Who is calling `/mcp`: put in the request's extensions by [`guard`],
/// read by the tools.
#[derive(Debug, Clone)]
pub struct Caller {
    pub grant_id: String,
    pub client_id: String,
    pub client_name: String,
    pub user_id: String,
    /// The person whose grant it is (`on_behalf_of` in the audit trail).
    pub user_email: String,
    pub scopes: Vec<Scope>,
    /// When the grant was last used (RFC 3339), as the token was read.
    pub last_used_at: Option<String>,
}

impl Caller {
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// SHA-256 (hex) of a token, code or verifier: what the store keeps.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random secret: 32 bytes, base64url, with a prefix saying what it
/// is (so secret scanners and people can tell).
pub fn new_secret(prefix: &str) -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// `/mcp` and the OAuth endpoints (the admin's API is in [`admin`]).
pub fn router(state: &AppState) -> Router<AppState> {
    // Stateless, JSON answers: every POST stands alone (no session to
    // hijack or to keep in memory), and any MCP client can follow it.
    // rmcp's own Host/Origin checks are switched off here because
    // [`guard`] does the same in front of it, with our error shape and
    // before any token is looked at.
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .disable_allowed_hosts()
        .disable_allowed_origins();
    let tool_state = state.clone();
    let service = StreamableHttpService::new(
        move || Ok(tools::Fieldcase::new(tool_state.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    Router::new()
        .route_service("/mcp", service)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .merge(oauth::router(state))
}

/// The largest JSON-RPC body `/mcp` reads (notes are a few KB).
const MAX_MCP_BODY: usize = 256 * 1024;

/// In front of `/mcp`: Host and Origin, the bearer token, the tool's scope,
/// the client's rate limit. Each refusal says what to fix.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mcp = &state.mcp;
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !mcp.host_allowed(host) {
        return Error::forbidden(
            "host_not_allowed",
            "This server does not answer MCP requests for that host name. An admin can allow it \
             with --mcp-allowed-hosts.",
        )
        .into_response();
    }
    if let Some(origin) = req.headers().get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| mcp.origin_allowed(o))
    {
        return Error::forbidden(
            "origin_not_allowed",
            "MCP requests from this web page's origin are refused. An admin can allow an \
                 origin with --mcp-allowed-origins.",
        )
        .into_response();
    }
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().map(str::to_owned).unwrap_or_default());
    let caller = match bearer(&state, authorization).await {
        Ok(c) => c,
        Err(response) => return *response,
    };
    // Registration is open, so client ids are many: forget those whose
    // limit has recovered once there are more than a few.
    if mcp.per_client.len() > 10_000 {
        mcp.per_client.retain_recent();
    }
    if let Err(not_until) = mcp.per_client.check_key(&caller.client_id) {
        let secs = not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            + 1;
        return Error::TooManyRequests {
            retry_after_secs: secs,
            message: format!(
                "Too many requests from {} in a minute. Try again in {secs} s.",
                caller.client_name
            ),
        }
        .into_response();
    }
    // The tool's scope, from the JSON-RPC body: refused here with 403 and
    // `insufficient_scope` (MCP's step-up), before rmcp runs anything.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_MCP_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return Error::TooLarge {
                code: "body_too_large",
                message: format!("An MCP request is at most {} KB.", MAX_MCP_BODY / 1024),
            }
            .into_response();
        }
    };
    if let Some(needed) = scope_needed(&bytes)
        && !caller.may(needed)
    {
        return insufficient_scope(mcp, needed);
    }
    // "Last used" for the admin's list, to the minute: not a database
    // write for every request.
    let stale = crate::store::before_now(Duration::from_secs(60));
    if caller
        .last_used_at
        .as_deref()
        .is_none_or(|t| t < stale.as_str())
        && let Err(e) = state.store.touch_mcp_grant(&caller.grant_id).await
    {
        return Error::Database(e).into_response();
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// The scope a `tools/call` body needs (also inside a batch).
fn scope_needed(body: &[u8]) -> Option<Scope> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let calls: Vec<&serde_json::Value> = match &value {
        serde_json::Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    calls
        .into_iter()
        .filter(|m| m["method"] == "tools/call")
        .filter_map(|m| m["params"]["name"].as_str().and_then(Scope::for_tool))
        .max()
}

/// 401 with the challenge that tells an MCP client where to start OAuth.
fn unauthorized(mcp: &McpSettings, error: Option<&'static str>, message: &str) -> Response {
    let mut challenge = format!(
        "Bearer resource_metadata=\"{}\"",
        mcp.resource_metadata_url()
    );
    if let Some(e) = error {
        challenge.push_str(&format!(", error=\"{e}\", error_description=\"{message}\""));
    }
    let mut response = Error::Unauthorized {
        code: error.unwrap_or("unauthorized"),
        message: message.to_owned(),
    }
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

fn insufficient_scope(mcp: &McpSettings, needed: Scope) -> Response {
    let message = format!(
        "This assistant's grant does not include {}. Connect it again and allow that.",
        needed.as_str()
    );
    let mut response = Error::forbidden("insufficient_scope", message.clone()).into_response();
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{}\", \
         error_description=\"{message}\"",
        needed.as_str(),
        mcp.resource_metadata_url()
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

/// The caller behind the request's bearer token, or the 401 to answer.
async fn bearer(state: &AppState, authorization: Option<String>) -> Result<Caller, Box<Response>> {
    let mcp = &state.mcp;
    let Some(value) = authorization else {
        return Err(Box::new(unauthorized(
            mcp,
            None,
            "Connect this assistant to fieldcase first: it needs an access token (OAuth).",
        )));
    };
    let token = Some(value.as_str())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Box::new(unauthorized(
            mcp,
            Some("invalid_request"),
            "Send the access token as Authorization: Bearer <token>.",
        )));
    };
    let row = match state.store.mcp_token(&hash_secret(token)).await {
        Ok(row) => row,
        Err(e) => return Err(Box::new(Error::Database(e).into_response())),
    };
    let invalid = |message: &str| Err(Box::new(unauthorized(mcp, Some("invalid_token"), message)));
    let Some(row) = row.filter(|r| r.kind == "access") else {
        return invalid("The access token is not one this server issued. Connect again.");
    };
    if row.revoked_at.is_some() {
        return invalid("This assistant's access was revoked. Connect it again.");
    }
    if row.expires_at <= crate::store::now() {
        return invalid("The access token has expired. Refresh it or connect again.");
    }
    if row.audience != mcp.resource {
        return invalid(
            "The access token was issued for another resource than this server's /mcp.",
        );
    }
    Ok(Caller {
        grant_id: row.grant_id,
        client_id: row.client_id,
        client_name: row.client_name,
        user_id: row.user_id,
        user_email: row.user_email,
        scopes: parse_scopes(&row.scopes).unwrap_or_default(),
        last_used_at: row.last_used_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hosts: &[&str]) -> McpSettings {
        let args = McpArgs {
            allowed_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            allowed_origins: vec![],
            dynamic_registration: true,
            token_minutes: 15,
            refresh_days: 30,
            requests_per_minute: 10,
            proposals_per_day: 10,
        };
        McpSettings::new(&args, "https://fieldcase.example.com")
    }

    #[test]
    fn hosts_default_to_the_public_host_and_loopback() {
        let s = settings(&[]);
        assert!(s.host_allowed("fieldcase.example.com"));
        assert!(s.host_allowed("localhost:8080"));
        assert!(s.host_allowed("127.0.0.1:3000"));
        assert!(!s.host_allowed("attacker.example"));
        assert!(!s.host_allowed("fieldcase.example.com.attacker.example"));
        assert!(s.origin_allowed("https://fieldcase.example.com"));
        assert!(!s.origin_allowed("https://attacker.example"));
        assert_eq!(s.resource, "https://fieldcase.example.com/mcp");
    }

    #[test]
    fn a_configured_host_with_a_port_allows_only_that_port() {
        let s = settings(&["mcp.example.com:8443"]);
        assert!(s.host_allowed("mcp.example.com:8443"));
        assert!(!s.host_allowed("mcp.example.com:9000"));
        assert!(!s.host_allowed("localhost"));
    }

    #[test]
    fn scopes_parse_and_unknown_ones_are_refused() {
        assert_eq!(
            parse_scopes("intakes:read assets:read assets:read"),
            Some(vec![Scope::AssetsRead, Scope::IntakesRead])
        );
        assert_eq!(parse_scopes("assets:write"), None);
        assert_eq!(
            scope_needed(br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"propose_intake"}}"#),
            Some(Scope::IntakesPropose)
        );
        assert_eq!(
            scope_needed(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#),
            None
        );
    }
}
