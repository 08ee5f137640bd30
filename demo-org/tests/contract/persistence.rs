//! The org keeps its data (records, files, tokens, counters) across restarts.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::{TestOrg, client, read, spawn_org, test_config, tiny_png};

#[tokio::test]
async fn data_survives_a_restart() {
    let mut org = spawn_org().await;
    let t = org.token().await;
    let case = org
        .create_case(
            &t,
            json!({"Subject": "Before the restart", "Intake_Key__c": "persist-1"}),
        )
        .await;
    let form = Form::new()
        .part(
            "entity_content",
            Part::text(
                json!({"PathOnClient": "p.png", "FirstPublishLocationId": case}).to_string(),
            )
            .mime_str("application/json")
            .expect("mime"),
        )
        .part("VersionData", Part::bytes(tiny_png()).file_name("p.png"));
    let res = read(
        org.http
            .post(org.data("/sobjects/ContentVersion"))
            .bearer_auth(&t)
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let calls = org.api_calls().await;
    org.stop().await;

    // Same data directory, a new process-equivalent.
    let config = test_config(org.dir.path());
    let running = fieldcase_demo_org::spawn(config).await.expect("respawn");
    let again = TestOrg {
        base: running.base_url.clone(),
        org: Some(running),
        dir: org.dir,
        http: client(),
    };
    let res = again.get(&t, &format!("/sobjects/Case/{case}")).await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the old token still works: {}",
        res.body
    );
    assert_eq!(res.body["Subject"], "Before the restart");
    let files = again
        .query(
            &t,
            &format!(
                "SELECT Id, Checksum FROM ContentVersion WHERE FirstPublishLocationId = '{case}'"
            ),
        )
        .await;
    assert_eq!(files.body["totalSize"], 1);
    assert_eq!(
        files.body["records"][0]["Checksum"],
        crate::md5_hex(&tiny_png())
    );
    assert_eq!(again.api_calls().await, calls + 2, "usage carries on");
    let next = again.create_case(&t, json!({"Subject": "After"})).await;
    assert_eq!(
        again.get(&t, &format!("/sobjects/Case/{next}")).await.body["CaseNumber"],
        "00001002"
    );
}
