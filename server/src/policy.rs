//! The admin's policy at run time: the version in force, cached for every
//! request and worker ([`PolicyCell`], changed only by the admin API), the
//! facts of an intake it is evaluated on, and what a submission does with
//! the outcome (approve by rule through [`crate::approval`], or hold with
//! reasons; escalate on the hand-off queue, before review).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use fieldcase_core::policy::{IntakeFacts, Outcome, Policy, ValidPolicy, evaluate};
use fieldcase_core::structure::Proposal;
use fieldcase_core::{CaseSchema, FieldValue, IntakeId};
use fieldcase_handoff::{CaseSummary, Channel, Delivery, Rules};

use crate::store::{self, Store, Tx};

/// The route name escalations are queued under (part of their delivery key).
pub const ESCALATION_ROUTE: &str = "policy-escalation";

/// The policy in force, shared. Read on every submission and write; replaced
/// whole when an admin saves a new version.
#[derive(Debug, Clone)]
pub struct PolicyCell(Arc<RwLock<Arc<ValidPolicy>>>);

impl PolicyCell {
    pub fn new(policy: ValidPolicy) -> Self {
        PolicyCell(Arc::new(RwLock::new(Arc::new(policy))))
    }

    pub fn get(&self) -> Arc<ValidPolicy> {
        // A poisoned lock still holds a whole policy: it is only ever
        // replaced, never changed in place.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, policy: ValidPolicy) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
    }
}

