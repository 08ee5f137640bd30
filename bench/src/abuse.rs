//! `abuse`: the server under an attacker's load, on loopback, read from the
//! outside (`/proc/<pid>` of the server for its memory and open files).
//!
//! 1. `slow`: slow clients (slowloris) from several loopback addresses —
//!    each opens a connection, sends part of a request head, then a byte
//!    every two seconds, and reconnects whenever it is dropped — while a
//!    normal client reads an asset's context; prints connections held,
//!    open files, RSS and the normal client's latency percentiles.
//! 2. `flood`: one asset link's photo uploads from many concurrent clients;
//!    prints how many the server accepted, per minute.
//! 3. `costly`: concurrent uploads of photos that are costly to decode
//!    (progressive JPEG and 16-bit PNG near the pixel limit); prints the
//!    server's peak RSS and what each upload was answered.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

use crate::Result;
use crate::stats::Summary;

/// A process's memory and open files, from `/proc`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcStats {
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
    pub open_files: usize,
}

pub fn proc_stats(pid: u32) -> Result<ProcStats> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let open_files = std::fs::read_dir(format!("/proc/{pid}/fd"))?.count();
    Ok(ProcStats {
        rss_kib: field("VmRSS:"),
        peak_rss_kib: field("VmHWM:"),
        open_files,
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Phase 1: slow clients against a normal reader.
pub async fn slow(
    url: &str,
    token: &str,
    pid: u32,
    clients: usize,
    addresses: u8,
    seconds: u64,
) -> Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let server: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()?;
    let before = proc_stats(pid)?;
    let stop = Arc::new(AtomicBool::new(false));
    let connected = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..clients {
        // 127.0.0.2, 127.0.0.3, …: the normal client is 127.0.0.1.
        let ip = Ipv4Addr::new(127, 0, 0, 2 + (i % usize::from(addresses.max(1))) as u8);
        tasks.push(tokio::spawn(slow_client(
            server,
            IpAddr::V4(ip),
            stop.clone(),
            connected.clone(),
        )));
    }
    // Let them connect, then measure while they hold on.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let http = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .timeout(Duration::from_secs(10))
        .build()?;
    let context = format!("{}/api/v1/assets/{token}", url.trim_end_matches('/'));
    let mut samples = Vec::new();
    let mut failed = 0usize;
    let mut peak = ProcStats::default();
    let mut held = 0usize;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut next_sample = Instant::now();
    while Instant::now() < deadline {
        let started = Instant::now();
        match http.get(&context).send().await {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
                samples.push(started.elapsed());
            }
            _ => failed += 1,
        }
        if Instant::now() >= next_sample {
            let now = proc_stats(pid)?;
            peak.rss_kib = peak.rss_kib.max(now.rss_kib);
            peak.open_files = peak.open_files.max(now.open_files);
            held = held.max(connected.load(Ordering::Relaxed));
            next_sample += Duration::from_millis(500);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.abort();
    }
    let summary = Summary::new(samples);
    println!(
        "slow clients: {clients} from {addresses} addresses, each sending a header byte every 2 s \
         and reconnecting when dropped, for {seconds} s"
    );
    println!(
        "  server: open files {} before, {} at most; RSS {:.0} MiB before, {:.0} MiB at most",
        before.open_files,
        peak.open_files,
        mib(before.rss_kib),
        mib(peak.rss_kib)
    );
    println!("  slow connections open at once (client side), at most: {held}");
    println!(
        "  normal client (127.0.0.1, GET the asset's context): p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms, {} requests, {failed} failed",
        summary.ms(0.50),
        summary.ms(0.99),
        summary.ms(1.0),
        summary.len()
    );
    Ok(())
}

async fn slow_client(
    server: SocketAddr,
    from: IpAddr,
    stop: Arc<AtomicBool>,
    connected: Arc<AtomicUsize>,
) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(socket) = TcpSocket::new_v4() else {
            return;
        };
        if socket.bind(SocketAddr::new(from, 0)).is_err() {
            return;
        }
        let Ok(mut stream) = socket.connect(server).await else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        connected.fetch_add(1, Ordering::Relaxed);
        if stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .is_ok()
        {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(2)).await;
                if stream.write_all(b"X").await.is_err() {
                    break;
                }
            }
        }
        connected.fetch_sub(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Phase 2: one link's uploads, flooded.
pub async fn flood(url: &str, token: &str, clients: usize, seconds: u64) -> Result<()> {
    let http = reqwest::Client::new();
    let endpoint = format!("{}/api/v1/assets/{token}/photos", url.trim_end_matches('/'));
    let accepted = Arc::new(AtomicUsize::new(0));
    let limited = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (http, endpoint) = (http.clone(), endpoint.clone());
        let (accepted, limited, other) = (accepted.clone(), limited.clone(), other.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u32;
            while Instant::now() < deadline {
                n += 1;
                let photo = distinct_png(client as u32 * 100_000 + n);
                let part = reqwest::multipart::Part::bytes(photo)
                    .file_name("flood.png")
                    .mime_str("image/png")
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(Vec::new()));
                let form = reqwest::multipart::Form::new().part("photo", part);
                match http.post(&endpoint).multipart(form).send().await {
                    Ok(r) if r.status().as_u16() == 201 => accepted.fetch_add(1, Ordering::Relaxed),
                    Ok(r) if r.status().as_u16() == 429 => limited.fetch_add(1, Ordering::Relaxed),
                    _ => other.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (a, l, o) = (
        accepted.load(Ordering::Relaxed),
        limited.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
    );
    println!(
        "upload flood: {clients} clients on one asset link for {seconds} s: {} uploads tried \
         ({:.0} a second answered), {a} accepted, {l} refused 429, {o} other",
        a + l + o,
        (a + l + o) as f64 / elapsed,
    );
    Ok(())
}

/// A small PNG that differs for each `seed` (so none is a repeat).
fn distinct_png(seed: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([
            (seed & 0xff) as u8,
            ((seed >> 8) & 0xff) as u8,
            ((x * 4 + y * 2) & 0xff) as u8,
        ])
    });
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// Phase 3: costly photos at once.
pub async fn costly(
    url: &str,
    token: &str,
    pid: u32,
    concurrent: usize,
    pixels: u64,
) -> Result<()> {
    let side = (pixels as f64 / (4.0 * 3.0)).sqrt();
    let (w, h) = ((side * 4.0) as u32, (side * 3.0) as u32);
    let progressive = tokio::task::spawn_blocking(move || progressive_jpeg(w, h)).await??;
    let png16 = tokio::task::spawn_blocking(move || png16(w, h)).await??;
    println!(
        "costly photos: {w}×{h} ({:.1} MP): progressive JPEG {:.1} MB, 16-bit RGBA PNG {:.1} MB",
        f64::from(w) * f64::from(h) / 1e6,
        progressive.len() as f64 / 1e6,
        png16.len() as f64 / 1e6
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let endpoint = format!("{}/api/v1/assets/{token}/photos", url.trim_end_matches('/'));
    let before = proc_stats(pid)?;
    let peak = Arc::new(AtomicUsize::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                if let Ok(s) = proc_stats(pid) {
                    peak.fetch_max(s.rss_kib as usize, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..concurrent {
        let mut bytes = if i % 2 == 0 {
            progressive.clone()
        } else {
            png16.clone()
        };
        // Each one distinct (past the image's end), so none is a repeat.
        bytes.extend_from_slice(format!("{i}").as_bytes());
        let (http, endpoint) = (http.clone(), endpoint.clone());
        let (name, mime) = if i % 2 == 0 {
            ("costly.jpg", "image/jpeg")
        } else {
            ("costly.png", "image/png")
        };
        tasks.push(tokio::spawn(async move {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(mime)
                .unwrap_or_else(|_| reqwest::multipart::Part::bytes(Vec::new()));
            let form = reqwest::multipart::Form::new().part("photo", part);
            let at = Instant::now();
            let status = match http.post(&endpoint).multipart(form).send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let code = r
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["code"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    format!("{status} {code}")
                }
                Err(e) => format!("error {e}"),
            };
            (status, at.elapsed())
        }));
    }
    let mut answers = std::collections::BTreeMap::<String, usize>::new();
    let mut slowest = Duration::ZERO;
    for t in tasks {
        let (status, took) = t.await?;
        *answers.entry(status.trim().to_owned()).or_default() += 1;
        slowest = slowest.max(took);
    }
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.await;
    let after = proc_stats(pid)?;
    println!(
        "  {concurrent} at once: answers {answers:?}; all answered in {:.1} s (slowest {:.1} s)",
        started.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    println!(
        "  server RSS: {:.0} MiB before, peak {:.0} MiB (sampled every 20 ms; VmHWM {:.0} MiB)",
        mib(before.rss_kib),
        mib(peak.load(Ordering::Relaxed) as u64),
        mib(after.peak_rss_kib)
    );
    Ok(())
}

fn progressive_jpeg(w: u32, h: u32) -> Result<Vec<u8>> {
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            pixels.extend_from_slice(&[(x / 8) as u8, (y / 8) as u8, ((x + y) / 16) as u8]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(true);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    encoder.encode(
        &pixels,
        u16::try_from(w)?,
        u16::try_from(h)?,
        jpeg_encoder::ColorType::Rgb,
    )?;
    Ok(out)
}

fn png16(w: u32, h: u32) -> Result<Vec<u8>> {
    let img = image::ImageBuffer::<image::Rgba<u16>, _>::from_fn(w, h, |x, y| {
        image::Rgba([(x * 8) as u16, (y * 8) as u16, 30_000, 65_535])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}
