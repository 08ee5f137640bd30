//! The admin's policy: what this workflow may do in the CRM, which Case
//! fields it may write, which intakes a rule may approve without a person,
//! and which must reach an on-call route at once.
//!
//! One JSON document per deployment, versioned by the server. It is parsed
//! ([`Policy`]), then checked against the case schema ([`Policy::validate`]
//! → [`ValidPolicy`], or every problem with the path it concerns, e.g.
//! `review.auto_approve[1].when.priority`), then evaluated against an
//! intake's facts ([`evaluate`] → [`Outcome`]). Pure: the server gathers the
//! facts ([`IntakeFacts::gather`]) and acts on the outcome.
//!
//! Conditions of one set must all hold (AND); a list of sets matches when
//! any set does (OR). An always-review match wins over every auto-approve
//! rule; an escalation holds the intake for a person unless the policy says
//! `skip_review`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{CaseSchema, FieldType, Hint};
use crate::structure::{Proposal, Source};
use crate::validate::FieldValue;

/// What the connector may do in the CRM. There is nothing else to name:
/// no code path deletes a record or updates anything but the intake's own
/// case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Make the intake's case.
    CreateCase,
    /// Write the intake's case again by its external ID (a retry, or a
    /// corrected intake approved again).
    UpsertCase,
    /// Publish the intake's photos to its case as files.
    AttachFiles,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::CreateCase, Action::UpsertCase, Action::AttachFiles];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateCase => "create_case",
            Action::UpsertCase => "upsert_case",
            Action::AttachFiles => "attach_files",
        }
    }
}

/// Kinds of personal data the detector reports (`pii.rs`), by snake_case
/// name. Kept as names here so the policy does not depend on the detector.
pub const PERSONAL_DATA_KINDS: [&str; 7] =
    ["email", "phone", "card", "iban", "ssn", "nino", "health"];

/// The policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Assigned by the server on save (0 for the built-in default). Sent
    /// back with an edit: the version it was made on.
    #[serde(default)]
    pub version: u32,
    /// The CRM actions allowed.
    pub actions: BTreeSet<Action>,
    /// The Case fields (API names) the workflow may write. The external-ID
    /// key the write is made exactly once by is always written.
    pub fields: Vec<String>,
    #[serde(default)]
    pub review: Review,
    /// Account names or CRM account ids that conditions' `watch_list` tests.
    #[serde(default)]
    pub watch_list: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    #[serde(default)]
    pub personal_data: PersonalData,
}

/// What personal and regulated data in an intake requires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// An intake with personal data in it is approved by no rule, and by a
    /// person only once it is redacted.
    #[serde(default)]
    pub require_redaction: bool,
    /// The health terms a regulated customer must not send (whole words or
    /// phrases, any case). Empty: fieldcase's built-in list.
    #[serde(default)]
    pub health_terms: Vec<String>,
}

/// At most this many health terms, each at most [`MAX_TERM_CHARS`] long.
pub const MAX_HEALTH_TERMS: usize = 200;
pub const MAX_TERM_CHARS: usize = 60;

/// Who must review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Tried in order; the first that matches approves (unless an
    /// always-review set matches).
    #[serde(default)]
    pub auto_approve: Vec<AutoApproveRule>,
    /// Any set that matches sends the intake to a person.
    #[serde(default)]
    pub always_review: Vec<Conditions>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AutoApproveRule {
    /// Recorded as the approver (actor kind `rule`).
    pub name: String,
    pub when: Conditions,
}

/// Conditions over an intake's facts; all that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Priority is one of these picklist values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<BTreeSet<String>>,
    /// The safety-hazard box is ticked (true) or not (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_hazard: Option<bool>,
    /// The lowest confidence of the fields structured from the notes is
    /// below this (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_below: Option<f64>,
    /// Personal data of one of these kinds was found (an empty list: any
    /// kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<Vec<String>>,
    /// No personal data of any kind was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_personal_data: Option<bool>,
    /// The asset's account is on the policy's watch list (true) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_list: Option<bool>,
    /// The intake was proposed by an AI assistant (true) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by_ai: Option<bool>,
    /// More than this many photos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photos_over: Option<u32>,
    /// The notes or a text field contain one of these words or phrases
    /// (any case, whole words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<String>>,
}

