//! What one client may ask of the server, and how long it may take.
//!
//! - **Requests in flight** are capped ([`in_flight`]): over the cap a
//!   request is answered `503` with `Retry-After` at once, never queued.
//! - **Whole-request timeouts** ([`request_timeout`]): the handler, including
//!   reading the body, must finish within `--request-timeout-secs`; photo
//!   uploads get `--upload-timeout-secs`. Between two pieces of a body no
//!   more than `--body-timeout-secs` may pass (tower-http's
//!   `RequestBodyTimeoutLayer`). Over time: `408` in the one error shape.
//! - **Rate limits** ([`RateLimits`]): photo uploads and submissions, per
//!   asset link and per client address; upload bytes per asset link per hour.
//!   Over a limit: `429` with `Retry-After` and a sentence a technician
//!   understands (the app keeps the work and sends it again).
//! - **Decoding photos** happens under a memory budget ([`DecodeBudget`]):
//!   bytes of pixels in flight, not a count of decodes.
//!
//! Connections themselves (caps, header and idle timeouts) are in
//! [`crate::serve`]. Every limit is a flag with a `FIELDCASE_*` variable
//! ([`crate::config::ServeArgs`]); the defaults are in README's table.
//!
//! `governor` directly rather than `tower_governor`: the keys (an asset
//! link, known only after its token is looked up) and the refusal (our
//! error shape, a technician's sentence) are the handler's business.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::config::ServeArgs;
use crate::error::{Error, megabytes};
use crate::http::AppState;

/// The route whose requests carry photos (and so get the upload timeout).
pub const UPLOAD_ROUTE: &str = "/api/v1/assets/{token}/photos";
/// The embedded form's photo uploads (the same timeout).
pub const EMBED_UPLOAD_ROUTE: &str = "/api/v1/embed/assets/{asset}/photos";

/// Timeouts and the in-flight cap, read by the middleware.
#[derive(Debug)]
pub struct RequestLimits {
    pub request_timeout: Duration,
    pub upload_timeout: Duration,
    pub body_timeout_secs: u64,
    in_flight: Semaphore,
    /// Peers whose `X-Forwarded-For` is believed (a reverse proxy).
    trusted_proxies: Vec<IpAddr>,
}

impl RequestLimits {
    pub fn new(args: &ServeArgs) -> Self {
        RequestLimits {
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            upload_timeout: Duration::from_secs(args.upload_timeout_secs.max(1)),
            body_timeout_secs: args.body_timeout_secs.max(1),
            in_flight: Semaphore::new(args.max_in_flight.max(1)),
            trusted_proxies: args.trusted_proxies.clone(),
        }
    }

    /// The client's address: the peer's, or when the peer is a trusted
    /// proxy, the last address in `X-Forwarded-For` that is not one.
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|a| !self.trusted_proxies.contains(a))
                .unwrap_or(peer),
        )
    }

    /// The client address of a request (see [`Self::client_address`]).
    pub fn client_of(&self, parts: &axum::http::request::Parts) -> Option<IpAddr> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        self.client_address(peer, &parts.headers)
    }
}

/// Middleware: at most `--max-in-flight` requests at once; the rest are
/// answered `503` at once. A streamed response (the console's live feed)
/// holds its place only until its headers are sent.
pub async fn in_flight(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.request_limits.in_flight.try_acquire() else {
        return Error::Busy {
            retry_after_secs: 2,
            message: "The server is busy. Nothing you sent was lost: it will be sent again in \
                      a few seconds."
                .to_owned(),
        }
        .into_response();
    };
    next.run(req).await
}

/// Middleware: the whole request (its body included) within its timeout.
pub async fn request_timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let upload = req.method() == Method::POST
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| p.as_str() == UPLOAD_ROUTE || p.as_str() == EMBED_UPLOAD_ROUTE);
    let limit = if upload {
        state.request_limits.upload_timeout
    } else {
        state.request_limits.request_timeout
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Error::Timeout {
            message: format!(
                "The request took longer than {} seconds and was stopped. Nothing was lost: \
                 {}",
                limit.as_secs(),
                if upload {
                    "the photo will be sent again when the signal is better."
                } else {
                    "try again."
                }
            ),
        }
        .into_response(),
    }
}

