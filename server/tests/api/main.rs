//! The server over real HTTP: each test starts its own fieldcase on
//! 127.0.0.1:0 with a temporary data dir, database and fake `dist/`.

// A failed unwrap is a failed test, with its line number.
#![allow(clippy::unwrap_used)]

mod helpers;

mod asset_admin;
mod assets;
mod auth;
mod authz;
mod console;
mod crash;
mod embed;
mod handoff;
mod input;
mod intakes;
mod languages;
mod leaks;
mod leases;
mod limits;
mod locations;
mod mcp;
mod openapi;
mod photos;
mod pii;
mod policy;
mod preflight;
mod salesforce;
mod salesforce_http;
mod schema_import;
mod static_files;
mod structuring;
