//! `POST /composite`: references, allOrNone, the 25-subrequest limit, one API call.

use base64::Engine as _;
use fieldcase_demo_org::FORKLIFT_FL07_ASSET_ID;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{V, spawn_org, tiny_png};

fn sub(method: &str, url: &str, reference_id: &str, body: Option<Value>) -> Value {
    let mut v = json!({"method": method, "url": format!("/services/data/{V}{url}"), "referenceId": reference_id});
    if let Some(b) = body {
        v["body"] = b;
    }
    v
}

#[tokio::test]
async fn composite_resolves_references_and_counts_one_call() {
    let org = spawn_org().await;
    let t = org.token().await;
    let before = org.api_calls().await;
    let png = base64::engine::general_purpose::STANDARD.encode(tiny_png());
    let body = json!({
        "allOrNone": true,
        "compositeRequest": [
            sub("PATCH", "/sobjects/Case/Intake_Key__c/c0ffee00-0000-4000-8000-000000000001", "newCase",
                Some(json!({"Subject": "Forklift brake", "AssetId": FORKLIFT_FL07_ASSET_ID, "Priority": "High"}))),
            sub("GET", "/sobjects/Case/@{newCase.id}?fields=CaseNumber,Subject", "readBack", None),
            sub("POST", "/sobjects/ContentVersion", "photo",
                Some(json!({"Title": "brake", "PathOnClient": "brake.png", "VersionData": png, "FirstPublishLocationId": "@{newCase.id}"}))),
            sub("GET", "/query?q=SELECT+Id,Checksum+FROM+ContentVersion+WHERE+FirstPublishLocationId='@{newCase.id}'", "files", None),
        ]
    });
    let res = org.post(&t, "/composite", &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let parts = res.body["compositeResponse"]
        .as_array()
        .expect("compositeResponse");
    assert_eq!(parts.len(), 4);
    for p in parts {
        let mut keys: Vec<&str> = p
            .as_object()
            .expect("obj")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["body", "httpHeaders", "httpStatusCode", "referenceId"]
        );
    }
    let case_id = parts[0]["body"]["id"].as_str().expect("id").to_string();
    assert_eq!(parts[0]["httpStatusCode"], 201);
    assert_eq!(parts[0]["body"]["created"], true);
    assert_eq!(
        parts[0]["httpHeaders"]["Location"],
        format!("/services/data/{V}/sobjects/Case/{case_id}")
    );
    assert_eq!(parts[1]["httpStatusCode"], 200);
    assert_eq!(parts[1]["body"]["Subject"], "Forklift brake");
    assert_eq!(parts[1]["body"]["Id"], case_id.as_str());
    assert_eq!(parts[2]["httpStatusCode"], 201);
    assert_eq!(parts[3]["body"]["totalSize"], 1);
    assert_eq!(
        parts[3]["body"]["records"][0]["Checksum"],
        crate::md5_hex(&tiny_png())
    );
    assert_eq!(
        org.api_calls().await - before,
        1,
        "a composite request is one API call"
    );
    assert_eq!(res.limit_info(), format!("api-usage={}/100000", before + 1));
}

#[tokio::test]
async fn all_or_none_rolls_everything_back() {
    let org = spawn_org().await;
    let t = org.token().await;
    let body = json!({
        "allOrNone": true,
        "compositeRequest": [
            sub("POST", "/sobjects/Case", "good", Some(json!({"Subject": "kept?"}))),
            sub("POST", "/sobjects/Case", "bad", Some(json!({"Subject": "no", "Priority": "Urgent"}))),
            sub("GET", "/sobjects/Case/@{good.id}", "after", None),
        ]
    });
    let res = org.post(&t, "/composite", &body).await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the top level is 200 even when subrequests fail"
    );
    let parts = &res.body["compositeResponse"];
    assert_eq!(parts[0]["httpStatusCode"], 400);
    assert_eq!(parts[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(parts[0]["referenceId"], "good");
    assert_eq!(
        parts[1]["body"][0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(parts[2]["body"][0]["errorCode"], "PROCESSING_HALTED");
    let count = org.query(&t, "SELECT COUNT() FROM Case").await;
    assert_eq!(count.body["totalSize"], 0, "nothing was kept");

    // Without allOrNone the good one stays and a reference to the failed one halts.
    let body = json!({
        "allOrNone": false,
        "compositeRequest": [
            sub("POST", "/sobjects/Case", "good", Some(json!({"Subject": "kept"}))),
            sub("POST", "/sobjects/Case", "bad", Some(json!({"Priority": "Urgent"}))),
            sub("GET", "/sobjects/Case/@{bad.id}", "dependent", None),
        ]
    });
    let res = org.post(&t, "/composite", &body).await;
    let parts = &res.body["compositeResponse"];
    assert_eq!(parts[0]["httpStatusCode"], 201);
    assert_eq!(parts[1]["httpStatusCode"], 400);
    assert_eq!(parts[2]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(
        org.query(&t, "SELECT COUNT() FROM Case").await.body["totalSize"],
        1
    );
}

#[tokio::test]
async fn more_than_25_subrequests_is_400() {
    let org = spawn_org().await;
    let t = org.token().await;
    let subs: Vec<Value> = (0..26)
        .map(|i| sub("GET", "/limits", &format!("r{i}"), None))
        .collect();
    let res = org
        .post(&t, "/composite", &json!({"compositeRequest": subs}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.body["compositeResponse"][0]["body"][0]["errorCode"],
        "LIMIT_EXCEEDED"
    );

    let subs: Vec<Value> = (0..25)
        .map(|i| sub("GET", "/limits", &format!("r{i}"), None))
        .collect();
    let res = org
        .post(&t, "/composite", &json!({"compositeRequest": subs}))
        .await;
    assert_eq!(res.status, StatusCode::OK);

    // Duplicate referenceIds are refused.
    let subs = vec![
        sub("GET", "/limits", "a", None),
        sub("GET", "/limits", "a", None),
    ];
    let res = org
        .post(&t, "/composite", &json!({"compositeRequest": subs}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn json_collections_create_many_records() {
    let org = spawn_org().await;
    let t = org.token().await;
    let records: Vec<Value> = (0..3)
        .map(|i| json!({"attributes": {"type": "Case"}, "Subject": format!("batch {i}")}))
        .collect();
    let res = org
        .post(
            &t,
            "/composite/sobjects",
            &json!({"allOrNone": false, "records": records}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body.as_array().map(Vec::len), Some(3));
    assert!(
        res.body
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["success"] == true)
    );

    let too_many: Vec<Value> = (0..201)
        .map(|_| json!({"attributes": {"type": "Case"}}))
        .collect();
    let res = org
        .post(&t, "/composite/sobjects", &json!({"records": too_many}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "EXCEEDED_ID_LIMIT");

    // Collections upsert.
    let records = vec![
        json!({"attributes": {"type": "Case"}, "Intake_Key__c": "u-1", "Subject": "one"}),
        json!({"attributes": {"type": "Case"}, "Intake_Key__c": "u-2", "Subject": "two"}),
    ];
    let res = org
        .patch(
            &t,
            "/composite/sobjects/Case/Intake_Key__c",
            &json!({"allOrNone": true, "records": records}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body[0]["created"], true);
    let records = vec![
        json!({"attributes": {"type": "Case"}, "Intake_Key__c": "u-1", "Subject": "one again"}),
    ];
    let res = org
        .patch(
            &t,
            "/composite/sobjects/Case/Intake_Key__c",
            &json!({"records": records}),
        )
        .await;
    assert_eq!(res.body[0]["created"], false);
}
