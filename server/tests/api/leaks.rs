//! Nothing leaks (issue 7): secrets stay out of `--help`, tokens out of the
//! database, Salesforce's words out of a technician's screen, query text out
//! of pages; files are private; every response carries the security headers.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    assert_api_error, body_json, receipt_path, spawn_app, spawn_app_with, submission,
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
    use clap::Parser;
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
    for path in [
        "/healthz".to_owned(),
        format!("/a/{token}"),
        format!("/api/v1/assets/{token}"),
        "/api/v1/nowhere".to_owned(),
        "/admin/salesforce".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(
            response.headers()["permissions-policy"],
            "camera=(self), microphone=(), geolocation=()",
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