/// Who is told at submission, before review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Any set that matches escalates.
    pub when: Vec<Conditions>,
    pub route: OnCallRoute,
    /// Escalated intakes may still be approved by a rule. Default false:
    /// an escalated intake waits for a person.
    #[serde(default)]
    pub skip_review: bool,
}

/// The on-call route: e-mail addresses and/or a webhook of the hand-off
/// configuration, by its route name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OnCallRoute {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

/// One problem with a policy: where (a path into the document) and what to
/// change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyError {
    pub path: String,
    pub message: String,
}

impl PolicyError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A policy checked against the schema: made only by [`Policy::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPolicy {
    policy: Policy,
    /// The key field, always written.
    key_field: Option<String>,
}

impl Policy {
    /// The built-in policy: every intake needs a person; every schema field
    /// may be written; create, upsert and attach are allowed; no escalation.
    pub fn default_for(schema: &CaseSchema) -> Policy {
        Policy {
            version: 0,
            actions: Action::ALL.into_iter().collect(),
            fields: schema.fields.iter().map(|f| f.name.clone()).collect(),
            review: Review::default(),
            watch_list: Vec::new(),
            escalation: None,
            personal_data: PersonalData::default(),
        }
    }

    /// Every problem at once, each with its path, or the checked policy.
    pub fn validate(self, schema: &CaseSchema) -> Result<ValidPolicy, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, name) in self.fields.iter().enumerate() {
            if schema.field(name).is_none() {
                errors.push(PolicyError::new(
                    format!("fields[{i}]"),
                    format!(
                        "{name} is not a field of the case schema; remove it or pick one of: {}",
                        schema
                            .fields
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            } else if !seen.insert(name.as_str()) {
                errors.push(PolicyError::new(
                    format!("fields[{i}]"),
                    format!("{name} is listed twice; remove one"),
                ));
            }
        }
        for (i, entry) in self.watch_list.iter().enumerate() {
            if entry.trim().is_empty() {
                errors.push(PolicyError::new(
                    format!("watch_list[{i}]"),
                    "an empty entry matches no account; remove it or type an account name or id",
                ));
            }
        }
        let terms = &self.personal_data.health_terms;
        if terms.len() > MAX_HEALTH_TERMS {
            errors.push(PolicyError::new(
                "personal_data.health_terms",
                format!(
                    "{} terms is more than the {MAX_HEALTH_TERMS} allowed; keep the ones your \
                     customers' regulations name",
                    terms.len()
                ),
            ));
        }
        let mut seen_terms = BTreeSet::new();
        for (i, term) in terms.iter().enumerate() {
            let at = format!("personal_data.health_terms[{i}]");
            let t = term.trim();
            if t.is_empty() {
                errors.push(PolicyError::new(
                    at,
                    "an empty term matches nothing; remove it or type a word or phrase",
                ));
            } else if t.chars().count() > MAX_TERM_CHARS {
                errors.push(PolicyError::new(
                    at,
                    format!("a term is at most {MAX_TERM_CHARS} characters; shorten it"),
                ));
            } else if !seen_terms.insert(t.to_lowercase()) {
                errors.push(PolicyError::new(
                    at,
                    format!("{t} is listed twice; remove one"),
                ));
            }
        }
        let mut names = BTreeSet::new();
        for (i, rule) in self.review.auto_approve.iter().enumerate() {
            let at = format!("review.auto_approve[{i}]");
            let name = rule.name.trim();
            if name.is_empty() {
                errors.push(PolicyError::new(
                    format!("{at}.name"),
                    "give the rule a name: approvals by it are recorded under that name",
                ));
            } else if !names.insert(name.to_lowercase()) {
                errors.push(PolicyError::new(
                    format!("{at}.name"),
                    format!("another rule is called \"{name}\"; give each rule its own name"),
                ));
            }
            if rule.when == Conditions::default() {
                errors.push(PolicyError::new(
                    format!("{at}.when"),
                    "a rule without conditions would approve every intake; add a condition \
                     (e.g. priority)",
                ));
            }
            self.check_conditions(&rule.when, &format!("{at}.when"), schema, &mut errors);
        }
        for (i, set) in self.review.always_review.iter().enumerate() {
            let at = format!("review.always_review[{i}]");
            if *set == Conditions::default() {
                errors.push(PolicyError::new(
                    at.clone(),
                    "an empty condition set sends every intake to a person, so no rule could \
                     ever approve; add a condition or remove the set",
                ));
            }
            self.check_conditions(set, &at, schema, &mut errors);
        }
        if let Some(esc) = &self.escalation {
            if esc.when.is_empty() {
                errors.push(PolicyError::new(
                    "escalation.when",
                    "add at least one condition set that escalates, or remove the escalation",
                ));
            }
            for (i, set) in esc.when.iter().enumerate() {
                let at = format!("escalation.when[{i}]");
                if *set == Conditions::default() {
                    errors.push(PolicyError::new(
                        at.clone(),
                        "an empty condition set would escalate every intake; add a condition",
                    ));
                }
                self.check_conditions(set, &at, schema, &mut errors);
            }
            if esc.route.email.is_empty() && esc.route.webhook.is_none() {
                errors.push(PolicyError::new(
                    "escalation.route",
                    "name an e-mail address or a hand-off webhook to notify",
                ));
            }
            for (i, address) in esc.route.email.iter().enumerate() {
                if let Some(problem) = crate::validate::email_problem(address.trim()) {
                    errors.push(PolicyError::new(
                        format!("escalation.route.email[{i}]"),
                        format!("{address} is not an e-mail address: {problem}"),
                    ));
                }
            }
            if esc
                .route
                .webhook
                .as_deref()
                .is_some_and(|w| w.trim().is_empty())
            {
                errors.push(PolicyError::new(
                    "escalation.route.webhook",
                    "name a webhook route of the hand-off configuration, or leave it out",
                ));
            }
        }
        if errors.is_empty() {
            let key_field = schema
                .fields
                .iter()
                .find(|f| f.external_id)
                .map(|f| f.name.clone());
            Ok(ValidPolicy {
                policy: self,
                key_field,
            })
        } else {
            Err(errors)
        }
    }

    fn check_conditions(
        &self,
        c: &Conditions,
        at: &str,
        schema: &CaseSchema,
        errors: &mut Vec<PolicyError>,
    ) {
        if let Some(set) = &c.priority {
            let path = format!("{at}.priority");
            match schema.field_with_hint(Hint::Priority) {
                None => errors.push(PolicyError::new(
                    path,
                    "the case schema has no priority field; remove this condition",
                )),
                Some(def) => {
                    if set.is_empty() {
                        errors.push(PolicyError::new(
                            path.clone(),
                            "no priority is in an empty list, so this can never match; pick at \
                             least one priority or remove the condition",
                        ));
                    }
                    for value in set {
                        if def.field_type == FieldType::Picklist
                            && !def.values.iter().any(|v| &v.value == value)
                        {
                            errors.push(PolicyError::new(
                                path.clone(),
                                format!(
                                    "{value} is not a value of {}; pick from: {}",
                                    def.name,
                                    def.values
                                        .iter()
                                        .map(|v| v.value.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if c.safety_hazard.is_some() && schema.field_with_hint(Hint::SafetyHazard).is_none() {
            errors.push(PolicyError::new(
                format!("{at}.safety_hazard"),
                "the case schema has no safety-hazard field; remove this condition",
            ));
        }
        if let Some(x) = c.confidence_below
            && !(x > 0.0 && x <= 1.0)
        {
            errors.push(PolicyError::new(
                format!("{at}.confidence_below"),
                format!(
                    "confidence runs from 0 to 1, so below {x} can never match; use a \
                         threshold above 0 and at most 1 (e.g. 0.6)"
                ),
            ));
        }
        if let Some(kinds) = &c.personal_data {
            for kind in kinds {
                if !PERSONAL_DATA_KINDS.contains(&kind.as_str()) {
                    errors.push(PolicyError::new(
                        format!("{at}.personal_data"),
                        format!(
                            "{kind} is not a kind of personal data fieldcase detects; pick from: {}",
                            PERSONAL_DATA_KINDS.join(", ")
                        ),
                    ));
                }
            }
            if c.no_personal_data == Some(true) {
                errors.push(PolicyError::new(
                    format!("{at}.no_personal_data"),
                    "personal data cannot be both found and absent; remove one of the two",
                ));
            }
        }
        if c.no_personal_data == Some(false) {
            errors.push(PolicyError::new(
                format!("{at}.no_personal_data"),
                "write \"personal_data\": [] to test that personal data was found",
            ));
        }
        if c.watch_list == Some(true) && self.watch_list.is_empty() {
            errors.push(PolicyError::new(
                format!("{at}.watch_list"),
                "the watch list is empty, so no account is on it; add accounts to watch_list \
                 or remove this condition",
            ));
        }
        if let Some(words) = &c.words
            && words.iter().all(|w| w.trim().is_empty())
        {
            errors.push(PolicyError::new(
                format!("{at}.words"),
                "no words to look for, so this can never match; add words or phrases or \
                     remove the condition",
            ));
        }
    }
}

impl ValidPolicy {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn version(&self) -> u32 {
        self.policy.version
    }

    /// The same policy under the version the server assigned.
    pub fn with_version(mut self, version: u32) -> Self {
        self.policy.version = version;
        self
    }

    pub fn allows(&self, action: Action) -> bool {
        self.policy.actions.contains(&action)
    }

    /// Whether the Case may be written at all.
    pub fn allows_case_write(&self) -> bool {
        self.allows(Action::CreateCase) || self.allows(Action::UpsertCase)
    }

    /// Whether `field` may be written. The external-ID key always is: it is
    /// what makes the write happen once.
    pub fn allows_field(&self, field: &str) -> bool {
        self.key_field.as_deref() == Some(field) || self.policy.fields.iter().any(|f| f == field)
    }

    /// The health terms the personal-data checks look for: the policy's
    /// own list, else the built-in one.
    pub fn health_terms(&self) -> crate::pii::HealthTerms {
        let own = &self.policy.personal_data.health_terms;
        if own.is_empty() {
            crate::pii::HealthTerms::default()
        } else {
            crate::pii::HealthTerms {
                terms: own.iter().map(|t| t.trim().to_owned()).collect(),
            }
        }
    }

    /// Whether an intake with personal data waits until it is redacted.
    pub fn requires_redaction(&self) -> bool {
        self.policy.personal_data.require_redaction
    }

    /// The Case fields the policy lets the workflow write (the key always).
    pub fn allowed_fields(&self) -> BTreeSet<String> {
        self.policy
            .fields
            .iter()
            .cloned()
            .chain(self.key_field.clone())
            .collect()
    }

    /// Problems with the escalation's route against the hand-off
    /// configuration: the webhook routes it has and whether e-mail can be
    /// sent.
    pub fn check_route(&self, webhooks: &[&str], email: bool) -> Vec<PolicyError> {
        let mut errors = Vec::new();
        let Some(esc) = &self.policy.escalation else {
            return errors;
        };
        if let Some(name) = &esc.route.webhook
            && !webhooks.contains(&name.as_str())
        {
            errors.push(PolicyError::new(
                "escalation.route.webhook",
                if webhooks.is_empty() {
                    format!(
                        "the hand-off configuration has no webhook routes, so \"{name}\" \
                             cannot be used; add one to the hand-off rules file or use e-mail"
                    )
                } else {
                    format!(
                        "the hand-off configuration has no webhook route \"{name}\"; pick \
                             one of: {}",
                        webhooks.join(", ")
                    )
                },
            ));
        }
        if !esc.route.email.is_empty() && !email {
            errors.push(PolicyError::new(
                "escalation.route.email",
                "no SMTP server is configured, so e-mail cannot be sent; configure one \
                 (FIELDCASE_SMTP_HOST) or use a webhook",
            ));
        }
        errors
    }
}

/// What the policy looks at in an intake.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeFacts {
    pub priority: Option<String>,
    pub safety_hazard: bool,
    /// The lowest confidence among the fields structured from the notes.
    pub lowest_confidence: Option<f64>,
    /// Kinds of personal data found (snake_case names, see
    /// [`PERSONAL_DATA_KINDS`]).
    pub pii_kinds: Vec<String>,
    /// The asset's account: its name and CRM id, when known.
    pub account: Vec<String>,
    pub proposed_by_ai: bool,
    pub photo_count: u32,
    /// The notes and every text field's value, for word conditions.
    pub text: String,
}

impl IntakeFacts {
    /// The facts of an intake's fields and notes. `proposal` is the
    /// structuring of its notes (for the lowest confidence).
    pub fn gather(
        schema: &CaseSchema,
        fields: &BTreeMap<String, FieldValue>,
        proposal: &Proposal,
        notes: &str,
    ) -> IntakeFacts {
        let value = |hint| {
            schema
                .field_with_hint(hint)
                .and_then(|d| fields.get(&d.name))
        };
        let mut text = notes.to_owned();
        for def in schema.fields.iter().filter(|d| d.is_text_like()) {
            if let Some(FieldValue::Text(s)) = fields.get(&def.name) {
                text.push('\n');
                text.push_str(s);
            }
        }
        IntakeFacts {
            priority: value(Hint::Priority).map(ToString::to_string),
            safety_hazard: matches!(value(Hint::SafetyHazard), Some(FieldValue::Bool(true))),
            lowest_confidence: proposal
                .fields
                .iter()
                .filter(|f| matches!(f.source, Source::Notes { .. }))
                .map(|f| f64::from(f.confidence))
                .reduce(f64::min),
            text,
            ..IntakeFacts::default()
        }
    }
}

/// What a policy decides for an intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate: Option<Escalate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Decision {
    /// Approved by the named rule, without a person.
    AutoApprove { rule: String },
    /// Waits for a person, for these reasons.
    NeedsPerson { reasons: Vec<String> },
}

/// Notify the on-call route, for these reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escalate {
    pub route: OnCallRoute,
    pub reasons: Vec<String>,
}

impl Outcome {
    pub fn is_auto_approved(&self) -> bool {
        matches!(self.decision, Decision::AutoApprove { .. })
    }

    /// One word for lists and dry runs: `auto-approved`, `escalated`, `held`.
    pub fn label(&self) -> &'static str {
        match (&self.decision, &self.escalate) {
            (Decision::AutoApprove { .. }, None) => "auto-approved",
            (Decision::AutoApprove { .. }, Some(_)) => "escalated, auto-approved",
            (Decision::NeedsPerson { .. }, Some(_)) => "escalated",
            (Decision::NeedsPerson { .. }, None) => "held",
        }
    }
}

/// The policy's decision for an intake.
pub fn evaluate(policy: &ValidPolicy, facts: &IntakeFacts) -> Outcome {
    let p = &policy.policy;
    let escalate = p.escalation.as_ref().and_then(|esc| {
        let reasons: Vec<String> = esc
            .when
            .iter()
            .filter_map(|set| matches(set, p, facts))
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        (!reasons.is_empty()).then(|| Escalate {
            route: esc.route.clone(),
            reasons,
        })
    });
    let mut hold: Vec<String> = p
        .review
        .always_review
        .iter()
        .filter_map(|set| matches(set, p, facts))
        .flatten()
        .map(|r| format!("always reviewed: {r}"))
        .collect();
    if p.personal_data.require_redaction && !facts.pii_kinds.is_empty() {
        hold.push(format!(
            "personal data must be redacted first: {}",
            facts.pii_kinds.join(", ")
        ));
    }
    if escalate.is_some() && !p.escalation.as_ref().is_some_and(|e| e.skip_review) {
        hold.push("escalated: an escalated intake waits for a person".to_owned());
    }
    let decision = if hold.is_empty() {
        // An AI's proposal is approved only by a rule that says so
        // explicitly (`proposed_by_ai: true`): off unless an admin writes it.
        match p
            .review
            .auto_approve
            .iter()
            .filter(|rule| !facts.proposed_by_ai || rule.when.proposed_by_ai == Some(true))
            .find(|rule| matches(&rule.when, p, facts).is_some())
        {
            Some(rule) => Decision::AutoApprove {
                rule: rule.name.trim().to_owned(),
            },
            None if p.review.auto_approve.is_empty() => Decision::NeedsPerson {
                reasons: vec!["the policy sends every intake to a person".to_owned()],
            },
            None if facts.proposed_by_ai => Decision::NeedsPerson {
                reasons: vec![
                    "proposed by an AI assistant: no auto-approve rule allows AI proposals"
                        .to_owned(),
                ],
            },
            None => Decision::NeedsPerson {
                reasons: vec!["no auto-approve rule matched".to_owned()],
            },
        }
    } else {
        hold.dedup();
        Decision::NeedsPerson { reasons: hold }
    };
    Outcome { decision, escalate }
}

/// The reasons, one per condition, when every condition of `c` holds.
fn matches(c: &Conditions, p: &Policy, f: &IntakeFacts) -> Option<Vec<String>> {
    let mut why = Vec::new();
    if let Some(set) = &c.priority {
        let priority = f.priority.as_ref().filter(|v| set.contains(*v))?;
        why.push(format!("priority is {priority}"));
    }
    if let Some(want) = c.safety_hazard {
        if f.safety_hazard != want {
            return None;
        }
        why.push(
            if want {
                "safety hazard"
            } else {
                "no safety hazard"
            }
            .to_owned(),
        );
    }
    if let Some(x) = c.confidence_below {
        let low = f.lowest_confidence.filter(|c| *c < x)?;
        why.push(format!("structuring confidence {low:.2} is below {x}"));
    }
    if let Some(kinds) = &c.personal_data {
        let found: Vec<&str> = f
            .pii_kinds
            .iter()
            .map(String::as_str)
            .filter(|k| kinds.is_empty() || kinds.iter().any(|w| w == k))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if found.is_empty() {
            return None;
        }
        why.push(format!("personal data: {}", found.join(", ")));
    }
    if c.no_personal_data == Some(true) {
        if !f.pii_kinds.is_empty() {
            return None;
        }
        why.push("no personal data".to_owned());
    }
    if let Some(want) = c.watch_list {
        let on = f.account.iter().find(|a| {
            p.watch_list
                .iter()
                .any(|w| w.trim().eq_ignore_ascii_case(a.trim()))
        });
        if on.is_some() != want {
            return None;
        }
        why.push(match on {
            Some(a) => format!("account {a} is on the watch list"),
            None => "account not on the watch list".to_owned(),
        });
    }
    if let Some(want) = c.proposed_by_ai {
        if f.proposed_by_ai != want {
            return None;
        }
        why.push(
            if want {
                "proposed by an AI assistant"
            } else {
                "proposed by a person"
            }
            .to_owned(),
        );
    }
    if let Some(n) = c.photos_over {
        if f.photo_count <= n {
            return None;
        }
        why.push(format!("{} photos (more than {n})", f.photo_count));
    }
    if let Some(words) = &c.words {
        let found: Vec<&str> = words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty() && contains_words(&f.text, w))
            .collect();
        if found.is_empty() {
            return None;
        }
        why.push(format!("mentions \"{}\"", found.join("\", \"")));
    }
    Some(why)
}

/// Whether `phrase` occurs in `text` as whole words, ignoring case and
/// runs of white space ("No  heat" matches "no heat"; "heater" does not
/// match "heat").
pub fn contains_words(text: &str, phrase: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (hay, needle) = (words(text), words(phrase));
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// One change between two versions of a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// `review.auto_approve[0].when.priority`.
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// Field-level differences from `old` to `new`: objects key by key, arrays
/// index by index, anything else compared whole. `version` is left out.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out.retain(|c| c.path != "version");
    out
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => walk(&join(k), va, vb, out),
                    None => out.push(change(join(k), "removed", Some(va), None)),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(change(join(k), "added", None, Some(vb)));
                }
            }
        }
        // Lists of words, fields, accounts: what left and what came, by value.
        (Value::Array(a), Value::Array(b))
            if a.iter().chain(b).all(Value::is_string) && (a != b) =>
        {
            for va in a.iter().filter(|v| !b.contains(v)) {
                out.push(change(path.to_owned(), "removed", Some(va), None));
            }
            for vb in b.iter().filter(|v| !a.contains(v)) {
                out.push(change(path.to_owned(), "added", None, Some(vb)));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let at = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(va), Some(vb)) => walk(&at, va, vb, out),
                    (Some(va), None) => out.push(change(at, "removed", Some(va), None)),
                    (None, Some(vb)) => out.push(change(at, "added", None, Some(vb))),
                    (None, None) => {}
                }
            }
        }
        _ if old != new => out.push(change(path.to_owned(), "changed", Some(old), Some(new))),
        _ => {}
    }
}

fn change(path: String, kind: &str, before: Option<&Value>, after: Option<&Value>) -> Change {
    Change {
        path,
        change: kind.to_owned(),
        before: before.cloned(),
        after: after.cloned(),
    }
}

/// `GET /admin/policy`: the policy in force and who saved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentPolicy {
    pub policy: Policy,
    /// Who saved this version; `None` for the built-in default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// RFC 3339; `None` for the built-in default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<String>,
}

/// One saved version, newest first in `GET /admin/policy/versions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    pub version: u32,
    pub author: String,
    /// RFC 3339.
    pub created_at: String,
    /// What changed from the version before.
    pub changes: Vec<Change>,
    pub policy: Policy,
}

