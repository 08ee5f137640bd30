//! How the technician's work becomes a case: structuring's proposal merged
//! with their edits and details, validation as the server will do it, and
//! what Submit sends.
//!
//! The rules:
//! - once a person edits a field, structuring never overwrites it
//!   ([`merge`]); the technician's own details (name, email, phone) are one
//!   record, [`Technician`], shared by the notes screen and the review;
//! - asset-filled, system and hidden fields come from the context, whatever
//!   was edited ([`case_fields`]).

use std::collections::BTreeMap;

use fieldcase_core::schema::{FieldDef, Hint};
use fieldcase_core::structure::{self, Context, Proposal, Span};
use fieldcase_core::wire::{
    IntakeContext, IntakeSubmission, PhotoLocation, StructureResponse, Technician,
};
use fieldcase_core::{CaseDraft, CaseSchema, FieldErrors, FieldValue};
use serde::Deserialize;
use uuid::Uuid;

/// What the app sends with every call: the draft as it stands.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Input {
    #[serde(default)]
    pub notes: String,
    /// Fields the technician changed on the review screen: these win.
    #[serde(default)]
    pub edits: BTreeMap<String, FieldValue>,
    #[serde(default)]
    pub technician: Technician,
    /// The server's own messages from the last refused Submit.
    #[serde(default)]
    pub server_errors: FieldErrors,
    /// SHA-256 of each uploaded photo.
    #[serde(default)]
    pub photos: Vec<String>,
    /// The intake id (for a submission).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Where photos were taken, by SHA-256, for the photos the technician
    /// switched location on for (the app's `photos.js` keeps this map; an
    /// entry that is only a message, or of a photo no longer attached, is
    /// not sent).
    #[serde(default)]
    pub photo_locations: BTreeMap<String, RawLocation>,
    /// The server's proposal (Claude's, checked by the core), for the notes
    /// it was made for: used while the notes are still exactly those.
    #[serde(default)]
    pub server: Option<ServerProposal>,
}

/// [`Input::server`]: the server's answer as it came, and the notes it
/// answered.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerProposal {
    pub notes: String,
    pub answer: StructureResponse,
}

/// One entry of [`Input::photo_locations`], as the browser wrote it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct RawLocation {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy_m: Option<f64>,
}

