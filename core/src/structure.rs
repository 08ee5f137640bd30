//! Structuring: messy technician notes → a proposed value for each schema
//! field, each with where it came from and how sure we are.
//!
//! Runs in the browser as the technician types (no network) and again on the
//! server, which keeps its own proposal for the audit trail.

use serde::{Deserialize, Serialize};

use crate::schema::{CaseSchema, Hint};
use crate::validate::{CaseDraft, FieldValue};
use crate::wire::{AssetView, Technician};

/// A byte range of the notes, `start..end`, on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start: start as u32, end: end as u32 }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where a proposed value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Words in the notes set it; the spans are what the review highlights.
    Notes { spans: Vec<Span> },
    /// The scanned asset's record.
    Asset,
    /// The technician's remembered details.
    Technician,
    /// The schema's default: nothing in the notes said otherwise.
    Default,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedField {
    pub field: String,
    pub value: FieldValue,
    pub source: Source,
    /// 0.0–1.0.
    pub confidence: f32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub fields: Vec<ProposedField>,
}

impl Proposal {
    pub fn get(&self, field: &str) -> Option<&ProposedField> {
        self.fields.iter().find(|f| f.field == field)
    }

    /// The proposal as a draft a person can edit.
    pub fn to_draft(&self) -> CaseDraft {
        CaseDraft(
            self.fields
                .iter()
                .map(|f| (f.field.clone(), f.value.clone()))
                .collect(),
        )
    }
}

/// What structuring knows besides the notes.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub asset: &'a AssetView,
    pub technician: &'a Technician,
}

/// Propose a value for every field the schema lets the notes or the context set.
pub fn structure(notes: &str, ctx: Context<'_>, schema: &CaseSchema) -> Proposal {
    let mut fields = Vec::new();
    for def in &schema.fields {
        let proposed = if let Some(attr) = def.from_asset {
            ctx.asset.attr(attr).map(|v| (FieldValue::text(v), Source::Asset, 1.0))
        } else if def.has_hint(Hint::Notes) && !notes.trim().is_empty() {
            Some((
                FieldValue::text(notes.trim()),
                Source::Notes { spans: vec![Span::new(0, notes.len())] },
                1.0,
            ))
        } else if def.has_hint(Hint::TechnicianName) && !ctx.technician.name.trim().is_empty() {
            Some((FieldValue::text(ctx.technician.name.trim()), Source::Technician, 1.0))
        } else {
            def.default.clone().map(|v| (v, Source::Default, 0.3))
        };
        if let Some((value, source, confidence)) = proposed {
            fields.push(ProposedField { field: def.name.clone(), value, source, confidence });
        }
    }
    Proposal { fields }
}
