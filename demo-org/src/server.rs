//! The shared state, the router, and starting and stopping the org.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::store::{self, Store};
use crate::{faults, html, oauth, rest, seed};

/// Everything a handler needs.
#[derive(Debug)]
pub struct OrgState {
    pub store: Store,
    /// `instance_url`, without a trailing slash.
    pub public_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<Url>,
    pub username: String,
    pub password: String,
    pub token_ttl_ms: i64,
    pub api_limit: u64,
    api_used: AtomicU64,
    pub faults: Faults,
    /// Every operation asked of the REST API, in order, as `/__demo/stats`
    /// lists it (`requests`): top-level calls by their route, composite
    /// subrequests as `composite: …`, records of an sObject Collection as
    /// `collection: POST /sobjects/{type}`. Tests check what a client did.
    pub requests: std::sync::Mutex<Vec<String>>,
}

pub type Org = Arc<OrgState>;

impl OrgState {
    /// API calls counted so far (the N of `api-usage=N/M`).
    pub fn api_used(&self) -> u64 {
        self.api_used.load(Ordering::SeqCst)
    }

    /// Notes one operation for `/__demo/stats`'s `requests`.
    pub fn log_request(&self, what: String) {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }

    /// Counts one API call against `route`.
    pub async fn count_call(&self, route: &str) -> Result<()> {
        self.api_used.fetch_add(1, Ordering::SeqCst);
        let mut conn = self.store.read().await?;
        store::record_api_call(&mut conn, route).await
    }
}

/// Logs method, path (never the query: it can hold a token), status, time.
async fn log_requests(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    tracing::info!(
        %method,
        path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    res
}

/// Every route of the org.
pub fn router(org: Org, max_body: usize) -> Router {
    Router::new()
        .route("/", get(html::home))
        .route("/cases/{id}", get(html::case_page))
        .route("/files/{id}", get(html::file))
        .route("/style.css", get(html::style))
        .route(
            "/services/oauth2/authorize",
            get(oauth::authorize_get).post(oauth::authorize_post),
        )
        .route("/services/oauth2/token", post(oauth::token))
        .route(
            "/services/oauth2/revoke",
            get(oauth::revoke).post(oauth::revoke),
        )
        .route("/services/oauth2/introspect", post(oauth::introspect))
        .route(
            "/services/oauth2/userinfo",
            get(oauth::userinfo).post(oauth::userinfo),
        )
        .route("/id/{org}/{user}", get(oauth::identity))
        .route("/services/data", any(rest::handle))
        .route("/services/data/", any(rest::handle))
        .route("/services/data/{*rest}", any(rest::handle))
        .route(
            "/__demo/faults",
            get(faults::get_faults).post(faults::post_faults),
        )
        .route("/__demo/reset", post(faults::reset))
        .route("/__demo/stats", get(faults::stats))
        .fallback(html::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(log_requests))
        .with_state(org)
}

/// Stops a running org (cheap to clone).
#[derive(Debug, Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Shutdown {
    /// Asks the server to stop: it finishes in-flight requests, closes idle
    /// connections and the database.
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

/// A started org. Dropping it (and every [`Shutdown`] clone) stops it too.
#[derive(Debug)]
pub struct RunningOrg {
    /// The address it listens on (the real port when the config said 0).
    pub addr: SocketAddr,
    /// Its `instance_url`, e.g. `http://127.0.0.1:8099`.
    pub base_url: String,
    /// Stops it.
    pub shutdown: Shutdown,
    task: JoinHandle<()>,
}

impl RunningOrg {
    /// Stops the org and waits until it has closed its database.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = self.task.await;
    }

    /// Waits until the org stops (after [`Shutdown::trigger`]).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Opens the data directory, migrates and seeds it, binds `config.addr` and
/// serves in the background.
pub async fn spawn(config: Config) -> Result<RunningOrg> {
    let redirect_uris = config.checked_redirect_uris()?;
    let store = Store::open(&config.data_dir).await?;
    {
        let mut tx = store.write().await?;
        seed::apply(&mut tx, &config).await?;
        tx.commit().await?;
    }
    let used: i64 = {
        let mut conn = store.read().await?;
        store::api_calls(&mut conn)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum()
    };

    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{addr}"));
    if Url::parse(&public_url).is_err() {
        return Err(Error::Config(format!(
            "DEMO_ORG_PUBLIC_URL {public_url:?} is not a URL"
        )));
    }

    let org: Org = Arc::new(OrgState {
        store: store.clone(),
        public_url: public_url.clone(),
        client_id: config.client_id.clone(),
        client_secret: config.client_secret.clone(),
        redirect_uris,
        username: config.username.clone(),
        password: config.password.clone(),
        token_ttl_ms: i64::try_from(config.token_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
        api_limit: config.api_limit,
        api_used: AtomicU64::new(u64::try_from(used).unwrap_or(0)),
        faults: Faults::default(),
        requests: std::sync::Mutex::new(Vec::new()),
    });
    let app = router(org, config.max_upload_bytes);

    let (tx, mut rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        let stopped = async move {
            while !*rx.borrow() {
                if rx.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(error = %e, "server failed");
        }
        store.close().await;
    });
    tracing::info!(%addr, public_url, "demo org listening");
    Ok(RunningOrg {
        addr,
        base_url: public_url,
        shutdown: Shutdown(Arc::new(tx)),
        task,
    })
}
