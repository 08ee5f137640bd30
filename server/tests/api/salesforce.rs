//! Writing approved intakes into Salesforce (the demo org, in this process):
//! connecting through OAuth, the case with its photos, exactly once, in at
//! most two API calls, and what happens when things go wrong.

use fieldcase_demo_org::{
    DEMO_USER_ID, FEED_PUMP_P12_ASSET_ID, NORTHWIND_FOODS_ACCOUNT_ID, ORG_ID,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestOrg, eventually, spawn_app, spawn_app_with_org, submission};

#[tokio::test]
async fn without_salesforce_approved_intakes_wait_and_the_status_says_so() {
    let app = spawn_app().await;
    let id = app.submit_and_approve(0).await;
    let receipt = app.receipt(id).await;
    assert_eq!(receipt["status"], "approved");

    let status = app.salesforce_status().await;
    assert_eq!(status["configured"], false);
    assert_eq!(status["connected"], false);
    assert_eq!(status["queue"]["waiting"], 1);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("Not connected"),
        "{status}"
    );
    let page = app.admin().await.get("/admin/salesforce").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Not connected"), "{html}");
    assert!(!html.contains("<script") && !html.contains("style="));
}

#[tokio::test]
async fn connecting_through_the_web_server_flow_writes_the_waiting_case_with_its_photos() {
    let (app, org) = spawn_app_with_org(&[]).await;
    let status = app.salesforce_status().await;
    assert_eq!(
        (status["configured"].clone(), status["connected"].clone()),
        (json!(true), json!(false))
    );

    // Approved before anyone connected: it waits.
    let id = app.submit_and_approve(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.salesforce_status().await["queue"]["waiting"], 1);
    assert_eq!(org.count("cases").await, 0);

    // The connect route sends the browser to the org with PKCE S256.
    let admin = app.admin().await;
    let redirect = admin
        .request(reqwest::Method::POST, "/admin/salesforce/connect")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 303);
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{}/services/oauth2/authorize?", org.base)),
        "{location}"
    );
    assert!(
        location.contains("code_challenge_method=S256"),
        "{location}"
    );

    app.connect_salesforce().await;
    let status = app.salesforce_status().await;
    assert_eq!(status["connected"], true, "{status}");
    assert_eq!(status["flow"], "web_server");
    assert_eq!(status["user_id"], DEMO_USER_ID);
    assert_eq!(status["org_id"], ORG_ID);
    assert_eq!(status["instance_url"], org.base);
    let shown = status.to_string();
    assert!(
        !shown.contains("token\""),
        "no token in the status: {shown}"
    );

    let receipt = app.wait_for_status(id, "written").await;
    let case_number = receipt["case_number"].as_str().unwrap();
    let case_url = receipt["case_url"].as_str().unwrap();
    assert!(
        case_url.starts_with(&format!("{}/cases/500", org.base)),
        "{case_url}"
    );
    let case_id = case_url.rsplit('/').next().unwrap();

    let cases = org
        .query(&format!(
            "SELECT Id, CaseNumber, Subject, AssetId, AccountId, Intake_Key__c, \
             Intake_Reference__c, Origin, Priority FROM Case WHERE Intake_Key__c = '{id}'"
        ))
        .await;
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["Id"], case_id);
    assert_eq!(case["CaseNumber"], case_number);
    assert_eq!(case["Subject"], "Feed pump P-12 leaking at seal");
    assert_eq!(case["AssetId"], FEED_PUMP_P12_ASSET_ID);
    assert_eq!(case["AccountId"], NORTHWIND_FOODS_ACCOUNT_ID);
    assert_eq!(case["Origin"], "Web");
    assert_eq!(case["Priority"], "High");
    // The reference the technician was told to quote finds the case.
    assert_eq!(case["Intake_Reference__c"], receipt["reference"]);
    assert!(receipt["reference"].as_str().unwrap().starts_with("FC-"));
    let files = org.case_files(case_id).await;
    assert_eq!(files.len(), 2);

    // Recorded on the intake, each photo with its file, and audited.
    let photos = app.store.intake_photo_files(&id.to_string()).await.unwrap();
    assert!(
        photos
            .iter()
            .all(|(_, file)| file.as_deref().is_some_and(|f| f.starts_with("068"))),
        "{photos:?}"
    );
    let events = app.store.intake_events(&id.into()).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.actor_kind.as_str(), last.kind.as_str()),
        ("system", "written")
    );
    let detail = &last.detail;
    assert_eq!(detail["case_id"], case_id);
    assert_eq!(detail["photos_uploaded"], 2);

    // Tokens are sealed at rest.
    let stored = app.store.salesforce_connection().await.unwrap().unwrap();
    assert!(stored.access_token_enc.starts_with("v1."));
    assert!(
        !stored.access_token_enc.contains('!'),
        "a Salesforce token has a '!'"
    );
    assert!(
        stored
            .refresh_token_enc
            .as_deref()
            .unwrap()
            .starts_with("v1.")
    );

    let html = app
        .admin()
        .await
        .get("/admin/salesforce")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Connected") && html.contains(DEMO_USER_ID),
        "{html}"
    );
    assert_eq!(app.salesforce_status().await["queue"]["written"], 1);
}

