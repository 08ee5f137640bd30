//! The authorization matrix: every route × {anonymous, asset-link holder,
//! holder of another asset's link, dispatcher, admin, customer with an embed
//! session, AI assistant with an MCP access token}, in one table. A route
//! in `server/src/http/` or `server/src/mcp/` that has no row here fails
//! [`every_route_has_a_row`], so no route ships unjudged.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    DEMO_ADMIN_EMAIL, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, StaffSession, TestApp, spawn_app,
};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Anyone (the handler may still answer 4xx for bad input).
    Open,
    /// Whoever holds a valid asset link: an unknown token answers 404.
    Link,
    /// Whoever holds the link the intake (or photo) in the path came through:
    /// an unknown token and another asset's link both answer 404, alike.
    OwnLink,
    /// A signed-in dispatcher or admin: others 401.
    Staff,
    /// A signed-in admin: others 401, dispatchers 403.
    Admin,
    /// An admin's HTML page: others are sent to sign in (303), dispatchers 403.
    AdminPage,
    /// The embed page: the form (200) only with a portal's signed token in
    /// the URL; without one, a page saying so (never the form).
    EmbedToken,
    /// The embed API: only with an embed session (`Authorization: Bearer`,
    /// from the embed page); others 401.
    EmbedSession,
    /// MCP: only with an MCP access token (`Authorization: Bearer`); others
    /// 401.
    McpToken,
    /// The OAuth consent page: a signed-in dispatcher or admin sees it
    /// (200); others are sent to sign in (303).
    ConsentPage,
}