/// `POST /admin/policy/dry-run`: a candidate policy tried against the
/// latest intakes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRun {
    /// How many intakes were tried (at most 500, newest first).
    pub considered: u32,
    pub auto_approved: u32,
    pub escalated: u32,
    /// Waiting for a person and not escalated.
    pub held: u32,
    /// The intakes whose outcome differs from the current policy's.
    pub changed: Vec<DryRunChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunChange {
    pub intake_id: uuid::Uuid,
    pub reference: String,
    /// Under the current policy ([`Outcome::label`]).
    pub before: String,
    /// Under the candidate.
    pub after: String,
    /// The candidate's reasons.
    pub reasons: Vec<String>,
}

impl DryRun {
    /// Count one intake's outcomes under the current and candidate policy.
    pub fn add(&mut self, intake_id: uuid::Uuid, reference: &str, now: &Outcome, then: &Outcome) {
        self.considered += 1;
        if then.escalate.is_some() {
            self.escalated += 1;
        }
        if then.is_auto_approved() {
            self.auto_approved += 1;
        } else if then.escalate.is_none() {
            self.held += 1;
        }
        let rule = |o: &Outcome| match &o.decision {
            Decision::AutoApprove { rule } => Some(rule.clone()),
            Decision::NeedsPerson { .. } => None,
        };
        if now.label() != then.label() || rule(now) != rule(then) {
            let mut reasons = match &then.decision {
                Decision::AutoApprove { rule } => vec![format!("approved by rule \"{rule}\"")],
                Decision::NeedsPerson { reasons } => reasons.clone(),
            };
            if let Some(e) = &then.escalate {
                reasons.extend(e.reasons.iter().map(|r| format!("escalated: {r}")));
            }
            self.changed.push(DryRunChange {
                intake_id,
                reference: reference.to_owned(),
                before: now.label().to_owned(),
                after: then.label().to_owned(),
                reasons,
            });
        }
    }
}

#[cfg(test)]
mod tests;
