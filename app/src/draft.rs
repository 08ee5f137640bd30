//! The technician's work in progress, and how it becomes a case.
//!
//! Pure Rust, tested on the host. The browser layer (`storage`) only moves the
//! JSON made here in and out of `localStorage`.
//!
//! The rules:
//! - notes, edits, photo receipts and the pending intake id live in a
//!   [`Draft`], saved per asset token on every change;
//! - once a person edits a field, structuring never overwrites it
//!   ([`merge`]); the technician's own details (name, email, phone) are one
//!   record, [`Technician`], shared by the notes screen and the review;
//! - nothing here ever drops what a person typed: an unreadable saved draft
//!   is reported, not replaced.

use std::collections::BTreeMap;

use fieldcase_core::schema::{FieldDef, Hint};
use fieldcase_core::structure::{self, Context, Proposal, Span};
use fieldcase_core::wire::{IntakeContext, IntakeSubmission, Limits, Technician};
use fieldcase_core::{AssetToken, CaseDraft, CaseSchema, FieldErrors, FieldValue};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `localStorage` key of the technician's remembered details.
pub const TECHNICIAN_KEY: &str = "fieldcase.technician";

/// `localStorage` key of the draft for one asset.
pub fn draft_key(token: &AssetToken) -> String {
    let mut k = String::from("fieldcase.draft.");
    k.push_str(token.as_str());
    k
}

/// A photo the server has stored: its receipt, as much as the app needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPhoto {
    pub sha256: String,
    #[serde(default)]
    pub bytes: u64,
}

/// Everything typed or attached for one asset, not yet submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub notes: String,
    /// Fields the technician changed on the review screen: these win.
    #[serde(default)]
    pub edits: BTreeMap<String, FieldValue>,
    #[serde(default)]
    pub photos: Vec<SavedPhoto>,
    /// Made once, before the first Submit attempt; every retry reuses it.
    #[serde(default)]
    pub intake_id: Option<Uuid>,
    /// The technician was on the review screen.
    #[serde(default)]
    pub reviewing: bool,
}

impl Draft {
    /// Read a saved draft. `None` for nothing saved; `Err` keeps the unreadable
    /// text so the caller can set it aside instead of overwriting it.
    pub fn from_saved(saved: Option<&str>) -> Result<Draft, String> {
        match saved {
            None => Ok(Draft::default()),
            Some(s) => serde_json::from_str(s).map_err(|_| s.to_owned()),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Nothing worth keeping.
    pub fn is_empty(&self) -> bool {
        self.notes.trim().is_empty()
            && self.edits.is_empty()
            && self.photos.is_empty()
            && self.intake_id.is_none()
    }

    pub fn is_edited(&self, field: &str) -> bool {
        self.edits.contains_key(field)
    }

    /// Record a person's value for a field; structuring will not touch it again.
    pub fn edit(&mut self, field: &str, value: FieldValue) {
        self.edits.insert(field.to_owned(), value);
    }

    /// Give a field back to structuring.
    pub fn revert(&mut self, field: &str) {
        self.edits.remove(field);
    }

    /// The id for this intake: the saved one, or a new one made by `make`
    /// and saved. Every attempt at submitting the same draft uses the same id.
    pub fn intake_id_or(&mut self, make: impl FnOnce() -> Uuid) -> Uuid {
        *self.intake_id.get_or_insert_with(make)
    }

    pub fn photo_bytes(&self) -> u64 {
        self.photos.iter().map(|p| p.bytes).sum()
    }

    pub fn add_photo(&mut self, photo: SavedPhoto) {
        if !self.photos.iter().any(|p| p.sha256 == photo.sha256) {
            self.photos.push(photo);
        }
    }

    pub fn remove_photo(&mut self, sha256: &str) {
        self.photos.retain(|p| p.sha256 != sha256);
    }

    /// After a successful submit: start over (the technician's details are
    /// kept separately and survive).
    pub fn clear(&mut self) {
        *self = Draft::default();
    }
}

/// Read the remembered technician details; anything unreadable is no details.
pub fn technician_from_saved(saved: Option<&str>) -> Technician {
    saved
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

pub fn technician_to_json(t: &Technician) -> String {
    serde_json::to_string(t).unwrap_or_default()
}

/// The details as sent: trimmed, blank optional details left out.
pub fn clean_technician(t: &Technician) -> Technician {
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Technician {
        name: t.name.trim().to_owned(),
        email: opt(&t.email),
        phone: opt(&t.phone),
    }
}

/// Which of the technician's details a field shows, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Name,
    Email,
    Phone,
}

impl Detail {
    pub fn of(def: &FieldDef) -> Option<Detail> {
        if def.has_hint(Hint::TechnicianName) {
            Some(Detail::Name)
        } else if def.has_hint(Hint::TechnicianEmail) {
            Some(Detail::Email)
        } else if def.has_hint(Hint::TechnicianPhone) {
            Some(Detail::Phone)
        } else {
            None
        }
    }

    pub fn get(self, t: &Technician) -> &str {
        match self {
            Detail::Name => &t.name,
            Detail::Email => t.email.as_deref().unwrap_or(""),
            Detail::Phone => t.phone.as_deref().unwrap_or(""),
        }
    }

    pub fn set(self, t: &mut Technician, value: String) {
        match self {
            Detail::Name => t.name = value,
            Detail::Email => t.email = Some(value),
            Detail::Phone => t.phone = Some(value),
        }
    }
}

/// Where a field's value on the review screen came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// These words of the notes set it.
    Notes(Vec<Span>),
    Asset,
    /// The technician's details.
    Technician,
    /// The schema's default.
    Default,
    /// The technician changed it on the review screen.
    Edited,
    /// Nothing set it.
    Empty,
}

/// One field as the review shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposed {
    pub value: Option<FieldValue>,
    pub origin: Origin,
    /// 0.0–1.0; 1.0 for the technician's own values.
    pub confidence: f32,
}

