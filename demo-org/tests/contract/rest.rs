//! sObject resources: versions, create, read, update, upsert, delete,
//! describe, validation errors and the API usage header.

use fieldcase_demo_org::{
    CHILLER_CH2_ASSET_ID, FEED_PUMP_P12_ASSET_ID, NORTHWIND_FOODS_ACCOUNT_ID,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{V, read, spawn_org};

#[tokio::test]
async fn versions_list_needs_no_token() {
    let org = spawn_org().await;
    let res = read(
        org.http
            .get(format!("{}/services/data/", org.base))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body,
        json!([
            {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"},
            {"label": "Spring '25", "url": "/services/data/v63.0", "version": "63.0"},
            {"label": "Summer '25", "url": "/services/data/v64.0", "version": "64.0"},
            {"label": "Winter '26", "url": "/services/data/v65.0", "version": "65.0"},
            {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"},
        ])
    );
    let t = org.token().await;
    let res = org
        .call(
            Method::GET,
            Some(&t),
            &format!("{}/services/data/v20.0/", org.base),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.error_code(), "NOT_FOUND");
}

#[tokio::test]
async fn create_then_read_a_case_with_defaults_and_attributes() {
    let org = spawn_org().await;
    let t = org.token().await;
    let res = org
        .post(
            &t,
            "/sobjects/Case/",
            &json!({"Subject": "Feed pump leaking", "AssetId": FEED_PUMP_P12_ASSET_ID, "AccountId": NORTHWIND_FOODS_ACCOUNT_ID, "Intake_Key__c": "7f0c2b1e-0000-4000-8000-000000000001"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let id = res.id();
    assert_eq!(res.body, json!({"id": id, "success": true, "errors": []}));
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("500"));

    let res = org.get(&t, &format!("/sobjects/Case/{id}")).await;
    assert_eq!(res.status, StatusCode::OK);
    let r = &res.body;
    assert_eq!(
        r["attributes"],
        json!({"type": "Case", "url": format!("/services/data/{V}/sobjects/Case/{id}")})
    );
    assert_eq!(r["CaseNumber"], "00001001");
    assert_eq!(r["Status"], "New");
    assert_eq!(r["Priority"], "Medium");
    assert_eq!(r["Safety_Hazard__c"], false);
    assert_eq!(r["IsClosed"], false);
    assert_eq!(
        r["Description"],
        serde_json::Value::Null,
        "unset fields are null"
    );
    assert_eq!(r["OwnerId"], fieldcase_demo_org::DEMO_USER_ID);
    let created = r["CreatedDate"].as_str().expect("CreatedDate");
    assert_eq!(created.len(), 28, "{created}");
    assert!(created.ends_with("+0000"), "{created}");
    insta::assert_json_snapshot!("case_record", r, {
        ".Id" => "[id]",
        ".attributes.url" => "[url]",
        ".CreatedDate" => "[datetime]",
        ".LastModifiedDate" => "[datetime]",
        ".SystemModstamp" => "[datetime]",
    });

    // The 15-character id works too; ?fields= narrows the answer.
    let res = org
        .get(
            &t,
            &format!("/sobjects/Case/{}?fields=Subject,Status", &id[..15]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let mut keys: Vec<&str> = res
        .body
        .as_object()
        .expect("obj")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["Id", "Status", "Subject", "attributes"]);

    // The next case number follows.
    let id2 = org.create_case(&t, json!({"Subject": "Second"})).await;
    assert_eq!(
        org.get(&t, &format!("/sobjects/Case/{id2}")).await.body["CaseNumber"],
        "00001002"
    );

    // Update (204), read by external id, delete (204), then 404.
    let res = org
        .patch(
            &t,
            &format!("/sobjects/Case/{id}"),
            &json!({"Status": "Closed"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = org
        .get(
            &t,
            "/sobjects/Case/Intake_Key__c/7F0C2B1E-0000-4000-8000-000000000001",
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "external ids match case-insensitively"
    );
    assert_eq!(res.body["IsClosed"], true);
    assert!(res.body["ClosedDate"].is_string());
    let res = org
        .call(
            Method::DELETE,
            Some(&t),
            &org.data(&format!("/sobjects/Case/{id}")),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = org.get(&t, &format!("/sobjects/Case/{id}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        res.body,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );
}

#[tokio::test]
async fn upsert_by_external_id_creates_then_updates() {
    let org = spawn_org().await;
    let t = org.token().await;
    let key = "/sobjects/Case/Intake_Key__c/3b1d9a52-1111-4a2b-9c3d-000000000042";
    let res = org.patch(&t, key, &json!({"Subject": "Chiller alarm", "Priority": "High", "AssetId": CHILLER_CH2_ASSET_ID})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let id = res.id();
    assert_eq!(
        res.body,
        json!({"id": id, "success": true, "errors": [], "created": true})
    );

    let res = org
        .patch(&t, key, &json!({"Subject": "Chiller alarm (again)"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let case = org.get(&t, &format!("/sobjects/Case/{id}")).await.body;
    assert_eq!(case["Subject"], "Chiller alarm (again)");
    assert_eq!(case["Priority"], "High", "untouched fields stay");
    assert_eq!(
        case["Intake_Key__c"],
        "3b1d9a52-1111-4a2b-9c3d-000000000042"
    );

    // The body may not carry the external id field or Id.
    let res = org
        .patch(
            &t,
            key,
            &json!({"Subject": "x", "Intake_Key__c": "3b1d9a52-1111-4a2b-9c3d-000000000042"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "INVALID_FIELD");
    let res = org.patch(&t, key, &json!({"Subject": "x", "Id": id})).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    // An unknown (or non-external-id) field: 404 NOT_FOUND.
    let res = org
        .patch(&t, "/sobjects/Case/No_Such__c/1", &json!({"Subject": "x"}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        res.body,
        json!([{"errorCode": "NOT_FOUND", "message": "Provided external ID field does not exist or is not accessible: No_Such__c"}])
    );
    let res = org
        .patch(&t, "/sobjects/Case/Subject/x", &json!({"Priority": "Low"}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Before v46 an update answered 204 with no body.
    let res = org
        .call(
            Method::PATCH,
            Some(&t),
            &format!("{}/services/data/v45.0{key}", org.base),
            Some(&json!({"Subject": "old client"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn upsert_by_a_non_unique_external_id_with_two_matches_is_300() {
    // Case.External_Ref__c is an external id that is not unique (a demo-only
    // field), so two records can share a value, as in a real org.
    let org = spawn_org().await;
    let t = org.token().await;
    let a = org
        .create_case(&t, json!({"Subject": "one", "External_Ref__c": "WO-77"}))
        .await;
    let b = org
        .create_case(&t, json!({"Subject": "two", "External_Ref__c": "WO-77"}))
        .await;
    let res = org
        .patch(
            &t,
            "/sobjects/Case/External_Ref__c/WO-77",
            &json!({"Subject": "which?"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(
        res.body,
        json!([
            format!("/services/data/{V}/sobjects/Case/{a}"),
            format!("/services/data/{V}/sobjects/Case/{b}")
        ])
    );
    let res = org.get(&t, "/sobjects/Case/External_Ref__c/WO-77").await;
    assert_eq!(res.status, StatusCode::MULTIPLE_CHOICES);
}

#[tokio::test]
async fn validation_errors_use_salesforce_codes() {
    let org = spawn_org().await;
    let t = org.token().await;

    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"Subject": "x", "Priority": "Urgent"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.body,
        json!([{"message": "Priority: bad value for restricted picklist field: Urgent", "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Priority"]}])
    );
    for (field, value) in [
        ("Type", "Plumbing"),
        ("Reason", "Boredom"),
        ("Origin", "Fax"),
        ("Status", "Open"),
    ] {
        let res = org.post(&t, "/sobjects/Case", &json!({field: value})).await;
        assert_eq!(
            res.error_code(),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "{field}"
        );
    }

    let long = "x".repeat(256);
    let res = org
        .post(&t, "/sobjects/Case", &json!({"Subject": long}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "STRING_TOO_LONG");
    assert_eq!(
        res.body[0]["message"],
        format!("Subject: data value too large: {long} (max length=255)")
    );
    assert_eq!(res.body[0]["fields"], json!(["Subject"]));
    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"Error_Code__c": "E".repeat(41)}),
        )
        .await;
    assert_eq!(res.error_code(), "STRING_TOO_LONG");

    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"Subject": "x", "Colour__c": "red"}),
        )
        .await;
    assert_eq!(res.error_code(), "INVALID_FIELD");
    assert_eq!(
        res.body[0]["message"],
        "No such column 'Colour__c' on sobject of type Case"
    );

    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"Subject": "x", "CaseNumber": "1"}),
        )
        .await;
    assert_eq!(res.error_code(), "INVALID_FIELD_FOR_INSERT_UPDATE");

    let res = org
        .post(
            &t,
            "/sobjects/Asset",
            &json!({"AccountId": NORTHWIND_FOODS_ACCOUNT_ID}),
        )
        .await;
    assert_eq!(
        res.body,
        json!([{"message": "Required fields are missing: [Name]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}])
    );

    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"SuppliedEmail": "not-an-email"}),
        )
        .await;
    assert_eq!(res.error_code(), "INVALID_EMAIL_ADDRESS");
    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"AssetId": NORTHWIND_FOODS_ACCOUNT_ID}),
        )
        .await;
    assert_eq!(res.error_code(), "FIELD_INTEGRITY_EXCEPTION");
    let res = org
        .post(
            &t,
            "/sobjects/Case",
            &json!({"AssetId": "02i00000000009zAAA"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = org
        .post(&t, "/sobjects/Case", &json!({"Safety_Hazard__c": "yes"}))
        .await;
    assert_eq!(res.error_code(), "JSON_PARSER_ERROR");
    let res = org.post(&t, "/sobjects/Case", &json!([1, 2])).await;
    assert_eq!(res.error_code(), "JSON_PARSER_ERROR");

    // A duplicate unique external id on create.
    let id = org.create_case(&t, json!({"Intake_Key__c": "dup-1"})).await;
    let res = org
        .post(&t, "/sobjects/Case", &json!({"Intake_Key__c": "DUP-1"}))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.body,
        json!([{"message": format!("duplicate value found: Intake_Key__c duplicates value on record with id: {}", &id[..15]), "errorCode": "DUPLICATE_VALUE", "fields": []}])
    );

    // Unknown objects and methods.
    assert_eq!(
        org.post(&t, "/sobjects/Widget__c", &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let res = org
        .call(
            Method::PUT,
            Some(&t),
            &org.data("/sobjects/Case"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn describe_case_and_asset() {
    let org = spawn_org().await;
    let t = org.token().await;
    let case = org.get(&t, "/sobjects/Case/describe").await;
    assert_eq!(case.status, StatusCode::OK);
    let field = |name: &str| {
        case.body["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["name"] == name))
            .cloned()
            .expect(name)
    };
    let key = field("Intake_Key__c");
    assert_eq!(
        (
            key["externalId"].clone(),
            key["unique"].clone(),
            key["length"].clone()
        ),
        (json!(true), json!(true), json!(36))
    );
    assert_eq!(field("Safety_Hazard__c")["defaultedOnCreate"], true);
    assert_eq!(
        field("Status")["picklistValues"][0],
        json!({"active": true, "defaultValue": true, "label": "New", "validFor": null, "value": "New"})
    );
    insta::assert_json_snapshot!("describe_case", case.body, { ".urls" => "[urls]" });

    let asset = org.get(&t, "/sobjects/Asset/describe").await;
    assert_eq!(asset.status, StatusCode::OK);
    insta::assert_json_snapshot!("describe_asset", asset.body, { ".urls" => "[urls]" });

    let global = org.get(&t, "/sobjects").await;
    let names: Vec<&str> = global.body["sobjects"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(names.contains(&"Case") && names.contains(&"ContentVersion"));
}

#[tokio::test]
async fn every_rest_response_carries_the_api_usage() {
    let org = spawn_org_with_limit().await;
    let t = org.token().await;
    let first = org.get(&t, "/sobjects/Case/describe").await;
    assert_eq!(first.limit_info(), "api-usage=1/100000");
    let bad = org
        .post(&t, "/sobjects/Case", &json!({"Priority": "Urgent"}))
        .await;
    assert_eq!(
        bad.limit_info(),
        "api-usage=2/100000",
        "errors count and carry the header too"
    );
    let q = org.query(&t, "SELECT COUNT() FROM Case").await;
    assert_eq!(q.limit_info(), "api-usage=3/100000");
    let stats = org.stats().await;
    assert_eq!(stats["api_calls"], 3);
    assert_eq!(stats["calls_by_route"]["GET /sobjects/Case/describe"], 1);
    assert_eq!(stats["calls_by_route"]["GET /query"], 1);
}

async fn spawn_org_with_limit() -> crate::TestOrg {
    crate::spawn_org_with(|c| c.api_limit = 100_000).await
}

#[tokio::test]
async fn the_api_limit_is_enforced() {
    let org = crate::spawn_org_with(|c| c.api_limit = 2).await;
    let t = org.token().await;
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);
    let res = org.get(&t, "/").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.body,
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(res.limit_info(), "api-usage=2/2");
    let limits = org.get(&t, "/limits").await;
    assert_eq!(limits.status, StatusCode::FORBIDDEN);
}
