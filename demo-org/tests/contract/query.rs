//! The SOQL subset.

use reqwest::StatusCode;
use serde_json::json;

use crate::spawn_org;

#[tokio::test]
async fn the_queries_fieldcase_sends() {
    let org = spawn_org().await;
    let t = org.token().await;
    let a = org
        .create_case(
            &t,
            json!({"Subject": "A", "Priority": "High", "Intake_Key__c": "key-a"}),
        )
        .await;
    let _b = org
        .create_case(
            &t,
            json!({"Subject": "B", "Priority": "Low", "Intake_Key__c": "key-b"}),
        )
        .await;
    let _c = org
        .create_case(&t, json!({"Subject": "C", "Priority": "High"}))
        .await;

    let res = org
        .query(
            &t,
            "SELECT Id, CaseNumber, Subject FROM Case WHERE Intake_Key__c = 'key-a'",
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body,
        json!({"totalSize": 1, "done": true, "records": [{
            "attributes": {"type": "Case", "url": format!("/services/data/v65.0/sobjects/Case/{a}")},
            "Id": a, "CaseNumber": "00001001", "Subject": "A"
        }]})
    );

    assert_eq!(
        org.query(&t, "SELECT COUNT() FROM Case").await.body,
        json!({"totalSize": 3, "done": true, "records": []})
    );
    let res = org.query(&t, "select subject from case where priority = 'high' and status = 'New' order by Subject desc limit 1").await;
    assert_eq!(res.body["totalSize"], 1);
    assert_eq!(
        res.body["records"][0]["Subject"], "C",
        "keywords and names ignore case; fields come back canonical"
    );
    let res = org
        .query(&t, "SELECT Id FROM Case WHERE Intake_Key__c = null")
        .await;
    assert_eq!(res.body["totalSize"], 1);
    let res = org
        .query(
            &t,
            "SELECT Id FROM Case WHERE Priority IN ('Low', 'Medium')",
        )
        .await;
    assert_eq!(res.body["totalSize"], 1);
    let res = org
        .query(
            &t,
            &format!("SELECT Id FROM Case WHERE Id = '{}'", &a[..15]),
        )
        .await;
    assert_eq!(res.body["totalSize"], 1, "15-character ids match");
    let res = org
        .query(
            &t,
            "SELECT Name, SerialNumber FROM Asset WHERE AccountId = '001000000000002AAA'",
        )
        .await;
    assert_eq!(res.body["totalSize"], 3);
}

#[tokio::test]
async fn malformed_and_unsupported_queries_are_400() {
    let org = spawn_org().await;
    let t = org.token().await;
    for (q, code) in [
        ("SELECT FROM Case", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Case WHERE Subject = 'a' OR Subject = 'b'",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Case WHERE Subject LIKE 'a%'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Asset.Name FROM Case", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Case WHERE CreatedDate = TODAY",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM ContentDocumentLink", "MALFORMED_QUERY"),
        ("SELECT Nope FROM Case", "INVALID_FIELD"),
        ("SELECT Id FROM Gadget__c", "INVALID_TYPE"),
    ] {
        let res = org.query(&t, q).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(res.error_code(), code, "{q}: {}", res.body);
        assert!(
            res.body[0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let res = org
        .query(
            &t,
            "SELECT Id FROM Case WHERE Subject = 'a' OR Subject = 'b'",
        )
        .await;
    let msg = res.body[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("OR is not supported") && msg.contains("ERROR at Row:1:Column:41"),
        "{msg}"
    );
    let res = org.get(&t, "/query").await;
    assert_eq!(res.error_code(), "MALFORMED_QUERY");
}

/// A client tells a sandbox from production by the Organization's `IsSandbox`.
#[tokio::test]
async fn the_organization_says_whether_it_is_a_sandbox() {
    for sandbox in [false, true] {
        let org = crate::spawn_org_with(|c| c.sandbox = sandbox).await;
        let t = org.token().await;
        let res = org
            .query(&t, "SELECT Id, IsSandbox FROM Organization")
            .await;
        assert_eq!(res.body["totalSize"], 1, "{}", res.body);
        assert_eq!(res.body["records"][0]["IsSandbox"], sandbox);
    }
}
