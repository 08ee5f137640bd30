//! Intakes × policies → outcome and reasons; validation errors by path.

use serde_json::json;

use super::*;

fn schema() -> CaseSchema {
    CaseSchema::salesforce_default()
}

fn policy(doc: serde_json::Value) -> ValidPolicy {
    let p: Policy = serde_json::from_value(doc).expect("parses");
    p.validate(&schema()).expect("valid")
}

fn errors(doc: serde_json::Value) -> Vec<(String, String)> {
    let p: Policy = serde_json::from_value(doc).expect("parses");
    p.validate(&schema())
        .expect_err("invalid")
        .into_iter()
        .map(|e| (e.path, e.message))
        .collect()
}

fn facts(priority: &str) -> IntakeFacts {
    IntakeFacts {
        priority: Some(priority.into()),
        lowest_confidence: Some(0.9),
        account: vec!["Northwind Foods".into(), "001000000000001AAA".into()],
        photo_count: 1,
        text: "Pump P-12 rattles at start.".into(),
        ..IntakeFacts::default()
    }
}

/// Low and Medium intakes with no hazard, no personal data and sure
/// structuring are approved by rule; hazards, personal data, AI proposals
/// and the watch list always need a person; High, hazards and "no heat" /
/// "flooding" escalate to on-call.
fn governed() -> ValidPolicy {
    policy(json!({
        "actions": ["create_case", "upsert_case", "attach_files"],
        "fields": ["Subject", "Description", "Priority"],
        "watch_list": ["Northwind Foods"],
        "review": {
            "auto_approve": [
                { "name": "routine low", "when": { "priority": ["Low"], "confidence_below": null } },
                { "name": "routine medium", "when": { "priority": ["Medium"], "photos_over": 0 } }
            ],
            "always_review": [
                { "safety_hazard": true },
                { "personal_data": [] },
                { "proposed_by_ai": true },
                { "confidence_below": 0.5 },
                { "photos_over": 5 }
            ]
        },
        "escalation": {
            "when": [
                { "priority": ["High"] },
                { "safety_hazard": true },
                { "words": ["no heat", "flooding"] }
            ],
            "route": { "webhook": "on-call" }
        }
    }))
}

fn approved(rule: &str) -> Decision {
    Decision::AutoApprove { rule: rule.into() }
}

/// (name, policy, intake, decision, escalation reasons).
type Case<'a> = (
    &'a str,
    &'a ValidPolicy,
    &'a IntakeFacts,
    Decision,
    Option<Vec<&'a str>>,
);

