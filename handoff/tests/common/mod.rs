//! Real servers on loopback for the hand-off tests: an SMTP server process
//! (aiosmtpd, `smtp_sink.py`) and an in-process webhook receiver (axum) that
//! checks signatures with the crate's own `verify_signature`.

#![allow(dead_code)] // each test binary uses part of this

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use fieldcase_core::FieldValue;
use fieldcase_handoff::webhook::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, unix_now};
use fieldcase_handoff::{CaseSummary, SignatureError, verify_signature};
use uuid::Uuid;

pub const SECRET: &str = "test-secret-0123456789abcdef0123456789";

pub fn summary() -> CaseSummary {
    let mut fields = BTreeMap::new();
    for (k, v) in [
        (
            "Subject",
            FieldValue::text("Feed pump P-12: leaking at seal"),
        ),
        ("Priority", FieldValue::text("High")),
        ("Type", FieldValue::text("Mechanical")),
        ("Safety_Hazard__c", FieldValue::Bool(true)),
        ("Error_Code__c", FieldValue::text("E-42")),
        (
            "Description",
            FieldValue::text("Leaking at the seal.\nNeeds a new seal kit."),
        ),
    ] {
        fields.insert(k.to_owned(), v);
    }
    CaseSummary {
        intake_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042),
        reference: "FC-7K3M-9QXD".into(),
        case_number: "00001001".into(),
        case_id: "500000000000001AAA".into(),
        case_url: "https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view"
            .into(),
        asset_name: "Feed pump P-12".into(),
        account_name: "Northwind Foods".into(),
        priority: "High".into(),
        subject: "Feed pump P-12: leaking at seal".into(),
        photo_count: 3,
        escalation: Vec::new(),
        fields,
    }
}

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

// ---------------------------------------------------------------- SMTP ----

/// The aiosmtpd server process; killed when dropped (and it exits by itself
/// when our end of its stdin closes).
pub struct SmtpSink {
    child: Child,
    _stdin: ChildStdin,
    pub port: u16,
    dir: tempfile::TempDir,
}

const INSTALL: &str = "the SMTP tests need Python 3 with aiosmtpd: run \
    `python3 -m pip install aiosmtpd` (or set FIELDCASE_SKIP_SMTP_TESTS=1 to skip them explicitly)";

impl SmtpSink {
    /// Start the server, or `None` when FIELDCASE_SKIP_SMTP_TESTS=1. Panics
    /// (failing the test) with install instructions if it cannot start.
    pub fn start() -> Option<SmtpSink> {
        if std::env::var("FIELDCASE_SKIP_SMTP_TESTS").as_deref() == Ok("1") {
            eprintln!("FIELDCASE_SKIP_SMTP_TESTS=1: skipping a test against a real SMTP server");
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let dir = tempfile::tempdir().unwrap();
        // `scripts/test` points FIELDCASE_PYTHON at its venv of test peers.
        let python = std::env::var("FIELDCASE_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e}); {INSTALL}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let line = line.trim();
        let Some(port) = line.strip_prefix("READY ").and_then(|p| p.parse().ok()) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the SMTP server did not start (it said {line:?}); {INSTALL}");
        };
        Some(SmtpSink {
            child,
            _stdin: stdin,
            port,
            dir,
        })
    }

    /// Every message received so far, in order, as the sink parsed it.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut emls: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        emls.sort();
        emls.iter()
            .map(|p| {
                let json = std::fs::read_to_string(p.with_extension("json")).unwrap();
                serde_json::from_str(&json).unwrap()
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------- webhook ----

/// What the receiver answers to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
    pub retry_after: Option<String>,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            delay: Duration::ZERO,
            retry_after: None,
        }
    }
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub delivery_id: Option<String>,
    pub content_type: Option<String>,
    pub verified: Result<(), SignatureError>,
    pub body: Bytes,
}

#[derive(Default)]
struct ReceiverState {
    script: VecDeque<Reply>,
    received: Vec<Received>,
}

#[derive(Clone)]
struct Shared {
    secret: Vec<u8>,
    state: Arc<Mutex<ReceiverState>>,
}

/// A webhook receiver on 127.0.0.1: verifies each request's signature
/// (401 when it fails), records it, then answers the next scripted reply
/// (200 when the script is empty).
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(secret: &str) -> Receiver {
        let shared = Shared {
            secret: secret.as_bytes().to_vec(),
            state: Arc::default(),
        };
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.state.lock().unwrap().script.extend(replies);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.state.lock().unwrap().received.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let verified = verify_signature(
        &shared.secret,
        &header(TIMESTAMP_HEADER).unwrap_or_default(),
        &body,
        &header(SIGNATURE_HEADER).unwrap_or_default(),
        unix_now(),
        Duration::from_secs(300),
    );
    let reply = {
        let mut state = shared.state.lock().unwrap();
        state.received.push(Received {
            delivery_id: header(DELIVERY_HEADER),
            content_type: header("content-type"),
            verified,
            body,
        });
        if verified.is_err() {
            None
        } else {
            Some(state.script.pop_front().unwrap_or(Reply::status(200)))
        }
    };
    let Some(reply) = reply else {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = StatusCode::from_u16(reply.status).unwrap().into_response();
    if let Some(ra) = reply.retry_after {
        response
            .headers_mut()
            .insert("retry-after", ra.parse().unwrap());
    }
    response
}
