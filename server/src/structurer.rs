//! Structuring on the server: the core's rules engine, or Claude when an
//! admin configured an Anthropic API key — behind one trait, [`Structurer`].
//!
//! Nothing the model says is trusted. It answers through a tool whose input
//! schema is the case schema's fields (`structure::ai::tool_input_schema`);
//! `structure::ai::merge` keeps only values the core validates and that
//! quote the notes verbatim, over the rules engine's proposal. Personal data
//! the core finds is redacted before the notes leave the server when the
//! policy requires redaction. A timeout, a 429 (and until its
//! `retry-after`), a 529, a 5xx or any unreadable answer falls back to the
//! rules engine; the reason goes to the log only, never the notes or values.
//!
//! Only this module knows the Messages API (`POST /v1/messages`,
//! `anthropic-version: 2023-06-01`, `tool_use` content blocks, the
//! `{"type":"error","error":{…}}` envelope). It is a handful of JSON
//! shapes over `reqwest`, which the server already uses: no SDK crate.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use fieldcase_core::CaseSchema;
use fieldcase_core::pii::HealthTerms;
use fieldcase_core::schema::FieldDef;
use fieldcase_core::structure::{self, Context, Proposal};
use fieldcase_core::wire::{AssetView, Technician};
use serde_json::{Value, json};

use crate::config::Secret;

/// What a structurer is asked.
pub struct Job<'a> {
    pub notes: &'a str,
    pub asset: &'a AssetView,
    pub technician: &'a Technician,
    pub schema: &'a Arc<CaseSchema>,
    /// The fields the admin's policy lets the workflow write.
    pub allowed: &'a (dyn Fn(&FieldDef) -> bool + Sync),
    /// Redact what these find before the notes leave the server (the
    /// policy requires redaction), or send them as written (`None`).
    pub redact: Option<&'a HealthTerms>,
}

/// Who proposed the values of a [`Structured`] proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The rules engine alone.
    Rules,
    /// A language model, checked by the core, over the rules engine.
    Ai,
}

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Rules => "rules",
            By::Ai => "ai",
        }
    }
}

pub struct Structured {
    pub proposal: Proposal,
    pub by: By,
}

pub type Answer<'a> = Pin<Box<dyn Future<Output = Structured> + Send + 'a>>;

/// Notes → a proposal. Never fails: whatever cannot answer falls back to
/// the rules engine.
pub trait Structurer: Send + Sync {
    fn structure<'a>(&'a self, job: Job<'a>) -> Answer<'a>;

    /// For start-up's log and `Debug`: `rules`, or `claude (<model>)`.
    fn describe(&self) -> String;

    /// Whether asking the server can propose more than the phone's engine.
    fn uses_a_model(&self) -> bool {
        false
    }
}

impl std::fmt::Debug for dyn Structurer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The core's rules engine (and its learned model): what the phone runs.
pub struct Rules;

impl Rules {
    pub async fn propose(job: &Job<'_>) -> Proposal {
        propose(job.notes, job.asset, job.technician, job.schema).await
    }
}

/// The rules engine's proposal, worked out on tokio's blocking threads: a
/// typical note takes some 70 µs, but one at the length limit up to about
/// 25 ms, which on an async worker would hold up every request sharing it.
/// A panic in the engine gives an empty proposal (and an error in the
/// log): structuring only informs a record, and must not lose it.
pub async fn propose(
    notes: &str,
    asset: &AssetView,
    technician: &Technician,
    schema: &Arc<CaseSchema>,
) -> Proposal {
    let (notes, asset, technician, schema) = (
        notes.to_owned(),
        asset.clone(),
        technician.clone(),
        Arc::clone(schema),
    );
    tokio::task::spawn_blocking(move || {
        let context = Context {
            asset: &asset,
            technician: &technician,
        };
        structure::structure(&notes, context, &schema)
    })
    .await
    .unwrap_or_else(|_| {
        tracing::error!("structuring the notes panicked; an empty proposal instead");
        Proposal::default()
    })
}

impl Structurer for Rules {
    fn structure<'a>(&'a self, job: Job<'a>) -> Answer<'a> {
        Box::pin(async move {
            Structured {
                proposal: Rules::propose(&job).await,
                by: By::Rules,
            }
        })
    }

    fn describe(&self) -> String {
        "rules".to_owned()
    }
}

