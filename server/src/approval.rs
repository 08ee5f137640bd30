//! Approval: the one seam between "an intake exists" and "it goes to the
//! CRM". [`approve`] runs inside the caller's transaction and, together,
//! moves the intake to `approved`, queues its write job, and records who
//! approved it — so an approved intake always has exactly one write job, and
//! a job never exists for an unapproved intake.
//!
//! Who approves is policy, and today's policy is simple: the technician's
//! Submit on the review screen approves ([`Approver::technician_submit`]).
//! When dispatcher review arrives, the submit path stops calling [`approve`]
//! and a dispatcher (or a rule) calls it instead, with their own actor kind.

use serde_json::json;
use sqlx::SqliteConnection;

use crate::store::{self, ActorKind, NewEvent};
use fieldcase_core::wire::IntakeStatus;

/// Who approved an intake, and how.
#[derive(Debug, Clone)]
pub struct Approver {
    pub actor_kind: ActorKind,
    /// A name for the audit trail (the person, the rule's name, …).
    pub actor: String,
    /// How the approval came about, e.g. `submit`.
    pub via: &'static str,
}

impl Approver {
    /// The technician who pressed Submit on the review screen.
    pub fn technician_submit(name: &str) -> Self {
        Approver {
            actor_kind: ActorKind::Technician,
            actor: name.trim().to_owned(),
            via: "submit",
        }
    }
}

/// Approve a submitted (or in-review) intake in `tx`: status `approved`, a
/// write job queued, an audit event. False (and nothing written) when the
/// intake is in no state to be approved.
pub async fn approve(
    tx: &mut SqliteConnection,
    intake_id: &str,
    approver: &Approver,
) -> Result<bool, sqlx::Error> {
    let moved = store::set_status(
        tx,
        intake_id,
        &[IntakeStatus::Submitted, IntakeStatus::InReview],
        IntakeStatus::Approved,
    )
    .await?;
    if !moved {
        return Ok(false);
    }
    store::enqueue_write(tx, intake_id).await?;
    store::insert_event(
        tx,
        intake_id,
        &NewEvent {
            actor_kind: approver.actor_kind,
            actor: approver.actor.clone(),
            kind: "approved",
            detail: json!({ "via": approver.via }),
        },
    )
    .await?;
    Ok(true)
}
