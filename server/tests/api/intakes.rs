//! `PUT /api/v1/intakes/{id}` and reading the receipt back

use fieldcase_core::AssetToken;
use fieldcase_core::wire::intake_reference;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    assert_api_error, body_json, receipt_path, spawn_app, spawn_app_with, submission,
};

#[tokio::test]
async fn a_reviewed_intake_is_stored_with_its_photo_and_an_audit_event() {
    let app = spawn_app().await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let id = Uuid::now_v7();

    let response = app
        .put_intake(id, &submission(id, &token, std::slice::from_ref(&photo)))
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let receipt = body_json(response).await;
    assert_eq!(receipt["id"], id.to_string());
    assert_eq!(receipt["reference"], intake_reference(&id));
    insta::assert_json_snapshot!(receipt, {
        ".id" => "[id]",
        ".reference" => "[reference]",
        ".submitted_at" => "[timestamp]",
    });

    let fetched = body_json(app.get(&receipt_path(&token, id)).await).await;
    assert_eq!(fetched, receipt);

    let intakes = app.store.list_intakes().await.unwrap();
    assert_eq!(intakes.len(), 1);
    let stored = &intakes[0];
    assert_eq!(
        stored.status,
        fieldcase_core::wire::IntakeStatus::Submitted,
        "it waits for a dispatcher"
    );
    assert_eq!(stored.photos, vec![photo]);
    assert_eq!(stored.fields["Subject"], "Feed pump P-12 leaking at seal");
    assert_eq!(
        stored.fields["AssetId"], "02i000000000001AAA",
        "filled from the asset"
    );
    assert_eq!(stored.fields["Intake_Key__c"], id.to_string());
    assert_eq!(stored.fields["Origin"], "Web");
    assert_eq!(stored.technician.name, "Dana Okafor");

    let events = app.store.intake_events(&id.into()).await.unwrap();
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.actor_kind.as_str(), e.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [("technician", "submitted"), ("system", "structured")],
        "submitted and structured, and nothing approved it"
    );
    let proposed = events[1].detail["fields"].as_array().unwrap();
    assert!(
        proposed
            .iter()
            .any(|f| f["field"] == "Error_Code__c" && f["source"] == "notes"),
        "{proposed:?}"
    );
    assert_eq!(
        app.store.write_job_state(&id.to_string()).await.unwrap(),
        None,
        "nothing is queued for the CRM before a person approves"
    );
    let detail = &events[0].detail;
    let changed = detail["changed_fields"].as_array().unwrap();
    assert!(
        changed.contains(&json!("Priority")),
        "High differs from the proposal: {detail}"
    );
    assert!(
        !changed.contains(&json!("AssetId")),
        "asset fields are not the technician's: {detail}"
    );
}

#[tokio::test]
async fn resubmitting_the_same_intake_replays_the_receipt() {
    let app = spawn_app().await;
    let token = app.pump();
    let id = Uuid::now_v7();
    let body = submission(id, &token, &[]);
    let first = app.put_intake(id, &body).await;
    assert_eq!(first.status(), 201);
    let first = body_json(first).await;
    assert_eq!(first["replayed"], false);

    let again = app.put_intake(id, &body).await;
    assert_eq!(again.status(), 200);
    let again = body_json(again).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(again["reference"], first["reference"]);
    assert_eq!(again["submitted_at"], first["submitted_at"]);
    assert_eq!(app.intake_count().await, 1);
}

#[tokio::test]
async fn the_same_id_with_different_content_is_a_conflict() {
    let app = spawn_app().await;
    let token = app.pump();
    let id = Uuid::now_v7();
    let mut body = submission(id, &token, &[]);
    assert_eq!(app.put_intake(id, &body).await.status(), 201);

    body["fields"]["Subject"] = json!("Something else entirely");
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 409);
    let error = body_json(response).await;
    assert_api_error(&error, "intake_already_submitted");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains(&intake_reference(&id)),
        "{error}"
    );
    assert_eq!(app.intake_count().await, 1);
}

#[tokio::test]
async fn missing_required_fields_are_named_one_by_one() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["fields"] = json!({ "Priority": "High" });

    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_api_error(&error, "validation_failed");
    insta::assert_json_snapshot!(error);
    assert_eq!(error["fields"]["Subject"], "Subject is required.");
    assert_eq!(error["fields"]["SuppliedName"], "Your name is required.");
    assert_eq!(
        error["message"],
        "2 fields need attention: Subject, Your name."
    );
    assert_eq!(app.intake_count().await, 0);
}

