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
    // A panic message can quote whatever was being handled (a slice of the
    // notes, a name): log where it happened, never what it said.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(at, "panic (message withheld: it may quote personal data)");
    }));
}
