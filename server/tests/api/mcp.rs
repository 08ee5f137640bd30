//! The MCP server at `/mcp` and its OAuth 2.1 authorization server: the
//! discovery documents, registration, consent, PKCE, refresh rotation,
//! revocation and each RFC error case; the tools over raw JSON-RPC, with
//! every refusal precise and nothing written.

use base64::Engine;
use reqwest::header::{AUTHORIZATION, LOCATION, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{StaffSession, TestApp, body_json, field_named, spawn_app, spawn_app_with};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `POST /oauth/register` for a client named `name`; its id.
async fn register(app: &TestApp, name: &str) -> String {
    let response = app
        .client
        .post(app.url("/oauth/register"))
        .json(&json!({ "client_name": name, "redirect_uris": [REDIRECT],
                       "token_endpoint_auth_method": "none" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    body_json(response).await["client_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) fn authorize_query(client_id: &str, scope: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256")
        .append_pair("scope", scope)
        .append_pair("state", "xyz")
        .finish()
}

/// The person allows the client on the consent page; the code.
async fn consent(staff: &StaffSession, client_id: &str, scope: &str) -> String {
    let page = staff
        .get(&format!(
            "/oauth/authorize?{}",
            authorize_query(client_id, scope)
        ))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/oauth/authorize\">"));
    let mut form: Vec<(String, String)> = Vec::new();
    for part in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        let at = part.find("value=\"").unwrap() + "value=\"".len();
        let value = &part[at..at + part[at..].find('"').unwrap()];
        form.push((name.to_owned(), value.replace("&amp;", "&")));
    }
    form.push(("decision".into(), "allow".into()));
    let answer = staff
        .request(reqwest::Method::POST, "/oauth/authorize")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let location = answer.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = url::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    q["code"].clone()
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn exchange(app: &TestApp, client_id: &str, code: &str) -> reqwest::Response {
    token_request(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// A client connected through the whole flow, as the demo dispatcher.
pub(crate) struct Connected {
    pub client_id: String,
    pub access: String,
    pub refresh: String,
}

pub(crate) async fn connect(app: &TestApp, name: &str, scope: &str) -> Connected {
    let client_id = register(app, name).await;
    let code = consent(&app.dispatcher().await, &client_id, scope).await;
    let response = exchange(app, &client_id, &code).await;
    assert_eq!(response.status(), 200);
    let tokens = body_json(response).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], scope);
    Connected {
        client_id,
        access: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
    }
}

async fn rpc_raw(app: &TestApp, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(body);
    if let Some(t) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {t}"));
    }
    request.send().await.unwrap()
}

async fn call_tool(app: &TestApp, token: &str, name: &str, arguments: Value) -> Value {
    let response = rpc_raw(
        app,
        Some(token),
        &json!({ "jsonrpc": "2.0", "id": 7, "method": "tools/call",
                 "params": { "name": name, "arguments": arguments } }),
    )
    .await;
    assert_eq!(response.status(), 200, "tools/call {name}");
    let body = body_json(response).await;
    body["result"].clone()
}

fn error_text(result: &Value) -> String {
    assert_eq!(result["isError"], true, "expected a tool error: {result}");
    result["content"][0]["text"].as_str().unwrap().to_owned()
}

fn structured(result: &Value) -> Value {
    assert_ne!(result["isError"], true, "unexpected tool error: {result}");
    result["structuredContent"].clone()
}

pub(crate) const ALL: &str = "assets:read intakes:propose intakes:read";

/// `structure_notes`'s answer for these notes about an asset.
async fn structure_notes(app: &TestApp, token: &str, asset_id: &str, notes: &str) -> Value {
    structured(
        &call_tool(
            app,
            token,
            "structure_notes",
            json!({ "asset_id": asset_id, "notes": notes }),
        )
        .await,
    )
}

async fn pump_asset_id(app: &TestApp, token: &str) -> String {
    let found =
        structured(&call_tool(app, token, "find_assets", json!({ "name": "feed pump" })).await);
    found["assets"][0]["asset_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_request_without_a_token_is_told_where_to_authorize() {
    let app = spawn_app().await;
    let response = rpc_raw(
        &app,
        None,
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }),
    )
    .await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_owned();
    let metadata_url = format!("{}/.well-known/oauth-protected-resource", app.address);
    assert!(
        challenge.starts_with(&format!("Bearer resource_metadata=\"{metadata_url}\"")),
        "{challenge}"
    );
    let resource: Value = app
        .client
        .get(&metadata_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resource["resource"], format!("{}/mcp", app.address));
    assert_eq!(resource["authorization_servers"], json!([app.address]));
    let server: Value = app
        .client
        .get(app.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(server["issuer"], app.address);
    assert_eq!(server["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        server["registration_endpoint"],
        format!("{}/oauth/register", app.address)
    );
    assert_eq!(
        server["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
}

#[tokio::test]
async fn an_assistant_connects_with_pkce_and_sees_honestly_annotated_tools() {
    let app = spawn_app().await;
    // Not signed in: the consent page sends the person to sign in first.
    let client_id = register(&app, "Claude").await;
    let anonymous = app
        .client
        .get(app.url(&format!(
            "/oauth/authorize?{}",
            authorize_query(&client_id, ALL)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    assert!(
        anonymous.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/console/sign-in?next=")
    );
    // Signed in: the page names the client, the person and each scope.
    let page = app
        .dispatcher()
        .await
        .get(&format!(
            "/oauth/authorize?{}",
            authorize_query(&client_id, ALL)
        ))
        .await;
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' http://127.0.0.1:9"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains(
        "<strong>Claude</strong> asks to use fieldcase as you (dispatcher@fieldcase.example)"
    ));
    assert!(html.contains("Propose new intakes on your behalf"));
    assert!(html.contains("cannot approve intakes"));

    let c = connect(&app, "Claude", ALL).await;
    let listed = rpc_raw(
        &app,
        Some(&c.access),
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }),
    )
    .await;
    assert_eq!(listed.status(), 200);
    let tools = body_json(listed).await["result"]["tools"].clone();
    let mut names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "describe_intake_schema",
            "find_assets",
            "get_asset",
            "get_intake_status",
            "propose_intake",
            "structure_notes"
        ]
    );
    for tool in tools.as_array().unwrap() {
        let a = &tool["annotations"];
        assert!(a["title"].is_string(), "{tool}");
        assert_eq!(a["destructiveHint"], false, "{tool}");
        assert!(tool["inputSchema"]["type"] == "object", "{tool}");
        assert!(tool["outputSchema"]["type"] == "object", "{tool}");
        let writes = tool["name"] == "propose_intake";
        assert_eq!(a["readOnlyHint"], !writes, "{tool}");
    }
    let propose = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "propose_intake")
        .unwrap();
    let required = propose["inputSchema"]["required"].as_array().unwrap();
    assert!(required.contains(&json!("idempotency_key")));
    // No client secret was involved, and the client is a public one.
    assert!(!c.client_id.is_empty());
}

