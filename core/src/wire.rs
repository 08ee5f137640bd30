//! Everything that crosses HTTP between the app and the server. Both sides
//! compile these very types, so a renamed field breaks the build, not a user.
//!
//! Routes (all under [`API_PREFIX`]):
//!
//! | method | path                         | body → answer                          |
//! |--------|------------------------------|----------------------------------------|
//! | GET    | `/assets/{token}`            | → [`IntakeContext`]                    |
//! | POST   | `/assets/{token}/photos`     | multipart `photo` → [`PhotoReceipt`]   |
//! | PUT    | `/intakes/{id}`              | [`IntakeSubmission`] → [`IntakeReceipt`] |
//! | GET    | `/assets/{token}/intakes/{id}/receipt` | → [`IntakeReceipt`] (its asset's link only) |
//! | GET    | `/intakes/{id}`              | → [`IntakeReceipt`] (staff only)       |
//! | GET    | `/admin/salesforce`          | → [`SalesforceStatus`]                 |
//!
//! Every failure answers with an [`ApiError`].

use fieldcase_i18n::t;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::schema::{AssetAttr, CaseSchema, SystemValue};
use crate::token::AssetToken;
use crate::validate::{CaseDraft, FieldErrors, FieldValue};

pub const API_PREFIX: &str = "/api/v1";

/// What the technician sees of the asset they scanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetView {
    pub token: AssetToken,
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date: Option<String>,
    /// The asset's record Id in the CRM, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_asset_id: Option<String>,
    /// The owning account's record Id in the CRM, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_account_id: Option<String>,
}

impl AssetView {
    pub fn attr(&self, attr: AssetAttr) -> Option<&str> {
        match attr {
            AssetAttr::AssetId => self.crm_asset_id.as_deref(),
            AssetAttr::AccountId => self.crm_account_id.as_deref(),
        }
    }
}

/// The technician's details, remembered on their device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Technician {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Upload and size limits, told to the app so it can refuse early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    pub max_photo_bytes: u64,
    pub max_photos: u32,
    pub max_intake_photo_bytes: u64,
    pub max_photo_pixels: u64,
    pub max_notes_chars: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_photo_bytes: 15 * 1024 * 1024,
            max_photos: 10,
            max_intake_photo_bytes: 60 * 1024 * 1024,
            max_photo_pixels: 50_000_000,
            max_notes_chars: 32_000,
        }
    }
}

/// `GET /assets/{token}`: all the app needs to start an intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeContext {
    pub asset: AssetView,
    pub schema: CaseSchema,
    pub limits: Limits,
    /// The server structures notes too (`POST /assets/{token}/structure`
    /// with a language model): the app asks it when online.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub server_structuring: bool,
}

/// `POST /assets/{token}/photos`: a stored photo, named by its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoReceipt {
    /// Lower-case hex SHA-256 of the photo's bytes.
    pub sha256: String,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// `POST /assets/{token}/structure`: notes to structure on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StructureRequest {
    pub notes: String,
    /// The technician's details, for the fields they fill.
    #[serde(default)]
    pub technician: Technician,
}

/// The proposal for [`StructureRequest`]'s notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StructureResponse {
    /// `ai`: a language model proposed some values (marked
    /// `proposed_by_ai`, each quoting the notes, checked by the rules
    /// engine's core); `rules`: the rules engine alone, as on the phone.
    pub by: String,
    pub proposal: crate::structure::Proposal,
}

/// `PUT /intakes/{id}`: the reviewed intake. The app makes `id` (UUID v7)
/// before the first attempt, so a retry can never make a second intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeSubmission {
    pub id: Uuid,
    pub asset_token: AssetToken,
    pub notes: String,
    pub fields: CaseDraft,
    pub technician: Technician,
    /// SHA-256 of each photo, as returned by the upload.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Where a photo was taken, only for the photos the technician switched
    /// location on for (one each at most): a separate field, never in the
    /// photo's file. Left out when empty, so older bodies hash as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_locations: Vec<PhotoLocation>,
}