/// (method, route template as in the router, rule).
pub(crate) const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Open),
    ("GET", "/a/{token}", Rule::Link),
    // Redirects to /a/{token}, whatever the token: that page decides.
    ("GET", "/A/{token}", Rule::Open),
    // The code form sent without its script: a redirect or the form again.
    ("GET", "/open", Rule::Open),
    ("GET", "/qr/{file}", Rule::Link),
    ("GET", "/console", Rule::Open),
    ("GET", "/console/", Rule::Open),
    ("GET", "/console/{*path}", Rule::Open),
    ("GET", "/api/v1/assets/{token}", Rule::Link),
    ("GET", "/api/v1/assets/{token}/intakes", Rule::Link),
    ("GET", "/api/v1/assets/{token}/intakes/{id}", Rule::OwnLink),
    (
        "GET",
        "/api/v1/assets/{token}/intakes/{id}/receipt",
        Rule::OwnLink,
    ),
    ("POST", "/api/v1/assets/{token}/photos", Rule::Link),
    ("POST", "/api/v1/assets/{token}/structure", Rule::Link),
    (
        "GET",
        "/api/v1/assets/{token}/photos/{sha256}/thumb",
        Rule::OwnLink,
    ),
    // The token travels in the body. Another asset's link on a stored
    // intake's id (even with its exact body) gets no receipt and no reference.
    ("PUT", "/api/v1/intakes/{id}", Rule::OwnLink),
    // The technician reads through the link above.
    ("GET", "/api/v1/intakes/{id}", Rule::Staff),
    ("POST", "/api/v1/session", Rule::Open),
    ("GET", "/api/v1/session", Rule::Staff),
    ("DELETE", "/api/v1/session", Rule::Open),
    ("POST", "/api/v1/invitations/accept", Rule::Open),
    ("GET", "/api/v1/console/schema", Rule::Staff),
    ("GET", "/api/v1/console/intakes", Rule::Staff),
    ("POST", "/api/v1/console/intakes/bulk", Rule::Staff),
    ("GET", "/api/v1/console/intakes/{id}", Rule::Staff),
    ("PATCH", "/api/v1/console/intakes/{id}", Rule::Staff),
    ("POST", "/api/v1/console/intakes/{id}/redact", Rule::Staff),
    ("POST", "/api/v1/console/intakes/{id}/approve", Rule::Staff),
    ("POST", "/api/v1/console/intakes/{id}/reject", Rule::Staff),
    ("POST", "/api/v1/console/intakes/{id}/return", Rule::Staff),
    ("GET", "/api/v1/console/events", Rule::Staff),
    ("GET", "/api/v1/console/photos/{sha256}", Rule::Staff),
    ("GET", "/api/v1/admin/users", Rule::Admin),
    ("PATCH", "/api/v1/admin/users/{id}", Rule::Admin),
    ("POST", "/api/v1/admin/invitations", Rule::Admin),
    ("GET", "/api/v1/admin/audit", Rule::Admin),
    ("GET", "/api/v1/admin/audit.csv", Rule::Admin),
    ("GET", "/api/v1/admin/salesforce", Rule::Admin),
    ("POST", "/api/v1/admin/salesforce/preflight", Rule::Admin),
    // The API's description: public, like the app that reads the API.
    ("GET", "/api/v1/openapi.json", Rule::Open),
    ("GET", "/admin/salesforce", Rule::AdminPage),
    ("POST", "/admin/salesforce/connect", Rule::AdminPage),
    ("GET", "/admin/salesforce/callback", Rule::AdminPage),
    (
        "POST",
        "/admin/salesforce/connect-client-credentials",
        Rule::AdminPage,
    ),
    ("POST", "/admin/salesforce/preflight", Rule::AdminPage),
    ("GET", "/api/v1/admin/portals", Rule::Admin),
    ("POST", "/api/v1/admin/portals", Rule::Admin),
    ("POST", "/api/v1/admin/portals/{id}/rotate", Rule::Admin),
    ("POST", "/api/v1/admin/portals/{id}/disable", Rule::Admin),
    ("GET", "/api/v1/admin/policy", Rule::Admin),
    ("PUT", "/api/v1/admin/policy", Rule::Admin),
    ("GET", "/api/v1/admin/policy/versions", Rule::Admin),
    ("POST", "/api/v1/admin/policy/dry-run", Rule::Admin),
    ("GET", "/api/v1/admin/assets", Rule::Admin),
    ("POST", "/api/v1/admin/assets", Rule::Admin),
    ("GET", "/api/v1/admin/assets/{asset}", Rule::Admin),
    ("PUT", "/api/v1/admin/assets/{asset}", Rule::Admin),
    ("POST", "/api/v1/admin/assets/{asset}/retire", Rule::Admin),
    ("POST", "/api/v1/admin/assets/{asset}/rotate", Rule::Admin),
    ("GET", "/api/v1/admin/assets/{asset}/label.svg", Rule::Admin),
    ("GET", "/api/v1/admin/assets/{asset}/label.png", Rule::Admin),
    ("POST", "/api/v1/admin/asset-imports/csv", Rule::Admin),
    (
        "POST",
        "/api/v1/admin/asset-imports/salesforce",
        Rule::Admin,
    ),
    ("GET", "/admin/assets/labels", Rule::AdminPage),
    // The print page's stylesheet: nothing in it but layout.
    ("GET", "/admin/assets/labels.css", Rule::Open),
    // The embed page's files: portals' pages load resize.js.
    ("GET", "/embed/resize.js", Rule::Open),
    ("GET", "/embed/embed.js", Rule::Open),
    ("GET", "/embed/embed.css", Rule::Open),
    ("GET", "/embed/{portal}", Rule::EmbedToken),
    ("GET", "/api/v1/embed/assets", Rule::EmbedSession),
    (
        "POST",
        "/api/v1/embed/assets/{asset}/photos",
        Rule::EmbedSession,
    ),
    ("PUT", "/api/v1/embed/intakes/{id}", Rule::EmbedSession),
    // MCP (issue 11): the endpoint, OAuth's discovery documents and
    // endpoints (open to any client; they check what is sent), the consent
    // page and its form, the admin's list of grants.
    ("POST", "/mcp", Rule::McpToken),
    ("GET", "/.well-known/oauth-protected-resource", Rule::Open),
    (
        "GET",
        "/.well-known/oauth-protected-resource/mcp",
        Rule::Open,
    ),
    ("GET", "/.well-known/oauth-authorization-server", Rule::Open),
    ("POST", "/oauth/register", Rule::Open),
    ("POST", "/oauth/token", Rule::Open),
    ("POST", "/oauth/revoke", Rule::Open),
    ("GET", "/oauth/authorize", Rule::ConsentPage),
    ("POST", "/oauth/authorize", Rule::Staff),
    ("GET", "/api/v1/admin/mcp/grants", Rule::Admin),
    ("POST", "/api/v1/admin/mcp/grants/{id}/revoke", Rule::Admin),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    LinkHolder,
    /// A valid link, of another asset than the fixture's intake and photo.
    OtherLink,
    Dispatcher,
    Admin,
    /// A customer in a portal: a portal's signed embed token for the page,
    /// the embed session it gives for the API; no asset link, no account.
    Customer,
    /// An AI assistant: an MCP access token, no account, no asset link.
    McpClient,
}

