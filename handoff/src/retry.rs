//! When to try again: fieldcase's one back-off policy, used by the server's
//! hand-off queue ([`RetryPolicy`]) and its Salesforce write queue
//! ([`Backoff`]).
//!
//! **The policy.** Exponential back-off with full jitter. Attempts are
//! counted the same way everywhere: `failures` is the number of attempts
//! that have failed so far, including the one just made (1 after the first
//! failure). The wait before the next attempt is drawn uniformly from zero
//! to the ceiling `min(cap, base × 2^(failures−1))`, so many jobs failing
//! together (a receiver restarting, an API limit) do not come back together.
//! A passing failure is retried with no limit on the number of attempts.
//!
//! For hand-offs, a receiver's `Retry-After` is honoured as a minimum, up to
//! [`RetryPolicy::max_retry_after`].
//!
//! A permanent failure is not retried: [`RetryPolicy::delay`] answers `None`
//! and the server shows the delivery and its message to a person, who fixes
//! the cause and retries it by hand.
//!
//! The random value is injected (`jitter` in `[0, 1)`, e.g. the server's
//! `rand::random::<f64>()`), so schedules are deterministic in tests.

use std::time::Duration;

use crate::error::DeliveryError;

/// The wait before the next attempt, after `failures` attempts have failed
/// (1 after the first failure; 0 counts as 1). `jitter` is a random value in
/// `[0, 1)`; values outside are clamped, NaN counts as 1.
pub fn next_attempt(failures: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(62) as i32;
    let ceiling = (base.as_secs_f64() * 2f64.powi(exponent)).min(cap.as_secs_f64());
    let jitter = if jitter.is_nan() {
        1.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    Duration::from_secs_f64(ceiling * jitter)
}

/// The back-off alone: [`next_attempt`] with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first ceiling (after one failure).
    pub base: Duration,
    /// The largest ceiling.
    pub cap: Duration,
}

impl Backoff {
    /// From milliseconds, as configured: at least 1 ms, and a cap no lower
    /// than the base.
    pub fn from_millis(base_ms: u64, cap_ms: u64) -> Self {
        let base = base_ms.max(1);
        Backoff {
            base: Duration::from_millis(base),
            cap: Duration::from_millis(cap_ms.max(base)),
        }
    }

    /// The ceiling after `failures` failed attempts.
    pub fn ceiling(&self, failures: u32) -> Duration {
        next_attempt(failures, self.base, self.cap, 1.0)
    }

    /// The wait after `failures` failed attempts, `jitter` in `[0, 1)`.
    pub fn delay(&self, failures: u32, jitter: f64) -> Duration {
        next_attempt(failures, self.base, self.cap, jitter)
    }
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
    /// The back-off part of the policy.
    pub fn backoff(&self) -> Backoff {
        Backoff {
            base: self.base,
            cap: self.cap,
        }
    }

    /// The wait before retrying after `failures` failed attempts, the last
    /// ending in `error`; `None` when the error is permanent (do not retry).
    pub fn delay(&self, failures: u32, error: &DeliveryError, jitter: f64) -> Option<Duration> {
        if error.is_permanent() {
            return None;
        }
        let backoff = self.backoff().delay(failures, jitter);
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
    fn backoff_from_settings_grows_to_its_cap() {
        let b = Backoff::from_millis(2_000, 600_000);
        assert_eq!(b.ceiling(1), S(2));
        assert_eq!(b.ceiling(4), S(16));
        assert_eq!(b.ceiling(21), S(600));
        assert_eq!(b.ceiling(u32::MAX), S(600));
        assert_eq!(b.delay(4, 0.5), S(8));
        let odd = Backoff::from_millis(0, 0);
        assert_eq!(
            (odd.base, odd.cap),
            (Duration::from_millis(1), Duration::from_millis(1))
        );
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(3, &DeliveryError::transient("down"), 0.5),
            Some(p.backoff().delay(3, 0.5)),
            "one policy"
        );
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
