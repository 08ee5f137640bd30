//! The Salesforce connector.
//!
//! **Invariant: this module, and only this module, knows Salesforce's JSON
//! and OAuth.** Everything else speaks fieldcase's terms: an intake's
//! validated fields and photos go in ([`Salesforce::write_case`]), a case id,
//! number and link come out, or a [`SalesforceError`] that says whether to
//! retry, wait for an administrator, or show a person what Salesforce refused.
//!
//! - [`oauth`]: the web-server flow with PKCE, refresh, client credentials
//!   (the `oauth2` crate, with Salesforce's extra token fields);
//! - [`rest`]: HTTP with an injected instance URL and a timeout, and the
//!   sorting of answers into retry / refresh / refused;
//! - [`case`]: one case in at most two API calls, photos as Files, exactly
//!   once;
//! - [`schema_import`]: Case's `describe` → the case schema;
//! - [`preflight`]: can the connected org take what would be written (and is
//!   it a sandbox or production)?
//! - [`crypto`]: tokens sealed at rest (AES-256-GCM);
//! - [`demo_connect`]: the browser's part of the authorization-code flow,
//!   done by the server itself for `--demo-connect`.
//!
//! Tokens are sealed before they reach the store, are never logged, and never
//! leave the server.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fieldcase_core::wire::SalesforceStatus;
use fieldcase_core::{CaseSchema, FieldValue};
use serde_json::Value;
use tokio::sync::{Mutex, Notify};
use url::Url;

use crate::config::{Config, Secret};
use crate::failpoint;
use crate::store::{Actor, NewConnection, Store, StoredConnection};

pub mod case;
pub mod crypto;
pub mod demo_connect;
pub mod oauth;
pub mod preflight;
pub mod rest;
pub mod schema_import;

pub use case::{AssetLinks, PhotoFile};
pub use crypto::SecretKey;
pub use rest::{CallError, SfError};

use oauth::{Grant, OAuth, OAuthFailure};
use rest::Api;

/// Run `$call` (an expression using the [`Api`] bound to `$api`) with the
/// current session; on `INVALID_SESSION_ID`, refresh once and run it again.
/// Counts the calls made in `$calls`. (A macro, not a function taking an
/// async closure, so the futures stay `Send` for `tokio::spawn`.)
macro_rules! with_session {
    ($sf:expr, $calls:expr, |$api:ident| $call:expr) => {{
        let session = $sf.session().await?;
        $calls += 1;
        let first = {
            let $api = $sf.api(&session);
            $call.await
        };
        match first {
            Err(CallError::InvalidSession) => {
                tracing::info!("Salesforce answered INVALID_SESSION_ID; refreshing once");
                let fresh = $sf.refresh(&session).await?;
                $calls += 1;
                let $api = $sf.api(&fresh);
                $call.await.map_err(SalesforceError::from)
            }
            other => other.map_err(SalesforceError::from),
        }
    }};
}

/// The callback path, under the public URL.
pub const CALLBACK_PATH: &str = "/admin/salesforce/callback";

/// How long a started "Connect Salesforce" may take to come back.
const AUTHORIZATION_TTL: Duration = Duration::from_secs(10 * 60);

const ACCESS_TOKEN: &str = "salesforce.access_token";
const REFRESH_TOKEN: &str = "salesforce.refresh_token";
const PKCE_VERIFIER: &str = "salesforce.pkce_verifier";

/// How a connection was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// A person logged in (authorization code + PKCE); refreshes with the
    /// refresh token.
    WebServer,
    /// The connected app's integration user; "refreshes" with a new grant.
    ClientCredentials,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::WebServer => "web_server",
            Flow::ClientCredentials => "client_credentials",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "web_server" => Some(Flow::WebServer),
            "client_credentials" => Some(Flow::ClientCredentials),
            _ => None,
        }
    }
}

