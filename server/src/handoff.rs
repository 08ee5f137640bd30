//! Hand-off: after a case is written to Salesforce, a summary goes to the
//! people the routing rules select — by email over SMTP and by signed JSON
//! webhook — retried until delivered.
//!
//! The mechanics (rules, rendering, signing, sending, back-off) live in the
//! `fieldcase-handoff` crate; this module owns the queue: it plans the
//! deliveries of each newly written intake (in one transaction, so a crash
//! never plans twice), then leases due deliveries (the same lease queue,
//! loop and heartbeat as the write queue: [`crate::store::lease`],
//! [`crate::worker`]) and records each outcome, fenced by the lease. A
//! delivery is sent **at least once, with one delivery id**: a crash after
//! the send and before the record sends it again (same id, so receivers
//! dedupe); once recorded delivered it is never sent again. Passing failures retry
//! without limit (the one back-off policy, `Retry-After` honoured); refusals
//! are recorded as `failed` for a person to look at.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use fieldcase_core::{CaseSchema, FieldValue};
use fieldcase_handoff::{
    CaseSummary, Delivery, Dispatcher, EmailConfig, EmailSender, RetryPolicy, Rules, Secrets,
    TlsMode, WebhookSender,
};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::config::Secret;
use crate::store::{DeliveryJob, DeliveryOutcome, PlannedDelivery, Store, WrittenIntake};
use crate::worker::{self, Step};

/// Hand-off settings: the routing rules and the SMTP server.
#[derive(Debug, Clone, Args)]
pub struct HandoffArgs {
    /// A JSON file of routing rules (see handoff/rules.example.json). Without
    /// one, written cases are handed off nowhere.
    #[arg(long = "handoff-rules", env = "FIELDCASE_HANDOFF_RULES", global = true)]
    pub rules: Option<PathBuf>,
    /// The SMTP server's host, for routes that send email.
    #[arg(long = "smtp-host", env = "FIELDCASE_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    #[arg(
        long = "smtp-port",
        env = "FIELDCASE_SMTP_PORT",
        default_value_t = 587,
        global = true
    )]
    pub smtp_port: u16,
    /// none, starttls or tls.
    #[arg(
        long = "smtp-tls",
        env = "FIELDCASE_SMTP_TLS",
        default_value = "starttls",
        global = true
    )]
    pub smtp_tls: String,
    /// The sender, e.g. `fieldcase <fieldcase@example.com>`.
    #[arg(
        long = "smtp-from",
        env = "FIELDCASE_SMTP_FROM",
        default_value = "fieldcase <fieldcase@localhost>",
        global = true
    )]
    pub smtp_from: String,
    #[arg(long = "smtp-username", env = "FIELDCASE_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,
    #[arg(
        long = "smtp-password",
        env = "FIELDCASE_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub smtp_password: Option<Secret>,
    /// A file of `NAME=value` lines holding the webhook signing secrets the
    /// rules name (`secret_env`); a name not in the file is read from the
    /// environment.
    #[arg(
        long = "handoff-secrets-file",
        env = "FIELDCASE_HANDOFF_SECRETS_FILE",
        global = true
    )]
    pub secrets_file: Option<PathBuf>,
    /// The first retry's ceiling, in milliseconds (exponential with full jitter).
    #[arg(
        long = "handoff-retry-base-ms",
        env = "FIELDCASE_HANDOFF_RETRY_BASE_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub handoff_retry_base_ms: u64,
    /// The largest wait between retries, in milliseconds.
    #[arg(
        long = "handoff-retry-max-ms",
        env = "FIELDCASE_HANDOFF_RETRY_MAX_MS",
        default_value_t = 900_000,
        global = true
    )]
    pub handoff_retry_max_ms: u64,
    /// How often the queue is looked at when idle, in milliseconds.
    #[arg(
        long = "handoff-poll-ms",
        env = "FIELDCASE_HANDOFF_POLL_MS",
        default_value_t = 1_000,
        global = true
    )]
    pub handoff_poll_ms: u64,
    /// The longest one delivery (an SMTP conversation, a webhook call) may take.
    #[arg(
        long = "handoff-timeout-secs",
        env = "FIELDCASE_HANDOFF_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub handoff_timeout_secs: u64,
}

