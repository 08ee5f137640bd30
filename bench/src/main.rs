//! `fieldcase-bench`: figures measured against a running server.
//!
//! * `wire`: bytes over the wire, with brotli, for the first load of the
//!   intake route (the HTML and everything it references: JS, WASM, CSS),
//!   then, on a line of its own and not in the total, the review engine the
//!   app fetches after the first paint.
//! * `load`: text-only intake submissions per second and latency percentiles.
//! * `salesforce`: API calls per case and cases written per minute, each
//!   intake approved by the demo dispatcher first.
//! * `queue`: the console's queue page with 10,000 intakes waiting.
//! * `fanout`: how fast a new intake reaches 50 open consoles (live events).
//! * `abuse slow|flood|costly`: the server under an attacker's load (see
//!   [`abuse`]).
//!
//! `scripts/bench` starts release servers with the demo data and runs them all.

use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use fieldcase_core::structure::{Context, structure};
use fieldcase_core::wire::{IntakeContext, IntakeReceipt, IntakeSubmission, Technician};
use fieldcase_core::{AssetToken, CaseDraft};

#[derive(Parser)]
struct Cli {
    /// The server's base URL.
    #[arg(
        long,
        env = "FIELDCASE_BENCH_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    url: String,
    /// An active asset token (from the demo data).
    #[arg(long, env = "FIELDCASE_BENCH_TOKEN")]
    token: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The server under an attacker's load.
    #[command(subcommand)]
    Abuse(Abuse),
    /// Bytes of the intake route's first load, brotli-compressed.
    Wire,
    /// Submit text-only intakes from concurrent clients.
    Load {
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// How long to run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Upper bound on the number of submissions.
        #[arg(long, default_value_t = 200_000)]
        max_requests: usize,
    },
    /// Salesforce API calls per case (0, 1, 5 photos) and cases written per
    /// minute, against a server connected to the demo org.
    Salesforce {
        /// The demo org's base URL (for its API-call counter).
        #[arg(long, default_value = "http://127.0.0.1:8099")]
        org: String,
        /// Text-only cases in the throughput batch.
        #[arg(long, default_value_t = 200)]
        cases: usize,
    },
    /// Seed intakes (left `submitted`), then time the console's queue page:
    /// first page, a text search, a Priority filter, a deep page.
    Queue {
        /// `demo-links.json` of the server's data dir: spread the intakes
        /// over all its assets [default: only `--token`'s].
        #[arg(long)]
        links: Option<std::path::PathBuf>,
        /// Intakes to submit before measuring.
        #[arg(long, default_value_t = 10_000)]
        intakes: usize,
        /// Concurrent clients seeding.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Loads of each page measured.
        #[arg(long, default_value_t = 20)]
        loads: usize,
        /// Give up seeding after this many seconds.
        #[arg(long, default_value_t = 120)]
        seed_timeout: u64,
    },
    /// Open consoles on the live event stream, submit intakes one at a time
    /// and time each event's arrival at each console.
    Fanout {
        /// `demo-links.json`: spread the submissions over its assets.
        #[arg(long)]
        links: Option<std::path::PathBuf>,
        /// Consoles connected (one session shared by all).
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Intakes submitted, one at a time.
        #[arg(long, default_value_t = 50)]
        submissions: usize,
        /// Milliseconds between submissions.
        #[arg(long, default_value_t = 50)]
        spacing_ms: u64,
        /// Seconds added to the run's budget before what is missing counts as missed.
        #[arg(long, default_value_t = 10)]
        grace: u64,
    },
}

#[derive(Subcommand)]
enum Abuse {
    /// Slow clients hold connections while a normal client reads.
    Slow {
        /// The server's process id (its memory and open files are read from /proc).
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 3000)]
        clients: usize,
        /// Loopback addresses the slow clients come from (127.0.0.2, …).
        #[arg(long, default_value_t = 12)]
        addresses: u8,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Concurrent photo uploads through one asset link.
    Flood {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Photos costly to decode, all at once.
    Costly {
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 8)]
        concurrent: usize,
        /// Pixels of each photo.
        #[arg(long, default_value_t = 49_000_000)]
        pixels: u64,
    },
}

mod abuse;
mod fanout;
mod queue;
mod salesforce;
mod seed;
mod sse;
mod staff;
mod stats;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let token = AssetToken::parse(&cli.token)?;
    match cli.command {
        Command::Wire => wire(&cli.url, &token).await,
        Command::Abuse(Abuse::Slow {
            pid,
            clients,
            addresses,
            seconds,
        }) => abuse::slow(&cli.url, token.as_str(), pid, clients, addresses, seconds).await,
        Command::Abuse(Abuse::Flood { clients, seconds }) => {
            abuse::flood(&cli.url, token.as_str(), clients, seconds).await
        }
        Command::Abuse(Abuse::Costly {
            pid,
            concurrent,
            pixels,
        }) => abuse::costly(&cli.url, token.as_str(), pid, concurrent, pixels).await,
        Command::Salesforce { org, cases } => salesforce::run(&cli.url, &token, &org, cases).await,
        Command::Queue {
            links,
            intakes,
            clients,
            loads,
            seed_timeout,
        } => {
            let tokens = tokens(links.as_deref(), &token)?;
            let opts = queue::Options {
                intakes,
                clients,
                loads,
                seed_timeout: Duration::from_secs(seed_timeout),
            };
            queue::run(&cli.url, &tokens, opts).await
        }
        Command::Fanout {
            links,
            clients,
            submissions,
            spacing_ms,
            grace,
        } => {
            let tokens = tokens(links.as_deref(), &token)?;
            let opts = fanout::Options {
                clients,
                submissions,
                spacing: Duration::from_millis(spacing_ms),
                grace: Duration::from_secs(grace),
            };
            fanout::run(&cli.url, &tokens, opts).await
        }
        Command::Load {
            clients,
            seconds,
            max_requests,
        } => {
            load(
                &cli.url,
                &token,
                clients,
                Duration::from_secs(seconds),
                max_requests,
            )
            .await
        }
    }
}