/// The review: every schema field's value and where it came from, in
/// schema order. (A `Vec`, not a map: smaller in the browser, and schemas
/// have a few dozen fields at most.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    pub fields: Vec<(String, Proposed)>,
}

impl Review {
    pub fn get(&self, field: &str) -> Option<&Proposed> {
        self.fields.iter().find(|(k, _)| k == field).map(|(_, p)| p)
    }

    pub fn value(&self, field: &str) -> Option<&FieldValue> {
        self.get(field).and_then(|p| p.value.as_ref())
    }

    /// The values to send, before the server-side context is applied.
    pub fn to_case_draft(&self) -> CaseDraft {
        // A loop of inserts, not `collect()`: collecting into a BTreeMap
        // sorts, and the sort's code is a few KB of wasm.
        let mut draft = CaseDraft::default();
        for (k, p) in &self.fields {
            if let Some(v) = &p.value {
                draft.set(k.clone(), v.clone());
            }
        }
        draft
    }
}

/// Combine structuring's proposal with the technician's edits and details.
/// Edits win over the proposal for every field a person may edit; the
/// technician-detail fields always show the technician record.
pub fn merge(
    schema: &CaseSchema,
    proposal: &Proposal,
    edits: &BTreeMap<String, FieldValue>,
    tech: &Technician,
) -> Review {
    let mut fields = Vec::with_capacity(schema.fields.len());
    for def in &schema.fields {
        let proposed = if let Some(d) = Detail::of(def).filter(|_| def.is_editable()) {
            let v = d.get(tech).trim();
            if v.is_empty() {
                Proposed {
                    value: None,
                    origin: Origin::Empty,
                    confidence: 1.0,
                }
            } else {
                Proposed {
                    value: Some(FieldValue::text(v)),
                    origin: Origin::Technician,
                    confidence: 1.0,
                }
            }
        } else if let Some(v) = edits.get(&def.name).filter(|_| def.is_editable()) {
            Proposed {
                value: Some(v.clone()),
                origin: Origin::Edited,
                confidence: 1.0,
            }
        } else if let Some(p) = proposal.get(&def.name) {
            let origin = match &p.source {
                structure::Source::Notes { spans } => Origin::Notes(spans.clone()),
                structure::Source::Asset => Origin::Asset,
                structure::Source::Technician => Origin::Technician,
                structure::Source::Default => Origin::Default,
            };
            let confidence = if p.confidence.is_finite() {
                p.confidence.clamp(0.0, 1.0)
            } else {
                0.0
            };
            Proposed {
                value: Some(p.value.clone()),
                origin,
                confidence,
            }
        } else {
            Proposed {
                value: None,
                origin: Origin::Empty,
                confidence: 0.0,
            }
        };
        fields.push((def.name.clone(), proposed));
    }
    Review { fields }
}

