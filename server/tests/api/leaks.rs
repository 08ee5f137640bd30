//! Nothing leaks (issue 7): secrets stay out of `--help`, tokens out of the
//! database, Salesforce's words out of a technician's screen, query text out
//! of pages; files are private; every response carries the security headers.

use std::path::Path;

use clap::Parser;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    assert_api_error, body_json, receipt_path, spawn_app, spawn_app_with, start_on, submission,
};

/// Every secret-bearing setting, with a value an attacker would look for.
const SECRET_ENV: &[(&str, &str)] = &[
    ("FIELDCASE_SMTP_PASSWORD", "smtp-pass-5f1d"),
    ("FIELDCASE_SF_CLIENT_SECRET", "client-secret-9a7c"),
    (
        "FIELDCASE_SECRET_KEY",
        "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=",
    ),
    ("FIELDCASE_DEMO_PASSWORD", "demo-pass-3e2b"),
    (
        "FIELDCASE_DATABASE_URL",
        "postgres://fieldcase:db-pass-77aa@db.example/fieldcase",
    ),
];

#[test]
fn help_does_not_print_secrets_from_the_environment() {
    for args in [&["--help"][..], &["serve", "--help"], &["assets", "--help"]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
            .args(args)
            .envs(SECRET_ENV.iter().copied())
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("--smtp-password"), "{help}");
        for (name, value) in SECRET_ENV {
            assert!(help.contains(name), "{name} is documented: {help}");
            assert!(!help.contains(value), "{name}'s value in {args:?}: {help}");
        }
    }
}

#[test]
fn the_configurations_debug_redacts_every_secret() {
    let mut args = vec!["fieldcase".to_owned()];
    for (flag, (_, value)) in [
        "--smtp-password",
        "--salesforce-client-secret",
        "--secret-key",
        "--demo-password",
        "--database-url",
    ]
    .iter()
    .zip(SECRET_ENV)
    {
        args.extend([(*flag).to_owned(), (*value).to_owned()]);
    }
    let config = fieldcase_server::config::Config::try_parse_from(args).unwrap();
    let shown = format!("{config:?} {config:#?}");
    for (name, value) in SECRET_ENV {
        assert!(!shown.contains(value), "{name}: {shown}");
    }
}

#[tokio::test]
async fn the_oauth_callbacks_error_page_shows_a_fixed_message_never_the_query() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let injected = "<script>alert('owned')</script> call +1-555-0100 now";
    let cases = [
        ("access_denied", "declined to allow fieldcase"),
        ("invalid_scope", "refused the scopes"),
        (
            "<img src=x onerror=alert(1)>",
            "did not authorise fieldcase",
        ),
    ];
    for (error, expected) in cases {
        let url = reqwest::Url::parse_with_params(
            &app.url("/admin/salesforce/callback"),
            &[("error", error), ("error_description", injected)],
        )
        .unwrap();
        let response = admin.get(&url[url::Position::BeforePath..]).await;
        assert_eq!(response.status(), 400);
        let html = response.text().await.unwrap();
        assert!(html.contains(expected), "{error}: {html}");
        for leaked in ["script", "alert", "555-0100", "onerror", "img src"] {
            assert!(!html.contains(leaked), "{error}: {leaked} in {html}");
        }
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_hsts_only_over_https() {
    let app = spawn_app().await;
    let token = app.pump();
    for (path, geolocation) in [
        ("/healthz".to_owned(), "()"),
        // The technician's app (and the shell its service worker answers
        // that page with offline) asks for a photo's location, on a tap.
        (format!("/a/{token}"), "(self)"),
        ("/index.html".to_owned(), "(self)"),
        (format!("/api/v1/assets/{token}"), "()"),
        ("/api/v1/nowhere".to_owned(), "()"),
        ("/admin/salesforce".to_owned(), "()"),
        ("/a/aaaaaaaaaaaaaaaaaaaa".to_owned(), "()"),
        ("/embed/no-such-portal".to_owned(), "()"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(
            response.headers()["permissions-policy"],
            format!("camera=(self), microphone=(), geolocation={geolocation}").as_str(),
            "{path}"
        );
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "plain http must not send HSTS: {path}"
        );
    }

    let https = spawn_app_with(&["--public-url", "https://fieldcase.example"]).await;
    for path in ["/healthz", "/api/v1/nowhere"] {
        let response = https.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
        assert!(response.headers().contains_key("permissions-policy"));
    }
}

#[tokio::test]
async fn a_405_names_the_methods_the_route_allows() {
    let app = spawn_app().await;
    let token = app.pump();
    let id = Uuid::now_v7();
    let cases = [
        (
            reqwest::Method::DELETE,
            format!("/api/v1/intakes/{id}"),
            "GET,HEAD,PUT",
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/assets/{token}"),
            "GET,HEAD",
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/assets/{token}/photos"),
            "POST",
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/admin/users".to_owned(),
            "GET,HEAD",
        ),
        (reqwest::Method::PUT, "/healthz".to_owned(), "GET,HEAD"),
    ];
    for (method, path, allowed) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", &app.address)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let allow = response
            .headers()
            .get("allow")
            .unwrap_or_else(|| panic!("no Allow on {method} {path}"))
            .to_str()
            .unwrap()
            .to_owned();
        let mut got: Vec<&str> = allow.split(',').map(str::trim).collect();
        got.sort_unstable();
        assert_eq!(got.join(","), allowed, "{method} {path}");
        assert_api_error(&body_json(response).await, "method_not_allowed");
    }
}

