//! The administrator's Salesforce pages: plain server-rendered HTML (no
//! script, no inline style: the CSP forbids both) and one JSON status.
//!
//! | method | path                                        |                                   |
//! |--------|---------------------------------------------|-----------------------------------|
//! | GET    | `/admin/salesforce`                         | status page                       |
//! | POST   | `/admin/salesforce/connect`                 | 303 to Salesforce's authorize URL |
//! | GET    | `/admin/salesforce/callback?code&state`     | exchange, store, 303 to status    |
//! | POST   | `/admin/salesforce/connect-client-credentials` | integration user, 303 to status |
//! | POST   | `/admin/salesforce/preflight`               | run the preflight, 303 to status  |
//! | GET    | `/api/v1/admin/salesforce`                  | → [`SalesforceStatus`]            |
//! | POST   | `/api/v1/admin/salesforce/preflight`        | run the preflight → [`Preflight`] |
//!
//! Every one needs a signed-in admin (a page sends anyone else to sign in);
//! the POSTs come from fieldcase's own origin (`auth::same_origin`). The
//! OAuth `state` is kept in the admin's session when Connect is pressed, so a
//! callback completed in another browser is refused and changes nothing.
//! No page or answer ever carries a token.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fieldcase_core::console::{ActorKind, StaffUser};
use fieldcase_core::wire::{Preflight, SalesforceStatus};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::AppState;
use super::extract::Json;
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::salesforce::SalesforceError;
use crate::store::Actor;

/// The session key holding the OAuth state of a Connect in progress.
const OAUTH_STATE_KEY: &str = "salesforce_oauth_state";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/salesforce", get(status_page))
        .route("/admin/salesforce/connect", post(connect))
        .route("/admin/salesforce/callback", get(callback))
        .route(
            "/admin/salesforce/connect-client-credentials",
            post(connect_client_credentials),
        )
        .route("/admin/salesforce/preflight", post(preflight_page))
}

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(status_json, preflight_json))]
pub struct Api;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/salesforce", get(status_json))
        .route("/api/v1/admin/salesforce/preflight", post(preflight_json))
}

/// `GET /api/v1/admin/salesforce`
#[utoipa::path(
    get,
    path = "/api/v1/admin/salesforce",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The CRM connection and the write queue; never a token.", body = SalesforceStatus),
    )
)]
async fn status_json(State(state): State<AppState>, _: Admin) -> Result<Json<SalesforceStatus>> {
    Ok(Json(state.salesforce.status().await?))
}

/// `POST /api/v1/admin/salesforce/preflight`
#[utoipa::path(
    post,
    path = "/api/v1/admin/salesforce/preflight",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The preflight ran (passed or not): each problem says what to fix in Salesforce Setup.", body = Preflight),
        (status = 409, description = "No org is connected, or it needs re-authorisation: connect first.", body = fieldcase_core::wire::ApiError),
        (status = 502, description = "Salesforce could not be asked (unavailable, refused the describe).", body = fieldcase_core::wire::ApiError),
    )
)]
async fn preflight_json(
    State(state): State<AppState>,
    Admin(user): Admin,
) -> Result<Json<Preflight>> {
    run_preflight(&state, &user).await.map(Json)
}

/// `POST /admin/salesforce/preflight`: the same, from the status page.
async fn preflight_page(State(state): State<AppState>, admin: Result<Admin>) -> Response {
    let user = match page_admin(admin) {
        Ok(user) => user,
        Err(page) => return *page,
    };
    match run_preflight(&state, &user).await {
        Ok(_) => Redirect::to("/admin/salesforce#preflight").into_response(),
        Err(e) => {
            let status = e.status();
            error_page(status, &e.public_message())
        }
    }
}

