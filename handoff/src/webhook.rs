//! The summary as a signed JSON webhook, and how a receiver checks it.
//!
//! # The request
//!
//! ```text
//! POST <route's url>
//! Content-Type: application/json
//! X-Fieldcase-Delivery: 3f0c…(32 hex digits)
//! X-Fieldcase-Timestamp: 1767225600
//! X-Fieldcase-Signature: sha256=9b1e…(64 hex digits)
//!
//! {"intake_id":"…","reference":"FC-7K3M-9QXD","case_number":"00001001",…}
//! ```
//!
//! The body is the [`CaseSummary`] as JSON. `X-Fieldcase-Delivery` is the
//! same on every attempt of one delivery (use it to drop duplicates: a retry
//! can follow a success whose answer was lost). `X-Fieldcase-Timestamp` is the
//! sending time in Unix seconds, new on each attempt.
//!
//! # Checking the signature (receivers)
//!
//! `X-Fieldcase-Signature` is `sha256=` followed by the lowercase hex
//! HMAC-SHA256, keyed with the shared secret, of the timestamp header's
//! value, a `.`, and the raw body bytes exactly as received:
//! `hex(HMAC_SHA256(secret, "{timestamp}.{body}"))`. A receiver should
//! 1. recompute it over the raw body (before parsing JSON) and compare in
//!    constant time, and
//! 2. refuse timestamps more than a few minutes from its own clock, which
//!    stops replays of an old request.
//!
//! [`verify_signature`] does both; Rust receivers can call it directly.
//!
//! # Answers
//!
//! Any 2xx means delivered. 408, 429 and 5xx (and timeouts or connection
//! failures) are retried, honouring `Retry-After` (seconds or an HTTP date).
//! Every other status, including redirects (not followed), is a permanent
//! failure shown to a person.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use sha2::Sha256;

use crate::error::{ConfigError, DeliveryError};
use crate::summary::CaseSummary;

