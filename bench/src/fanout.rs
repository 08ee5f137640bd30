//! `fanout`: how long a new intake takes to reach every open console.
//!
//! Signs in once as the demo dispatcher and opens `clients` connections to
//! `GET /api/v1/console/events` with that one session cookie, then submits
//! `submissions` intakes one at a time, `spacing` apart. For each
//! (submission, client) pair: the time from sending the `PUT` to that
//! client reading the `queue` event naming the intake's id. A pair never
//! delivered before the deadline is counted as missed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldcase_core::AssetToken;
use fieldcase_core::console::QueueChange;
use tokio::sync::Semaphore;

use crate::Result;
use crate::seed::Seeder;
use crate::sse;
use crate::staff::{DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, Staff};
use crate::stats::Summary;

pub struct Options {
    pub clients: usize,
    pub submissions: usize,
    pub spacing: Duration,
    /// Added to the run's time budget, after which what has not arrived is missed.
    pub grace: Duration,
}

/// When each event arrived at each client, from the submission's `PUT`.
pub struct Deliveries {
    pub latencies: Vec<Duration>,
    pub missed: usize,
}

/// Pair what was sent with what each client received.
pub fn deliveries(
    sent: &HashMap<uuid::Uuid, Instant>,
    received: &[HashMap<uuid::Uuid, Instant>],
) -> Deliveries {
    let mut latencies = Vec::with_capacity(sent.len() * received.len());
    let mut missed = 0;
    for client in received {
        for (id, at) in sent {
            match client.get(id) {
                Some(got) => latencies.push(got.saturating_duration_since(*at)),
                None => missed += 1,
            }
        }
    }
    Deliveries { latencies, missed }
}

/// One console: read `queue` events until every expected id has come, or the
/// deadline. Answers the first arrival of each expected id.
async fn listen(
    mut resp: reqwest::Response,
    expected: Arc<Vec<uuid::Uuid>>,
    deadline: tokio::time::Instant,
) -> Result<HashMap<uuid::Uuid, Instant>> {
    let mut parser = sse::Parser::default();
    let mut got = HashMap::with_capacity(expected.len());
    while got.len() < expected.len() {
        let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Err(_) => break, // the deadline: what is missing is missed
            Ok(chunk) => chunk?,
        };
        let Some(chunk) = chunk else {
            return Err("the event stream ended".into());
        };
        let now = Instant::now();
        for event in parser.push(&chunk) {
            if event.name != "queue" {
                continue;
            }
            let change: QueueChange = serde_json::from_str(&event.data)?;
            if expected.contains(&change.id) {
                got.entry(change.id).or_insert(now);
            }
        }
    }
    Ok(got)
}

pub async fn run(base: &str, tokens: &[AssetToken], opts: Options) -> Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.clients + 4)
        .build()?;
    let staff = Staff::sign_in(&http, base, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await?;
    let seeder = Seeder::new(&http, base, tokens).await?;
    let ids: Arc<Vec<uuid::Uuid>> = Arc::new(
        (0..opts.submissions)
            .map(|_| uuid::Uuid::now_v7())
            .collect(),
    );
    // Connecting, the submissions (each well under a second), then `grace`.
    let budget = opts.spacing * opts.submissions as u32 + opts.grace + Duration::from_secs(20);
    let deadline = tokio::time::Instant::now() + budget;

    // Every console connected (its response headers in: the server has
    // subscribed it) before the first submission.
    let ready = Arc::new(Semaphore::new(0));
    let mut consoles = Vec::with_capacity(opts.clients);
    for _ in 0..opts.clients {
        let (staff, ids, ready) = (staff.clone(), ids.clone(), ready.clone());
        consoles.push(tokio::spawn(async move {
            let resp = staff
                .get("/api/v1/console/events")
                .header("accept", "text/event-stream")
                .send()
                .await?;
            if !resp.status().is_success() {
                return Err(format!("GET /api/v1/console/events: {}", resp.status()).into());
            }
            ready.add_permits(1);
            listen(resp, ids, deadline).await
        }));
    }
    tokio::time::timeout(
        Duration::from_secs(30),
        ready.acquire_many(opts.clients as u32),
    )
    .await
    .map_err(|_| "the consoles did not all connect in 30 s")??
    .forget();

    let mut sent = HashMap::with_capacity(ids.len());
    let mut puts = Vec::with_capacity(ids.len());
    let start = tokio::time::Instant::now();
    for (i, id) in ids.iter().enumerate() {
        tokio::time::sleep_until(start + opts.spacing * i as u32).await;
        let body = seeder.submission(i, *id);
        let t = Instant::now();
        sent.insert(*id, t);
        let resp = http
            .put(format!("{base}/api/v1/intakes/{id}"))
            .json(&body)
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        if resp.status().as_u16() != 201 {
            return Err(format!("submission {i}: {}", resp.status()).into());
        }
        puts.push(t.elapsed());
    }
    // Each console stops at `deadline` at the latest (it returns as soon as
    // it has every event); a console that does not answer by then has missed
    // everything.
    let mut received = Vec::with_capacity(consoles.len());
    for c in consoles {
        match tokio::time::timeout_at(deadline + Duration::from_secs(5), c).await {
            Ok(r) => received.push(r??),
            Err(_) => received.push(HashMap::new()),
        }
    }
    let d = deliveries(&sent, &received);
    println!(
        "live queue events: {} consoles on one session, {} submissions {} ms apart",
        opts.clients,
        opts.submissions,
        opts.spacing.as_millis()
    );
    println!(
        "  PUT to event at each console: {}; {} missed of {}",
        Summary::new(d.latencies).line(),
        d.missed,
        opts.clients * opts.submissions
    );
    println!(
        "  the PUT's own round-trip (for scale): {}",
        Summary::new(puts).line()
    );
    if d.missed > 0 {
        return Err(format!("{} deliveries missed", d.missed).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_pair_each_submission_with_each_client() {
        let t0 = Instant::now();
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let sent = HashMap::from([(a, t0), (b, t0 + Duration::from_millis(50))]);
        let ms = |m| t0 + Duration::from_millis(m);
        let unknown = uuid::Uuid::now_v7();
        let received = vec![
            HashMap::from([(a, ms(3)), (b, ms(54))]),
            // Missed b; an id it was not sent is ignored.
            HashMap::from([(a, ms(5)), (unknown, ms(6))]),
            HashMap::new(),
        ];
        let mut d = deliveries(&sent, &received);
        d.latencies.sort();
        assert_eq!(d.missed, 3);
        assert_eq!(d.latencies, [3, 4, 5].map(Duration::from_millis).to_vec());
    }
}