/// Run the preflight against the current schema (kept, and recorded in the
/// audit trail as this admin's).
async fn run_preflight(state: &AppState, user: &StaffUser) -> Result<Preflight> {
    let report = state
        .salesforce
        .preflight(&state.schema, None, &actor(user))
        .await
        .map_err(|e| match e {
            SalesforceError::NotConnected | SalesforceError::NeedsReauthorization(_) => {
                Error::Conflict {
                    code: "not_connected",
                    message: format!(
                        "{e}. Connect Salesforce on the admin page, then run the preflight."
                    ),
                }
            }
            SalesforceError::NotConfigured(_) => Error::Conflict {
                code: "not_configured",
                message: e.to_string(),
            },
            SalesforceError::Store(db) => Error::Database(db),
            other => Error::Upstream {
                message: format!("The preflight could not ask Salesforce: {other}. Try again."),
            },
        })?;
    Ok(report)
}

/// An admin for an HTML page: anyone not signed in is sent to sign in (and
/// back here afterwards); a dispatcher is told it is for admins.
fn page_admin(admin: Result<Admin>) -> std::result::Result<StaffUser, Box<Response>> {
    match admin {
        Ok(Admin(user)) => Ok(user),
        Err(Error::Unauthorized { .. }) => Err(Box::new(
            Redirect::to("/console/sign-in?next=/admin/salesforce").into_response(),
        )),
        Err(Error::Forbidden { message, .. }) => {
            Err(Box::new(error_page(StatusCode::FORBIDDEN, &message)))
        }
        Err(other) => Err(Box::new(other.into_response())),
    }
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(ActorKind::Admin, user.email.clone())
}

/// `GET /admin/salesforce`
async fn status_page(State(state): State<AppState>, admin: Result<Admin>) -> Response {
    if let Err(page) = page_admin(admin) {
        return *page;
    }
    match state.salesforce.status().await {
        Ok(status) => {
            let mut response = page(StatusCode::OK, "Salesforce", &status_html(&status));
            // Connect posts here, then goes on to Salesforce's login page:
            // browsers hold that redirect to the form-action policy too.
            let policy = super::CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'",
                &format!(
                    "form-action 'self' {}",
                    crate::auth::origin_of(&status.login_url)
                ),
            );
            if let Ok(value) = header::HeaderValue::from_str(&policy) {
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, value);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "Salesforce status: database error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The status could not be read from the database. Try again in a minute.",
            )
        }
    }
}

/// `POST /admin/salesforce/connect`
async fn connect(
    State(state): State<AppState>,
    admin: Result<Admin>,
    session: Session,
) -> Response {
    if let Err(page) = page_admin(admin) {
        return *page;
    }
    match state.salesforce.start_authorization().await {
        Ok(url) => {
            let oauth_state = url
                .query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if let Err(e) = session.insert(OAUTH_STATE_KEY, oauth_state).await {
                tracing::error!(error = %e, "Salesforce connect: session store");
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the server. Try again in a minute.",
                );
            }
            (StatusCode::SEE_OTHER, [(header::LOCATION, url.as_str())]).into_response()
        }
        Err(e) => failure(&e),
    }
}

#[derive(Debug, Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    // `error_description` is ignored: its text is whoever made the link's.
}

/// `GET /admin/salesforce/callback?code&state`
async fn callback(
    State(state): State<AppState>,
    admin: Result<Admin>,
    session: Session,
    params: std::result::Result<Query<CallbackParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let user = match page_admin(admin) {
        Ok(user) => user,
        Err(page) => return *page,
    };
    let Ok(Query(params)) = params else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This callback address is malformed.",
        );
    };
    if let Some(error) = params.error.as_deref() {
        // The query is whoever crafted the link's words, not Salesforce's:
        // neither it nor `error_description` is shown or logged, only a
        // fixed message for the (known) code.
        let (code, message) = declined_message(error);
        tracing::info!(code, "Salesforce authorisation declined");
        return error_page(StatusCode::BAD_REQUEST, message);
    }
    let (Some(code), Some(oauth_state)) = (params.code, params.state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This callback needs a code and a state from Salesforce. Start again with \
             \"Connect Salesforce\".",
        );
    };
    // The state must be the one this admin's session started.
    let started: Option<String> = session.remove(OAUTH_STATE_KEY).await.unwrap_or(None);
    if started.as_deref() != Some(oauth_state.as_str()) {
        tracing::warn!("Salesforce callback with a state this session did not start");
        return error_page(
            StatusCode::BAD_REQUEST,
            "This authorisation was not started from this browser's session, so nothing was              changed. Press Connect Salesforce here to start again.",
        );
    }
    match state
        .salesforce
        .finish_authorization(&code, &oauth_state)
        .await
    {
        Ok(()) => {
            connected(&state, &user, "web_server").await;
            Redirect::to("/admin/salesforce").into_response()
        }
        Err(e) => failure(&e),
    }
}

