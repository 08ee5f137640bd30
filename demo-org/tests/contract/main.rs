//! Contract tests: the demo org over real HTTP, checked against what
//! Salesforce documents. One binary; each test starts its own org on
//! 127.0.0.1:0 with a fresh data directory.

mod composite;
mod faults;
mod files;
mod html;
mod oauth;
mod persistence;
mod query;
mod rest;
mod simple_salesforce;

use fieldcase_demo_org::{Config, RunningOrg};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const V: &str = "v65.0";
pub const CALLBACK: &str = "http://127.0.0.1:9/callback";

/// A running org, its data directory and an HTTP client that does not follow
/// redirects (the OAuth tests look at them).
pub struct TestOrg {
    pub org: Option<RunningOrg>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub http: reqwest::Client,
}

/// A status, the headers and the body (JSON, or a string, or null).
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Res {
    pub fn limit_info(&self) -> String {
        self.headers
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
    pub fn error_code(&self) -> String {
        self.body[0]["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_string()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

pub fn test_config(dir: &std::path::Path) -> Config {
    Config {
        redirect_uris: vec![CALLBACK.to_string()],
        ..Config::for_tests(dir)
    }
}

/// Starts an org with the test defaults.
pub async fn spawn_org() -> TestOrg {
    spawn_org_with(|_| {}).await
}

/// Starts an org, letting the test change its configuration first.
pub async fn spawn_org_with(change: impl FnOnce(&mut Config)) -> TestOrg {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = test_config(dir.path());
    change(&mut config);
    let org = fieldcase_demo_org::spawn(config).await.expect("spawn");
    TestOrg {
        base: org.base_url.clone(),
        org: Some(org),
        dir,
        http: client(),
    }
}

impl TestOrg {
    pub async fn stop(&mut self) {
        if let Some(org) = self.org.take() {
            org.stop().await;
        }
    }

    /// `/services/data/v65.0{path}`.
    pub fn data(&self, path: &str) -> String {
        format!("{}/services/data/{V}{path}", self.base)
    }

    /// A client-credentials access token.
    pub async fn token(&self) -> String {
        let res = self
            .http
            .post(format!("{}/services/oauth2/token", self.base))
            .basic_auth("fieldcase-demo", Some("demo-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request");
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.expect("token json");
        v["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        url: &str,
        body: Option<&Value>,
    ) -> Res {
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.expect("request")).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Res {
        self.call(Method::GET, Some(token), &self.data(path), None)
            .await
    }
    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Res {
        self.call(Method::POST, Some(token), &self.data(path), Some(body))
            .await
    }
    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> Res {
        self.call(Method::PATCH, Some(token), &self.data(path), Some(body))
            .await
    }
    pub async fn query(&self, token: &str, soql: &str) -> Res {
        let url =
            reqwest::Url::parse_with_params(&self.data("/query"), &[("q", soql)]).expect("url");
        self.call(Method::GET, Some(token), url.as_str(), None)
            .await
    }

    /// Creates a Case; returns its id.
    pub async fn create_case(&self, token: &str, fields: Value) -> String {
        let res = self.post(token, "/sobjects/Case/", &fields).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        res.id()
    }

    pub async fn faults(&self, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}/__demo/faults", self.base))
            .json(&body)
            .send()
            .await
            .expect("faults");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("faults json")
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/__demo/stats", self.base))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }

    pub async fn api_calls(&self) -> u64 {
        self.stats().await["api_calls"].as_u64().expect("api_calls")
    }
}

pub async fn read(res: reqwest::Response) -> Res {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Res {
        status,
        headers,
        body,
    }
}

/// A small valid PNG (1×1, red).
pub fn tiny_png() -> Vec<u8> {
    const B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(B64)
        .expect("png")
}

pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(data))
}

#[tokio::test]
async fn the_helpers_work() {
    let org = spawn_org().await;
    let t = org.token().await;
    let res = org.get(&t, "/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body["query"],
        json!(format!("/services/data/{V}/query"))
    );
}
