//! The admin's policy: saved in versions with a diff in the audit trail,
//! refused with the path of each problem, tried in a dry run, and enforced —
//! fields outside the allowlist never reach Salesforce, actions it does not
//! allow are not taken, a rule approves with no person, an escalation
//! reaches on-call before anyone reviews.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::handoff::{Hooks, SECRET, hook};
use crate::helpers::{
    StaffSession, TestApp, body_json, eventually, spawn_app, spawn_app_with_org, submission,
};

/// Save `policy` (edited from `version`) as the admin; the answer.
async fn save(admin: &StaffSession, version: u32, mut policy: Value) -> reqwest::Response {
    policy["version"] = json!(version);
    admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
        .await
}

async fn save_ok(admin: &StaffSession, version: u32, policy: Value) -> Value {
    let response = save(admin, version, policy).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    body_json(response).await
}

/// Every field of the default schema but those in `without`.
fn fields_but(without: &[&str]) -> Value {
    let all = fieldcase_core::CaseSchema::salesforce_default();
    json!(
        all.fields
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| !without.contains(&n.as_str()))
            .collect::<Vec<_>>()
    )
}

async fn submit(app: &TestApp, priority: &str, photos: &[String]) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), photos);
    body["fields"]["Priority"] = json!(priority);
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    id
}

fn events<'a>(detail: &'a Value, kind: &str) -> Vec<&'a Value> {
    detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

#[tokio::test]
async fn an_invalid_policy_is_refused_with_the_path_and_nothing_is_saved() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let before = admin.get_json("/api/v1/admin/policy").await;
    assert_eq!(before["policy"]["version"], 0);
    assert!(
        before["policy"]["review"]["auto_approve"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let response = save(
        &admin,
        0,
        json!({
            "actions": ["create_case"],
            "fields": ["Subject", "Colour__c"],
            "review": { "auto_approve": [
                { "name": "low", "when": { "priority": ["Low"] } },
                { "name": "urgent", "when": { "priority": ["Urgent"] } }
            ] }
        }),
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = body_json(response).await;
    assert_eq!(body["code"], "validation_failed", "{body}");
    let fields = &body["fields"];
    assert!(
        fields["review.auto_approve[1].when.priority"]
            .as_str()
            .unwrap()
            .contains("Urgent is not a value of Priority"),
        "{body}"
    );
    assert!(
        fields["fields[1]"].as_str().unwrap().contains("Colour__c"),
        "{body}"
    );

    // An escalation to a webhook the hand-off configuration lacks.
    let response = save(
        &admin,
        0,
        json!({ "actions": ["create_case"], "fields": ["Subject"],
                "escalation": { "when": [ { "priority": ["High"] } ], "route": { "webhook": "on-call" } } }),
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = body_json(response).await;
    assert!(
        body["fields"]["escalation.route.webhook"]
            .as_str()
            .unwrap()
            .contains("no webhook routes"),
        "{body}"
    );
    // A delete action does not exist: the body does not parse.
    let response = save(
        &admin,
        0,
        json!({ "actions": ["delete_case"], "fields": [] }),
    )
    .await;
    assert_eq!(response.status(), 400);
    let body = body_json(response).await;
    assert!(
        body["message"].as_str().unwrap().contains("delete_case"),
        "{body}"
    );

    assert_eq!(admin.get_json("/api/v1/admin/policy").await, before);
    assert_eq!(
        admin.get_json("/api/v1/admin/policy/versions").await,
        json!([])
    );
}

#[tokio::test]
async fn a_saved_policy_is_a_new_version_with_its_author_and_diff_in_the_audit_trail() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut policy = admin.get_json("/api/v1/admin/policy").await["policy"].clone();
    policy["actions"] = json!(["create_case", "upsert_case"]);
    policy["review"]["auto_approve"] =
        json!([{ "name": "routine low", "when": { "priority": ["Low"] } }]);
    let saved = save_ok(&admin, 0, policy.clone()).await;
    assert_eq!(saved["policy"]["version"], 1);
    assert_eq!(saved["author"], crate::helpers::DEMO_ADMIN_EMAIL);

    // A save made on the old version is refused: someone saved meanwhile.
    let stale = save(&admin, 0, policy.clone()).await;
    assert_eq!(stale.status(), 409);
    assert_eq!(body_json(stale).await["code"], "policy_changed");

    let versions = admin.get_json("/api/v1/admin/policy/versions").await;
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 1);
    let changes: Vec<(String, String)> = versions[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("actions".into(), "removed".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("review.auto_approve[0]".into(), "added".into())),
        "{changes:?}"
    );

    let audit = admin
        .get_json("/api/v1/admin/audit?kind=policy_changed")
        .await;
    let entry = &audit["entries"][0];
    assert_eq!(entry["actor_kind"], "admin");
    assert_eq!(entry["actor"], crate::helpers::DEMO_ADMIN_EMAIL);
    assert_eq!(entry["detail"]["version"], 1);
    assert_eq!(entry["detail"]["changes"], versions[0]["changes"]);

    // A dispatcher cannot change it.
    let dispatcher = app.dispatcher().await;
    assert_eq!(save(&dispatcher, 1, policy).await.status(), 403);
}

#[tokio::test]
async fn a_dry_run_counts_the_outcomes_and_lists_the_intakes_that_change() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let low = submit(&app, "Low", &[]).await;
    submit(&app, "High", &[]).await;
    submit(&app, "Medium", &[]).await;
    let candidate = json!({
        "actions": ["create_case", "upsert_case", "attach_files"],
        "fields": fields_but(&[]),
        "review": { "auto_approve": [ { "name": "routine low", "when": { "priority": ["Low"] } } ] },
        "escalation": { "when": [ { "words": ["mechanical seal"], "priority": ["High"] } ],
                        "route": { "email": ["oncall@example.com"] } }
    });
    // No SMTP here: e-mail escalation cannot be sent, said with its path.
    let refused = admin.post("/api/v1/admin/policy/dry-run", &candidate).await;
    assert_eq!(refused.status(), 422);
    assert!(body_json(refused).await["fields"]["escalation.route.email"].is_string());

    let mut candidate = candidate;
    candidate.as_object_mut().unwrap().remove("escalation");
    let run = admin.post("/api/v1/admin/policy/dry-run", &candidate).await;
    assert_eq!(run.status(), 200);
    let run = body_json(run).await;
    assert_eq!(run["considered"], 3, "{run}");
    assert_eq!(run["auto_approved"], 1, "{run}");
    assert_eq!(run["escalated"], 0, "{run}");
    assert_eq!(run["held"], 2, "{run}");
    let changed = run["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{run}");
    assert_eq!(changed[0]["intake_id"], low.to_string());
    assert_eq!(
        (changed[0]["before"].as_str(), changed[0]["after"].as_str()),
        (Some("held"), Some("auto-approved"))
    );
    // Nothing was saved, nothing was approved.
    assert_eq!(
        admin.get_json("/api/v1/admin/policy").await["policy"]["version"],
        0
    );
    assert_eq!(app.receipt(low).await["status"], "submitted");
}

