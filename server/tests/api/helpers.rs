//! `spawn_app()` and the small things every test needs.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::Path;

use clap::Parser;
use fieldcase_server::config::Config;
use fieldcase_server::demo::DemoLink;
use fieldcase_server::startup::Application;
use fieldcase_server::store::Store;
use image::ImageFormat;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

/// A Trunk-like `index.html`: the app boots from an inline module script.
pub const INDEX_HTML: &str = r#"<!DOCTYPE html><html lang="en"><head>
<meta charset="utf-8"><title>fieldcase</title>
<link rel="stylesheet" href="/main-5a7c1e2f3b4d6e80.css">
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
}

/// A server with the demo assets, default limits and a fake built app.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// [`spawn_app`] with extra command-line settings, e.g. `["--max-photo-bytes", "1000"]`.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
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
    let app = Application::build(&config).await.expect("the app starts");
    let address = format!("http://{}", app.local_addr());
    let store = app.store().clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let links_json = std::fs::read(data_dir.path().join("demo-links.json")).expect("demo links");
    let links: Vec<DemoLink> = serde_json::from_slice(&links_json).expect("demo links parse");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        store,
        links,
        data_dir,
        dist_dir,
    }
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
