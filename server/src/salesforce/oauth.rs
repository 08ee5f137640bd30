//! OAuth 2.0 with Salesforce, through the `oauth2` crate:
//!
//! - the web-server flow with PKCE (S256): [`OAuth::authorize_url`], then
//!   [`OAuth::exchange_code`] with the verifier;
//! - [`OAuth::refresh`] with the stored refresh token;
//! - [`OAuth::client_credentials`] for an integration user (My Domain only;
//!   no refresh token: a new grant replaces an expired one).
//!
//! Salesforce's token response is RFC 6749's plus `instance_url` (the base of
//! every REST call), `id` (the identity URL, `…/id/<org>/<user>`),
//! `issued_at` (milliseconds, as a string) and `signature`, and it has no
//! `expires_in`: [`SalesforceTokenFields`] carries the extra fields.

use std::borrow::Cow;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// The fields Salesforce adds to a token response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesforceTokenFields {
    /// The org's REST base, e.g. `https://acme.my.salesforce.com`.
    pub instance_url: String,
    /// The identity URL, `https://login.salesforce.com/id/<org id>/<user id>`.
    #[serde(default)]
    pub id: Option<String>,
    /// When the token was issued, in milliseconds since the epoch (a string).
    #[serde(default)]
    pub issued_at: Option<String>,
    /// base64(HMAC-SHA256(id + issued_at, client secret)).
    #[serde(default)]
    pub signature: Option<String>,
}

impl ExtraTokenFields for SalesforceTokenFields {}

/// Salesforce's token response.
pub type SalesforceTokenResponse = StandardTokenResponse<SalesforceTokenFields, BasicTokenType>;

type OAuthClient = Client<
    BasicErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a token request granted. Its `Debug` shows no token.
#[derive(Clone)]
pub struct Grant {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub instance_url: String,
    pub identity_url: Option<String>,
    pub org_id: Option<String>,
    pub user_id: Option<String>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("instance_url", &self.instance_url)
            .field("org_id", &self.org_id)
            .field("user_id", &self.user_id)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Why a token request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthFailure {
    /// Salesforce answered with an OAuth error, e.g. `invalid_grant`
    /// ("expired access/refresh token") or `invalid_client`.
    #[error("Salesforce refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    /// No usable answer: network, timeout, or a server error.
    #[error("Salesforce's login service did not answer usably: {0}")]
    Unreachable(String),
}

impl OAuthFailure {
    /// The grant (refresh token, code, client credentials) is no good: a
    /// person must connect again.
    pub fn needs_reauthorization(&self) -> bool {
        matches!(self, OAuthFailure::Refused { .. })
    }
}

/// The OAuth endpoints of one login host, for one connected app.
#[derive(Debug, Clone)]
pub struct OAuth {
    client: OAuthClient,
    http: reqwest::Client,
    scopes: Vec<Scope>,
}

impl OAuth {
    /// `login_url` is production, sandbox or a My Domain; `redirect` is the
    /// callback registered in the connected app.
    pub fn new(
        login_url: &Url,
        client_id: &str,
        client_secret: Option<&str>,
        redirect: Option<&Url>,
        scope: &str,
        http: reqwest::Client,
    ) -> Result<Self, String> {
        let endpoint = |path: &str| -> Result<String, String> {
            login_url
                .join(path)
                .map(|u| u.to_string())
                .map_err(|e| format!("the login URL {login_url}: {e}"))
        };
        let auth = AuthUrl::new(endpoint("/services/oauth2/authorize")?)
            .map_err(|e| format!("the authorize URL: {e}"))?;
        let token = TokenUrl::new(endpoint("/services/oauth2/token")?)
            .map_err(|e| format!("the token URL: {e}"))?;
        let mut client: OAuthClient = Client::new(ClientId::new(client_id.to_owned()))
            .set_auth_uri(auth)
            .set_token_uri(token)
            // Salesforce documents the client credentials in the form body.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.to_owned()));
        }
        if let Some(redirect) = redirect {
            client = client.set_redirect_uri(RedirectUrl::from_url(redirect.clone()));
        }
        let scopes = scope
            .split_whitespace()
            .map(|s| Scope::new(s.to_owned()))
            .collect();
        Ok(OAuth {
            client,
            http,
            scopes,
        })
    }

    /// Where to send the browser, the `state` to expect back, and the PKCE
    /// verifier to keep (server-side) for the exchange.
    pub fn authorize_url(&self) -> (Url, CsrfToken, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().cloned())
            .set_pkce_challenge(challenge)
            .url();
        (url, state, verifier)
    }

    /// The callback's code, with the verifier kept since
    /// [`OAuth::authorize_url`].
    pub async fn exchange_code(&self, code: &str, verifier: &str) -> Result<Grant, OAuthFailure> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&self.http)
            .await;
        grant(response, None)
    }

    /// A new access token for a refresh token. Without rotation, Salesforce
    /// sends no new refresh token: the old one stays.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Grant, OAuthFailure> {
        let token = RefreshToken::new(refresh_token.to_owned());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await;
        grant(response, Some(refresh_token))
    }

    /// The client-credentials flow (the connected app's run-as user).
    pub async fn client_credentials(&self) -> Result<Grant, OAuthFailure> {
        let response = self
            .client
            .exchange_client_credentials()
            .request_async(&self.http)
            .await;
        grant(response, None)
    }

    /// The redirect URI the exchange sends (for tests and the status page).
    pub fn redirect_uri(&self) -> Option<Cow<'_, str>> {
        self.client
            .redirect_uri()
            .map(|r| Cow::Borrowed(r.as_str()))
    }
}

