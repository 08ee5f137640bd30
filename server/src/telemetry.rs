//! Logging: to stderr (stdout is for command output such as `intakes list
//! --json`), filtered by `RUST_LOG`.
//!
//! What is never logged: asset tokens (request spans name the route
//! template, not the path), notes, names, emails, phone numbers.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