#[tokio::test]
async fn at_most_two_api_calls_per_case_for_any_number_of_photos() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let mut measured = Vec::new();
    for photos in [0u32, 1, 5] {
        let before = org.stats().await;
        let id = app.submit_and_approve(photos).await;
        app.wait_for_status(id, "written").await;
        let after = org.stats().await;
        let calls = after["api_calls"].as_u64().unwrap() - before["api_calls"].as_u64().unwrap();
        let files = after["content_versions"].as_u64().unwrap()
            - before["content_versions"].as_u64().unwrap();
        assert_eq!(files, u64::from(photos));
        measured.push((photos, calls));
    }
    println!("API calls per case (photos, calls): {measured:?}");
    assert_eq!(measured, [(0, 1), (1, 2), (5, 2)]);
    let by_route = &org.stats().await["calls_by_route"];
    assert_eq!(by_route["POST /composite"], 3, "{by_route}");
    assert_eq!(by_route["POST /composite/sobjects"], 2, "{by_route}");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_the_write_succeeds() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let before = app.store.salesforce_connection().await.unwrap().unwrap();
    org.faults(json!({"expire_access_tokens": true})).await;
    let id = app.submit_and_approve(1).await;
    app.wait_for_status(id, "written").await;
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state.as_str(), attempts),
        ("done", 0),
        "refreshed within the attempt"
    );
    assert_eq!(org.count("cases").await, 1);
    let after = app.store.salesforce_connection().await.unwrap().unwrap();
    assert_ne!(
        after.access_token_enc, before.access_token_enc,
        "a new access token"
    );
    assert_eq!(
        after.refresh_token_enc, before.refresh_token_enc,
        "the same refresh token"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_waits_for_reauthorisation_then_writes() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    org.faults(json!({"revoke_refresh_tokens": true, "expire_access_tokens": true}))
        .await;
    let id = app.submit_and_approve(1).await;

    eventually("the connection needs re-authorisation", || async {
        app.salesforce_status().await["needs_reauthorization"] == true
    })
    .await;
    let status = app.salesforce_status().await;
    assert_eq!(status["connected"], false);
    assert!(
        status["reauthorization_reason"]
            .as_str()
            .unwrap()
            .contains("invalid_grant"),
        "{status}"
    );
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("nothing is dropped"),
        "{status}"
    );
    let html = app
        .admin()
        .await
        .get("/admin/salesforce")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Needs re-authorisation"), "{html}");

    // The write waits, uncounted.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let receipt = app.receipt(id).await;
    assert_eq!(receipt["status"], "approved");
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("pending", 0));
    assert_eq!(status["queue"]["waiting"], 1);

    app.connect_salesforce().await;
    app.wait_for_status(id, "written").await;
    assert_eq!(org.count("cases").await, 1);
    assert_eq!(org.count("content_versions").await, 1);
    assert_eq!(
        app.salesforce_status().await["needs_reauthorization"],
        false
    );
}

#[tokio::test]
async fn three_503s_are_retried_with_backoff() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    org.faults(json!({"fail_next": {"status": 503, "count": 3}}))
        .await;
    let id = app.submit_and_approve(2).await;
    app.wait_for_status(id, "written").await;
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("done", 3));
    assert_eq!(org.count("cases").await, 1);
    assert_eq!(org.count("content_versions").await, 2);
}

