//! Review before create, as dispatchers and technicians use it: the queue,
//! live events, edits bound to revisions, approve / reject / return, the
//! technician's amended resubmission, bulk actions.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{assert_api_error, body_json, spawn_app, submission};

#[tokio::test]
async fn a_new_intake_waits_in_the_queue_and_consoles_hear_of_it_live() {
    let app = spawn_app().await;
    let staff = app.dispatcher().await;
    let mut events = staff.get("/api/v1/console/events").await;
    assert_eq!(events.status(), 200);
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );

    let id = app.submit_with_photos(1).await;
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("\n\n") && std::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.starts_with("event: queue\n"), "{seen}");
    let data: Value =
        serde_json::from_str(seen.lines().find_map(|l| l.strip_prefix("data: ")).unwrap()).unwrap();
    assert_eq!(data["id"], id.to_string());
    assert_eq!(data["status"], "submitted");
    assert_eq!(data["waiting"], 1);

    let page = staff.get_json("/api/v1/console/intakes").await;
    assert_eq!(page["waiting"], 1);
    let row = &page["rows"][0];
    assert_eq!(row["id"], id.to_string());
    assert_eq!(row["asset_name"], "Feed pump P-12");
    assert_eq!(row["account_name"], "Northwind Foods");
    assert_eq!(row["photo_count"], 1);
    assert_eq!(row["priority"], "High");
    assert_eq!(row["technician"], "Dana Okafor");

    let detail = staff.intake(id).await;
    assert_eq!(detail["revision"], 1);
    assert_eq!(detail["asset"]["serial_number"], "GP-44817");
    assert!(detail["proposal"]["fields"].as_array().unwrap().len() > 3);
    assert_eq!(detail["history"][0]["kind"], "submitted");
    assert_eq!(detail["history"][0]["actor_kind"], "technician");
    let photo = detail["photos"][0]["thumb_url"].as_str().unwrap();
    let thumb = staff.get(photo).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn an_edit_on_a_stale_revision_says_who_changed_what_and_overwrites_nothing() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let ann = app.dispatcher().await;
    let bob = app.admin().await;

    let edited = ann
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 1, "fields": { "Priority": "Low", "Error_Code__c": null } }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited = body_json(edited).await;
    assert_eq!(edited["revision"], 2);
    assert_eq!(edited["status"], "in_review");
    assert_eq!(edited["fields"]["Priority"], "Low");
    let change = edited["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "field_changed" && e["detail"]["field"] == "Priority")
        .unwrap();
    assert_eq!(change["detail"]["from"], "High");
    assert_eq!(change["detail"]["to"], "Low");
    assert_eq!(change["actor_kind"], "dispatcher");

    // Bob still has revision 1 on his screen.
    let stale = bob
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 1, "fields": { "Priority": "High" } }),
        )
        .await;
    assert_eq!(stale.status(), 409);
    let stale = body_json(stale).await;
    assert_api_error(&stale, "stale_revision");
    let message = stale["message"].as_str().unwrap();
    assert!(
        message.starts_with("dispatcher@fieldcase.example changed "),
        "{message}"
    );
    assert!(message.contains("Priority"), "{message}");
    let approve_stale = bob
        .post(
            &format!("/api/v1/console/intakes/{id}/approve"),
            &json!({ "revision": 1 }),
        )
        .await;
    assert_eq!(approve_stale.status(), 409);
    assert_eq!(ann.intake(id).await["fields"]["Priority"], "Low");

    // A value the schema refuses is named on its field; nothing is saved.
    let invalid = ann
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 2, "fields": { "Priority": "Urgent", "AssetId": "x" } }),
        )
        .await;
    assert_eq!(invalid.status(), 422);
    let invalid = body_json(invalid).await;
    assert!(invalid["fields"]["AssetId"].is_string(), "{invalid}");
    assert_eq!(ann.intake(id).await["revision"], 2);
}

#[tokio::test]
async fn approval_binds_the_exact_content_and_cannot_happen_twice() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(1).await;
    let staff = app.dispatcher().await;
    let approved = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/approve"),
            &json!({ "revision": 1 }),
        )
        .await;
    assert_eq!(approved.status(), 200);
    let approved = body_json(approved).await;
    assert_eq!(approved["status"], "approved");
    let hash = approved["approved_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    let event = approved["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "approved")
        .unwrap();
    assert_eq!(event["actor_kind"], "dispatcher");
    assert_eq!(event["actor"], "dispatcher@fieldcase.example");
    assert_eq!(event["detail"]["approved_hash"], hash);
    let (state, _, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.as_str(), "pending");

    let again = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/approve"),
            &json!({ "revision": 1 }),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_api_error(&body_json(again).await, "not_reviewable");
    let edit = staff
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 1, "fields": { "Priority": "Low" } }),
        )
        .await;
    assert_eq!(edit.status(), 409, "an approved intake is not edited");
}

