//! What crosses HTTP between the dispatcher console (a separate bundle, for
//! signed-in staff) and the server, and the technician's view of their own
//! submissions on an asset. Both sides compile these types.
//!
//! Staff routes (all under [`crate::wire::API_PREFIX`]; a session cookie;
//! every state-changing request must come from the server's own origin):
//!
//! | method | path                                   | body → answer                         | who |
//! |--------|----------------------------------------|---------------------------------------|-----|
//! | POST   | `/session`                             | [`SignIn`] → [`StaffUser`]            | anyone |
//! | GET    | `/session`                             | → [`StaffUser`]                       | staff |
//! | DELETE | `/session`                             | → 204                                 | staff |
//! | POST   | `/invitations/accept`                  | [`AcceptInvitation`] → [`StaffUser`]  | anyone with the link |
//! | GET    | `/console/schema`                      | → [`crate::CaseSchema`]               | staff |
//! | GET    | `/console/intakes?…`                   | [`QueueQuery`] → [`QueuePage`]        | staff |
//! | GET    | `/console/intakes/{id}`                | → [`IntakeDetail`]                    | staff |
//! | PATCH  | `/console/intakes/{id}`                | [`FieldEdit`] → [`IntakeDetail`]      | staff |
//! | POST   | `/console/intakes/{id}/redact`         | [`Redact`] → [`IntakeDetail`]         | staff |
//! | POST   | `/console/intakes/{id}/approve`        | [`Approve`] → [`IntakeDetail`]        | staff |
//! | POST   | `/console/intakes/{id}/reject`         | [`Reject`] → [`IntakeDetail`]         | staff |
//! | POST   | `/console/intakes/{id}/return`         | [`Return`] → [`IntakeDetail`]         | staff |
//! | POST   | `/console/intakes/bulk`                | [`BulkAction`] → [`BulkOutcome`]      | staff |
//! | GET    | `/console/events`                      | server-sent [`QueueChange`]s          | staff |
//! | GET    | `/console/photos/{sha256}[?thumb]`     | the photo (or its thumbnail)          | staff |
//! | GET    | `/admin/audit?…`                       | [`AuditQuery`] → [`AuditPage`]        | admin |
//! | GET    | `/admin/audit.csv?…`                   | [`AuditQuery`] → CSV                  | admin |
//! | GET    | `/admin/users`                         | → `Vec<`[`StaffUser`]`>`              | admin |
//! | POST   | `/admin/invitations`                   | [`Invite`] → [`Invitation`]           | admin |
//! | PATCH  | `/admin/users/{id}`                    | [`UserChange`] → [`StaffUser`]        | admin |
//!
//! Technician routes (the asset's link token is the capability):
//!
//! | GET    | `/assets/{token}/intakes`              | → `Vec<`[`SubmissionSummary`]`>`      | link holder |
//! | GET    | `/assets/{token}/intakes/{id}`         | → [`SubmissionDetail`]                | link holder |
//!
//! A returned intake is amended by `PUT /intakes/{id}` again, with the same
//! id: a new revision of the same intake, never a second one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::pii::FieldFinding;
use crate::structure::Proposal;
use crate::validate::{CaseDraft, FieldErrors, FieldValue};
use crate::wire::{IntakeStatus, PhotoReceipt, Technician};

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reviews intakes: edit, approve, reject, return.
    Dispatcher,
    /// Everything a dispatcher does, plus users, the audit log and the CRM connection.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dispatcher => "dispatcher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Role::Dispatcher, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who (or what) did something, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Through an asset's link, without an account.
    Technician,
    Dispatcher,
    Admin,
    /// An approval or routing rule; the actor is the rule's name.
    Rule,
    /// An AI assistant; the actor is the client, `on_behalf_of` the person.
    Ai,
    /// fieldcase itself (the write worker, the hand-off worker).
    System,
}

impl ActorKind {
    pub const ALL: [ActorKind; 6] = [
        ActorKind::Technician,
        ActorKind::Dispatcher,
        ActorKind::Admin,
        ActorKind::Rule,
        ActorKind::Ai,
        ActorKind::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Technician => "technician",
            ActorKind::Dispatcher => "dispatcher",
            ActorKind::Admin => "admin",
            ActorKind::Rule => "rule",
            ActorKind::Ai => "ai",
            ActorKind::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A person acting through their own account.
    pub fn is_person(self) -> bool {
        matches!(
            self,
            ActorKind::Technician | ActorKind::Dispatcher | ActorKind::Admin
        )
    }
}

impl From<Role> for ActorKind {
    fn from(role: Role) -> Self {
        match role {
            Role::Dispatcher => ActorKind::Dispatcher,
            Role::Admin => ActorKind::Admin,
        }
    }
}

/// `POST /session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// A signed-in staff member (never carries a password or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// False once an admin has disabled the account.
    pub active: bool,
}

