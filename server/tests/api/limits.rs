//! The server holds under abuse: slow and idle connections are closed,
//! connections and requests in flight are capped, and the asset link's
//! routes are rate-limited — each refusal in the one error shape, with
//! `Retry-After` where waiting helps.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::helpers::{TestApp, assert_api_error, png, spawn_app_with, submission};

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Read whatever the server sends until it closes the connection (or
/// `within` passes: then `None`).
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut got)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = spawn_app_with(&["--header-timeout-secs", "1"]).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Trickle a header byte now and then, as a slowloris client does.
    let trickle = async {
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if stream.write_all(b"X").await.is_err() {
                break;
            }
        }
    };
    trickle.await;
    let closed = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "the connection is closed once the header timeout passes"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_and_a_busy_one_is_not() {
    let app = spawn_app_with(&["--header-timeout-secs", "1"]).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // Then nothing: the server closes the idle connection.
    let closed = read_until_closed(&mut stream, Duration::from_secs(4)).await;
    assert!(closed.is_some(), "an idle keep-alive connection is closed");

    // A client that keeps asking keeps its connection.
    let client = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for _ in 0..4 {
        let r = client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_answered_503_and_closed() {
    let app = spawn_app_with(&["--max-connections-per-address", "2"]).await;
    let _a = TcpStream::connect(host(&app)).await.unwrap();
    let _b = TcpStream::connect(host(&app)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(host(&app)).await.unwrap();
    let answer = read_until_closed(&mut third, Duration::from_secs(3))
        .await
        .expect("answered and closed at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 5"),
        "{answer}"
    );
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_api_error(&body, "busy");

    // Another address is not affected.
    let other = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let r = other.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200, "127.0.0.2 has its own count");

    // Once the two close, the address may connect again.
    drop((_a, _b));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// Start an upload whose body never finishes: it stays in flight.
async fn stalled_upload(app: &TestApp, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(host(app)).await.unwrap();
    let head = format!(
        "POST /api/v1/assets/{token}/photos HTTP/1.1\r\nHost: x\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000\r\n\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

#[tokio::test]
async fn requests_over_the_in_flight_cap_are_answered_503_at_once() {
    let app = spawn_app_with(&["--max-in-flight", "1"]).await;
    let _stalled = stalled_upload(&app, &app.pump()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let response = app.get(&format!("/api/v1/assets/{}", app.pump())).await;
    assert!(started.elapsed() < Duration::from_secs(2), "never queued");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: Value = response.json().await.unwrap();
    assert_api_error(&body, "busy");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Nothing you sent was lost"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_that_stalls_is_dropped_and_a_request_that_crawls_is_stopped() {
    let app = spawn_app_with(&["--body-timeout-secs", "1", "--request-timeout-secs", "2"]).await;
    let mut stalled = stalled_upload(&app, &app.pump()).await;
    let answer = read_until_closed(&mut stalled, Duration::from_secs(5))
        .await
        .expect("the server gives up on a stalled body");
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");

    // A JSON body sent a byte at a time, each within the body timeout,
    // still has to arrive within the whole-request timeout.
    let id = Uuid::now_v7();
    let body = serde_json::to_vec(&submission(id, &app.pump(), &[])).unwrap();
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let head = format!(
        "PUT /api/v1/intakes/{id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let crawl = tokio::spawn(async move {
        for byte in body {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(6), reader.read_to_end(&mut answer)).await;
    crawl.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(app.intake_count().await, 0);
}

#[tokio::test]
async fn uploads_are_limited_per_link_and_per_address_with_a_wait_the_technician_can_read() {
    let app = spawn_app_with(&[
        "--uploads-per-minute",
        "2",
        "--uploads-per-minute-per-address",
        "4",
    ])
    .await;
    let pump = app.pump();
    for i in 0..2 {
        let r = app.upload(&pump, png(8 + i, 8), "a.png", "image/png").await;
        assert_eq!(r.status(), 201);
    }
    let refused = app.upload(&pump, png(20, 8), "a.png", "image/png").await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert_api_error(&body, "too_many_requests");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("this code"), "{message}");
    assert!(message.contains("kept on this phone"), "{message}");

    // Another asset's link has its own count, but this address has made
    // four attempts (refused ones count too).
    let other = app.token("Chiller CH-2");
    let r = app.upload(&other, png(9, 9), "b.png", "image/png").await;
    assert_eq!(r.status(), 201);
    let r = app.upload(&other, png(10, 9), "b.png", "image/png").await;
    assert_eq!(r.status(), 429, "per address");
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("your network"));
}

#[tokio::test]
async fn an_asset_link_has_an_hourly_upload_quota() {
    let app = spawn_app_with(&["--upload-mb-per-hour", "1"]).await;
    let pump = app.pump();
    // About 600 KB each (noise does not compress).
    let noisy = |seed: u32| {
        let img = image::RgbImage::from_fn(460, 460, |x, y| {
            let v = (x * 7919 + y * 104_729 + seed * 31).wrapping_mul(2_654_435_761);
            image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let first = noisy(1);
    assert!(first.len() > 520_000, "{}", first.len());
    assert_eq!(
        app.upload(&pump, first, "a.png", "image/png")
            .await
            .status(),
        201
    );
    let refused = app.upload(&pump, noisy(2), "b.png", "image/png").await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 60, "about half an hour: {wait}");
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("in the last hour"),
        "{body}"
    );
    // Other links are not affected.
    let other = app.token("Chiller CH-2");
    assert_eq!(
        app.upload(&other, noisy(3), "c.png", "image/png")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn submissions_are_limited_per_link() {
    let app = spawn_app_with(&["--submissions-per-minute", "2"]).await;
    let pump = app.pump();
    for _ in 0..2 {
        let id = Uuid::now_v7();
        let r = app.put_intake(id, &submission(id, &pump, &[])).await;
        assert_eq!(r.status(), 201);
    }
    let id = Uuid::now_v7();
    let refused = app.put_intake(id, &submission(id, &pump, &[])).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("kept on this phone"),
        "{body}"
    );
    assert_eq!(
        app.intake_count().await,
        2,
        "nothing stored for the refused one"
    );
}

#[tokio::test]
async fn a_photo_that_needs_more_memory_than_the_decoding_budget_is_refused_with_a_reason() {
    let app = spawn_app_with(&["--decode-memory-mb", "8"]).await;
    // 2000 × 1500 RGB: 9 MB of pixels.
    let r = app
        .upload(&app.pump(), png(2000, 1500), "big.png", "image/png")
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_api_error(&body, "photo_too_costly");
    assert!(body["message"].as_str().unwrap().contains("8 MB"), "{body}");
    // A normal photo still goes through.
    let r = app
        .upload(&app.pump(), png(400, 300), "ok.png", "image/png")
        .await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn photos_no_intake_uses_are_deleted_by_the_sweeper_and_used_ones_kept() {
    let app = spawn_app_with(&["--unused-photo-mins", "0", "--sweep-every-secs", "1"]).await;
    let pump = app.pump();
    let used = app.uploaded_photo(&pump).await;
    let id = Uuid::now_v7();
    let r = app
        .put_intake(id, &submission(id, &pump, std::slice::from_ref(&used)))
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .upload(&pump, png(50, 40), "orphan.png", "image/png")
        .await;
    let orphan = r.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let photo_file = |sha: &str| {
        app.data()
            .join("photos")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(sha)
    };
    assert!(photo_file(&orphan).is_file());
    crate::helpers::eventually("the unused photo is swept", || async {
        !photo_file(&orphan).is_file()
    })
    .await;
    let thumb = app
        .get(&format!("/api/v1/assets/{pump}/photos/{orphan}/thumb"))
        .await;
    assert_eq!(thumb.status(), 404);
    assert!(photo_file(&used).is_file(), "the intake's photo stays");
    let thumb = app
        .get(&format!("/api/v1/assets/{pump}/photos/{used}/thumb"))
        .await;
    assert_eq!(thumb.status(), 200);

    // The same bytes uploaded again are stored again.
    let r = app
        .upload(&pump, png(50, 40), "orphan.png", "image/png")
        .await;
    assert_eq!(r.status(), 201);
    assert!(photo_file(&orphan).is_file());
}
