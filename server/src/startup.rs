//! Building the running application: settings → store → app files → bound
//! listener → router. Tests call [`Application::build`] with port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use fieldcase_core::CaseSchema;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::http::{self, AppState};
use crate::photo::PhotoFiles;
use crate::store::Store;
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
}

impl Application {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        let schema = load_schema(config)?;
        let store = open_store(config).await?;
        let files = PhotoFiles::new(&config.data_dir);
        files.create_dirs().map_err(StartupError::io(format!(
            "creating photo folders in {}",
            config.data_dir.display()
        )))?;
        let dist = prepare_dist(config.dist.clone()).await;

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(StartupError::io(format!("listening on {}", config.addr)))?;
        let local_addr = listener
            .local_addr()
            .map_err(StartupError::io("reading the bound address"))?;
        let public_url = config.public_url(local_addr);

        let state = AppState {
            store,
            schema: Arc::new(schema),
            limits: config.limits(),
            public_url: public_url.into(),
            files,
            dist: dist.map(Arc::new),
            decode_permits: Arc::new(Semaphore::new(2)),
        };
        if config.demo {
            let links = demo::links(&state.store, &state.public_url).await?;
            demo::write_links(&config.data_dir, &links)
                .map_err(StartupError::io("writing demo-links.json"))?;
        }
        Ok(Application {
            router: http::router(state.clone()),
            listener,
            state,
            local_addr,
        })
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

    /// Serve until `shutdown` completes, then finish in-flight requests.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await?;
        store.close().await;
        Ok(())
    }
}

/// The case schema: the file given, or the built-in Salesforce Case.
pub fn load_schema(config: &Config) -> Result<CaseSchema, StartupError> {
    let Some(path) = &config.schema else {
        return Ok(CaseSchema::salesforce_default());
    };
    let json = std::fs::read_to_string(path).map_err(|e| StartupError::Schema {
        path: path.clone(),
        message: e.to_string(),
    })?;
    CaseSchema::from_json(&json).map_err(|e| StartupError::Schema {
        path: path.clone(),
        message: e.0,
    })
}

/// Create the data dir, open and migrate the database, seed demo assets if asked.
pub async fn open_store(config: &Config) -> Result<Store, StartupError> {
    std::fs::create_dir_all(&config.data_dir).map_err(StartupError::io(format!(
        "creating the data folder {}",
        config.data_dir.display()
    )))?;
    let store = Store::connect(&config.database_url()).await?;
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
/// no built app: the API still works.
async fn prepare_dist(dir: PathBuf) -> Option<PathBuf> {
    if !dir.join("index.html").is_file() {
        tracing::warn!(
            dist = %dir.display(),
            "no built app (index.html missing): serving the API only; run `trunk build --release` in app/"
        );
        return None;
    }
    let prepared = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let boot = dist::rewrite_index(&dir)?;
            dist::remove_stale_compressed(&dir)?;
            Ok::<_, std::io::Error>(boot)
        })
        .await
    };
    match prepared {
        Ok(Ok(boot)) if !boot.is_empty() => {
            tracing::info!(scripts = ?boot, "moved inline scripts out of index.html");
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, dist = %dir.display(), "could not prepare index.html")
        }
        Err(e) => tracing::warn!(error = %e, "index.html preparation task failed"),
    }
    let background = dir.clone();
    tokio::task::spawn_blocking(move || match dist::compress_all(&background) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "wrote precompressed copies"),
        Err(e) => tracing::warn!(error = %e, "could not precompress the app's files"),
    });
    Some(dir)
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