/// A point on Earth as the phone's browser reported it (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    /// Degrees, -90 to 90.
    pub latitude: f64,
    /// Degrees, -180 to 180.
    pub longitude: f64,
    /// The browser's accuracy: metres, more than 0, at most 100 km.
    pub accuracy_m: f64,
}

/// Accuracy beyond this says nothing useful about where a photo was taken.
pub const MAX_ACCURACY_M: f64 = 100_000.0;

impl GeoPoint {
    /// What is wrong with it, in words that say what to fix.
    pub fn problem(&self) -> Option<&'static str> {
        if !(-90.0..=90.0).contains(&self.latitude) {
            Some("latitude must be between -90 and 90 degrees")
        } else if !(-180.0..=180.0).contains(&self.longitude) {
            Some("longitude must be between -180 and 180 degrees")
        } else if !(self.accuracy_m > 0.0 && self.accuracy_m <= MAX_ACCURACY_M) {
            Some("accuracy_m must be more than 0 and at most 100000 metres")
        } else {
            None
        }
    }

    /// `52.520008, 13.404954 (±12 m)`: six decimals (about 10 cm), whole metres.
    pub fn describe(&self) -> String {
        format!(
            "{:.6}, {:.6} (±{} m)",
            self.latitude,
            self.longitude,
            self.accuracy_m.ceil()
        )
    }
}

/// A photo's location, as [`IntakeSubmission::photo_locations`] carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoLocation {
    /// Lower-case hex SHA-256 of one of the submission's `photos`.
    pub sha256: String,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
}

impl PhotoLocation {
    pub fn point(&self) -> GeoPoint {
        GeoPoint {
            latitude: self.latitude,
            longitude: self.longitude,
            accuracy_m: self.accuracy_m,
        }
    }
}

/// Check a submission's photo locations against its photos: each names one
/// of them, once, with a point in range. The message says what to fix.
pub fn check_photo_locations(photos: &[String], locations: &[PhotoLocation]) -> Result<(), String> {
    for (i, l) in locations.iter().enumerate() {
        if !photos.contains(&l.sha256) {
            return Err(format!(
                "photo_locations[{i}] names a photo this intake does not carry; send locations only for its photos"
            ));
        }
        if locations[..i].iter().any(|o| o.sha256 == l.sha256) {
            return Err(format!(
                "photo_locations[{i}] is a second location for the same photo; send one per photo"
            ));
        }
        if let Some(p) = l.point().problem() {
            return Err(format!("photo_locations[{i}]: {p}"));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    /// The technician pressed Submit on the review screen.
    Submitted,
    /// Waiting for a dispatcher.
    InReview,
    /// Approved by a person or a rule; queued for the CRM.
    Approved,
    /// The CRM write is in progress.
    Writing,
    /// The case exists in the CRM.
    Written,
    /// The CRM refused it; a person must correct it.
    NeedsAttention,
    /// A dispatcher rejected it (with a reason the technician sees).
    Rejected,
    /// A dispatcher asked the technician a question; they amend and resubmit.
    Returned,
}

impl IntakeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::Submitted => "submitted",
            IntakeStatus::InReview => "in_review",
            IntakeStatus::Approved => "approved",
            IntakeStatus::Writing => "writing",
            IntakeStatus::Written => "written",
            IntakeStatus::NeedsAttention => "needs_attention",
            IntakeStatus::Rejected => "rejected",
            IntakeStatus::Returned => "returned",
        }
    }

    pub const ALL: [IntakeStatus; 8] = [
        IntakeStatus::Submitted,
        IntakeStatus::InReview,
        IntakeStatus::Approved,
        IntakeStatus::Writing,
        IntakeStatus::Written,
        IntakeStatus::NeedsAttention,
        IntakeStatus::Rejected,
        IntakeStatus::Returned,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Waiting for a person in the console.
    pub const WAITING: [IntakeStatus; 3] = [
        IntakeStatus::Submitted,
        IntakeStatus::InReview,
        IntakeStatus::NeedsAttention,
    ];

    /// A dispatcher may still edit, approve, reject or return it.
    pub fn is_reviewable(self) -> bool {
        Self::WAITING.contains(&self)
    }

    /// Words for a person: "In review", "Needs attention".
    pub fn label(self) -> &'static str {
        match self {
            IntakeStatus::Submitted => t!("Waiting for review"),
            IntakeStatus::InReview => t!("In review"),
            IntakeStatus::Approved => t!("Approved"),
            IntakeStatus::Writing => t!("Writing to the CRM"),
            IntakeStatus::Written => t!("Case created"),
            IntakeStatus::NeedsAttention => t!("Needs attention"),
            IntakeStatus::Rejected => t!("Rejected"),
            IntakeStatus::Returned => t!("Returned with a question"),
        }
    }
}

