//! `spawn_app()` and the small things every test needs.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::Path;

use clap::Parser;
use fieldcase_server::config::Config;
use fieldcase_server::demo::DemoLink;
use fieldcase_server::startup::{Application, StartupError};
use fieldcase_server::store::Store;
use image::ImageFormat;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

/// A Trunk-like `index.html`: the app boots from an inline module script.
pub const INDEX_HTML: &str = r#"<!DOCTYPE html><html lang="en"><head>
<meta charset="utf-8"><title>fieldcase</title>
<link rel="stylesheet" href="/main-5a7c1e2f3b4d6e80.css">
<link rel="manifest" href="/manifest.json">
<link rel="modulepreload" href="/fieldcase-app-0123456789abcdef.js" crossorigin="anonymous">
</head><body>
<noscript>fieldcase needs JavaScript to run in this browser.</noscript>
<p id="fake-app">fake fieldcase app</p>
<script type="module">
import init, * as bindings from '/fieldcase-app-0123456789abcdef.js';
const wasm = await init({ module_or_path: '/fieldcase-app-0123456789abcdef_bg.wasm' });
window.wasmBindings = bindings;
</script>
</body></html>
"#;

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub links: Vec<DemoLink>,
    pub data_dir: tempfile::TempDir,
    pub dist_dir: tempfile::TempDir,
    /// `--secret-key`, when the test gave one.
    pub secret_key: Option<String>,
    /// The demo staff's sessions, signed in once (sign-in is rate-limited).
    admin_session: tokio::sync::OnceCell<StaffSession>,
    dispatcher_session: tokio::sync::OnceCell<StaffSession>,
}

/// A server with the demo assets, default limits and a fake built app.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// [`spawn_app`] with extra command-line settings, e.g. `["--max-photo-bytes", "1000"]`.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    spawn_app_on(listener, extra).await
}