#[test]
fn intakes_times_policies() {
    let default = Policy::default_for(&schema()).validate(&schema()).unwrap();
    let gov = governed();
    let watch = policy(json!({
        "actions": ["create_case"], "fields": ["Subject"],
        "watch_list": ["northwind foods"],
        "review": { "auto_approve": [ { "name": "not watched", "when": { "watch_list": false } } ],
                    "always_review": [ { "watch_list": true } ] }
    }));
    let skip = policy(json!({
        "actions": ["create_case"], "fields": ["Subject"],
        "review": { "auto_approve": [ { "name": "all low", "when": { "priority": ["Low", "High"] } } ] },
        "escalation": { "when": [ { "priority": ["High"] } ], "route": { "email": ["oncall@example.com"] },
                        "skip_review": true }
    }));
    let low = facts("Low");
    let mut medium_no_photo = facts("Medium");
    medium_no_photo.photo_count = 0;
    let medium = facts("Medium");
    let high = facts("High");
    let mut hazard = facts("Low");
    hazard.safety_hazard = true;
    let mut card = facts("Low");
    card.pii_kinds = vec!["card".into(), "email".into()];
    let mut ai = facts("Low");
    ai.proposed_by_ai = true;
    let mut unsure = facts("Low");
    unsure.lowest_confidence = Some(0.3);
    let mut flooding = facts("Low");
    flooding.text = "Basement FLOODING near the boiler, no  heat upstairs".into();
    let mut heater = facts("Low");
    heater.text = "the heater is fine, no heating issue".into();
    let mut photos = facts("Medium");
    photos.photo_count = 7;
    let mut other_account = facts("Low");
    other_account.account = vec!["Contoso".into()];

    let needs = |reasons: &[&str]| Decision::NeedsPerson {
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
    };
    let cases: Vec<Case> = vec![
        (
            "default holds low",
            &default,
            &low,
            needs(&["the policy sends every intake to a person"]),
            None,
        ),
        (
            "default holds high, no escalation",
            &default,
            &high,
            needs(&["the policy sends every intake to a person"]),
            None,
        ),
        (
            "low by first rule",
            &gov,
            &low,
            approved("routine low"),
            None,
        ),
        (
            "medium with photos by second rule",
            &gov,
            &medium,
            approved("routine medium"),
            None,
        ),
        (
            "medium without photos: no rule",
            &gov,
            &medium_no_photo,
            needs(&["no auto-approve rule matched"]),
            None,
        ),
        (
            "high escalates and waits",
            &gov,
            &high,
            needs(&["escalated: an escalated intake waits for a person"]),
            Some(vec!["priority is High"]),
        ),
        (
            "hazard wins over the low rule",
            &gov,
            &hazard,
            needs(&[
                "always reviewed: safety hazard",
                "escalated: an escalated intake waits for a person",
            ]),
            Some(vec!["safety hazard"]),
        ),
        (
            "personal data holds, kinds named",
            &gov,
            &card,
            needs(&["always reviewed: personal data: card, email"]),
            None,
        ),
        (
            "AI proposal holds",
            &gov,
            &ai,
            needs(&["always reviewed: proposed by an AI assistant"]),
            None,
        ),
        (
            "unsure structuring holds",
            &gov,
            &unsure,
            needs(&["always reviewed: structuring confidence 0.30 is below 0.5"]),
            None,
        ),
        (
            "words escalate, any case and spacing",
            &gov,
            &flooding,
            needs(&["escalated: an escalated intake waits for a person"]),
            Some(vec!["mentions \"no heat\", \"flooding\""]),
        ),
        (
            "heater / heating are not heat",
            &gov,
            &heater,
            approved("routine low"),
            None,
        ),
        (
            "many photos hold",
            &gov,
            &photos,
            needs(&["always reviewed: 7 photos (more than 5)"]),
            None,
        ),
        (
            "watched account held (any case)",
            &watch,
            &low,
            needs(&["always reviewed: account Northwind Foods is on the watch list"]),
            None,
        ),
        (
            "unwatched account approved",
            &watch,
            &other_account,
            approved("not watched"),
            None,
        ),
        (
            "skip_review: escalated and still approved",
            &skip,
            &high,
            approved("all low"),
            Some(vec!["priority is High"]),
        ),
    ];
    for (name, policy, facts, decision, escalation) in cases {
        let outcome = evaluate(policy, facts);
        assert_eq!(outcome.decision, decision, "{name}");
        assert_eq!(
            outcome.escalate.as_ref().map(|e| e
                .reasons
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()),
            escalation,
            "{name}"
        );
    }
}

#[test]
fn the_escalation_carries_its_route() {
    let outcome = evaluate(&governed(), &facts("High"));
    assert_eq!(
        outcome.escalate.unwrap().route.webhook.as_deref(),
        Some("on-call")
    );
    assert_eq!(evaluate(&governed(), &facts("High")).label(), "escalated");
    assert_eq!(
        evaluate(&governed(), &facts("Low")).label(),
        "auto-approved"
    );
}

#[test]
fn the_default_policy_allows_everything_and_approves_nothing() {
    let p = Policy::default_for(&schema()).validate(&schema()).unwrap();
    for action in Action::ALL {
        assert!(p.allows(action), "{action:?}");
    }
    for f in &schema().fields {
        assert!(p.allows_field(&f.name), "{}", f.name);
    }
    assert!(p.policy().escalation.is_none());
    assert!(!evaluate(&p, &facts("Low")).is_auto_approved());
}

