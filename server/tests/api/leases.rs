//! The write queue's leases: a dead worker's job is taken over once its
//! lease runs out; a live worker's heartbeat keeps a long write its own; the
//! intake is `writing` meanwhile.

use std::time::{Duration, Instant};

use fieldcase_server::store::WriteJobState;
use serde_json::json;

use crate::helpers::{body_json, spawn_app, spawn_app_with_org};

#[tokio::test]
async fn a_leased_job_is_nobody_elses_until_its_lease_runs_out() {
    let app = spawn_app().await;
    let id = app.submit_and_approve(0).await;
    let lease = Duration::from_millis(600);
    let job = app
        .store
        .lease_write_job("dead-worker", lease)
        .await
        .unwrap();
    assert_eq!(job.unwrap().intake_id, id.to_string());
    let receipt = body_json(app.get(&format!("/api/v1/intakes/{id}")).await).await;
    assert_eq!(
        receipt["status"], "writing",
        "leased: the write has started"
    );
    assert!(
        app.store
            .lease_write_job("other", lease)
            .await
            .unwrap()
            .is_none(),
        "held by its lease"
    );
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let taken = app.store.lease_write_job("other", lease).await.unwrap();
    assert_eq!(
        taken.map(|j| (j.intake_id, j.attempts)),
        Some((id.to_string(), 0)),
        "taken over once the lease ran out, no attempt counted"
    );
    assert!(
        !app.store
            .renew_write_lease(&id.to_string(), "dead-worker", lease)
            .await
            .unwrap(),
        "the dead worker's heartbeat no longer holds it"
    );
    assert!(
        app.store
            .renew_write_lease(&id.to_string(), "other", lease)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn passing_failures_keep_the_intake_writing_and_a_release_makes_it_approved_again() {
    let app = spawn_app().await;
    let id = app.submit_and_approve(0).await;
    let key = id.to_string();
    let status = || async {
        body_json(app.get(&format!("/api/v1/intakes/{id}")).await).await["status"].clone()
    };
    let lease = Duration::from_secs(30);
    assert!(
        app.store
            .lease_write_job("w", lease)
            .await
            .unwrap()
            .is_some()
    );
    app.store
        .retry_write_job(&key, "w", Duration::ZERO, "HTTP 503")
        .await
        .unwrap();
    assert_eq!(status().await, "writing", "retries pending");
    let (state, attempts, error) = app.store.write_job_state(&key).await.unwrap().unwrap();
    assert_eq!(
        (state, attempts, error.as_deref()),
        (WriteJobState::Pending, 1, Some("HTTP 503"))
    );

    let job = app
        .store
        .lease_write_job("w", lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 1, "the next attempt knows the failures");
    assert_eq!(status().await, "writing");
    app.store.release_write_job(&key, "w").await.unwrap();
    assert_eq!(status().await, "approved", "waiting again, nobody writing");
    let (_, attempts, _) = app.store.write_job_state(&key).await.unwrap().unwrap();
    assert_eq!(attempts, 1, "a release counts nothing");
}

#[tokio::test]
async fn a_job_whose_lease_owner_died_is_written_by_another_worker_once_the_lease_runs_out() {
    let (app, org) = spawn_app_with_org(&["--write-lease-secs", "2"]).await;
    let id = app.submit_and_approve(1).await;
    // A worker leased the job, then died (it never renews).
    let leased_at = Instant::now();
    let dead = app
        .store
        .lease_write_job("dead-worker", Duration::from_secs(2))
        .await
        .unwrap();
    assert!(dead.is_some());

    app.connect_salesforce().await;
    let receipt = app.wait_for_status(id, "written").await;
    let took = leased_at.elapsed();
    assert!(
        took >= Duration::from_secs(2),
        "not before the dead worker's lease ran out: {took:?}"
    );
    assert!(receipt["case_number"].is_string(), "{receipt}");
    assert_eq!(org.count("cases").await, 1);
    assert_eq!(org.count("content_versions").await, 1);
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state, attempts), (WriteJobState::Done, 0));
}