/// The locations to send, in the photos' order.
pub fn photo_locations(input: &Input) -> Vec<PhotoLocation> {
    input
        .photos
        .iter()
        .filter_map(|sha| {
            let l = input.photo_locations.get(sha)?;
            Some(PhotoLocation {
                sha256: sha.clone(),
                latitude: l.latitude?,
                longitude: l.longitude?,
                accuracy_m: l.accuracy_m?,
            })
        })
        .collect()
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

    pub fn as_str(self) -> &'static str {
        match self {
            Detail::Name => "name",
            Detail::Email => "email",
            Detail::Phone => "phone",
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
    /// A language model proposed it, on the server (checked by the core).
    pub by_ai: bool,
}

/// The review: every schema field's value and where it came from, in
/// schema order.
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
                    by_ai: false,
                }
            } else {
                Proposed {
                    value: Some(FieldValue::text(v)),
                    origin: Origin::Technician,
                    confidence: 1.0,
                    by_ai: false,
                }
            }
        } else if let Some(v) = edits.get(&def.name).filter(|_| def.is_editable()) {
            Proposed {
                value: Some(v.clone()),
                origin: Origin::Edited,
                confidence: 1.0,
                by_ai: false,
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
                by_ai: p.proposed_by_ai,
            }
        } else {
            Proposed {
                value: None,
                origin: Origin::Empty,
                confidence: 0.0,
                by_ai: false,
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

/// Structure the notes (or take the server's proposal for exactly these
/// notes) and merge with the edits.
pub fn review(ctx: &IntakeContext, input: &Input) -> Review {
    let proposal = match &input.server {
        // Its spans are of the notes as the server cleaned them: only when
        // that changed nothing.
        Some(s)
            if s.answer.by == "ai"
                && s.notes == input.notes
                && fieldcase_core::text::clean(
                    &input.notes,
                    fieldcase_core::text::Lines::Multi,
                )
                .is_ok_and(|c| c == input.notes) =>
        {
            s.answer.proposal.clone()
        }
        _ => propose(ctx, &input.notes, &input.technician),
    };
    merge(
        &ctx.schema,
        &proposal,
        &input.edits,
        &clean_technician(&input.technician),
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
    input: &Input,
    review: &Review,
    id: Uuid,
) -> IntakeSubmission {
    IntakeSubmission {
        id,
        asset_token: ctx.asset.token.clone(),
        notes: input.notes.clone(),
        fields: case_fields(ctx, review, &id),
        technician: clean_technician(&input.technician),
        photos: input.photos.clone(),
        photo_locations: photo_locations(input),
    }
}

/// Validate the review as the server will (the id does not matter for that:
/// nil when there is none yet).
pub fn problems(ctx: &IntakeContext, review: &Review, id: Option<Uuid>) -> FieldErrors {
    match case_fields(ctx, review, &id.unwrap_or_default()).validate(&ctx.schema) {
        Ok(_) => FieldErrors::default(),
        Err(e) => e,
    }
}

/// The fields shown on the review screen, in schema order.
pub fn visible_fields(schema: &CaseSchema) -> impl Iterator<Item = &FieldDef> {
    schema.fields.iter().filter(|f| f.is_editable())
}

/// Every field in the order the review names its problems: the ones shown,
/// then the ones the technician cannot see.
pub fn problem_order(schema: &CaseSchema) -> impl Iterator<Item = &FieldDef> {
    visible_fields(schema).chain(schema.fields.iter().filter(|f| !f.is_editable()))
}

/// The first problem in the order the review shows the fields (then any
/// problem on a field the technician cannot see).
pub fn first_problem<'a>(schema: &'a CaseSchema, errors: &FieldErrors) -> Option<&'a str> {
    problem_order(schema)
        .find(|f| errors.get(&f.name).is_some())
        .map(|f| f.name.as_str())
}

#[cfg(test)]
mod tests {
    use fieldcase_core::AssetToken;
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
            server_structuring: false,
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
                    proposed_by_ai: false,
                })
                .collect(),
        }
    }

    fn edit(input: &mut Input, field: &str, value: FieldValue) {
        input.edits.insert(field.to_owned(), value);
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
        let mut d = Input::default();
        edit(&mut d, "Type", FieldValue::text("Electrical"));
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Type"), Some(&FieldValue::text("Electrical")));
        assert_eq!(r.get("Type").unwrap().origin, Origin::Edited);
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("High")));
        assert!(matches!(
            r.get("Priority").unwrap().origin,
            Origin::Notes(_)
        ));
        // A cleared field stays cleared, whatever the notes say.
        edit(&mut d, "Priority", FieldValue::text(""));
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("")));
        d.edits.remove("Priority");
        let r = merge(&schema, &p, &d.edits, &tech("Dana"));
        assert_eq!(r.value("Priority"), Some(&FieldValue::text("High")));
    }

    #[test]
    fn the_servers_proposal_is_used_only_for_the_notes_it_was_made_for() {
        let notes = "Tray overflowing, water on the floor";
        let mut p = proposal(&[(
            "Priority",
            "High",
            Source::Notes {
                spans: vec![Span::new(19, 36)],
            },
        )]);
        p.fields[0].proposed_by_ai = true;
        let mut input = Input {
            notes: notes.into(),
            server: Some(ServerProposal {
                notes: notes.into(),
                answer: StructureResponse {
                    by: "ai".into(),
                    proposal: p,
                },
            }),
            ..Input::default()
        };
        let r = review(&ctx(), &input);
        let priority = r.get("Priority").unwrap();
        assert!(priority.by_ai);
        assert_eq!(priority.value, Some(FieldValue::text("High")));
        let html = crate::html::src_html(
            ctx().schema.field("Priority").unwrap(),
            Some(priority),
            "water on the floor",
        );
        assert!(html.contains("AI-proposed"), "{html}");
        // Edits still win over it.
        edit(&mut input, "Priority", FieldValue::text("Low"));
        assert!(!review(&ctx(), &input).get("Priority").unwrap().by_ai);
        // The rules engine's answer is the phone's own: nothing marked.
        input.edits.clear();
        if let Some(s) = &mut input.server {
            s.answer.by = "rules".into();
        }
        assert!(review(&ctx(), &input).fields.iter().all(|(_, f)| !f.by_ai));
        if let Some(s) = &mut input.server {
            s.answer.by = "ai".into();
        }
        // The notes changed since: the phone's own engine, nothing marked.
        input.edits.clear();
        input.notes.push_str(", drain blocked");
        let r = review(&ctx(), &input);
        assert!(r.fields.iter().all(|(_, f)| !f.by_ai));
    }

    #[test]
    fn edits_cannot_set_hidden_or_asset_fields() {
        let c = ctx();
        let mut d = Input {
            technician: tech("Dana"),
            ..Input::default()
        };
        edit(&mut d, "AssetId", FieldValue::text("001FORGED000000AAA"));
        edit(&mut d, "Origin", FieldValue::text("Phone"));
        let r = review(&c, &d);
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
        let mut t = tech("  Dana Okafor ");
        t.phone = Some("+44 20 7946 0958".into());
        let d = Input {
            notes: "pump leaking".into(),
            technician: t,
            ..Input::default()
        };
        let r = review(&c, &d);
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
        let sub = submission(&c, &d, &r, Uuid::from_u128(9));
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
        let mut d = Input {
            technician: tech(""),
            ..Input::default()
        };
        edit(&mut d, "Subject", FieldValue::text(" "));
        let r = review(&c, &d);
        let errors = problems(&c, &r, None);
        assert_eq!(errors.get("Subject"), Some("Subject is required."));
        assert_eq!(errors.get("SuppliedName"), Some("Your name is required."));
        assert_eq!(first_problem(&c.schema, &errors), Some("Subject"));

        edit(&mut d, "Subject", FieldValue::text("Pump leaking at seal"));
        d.technician = tech("Dana");
        let r = review(&c, &d);
        assert!(
            problems(&c, &r, None).is_empty(),
            "{:?}",
            problems(&c, &r, None)
        );
    }

    #[test]
    fn a_double_at_email_and_a_line_break_are_refused_at_review() {
        let c = ctx();
        let mut d = Input {
            notes: "pump leaking".into(),
            technician: Technician {
                name: "Dana".into(),
                email: Some("a@b@c".into()),
                phone: None,
            },
            ..Input::default()
        };
        edit(&mut d, "Subject", FieldValue::text("Pump\nleaking"));
        let r = review(&c, &d);
        let errors = problems(&c, &r, None);
        assert!(
            errors
                .get("SuppliedEmail")
                .is_some_and(|m| m.contains("more than one @")),
            "{errors:?}"
        );
        assert!(
            errors
                .get("Subject")
                .is_some_and(|m| m.contains("single line")),
            "{errors:?}"
        );
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