#[tokio::test]
async fn a_413_names_the_size_and_the_limit() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["notes"] = json!("x".repeat(1_500_000));
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 413);
    let body = body_json(response).await;
    assert_api_error(&body, "body_too_large");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("The request body is 1.4 MB; this route accepts up to 1 MB."),
        "{message}"
    );
}

#[tokio::test]
async fn another_assets_link_gets_no_receipt_and_no_reference() {
    let app = spawn_app().await;
    let (pump, other) = (app.pump(), app.token("Chiller CH-2"));
    let id = Uuid::now_v7();
    let body = submission(id, &pump, &[]);
    let receipt = body_json(app.put_intake(id, &body).await).await;
    let reference = receipt["reference"].as_str().unwrap().to_owned();

    // The receipt: only through the link it was submitted through, or staff.
    assert_eq!(app.receipt(id).await["reference"], reference.as_str());
    let unknown = app.get(&receipt_path(&other, Uuid::now_v7())).await;
    assert_eq!(unknown.status(), 404);
    let unknown = body_json(unknown).await;
    let stolen = app.get(&receipt_path(&other, id)).await;
    assert_eq!(stolen.status(), 404);
    assert_eq!(body_json(stolen).await, unknown, "alike with an unknown id");
    let bare = app.get(&format!("/api/v1/intakes/{id}")).await;
    assert_eq!(bare.status(), 401, "no token, no receipt");
    let staff = app.dispatcher().await;
    assert_eq!(
        staff.get_json(&format!("/api/v1/intakes/{id}")).await["reference"],
        reference.as_str()
    );

    // A replay of the very body with another asset's link: the token is
    // checked before the replay lookup, so no receipt, no reference.
    for tampered in [json!(other), json!("AAAAAAAAAAAAAAAAAAAA")] {
        let mut replay = body.clone();
        replay["asset_token"] = tampered;
        let response = app.put_intake(id, &replay).await;
        assert_eq!(response.status(), 404);
        let text = response.text().await.unwrap();
        assert!(!text.contains(&reference), "{text}");
        assert!(text.contains("asset_inactive"), "{text}");
    }
    // The real link still replays.
    assert_eq!(app.put_intake(id, &body).await.status(), 200);
}

async fn pool(data: &Path) -> sqlx::SqlitePool {
    let url = format!("sqlite://{}", data.join("fieldcase.db").display());
    sqlx::SqlitePool::connect(&url).await.unwrap()
}

