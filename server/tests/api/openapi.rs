//! The API's description (`GET /api/v1/openapi.json`): checked in as
//! `server/openapi.json` so a change shows in review, complete (every
//! `/api/v1` route of the authorization matrix is described), and true:
//! schemathesis fuzzes the running server against it.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use crate::authz::MATRIX;
use crate::helpers::spawn_app_with_org;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

#[test]
fn the_description_matches_its_checked_in_snapshot() {
    let generated = fieldcase_server::http::openapi::description_json_text();
    let path = snapshot_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != generated {
        let first = stored
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| stored.lines().count().min(generated.lines().count()));
        let around = |text: &str| {
            text.lines()
                .skip(first.saturating_sub(2))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "the API description changed (first difference at line {}):\n--- server/openapi.json\n{}\n\
             +++ generated\n{}\n\nIf the change is meant, run \
             `UPDATE_OPENAPI=1 cargo test -p fieldcase-server --test api openapi` and commit \
             server/openapi.json with it.",
            first + 1,
            around(&stored),
            around(&generated)
        );
    }
}

fn description() -> Value {
    serde_json::from_str(&fieldcase_server::http::openapi::description_json_text()).unwrap()
}

#[test]
fn every_api_route_in_the_matrix_is_described_and_nothing_else() {
    let doc = description();
    let paths = doc["paths"].as_object().unwrap();
    let mut missing = Vec::new();
    for (method, path, _) in MATRIX.iter().filter(|(_, p, _)| p.starts_with("/api/v1/")) {
        if paths
            .get(*path)
            .and_then(|item| item.get(method.to_lowercase()))
            .is_none()
        {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "not in the description: {missing:?}");
    let mut unknown = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let known = MATRIX
                .iter()
                .any(|(m, p, _)| p == path && m.eq_ignore_ascii_case(method));
            if !known {
                unknown.push(format!("{method} {path}"));
            }
        }
    }
    assert!(unknown.is_empty(), "described but not routed: {unknown:?}");
}

#[test]
fn staff_operations_need_the_session_cookie_and_every_failure_is_the_one_error_body() {
    let doc = description();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["session_cookie"],
        serde_json::json!({"type": "apiKey", "in": "cookie", "name": "fieldcase_session",
            "description": doc["components"]["securitySchemes"]["session_cookie"]["description"]})
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured = op.get("security").is_some();
            // As the authorization matrix says: a staff or admin route.
            let staff = MATRIX.iter().any(|(m, p, rule)| {
                m.eq_ignore_ascii_case(method)
                    && p == path
                    && matches!(rule, crate::authz::Rule::Staff | crate::authz::Rule::Admin)
            });
            // An embed route: the embed session (a bearer token), not the cookie.
            let embed = MATRIX.iter().any(|(m, p, rule)| {
                m.eq_ignore_ascii_case(method)
                    && p == path
                    && matches!(rule, crate::authz::Rule::EmbedSession)
            });
            assert_eq!(secured, staff || embed, "{method} {path}: security");
            if embed {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{ "embed_session": [] }]),
                    "{method} {path}"
                );
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
            assert!(op["responses"].get("503").is_some(), "{method} {path}: 503");
        }
    }
}

#[tokio::test]
async fn it_is_served_to_anyone_and_not_cached() {
    let (app, _org) = spawn_app_with_org(&[]).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = response.text().await.unwrap();
    assert_eq!(
        body,
        fieldcase_server::http::openapi::description_json_text()
    );
}

/// schemathesis against the running server, every operation, with a demo
/// asset's token and a signed-in admin's session (plus our `Origin`, for the
/// same-origin rule): no 5xx, and every status, content type, header and
/// body as described. Needs `$FIELDCASE_PYTHON` with schemathesis installed
/// (`scripts/test` sets it up); skipped with a notice otherwise, unless
/// `FIELDCASE_REQUIRE_PYTHON_TESTS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_that_breaks_the_description() {
    let python = std::env::var("FIELDCASE_PYTHON").unwrap_or_default();
    let probe = if python.is_empty() {
        None
    } else {
        std::process::Command::new(&python)
            .args(["-c", "import schemathesis"])
            .output()
            .ok()
    };
    if !probe.is_some_and(|out| out.status.success()) {
        assert!(
            std::env::var_os("FIELDCASE_REQUIRE_PYTHON_TESTS").is_none(),
            "FIELDCASE_PYTHON ({python:?}) cannot import schemathesis; install it with: \
             $FIELDCASE_PYTHON -m pip install -r requirements-test.txt"
        );
        println!(
            "SKIPPED schemathesis_finds_nothing_that_breaks_the_description: set FIELDCASE_PYTHON \
             to a Python with schemathesis (pip install -r requirements-test.txt)"
        );
        return;
    }

    let (app, _org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    // Something to find: an intake with a photo, through the demo token.
    let intake = app.submit_with_photos(1).await;
    let photo = app
        .store
        .list_intakes()
        .await
        .unwrap()
        .remove(0)
        .photos
        .remove(0);
    let admin = app.admin().await;
    let session = admin
        .cookie
        .strip_prefix("fieldcase_session=")
        .unwrap()
        .to_owned();
    let report = tempfile::tempdir().unwrap();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let started = Instant::now();
    let mut command = std::process::Command::new(&python);
    command
        .args(["-m", "schemathesis.cli"])
        .args(["--config-file", config, "run"])
        .arg(app.url("/api/v1/openapi.json"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,response_headers_conformance",
            // No stateful phase: it chains an answer's ids into the next
            // request, so it lists the users and then changes their roles or
            // disables them (our admin's session with them).
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "50",
            "--seed",
            "7",
            // One worker: two tripped a race inside hypothesis (an AST
            // recursion-depth error in schemathesis's own process), and the
            // run is short anyway.
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
        ])
        .arg("--report-dir")
        .arg(report.path())
        .env("FIELDCASE_URL", &app.address)
        .env("FIELDCASE_SESSION", &session)
        .env("FIELDCASE_TOKEN", app.pump())
        .env("FIELDCASE_INTAKE", intake.to_string())
        .env("FIELDCASE_PHOTO", photo)
        // Its cache folder goes with the report, not into the source tree.
        .current_dir(report.path());
    // The server runs on this runtime's other thread meanwhile.
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "{stdout}\n{stderr}\nschemathesis took {:.0?}",
        started.elapsed()
    );
    assert!(
        out.status.success(),
        "schemathesis found responses that break the description (above)"
    );
    // The run covered the staff operations with a live session.
    let who = admin.get("/api/v1/session").await;
    assert_eq!(who.status(), 200, "the admin's session survived the run");
}
