//! fieldcase's hand-off: once a case has been written to Salesforce, its
//! summary goes to the people who should act on it.
//!
//! The server owns the persistent queue (one row per [`Delivery`], in its
//! `store` module); this crate owns everything else, so the server's glue is
//! small:
//!
//! 1. [`Rules::from_json`] loads the routing rules at start-up and
//!    [`Rules::check_against`] checks them against the case schema;
//!    [`Secrets::from_env`] reads the webhook secrets they name.
//! 2. After a successful write the server builds a [`CaseSummary`], asks
//!    [`Rules::select`] for the deliveries and stores one row per
//!    [`Delivery::delivery_key`] (so a delivery is never sent again once it
//!    is recorded delivered).
//! 3. A worker takes due rows and calls [`Dispatcher::deliver`]. `Ok` marks the
//!    row delivered; a [`DeliveryError::Transient`] reschedules it after
//!    [`RetryPolicy::delay`] (retried until delivered, with no attempt limit);
//!    a [`DeliveryError::Permanent`] stops retrying and is surfaced to a person.
//!
//! Nothing here logs. Error messages name routes, case numbers and status
//! codes, never email addresses, webhook URLs (they may embed tokens),
//! secrets or the technician's details.
//!
//! The guarantee is **at least once, with one delivery id**: neither SMTP
//! nor a webhook can take part in the server's transaction, so a crash after
//! a send and before the server records it sends it again, with the same
//! [`Delivery::delivery_id`] (`X-Fieldcase-Delivery`, and the e-mail's
//! `Message-ID`). Receivers that must act once dedupe on it.
//!
//! Webhook receivers: see [`webhook`] for the request format and how to
//! check `X-Fieldcase-Signature` ([`verify_signature`]).

/// Dispatching one stored [`Delivery`] to its channel, with its secret.
pub mod dispatch;
/// Sending the summary by email over SMTP (lettre).
pub mod email;
/// What a failed delivery means for the queue: try again, or ask a person.
pub mod error;
/// The one back-off policy (exponential, full jitter), deterministic under test.
pub mod retry;
/// The declarative routing rules and the deliveries they select.
pub mod rules;
/// The summary of a written case that every route carries.
pub mod summary;
/// The signed JSON webhook, and signature verification for receivers.
pub mod webhook;

pub use dispatch::{Dispatcher, Secrets};
pub use email::{EmailConfig, EmailSender, RenderedEmail, TlsMode, render_email};
pub use error::{ConfigError, DeliveryError};
pub use retry::{Backoff, RetryPolicy, next_attempt};
pub use rules::{Channel, Condition, Delivery, Operator, Route, Rules, RulesError, WebhookTarget};
pub use summary::CaseSummary;
pub use webhook::{SignatureError, WebhookSender, sign, verify_signature};