/// The policy saved last, or the built-in default. A stored version that
/// no longer fits the schema (a field removed since) is refused at start-up
/// with what to fix, never silently replaced.
pub async fn load(store: &Store, schema: &CaseSchema) -> Result<ValidPolicy, String> {
    let Some(stored) = store
        .current_policy()
        .await
        .map_err(|e| format!("reading the policy: {e}"))?
    else {
        return Policy::default_for(schema)
            .validate(schema)
            .map_err(|e| format!("the default policy does not fit the schema: {e:?}"));
    };
    let policy: Policy = serde_json::from_str(&stored.document_json)
        .map_err(|e| format!("policy version {} is unreadable: {e}", stored.version))?;
    policy.validate(schema).map_err(|errors| {
        format!(
            "policy version {} does not fit the case schema: {}; save a corrected policy \
             (or restore the schema)",
            stored.version,
            errors
                .iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}

/// The hand-off channels an escalation may use: the webhook routes of the
/// hand-off rules (by name) and whether e-mail can be sent.
#[derive(Debug, Clone, Default)]
pub struct EscalationChannels {
    /// Route name → (URL, the secret's variable name).
    pub webhooks: BTreeMap<String, (String, String)>,
    pub email: bool,
}

impl EscalationChannels {
    pub fn from_rules(rules: &Rules, email: bool) -> Self {
        EscalationChannels {
            webhooks: rules
                .routes()
                .iter()
                .filter_map(|r| {
                    let w = r.webhook.as_ref()?;
                    Some((r.name.clone(), (w.url.clone(), w.secret_env.clone())))
                })
                .collect(),
            email,
        }
    }

    pub fn webhook_names(&self) -> Vec<&str> {
        self.webhooks.keys().map(String::as_str).collect()
    }
}

/// An intake as the policy sees it.
pub struct Subject<'a> {
    pub schema: &'a CaseSchema,
    pub fields: &'a BTreeMap<String, FieldValue>,
    pub proposal: &'a Proposal,
    pub notes: &'a str,
    pub photo_count: usize,
    pub account_name: &'a str,
    pub crm_account_id: Option<&'a str>,
    /// The health terms the personal-data check looks for.
    pub health_terms: &'a fieldcase_core::pii::HealthTerms,
    /// Proposed by an AI assistant through the MCP front door.
    pub proposed_by_ai: bool,
}

impl Subject<'_> {
    pub fn facts(&self) -> IntakeFacts {
        let mut facts = IntakeFacts::gather(self.schema, self.fields, self.proposal, self.notes);
        facts.photo_count = u32::try_from(self.photo_count).unwrap_or(u32::MAX);
        facts.account = std::iter::once(self.account_name)
            .chain(self.crm_account_id)
            .filter(|a| !a.trim().is_empty())
            .map(str::to_owned)
            .collect();
        // The same detector as the technician's review and the console's.
        let mut kinds: Vec<String> =
            fieldcase_core::pii::scan(self.schema, self.notes, self.fields, self.health_terms)
                .iter()
                .map(|f| f.kind.as_str().to_owned())
                .collect();
        kinds.sort();
        kinds.dedup();
        facts.pii_kinds = kinds;
        facts.proposed_by_ai = self.proposed_by_ai;
        facts
    }
}

/// What the submission does with an outcome, in its transaction: record the
/// decision, queue escalations, approve by rule. Returns whether a rule
/// approved it (the caller wakes the write worker after the commit).
#[allow(clippy::too_many_arguments)]
pub async fn apply_at_submission(
    tx: &mut Tx,
    policy: &ValidPolicy,
    outcome: &Outcome,
    channels: &EscalationChannels,
    id: &IntakeId,
    reference: &str,
    subject: &Subject<'_>,
    asset_name: &str,
) -> Result<bool, sqlx::Error> {
    let intake_id = id.to_string();
    let (reasons, rule) = match &outcome.decision {
        fieldcase_core::policy::Decision::AutoApprove { rule } => (Vec::new(), Some(rule)),
        fieldcase_core::policy::Decision::NeedsPerson { reasons } => (reasons.clone(), None),
    };
    if let Some(esc) = &outcome.escalate {
        let summary = escalation_summary(id, reference, subject, asset_name, &esc.reasons);
        let summary_json = serde_json::to_string(&summary).unwrap_or_default();
        let mut queued = Vec::new();
        let mut channels_used = Vec::new();
        if !esc.route.email.is_empty() {
            channels_used.push(Channel::Email {
                to: esc.route.email.clone(),
            });
        }
        if let Some(name) = &esc.route.webhook {
            match channels.webhooks.get(name) {
                Some((url, secret_ref)) => channels_used.push(Channel::Webhook {
                    url: url.clone(),
                    secret_ref: secret_ref.clone(),
                }),
                None => tracing::error!(
                    intake_id,
                    webhook = %name,
                    "the policy's escalation webhook is not in the hand-off rules"
                ),
            }
        }
        for channel in channels_used {
            let delivery = Delivery {
                route: ESCALATION_ROUTE.to_owned(),
                channel,
            };
            if let Ok(delivery_json) = serde_json::to_string(&delivery) {
                queued.push(store::policy::Escalation {
                    key: delivery.delivery_key(),
                    delivery_json,
                    summary_json: summary_json.clone(),
                });
            }
        }
        store::policy::queue_escalations(tx, &intake_id, &queued).await?;
        let keys: Vec<&str> = queued.iter().map(|q| q.key.as_str()).collect();
        store::audit::record_in(
            tx,
            &store::Actor::new(
                fieldcase_core::console::ActorKind::Rule,
                format!("policy v{}", policy.version()),
            ),
            "escalated",
            Some(&intake_id),
            &serde_json::json!({
                "policy_version": policy.version(),
                "reasons": esc.reasons,
                "deliveries": keys,
            }),
        )
        .await?;
    }
    store::policy::record_decision(tx, &intake_id, &reasons, outcome.escalate.is_some()).await?;
    let Some(rule) = rule else {
        return Ok(false);
    };
    let approver = crate::approval::Approver::rule(rule, policy.version());
    match crate::approval::approve(tx, &intake_id, None, &approver).await? {
        store::Guarded::Done(_) => Ok(true),
        other => {
            tracing::warn!(intake_id, outcome = ?other, "a rule could not approve the intake");
            Ok(false)
        }
    }
}

fn escalation_summary(
    id: &IntakeId,
    reference: &str,
    subject: &Subject<'_>,
    asset_name: &str,
    reasons: &[String],
) -> CaseSummary {
    let text = |name: &str| {
        subject
            .fields
            .get(name)
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    CaseSummary {
        intake_id: id.uuid(),
        reference: reference.to_owned(),
        case_number: String::new(),
        case_id: String::new(),
        case_url: String::new(),
        asset_name: asset_name.to_owned(),
        account_name: subject.account_name.to_owned(),
        priority: text("Priority"),
        subject: text("Subject"),
        photo_count: u32::try_from(subject.photo_count).unwrap_or(0),
        fields: subject.fields.clone(),
        escalation: reasons.to_vec(),
    }
}

/// The outcome for an intake under `policy`.
pub fn decide(policy: &ValidPolicy, subject: &Subject<'_>) -> Outcome {
    evaluate(policy, &subject.facts())
}
