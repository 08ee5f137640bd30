//! fieldcase's server: an axum back end for the phone app a technician opens
//! by scanning an asset's QR code.
//!
//! A guided tour, from the outside in:

/// Approval: the one seam where an intake is approved and queued for the CRM.
pub mod approval;
/// Staff sign-in: passwords, sessions, sign-in limits, roles, same-origin checks.
pub mod auth;
/// What `serve`, `assets list|revoke`, `intakes list` and `schema import` do.
pub mod commands;
/// Settings from the command line and `FIELDCASE_*` variables; the subcommands.
pub mod config;
/// Six demo assets, and the links file the browser tests read.
pub mod demo;
/// Trunk's dist/ made CSP-clean (no inline script) and precompressed.
pub mod dist;
/// Embed tokens signed by customer portals, and the embed sessions we sign.
pub mod embed;
/// The one error type, and the one `ApiError` body shape of every failure.
pub mod error;
/// `FIELDCASE_FAILPOINT`: abort at a named point, for crash tests.
pub mod failpoint;
/// After a case is written: summaries by email and signed webhook, queued and
/// retried until delivered.
pub mod handoff;
/// The HTTP surface: the router, one module per resource, extractors.
pub mod http;
/// The pages' language: the app's build per language, and the server's words.
pub mod i18n;
/// Limits on what one client may ask: requests in flight, timeouts, rate
/// limits and quotas on the asset link's routes, the photo decoding budget.
pub mod limits;
pub mod mcp;
/// Photos judged by content, limited in pixels, thumbnailed, stored by hash.
pub mod photo;
/// Location and device metadata left out of the photos sent to the CRM, losslessly.
pub mod photo_strip;
/// The admin's policy at run time: cached, evaluated at submission.
pub mod policy;
/// Private files: the data folder `0700`, what is in it `0600`.
pub mod private_fs;
/// QR links in upper case (compact alphanumeric codes) and their SVG.
pub mod qr;
/// The Salesforce connector: the only module that knows Salesforce's JSON and OAuth.
pub mod salesforce;
/// The accept loop: connection caps, header and idle timeouts.
pub mod serve;
/// Building the application: store, app files, listener, router; shutdown.
pub mod startup;
/// The database: all SQL, portable between SQLite and PostgreSQL.
pub mod store;
/// Notes → proposed fields on the server: the rules engine, or Claude when
/// configured, whose answer the core checks and may drop.
pub mod structurer;
/// Deletes photos no intake uses, and uploads left unfinished.
pub mod sweeper;
/// Logging to stderr, with no tokens or personal data.
pub mod telemetry;
/// The one worker loop both queues run, and the lease heartbeat.
pub mod worker;
/// The write worker: leased jobs, retries with backoff, exactly-once cases.
pub mod write_queue;