type TokenResult = Result<
    SalesforceTokenResponse,
    RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>,
>;

fn grant(response: TokenResult, kept_refresh: Option<&str>) -> Result<Grant, OAuthFailure> {
    let token = match response {
        Ok(token) => token,
        Err(RequestTokenError::ServerResponse(e)) => {
            return Err(OAuthFailure::Refused {
                error: e.error().to_string(),
                description: e.error_description().cloned(),
            });
        }
        Err(RequestTokenError::Request(e)) => {
            return Err(OAuthFailure::Unreachable(request_failure(&e)));
        }
        Err(RequestTokenError::Parse(e, _)) => {
            // A 5xx page, or a gateway's HTML: not an OAuth answer.
            return Err(OAuthFailure::Unreachable(format!(
                "an answer that is not a token response ({})",
                e.path()
            )));
        }
        Err(RequestTokenError::Other(e)) => return Err(OAuthFailure::Unreachable(e)),
    };
    let extra = token.extra_fields();
    let (org_id, user_id) = extra
        .id
        .as_deref()
        .map(identity_ids)
        .unwrap_or((None, None));
    Ok(Grant {
        access_token: token.access_token().secret().clone(),
        refresh_token: token
            .refresh_token()
            .map(|r| r.secret().clone())
            .or_else(|| kept_refresh.map(str::to_owned)),
        instance_url: extra.instance_url.trim_end_matches('/').to_owned(),
        identity_url: extra.id.clone(),
        org_id,
        user_id,
        scope: token.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
    })
}

/// A request failure, described without its URL (which is harmless here,
/// but a habit worth keeping) and without any token.
fn request_failure(e: &oauth2::HttpClientError<reqwest::Error>) -> String {
    match e {
        oauth2::HttpClientError::Reqwest(e) => {
            if e.is_timeout() {
                "timed out".to_owned()
            } else if e.is_connect() {
                "could not connect".to_owned()
            } else {
                "the connection failed".to_owned()
            }
        }
        other => format!("{other}"),
    }
}

/// The org and user ids at the end of an identity URL (`…/id/<org>/<user>`).
pub fn identity_ids(identity_url: &str) -> (Option<String>, Option<String>) {
    let mut parts = identity_url.trim_end_matches('/').rsplit('/');
    let user = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    let org = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
    match parts.next() {
        Some("id") => (org, user),
        _ => (None, None),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_salesforce_token_response_parses_without_expires_in() {
        let body = r#"{"access_token":"00Dxx!AQ","refresh_token":"5Aep861x","signature":"c2ln",
            "scope":"refresh_token api","instance_url":"https://acme.my.salesforce.com",
            "id":"https://login.salesforce.com/id/00D000000000001EAA/005000000000001AAA",
            "token_type":"Bearer","issued_at":"1732184400000"}"#;
        let token: SalesforceTokenResponse = serde_json::from_str(body).unwrap();
        let grant = grant(Ok(token), None).unwrap();
        assert_eq!(grant.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(grant.org_id.as_deref(), Some("00D000000000001EAA"));
        assert_eq!(grant.user_id.as_deref(), Some("005000000000001AAA"));
        assert_eq!(grant.refresh_token.as_deref(), Some("5Aep861x"));
        assert_eq!(grant.scope.as_deref(), Some("refresh_token api"));
        let shown = format!("{grant:?}");
        assert!(
            !shown.contains("00Dxx!AQ") && !shown.contains("5Aep861x"),
            "{shown}"
        );
    }

    #[test]
    fn a_refresh_without_rotation_keeps_the_refresh_token() {
        let body = r#"{"access_token":"new","instance_url":"https://x.my.salesforce.com/",
            "token_type":"Bearer","issued_at":"1"}"#;
        let token: SalesforceTokenResponse = serde_json::from_str(body).unwrap();
        let grant = grant(Ok(token), Some("kept")).unwrap();
        assert_eq!(grant.refresh_token.as_deref(), Some("kept"));
        assert_eq!(grant.instance_url, "https://x.my.salesforce.com");
    }

    #[test]
    fn the_authorize_url_asks_for_pkce_s256() {
        let oauth = OAuth::new(
            &Url::parse("https://test.salesforce.com").unwrap(),
            "client",
            None,
            Some(&Url::parse("https://fc.example/admin/salesforce/callback").unwrap()),
            "api refresh_token",
            reqwest::Client::new(),
        )
        .unwrap();
        let (url, state, verifier) = oauth.authorize_url();
        assert_eq!(url.host_str(), Some("test.salesforce.com"));
        assert_eq!(url.path(), "/services/oauth2/authorize");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["state"], *state.secret());
        assert_eq!(q["scope"], "api refresh_token");
        assert_eq!(
            q["redirect_uri"],
            "https://fc.example/admin/salesforce/callback"
        );
        assert!(verifier.secret().len() >= 43);
    }

    #[test]
    fn identity_urls_name_org_and_user() {
        assert_eq!(
            identity_ids("https://login.salesforce.com/id/00Dx/005y"),
            (Some("00Dx".into()), Some("005y".into()))
        );
        assert_eq!(identity_ids("https://x/other/a/b"), (None, None));
    }
}
