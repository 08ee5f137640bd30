//! The read-only pages.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::{read, spawn_org, tiny_png};

#[tokio::test]
async fn pages_show_cases_and_their_files_without_scripts() {
    let org = spawn_org().await;
    let t = org.token().await;
    let case = org
        .create_case(&t, json!({"Subject": "Air handler <noisy>", "Priority": "High", "Type": "Mechanical", "AssetId": fieldcase_demo_org::AIR_HANDLER_AHU3_ASSET_ID, "Intake_Key__c": "page-1", "Intake_Reference__c": "FC-PAGE-0001"}))
        .await;
    let form = Form::new()
        .part(
            "entity_content",
            Part::text(json!({"Title": "fan photo", "PathOnClient": "fan.png", "FirstPublishLocationId": case}).to_string())
                .mime_str("application/json")
                .expect("mime"),
        )
        .part("VersionData", Part::bytes(tiny_png()).file_name("fan.png"));
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

    let home = org
        .http
        .get(format!("{}/", org.base))
        .send()
        .await
        .expect("home");
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .contains("default-src 'none'")
    );
    let html = home.text().await.expect("html");
    for needle in [
        "00001001",
        "Air handler &lt;noisy&gt;",
        "High",
        "Mechanical",
        "New",
        "Air handler AHU-3",
        "FC-PAGE-0001",
        "Northwind Foods",
        "02i000000000001AAA",
    ] {
        assert!(html.contains(needle), "home shows {needle}");
    }
    assert!(!html.contains("<script") && !html.contains("style="));

    let page = org
        .http
        .get(format!("{}/cases/{case}", org.base))
        .send()
        .await
        .expect("case")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("fan photo") && page.contains("<img src=\"/files/069"),
        "{page}"
    );
    assert!(!page.contains("<script") && !page.contains("style="));

    let css = org
        .http
        .get(format!("{}/style.css", org.base))
        .send()
        .await
        .expect("css");
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let missing = org
        .http
        .get(format!("{}/cases/500000000000000AAA", org.base))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
