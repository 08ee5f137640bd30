//! # fieldcase demo org
//!
//! A local, Salesforce-compatible org: a standard Salesforce client library
//! works against it unchanged (apart from reaching it over plain `http://` on
//! loopback). fieldcase's demos and tests write their Cases and Files here
//! when no real org is reachable; a plain HTML page at `/` shows what arrived.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fieldcase_demo_org::Error> {
//! let org = fieldcase_demo_org::spawn(fieldcase_demo_org::Config::for_tests("/tmp/org")).await?;
//! println!("instance_url: {}", org.base_url);
//! org.stop().await;
//! # Ok(()) }
//! ```
//!
//! A guided tour, in the order a request meets the modules:

/// `POST /composite` and the sObject Collections.
pub mod composite;
/// Settings: a `--flag` and a `DEMO_ORG_*` variable for each.
pub mod config;
/// The schema: sObjects, fields, and the describe JSON.
pub mod describe;
/// One error type, rendered in Salesforce's envelopes.
pub mod error;
/// Fault injection under `/__demo/` (the demo org only).
pub mod faults;
/// ContentVersion uploads (JSON, multipart, Collections multipart), documents and links.
pub mod files;
/// The read-only HTML pages and the login page.
pub mod html;
/// Salesforce-style 15/18-character ids.
pub mod ids;
/// OAuth 2.0: authorize (PKCE), token, revoke, introspect, userinfo, identity.
pub mod oauth;
/// The SOQL subset behind `GET /query`.
pub mod query;
/// The REST API: path → operation, auth, API-call counting, transactions.
pub mod rest;
/// Fixed ids and data: the org, the demo user, Accounts and Assets.
pub mod seed;
/// Shared state, the router, [`spawn`] and [`RunningOrg`].
pub mod server;
/// Record writes and reads, validated against the schema.
pub mod sobjects;
/// SQLite: records, file bytes, tokens, counters.
pub mod store;

pub use config::Config;
pub use error::Error;
pub use seed::*;
pub use server::{RunningOrg, Shutdown, spawn};

/// Runs the org until Ctrl-C (or SIGTERM).
pub async fn run(config: Config) -> Result<(), Error> {
    let org = spawn(config).await?;
    println!(
        "demo org: {} (open it in a browser to see the cases)",
        org.base_url
    );
    shutdown_signal().await;
    tracing::info!("stopping");
    org.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