impl TryFrom<String> for IntakeStatus {
    type Error = String;

    /// For decoding a stored status once, at the database's edge.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IntakeStatus::parse(&s).ok_or_else(|| format!("unknown intake status {s:?}"))
    }
}

/// What the technician is told after Submit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeReceipt {
    pub id: Uuid,
    /// Short reference to quote on the phone, e.g. `FC-7K3M-9QXD`.
    pub reference: String,
    pub status: IntakeStatus,
    /// RFC 3339.
    pub submitted_at: String,
    pub photo_count: u32,
    /// True when this id had already been submitted: nothing new was made.
    #[serde(default)]
    pub replayed: bool,
    /// The CRM case's number, once the intake is `written` (e.g. `00001027`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// A link to the case in the CRM, once the intake is `written`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_url: Option<String>,
    /// What the CRM refused, keyed by field API name, when the intake
    /// `needs_attention`; each message says what to fix.
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    pub problems: FieldErrors,
}

/// Whether the connected org is a sandbox or production: from the org's
/// `IsSandbox` where it answers, else from the login URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgEnvironment {
    Sandbox,
    Production,
    /// Neither the org nor its login URL says (a custom domain, no answer).
    Unknown,
}

impl OrgEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgEnvironment::Sandbox => "sandbox",
            OrgEnvironment::Production => "production",
            OrgEnvironment::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sandbox" => Some(OrgEnvironment::Sandbox),
            "production" => Some(OrgEnvironment::Production),
            "unknown" => Some(OrgEnvironment::Unknown),
            _ => None,
        }
    }
}

/// A connection preflight: whether the connected org can take what the
/// schema and the policy would write, and, for each thing it cannot, one
/// line that says what to fix in Salesforce Setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preflight {
    /// RFC 3339.
    pub ran_at: String,
    pub environment: OrgEnvironment,
    /// The login URL it ran against.
    pub login_url: String,
    /// No problem found.
    pub passed: bool,
    /// How many Case fields were checked.
    pub fields_checked: u32,
    /// One sentence each: what is wrong and what to change in Setup.
    pub problems: Vec<String>,
}

/// `GET /admin/salesforce`: the CRM connection and the write queue, for an
/// administrator. Never carries a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesforceStatus {
    /// A connected app (client id) and a secret key are configured.
    pub configured: bool,
    /// Tokens are stored and usable (not waiting for re-authorisation).
    pub connected: bool,
    /// How the connection was made: `web_server` or `client_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// Where people log in: production, sandbox or a My Domain.
    pub login_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// The Salesforce user the connection acts as (`005…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The org (`00D…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
    /// Salesforce refused the stored grant: an administrator must connect
    /// again. Approved cases wait meanwhile; none is dropped.
    pub needs_reauthorization: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reauthorization_reason: Option<String>,
    /// One sentence for a person: the state, and what to do next.
    pub message: String,
    pub queue: WriteQueueCounts,
    /// The last preflight against this connection, if one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
}

/// How many approved intakes are where on their way to the CRM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WriteQueueCounts {
    /// Waiting for their first attempt (or for a connection).
    pub waiting: u64,
    /// Failed for a passing reason (timeouts, 5xx, API limits); retried with backoff.
    pub retrying: u64,
    /// Refused by the CRM; a person must correct them.
    pub needs_attention: u64,
    /// Written to the CRM.
    pub written: u64,
}

