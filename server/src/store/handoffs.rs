//! The hand-off queue: after a case is written, the routing rules select
//! deliveries (email, webhook); each is a leased row retried until delivered.

use std::time::Duration;

use serde_json::json;
use sqlx::FromRow;

use super::intakes::{ActorKind, NewEvent, insert_event};
use super::{Store, after, now};

/// A written intake whose deliveries have not been planned yet: what a
/// summary is made of.
#[derive(Debug, Clone, FromRow)]
pub struct WrittenIntake {
    pub id: String,
    pub reference: String,
    pub fields_json: String,
    pub crm_case_id: String,
    pub crm_case_number: String,
    pub crm_case_url: String,
    pub asset_name: String,
    pub account_name: String,
    pub photo_count: i64,
}

/// A planned delivery: its key, the delivery and the summary, as JSON.
#[derive(Debug, Clone)]
pub struct PlannedDelivery {
    pub key: String,
    pub delivery_json: String,
}

/// A leased delivery.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryJob {
    pub intake_id: String,
    pub delivery_key: String,
    pub delivery_json: String,
    pub summary_json: String,
    pub attempts: i64,
}

impl Store {
    /// Written intakes whose hand-off is not planned yet, oldest first.
    pub async fn written_without_handoff(
        &self,
        limit: i64,
    ) -> Result<Vec<WrittenIntake>, sqlx::Error> {
        sqlx::query_as(
            "SELECT i.id, i.reference, i.fields_json, i.crm_case_id, i.crm_case_number, \
             i.crm_case_url, a.name AS asset_name, a.account_name, \
             (SELECT COUNT(*) FROM intake_photos p WHERE p.intake_id = i.id) AS photo_count \
             FROM intakes i JOIN assets a ON a.id = i.asset_id \
             WHERE i.status = 'written' AND i.handoff_planned_at IS NULL \
             AND i.crm_case_id IS NOT NULL AND i.crm_case_number IS NOT NULL \
             AND i.crm_case_url IS NOT NULL \
             ORDER BY i.written_at, i.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Queue the selected deliveries and mark the intake planned, in one
    /// transaction: planning again (after a crash) queues nothing twice.
    pub async fn plan_handoff(
        &self,
        intake_id: &str,
        summary_json: &str,
        deliveries: &[PlannedDelivery],
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE intakes SET handoff_planned_at = $1 \
             WHERE id = $2 AND handoff_planned_at IS NULL",
        )
        .bind(&at)
        .bind(intake_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return tx.rollback().await;
        }
        for d in deliveries {
            sqlx::query(
                "INSERT INTO handoff_deliveries (intake_id, delivery_key, delivery_json, \
                 summary_json, state, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5) \
                 ON CONFLICT (intake_id, delivery_key) DO NOTHING",
            )
            .bind(intake_id)
            .bind(&d.key)
            .bind(&d.delivery_json)
            .bind(summary_json)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        let keys: Vec<&str> = deliveries.iter().map(|d| d.key.as_str()).collect();
        insert_event(
            &mut tx,
            intake_id,
            &NewEvent {
                actor_kind: ActorKind::Rule,
                actor: "handoff rules".into(),
                kind: "handoff_planned",
                detail: json!({ "deliveries": keys }),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Lease the next due delivery.
    pub async fn lease_delivery(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<DeliveryJob>, sqlx::Error> {
        let at = now();
        sqlx::query_as(
            "UPDATE handoff_deliveries SET lease_owner = $1, lease_until = $2, updated_at = $3 \
             WHERE (intake_id, delivery_key) = (SELECT intake_id, delivery_key \
                 FROM handoff_deliveries \
                 WHERE state = 'pending' AND next_attempt_at <= $3 \
                 AND (lease_until IS NULL OR lease_until < $3) \
                 ORDER BY next_attempt_at, intake_id, delivery_key LIMIT 1) \
             AND state = 'pending' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING intake_id, delivery_key, delivery_json, summary_json, attempts",
        )
        .bind(owner)
        .bind(after(lease))
        .bind(&at)
        .fetch_optional(&self.pool)
        .await
    }

    /// When the next pending delivery is due.
    pub async fn next_delivery_due(&self) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM handoff_deliveries WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Record the outcome of a leased delivery: `Ok(())` delivered,
    /// `Err((Some(wait), error))` retry later, `Err((None, error))` refused
    /// for good. Fenced by the lease: a worker that lost its lease changes
    /// nothing.
    pub async fn finish_delivery(
        &self,
        job: &DeliveryJob,
        owner: &str,
        outcome: Result<(), (Option<Duration>, String)>,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        let (state, next, error, kind) = match &outcome {
            Ok(()) => ("delivered", at.clone(), None, "handoff_delivered"),
            Err((Some(wait), e)) => ("pending", after(*wait), Some(e.as_str()), "handoff_retry"),
            Err((None, e)) => ("failed", at.clone(), Some(e.as_str()), "handoff_failed"),
        };
        let changed = sqlx::query(
            "UPDATE handoff_deliveries SET state = $1, next_attempt_at = $2, last_error = $3, \
             attempts = attempts + $4, delivered_at = $5, lease_owner = NULL, lease_until = NULL, \
             updated_at = $6 \
             WHERE intake_id = $7 AND delivery_key = $8 AND lease_owner = $9",
        )
        .bind(state)
        .bind(&next)
        .bind(error)
        .bind(i64::from(outcome.is_err()))
        .bind(outcome.is_ok().then_some(at.as_str()))
        .bind(&at)
        .bind(&job.intake_id)
        .bind(&job.delivery_key)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 && kind != "handoff_retry" {
            insert_event(
                &mut tx,
                &job.intake_id,
                &NewEvent {
                    actor_kind: ActorKind::System,
                    actor: "handoff worker".into(),
                    kind,
                    detail: json!({ "delivery": job.delivery_key, "error": error }),
                },
            )
            .await?;
        }
        tx.commit().await
    }
}