/// The hand-off worker.
pub struct HandoffWorker {
    store: Store,
    rules: Rules,
    dispatcher: Dispatcher,
    retry: RetryPolicy,
    poll: Duration,
    lease: Duration,
    wake: Arc<Notify>,
    owner: String,
}

impl HandoffWorker {
    /// Read and check the rules against the schema, and configure the
    /// channels they use. Every problem is said at start-up, not at the
    /// first written case. `lease` is how long a delivery is held without a
    /// heartbeat (the write queue's lease).
    pub fn from_args(
        args: &HandoffArgs,
        schema: &CaseSchema,
        store: Store,
        lease: Duration,
    ) -> Result<Self, String> {
        let rules = match &args.rules {
            None => Rules::none(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("the hand-off rules file {}: {e}", path.display()))?;
                let rules = Rules::from_json(&text)
                    .map_err(|e| format!("the hand-off rules file {}: {e}", path.display()))?;
                rules
                    .check_against(schema)
                    .map_err(|e| format!("the hand-off rules file {}: {e}", path.display()))?;
                rules
            }
        };
        let timeout = Duration::from_secs(args.handoff_timeout_secs.max(1));
        let email = match &args.smtp_host {
            None => None,
            Some(host) => {
                let tls: TlsMode = args.smtp_tls.parse().map_err(|e| format!("{e}"))?;
                let config = EmailConfig {
                    host: host.clone(),
                    port: args.smtp_port,
                    from: args.smtp_from.clone(),
                    username: args.smtp_username.clone(),
                    password: args.smtp_password.as_ref().map(|p| p.expose().to_owned()),
                    tls,
                    timeout,
                    hello_name: None,
                };
                Some(EmailSender::new(&config).map_err(|e| format!("SMTP settings: {e}"))?)
            }
        };
        let from_file = match &args.secrets_file {
            None => BTreeMap::new(),
            Some(path) => read_secrets(path)?,
        };
        let secrets = Secrets::from_lookup(&rules, |name| {
            from_file
                .get(name)
                .cloned()
                .or_else(|| std::env::var(name).ok())
        })
        .map_err(|e| format!("hand-off secrets: {e}"))?;
        let webhook = WebhookSender::new(timeout).map_err(|e| format!("webhooks: {e}"))?;
        let dispatcher = Dispatcher::new(&rules, email, webhook, secrets)
            .map_err(|e| format!("hand-off: {e}"))?;
        Ok(HandoffWorker {
            store,
            rules,
            dispatcher,
            retry: RetryPolicy {
                base: Duration::from_millis(args.handoff_retry_base_ms.max(1)),
                cap: Duration::from_millis(
                    args.handoff_retry_max_ms
                        .max(args.handoff_retry_base_ms)
                        .max(1),
                ),
                ..RetryPolicy::default()
            },
            poll: Duration::from_millis(args.handoff_poll_ms.max(10)),
            lease: lease.max(Duration::from_secs(1)),
            wake: Arc::new(Notify::new()),
            owner: format!("handoff-{}", Uuid::now_v7()),
        })
    }

    /// The routing rules (the policy's escalation names a webhook route).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Work until `stop` turns true.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        tracing::info!(routes = self.rules.routes().len(), "hand-off routes loaded");
        let name = format!("hand-off {}", self.owner);
        let (poll, wake) = (self.poll, self.wake.clone());
        worker::poll_loop(&name, || self.step(), poll, wake, stop).await;
    }

    /// One unit of work: plan one written intake's deliveries, or send one.
    async fn step(&self) -> Result<Step, sqlx::Error> {
        if let Some(intake) = self
            .store
            .written_without_handoff(1)
            .await?
            .into_iter()
            .next()
        {
            self.plan(&intake).await?;
            return Ok(Step::Worked);
        }
        let Some(job) = self.store.lease_delivery(&self.owner, self.lease).await? else {
            let due = self.store.next_delivery_due().await?;
            return Ok(worker::idle_until(due.as_deref(), self.poll));
        };
        worker::with_heartbeat(self.deliver(&job), self.lease, || {
            self.store
                .renew_delivery_lease(&job, &self.owner, self.lease)
        })
        .await?;
        Ok(Step::Worked)
    }

    async fn plan(&self, intake: &WrittenIntake) -> Result<(), sqlx::Error> {
        let summary = summary_of(intake);
        let deliveries: Vec<PlannedDelivery> = self
            .rules
            .select(&summary)
            .iter()
            .filter_map(|d| {
                Some(PlannedDelivery {
                    key: d.delivery_key(),
                    delivery_json: serde_json::to_string(d).ok()?,
                })
            })
            .collect();
        let summary_json = serde_json::to_string(&summary).unwrap_or_default();
        tracing::info!(
            intake_id = %intake.id,
            case_number = %intake.crm_case_number,
            deliveries = deliveries.len(),
            "hand-off planned"
        );
        self.store
            .plan_handoff(&intake.id, &summary_json, &deliveries)
            .await
    }

    async fn deliver(&self, job: &DeliveryJob) -> Result<(), sqlx::Error> {
        let parsed = serde_json::from_str::<Delivery>(&job.delivery_json)
            .ok()
            .zip(serde_json::from_str::<CaseSummary>(&job.summary_json).ok());
        let outcome = match parsed {
            None => DeliveryOutcome::Failed {
                error: "the queued delivery is unreadable".to_owned(),
            },
            Some((delivery, summary)) => match self.dispatcher.deliver(&summary, &delivery).await {
                Ok(()) => {
                    // Sent, not yet recorded: a crash here sends it again,
                    // with the same delivery id (at least once).
                    crate::failpoint::hit(match delivery.channel.kind() {
                        "email" => "after_handoff_sent_email",
                        _ => "after_handoff_sent_webhook",
                    });
                    DeliveryOutcome::Delivered
                }
                Err(e) => {
                    let failures = u32::try_from(job.attempts + 1).unwrap_or(u32::MAX);
                    let error = e.message().to_owned();
                    match self.retry.delay(failures, &e, rand::random::<f64>()) {
                        Some(wait) => DeliveryOutcome::Retry { wait, error },
                        None => DeliveryOutcome::Failed { error },
                    }
                }
            },
        };
        match &outcome {
            DeliveryOutcome::Delivered => {
                tracing::info!(intake_id = %job.intake_id, delivery = %job.delivery_key, "handed off")
            }
            DeliveryOutcome::Retry { wait, error } => tracing::warn!(
                intake_id = %job.intake_id, delivery = %job.delivery_key, error = %error,
                retry_in_ms = wait.as_millis(), "hand-off failed; will retry"
            ),
            DeliveryOutcome::Failed { error } => tracing::error!(
                intake_id = %job.intake_id, delivery = %job.delivery_key, error = %error,
                "hand-off refused; a person must look at it"
            ),
        }
        self.store.finish_delivery(job, &self.owner, &outcome).await
    }
}

/// `NAME=value` lines; blank lines and `#` comments are skipped. Errors name
/// the line, never its value.
fn read_secrets(path: &std::path::Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("the hand-off secrets file {}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!(
                "the hand-off secrets file {}, line {}: write NAME=value",
                path.display(),
                n + 1
            ));
        };
        out.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    Ok(out)
}

/// The summary every route carries.
fn summary_of(intake: &WrittenIntake) -> CaseSummary {
    let fields: BTreeMap<String, FieldValue> =
        serde_json::from_str(&intake.fields_json).unwrap_or_default();
    let text = |name: &str| {
        fields
            .get(name)
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    CaseSummary {
        intake_id: intake.id.parse().unwrap_or_default(),
        reference: intake.reference.clone(),
        case_number: intake.crm_case_number.clone(),
        case_id: intake.crm_case_id.clone(),
        case_url: intake.crm_case_url.clone(),
        asset_name: intake.asset_name.clone(),
        account_name: intake.account_name.clone(),
        priority: text("Priority"),
        subject: text("Subject"),
        photo_count: u32::try_from(intake.photo_count).unwrap_or(0),
        escalation: Vec::new(),
        fields,
    }
}