/// Rate limits on the asset link's endpoints (the token is on a sticker
/// anyone can photograph, so these are effectively public).
#[derive(Debug)]
pub struct RateLimits {
    uploads_per_link: DefaultKeyedRateLimiter<String>,
    uploads_per_address: DefaultKeyedRateLimiter<IpAddr>,
    submissions_per_link: DefaultKeyedRateLimiter<String>,
    submissions_per_address: DefaultKeyedRateLimiter<IpAddr>,
    structurings_per_link: DefaultKeyedRateLimiter<String>,
    /// Upload bytes per asset link per hour, in KiB (governor counts cells
    /// in `u32`s).
    upload_kib_per_link: DefaultKeyedRateLimiter<String>,
    upload_mb_per_hour: u32,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(args: &ServeArgs) -> Self {
        let kib_per_hour = args.upload_mb_per_hour.max(1).saturating_mul(1024);
        let kib = NonZeroU32::new(kib_per_hour).unwrap_or(NonZeroU32::MIN);
        let refill = Duration::from_secs(3600) / kib.get();
        let hourly = Quota::with_period(refill.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_hour(kib))
            .allow_burst(kib);
        RateLimits {
            uploads_per_link: RateLimiter::keyed(per_minute(args.uploads_per_minute)),
            uploads_per_address: RateLimiter::keyed(per_minute(
                args.uploads_per_minute_per_address,
            )),
            submissions_per_link: RateLimiter::keyed(per_minute(args.submissions_per_minute)),
            submissions_per_address: RateLimiter::keyed(per_minute(
                args.submissions_per_minute_per_address,
            )),
            structurings_per_link: RateLimiter::keyed(per_minute(args.structurings_per_minute)),
            upload_kib_per_link: RateLimiter::keyed(hourly),
            upload_mb_per_hour: args.upload_mb_per_hour.max(1),
        }
    }

    /// Count a photo upload from `address` (before the token is looked up).
    pub fn upload_from(&self, address: Option<IpAddr>) -> Result<(), Error> {
        let Some(ip) = address else { return Ok(()) };
        check(&self.uploads_per_address, &ip).map_err(|secs| too_many_photos(secs, false))
    }

    /// Count a photo upload of about `bytes` through the asset `asset_id`'s link.
    pub fn upload_to(&self, asset_id: &str, bytes: u64) -> Result<(), Error> {
        check(&self.uploads_per_link, &asset_id.to_owned())
            .map_err(|secs| too_many_photos(secs, true))?;
        let kib = u32::try_from(bytes.div_ceil(1024))
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MIN);
        match self
            .upload_kib_per_link
            .check_key_n(&asset_id.to_owned(), kib)
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let secs = not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    + 1;
                Err(Error::TooManyRequests {
                    retry_after_secs: secs,
                    message: format!(
                        "This code has sent {} of photos in the last hour, its limit. Your \
                         photos are kept on this phone: try again in {}.",
                        megabytes(u64::from(self.upload_mb_per_hour) * 1024 * 1024),
                        in_words(secs)
                    ),
                })
            }
            // A single photo larger than the hourly quota (the quota is set
            // below the photo size limit).
            Err(_) => Err(Error::TooLarge {
                code: "photo_over_hourly_quota",
                message: format!(
                    "This photo is larger than the {} this code may send in an hour. Choose \
                     a smaller photo.",
                    megabytes(u64::from(self.upload_mb_per_hour) * 1024 * 1024)
                ),
            }),
        }
    }

    /// Count a submission from `address` (before the token is looked up).
    pub fn submission_from(&self, address: Option<IpAddr>) -> Result<(), Error> {
        let Some(ip) = address else { return Ok(()) };
        check(&self.submissions_per_address, &ip).map_err(too_many_submissions)
    }

    /// Count a submission through the asset `asset_id`'s link.
    pub fn submission_to(&self, asset_id: &str) -> Result<(), Error> {
        check(&self.submissions_per_link, &asset_id.to_owned()).map_err(too_many_submissions)
    }

    /// Count notes structured on the server through the asset `asset_id`'s
    /// link (counted with the submissions per address, before the token).
    pub fn structuring_for(&self, asset_id: &str) -> Result<(), Error> {
        check(&self.structurings_per_link, &asset_id.to_owned()).map_err(|secs| {
            Error::TooManyRequests {
                retry_after_secs: secs,
                message: format!(
                    "Too many notes checked in a short time; this phone checks them itself                      meanwhile. The server checks again in {}.",
                    in_words(secs)
                ),
            }
        })
    }

    /// Forget keys whose limits have fully recovered (memory stays bounded
    /// by the clients of the last hour); called by the sweeper.
    pub fn forget_idle(&self) {
        self.uploads_per_link.retain_recent();
        self.uploads_per_address.retain_recent();
        self.submissions_per_link.retain_recent();
        self.structurings_per_link.retain_recent();
        self.submissions_per_address.retain_recent();
        self.upload_kib_per_link.retain_recent();
    }
}

