//! Hand-off after a case is written: a real SMTP server process (aiosmtpd,
//! the hand-off crate's `smtp_sink.py`) and a webhook receiver on loopback
//! that checks the signature. The receiver fails first, so the delivery is
//! retried until it arrives — once.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fieldcase_handoff::verify_signature;
use fieldcase_handoff::webhook::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, unix_now};
use fieldcase_server::store::DeliveryState;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{eventually, spawn_app_with_org, submission};

pub(crate) const SECRET: &str = "webhook-secret-0123456789abcdef0123456789";

/// aiosmtpd as a child process, writing each message it accepts as JSON.
pub(crate) struct SmtpSink {
    child: Child,
    _stdin: ChildStdin,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub(crate) fn start() -> SmtpSink {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../handoff/tests/smtp_sink.py");
        let python = std::env::var("FIELDCASE_PYTHON").unwrap_or_else(|_| "python3".into());
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink says READY");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "the SMTP sink did not start ({line:?}): pip install -r requirements-test.txt"
                )
            });
        SmtpSink {
            child,
            _stdin: stdin,
            port,
            dir,
        }
    }

    pub(crate) fn messages(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("sink dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                serde_json::from_str(
                    &std::fs::read_to_string(p.with_extension("json")).expect("json"),
                )
                .expect("message json")
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
pub(crate) struct Hooks {
    /// Statuses to answer, in order; 200 once they run out.
    pub(crate) script: Vec<u16>,
    pub(crate) received: Vec<(HeaderMap, Bytes)>,
}

pub(crate) async fn hook(
    State(hooks): State<Arc<Mutex<Hooks>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut hooks = hooks.lock().expect("lock");
    hooks.received.push((headers, body));
    let status = if hooks.script.is_empty() {
        200
    } else {
        hooks.script.remove(0)
    };
    StatusCode::from_u16(status).expect("status")
}

#[tokio::test]
async fn a_written_case_is_emailed_and_posted_to_a_signed_webhook_once() {
    let smtp = SmtpSink::start();
    let hooks = Arc::new(Mutex::new(Hooks {
        script: vec![503, 500],
        ..Hooks::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook_url = format!("http://{}/cases", listener.local_addr().expect("addr"));
    let receiver = axum::Router::new()
        .route("/cases", post(hook))
        .with_state(hooks.clone());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        json!({"routes": [
            {"name": "safety-team", "when": [{"field": "Safety_Hazard__c", "equals": true}],
             "email": ["safety@example.com"]},
            {"name": "low-priority", "when": [{"field": "Priority", "equals": "Low"}],
             "email": ["backlog@example.com"]},
            {"name": "everything", "webhook": {"url": hook_url, "secret_env": "FIELDCASE_WEBHOOK_SECRET"}}
        ]})
        .to_string(),
    )
    .expect("rules");
    let secrets = dir.path().join("secrets");
    std::fs::write(&secrets, format!("FIELDCASE_WEBHOOK_SECRET={SECRET}\n")).expect("secrets");
    let port = smtp.port.to_string();
    let (app, _org) = spawn_app_with_org(&[
        "--handoff-rules",
        rules.to_str().expect("path"),
        "--handoff-secrets-file",
        secrets.to_str().expect("path"),
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--handoff-retry-base-ms",
        "5",
        "--handoff-retry-max-ms",
        "20",
        "--handoff-poll-ms",
        "20",
    ])
    .await;
    app.connect_salesforce().await;

    let token = app.pump();
    let photos = app.uploaded_photos(&token, 2).await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &token, &photos);
    body["fields"]["Safety_Hazard__c"] = json!(true);
    body["fields"]["Priority"] = json!("High");
    assert_eq!(app.put_intake(id, &body).await.status(), 201);
    app.approve(id).await;
    let receipt = app.wait_for_status(id, "written").await;
    let case_number = receipt["case_number"]
        .as_str()
        .expect("case number")
        .to_owned();

    eventually("the email and the webhook arrive", || {
        let emails = smtp.messages().len();
        let posted = hooks.lock().expect("lock").received.len();
        async move { emails >= 1 && posted >= 3 }
    })
    .await;
    // Give a wrongly repeated delivery the time to show up.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let emails = smtp.messages();
    assert_eq!(emails.len(), 1, "only the safety route emails: {emails:#?}");
    let email = &emails[0];
    assert_eq!(email["rcpt_tos"], json!(["safety@example.com"]));
    let subject = email["subject"].as_str().expect("subject");
    assert!(
        subject.contains(&case_number) && subject.contains("[High]"),
        "{subject}"
    );
    let text = email["text"].as_str().expect("text");
    assert!(text.contains("Feed pump P-12"), "{text}");
    assert!(
        text.contains(receipt["case_url"].as_str().expect("url")),
        "{text}"
    );

    let hooks = hooks.lock().expect("lock");
    assert_eq!(
        hooks.received.len(),
        3,
        "two failures, then one delivery, and no more"
    );
    let ids: Vec<_> = hooks
        .received
        .iter()
        .map(|(h, _)| h[DELIVERY_HEADER].clone())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one delivery id on every attempt"
    );
    let (headers, body) = hooks.received.last().expect("delivered");
    verify_signature(
        SECRET.as_bytes(),
        headers[TIMESTAMP_HEADER].to_str().expect("ts"),
        body,
        headers[SIGNATURE_HEADER].to_str().expect("sig"),
        unix_now(),
        Duration::from_secs(300),
    )
    .expect("the receiver can verify the signature");
    let summary: Value = serde_json::from_slice(body).expect("summary json");
    assert_eq!(summary["case_number"], case_number.as_str());
    assert_eq!(summary["photo_count"], 2);
    assert_eq!(summary["asset_name"], "Feed pump P-12");
    assert_eq!(summary["priority"], "High");
}

/// The hand-off queue without SMTP (no Python needed): the webhook's
/// delivery is leased, retried with back-off and delivered once.
#[tokio::test]
async fn a_webhook_delivery_is_retried_then_delivered_once() {
    let hooks = Arc::new(Mutex::new(Hooks {
        script: vec![503, 500],
        ..Hooks::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook_url = format!("http://{}/cases", listener.local_addr().expect("addr"));
    let receiver = axum::Router::new()
        .route("/cases", post(hook))
        .with_state(hooks.clone());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        json!({"routes": [
            {"name": "everything", "webhook": {"url": hook_url, "secret_env": "FIELDCASE_WEBHOOK_SECRET"}}
        ]})
        .to_string(),
    )
    .expect("rules");
    let secrets = dir.path().join("secrets");
    std::fs::write(&secrets, format!("FIELDCASE_WEBHOOK_SECRET={SECRET}\n")).expect("secrets");
    let (app, _org) = spawn_app_with_org(&[
        "--handoff-rules",
        rules.to_str().expect("path"),
        "--handoff-secrets-file",
        secrets.to_str().expect("path"),
        "--handoff-retry-base-ms",
        "5",
        "--handoff-retry-max-ms",
        "20",
        "--handoff-poll-ms",
        "20",
    ])
    .await;
    app.connect_salesforce().await;
    let id = app.submit_and_approve(0).await;
    app.wait_for_status(id, "written").await;

    eventually("the webhook is delivered", || {
        let store = app.store.clone();
        async move {
            let deliveries = store.deliveries(&id.to_string()).await.expect("deliveries");
            deliveries.len() == 1 && deliveries[0].1 == DeliveryState::Delivered
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let deliveries = app
        .store
        .deliveries(&id.to_string())
        .await
        .expect("deliveries");
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        (deliveries[0].1, deliveries[0].2),
        (DeliveryState::Delivered, 2),
        "two failed attempts, then delivered"
    );
    assert_eq!(hooks.lock().expect("lock").received.len(), 3, "and no more");
}

#[tokio::test]
async fn bad_rules_stop_the_server_with_a_message_that_says_what_to_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"routes":[{"name":"x","when":[{"field":"Priorty","equals":"High"}],"email":["a@example.com"]}]}"#,
    )
    .expect("rules");
    let data = tempfile::tempdir().expect("data");
    let config = <fieldcase_server::config::Config as clap::Parser>::try_parse_from([
        "fieldcase",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().expect("path"),
        "--handoff-rules",
        rules.to_str().expect("path"),
        "--smtp-host",
        "127.0.0.1",
    ])
    .expect("settings parse");
    let Err(e) = fieldcase_server::startup::Application::build(&config).await else {
        panic!("a rule on an unknown field must stop the server");
    };
    let message = e.to_string();
    assert!(message.contains("Priorty"), "{message}");
}
