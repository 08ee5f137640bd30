//! fieldcase's dispatcher console: a separate bundle served at `/console/`.
//!
//! Pure logic (compiled and tested on the host with `cargo test -p fieldcase-console`):
//! - [`api`]: the typed API client: paths, query strings, answers and errors
//!   (the calls themselves are browser-only);
//! - [`query`]: the queue's and the audit log's filters as query strings;
//! - [`highlight`]: the notes cut into segments by the structuring's byte spans;
//! - [`pii`]: personal data found in the intake, as highlights, lines to redact and counts;
//! - [`time`]: RFC 3339 instants, relative ages ("3 h") and short dates;
//! - [`select`]: the queue's keyboard selection (j/k, Enter, a, r);
//! - [`edit`]: the intake's field inputs, their validation and what changed;
//! - [`portal`]: the portals page's snippet, token claims and Salesforce steps;
//! - [`text`]: titles, confirmations and the history's sentences.
//!
//! Browser-only (wasm32): [`browser`] (title, EventSource, clipboard, dialogs)
//! and the thin Leptos components in `components`.

pub mod api;
pub mod edit;
pub mod highlight;
pub mod pii;
pub mod portal;
pub mod query;
pub mod select;
pub mod text;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