/// `Err(seconds to wait)` when `key` is over its limit.
fn check<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), u64>
where
    K: std::hash::Hash + Eq + Clone,
{
    limiter.check_key(key).map_err(|not_until| {
        not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            + 1
    })
}

fn too_many_photos(secs: u64, per_link: bool) -> Error {
    Error::TooManyRequests {
        retry_after_secs: secs,
        message: format!(
            "Too many photos from {} in a short time. Your photos are kept on this phone: try \
             again in {}.",
            if per_link {
                "this code"
            } else {
                "your network"
            },
            in_words(secs)
        ),
    }
}

fn too_many_submissions(secs: u64) -> Error {
    Error::TooManyRequests {
        retry_after_secs: secs,
        message: format!(
            "Too many reports sent in a short time. This one is kept on this phone: send it \
             again in {}.",
            in_words(secs)
        ),
    }
}

/// `1 second`, `40 seconds`, `3 minutes`.
pub fn in_words(secs: u64) -> String {
    match secs {
        1 => "1 second".to_owned(),
        0..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// Decoding photos under a memory budget: each decode holds as many
/// kibibytes of the budget as its pixels need (see [`decode_cost`]); one
/// that cannot get them within `wait` is answered busy, and one that needs
/// more than the whole budget is refused.
#[derive(Debug)]
pub struct DecodeBudget {
    kib: Semaphore,
    total_kib: u32,
    wait: Duration,
}

impl DecodeBudget {
    pub fn new(megabytes: u64, wait: Duration) -> Self {
        let total_kib = u32::try_from(megabytes.saturating_mul(1024))
            .unwrap_or(u32::MAX)
            .clamp(1024, Semaphore::MAX_PERMITS as u32);
        DecodeBudget {
            kib: Semaphore::new(total_kib as usize),
            total_kib,
            wait,
        }
    }

    /// The budget in bytes.
    pub fn total_bytes(&self) -> u64 {
        u64::from(self.total_kib) * 1024
    }

    /// Hold `bytes` of the budget until the permit drops.
    pub async fn reserve(&self, bytes: u64) -> Result<SemaphorePermit<'_>, Error> {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        if kib > self.total_kib {
            return Err(Error::unprocessable(
                "photo_too_costly",
                format!(
                    "This photo needs {} of memory to read; the server reads photos of up to \
                     {}. Choose a standard JPEG photo, or lower the camera's resolution.",
                    megabytes(bytes),
                    megabytes(self.total_bytes())
                ),
            ));
        }
        match tokio::time::timeout(self.wait, self.kib.acquire_many(kib.max(1))).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(Error::Internal("the decode budget is closed".into())),
            Err(_) => Err(Error::Busy {
                retry_after_secs: 5,
                message: "The server is busy reading other photos. Your photo is kept on this \
                          phone and will be sent again in a few seconds."
                    .to_owned(),
            }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> ServeArgs {
        let mut all = vec!["fieldcase"];
        all.extend_from_slice(extra);
        crate::config::Config::try_parse_from(all).unwrap().serve
    }

    #[test]
    fn the_client_address_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let limits = RequestLimits::new(&args(&["--trusted-proxies", "10.0.0.1,10.0.0.2"]));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.2.3.4, 5.6.7.8, 10.0.0.2".parse().unwrap(),
        );
        let peer = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            limits.client_address(peer("10.0.0.1"), &headers),
            peer("5.6.7.8"),
            "the last address the trusted proxies did not add"
        );
        assert_eq!(
            limits.client_address(peer("9.9.9.9"), &headers),
            peer("9.9.9.9"),
            "an untrusted peer's X-Forwarded-For is ignored (anyone can send one)"
        );
        assert_eq!(
            limits.client_address(peer("10.0.0.1"), &HeaderMap::new()),
            peer("10.0.0.1")
        );
    }

    #[test]
    fn a_link_may_send_its_hourly_bytes_and_then_is_told_when_to_come_back() {
        let limits = RateLimits::new(&args(&[
            "--upload-mb-per-hour",
            "10",
            "--uploads-per-minute",
            "1000",
        ]));
        for _ in 0..2 {
            limits.upload_to("asset-1", 4 * 1024 * 1024).unwrap();
        }
        let Err(Error::TooManyRequests {
            retry_after_secs,
            message,
        }) = limits.upload_to("asset-1", 4 * 1024 * 1024)
        else {
            panic!("the third 4 MB photo is over 10 MB an hour")
        };
        assert!(retry_after_secs > 60, "{retry_after_secs}");
        assert!(message.contains("10 MB"), "{message}");
        assert!(message.contains("minutes"), "{message}");
        limits
            .upload_to("asset-2", 4 * 1024 * 1024)
            .expect("another code has its own quota");
        assert!(matches!(
            limits.upload_to("asset-3", 11 * 1024 * 1024),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn submissions_are_limited_per_link_and_per_address() {
        let limits = RateLimits::new(&args(&[
            "--submissions-per-minute",
            "2",
            "--submissions-per-minute-per-address",
            "3",
        ]));
        limits.submission_to("a").unwrap();
        limits.submission_to("a").unwrap();
        let Err(Error::TooManyRequests { message, .. }) = limits.submission_to("a") else {
            panic!("the third")
        };
        assert!(message.contains("kept on this phone"), "{message}");
        limits.submission_to("b").unwrap();
        let ip = Some("192.0.2.1".parse().unwrap());
        for _ in 0..3 {
            limits.submission_from(ip).unwrap();
        }
        assert!(limits.submission_from(ip).is_err());
        assert!(limits.submission_from(None).is_ok());
    }

    #[tokio::test]
    async fn the_decode_budget_counts_bytes_and_answers_busy_when_full() {
        let budget = DecodeBudget::new(100, Duration::from_millis(50));
        let big = budget.reserve(80 * 1024 * 1024).await.unwrap();
        let small = budget.reserve(15 * 1024 * 1024).await.unwrap();
        let Err(Error::Busy { .. }) = budget.reserve(30 * 1024 * 1024).await else {
            panic!("80 + 15 + 30 MB is over 100 MB")
        };
        drop(big);
        let again = budget.reserve(30 * 1024 * 1024).await.unwrap();
        drop((small, again));
        let Err(Error::Unprocessable { code, message }) = budget.reserve(101 * 1024 * 1024).await
        else {
            panic!("more than the whole budget")
        };
        assert_eq!(code, "photo_too_costly");
        assert!(message.contains("101 MB"), "{message}");
    }

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(in_words(1), "1 second");
        assert_eq!(in_words(42), "42 seconds");
        assert_eq!(in_words(600), "10 minutes");
    }
}
