//! Embed tokens and embed sessions.
//!
//! A portal's server mints an **embed token**: a JWT (HS256) signed with the
//! portal's shared secret, naming the customer and what they may report on.
//! It travels in the iframe's URL, so it is short-lived (at most
//! [`MAX_TOKEN_LIFETIME_SECS`]) and checked here: signature, `iss` = the
//! portal in the path, `exp` (with [`LEEWAY_SECS`] for clocks), the
//! lifetime, and the portal enabled (the caller looks the portal up).
//!
//! The page then works with an **embed session**: a capability the server
//! signs (HS256 under a key derived from the server's secret key), carried
//! by the page's script as `Authorization: Bearer` — never a cookie (third-
//! party cookies are blocked in Safari and not needed: a bearer header is
//! not sent cross-site by the browser, so the embed API needs no CSRF rule).

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest an embed token may live (`exp - iat`).
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 15 * 60;
/// Clock difference tolerated on `exp` and `iat`.
pub const LEEWAY_SECS: u64 = 60;
/// How long an embed session lasts.
pub const SESSION_LIFETIME_SECS: u64 = 2 * 3600;
/// The `iss` of the sessions fieldcase signs (never a portal's id).
const SESSION_ISSUER: &str = "fieldcase-embed-session";

/// What a portal's embed token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedClaims {
    /// The portal's id.
    pub iss: String,
    /// The customer's id in the portal.
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// A CRM account id or account name on our assets: the customer may
    /// report on that account's assets.
    #[serde(default)]
    pub account: Option<String>,
    /// Or one asset (our asset id).
    #[serde(default)]
    pub asset: Option<String>,
    pub exp: u64,
    pub iat: u64,
}

/// Why an embed token was refused. Shown to the customer as a page, so the
/// words are about what to do, not about cryptography.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No token in the URL.
    Missing,
    /// Not a JWT, a bad signature, another portal's, or no scope.
    Invalid,
    Expired,
    /// `exp - iat` is longer than allowed, or `iat` is in the future.
    TooLong,
    /// No such portal, or disabled.
    UnknownPortal,
}

impl TokenProblem {
    /// A short, stable code for logs and tests.
    pub fn code(self) -> &'static str {
        match self {
            TokenProblem::Missing => "embed_token_missing",
            TokenProblem::Invalid => "embed_token_invalid",
            TokenProblem::Expired => "embed_token_expired",
            TokenProblem::TooLong => "embed_token_too_long",
            TokenProblem::UnknownPortal => "embed_portal_unknown",
        }
    }
}

/// Verify an embed token signed by the portal `portal_id` with `secret`,
/// at `now` (seconds since the epoch).
pub fn verify_token(
    token: &str,
    portal_id: &Uuid,
    secret: &str,
    now: u64,
) -> Result<EmbedClaims, TokenProblem> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_issuer(&[portal_id.to_string()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
    let data = jsonwebtoken::decode::<EmbedClaims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => TokenProblem::Expired,
        _ => TokenProblem::Invalid,
    })?;
    let claims = data.claims;
    // jsonwebtoken checks `exp` against its own clock; ours decides too
    // (tests and the lifetime rule use the same `now`).
    if claims.exp + LEEWAY_SECS < now {
        return Err(TokenProblem::Expired);
    }
    if claims.iat > now + LEEWAY_SECS
        || claims.exp < claims.iat
        || claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECS
    {
        return Err(TokenProblem::TooLong);
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if claims.sub.trim().is_empty() || (blank(&claims.account) && blank(&claims.asset)) {
        return Err(TokenProblem::Invalid);
    }
    Ok(claims)
}

/// What an embed session lets its bearer do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub iss: String,
    pub portal: Uuid,
    /// The customer's id in the portal.
    pub sub: String,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub asset: Option<String>,
    pub exp: u64,
    pub iat: u64,
}

/// Sign a session for the customer of `claims` on `portal`.
pub fn sign_session(key: &[u8], portal: Uuid, claims: &EmbedClaims, now: u64) -> String {
    let session = SessionClaims {
        iss: SESSION_ISSUER.to_owned(),
        portal,
        sub: claims.sub.clone(),
        account: claims.account.clone().filter(|s| !s.trim().is_empty()),
        asset: claims.asset.clone().filter(|s| !s.trim().is_empty()),
        exp: now + SESSION_LIFETIME_SECS,
        iat: now,
    };
    // HS256 over serde-serialisable claims cannot fail.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &session,
        &EncodingKey::from_secret(key),
    )
    .unwrap_or_default()
}

/// Verify a session the server signed; `None` for anything else.
pub fn verify_session(key: &[u8], bearer: &str) -> Option<SessionClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_issuer(&[SESSION_ISSUER]);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    jsonwebtoken::decode::<SessionClaims>(bearer, &DecodingKey::from_secret(key), &validation)
        .ok()
        .map(|d| d.claims)
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A new shared secret for a portal: 32 random bytes, base64url (43
/// characters), used as the HS256 key's text.
pub fn new_portal_secret() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &str = "portal-secret";

    fn mint(portal: &Uuid, secret: &str, iat: u64, exp: u64) -> String {
        let claims = EmbedClaims {
            iss: portal.to_string(),
            sub: "cust-1".into(),
            name: Some("Ann".into()),
            email: None,
            account: Some("Northwind Foods".into()),
            asset: None,
            exp,
            iat,
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn a_good_token_is_accepted_and_bad_ones_say_why() {
        let portal = Uuid::now_v7();
        let now = now_secs();
        let good = mint(&portal, SECRET, now, now + 600);
        assert_eq!(
            verify_token(&good, &portal, SECRET, now).unwrap().sub,
            "cust-1"
        );
        let forged = mint(&portal, "another secret", now, now + 600);
        assert_eq!(
            verify_token(&forged, &portal, SECRET, now),
            Err(TokenProblem::Invalid)
        );
        let other = Uuid::now_v7();
        assert_eq!(
            verify_token(&good, &other, SECRET, now),
            Err(TokenProblem::Invalid)
        );
        let expired = mint(&portal, SECRET, now - 1000, now - 400);
        assert_eq!(
            verify_token(&expired, &portal, SECRET, now),
            Err(TokenProblem::Expired)
        );
        let long = mint(&portal, SECRET, now, now + MAX_TOKEN_LIFETIME_SECS + 1);
        assert_eq!(
            verify_token(&long, &portal, SECRET, now),
            Err(TokenProblem::TooLong)
        );
        assert_eq!(
            verify_token("not.a.jwt", &portal, SECRET, now),
            Err(TokenProblem::Invalid)
        );
    }

    #[test]
    fn sessions_verify_only_with_the_key_they_were_signed_with() {
        let portal = Uuid::now_v7();
        let now = now_secs();
        let claims =
            verify_token(&mint(&portal, SECRET, now, now + 60), &portal, SECRET, now).unwrap();
        let session = sign_session(b"server key", portal, &claims, now);
        let back = verify_session(b"server key", &session).unwrap();
        assert_eq!(back.portal, portal);
        assert_eq!(back.account.as_deref(), Some("Northwind Foods"));
        assert!(verify_session(b"other key", &session).is_none());
        // A portal's own token is not a session.
        assert!(verify_session(SECRET.as_bytes(), &mint(&portal, SECRET, now, now + 60)).is_none());
    }
}