/// Record in the audit trail that an admin connected the org.
async fn connected(state: &AppState, user: &StaffUser, flow: &str) {
    if let Err(e) = state
        .store
        .record_event(
            &actor(user),
            "salesforce_connected",
            &json!({ "flow": flow }),
        )
        .await
    {
        tracing::error!(error = %e, "audit: recording a Salesforce connection");
    }
}

/// `POST /admin/salesforce/connect-client-credentials`
async fn connect_client_credentials(
    State(state): State<AppState>,
    admin: Result<Admin>,
) -> Response {
    let user = match page_admin(admin) {
        Ok(user) => user,
        Err(page) => return *page,
    };
    match state.salesforce.connect_client_credentials().await {
        Ok(()) => {
            connected(&state, &user, "client_credentials").await;
            Redirect::to("/admin/salesforce").into_response()
        }
        Err(e) => failure(&e),
    }
}

fn failure(e: &SalesforceError) -> Response {
    match e {
        SalesforceError::Store(db) => {
            tracing::error!(error = %db, "Salesforce connect: database error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server. Try again in a minute.",
            )
        }
        SalesforceError::NotConfigured(_) => {
            error_page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())
        }
        SalesforceError::UnknownAuthorization => {
            error_page(StatusCode::BAD_REQUEST, &e.to_string())
        }
        SalesforceError::Authorization(message) => {
            tracing::warn!(reason = %message, "connecting Salesforce failed");
            error_page(StatusCode::BAD_GATEWAY, message)
        }
        other => error_page(StatusCode::BAD_GATEWAY, &other.to_string()),
    }
}

fn status_html(s: &SalesforceStatus) -> String {
    let state = if s.connected {
        "Connected"
    } else if s.needs_reauthorization {
        "Needs re-authorisation"
    } else {
        "Not connected"
    };
    let row = |label: &str, value: Option<&str>| {
        value.map_or_else(String::new, |v| {
            format!("<dt>{}</dt><dd>{}</dd>", escape(label), escape(v))
        })
    };
    let mut b = format!(
        "<h1>Salesforce</h1><p id=\"message\">{}</p>",
        escape(&s.message)
    );
    b.push_str("<dl>");
    b.push_str(&row("Status", Some(state)));
    b.push_str(&row("Login URL", Some(&s.login_url)));
    b.push_str(&row("Instance URL", s.instance_url.as_deref()));
    b.push_str(&row("User", s.user_id.as_deref()));
    b.push_str(&row("Org", s.org_id.as_deref()));
    b.push_str(&row("Flow", s.flow.as_deref()));
    b.push_str(&row("Connected at", s.connected_at.as_deref()));
    b.push_str(&row(
        "Why re-authorise",
        s.reauthorization_reason.as_deref(),
    ));
    b.push_str("</dl><h2>Write queue</h2><table><tbody>");
    for (label, n) in [
        ("Waiting", s.queue.waiting),
        ("Retrying", s.queue.retrying),
        ("Needs attention", s.queue.needs_attention),
        ("Written", s.queue.written),
    ] {
        b.push_str(&format!(
            "<tr><th scope=\"row\">{label}</th><td>{n}</td></tr>"
        ));
    }
    b.push_str("</tbody></table>");
    preflight_html(&mut b, s);
    if s.configured {
        let connect = if s.connected {
            "Connect again"
        } else {
            "Connect Salesforce"
        };
        b.push_str(&format!(
            "<form method=\"post\" action=\"/admin/salesforce/connect\">\
             <button type=\"submit\">{connect}</button> (log in to Salesforce)</form>\
             <form method=\"post\" action=\"/admin/salesforce/connect-client-credentials\">\
             <button type=\"submit\">Connect as the integration user</button> \
             (client credentials; needs a My Domain login URL)</form>"
        ));
    }
    b.push_str("<p><a href=\"/console/\">Back to the console</a></p>");
    b
}