#[tokio::test]
async fn request_limit_exceeded_backs_off_then_succeeds() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    org.faults(json!({"limit_exceeded_next": 1})).await;
    let id = app.submit_and_approve(1).await;
    app.wait_for_status(id, "written").await;
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state.as_str(), attempts), ("done", 1));
    assert_eq!(org.count("cases").await, 1);
}

#[tokio::test]
async fn a_validation_error_puts_the_intake_in_needs_attention_on_its_field() {
    // A schema that allows a longer error code than the org does.
    let mut schema: Value =
        serde_json::from_str(fieldcase_core::schema::DEFAULT_SCHEMA_JSON).unwrap();
    for field in schema["fields"].as_array_mut().unwrap() {
        if field["name"] == "Error_Code__c" {
            field["max_length"] = json!(100);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.json");
    std::fs::write(&path, schema.to_string()).unwrap();
    let path = path.display().to_string();
    let (app, org) = spawn_app_with_org(&["--schema", &path]).await;
    app.connect_salesforce().await;

    let token = app.pump();
    let id = Uuid::now_v7();
    let mut body = submission(id, &token, &[]);
    // Salesforce's message quotes the refused value: here, a customer's e-mail.
    let value = "E-42 call jane.doe@customer.example back before 9";
    body["fields"]["Error_Code__c"] = json!(value);
    assert_eq!(app.put_intake(id, &body).await.status(), 201);
    app.approve(id).await;

    let receipt = app.wait_for_status(id, "needs_attention").await;
    let problem = receipt["problems"]["Error_Code__c"].as_str().unwrap();
    assert!(
        problem.ends_with("is longer than the CRM accepts; a dispatcher will shorten it."),
        "fieldcase's words, not Salesforce's: {receipt:#}"
    );
    let shown = receipt.to_string();
    assert!(
        !shown.contains("jane.doe") && !shown.contains("max length"),
        "{shown}"
    );
    assert!(receipt.get("case_number").is_none());
    assert_eq!(org.count("cases").await, 0);
    let (state, _, error) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        state,
        fieldcase_server::store::WriteJobState::NeedsAttention
    );
    assert_eq!(
        error.as_deref(),
        Some("STRING_TOO_LONG [Error_Code__c]"),
        "codes, not values"
    );
    let events = app.store.intake_events(&id.into()).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.actor_kind.as_str(), last.kind.as_str()),
        ("system", "needs_attention")
    );
    assert_eq!(app.salesforce_status().await["queue"]["needs_attention"], 1);

    // A dispatcher corrects the field in the console and approves again.
    let staff = app.dispatcher().await;
    let intake = staff.intake(id).await;
    assert_eq!(intake["status"], "needs_attention");
    assert_eq!(intake["problems"]["Error_Code__c"], problem);
    // Staff see what Salesforce said, to correct it.
    let crm = intake["crm_messages"]["Error_Code__c"].as_str().unwrap();
    assert!(
        crm.contains("max length=40") && crm.contains("jane.doe"),
        "{crm}"
    );
    let corrected = staff
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": intake["revision"], "fields": { "Error_Code__c": "E-42" } }),
        )
        .await;
    assert_eq!(corrected.status(), 200);
    app.approve(id).await;
    let receipt = app.wait_for_status(id, "written").await;
    assert!(receipt["case_number"].is_string(), "{receipt:#}");
    assert_eq!(org.count("cases").await, 1);
}