/// `POST /admin/invitations`: an admin invites a person by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// The link to pass to the invited person; shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    /// `…/console/accept/TOKEN`: sets a password and signs in.
    pub link: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `POST /invitations/accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub token: String,
    pub password: String,
}

/// `PATCH /admin/users/{id}`: change a role, or disable / re-enable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `GET /console/intakes` filters, as query parameters. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct QueueQuery {
    /// Comma-separated statuses; default: those waiting for a person
    /// (`submitted,in_review,needs_attention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A Priority picklist value, e.g. `High`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// An asset id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// An account name, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Submitted on or after this day, `YYYY-MM-DD` (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Submitted on or before this day, `YYYY-MM-DD` (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Words that must all appear in the notes or the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// The `next` cursor of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Rows per page, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One row of the queue. Sorted by priority (High first), then age (oldest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRow {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    pub revision: u32,
    pub asset_id: String,
    pub asset_name: String,
    pub account_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    pub hazard: bool,
    pub subject: String,
    /// The technician's name as they gave it.
    pub technician: String,
    pub photo_count: u32,
    /// The admin's policy escalated it to the on-call route at submission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalated: bool,
    /// An AI assistant proposed it (through the MCP front door).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proposed_by_ai: bool,
    /// RFC 3339.
    pub submitted_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// `GET /console/intakes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Intakes waiting for a person (submitted, in review or needing
    /// attention), whatever the filters: the number in the tab title.
    pub waiting: u64,
}

/// The asset an intake is about, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetSummary {
    pub id: String,
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A photo of an intake, with where staff can fetch it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakePhoto {
    pub sha256: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// `/api/v1/console/photos/{sha256}`.
    pub url: String,
    /// `/api/v1/console/photos/{sha256}?thumb`.
    pub thumb_url: String,
    /// Where it was taken, when the technician switched location on for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::wire::GeoPoint>,
}

/// Another intake on the same asset, so a duplicate is seen before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedIntake {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    pub subject: String,
    /// RFC 3339.
    pub submitted_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_url: Option<String>,
}

/// `GET /console/intakes/{id}`: everything a reviewer needs on one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeDetail {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    /// Bumped by every edit and resubmission; actions name the revision they
    /// were made on, and a stale one is refused (409).
    pub revision: u32,
    pub asset: AssetSummary,
    pub notes: String,
    /// The current field values (after the technician's and dispatchers' edits).
    pub fields: CaseDraft,
    /// The structuring of the notes: each field's value, the spans that set
    /// it (to highlight) and a confidence.
    pub proposal: Proposal,
    pub technician: Technician,
    pub photos: Vec<IntakePhoto>,
    /// What the CRM refused (status `needs_attention`), per field, in
    /// fieldcase's words (as the technician's receipt says it).
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    pub problems: FieldErrors,
    /// The CRM's own messages for those fields (staff only: they can quote
    /// a customer's data).
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    pub crm_messages: FieldErrors,
    /// Why it was rejected (status `rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The question for the technician (status `returned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_url: Option<String>,
    /// SHA-256 of exactly what was approved (fields and photo set), once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_hash: Option<String>,
    /// Personal and regulated data found in the notes and the free-text
    /// fields (`crate::pii::scan`), to highlight and redact before approving.
    #[serde(default)]
    pub pii: Vec<FieldFinding>,
    /// The asset's other intakes that are not closed, and its recent cases.
    pub related: Vec<RelatedIntake>,
    /// The intake's audit trail, oldest first.
    pub history: Vec<AuditEntry>,
    /// Where it came from when not through an asset's link: a customer, via
    /// a portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<IntakeOrigin>,
    /// What the admin's policy says about it.
    #[serde(default)]
    pub policy: PolicyNote,
    /// RFC 3339.
    pub submitted_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// The policy's word on one intake, for its page in the console.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyNote {
    /// Why it waits for a person (decided at submission).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Escalated to the on-call route at submission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalated: bool,
    /// Fields with a value that the policy does not allow to be written:
    /// shown "not written (policy)", never sent to the CRM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_written: Vec<String>,
    /// The policy does not allow attaching files: the photos stay here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub photos_not_attached: bool,
    /// The policy does not allow writing cases at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub case_not_written: bool,
}

/// `GET /admin/mcp/grants`: one AI assistant's (MCP client's) access,
/// given by one person on the consent page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct McpGrant {
    pub id: Uuid,
    pub client_id: String,
    /// The name the assistant registered with (shown on the consent page).
    pub client_name: String,
    /// The person who allowed it (proposals are on their behalf).
    pub user_email: String,
    /// `assets:read`, `intakes:propose`, `intakes:read`.
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// Set once revoked: its tokens stopped working then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// An intake a customer submitted through a portal's embedded form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeOrigin {
    pub portal_id: Uuid,
    pub portal_name: String,
    /// The customer's id in the portal.
    pub customer: String,
}

