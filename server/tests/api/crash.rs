//! Crashes on the write path: the real `fieldcase` binary, killed at each
//! failpoint (`FIELDCASE_FAILPOINT`, which aborts the process) and by a real
//! SIGKILL at random moments, then restarted on the same data dir. Whatever
//! the moment: exactly one case in the demo org, each photo exactly once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use fieldcase_server::demo::DemoLink;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{
    DEMO_ADMIN_EMAIL, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, ORG_CLIENT_ID, ORG_CLIENT_SECRET,
    TestOrg, approve_at, png, secret_key, sign_in_at, spawn_org, submission, wait_for_receipt,
};

/// A `fieldcase serve` child process; killed (SIGKILL) when dropped.
struct Server {
    process: std::process::Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Server {
    fn start(data: &Path, org: &TestOrg, key: &str, failpoint: Option<&str>, run: u32) -> Server {
        let log = std::fs::File::create(data.join(format!("server-{run}.log"))).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_fieldcase"));
        command
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--demo", "--data-dir"])
            .arg(data)
            .arg("--dist")
            .arg(data.join("no-app"))
            .args(["--salesforce-login-url", &org.base])
            .args(["--salesforce-client-id", ORG_CLIENT_ID])
            .args(["--salesforce-client-secret", ORG_CLIENT_SECRET])
            .args(["--secret-key", key])
            .args(["--write-retry-base-ms", "20", "--write-retry-max-ms", "200"])
            .args(["--write-lease-secs", "2", "--write-poll-ms", "100"])
            .env_remove("FIELDCASE_DATABASE_URL")
            .env_remove("FIELDCASE_SCHEMA")
            .env_remove("FIELDCASE_FAILPOINT")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(point) = failpoint {
            command.env("FIELDCASE_FAILPOINT", point);
        }
        let mut process = command.spawn().expect("fieldcase starts");
        let stdout = process.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("fieldcase listening on ") {
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("fieldcase says where it listens");
        Server { process, address }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Wait for the process to end by itself.
    async fn exited(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.process.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("fieldcase did not crash at its failpoint");
    }

    /// `kill -9`.
    fn kill(&mut self) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn pump_token(data: &Path) -> String {
    let links: Vec<DemoLink> =
        serde_json::from_slice(&std::fs::read(data.join("demo-links.json")).unwrap()).unwrap();
    links
        .into_iter()
        .find(|l| l.name == "Feed pump P-12")
        .unwrap()
        .token
}

async fn connect(_client: &reqwest::Client, server: &Server) {
    let admin = sign_in_at(&server.address, DEMO_ADMIN_EMAIL, DEMO_STAFF_PASSWORD).await;
    let response = admin
        .request(
            reqwest::Method::POST,
            "/admin/salesforce/connect-client-credentials",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

async fn upload_photos(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    seed: u32,
) -> Vec<String> {
    let mut photos = Vec::new();
    for i in 0..2 {
        let part = reqwest::multipart::Part::bytes(png(20 + seed * 2 + i, 16 + i))
            .file_name("photo.png")
            .mime_str("image/png")
            .unwrap();
        let response = client
            .post(server.url(&format!("/api/v1/assets/{token}/photos")))
            .multipart(reqwest::multipart::Form::new().part("photo", part))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let receipt: Value = response.json().await.unwrap();
        photos.push(receipt["sha256"].as_str().unwrap().to_owned());
    }
    photos
}

/// PUT the intake; the answer may be lost if the server dies first.
async fn put(client: &reqwest::Client, server: &Server, id: Uuid, body: &Value) -> Option<u16> {
    client
        .put(server.url(&format!("/api/v1/intakes/{id}")))
        .json(body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// One case for the intake, with exactly its photos, each once.
async fn assert_exactly_once(org: &TestOrg, receipt: &Value, photos: usize) {
    let case_id = receipt["case_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let id = receipt["id"].as_str().unwrap();
    let cases = org
        .query(&format!("SELECT Id FROM Case WHERE Intake_Key__c = '{id}'"))
        .await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    let files = org.case_files(case_id).await;
    let mut checksums: Vec<&str> = files
        .iter()
        .map(|f| f["Checksum"].as_str().unwrap())
        .collect();
    checksums.sort_unstable();
    checksums.dedup();
    assert_eq!(files.len(), photos, "{files:#?}");
    assert_eq!(checksums.len(), photos, "each photo once: {files:#?}");
}

// The tests are multi-threaded: they block briefly (starting a server) while
// the org in this process may be answering it.

/// Crash at `failpoint` while writing an intake with two photos; restart.
async fn crash_at(failpoint: &str, files_at_crash: u64) {
    let org = spawn_org(&[]).await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();

    let mut first = Server::start(data.path(), &org, &key, Some(failpoint), 1);
    connect(&client, &first).await;
    let token = pump_token(data.path());
    let photos = upload_photos(&client, &first, &token, 0).await;
    let id = Uuid::now_v7();
    let body = submission(id, &token, &photos);
    put(&client, &first, id, &body).await;
    // The write starts as soon as the approval commits, so the failpoint may
    // end the server before the approval's answer is sent.
    let dispatcher = sign_in_at(&first.address, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await;
    let _ = dispatcher
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/console/intakes/{id}/approve"),
        )
        .json(&serde_json::json!({ "revision": 1 }))
        .send()
        .await;

    let status = first.exited().await;
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(6),
            "aborted (SIGABRT) at {failpoint}: {status:?}"
        );
    }
    #[cfg(not(unix))]
    assert!(!status.success());
    let stats = org.stats().await;
    assert_eq!(
        stats["cases"], 1,
        "Salesforce had the case when {failpoint} hit: {stats}"
    );
    assert_eq!(stats["content_versions"], files_at_crash, "{stats}");

    let second = Server::start(data.path(), &org, &key, None, 2);
    let again = put(&client, &second, id, &body).await;
    assert_eq!(again, Some(200), "the intake was stored before the crash");
    let receipt = wait_for_receipt(&client, &second.address, &token, id, "written").await;
    assert_exactly_once(&org, &receipt, 2).await;
    let stats = org.stats().await;
    assert_eq!(
        (stats["cases"].as_u64(), stats["content_versions"].as_u64()),
        (Some(1), Some(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_case_upsert_makes_no_second_case() {
    crash_at("after_case_upsert", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_photos_upload_uploads_nothing_twice() {
    crash_at("after_photos_upload", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_recording_the_case_writes_nothing_twice() {
    crash_at("before_record", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_while_salesforce_is_slow_writes_exactly_once() {
    let org = spawn_org(&[]).await;
    org.faults(serde_json::json!({"latency_ms": 150})).await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();

    let mut server = Server::start(data.path(), &org, &key, None, 0);
    connect(&client, &server).await;
    let token = pump_token(data.path());
    let rounds = 4u32;
    for round in 0..rounds {
        let photos = upload_photos(&client, &server, &token, round + 1).await;
        let id = Uuid::now_v7();
        let body = submission(id, &token, &photos);
        put(&client, &server, id, &body).await;
        approve_at(&server.address, id).await;
        // A write takes two calls of at least 150 ms each: kill somewhere in
        // or around it.
        let after = rand::random_range(0..700u64);
        tokio::time::sleep(Duration::from_millis(after)).await;
        server.kill();
        let at_kill = org.stats().await;
        println!(
            "round {round}: SIGKILL {after} ms after submitting; Salesforce then had {} new \
             case(s) and {} new file(s)",
            at_kill["cases"].as_u64().unwrap() - u64::from(round),
            at_kill["content_versions"].as_u64().unwrap() - u64::from(2 * round),
        );

        server = Server::start(data.path(), &org, &key, None, round + 1);
        let again = put(&client, &server, id, &body).await;
        assert!(matches!(again, Some(200 | 201)), "{again:?}");
        let receipt = wait_for_receipt(&client, &server.address, &token, id, "written").await;
        assert_exactly_once(&org, &receipt, 2).await;
        let stats = org.stats().await;
        assert_eq!(
            stats["cases"].as_u64(),
            Some(u64::from(round + 1)),
            "{stats}"
        );
        assert_eq!(
            stats["content_versions"].as_u64(),
            Some(u64::from(2 * (round + 1))),
            "{stats}"
        );
    }
}
