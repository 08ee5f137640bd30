//! fieldcase's phone-first intake app.
//!
//! Pure logic (compiled and tested on the host with `cargo test -p fieldcase-app`):
//! - [`route`]: which screen a path shows;
//! - [`json`]: the little JSON the first load needs (no serde there);
//! - [`context`]: what the screens read of the asset's context;
//! - [`draft`]: the work in progress and its persistence format;
//! - [`review`]: the review engine's answers, read for the review screen
//!   (the engine also draws the recent reports, makes a returned one a draft
//!   and draws the confirmation: `OP_RECENT`, `OP_AMEND`, `OP_DONE`);
//! - [`photos`]: the photos of a draft: states, at most three uploads at
//!   once, retries (their browser side: `app/js/photos.js`, loaded on demand);
//! - [`text`]: sentences with slots and numbers in the build's language
//!   (`fieldcase_i18n::t!`: the app is built once per language);
//! - [`api`]: the API client (its error mapping is pure; the calls are browser-only).
//!
//! Browser-only (wasm32): [`browser`] (localStorage, ids, object URLs),
//! [`engine`] (the review engine, a second WebAssembly module fetched after
//! first paint: `fieldcase-engine`), [`offline`] (the draft, its photos and
//! the outbox in IndexedDB, through `js/offline.js`, loaded after first
//! paint) and the thin Leptos components in `components`.

pub mod api;
pub mod context;
pub mod draft;
pub mod json;
pub mod photos;
pub mod review;
pub mod route;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod engine;
#[cfg(target_arch = "wasm32")]
pub mod offline;