#[test]
fn the_key_field_is_always_written_and_others_only_when_listed() {
    let p = policy(json!({ "actions": ["upsert_case"], "fields": ["Subject"] }));
    assert!(p.allows_field("Subject"));
    assert!(p.allows_field("Intake_Key__c"));
    assert!(!p.allows_field("SuppliedPhone"));
    assert!(p.allows_case_write());
    assert!(!p.allows(Action::AttachFiles));
    let none = policy(json!({ "actions": [], "fields": [] }));
    assert!(!none.allows_case_write());
}

#[test]
fn validation_names_the_path_and_what_to_fix() {
    let table: Vec<(serde_json::Value, &str, &str)> = vec![
        (
            json!({ "actions": [], "fields": ["Subject", "Colour__c"] }),
            "fields[1]",
            "Colour__c is not a field of the case schema",
        ),
        (
            json!({ "actions": [], "fields": ["Subject", "Subject"] }),
            "fields[1]",
            "listed twice",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": "a", "when": { "priority": ["Low"] } },
            { "name": "b", "when": { "priority": ["Urgent"] } } ] } }),
            "review.auto_approve[1].when.priority",
            "Urgent is not a value of Priority; pick from: High, Medium, Low",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": "a", "when": { "priority": [] } } ] } }),
            "review.auto_approve[0].when.priority",
            "can never match",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": " ", "when": { "priority": ["Low"] } } ] } }),
            "review.auto_approve[0].name",
            "give the rule a name",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": "Low ones", "when": { "priority": ["Low"] } },
            { "name": "low ones", "when": { "priority": ["Medium"] } } ] } }),
            "review.auto_approve[1].name",
            "another rule is called \"low ones\"",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": "all", "when": {} } ] } }),
            "review.auto_approve[0].when",
            "would approve every intake",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "always_review": [ { "confidence_below": 1.5 } ] } }),
            "review.always_review[0].confidence_below",
            "confidence runs from 0 to 1",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "always_review": [ { "confidence_below": 0 } ] } }),
            "review.always_review[0].confidence_below",
            "can never match",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "always_review": [ { "personal_data": ["dna"] } ] } }),
            "review.always_review[0].personal_data",
            "dna is not a kind of personal data",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "auto_approve": [
            { "name": "x", "when": { "personal_data": [], "no_personal_data": true } } ] } }),
            "review.auto_approve[0].when.no_personal_data",
            "both found and absent",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "always_review": [ { "watch_list": true } ] } }),
            "review.always_review[0].watch_list",
            "the watch list is empty",
        ),
        (
            json!({ "actions": [], "fields": [], "review": { "always_review": [ {} ] } }),
            "review.always_review[0]",
            "no rule could ever approve",
        ),
        (
            json!({ "actions": [], "fields": [], "escalation": { "when": [ { "words": [" "] } ],
            "route": { "webhook": "on-call" } } }),
            "escalation.when[0].words",
            "no words to look for",
        ),
        (
            json!({ "actions": [], "fields": [], "escalation": { "when": [ { "priority": ["High"] } ],
            "route": {} } }),
            "escalation.route",
            "name an e-mail address or a hand-off webhook",
        ),
        (
            json!({ "actions": [], "fields": [], "escalation": { "when": [ { "priority": ["High"] } ],
            "route": { "email": ["on call@example"] } } }),
            "escalation.route.email[0]",
            "is not an e-mail address",
        ),
        (
            json!({ "actions": [], "fields": [], "escalation": { "when": [],
            "route": { "webhook": "x" } } }),
            "escalation.when",
            "add at least one condition set",
        ),
    ];
    for (doc, path, message) in table {
        let found = errors(doc.clone());
        assert!(
            found.iter().any(|(p, m)| p == path && m.contains(message)),
            "{doc}: wanted {path}: {message}; got {found:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let found = errors(
        json!({ "actions": [], "fields": ["Nope__c"], "review": { "auto_approve": [
        { "name": "", "when": { "priority": ["Urgent"] } } ] } }),
    );
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "fields[0]",
            "review.auto_approve[0].name",
            "review.auto_approve[0].when.priority"
        ]
    );
}

