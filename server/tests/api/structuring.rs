//! `POST /api/v1/assets/{token}/structure` with and without Claude, against
//! a local stand-in that speaks the Messages API contract: a good answer, a
//! model that invents a quote or a picklist value, a timeout, a 429 with
//! `retry-after`, a 529 and a 500. Nothing the model says is trusted, and
//! nothing it fails at stops the technician: the rules engine answers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::helpers::{TestApp, body_json, field_named, spawn_app, spawn_app_with};

const ASSET: &str = "Air handler AHU-3";
const NOTES: &str = "Condensate tray overflowing, water on the floor by the MCC panel. Display shows E-17. Call me on 07700 900123.";
const KEY: &str = "sk-ant-test-not-a-real-key";

/// What the stand-in received: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// A stand-in for `POST /v1/messages` answering with `answer` each time.
pub(crate) async fn stand_in(
    answer: impl Fn() -> Response + Clone + Send + Sync + 'static,
) -> (String, Seen) {
    slow_stand_in(Duration::ZERO, answer).await
}

/// [`stand_in`], answering after `delay`.
async fn slow_stand_in(
    delay: Duration,
    answer: impl Fn() -> Response + Clone + Send + Sync + 'static,
) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let router = Router::new().route(
        "/v1/messages",
        post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let answer = answer.clone();
            let log = log.clone();
            async move {
                log.lock().unwrap().push((headers, body.0));
                tokio::time::sleep(delay).await;
                answer()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (address, seen)
}

/// A Messages API answer whose one content block calls our tool with `input`.
pub(crate) fn tool_use(input: Value) -> Response {
    axum::Json(json!({
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [
            { "type": "text", "text": "Here are the fields." },
            { "type": "tool_use", "id": "toolu_01", "name": "propose_case_fields", "input": input }
        ],
        "stop_reason": "tool_use",
        "usage": { "input_tokens": 10, "output_tokens": 10 }
    }))
    .into_response()
}

fn error(status: u16, kind: &str) -> Response {
    let mut r =
        axum::Json(json!({ "type": "error", "error": { "type": kind, "message": "stand-in" } }))
            .into_response();
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r
}

pub(crate) async fn with_claude(base: &str, timeout_ms: &str) -> TestApp {
    with_claude_and(base, timeout_ms, &[]).await
}

/// [`with_claude`] with `extra` settings.
async fn with_claude_and(base: &str, timeout_ms: &str, extra: &[&str]) -> TestApp {
    let mut args = vec![
        "--anthropic-api-key",
        KEY,
        "--anthropic-base-url",
        base,
        "--anthropic-model",
        "claude-test",
        "--anthropic-timeout-ms",
        timeout_ms,
    ];
    args.extend(extra);
    spawn_app_with(&args).await
}

async fn structure(app: &TestApp, notes: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/assets/{}/structure", app.token(ASSET))))
        .json(&json!({ "notes": notes, "technician": { "name": "Kim Lee" } }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, body_json(response).await)
}

fn field<'a>(body: &'a Value, name: &str) -> &'a Value {
    field_named(&body["proposal"]["fields"], name).unwrap_or_else(|| panic!("no {name} in {body}"))
}

fn highlighted(body: &Value, name: &str) -> Vec<String> {
    field(body, name)["source"]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            NOTES[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize]
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn without_a_key_the_rules_engine_structures_the_notes() {
    let app = spawn_app().await;
    let context = app
        .client
        .get(app.url(&format!("/api/v1/assets/{}", app.token(ASSET))));
    let context = body_json(context.send().await.unwrap()).await;
    assert!(
        context.get("server_structuring").is_none(),
        "the phone need not ask"
    );
    let (status, body) = structure(&app, NOTES).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["by"], "rules");
    assert_eq!(field(&body, "Error_Code__c")["value"], "E-17");
    assert!(!body.to_string().contains("proposed_by_ai"), "{body}");
}