/// The connector's settings, from [`Config`].
#[derive(Debug, Clone)]
pub struct Settings {
    pub login_url: Url,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub api_version: String,
    pub timeout: Duration,
    pub redirect_url: Option<Url>,
    pub scope: String,
    /// `{instance_url}` and `{id}` are filled in.
    pub record_url: String,
}

impl Settings {
    /// The login URL as people read it: no trailing slash.
    pub fn login_url_text(&self) -> String {
        self.login_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The settings, with `public_url` the base of the default callback.
    pub fn from_config(config: &Config, public_url: &str) -> Result<Self, String> {
        let sf = &config.salesforce;
        let login_url = Url::parse(&sf.login_url)
            .map_err(|e| format!("--salesforce-login-url {:?}: {e}", sf.login_url))?;
        let redirect = match &sf.redirect_url {
            Some(r) => r.clone(),
            None => format!("{public_url}{CALLBACK_PATH}"),
        };
        let redirect_url =
            Url::parse(&redirect).map_err(|e| format!("the OAuth callback {redirect:?}: {e}"))?;
        let record_url = sf.record_url.clone().unwrap_or_else(|| {
            if config.demo {
                "{instance_url}/cases/{id}".to_owned()
            } else {
                "{instance_url}/lightning/r/Case/{id}/view".to_owned()
            }
        });
        Ok(Settings {
            login_url,
            client_id: sf.client_id.clone().filter(|c| !c.trim().is_empty()),
            client_secret: sf.client_secret.clone(),
            api_version: sf.api_version.trim_start_matches('v').to_owned(),
            timeout: Duration::from_secs(sf.timeout_secs.max(1)),
            redirect_url: Some(redirect_url),
            scope: sf.scope.clone(),
            record_url,
        })
    }
}

/// Why the connector could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// Something is missing from the configuration; the text says what.
    #[error("Salesforce is not configured: {0}")]
    NotConfigured(String),
    /// Nobody has connected an org yet.
    #[error("no Salesforce org is connected")]
    NotConnected,
    /// Salesforce refused the stored grant; an administrator must connect again.
    #[error("Salesforce needs re-authorisation: {0}")]
    NeedsReauthorization(String),
    /// Worth retrying later.
    #[error("Salesforce is unavailable for now: {0}")]
    Transient(String),
    /// Salesforce refused the request as it is.
    #[error("Salesforce refused: {}", rest::summarize(.0))]
    Rejected(Vec<SfError>),
    /// Connecting failed; the text is for the administrator.
    #[error("{0}")]
    Authorization(String),
    /// The caller's lease on the write was taken over by another worker;
    /// nothing more was sent.
    #[error("the lease on this write was taken over by another worker")]
    LeaseLost,
    /// A callback whose state is unknown, expired or used already.
    #[error(
        "This sign-in is unknown, expired or already used. Start again with \"Connect Salesforce\"."
    )]
    UnknownAuthorization,
    #[error("database: {0}")]
    Store(#[from] sqlx::Error),
}

impl From<CallError> for SalesforceError {
    fn from(e: CallError) -> Self {
        match e {
            // A second refusal right after a refresh.
            CallError::InvalidSession => {
                SalesforceError::Transient("the session was refused right after a refresh".into())
            }
            CallError::Transient(cause) => SalesforceError::Transient(cause),
            CallError::Rejected(errors) => SalesforceError::Rejected(errors),
        }
    }
}

/// A usable session: where and as whom. Its `Debug` shows no token.
#[derive(Clone)]
struct Session {
    flow: Flow,
    instance_url: String,
    access_token: String,
    /// The sealed access token as stored: identifies this session's row state.
    access_enc: String,
    refresh_token: Option<String>,
}

/// A case in Salesforce, as [`Salesforce::write_case`] leaves it.
#[derive(Debug, Clone)]
pub struct CaseWritten {
    pub case_id: String,
    pub case_number: String,
    pub case_url: String,
    /// The upsert made the case (false: an earlier attempt had).
    pub created: bool,
    /// Each photo's file: (sha256, ContentVersion id).
    pub files: Vec<(String, String)>,
    /// Photos uploaded now, and found already there.
    pub uploaded: usize,
    pub already_there: usize,
    /// API calls this write made (at most 2 for any number of photos, unless
    /// a session refresh repeated one, or photos exceeded Salesforce's
    /// per-request limits).
    pub api_calls: usize,
}