/// Structure the notes (in the browser, no network).
pub fn propose(ctx: &IntakeContext, notes: &str, tech: &Technician) -> Proposal {
    let tech = clean_technician(tech);
    structure::structure(
        notes,
        Context {
            asset: &ctx.asset,
            technician: &tech,
        },
        &ctx.schema,
    )
}

/// Structure the notes and merge with the edits.
pub fn review(ctx: &IntakeContext, draft: &Draft, tech: &Technician) -> Review {
    let proposal = propose(ctx, &draft.notes, tech);
    merge(
        &ctx.schema,
        &proposal,
        &draft.edits,
        &clean_technician(tech),
    )
}

/// The fields exactly as they would be sent for `id`.
pub fn case_fields(ctx: &IntakeContext, review: &Review, id: &Uuid) -> CaseDraft {
    let mut fields = review.to_case_draft();
    fields.apply_context(&ctx.schema, &ctx.asset, id);
    fields
}

/// What Submit sends.
pub fn submission(
    ctx: &IntakeContext,
    draft: &Draft,
    tech: &Technician,
    review: &Review,
    id: Uuid,
) -> IntakeSubmission {
    IntakeSubmission {
        id,
        asset_token: ctx.asset.token.clone(),
        notes: draft.notes.clone(),
        fields: case_fields(ctx, review, &id),
        technician: clean_technician(tech),
        photos: draft.photos.iter().map(|p| p.sha256.clone()).collect(),
    }
}

/// Validate the review as the server will (the id does not matter for that).
pub fn problems(ctx: &IntakeContext, review: &Review, id: Option<Uuid>) -> FieldErrors {
    match case_fields(ctx, review, &id.unwrap_or(Uuid::nil())).validate(&ctx.schema) {
        Ok(_) => FieldErrors::default(),
        Err(e) => e,
    }
}

/// The fields shown on the review screen, in schema order.
pub fn visible_fields(schema: &CaseSchema) -> impl Iterator<Item = &FieldDef> {
    schema.fields.iter().filter(|f| f.is_editable())
}

/// The first problem in the order the review shows the fields (then any
/// problem on a field the technician cannot see).
pub fn first_problem<'a>(schema: &'a CaseSchema, errors: &FieldErrors) -> Option<&'a str> {
    visible_fields(schema)
        .chain(schema.fields.iter().filter(|f| !f.is_editable()))
        .find(|f| errors.get(&f.name).is_some())
        .map(|f| f.name.as_str())
}

/// Check a chosen file before uploading it; the message says what to do.
pub fn check_photo(
    limits: &Limits,
    photos_so_far: usize,
    bytes_so_far: u64,
    name: &str,
    bytes: u64,
) -> Result<(), String> {
    if photos_so_far >= limits.max_photos as usize {
        let mut m = String::from("You can attach up to ");
        m.push_str(&limits.max_photos.to_string());
        m.push_str(" photos; remove one to add ");
        m.push_str(name);
        m.push('.');
        return Err(m);
    }
    if bytes > limits.max_photo_bytes {
        let mut m = String::from(name);
        m.push_str(" is ");
        m.push_str(&megabytes(bytes));
        m.push_str("; a photo can be at most ");
        m.push_str(&megabytes(limits.max_photo_bytes));
        m.push_str(". Take it again at a lower resolution.");
        return Err(m);
    }
    if bytes_so_far.saturating_add(bytes) > limits.max_intake_photo_bytes {
        let mut m = String::from("The photos would add up to more than ");
        m.push_str(&megabytes(limits.max_intake_photo_bytes));
        m.push_str("; remove one before adding ");
        m.push_str(name);
        m.push('.');
        return Err(m);
    }
    Ok(())
}

/// `12.3 MB` (MiB, one decimal), without float formatting.
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes.saturating_mul(10) + (1 << 19)) >> 20;
    let mut s = (tenths / 10).to_string();
    if !tenths.is_multiple_of(10) {
        s.push('.');
        s.push_str(&(tenths % 10).to_string());
    }
    s.push_str(" MB");
    s
}

