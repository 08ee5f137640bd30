//! `POST /api/v1/assets/{token}/photos`

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{assert_api_error, body_json, bomb_png, jpeg, png, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_png_is_stored_under_its_hash_with_a_thumbnail() {
    let app = spawn_app().await;
    let bytes = png(640, 480);
    let sha = hex::encode(Sha256::digest(&bytes));

    let response = app
        .upload(&app.pump(), bytes.clone(), "IMG_0001.png", "image/png")
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let receipt = body_json(response).await;
    assert_eq!(receipt["sha256"], sha.as_str());
    insta::assert_json_snapshot!(receipt, { ".sha256" => "[sha256]", ".bytes" => "[bytes]" });
    assert_eq!(receipt["bytes"], bytes.len());

    let stored = app
        .data()
        .join("photos")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(&sha);
    assert_eq!(std::fs::read(&stored).unwrap(), bytes);
    let thumb = app
        .data()
        .join("thumbs")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(format!("{sha}.jpg"));
    let thumb = image::open(thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    let leftovers = std::fs::read_dir(app.data().join("tmp")).unwrap().count();
    assert_eq!(leftovers, 0, "no temporary files left behind");
}

#[tokio::test]
async fn photos_are_judged_by_content_not_by_name_or_declared_type() {
    let app = spawn_app().await;
    let response = app
        .upload(&app.pump(), jpeg(64, 48), "notes.txt", "text/plain")
        .await;
    assert_eq!(response.status(), 201);
    let receipt = body_json(response).await;
    assert_eq!(receipt["content_type"], "image/jpeg");
    assert_eq!(
        (receipt["width"].as_u64(), receipt["height"].as_u64()),
        (Some(64), Some(48))
    );
}

#[tokio::test]
async fn the_same_bytes_again_give_the_same_receipt() {
    let app = spawn_app().await;
    let bytes = png(50, 50);
    let first = body_json(
        app.upload(&app.pump(), bytes.clone(), "a.png", "image/png")
            .await,
    )
    .await;
    let second = app.upload(&app.pump(), bytes, "b.png", "image/png").await;
    assert_eq!(second.status(), 201);
    assert_eq!(body_json(second).await, first);
}

#[tokio::test]
async fn a_text_file_named_like_a_photo_is_refused() {
    let app = spawn_app().await;
    let response = app
        .upload(
            &app.pump(),
            b"these are my notes, not a photo".to_vec(),
            "photo.jpg",
            "image/jpeg",
        )
        .await;
    assert_eq!(response.status(), 422);
    let body = body_json(response).await;
    assert_api_error(&body, "photo_not_image");
    insta::assert_json_snapshot!(body);
}

#[tokio::test]
async fn an_oversize_photo_is_refused_with_both_sizes() {
    let app = spawn_app_with(&["--max-photo-bytes", "102400"]).await;
    let mut bytes = png(8, 8);
    bytes.resize(140 * 1024, 0); // trailing junk after IEND: a real, big file
    let response = app.upload(&app.pump(), bytes, "big.png", "image/png").await;
    assert_eq!(response.status(), 413);
    let body = body_json(response).await;
    assert_api_error(&body, "photo_too_large");
    assert_eq!(
        body["message"],
        "This photo is 140 KB; the limit is 100 KB. Choose a smaller photo, or lower the camera's resolution."
    );
}

#[tokio::test]
async fn a_body_far_over_the_limit_still_gets_the_error_shape() {
    let app = spawn_app_with(&["--max-photo-bytes", "102400"]).await;
    let response = app
        .upload(&app.pump(), vec![7u8; 400 * 1024], "huge.jpg", "image/jpeg")
        .await;
    assert_eq!(response.status(), 413);
    let body = body_json(response).await;
    assert_api_error(&body, "photo_too_large");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 100 KB"),
        "{body}"
    );
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let app = spawn_app().await;
    let bomb = bomb_png(20_000, 20_000);
    assert!(bomb.len() < 200);
    let response = app.upload(&app.pump(), bomb, "bomb.png", "image/png").await;
    assert_eq!(response.status(), 422);
    let body = body_json(response).await;
    assert_api_error(&body, "photo_too_many_pixels");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("This photo is 20000×20000 pixels; the limit is 50 megapixels."),
        "{body}"
    );
}

#[tokio::test]
async fn uploads_need_an_active_code_and_a_photo_field() {
    let app = spawn_app().await;
    let response = app
        .upload("ABCDEFGHIJKLMNOPQRST", png(4, 4), "a.png", "image/png")
        .await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "asset_inactive");

    let url = app.url(&format!("/api/v1/assets/{}/photos", app.pump()));
    let form = Form::new().part("picture", Part::bytes(png(4, 4)).file_name("a.png"));
    let response = app.client.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_api_error(&body_json(response).await, "photo_missing");

    let response = app
        .client
        .post(&url)
        .json(&serde_json::json!({"photo": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = body_json(response).await;
    assert_api_error(&body, "bad_multipart");
}

#[tokio::test]
async fn a_thumbnail_is_served_only_through_the_asset_it_was_uploaded_for() {
    let app = spawn_app().await;
    let pump = app.pump();
    let sha = app.uploaded_photo(&pump).await;

    let response = app
        .get(&format!("/api/v1/assets/{pump}/photos/{sha}/thumb"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    assert!(thumb.width() <= 320 && thumb.height() <= 320);

    // The same photo through another asset's link, or an unknown hash: not found.
    let other = app.token("Chiller CH-2");
    let response = app
        .get(&format!("/api/v1/assets/{other}/photos/{sha}/thumb"))
        .await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "photo_not_found");
    let unknown = "0".repeat(64);
    let response = app
        .get(&format!("/api/v1/assets/{pump}/photos/{unknown}/thumb"))
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .get(&format!("/api/v1/assets/{pump}/photos/../../etc/thumb"))
        .await;
    assert_ne!(response.status(), 200);
}