#[tokio::test]
async fn the_read_tools_find_describe_and_structure() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let found = structured(
        &call_tool(
            &app,
            &c.access,
            "find_assets",
            json!({ "account": "northwind", "page_size": 2 }),
        )
        .await,
    );
    assert_eq!(found["assets"].as_array().unwrap().len(), 2);
    assert_eq!(found["page"], 1);
    assert_eq!(found["next_page"], 2);
    assert!(
        !found.to_string().contains(&app.pump()),
        "an asset's link token is never shown to an assistant"
    );
    let too_big = call_tool(&app, &c.access, "find_assets", json!({ "page_size": 500 })).await;
    assert!(error_text(&too_big).contains("page_size must be 1 to 50"));

    let asset_id = pump_asset_id(&app, &c.access).await;
    let asset = structured(
        &call_tool(
            &app,
            &c.access,
            "get_asset",
            json!({ "asset_id": asset_id }),
        )
        .await,
    );
    assert_eq!(asset["asset"]["name"], "Feed pump P-12");
    assert_eq!(asset["asset"]["serial_number"], "GP-44817");
    let unknown = call_tool(&app, &c.access, "get_asset", json!({ "asset_id": "nope" })).await;
    assert!(error_text(&unknown).contains("Use find_assets"));

    let schema = structured(&call_tool(&app, &c.access, "describe_intake_schema", json!({})).await);
    let priority = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Priority")
        .unwrap()
        .clone();
    assert_eq!(priority["type"], "picklist");
    assert_eq!(priority["values"], json!(["High", "Medium", "Low"]));
    assert_eq!(priority["required"], true);
    assert!(
        schema["filled_by_fieldcase"]
            .as_array()
            .unwrap()
            .contains(&json!("AssetId"))
    );

    let notes = "Pump is leaking badly from the seal, water on the floor. Error E42.";
    let out = structure_notes(&app, &c.access, &asset_id, notes).await;
    let fields = out["fields"].as_array().unwrap();
    let from_notes = fields
        .iter()
        .find(|f| f["source"] == "notes" && !f["spans"].as_array().unwrap().is_empty())
        .expect("a field proposed from the notes, with its provenance");
    let span = &from_notes["spans"][0];
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(span["text"], notes[start..end]);
    assert!(from_notes["confidence"].as_f64().unwrap() > 0.0);
    // No model configured: the rules engine, the phone's, and nothing marked as a model's.
    assert_eq!(out["by"], "rules");
    assert!(
        fields.iter().all(|f| f.get("proposed_by_ai").is_none()),
        "{out}"
    );
}

