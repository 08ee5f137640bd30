//! The write queue. An approved intake gets one job (in the approval's
//! transaction); a worker leases the next due job, writes the case, and
//! records the outcome. Every change of a leased job names its lease owner,
//! so a worker whose lease ran out (and was taken over) changes nothing.

use std::time::Duration;

use fieldcase_core::FieldErrors;
use fieldcase_core::wire::{IntakeStatus, WriteQueueCounts};
use serde_json::json;
use sqlx::{FromRow, SqliteConnection};

use super::intakes::{NewEvent, insert_event, set_status};
use super::{Store, after, now};

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
}

#[derive(Debug, Clone, FromRow)]
pub struct PhotoForWrite {
    pub sha256: String,
    pub content_type: String,
    pub position: i64,
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

/// Queue an intake for writing, in the approval's transaction. Approving
/// twice queues once.
pub async fn enqueue_write(tx: &mut SqliteConnection, intake_id: &str) -> Result<(), sqlx::Error> {
    let at = now();
    sqlx::query(
        "INSERT INTO write_jobs (intake_id, state, attempts, next_attempt_at, created_at, \
         updated_at) VALUES ($1, 'pending', 0, $2, $3, $4) ON CONFLICT (intake_id) DO NOTHING",
    )
    .bind(intake_id)
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
    /// worker's job comes back this way).
    pub async fn lease_write_job(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<WriteJob>, sqlx::Error> {
        let at = now();
        sqlx::query_as(
            "UPDATE write_jobs SET lease_owner = $1, lease_until = $2, updated_at = $3 \
             WHERE intake_id = (SELECT intake_id FROM write_jobs \
                 WHERE state = 'pending' AND next_attempt_at <= $3 \
                 AND (lease_until IS NULL OR lease_until < $3) \
                 ORDER BY next_attempt_at, intake_id LIMIT 1) \
             AND state = 'pending' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING intake_id, attempts",
        )
        .bind(owner)
        .bind(after(lease))
        .bind(&at)
        .fetch_optional(&self.pool)
        .await
    }

    /// When the next pending job falls due (it may be held by a lease until
    /// later), if there is one.
    pub async fn next_write_due(&self) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at \
             THEN lease_until ELSE next_attempt_at END) FROM write_jobs WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Give a job back without counting an attempt (e.g. no connection yet).
    pub async fn release_write_job(&self, intake_id: &str, owner: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE write_jobs SET lease_owner = NULL, lease_until = NULL, updated_at = $1 \
             WHERE intake_id = $2 AND lease_owner = $3",
        )
        .bind(now())
        .bind(intake_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A passing failure: count it, and try again after `delay`.
    pub async fn retry_write_job(
        &self,
        intake_id: &str,
        owner: &str,
        delay: Duration,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE write_jobs SET attempts = attempts + 1, next_attempt_at = $1, \
             lease_owner = NULL, lease_until = NULL, last_error = $2, updated_at = $3 \
             WHERE intake_id = $4 AND lease_owner = $5",
        )
        .bind(after(delay))
        .bind(error)
        .bind(now())
        .bind(intake_id)
        .bind(owner)
        .execute(&self.pool)
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
            "SELECT ip.sha256, p.content_type, ip.position FROM intake_photos ip \
             JOIN photos p ON p.sha256 = ip.sha256 WHERE ip.intake_id = $1 ORDER BY ip.position",
        )
        .bind(intake_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(IntakeForWrite {
            id: row.id,
            reference: row.reference,
            fields_json: row.fields_json,
            crm_asset_id: row.crm_asset_id,
            crm_account_id: row.crm_account_id,
            photos,
        }))
    }

    /// Record the written case on the intake (status `written`), each photo's
    /// CRM file, the audit event, and close the job — all at once, and only
    /// while `owner` still holds the lease. False when it does not: another
    /// worker took the job over and records the same case itself.
    pub async fn record_written(
        &self,
        intake_id: &str,
        owner: &str,
        case: &WrittenCase,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        let closed = sqlx::query(
            "UPDATE write_jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, \
             last_error = NULL, updated_at = $1 \
             WHERE intake_id = $2 AND lease_owner = $3 AND state = 'pending'",
        )
        .bind(&at)
        .bind(intake_id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if closed.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE intakes SET status = $1, crm_case_id = $2, crm_case_number = $3, \
             crm_case_url = $4, written_at = $5, problems_json = NULL, updated_at = $6 \
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
    /// `error` is for the queue and the audit trail: codes and field names,
    /// no values.
    pub async fn record_needs_attention(
        &self,
        intake_id: &str,
        owner: &str,
        problems: &FieldErrors,
        error: &str,
    ) -> Result<bool, sqlx::Error> {
        let problems_json =
            serde_json::to_string(problems).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let mut tx = self.pool.begin().await?;
        let at = now();
        let closed = sqlx::query(
            "UPDATE write_jobs SET state = 'needs_attention', lease_owner = NULL, \
             lease_until = NULL, last_error = $1, updated_at = $2 \
             WHERE intake_id = $3 AND lease_owner = $4 AND state = 'pending'",
        )
        .bind(error)
        .bind(&at)
        .bind(intake_id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if closed.rows_affected() != 1 {
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
        sqlx::query("UPDATE intakes SET problems_json = $1 WHERE id = $2")
            .bind(&problems_json)
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
            match (state.as_str(), retrying) {
                ("pending", false) => counts.waiting += n,
                ("pending", true) => counts.retrying += n,
                ("needs_attention", _) => counts.needs_attention += n,
                ("done", _) => counts.written += n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// A job's state and attempts, for tests and the operator.
    pub async fn write_job_state(
        &self,
        intake_id: &str,
    ) -> Result<Option<(String, i64, Option<String>)>, sqlx::Error> {
        sqlx::query_as("SELECT state, attempts, last_error FROM write_jobs WHERE intake_id = $1")
            .bind(intake_id)
            .fetch_optional(&self.pool)
            .await
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