#[tokio::test]
async fn a_rejection_reaches_the_technicians_link_with_its_reason() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let no_reason = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/reject"),
            &json!({ "revision": 1, "reason": "   " }),
        )
        .await;
    assert_eq!(no_reason.status(), 422);
    assert!(
        body_json(no_reason).await["message"]
            .as_str()
            .unwrap()
            .starts_with("Write the reason")
    );
    let rejected = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/reject"),
            &json!({ "revision": 1, "reason": "Duplicate of FC-1234-5678" }),
        )
        .await;
    assert_eq!(rejected.status(), 200);

    let mine = body_json(
        app.get(&format!("/api/v1/assets/{}/intakes", app.pump()))
            .await,
    )
    .await;
    assert_eq!(mine[0]["id"], id.to_string());
    assert_eq!(mine[0]["status"], "rejected");
    assert_eq!(mine[0]["reason"], "Duplicate of FC-1234-5678");
    // Another asset's link does not list it.
    let other = app.token("Chiller CH-2");
    let theirs = body_json(app.get(&format!("/api/v1/assets/{other}/intakes")).await).await;
    assert_eq!(theirs, json!([]));
    let hidden = app
        .get(&format!("/api/v1/assets/{other}/intakes/{id}"))
        .await;
    assert_eq!(hidden.status(), 404);
}

#[tokio::test]
async fn return_amend_resubmit_approve_makes_one_intake() {
    let app = spawn_app().await;
    let token = app.pump();
    let id = Uuid::now_v7();
    let body = submission(id, &token, &[]);
    assert_eq!(app.put_intake(id, &body).await.status(), 201);
    let staff = app.dispatcher().await;
    let returned = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/return"),
            &json!({ "revision": 1, "question": "Which seal: the shaft or the flange?" }),
        )
        .await;
    assert_eq!(returned.status(), 200);

    let detail = body_json(
        app.get(&format!("/api/v1/assets/{token}/intakes/{id}"))
            .await,
    )
    .await;
    assert_eq!(detail["summary"]["status"], "returned");
    assert_eq!(
        detail["summary"]["question"],
        "Which seal: the shaft or the flange?"
    );
    assert_eq!(detail["notes"], body["notes"]);

    // The technician amends and sends the same intake again.
    let mut amended = body.clone();
    amended["notes"] = json!(format!(
        "{} The shaft seal, drive end.",
        body["notes"].as_str().unwrap()
    ));
    let resent = app.put_intake(id, &amended).await;
    assert_eq!(resent.status(), 201);
    assert_eq!(body_json(resent).await["status"], "submitted");
    let replay = app.put_intake(id, &amended).await;
    assert_eq!(replay.status(), 200, "a retry of the resubmission replays");
    let old = app.put_intake(id, &body).await;
    assert_eq!(old.status(), 409, "the first version cannot come back");

    let now = staff.intake(id).await;
    assert_eq!(now["revision"], 2);
    assert!(now["notes"].as_str().unwrap().ends_with("drive end."));
    let kinds: Vec<&str> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["submitted", "structured", "returned", "resubmitted"]
    );
    app.approve(id).await;
    assert_eq!(app.intake_count().await, 1);
    assert_eq!(staff.intake(id).await["status"], "approved");
}

#[tokio::test]
async fn the_queue_sorts_by_priority_then_age_filters_and_pages() {
    let app = spawn_app().await;
    let token = app.pump();
    let mut ids = Vec::new();
    for (priority, words) in [
        ("Low", "paint flaking on the guard"),
        ("High", "seal leaking badly"),
        ("Medium", "noisy bearing"),
        ("High", "motor tripping"),
    ] {
        let id = Uuid::now_v7();
        let mut body = submission(id, &token, &[]);
        body["fields"]["Priority"] = json!(priority);
        body["notes"] = json!(words);
        assert_eq!(app.put_intake(id, &body).await.status(), 201);
        ids.push(id);
    }
    let staff = app.dispatcher().await;
    let first = staff.get_json("/api/v1/console/intakes?limit=2").await;
    let order: Vec<&str> = first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [ids[1].to_string(), ids[3].to_string()]);
    let next = first["next"].as_str().unwrap();
    let second = staff
        .get_json(&format!(
            "/api/v1/console/intakes?limit=2&after={}",
            urlencode(next)
        ))
        .await;
    let order: Vec<&str> = second["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [ids[2].to_string(), ids[0].to_string()]);
    assert!(second.get("next").is_none());

    let high = staff
        .get_json("/api/v1/console/intakes?priority=High")
        .await;
    assert_eq!(high["rows"].as_array().unwrap().len(), 2);
    let search = staff.get_json("/api/v1/console/intakes?q=BEARING").await;
    assert_eq!(search["rows"][0]["id"], ids[2].to_string());
    assert_eq!(search["rows"].as_array().unwrap().len(), 1);
    let bad = staff.get("/api/v1/console/intakes?status=lost").await;
    assert_eq!(bad.status(), 400);
    assert!(
        body_json(bad).await["message"]
            .as_str()
            .unwrap()
            .contains("Use any of")
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn bulk_approve_reports_each_intake_it_could_not_act_on() {
    let app = spawn_app().await;
    let a = app.submit_with_photos(0).await;
    let b = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let reference_b = staff.intake(b).await["reference"].clone();
    let outcome = staff
        .post(
            "/api/v1/console/intakes/bulk",
            &json!({ "action": "approve", "items": [
                { "id": a, "revision": 1 },
                { "id": b, "revision": 7 }
            ] }),
        )
        .await;
    assert_eq!(outcome.status(), 200);
    let outcome = body_json(outcome).await;
    assert_eq!(outcome["done"], json!([a]));
    assert_eq!(outcome["failed"][0]["reference"], reference_b);
    assert!(
        outcome["failed"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Reload")
    );
    let reject = staff
        .post(
            "/api/v1/console/intakes/bulk",
            &json!({ "action": "reject", "items": [{ "id": b, "revision": 1 }] }),
        )
        .await;
    assert_eq!(reject.status(), 422, "a bulk rejection needs its reason");
}
