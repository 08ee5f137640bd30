//! The write queue. An approved intake gets one job (in the approval's
//! transaction); a worker leases the next due job (the intake turns
//! `writing`), writes the case, and records the outcome. The leasing is
//! [`super::lease`]'s, like the hand-off queue's: every change of a leased
//! job names its lease owner, so a worker whose lease ran out (and was taken
//! over) changes nothing.

use std::time::Duration;

use fieldcase_core::FieldErrors;
use fieldcase_core::wire::{IntakeStatus, WriteQueueCounts};
use serde_json::json;
use sqlx::{FromRow, SqliteConnection};

use super::intakes::{NewEvent, insert_event, set_status};
use super::lease::{Finish, LeaseQueue};
use super::{Store, after, now};

/// Where a write job is. Decoded here; the rest of the server never sees the
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteJobState {
    /// Waiting, retrying, or being written.
    Pending,
    /// The case is written and recorded.
    Done,
    /// The CRM refused it; a person must correct the intake.
    NeedsAttention,
}

impl WriteJobState {
    pub const fn as_str(self) -> &'static str {
        match self {
            WriteJobState::Pending => "pending",
            WriteJobState::Done => "done",
            WriteJobState::NeedsAttention => "needs_attention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            WriteJobState::Pending,
            WriteJobState::Done,
            WriteJobState::NeedsAttention,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// `write_jobs` as a lease queue.
const QUEUE: LeaseQueue = LeaseQueue {
    table: "write_jobs",
    key: &["intake_id"],
    pending: WriteJobState::Pending.as_str(),
};

/// A leased job.
#[derive(Debug, Clone, FromRow)]
pub struct WriteJob {
    pub intake_id: String,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// What writing an intake needs from the database.
#[derive(Debug, Clone)]
pub struct IntakeForWrite {
    pub id: String,
    pub reference: String,
    /// The validated fields, field API name → value (JSON object).
    pub fields_json: String,
    pub crm_asset_id: Option<String>,
    pub crm_account_id: Option<String>,
    pub photos: Vec<PhotoForWrite>,
    /// The fields and photos are exactly what the approval approved (its
    /// SHA-256 matches): only then may they be written.
    pub matches_approval: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct PhotoForWrite {
    pub sha256: String,
    pub content_type: String,
    pub position: i64,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy_m: Option<f64>,
}

impl PhotoForWrite {
    /// Where it was taken, when the technician switched location on for it.
    pub fn location(&self) -> Option<fieldcase_core::wire::GeoPoint> {
        Some(fieldcase_core::wire::GeoPoint {
            latitude: self.latitude?,
            longitude: self.longitude?,
            accuracy_m: self.accuracy_m?,
        })
    }
}

/// A case the CRM holds, to record on the intake.
#[derive(Debug, Clone)]
pub struct WrittenCase {
    pub case_id: String,
    pub case_number: String,
    pub case_url: String,
    /// Each photo's CRM file: (sha256, ContentVersion id).
    pub files: Vec<(String, String)>,
    /// For the audit trail.
    pub detail: serde_json::Value,
}

#[derive(FromRow)]
struct IntakeRow {
    id: String,
    reference: String,
    fields_json: String,
    crm_asset_id: Option<String>,
    crm_account_id: Option<String>,
}

fn decode_state(state: &str) -> Result<WriteJobState, sqlx::Error> {
    WriteJobState::parse(state)
        .ok_or_else(|| sqlx::Error::Decode(format!("write job state {state:?}").into()))
}

/// Queue an intake for writing, in the approval's transaction. Approving
/// twice queues once.
pub async fn enqueue_write(tx: &mut SqliteConnection, intake_id: &str) -> Result<(), sqlx::Error> {
    let at = now();
    sqlx::query(
        "INSERT INTO write_jobs (intake_id, state, attempts, next_attempt_at, created_at, \
         updated_at) VALUES ($1, $2, 0, $3, $4, $5) ON CONFLICT (intake_id) DO NOTHING",
    )
    .bind(intake_id)
    .bind(WriteJobState::Pending.as_str())
    .bind(&at)
    .bind(&at)
    .bind(&at)
    .execute(tx)
    .await?;
    Ok(())
}

impl Store {
    /// Lease the next due job for `lease`: a pending job whose time has come
    /// and that nobody holds (or whose holder's lease ran out — a crashed
    /// worker's job comes back this way). Its intake turns `writing` (from
    /// `approved`) in the same transaction.
    pub async fn lease_write_job(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<WriteJob>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let job: Option<WriteJob> = QUEUE
            .lease_next(&mut tx, owner, lease, "intake_id, attempts")
            .await?;
        if let Some(job) = &job {
            set_status(
                &mut tx,
                &job.intake_id,
                &[IntakeStatus::Approved],
                IntakeStatus::Writing,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(job)
    }

    /// The heartbeat: `owner` still works on the job; hold it `lease` longer.
    /// False when it no longer holds it.
    pub async fn renew_write_lease(
        &self,
        intake_id: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<bool, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        QUEUE.renew(&mut conn, &[intake_id], owner, lease).await
    }

    /// When the next pending job can be leased, if there is one.
    pub async fn next_write_due(&self) -> Result<Option<String>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        QUEUE.next_due(&mut conn).await
    }

    /// Give a job back without counting an attempt (e.g. no connection yet);
    /// its intake is `approved` again, waiting.
    pub async fn release_write_job(&self, intake_id: &str, owner: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.write_tx().await?;
        if QUEUE.release(&mut tx, &[intake_id], owner).await? {
            set_status(
                &mut tx,
                intake_id,
                &[IntakeStatus::Writing],
                IntakeStatus::Approved,
            )
            .await?;
        }
        tx.commit().await
    }

    /// A passing failure: count it, and try again after `delay`. The intake
    /// stays `writing`.
    pub async fn retry_write_job(
        &self,
        intake_id: &str,
        owner: &str,
        delay: Duration,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let finish = Finish {
            state: WriteJobState::Pending.as_str(),
            failed: true,
            next_attempt_at: Some(after(delay)),
            error: Some(error),
        };
        QUEUE
            .finish(&mut conn, &[intake_id], owner, &finish)
            .await?;
        Ok(())
    }

    /// The intake, its asset's CRM ids and its photos.
    pub async fn intake_for_write(
        &self,
        intake_id: &str,
    ) -> Result<Option<IntakeForWrite>, sqlx::Error> {
        let row: Option<IntakeRow> = sqlx::query_as(
            "SELECT i.id, i.reference, i.fields_json, a.crm_asset_id, a.crm_account_id \
             FROM intakes i JOIN assets a ON a.id = i.asset_id WHERE i.id = $1",
        )
        .bind(intake_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let photos: Vec<PhotoForWrite> = sqlx::query_as(
            "SELECT ip.sha256, p.content_type, ip.position, ip.latitude, ip.longitude, \
             ip.accuracy_m FROM intake_photos ip \
             JOIN photos p ON p.sha256 = ip.sha256 WHERE ip.intake_id = $1 ORDER BY ip.position",
        )
        .bind(intake_id)
        .fetch_all(&self.pool)
        .await?;
        let approved: Option<Option<String>> =
            sqlx::query_scalar("SELECT approved_hash FROM write_jobs WHERE intake_id = $1")
                .bind(intake_id)
                .fetch_optional(&self.pool)
                .await?;
        let shas: Vec<String> = photos.iter().map(|p| p.sha256.clone()).collect();
        // Jobs queued before approvals were hashed carry none.
        let matches_approval = match approved.flatten() {
            Some(hash) => hash == super::content_hash(&row.fields_json, &shas),
            None => true,
        };
        Ok(Some(IntakeForWrite {
            matches_approval,
            id: row.id,
            reference: row.reference,
            fields_json: row.fields_json,
            crm_asset_id: row.crm_asset_id,
            crm_account_id: row.crm_account_id,
            photos,
        }))
    }

    /// Record the written case on the intake (status `written`, from
    /// `writing` or `approved`), each photo's
    /// CRM file, the audit event, and close the job — all at once, and only
    /// while `owner` still holds the lease. False when it does not: another
    /// worker took the job over and records the same case itself.
    pub async fn record_written(
        &self,
        intake_id: &str,
        owner: &str,
        case: &WrittenCase,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let at = now();
        let finish = Finish {
            state: WriteJobState::Done.as_str(),
            failed: false,
            next_attempt_at: None,
            error: None,
        };
        if !QUEUE.finish(&mut tx, &[intake_id], owner, &finish).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE intakes SET status = $1, crm_case_id = $2, crm_case_number = $3, \
             crm_case_url = $4, written_at = $5, problems_json = NULL, crm_messages_json = NULL, \
             updated_at = $6 \
             WHERE id = $7",
        )
        .bind(IntakeStatus::Written.as_str())
        .bind(&case.case_id)
        .bind(&case.case_number)
        .bind(&case.case_url)
        .bind(&at)
        .bind(&at)
        .bind(intake_id)
        .execute(&mut *tx)
        .await?;
        for (sha256, version_id) in &case.files {
            sqlx::query(
                "UPDATE intake_photos SET crm_content_version_id = $1 \
                 WHERE intake_id = $2 AND sha256 = $3",
            )
            .bind(version_id)
            .bind(intake_id)
            .bind(sha256)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            &mut tx,
            intake_id,
            &NewEvent {
                actor_kind: super::ActorKind::System,
                actor: "salesforce-writer".into(),
                kind: "written",
                detail: case.detail.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The CRM refused the intake for a reason a person must fix: keep its
    /// messages on the intake (status `needs_attention`) and close the job.
    /// `problems` are fieldcase's words (the technician's receipt shows
    /// them), `crm_messages` the CRM's own (staff only). `error` is for the
    /// queue and the audit trail: codes and field names, no values.
    pub async fn record_needs_attention(
        &self,
        intake_id: &str,
        owner: &str,
        problems: &FieldErrors,
        crm_messages: &FieldErrors,
        error: &str,
    ) -> Result<bool, sqlx::Error> {
        let problems_json =
            serde_json::to_string(problems).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let crm_messages_json = (!crm_messages.is_empty())
            .then(|| serde_json::to_string(crm_messages))
            .transpose()
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let mut tx = self.write_tx().await?;
        let finish = Finish {
            state: WriteJobState::NeedsAttention.as_str(),
            failed: false,
            next_attempt_at: None,
            error: Some(error),
        };
        if !QUEUE.finish(&mut tx, &[intake_id], owner, &finish).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        set_status(
            &mut tx,
            intake_id,
            &[IntakeStatus::Approved, IntakeStatus::Writing],
            IntakeStatus::NeedsAttention,
        )
        .await?;
        sqlx::query("UPDATE intakes SET problems_json = $1, crm_messages_json = $2 WHERE id = $3")
            .bind(&problems_json)
            .bind(&crm_messages_json)
            .bind(intake_id)
            .execute(&mut *tx)
            .await?;
        let fields: Vec<&String> = problems.0.keys().collect();
        insert_event(
            &mut tx,
            intake_id,
            &NewEvent {
                actor_kind: super::ActorKind::System,
                actor: "salesforce-writer".into(),
                kind: "needs_attention",
                detail: json!({ "error": error, "fields": fields }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many jobs are where.
    pub async fn write_queue_counts(&self) -> Result<WriteQueueCounts, sqlx::Error> {
        let rows: Vec<(String, bool, i64)> = sqlx::query_as(
            "SELECT state, attempts > 0 AS retrying, COUNT(*) FROM write_jobs \
             GROUP BY state, attempts > 0",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counts = WriteQueueCounts::default();
        for (state, retrying, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match (WriteJobState::parse(&state), retrying) {
                (Some(WriteJobState::Pending), false) => counts.waiting += n,
                (Some(WriteJobState::Pending), true) => counts.retrying += n,
                (Some(WriteJobState::NeedsAttention), _) => counts.needs_attention += n,
                (Some(WriteJobState::Done), _) => counts.written += n,
                (None, _) => {}
            }
        }
        Ok(counts)
    }

    /// A job's state, failed attempts and last error, for tests and the
    /// operator.
    pub async fn write_job_state(
        &self,
        intake_id: &str,
    ) -> Result<Option<(WriteJobState, i64, Option<String>)>, sqlx::Error> {
        let row: Option<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT state, attempts, last_error FROM write_jobs WHERE intake_id = $1",
        )
        .bind(intake_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(state, attempts, error)| Ok((decode_state(&state)?, attempts, error)))
            .transpose()
    }

    /// Each photo of an intake and its CRM file, in display order.
    pub async fn intake_photo_files(
        &self,
        intake_id: &str,
    ) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT sha256, crm_content_version_id FROM intake_photos WHERE intake_id = $1 \
             ORDER BY position",
        )
        .bind(intake_id)
        .fetch_all(&self.pool)
        .await
    }
}
