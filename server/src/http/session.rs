//! Signing staff in and out, and accepting an invitation.
//!
//! | method | path                            |                                   |
//! |--------|---------------------------------|-----------------------------------|
//! | POST   | `/api/v1/session`               | sign in → [`StaffUser`]           |
//! | GET    | `/api/v1/session`               | who is signed in (401 if nobody)  |
//! | DELETE | `/api/v1/session`               | sign out                          |
//! | POST   | `/api/v1/invitations/accept`    | set a password, signed in         |
//!
//! An unknown address and a wrong password get the same answer, after the
//! same work (a dummy hash is checked), so sign-in tells nobody which
//! addresses have accounts.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use fieldcase_core::console::{AcceptInvitation, ActorKind, SignIn, StaffUser};
use fieldcase_core::wire::ApiError;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use super::AppState;
use super::extract::Json;
use crate::auth::{self, ClientAddress, Staff};
use crate::error::{Error, Result};
use crate::store::Actor;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_in, who, sign_out, accept))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(sign_in).get(who).delete(sign_out))
        .route("/api/v1/invitations/accept", post(accept))
}

const WRONG: &str = "That e-mail and password do not match an account. Check both and try \
                     again, or ask an admin to invite you.";

/// `POST /api/v1/session`
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in: the account. The answer sets a new `fieldcase_session` cookie.", body = StaffUser),
        (status = 401, description = "The e-mail and password do not match an active account (`sign_in_required`).", body = ApiError),
        (status = 422, description = "The e-mail or the password is empty (`sign_in_incomplete`).", body = ApiError),
    )
)]
async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    Json(body): Json<SignIn>,
) -> Result<Json<StaffUser>> {
    if body.email.trim().is_empty() || body.password.is_empty() {
        return Err(Error::unprocessable(
            "sign_in_incomplete",
            "Enter your e-mail address and your password.",
        ));
    }
    if body.email.chars().count() > 254 || body.password.chars().count() > auth::MAX_PASSWORD_CHARS
    {
        return Err(Error::unauthorized(WRONG));
    }
    if let Err(e) = state.sign_in_limits.check(&body.email, address) {
        state
            .store
            .record_event(
                &Actor::system(),
                "sign_in_refused",
                &json!({ "reason": "too_many_attempts" }),
            )
            .await?;
        return Err(e);
    }
    let account = state.store.account_by_email(&body.email).await?;
    let ok = auth::verify_password(
        &body.password,
        account.as_ref().map(|a| a.password_hash.as_str()),
    )
    .await;
    match account {
        Some(account) if ok && account.user.active => {
            auth::sign_in(&session, &account.user).await?;
            let actor = Actor::new(ActorKind::from(account.user.role), &account.user.email);
            state
                .store
                .record_event(&actor, "signed_in", &json!({}))
                .await?;
            tracing::info!(user_id = %account.user.id, "signed in");
            Ok(Json(account.user))
        }
        Some(account) => {
            let actor = Actor::new(ActorKind::from(account.user.role), &account.user.email);
            let reason = if ok {
                "account_disabled"
            } else {
                "wrong_password"
            };
            state
                .store
                .record_event(&actor, "sign_in_refused", &json!({ "reason": reason }))
                .await?;
            Err(Error::unauthorized(WRONG))
        }
        None => {
            // No address in the trail: what was typed may be anything.
            state
                .store
                .record_event(
                    &Actor::system(),
                    "sign_in_refused",
                    &json!({ "reason": "unknown_account" }),
                )
                .await?;
            Err(Error::unauthorized(WRONG))
        }
    }
}

/// `GET /api/v1/session`
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "session",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in staff member.", body = StaffUser),
    )
)]
async fn who(Staff(user): Staff) -> Json<StaffUser> {
    Json(user)
}

/// `DELETE /api/v1/session`
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses(
        (status = 204, description = "Signed out (or nobody was signed in); the session is deleted."),
    )
)]
async fn sign_out(State(state): State<AppState>, session: Session) -> Result<StatusCode> {
    if let Some(user) = auth::current_user(&session, &state).await? {
        let actor = Actor::new(ActorKind::from(user.role), &user.email);
        state
            .store
            .record_event(&actor, "signed_out", &json!({}))
            .await?;
    }
    auth::sign_out(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The SHA-256 of an invitation token, as stored.
pub fn invitation_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// `POST /api/v1/invitations/accept`
#[utoipa::path(
    post,
    path = "/api/v1/invitations/accept",
    tag = "session",
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "The account is made and signed in (a new `fieldcase_session` cookie).", body = StaffUser),
        (status = 404, description = "The invitation is unknown, used or expired (`invitation_not_found`).", body = ApiError),
        (status = 409, description = "An account with this e-mail address exists already (`account_exists`).", body = ApiError),
        (status = 422, description = "The password is too weak (`weak_password`); the message says why.", body = ApiError),
    )
)]
async fn accept(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<AcceptInvitation>,
) -> Result<Json<StaffUser>> {
    if let Some(problem) = auth::password_problem(&body.password) {
        return Err(Error::unprocessable("weak_password", problem));
    }
    let hash = auth::hash_password(&body.password).await?;
    let Some(invitation) = state
        .store
        .take_invitation(&invitation_hash(&body.token))
        .await?
    else {
        return Err(Error::not_found(
            "invitation_not_found",
            "This invitation link is unknown, used already or expired. Ask an admin for a new one.",
        ));
    };
    let Some(user) = state
        .store
        .create_user(&invitation.email, &invitation.name, invitation.role, &hash)
        .await?
    else {
        return Err(Error::conflict(
            "account_exists",
            "An account with this e-mail address exists already. Sign in with it instead.",
        ));
    };
    auth::sign_in(&session, &user).await?;
    let actor = Actor::new(ActorKind::from(user.role), &user.email);
    state
        .store
        .record_event(
            &actor,
            "invitation_accepted",
            &json!({ "role": user.role.as_str() }),
        )
        .await?;
    state
        .store
        .record_event(&actor, "signed_in", &json!({}))
        .await?;
    Ok(Json(user))
}
