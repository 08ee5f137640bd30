//! Admins register the customer portals that may embed the form.
//!
//! | method | path                                   |                                  |
//! |--------|----------------------------------------|----------------------------------|
//! | GET    | `/api/v1/admin/portals`                | → `Vec<Portal>`                  |
//! | POST   | `/api/v1/admin/portals`                | [`NewPortal`] → [`PortalSecret`] |
//! | POST   | `/api/v1/admin/portals/{id}/rotate`    | → [`PortalSecret`] (new secret)  |
//! | POST   | `/api/v1/admin/portals/{id}/disable`   | → [`Portal`]                     |
//!
//! The secret is shown once (registering and rotating answer it); it is
//! stored sealed. Every change is in the audit log.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use fieldcase_core::FieldErrors;
use fieldcase_core::console::{ActorKind, StaffUser};
use fieldcase_core::embed::{
    MAX_PORTAL_NAME_CHARS, MAX_PORTAL_ORIGINS, NewPortal, Portal, PortalSecret, parse_origin,
};
use fieldcase_core::text::{self, Lines};
use fieldcase_core::wire::ApiError;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::extract::{Json, Path};
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::store::{Actor, Store};

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, rotate, disable))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/portals", get(list).post(create))
        .route("/api/v1/admin/portals/{id}/rotate", post(rotate))
        .route("/api/v1/admin/portals/{id}/disable", post(disable))
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(ActorKind::Admin, user.email.clone())
}

/// A portal's name and origins as stored, or what to fix in each.
pub fn checked(body: &NewPortal) -> std::result::Result<(String, Vec<String>), FieldErrors> {
    let mut problems = FieldErrors::default();
    let name = match text::clean(&body.name, Lines::Single) {
        Ok(n) if !n.trim().is_empty() && n.trim().chars().count() <= MAX_PORTAL_NAME_CHARS => {
            n.trim().to_owned()
        }
        _ => {
            problems.0.insert(
                "name".into(),
                format!(
                    "Name the portal (one line, at most {MAX_PORTAL_NAME_CHARS} characters), \
                     such as \"Customer support portal\"."
                ),
            );
            String::new()
        }
    };
    let mut origins = Vec::new();
    if body.origins.is_empty() || body.origins.len() > MAX_PORTAL_ORIGINS {
        problems.0.insert(
            "origins".into(),
            format!(
                "List from 1 to {MAX_PORTAL_ORIGINS} origins the portal is served from, such as \
                 https://portal.example.com."
            ),
        );
    }
    for raw in &body.origins {
        match parse_origin(raw) {
            Ok(o) if !origins.contains(&o) => origins.push(o),
            Ok(_) => {}
            Err(message) => {
                problems.0.entry("origins".into()).or_insert(message);
            }
        }
    }
    if problems.is_empty() {
        Ok((name, origins))
    } else {
        Err(problems)
    }
}

/// Register a portal (the admin API and the CLI): its secret, once.
pub async fn register(store: &Store, actor: &Actor, body: &NewPortal) -> Result<PortalSecret> {
    let (name, origins) = checked(body).map_err(|fields| Error::Validation {
        message: "Check the highlighted fields.".into(),
        fields,
    })?;
    let secret = crate::embed::new_portal_secret();
    let portal = store.insert_portal(&name, &origins, &secret).await?;
    store
        .record_event(
            actor,
            "portal_registered",
            &json!({ "portal": portal.id, "name": portal.name, "origins": portal.origins }),
        )
        .await?;
    tracing::info!(portal_id = %portal.id, "portal registered");
    Ok(PortalSecret { portal, secret })
}

/// Disable a portal (the admin API and the CLI).
pub async fn disable_portal(store: &Store, actor: &Actor, id: &Uuid) -> Result<Portal> {
    if !store.disable_portal(id).await? {
        return Err(portal_not_found());
    }
    let portal = store.portal(id).await?.ok_or_else(portal_not_found)?;
    store
        .record_event(
            actor,
            "portal_disabled",
            &json!({ "portal": portal.id, "name": portal.name }),
        )
        .await?;
    tracing::info!(portal_id = %portal.id, "portal disabled");
    Ok(portal)
}

fn portal_not_found() -> Error {
    Error::not_found(
        "portal_not_found",
        "There is no portal with this id. Reload the list of portals.",
    )
}

fn parse_portal_id(raw: &str) -> Result<Uuid> {
    raw.parse().map_err(|_| portal_not_found())
}

/// `GET /api/v1/admin/portals`
#[utoipa::path(
    get,
    path = "/api/v1/admin/portals",
    operation_id = "list_portals",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every registered portal (never its secret).", body = Vec<Portal>),
    )
)]
async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<Portal>>> {
    Ok(Json(state.store.list_portals().await?))
}

/// `POST /api/v1/admin/portals`
#[utoipa::path(
    post,
    path = "/api/v1/admin/portals",
    operation_id = "register_portal",
    tag = "admin",
    security(("session_cookie" = [])),
    request_body = NewPortal,
    responses(
        (status = 201, description = "The portal and its shared secret, shown this once.", body = PortalSecret),
        (status = 422, description = "The name or an origin is not valid; `fields` says which and why.", body = ApiError),
    )
)]
async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<NewPortal>,
) -> Result<(StatusCode, Json<PortalSecret>)> {
    let made = register(&state.store, &actor(&admin), &body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `POST /api/v1/admin/portals/{id}/rotate`
#[utoipa::path(
    post,
    path = "/api/v1/admin/portals/{id}/rotate",
    operation_id = "rotate_portal_secret",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The portal's id.")),
    responses(
        (status = 200, description = "A new secret, shown this once; tokens signed with the old one are refused from now on.", body = PortalSecret),
        (status = 404, description = "No such portal (`portal_not_found`).", body = ApiError),
    )
)]
async fn rotate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw_id): Path<String>,
) -> Result<Json<PortalSecret>> {
    let id = parse_portal_id(&raw_id)?;
    let secret = crate::embed::new_portal_secret();
    if !state.store.rotate_portal_secret(&id, &secret).await? {
        return Err(portal_not_found());
    }
    let portal = state
        .store
        .portal(&id)
        .await?
        .ok_or_else(portal_not_found)?;
    state
        .store
        .record_event(
            &actor(&admin),
            "portal_secret_rotated",
            &json!({ "portal": portal.id, "name": portal.name }),
        )
        .await?;
    tracing::info!(portal_id = %portal.id, "portal secret rotated");
    Ok(Json(PortalSecret { portal, secret }))
}

/// `POST /api/v1/admin/portals/{id}/disable`
#[utoipa::path(
    post,
    path = "/api/v1/admin/portals/{id}/disable",
    operation_id = "disable_portal",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The portal's id.")),
    responses(
        (status = 200, description = "Disabled: its tokens and open embed sessions are refused from now on.", body = Portal),
        (status = 404, description = "No such portal (`portal_not_found`).", body = ApiError),
    )
)]
async fn disable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw_id): Path<String>,
) -> Result<Json<Portal>> {
    let id = parse_portal_id(&raw_id)?;
    Ok(Json(
        disable_portal(&state.store, &actor(&admin), &id).await?,
    ))
}
