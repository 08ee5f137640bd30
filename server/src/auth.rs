//! Staff sign-in: argon2id passwords, sessions kept in the database
//! (`tower-sessions` with its SQLite store, so a restart signs nobody out),
//! limits on sign-in attempts, the [`Staff`] and [`Admin`] extractors, and
//! the same-origin rule every state-changing staff request must pass.
//!
//! **CSRF.** fieldcase uses a strict `Origin` / `Sec-Fetch-Site` check rather
//! than tokens: a state-changing request (any method but GET, HEAD, OPTIONS)
//! to a staff route must say it comes from fieldcase's own origin — a
//! `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the public URL's.
//! A request with neither, or from anywhere else, is refused (403) before
//! its handler runs. Session cookies are also `SameSite=Lax` and `HttpOnly`.
//! Lax, not Strict: Salesforce's OAuth callback is a top-level navigation
//! from another site and must carry the admin's session to check its state.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fieldcase_core::console::{Role, StaffUser};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::AppState;

/// Passwords shorter than this are refused when set.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longer ones too (argon2 would hash them, but nobody types 256 characters).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The session keys fieldcase uses.
const STAFF_KEY: &str = "staff";

/// What a signed-in session holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct SignedIn {
    user_id: Uuid,
    /// Unix seconds: for the absolute expiry.
    at: i64,
}

/// How long sessions live, and how often one may try to sign in.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, whatever happens.
    pub absolute: Duration,
    /// The origin every state-changing staff request must come from.
    pub origin: Arc<str>,
    /// Cookies only over https (when the public URL is https).
    pub secure: bool,
}

/// Sign-in attempts: per account and per client address, so neither one
/// address guessing many passwords nor many addresses guessing one account
/// get far. `governor` directly rather than `tower_governor`: the account is
/// in the body, and the refusal must speak fieldcase's error shape.
#[derive(Debug)]
pub struct SignInLimits {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimits {
    /// `per_account` attempts a minute for one account (a burst of that
    /// many), `per_address` for one address.
    pub fn new(per_account: u32, per_address: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        SignInLimits {
            per_account: RateLimiter::keyed(quota(per_account)),
            per_address: RateLimiter::keyed(quota(per_address)),
        }
    }

    /// Count an attempt; refused with "try again in N seconds" when over.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<()> {
        if self.per_account.len() > 10_000 {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        let now = DefaultClock::default().now();
        let mut wait = Duration::ZERO;
        if let Some(ip) = address
            && let Err(not_until) = self.per_address.check_key(&ip)
        {
            wait = wait.max(not_until.wait_time_from(now));
        }
        if let Err(not_until) = self
            .per_account
            .check_key(&crate::store::users::normal_email(email))
        {
            wait = wait.max(not_until.wait_time_from(now));
        }
        if wait.is_zero() {
            return Ok(());
        }
        let secs = wait.as_secs() + 1;
        Err(Error::TooManyRequests {
            retry_after_secs: secs,
            message: format!(
                "Too many sign-in attempts. Try again in {secs} second{}.",
                if secs == 1 { "" } else { "s" }
            ),
        })
    }
}

/// Hash a new password (argon2id, a random salt), off the async threads.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing a password: {e}")))?
}

/// Check a password against a stored hash, off the async threads. With no
/// hash (an unknown account) a dummy one is checked, so both take as long.
pub async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let unknown = hash.is_none();
    let hash = match hash {
        Some(h) => h.to_owned(),
        None => DUMMY
            .get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(Uuid::now_v7().to_string().as_bytes(), &salt)
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .clone(),
    };
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    matches && !unknown
}

/// A new password's problem, in words; `None` when it will do.
pub fn password_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Some(format!(
            "Choose a password of at least {MIN_PASSWORD_CHARS} characters (this one has {n})."
        ))
    } else if n > MAX_PASSWORD_CHARS {
        Some(format!(
            "Choose a password of at most {MAX_PASSWORD_CHARS} characters."
        ))
    } else {
        None
    }
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Start a session for `user`: a new session id first (no fixation).
pub async fn sign_in(session: &Session, user: &StaffUser) -> Result<()> {
    session
        .cycle_id()
        .await
        .map_err(|e| Error::Internal(format!("session: {e}")))?;
    session
        .insert(
            STAFF_KEY,
            SignedIn {
                user_id: user.id,
                at: unix_now(),
            },
        )
        .await
        .map_err(|e| Error::Internal(format!("session: {e}")))
}

