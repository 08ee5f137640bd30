//! Building the running application: settings → store → app files → bound
//! listener → router. Tests call [`Application::build`] with port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::HeaderValue;
use fieldcase_core::CaseSchema;
use std::time::Duration;
use tokio::net::TcpListener;

use tokio::sync::{Notify, broadcast, watch};
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

use crate::auth::{self, AuthSettings, SignInLimits};

use crate::config::{Config, ServeArgs};
use crate::handoff::HandoffWorker;
use crate::http::{self, AppState};
use crate::limits::{DecodeBudget, RateLimits, RequestLimits};
use crate::photo::PhotoFiles;
use crate::salesforce::crypto::DEMO_KEY_FILE;
use crate::salesforce::{Salesforce, SecretKey, Settings, demo_connect};
use crate::serve::{ConnectionLimits, OpenConnections};
use crate::store::Store;
use crate::sweeper::Sweeper;
use crate::write_queue::Worker;
use crate::{demo, dist};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the schema file {path}: {message}")]
    Schema { path: PathBuf, message: String },
    #[error("the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("Salesforce settings: {0}")]
    Salesforce(String),
    #[error("{0}")]
    Handoff(String),
    #[error("{0}")]
    Policy(String),
}

impl StartupError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| StartupError::Io { context, source }
    }
}

/// A bound, ready-to-serve fieldcase.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    local_addr: SocketAddr,
    worker: Worker,
    handoff: HandoffWorker,
    sweeper: Sweeper,
    connections: ConnectionLimits,
    open: OpenConnections,
    demo_connect: Option<(String, String)>,
}

impl Application {
    /// Build, listening on `config.addr`.
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(StartupError::io(format!("listening on {}", config.addr)))?;
        Self::build_on(config, listener).await
    }

    /// Build on a listener bound already (tests that must know the port
    /// before starting, e.g. for an OAuth callback URL).
    pub async fn build_on(config: &Config, listener: TcpListener) -> Result<Self, StartupError> {
        let schema = load_schema(config)?;
        let store = open_store(config).await?;
        let files = PhotoFiles::new(&config.data_dir);
        files.create_dirs().map_err(StartupError::io(format!(
            "creating photo folders in {}",
            config.data_dir.display()
        )))?;
        let (dist, app_release) = prepare_dist(config.dist.clone(), "/").await;
        let (console_dist, _) = prepare_dist(config.console_dist.clone(), "/console/").await;
        SqliteStore::new(store.pool().clone())
            .migrate()
            .await
            .map_err(StartupError::Database)?;

        let local_addr = listener
            .local_addr()
            .map_err(StartupError::io("reading the bound address"))?;
        let public_url = config.public_url(local_addr);

        let schema = Arc::new(schema);
        let write_wake = Arc::new(Notify::new());
        let salesforce = connector(config, &public_url, store.clone(), write_wake.clone())?;
        let policy = crate::policy::PolicyCell::new(
            crate::policy::load(&store, &schema)
                .await
                .map_err(StartupError::Policy)?,
        );
        let worker = Worker::new(
            config,
            store.clone(),
            salesforce.clone(),
            schema.clone(),
            files.clone(),
            write_wake.clone(),
            policy.clone(),
        );
        let handoff = HandoffWorker::from_args(
            &config.handoff,
            &schema,
            store.clone(),
            std::time::Duration::from_secs(config.writes.lease_secs),
        )
        .map_err(StartupError::Handoff)?;
        let escalation_channels = Arc::new(crate::policy::EscalationChannels::from_rules(
            handoff.rules(),
            config.handoff.smtp_host.is_some(),
        ));
        let rate_limits = Arc::new(RateLimits::new(&config.serve));
        let decode_budget = Arc::new(DecodeBudget::new(
            config.serve.decode_memory_mb,
            Duration::from_secs(config.serve.decode_wait_secs),
        ));
        let sweeper = Sweeper::new(
            &config.serve,
            store.clone(),
            files.clone(),
            rate_limits.clone(),
        );
        sweeper
            .clean_uploads()
            .map_err(StartupError::io("cleaning the upload folder"))?;
        let connections = connection_limits(&config.serve);
        let state = AppState {
            ai_proposals: crate::structurer::RecentProposals::new(store.clone()),
            store,
            schema,
            limits: config.limits(),
            public_url: public_url.clone().into(),
            files,
            dist: dist.map(Arc::new),
            // 16 hex digits (`dist::release`): always a valid header value.
            app_release: app_release.and_then(|v| HeaderValue::from_str(&v).ok()),
            decode_budget: decode_budget.clone(),
            request_limits: Arc::new(RequestLimits::new(&config.serve)),
            rate_limits: rate_limits.clone(),
            salesforce,
            write_wake,
            auth: Arc::new(AuthSettings {
                idle: Duration::from_secs(config.auth.session_idle_mins.max(1) * 60),
                absolute: Duration::from_secs(config.auth.session_max_hours.max(1) * 3600),
                origin: auth::origin_of(&public_url).into(),
                secure: public_url.starts_with("https://"),
            }),
            sign_in_limits: Arc::new(SignInLimits::new(
                config.auth.sign_in_per_account,
                config.auth.sign_in_per_address,
            )),
            changes: broadcast::channel(256).0,
            console_dist: console_dist.map(Arc::new),
            policy,
            escalation_channels,
            mcp: Arc::new(crate::mcp::McpSettings::new(&config.mcp, &public_url)),
            structurer: config
                .claude
                .structurer()
                .map_err(StartupError::Usage)?
                .into(),
        };
        if config.demo {
            demo::seed_staff(&state.store).await?;
            let links = demo::links(&state.store, &state.public_url).await?;
            demo::write_links(&config.data_dir, &links)
                .map_err(StartupError::io("writing demo-links.json"))?;
        }
        let demo_connect = (config.demo && config.salesforce.demo_connect).then(|| {
            (
                config.salesforce.demo_username.clone(),
                config.salesforce.demo_password.expose().to_owned(),
            )
        });
        if config.salesforce.demo_connect && !config.demo {
            tracing::warn!("--demo-connect works only with --demo; ignoring it");
        }
        Ok(Application {
            router: http::router(state.clone()),
            listener,
            state,
            local_addr,
            worker,
            handoff,
            sweeper,
            connections,
            open: OpenConnections::default(),
            demo_connect,
        })
    }

    pub fn salesforce(&self) -> &Salesforce {
        &self.state.salesforce
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Connections open now, by client address.
    pub fn open_connections(&self) -> OpenConnections {
        self.open.clone()
    }

    /// Serve, and write approved intakes to Salesforce, until `shutdown`
    /// completes; then finish in-flight requests and let the write worker
    /// finish its current case (briefly: an interrupted write is safe).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(self.worker.run(stopped.clone()));
        let sessions = SqliteStore::new(store.pool().clone());
        let sweeper = tokio::spawn(
            sessions.continuously_delete_expired(tokio::time::Duration::from_secs(600)),
        );
        let handoff = tokio::spawn(self.handoff.run(stopped.clone()));
        let photo_sweeper = tokio::spawn(self.sweeper.run(stopped));
        if let Some((username, password)) = self.demo_connect {
            tokio::spawn(connect_demo(
                self.state.salesforce.clone(),
                format!("http://{}", self.local_addr),
                username,
                password,
            ));
        }
        crate::serve::serve(
            self.listener,
            self.router,
            self.connections,
            self.open,
            shutdown,
        )
        .await;
        sweeper.abort();
        photo_sweeper.abort();
        let _ = stop.send(true);
        if tokio::time::timeout(std::time::Duration::from_secs(10), worker)
            .await
            .is_err()
        {
            tracing::warn!("the write worker did not stop in time; its lease will expire");
        }
        if tokio::time::timeout(std::time::Duration::from_secs(5), handoff)
            .await
            .is_err()
        {
            tracing::warn!("the hand-off worker did not stop in time; its lease will expire");
        }
        store.close().await;
        Ok(())
    }
}

