//! OAuth 2.0: the web-server flow with PKCE driven as a browser would, the
//! refresh and client-credentials grants, revocation, and the token response's
//! exact shape.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{CALLBACK, TestOrg, V, read, spawn_org, spawn_org_with};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-demo-verifier";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `name`/`value` of every `<input>` on a page (what a browser submits).
fn inputs(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    };
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        })
        .collect()
}

fn authorize_url(org: &TestOrg, state: &str, scope: Option<&str>) -> Url {
    let mut params = vec![
        ("response_type", "code".to_string()),
        ("client_id", "fieldcase-demo".to_string()),
        ("redirect_uri", CALLBACK.to_string()),
        ("state", state.to_string()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_string()),
    ];
    if let Some(s) = scope {
        params.push(("scope", s.to_string()));
    }
    Url::parse_with_params(&format!("{}/services/oauth2/authorize", org.base), &params)
        .expect("url")
}

/// GET the login page, submit it with `password` and `action`; the response.
async fn log_in(org: &TestOrg, url: Url, password: &str, action: &str) -> reqwest::Response {
    let page = org.http.get(url).send().await.expect("authorize page");
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(!html.contains("<script"), "no scripts on the login page");
    assert!(
        !html.contains("style="),
        "no inline styles on the login page"
    );
    assert!(html.contains("action=\"/services/oauth2/authorize\""));
    let mut form: Vec<(String, String)> = inputs(&html)
        .into_iter()
        .filter(|(k, _)| k != "password")
        .collect();
    let username = form
        .iter()
        .find(|(k, _)| k == "username")
        .map(|(_, v)| v.clone());
    assert_eq!(
        username.as_deref(),
        Some("demo@fieldcase.example"),
        "username is prefilled"
    );
    form.push(("password".into(), password.into()));
    form.push(("action".into(), action.into()));
    org.http
        .post(format!("{}/services/oauth2/authorize", org.base))
        .form(&form)
        .send()
        .await
        .expect("submit login")
}

/// The query of the redirect to the callback.
fn callback_params(res: &reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(res.status(), StatusCode::FOUND, "redirects to the callback");
    let location = res.headers()["location"].to_str().expect("location");
    assert!(location.starts_with(CALLBACK), "{location}");
    Url::parse(location)
        .expect("location url")
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], k: &str) -> Option<String> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

async fn token_request(org: &TestOrg, form: &[(&str, &str)]) -> crate::Res {
    read(
        org.http
            .post(format!("{}/services/oauth2/token", org.base))
            .form(form)
            .send()
            .await
            .expect("token"),
    )
    .await
}

fn assert_salesforce_token_shape(v: &Value, with_refresh: bool) {
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "access_token",
        "id",
        "instance_url",
        "issued_at",
        "scope",
        "signature",
        "token_type",
    ];
    if with_refresh {
        expected.push("refresh_token");
        expected.sort_unstable();
    }
    assert_eq!(keys, expected, "exactly Salesforce's fields, no expires_in");
    assert!(v["issued_at"].is_string(), "issued_at is a string");
    let issued: i64 = v["issued_at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("ms");
    assert!(issued > 1_600_000_000_000, "milliseconds since the epoch");
    assert_eq!(v["token_type"], "Bearer");
    assert!(
        v["id"]
            .as_str()
            .is_some_and(|id| id.contains("/id/00D") && id.contains("/005"))
    );
    // signature = base64(HMAC-SHA256(id + issued_at, client_secret))
    let mut mac = Hmac::<Sha256>::new_from_slice(b"demo-secret").expect("hmac");
    mac.update(v["id"].as_str().unwrap_or_default().as_bytes());
    mac.update(v["issued_at"].as_str().unwrap_or_default().as_bytes());
    assert_eq!(
        v["signature"].as_str(),
        Some(STANDARD.encode(mac.finalize().into_bytes()).as_str())
    );
}

