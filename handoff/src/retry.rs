//! When to try a failed delivery again.
//!
//! "Retried until delivered": a transient failure is retried with no limit
//! on the number of attempts. The wait is drawn uniformly from zero to an
//! exponentially growing ceiling, `min(cap, base × 2^(attempt−1))` ("full
//! jitter"), so many deliveries failing together (a receiver restarting) do
//! not come back together. A receiver's `Retry-After` is honoured as a
//! minimum, up to [`RetryPolicy::max_retry_after`].
//!
//! A permanent failure is not retried: [`RetryPolicy::delay`] answers `None`
//! and the server shows the delivery and its message to a person, who fixes
//! the cause and retries it by hand.
//!
//! The random value is injected (`jitter` in `[0, 1)`, e.g. the server's
//! `rand::random::<f64>()`), so schedules are deterministic in tests.

use std::time::Duration;

use crate::error::DeliveryError;

/// The wait before the next attempt, after `attempt` attempts have failed
/// (1 after the first failure). `jitter` is a random value in `[0, 1)`;
/// values outside are clamped, NaN counts as 1.
pub fn next_attempt(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(62) as i32;
    let ceiling = (base.as_secs_f64() * 2f64.powi(exponent)).min(cap.as_secs_f64());
    let jitter = if jitter.is_nan() {
        1.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    Duration::from_secs_f64(ceiling * jitter)
}

/// Back-off settings for the server's delivery queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first ceiling (after one failure).
    pub base: Duration,
    /// The largest ceiling; reached after about log2(cap / base) failures.
    pub cap: Duration,
    /// A receiver's `Retry-After` beyond this is cut to it.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 5 s first ceiling, 15 min cap, `Retry-After` honoured up to 1 h.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(15 * 60),
            max_retry_after: Duration::from_secs(60 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retrying after `attempt` failed attempts ending in
    /// `error`; `None` when the error is permanent (do not retry).
    pub fn delay(&self, attempt: u32, error: &DeliveryError, jitter: f64) -> Option<Duration> {
        if error.is_permanent() {
            return None;
        }
        let backoff = next_attempt(attempt, self.base, self.cap, jitter);
        let asked = error
            .retry_after()
            .map(|d| d.min(self.max_retry_after))
            .unwrap_or(Duration::ZERO);
        Some(backoff.max(asked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn exponential_with_full_jitter_and_cap() {
        let (base, cap) = (S(5), S(900));
        let cases: &[(u32, f64, Duration)] = &[
            (1, 0.0, S(0)),
            (1, 0.5, Duration::from_millis(2500)),
            (1, 1.0, S(5)),
            (0, 1.0, S(5)),
            (2, 1.0, S(10)),
            (3, 1.0, S(20)),
            (3, 0.25, S(5)),
            (8, 1.0, S(640)),
            (9, 1.0, S(900)),
            (9, 0.5, S(450)),
            (1000, 1.0, S(900)),
            (u32::MAX, 0.1, S(90)),
            (3, -1.0, S(0)),
            (3, 7.0, S(20)),
            (3, f64::NAN, S(20)),
        ];
        for (attempt, jitter, want) in cases {
            assert_eq!(
                next_attempt(*attempt, base, cap, *jitter),
                *want,
                "attempt {attempt}, jitter {jitter}"
            );
        }
    }

    #[test]
    fn transient_is_retried_forever_and_permanent_never() {
        let p = RetryPolicy::default();
        let transient = DeliveryError::transient("down");
        for attempt in [1, 10, 100, 10_000, u32::MAX] {
            let d = p.delay(attempt, &transient, 0.999).unwrap();
            assert!(d <= p.cap, "{attempt}: {d:?}");
        }
        assert_eq!(p.delay(1, &DeliveryError::permanent("no"), 0.5), None);
    }

    #[test]
    fn retry_after_is_a_floor_up_to_a_limit() {
        let p = RetryPolicy::default();
        let busy = |secs| DeliveryError::Transient {
            message: "busy".into(),
            retry_after: Some(S(secs)),
        };
        assert_eq!(p.delay(1, &busy(120), 0.5), Some(S(120)));
        assert_eq!(p.delay(1, &busy(0), 1.0), Some(S(5)));
        assert_eq!(p.delay(1, &busy(86_400), 0.0), Some(S(3600)));
    }
}