/// Every byte of the database and its write-ahead log.
fn database_bytes(data: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(data.join("fieldcase.db")).unwrap();
    bytes.extend(std::fs::read(data.join("fieldcase.db-wal")).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn asset_tokens_are_never_in_the_database_in_plain_text_yet_labels_still_print() {
    let app = spawn_app().await;
    let token = app.pump();
    let photo = app.uploaded_photo(&token).await;
    let id = Uuid::now_v7();
    let body = submission(id, &token, std::slice::from_ref(&photo));
    assert_eq!(app.put_intake(id, &body).await.status(), 201);
    assert_eq!(
        app.get(&format!("/api/v1/assets/{token}")).await.status(),
        200
    );

    let bytes = database_bytes(app.data());
    assert!(app.links.len() >= 6);
    for link in &app.links {
        assert!(
            !contains(&bytes, &link.token),
            "{} in plain text",
            link.name
        );
    }
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hmac, sealed_token FROM asset_links")
            .fetch_all(&pool(app.data()).await)
            .await
            .unwrap();
    assert_eq!(rows.len(), app.links.len());
    for (hmac, sealed) in rows {
        assert_eq!(hmac.len(), 64, "HMAC-SHA256, hex");
        assert!(sealed.starts_with("v1."), "{sealed}");
    }

    // Labels are reprinted from the sealed tokens: the QR, and the CLI's list.
    let qr = app.get(&format!("/qr/{token}.svg")).await;
    assert_eq!(qr.status(), 200);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .args(["assets", "list", "--data-dir"])
        .arg(app.data())
        .env_remove("FIELDCASE_DATABASE_URL")
        .env_remove("FIELDCASE_SECRET_KEY")
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{listed}");
    for link in &app.links {
        assert!(
            listed.contains(&link.token),
            "{} not listed: {listed}",
            link.name
        );
    }
}

#[tokio::test]
async fn plain_tokens_of_an_older_database_are_sealed_at_start_up_once() {
    let app = spawn_app().await;
    let db = pool(app.data()).await;
    let asset_id: String = sqlx::query_scalar("SELECT id FROM assets LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    // Rows as the first schema kept them (a label printed before issue 7).
    let (live, revoked) = ("PLAINTEXTLABEL234567", "REVOKEDPLAINLABEL234");
    for (token, revoked_at) in [(live, None), (revoked, Some("2025-11-25T10:00:00.000000Z"))] {
        sqlx::query(
            "INSERT INTO asset_tokens (token, asset_id, created_at, revoked_at) \
             VALUES ($1, $2, '2025-11-21T10:00:00.000000Z', $3)",
        )
        .bind(token)
        .bind(&asset_id)
        .bind(revoked_at)
        .execute(&db)
        .await
        .unwrap();
    }
    let links_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_links")
        .fetch_one(&db)
        .await
        .unwrap();

    let restarted = start_on(app.data(), &[]).await.unwrap();
    let client = reqwest::Client::new();
    let status = |token: &str| {
        let url = format!("{restarted}/api/v1/assets/{token}");
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(live).await, 200, "the old label still works");
    assert_eq!(
        status(revoked).await,
        404,
        "and a revoked one stays revoked"
    );
    let plain: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(plain, 0, "no plain-text token is left");
    // Not even in the file's free pages or its log.
    let bytes = database_bytes(app.data());
    assert!(!contains(&bytes, live) && !contains(&bytes, revoked));

    // Again: nothing more to do, nothing doubled.
    start_on(app.data(), &[]).await.unwrap();
    let links_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset_links")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(links_after, links_before + 2);
    assert_eq!(status(live).await, 200);
}

#[tokio::test]
async fn a_different_secret_key_is_refused_rather_than_killing_every_label() {
    let app = spawn_app().await;
    let other = fieldcase_server::salesforce::SecretKey::generate_base64();
    let Err(refused) = start_on(app.data(), &["--secret-key", &other]).await else {
        panic!("started with a key that opens no label");
    };
    let message = refused.to_string();
    assert!(
        message.contains("sealed with another secret key"),
        "{message}"
    );
    assert!(!message.contains(&other), "{message}");
    // The key the data dir was made with still works.
    let key = std::fs::read_to_string(app.data().join("secret.key")).unwrap();
    start_on(app.data(), &["--secret-key", key.trim()])
        .await
        .unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_is_private_and_so_is_everything_in_it() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    // A data folder from before: world-readable, with a photo in it.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let old_photos = data.join("photos/ab/cd");
    std::fs::create_dir_all(&old_photos).unwrap();
    std::fs::write(old_photos.join("abcd-old"), b"old photo").unwrap();
    for (path, m) in [
        (&data, 0o755),
        (&data.join("photos"), 0o755),
        (&old_photos, 0o755),
        (&old_photos.join("abcd-old"), 0o644),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let address = start_on(&data, &[]).await.unwrap();
    let links: Vec<fieldcase_server::demo::DemoLink> =
        serde_json::from_slice(&std::fs::read(data.join("demo-links.json")).unwrap()).unwrap();
    let token = &links[0].token;
    let part = reqwest::multipart::Part::bytes(crate::helpers::png(9, 9))
        .file_name("p.png")
        .mime_str("image/png")
        .unwrap();
    let receipt: serde_json::Value = reqwest::Client::new()
        .post(format!("{address}/api/v1/assets/{token}/photos"))
        .multipart(reqwest::multipart::Form::new().part("photo", part))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sha = receipt["sha256"].as_str().unwrap();

    let files = fieldcase_server::photo::PhotoFiles::new(&data);
    let photo = files.photo_path(sha);
    let thumb = files.thumb_path(sha);
    for folder in [
        data.clone(),
        data.join("photos"),
        old_photos.clone(),
        photo.parent().unwrap().to_owned(),
        thumb.parent().unwrap().to_owned(),
        data.join("tmp"),
    ] {
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
    for file in [
        data.join("fieldcase.db"),
        data.join("fieldcase.db-wal"),
        data.join("fieldcase.db-shm"),
        data.join("secret.key"),
        data.join("demo-links.json"),
        old_photos.join("abcd-old"),
        photo,
        thumb,
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}
