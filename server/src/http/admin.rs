//! The administrator's Salesforce pages: plain server-rendered HTML (no
//! script, no inline style: the CSP forbids both) and one JSON status.
//!
//! | method | path                                        |                                   |
//! |--------|---------------------------------------------|-----------------------------------|
//! | GET    | `/admin/salesforce`                         | status page                       |
//! | GET    | `/admin/salesforce/connect`                 | 302 to Salesforce's authorize URL |
//! | GET    | `/admin/salesforce/callback?code&state`     | exchange, store, 303 to status    |
//! | POST   | `/admin/salesforce/connect-client-credentials` | integration user, 303 to status |
//! | GET    | `/api/v1/admin/salesforce`                  | → [`SalesforceStatus`]            |
//!
//! Administrator sign-in arrives in a later issue: until then these routes
//! are open to whoever reaches the server, so deployments must keep
//! `/admin` and `/api/v1/admin` behind their own access control. No page or
//! answer ever carries a token.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fieldcase_core::wire::SalesforceStatus;
use serde::Deserialize;

use super::AppState;
use super::extract::Json;
use crate::error::Result;
use crate::salesforce::SalesforceError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/salesforce", get(status_page))
        .route("/admin/salesforce/connect", get(connect))
        .route("/admin/salesforce/callback", get(callback))
        .route(
            "/admin/salesforce/connect-client-credentials",
            post(connect_client_credentials),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new().route("/api/v1/admin/salesforce", get(status_json))
}

/// `GET /api/v1/admin/salesforce`
async fn status_json(State(state): State<AppState>) -> Result<Json<SalesforceStatus>> {
    Ok(Json(state.salesforce.status().await?))
}

/// `GET /admin/salesforce`
async fn status_page(State(state): State<AppState>) -> Response {
    match state.salesforce.status().await {
        Ok(status) => page(StatusCode::OK, "Salesforce", &status_html(&status)),
        Err(e) => {
            tracing::error!(error = %e, "Salesforce status: database error");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The status could not be read from the database. Try again in a minute.",
            )
        }
    }
}

/// `GET /admin/salesforce/connect`
async fn connect(State(state): State<AppState>) -> Response {
    match state.salesforce.start_authorization().await {
        Ok(url) => (StatusCode::FOUND, [(header::LOCATION, url.as_str())]).into_response(),
        Err(e) => failure(&e),
    }
}

#[derive(Debug, Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /admin/salesforce/callback?code&state`
async fn callback(
    State(state): State<AppState>,
    params: std::result::Result<Query<CallbackParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This callback address is malformed.",
        );
    };
    if let Some(error) = params.error {
        let description = params.error_description.unwrap_or_default();
        tracing::info!(error, "Salesforce authorisation declined");
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("Salesforce did not authorise fieldcase ({error}: {description}). Try again."),
        );
    }
    let (Some(code), Some(oauth_state)) = (params.code, params.state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This callback needs a code and a state from Salesforce. Start again with \
             \"Connect Salesforce\".",
        );
    };
    match state
        .salesforce
        .finish_authorization(&code, &oauth_state)
        .await
    {
        Ok(()) => Redirect::to("/admin/salesforce").into_response(),
        Err(e) => failure(&e),
    }
}

/// `POST /admin/salesforce/connect-client-credentials`
async fn connect_client_credentials(State(state): State<AppState>) -> Response {
    match state.salesforce.connect_client_credentials().await {
        Ok(()) => Redirect::to("/admin/salesforce").into_response(),
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
    if s.configured {
        let connect = if s.connected {
            "Connect again"
        } else {
            "Connect Salesforce"
        };
        b.push_str(&format!(
            "<p><a href=\"/admin/salesforce/connect\">{connect}</a> (log in to Salesforce)</p>\
             <form method=\"post\" action=\"/admin/salesforce/connect-client-credentials\">\
             <button type=\"submit\">Connect as the integration user</button> \
             (client credentials; needs a My Domain login URL)</form>"
        ));
    }
    b.push_str(
        "<p><small>Administrator sign-in arrives in a later release: keep /admin behind your \
         network's access control until then.</small></p>",
    );
    b
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