/// The one shape of every error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// A sentence for a person, saying what to fix.
    pub message: String,
    /// Per-field messages, keyed by field API name.
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    pub fields: FieldErrors,
}

/// The short reference for an intake: its id's last 40 random bits in
/// Crockford base32, `FC-XXXX-XXXX`. Deterministic, so a replay shows the same.
pub fn intake_reference(id: &Uuid) -> String {
    let bytes = id.as_bytes();
    let mut n: u64 = 0;
    for b in &bytes[11..16] {
        n = (n << 8) | u64::from(*b);
    }
    reference_of(n)
}

/// The `attempt`-th reference an intake may get: attempt 0 is
/// [`intake_reference`]; the next ones, used only when an earlier one is
/// already taken (ids can be crafted to collide), mix the whole id with the
/// attempt number (SplitMix64's finaliser), so they are still deterministic
/// but no longer the same 40 bits.
pub fn intake_reference_candidate(id: &Uuid, attempt: u32) -> String {
    if attempt == 0 {
        return intake_reference(id);
    }
    let v = id.as_u128();
    let mut z = (v as u64) ^ ((v >> 64) as u64).rotate_left(29) ^ u64::from(attempt);
    z = z.wrapping_add(u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    reference_of(z & ((1 << 40) - 1))
}

/// `FC-XXXX-XXXX` for 40 bits.
fn reference_of(n: u64) -> String {
    const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut s = String::from("FC-");
    for i in (0..8).rev() {
        s.push(CROCKFORD[((n >> (i * 5)) & 31) as usize] as char);
        if i == 4 {
            s.push('-');
        }
    }
    s
}

impl CaseDraft {
    /// Overwrite every field the technician may not set: values from the asset,
    /// system values, and schema defaults of hidden fields. Runs in the app (so
    /// the review shows them) and on the server (so a forged body cannot set them).
    pub fn apply_context(&mut self, schema: &CaseSchema, asset: &AssetView, intake_id: &Uuid) {
        for def in &schema.fields {
            let value = if let Some(attr) = def.from_asset {
                asset.attr(attr).map(FieldValue::text)
            } else if let Some(system) = def.system {
                match system {
                    SystemValue::IntakeKey => Some(FieldValue::text(intake_id.to_string())),
                    // Known only once stored: the CRM write fills it.
                    SystemValue::IntakeReference => None,
                }
            } else if !def.technician_visible {
                def.default.clone()
            } else {
                continue;
            };
            match value {
                Some(v) => {
                    self.0.insert(def.name.clone(), v);
                }
                None => {
                    self.0.remove(&def.name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(sha: &str, latitude: f64, longitude: f64, accuracy_m: f64) -> PhotoLocation {
        PhotoLocation {
            sha256: sha.into(),
            latitude,
            longitude,
            accuracy_m,
        }
    }

    #[test]
    fn a_photo_location_is_in_range_and_of_one_of_the_photos_once() {
        let photos = vec!["ab".to_owned(), "cd".to_owned()];
        assert_eq!(check_photo_locations(&photos, &[]), Ok(()));
        assert_eq!(
            check_photo_locations(&photos, &[loc("cd", 53.8, -1.55, 12.0)]),
            Ok(())
        );
        for (bad, words) in [
            (loc("ef", 53.8, -1.55, 12.0), "does not carry"),
            (loc("ab", 90.5, 0.0, 12.0), "latitude"),
            (loc("ab", -91.0, 0.0, 12.0), "latitude"),
            (loc("ab", 0.0, 180.01, 12.0), "longitude"),
            (loc("ab", 0.0, 0.0, 0.0), "accuracy_m"),
            (loc("ab", 0.0, 0.0, 100_001.0), "accuracy_m"),
        ] {
            let e = check_photo_locations(&photos, &[bad]).unwrap_err();
            assert!(e.contains(words), "{e}");
        }
        let twice = [loc("ab", 1.0, 1.0, 5.0), loc("ab", 2.0, 2.0, 5.0)];
        assert!(
            check_photo_locations(&photos, &twice)
                .unwrap_err()
                .contains("same photo")
        );
        // The edges are in range.
        assert_eq!(
            check_photo_locations(&photos, &[loc("ab", -90.0, 180.0, 100_000.0)]),
            Ok(())
        );
    }

    #[test]
    fn a_location_reads_as_degrees_and_whole_metres() {
        let p = loc("ab", 53.800755, -1.549077, 11.2).point();
        assert_eq!(p.describe(), "53.800755, -1.549077 (±12 m)");
    }

    #[test]
    fn a_submission_without_locations_serialises_as_before() {
        let token = AssetToken::from_random_bytes([7; 12]);
        let body = format!(
            r#"{{"id":"0190b7a8-0000-7000-8000-000000000000","asset_token":"{}","notes":"n","fields":{{}},"technician":{{"name":"D"}},"photos":[]}}"#,
            token.as_str()
        );
        let s: IntakeSubmission = serde_json::from_str(&body).unwrap();
        assert!(s.photo_locations.is_empty());
        assert!(
            !serde_json::to_string(&s)
                .unwrap()
                .contains("photo_locations")
        );
    }

    fn asset() -> AssetView {
        AssetView {
            token: AssetToken::from_random_bytes([7; 12]),
            name: "Feed pump P-12".into(),
            serial_number: "GP-44817".into(),
            model: "Grundfos CR 32".into(),
            account_name: "Northwind Foods".into(),
            site: "Leeds plant".into(),
            location: Some("Boiler room B".into()),
            install_date: Some("2021-04-12".into()),
            crm_asset_id: Some("02i000000000001AAA".into()),
            crm_account_id: None,
        }
    }

    #[test]
    fn references_are_short_stable_and_distinct() {
        let a = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        let b = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
        assert_eq!(intake_reference(&a), intake_reference(&a));
        assert_ne!(intake_reference(&a), intake_reference(&b));
        assert_eq!(intake_reference(&a).len(), "FC-XXXX-XXXX".len());
        assert!(intake_reference(&a).starts_with("FC-"));
    }

    #[test]
    fn further_reference_candidates_differ_and_are_stable() {
        let a = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        assert_eq!(intake_reference_candidate(&a, 0), intake_reference(&a));
        let all: std::collections::BTreeSet<String> =
            (0..8).map(|k| intake_reference_candidate(&a, k)).collect();
        assert_eq!(all.len(), 8, "{all:?}");
        assert_eq!(
            intake_reference_candidate(&a, 3),
            intake_reference_candidate(&a, 3)
        );
        assert!(all.iter().all(|r| r.len() == 12 && r.starts_with("FC-")));
    }

    #[test]
    fn context_overrides_forged_system_fields() {
        let schema = CaseSchema::salesforce_default();
        let id = Uuid::from_u128(42);
        let mut d = CaseDraft::default();
        d.set("AssetId", FieldValue::text("001FORGED000000AAA"));
        d.set("AccountId", FieldValue::text("001FORGED000000AAA"));
        d.set("Intake_Key__c", FieldValue::text("forged"));
        d.set("Origin", FieldValue::text("Phone"));
        d.apply_context(&schema, &asset(), &id);
        assert_eq!(
            d.get("AssetId"),
            Some(&FieldValue::text("02i000000000001AAA"))
        );
        assert_eq!(d.get("AccountId"), None, "unknown account id is left empty");
        assert_eq!(
            d.get("Intake_Key__c"),
            Some(&FieldValue::text(id.to_string()))
        );
        assert_eq!(d.get("Origin"), Some(&FieldValue::text("Web")));
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            "submitted",
            "in_review",
            "approved",
            "writing",
            "written",
            "needs_attention",
            "rejected",
            "returned",
        ] {
            assert_eq!(IntakeStatus::parse(s).map(IntakeStatus::as_str), Some(s));
        }
        assert_eq!(IntakeStatus::parse("nope"), None);
    }
}