/// End the session: deleted from the store, so its cookie is worth nothing.
pub async fn sign_out(session: &Session) -> Result<()> {
    session
        .flush()
        .await
        .map_err(|e| Error::Internal(format!("session: {e}")))
}

/// The signed-in staff member of this request, if any, checked against the
/// absolute expiry and the account's current state (disabled, role).
pub async fn current_user(session: &Session, state: &AppState) -> Result<Option<StaffUser>> {
    let signed_in: Option<SignedIn> = session
        .get(STAFF_KEY)
        .await
        .map_err(|e| Error::Internal(format!("session: {e}")))?;
    let Some(signed_in) = signed_in else {
        return Ok(None);
    };
    let age = unix_now().saturating_sub(signed_in.at);
    if age > i64::try_from(state.auth.absolute.as_secs()).unwrap_or(i64::MAX) {
        sign_out(session).await?;
        return Ok(None);
    }
    match state.store.user(&signed_in.user_id).await? {
        Some(account) if account.user.active => Ok(Some(account.user)),
        _ => {
            sign_out(session).await?;
            Ok(None)
        }
    }
}

/// A signed-in dispatcher or admin.
#[derive(Debug, Clone)]
pub struct Staff(pub StaffUser);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub StaffUser);

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|_| Error::Internal("the session layer is missing".into()))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let session = session_of(parts, state).await?;
        current_user(&session, state)
            .await?
            .map(Staff)
            .ok_or_else(|| {
                Error::unauthorized(
                    "Your session has ended or you are not signed in. Sign in again; nothing \
                     you typed on this page is lost.",
                )
            })
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Staff(user) = Staff::from_request_parts(parts, state).await?;
        if user.role == Role::Admin {
            Ok(Admin(user))
        } else {
            Err(Error::forbidden(
                "admin_only",
                "Only an admin can do this. Ask an admin of your fieldcase.",
            ))
        }
    }
}

/// The client's address, when the server was started with connect info
/// (in-process tests call the router without it).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Self::Rejection> {
        Ok(ClientAddress(state.request_limits.client_of(parts)))
    }
}

/// Middleware: refuse a state-changing request that does not come from
/// fieldcase's own origin (see the module's note on CSRF).
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let allowed = match (fetch_site, origin) {
        (Some("same-origin"), _) => true,
        (Some(_), _) => false,
        (None, Some(origin)) => origin == &*state.auth.origin,
        (None, None) => false,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), "cross-site request refused");
        Error::forbidden(
            "cross_site_request",
            "This request did not come from fieldcase's own pages, so it was refused. Open \
             fieldcase at its own address and try again.",
        )
        .into_response()
    }
}

/// The origin (`scheme://host[:port]`) of a URL, as browsers send it.
pub fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)).await);
        assert!(!verify_password("wrong horse battery", Some(&hash)).await);
        assert!(!verify_password("correct horse battery", None).await);
        assert!(!verify_password("x", Some("not a hash")).await);
    }

    #[test]
    fn short_and_long_passwords_are_named() {
        assert!(password_problem("short").unwrap().contains("at least 10"));
        assert!(password_problem(&"x".repeat(300)).is_some());
        assert_eq!(password_problem("long enough pass"), None);
    }

    #[test]
    fn attempts_over_the_limit_say_when_to_try_again() {
        let limits = SignInLimits::new(3, 100);
        for _ in 0..3 {
            limits.check("Ann@Example.com", None).unwrap();
        }
        let Err(Error::TooManyRequests {
            retry_after_secs,
            message,
        }) = limits.check("ann@example.com ", None)
        else {
            panic!("the fourth attempt within a minute must be refused");
        };
        assert!((1..=21).contains(&retry_after_secs), "{retry_after_secs}");
        assert!(
            message.starts_with("Too many sign-in attempts. Try again in "),
            "{message}"
        );
        // Another account is not affected.
        limits.check("bob@example.com", None).unwrap();
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("https://fc.example.com"),
            "https://fc.example.com"
        );
    }
}