/// The Anthropic settings. With no key, the rules engine structures alone.
#[derive(Debug, Clone, Args)]
pub struct ClaudeArgs {
    /// An Anthropic API key: the server then structures notes with Claude
    /// (checked by the rules engine's core; see ARCHITECTURE.md). Without
    /// one, only the on-device rules engine structures.
    #[arg(
        long = "anthropic-api-key",
        env = "FIELDCASE_ANTHROPIC_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub api_key: Option<Secret>,

    /// The Claude model that structures notes.
    #[arg(
        long = "anthropic-model",
        env = "FIELDCASE_ANTHROPIC_MODEL",
        default_value = "claude-sonnet-4-5",
        global = true
    )]
    pub model: String,

    /// The Messages API's base URL (a stand-in's, in tests).
    #[arg(
        long = "anthropic-base-url",
        env = "FIELDCASE_ANTHROPIC_BASE_URL",
        default_value = "https://api.anthropic.com",
        global = true
    )]
    pub base_url: String,

    /// Fall back to the rules engine when Claude has not answered in this
    /// many milliseconds.
    #[arg(
        long = "anthropic-timeout-ms",
        env = "FIELDCASE_ANTHROPIC_TIMEOUT_MS",
        default_value_t = 4_000,
        global = true
    )]
    pub timeout_ms: u64,
}

impl ClaudeArgs {
    /// Claude, when a key is configured; else the rules engine.
    pub fn structurer(&self) -> Result<Box<dyn Structurer>, String> {
        match &self.api_key {
            Some(key) if !key.expose().trim().is_empty() => Ok(Box::new(Claude::new(
                &self.base_url,
                key.clone(),
                &self.model,
                Duration::from_millis(self.timeout_ms.max(1)),
            )?)),
            _ => Ok(Box::new(Rules)),
        }
    }
}

/// Claude through the Messages API, with tool use.
pub struct Claude {
    http: reqwest::Client,
    url: String,
    key: Secret,
    model: String,
    /// After a 429, no request until its `retry-after` has passed.
    paused_until: Mutex<Option<Instant>>,
}

/// The tool the model must answer through.
const TOOL: &str = "propose_case_fields";

const SYSTEM: &str = "You turn a field technician's notes about one piece of equipment into \
    fields of a maintenance case. Set a field only when the notes say so. For every field you \
    set, quote the exact words of the notes it comes from, copied character for character. \
    Priority: High when people are in danger or a service is down or about to be; Low for \
    routine work, cosmetic issues or no fault found; otherwise Medium. The subject is a short \
    summary (at most 80 characters) of the main problem.";

/// Why the rules engine answered instead (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    Timeout,
    /// 429, and paused for this long.
    RateLimited(Duration),
    /// Still within an earlier 429's `retry-after`.
    Paused,
    Overloaded,
    Status(u16),
    Unreachable,
    /// 200, but no `tool_use` block of our tool.
    Unreadable,
}

impl Claude {
    pub fn new(
        base_url: &str,
        key: Secret,
        model: &str,
        timeout: Duration,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("fieldcase/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("building the Anthropic client: {e}"))?;
        Ok(Claude {
            http,
            url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            key,
            model: model.to_owned(),
            paused_until: Mutex::new(None),
        })
    }

    /// The model's tool input, or why there is none.
    pub async fn ask(
        &self,
        notes: &str,
        job: &Job<'_>,
        fields: &[&FieldDef],
    ) -> Result<Value, Fallback> {
        if let Ok(mut paused) = self.paused_until.lock() {
            match *paused {
                Some(until) if Instant::now() < until => return Err(Fallback::Paused),
                Some(_) => *paused = None,
                None => {}
            }
        }
        let asset = job.asset;
        let content = format!(
            "Equipment: {} (model {}), at {}.\n\nNotes:\n{notes}",
            asset.name, asset.model, asset.site
        );
        let body = json!({
            "model": self.model,
            "max_tokens": 1024,
            "system": SYSTEM,
            "tools": [{
                "name": TOOL,
                "description": "Propose the case's fields, each with the words of the notes that say so.",
                "input_schema": structure::ai::tool_input_schema(fields),
            }],
            "tool_choice": { "type": "tool", "name": TOOL },
            "messages": [{ "role": "user", "content": content }],
        });
        let response = self
            .http
            .post(&self.url)
            .header("x-api-key", self.key.expose())
            .header("anthropic-version", "2023-06-01")
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    Fallback::Timeout
                } else {
                    Fallback::Unreachable
                }
            })?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            429 => {
                let wait = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_secs(30), Duration::from_secs)
                    .min(Duration::from_secs(3600));
                if let Ok(mut paused) = self.paused_until.lock() {
                    *paused = Some(Instant::now() + wait);
                }
                return Err(Fallback::RateLimited(wait));
            }
            529 => return Err(Fallback::Overloaded),
            s => return Err(Fallback::Status(s)),
        }
        let message: Value = response.json().await.map_err(|e| {
            if e.is_timeout() {
                Fallback::Timeout
            } else {
                Fallback::Unreadable
            }
        })?;
        message["content"]
            .as_array()
            .and_then(|blocks| {
                blocks
                    .iter()
                    .find(|b| b["type"] == "tool_use" && b["name"] == TOOL)
            })
            .map(|b| b["input"].clone())
            .ok_or(Fallback::Unreadable)
    }
}

