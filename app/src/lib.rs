//! fieldcase's phone-first intake app.
//!
//! Pure logic (compiled and tested on the host with `cargo test -p fieldcase-app`):
//! - [`route`]: which screen a path shows;
//! - [`draft`]: the work in progress, its persistence format, merging
//!   structuring with the technician's edits, and what Submit sends;
//! - [`highlight`]: notes + spans → highlighted segments and excerpts;
//! - [`api`]: the API client (its error mapping is pure; the calls are browser-only).
//!
//! Browser-only (wasm32): [`browser`] (localStorage, ids, object URLs) and
//! the thin Leptos components in `components`.

pub mod api;
pub mod draft;
pub mod highlight;
pub mod route;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