/// `PATCH /console/intakes/{id}`: change some fields. A `null` value clears one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldEdit {
    /// The revision the edit was made on.
    pub revision: u32,
    #[cfg_attr(feature = "openapi", schema(schema_with = nullable_field_values))]
    pub fields: BTreeMap<String, Option<FieldValue>>,
}

/// `{name: value or null}`: utoipa's derive cannot describe a map of
/// `Option`s (it builds a `oneOf` where a map's value schema goes), so this
/// one is written out.
#[cfg(feature = "openapi")]
fn nullable_field_values() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    use utoipa::openapi::{Ref, RefOr};
    let value = OneOfBuilder::new()
        .item(Ref::from_schema_name("FieldValue"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(RefOr::T(utoipa::openapi::Schema::OneOf(value))))
        .build()
}

/// `POST /console/intakes/{id}/redact`: replace personal data by
/// `[redacted card]` and so on, in the notes and the case fields. Each of
/// `findings` (as the detail's `pii` listed them at `revision`) is redacted
/// wherever the same words are found; `all` redacts every finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redact {
    pub revision: u32,
    #[serde(default)]
    pub findings: Vec<FieldFinding>,
    #[serde(default)]
    pub all: bool,
}

/// `POST /console/intakes/{id}/approve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approve {
    pub revision: u32,
}

/// `POST /console/intakes/{id}/reject`: the reason reaches the technician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reject {
    pub revision: u32,
    pub reason: String,
}

/// `POST /console/intakes/{id}/return`: a question for the technician, who
/// amends and resubmits the same intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Return {
    pub revision: u32,
    pub question: String,
}

/// What a bulk action does to each selected intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkKind {
    Approve,
    Reject,
}

/// One intake of a bulk action, at the revision the dispatcher saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkItem {
    pub id: Uuid,
    pub revision: u32,
}

/// `POST /console/intakes/bulk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkAction {
    pub action: BulkKind,
    /// Required for `reject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub items: Vec<BulkItem>,
}

/// One intake a bulk action could not act on, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkFailure {
    pub id: Uuid,
    pub reference: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    pub done: Vec<Uuid>,
    pub failed: Vec<BulkFailure>,
}

/// A server-sent event on `/console/events` (event name `queue`): an intake
/// was submitted or changed status or revision. The console refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueChange {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    pub revision: u32,
    /// Intakes now waiting for a person.
    pub waiting: u64,
}

/// One row of the audit trail. Never updated, never deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: Uuid,
    /// RFC 3339.
    pub at: String,
    pub actor_kind: ActorKind,
    /// A person's e-mail or name, a rule's name, an AI client's name, `fieldcase`.
    pub actor: String,
    /// For `ai`: the person whose grant the assistant used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// e.g. `submitted`, `field_changed`, `approved`, `signed_in`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_reference: Option<String>,
    /// What happened, e.g. `{"field":"Priority","from":"Low","to":"High"}`.
    pub detail: serde_json::Value,
}

/// `GET /admin/audit` filters, as query parameters. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema, utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<String>,
    /// Part of the actor's name or e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// An intake's reference (`FC-…`) or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<String>,
    /// `YYYY-MM-DD`, inclusive (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Newest first; pass the previous page's `next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `GET /assets/{token}/intakes`: the technician's recent submissions on this
/// asset (the last 30 days, newest first, at most 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionSummary {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    pub subject: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Why a dispatcher rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a dispatcher asks before it can go on (status `returned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
}

/// `GET /assets/{token}/intakes/{id}`: a submission as the technician sent
/// it (with dispatchers' edits), to amend and resubmit when returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionDetail {
    pub summary: SubmissionSummary,
    pub notes: String,
    pub fields: CaseDraft,
    pub technician: Technician,
    pub photos: Vec<PhotoReceipt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_actor_kinds_round_trip() {
        for r in [Role::Dispatcher, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for k in ActorKind::ALL {
            assert_eq!(ActorKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(ActorKind::parse("root"), None);
        assert!(!ActorKind::Ai.is_person());
        assert!(!ActorKind::Rule.is_person());
    }

    #[test]
    fn a_field_edit_can_clear_a_field() {
        let edit: FieldEdit = serde_json::from_str(
            r#"{"revision":3,"fields":{"Priority":"High","Error_Code__c":null}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edit.revision, 3);
        assert_eq!(edit.fields["Priority"], Some(FieldValue::text("High")));
        assert_eq!(edit.fields["Error_Code__c"], None);
    }
}