/// The connection limits, within what the process may open: the soft
/// limit on open files is raised to the hard one (as servers do), and
/// `--max-connections` lowered to fit under it with room for files and the
/// database.
fn connection_limits(args: &ServeArgs) -> ConnectionLimits {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-files limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    };
    let room = usize::try_from(files.saturating_sub(128))
        .unwrap_or(usize::MAX)
        .max(16);
    if args.max_connections > room {
        tracing::warn!(
            max_connections = args.max_connections,
            open_files_limit = files,
            "--max-connections lowered to {room} to fit the open-files limit"
        );
    }
    ConnectionLimits {
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs.max(1)),
        max_connections: args.max_connections.min(room).max(1),
        max_per_address: args.max_connections_per_address.max(1),
    }
}

/// The case schema: the file given, or one `schema import --apply` wrote
/// into the data dir, or the built-in Salesforce Case.
pub fn load_schema(config: &Config) -> Result<CaseSchema, StartupError> {
    let Some(path) = config.schema_path() else {
        return Ok(CaseSchema::salesforce_default());
    };
    let json = std::fs::read_to_string(&path).map_err(|e| StartupError::Schema {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let schema = CaseSchema::from_json(&json).map_err(|e| StartupError::Schema {
        path: path.clone(),
        message: e.0,
    })?;
    tracing::info!(path = %path.display(), fields = schema.fields.len(), "case schema loaded");
    Ok(schema)
}

/// The key that seals stored secrets (asset tokens, Salesforce's tokens):
/// `--secret-key`, else the one in `<data-dir>/secret.key`, made (`0600`) on
/// first start. Always a key, so asset tokens are never stored in plain text
/// whatever the settings; a key given elsewhere also keeps a stolen copy of
/// the data folder from opening them. Changing it later is refused at
/// start-up (see [`Store::connect`]).
pub fn secret_key(config: &Config) -> Result<SecretKey, StartupError> {
    if let Some(text) = &config.salesforce.secret_key {
        return SecretKey::from_base64(text.expose())
            .map_err(|e| StartupError::Salesforce(format!("--secret-key: {e}")));
    }
    crate::private_fs::secure_data_dir(&config.data_dir).map_err(StartupError::io(format!(
        "creating the data folder {}",
        config.data_dir.display()
    )))?;
    let path = config.data_dir.join(DEMO_KEY_FILE);
    let (key, created) = SecretKey::load_or_create(&path).map_err(StartupError::io(format!(
        "the secret key {}",
        path.display()
    )))?;
    if created {
        tracing::warn!(
            path = %path.display(),
            "generated a secret key for stored tokens (mode 0600); keep it with the data, or \
             give --secret-key (FIELDCASE_SECRET_KEY) from the first start"
        );
    }
    Ok(key)
}

/// The Salesforce connector for `config`.
pub fn connector(
    config: &Config,
    public_url: &str,
    store: Store,
    connected: Arc<Notify>,
) -> Result<Salesforce, StartupError> {
    let settings = Settings::from_config(config, public_url).map_err(StartupError::Salesforce)?;
    let key = Some(secret_key(config)?);
    if settings.client_id.is_none() {
        tracing::info!(
            "no Salesforce connected app configured: approved intakes wait in the queue"
        );
    }
    Salesforce::new(settings, key, store, connected).map_err(StartupError::Salesforce)
}

/// `--demo-connect`: once serving, connect through the real
/// authorization-code flow unless connected already.
async fn connect_demo(salesforce: Salesforce, base: String, username: String, password: String) {
    match salesforce.status().await {
        Ok(s) if s.connected => {
            tracing::info!("--demo-connect: already connected");
            return;
        }
        Ok(s) if !s.configured => {
            tracing::warn!(
                "--demo-connect: Salesforce is not configured; {}",
                s.message
            );
            return;
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "--demo-connect: cannot read the connection");
            return;
        }
    }
    let admin = (demo::DEMO_ADMIN_EMAIL, demo::DEMO_STAFF_PASSWORD);
    match demo_connect::run(&base, admin, &username, &password).await {
        Ok(()) => tracing::info!("--demo-connect: connected to the demo org"),
        Err(e) => {
            tracing::error!(error = %e, "--demo-connect failed; connect at /admin/salesforce")
        }
    }
}

/// Create the data dir (`0700`), open and migrate the database, seed demo
/// assets if asked.
pub async fn open_store(config: &Config) -> Result<Store, StartupError> {
    crate::private_fs::secure_data_dir(&config.data_dir).map_err(StartupError::io(format!(
        "creating the data folder {}",
        config.data_dir.display()
    )))?;
    let store = Store::connect(&config.database_url(), secret_key(config)?).await?;
    if config.demo {
        let seeded = demo::seed_if_empty(&store).await?;
        if seeded > 0 {
            tracing::info!(assets = seeded, "seeded demo assets");
        }
    }
    Ok(store)
}

/// Rewrite index.html now (before anything is served); compress in the
/// background (a big wasm at brotli 11 takes seconds). `None` when there is
/// no built app: the API still works. With the technician app's release
/// version (its service worker's), when its worker was written.
async fn prepare_dist(dir: PathBuf, base: &'static str) -> (Option<PathBuf>, Option<String>) {
    if !dir.join("index.html").is_file() {
        tracing::warn!(
            dist = %dir.display(),
            "no built app (index.html missing): serving the API only; run `trunk build --release` in app/"
        );
        return (None, None);
    }
    let prepared = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let boot = dist::rewrite_index(&dir, base)?;
            // The technician app's service worker (the console has none).
            let version = if base == "/" {
                let version = dist::write_service_worker(&dir)?;
                tracing::info!(%version, "service worker written for this release");
                Some(version)
            } else {
                None
            };
            dist::remove_stale_compressed(&dir)?;
            Ok::<_, std::io::Error>((boot, version))
        })
        .await
    };
    let release = match prepared {
        Ok(Ok((boot, version))) => {
            if !boot.is_empty() {
                tracing::info!(scripts = ?boot, "moved inline scripts out of index.html");
            }
            version
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, dist = %dir.display(), "could not prepare index.html");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "index.html preparation task failed");
            None
        }
    };
    let background = dir.clone();
    tokio::task::spawn_blocking(move || match dist::compress_all(&background) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "wrote precompressed copies"),
        Err(e) => tracing::warn!(error = %e, "could not precompress the app's files"),
    });
    (Some(dir), release)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
