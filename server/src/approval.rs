//! Approval: the one seam between "an intake exists" and "it goes to the
//! CRM". [`approve`] runs inside the caller's transaction and, together,
//! moves the intake to `approved`, keeps the SHA-256 of exactly the fields
//! and photo set approved (on the intake and its write job), queues the
//! write, and records who or what approved — so an approved intake always has
//! exactly one write job, a job never exists for an unapproved intake, and
//! the write worker writes only what was approved (any later edit needs a
//! new approval).
//!
//! Who may approve is policy. Today only a person in the console does
//! ([`Approver::person`]); rules (a later issue) will call the same seam with
//! actor kind `rule`, and an AI assistant never can: [`Approver`] cannot be
//! made for actor kind `ai`.

use fieldcase_core::console::{ActorKind, StaffUser};

use crate::store::{self, Actor, Guarded, Tx};

/// Who approved an intake, and how. Made only by the constructors below.
#[derive(Debug, Clone)]
pub struct Approver {
    actor: Actor,
    /// How the approval came about: `console`, `bulk`, `rule`.
    via: &'static str,
    /// The policy version whose rule approved (recorded in the event).
    policy_version: Option<u32>,
}

impl Approver {
    /// A signed-in dispatcher or admin, from the console.
    pub fn person(user: &StaffUser, via: &'static str) -> Self {
        Approver {
            actor: Actor::new(ActorKind::from(user.role), user.email.clone()),
            via,
            policy_version: None,
        }
    }

    /// A named auto-approve rule of the admin's policy, at `version`.
    pub fn rule(name: &str, policy_version: u32) -> Self {
        Approver {
            actor: Actor::new(ActorKind::Rule, name),
            via: "rule",
            policy_version: Some(policy_version),
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// Approve a reviewable intake at `revision` (a rule passes `None`: it
/// approves what it just checked, in the same transaction). Returns the
/// approved content hash, or why not.
pub async fn approve(
    tx: &mut Tx,
    intake_id: &str,
    revision: Option<u32>,
    approver: &Approver,
) -> Result<Guarded<String>, sqlx::Error> {
    debug_assert!(approver.actor.kind != ActorKind::Ai);
    store::review::approve_intake(
        tx,
        intake_id,
        revision,
        &approver.actor,
        approver.via,
        approver.policy_version,
    )
    .await
}
