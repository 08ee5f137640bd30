//! "Answer and resend" (`OP_AMEND`): a returned report, as the server sent
//! it back (`SubmissionDetail`), becomes the phone's draft again — its notes,
//! photos and intake id, the dispatcher's question, and the fields the
//! technician sent that structuring its notes would not propose as they
//! were. Here rather than in the app, so none of it is in the first load;
//! the answer is the draft in the app's own saved format
//! (`app/src/draft.rs`, `Draft::from_saved`; the app's tests read it back).

use fieldcase_core::console::SubmissionDetail;
use fieldcase_core::text::fill;
use fieldcase_core::wire::{IntakeContext, IntakeStatus, Technician};
use fieldcase_i18n::t;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::review::{self, Detail, Input};

/// `OP_AMEND`'s input.
#[derive(Debug, Deserialize)]
pub struct AmendInput {
    /// `GET /assets/{token}/intakes/{id}`, as the server sent it.
    pub detail: SubmissionDetail,
    /// The details on this phone (empty name: none yet).
    #[serde(default)]
    pub technician: Technician,
}

/// `OP_AMEND`'s answer: a draft to load, or why there is none.
#[derive(Debug, Default, PartialEq, Serialize)]
pub struct AmendOut {
    /// The draft, in the app's saved format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    /// The report no longer waits for an answer: says so and what it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The details the report was sent with, when the phone has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technician: Option<Technician>,
}

pub fn amend(ctx: &IntakeContext, input: &AmendInput) -> AmendOut {
    let d = &input.detail;
    let s = &d.summary;
    if s.status != IntakeStatus::Returned {
        return AmendOut {
            message: Some(fill(
                t!("{} is no longer waiting for your answer: {}."),
                &[&s.reference, s.status.label()],
            )),
            ..AmendOut::default()
        };
    }
    let technician = if input.technician.name.trim().is_empty() {
        &d.technician
    } else {
        &input.technician
    };
    // What structuring makes of the notes: the fields that differ from it
    // stay as they were sent (an edit), the rest follow the notes.
    let proposed = review::review(
        ctx,
        &Input {
            notes: d.notes.clone(),
            technician: technician.clone(),
            ..Input::default()
        },
    );
    let mut edits = Map::new();
    for (name, value) in &d.fields.0 {
        let editable = ctx
            .schema
            .field(name)
            .is_some_and(|def| def.is_editable() && Detail::of(def).is_none());
        if editable && proposed.value(name) != Some(value) {
            edits.insert(name.clone(), json!(value));
        }
    }
    let photos: Vec<Value> = d
        .photos
        .iter()
        .map(|p| json!({ "sha256": p.sha256, "bytes": p.bytes }))
        .collect();
    let draft = json!({
        "notes": d.notes,
        "edits": edits,
        "photos": photos,
        "intake_id": s.id,
        "amend": { "reference": s.reference, "question": s.question.clone().unwrap_or_default() },
    });
    AmendOut {
        draft: Some(draft.to_string()),
        message: None,
        technician: input
            .technician
            .name
            .trim()
            .is_empty()
            .then(|| d.technician.clone()),
    }
}