/// [`spawn_app_with`] on a listener bound already.
pub async fn spawn_app_on(listener: tokio::net::TcpListener, extra: &[&str]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp data dir");
    let dist_dir = fake_dist();
    let mut args = vec![
        "fieldcase".to_owned(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        data_dir.path().display().to_string(),
        "--demo".into(),
    ];
    if !extra.contains(&"--dist") {
        args.extend(["--dist".to_owned(), dist_dir.path().display().to_string()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let config = Config::try_parse_from(args).expect("test settings parse");
    let app = Application::build_on(&config, listener)
        .await
        .expect("the app starts");
    let address = format!("http://{}", app.local_addr());
    let store = app.store().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let links_json = std::fs::read(data_dir.path().join("demo-links.json")).expect("demo links");
    let links: Vec<DemoLink> = serde_json::from_slice(&links_json).expect("demo links parse");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let secret_key = extra
        .iter()
        .position(|a| *a == "--secret-key")
        .and_then(|i| extra.get(i + 1))
        .map(|k| (*k).to_owned());
    TestApp {
        address,
        client,
        store,
        links,
        data_dir,
        dist_dir,
        secret_key,
        admin_session: tokio::sync::OnceCell::new(),
        dispatcher_session: tokio::sync::OnceCell::new(),
    }
}

/// A fieldcase on `data` (a data dir used before, or in use by another
/// instance), serving in the background; its address.
pub async fn start_on(data: &Path, extra: &[&str]) -> Result<String, StartupError> {
    let mut args = vec!["fieldcase", "--demo", "--addr", "127.0.0.1:0", "--data-dir"];
    let data = data.display().to_string();
    args.push(&data);
    args.extend(extra);
    let config = Config::try_parse_from(args).expect("test settings parse");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let app = Application::build_on(&config, listener).await?;
    let address = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    Ok(address)
}

/// The demo org's connected app and user (its defaults).
pub const ORG_CLIENT_ID: &str = "fieldcase-demo";
pub const ORG_CLIENT_SECRET: &str = "demo-secret";
pub const ORG_USERNAME: &str = "demo@fieldcase.example";
pub const ORG_PASSWORD: &str = "demo";

/// A demo org in this process, on its own port and data dir.
pub struct TestOrg {
    pub org: fieldcase_demo_org::RunningOrg,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// A demo org whose connected app accepts `callbacks`.
pub async fn spawn_org(callbacks: &[String]) -> TestOrg {
    let dir = tempfile::tempdir().expect("org dir");
    let mut config = fieldcase_demo_org::Config::for_tests(dir.path());
    if !callbacks.is_empty() {
        config.redirect_uris = callbacks.to_vec();
    }
    let org = fieldcase_demo_org::spawn(config)
        .await
        .expect("the demo org starts");
    TestOrg {
        base: org.base_url.clone(),
        org,
        dir,
        http: reqwest::Client::new(),
    }
}

impl TestOrg {
    /// `POST /__demo/faults`.
    pub async fn faults(&self, body: Value) {
        let res = self
            .http
            .post(format!("{}/__demo/faults", self.base))
            .json(&body)
            .send()
            .await
            .expect("faults");
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }

    /// `GET /__demo/stats`: api_calls, cases, content_versions, calls_by_route.
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

    pub async fn count(&self, what: &str) -> u64 {
        self.stats().await[what].as_u64().expect("a count")
    }

    /// An access token of the integration user (client credentials).
    async fn access_token(&self) -> String {
        let token: Value = self
            .http
            .post(format!("{}/services/oauth2/token", self.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", ORG_CLIENT_ID),
                ("client_secret", ORG_CLIENT_SECRET),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        token["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// SOQL through the REST API, as the integration user. (Counts as an
    /// API call: measure calls before querying.)
    pub async fn query(&self, soql: &str) -> Vec<Value> {
        let token = self.access_token().await;
        let url = reqwest::Url::parse_with_params(
            &format!("{}/services/data/v64.0/query", self.base),
            &[("q", soql)],
        )
        .expect("query url");
        let answer: Value = self
            .http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("query")
            .json()
            .await
            .expect("query json");
        answer["records"]
            .as_array()
            .unwrap_or_else(|| panic!("records: {answer}"))
            .clone()
    }

    /// Create a record through the REST API, as the integration user; its Id.
    pub async fn create_record(&self, object: &str, fields: &Value) -> String {
        let token = self.access_token().await;
        let answer: Value = self
            .http
            .post(format!(
                "{}/services/data/v64.0/sobjects/{object}",
                self.base
            ))
            .bearer_auth(&token)
            .json(fields)
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("create json");
        answer["id"]
            .as_str()
            .unwrap_or_else(|| panic!("created: {answer}"))
            .to_owned()
    }

    /// The files published to a case.
    pub async fn case_files(&self, case_id: &str) -> Vec<Value> {
        self.query(&format!(
            "SELECT Id, Checksum, PathOnClient, Title FROM ContentVersion \
             WHERE FirstPublishLocationId = '{case_id}'"
        ))
        .await
    }

    /// The bytes of a file (a `ContentVersion`) as the org received them.
    pub async fn file_bytes(&self, version_id: &str) -> Vec<u8> {
        let token = self.access_token().await;
        let response = self
            .http
            .get(format!(
                "{}/services/data/v64.0/sobjects/ContentVersion/{version_id}/VersionData",
                self.base
            ))
            .bearer_auth(&token)
            .send()
            .await
            .expect("VersionData");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("file bytes").to_vec()
    }
}

/// A fieldcase configured for a fresh demo org (not yet connected), with
/// quick retries, and `extra` settings.
pub async fn spawn_app_with_org(extra: &[&str]) -> (TestApp, TestOrg) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let org = spawn_org(&[format!("http://127.0.0.1:{port}/admin/salesforce/callback")]).await;
    let key = fieldcase_server::salesforce::SecretKey::generate_base64();
    let mut args = vec![
        "--salesforce-login-url",
        org.base.as_str(),
        "--salesforce-client-id",
        ORG_CLIENT_ID,
        "--salesforce-client-secret",
        ORG_CLIENT_SECRET,
        "--secret-key",
        key.as_str(),
        "--write-retry-base-ms",
        "5",
        "--write-retry-max-ms",
        "40",
        "--write-poll-ms",
        "50",
        "--salesforce-timeout-secs",
        "10",
    ];
    // A setting the test gives replaces the default (clap refuses one twice).
    let mut i = 0;
    while i < args.len() {
        if extra.contains(&args[i]) {
            args.drain(i..i + 2);
        } else {
            i += 2;
        }
    }
    args.extend_from_slice(extra);
    let app = spawn_app_on(listener, &args).await;
    (app, org)
}

/// A fresh key, for settings that need one.
pub fn secret_key() -> String {
    fieldcase_server::salesforce::SecretKey::generate_base64()
}

fn fake_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dist dir");
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.path().join(name), bytes).expect("write dist file")
    };
    write("index.html", INDEX_HTML.as_bytes());
    write(
        "fieldcase-app-0123456789abcdef.js",
        "export default function init() {}\n".repeat(40).as_bytes(),
    );
    write("fieldcase-app-0123456789abcdef_bg.wasm", &[0u8; 2048]);
    write("main-5a7c1e2f3b4d6e80.css", b"body { margin: 0; }\n");
    write("manifest.json", br#"{"name":"fieldcase"}"#);
    dir
}

impl TestApp {
    /// A second instance of the server on this one's data directory (as
    /// several instances share one database); its address.
    pub async fn another_instance(&self, extra: &[&str]) -> String {
        start_on(self.data(), extra)
            .await
            .expect("the second instance starts")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The demo asset's link token, by asset name.
    pub fn token(&self, name: &str) -> String {
        self.links
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("no demo asset named {name}"))
            .token
            .clone()
    }

    /// The feed pump's token: the asset most tests use.
    pub fn pump(&self) -> String {
        self.token("Feed pump P-12")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn upload(
        &self,
        token: &str,
        bytes: Vec<u8>,
        file_name: &str,
        mime: &str,
    ) -> reqwest::Response {
        let part = Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime)
            .expect("mime");
        self.client
            .post(self.url(&format!("/api/v1/assets/{token}/photos")))
            .multipart(Form::new().part("photo", part))
            .send()
            .await
            .expect("POST photo")
    }

    /// Upload a small real PNG under `token`; returns its SHA-256.
    pub async fn uploaded_photo(&self, token: &str) -> String {
        let response = self
            .upload(token, png(32, 24), "pump.png", "image/png")
            .await;
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.expect("receipt");
        receipt["sha256"].as_str().expect("sha256").to_owned()
    }

    pub async fn put_intake(&self, id: Uuid, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/api/v1/intakes/{id}")))
            .json(body)
            .send()
            .await
            .expect("PUT intake")
    }

    pub async fn intake_count(&self) -> usize {
        self.store.list_intakes().await.expect("list intakes").len()
    }

    pub fn data(&self) -> &Path {
        self.data_dir.path()
    }

    /// Connect to the configured org through the real authorization-code
    /// flow, doing the browser's part as the demo user.
    pub async fn connect_salesforce(&self) {
        fieldcase_server::salesforce::demo_connect::run(
            &self.address,
            (DEMO_ADMIN_EMAIL, DEMO_STAFF_PASSWORD),
            ORG_USERNAME,
            ORG_PASSWORD,
        )
        .await
        .expect("connected through the authorization-code flow");
    }

    /// The demo dispatcher, signed in (once per test app).
    pub async fn dispatcher(&self) -> StaffSession {
        self.dispatcher_session
            .get_or_init(|| sign_in_at(&self.address, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD))
            .await
            .clone()
    }

    /// The demo admin, signed in (once per test app).
    pub async fn admin(&self) -> StaffSession {
        self.admin_session
            .get_or_init(|| sign_in_at(&self.address, DEMO_ADMIN_EMAIL, DEMO_STAFF_PASSWORD))
            .await
            .clone()
    }

    /// A dispatcher approves the intake at its current revision.
    pub async fn approve(&self, id: Uuid) {
        approve_as(&self.dispatcher().await, id).await;
    }

    /// `GET /api/v1/admin/salesforce`, as the demo admin.
    pub async fn salesforce_status(&self) -> Value {
        self.admin()
            .await
            .get_json("/api/v1/admin/salesforce")
            .await
    }

    /// Upload `n` different photos under `token`; their SHA-256s.
    pub async fn uploaded_photos(&self, token: &str, n: u32) -> Vec<String> {
        let mut photos = Vec::new();
        for i in 0..n {
            let response = self
                .upload(token, png(20 + i, 16 + i), "photo.png", "image/png")
                .await;
            assert_eq!(response.status(), 201);
            let receipt: Value = response.json().await.expect("receipt");
            photos.push(receipt["sha256"].as_str().expect("sha256").to_owned());
        }
        photos
    }

    /// Submit an intake for the feed pump with `n` photos; its id.
    pub async fn submit_with_photos(&self, n: u32) -> Uuid {
        let token = self.pump();
        let photos = self.uploaded_photos(&token, n).await;
        let id = Uuid::now_v7();
        let response = self.put_intake(id, &submission(id, &token, &photos)).await;
        assert_eq!(response.status(), 201);
        id
    }

    /// [`Self::submit_with_photos`], then a dispatcher approves it.
    pub async fn submit_and_approve(&self, n: u32) -> Uuid {
        let id = self.submit_with_photos(n).await;
        self.approve(id).await;
        id
    }

    /// The intake's receipt once its status is `status` (panics after 20 s).
    /// The intake was submitted through the feed pump's link.
    pub async fn wait_for_status(&self, id: Uuid, status: &str) -> Value {
        wait_for_receipt(&self.client, &self.address, &self.pump(), id, status).await
    }

    /// The receipt of an intake submitted through the feed pump's link, as
    /// the technician reads it.
    pub async fn receipt(&self, id: Uuid) -> Value {
        let response = self.get(&receipt_path(&self.pump(), id)).await;
        assert_eq!(response.status(), 200, "the receipt of {id}");
        body_json(response).await
    }
}

/// The demo staff (seeded by `--demo`).
pub use fieldcase_server::demo::{DEMO_ADMIN_EMAIL, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD};

/// A signed-in staff member's browser, as far as the API sees it: the
/// session cookie, and the server's own origin on every request.
#[derive(Clone)]
pub struct StaffSession {
    pub client: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub origin: String,
}

impl StaffSession {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie)
            .header(reqwest::header::ORIGIN, &self.origin)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        body_json(response).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.request(method, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    /// The intake as the console shows it.
    pub async fn intake(&self, id: Uuid) -> Value {
        self.get_json(&format!("/api/v1/console/intakes/{id}"))
            .await
    }
}

/// Sign in at `base`; panics unless it works.
pub async fn sign_in_at(base: &str, email: &str, password: &str) -> StaffSession {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.trim_end_matches('/').to_owned();
    let response = client
        .post(format!("{base}/api/v1/session"))
        .header(reqwest::header::ORIGIN, &origin)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 200, "signing in as {email}");
    let cookie = session_cookie(&response).expect("a session cookie");
    StaffSession {
        client,
        base: base.to_owned(),
        cookie,
        origin,
    }
}

/// `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fieldcase_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// The demo dispatcher approves intake `id` at its current revision.
pub async fn approve_at(base: &str, id: Uuid) {
    approve_as(
        &sign_in_at(base, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await,
        id,
    )
    .await;
}

/// `staff` approves intake `id` at its current revision.
pub async fn approve_as(staff: &StaffSession, id: Uuid) {
    let intake = staff.intake(id).await;
    let response = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/approve"),
            &json!({ "revision": intake["revision"] }),
        )
        .await;
    assert_eq!(response.status(), 200, "approving {id}");
}

/// Where the technician reads an intake's receipt: through its asset's link.
pub fn receipt_path(token: &str, id: Uuid) -> String {
    format!("/api/v1/assets/{token}/intakes/{id}/receipt")
}

/// Poll the receipt of intake `id` (submitted through `token`) at `address`
/// until its status is `status`.
pub async fn wait_for_receipt(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    id: Uuid,
    status: &str,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut last = Value::Null;
    while std::time::Instant::now() < deadline {
        if let Ok(response) = client
            .get(format!("{address}{}", receipt_path(token, id)))
            .send()
            .await
            && let Ok(receipt) = response.json::<Value>().await
        {
            if receipt["status"] == status {
                return receipt;
            }
            last = receipt;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("intake {id} never reached {status}; last receipt: {last:#}");
}

/// Poll `check` until it is true (panics after 20 s).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

/// A valid submission for `token` with the given photos.
pub fn submission(id: Uuid, token: &str, photos: &[String]) -> Value {
    json!({
        "id": id,
        "asset_token": token,
        "notes": "Pump P-12 leaking at the mechanical seal, pressure 3.2 bar. Error E-42.",
        "fields": {
            "Subject": "Feed pump P-12 leaking at seal",
            "Description": "Pump P-12 leaking at the mechanical seal, pressure 3.2 bar. Error E-42.",
            "Priority": "High",
            "Type": "Mechanical",
            "Error_Code__c": "E-42",
            "SuppliedName": "Dana Okafor",
            "SuppliedEmail": "dana@example.com"
        },
        "technician": { "name": "Dana Okafor", "email": "dana@example.com" },
        "photos": photos,
    })
}

/// The entry of a list of fields (`[{"field": …}, …]`) for `name`.
pub fn field_named<'a>(fields: &'a Value, name: &str) -> Option<&'a Value> {
    fields.as_array()?.iter().find(|f| f["field"] == name)
}

pub async fn body_json(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Png)
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Jpeg)
}

fn encode(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, ((x + y) * 7) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

/// A tiny PNG whose header claims `width`×`height` pixels.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let real = png(1, 1);
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = real[..8].to_vec();
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32(&ihdr).to_be_bytes());
    out.extend(&real[33..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Assert the one error shape: `{code, message[, fields]}` and nothing else.
pub fn assert_api_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body:#}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.len() > 10),
        "a message that says what to fix: {body:#}"
    );
    let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert!(
        keys.iter()
            .all(|k| ["code", "message", "fields"].contains(&k.as_str())),
        "only code, message and fields: {body:#}"
    );
}
