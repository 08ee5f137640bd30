//! The admin's policy: its versions (append-only, like the audit trail: a
//! change is a new row), what it decided for each intake at submission, and
//! the escalations it queued on the hand-off queue.

use fieldcase_core::console::PolicyNote;
use sqlx::FromRow;
use uuid::Uuid;

use super::audit::{Actor, record};
use super::handoffs::DeliveryState;
use super::{Store, Tx, now};

/// A saved version of the policy.
#[derive(Debug, Clone, FromRow)]
pub struct StoredPolicy {
    pub version: i64,
    pub document_json: String,
    pub author: String,
    pub created_at: String,
    pub diff_json: String,
}

/// What the policy needs of a stored intake to evaluate it again (the dry run).
#[derive(Debug, Clone, FromRow)]
pub struct PolicySample {
    pub id: String,
    pub reference: String,
    pub notes: String,
    pub fields_json: String,
    pub proposal_json: String,
    pub photo_count: i64,
    pub account_name: String,
    pub crm_account_id: Option<String>,
    /// An AI assistant proposed it (through the MCP front door).
    pub proposed_by_ai: bool,
}

/// An escalation for the hand-off queue: one delivery, as JSON.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub key: String,
    pub delivery_json: String,
    pub summary_json: String,
}

const SELECT: &str =
    "SELECT version, document_json, author, created_at, diff_json FROM policy_versions";

impl Store {
    /// The policy in force: the highest version, if any was ever saved.
    pub async fn current_policy(&self) -> Result<Option<StoredPolicy>, sqlx::Error> {
        sqlx::query_as(&format!("{SELECT} ORDER BY version DESC LIMIT 1"))
            .fetch_optional(&self.pool)
            .await
    }

    /// Saved versions, newest first.
    pub async fn policy_versions(&self, limit: u32) -> Result<Vec<StoredPolicy>, sqlx::Error> {
        sqlx::query_as(&format!("{SELECT} ORDER BY version DESC LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
    }

    /// Save `version` (one more than the version it was edited from) with
    /// its audit event, in one transaction. False when that version exists
    /// already: someone saved meanwhile, and nothing was written.
    pub async fn save_policy(
        &self,
        version: u32,
        document_json: &str,
        author: &Actor,
        diff_json: &str,
        audit_detail: &serde_json::Value,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO policy_versions (id, version, document_json, author, created_at, \
             diff_json) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(i64::from(version))
        .bind(document_json)
        .bind(&author.name)
        .bind(now())
        .bind(diff_json)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        record(&mut tx, author, "policy_changed", None, audit_detail).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The latest `limit` intakes, newest first, for a dry run.
    pub async fn policy_sample(&self, limit: u32) -> Result<Vec<PolicySample>, sqlx::Error> {
        sqlx::query_as(
            "SELECT i.id, i.reference, i.notes, i.fields_json, i.proposal_json, \
             (SELECT COUNT(*) FROM intake_photos p WHERE p.intake_id = i.id) AS photo_count, \
             a.account_name, a.crm_account_id, \
             EXISTS (SELECT 1 FROM mcp_proposals m WHERE m.intake_id = i.id) AS proposed_by_ai \
             FROM intakes i JOIN assets a ON a.id = i.asset_id \
             ORDER BY i.created_at DESC, i.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
    }

    /// What the policy said about an intake at submission.
    pub async fn policy_note(&self, intake_id: &str) -> Result<PolicyNote, sqlx::Error> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT policy_reasons_json, escalated_at FROM intakes WHERE id = $1")
                .bind(intake_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((reasons, escalated_at)) = row else {
            return Ok(PolicyNote::default());
        };
        let reasons = match reasons {
            Some(json) => serde_json::from_str(&json).map_err(|_| {
                sqlx::Error::Decode(format!("intakes.policy_reasons_json: {json:?}").into())
            })?,
            None => Vec::new(),
        };
        Ok(PolicyNote {
            reasons,
            escalated: escalated_at.is_some(),
            ..PolicyNote::default()
        })
    }
}

/// Record the policy's decision on an intake, in the submission's
/// transaction: why it waits (empty when a rule approved it) and whether it
/// was escalated.
pub async fn record_decision(
    tx: &mut Tx,
    intake_id: &str,
    reasons: &[String],
    escalated: bool,
) -> Result<(), sqlx::Error> {
    let reasons_json =
        serde_json::to_string(reasons).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "UPDATE intakes SET policy_reasons_json = $1, \
         escalated_at = CASE WHEN $2 THEN COALESCE(escalated_at, $3) ELSE escalated_at END \
         WHERE id = $4",
    )
    .bind(reasons_json)
    .bind(escalated)
    .bind(now())
    .bind(intake_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Queue escalation deliveries on the hand-off queue, in the submission's
/// transaction: sent by the hand-off worker before anyone reviews. Queued
/// once per intake, route and target (a resubmission escalates no twice).
pub async fn queue_escalations(
    tx: &mut Tx,
    intake_id: &str,
    escalations: &[Escalation],
) -> Result<(), sqlx::Error> {
    let at = now();
    for e in escalations {
        sqlx::query(
            "INSERT INTO handoff_deliveries (intake_id, delivery_key, delivery_json, \
             summary_json, state, attempts, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $6) \
             ON CONFLICT (intake_id, delivery_key) DO NOTHING",
        )
        .bind(intake_id)
        .bind(&e.key)
        .bind(&e.delivery_json)
        .bind(&e.summary_json)
        .bind(DeliveryState::Pending.as_str())
        .bind(&at)
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}