/// What to write: the intake's fields and photos, in fieldcase's terms.
#[derive(Debug, Clone)]
pub struct CaseWrite<'a> {
    pub intake_id: &'a str,
    /// The reference the technician was told (`FC-XXXX-XXXX`).
    pub reference: &'a str,
    pub schema: &'a CaseSchema,
    pub values: &'a BTreeMap<String, FieldValue>,
    pub links: AssetLinks<'a>,
    pub photos: Vec<PhotoFile>,
}

/// The connector: cheap to clone, shared by the HTTP handlers, the write
/// worker and the commands.
#[derive(Clone)]
pub struct Salesforce(Arc<Inner>);

struct Inner {
    settings: Settings,
    http: reqwest::Client,
    oauth: Option<OAuth>,
    key: Option<SecretKey>,
    store: Store,
    session: Mutex<Option<Session>>,
    connected: Arc<Notify>,
}

impl std::fmt::Debug for Salesforce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Salesforce")
            .field("login_url", &self.0.settings.login_url.as_str())
            .field("configured", &self.0.oauth.is_some())
            .finish_non_exhaustive()
    }
}

impl Salesforce {
    /// `connected` is notified whenever a connection is (re)made, so waiting
    /// writes resume.
    pub fn new(
        settings: Settings,
        key: Option<SecretKey>,
        store: Store,
        connected: Arc<Notify>,
    ) -> Result<Self, String> {
        let http = rest::http_client(settings.timeout)
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        let oauth = match &settings.client_id {
            Some(client_id) => Some(OAuth::new(
                &settings.login_url,
                client_id,
                settings.client_secret.as_ref().map(Secret::expose),
                settings.redirect_url.as_ref(),
                &settings.scope,
                http.clone(),
            )?),
            None => None,
        };
        Ok(Salesforce(Arc::new(Inner {
            settings,
            http,
            oauth,
            key,
            store,
            session: Mutex::new(None),
            connected,
        })))
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    fn oauth(&self) -> Result<&OAuth, SalesforceError> {
        self.0.oauth.as_ref().ok_or_else(|| {
            SalesforceError::NotConfigured(
                "set --salesforce-client-id (FIELDCASE_SF_CLIENT_ID) to the connected app's \
                 consumer key"
                    .into(),
            )
        })
    }

    fn key(&self) -> Result<&SecretKey, SalesforceError> {
        self.0.key.as_ref().ok_or_else(|| {
            SalesforceError::NotConfigured(
                "set --secret-key (FIELDCASE_SECRET_KEY) to base64 of 32 random bytes, so \
                 tokens can be stored encrypted"
                    .into(),
            )
        })
    }

    /// Configured, connected, and not waiting for re-authorisation.
    pub async fn is_ready(&self) -> Result<bool, sqlx::Error> {
        if self.0.oauth.is_none() {
            return Ok(false);
        }
        let connection = self.0.store.salesforce_connection().await?;
        Ok(connection.is_some_and(|c| self.reauthorization_reason(&c).is_none()))
    }

    /// Why a stored connection cannot be used as it is, if it cannot: Salesforce
    /// refused its grant, or this server's key cannot open its tokens.
    fn reauthorization_reason(&self, c: &StoredConnection) -> Option<String> {
        if c.needs_reauth_at.is_some() {
            return Some(
                c.reauth_reason
                    .clone()
                    .unwrap_or_else(|| "connect again".into()),
            );
        }
        match &self.0.key {
            None => Some("no secret key is configured to open the stored tokens".into()),
            Some(key) => key
                .open(ACCESS_TOKEN, &c.access_token_enc)
                .err()
                .map(|e| format!("{e}; connect again")),
        }
    }

    /// The connection and the queue, for the status page.
    pub async fn status(&self) -> Result<SalesforceStatus, sqlx::Error> {
        let queue = self.0.store.write_queue_counts().await?;
        let connection = self.0.store.salesforce_connection().await?;
        let configured = self.0.oauth.is_some() && self.0.key.is_some();
        let reason = connection
            .as_ref()
            .and_then(|c| self.reauthorization_reason(c));
        let needs = reason.is_some();
        let connected = configured && connection.is_some() && !needs;
        let waiting = queue.waiting + queue.retrying;
        let message = if !configured {
            let what = if self.0.oauth.is_none() {
                "set FIELDCASE_SF_CLIENT_ID (and FIELDCASE_SF_CLIENT_SECRET)"
            } else {
                "set FIELDCASE_SECRET_KEY"
            };
            format!(
                "Not connected: Salesforce is not configured ({what}). {waiting} approved \
                 case(s) wait in the queue."
            )
        } else if connection.is_none() {
            format!(
                "Not connected. Connect Salesforce to start writing; {waiting} approved case(s) \
                 wait in the queue."
            )
        } else if needs {
            format!(
                "Salesforce needs re-authorisation: connect again. {waiting} approved case(s) \
                 wait and will be written once connected; nothing is dropped."
            )
        } else {
            format!(
                "Connected. {waiting} case(s) on their way, {} written.",
                queue.written
            )
        };
        Ok(SalesforceStatus {
            configured,
            connected,
            flow: connection.as_ref().map(|c| c.flow.clone()),
            login_url: self.0.settings.login_url_text(),
            instance_url: connection.as_ref().map(|c| c.instance_url.clone()),
            user_id: connection.as_ref().and_then(|c| c.user_id.clone()),
            org_id: connection.as_ref().and_then(|c| c.org_id.clone()),
            connected_at: connection.as_ref().map(|c| c.connected_at.clone()),
            needs_reauthorization: needs,
            reauthorization_reason: reason,
            message,
            queue,
            preflight: match &connection {
                Some(c) => self.0.store.last_preflight(&c.connected_at).await?,
                None => None,
            },
        })
    }

    // ---- connecting ---------------------------------------------------------

    /// Start "Connect Salesforce": remember a state and a PKCE verifier
    /// (sealed, expiring) and answer the authorize URL to send the browser to.
    pub async fn start_authorization(&self) -> Result<Url, SalesforceError> {
        let oauth = self.oauth()?;
        let key = self.key()?;
        let (url, state, verifier) = oauth.authorize_url();
        self.0
            .store
            .insert_salesforce_auth_request(
                state.secret(),
                &key.seal(PKCE_VERIFIER, verifier.secret()),
                &crate::store::after(AUTHORIZATION_TTL),
            )
            .await?;
        Ok(url)
    }

    /// The callback: check the state, exchange the code with its verifier,
    /// store the connection.
    pub async fn finish_authorization(
        &self,
        code: &str,
        state: &str,
    ) -> Result<(), SalesforceError> {
        let oauth = self.oauth()?;
        let key = self.key()?;
        let Some(sealed) = self.0.store.take_salesforce_auth_request(state).await? else {
            return Err(SalesforceError::UnknownAuthorization);
        };
        let verifier = key.open(PKCE_VERIFIER, &sealed).map_err(|_| {
            SalesforceError::Authorization(
                "The sign-in cannot be completed (the secret key changed). Start again.".into(),
            )
        })?;
        let grant = oauth
            .exchange_code(code, &verifier)
            .await
            .map_err(|e| SalesforceError::Authorization(format!("Connecting failed. {e}")))?;
        if grant.refresh_token.is_none() {
            tracing::warn!(
                "Salesforce granted no refresh token: add the refresh_token scope to the \
                 connected app, or writes stop when the session expires"
            );
        }
        self.save(Flow::WebServer, &grant).await
    }

    /// Connect as the connected app's integration user (client credentials).
    pub async fn connect_client_credentials(&self) -> Result<(), SalesforceError> {
        let oauth = self.oauth()?;
        if self.0.settings.client_secret.is_none() {
            return Err(SalesforceError::NotConfigured(
                "the client-credentials flow needs --salesforce-client-secret \
                 (FIELDCASE_SF_CLIENT_SECRET)"
                    .into(),
            ));
        }
        let grant = oauth
            .client_credentials()
            .await
            .map_err(|e| SalesforceError::Authorization(format!("Connecting failed. {e}")))?;
        self.save(Flow::ClientCredentials, &grant).await
    }

    async fn save(&self, flow: Flow, grant: &Grant) -> Result<(), SalesforceError> {
        let key = self.key()?;
        let access_enc = key.seal(ACCESS_TOKEN, &grant.access_token);
        let refresh_enc = grant
            .refresh_token
            .as_deref()
            .map(|r| key.seal(REFRESH_TOKEN, r));
        let mut session = self.0.session.lock().await;
        self.0
            .store
            .save_salesforce_connection(&NewConnection {
                flow: flow.as_str(),
                instance_url: &grant.instance_url,
                identity_url: grant.identity_url.as_deref(),
                user_id: grant.user_id.as_deref(),
                org_id: grant.org_id.as_deref(),
                scope: grant.scope.as_deref(),
                access_token_enc: &access_enc,
                refresh_token_enc: refresh_enc.as_deref(),
            })
            .await?;
        *session = Some(Session {
            flow,
            instance_url: grant.instance_url.clone(),
            access_token: grant.access_token.clone(),
            access_enc,
            refresh_token: grant.refresh_token.clone(),
        });
        drop(session);
        tracing::info!(
            flow = flow.as_str(),
            org_id = grant.org_id.as_deref().unwrap_or("?"),
            user_id = grant.user_id.as_deref().unwrap_or("?"),
            instance_url = %grant.instance_url,
            "Salesforce connected"
        );
        self.0.connected.notify_waiters();
        self.0.connected.notify_one();
        Ok(())
    }

    // ---- sessions -------------------------------------------------------------

    /// The current session: cached, or opened from the store.
    async fn session(&self) -> Result<Session, SalesforceError> {
        self.oauth()?;
        let mut cached = self.0.session.lock().await;
        if let Some(session) = cached.as_ref() {
            return Ok(session.clone());
        }
        let stored = self
            .0
            .store
            .salesforce_connection()
            .await?
            .ok_or(SalesforceError::NotConnected)?;
        let session = self.open(&stored)?;
        *cached = Some(session.clone());
        Ok(session)
    }

    fn open(&self, stored: &StoredConnection) -> Result<Session, SalesforceError> {
        if stored.needs_reauth_at.is_some() {
            let reason = stored
                .reauth_reason
                .clone()
                .unwrap_or_else(|| "connect again".into());
            return Err(SalesforceError::NeedsReauthorization(reason));
        }
        let key = self.key()?;
        let opened = key
            .open(ACCESS_TOKEN, &stored.access_token_enc)
            .and_then(|access| {
                let refresh = stored
                    .refresh_token_enc
                    .as_deref()
                    .map(|r| key.open(REFRESH_TOKEN, r))
                    .transpose()?;
                Ok((access, refresh))
            });
        // Not marked in the store: another process (with the right key) may
        // be using this connection; the status shows it from here too.
        let (access_token, refresh_token) = opened
            .map_err(|e| SalesforceError::NeedsReauthorization(format!("{e}; connect again")))?;
        let flow = Flow::parse(&stored.flow).unwrap_or(Flow::WebServer);
        Ok(Session {
            flow,
            instance_url: stored.instance_url.clone(),
            access_token,
            access_enc: stored.access_token_enc.clone(),
            refresh_token,
        })
    }

    /// A new session after `stale` was refused (once per refusal). Another
    /// task (or instance) may have refreshed already: then that session is
    /// used. A refused grant marks the connection as needing
    /// re-authorisation.
    async fn refresh(&self, stale: &Session) -> Result<Session, SalesforceError> {
        let oauth = self.oauth()?;
        let key = self.key()?;
        let mut cached = self.0.session.lock().await;
        if let Some(current) = cached.as_ref()
            && current.access_enc != stale.access_enc
        {
            return Ok(current.clone());
        }
        if let Some(stored) = self.0.store.salesforce_connection().await?
            && stored.access_token_enc != stale.access_enc
        {
            let session = self.open(&stored)?;
            *cached = Some(session.clone());
            return Ok(session);
        }
        let granted = match (stale.flow, stale.refresh_token.as_deref()) {
            (Flow::WebServer, Some(refresh)) => oauth.refresh(refresh).await,
            (Flow::WebServer, None) => Err(OAuthFailure::Refused {
                error: "no_refresh_token".into(),
                description: Some(
                    "the connection has no refresh token (grant the refresh_token scope)".into(),
                ),
            }),
            (Flow::ClientCredentials, _) => oauth.client_credentials().await,
        };
        let grant = match granted {
            Ok(grant) => grant,
            Err(failure) if failure.needs_reauthorization() => {
                let reason = format!("{failure}");
                tracing::warn!(
                    reason,
                    "Salesforce refused the stored grant; writes wait for re-authorisation"
                );
                self.0.store.mark_salesforce_needs_reauth(&reason).await?;
                *cached = None;
                return Err(SalesforceError::NeedsReauthorization(reason));
            }
            Err(failure) => return Err(SalesforceError::Transient(failure.to_string())),
        };
        let access_enc = key.seal(ACCESS_TOKEN, &grant.access_token);
        let rotated = grant
            .refresh_token
            .as_deref()
            .filter(|r| Some(*r) != stale.refresh_token.as_deref())
            .map(|r| key.seal(REFRESH_TOKEN, r));
        self.0
            .store
            .update_salesforce_tokens(
                &stale.access_enc,
                &access_enc,
                rotated.as_deref(),
                &grant.instance_url,
            )
            .await?;
        let session = Session {
            flow: stale.flow,
            instance_url: grant.instance_url.clone(),
            access_token: grant.access_token,
            access_enc,
            refresh_token: grant.refresh_token.or_else(|| stale.refresh_token.clone()),
        };
        *cached = Some(session.clone());
        tracing::info!(flow = stale.flow.as_str(), "Salesforce session refreshed");
        Ok(session)
    }

    fn api<'s>(&'s self, session: &'s Session) -> Api<'s> {
        Api::new(
            &self.0.http,
            &session.instance_url,
            &self.0.settings.api_version,
            &session.access_token,
        )
    }

    // ---- writing ------------------------------------------------------------

    /// Write one case, exactly once however often it is called: the upsert
    /// keys on the intake id, and photos already on the case (found in
    /// Salesforce, by checksum or name) are not uploaded again.
    ///
    /// `still_ours` is the fence: asked just before each upload (the one
    /// write Salesforce cannot make idempotent for us), it renews the
    /// caller's lease and answers false when another worker has taken the
    /// job over; the write then stops with [`SalesforceError::LeaseLost`]
    /// rather than race the new holder, who looked for the files after
    /// taking the lease. (The upsert needs no fence: it keys on the intake.)
    pub async fn write_case<F, Fut>(
        &self,
        write: &CaseWrite<'_>,
        still_ours: F,
    ) -> Result<CaseWritten, SalesforceError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<bool, sqlx::Error>>,
    {
        let fields = case::case_fields(
            write.schema,
            write.values,
            &write.links,
            write.intake_id,
            write.reference,
        )
        .map_err(|message| {
            SalesforceError::Rejected(vec![SfError {
                code: "SCHEMA_WITHOUT_INTAKE_KEY".into(),
                message,
                fields: Vec::new(),
            }])
        })?;
        let mut calls = 0;
        let upserted = with_session!(self, calls, |api| case::upsert(api, &fields))?;
        failpoint::hit("after_case_upsert");

        let (missing, mut files) = case::missing(&write.photos, &upserted.files);
        let already_there = files.len();
        let mut uploaded = 0;
        for batch in case::batches(&missing) {
            if !still_ours().await? {
                return Err(SalesforceError::LeaseLost);
            }
            let done = with_session!(self, calls, |api| case::upload(
                api,
                &upserted.case_id,
                &batch
            ))?;
            uploaded += done.len();
            files.extend(done);
        }
        failpoint::hit("after_photos_upload");

        let session = self.session().await?;
        let case_url = self
            .0
            .settings
            .record_url
            .replace("{instance_url}", session.instance_url.trim_end_matches('/'))
            .replace("{id}", &upserted.case_id);
        // In the photos' order.
        let files = write
            .photos
            .iter()
            .filter_map(|p| files.iter().find(|(sha, _)| *sha == p.sha256).cloned())
            .collect();
        Ok(CaseWritten {
            case_id: upserted.case_id,
            case_number: upserted.case_number,
            case_url,
            created: upserted.created,
            files,
            uploaded,
            already_there,
            api_calls: calls,
        })
    }

    /// The connection preflight ([`preflight`]): `Case` and `ContentVersion`
    /// described, the Organization's `IsSandbox` read (an org that will not
    /// say is labelled by its login URL), checked against `schema` and the
    /// fields the policy `allowed` (all when `None`), kept as the
    /// connection's last preflight and recorded in the audit trail as run
    /// by `actor` (its outcome and counts, never a token).
    pub async fn preflight(
        &self,
        schema: &CaseSchema,
        allowed: Option<&std::collections::BTreeSet<String>>,
        actor: &Actor,
    ) -> Result<fieldcase_core::wire::Preflight, SalesforceError> {
        let connection = self
            .0
            .store
            .salesforce_connection()
            .await?
            .ok_or(SalesforceError::NotConnected)?;
        let case = self.describe(&schema.object).await?;
        let content_version = self.describe("ContentVersion").await?;
        let soql: String =
            url::form_urlencoded::byte_serialize(b"SELECT IsSandbox FROM Organization").collect();
        let path = format!("/query?q={soql}");
        let mut calls = 0;
        let is_sandbox = match with_session!(self, calls, |api| api.get_json(&path)) {
            Ok(answer) => preflight::is_sandbox(&answer),
            // Not every user may read the Organization: the URL decides then.
            Err(SalesforceError::Rejected(_)) => None,
            Err(e) => return Err(e),
        };
        let problems = preflight::problems(schema, allowed, &case, &content_version);
        let report = fieldcase_core::wire::Preflight {
            ran_at: crate::store::now(),
            environment: preflight::environment(&self.0.settings.login_url, is_sandbox),
            login_url: self.0.settings.login_url_text(),
            passed: problems.is_empty(),
            fields_checked: u32::try_from(preflight::written(schema, allowed).len())
                .unwrap_or(u32::MAX),
            problems,
        };
        self.0
            .store
            .save_preflight(&connection.connected_at, &report)
            .await?;
        self.0
            .store
            .record_event(
                actor,
                "salesforce_preflight",
                &serde_json::json!({
                    "passed": report.passed,
                    "problems": report.problems.len(),
                    "environment": report.environment.as_str(),
                    "fields_checked": report.fields_checked,
                }),
            )
            .await?;
        tracing::info!(
            passed = report.passed,
            problems = report.problems.len(),
            environment = report.environment.as_str(),
            api_calls = calls + 2,
            "preflight ran"
        );
        Ok(report)
    }

    /// `GET /sobjects/{object}/describe`.
    pub async fn describe(&self, object: &str) -> Result<Value, SalesforceError> {
        let path = format!("/sobjects/{object}/describe");
        let mut calls = 0;
        let describe = with_session!(self, calls, |api| api.get_json(&path))?;
        tracing::info!(object, api_calls = calls, "describe read");
        Ok(describe)
    }
}
