//! The signed webhook against a real HTTP receiver (axum) on loopback that
//! checks every request with `verify_signature`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use common::{Receiver, Reply, SECRET, closed_port, summary};
use fieldcase_handoff::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER, unix_now};
use fieldcase_handoff::{
    CaseSummary, DeliveryError, RetryPolicy, SignatureError, WebhookSender, sign,
};

const ID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn sender() -> WebhookSender {
    WebhookSender::new(Duration::from_secs(5)).unwrap()
}

#[tokio::test]
async fn a_2xx_is_delivered_signed_and_complete() {
    let rx = Receiver::start(SECRET).await;
    let s = summary();
    sender()
        .send(&rx.url(), SECRET.as_bytes(), ID, &s)
        .await
        .unwrap();
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].verified, Ok(()));
    assert_eq!(got[0].delivery_id.as_deref(), Some(ID));
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    let body: CaseSummary = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body, s);
}

#[tokio::test]
async fn a_503_is_retried_until_delivered() {
    let rx = Receiver::start(SECRET).await;
    rx.script([
        Reply {
            retry_after: Some("1".into()),
            ..Reply::status(503)
        },
        Reply::status(502),
        Reply::status(200),
    ]);
    let policy = RetryPolicy {
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(2),
    };
    let sender = sender();
    let s = summary();
    let mut errors: Vec<DeliveryError> = Vec::new();
    // The caller's loop, as the server's worker runs it (bounded here).
    for attempt in 1..=10u32 {
        match sender.send(&rx.url(), SECRET.as_bytes(), ID, &s).await {
            Ok(()) => break,
            Err(e) => {
                let wait = policy.delay(attempt, &e, 0.5).expect("transient");
                errors.push(e);
                tokio::time::sleep(wait).await;
            }
        }
    }
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(DeliveryError::is_transient));
    assert_eq!(errors[0].retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        errors[0].message(),
        "the webhook answered 503 Service Unavailable"
    );
    let got = rx.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.verified.is_ok()));
    assert!(
        got.iter().all(|r| r.delivery_id.as_deref() == Some(ID)),
        "the same delivery id on every attempt"
    );
}

#[tokio::test]
async fn statuses_map_to_transient_or_permanent() {
    let rx = Receiver::start(SECRET).await;
    let cases: &[(u16, bool)] = &[
        (400, false),
        (404, false),
        (410, false),
        (422, false),
        (302, false),
        (408, true),
        (429, true),
        (500, true),
        (503, true),
    ];
    rx.script(cases.iter().map(|(s, _)| Reply::status(*s)));
    for (status, transient) in cases {
        let err = sender()
            .send(&rx.url(), SECRET.as_bytes(), ID, &summary())
            .await
            .unwrap_err();
        assert_eq!(err.is_transient(), *transient, "{status}: {err:?}");
        assert!(err.message().contains(&status.to_string()), "{err}");
    }
}

#[tokio::test]
async fn a_slow_receiver_times_out_as_transient() {
    let rx = Receiver::start(SECRET).await;
    rx.script([Reply {
        delay: Duration::from_secs(5),
        ..Reply::status(200)
    }]);
    let started = std::time::Instant::now();
    let err = WebhookSender::new(Duration::from_millis(300))
        .unwrap()
        .send(&rx.url(), SECRET.as_bytes(), ID, &summary())
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(
        err.message().contains("did not answer within 0.3 s"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn no_receiver_is_transient() {
    let err = sender()
        .send(
            &format!("http://127.0.0.1:{}/hook", closed_port()),
            SECRET.as_bytes(),
            ID,
            &summary(),
        )
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(
        err.message()
            .starts_with("could not connect to the webhook"),
        "{err}"
    );
    assert!(
        !err.message().contains("127.0.0.1"),
        "no URL in messages: {err}"
    );
}

#[tokio::test]
async fn a_tampered_body_fails_the_signature() {
    let rx = Receiver::start(SECRET).await;
    let body = serde_json::to_vec(&summary()).unwrap();
    let ts = unix_now();
    let signature = sign(SECRET.as_bytes(), ts, &body);
    let mut tampered = summary();
    tampered.priority = "Low".into();
    let tampered = serde_json::to_vec(&tampered).unwrap();
    let answer = reqwest::Client::new()
        .post(rx.url())
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, ts.to_string())
        .header(SIGNATURE_HEADER, &signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(rx.received()[0].verified, Err(SignatureError::Mismatch));
}

#[tokio::test]
async fn a_wrong_secret_or_old_timestamp_is_refused_and_permanent() {
    let rx = Receiver::start(SECRET).await;
    let err = sender()
        .send(&rx.url(), b"not-the-receivers-secret", ID, &summary())
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert!(err.message().contains("401"), "{err}");
    assert!(err.message().contains("signing secret"), "{err}");

    let err = sender()
        .send_at(
            &rx.url(),
            SECRET.as_bytes(),
            ID,
            &summary(),
            unix_now() - 3600,
        )
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    let got = rx.received();
    assert_eq!(got[0].verified, Err(SignatureError::Mismatch));
    assert_eq!(got[1].verified, Err(SignatureError::Stale));
}
