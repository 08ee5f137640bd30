//! The admin's view of AI assistants' grants: list them, revoke one.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use fieldcase_core::console::{ActorKind, McpGrant};
use fieldcase_core::wire::ApiError;
use uuid::Uuid;

use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::extract::{Json, Path};
use crate::store::Actor;
use crate::store::mcp::McpGrantRow;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, revoke))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/mcp/grants", get(list))
        .route("/api/v1/admin/mcp/grants/{id}/revoke", post(revoke))
}

fn grant_of(row: McpGrantRow) -> Result<McpGrant> {
    Ok(McpGrant {
        id: row
            .id
            .parse()
            .map_err(|_| Error::Internal("a stored grant id is not a UUID".into()))?,
        client_id: row.client_id,
        client_name: row.client_name,
        user_email: row.user_email,
        scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    })
}

fn grant_not_found() -> Error {
    Error::not_found(
        "grant_not_found",
        "There is no AI assistant grant with this id. Reload the list of grants.",
    )
}

/// `GET /api/v1/admin/mcp/grants`
#[utoipa::path(
    get,
    path = "/api/v1/admin/mcp/grants",
    operation_id = "list_mcp_grants",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every grant an AI assistant (MCP client) was given, newest first, revoked ones included.", body = Vec<McpGrant>),
    )
)]
async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<McpGrant>>> {
    let rows = state.store.mcp_grants().await?;
    Ok(Json(rows.into_iter().map(grant_of).collect::<Result<_>>()?))
}

/// `POST /api/v1/admin/mcp/grants/{id}/revoke`
#[utoipa::path(
    post,
    path = "/api/v1/admin/mcp/grants/{id}/revoke",
    operation_id = "revoke_mcp_grant",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The grant's id.")),
    responses(
        (status = 200, description = "The grant, revoked: its access and refresh tokens stop working at once (revoking again changes nothing).", body = McpGrant),
        (status = 404, description = "No such grant (`grant_not_found`).", body = ApiError),
    )
)]
async fn revoke(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw_id): Path<String>,
) -> Result<Json<McpGrant>> {
    let id: Uuid = raw_id.parse().map_err(|_| grant_not_found())?;
    let actor = Actor::new(ActorKind::Admin, admin.email.clone());
    let row = state
        .store
        .revoke_mcp_grant(&id.to_string(), &actor)
        .await?
        .ok_or_else(grant_not_found)?;
    tracing::info!(grant_id = %id, "MCP grant revoked by an admin");
    Ok(Json(grant_of(row)?))
}
