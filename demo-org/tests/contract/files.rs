//! Files: ContentVersion multipart, Collections multipart, links and checksums.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::{md5_hex, read, spawn_org, tiny_png};

fn json_part(v: &serde_json::Value) -> Part {
    Part::text(v.to_string())
        .mime_str("application/json")
        .expect("mime")
}

fn binary_part(name: &str, data: Vec<u8>) -> Part {
    Part::bytes(data)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .expect("mime")
}

#[tokio::test]
async fn content_version_multipart_links_the_file_to_the_case() {
    let org = spawn_org().await;
    let t = org.token().await;
    let case = org
        .create_case(&t, json!({"Subject": "Roller door stuck"}))
        .await;
    let png = tiny_png();
    let form = Form::new()
        .part(
            "entity_content",
            json_part(&json!({"Title": "door", "PathOnClient": "door.png", "FirstPublishLocationId": case, "ReasonForChange": "first photo"})),
        )
        .part("VersionData", binary_part("door.png", png.clone()));
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
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let version = res.id();
    assert!(version.starts_with("068"));
    assert_eq!(
        res.body,
        json!({"id": version, "success": true, "errors": []})
    );

    let q = org
        .query(&t, &format!("SELECT Id, Title, ContentDocumentId, FirstPublishLocationId, Checksum FROM ContentVersion WHERE FirstPublishLocationId = '{case}'"))
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert_eq!(q.body["totalSize"], 1);
    let rec = &q.body["records"][0];
    assert_eq!(
        rec["Checksum"],
        md5_hex(&png),
        "Checksum is the MD5 of the bytes"
    );
    assert_eq!(rec["Title"], "door");
    assert_eq!(rec["FirstPublishLocationId"], case.as_str());
    let doc = rec["ContentDocumentId"].as_str().expect("doc").to_string();
    assert!(doc.starts_with("069"));

    let links = org.query(&t, &format!("SELECT Id, ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{case}'")).await;
    assert_eq!(links.body["totalSize"], 1);
    assert_eq!(links.body["records"][0]["ContentDocumentId"], doc.as_str());

    // The record, its bytes, and the page's copy.
    let v = org
        .get(&t, &format!("/sobjects/ContentVersion/{version}"))
        .await;
    assert_eq!(v.body["ContentSize"], png.len());
    assert_eq!(v.body["FileType"], "PNG");
    assert_eq!(v.body["VersionNumber"], "1");
    let bytes = org
        .http
        .get(org.data(&format!("/sobjects/ContentVersion/{version}/VersionData")))
        .bearer_auth(&t)
        .send()
        .await
        .expect("blob");
    assert_eq!(bytes.status(), StatusCode::OK);
    assert_eq!(bytes.bytes().await.expect("bytes").to_vec(), png);
    let page = org
        .http
        .get(format!("{}/files/{doc}", org.base))
        .send()
        .await
        .expect("file");
    assert_eq!(page.headers()["content-type"], "image/png");
    assert_eq!(page.bytes().await.expect("bytes").to_vec(), png);

    // No VersionData: required.
    let form = Form::new().part(
        "entity_content",
        json_part(&json!({"PathOnClient": "a.txt"})),
    );
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
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "REQUIRED_FIELD_MISSING");
}

#[tokio::test]
async fn collections_multipart_uploads_several_files() {
    let org = spawn_org().await;
    let t = org.token().await;
    let case = org
        .create_case(&t, json!({"Subject": "Generator will not start"}))
        .await;
    for json_name in ["collection", "entity_content"] {
        let records = json!({
            "allOrNone": false,
            "records": [
                {"attributes": {"type": "ContentVersion", "binaryPartName": "binaryPart1", "binaryPartNameAlias": "VersionData"},
                 "Title": format!("{json_name} one"), "PathOnClient": "one.png", "FirstPublishLocationId": case},
                {"attributes": {"type": "ContentVersion", "binaryPartName": "binaryPart2", "binaryPartNameAlias": "VersionData"},
                 "Title": format!("{json_name} two"), "PathOnClient": "two.txt", "FirstPublishLocationId": case},
            ]
        });
        let form = Form::new()
            .part(json_name, json_part(&records))
            .part("binaryPart1", binary_part("one.png", tiny_png()))
            .part(
                "binaryPart2",
                binary_part("two.txt", b"meter 1234".to_vec()),
            );
        let res = read(
            org.http
                .post(org.data("/composite/sobjects"))
                .bearer_auth(&t)
                .multipart(form)
                .send()
                .await
                .expect("upload"),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let items = res.body.as_array().expect("array");
        assert_eq!(items.len(), 2);
        for item in items {
            assert_eq!(item["success"], true, "{item}");
            assert!(item["id"].as_str().is_some_and(|id| id.starts_with("068")));
            assert_eq!(item["errors"], json!([]));
        }
    }
    let q = org
        .query(
            &t,
            &format!(
                "SELECT Id, Checksum FROM ContentVersion WHERE FirstPublishLocationId = '{case}'"
            ),
        )
        .await;
    assert_eq!(q.body["totalSize"], 4);
    let sums: Vec<&str> = q.body["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["Checksum"].as_str())
        .collect();
    assert!(sums.contains(&md5_hex(b"meter 1234").as_str()));
    let links = org
        .query(
            &t,
            &format!("SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{case}'"),
        )
        .await;
    assert_eq!(links.body["totalSize"], 4);

    // allOrNone: one bad record rolls the other back, with statusCode errors.
    let records = json!({
        "allOrNone": true,
        "records": [
            {"attributes": {"type": "ContentVersion", "binaryPartName": "b1", "binaryPartNameAlias": "VersionData"},
             "PathOnClient": "fine.png", "FirstPublishLocationId": case},
            {"attributes": {"type": "ContentVersion", "binaryPartName": "b2", "binaryPartNameAlias": "VersionData"},
             "Title": "no path", "FirstPublishLocationId": case},
        ]
    });
    let form = Form::new()
        .part("collection", json_part(&records))
        .part("b1", binary_part("fine.png", tiny_png()))
        .part("b2", binary_part("x.bin", vec![1, 2, 3]));
    let res = read(
        org.http
            .post(org.data("/composite/sobjects"))
            .bearer_auth(&t)
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body[0]["success"], false);
    assert_eq!(
        res.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert!(res.body[0]["errors"][0].get("errorCode").is_none());
    assert_eq!(
        res.body[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    let q = org
        .query(
            &t,
            &format!("SELECT Id FROM ContentVersion WHERE FirstPublishLocationId = '{case}'"),
        )
        .await;
    assert_eq!(q.body["totalSize"], 4, "nothing new was kept");
}
