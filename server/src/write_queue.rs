//! The write worker: takes approved intakes from the queue and writes each to
//! Salesforce, exactly once.
//!
//! - It **leases** a due job (so instances never write one intake at once;
//!   a crashed worker's job comes back when its lease runs out), writes the
//!   case through the connector, and records the case on the intake in one
//!   transaction, fenced by the lease.
//! - The connector makes the write idempotent against Salesforce itself
//!   (upsert by the intake id; photos found by checksum before uploading), so
//!   a crash at any point — before Salesforce committed, after it, or after
//!   we heard back but before we recorded — ends, after a restart, with one
//!   case and each photo once.
//! - **Passing failures** (timeouts, dropped connections, 5xx,
//!   `REQUEST_LIMIT_EXCEEDED`) retry with exponential backoff and full
//!   jitter. **Refusals** (validation errors) put the intake in
//!   `needs_attention` with Salesforce's messages on its fields. **No
//!   connection** (not yet, or re-authorisation needed) leaves jobs waiting,
//!   uncounted, until an administrator connects.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fieldcase_core::{CaseSchema, FieldErrors, FieldValue};
use serde_json::json;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::config::Config;
use crate::failpoint;
use crate::photo::PhotoFiles;
use crate::salesforce::{
    AssetLinks, CaseWrite, PhotoFile, Salesforce, SalesforceError, case, rest,
};
use crate::store::{Store, WriteJob, WrittenCase, until};

/// Exponential backoff with full jitter: attempt `n` waits a uniformly random
/// time in `[0, min(cap, base · 2ⁿ)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    /// The bound for attempt `attempt` (0 for the first retry).
    pub fn bound(&self, attempt: u32) -> Duration {
        let factor = 2u32.checked_pow(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A random delay for attempt `attempt`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let bound = self.bound(attempt);
        let millis = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::random_range(0..=millis))
    }
}

/// The worker. [`Worker::run`] until told to stop.
#[derive(Debug, Clone)]
pub struct Worker {
    store: Store,
    salesforce: Salesforce,
    schema: Arc<CaseSchema>,
    files: PhotoFiles,
    retry: RetryPolicy,
    lease: Duration,
    poll: Duration,
    wake: Arc<Notify>,
    /// This worker's name on its leases.
    owner: String,
}

enum Step {
    Worked,
    Idle(Duration),
}

impl Worker {
    pub fn new(
        config: &Config,
        store: Store,
        salesforce: Salesforce,
        schema: Arc<CaseSchema>,
        files: PhotoFiles,
        wake: Arc<Notify>,
    ) -> Self {
        let w = &config.writes;
        Worker {
            store,
            salesforce,
            schema,
            files,
            retry: RetryPolicy {
                base: Duration::from_millis(w.retry_base_ms.max(1)),
                cap: Duration::from_millis(w.retry_max_ms.max(w.retry_base_ms).max(1)),
            },
            lease: Duration::from_secs(w.lease_secs.max(1)),
            poll: Duration::from_millis(w.poll_ms.max(10)),
            wake,
            owner: format!("worker-{}", Uuid::now_v7()),
        }
    }

    /// Work until `stop` turns true (checked between jobs).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(owner = %self.owner, "write worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let wait = match self.step().await {
                Ok(Step::Worked) => continue,
                Ok(Step::Idle(wait)) => wait,
                Err(e) => {
                    tracing::error!(error = %e, "write worker: database error; trying again soon");
                    self.poll
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!(owner = %self.owner, "write worker stopped");
    }

    async fn step(&self) -> Result<Step, sqlx::Error> {
        if !self.salesforce.is_ready().await? {
            return Ok(Step::Idle(self.poll));
        }
        let Some(job) = self.store.lease_write_job(&self.owner, self.lease).await? else {
            let wait = match self.store.next_write_due().await? {
                Some(at) => until(&at).min(self.poll),
                None => self.poll,
            };
            return Ok(Step::Idle(wait.max(Duration::from_millis(5))));
        };
        self.process(&job).await?;
        Ok(Step::Worked)
    }