#[tokio::test]
async fn a_lost_answer_after_salesforce_committed_makes_no_duplicate() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;

    // The case upsert commits, then the connection drops.
    org.faults(json!({"drop_after_commit_next": 1})).await;
    let first = app.submit_and_approve(2).await;
    app.wait_for_status(first, "written").await;
    assert_eq!(org.count("cases").await, 1);
    assert_eq!(org.count("content_versions").await, 2);
    let (_, attempts, _) = app
        .store
        .write_job_state(&first.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(attempts, 1, "the lost answer cost one attempt");

    // Both answers lost: the upsert's and the upload's.
    org.faults(json!({"drop_after_commit_next": 2})).await;
    let second = app.submit_and_approve(3).await;
    let receipt = app.wait_for_status(second, "written").await;
    let (_, attempts, _) = app
        .store
        .write_job_state(&second.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(attempts, 2, "two lost answers, two attempts");
    assert_eq!(org.count("cases").await, 2);
    assert_eq!(org.count("content_versions").await, 5);
    let case_id = receipt["case_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let files = org.case_files(&case_id).await;
    let mut checksums: Vec<&str> = files
        .iter()
        .map(|f| f["Checksum"].as_str().unwrap())
        .collect();
    checksums.dedup();
    assert_eq!(checksums.len(), 3, "each photo once: {files:?}");
}

/// The case's files in Salesforce: each photo's checksum once, and how many.
async fn files_on(org: &TestOrg, receipt: &Value) -> (usize, usize) {
    let case_id = receipt["case_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let files = org.case_files(&case_id).await;
    let mut checksums: Vec<&str> = files
        .iter()
        .map(|f| f["Checksum"].as_str().unwrap())
        .collect();
    checksums.sort_unstable();
    checksums.dedup();
    (files.len(), checksums.len())
}

#[tokio::test]
async fn answers_lost_or_late_after_salesforce_committed_make_no_duplicate() {
    // Our timeout is 1 s; a late answer comes 1.5 s after the commit.
    let (app, org) = spawn_app_with_org(&["--salesforce-timeout-secs", "1"]).await;
    app.connect_salesforce().await;
    let attempts = |id: Uuid| {
        let store = app.store.clone();
        async move {
            store
                .write_job_state(&id.to_string())
                .await
                .unwrap()
                .unwrap()
                .1
        }
    };

    // The case upsert commits; its answer comes after we gave up.
    org.faults(json!({
        "late_after_commit_next": {"count": 1, "ms": 1500},
        "after_commit_route": "POST /composite"
    }))
    .await;
    let first = app.submit_and_approve(2).await;
    let receipt = app.wait_for_status(first, "written").await;
    assert_eq!(attempts(first).await, 1, "the late answer cost one attempt");
    assert_eq!(org.count("cases").await, 1);
    assert_eq!(files_on(&org, &receipt).await, (2, 2));

    // The photo upload commits; its answer comes after we gave up.
    org.faults(json!({
        "late_after_commit_next": {"count": 1, "ms": 1500},
        "after_commit_route": "POST /composite/sobjects"
    }))
    .await;
    let second = app.submit_and_approve(3).await;
    let receipt = app.wait_for_status(second, "written").await;
    assert_eq!(attempts(second).await, 1);
    assert_eq!(org.count("cases").await, 2);
    assert_eq!(files_on(&org, &receipt).await, (3, 3), "each photo once");

    // The photo upload commits; the connection drops before any answer.
    org.faults(json!({
        "drop_after_commit_next": 1,
        "after_commit_route": "POST /composite/sobjects"
    }))
    .await;
    let third = app.submit_and_approve(2).await;
    let receipt = app.wait_for_status(third, "written").await;
    assert_eq!(attempts(third).await, 1);
    assert_eq!(files_on(&org, &receipt).await, (2, 2), "each photo once");

    let stats = org.stats().await;
    assert_eq!(
        (stats["cases"].as_u64(), stats["content_versions"].as_u64()),
        (Some(3), Some(7)),
        "{stats}"
    );
    // Each lost answer was followed by one look (the composite) that found
    // what had been committed: one upload per intake, never a second.
    assert_eq!(stats["calls_by_route"]["POST /composite"], 6, "{stats}");
    assert_eq!(
        stats["calls_by_route"]["POST /composite/sobjects"], 3,
        "{stats}"
    );
    for id in [first, second, third] {
        let files = app.store.intake_photo_files(&id.to_string()).await.unwrap();
        assert!(
            files.iter().all(|(_, version)| version.is_some()),
            "every photo's file recorded: {files:?}"
        );
    }
}

#[tokio::test]
async fn client_credentials_connect_and_renew_themselves() {
    let (app, org) = spawn_app_with_org(&[]).await;
    let response = app
        .admin()
        .await
        .request(
            reqwest::Method::POST,
            "/admin/salesforce/connect-client-credentials",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let status = app.salesforce_status().await;
    assert_eq!(status["flow"], "client_credentials", "{status}");
    assert_eq!(status["connected"], true);

    // No refresh token in this flow: an expired token is replaced by a new grant.
    org.faults(json!({"expire_access_tokens": true})).await;
    let id = app.submit_and_approve(1).await;
    app.wait_for_status(id, "written").await;
}

#[tokio::test]
async fn a_callback_with_an_unknown_state_is_refused() {
    let (app, _org) = spawn_app_with_org(&[]).await;
    let admin = app.admin().await;
    let response = admin
        .get("/admin/salesforce/callback?code=aPrxstolen&state=forged")
        .await;
    assert_eq!(response.status(), 400);
    let html = response.text().await.unwrap();
    assert!(html.contains("not started from this browser"), "{html}");
    let denied = admin
        .get("/admin/salesforce/callback?error=access_denied&error_description=end-user+denied")
        .await;
    assert_eq!(denied.status(), 400);
    assert_eq!(app.salesforce_status().await["connected"], false);
}

#[tokio::test]
async fn a_callback_completed_in_another_browser_is_refused_and_changes_nothing() {
    let (app, _org) = spawn_app_with_org(&[]).await;
    // Admin A presses Connect; the authorize URL carries A's state.
    let a = app.admin().await;
    let started = a
        .request(reqwest::Method::POST, "/admin/salesforce/connect")
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let location = reqwest::Url::parse(started.headers()["location"].to_str().unwrap()).unwrap();
    let state = location
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    // The callback arrives in another browser (another admin session).
    let b = crate::helpers::sign_in_at(
        &app.address,
        crate::helpers::DEMO_ADMIN_EMAIL,
        crate::helpers::DEMO_STAFF_PASSWORD,
    )
    .await;
    let elsewhere = b
        .get(&format!(
            "/admin/salesforce/callback?code=aPrxcode&state={state}"
        ))
        .await;
    assert_eq!(elsewhere.status(), 400);
    assert!(
        elsewhere
            .text()
            .await
            .unwrap()
            .contains("not started from this browser")
    );
    assert_eq!(app.salesforce_status().await["connected"], false);
}

#[tokio::test]
async fn demo_connect_connects_at_start_up() {
    let (app, org) = spawn_app_with_org(&["--demo-connect"]).await;
    eventually("--demo-connect connected", || async {
        app.salesforce_status().await["connected"] == true
    })
    .await;
    let id = app.submit_and_approve(1).await;
    app.wait_for_status(id, "written").await;
    assert_eq!(org.count("cases").await, 1);
}

#[test]
fn the_demo_assets_point_at_the_demo_orgs_records() {
    use fieldcase_server::demo;
    assert_eq!(
        demo::NORTHWIND_FOODS_ACCOUNT_ID,
        fieldcase_demo_org::NORTHWIND_FOODS_ACCOUNT_ID
    );
    assert_eq!(
        demo::CONTOSO_LOGISTICS_ACCOUNT_ID,
        fieldcase_demo_org::CONTOSO_LOGISTICS_ACCOUNT_ID
    );
    assert_eq!(
        demo::DEMO_ORG_ASSETS.len(),
        fieldcase_demo_org::ASSETS.len()
    );
    for (name, asset_id, account_id) in demo::DEMO_ORG_ASSETS {
        let seeded = fieldcase_demo_org::ASSETS
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("the demo org has no asset {name}"));
        assert_eq!(asset_id, seeded.id, "{name}");
        assert_eq!(account_id, seeded.account_id, "{name}");
    }
}

#[tokio::test]
async fn only_exactly_what_was_approved_is_written() {
    let (app, org) = spawn_app_with_org(&[]).await;
    let id = app.submit_and_approve(0).await;
    // Something changes the stored fields behind the approval's back.
    let url = format!("sqlite://{}", app.data().join("fieldcase.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "UPDATE intakes SET fields_json = replace(fields_json, 'High', 'Low') WHERE id = $1",
    )
    .bind(id.to_string())
    .execute(&pool)
    .await
    .unwrap();
    app.connect_salesforce().await;
    let receipt = app.wait_for_status(id, "needs_attention").await;
    let problem = receipt["problems"]["Case"].as_str().unwrap();
    assert!(
        problem.contains("changed after it was approved"),
        "{problem}"
    );
    assert_eq!(
        org.count("cases").await,
        0,
        "nothing unapproved reaches the CRM"
    );
}
