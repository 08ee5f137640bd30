//! Personal data in an intake (issue 9): found when it is submitted, counted
//! in the audit trail (never its value), shown to the dispatcher with its
//! kind and span, and redacted by a revision-bound action before the case
//! is written.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    StaffSession, TestApp, assert_api_error, body_json, spawn_app, spawn_app_with_org, submission,
};

const CARD: &str = "4111 1111 1111 1111";
const EMAIL: &str = "ann.lee@northwind.example";

fn notes() -> String {
    format!(
        "Pump P-12 leaking at the seal, 3.2 bar. Cust paid callout with card {CARD}, receipt to {EMAIL}. E-42."
    )
}

async fn submit_personal(app: &TestApp) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["notes"] = json!(notes());
    body["fields"]["Description"] = json!(notes());
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 201);
    id
}

/// Every audit row of the intake, as the admin's log has them.
async fn audit_rows(admin: &StaffSession, id: Uuid) -> Vec<Value> {
    let page = admin
        .get_json(&format!("/api/v1/admin/audit?intake={id}&limit=200"))
        .await;
    page["entries"].as_array().unwrap().clone()
}

fn findings_in<'a>(detail: &'a Value, field: &str) -> Vec<&'a Value> {
    detail["pii"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == field)
        .collect()
}

fn span_text<'a>(text: &'a str, f: &Value) -> &'a str {
    let (a, b) = (f["start"].as_u64().unwrap(), f["end"].as_u64().unwrap());
    &text[a as usize..b as usize]
}

#[tokio::test]
async fn a_card_and_an_email_are_shown_counted_never_logged_and_redacted() {
    let app = spawn_app().await;
    let id = submit_personal(&app).await;
    let staff = app.dispatcher().await;
    let admin = app.admin().await;

    // The console's detail: two findings in the notes, spans on the words.
    let detail = staff.intake(id).await;
    let notes = detail["notes"].as_str().unwrap().to_owned();
    let in_notes = findings_in(&detail, "notes");
    assert_eq!(in_notes.len(), 2, "{}", detail["pii"]);
    assert_eq!(in_notes[0]["kind"], "card");
    assert_eq!(span_text(&notes, in_notes[0]), CARD);
    assert_eq!(in_notes[1]["kind"], "email");
    assert_eq!(span_text(&notes, in_notes[1]), EMAIL);
    assert_eq!(findings_in(&detail, "Description").len(), 2);
    assert!(
        findings_in(&detail, "SuppliedEmail").is_empty(),
        "the technician's own e-mail is not a finding"
    );

    // The submission's event counts them; no audit row holds the values.
    let rows = audit_rows(&admin, id).await;
    let submitted = rows.iter().find(|e| e["kind"] == "submitted").unwrap();
    assert_eq!(
        submitted["detail"]["pii"],
        json!({"notes": {"card": 1, "email": 1}, "Description": {"card": 1, "email": 1}})
    );
    let trail = Value::Array(rows.clone()).to_string();
    assert!(
        !trail.contains(CARD) && !trail.contains("4111111111111111"),
        "{trail}"
    );
    assert!(!trail.contains(EMAIL), "{trail}");
    assert!(
        trail.contains("[redacted card]"),
        "the structuring's values are redacted: {trail}"
    );

    // Redact the card: in the notes, and in the Description copied from them.
    let card = in_notes[0].clone();
    let path = format!("/api/v1/console/intakes/{id}/redact");
    let redacted = staff
        .post(&path, &json!({ "revision": 1, "findings": [card] }))
        .await;
    assert_eq!(redacted.status(), 200);
    let redacted = body_json(redacted).await;
    assert_eq!(redacted["revision"], 2);
    assert_eq!(redacted["status"], "in_review");
    let after = redacted["notes"].as_str().unwrap();
    assert!(
        after.contains("with card [redacted card], receipt"),
        "{after}"
    );
    assert!(!after.contains(CARD));
    assert_eq!(redacted["fields"]["Description"], after);
    let kinds: Vec<&Value> = redacted["pii"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["kind"])
        .collect();
    assert_eq!(kinds, [&json!("email"), &json!("email")]);
    // Structuring's highlights still fall on the words they set.
    let code = redacted["proposal"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "Error_Code__c")
        .unwrap();
    assert_eq!(span_text(after, &code["source"]["spans"][0]), "E-42");
    let event = redacted["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "redacted")
        .unwrap();
    assert_eq!(event["actor_kind"], "dispatcher");
    assert_eq!(
        event["detail"],
        json!({"redacted": {"notes": {"card": 1}, "Description": {"card": 1}}, "revision": 2})
    );

    // The same finding again, on the old revision: refused, nothing changes.
    let stale = staff
        .post(&path, &json!({ "revision": 1, "findings": [in_notes[1]] }))
        .await;
    assert_eq!(stale.status(), 409);
    let stale = body_json(stale).await;
    assert_api_error(&stale, "stale_revision");
    assert!(
        stale["message"]
            .as_str()
            .unwrap()
            .contains("redacted personal data in"),
        "{stale}"
    );
    // A finding that is not there (any more): refused with what to do.
    let gone = staff
        .post(&path, &json!({ "revision": 2, "findings": [card] }))
        .await;
    assert_eq!(gone.status(), 409);
    assert_api_error(&body_json(gone).await, "finding_gone");
    let nothing = staff.post(&path, &json!({ "revision": 2 })).await;
    assert_eq!(nothing.status(), 422);
    assert_api_error(&body_json(nothing).await, "nothing_to_redact");

    // Redact all: nothing personal is left, and the trail still holds no value.
    let all = staff
        .post(&path, &json!({ "revision": 2, "all": true }))
        .await;
    assert_eq!(all.status(), 200);
    let all = body_json(all).await;
    assert_eq!(all["pii"], json!([]));
    assert!(
        all["notes"]
            .as_str()
            .unwrap()
            .contains("receipt to [redacted email].")
    );
    let trail = Value::Array(audit_rows(&admin, id).await).to_string();
    assert!(!trail.contains(CARD) && !trail.contains(EMAIL), "{trail}");
    assert_eq!(
        audit_rows(&admin, id)
            .await
            .iter()
            .filter(|e| e["kind"] == "redacted")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_dispatchers_edit_is_audited_without_the_personal_data_it_holds() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let edited = staff
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 1, "fields": { "Subject": format!("Refund card {CARD}") } }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited = body_json(edited).await;
    assert_eq!(findings_in(&edited, "Subject").len(), 1);
    let change = edited["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "field_changed")
        .unwrap();
    assert_eq!(change["detail"]["to"], "Refund card [redacted card]");
}

#[tokio::test]
async fn a_redacted_card_number_never_reaches_the_crm() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let id = submit_personal(&app).await;
    let staff = app.dispatcher().await;
    let redacted = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/redact"),
            &json!({ "revision": 1, "all": true }),
        )
        .await;
    assert_eq!(redacted.status(), 200);
    app.approve(id).await;
    app.wait_for_status(id, "written").await;
    let cases = org
        .query(&format!(
            "SELECT Id, Description FROM Case WHERE Intake_Key__c = '{id}'"
        ))
        .await;
    assert_eq!(cases.len(), 1);
    let description = cases[0]["Description"].as_str().unwrap();
    assert!(
        description.contains("with card [redacted card], receipt to [redacted email]."),
        "{description}"
    );
    assert!(!description.contains(CARD), "{description}");
}