#[tokio::test]
async fn an_overlong_subject_is_told_its_limit() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["fields"]["Subject"] = json!("x".repeat(300));
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_eq!(
        error["fields"]["Subject"],
        "Subject is 300 characters; the limit is 255. Shorten it by 45."
    );
    assert_eq!(error["message"], "1 field needs attention: Subject.");
}

#[tokio::test]
async fn forged_asset_and_system_fields_are_overwritten() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["fields"]["AssetId"] = json!("02iFORGED000000AAA");
    body["fields"]["AccountId"] = json!("001FORGED000000AAA");
    body["fields"]["Intake_Key__c"] = json!("forged");
    body["fields"]["Origin"] = json!("Phone");
    assert_eq!(app.put_intake(id, &body).await.status(), 201);

    let stored = &app.store.list_intakes().await.unwrap()[0];
    assert_eq!(stored.fields["AssetId"], "02i000000000001AAA");
    assert_eq!(stored.fields["AccountId"], "001000000000001AAA");
    assert_eq!(stored.fields["Intake_Key__c"], id.to_string());
    assert_eq!(stored.fields["Origin"], "Web");
}

#[tokio::test]
async fn malformed_json_says_where() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let response = app
        .client
        .put(app.url(&format!("/api/v1/intakes/{id}")))
        .header("content-type", "application/json")
        .body(r#"{"notes": "a" "b"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error = body_json(response).await;
    assert_api_error(&error, "bad_json");
    insta::assert_json_snapshot!(error);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column 15"),
        "{error}"
    );
}

