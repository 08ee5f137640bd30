//! The hand-off queue: after a case is written, the routing rules select
//! deliveries (email, webhook); each is a row of a [`super::lease`] queue,
//! like the write queue's jobs, retried until delivered.

use std::time::Duration;

use fieldcase_core::wire::IntakeStatus;
use serde_json::json;
use sqlx::FromRow;

use super::intakes::{ActorKind, NewEvent, insert_event};
use super::lease::{Finish, LeaseQueue};
use super::{Store, after, now};

/// Where a delivery is. Decoded here; the rest of the server never sees the
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting, retrying, or being sent.
    Pending,
    /// Sent and recorded; never sent again. (A crash between the send and
    /// this record sends it again, with the same delivery id.)
    Delivered,
    /// Refused for good; a person must look at it.
    Failed,
}

impl DeliveryState {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// `handoff_deliveries` as a lease queue.
const QUEUE: LeaseQueue = LeaseQueue {
    table: "handoff_deliveries",
    key: &["intake_id", "delivery_key"],
    pending: DeliveryState::Pending.as_str(),
};

/// How a leased delivery's attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// A passing failure: try again after the wait.
    Retry {
        wait: Duration,
        error: String,
    },
    /// Refused for good.
    Failed {
        error: String,
    },
}

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
             WHERE i.status = $1 AND i.handoff_planned_at IS NULL \
             AND i.crm_case_id IS NOT NULL AND i.crm_case_number IS NOT NULL \
             AND i.crm_case_url IS NOT NULL \
             ORDER BY i.written_at, i.id LIMIT $2",
        )
        .bind(IntakeStatus::Written.as_str())
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
        let mut tx = self.write_tx().await?;
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
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $6) \
                 ON CONFLICT (intake_id, delivery_key) DO NOTHING",
            )
            .bind(intake_id)
            .bind(&d.key)
            .bind(&d.delivery_json)
            .bind(summary_json)
            .bind(DeliveryState::Pending.as_str())
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
        let mut conn = self.pool.acquire().await?;
        QUEUE
            .lease_next(
                &mut conn,
                owner,
                lease,
                "intake_id, delivery_key, delivery_json, summary_json, attempts",
            )
            .await
    }

    /// The heartbeat: `owner` is still sending; hold the delivery `lease`
    /// longer. False when it no longer holds it.
    pub async fn renew_delivery_lease(
        &self,
        job: &DeliveryJob,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        QUEUE
            .renew(
                &mut conn,
                &[&job.intake_id, &job.delivery_key],
                owner,
                lease,
            )
            .await
    }

    /// When the next pending delivery can be leased, if there is one.
    pub async fn next_delivery_due(&self) -> Result<Option<String>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        QUEUE.next_due(&mut conn).await
    }

    /// Record the outcome of a leased delivery. Fenced by the lease: a worker
    /// that lost its lease changes nothing.
    pub async fn finish_delivery(
        &self,
        job: &DeliveryJob,
        owner: &str,
        outcome: &DeliveryOutcome,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let (state, next, error, event) = match outcome {
            DeliveryOutcome::Delivered => (
                DeliveryState::Delivered,
                None,
                None,
                Some("handoff_delivered"),
            ),
            DeliveryOutcome::Retry { wait, error } => (
                DeliveryState::Pending,
                Some(after(*wait)),
                Some(error.as_str()),
                None,
            ),
            DeliveryOutcome::Failed { error } => (
                DeliveryState::Failed,
                None,
                Some(error.as_str()),
                Some("handoff_failed"),
            ),
        };
        let finish = Finish {
            state: state.as_str(),
            failed: !matches!(outcome, DeliveryOutcome::Delivered),
            next_attempt_at: next,
            error,
        };
        let key = [job.intake_id.as_str(), job.delivery_key.as_str()];
        let mut tx = self.write_tx().await?;
        if !QUEUE.finish(&mut tx, &key, owner, &finish).await? {
            return tx.rollback().await;
        }
        if state == DeliveryState::Delivered {
            sqlx::query(
                "UPDATE handoff_deliveries SET delivered_at = $1 \
                 WHERE intake_id = $2 AND delivery_key = $3",
            )
            .bind(&at)
            .bind(&job.intake_id)
            .bind(&job.delivery_key)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(kind) = event {
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

    /// An intake's deliveries: key, state and failed attempts, for tests
    /// and the operator.
    pub async fn deliveries(
        &self,
        intake_id: &str,
    ) -> Result<Vec<(String, DeliveryState, i64)>, sqlx::Error> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT delivery_key, state, attempts FROM handoff_deliveries \
             WHERE intake_id = $1 ORDER BY delivery_key",
        )
        .bind(intake_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(key, state, attempts)| {
                DeliveryState::parse(&state)
                    .map(|state| (key, state, attempts))
                    .ok_or_else(|| sqlx::Error::Decode(format!("delivery state {state:?}").into()))
            })
            .collect()
    }
}