#[tokio::test]
async fn claude_values_that_quote_the_notes_are_kept_and_marked_the_rest_dropped() {
    let (base, seen) = stand_in(|| {
        tool_use(json!({
            "Priority": { "value": "High", "quotes": ["water on the floor by the MCC panel"] },
            "Subject": { "value": "Condensate tray overflowing near MCC panel",
                         "quotes": ["Condensate tray overflowing", "MCC panel"] },
            // Invented: these words are not in the notes.
            "Reason": { "value": "Installation", "quotes": ["installed last week"] },
            // Not a value of the picklist.
            "Type": { "value": "Plumbing", "quotes": ["Condensate tray"] },
            // Not a field it was offered.
            "SuppliedPhone": { "value": "07700 900123", "quotes": ["07700 900123"] }
        }))
    })
    .await;
    let app = with_claude(&base, "4000").await;
    let context = app
        .client
        .get(app.url(&format!("/api/v1/assets/{}", app.token(ASSET))));
    let context = body_json(context.send().await.unwrap()).await;
    assert_eq!(
        context["server_structuring"], true,
        "the phone asks the server"
    );
    let (status, body) = structure(&app, NOTES).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["by"], "ai");

    let priority = field(&body, "Priority");
    assert_eq!(priority["value"], "High");
    assert_eq!(priority["proposed_by_ai"], true);
    assert_eq!(
        highlighted(&body, "Priority"),
        ["water on the floor by the MCC panel"]
    );
    assert_eq!(
        highlighted(&body, "Subject"),
        ["Condensate tray overflowing", "MCC panel"]
    );
    // The invented quote and the invalid value are dropped: the rules
    // engine's values stand, not marked.
    let reason = field(&body, "Reason");
    assert_ne!(reason["value"], "Installation");
    assert!(reason.get("proposed_by_ai").is_none(), "{reason}");
    let kind = field(&body, "Type");
    assert_ne!(kind["value"], "Plumbing");
    assert!(kind.get("proposed_by_ai").is_none(), "{kind}");
    let fields = body["proposal"]["fields"].as_array().unwrap();
    assert!(
        fields.iter().all(|f| f["field"] != "SuppliedPhone"),
        "{body}"
    );

    // What went out: the Messages API's shape, our key, our model, a tool
    // whose input schema is the case schema's fields — and never the key back.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (headers, request) = &seen[0];
    assert_eq!(headers["x-api-key"], KEY);
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert_eq!(request["model"], "claude-test");
    assert_eq!(
        request["tool_choice"],
        json!({ "type": "tool", "name": "propose_case_fields" })
    );
    let schema = &request["tools"][0]["input_schema"]["properties"];
    assert_eq!(
        schema["Priority"]["properties"]["value"]["enum"],
        json!(["High", "Medium", "Low"])
    );
    assert!(schema.get("SuppliedPhone").is_none(), "{schema}");
    assert!(
        request["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("07700 900123"),
        "the policy does not require redaction: the notes go as written"
    );
    assert!(!body.to_string().contains(KEY));
}

#[tokio::test]
async fn personal_data_is_redacted_before_the_notes_leave_when_the_policy_says_so() {
    let (base, seen) = stand_in(|| {
        tool_use(json!({
            "Priority": { "value": "High", "quotes": ["water on the floor by the MCC panel"] },
            // A quote across a redaction is not in the notes as written.
            "Subject": { "value": "Call back", "quotes": ["Call me on [phone number]"] }
        }))
    })
    .await;
    let app = with_claude(&base, "4000").await;
    let admin = app.admin().await;
    let mut policy = admin.get_json("/api/v1/admin/policy").await["policy"].clone();
    policy["personal_data"] = json!({ "require_redaction": true });
    let saved = admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
        .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    let (_, body) = structure(&app, NOTES).await;
    assert_eq!(body["by"], "ai");
    assert_eq!(field(&body, "Priority")["proposed_by_ai"], true);
    assert!(field(&body, "Subject").get("proposed_by_ai").is_none());
    let seen = seen.lock().unwrap();
    let sent = seen[0].1["messages"][0]["content"].as_str().unwrap();
    assert!(!sent.contains("900123"), "{sent}");
    assert!(sent.contains("water on the floor"), "{sent}");
}

#[tokio::test]
async fn a_slow_model_times_out_and_the_rules_engine_answers() {
    let (base, seen) = slow_stand_in(Duration::from_secs(3), || tool_use(json!({}))).await;
    let app = with_claude(&base, "300").await;
    let started = Instant::now();
    let (status, body) = structure(&app, NOTES).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["by"], "rules");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(field(&body, "Error_Code__c")["value"], "E-17");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_429_pauses_the_model_until_its_retry_after() {
    let (base, seen) = stand_in(|| {
        let mut r = error(429, "rate_limit_error");
        r.headers_mut().insert("retry-after", "60".parse().unwrap());
        r
    })
    .await;
    let app = with_claude(&base, "4000").await;
    for _ in 0..3 {
        let (status, body) = structure(&app, NOTES).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["by"], "rules");
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "asked once, then waited");
}

