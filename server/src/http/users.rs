//! Admins manage staff: list accounts, invite a person (a one-time link),
//! change a role, disable or re-enable an account.
//!
//! | method | path                          |                               |
//! |--------|-------------------------------|-------------------------------|
//! | GET    | `/api/v1/admin/users`         | → `Vec<StaffUser>`            |
//! | POST   | `/api/v1/admin/invitations`   | [`Invite`] → [`Invitation`]   |
//! | PATCH  | `/api/v1/admin/users/{id}`    | [`UserChange`] → [`StaffUser`] |
//!
//! The last active admin cannot be demoted or disabled: someone must always
//! be able to sign in and govern.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use fieldcase_core::console::{ActorKind, Invitation, Invite, Role, StaffUser, UserChange};
use fieldcase_core::text::{self, Lines};
use fieldcase_core::wire::ApiError;
use rand::RngCore;
use serde_json::json;
use uuid::Uuid;

use super::AppState;
use super::extract::{Json, Path};
use super::session::invitation_hash;
use crate::auth::Admin;
use crate::error::{Error, Result};
use crate::store::{self, Actor};

/// How long an invitation link works.
const INVITATION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, invite, change))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/users", get(list))
        .route("/api/v1/admin/users/{id}", patch(change))
        .route("/api/v1/admin/invitations", post(invite))
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(ActorKind::Admin, user.email.clone())
}

/// `GET /api/v1/admin/users`
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Every staff account.", body = Vec<StaffUser>),
    )
)]
async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Vec<StaffUser>>> {
    Ok(Json(state.store.list_users().await?))
}

/// Longest staff display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// A staff member's display name as stored: one line, cleaned of invisible
/// and control characters (the console, the audit log and `users list`
/// print it), trimmed, 1 to [`MAX_NAME_CHARS`] characters. `Err` says what to fix.
pub fn person_name(raw: &str) -> std::result::Result<String, String> {
    let name =
        text::clean(raw, Lines::Single).map_err(|problem| problem.message("The person's name"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "Enter the person's name (at most {MAX_NAME_CHARS} characters)."
        ));
    }
    Ok(name.to_owned())
}

/// A plausible e-mail address: something@something.something, one `@`, no
/// spaces, nothing invisible.
pub fn plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && text::is_clean(email, Lines::Single)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// `POST /api/v1/admin/invitations`
#[utoipa::path(
    post,
    path = "/api/v1/admin/invitations",
    tag = "admin",
    security(("session_cookie" = [])),
    request_body = Invite,
    responses(
        (status = 201, description = "The invitation; its link is shown once.", body = Invitation),
        (status = 409, description = "An account with this e-mail address exists already.", body = ApiError),
        (status = 422, description = "The e-mail address or the name is not valid; `fields` says which.", body = ApiError),
    )
)]
async fn invite(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<Invite>,
) -> Result<(StatusCode, Json<Invitation>)> {
    let mut problems = fieldcase_core::FieldErrors::default();
    if !plausible_email(&body.email) {
        problems.0.insert(
            "email".into(),
            "Enter the person's e-mail address, such as ann@example.com.".into(),
        );
    }
    let name = person_name(&body.name).unwrap_or_else(|message| {
        problems.0.insert("name".into(), message);
        String::new()
    });
    if !problems.is_empty() {
        return Err(Error::Validation {
            message: "Check the highlighted fields.".into(),
            fields: problems,
        });
    }
    if state.store.account_by_email(&body.email).await?.is_some() {
        return Err(Error::conflict(
            "account_exists",
            "This person has an account already. Change their role in the list instead.",
        ));
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = store::after(INVITATION_LIFETIME);
    state
        .store
        .create_invitation(
            &invitation_hash(&token),
            &body.email,
            &name,
            body.role,
            &admin.id,
            &expires_at,
        )
        .await?;
    state
        .store
        .record_event(
            &actor(&admin),
            "user_invited",
            &json!({ "email": store::users::normal_email(&body.email), "role": body.role.as_str() }),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Invitation {
            email: store::users::normal_email(&body.email),
            role: body.role,
            link: format!("{}/console/accept/{token}", state.public_url),
            expires_at,
        }),
    ))
}

/// `PATCH /api/v1/admin/users/{id}`
#[utoipa::path(
    patch,
    path = "/api/v1/admin/users/{id}",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The account's id.")),
    request_body = UserChange,
    responses(
        (status = 200, description = "The account after the change.", body = StaffUser),
        (status = 400, description = "The id is not a UUID (`bad_user_id`).", body = ApiError),
        (status = 404, description = "No account has this id.", body = ApiError),
        (status = 409, description = "The change would leave no active admin.", body = ApiError),
    )
)]
async fn change(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw): Path<String>,
    Json(body): Json<UserChange>,
) -> Result<Json<StaffUser>> {
    let id = Uuid::try_parse(&raw).map_err(|_| {
        Error::bad_request("bad_user_id", "The user id in the path must be a UUID.")
    })?;
    let Some(account) = state.store.user(&id).await? else {
        return Err(Error::not_found(
            "user_not_found",
            "There is no such account.",
        ));
    };
    let user = account.user;
    let loses_admin = user.role == Role::Admin
        && user.active
        && (body.role == Some(Role::Dispatcher) || body.active == Some(false));
    if loses_admin && state.store.count_admins().await? <= 1 {
        return Err(Error::conflict(
            "last_admin",
            "This is the only active admin. Make another person an admin first.",
        ));
    }
    if let Some(role) = body.role
        && role != user.role
    {
        state.store.set_user_role(&id, role).await?;
        state
            .store
            .record_event(
                &actor(&admin),
                "role_changed",
                &json!({ "user": user.email, "from": user.role.as_str(), "to": role.as_str() }),
            )
            .await?;
    }
    if let Some(active) = body.active
        && active != user.active
    {
        state.store.set_user_active(&id, active).await?;
        state
            .store
            .record_event(
                &actor(&admin),
                if active {
                    "user_enabled"
                } else {
                    "user_disabled"
                },
                &json!({ "user": user.email }),
            )
            .await?;
    }
    let account = state
        .store
        .user(&id)
        .await?
        .ok_or_else(|| Error::Internal("an account vanished".into()))?;
    Ok(Json(account.user))
}

#[cfg(test)]
mod tests {
    #[test]
    fn emails_are_checked_for_shape_only() {
        assert!(super::plausible_email("ann@example.com"));
        assert!(super::plausible_email(" Ann.B@sub.example.co.uk "));
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
        ] {
            assert!(!super::plausible_email(bad), "{bad}");
        }
    }
}