#[cfg(test)]
mod tests {
    use fieldcase_core::structure::{ProposedField, Source};
    use fieldcase_core::wire::{AssetView, Limits};

    use super::*;

    fn ctx() -> IntakeContext {
        IntakeContext {
            asset: AssetView {
                token: AssetToken::from_random_bytes([3; 12]),
                name: "Feed pump P-12".into(),
                serial_number: "GP-44817".into(),
                model: "Grundfos CR 32".into(),
                account_name: "Northwind Foods".into(),
                site: "Leeds plant".into(),
                location: None,
                install_date: None,
                crm_asset_id: Some("02i000000000001AAA".into()),
                crm_account_id: None,
            },
            schema: CaseSchema::salesforce_default(),
            limits: Limits::default(),
        }
    }

    fn tech(name: &str) -> Technician {
        Technician {
            name: name.into(),
            email: Some("  ".into()),
            phone: None,
        }
    }

    fn proposal(pairs: &[(&str, &str, Source)]) -> Proposal {
        Proposal {
            fields: pairs
                .iter()
                .map(|(f, v, s)| ProposedField {
                    field: (*f).into(),
                    value: FieldValue::text(*v),
                    source: s.clone(),
                    confidence: 0.9,
                })
                .collect(),
        }
    }

    #[test]
    fn edits_win_over_restructuring() {
        let schema = CaseSchema::salesforce_default();
        let notes_src = Source::Notes {
            spans: vec![Span::new(0, 4)],
        };
        let p = proposal(&[
            ("Type", "Mechanical", notes_src.clone()),
            ("Priority", "High", notes_src),
        ]);
        let mut d = Draft::default();
        d.edit("Type", FieldValue::text("Electrical"));
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Type"), Some(&FieldValue::text("Electrical")));
        assert_eq!(r.get("Type").unwrap().origin, Origin::Edited);
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("High")));
        assert!(matches!(
            r.get("Priority").unwrap().origin,
            Origin::Notes(_)
        ));
        // A cleared field stays cleared, whatever the notes say.
        d.edit("Priority", FieldValue::text(""));
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("")));
        d.revert("Priority");
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("High")));
    }

    #[test]
    fn edits_cannot_set_hidden_or_asset_fields() {
        let c = ctx();
        let mut d = Draft::default();
        d.edit("AssetId", FieldValue::text("001FORGED000000AAA"));
        d.edit("Origin", FieldValue::text("Phone"));
        let r = review(&c, &d, &tech("Dana"));
        let fields = case_fields(&c, &r, &Uuid::from_u128(7));
        assert_eq!(
            fields.get("AssetId"),
            Some(&FieldValue::text("02i000000000001AAA"))
        );
        assert_eq!(fields.get("Origin"), Some(&FieldValue::text("Web")));
    }

    #[test]
    fn technician_details_come_from_the_record() {
        let c = ctx();
        let d = Draft {
            notes: "pump leaking".into(),
            ..Draft::default()
        };
        let mut t = tech("  Dana Okafor ");
        Detail::Phone.set(&mut t, "+44 20 7946 0958".into());
        let r = review(&c, &d, &t);
        assert_eq!(
            r.value("SuppliedName"),
            Some(&FieldValue::text("Dana Okafor"))
        );
        assert_eq!(r.get("SuppliedName").unwrap().origin, Origin::Technician);
        assert_eq!(
            r.value("SuppliedPhone"),
            Some(&FieldValue::text("+44 20 7946 0958"))
        );
        assert_eq!(r.value("SuppliedEmail"), None, "a blank email is no email");
        let sub = submission(&c, &d, &t, &r, Uuid::from_u128(9));
        assert_eq!(sub.technician.name, "Dana Okafor");
        assert_eq!(sub.technician.email, None);
        assert_eq!(
            sub.fields.get("Intake_Key__c"),
            Some(&FieldValue::text(Uuid::from_u128(9).to_string()))
        );
    }

    #[test]
    fn problems_name_missing_fields_and_order_them_as_shown() {
        let c = ctx();
        let mut d = Draft::default();
        d.edit("Subject", FieldValue::text(" "));
        let r = review(&c, &d, &tech(""));
        let errors = problems(&c, &r, None);
        assert_eq!(errors.get("Subject"), Some("Subject is required."));
        assert_eq!(errors.get("SuppliedName"), Some("Your name is required."));
        assert_eq!(first_problem(&c.schema, &errors), Some("Subject"));

        d.edit("Subject", FieldValue::text("Pump leaking at seal"));
        let r = review(&c, &d, &tech("Dana"));
        assert!(
            problems(&c, &r, None).is_empty(),
            "{:?}",
            problems(&c, &r, None)
        );
    }

    #[test]
    fn the_intake_id_is_made_once_and_survives_a_reload() {
        let mut d = Draft::default();
        let first = d.intake_id_or(|| Uuid::from_u128(1));
        let again = d.intake_id_or(|| Uuid::from_u128(2));
        assert_eq!(first, again);
        let reloaded = Draft::from_saved(Some(&d.to_json())).unwrap();
        assert_eq!(reloaded.intake_id, Some(first));
    }

    #[test]
    fn saved_drafts_round_trip_and_bad_ones_are_not_dropped() {
        let mut d = Draft {
            notes: "smoke near motor".into(),
            reviewing: true,
            ..Draft::default()
        };
        d.edit("Type", FieldValue::text("Electrical"));
        d.add_photo(SavedPhoto {
            sha256: "ab".into(),
            bytes: 10,
        });
        d.add_photo(SavedPhoto {
            sha256: "ab".into(),
            bytes: 10,
        });
        assert_eq!(d.photos.len(), 1);
        assert_eq!(Draft::from_saved(Some(&d.to_json())), Ok(d.clone()));
        assert_eq!(Draft::from_saved(None), Ok(Draft::default()));
        assert_eq!(
            Draft::from_saved(Some("{\"notes\":")),
            Err("{\"notes\":".to_owned())
        );
        // Older or partial saves still load.
        assert_eq!(
            Draft::from_saved(Some(r#"{"notes":"x"}"#)).unwrap().notes,
            "x"
        );
        d.remove_photo("ab");
        assert!(d.photos.is_empty());
        assert!(!d.is_empty());
        d.clear();
        assert!(d.is_empty());
    }

    #[test]
    fn technician_details_are_remembered() {
        let t = Technician {
            name: "Dana".into(),
            email: Some("d@example.com".into()),
            phone: None,
        };
        assert_eq!(technician_from_saved(Some(&technician_to_json(&t))), t);
        assert_eq!(
            technician_from_saved(Some("nonsense")),
            Technician::default()
        );
        assert_eq!(technician_from_saved(None), Technician::default());
    }

    #[test]
    fn photo_checks_say_what_to_do() {
        let l = Limits {
            max_photos: 2,
            max_photo_bytes: 15 << 20,
            max_intake_photo_bytes: 20 << 20,
            ..Limits::default()
        };
        assert!(check_photo(&l, 0, 0, "a.jpg", 1 << 20).is_ok());
        let m = check_photo(&l, 2, 0, "a.jpg", 1).unwrap_err();
        assert!(m.contains("up to 2 photos"), "{m}");
        let m = check_photo(&l, 0, 0, "big.jpg", 18 << 20).unwrap_err();
        assert_eq!(
            m,
            "big.jpg is 18 MB; a photo can be at most 15 MB. Take it again at a lower resolution."
        );
        let m = check_photo(&l, 1, 14 << 20, "c.jpg", 7 << 20).unwrap_err();
        assert!(m.contains("more than 20 MB"), "{m}");
        assert_eq!(megabytes(1_572_864), "1.5 MB");
        assert_eq!(megabytes(0), "0 MB");
    }

    #[test]
    fn default_proposals_keep_their_origin_and_confidence_is_clamped() {
        let schema = CaseSchema::salesforce_default();
        let mut p = proposal(&[("Type", "Other", Source::Default)]);
        p.fields[0].confidence = f32::NAN;
        let r = merge(&schema, &p, &BTreeMap::new(), &Technician::default());
        assert_eq!(r.get("Type").unwrap().origin, Origin::Default);
        assert_eq!(r.get("Type").unwrap().confidence, 0.0);
        assert_eq!(r.get("Error_Code__c").unwrap().origin, Origin::Empty);
    }
}