#[tokio::test]
async fn a_disallowed_field_is_not_written_and_photos_stay_when_attaching_is_off() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let admin = app.admin().await;
    save_ok(
        &admin,
        0,
        json!({ "actions": ["create_case", "upsert_case"],
                "fields": fields_but(&["Error_Code__c", "SuppliedEmail"]) }),
    )
    .await;
    let photos = app.uploaded_photos(&app.pump(), 1).await;
    let id = submit(&app, "Medium", &photos).await;

    let detail = admin.intake(id).await;
    assert_eq!(
        detail["policy"]["not_written"],
        json!(["Error_Code__c", "SuppliedEmail"])
    );
    assert_eq!(detail["policy"]["photos_not_attached"], true);
    // Still held for a person (the default review), for the default's reason.
    assert_eq!(detail["status"], "submitted");
    assert_eq!(
        detail["policy"]["reasons"],
        json!(["the policy sends every intake to a person"])
    );

    app.approve(id).await;
    let receipt = app.wait_for_status(id, "written").await;
    let cases = org
        .query(&format!(
            "SELECT Id, Subject, Error_Code__c, SuppliedEmail FROM Case WHERE Intake_Key__c = '{id}'"
        ))
        .await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["Subject"], "Feed pump P-12 leaking at seal");
    assert!(cases[0]["Error_Code__c"].is_null(), "{:?}", cases[0]);
    assert!(cases[0]["SuppliedEmail"].is_null(), "{:?}", cases[0]);
    assert!(receipt["case_number"].is_string());
    let case_id = cases[0]["Id"].as_str().unwrap();
    assert!(org.case_files(case_id).await.is_empty(), "no file attached");
    assert_eq!(org.count("content_versions").await, 0);
}

#[tokio::test]
async fn a_full_write_with_photos_asks_salesforce_for_no_delete_and_no_other_object() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let id = app.submit_and_approve(2).await;
    app.wait_for_status(id, "written").await;
    let stats = org.stats().await;
    let requests: Vec<&str> = stats["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    // What the connector legitimately does: one composite (upsert the Case by
    // its external ID, read its number, query its files), then one sObject
    // Collection of ContentVersions. Reads (GET) are fine; nothing else.
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("composite: PATCH /sobjects/Case/Intake_Key__c/"))
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| **r == "collection: POST /sobjects/ContentVersion")
            .count(),
        2,
        "{requests:?}"
    );
    for r in &requests {
        let op = r.rsplit(": ").next().unwrap();
        assert!(!op.starts_with("DELETE"), "a DELETE: {r}");
        let legitimate = op.starts_with("GET ")
            || op == "POST /composite"
            || op == "POST /composite/sobjects"
            || op.starts_with("PATCH /sobjects/Case/")
            || op == "POST /sobjects/ContentVersion";
        assert!(
            legitimate,
            "the connector asked for {r}: only Case and ContentVersion may change"
        );
    }
}