#[tokio::test]
async fn with_claude_configured_structure_notes_answers_what_the_app_would_show_checked() {
    use crate::structuring::{stand_in, tool_use, with_claude};
    let notes = "Seal on the feed pump is leaking, water on the floor. Error E42.";
    let (base, seen) = stand_in(|| {
        tool_use(json!({
            "Priority": { "value": "High", "quotes": ["water on the floor"] },
            // Not in the notes: dropped.
            "Subject": { "value": "Pump flooded the plant room", "quotes": ["flooded the plant room"] },
        }))
    })
    .await;
    let app = with_claude(&base, "4000").await;
    let c = connect(&app, "Claude", ALL).await;
    let asset_id = pump_asset_id(&app, &c.access).await;
    let out = structure_notes(&app, &c.access, &asset_id, notes).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "the model was asked once");
    assert_eq!(out["by"], "ai");
    let field = |name: &str| {
        field_named(&out["fields"], name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {out}"))
    };
    let priority = field("Priority");
    assert_eq!(priority["value"], "High");
    assert_eq!(priority["proposed_by_ai"], true);
    assert_eq!(priority["spans"][0]["text"], "water on the floor");
    // The invented quote is not the subject; the rules engine's is, unmarked.
    let subject = field("Subject");
    assert_ne!(subject["value"], "Pump flooded the plant room");
    assert!(subject.get("proposed_by_ai").is_none(), "{subject}");
    // The error code is the rules engine's.
    assert_eq!(field("Error_Code__c")["value"], "E42");
    assert!(field("Error_Code__c").get("proposed_by_ai").is_none());

    // Proposed with those notes, the intake's audit trail says which field the model set.
    let made = structured(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            json!({
                "asset_id": asset_id,
                "notes": notes,
                "fields": { "Priority": "High" },
                "idempotency_key": "after-structuring",
            }),
        )
        .await,
    );
    let id: uuid::Uuid = made["intake_id"].as_str().unwrap().parse().unwrap();
    let events = app.store.intake_events(&id.into()).await.unwrap();
    let detail = &events
        .iter()
        .find(|e| e.kind == "structured")
        .unwrap()
        .detail;
    let source = |name: &str| field_named(&detail["fields"], name).map(|f| f["source"].clone());
    assert_eq!(source("Priority"), Some(json!("ai")), "{detail}");
    assert_eq!(source("Error_Code__c"), Some(json!("notes")), "{detail}");
}

async fn audit_of(app: &TestApp, intake: &str) -> Vec<Value> {
    app.admin()
        .await
        .get_json(&format!("/api/v1/admin/audit?intake={intake}"))
        .await["entries"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_proposal_waits_for_review_as_the_ai_on_the_persons_behalf() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let asset_id = pump_asset_id(&app, &c.access).await;
    let body = json!({
        "asset_id": asset_id,
        "notes": "Seal on the feed pump is leaking, water on the floor. Error E42.",
        "fields": { "Priority": "High", "Subject": "Feed pump seal leaking" },
        "idempotency_key": "k-1",
    });
    let before = app.intake_count().await;
    let made = structured(&call_tool(&app, &c.access, "propose_intake", body.clone()).await);
    assert_eq!(made["status"], "in_review");
    assert_eq!(made["replayed"], false);
    let id = made["intake_id"].as_str().unwrap().to_owned();
    assert_eq!(
        made["console_url"],
        format!("{}/console/intakes/{id}", app.address)
    );
    assert_eq!(app.intake_count().await, before + 1);

    // In the queue for a person, with who proposed it and for whom.
    let dispatcher = app.dispatcher().await;
    let intake = dispatcher.intake(id.parse().unwrap()).await;
    assert_eq!(intake["status"], "in_review");
    let submitted = audit_of(&app, &id)
        .await
        .into_iter()
        .find(|e| e["kind"] == "submitted")
        .unwrap();
    assert_eq!(submitted["actor_kind"], "ai");
    assert_eq!(submitted["actor"], "Claude");
    assert_eq!(submitted["on_behalf_of"], "dispatcher@fieldcase.example");

    // The same key and body: the same intake, nothing new.
    let again = structured(&call_tool(&app, &c.access, "propose_intake", body.clone()).await);
    assert_eq!(again["intake_id"], id.as_str());
    assert_eq!(again["reference"], made["reference"]);
    assert_eq!(again["replayed"], true);
    // The same key, another body: refused, nothing written.
    let mut other = body.clone();
    other["notes"] = json!("Something else entirely.");
    let refused = error_text(&call_tool(&app, &c.access, "propose_intake", other).await);
    assert!(
        refused.contains("idempotency_key \"k-1\" was used for a different proposal"),
        "{refused}"
    );
    assert_eq!(app.intake_count().await, before + 1);

    // The reviewer's question reaches the assistant.
    let status = structured(
        &call_tool(
            &app,
            &c.access,
            "get_intake_status",
            json!({ "intake_id": id }),
        )
        .await,
    );
    assert_eq!(status["status"], "in_review");
    let returned = dispatcher
        .post(
            &format!("/api/v1/console/intakes/{id}/return"),
            &json!({ "revision": intake["revision"], "question": "Which seal: the shaft seal?" }),
        )
        .await;
    assert_eq!(returned.status(), 200, "{:?}", returned.text().await);
    let status = structured(
        &call_tool(
            &app,
            &c.access,
            "get_intake_status",
            json!({ "intake_id": id }),
        )
        .await,
    );
    assert_eq!(status["status"], "returned");
    assert_eq!(status["question"], "Which seal: the shaft seal?");
}

#[tokio::test]
async fn an_invalid_proposal_names_the_field_to_fix_and_writes_nothing() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let asset_id = pump_asset_id(&app, &c.access).await;
    let before = app.intake_count().await;
    let propose = |fields: Value, key: &str| {
        json!({ "asset_id": asset_id, "notes": "The pump leaks.", "fields": fields,
                "idempotency_key": key })
    };
    let outside = error_text(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            propose(json!({ "Priority": "High", "Colour__c": "red" }), "a"),
        )
        .await,
    );
    assert!(
        outside.contains("- Colour__c: Colour__c is not a field of Case; remove it."),
        "{outside}"
    );
    assert!(outside.contains("nothing was made"), "{outside}");
    let picklist = error_text(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            propose(json!({ "Priority": "Urgent" }), "b"),
        )
        .await,
    );
    assert!(picklist.contains("- Priority:"), "{picklist}");
    assert!(
        picklist.contains("High"),
        "the allowed values are named: {picklist}"
    );
    let filled = error_text(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            propose(json!({ "AssetId": "02i000000000009AAA" }), "c"),
        )
        .await,
    );
    assert!(
        filled.contains("- AssetId: filled by fieldcase"),
        "{filled}"
    );
    let no_key =
        error_text(&call_tool(&app, &c.access, "propose_intake", propose(json!({}), " ")).await);
    assert!(
        no_key.contains("idempotency_key: 1 to 200 characters"),
        "{no_key}"
    );
    assert_eq!(app.intake_count().await, before);
    // A refused key is free again: corrected, the same key works.
    let ok = structured(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            propose(json!({ "Priority": "High" }), "b"),
        )
        .await,
    );
    assert_eq!(ok["status"], "in_review");
    assert_eq!(app.intake_count().await, before + 1);
}