#[tokio::test]
async fn overloaded_or_failing_models_fall_back_to_the_rules_engine() {
    for (status, kind) in [
        (529, "overloaded_error"),
        (500, "api_error"),
        (401, "authentication_error"),
    ] {
        let (base, seen) = stand_in(move || error(status, kind)).await;
        let app = with_claude(&base, "4000").await;
        let (code, body) = structure(&app, NOTES).await;
        assert_eq!(code, 200, "{status}: {body}");
        assert_eq!(body["by"], "rules", "{status}");
        assert_eq!(field(&body, "Error_Code__c")["value"], "E-17");
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
    // An answer without our tool's block is no answer.
    let (base, _) = stand_in(|| {
        axum::Json(json!({ "type": "message", "content": [{ "type": "text", "text": "Sure!" }] }))
            .into_response()
    })
    .await;
    let app = with_claude(&base, "4000").await;
    assert_eq!(structure(&app, NOTES).await.1["by"], "rules");
}

#[tokio::test]
async fn bad_input_is_refused_with_what_to_fix() {
    let app = spawn_app_with(&["--max-notes-chars", "20", "--structurings-per-minute", "2"]).await;
    let (status, body) = structure(&app, "This note is longer than twenty characters.").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "notes_too_long");
    assert!(
        body["message"].as_str().unwrap().contains("Shorten them"),
        "{body}"
    );

    let response = app
        .client
        .post(app.url("/api/v1/assets/NOTAREALTOKEN0000000/structure"))
        .json(&json!({ "notes": "leak" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // The limit per link: the phone structures on its own meanwhile.
    assert_eq!(structure(&app, "leak").await.0, 200);
    let (status, body) = structure(&app, "leak").await;
    assert_eq!(status, 429, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("checks them itself"),
        "{body}"
    );
}

#[tokio::test]
async fn the_audit_trail_of_the_intake_sent_says_which_fields_the_model_proposed() {
    let app = structured_by_the_model(&[]).await;
    let sources = submit_and_read_sources(&app, &app.address, NOTES).await;
    assert!(
        sources.contains(&("Priority".into(), "ai".into())),
        "{sources:?}"
    );
    assert!(
        sources.contains(&("Error_Code__c".into(), "notes".into())),
        "{sources:?}"
    );

    // Other notes on the same asset: the rules engine's proposal, no "ai".
    let sources =
        submit_and_read_sources(&app, &app.address, "Belt squealing on start-up. Error E-9.").await;
    assert!(
        sources.iter().all(|(_, source)| source != "ai"),
        "{sources:?}"
    );
}

/// A server with Claude configured (and `extra` settings) whose model has
/// proposed a Priority for [`NOTES`], quoting them.
async fn structured_by_the_model(extra: &[&str]) -> TestApp {
    let (base, _) = stand_in(|| {
        tool_use(json!({
            "Priority": { "value": "High", "quotes": ["water on the floor by the MCC panel"] }
        }))
    })
    .await;
    let app = with_claude_and(&base, "4000", extra).await;
    let (_, body) = structure(&app, NOTES).await;
    assert_eq!(body["by"], "ai");
    app
}

/// Send an intake with `notes` to the server at `address` (one instance of
/// `app`'s); the field sources its audit trail's "structured" event records.
async fn submit_and_read_sources(
    app: &TestApp,
    address: &str,
    notes: &str,
) -> Vec<(String, String)> {
    let id = uuid::Uuid::now_v7();
    let mut submission = crate::helpers::submission(id, &app.token(ASSET), &[]);
    submission["notes"] = json!(notes);
    submission["fields"]["Description"] = json!(notes);
    let response = app
        .client
        .put(format!("{address}/api/v1/intakes/{id}"))
        .json(&submission)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let events = app.store.intake_events(&id.into()).await.unwrap();
    let structured = events.iter().find(|e| e.kind == "structured").unwrap();
    structured.detail["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_model_s_proposal_is_recorded_whichever_instance_the_intake_reaches() {
    let app = structured_by_the_model(&[]).await;

    // Another instance on the same database, without a key of its own (or
    // this one restarted): the intake's audit trail still says "ai".
    let other = app.another_instance(&[]).await;
    let sources = submit_and_read_sources(&app, &other, NOTES).await;
    assert!(
        sources.contains(&("Priority".into(), "ai".into())),
        "{sources:?}"
    );
    // The key is a SHA-256 of the asset and the notes, not the notes.
    let keys: Vec<String> = sqlx::query_scalar("SELECT key_hash FROM ai_proposals")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert!(
        keys[0].len() == 64 && keys[0].bytes().all(|b| b.is_ascii_hexdigit()),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_proposal_older_than_an_hour_is_not_used_and_the_sweeper_forgets_it() {
    let app = structured_by_the_model(&["--sweep-every-secs", "1"]).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ai_proposals")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1, "remembered for the intake to come");
    sqlx::query("UPDATE ai_proposals SET created_at = '2026-01-01T00:00:00.000000Z'")
        .execute(app.store.pool())
        .await
        .unwrap();

    let sources = submit_and_read_sources(&app, &app.address, NOTES).await;
    assert!(
        sources.iter().all(|(_, source)| source != "ai"),
        "an hour on, the rules engine's proposal is recorded: {sources:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while count().await > 0 {
        assert!(Instant::now() < deadline, "the sweeper never forgot it");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
