//! The authorization matrix: every route × {anonymous, asset-link holder,
//! dispatcher, admin}, in one table. A route in `server/src/http/` that has
//! no row here fails [`every_route_has_a_row`], so no route ships unjudged.
//! (The MCP client joins as a fifth column when the MCP server lands.)

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
    /// A signed-in dispatcher or admin: others 401.
    Staff,
    /// A signed-in admin: others 401, dispatchers 403.
    Admin,
    /// An admin's HTML page: others are sent to sign in (303), dispatchers 403.
    AdminPage,
}

/// (method, route template as in the router, rule).
pub(crate) const MATRIX: &[(&str, &str, Rule)] = &[
    ("GET", "/healthz", Rule::Open),
    ("GET", "/a/{token}", Rule::Link),
    // Redirects to /a/{token}, whatever the token: that page decides.
    ("GET", "/A/{token}", Rule::Open),
    ("GET", "/qr/{file}", Rule::Link),
    ("GET", "/console", Rule::Open),
    ("GET", "/console/", Rule::Open),
    ("GET", "/console/{*path}", Rule::Open),
    ("GET", "/api/v1/assets/{token}", Rule::Link),
    ("GET", "/api/v1/assets/{token}/intakes", Rule::Link),
    ("GET", "/api/v1/assets/{token}/intakes/{id}", Rule::Link),
    ("POST", "/api/v1/assets/{token}/photos", Rule::Link),
    (
        "GET",
        "/api/v1/assets/{token}/photos/{sha256}/thumb",
        Rule::Link,
    ),
    ("PUT", "/api/v1/intakes/{id}", Rule::Link),
    // Issue 7 ties reading a receipt to the asset token; today the id (a
    // UUID v7 the phone made) is the only key.
    ("GET", "/api/v1/intakes/{id}", Rule::Open),
    ("POST", "/api/v1/session", Rule::Open),
    ("GET", "/api/v1/session", Rule::Staff),
    ("DELETE", "/api/v1/session", Rule::Open),
    ("POST", "/api/v1/invitations/accept", Rule::Open),
    ("GET", "/api/v1/console/schema", Rule::Staff),
    ("GET", "/api/v1/console/intakes", Rule::Staff),
    ("POST", "/api/v1/console/intakes/bulk", Rule::Staff),
    ("GET", "/api/v1/console/intakes/{id}", Rule::Staff),
    ("PATCH", "/api/v1/console/intakes/{id}", Rule::Staff),
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
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    LinkHolder,
    Dispatcher,
    Admin,
}

/// Every `.route("…"` literal in the HTTP modules.
fn routes_in_source() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut routes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
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
    intake: Uuid,
    sha256: String,
    user: Uuid,
    dispatcher: StaffSession,
    admin: StaffSession,
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
    Fixture {
        token: app.pump(),
        intake,
        sha256,
        user,
        dispatcher,
        admin,
    }
}

fn concrete(template: &str, f: &Fixture, who: Who) -> String {
    let token = if who == Who::Anonymous {
        "AAAAAAAAAAAAAAAAAAAA".to_owned()
    } else {
        f.token.clone()
    };
    template
        .replace("{token}", &token)
        .replace("{file}", &format!("{token}.svg"))
        .replace("{*path}", "queue")
        .replace("{sha256}", &f.sha256)
        .replace("/users/{id}", &format!("/users/{}", f.user))
        .replace("{id}", &f.intake.to_string())
}

async fn call(app: &TestApp, f: &Fixture, who: Who, method: &str, template: &str) -> u16 {
    let path = concrete(template, f, who);
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let body = if template == "/api/v1/intakes/{id}" && method == Method::PUT {
        // The token travels in the body here.
        let token = if who == Who::Anonymous {
            "AAAAAAAAAAAAAAAAAAAA".to_owned()
        } else {
            f.token.clone()
        };
        crate::helpers::submission(Uuid::now_v7(), &token, &[])
    } else {
        json!({})
    };
    let path = if method == Method::PUT {
        format!("/api/v1/intakes/{}", body["id"].as_str().unwrap())
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
        Who::Anonymous | Who::LinkHolder => app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", &app.address),
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
        for who in [Who::Anonymous, Who::LinkHolder, Who::Dispatcher, Who::Admin] {
            let status = call(&app, &f, who, method, template).await;
            let ok = match (rule, who) {
                (Rule::Open, _) => allowed(status),
                (Rule::Link, Who::Anonymous) => status == 404,
                (Rule::Link, _) => allowed(status),
                (Rule::Staff | Rule::Admin, Who::Anonymous | Who::LinkHolder) => status == 401,
                (Rule::Staff, _) => allowed(status),
                (Rule::Admin, Who::Dispatcher) => status == 403,
                (Rule::Admin, Who::Admin) => allowed(status),
                (Rule::AdminPage, Who::Anonymous | Who::LinkHolder) => status == 303,
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
