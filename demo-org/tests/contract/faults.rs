//! Fault injection under /__demo/.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::{read, spawn_org};

#[tokio::test]
async fn expire_access_tokens_and_revoke_refresh_tokens() {
    let org = spawn_org().await;
    let t = org.token().await;
    let res = org.faults(json!({"expire_access_tokens": true})).await;
    assert_eq!(res["expired_access_tokens"], 1);
    let res = org.get(&t, "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error_code(), "INVALID_SESSION_ID");
    let fresh = org.token().await;
    assert_eq!(org.get(&fresh, "/").await.status, StatusCode::OK);

    let res = org.faults(json!({"revoke_refresh_tokens": true})).await;
    assert_eq!(res["revoked_refresh_tokens"], 0);
}

#[tokio::test]
async fn fail_next_answers_with_salesforce_errors_then_recovers() {
    let org = spawn_org().await;
    let t = org.token().await;
    let before = org.api_calls().await;
    org.faults(json!({"fail_next": {"status": 503, "count": 2}}))
        .await;
    assert_eq!(
        org.http
            .get(format!("{}/__demo/faults", org.base))
            .send()
            .await
            .expect("get")
            .json::<serde_json::Value>()
            .await
            .expect("json")["fail_next"],
        json!({"status": 503, "count": 2})
    );
    for _ in 0..2 {
        let res = org.get(&t, "/limits").await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.error_code(), "SERVER_UNAVAILABLE");
        assert!(res.limit_info().starts_with("api-usage="));
    }
    assert_eq!(org.get(&t, "/limits").await.status, StatusCode::OK);
    assert_eq!(
        org.api_calls().await - before,
        1,
        "failed calls are not counted"
    );

    org.faults(json!({"fail_next": {"status": 500, "count": 1}}))
        .await;
    let res = org
        .post(&t, "/sobjects/Case", &json!({"Subject": "x"}))
        .await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.error_code(), "UNKNOWN_EXCEPTION");
    assert_eq!(
        org.query(&t, "SELECT COUNT() FROM Case").await.body["totalSize"],
        0,
        "nothing was written"
    );

    let bad = org
        .http
        .post(format!("{}/__demo/faults", org.base))
        .json(&json!({"fail_next": {"status": 418, "count": 1}}))
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = org
        .http
        .post(format!("{}/__demo/faults", org.base))
        .json(&json!({"fail_nxt": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "typos are refused");
}

#[tokio::test]
async fn limit_exceeded_next_and_latency() {
    let org = spawn_org().await;
    let t = org.token().await;
    org.faults(json!({"limit_exceeded_next": 1})).await;
    let res = org.get(&t, "/").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_code(), "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);

    org.faults(json!({"latency_ms": 300})).await;
    let started = Instant::now();
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    let res = read(
        org.http
            .post(format!("{}/__demo/reset", org.base))
            .send()
            .await
            .expect("reset"),
    )
    .await;
    assert_eq!(
        res.body["faults"],
        json!({"fail_next": null, "limit_exceeded_next": 0, "latency_ms": 0, "drop_after_commit_next": 0,
               "late_after_commit_next": null, "after_commit_route": null, "not_createable": []})
    );
    let started = Instant::now();
    org.get(&t, "/").await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn drop_after_commit_commits_then_closes_the_connection() {
    let org = spawn_org().await;
    let t = org.token().await;
    org.faults(json!({"drop_after_commit_next": 1})).await;
    // Reads are not writes: they answer normally.
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);

    let err = org
        .http
        .patch(org.data("/sobjects/Case/Intake_Key__c/drop-1"))
        .bearer_auth(&t)
        .json(&json!({"Subject": "committed, never answered"}))
        .send()
        .await
        .expect_err("the client sees a connection error, not a response");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");

    // The write happened; a retry of the upsert updates rather than duplicates.
    let q = org
        .query(&t, "SELECT Id FROM Case WHERE Intake_Key__c = 'drop-1'")
        .await;
    assert_eq!(q.body["totalSize"], 1);
    let res = org
        .patch(
            &t,
            "/sobjects/Case/Intake_Key__c/drop-1",
            &json!({"Subject": "committed, never answered"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["created"], false);
}

#[tokio::test]
async fn stats_count_calls_cases_and_files() {
    let org = spawn_org().await;
    let t = org.token().await;
    org.create_case(&t, json!({"Subject": "x"})).await;
    let s = org.stats().await;
    assert_eq!(s["cases"], 1);
    assert_eq!(s["content_versions"], 0);
    assert_eq!(s["api_calls"], 1);
    assert_eq!(s["api_limit"], 100000);
    assert_eq!(s["calls_by_route"], json!({"POST /sobjects/Case": 1}));
}

/// A preflight's failing path: describe says a field (or an object) is not
/// createable by this user until the faults are reset.
#[tokio::test]
async fn not_createable_fields_and_objects_in_describe() {
    let org = spawn_org().await;
    let t = org.token().await;
    let createable = |d: &serde_json::Value, field: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == field)
            .map(|f| f["createable"].clone())
    };
    let case = org.get(&t, "/sobjects/Case/describe").await.body;
    assert_eq!(createable(&case, "Error_Code__c"), Some(json!(true)));
    org.faults(json!({"not_createable": ["Case.Error_Code__c", "ContentVersion"]}))
        .await;
    let case = org.get(&t, "/sobjects/Case/describe").await.body;
    assert_eq!(createable(&case, "Error_Code__c"), Some(json!(false)));
    assert_eq!(
        createable(&case, "Subject"),
        Some(json!(true)),
        "only that field"
    );
    assert_eq!(case["createable"], true);
    let cv = org.get(&t, "/sobjects/ContentVersion/describe").await.body;
    assert_eq!(cv["createable"], false);
    org.faults(json!({"not_createable": []})).await;
    let case = org.get(&t, "/sobjects/Case/describe").await.body;
    assert_eq!(createable(&case, "Error_Code__c"), Some(json!(true)));
}