impl Structurer for Claude {
    fn structure<'a>(&'a self, job: Job<'a>) -> Answer<'a> {
        Box::pin(async move {
            let rules = Rules::propose(&job).await;
            let fields = structure::ai::offered(job.schema, job.allowed);
            if fields.is_empty() || job.notes.trim().is_empty() {
                return Structured {
                    proposal: rules,
                    by: By::Rules,
                };
            }
            let sent = match job.redact {
                Some(terms) => fieldcase_core::pii::redact_all(job.notes, terms),
                None => job.notes.to_owned(),
            };
            match self.ask(&sent, &job, &fields).await {
                Ok(answer) => {
                    // Quotes are checked against the notes as written: one
                    // that crosses a redaction is not in them, and is dropped.
                    let (proposal, dropped) =
                        structure::ai::merge(job.notes, &fields, rules, &answer);
                    for (field, why) in &dropped {
                        tracing::info!(field = %field, why = why.as_str(), "dropped a value Claude proposed");
                    }
                    let by = if proposal.fields.iter().any(|f| f.proposed_by_ai) {
                        By::Ai
                    } else {
                        By::Rules
                    };
                    Structured { proposal, by }
                }
                Err(why) => {
                    tracing::warn!(why = ?why, "Claude did not structure the notes; the rules engine did");
                    Structured {
                        proposal: rules,
                        by: By::Rules,
                    }
                }
            }
        })
    }

    fn describe(&self) -> String {
        format!("claude ({})", self.model)
    }

    fn uses_a_model(&self) -> bool {
        true
    }
}

/// The proposals a model made lately, by asset and notes, so that the
/// intake submitted with those notes records in its audit trail which
/// fields the model proposed. In the database (not in this process), so a
/// submission that reaches another instance, or this one after a restart,
/// still says so; the sweeper forgets them after [`RecentProposals::KEEP`].
/// Failing to remember or to look up costs only that: the audit trail then
/// records the rules engine's proposal, and the failure is logged.
#[derive(Debug, Clone)]
pub struct RecentProposals {
    store: crate::store::Store,
}

impl RecentProposals {
    pub const KEEP: Duration = Duration::from_secs(3600);

    pub fn new(store: crate::store::Store) -> Self {
        RecentProposals { store }
    }

    /// The key: a hash of the asset and the notes. The proposal itself
    /// holds the notes (its Description), which is why it is kept only
    /// an hour.
    fn key(asset_id: &str, notes: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(asset_id.as_bytes());
        h.update([0]);
        h.update(notes.as_bytes());
        hex::encode(h.finalize())
    }

    pub async fn remember(&self, asset_id: &str, notes: &str, proposal: &Proposal) {
        let json = match serde_json::to_string(proposal) {
            Ok(json) => json,
            Err(e) => {
                tracing::warn!(error = %e, "could not remember the model's proposal");
                return;
            }
        };
        if let Err(e) = self
            .store
            .remember_ai_proposal(&Self::key(asset_id, notes), &json)
            .await
        {
            tracing::warn!(error = %e, "could not remember the model's proposal");
        }
    }

    /// The model's proposal for these notes on this asset, if it is recent.
    pub async fn get(&self, asset_id: &str, notes: &str) -> Option<Proposal> {
        let since = crate::store::before_now(Self::KEEP);
        match self
            .store
            .ai_proposal(&Self::key(asset_id, notes), &since)
            .await
        {
            Ok(json) => json.and_then(|j| {
                serde_json::from_str(&j)
                    .inspect_err(|e| {
                        tracing::warn!(error = %e, "could not read the model's remembered proposal");
                    })
                    .ok()
            }),
            Err(e) => {
                tracing::warn!(error = %e, "could not look up the model's proposal");
                None
            }
        }
    }
}