#[test]
fn unknown_actions_and_keys_do_not_parse() {
    let delete =
        serde_json::from_value::<Policy>(json!({ "actions": ["delete_case"], "fields": [] }));
    assert!(
        delete
            .unwrap_err()
            .to_string()
            .contains("unknown variant `delete_case`")
    );
    let typo =
        serde_json::from_value::<Policy>(json!({ "actions": [], "fields": [], "reveiw": {} }));
    assert!(
        typo.unwrap_err()
            .to_string()
            .contains("unknown field `reveiw`")
    );
}

#[test]
fn the_route_is_checked_against_the_hand_off_configuration() {
    let p = governed();
    assert!(p.check_route(&["on-call"], false).is_empty());
    let e = p.check_route(&["safety"], true);
    assert_eq!(e[0].path, "escalation.route.webhook");
    assert!(e[0].message.contains("pick one of: safety"), "{e:?}");
    let mail = policy(json!({ "actions": [], "fields": [], "escalation": {
        "when": [ { "priority": ["High"] } ], "route": { "email": ["oncall@example.com"] } } }));
    assert_eq!(
        mail.check_route(&[], false)[0].path,
        "escalation.route.email"
    );
    assert!(mail.check_route(&[], true).is_empty());
}

#[test]
fn facts_are_gathered_from_fields_and_the_structuring() {
    use crate::structure::{ProposedField, Source};
    let mut fields = BTreeMap::new();
    fields.insert("Priority".to_owned(), FieldValue::text("High"));
    fields.insert("Safety_Hazard__c".to_owned(), FieldValue::Bool(true));
    fields.insert("Subject".to_owned(), FieldValue::text("No heat in block B"));
    let proposal = Proposal {
        fields: vec![
            ProposedField {
                field: "Priority".into(),
                value: FieldValue::text("High"),
                source: Source::Notes { spans: vec![] },
                confidence: 0.4,
                proposed_by_ai: false,
            },
            ProposedField {
                field: "Type".into(),
                value: FieldValue::text("Other"),
                source: Source::Default,
                confidence: 0.1,
                proposed_by_ai: false,
            },
        ],
    };
    let f = IntakeFacts::gather(&schema(), &fields, &proposal, "boiler out");
    assert_eq!(f.priority.as_deref(), Some("High"));
    assert!(f.safety_hazard);
    assert_eq!(f.lowest_confidence, Some(f64::from(0.4f32)));
    assert!(contains_words(&f.text, "no heat"));
    assert!(contains_words(&f.text, "boiler"));
}

