//! Crashes on the write path: the real `fieldcase` binary, killed at each
//! failpoint (`FIELDCASE_FAILPOINT`, which aborts the process) and by a real
//! SIGKILL at random moments, then restarted on the same data dir. Whatever
//! the moment: exactly one case in the demo org, each photo exactly once.
//!
//! Also, all deterministic (failpoints, pauses, the org's latency): two
//! server processes on one data dir whose first writer stalls past its lease
//! (one case, each photo once, the stalled writer records nothing); a crash
//! just before and just after the submission's transaction (one intake, the
//! same receipt, nothing half-written); a crash after each hand-off is sent
//! and before it is recorded (sent again once, with the same delivery id;
//! never after it is recorded).

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
        Server::start_with(data, org, key, failpoint, run, &[])
    }

    /// [`Server::start`] with more settings; `--write-lease-secs` given
    /// replaces the default of 2.
    fn start_with(
        data: &Path,
        org: &TestOrg,
        key: &str,
        failpoint: Option<&str>,
        run: u32,
        extra: &[&str],
    ) -> Server {
        let lease = if extra.contains(&"--write-lease-secs") {
            &[][..]
        } else {
            &["--write-lease-secs", "2"][..]
        };
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
            .args(lease)
            .args(["--write-poll-ms", "100"])
            .args(extra)
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

/// The shared database, opened beside the servers (SQLite in WAL mode takes
/// readers and writers from several processes).
/// The servers' store, opened with their `--secret-key`.
async fn open_store(data: &Path, key: &str) -> fieldcase_server::store::Store {
    let url = format!("sqlite://{}", data.join("fieldcase.db").to_string_lossy());
    let key = fieldcase_server::salesforce::SecretKey::from_base64(key).unwrap();
    fieldcase_server::store::Store::connect(&url, key)
        .await
        .unwrap()
}

/// The kinds of the intake's audit events, in order.
async fn event_kinds(store: &fieldcase_server::store::Store, id: Uuid) -> Vec<String> {
    store
        .intake_events(&id.into())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// Wait until `log` (a server's stderr) says `what`.
async fn logged(log: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::fs::read_to_string(log).is_ok_and(|text| text.contains(what)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{} never said {what:?}:\n{text}", log.display());
}

/// Two `fieldcase serve` processes — two real writers, each with its own
/// write worker — on one data dir (one SQLite database in WAL mode) and one
/// org, with 1 s leases. The first is stalled (`heartbeat:10000`: its lease
/// is not renewed for 10 s) while Salesforce answers slowly, so its lease runs
/// out mid-write and the second takes the job over. `extra_failpoint` stalls
/// it further on.
async fn two_writers(latency_ms: u64, extra_failpoint: &str) -> (Value, Value, String) {
    let org = spawn_org(&[]).await;
    org.faults(serde_json::json!({ "latency_ms": latency_ms }))
        .await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();
    let lease = ["--write-lease-secs", "1"];

    let failpoints = format!("heartbeat:10000{extra_failpoint}");
    let first = Server::start_with(data.path(), &org, &key, Some(&failpoints), 1, &lease);
    connect(&client, &first).await;
    let token = pump_token(data.path());
    let photos = upload_photos(&client, &first, &token, 7).await;
    let id = Uuid::now_v7();
    assert_eq!(
        put(&client, &first, id, &submission(id, &token, &photos)).await,
        Some(201)
    );
    approve_at(&first.address, id).await;
    // The first has leased the job before the second exists.
    wait_for_receipt(&client, &first.address, &token, id, "writing").await;
    let leased = Instant::now();
    let second = Server::start_with(data.path(), &org, &key, None, 2, &lease);
    let started = leased.elapsed();
    let receipt = wait_for_receipt(&client, &second.address, &token, id, "written").await;
    println!(
        "the second writer started {started:?} and the case was recorded {:?} after the first \
         leased the job",
        leased.elapsed()
    );
    // The checks below read the org through its API: no need to wait.
    org.faults(serde_json::json!({ "latency_ms": 0 })).await;
    assert_exactly_once(&org, &receipt, 2).await;
    // The first process finishes its attempt — fenced — while still alive.
    let log = data.path().join("server-1.log");
    logged(&log, "lease lost before").await;
    let stats = org.stats().await;
    assert_eq!(
        (stats["cases"].as_u64(), stats["content_versions"].as_u64()),
        (Some(1), Some(2)),
        "{stats}"
    );
    assert_eq!(
        stats["calls_by_route"]["POST /composite/sobjects"], 1,
        "the photos were uploaded by one writer only: {stats}"
    );

    let store = open_store(data.path(), &key).await;
    let events = store.intake_events(&id.into()).await.unwrap();
    let written: Vec<_> = events.iter().filter(|e| e.kind == "written").collect();
    assert_eq!(written.len(), 1, "recorded once: {events:#?}");
    let (state, attempts, _) = store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state, attempts),
        (fieldcase_server::store::WriteJobState::Done, 0),
        "the stalled writer recorded no failure either"
    );
    let again = wait_for_receipt(&client, &first.address, &token, id, "written").await;
    assert_eq!(again["case_number"], receipt["case_number"]);
    let text = std::fs::read_to_string(&log).unwrap();
    (receipt, written[0].detail.clone(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_whose_lease_ran_out_mid_write_uploads_nothing_the_new_holder_uploads() {
    // Each call takes 2 s, longer than the lease: the first writer's
    // upsert answers after the second has taken the job, so the fence before
    // the upload stops the first (or, if the second is slower to start, the
    // first uploads under a renewed lease and the second finds the files).
    let (_, detail, log) = two_writers(2_000, "").await;
    assert!(
        log.contains("lease lost before uploading") || log.contains("lease lost before recording"),
        "{log}"
    );
    assert_eq!(
        detail["case_id"].as_str().map(str::len),
        Some(18),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_whose_lease_ran_out_before_recording_records_nothing() {
    // The first writer writes everything, then stalls 6 s before recording:
    // the second takes the job over, finds the case and both files, records
    // them; the first's record is refused by the fence.
    let (_, detail, log) = two_writers(0, ",before_record:6000").await;
    assert!(log.contains("lease lost before recording"), "{log}");
    assert_eq!(
        (
            detail["photos_uploaded"].as_u64(),
            detail["photos_already_there"].as_u64()
        ),
        (Some(0), Some(2)),
        "the second writer's record, not the first's: {detail}"
    );
}

/// Crash at `failpoint` inside the submission; the app, having heard
/// nothing, sends the same PUT again to the restarted server.
async fn crash_submitting(failpoint: &str) -> (Uuid, Value, fieldcase_server::store::Store) {
    let org = spawn_org(&[]).await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();
    let mut first = Server::start(data.path(), &org, &key, Some(failpoint), 1);
    let token = pump_token(data.path());
    let photos = upload_photos(&client, &first, &token, 9).await;
    let id = Uuid::now_v7();
    let body = submission(id, &token, &photos);
    assert_eq!(
        put(&client, &first, id, &body).await,
        None,
        "the server died before answering"
    );
    first.exited().await;

    let second = Server::start(data.path(), &org, &key, None, 2);
    let store = open_store(data.path(), &key).await;
    let before = store.intake(&id.into()).await.unwrap();
    let kinds_before = event_kinds(&store, id).await;
    let answer = client
        .put(second.url(&format!("/api/v1/intakes/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let receipt: Value = answer.json().await.unwrap();
    let replay: Value = client
        .put(second.url(&format!("/api/v1/intakes/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in ["id", "reference", "status", "submitted_at", "photo_count"] {
        assert_eq!(
            replay[field], receipt[field],
            "the same receipt again: {field}"
        );
    }
    assert_eq!(replay["replayed"], true);
    assert_eq!(receipt["status"], "submitted");
    assert_eq!(receipt["photo_count"], 2, "nothing lost: {receipt}");
    assert_eq!(
        event_kinds(&store, id)
            .await
            .iter()
            .filter(|k| *k == "submitted")
            .count(),
        1
    );
    let summary = serde_json::json!({
        "status": status,
        "stored_before": before.is_some(),
        "events_before": kinds_before,
    });
    drop(second);
    (id, summary, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_the_submission_commits_leaves_nothing_and_the_retry_makes_one_intake() {
    let (id, summary, store) = crash_submitting("before_submit_commit").await;
    assert_eq!(
        summary,
        serde_json::json!({"status": 201, "stored_before": false, "events_before": []}),
        "nothing half-written: no intake, no event; the retry made it"
    );
    assert!(
        store
            .write_job_state(&id.to_string())
            .await
            .unwrap()
            .is_none(),
        "no job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_the_submission_commits_answers_the_retry_from_the_store() {
    let (id, summary, store) = crash_submitting("after_submit_commit").await;
    assert_eq!(summary["status"], 200, "already stored: {summary}");
    assert_eq!(summary["stored_before"], true);
    assert_eq!(
        summary["events_before"],
        serde_json::json!(["submitted", "structured"]),
        "all of it"
    );
    assert!(
        store
            .write_job_state(&id.to_string())
            .await
            .unwrap()
            .is_none(),
        "no job before approval"
    );
}

/// A hand-off's delivery crashes after sending and before recording it
/// delivered: the restarted server sends it again with the same delivery
/// id (at least once, deduplicable by the receiver); once recorded, never
/// again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_a_hand_off_is_sent_resends_it_once_with_the_same_delivery_id() {
    use crate::handoff::{Hooks, SECRET, SmtpSink, hook};
    use fieldcase_server::store::DeliveryState;
    use std::sync::{Arc, Mutex};

    let smtp = SmtpSink::start();
    let hooks = Arc::new(Mutex::new(Hooks::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/cases", listener.local_addr().unwrap());
    let receiver = axum::Router::new()
        .route("/cases", axum::routing::post(hook))
        .with_state(hooks.clone());
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        serde_json::json!({"routes": [
            {"name": "safety-team", "when": [{"field": "Safety_Hazard__c", "equals": true}],
             "email": ["safety@example.com"]},
            {"name": "everything", "webhook": {"url": hook_url, "secret_env": "FIELDCASE_WEBHOOK_SECRET"}}
        ]})
        .to_string(),
    )
    .unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::write(&secrets, format!("FIELDCASE_WEBHOOK_SECRET={SECRET}\n")).unwrap();
    let port = smtp.port.to_string();
    let handoff = [
        "--handoff-rules",
        rules.to_str().unwrap(),
        "--handoff-secrets-file",
        secrets.to_str().unwrap(),
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--handoff-retry-base-ms",
        "5",
        "--handoff-retry-max-ms",
        "20",
        "--handoff-poll-ms",
        "50",
    ];

    let org = spawn_org(&[]).await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();
    let posted = || hooks.lock().unwrap().received.len();

    // 1. The webhook (first in key order) is posted, then the server dies.
    let mut first = Server::start_with(
        data.path(),
        &org,
        &key,
        Some("after_handoff_sent_webhook"),
        1,
        &handoff,
    );
    connect(&client, &first).await;
    let token = pump_token(data.path());
    let photos = upload_photos(&client, &first, &token, 11).await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &token, &photos);
    body["fields"]["Safety_Hazard__c"] = serde_json::json!(true);
    assert_eq!(put(&client, &first, id, &body).await, Some(201));
    approve_at(&first.address, id).await;
    first.exited().await;
    assert_eq!((posted(), smtp.messages().len()), (1, 0));

    // 2. The email is sent, then the server dies.
    let mut second = Server::start_with(
        data.path(),
        &org,
        &key,
        Some("after_handoff_sent_email"),
        2,
        &handoff,
    );
    second.exited().await;
    assert_eq!(smtp.messages().len(), 1);

    // 3. Each is sent again once its lease runs out, and recorded.
    let third = Server::start_with(data.path(), &org, &key, None, 3, &handoff);
    let store = open_store(data.path(), &key).await;
    let delivered = || {
        let store = store.clone();
        async move {
            let d = store.deliveries(&id.to_string()).await.unwrap();
            d.len() == 2
                && d.iter()
                    .all(|(_, state, _)| *state == DeliveryState::Delivered)
        }
    };
    crate::helpers::eventually("both deliveries recorded", delivered).await;
    drop(third);
    // 4. A restart after recording sends nothing.
    let fourth = Server::start_with(data.path(), &org, &key, None, 4, &handoff);
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(fourth);

    let received = hooks.lock().unwrap().received.clone();
    assert_eq!(
        received.len(),
        2,
        "posted twice: the crashed attempt and the retry"
    );
    let ids: Vec<_> = received
        .iter()
        .map(|(h, _)| h[fieldcase_handoff::webhook::DELIVERY_HEADER].clone())
        .collect();
    assert_eq!(ids[0], ids[1], "with one delivery id to dedupe on");
    let emails = smtp.messages();
    assert_eq!(emails.len(), 2, "emailed twice: {emails:#?}");
    assert_eq!(emails[0]["message_id"], emails[1]["message_id"]);
    assert_eq!(emails[0]["delivery_id"], emails[1]["delivery_id"]);
    assert!(
        emails[0]["delivery_id"]
            .as_str()
            .is_some_and(|d| d.len() == 32),
        "{emails:#?}"
    );
    let kinds = event_kinds(&store, id).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "handoff_delivered").count(),
        2,
        "each recorded delivered once: {kinds:?}"
    );
    let deliveries = store.deliveries(&id.to_string()).await.unwrap();
    assert!(
        deliveries.iter().all(|(_, _, attempts)| *attempts == 0),
        "a crash is no failed attempt: {deliveries:?}"
    );
}

/// Not a crash: the real binary's log (issue 9). An intake whose notes hold
/// a card number and an e-mail address is submitted, shown to a dispatcher,
/// redacted, approved and written; neither value is ever in the log.
#[tokio::test]
async fn the_servers_log_never_holds_the_personal_data_it_handled() {
    let org = spawn_org(&[]).await;
    let data = tempfile::tempdir().unwrap();
    let key = secret_key();
    let client = client();
    let server = Server::start(data.path(), &org, &key, None, 1);
    connect(&client, &server).await;
    let token = pump_token(data.path());
    let (card, email) = ("4111 1111 1111 1111", "ann.lee@northwind.example");
    let notes = format!("Seal leaking, 3.2 bar. Cust paid with card {card}, receipt to {email}.");
    let id = Uuid::now_v7();
    let mut body = submission(id, &token, &[]);
    body["notes"] = serde_json::json!(notes);
    body["fields"]["Description"] = serde_json::json!(notes);
    assert_eq!(put(&client, &server, id, &body).await, Some(201));
    let staff = sign_in_at(&server.address, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await;
    assert_eq!(staff.intake(id).await["pii"].as_array().unwrap().len(), 4);
    let redacted = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/redact"),
            &serde_json::json!({ "revision": 1, "all": true }),
        )
        .await;
    assert_eq!(redacted.status(), 200);
    approve_at(&server.address, id).await;
    wait_for_receipt(&client, &server.address, &token, id, "written").await;
    drop(server);
    let log = std::fs::read_to_string(data.path().join("server-1.log")).unwrap();
    assert!(log.contains("personal data redacted"), "{log}");
    assert!(log.contains("intake submitted for review"), "{log}");
    for value in [card, "4111111111111111", email, "northwind.example"] {
        assert!(!log.contains(value), "{value} is in the log:\n{log}");
    }
}