/// Every `.route("…"` literal in the HTTP modules.
fn routes_in_source() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut routes = Vec::new();
    let files = std::fs::read_dir(root.join("src/http"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("src/mcp")).unwrap());
    for entry in files {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let literal = rest.trim_start();
            if let Some(stripped) = literal.strip_prefix('"') {
                let end = stripped.find('"').unwrap();
                routes.push(stripped[..end].to_owned());
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

#[test]
fn every_route_has_a_row() {
    let missing: Vec<String> = routes_in_source()
        .into_iter()
        .filter(|r| !MATRIX.iter().any(|(_, path, _)| path == r))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
}

struct Fixture {
    token: String,
    /// Another asset's valid link.
    other: String,
    intake: Uuid,
    sha256: String,
    user: Uuid,
    dispatcher: StaffSession,
    admin: StaffSession,
    /// A registered portal (its id is also what `{id}` of the portal routes
    /// becomes), an embed token it signed, the session that token's page
    /// carries, and an asset of that session.
    portal: String,
    /// An MCP client connected as the demo dispatcher: its access token,
    /// and a query to its consent page.
    mcp_access: String,
    mcp_authorize: String,
    embed_token: String,
    embed_session: String,
    asset_id: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let intake = app.submit_with_photos(1).await;
    let sha256 = app
        .store
        .list_intakes()
        .await
        .unwrap()
        .remove(0)
        .photos
        .remove(0);
    let dispatcher = app.dispatcher().await;
    let admin = app.admin().await;
    let user = dispatcher.get_json("/api/v1/session").await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let made = admin
        .post(
            "/api/v1/admin/portals",
            &json!({ "name": "Matrix portal", "origins": ["https://portal.example.com"] }),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: serde_json::Value = made.json().await.unwrap();
    let portal = made["portal"]["id"].as_str().unwrap().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let embed_token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({ "iss": portal, "sub": "c-1", "account": "Northwind Foods",
                 "iat": now, "exp": now + 600 }),
        &jsonwebtoken::EncodingKey::from_secret(made["secret"].as_str().unwrap().as_bytes()),
    )
    .unwrap();
    let page = app
        .client
        .get(app.url(&format!("/embed/{portal}?t={embed_token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("data-session=\"").unwrap() + "data-session=\"".len();
    let embed_session = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let asset_id = app
        .store
        .active_asset(&fieldcase_core::AssetToken::parse(&app.pump()).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let connected = crate::mcp::connect(app, "Matrix assistant", crate::mcp::ALL).await;
    Fixture {
        mcp_access: connected.access,
        mcp_authorize: crate::mcp::authorize_query(&connected.client_id, crate::mcp::ALL),
        portal,
        embed_token,
        embed_session,
        asset_id,
        token: app.pump(),
        other: app
            .links
            .iter()
            .find(|l| l.token != app.pump())
            .unwrap()
            .token
            .clone(),
        intake,
        sha256,
        user,
        dispatcher,
        admin,
    }
}

/// The token `who` brings.
fn token_of(f: &Fixture, who: Who) -> String {
    match who {
        Who::Anonymous | Who::Customer | Who::McpClient => "AAAAAAAAAAAAAAAAAAAA".to_owned(),
        Who::OtherLink => f.other.clone(),
        _ => f.token.clone(),
    }
}

fn concrete(template: &str, f: &Fixture, who: Who) -> String {
    let token = token_of(f, who);
    template
        .replace("{token}", &token)
        .replace("{file}", &format!("{token}.svg"))
        .replace("{*path}", "queue")
        .replace("{sha256}", &f.sha256)
        .replace("/users/{id}", &format!("/users/{}", f.user))
        // Another portal's id (none): rotating or disabling the fixture's
        // portal would end the customer's session for the rows after.
        .replace("/portals/{id}", &format!("/portals/{}", Uuid::nil()))
        // Another asset's id (none): retiring or rotating the fixture's
        // asset would end its link for the rows after.
        .replace(
            "/admin/assets/{asset}",
            &format!("/admin/assets/{}", Uuid::nil()),
        )
        .replace("{portal}", &f.portal)
        .replace("{asset}", &f.asset_id)
        .replace("{id}", &f.intake.to_string())
}

async fn call(app: &TestApp, f: &Fixture, who: Who, method: &str, template: &str) -> u16 {
    let path = concrete(template, f, who);
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let body = if template == "/api/v1/intakes/{id}" && method == Method::PUT {
        // The token travels in the body here. Another asset's link tries
        // the fixture's stored intake, replaying its very body.
        let id = if who == Who::OtherLink {
            f.intake
        } else {
            Uuid::now_v7()
        };
        crate::helpers::submission(id, &token_of(f, who), &[])
    } else if template == "/api/v1/assets/{token}/structure" {
        json!({ "notes": "The pump leaks." })
    } else if template == "/api/v1/embed/intakes/{id}" {
        json!({ "id": Uuid::now_v7(), "asset_id": f.asset_id, "notes": "The pump leaks.",
                "name": "Kim Lee" })
    } else {
        json!({})
    };
    let path = if template == "/api/v1/intakes/{id}" && method == Method::PUT {
        format!("/api/v1/intakes/{}", body["id"].as_str().unwrap())
    } else if template == "/api/v1/embed/intakes/{id}" {
        format!("/api/v1/embed/intakes/{}", body["id"].as_str().unwrap())
    } else if template == "/embed/{portal}" && who == Who::Customer {
        format!("{path}?t={}", f.embed_token)
    } else if template == "/oauth/authorize" && method == Method::GET {
        format!("{path}?{}", f.mcp_authorize)
    } else {
        path
    };
    // Signing out would end the fixture's sessions: sign out fresh ones.
    let signing_out = template == "/api/v1/session" && method == Method::DELETE;
    let request = match who {
        Who::Dispatcher if signing_out => {
            crate::helpers::sign_in_at(&app.address, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD)
                .await
                .request(method.clone(), &path)
        }
        Who::Admin if signing_out => {
            crate::helpers::sign_in_at(&app.address, DEMO_ADMIN_EMAIL, DEMO_STAFF_PASSWORD)
                .await
                .request(method.clone(), &path)
        }
        Who::Dispatcher => f.dispatcher.request(method.clone(), &path),
        Who::Admin => f.admin.request(method.clone(), &path),
        Who::Anonymous | Who::LinkHolder | Who::OtherLink => app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", &app.address),
        // The embed page is served from our origin: its script's requests
        // are same-origin, and carry the session as a bearer token.
        Who::Customer => app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", &app.address)
            .header("authorization", format!("Bearer {}", f.embed_session)),
        Who::McpClient => app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", &app.address)
            .header("accept", "application/json, text/event-stream")
            .header("authorization", format!("Bearer {}", f.mcp_access)),
    };
    let request = if template.ends_with("/photos") && method == Method::POST {
        let part = reqwest::multipart::Part::bytes(crate::helpers::png(9, 9))
            .file_name("p.png")
            .mime_str("image/png")
            .unwrap();
        request.multipart(reqwest::multipart::Form::new().part("photo", part))
    } else if method == Method::GET || method == Method::DELETE {
        request
    } else {
        request.json(&body)
    };
    request.send().await.unwrap().status().as_u16()
}

/// Let through: the handler answered (perhaps 4xx for the empty body).
fn allowed(status: u16) -> bool {
    !matches!(status, 401 | 403)
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_matrix_says() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let mut wrong = Vec::new();
    for &(method, template, rule) in MATRIX {
        for who in [
            Who::Anonymous,
            Who::LinkHolder,
            Who::OtherLink,
            Who::Dispatcher,
            Who::Admin,
            Who::Customer,
            Who::McpClient,
        ] {
            let status = call(&app, &f, who, method, template).await;
            let ok = match (rule, who) {
                (Rule::Open, _) => allowed(status),
                (Rule::EmbedToken, Who::Customer) => status == 200,
                (Rule::EmbedToken, _) => status != 200,
                (Rule::EmbedSession, Who::Customer) => allowed(status) && status != 404,
                (Rule::EmbedSession, _) => status == 401,
                (Rule::McpToken, Who::McpClient) => allowed(status),
                (Rule::McpToken, _) => status == 401,
                (Rule::ConsentPage, Who::Dispatcher | Who::Admin) => status == 200,
                (Rule::ConsentPage, _) => status == 303,
                // An assistant holds no asset link, no account, no embed
                // session: its token opens /mcp only.
                (Rule::Link | Rule::OwnLink, Who::McpClient) => status == 404,
                (Rule::Staff | Rule::Admin, Who::McpClient) => status == 401,
                (Rule::AdminPage, Who::McpClient) => status == 303,
                // A customer holds no asset link and no account.
                (Rule::Link | Rule::OwnLink, Who::Customer) => status == 404,
                (Rule::Staff | Rule::Admin, Who::Customer) => status == 401,
                (Rule::AdminPage, Who::Customer) => status == 303,
                (Rule::Link, Who::Anonymous) => status == 404,
                (Rule::Link, _) => allowed(status),
                (Rule::OwnLink, Who::Anonymous | Who::OtherLink) => status == 404,
                (Rule::OwnLink, _) => allowed(status) && status != 404,
                (Rule::Staff | Rule::Admin, Who::Anonymous | Who::LinkHolder | Who::OtherLink) => {
                    status == 401
                }
                (Rule::Staff, _) => allowed(status),
                (Rule::Admin, Who::Dispatcher) => status == 403,
                (Rule::Admin, Who::Admin) => allowed(status),
                (Rule::AdminPage, Who::Anonymous | Who::LinkHolder | Who::OtherLink) => {
                    status == 303
                }
                (Rule::AdminPage, Who::Dispatcher) => status == 403,
                (Rule::AdminPage, Who::Admin) => allowed(status) && status != 303,
            };
            if !ok {
                wrong.push(format!(
                    "{method} {template} as {who:?}: {status} ({rule:?})"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