#[tokio::test]
async fn bodies_and_paths_of_the_wrong_shape_are_refused_clearly() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let url = app.url(&format!("/api/v1/intakes/{id}"));

    // Valid JSON, wrong shape.
    let response = app
        .client
        .put(&url)
        .json(&json!({ "id": id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error = body_json(response).await;
    assert_api_error(&error, "bad_json");
    assert!(
        error["message"].as_str().unwrap().contains("missing field"),
        "{error}"
    );

    // Not JSON at all.
    let response = app
        .client
        .put(&url)
        .body("Subject=hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_api_error(&body_json(response).await, "unsupported_media_type");

    // Path and body disagree.
    let other = Uuid::now_v7();
    let response = app
        .put_intake(id, &submission(other, &app.pump(), &[]))
        .await;
    assert_eq!(response.status(), 400);
    assert_api_error(&body_json(response).await, "intake_id_mismatch");

    // Not a UUID.
    let response = app
        .client
        .put(app.url("/api/v1/intakes/42"))
        .json(&submission(id, &app.pump(), &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_api_error(&body_json(response).await, "bad_intake_id");

    // Notes over the limit.
    let app = spawn_app_with(&["--max-notes-chars", "20"]).await;
    let response = app.put_intake(id, &submission(id, &app.pump(), &[])).await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_api_error(&error, "notes_too_long");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 20"),
        "{error}"
    );
}

#[tokio::test]
async fn an_inactive_code_cannot_submit() {
    let app = spawn_app().await;
    let token = app.token("Roller door RD-5");
    app.store
        .revoke_token(&AssetToken::parse(&token).unwrap())
        .await
        .unwrap();
    let id = Uuid::now_v7();
    let response = app.put_intake(id, &submission(id, &token, &[])).await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "asset_inactive");
}

#[tokio::test]
async fn a_photo_uploaded_under_another_asset_is_refused() {
    let app = spawn_app().await;
    let other_photo = app.uploaded_photo(&app.token("Chiller CH-2")).await;
    let id = Uuid::now_v7();
    let response = app
        .put_intake(id, &submission(id, &app.pump(), &[other_photo]))
        .await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_api_error(&error, "photo_not_uploaded");
    assert_eq!(app.intake_count().await, 0);

    let unknown = "0".repeat(64);
    let response = app
        .put_intake(id, &submission(id, &app.pump(), &[unknown]))
        .await;
    assert_api_error(&body_json(response).await, "photo_not_uploaded");
}

#[tokio::test]
async fn photo_count_duplicates_and_total_size_are_limited() {
    let app = spawn_app_with(&["--max-photos", "1"]).await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let id = Uuid::now_v7();
    let response = app
        .put_intake(id, &submission(id, &token, &[photo.clone(), photo.clone()]))
        .await;
    assert_eq!(response.status(), 422);
    assert_api_error(&body_json(response).await, "too_many_photos");

    let app = spawn_app_with(&["--max-intake-photo-bytes", "10"]).await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let response = app
        .put_intake(id, &submission(id, &token, &[photo.clone(), photo.clone()]))
        .await;
    assert_api_error(&body_json(response).await, "duplicate_photo");
    let response = app.put_intake(id, &submission(id, &token, &[photo])).await;
    assert_api_error(&body_json(response).await, "photos_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_identical_puts_at_once_make_one_intake() {
    let app = spawn_app().await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let id = Uuid::now_v7();
    let body = submission(id, &token, &[photo]);

    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/intakes/{id}"));
        let body = body.clone();
        set.spawn(async move {
            let response = client.put(url).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        });
    }
    let results = set.join_all().await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let replayed = results
        .iter()
        .filter(|(s, b)| *s == 200 && b["replayed"] == true)
        .count();
    assert_eq!((created, replayed), (1, 7), "{results:?}");
    let references: Vec<&Value> = results.iter().map(|(_, b)| &b["reference"]).collect();
    assert!(references.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(app.intake_count().await, 1);
    let events = app.store.intake_events(&id.into()).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["submitted", "structured"]);
}

#[tokio::test]
async fn unknown_intakes_and_routes_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let response = app.get(&receipt_path(&app.pump(), Uuid::now_v7())).await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "intake_not_found");

    for path in [
        "/api/v1/nope",
        "/api",
        "/api/v2/assets/x",
        "/api/v1/assets/ABC/photos/x",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        assert_api_error(&body_json(response).await, "not_found");
    }

    let response = app
        .client
        .delete(app.url(&format!("/api/v1/intakes/{}", Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_api_error(&body_json(response).await, "method_not_allowed");
}

#[tokio::test]
async fn the_intakes_list_command_prints_json() {
    let app = spawn_app().await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let id = Uuid::now_v7();
    assert_eq!(
        app.put_intake(id, &submission(id, &token, std::slice::from_ref(&photo)))
            .await
            .status(),
        201
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .args(["intakes", "list", "--json", "--data-dir"])
        .arg(app.data())
        .env_remove("FIELDCASE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.to_string());
    assert_eq!(listed[0]["status"], "submitted");
    assert_eq!(listed[0]["reference"], intake_reference(&id));
    assert_eq!(
        listed[0]["fields"]["Subject"],
        "Feed pump P-12 leaking at seal"
    );
    assert_eq!(listed[0]["photos"], json!([photo]));
}

#[tokio::test]
async fn an_oversize_body_is_refused_in_the_error_shape() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["notes"] = json!("x".repeat(1_300_000));
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 413);
    assert_api_error(&body_json(response).await, "body_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_inserts_of_one_id_store_it_once() {
    use fieldcase_core::wire::{IntakeStatus, Technician};
    use fieldcase_server::store::{ActorKind, NewEvent, NewIntake, QueueKeys, insert_intake};

    let app = spawn_app().await;
    let asset = app
        .store
        .active_asset(&AssetToken::parse(&app.pump()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let id = Uuid::now_v7();
    let reference = intake_reference(&id);
    let technician = Technician {
        name: "Dana Okafor".into(),
        email: None,
        phone: None,
    };
    let new = NewIntake {
        id: id.into(),
        reference: &reference,
        asset_id: &asset.id,
        status: IntakeStatus::Submitted,
        notes: "notes",
        fields_json: "{}",
        proposal_json: "{}",
        technician: &technician,
        request_hash: "hash",
        photos: &[],
        locations: &[],
        portal: None,
        on_behalf_of: None,
        keys: &QueueKeys {
            subject: String::new(),
            priority: None,
            priority_rank: 3,
            hazard: false,
        },
        event: NewEvent {
            actor_kind: ActorKind::Technician,
            actor: "Dana Okafor".into(),
            kind: "submitted",
            detail: json!({}),
        },
    };
    // One task polling four inserts: each waits on SQLite in its own
    // connection, so they race inside the database.
    let insert = || async {
        let mut tx = app.store.begin().await.unwrap();
        let inserted = insert_intake(&mut tx, &new).await.unwrap().is_some();
        tx.commit().await.unwrap();
        inserted
    };
    let (a, b, c, d) = tokio::join!(insert(), insert(), insert(), insert());
    let created = [a, b, c, d].iter().filter(|new| **new).count();
    assert_eq!(created, 1, "{:?}", [a, b, c, d]);
    assert_eq!(app.intake_count().await, 1);
    assert_eq!(app.store.intake_events(&id.into()).await.unwrap().len(), 1);
}