#[tokio::test]
async fn a_low_intake_is_approved_by_rule_and_a_high_one_escalates_to_on_call_before_review() {
    let hooks = Arc::new(Mutex::new(Hooks::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/on-call", listener.local_addr().unwrap());
    let receiver = axum::Router::new()
        .route("/on-call", post(hook))
        .with_state(hooks.clone());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        json!({"routes": [
            {"name": "on-call", "when": [{"field": "Description", "contains": "for on-call only"}],
             "webhook": {"url": hook_url, "secret_env": "FIELDCASE_WEBHOOK_SECRET"}}
        ]})
        .to_string(),
    )
    .unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::write(&secrets, format!("FIELDCASE_WEBHOOK_SECRET={SECRET}\n")).unwrap();
    let (app, org) = spawn_app_with_org(&[
        "--handoff-rules",
        rules.to_str().unwrap(),
        "--handoff-secrets-file",
        secrets.to_str().unwrap(),
        "--handoff-poll-ms",
        "20",
    ])
    .await;
    app.connect_salesforce().await;
    let admin = app.admin().await;
    save_ok(
        &admin,
        0,
        json!({
            "actions": ["create_case", "upsert_case", "attach_files"],
            "fields": fields_but(&[]),
            "review": {
                "auto_approve": [ { "name": "routine low", "when": { "priority": ["Low"] } } ],
                "always_review": [ { "safety_hazard": true } ]
            },
            "escalation": { "when": [ { "priority": ["High"] }, { "words": ["flooding"] } ],
                            "route": { "webhook": "on-call" } }
        }),
    )
    .await;

    // Low: written with no person.
    let low = submit(&app, "Low", &[]).await;
    app.wait_for_status(low, "written").await;
    let detail = admin.intake(low).await;
    let approved = events(&detail, "approved");
    assert_eq!(approved.len(), 1, "{detail}");
    assert_eq!(approved[0]["actor_kind"], "rule");
    assert_eq!(approved[0]["actor"], "routine low");
    assert_eq!(approved[0]["detail"]["policy_version"], 1);
    assert_eq!(approved[0]["detail"]["via"], "rule");
    let cases = org
        .query(&format!(
            "SELECT Id, Priority FROM Case WHERE Intake_Key__c = '{low}'"
        ))
        .await;
    assert_eq!(cases[0]["Priority"], "Low");

    // High: on-call hears of it; it waits for a person, flagged in the queue.
    let high = submit(&app, "High", &[]).await;
    eventually("on-call receives the escalation", || {
        let n = hooks.lock().unwrap().received.len();
        async move { n >= 1 }
    })
    .await;
    let (headers, body) = hooks.lock().unwrap().received[0].clone();
    fieldcase_handoff::verify_signature(
        SECRET.as_bytes(),
        headers[fieldcase_handoff::webhook::TIMESTAMP_HEADER]
            .to_str()
            .unwrap(),
        &body,
        headers[fieldcase_handoff::webhook::SIGNATURE_HEADER]
            .to_str()
            .unwrap(),
        fieldcase_handoff::webhook::unix_now(),
        Duration::from_secs(300),
    )
    .expect("signed like every hand-off");
    let summary: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(summary["intake_id"], high.to_string());
    assert_eq!(summary["escalation"], json!(["priority is High"]));
    assert_eq!(summary["case_number"], "");
    let detail = admin.intake(high).await;
    assert_eq!(detail["status"], "submitted");
    assert!(events(&detail, "approved").is_empty());
    assert_eq!(detail["policy"]["escalated"], true);
    assert_eq!(
        detail["policy"]["reasons"],
        json!(["escalated: an escalated intake waits for a person"])
    );
    let escalated = events(&detail, "escalated");
    assert_eq!(escalated[0]["actor_kind"], "rule");
    assert_eq!(escalated[0]["detail"]["policy_version"], 1);
    let queue = admin.get_json("/api/v1/console/intakes").await;
    let row = queue["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == high.to_string())
        .unwrap()
        .clone();
    assert_eq!(row["escalated"], true);

    // Only now does a person approve it; the escalation was not sent again.
    app.approve(high).await;
    app.wait_for_status(high, "written").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(hooks.lock().unwrap().received.len(), 1);
}