#[test]
fn the_diff_is_field_level() {
    let old = json!({ "version": 1, "actions": ["create_case", "attach_files"], "fields": ["Subject", "Priority"],
        "review": { "auto_approve": [ { "name": "a", "when": { "priority": ["Low"] } } ] } });
    let new = json!({ "version": 2, "actions": ["create_case"], "fields": ["Subject", "Priority", "Type"],
        "review": { "auto_approve": [ { "name": "a", "when": { "priority": ["Low"], "photos_over": 2 } } ] },
        "watch_list": ["Contoso"] });
    let d: Vec<(String, String)> = diff(&old, &new)
        .into_iter()
        .map(|c| (c.path, c.change))
        .collect();
    let want: Vec<(String, String)> = [
        ("actions", "removed"),
        ("fields", "added"),
        ("review.auto_approve[0].when.photos_over", "added"),
        ("watch_list", "added"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(d, want);
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn a_dry_run_counts_and_lists_what_changed() {
    let default = Policy::default_for(&schema()).validate(&schema()).unwrap();
    let candidate = governed();
    let mut run = DryRun::default();
    let id = |n: u128| uuid::Uuid::from_u128(n);
    for (n, f) in [facts("Low"), facts("High"), facts("Medium")]
        .iter()
        .enumerate()
    {
        let mut f = f.clone();
        if n == 2 {
            f.photo_count = 0;
        }
        run.add(
            id(n as u128),
            &format!("FC-{n}"),
            &evaluate(&default, &f),
            &evaluate(&candidate, &f),
        );
    }
    assert_eq!(
        (run.considered, run.auto_approved, run.escalated, run.held),
        (3, 1, 1, 1)
    );
    let changed: Vec<(&str, &str, &str)> = run
        .changed
        .iter()
        .map(|c| (c.reference.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            ("FC-0", "held", "auto-approved"),
            ("FC-1", "held", "escalated")
        ]
    );
}

#[test]
fn required_redaction_holds_an_intake_with_personal_data_from_every_rule() {
    let p = policy(json!({
        "actions": ["create_case"],
        "fields": ["Subject"],
        "review": { "auto_approve": [ { "name": "routine low", "when": { "priority": ["Low"] } } ] },
        "personal_data": { "require_redaction": true }
    }));
    assert_eq!(
        evaluate(&p, &facts("Low")).decision,
        Decision::AutoApprove {
            rule: "routine low".into()
        }
    );
    let mut with_card = facts("Low");
    with_card.pii_kinds = vec!["card".into(), "email".into()];
    assert_eq!(
        evaluate(&p, &with_card).decision,
        Decision::NeedsPerson {
            reasons: vec!["personal data must be redacted first: card, email".into()]
        }
    );
    assert!(p.requires_redaction());
}

#[test]
fn the_policys_health_terms_replace_the_built_in_list_and_are_checked() {
    let p = policy(json!({
        "actions": [], "fields": [],
        "personal_data": { "health_terms": [" blood test ", "ward"] }
    }));
    assert_eq!(p.health_terms().terms, ["blood test", "ward"]);
    let built_in = policy(json!({ "actions": [], "fields": [] }));
    assert!(
        built_in
            .health_terms()
            .terms
            .iter()
            .any(|t| t == "diagnosis")
    );

    let long = "x".repeat(61);
    assert_eq!(
        errors(json!({
            "actions": [], "fields": [],
            "personal_data": { "health_terms": ["ward", " ", "Ward", long] }
        })),
        [
            (
                "personal_data.health_terms[1]".to_owned(),
                "an empty term matches nothing; remove it or type a word or phrase".to_owned()
            ),
            (
                "personal_data.health_terms[2]".to_owned(),
                "Ward is listed twice; remove one".to_owned()
            ),
            (
                "personal_data.health_terms[3]".to_owned(),
                "a term is at most 60 characters; shorten it".to_owned()
            ),
        ]
    );
}

#[test]
fn an_ai_proposal_is_approved_only_by_a_rule_that_names_ai_proposals() {
    let generic = policy(json!({
        "actions": ["create_case"], "fields": ["Subject"],
        "review": { "auto_approve": [ { "name": "routine low", "when": { "priority": ["Low"] } } ] }
    }));
    let mut ai = facts("Low");
    ai.proposed_by_ai = true;
    assert_eq!(
        evaluate(&generic, &ai).decision,
        Decision::NeedsPerson {
            reasons: vec![
                "proposed by an AI assistant: no auto-approve rule allows AI proposals".into()
            ]
        }
    );
    assert_eq!(
        evaluate(&generic, &facts("Low")).decision,
        Decision::AutoApprove {
            rule: "routine low".into()
        }
    );
    let explicit = policy(json!({
        "actions": ["create_case"], "fields": ["Subject"],
        "review": { "auto_approve": [
            { "name": "routine low", "when": { "priority": ["Low"] } },
            { "name": "assistant low", "when": { "priority": ["Low"], "proposed_by_ai": true } }
        ] }
    }));
    assert_eq!(
        evaluate(&explicit, &ai).decision,
        Decision::AutoApprove {
            rule: "assistant low".into()
        }
    );
}
