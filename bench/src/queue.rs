//! `queue`: the dispatcher's queue page with many intakes waiting.
//!
//! Seeds `intakes` text-only submissions over HTTP (concurrent clients,
//! spread over the given assets, varied notes and Priority, all left
//! `submitted` so every one is in the default queue), signs in once as the
//! demo dispatcher, then times `GET /api/v1/console/intakes` one request at
//! a time: the default first page, a text search, a Priority filter and a
//! deep page (21st, reached by following `next` 20 times). Each time is the
//! HTTP round-trip on loopback, from sending the request to the last byte
//! of the body (parsing excluded): server time, for our purposes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fieldcase_core::AssetToken;
use fieldcase_core::console::QueuePage;

use crate::Result;
use crate::seed::{SEARCH_WORD, Seeder};
use crate::staff::{DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, Staff};
use crate::stats::Summary;

pub struct Options {
    pub intakes: usize,
    pub clients: usize,
    pub loads: usize,
    pub seed_timeout: Duration,
}

/// Submit `n` intakes from `clients` concurrent clients, each `201`, within `timeout`.
pub async fn seed(
    http: &reqwest::Client,
    base: &str,
    seeder: Arc<Seeder>,
    n: usize,
    clients: usize,
    timeout: Duration,
) -> Result<Duration> {
    let started = Instant::now();
    let deadline = started + timeout;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let (http, base, seeder, next) =
            (http.clone(), base.to_owned(), seeder.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok(());
                }
                if Instant::now() > deadline {
                    return Err(format!("seeding: not done in {timeout:?}"));
                }
                let id = uuid::Uuid::now_v7();
                let resp = http
                    .put(format!("{base}/api/v1/intakes/{id}"))
                    .json(&seeder.submission(i, id))
                    .send()
                    .await
                    .map_err(|e| format!("seeding intake {i}: {e}"))?;
                if resp.status().as_u16() != 201 {
                    let status = resp.status();
                    let body = resp.text().await.unwrap_or_default();
                    return Err(format!("seeding intake {i}: {status} {body}"));
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed())
}

/// One queue page, timed from sending the request to the body's last byte.
async fn timed_page(staff: &Staff, query: &str) -> Result<(Duration, QueuePage)> {
    let t = Instant::now();
    let resp = staff
        .get(&format!("/api/v1/console/intakes{query}"))
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    let elapsed = t.elapsed();
    if !status.is_success() {
        return Err(format!(
            "GET /api/v1/console/intakes{query}: {status} {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    Ok((elapsed, serde_json::from_slice(&body)?))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn run(base: &str, tokens: &[AssetToken], opts: Options) -> Result<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.clients)
        .build()?;
    let staff = Staff::sign_in(&http, base, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await?;
    let (_, before) = timed_page(&staff, "").await?;
    let seeder = Arc::new(Seeder::new(&http, base, tokens).await?);
    let took = seed(
        &http,
        base,
        seeder,
        opts.intakes,
        opts.clients,
        opts.seed_timeout,
    )
    .await?;
    println!(
        "seeded {} intakes over {} assets in {:.1} s ({:.0}/s, {} clients); {} waiting (was {})",
        opts.intakes,
        tokens.len(),
        took.as_secs_f64(),
        opts.intakes as f64 / took.as_secs_f64(),
        opts.clients,
        timed_page(&staff, "").await?.1.waiting,
        before.waiting
    );

    println!(
        "queue page, GET /api/v1/console/intakes, {} loads each, one at a time; HTTP round-trip on loopback to the body's last byte:",
        opts.loads
    );
    let word = format!("?q={}", encode(SEARCH_WORD));
    for (label, query) in [
        ("default filters, first page", "".to_owned()),
        ("text search", word),
        ("Priority High", "?priority=High".to_owned()),
    ] {
        let mut times = Vec::with_capacity(opts.loads);
        let mut rows = 0;
        let mut more = false;
        for _ in 0..opts.loads {
            let (t, page) = timed_page(&staff, &query).await?;
            times.push(t);
            rows = page.rows.len();
            more = page.next.is_some();
        }
        if rows == 0 {
            return Err(format!("{label} ({query:?}): no rows").into());
        }
        println!(
            "  {label:<28} {:<18} {rows} rows{}: {}",
            if query.is_empty() {
                "(no query)"
            } else {
                &query
            },
            if more { " + next" } else { "" },
            Summary::new(times).line()
        );
    }

    // The 21st page: follow `next` 20 times from the first, and time the
    // last request (the walk itself is timed too, as a whole).
    let mut deep = Vec::with_capacity(opts.loads);
    let mut walks = Vec::with_capacity(opts.loads);
    let mut hops = Vec::with_capacity(opts.loads * 20);
    let mut seen = 0;
    for _ in 0..opts.loads {
        let started = Instant::now();
        let (_, mut page) = timed_page(&staff, "").await?;
        let mut last = Duration::ZERO;
        for hop in 0..20 {
            let next = page
                .next
                .clone()
                .ok_or_else(|| format!("the queue ends after {} pages", hop + 1))?;
            let (t, p) = timed_page(&staff, &format!("?after={}", encode(&next))).await?;
            last = t;
            hops.push(t);
            page = p;
        }
        walks.push(started.elapsed());
        deep.push(last);
        seen = page.rows.len();
    }
    println!(
        "  {:<28} {:<18} {seen} rows: {}",
        "deep page (21st)",
        "?after=<next×20>",
        Summary::new(deep).line()
    );
    println!(
        "  {:<28} {:<18} 50 rows: {}",
        "  pages 2–21 of the walks",
        "?after=<next>",
        Summary::new(hops).line()
    );
    println!(
        "  {:<28} {:<18} 21 pages: {}",
        "  the whole walk",
        "",
        Summary::new(walks).line()
    );
    Ok(())
}