#[tokio::test]
async fn a_write_longer_than_its_lease_is_never_leased_twice_thanks_to_the_heartbeat() {
    let (app, org) = spawn_app_with_org(&["--write-lease-secs", "1"]).await;
    app.connect_salesforce().await;
    // Two calls of at least a second each: the write outlives its lease twice.
    org.faults(json!({"latency_ms": 1000})).await;
    let id = app.submit_and_approve(2).await;

    app.wait_for_status(id, "writing").await;
    let seen_writing = Instant::now();
    let mut tries_after_the_lease = 0;
    loop {
        let receipt = body_json(app.get(&format!("/api/v1/intakes/{id}")).await).await;
        if receipt["status"] == "written" {
            break;
        }
        assert_eq!(receipt["status"], "writing", "{receipt}");
        let stolen = app
            .store
            .lease_write_job("second-worker", Duration::from_secs(1))
            .await
            .unwrap();
        assert!(
            stolen.is_none(),
            "a live write was leased by a second worker after {:?}",
            seen_writing.elapsed()
        );
        if seen_writing.elapsed() > Duration::from_millis(1_200) {
            tries_after_the_lease += 1;
        }
        assert!(
            seen_writing.elapsed() < Duration::from_secs(20),
            "never written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tries_after_the_lease > 0,
        "the write outlived its lease ({:?})",
        seen_writing.elapsed()
    );
    let (state, attempts, _) = app
        .store
        .write_job_state(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state, attempts), (WriteJobState::Done, 0), "one attempt");
    let stats = org.stats().await;
    assert_eq!(
        (stats["cases"].as_u64(), stats["content_versions"].as_u64()),
        (Some(1), Some(2)),
        "{stats}"
    );
    assert_eq!(
        stats["calls_by_route"]["POST /composite"], 1,
        "written once"
    );
}

#[tokio::test]
async fn a_worker_whose_lease_was_taken_over_changes_nothing() {
    use fieldcase_core::FieldErrors;
    use fieldcase_server::store::{
        DeliveryOutcome, DeliveryState, PlannedDelivery, WriteJobState, WrittenCase,
    };

    let app = spawn_app().await;
    let id = app.submit_and_approve(1).await;
    let key = id.to_string();
    let lease = Duration::from_millis(300);
    let status = || async {
        body_json(app.get(&format!("/api/v1/intakes/{id}")).await).await["status"].clone()
    };
    assert!(
        app.store
            .lease_write_job("lost", lease)
            .await
            .unwrap()
            .is_some()
    );
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert!(
        app.store
            .lease_write_job("holder", Duration::from_secs(30))
            .await
            .unwrap()
            .is_some()
    );

    // Everything the first worker may still try, once the second holds the job.
    let case = WrittenCase {
        case_id: "500000000000001AAA".into(),
        case_number: "00001001".into(),
        case_url: "https://example.invalid/500000000000001AAA".into(),
        files: Vec::new(),
        detail: json!({}),
    };
    assert!(!app.store.record_written(&key, "lost", &case).await.unwrap());
    let problems = FieldErrors([("Subject".to_owned(), "refused".to_owned())].into());
    assert!(
        !app.store
            .record_needs_attention(&key, "lost", &problems, "X")
            .await
            .unwrap()
    );
    app.store
        .retry_write_job(&key, "lost", Duration::ZERO, "HTTP 503")
        .await
        .unwrap();
    app.store.release_write_job(&key, "lost").await.unwrap();
    assert!(
        !app.store
            .renew_write_lease(&key, "lost", lease)
            .await
            .unwrap()
    );
    let (state, attempts, error) = app.store.write_job_state(&key).await.unwrap().unwrap();
    assert_eq!((state, attempts, error), (WriteJobState::Pending, 0, None));
    let receipt = body_json(app.get(&format!("/api/v1/intakes/{id}")).await).await;
    assert_eq!(receipt["status"], "writing", "{receipt}");
    assert!(
        receipt["case_number"].is_null(),
        "no case recorded: {receipt}"
    );
    let events = app.store.intake_events(&id.into()).await.unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.kind != "written" && e.kind != "needs_attention"),
        "{events:#?}"
    );
    // The hand-off queue: the same fence. (Planned by hand while the intake
    // is still `writing`. The app's own hand-off worker may be the one that
    // takes the delivery over: it cannot read "{}" and records it failed.)
    app.store
        .plan_handoff(
            &key,
            "{}",
            &[PlannedDelivery {
                key: "everything/webhook/0123456789abcdef".into(),
                delivery_json: "{}".into(),
            }],
        )
        .await
        .unwrap();
    let job = app
        .store
        .lease_delivery("lost", lease)
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let holder = app
        .store
        .lease_delivery("holder", Duration::from_secs(30))
        .await
        .unwrap();
    app.store
        .finish_delivery(&job, "lost", &DeliveryOutcome::Delivered)
        .await
        .unwrap();
    let deliveries = app.store.deliveries(&key).await.unwrap();
    assert_ne!(
        deliveries[0].1,
        DeliveryState::Delivered,
        "the lost lease recorded nothing"
    );
    if let Some(holder) = holder {
        app.store
            .finish_delivery(&holder, "holder", &DeliveryOutcome::Delivered)
            .await
            .unwrap();
        let deliveries = app.store.deliveries(&key).await.unwrap();
        assert_eq!(deliveries[0].1, DeliveryState::Delivered);
    }

    // The write job's holder: its record stands.
    assert!(
        app.store
            .record_written(&key, "holder", &case)
            .await
            .unwrap()
    );
    assert_eq!(status().await, "written");
}
