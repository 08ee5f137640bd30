//! The write worker: takes approved intakes from the queue and writes each to
//! Salesforce, exactly once.
//!
//! - It **leases** a due job (so instances never write one intake at once;
//!   a crashed worker's job comes back when its lease runs out, 30 s by
//!   default), turning the intake `writing`; **heartbeats** the lease while
//!   the write is in flight (so a slow but live write is never taken twice);
//!   writes the case through the connector, renewing the lease once more
//!   just before uploading photos (the fence: a worker whose lease was taken
//!   over uploads nothing); and records the case on the intake (`written`)
//!   in one transaction, fenced by the lease. The queue
//!   and the loop are the hand-off queue's too ([`crate::store::lease`],
//!   [`crate::worker`]).
//! - The connector makes the write idempotent against Salesforce itself
//!   (upsert by the intake id; photos found by checksum before uploading), so
//!   a crash at any point — before Salesforce committed, after it, or after
//!   we heard back but before we recorded — ends, after a restart, with one
//!   case and each photo once.
//! - **Passing failures** (timeouts, dropped connections, 5xx,
//!   `REQUEST_LIMIT_EXCEEDED`) retry with the one back-off policy
//!   ([`fieldcase_handoff::retry`]: exponential, full jitter); the intake
//!   stays `writing` meanwhile. **Refusals** (validation errors) put the intake in
//!   `needs_attention` with Salesforce's messages on its fields. **No
//!   connection** (not yet, or re-authorisation needed) leaves jobs waiting,
//!   uncounted and `approved`, until an administrator connects.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fieldcase_core::policy::Action;
use fieldcase_core::{CaseSchema, FieldErrors, FieldValue};
use fieldcase_handoff::Backoff;
use serde_json::json;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::config::Config;
use crate::failpoint;
use crate::photo::PhotoFiles;
use crate::salesforce::{
    AssetLinks, CaseWrite, PhotoFile, Salesforce, SalesforceError, case, rest,
};
use crate::store::{Store, WriteJob, WrittenCase};
use crate::worker::{self, Step};

/// The longest one write may take before it counts as a passing failure: a
/// last resort (each request has its own timeout), independent of the lease,
/// which the heartbeat holds meanwhile.
const WRITE_LIMIT: Duration = Duration::from_secs(300);

/// The worker. [`Worker::run`] until told to stop.
#[derive(Debug, Clone)]
pub struct Worker {
    store: Store,
    salesforce: Salesforce,
    schema: Arc<CaseSchema>,
    files: PhotoFiles,
    retry: Backoff,
    lease: Duration,
    poll: Duration,
    wake: Arc<Notify>,
    /// This worker's name on its leases.
    owner: String,
    /// The admin's policy: which actions and fields a write may use.
    policy: crate::policy::PolicyCell,
}

impl Worker {
    pub fn new(
        config: &Config,
        store: Store,
        salesforce: Salesforce,
        schema: Arc<CaseSchema>,
        files: PhotoFiles,
        wake: Arc<Notify>,
        policy: crate::policy::PolicyCell,
    ) -> Self {
        let w = &config.writes;
        Worker {
            store,
            salesforce,
            schema,
            files,
            retry: Backoff::from_millis(w.retry_base_ms, w.retry_max_ms),
            lease: Duration::from_secs(w.lease_secs.max(1)),
            poll: Duration::from_millis(w.poll_ms.max(10)),
            wake,
            owner: format!("worker-{}", Uuid::now_v7()),
            policy,
        }
    }