/// The assets to submit on: every one in `links`, or just `token`.
fn tokens(links: Option<&std::path::Path>, token: &AssetToken) -> Result<Vec<AssetToken>> {
    match links {
        Some(path) => seed::tokens_from_links(path),
        None => Ok(vec![token.clone()]),
    }
}

/// Same-origin `src` / `href` references of an HTML page (values quoted or,
/// as a minifier writes them, not).
fn references(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for attr in ["src", "href"] {
        for r in attr_values(html, attr) {
            if r.starts_with('/') && !r.starts_with("//") && !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// The scripts and WebAssembly a JS file at `url` (a path) loads as soon as
/// it runs: every quoted `.js` / `.wasm` path in it — absolute, or relative
/// like wasm-bindgen's `./snippets/…` imports, resolved against `url` — but
/// not those behind a dynamic `import(` or a `Worker(`, which load on demand.
fn loaded_at_start(js: &str, url: &str) -> Vec<String> {
    let dir = &url[..url.rfind('/').map_or(0, |i| i + 1)];
    let is_boot = url[dir.len()..].starts_with("boot-");
    let mut out = Vec::new();
    for quote in ['\'', '"', '`'] {
        let pieces: Vec<&str> = js.split(quote).collect();
        for (i, piece) in pieces.iter().enumerate().skip(1) {
            let path_like = (piece.ends_with(".js") || piece.ends_with(".wasm"))
                && !piece.contains(char::is_whitespace);
            if !path_like {
                continue;
            }
            // The code just ahead of the opening quote.
            let lead = pieces[i - 1].trim_end();
            // A module imported on demand is not the first load; except in the
            // boot script, which imports the app itself (after the first
            // paint, but the app is what the page loads).
            if (lead.ends_with("import(") && !is_boot) || lead.ends_with("Worker(") {
                continue;
            }
            let path = if piece.starts_with('/') && !piece.starts_with("//") {
                (*piece).to_owned()
            } else if let Some(rest) = piece.strip_prefix("./") {
                format!("{dir}{rest}")
            } else {
                continue;
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Every value of attribute `name` in `html`.
fn attr_values(html: &str, name: &str) -> Vec<String> {
    let pattern = format!("{name}=");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pattern) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + pattern.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue; // `data-src=` and the like
        }
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next(),
            _ => rest.split(|c: char| c.is_whitespace() || c == '>').next(),
        };
        if let Some(v) = value {
            out.push(v.to_owned());
        }
    }
    out
}

/// The review engine's URL: `<meta name="fieldcase-engine" content="/…wasm">`.
/// The app fetches it after the first paint, so it is not in the first load.
fn deferred_engine(html: &str) -> Option<String> {
    html.split('<')
        .find(|tag| tag.starts_with("meta") && tag.contains("fieldcase-engine"))
        .and_then(|tag| {
            attr_values(&format!(" {tag}"), "content")
                .into_iter()
                .next()
        })
}

async fn fetch_br(client: &reqwest::Client, url: &str) -> Result<(usize, String, Vec<u8>)> {
    let resp = client
        .get(url)
        .header("accept-encoding", "br")
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(format!("{url}: {}", resp.status()).into());
    }
    let encoding = resp
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .to_owned();
    let body = resp.bytes().await?.to_vec();
    Ok((body.len(), encoding, body))
}

async fn wire(base: &str, token: &AssetToken) -> Result<()> {
    let client = reqwest::Client::new();
    let page = format!("{base}{}", token.link_path());
    // The HTML itself, compressed, as the browser receives it…
    let (html_bytes, html_enc, _) = fetch_br(&client, &page).await?;
    // …and uncompressed, to read what it references.
    let html = client.get(&page).send().await?.text().await?;
    let mut rows = vec![("index.html (intake route)".to_owned(), html_bytes, html_enc)];
    let mut refs = references(&html);
    // The boot script imports the wasm-bindgen JS, which fetches the WASM.
    let mut i = 0;
    while i < refs.len() {
        let r = refs[i].clone();
        let (n, enc, body) = fetch_br(&client, &format!("{base}{r}")).await?;
        if r.ends_with(".js") {
            let plain = client
                .get(format!("{base}{r}"))
                .send()
                .await?
                .text()
                .await?;
            for piece in loaded_at_start(&plain, &r) {
                if !refs.contains(&piece) {
                    refs.push(piece);
                }
            }
        }
        drop(body);
        rows.push((r, n, enc));
        i += 1;
    }
    let total: usize = rows.iter().map(|r| r.1).sum();
    println!(
        "first load of {} (Accept-Encoding: br)",
        token.link_path().replace(token.as_str(), "{token}")
    );
    for (name, n, enc) in &rows {
        println!("  {:>8} B  {:<9} {}", n, enc, name);
    }
    println!(
        "  {:>8} B  total ({:.1} KB; budget 100 KB, aim 60 KB)",
        total,
        total as f64 / 1024.0
    );
    match deferred_engine(&html) {
        Some(engine) => {
            let (n, enc, _) = fetch_br(&client, &format!("{base}{engine}")).await?;
            println!(
                "loaded after first paint, not in the total (the review engine: structuring, validation)"
            );
            println!("  {:>8} B  {:<9} {}", n, enc, engine);
        }
        None => println!("no review engine named in the page (an older build?)"),
    }
    Ok(())
}

const NOTES: [&str; 4] = [
    "pump leaking at the seal, 3.2 bar on the gauge, E-42 on the panel",
    "breaker keeps tripping on the compressor, smells hot, 230V measured",
    "roller door stuck half open, bent track, when you get a chance",
    "generator wont start after test run, alarm 305, battery 11.2 V",
];

async fn load(
    base: &str,
    token: &AssetToken,
    clients: usize,
    run_for: Duration,
    max: usize,
) -> Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let ctx: IntakeContext = client
        .get(format!("{base}/api/v1/assets/{token}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let technician = Technician {
        name: "Bench Technician".into(),
        email: None,
        phone: None,
    };
    let bodies: Vec<(String, CaseDraft)> = NOTES
        .iter()
        .map(|n| {
            let p = structure(
                n,
                Context {
                    asset: &ctx.asset,
                    technician: &technician,
                },
                &ctx.schema,
            );
            ((*n).to_owned(), p.to_draft())
        })
        .collect();

    let started = Instant::now();
    let deadline = started + run_for;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, base, token) = (client.clone(), base.to_owned(), token.clone());
        let (bodies, technician, sent) = (bodies.clone(), technician.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut k = c;
            while Instant::now() < deadline
                && sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < max
            {
                let (notes, fields) = &bodies[k % bodies.len()];
                k += 1;
                let id = uuid::Uuid::now_v7();
                let body = IntakeSubmission {
                    id,
                    asset_token: token.clone(),
                    notes: notes.clone(),
                    fields: fields.clone(),
                    technician: technician.clone(),
                    photos: vec![],
                    photo_locations: vec![],
                };
                let t = Instant::now();
                let ok = match client
                    .put(format!("{base}/api/v1/intakes/{id}"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status().as_u16() == 201 => r.json::<IntakeReceipt>().await.is_ok(),
                    _ => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = latencies.len();
    let latency = stats::Summary::new(latencies);
    let pct = |p| latency.ms(p);
    println!("text-only submissions: {clients} clients for {elapsed:.1} s");
    println!("  {n} created, {errors} errors");
    println!("  {:.0} submissions/s", n as f64 / elapsed);
    println!(
        "  latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    if errors > 0 {
        return Err(format!("{errors} submissions failed").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_quoted_or_not_and_the_deferred_engine() {
        let html = r#"<link href=/main-1.css rel=stylesheet><script type="module" src="/boot-2.js"></script><link crossorigin href='/app-3.js' rel=modulepreload><img data-src="/no.png"><a href="https://elsewhere/x">x</a><meta name="fieldcase-engine" content="/fieldcase-engine-4.wasm"></head>"#;
        assert_eq!(references(html), ["/boot-2.js", "/main-1.css", "/app-3.js"]);
        assert_eq!(
            deferred_engine(html).as_deref(),
            Some("/fieldcase-engine-4.wasm")
        );
        assert_eq!(deferred_engine("<html></html>"), None);
    }

    #[test]
    fn a_script_counts_what_it_loads_at_once_not_on_demand() {
        let glue = r#"import * as s0 from './snippets/app-1/js/store.js';const e="can't";let w=new URL("/app-3_bg.wasm",import.meta.url);const later=()=>import('./shrink.js');new Worker("/worker.js");"#;
        assert_eq!(
            loaded_at_start(glue, "/app-3.js"),
            ["/snippets/app-1/js/store.js", "/app-3_bg.wasm"]
        );
        assert_eq!(
            loaded_at_start("import init from '/app-3.js'", "/boot-2.js"),
            ["/app-3.js"]
        );
        // The boot script imports the app after the first paint: still the
        // first load.
        let boot = "const b = await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok))).then(() => import('/app-3.js'));\nawait b.default({ module_or_path: '/app-3_bg.wasm' });";
        assert_eq!(
            loaded_at_start(boot, "/boot-2.js"),
            ["/app-3.js", "/app-3_bg.wasm"]
        );
    }
}
