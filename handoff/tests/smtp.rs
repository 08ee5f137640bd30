//! Email against a real SMTP server process (aiosmtpd) on loopback.
//! Needs `python3 -m pip install aiosmtpd`; fails with that instruction if it
//! is missing, unless FIELDCASE_SKIP_SMTP_TESTS=1.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use common::{SmtpSink, closed_port, summary};
use fieldcase_handoff::{Channel, Delivery, DeliveryError, EmailConfig, EmailSender};

fn sender(port: u16) -> EmailSender {
    let mut config = EmailConfig::plain("127.0.0.1", port, "Fieldcase <fieldcase@example.com>");
    config.timeout = Duration::from_secs(10);
    EmailSender::new(&config).unwrap()
}

fn to(addrs: &[&str]) -> Vec<String> {
    addrs.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_summary_arrives_with_subject_recipients_and_body() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let s = summary();
    let delivery = Delivery {
        route: "safety-team".into(),
        channel: Channel::Email {
            to: to(&["safety@example.com", "lead@example.com"]),
        },
    };
    let id = delivery.delivery_id(&s.intake_id);
    let Channel::Email { to: recipients } = &delivery.channel else {
        unreachable!()
    };
    sender(sink.port).send(&s, recipients, &id).await.unwrap();

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(
        m["subject"],
        "[High] Case 00001001 \u{2014} Feed pump P-12: leaking at seal"
    );
    assert_eq!(m["mail_from"], "fieldcase@example.com");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["safety@example.com", "lead@example.com"])
    );
    assert_eq!(
        m["to"],
        serde_json::json!(["safety@example.com", "lead@example.com"])
    );
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(m["message_id"], format!("<{id}@example.com>"));
    assert_eq!(m["delivery_id"], id);
    let text = m["text"].as_str().unwrap();
    for needle in [
        "Case 00001001 was created in Salesforce",
        "Open the case: https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view",
        "Photos:    3 (attached to the case)",
        "Asset:     Feed pump P-12",
        "Account:   Northwind Foods",
        "Priority:  High",
        "Reference: FC-7K3M-9QXD",
        "Safety_Hazard__c: Yes",
        "Needs a new seal kit.",
    ] {
        assert!(text.contains(needle), "text lacks {needle:?}:\n{text}");
    }
    let html = m["html"].as_str().unwrap();
    assert!(html.contains(
        "<a href=\"https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view\">"
    ));
}

#[tokio::test]
async fn a_resend_carries_the_same_message_id() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let s = summary();
    let sender = sender(sink.port);
    for _ in 0..2 {
        sender
            .send(
                &s,
                &to(&["ops@example.com"]),
                "5f1e0c2a9b8d7e6f5a4b3c2d1e0f9a8b",
            )
            .await
            .unwrap();
    }
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["message_id"], messages[1]["message_id"]);
    assert_eq!(
        messages[0]["message_id"],
        "<5f1e0c2a9b8d7e6f5a4b3c2d1e0f9a8b@example.com>"
    );
}

#[tokio::test]
async fn a_rejected_recipient_is_permanent() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let err = sender(sink.port)
        .send(&summary(), &to(&["reject-me@example.com"]), "id")
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert!(err.message().contains("SMTP 550"), "{err}");
    assert!(
        err.message().contains("check the route's email addresses"),
        "{err}"
    );
    assert!(
        !err.message().contains("reject-me"),
        "no addresses in messages: {err}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_temporary_refusal_is_transient() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let err = sender(sink.port)
        .send(&summary(), &to(&["tempfail@example.com"]), "id")
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.message().contains("SMTP 451"), "{err}");
}

#[tokio::test]
async fn no_server_is_transient() {
    let err = sender(closed_port())
        .send(&summary(), &to(&["ops@example.com"]), "id")
        .await
        .unwrap_err();
    assert!(
        matches!(err, DeliveryError::Transient { .. }),
        "connection refused must be retried: {err:?}"
    );
    assert!(
        err.message().contains("could not talk to the mail server"),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    // Accepts the connection but never sends the SMTP greeting.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    });
    let mut config = EmailConfig::plain("127.0.0.1", port, "fieldcase@example.com");
    config.timeout = Duration::from_millis(500);
    let started = std::time::Instant::now();
    let err = EmailSender::new(&config)
        .unwrap()
        .send(&summary(), &to(&["ops@example.com"]), "id")
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.message().contains("did not finish within"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    hold.abort();
}