    /// Work until `stop` turns true (checked between jobs).
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let name = format!("write {}", self.owner);
        let (poll, wake) = (self.poll, self.wake.clone());
        worker::poll_loop(&name, || self.step(), poll, wake, stop).await;
    }

    async fn step(&self) -> Result<Step, sqlx::Error> {
        if !self.salesforce.is_ready().await? {
            return Ok(Step::Idle(self.poll));
        }
        let Some(job) = self.store.lease_write_job(&self.owner, self.lease).await? else {
            let due = self.store.next_write_due().await?;
            return Ok(worker::idle_until(due.as_deref(), self.poll));
        };
        let id = job.intake_id.as_str();
        worker::with_heartbeat(self.process(&job), self.lease, || {
            self.store.renew_write_lease(id, &self.owner, self.lease)
        })
        .await?;
        Ok(Step::Worked)
    }

    async fn process(&self, job: &WriteJob) -> Result<(), sqlx::Error> {
        let id = job.intake_id.as_str();
        let Some(intake) = self.store.intake_for_write(id).await? else {
            tracing::error!(intake_id = id, "write job for a missing intake");
            return self.store.release_write_job(id, &self.owner).await;
        };
        if !intake.matches_approval {
            tracing::error!(intake_id = id, "the intake differs from what was approved");
            return self
                .needs_attention(
                    id,
                    problem(
                        "Case",
                        "This intake changed after it was approved, so it was not written. \
                         Review it and approve it again.",
                    ),
                    "CHANGED_AFTER_APPROVAL",
                )
                .await;
        }
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
                // Sent without location or device metadata: the Checksum
                // (MD5) is of these bytes, the SHA-256 in PathOnClient stays
                // the stored original's, so a file already on the case is
                // still recognised either way.
                Ok(bytes) => photos.push(
                    PhotoFile::new(
                        &intake.reference,
                        n + 1,
                        &p.sha256,
                        &p.content_type,
                        crate::photo_strip::strip(&bytes),
                    )
                    .located(p.location()),
                ),
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
        // The policy in force when the write happens: an action it does not
        // allow is refused, a field it does not allow is left out.
        let policy = self.policy.get();
        if !policy.allows_case_write() {
            return self
                .needs_attention(
                    id,
                    problem(
                        "Case",
                        "The policy does not allow writing cases (create_case and upsert_case \
                         are both off); an admin must allow one before this intake can be \
                         written.",
                    ),
                    "POLICY_NO_CASE_WRITE",
                )
                .await;
        }
        if !policy.allows(Action::AttachFiles) && !photos.is_empty() {
            tracing::info!(
                intake_id = id,
                photos = photos.len(),
                "the policy does not allow attaching files; the photos stay in fieldcase"
            );
            photos.clear();
        }
        let write = CaseWrite {
            intake_id: id,
            reference: &intake.reference,
            schema: &self.schema,
            values: &values,
            links: AssetLinks {
                asset_id: intake.crm_asset_id.as_deref(),
                account_id: intake.crm_account_id.as_deref(),
            },
            photos,
            policy: &policy,
        };
        let still_ours = || self.store.renew_write_lease(id, &self.owner, self.lease);
        let outcome =
            match tokio::time::timeout(WRITE_LIMIT, self.salesforce.write_case(&write, still_ours))
                .await
            {
                Ok(outcome) => outcome,
                Err(_) => Err(SalesforceError::Transient("the write took too long".into())),
            };
        match outcome {
            Ok(written) => {
                failpoint::pause("before_record").await;
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
                let failures = u32::try_from(job.attempts + 1).unwrap_or(u32::MAX);
                let delay = self.retry.delay(failures, rand::random::<f64>());
                tracing::warn!(
                    intake_id = id,
                    cause,
                    attempt = failures,
                    retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "Salesforce write failed for now; retrying"
                );
                self.store
                    .retry_write_job(id, &self.owner, delay, &cause)
                    .await
            }
            Err(SalesforceError::Rejected(errors)) => {
                // Logged and audited: codes and field names only.
                let summary = rest::summarize(&errors);
                let refusal = case::refusal(&self.schema, &errors);
                self.needs_attention_with(id, refusal, &summary).await
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
            Err(SalesforceError::LeaseLost) => {
                // Fenced: the new holder writes the case and records it.
                tracing::warn!(
                    intake_id = id,
                    "lease lost before uploading; another worker writes the case"
                );
                Ok(())
            }
            Err(SalesforceError::Store(e)) => {
                self.store.release_write_job(id, &self.owner).await?;
                Err(e)
            }
        }
    }

    /// Our own refusal (no word of Salesforce's in it).
    async fn needs_attention(
        &self,
        id: &str,
        problems: FieldErrors,
        summary: &str,
    ) -> Result<(), sqlx::Error> {
        let refusal = case::Refusal {
            problems,
            crm_messages: FieldErrors::default(),
        };
        self.needs_attention_with(id, refusal, summary).await
    }

    async fn needs_attention_with(
        &self,
        id: &str,
        refusal: case::Refusal,
        summary: &str,
    ) -> Result<(), sqlx::Error> {
        tracing::warn!(
            intake_id = id,
            error = summary,
            "Salesforce refused the case; it needs attention"
        );
        self.store
            .record_needs_attention(
                id,
                &self.owner,
                &refusal.problems,
                &refusal.crm_messages,
                summary,
            )
            .await
            .map(|_| ())
    }
}

fn problem(key: &str, message: &str) -> FieldErrors {
    let mut map = BTreeMap::new();
    map.insert(key.to_owned(), message.to_owned());
    FieldErrors(map)
}