    async fn process(&self, job: &WriteJob) -> Result<(), sqlx::Error> {
        let id = job.intake_id.as_str();
        let Some(intake) = self.store.intake_for_write(id).await? else {
            tracing::error!(intake_id = id, "write job for a missing intake");
            return self.store.release_write_job(id, &self.owner).await;
        };
        let values: BTreeMap<String, FieldValue> = match serde_json::from_str(&intake.fields_json) {
            Ok(values) => values,
            Err(_) => {
                return self
                    .needs_attention(
                        id,
                        problem("Case", "The stored fields are unreadable."),
                        "STORED_FIELDS",
                    )
                    .await;
            }
        };
        let mut photos = Vec::new();
        for (n, p) in intake.photos.iter().enumerate() {
            match tokio::fs::read(self.files.photo_path(&p.sha256)).await {
                Ok(bytes) => photos.push(PhotoFile::new(
                    &intake.reference,
                    n + 1,
                    &p.sha256,
                    &p.content_type,
                    bytes,
                )),
                Err(e) => {
                    tracing::error!(intake_id = id, sha256 = %p.sha256, error = %e, "a photo's file is missing");
                    let message = format!(
                        "Photo {} is missing from the server's storage; remove it or add it again.",
                        n + 1
                    );
                    return self
                        .needs_attention(
                            id,
                            problem(case::PHOTOS_KEY, &message),
                            "PHOTO_FILE_MISSING",
                        )
                        .await;
                }
            }
        }
        let write = CaseWrite {
            intake_id: id,
            schema: &self.schema,
            values: &values,
            links: AssetLinks {
                asset_id: intake.crm_asset_id.as_deref(),
                account_id: intake.crm_account_id.as_deref(),
            },
            photos,
        };
        // Finish (or give up) well within the lease, so nobody takes over a
        // write still in flight.
        let limit = self.lease.mul_f64(0.9);
        let outcome = match tokio::time::timeout(limit, self.salesforce.write_case(&write)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(SalesforceError::Transient(
                "the write took longer than its lease".into(),
            )),
        };
        match outcome {
            Ok(written) => {
                failpoint::hit("before_record");
                let case = WrittenCase {
                    case_id: written.case_id.clone(),
                    case_number: written.case_number.clone(),
                    case_url: written.case_url.clone(),
                    files: written.files.clone(),
                    detail: json!({
                        "case_id": written.case_id,
                        "case_number": written.case_number,
                        "created": written.created,
                        "photos_uploaded": written.uploaded,
                        "photos_already_there": written.already_there,
                        "api_calls": written.api_calls,
                        "attempts": job.attempts + 1,
                    }),
                };
                if self.store.record_written(id, &self.owner, &case).await? {
                    tracing::info!(
                        intake_id = id,
                        case_id = %written.case_id,
                        case_number = %written.case_number,
                        created = written.created,
                        photos_uploaded = written.uploaded,
                        photos_already_there = written.already_there,
                        api_calls = written.api_calls,
                        "case written to Salesforce"
                    );
                } else {
                    tracing::warn!(
                        intake_id = id,
                        "lease lost before recording; another worker records the case"
                    );
                }
                Ok(())
            }
            Err(SalesforceError::Transient(cause)) => {
                let attempt = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let delay = self.retry.delay(attempt);
                tracing::warn!(
                    intake_id = id,
                    cause,
                    attempt = attempt + 1,
                    retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "Salesforce write failed for now; retrying"
                );
                self.store
                    .retry_write_job(id, &self.owner, delay, &cause)
                    .await
            }
            Err(SalesforceError::Rejected(errors)) => {
                let summary = rest::summarize(&errors);
                let problems = case::problems(&self.schema.object, &errors);
                self.needs_attention(id, problems, &summary).await
            }
            Err(
                e @ (SalesforceError::NotConnected
                | SalesforceError::NotConfigured(_)
                | SalesforceError::NeedsReauthorization(_)
                | SalesforceError::Authorization(_)
                | SalesforceError::UnknownAuthorization),
            ) => {
                tracing::info!(intake_id = id, reason = %e, "write waits for a Salesforce connection");
                self.store.release_write_job(id, &self.owner).await
            }
            Err(SalesforceError::Store(e)) => {
                self.store.release_write_job(id, &self.owner).await?;
                Err(e)
            }
        }
    }

    async fn needs_attention(
        &self,
        id: &str,
        problems: FieldErrors,
        summary: &str,
    ) -> Result<(), sqlx::Error> {
        tracing::warn!(
            intake_id = id,
            error = summary,
            "Salesforce refused the case; it needs attention"
        );
        self.store
            .record_needs_attention(id, &self.owner, &problems, summary)
            .await
            .map(|_| ())
    }
}

fn problem(key: &str, message: &str) -> FieldErrors {
    let mut map = BTreeMap::new();
    map.insert(key.to_owned(), message.to_owned());
    FieldErrors(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_with_full_jitter() {
        let p = RetryPolicy {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(600),
        };
        assert_eq!(p.bound(0), Duration::from_secs(2));
        assert_eq!(p.bound(3), Duration::from_secs(16));
        assert_eq!(p.bound(20), Duration::from_secs(600));
        assert_eq!(p.bound(u32::MAX), Duration::from_secs(600));
        for attempt in 0..12 {
            assert!(p.delay(attempt) <= p.bound(attempt));
        }
        let spread: std::collections::BTreeSet<Duration> = (0..50).map(|_| p.delay(8)).collect();
        assert!(spread.len() > 10, "jittered: {spread:?}");
    }
}