#[tokio::test]
async fn tokens_that_must_not_work_do_not() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data().join("fieldcase.db").display()
    ))
    .await
    .unwrap();
    let hash = hex::encode(Sha256::digest(c.access.as_bytes()));

    // A refresh token is not an access token.
    let wrong_kind = rpc_raw(&app, Some(&c.refresh), &list).await;
    assert_eq!(wrong_kind.status(), 401);

    // Another resource's token (audience).
    sqlx::query(
        "UPDATE mcp_tokens SET audience = 'https://other.example/mcp' WHERE token_hash = $1",
    )
    .bind(&hash)
    .execute(&pool)
    .await
    .unwrap();
    let response = rpc_raw(&app, Some(&c.access), &list).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        body_json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("another resource")
    );

    // Expired.
    sqlx::query(&format!(
        "UPDATE mcp_tokens SET audience = '{}/mcp', expires_at = '2020-01-01T00:00:00.000000Z' \
         WHERE token_hash = $1",
        app.address
    ))
    .bind(&hash)
    .execute(&pool)
    .await
    .unwrap();
    let response = rpc_raw(&app, Some(&c.access), &list).await;
    assert_eq!(response.status(), 401);
    assert!(
        body_json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // Unknown.
    let response = rpc_raw(&app, Some("fca_not-a-token"), &list).await;
    assert_eq!(response.status(), 401);

    // Revoked by an admin: listed, audited, and its tokens stop at once.
    let fresh = connect(&app, "Other assistant", ALL).await;
    assert_eq!(
        rpc_raw(&app, Some(&fresh.access), &list).await.status(),
        200
    );
    let admin = app.admin().await;
    let grants = admin.get_json("/api/v1/admin/mcp/grants").await;
    let grant = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client_name"] == "Other assistant")
        .unwrap()
        .clone();
    assert_eq!(grant["user_email"], "dispatcher@fieldcase.example");
    assert_eq!(
        grant["scopes"],
        json!(["assets:read", "intakes:propose", "intakes:read"])
    );
    assert!(grant["last_used_at"].is_string());
    let dispatcher = app.dispatcher().await;
    let forbidden = dispatcher
        .post(
            &format!(
                "/api/v1/admin/mcp/grants/{}/revoke",
                grant["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    let revoked = admin
        .post(
            &format!(
                "/api/v1/admin/mcp/grants/{}/revoke",
                grant["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert!(body_json(revoked).await["revoked_at"].is_string());
    let response = rpc_raw(&app, Some(&fresh.access), &list).await;
    assert_eq!(response.status(), 401);
    assert!(
        body_json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
    let refreshed = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &fresh.refresh),
            ("client_id", &fresh.client_id),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), 400);
    assert_eq!(body_json(refreshed).await["error"], "invalid_grant");
    let events = admin
        .get_json("/api/v1/admin/audit?kind=mcp_grant_revoked")
        .await;
    assert_eq!(events["entries"][0]["actor"], "admin@fieldcase.example");
    let unknown = admin
        .post(
            &format!("/api/v1/admin/mcp/grants/{}/revoke", uuid::Uuid::now_v7()),
            &json!({}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_grant_without_the_scope_gets_insufficient_scope_and_writes_nothing() {
    let app = spawn_app().await;
    let c = connect(&app, "Reader", "assets:read").await;
    let asset_id = pump_asset_id(&app, &c.access).await;
    let before = app.intake_count().await;
    let response = rpc_raw(
        &app,
        Some(&c.access),
        &json!({ "jsonrpc": "2.0", "id": 3, "method": "tools/call",
                 "params": { "name": "propose_intake", "arguments": {
                     "asset_id": asset_id, "notes": "Leak.", "idempotency_key": "s" } } }),
    )
    .await;
    assert_eq!(response.status(), 403);
    let challenge = response.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(
        challenge.contains("scope=\"intakes:propose\""),
        "{challenge}"
    );
    assert_eq!(body_json(response).await["code"], "insufficient_scope");
    assert_eq!(app.intake_count().await, before);
}

#[tokio::test]
async fn other_origins_and_hosts_are_refused_before_any_token_is_read() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
    let from_page = app
        .client
        .post(app.url("/mcp"))
        .header("origin", "https://attacker.example")
        .header(AUTHORIZATION, format!("Bearer {}", c.access))
        .header("accept", "application/json, text/event-stream")
        .json(&list)
        .send()
        .await
        .unwrap();
    assert_eq!(from_page.status(), 403);
    assert_eq!(body_json(from_page).await["code"], "origin_not_allowed");
    let rebound = app
        .client
        .post(app.url("/mcp"))
        .header("host", "attacker.example")
        .header(AUTHORIZATION, format!("Bearer {}", c.access))
        .header("accept", "application/json, text/event-stream")
        .json(&list)
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    assert_eq!(body_json(rebound).await["code"], "host_not_allowed");
    // Our own origin is fine.
    let own = app
        .client
        .post(app.url("/mcp"))
        .header("origin", &app.address)
        .header(AUTHORIZATION, format!("Bearer {}", c.access))
        .header("accept", "application/json, text/event-stream")
        .json(&list)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
}

#[tokio::test]
async fn a_client_over_its_rate_limit_or_daily_cap_is_told_when_to_come_back() {
    let app = spawn_app_with(&[
        "--mcp-requests-per-minute",
        "3",
        "--mcp-proposals-per-day",
        "1",
    ])
    .await;
    let c = connect(&app, "Busy", ALL).await;
    let asset_id = pump_asset_id(&app, &c.access).await; // 1
    let propose = |key: &str| {
        json!({ "asset_id": asset_id, "notes": "The pump leaks.",
                "fields": { "Priority": "Low" }, "idempotency_key": key })
    };
    structured(&call_tool(&app, &c.access, "propose_intake", propose("one")).await); // 2
    let before = app.intake_count().await;
    let capped = error_text(&call_tool(&app, &c.access, "propose_intake", propose("two")).await); // 3
    assert!(
        capped.contains("has made its 1 proposals for today"),
        "{capped}"
    );
    assert_eq!(app.intake_count().await, before);
    let response = rpc_raw(
        &app,
        Some(&c.access),
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }),
    )
    .await; // 4
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        body_json(response).await["message"]
            .as_str()
            .unwrap()
            .contains("Too many requests from Busy")
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_grant() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
    let refresh = |token: String| {
        let app = &app;
        let client_id = c.client_id.clone();
        async move {
            token_request(
                app,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    let first = refresh(c.refresh.clone()).await;
    assert_eq!(first.status(), 200);
    let first = body_json(first).await;
    let new_access = first["access_token"].as_str().unwrap().to_owned();
    assert_ne!(first["refresh_token"], c.refresh.as_str());
    assert_eq!(rpc_raw(&app, Some(&new_access), &list).await.status(), 200);
    // Asking for more than was granted.
    let more = token_request(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            ("client_id", &c.client_id),
            ("scope", "assets:read assets:write"),
        ],
    )
    .await;
    assert_eq!(body_json(more).await["error"], "invalid_scope");
    // The old refresh token again: refused, and the grant is over.
    let replay = refresh(c.refresh.clone()).await;
    assert_eq!(replay.status(), 400);
    assert_eq!(body_json(replay).await["error"], "invalid_grant");
    assert_eq!(rpc_raw(&app, Some(&new_access), &list).await.status(), 401);
    let next = refresh(first["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(body_json(next).await["error"], "invalid_grant");
}

#[tokio::test]
async fn revoking_a_token_ends_its_grant() {
    let app = spawn_app().await;
    let c = connect(&app, "Claude", ALL).await;
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
    let revoked = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("token", c.refresh.as_str()),
            ("client_id", c.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(rpc_raw(&app, Some(&c.access), &list).await.status(), 401);
    // An unknown token: 200 all the same (RFC 7009 §2.2).
    let unknown = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[("token", "fcr_unknown")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
}

#[tokio::test]
async fn the_token_endpoint_answers_each_oauth_error() {
    let app = spawn_app().await;
    let client_id = register(&app, "Claude").await;
    let dispatcher = app.dispatcher().await;
    let error_of = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        assert_eq!(r.headers()["cache-control"], "no-store");
        (
            status,
            body_json(r).await["error"].as_str().unwrap().to_owned(),
        )
    };
    // invalid_request: no grant type; no verifier.
    let r = token_request(&app, &[("client_id", &client_id)]).await;
    assert_eq!(error_of(r).await, (400, "invalid_request".into()));
    let code = consent(&dispatcher, &client_id, ALL).await;
    let r = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(error_of(r).await, (400, "invalid_request".into()));
    // invalid_client.
    let r = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", "unknown"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(error_of(r).await, (401, "invalid_client".into()));
    // unsupported_grant_type.
    let r = token_request(
        &app,
        &[("grant_type", "password"), ("client_id", &client_id)],
    )
    .await;
    assert_eq!(error_of(r).await, (400, "unsupported_grant_type".into()));
    // invalid_grant: a bad verifier (the code is spent by the attempt).
    let r = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", &client_id),
            ("code_verifier", "x".repeat(50).as_str()),
        ],
    )
    .await;
    assert_eq!(error_of(r).await, (400, "invalid_grant".into()));
    // invalid_grant: redirect_uri mismatch.
    let code = consent(&dispatcher, &client_id, ALL).await;
    let r = token_request(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("client_id", &client_id),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(error_of(r).await, (400, "invalid_grant".into()));
    // invalid_grant: a reused code, which also ends what its first use gave.
    let code = consent(&dispatcher, &client_id, ALL).await;
    let first = exchange(&app, &client_id, &code).await;
    assert_eq!(first.status(), 200);
    let access = body_json(first).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let again = exchange(&app, &client_id, &code).await;
    assert_eq!(error_of(again).await, (400, "invalid_grant".into()));
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
    assert_eq!(rpc_raw(&app, Some(&access), &list).await.status(), 401);
    // invalid_grant: an expired code.
    let code = consent(&dispatcher, &client_id, ALL).await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data().join("fieldcase.db").display()
    ))
    .await
    .unwrap();
    sqlx::query(
        "UPDATE mcp_codes SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE code_hash = $1",
    )
    .bind(hex::encode(Sha256::digest(code.as_bytes())))
    .execute(&pool)
    .await
    .unwrap();
    let r = exchange(&app, &client_id, &code).await;
    assert_eq!(error_of(r).await, (400, "invalid_grant".into()));
    // A code for another client.
    let other = register(&app, "Other").await;
    let code = consent(&dispatcher, &client_id, ALL).await;
    let r = exchange(&app, &other, &code).await;
    assert_eq!(error_of(r).await, (400, "invalid_grant".into()));
}

#[tokio::test]
async fn the_authorization_endpoint_refuses_what_it_must() {
    let app = spawn_app().await;
    let client_id = register(&app, "Claude").await;
    let dispatcher = app.dispatcher().await;
    let redirected_error = |r: reqwest::Response| {
        assert_eq!(r.status(), 303);
        let location = r.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with(REDIRECT), "{location}");
        let q: std::collections::HashMap<_, _> = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert_eq!(q["state"], "xyz");
        q["error"].clone()
    };
    // invalid_scope.
    let r = dispatcher
        .get(&format!(
            "/oauth/authorize?{}",
            authorize_query(&client_id, "assets:write")
        ))
        .await;
    assert_eq!(redirected_error(r), "invalid_scope");
    // PKCE is required, and only S256.
    let plain = authorize_query(&client_id, ALL)
        .replace("code_challenge_method=S256", "code_challenge_method=plain");
    assert_eq!(
        redirected_error(dispatcher.get(&format!("/oauth/authorize?{plain}")).await),
        "invalid_request"
    );
    let none = authorize_query(&client_id, ALL).replace("code_challenge=", "no_challenge=");
    assert_eq!(
        redirected_error(dispatcher.get(&format!("/oauth/authorize?{none}")).await),
        "invalid_request"
    );
    // unsupported_response_type.
    let token =
        authorize_query(&client_id, ALL).replace("response_type=code", "response_type=token");
    assert_eq!(
        redirected_error(dispatcher.get(&format!("/oauth/authorize?{token}")).await),
        "unsupported_response_type"
    );
    // Another resource.
    let other = format!(
        "{}&resource=https%3A%2F%2Fother.example%2Fmcp",
        authorize_query(&client_id, ALL)
    );
    assert_eq!(
        redirected_error(dispatcher.get(&format!("/oauth/authorize?{other}")).await),
        "invalid_target"
    );
    // A redirect URI the client did not register: told here, never sent there.
    let elsewhere = authorize_query(&client_id, ALL).replace("callback", "elsewhere");
    let r = dispatcher
        .get(&format!("/oauth/authorize?{elsewhere}"))
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.headers().get(LOCATION).is_none());
    assert!(r.text().await.unwrap().contains("redirect_uri mismatch"));
    // An unknown client: told here.
    let r = dispatcher
        .get(&format!(
            "/oauth/authorize?{}",
            authorize_query("unknown", ALL)
        ))
        .await;
    assert_eq!(r.status(), 400);
    // The person denies: access_denied, no code.
    let mut form: Vec<(String, String)> =
        url::form_urlencoded::parse(authorize_query(&client_id, ALL).as_bytes())
            .into_owned()
            .collect();
    form.push(("decision".into(), "deny".into()));
    let denied = dispatcher
        .request(reqwest::Method::POST, "/oauth/authorize")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(redirected_error(denied), "access_denied");
    // A consent posted from another site: refused (CSRF).
    form.pop();
    form.push(("decision".into(), "allow".into()));
    let cross = dispatcher
        .client
        .post(app.url("/oauth/authorize"))
        .header(reqwest::header::COOKIE, &dispatcher.cookie)
        .header("origin", "https://attacker.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
}

#[tokio::test]
async fn registration_checks_metadata_and_can_be_switched_off() {
    let app = spawn_app().await;
    let register_with = |body: Value| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(app.url("/oauth/register"))
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), body_json(r).await)
        }
    };
    let (status, body) = register_with(json!({ "redirect_uris": [REDIRECT] })).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (400, "invalid_client_metadata")
    );
    let (status, body) =
        register_with(json!({ "client_name": "X", "redirect_uris": ["http://evil.example/cb"] }))
            .await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (400, "invalid_redirect_uri")
    );
    let (status, body) = register_with(json!({ "client_name": "X", "redirect_uris": [REDIRECT],
                                                "token_endpoint_auth_method": "client_secret_basic" })).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (400, "invalid_client_metadata")
    );
    let (status, body) = register_with(json!({ "client_name": "Claude", "redirect_uris": ["https://claude.ai/api/mcp/auth_callback"] })).await;
    assert_eq!(status, 201);
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert!(body.get("client_secret").is_none());

    let closed = spawn_app_with(&["--mcp-dynamic-registration", "false"]).await;
    let r = closed
        .client
        .post(closed.url("/oauth/register"))
        .json(&json!({ "client_name": "X", "redirect_uris": [REDIRECT] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let meta: Value = closed
        .client
        .get(closed.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(meta.get("registration_endpoint").is_none());
}

/// The official MCP Python SDK (`mcp` on PyPI) as the assistant, end to
/// end: it discovers the authorization server from the 401, registers,
/// runs the code flow with PKCE (its redirect handler signs in as the demo
/// dispatcher and posts the consent form), lists the tools, finds the feed
/// pump, structures notes and proposes an intake; a dispatcher approves it
/// in the console API, the case reaches the demo org, and the SDK's
/// get_intake_status shows the case number. Needs `$FIELDCASE_PYTHON` with
/// `mcp` installed (requirements-test.txt); skipped with a notice
/// otherwise, unless `FIELDCASE_REQUIRE_PYTHON_TESTS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_proposes_an_intake_that_a_person_approves_into_the_crm() {
    use std::io::BufRead;

    let python = std::env::var("FIELDCASE_PYTHON").unwrap_or_default();
    let probe = (!python.is_empty())
        .then(|| {
            std::process::Command::new(&python)
                .args(["-c", "import mcp.client.auth"])
                .output()
                .ok()
        })
        .flatten();
    if !probe.is_some_and(|out| out.status.success()) {
        assert!(
            std::env::var_os("FIELDCASE_REQUIRE_PYTHON_TESTS").is_none(),
            "FIELDCASE_PYTHON ({python:?}) cannot import mcp; install it with: \
             $FIELDCASE_PYTHON -m pip install -r requirements-test.txt"
        );
        println!(
            "SKIPPED the_official_python_sdk_…: set FIELDCASE_PYTHON to a Python with mcp \
             (pip install -r requirements-test.txt)"
        );
        return;
    }
    let (app, org) = crate::helpers::spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/mcp_client.py");
    let mut child = std::process::Command::new(&python)
        .arg(script)
        .arg(app.url("/mcp"))
        .arg(crate::helpers::DEMO_DISPATCHER_EMAIL)
        .arg(crate::helpers::DEMO_STAFF_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python runs the MCP client");
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut next_line = async || {
        tokio::time::timeout(std::time::Duration::from_secs(90), lines.recv())
            .await
            .expect("the MCP client answers in time")
            .expect("the MCP client printed its next line (see its stderr above)")
    };
    let line = |l: String, prefix: &str| {
        l.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("expected {prefix}…, got {l}"))
            .to_owned()
    };

    let consent: String = serde_json::from_str(&line(next_line().await, "CONSENT ")).unwrap();
    assert!(
        consent.contains(
            "Python MCP SDK test client asks to use fieldcase as you (dispatcher@fieldcase.example)"
        ),
        "{consent}"
    );
    assert!(
        consent.contains("Propose new intakes on your behalf"),
        "{consent}"
    );
    let tools: Value = serde_json::from_str(&line(next_line().await, "TOOLS ")).unwrap();
    assert_eq!(
        tools,
        json!([
            "describe_intake_schema",
            "find_assets",
            "get_asset",
            "get_intake_status",
            "propose_intake",
            "structure_notes"
        ])
    );
    let structured: Value = serde_json::from_str(&line(next_line().await, "STRUCTURED ")).unwrap();
    assert!(
        structured["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["source"] == "notes"),
        "{structured}"
    );
    let proposed = line(next_line().await, "PROPOSED ");
    let (id, status) = proposed.split_once(' ').unwrap();
    assert_eq!(status, "in_review");
    let id: uuid::Uuid = id.parse().unwrap();

    // In the dispatchers' queue, proposed by the assistant on the
    // dispatcher's behalf; a person approves it.
    let dispatcher = app.dispatcher().await;
    let queue = dispatcher.get_json("/api/v1/console/intakes").await;
    let row = queue["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .unwrap_or_else(|| panic!("in the queue: {queue}"));
    assert_eq!(row["proposed_by_ai"], true, "marked AI-proposed: {row}");
    let submitted = audit_of(&app, &id.to_string())
        .await
        .into_iter()
        .find(|e| e["kind"] == "submitted")
        .unwrap();
    assert_eq!(submitted["actor_kind"], "ai");
    assert_eq!(submitted["actor"], "Python MCP SDK test client");
    assert_eq!(submitted["on_behalf_of"], "dispatcher@fieldcase.example");
    crate::helpers::approve_as(&dispatcher, id).await;

    let status: Value = serde_json::from_str(&line(next_line().await, "STATUS ")).unwrap();
    assert_eq!(status["status"], "written", "{status}");
    let cases = org
        .query(&format!(
            "SELECT CaseNumber, Priority FROM Case WHERE Intake_Key__c = '{id}'"
        ))
        .await;
    assert_eq!(cases.len(), 1);
    assert_eq!(status["case_number"], cases[0]["CaseNumber"]);
    assert_eq!(cases[0]["Priority"], "High");
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn registrations_from_one_address_are_limited() {
    let app = spawn_app().await;
    for i in 0..10 {
        register(&app, &format!("Client {i}")).await;
    }
    let r = app
        .client
        .post(app.url("/oauth/register"))
        .json(&json!({ "client_name": "One too many", "redirect_uris": [REDIRECT] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(body_json(r).await["error"], "temporarily_unavailable");
}

/// The admin's policy is the only way an AI proposal skips a person, and
/// only through a rule that names AI proposals: a rule for Low intakes in
/// general leaves it in review, a rule for AI proposals approves it (as
/// actor `rule`).
#[tokio::test]
async fn only_a_rule_naming_ai_proposals_approves_one_without_a_person() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let c = connect(&app, "Claude", ALL).await;
    let asset_id = pump_asset_id(&app, &c.access).await;
    let propose = |key: &str| {
        json!({
            "asset_id": asset_id,
            "notes": "Feed pump guard has a loose bolt, routine, tighten at next service.",
            "fields": { "Priority": "Low", "Subject": "Feed pump guard bolt loose" },
            "idempotency_key": key,
        })
    };
    let save = |auto: Value| {
        let admin = &admin;
        async move {
            let mut policy = admin.get_json("/api/v1/admin/policy").await["policy"].clone();
            policy["review"]["auto_approve"] = auto;
            let saved = admin
                .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
                .await;
            assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
        }
    };

    save(json!([{ "name": "routine low", "when": { "priority": ["Low"] } }])).await;
    let made = structured(&call_tool(&app, &c.access, "propose_intake", propose("k-1")).await);
    assert_eq!(made["status"], "in_review", "{made}");
    let detail = app
        .dispatcher()
        .await
        .intake(made["intake_id"].as_str().unwrap().parse().unwrap())
        .await;
    assert!(
        detail["policy"]["reasons"]
            .to_string()
            .contains("no auto-approve rule allows AI proposals"),
        "{}",
        detail["policy"]
    );

    save(json!([{ "name": "assistant low",
                  "when": { "priority": ["Low"], "proposed_by_ai": true } }]))
    .await;
    let made = structured(&call_tool(&app, &c.access, "propose_intake", propose("k-2")).await);
    assert_eq!(made["status"], "approved", "{made}");
    let id = made["intake_id"].as_str().unwrap().to_owned();
    let approved = audit_of(&app, &id)
        .await
        .into_iter()
        .find(|e| e["kind"] == "approved")
        .expect("approved by the rule");
    assert_eq!(approved["actor_kind"], "rule", "{approved}");
    assert!(
        approved["actor"]
            .as_str()
            .unwrap()
            .contains("assistant low"),
        "{approved}"
    );
}

/// A field the admin's policy does not allow is neither described to the
/// assistant nor accepted from it.
#[tokio::test]
async fn a_field_outside_the_policy_is_not_described_and_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut policy = admin.get_json("/api/v1/admin/policy").await["policy"].clone();
    let fields: Vec<Value> = policy["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| *f != "Error_Code__c")
        .cloned()
        .collect();
    policy["fields"] = json!(fields);
    let saved = admin
        .send(reqwest::Method::PUT, "/api/v1/admin/policy", &policy)
        .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    let c = connect(&app, "Claude", ALL).await;
    let described =
        structured(&call_tool(&app, &c.access, "describe_intake_schema", json!({})).await);
    let names: Vec<&str> = described["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Priority"), "{names:?}");
    assert!(!names.contains(&"Error_Code__c"), "{names:?}");

    let asset_id = pump_asset_id(&app, &c.access).await;
    let before = app.intake_count().await;
    let refused = error_text(
        &call_tool(
            &app,
            &c.access,
            "propose_intake",
            json!({ "asset_id": asset_id, "notes": "Pump shows E-42.",
                    "fields": { "Error_Code__c": "E-42" }, "idempotency_key": "p-1" }),
        )
        .await,
    );
    assert!(
        refused.contains("- Error_Code__c: the admin's policy does not allow this field"),
        "{refused}"
    );
    assert_eq!(app.intake_count().await, before);
}
