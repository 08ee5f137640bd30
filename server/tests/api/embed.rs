//! The form embedded in a customer portal: portals, embed tokens (a JWT the
//! portal signs), the embed page's headers, and the embed API with its
//! session (a bearer token, never a cookie).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::{AUTHORIZATION, CONTENT_SECURITY_POLICY};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{StaffSession, TestApp, assert_api_error, body_json, png, spawn_app};

const PORTAL_ORIGIN: &str = "https://portal.example.com";
const TEST_ORIGIN: &str = "http://127.0.0.2:4000";

struct Registered {
    id: String,
    secret: String,
}

async fn register(admin: &StaffSession) -> Registered {
    let response = admin
        .post(
            "/api/v1/admin/portals",
            &json!({ "name": "Customer portal", "origins": [PORTAL_ORIGIN, "http://127.0.0.2:4000/"] }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body = body_json(response).await;
    Registered {
        id: body["portal"]["id"].as_str().unwrap().to_owned(),
        secret: body["secret"].as_str().unwrap().to_owned(),
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token as a portal's server mints it.
fn mint(iss: &str, secret: &str, iat: u64, exp: u64, scope: Value) -> String {
    let mut claims = json!({
        "iss": iss, "sub": "customer-7", "name": "Kim Lee", "email": "kim@northwind.example",
        "iat": iat, "exp": exp,
    });
    for (k, v) in scope.as_object().unwrap() {
        claims[k] = v.clone();
    }
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn northwind(portal: &Registered) -> String {
    let t = now();
    mint(
        &portal.id,
        &portal.secret,
        t,
        t + 600,
        json!({ "account": "Northwind Foods" }),
    )
}

async fn open(app: &TestApp, portal: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/embed/{portal}")))
        .query(&[("t", token), ("origin", TEST_ORIGIN)])
        .send()
        .await
        .unwrap()
}

fn csp(response: &reqwest::Response) -> String {
    response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned()
}

fn frame_ancestors(csp: &str) -> &str {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp}"))
}

fn attribute(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + name.len()
        + 2;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The embed session a good token's page carries.
async fn session(app: &TestApp, portal: &Registered) -> String {
    let response = open(app, &portal.id, &northwind(portal)).await;
    assert_eq!(response.status(), 200);
    attribute(&response.text().await.unwrap(), "data-session")
}

async fn northwind_asset_ids(app: &TestApp) -> Vec<String> {
    app.store
        .account_assets("Northwind Foods")
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect()
}

#[tokio::test]
async fn an_admin_registers_a_portal_and_sees_its_secret_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let portal = register(&admin).await;
    assert!(portal.secret.len() >= 32, "a long random secret");
    let list = admin.get_json("/api/v1/admin/portals").await;
    assert_eq!(list[0]["id"], portal.id.as_str());
    assert_eq!(list[0]["origins"], json!([PORTAL_ORIGIN, TEST_ORIGIN]));
    assert_eq!(list[0]["enabled"], true);
    assert!(
        !list.to_string().contains(&portal.secret),
        "the list never shows the secret"
    );
    // Sealed at rest: the database file does not hold it in plain text.
    let db = std::fs::read(app.data().join("fieldcase.db")).unwrap();
    let wal = std::fs::read(app.data().join("fieldcase.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes
                .windows(portal.secret.len())
                .any(|w| w == portal.secret.as_bytes()),
            "the secret is stored sealed"
        );
    }

    for origins in [
        json!(["https://portal.example.com/support"]),
        json!(["http://portal.example.com"]),
        json!([]),
    ] {
        let response = admin
            .post(
                "/api/v1/admin/portals",
                &json!({ "name": "Bad", "origins": origins }),
            )
            .await;
        assert_eq!(response.status(), 422, "{origins}");
        let body = body_json(response).await;
        assert_api_error(&body, "validation_failed");
        assert!(body["fields"]["origins"].is_string(), "{body:#}");
    }

    let audit = admin.get_json("/api/v1/admin/audit").await.to_string();
    assert!(audit.contains("portal_registered"), "{audit}");
}

#[tokio::test]
async fn a_good_token_opens_the_form_framable_only_by_the_portal() {
    let app = spawn_app().await;
    let portal = register(&app.admin().await).await;
    let response = open(&app, &portal.id, &northwind(&portal)).await;
    assert_eq!(response.status(), 200);
    let policy = csp(&response);
    assert_eq!(
        frame_ancestors(&policy),
        format!("{PORTAL_ORIGIN} {TEST_ORIGIN}")
    );
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(response.headers().get("set-cookie").is_none(), "no cookies");
    let html = response.text().await.unwrap();
    assert_eq!(attribute(&html, "data-parent-origin"), TEST_ORIGIN);
    assert!(
        html.contains("Feed pump P-12"),
        "Northwind's pump is listed"
    );
    assert!(
        !html.contains("Contoso"),
        "another account's assets are not"
    );
    assert!(html.contains("value=\"Kim Lee\""), "the name is prefilled");
    assert!(!html.contains("<script>"), "no inline script");
    assert!(!html.contains("style="), "no inline style");

    // Every other page may not be framed at all.
    for path in ["/", "/console/", "/healthz", "/api/v1/openapi.json"] {
        let response = app.get(path).await;
        assert_eq!(frame_ancestors(&csp(&response)), "'none'", "{path}");
    }
}

#[tokio::test]
async fn refused_tokens_get_a_clear_page_the_portal_can_show() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let portal = register(&admin).await;
    let other = register(&admin).await;
    let t = now();
    let scope = json!({ "account": "Northwind Foods" });
    let cases = [
        (
            "forged",
            mint(&portal.id, "not the secret", t, t + 600, scope.clone()),
            403,
            "not valid",
        ),
        (
            "expired",
            mint(&portal.id, &portal.secret, t - 1200, t - 600, scope.clone()),
            403,
            "expired",
        ),
        (
            "too long",
            mint(&portal.id, &portal.secret, t, t + 16 * 60, scope.clone()),
            403,
            "not valid",
        ),
        (
            "another portal's",
            mint(&other.id, &other.secret, t, t + 600, scope.clone()),
            403,
            "not valid",
        ),
        ("missing", String::new(), 400, "incomplete"),
    ];
    for (what, token, status, words) in cases {
        let response = open(&app, &portal.id, &token).await;
        assert_eq!(response.status(), status, "{what}");
        assert_eq!(
            frame_ancestors(&csp(&response)),
            format!("{PORTAL_ORIGIN} {TEST_ORIGIN}"),
            "{what}: shown inside the portal"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("This form cannot open"), "{what}");
        assert!(html.contains(words), "{what}: {html}");
        assert!(html.contains("/embed/embed.css"), "{what}: styled");
        assert!(!html.contains("data-session"), "{what}: no session");
    }

    // A disabled portal's good token is refused too.
    let token = northwind(&portal);
    assert_eq!(open(&app, &portal.id, &token).await.status(), 200);
    let response = admin
        .post(
            &format!("/api/v1/admin/portals/{}/disable", portal.id),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = open(&app, &portal.id, &token).await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        frame_ancestors(&csp(&response)),
        format!("{PORTAL_ORIGIN} {TEST_ORIGIN}"),
        "still shown inside the portal"
    );
    assert!(response.text().await.unwrap().contains("not available"));

    // An unknown portal: nobody may frame the page.
    let response = open(&app, &Uuid::now_v7().to_string(), &token).await;
    assert_eq!(response.status(), 404);
    assert_eq!(frame_ancestors(&csp(&response)), "'none'");

    // A parent origin the portal did not register gets no form.
    let response = app
        .client
        .get(app.url(&format!("/embed/{}", other.id)))
        .query(&[
            ("t", northwind(&other).as_str()),
            ("origin", "https://evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("not set up for this website")
    );
}

#[tokio::test]
async fn rotating_the_secret_refuses_tokens_signed_with_the_old_one() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let portal = register(&admin).await;
    let old = northwind(&portal);
    let response = admin
        .post(
            &format!("/api/v1/admin/portals/{}/rotate", portal.id),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let secret = body_json(response).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(secret, portal.secret);
    assert_eq!(open(&app, &portal.id, &old).await.status(), 403);
    let rotated = Registered {
        id: portal.id.clone(),
        secret,
    };
    assert_eq!(
        open(&app, &portal.id, &northwind(&rotated)).await.status(),
        200
    );
    let audit = admin.get_json("/api/v1/admin/audit").await.to_string();
    assert!(audit.contains("portal_secret_rotated"), "{audit}");
}

#[tokio::test]
async fn the_embed_api_needs_the_session_the_page_carries() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let portal = register(&admin).await;
    let session = session(&app, &portal).await;
    let assets = |bearer: Option<String>| {
        let mut request = app.client.get(app.url("/api/v1/embed/assets"));
        if let Some(b) = bearer {
            request = request.header(AUTHORIZATION, format!("Bearer {b}"));
        }
        request.send()
    };
    for bearer in [
        None,
        Some("garbage".to_owned()),
        // The portal's own token is not a session.
        Some(northwind(&portal)),
    ] {
        let response = assets(bearer).await.unwrap();
        assert_eq!(response.status(), 401);
        assert_api_error(&body_json(response).await, "embed_session_required");
    }
    let response = assets(Some(session.clone())).await.unwrap();
    assert_eq!(response.status(), 200);
    let listed: Vec<String> = body_json(response)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected = northwind_asset_ids(&app).await;
    expected.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, expected);
    assert!(!listed.is_empty());

    // Disabling the portal ends its open sessions.
    admin
        .post(
            &format!("/api/v1/admin/portals/{}/disable", portal.id),
            &json!({}),
        )
        .await;
    assert_eq!(assets(Some(session)).await.unwrap().status(), 401);
}

async fn upload(app: &TestApp, session: &str, asset: &str) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(png(20, 16))
        .file_name("leak.png")
        .mime_str("image/png")
        .unwrap();
    app.client
        .post(app.url(&format!("/api/v1/embed/assets/{asset}/photos")))
        .header(AUTHORIZATION, format!("Bearer {session}"))
        .multipart(reqwest::multipart::Form::new().part("photo", part))
        .send()
        .await
        .unwrap()
}

async fn put(app: &TestApp, session: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!(
            "/api/v1/embed/intakes/{}",
            body["id"].as_str().unwrap()
        )))
        .header(AUTHORIZATION, format!("Bearer {session}"))
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_submits_once_and_the_intake_names_the_portal() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let portal = register(&admin).await;
    let session = session(&app, &portal).await;
    let pump = app
        .store
        .active_asset(&fieldcase_core::AssetToken::parse(&app.pump()).unwrap())
        .await
        .unwrap()
        .unwrap();

    let response = upload(&app, &session, &pump.id).await;
    assert_eq!(response.status(), 201);
    let sha = body_json(response).await["sha256"]
        .as_str()
        .unwrap()
        .to_owned();

    let id = Uuid::now_v7();
    let body = json!({
        "id": id, "asset_id": pump.id,
        "notes": "The pump is leaking water under the seal and making a grinding noise.",
        "name": "Kim Lee", "email": "kim@northwind.example", "photos": [sha],
    });
    let response = put(&app, &session, &body).await;
    assert_eq!(response.status(), 201);
    let receipt = body_json(response).await;
    assert_eq!(receipt["status"], "submitted");
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    assert_eq!(receipt["photo_count"], 1);

    // The same again: the same receipt, no second intake.
    let response = put(&app, &session, &body).await;
    assert_eq!(response.status(), 200);
    let again = body_json(response).await;
    assert_eq!(again["reference"], reference.as_str());
    assert_eq!(again["replayed"], true);
    assert_eq!(app.intake_count().await, 1);
    // The same id with other words: a conflict, not a second intake.
    let mut changed = body.clone();
    changed["notes"] = json!("Something else entirely is wrong with it.");
    assert_eq!(put(&app, &session, &changed).await.status(), 409);

    let record = app.store.intake(&id.into()).await.unwrap().unwrap();
    assert_eq!(record.portal_id.as_deref(), Some(portal.id.as_str()));
    let listing = app.store.list_intakes().await.unwrap().remove(0);
    assert_eq!(listing.technician.name, "Kim Lee");
    assert!(
        listing.fields["Subject"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "the notes were structured: {:#}",
        listing.fields
    );

    // The console says where it came from; so does the audit trail.
    let dispatcher = app.dispatcher().await;
    let intake = dispatcher.intake(id).await;
    assert_eq!(
        intake["origin"]["portal_name"], "Customer portal",
        "{intake:#}"
    );
    let events = intake.to_string();
    assert!(
        events.contains("customer via portal Customer portal"),
        "{events}"
    );
}

#[tokio::test]
async fn a_session_reaches_only_its_own_assets() {
    let app = spawn_app().await;
    let portal = register(&app.admin().await).await;
    let session = session(&app, &portal).await;
    let contoso = app
        .store
        .account_assets("Contoso Logistics")
        .await
        .unwrap()
        .remove(0)
        .id;
    let response = upload(&app, &session, &contoso).await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "embed_asset_not_found");
    let id = Uuid::now_v7();
    let response = put(
        &app,
        &session,
        &json!({ "id": id, "asset_id": contoso, "notes": "Broken.", "name": "Kim Lee" }),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.intake_count().await, 0);

    // Empty notes: told what to write.
    let pump = northwind_asset_ids(&app).await.remove(0);
    let response = put(
        &app,
        &session,
        &json!({ "id": Uuid::now_v7(), "asset_id": pump, "notes": "  ", "name": "Kim Lee" }),
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = body_json(response).await;
    assert_eq!(body["fields"]["notes"], "Describe what is wrong.");

    // A technician's intake id cannot be replayed through the portal.
    let technician = app.submit_with_photos(0).await;
    let response = put(
        &app,
        &session,
        &json!({ "id": technician, "asset_id": pump, "notes": "Broken seal.", "name": "Kim Lee" }),
    )
    .await;
    assert_eq!(response.status(), 404);
}
