//! A photo's location: only for the photos the technician switched it on
//! for, a separate field of the submission (`photo_locations`), validated,
//! stored beside the intake's photo, shown to the dispatcher and written to
//! the CRM in the file's `Description`, never in the file.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{assert_api_error, body_json, spawn_app, spawn_app_with_org, submission};

fn located(id: Uuid, token: &str, photos: &[String], locations: Value) -> Value {
    let mut body = submission(id, token, photos);
    body["photo_locations"] = locations;
    body
}

fn at(sha: &str) -> Value {
    json!({ "sha256": sha, "latitude": 53.800755, "longitude": -1.549077, "accuracy_m": 12.0 })
}

#[tokio::test]
async fn a_location_switched_on_for_one_of_two_photos_is_kept_for_that_photo_only() {
    let app = spawn_app().await;
    let token = app.pump();
    let photos = app.uploaded_photos(&token, 2).await;
    let id = Uuid::now_v7();
    let body = located(id, &token, &photos, json!([at(&photos[1])]));

    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 201);

    let staff = app.dispatcher().await;
    let intake = staff.intake(id).await;
    let shown = intake["photos"].as_array().unwrap();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[0]["sha256"], photos[0]);
    assert!(shown[0].get("location").is_none(), "{intake:#}");
    assert_eq!(shown[1]["sha256"], photos[1]);
    assert_eq!(
        shown[1]["location"],
        json!({ "latitude": 53.800755, "longitude": -1.549077, "accuracy_m": 12.0 })
    );

    // The same body again is the same intake; another position is not.
    let again = app.put_intake(id, &body).await;
    assert_eq!(again.status(), 200);
    let mut moved = body.clone();
    moved["photo_locations"][0]["latitude"] = json!(51.5);
    assert_eq!(app.put_intake(id, &moved).await.status(), 409);
    assert_eq!(
        staff.intake(id).await["photos"][1]["location"]["latitude"],
        53.800755
    );
}

#[tokio::test]
async fn a_location_out_of_range_or_of_another_photo_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = app.pump();
    let photos = app.uploaded_photos(&token, 2).await;
    let mut far_north = at(&photos[0]);
    far_north["latitude"] = json!(90.5);
    let mut far_east = at(&photos[0]);
    far_east["longitude"] = json!(-180.5);
    let mut vague = at(&photos[0]);
    vague["accuracy_m"] = json!(250_000);
    let mut exact = at(&photos[0]);
    exact["accuracy_m"] = json!(0);
    let not_attached = at(&"0".repeat(64));
    for (locations, words) in [
        (json!([far_north]), "latitude"),
        (json!([far_east]), "longitude"),
        (json!([vague]), "accuracy_m"),
        (json!([exact]), "accuracy_m"),
        (json!([not_attached]), "does not carry"),
        (json!([at(&photos[0]), at(&photos[0])]), "same photo"),
    ] {
        let id = Uuid::now_v7();
        let response = app
            .put_intake(id, &located(id, &token, &photos, locations.clone()))
            .await;
        assert_eq!(response.status(), 422, "{locations}");
        let body = body_json(response).await;
        assert_api_error(&body, "validation_failed");
        let field = body["fields"]["photo_locations"]
            .as_str()
            .unwrap_or_default();
        assert!(field.contains(words), "{locations}: {body:#}");
    }
    // Not even a number: the body is refused as malformed.
    let id = Uuid::now_v7();
    let mut text = at(&photos[0]);
    text["latitude"] = json!("north");
    let response = app
        .put_intake(id, &located(id, &token, &photos, json!([text])))
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(app.intake_count().await, 0);
}

#[tokio::test]
async fn a_located_photo_reaches_the_crm_with_its_location_beside_the_file_never_in_it() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let token = app.pump();
    let photos = app.uploaded_photos(&token, 2).await;
    let id = Uuid::now_v7();
    let response = app
        .put_intake(id, &located(id, &token, &photos, json!([at(&photos[1])])))
        .await;
    assert_eq!(response.status(), 201);
    app.approve(id).await;
    let receipt = app.wait_for_status(id, "written").await;
    let case_id = receipt["case_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();

    let files = org
        .query(&format!(
            "SELECT Id, PathOnClient, Description FROM ContentVersion \
             WHERE FirstPublishLocationId = '{case_id}'"
        ))
        .await;
    assert_eq!(files.len(), 2, "{files:#?}");
    let of = |sha: &str| {
        files
            .iter()
            .find(|f| f["PathOnClient"].as_str().unwrap().contains(sha))
            .unwrap_or_else(|| panic!("{sha} in {files:#?}"))
            .clone()
    };
    assert!(of(&photos[0])["Description"].is_null(), "{files:#?}");
    let located = of(&photos[1]);
    assert_eq!(
        located["Description"],
        "Location (switched on by the technician): 53.800755, -1.549077 (±12 m)"
    );
    let bytes = org.file_bytes(located["Id"].as_str().unwrap()).await;
    let as_text = String::from_utf8_lossy(&bytes);
    assert!(
        !as_text.contains("53.8") && !as_text.contains("GPS"),
        "no location inside the file"
    );
}