/// The last preflight and the button that runs one.
fn preflight_html(b: &mut String, s: &SalesforceStatus) {
    b.push_str("<h2 id=\"preflight\">Preflight</h2>");
    match &s.preflight {
        None => b.push_str(
            "<p>Not run against this connection yet: it checks that the org can take every \
             field fieldcase would write, before anything is written.</p>",
        ),
        Some(p) => {
            let verdict = if p.passed {
                format!("Passed: the org can take all {} fields.", p.fields_checked)
            } else {
                format!(
                    "{} problem(s) to fix in Salesforce Setup before writing:",
                    p.problems.len()
                )
            };
            b.push_str(&format!(
                "<p>{} <span class=\"env\">{}</span> · run {}</p>",
                escape(&verdict),
                escape(match p.environment {
                    fieldcase_core::wire::OrgEnvironment::Sandbox => "Sandbox",
                    fieldcase_core::wire::OrgEnvironment::Production => "Production",
                    fieldcase_core::wire::OrgEnvironment::Unknown =>
                        "Sandbox or production: unknown",
                }),
                escape(&p.ran_at)
            ));
            if !p.problems.is_empty() {
                b.push_str("<ul id=\"preflight-problems\">");
                for line in &p.problems {
                    b.push_str(&format!("<li>{}</li>", escape(line)));
                }
                b.push_str("</ul>");
            }
        }
    }
    if s.connected {
        b.push_str(
            "<form method=\"post\" action=\"/admin/salesforce/preflight\">\
             <button type=\"submit\">Run preflight</button></form>",
        );
    }
}

/// The OAuth 2.0 error codes of the authorization response (RFC 6749
/// §4.1.2.1), each with fieldcase's own words; any other code gets the
/// generic one. Returns the code to log (a known one, or `other`).
fn declined_message(error: &str) -> (&'static str, &'static str) {
    match error {
        "access_denied" => (
            "access_denied",
            "Salesforce's user declined to allow fieldcase, so nothing was changed. Press \
             Connect Salesforce and choose Allow.",
        ),
        "invalid_request" => (
            "invalid_request",
            "Salesforce refused the authorisation request as malformed. Check the login URL and \
             the callback URL registered in the connected app, then connect again.",
        ),
        "unauthorized_client" => (
            "unauthorized_client",
            "Salesforce does not allow this connected app to ask for authorisation this way. \
             Check the connected app's OAuth settings (and that this user may use it), then \
             connect again.",
        ),
        "unsupported_response_type" => (
            "unsupported_response_type",
            "Salesforce does not accept this kind of authorisation request. Check the login URL, \
             then connect again.",
        ),
        "invalid_scope" => (
            "invalid_scope",
            "Salesforce refused the scopes fieldcase asked for. Allow \"api\" and \
             \"refresh_token\" in the connected app (or change --salesforce-scope), then connect \
             again.",
        ),
        "server_error" | "temporarily_unavailable" => (
            "unavailable",
            "Salesforce could not authorise fieldcase just now. Wait a minute, then connect again.",
        ),
        _ => (
            "other",
            "Salesforce did not authorise fieldcase, so nothing was changed. Press Connect \
             Salesforce to try again; if it keeps failing, check the connected app's settings.",
        ),
    }
}

fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Salesforce",
        &format!(
            "<h1>Salesforce</h1><p id=\"message\">{}</p><p><a href=\"/admin/salesforce\">Back to \
             the Salesforce status</a></p>",
            escape(message)
        ),
    )
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · fieldcase</title></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// HTML-escape text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
