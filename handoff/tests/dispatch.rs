//! The whole hand-off as the server drives it: rules select deliveries for a
//! case, and the dispatcher sends each to a real SMTP server process and a
//! real webhook receiver on loopback.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use common::{Receiver, SECRET, SmtpSink, summary};
use fieldcase_core::{CaseSchema, FieldValue};
use fieldcase_handoff::{
    CaseSummary, Dispatcher, EmailConfig, EmailSender, Rules, Secrets, WebhookSender,
};

#[tokio::test]
async fn rules_select_and_the_dispatcher_delivers_by_email_and_webhook() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let rx = Receiver::start(SECRET).await;
    let rules = Rules::from_json(&format!(
        r#"{{"routes":[
            {{"name":"safety-team","when":[{{"field":"Safety_Hazard__c","equals":true}}],
              "email":["safety@example.com"]}},
            {{"name":"high-priority","when":[{{"field":"Priority","in":["High"]}}],
              "webhook":{{"url":"{}","secret_env":"FIELDCASE_WEBHOOK_SECRET"}}}},
            {{"name":"low-only","when":[{{"field":"Priority","equals":"Low"}}],
              "email":["low@example.com"]}}
        ]}}"#,
        rx.url()
    ))
    .unwrap();
    rules
        .check_against(&CaseSchema::salesforce_default())
        .unwrap();
    let secrets = Secrets::from_lookup(&rules, |name| {
        (name == "FIELDCASE_WEBHOOK_SECRET").then(|| SECRET.to_owned())
    })
    .unwrap();
    let email = EmailSender::new(&EmailConfig::plain(
        "127.0.0.1",
        sink.port,
        "fieldcase@example.com",
    ))
    .unwrap();
    let dispatcher = Dispatcher::new(
        &rules,
        Some(email),
        WebhookSender::new(Duration::from_secs(5)).unwrap(),
        secrets,
    )
    .unwrap();

    let s = summary();
    let deliveries = rules.select(&s);
    let routes: Vec<&str> = deliveries.iter().map(|d| d.route.as_str()).collect();
    assert_eq!(routes, ["safety-team", "high-priority"]);
    for d in &deliveries {
        dispatcher.deliver(&s, d).await.unwrap();
    }

    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0]["rcpt_tos"],
        serde_json::json!(["safety@example.com"])
    );
    assert_eq!(
        mail[0]["delivery_id"],
        deliveries[0].delivery_id(&s.intake_id)
    );
    let hooks = rx.received();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].verified.is_ok());
    assert_eq!(
        hooks[0].delivery_id.as_deref(),
        Some(deliveries[1].delivery_id(&s.intake_id).as_str())
    );
    let body: CaseSummary = serde_json::from_slice(&hooks[0].body).unwrap();
    assert_eq!(body.case_number, "00001001");

    // A calm case matches nothing.
    let mut calm = summary();
    calm.fields
        .insert("Priority".into(), FieldValue::text("Medium"));
    calm.fields
        .insert("Safety_Hazard__c".into(), FieldValue::Bool(false));
    assert!(rules.select(&calm).is_empty());
}

#[tokio::test]
async fn errors_name_the_route_and_channel() {
    let rx = Receiver::start(SECRET).await;
    rx.script([common::Reply::status(400)]);
    let rules = Rules::from_json(&format!(
        r#"{{"routes":[{{"name":"everything","webhook":{{"url":"{}","secret_env":"HOOK_SECRET"}}}}]}}"#,
        rx.url()
    ))
    .unwrap();
    let secrets = Secrets::from_lookup(&rules, |_| Some(SECRET.to_owned())).unwrap();
    let dispatcher = Dispatcher::new(
        &rules,
        None,
        WebhookSender::new(Duration::from_secs(5)).unwrap(),
        secrets,
    )
    .unwrap();
    let s = summary();
    let d = &rules.select(&s)[0];
    let err = dispatcher.deliver(&s, d).await.unwrap_err();
    assert!(err.is_permanent());
    assert!(
        err.message()
            .starts_with(r#"route "everything" (webhook): the webhook answered 400 Bad Request"#),
        "{err}"
    );
}