#[tokio::test]
async fn pkce_web_server_flow_as_a_browser() {
    let org = spawn_org().await;
    let res = log_in(
        &org,
        authorize_url(&org, "st@te 1/2", None),
        "demo",
        "allow",
    )
    .await;
    let params = callback_params(&res);
    assert_eq!(
        param(&params, "state").as_deref(),
        Some("st@te 1/2"),
        "state round-trips"
    );
    let code = param(&params, "code").expect("code");

    // The wrong verifier: invalid_grant (the code stays usable).
    let wrong = "x".repeat(50);
    let res = token_request(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.body["error"], "invalid_grant");
    assert!(res.body["error_description"].is_string());

    // The right one.
    let res = token_request(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "demo-secret"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_salesforce_token_shape(&res.body, true);
    assert_eq!(res.body["instance_url"], json!(org.base));
    assert_eq!(res.body["scope"], "api refresh_token");
    let access = res.body["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    assert_eq!(org.get(&access, "/limits").await.status, StatusCode::OK);

    // A code works once.
    let again = token_request(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(again.body["error"], "invalid_grant");

    // The identity URL and userinfo answer for the token.
    let id_url = res.body["id"].as_str().expect("id");
    let me = read(
        org.http
            .get(id_url)
            .bearer_auth(&access)
            .send()
            .await
            .expect("id"),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "demo@fieldcase.example");
    let ui = read(
        org.http
            .get(format!("{}/services/oauth2/userinfo", org.base))
            .bearer_auth(&access)
            .send()
            .await
            .expect("ui"),
    )
    .await;
    assert_eq!(ui.body["preferred_username"], "demo@fieldcase.example");
    assert_eq!(ui.body["organization_id"], fieldcase_demo_org::ORG_ID);
}

#[tokio::test]
async fn the_login_page_refuses_a_wrong_password_and_reports_a_denial() {
    let org = spawn_org().await;
    let res = log_in(&org, authorize_url(&org, "s1", None), "wrong", "allow").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap_or_default()
            .contains("Please check your username and password.")
    );

    let res = log_in(&org, authorize_url(&org, "s2", None), "demo", "deny").await;
    let p = callback_params(&res);
    assert_eq!(param(&p, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&p, "state").as_deref(), Some("s2"));
}

#[tokio::test]
async fn authorize_checks_the_callback_and_pkce() {
    let org = spawn_org().await;
    // An unregistered callback: an error page, never a redirect.
    let mut url = authorize_url(&org, "s", None);
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "http://127.0.0.1:9/evil".into())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let res = org.http.get(url).send().await.expect("authorize");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap_or_default()
            .contains("redirect_uri_mismatch")
    );

    // No code_challenge: redirected back with invalid_request.
    let url = Url::parse_with_params(
        &format!("{}/services/oauth2/authorize", org.base),
        &[
            ("response_type", "code"),
            ("client_id", "fieldcase-demo"),
            ("redirect_uri", CALLBACK),
            ("state", "s3"),
        ],
    )
    .expect("url");
    let res = org.http.get(url).send().await.expect("authorize");
    let p = callback_params(&res);
    assert_eq!(param(&p, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&p, "state").as_deref(), Some("s3"));

    // An unknown client.
    let url = Url::parse_with_params(
        &format!("{}/services/oauth2/authorize", org.base),
        &[
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", CALLBACK),
        ],
    )
    .expect("url");
    let res = org.http.get(url).send().await.expect("authorize");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// Logs in through the browser flow; returns the token response.
async fn code_flow_tokens(org: &TestOrg, scope: Option<&str>) -> Value {
    let res = log_in(org, authorize_url(org, "s", scope), "demo", "allow").await;
    let code = param(&callback_params(&res), "code").expect("code");
    let res = token_request(
        org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.body
}

#[tokio::test]
async fn refresh_grant_issues_a_new_access_token() {
    let org = spawn_org().await;
    let tokens = code_flow_tokens(&org, None).await;
    let refresh = tokens["refresh_token"].as_str().expect("refresh");
    let res = token_request(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "demo-secret"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Salesforce sends no new refresh token unless rotation is on.
    assert_salesforce_token_shape(&res.body, false);
    let access = res.body["access_token"].as_str().expect("access");
    assert_ne!(Some(access), tokens["access_token"].as_str());
    assert_eq!(org.get(access, "/").await.status, StatusCode::OK);

    // A scope without refresh_token gets no refresh token.
    let tokens = code_flow_tokens(&org, Some("api")).await;
    assert!(tokens.get("refresh_token").is_none());

    // Garbage refresh token.
    let res = token_request(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "5Aep861nope"),
            ("client_id", "fieldcase-demo"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res.body,
        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
    );
}

#[tokio::test]
async fn client_credentials_in_basic_or_form_and_no_refresh_token() {
    let org = spawn_org().await;
    let basic = read(
        org.http
            .post(format!("{}/services/oauth2/token", org.base))
            .basic_auth("fieldcase-demo", Some("demo-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token"),
    )
    .await;
    assert_eq!(basic.status, StatusCode::OK);
    assert_salesforce_token_shape(&basic.body, false);
    assert!(
        basic
            .headers
            .get("cache-control")
            .is_some_and(|v| v == "no-store")
    );

    let form = token_request(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "demo-secret"),
        ],
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.get("refresh_token").is_none());

    let bad = token_request(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );

    let no_secret = token_request(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "fieldcase-demo"),
        ],
    )
    .await;
    assert_eq!(no_secret.body["error"], "invalid_client");

    let odd = token_request(
        &org,
        &[("grant_type", "password"), ("client_id", "fieldcase-demo")],
    )
    .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert_eq!(odd.body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let org = spawn_org().await;
    let tokens = code_flow_tokens(&org, None).await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let access = tokens["access_token"].as_str().expect("access").to_string();
    assert_eq!(org.get(&access, "/").await.status, StatusCode::OK);

    let res = org
        .http
        .post(format!("{}/services/oauth2/revoke", org.base))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::OK);

    let res = token_request(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "fieldcase-demo"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.body["error"], "invalid_grant");
    let res = org.get(&access, "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );

    // Revoking an access token alone; an unknown token is an error.
    let other = org.token().await;
    let res = org
        .http
        .get(format!("{}/services/oauth2/revoke", org.base))
        .query(&[("token", other.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(org.get(&other, "/").await.status, StatusCode::UNAUTHORIZED);
    let res = org
        .http
        .post(format!("{}/services/oauth2/revoke", org.base))
        .form(&[("token", "nope")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn access_tokens_expire_after_their_ttl() {
    let org = spawn_org_with(|c| c.token_ttl_secs = 1).await;
    let t = org.token().await;
    assert_eq!(org.get(&t, "/").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = org.get(&t, "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.error_code(), "INVALID_SESSION_ID");

    // Introspection agrees.
    let res = read(
        org.http
            .post(format!("{}/services/oauth2/introspect", org.base))
            .basic_auth("fieldcase-demo", Some("demo-secret"))
            .form(&[("token", t.as_str())])
            .send()
            .await
            .expect("introspect"),
    )
    .await;
    assert_eq!(res.body, json!({"active": false}));
}

#[tokio::test]
async fn missing_or_invalid_tokens_get_invalid_session_id_with_limit_info() {
    let org = spawn_org().await;
    for token in [None, Some("00D000000000001!garbage")] {
        let res = org
            .call(
                Method::GET,
                token,
                &org.data("/sobjects/Case/describe"),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            res.body,
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        );
        assert!(
            res.limit_info().starts_with("api-usage="),
            "{}",
            res.limit_info()
        );
    }
    // The older `OAuth` scheme works like `Bearer`.
    let t = org.token().await;
    let res = org
        .http
        .get(org.data("/"))
        .header("Authorization", format!("OAuth {t}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let _ = V;
}

/// Salesforce takes the longer verifiers some client libraries send (171
/// characters, past RFC 7636's 128); one past the org's bound is refused.
#[tokio::test]
async fn a_171_character_pkce_verifier_is_accepted() {
    let org = spawn_org().await;
    let long: String = "aB3-._~x".repeat(22)[..171].to_owned();
    let url = {
        let mut u = authorize_url(&org, "long", None);
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "code_challenge" {
                    challenge(&long)
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    };
    let res = log_in(&org, url, "demo", "allow").await;
    let code = param(&callback_params(&res), "code").expect("code");
    let too_long = "a".repeat(256);
    let res = token_request(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "demo-secret"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &too_long),
        ],
    )
    .await;
    assert_eq!(res.body["error"], "invalid_grant", "{}", res.body);
    let res = token_request(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "fieldcase-demo"),
            ("client_secret", "demo-secret"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &long),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}