pub use crate::email::DELIVERY_HEADER;
pub const TIMESTAMP_HEADER: &str = "X-Fieldcase-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Fieldcase-Signature";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Fieldcase-Signature` value for a body sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("sha256={}", hex::encode(tag))
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The signature header is not `sha256=<hex>`.
    Malformed,
    /// The timestamp header is not a whole number of Unix seconds.
    BadTimestamp,
    /// The timestamp is further from `now` than the tolerance allows.
    Stale,
    /// The signature does not match the body, timestamp and secret.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::Malformed => "the signature header is not of the form sha256=<hex>",
            SignatureError::BadTimestamp => "the timestamp header is not a number of Unix seconds",
            SignatureError::Stale => "the timestamp is too far from the current time",
            SignatureError::Mismatch => "the signature does not match the body and secret",
        })
    }
}

impl std::error::Error for SignatureError {}

/// Check a received webhook: `timestamp` and `header` are the values of
/// `X-Fieldcase-Timestamp` and `X-Fieldcase-Signature`, `body` the raw bytes,
/// `now` the receiver's clock in Unix seconds. Timestamps more than
/// `tolerance` away from `now` (either way) are refused. The comparison is
/// constant-time.
pub fn verify_signature(
    secret: &[u8],
    timestamp: &str,
    body: &[u8],
    header: &str,
    now: u64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.trim();
    let ts: u64 = timestamp
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let hex_tag = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let tag = hex::decode(hex_tag).map_err(|_| SignatureError::Malformed)?;
    if now.abs_diff(ts) > tolerance.as_secs() {
        return Err(SignatureError::Stale);
    }
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

/// The current time in Unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Posts signed summaries. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    timeout: Duration,
}

impl WebhookSender {
    /// `timeout` bounds each whole request, connect to last byte of the answer.
    pub fn new(timeout: Duration) -> Result<Self, ConfigError> {
        if timeout.is_zero() {
            return Err(ConfigError(
                "the webhook timeout must be more than zero".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fieldcase-handoff/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError(format!("cannot set up the webhook HTTP client: {e}")))?;
        Ok(WebhookSender { client, timeout })
    }

    /// POST the summary, signed now. `delivery_id` is
    /// [`crate::Delivery::delivery_id`].
    pub async fn send(
        &self,
        url: &str,
        secret: &[u8],
        delivery_id: &str,
        summary: &CaseSummary,
    ) -> Result<(), DeliveryError> {
        self.send_at(url, secret, delivery_id, summary, unix_now())
            .await
    }

    /// [`WebhookSender::send`] with the timestamp given (tests, replays).
    pub async fn send_at(
        &self,
        url: &str,
        secret: &[u8],
        delivery_id: &str,
        summary: &CaseSummary,
        timestamp: u64,
    ) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(summary)
            .map_err(|e| DeliveryError::permanent(format!("cannot encode the summary: {e}")))?;
        let signature = sign(secret, timestamp, &body);
        let sent = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(DELIVERY_HEADER, delivery_id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                classify_status(response.status(), retry_after.as_deref(), SystemTime::now())
            }
            Err(e) => Err(self.classify_error(&e)),
        }
    }

    fn classify_error(&self, e: &reqwest::Error) -> DeliveryError {
        if e.is_timeout() {
            DeliveryError::transient(format!(
                "the webhook did not answer within {} s",
                self.timeout.as_secs_f32()
            ))
        } else if e.is_builder() {
            DeliveryError::permanent("the webhook url cannot be used; fix the route's url")
        } else if e.is_connect() {
            DeliveryError::transient(format!("could not connect to the webhook{}", causes(e)))
        } else {
            DeliveryError::transient(format!("the webhook request failed{}", causes(e)))
        }
    }
}

/// The error's sources (never the URL, which may hold a token).
fn causes(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// What an HTTP answer means for the delivery: 2xx delivered; 408, 429 and
/// 5xx transient (with `Retry-After`); anything else permanent.
pub fn classify_status(
    status: StatusCode,
    retry_after: Option<&str>,
    now: SystemTime,
) -> Result<(), DeliveryError> {
    if status.is_success() {
        return Ok(());
    }
    let shown = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let shown = shown.trim_end();
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || status.is_informational()
    {
        return Err(DeliveryError::Transient {
            message: format!("the webhook answered {shown}"),
            retry_after: retry_after.and_then(|v| parse_retry_after(v, now)),
        });
    }
    let hint = if status.is_redirection() {
        "redirects are not followed; set the route's url to the final address"
    } else if matches!(status.as_u16(), 401 | 403) {
        "check that the receiver uses the same signing secret"
    } else if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        "check the route's url"
    } else {
        "the receiver refused this delivery; check the receiver"
    };
    Err(DeliveryError::permanent(format!(
        "the webhook answered {shown}; {hint}"
    )))
}

/// `Retry-After` as delay-seconds or an HTTP date (a past date means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const MINUTES_5: Duration = Duration::from_secs(300);

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Known answer, computed independently with Python's hmac module:
        // hmac.new(b"key", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        let sig = sign(b"key", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            sig,
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
        assert_eq!(sig.len(), 7 + 64);
    }

    #[test]
    fn verify_table() {
        let body = br#"{"case_number":"00001001"}"#;
        let now = 1_700_000_000;
        let good = sign(SECRET, now, body);
        let ts = now.to_string();
        type Case<'a> = (
            &'a str,
            &'a [u8],
            &'a str,
            &'a [u8],
            u64,
            Result<(), SignatureError>,
        );
        let cases: &[Case] = &[
            (&ts, body, &good, SECRET, now, Ok(())),
            (&ts, body, &good, SECRET, now + 299, Ok(())),
            (&ts, body, &good, SECRET, now - 300, Ok(())),
            (
                &ts,
                body,
                &good,
                SECRET,
                now + 301,
                Err(SignatureError::Stale),
            ),
            (
                &ts,
                body,
                &good,
                SECRET,
                now - 301,
                Err(SignatureError::Stale),
            ),
            (
                &ts,
                br#"{"case_number":"00001002"}"#,
                &good,
                SECRET,
                now,
                Err(SignatureError::Mismatch),
            ),
            (
                &ts,
                body,
                &good,
                b"another secret",
                now,
                Err(SignatureError::Mismatch),
            ),
            (
                "1700000001",
                body,
                &good,
                SECRET,
                now,
                Err(SignatureError::Mismatch),
            ),
            (
                "soon",
                body,
                &good,
                SECRET,
                now,
                Err(SignatureError::BadTimestamp),
            ),
            (
                &ts,
                body,
                &good[7..],
                SECRET,
                now,
                Err(SignatureError::Malformed),
            ),
            (
                &ts,
                body,
                "sha256=zz",
                SECRET,
                now,
                Err(SignatureError::Malformed),
            ),
            (
                &ts,
                body,
                "sha256=abcd",
                SECRET,
                now,
                Err(SignatureError::Mismatch),
            ),
        ];
        for (i, (ts, body, header, secret, now, want)) in cases.iter().enumerate() {
            assert_eq!(
                verify_signature(secret, ts, body, header, *now, MINUTES_5),
                *want,
                "case {i}"
            );
        }
    }

    #[test]
    fn status_table() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        let t =
            |s: u16, ra: Option<&str>| classify_status(StatusCode::from_u16(s).unwrap(), ra, now);
        for s in [200, 201, 202, 204] {
            assert_eq!(t(s, None), Ok(()), "{s}");
        }
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(t(s, None).unwrap_err().is_transient(), "{s}");
        }
        for s in [301, 302, 400, 401, 403, 404, 410, 413, 422] {
            assert!(t(s, None).unwrap_err().is_permanent(), "{s}");
        }
        assert_eq!(
            t(503, Some("120")).unwrap_err().retry_after(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            t(429, Some(&later)).unwrap_err().retry_after(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(t(503, Some("whenever")).unwrap_err().retry_after(), None);
        assert!(
            t(401, None)
                .unwrap_err()
                .message()
                .contains("signing secret")
        );
        assert!(t(302, None).unwrap_err().message().contains("redirects"));
        assert_eq!(
            t(503, None).unwrap_err().message(),
            "the webhook answered 503 Service Unavailable"
        );
    }

    #[test]
    fn retry_after_in_the_past_means_now() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let past = httpdate::fmt_http_date(now - Duration::from_secs(10));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
    }
}
