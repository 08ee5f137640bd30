//! The connection preflight: before anything is written, the admin learns
//! whether the connected org can take every field fieldcase would write,
//! one line per problem saying what to fix in Salesforce Setup.

use serde_json::{Value, json};

use crate::helpers::spawn_app_with_org;

#[tokio::test]
async fn a_preflight_needs_a_connection_and_says_so() {
    let (app, _org) = spawn_app_with_org(&[]).await;
    let admin = app.admin().await;
    let res = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_connected");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Connect Salesforce"),
        "{body}"
    );
}

#[tokio::test]
async fn the_demo_org_passes_and_a_field_the_user_cannot_create_is_named_with_its_fix() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let admin = app.admin().await;

    let res = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(report["problems"], json!([]));
    // The demo org says IsSandbox = false.
    assert_eq!(report["environment"], "production");
    assert!(report["fields_checked"].as_u64().unwrap() >= 10, "{report}");
    let status = app.salesforce_status().await;
    assert_eq!(status["preflight"]["passed"], true, "{status}");

    // The integration user loses Edit on one field, and Files altogether.
    org.faults(json!({"not_createable": ["Case.Error_Code__c", "ContentVersion"]}))
        .await;
    let report: Value = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["passed"], false, "{report}");
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        problems,
        [
            "field-level security: give the integration user's permission set Edit on \
             Case.Error_Code__c",
            "object permissions: give the integration user's permission set Create on \
             ContentVersion (photos are attached as Files)",
        ]
    );

    // The admin page shows the last run, its problems and the button.
    let page = admin.get("/admin/salesforce").await.text().await.unwrap();
    assert!(
        page.contains("2 problem(s) to fix in Salesforce Setup"),
        "{page}"
    );
    assert!(page.contains("Edit on Case.Error_Code__c"), "{page}");
    assert!(
        page.contains("action=\"/admin/salesforce/preflight\""),
        "{page}"
    );

    // The audit trail has each run: its outcome and counts, nothing else.
    let audit = admin.get_json("/api/v1/admin/audit").await.to_string();
    assert!(audit.contains("salesforce_preflight"), "{audit}");
    assert!(audit.contains("\"problems\":2"), "{audit}");
    assert!(!audit.contains("access_token"), "{audit}");

    // Fixed in Setup: the next run passes again.
    org.faults(json!({"not_createable": []})).await;
    let report: Value = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["passed"], true, "{report}");
}

#[tokio::test]
async fn the_status_page_runs_the_preflight_from_its_form() {
    let (app, _org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let admin = app.admin().await;
    let page = admin.get("/admin/salesforce").await.text().await.unwrap();
    assert!(
        page.contains("Not run against this connection yet"),
        "{page}"
    );
    let res = admin
        .request(reqwest::Method::POST, "/admin/salesforce/preflight")
        .send()
        .await
        .unwrap();
    // Back to the status page, which now has the run.
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/salesforce#preflight");
    let page = admin.get("/admin/salesforce").await.text().await.unwrap();
    assert!(page.contains("Passed: the org can take all"), "{page}");
    assert!(page.contains("Production"), "{page}");
}

/// Sandbox first: once the org is known to be production, a policy that
/// writes to it is put in force only while its last preflight passed.
#[tokio::test]
async fn a_writing_policy_waits_for_a_passed_preflight_against_a_production_org() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let admin = app.admin().await;
    let current = admin.get_json("/api/v1/admin/policy").await;
    let mut policy = current["policy"].clone();
    let version = current["policy"]["version"].as_u64().unwrap();
    policy["version"] = json!(version);

    // The demo org says IsSandbox = false, and Files cannot be created.
    org.faults(json!({"not_createable": ["ContentVersion"]}))
        .await;
    let report: Value = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["environment"], "production", "{report}");
    assert_eq!(report["passed"], false, "{report}");

    let res = admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
        .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "preflight_required", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("production"), "{message}");
    assert!(message.contains("1 problem(s)"), "{message}");
    assert!(message.contains("run the preflight again"), "{message}");
    // Nothing was saved.
    let after = admin.get_json("/api/v1/admin/policy").await;
    assert_eq!(after["policy"]["version"], json!(version), "{after}");

    // A policy that writes nothing to the CRM is not held back.
    let mut quiet = policy.clone();
    quiet["actions"] = json!([]);
    let res = admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &quiet)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // Fixed in Setup and checked again: the writing policy goes in force.
    org.faults(json!({"not_createable": []})).await;
    let report: Value = admin
        .post("/api/v1/admin/salesforce/preflight", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["passed"], true, "{report}");
    policy["version"] = json!(version + 1);
    let res = admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}
