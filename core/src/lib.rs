//! fieldcase's pure core: everything both the browser app (wasm32) and the
//! server need to agree on. No I/O, no framework, no clock, no randomness.
//!
//! A guided tour, in the order an intake meets them:

/// What the dispatcher console and the technician's submissions list exchange with the server.
pub mod console;
/// Embedding the form in a customer portal: portals, their origins, the embed API's types.
pub mod embed;
/// Typed ids: `IntakeId`, `Sha256`, parsed once where they enter.
pub mod ids;
/// Personal and regulated data in free text: found, counted, redacted.
pub mod pii;
/// The declarative description of the CRM object a case becomes.
pub mod schema;
/// Messy technician notes → a proposed value for each schema field, with provenance.
pub mod structure;
/// Text hygiene: invisible, control and bidi characters, line breaks.
pub mod text;
/// The link token printed in an asset's QR code (`AssetToken::parse`).
pub mod token;
/// Field values a person (or the structurer) proposes, and their validation.
pub mod validate;
/// Everything that crosses the HTTP boundary between app and server.
pub mod wire;

pub use ids::{IntakeId, Sha256};
pub use schema::{CaseSchema, FieldDef, FieldType};
pub use token::AssetToken;
pub use validate::{CaseDraft, FieldErrors, FieldValue, ValidCase};
