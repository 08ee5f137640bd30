//! Staff sign-in as an attacker would try it: another origin, a planted
//! session id, guessing passwords, a signed-out cookie, a dispatcher
//! reaching for admin powers. And the audit trail they leave.

use serde_json::{Value, json};

use crate::helpers::{
    DEMO_ADMIN_EMAIL, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, assert_api_error, body_json,
    session_cookie, sign_in_at, spawn_app,
};

#[tokio::test]
async fn a_state_change_from_another_origin_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let before = staff.intake(id).await;
    // 127.0.0.2 is another origin (and another site) than 127.0.0.1.
    let port = app.address.rsplit(':').next().unwrap();
    for (header, value) in [
        ("origin", format!("http://127.0.0.2:{port}")),
        ("sec-fetch-site", "cross-site".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
    ] {
        let response = staff
            .client
            .post(app.url(&format!("/api/v1/console/intakes/{id}/approve")))
            .header("cookie", &staff.cookie)
            .header(header, value)
            .json(&json!({ "revision": before["revision"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}");
        assert_api_error(&body_json(response).await, "cross_site_request");
    }
    // No Origin and no Sec-Fetch-Site at all: refused too.
    let bare = staff
        .client
        .post(app.url(&format!("/api/v1/console/intakes/{id}/approve")))
        .header("cookie", &staff.cookie)
        .json(&json!({ "revision": before["revision"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 403);
    // A cross-site form cannot reconnect the CRM either.
    let form = staff
        .client
        .post(app.url("/admin/salesforce/connect-client-credentials"))
        .header("cookie", &app.admin().await.cookie)
        .header("origin", format!("http://127.0.0.2:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);

    let after = staff.intake(id).await;
    assert_eq!(after["status"], "submitted");
    assert_eq!(after["revision"], before["revision"]);
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_and_ignores_a_planted_one() {
    let app = spawn_app().await;
    let planted = "fieldcase_session=attackerchosenid0000000";
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .header("origin", &app.address)
        .header("cookie", planted)
        .json(&json!({ "email": DEMO_DISPATCHER_EMAIL, "password": DEMO_STAFF_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response).unwrap();
    assert_ne!(cookie, planted);
    let header = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Lax"), "{header}");
    assert!(!header.contains("Secure"), "plain http here: {header}");
    // The planted id is worth nothing.
    let as_planted = app
        .client
        .get(app.url("/api/v1/session"))
        .header("cookie", planted)
        .send()
        .await
        .unwrap();
    assert_eq!(as_planted.status(), 401);

    // Signing in again on a session gives it another id.
    let again = app
        .client
        .post(app.url("/api/v1/session"))
        .header("origin", &app.address)
        .header("cookie", &cookie)
        .json(&json!({ "email": DEMO_DISPATCHER_EMAIL, "password": DEMO_STAFF_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_ne!(session_cookie(&again).unwrap(), cookie);
}

#[tokio::test]
async fn a_signed_out_session_cookie_is_refused() {
    let app = spawn_app().await;
    let staff = sign_in_at(&app.address, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await;
    assert_eq!(staff.get("/api/v1/session").await.status(), 200);
    let out = staff
        .request(reqwest::Method::DELETE, "/api/v1/session")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let reused = staff.get("/api/v1/console/intakes").await;
    assert_eq!(reused.status(), 401);
    let body = body_json(reused).await;
    assert_api_error(&body, "sign_in_required");
    assert!(body["message"].as_str().unwrap().contains("Sign in again"));
}

async fn attempt(app: &crate::helpers::TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/session"))
        .header("origin", &app.address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn guessing_passwords_is_slowed_and_unknown_accounts_look_the_same() {
    let app = spawn_app().await;
    let wrong = body_json(attempt(&app, DEMO_ADMIN_EMAIL, "not the password").await).await;
    let unknown = body_json(attempt(&app, "nobody@example.com", "not the password").await).await;
    assert_eq!(wrong, unknown, "one answer for both");
    assert_api_error(&wrong, "sign_in_required");

    for _ in 0..4 {
        assert_eq!(attempt(&app, DEMO_ADMIN_EMAIL, "guess").await.status(), 401);
    }
    // The sixth attempt within a minute is refused, even with the right password.
    let limited = attempt(&app, DEMO_ADMIN_EMAIL, DEMO_STAFF_PASSWORD).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body = body_json(limited).await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Too many sign-in attempts. Try again in "),
        "{message}"
    );
    // Another account is not locked out by it.
    assert_eq!(
        attempt(&app, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD)
            .await
            .status(),
        200
    );

    // (The admin account is locked for a minute: read the trail directly.)
    let query = fieldcase_core::console::AuditQuery {
        kind: Some("sign_in_refused".into()),
        ..Default::default()
    };
    let log = app.store.audit_log(&query, 100).await.unwrap();
    let reasons: Vec<&str> = log
        .entries
        .iter()
        .map(|e| e.detail["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"wrong_password"), "{reasons:?}");
    assert!(reasons.contains(&"unknown_account"), "{reasons:?}");
    assert!(reasons.contains(&"too_many_attempts"), "{reasons:?}");
}

#[tokio::test]
async fn a_dispatcher_cannot_use_admin_powers_and_an_admin_invites_people() {
    let app = spawn_app().await;
    let dispatcher = app.dispatcher().await;
    let refused = dispatcher
        .post(
            "/api/v1/admin/invitations",
            &json!({ "email": "eve@example.com", "name": "Eve", "role": "admin" }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_api_error(&body_json(refused).await, "admin_only");

    let admin = app.admin().await;
    let bad = admin
        .post(
            "/api/v1/admin/invitations",
            &json!({ "email": "not an address", "name": "", "role": "dispatcher" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = body_json(bad).await;
    assert!(bad["fields"]["email"].is_string() && bad["fields"]["name"].is_string());

    let invitation = admin
        .post(
            "/api/v1/admin/invitations",
            &json!({ "email": "Sam@Example.com", "name": "Sam Ortiz", "role": "dispatcher" }),
        )
        .await;
    assert_eq!(invitation.status(), 201);
    let invitation = body_json(invitation).await;
    let link = invitation["link"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(link.starts_with(&format!("{}/console/accept/", app.address)));

    let accept = |password: &'static str| {
        app.client
            .post(app.url("/api/v1/invitations/accept"))
            .header("origin", &app.address)
            .json(&json!({ "token": token, "password": password }))
            .send()
    };
    let weak = accept("short").await.unwrap();
    assert_eq!(weak.status(), 422);
    assert!(
        body_json(weak).await["message"]
            .as_str()
            .unwrap()
            .contains("at least 10")
    );
    let ok = accept("a good long password").await.unwrap();
    assert_eq!(ok.status(), 200);
    let sam: Value = ok.json().await.unwrap();
    assert_eq!(sam["email"], "sam@example.com");
    assert_eq!(sam["role"], "dispatcher");
    let used = accept("a good long password").await.unwrap();
    assert_eq!(used.status(), 404, "an invitation works once");

    // Promote, then the last admin cannot be demoted.
    let users = admin.get_json("/api/v1/admin/users").await;
    let admin_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == DEMO_ADMIN_EMAIL)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let last = admin
        .patch(
            &format!("/api/v1/admin/users/{admin_id}"),
            &json!({ "role": "dispatcher" }),
        )
        .await;
    assert_eq!(last.status(), 409);
    assert_api_error(&body_json(last).await, "last_admin");
    let promoted = admin
        .patch(
            &format!("/api/v1/admin/users/{}", sam["id"].as_str().unwrap()),
            &json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(body_json(promoted).await["role"], "admin");

    let log = admin.get_json("/api/v1/admin/audit?actor_kind=admin").await;
    let kinds: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"user_invited"), "{kinds:?}");
    assert!(kinds.contains(&"role_changed"), "{kinds:?}");
}

#[tokio::test]
async fn the_audit_trail_is_append_only() {
    // No statement in the store updates or deletes an audit row...
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let sql = std::fs::read_to_string(&path).unwrap().to_uppercase();
        for forbidden in ["UPDATE AUDIT_EVENTS", "DELETE FROM AUDIT_EVENTS"] {
            assert!(
                !sql.contains(forbidden),
                "{} has {forbidden}",
                path.display()
            );
        }
    }
    // ...and the database refuses one all the same.
    let app = spawn_app().await;
    app.submit_with_photos(0).await;
    let url = format!("sqlite://{}", app.data().join("fieldcase.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let update = sqlx::query("UPDATE audit_events SET actor = 'someone else'")
        .execute(&pool)
        .await;
    assert!(update.is_err(), "an UPDATE of the audit trail must fail");
    let delete = sqlx::query("DELETE FROM audit_events").execute(&pool).await;
    assert!(delete.is_err(), "a DELETE from the audit trail must fail");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(count >= 1);
}

#[tokio::test]
async fn the_audit_csv_neutralises_formulas() {
    let app = spawn_app().await;
    let token = app.pump();
    let id = uuid::Uuid::now_v7();
    let mut body = crate::helpers::submission(id, &token, &[]);
    body["technician"]["name"] = json!("=HYPERLINK(\"http://evil.example\",\"x\")");
    body["fields"]["SuppliedName"] = body["technician"]["name"].clone();
    assert_eq!(app.put_intake(id, &body).await.status(), 201);
    let admin = app.admin().await;
    let csv = admin.get("/api/v1/admin/audit.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    assert!(!text.contains(",\"=HYPERLINK"), "{text}");
}
