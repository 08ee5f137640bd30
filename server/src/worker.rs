//! The one worker loop both queues run (the Salesforce writes and the
//! hand-off deliveries), and the heartbeat that holds a lease while a job is
//! worked on.
//!
//! [`poll_loop`] calls a step until told to stop: after work it steps again
//! at once; when idle it sleeps until the next job falls due, the poll
//! interval passes, it is woken, or it is stopped. [`with_heartbeat`] renews
//! a job's lease every third of the lease while the job runs, so a slow but
//! live job is never taken by a second worker, while a crashed worker's job
//! comes back as soon as its (short) lease runs out.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::store::until;

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A job was worked on: step again at once.
    Worked,
    /// Nothing to do: wait this long (or until woken).
    Idle(Duration),
}

/// The shortest idle wait, so a queue with a due job is never spun on.
const MIN_WAIT: Duration = Duration::from_millis(5);

/// The idle wait when the next job falls due at `next_due` (timestamp text):
/// until then, at most `poll`.
pub fn idle_until(next_due: Option<&str>, poll: Duration) -> Step {
    let wait = next_due.map_or(poll, |at| until(at).min(poll));
    Step::Idle(wait.max(MIN_WAIT))
}

/// Run `step` until `stop` turns true (checked between steps). A database
/// error is logged and the step tried again after `poll`.
pub async fn poll_loop<F, Fut>(
    name: &str,
    mut step: F,
    poll: Duration,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Step, sqlx::Error>>,
{
    tracing::info!(worker = name, "worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let wait = match step().await {
            Ok(Step::Worked) => continue,
            Ok(Step::Idle(wait)) => wait,
            Err(e) => {
                tracing::error!(worker = name, error = %e, "database error; trying again soon");
                poll
            }
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!(worker = name, "worker stopped");
}

/// How often a lease of `lease` is renewed: three times per lease, so two
/// renewals may be late or fail before anyone else may take the job.
pub fn heartbeat_every(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(10))
}

/// Run `work`, renewing its lease with `renew` every [`heartbeat_every`]
/// meanwhile. `renew` answers false when the lease is lost (the job was
/// taken over): the heartbeat stops, and the work's outcome, fenced by the
/// lease, will change nothing.
pub async fn with_heartbeat<W, R, RF>(work: W, lease: Duration, mut renew: R) -> W::Output
where
    W: Future,
    R: FnMut() -> RF,
    RF: Future<Output = Result<bool, sqlx::Error>>,
{
    let every = heartbeat_every(lease);
    let heartbeat = async {
        loop {
            tokio::time::sleep(every).await;
            crate::failpoint::pause("heartbeat").await;
            match renew().await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!("lease lost while working; another worker has the job");
                    return std::future::pending::<()>().await;
                }
                Err(e) => tracing::warn!(error = %e, "could not renew a lease; trying again"),
            }
        }
    };
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => out,
        () = heartbeat => work.await,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn idle_waits_until_due_within_the_poll() {
        let poll = Duration::from_secs(1);
        assert_eq!(idle_until(None, poll), Step::Idle(poll));
        assert_eq!(
            idle_until(Some("2000-01-01T00:00:00.000000Z"), poll),
            Step::Idle(MIN_WAIT)
        );
        let later = crate::store::after(Duration::from_secs(60));
        assert_eq!(idle_until(Some(&later), poll), Step::Idle(poll));
    }

    #[test]
    fn three_heartbeats_per_lease() {
        assert_eq!(
            heartbeat_every(Duration::from_secs(30)),
            Duration::from_secs(10)
        );
        assert_eq!(heartbeat_every(Duration::ZERO), Duration::from_millis(10));
    }

    #[tokio::test]
    async fn the_lease_is_renewed_while_the_work_runs_and_not_after() {
        let renewals = AtomicU32::new(0);
        let out = with_heartbeat(
            async {
                tokio::time::sleep(Duration::from_millis(1_050)).await;
                7
            },
            Duration::from_millis(300),
            || async {
                renewals.fetch_add(1, Ordering::SeqCst);
                Ok(true)
            },
        )
        .await;
        assert_eq!(out, 7);
        let n = renewals.load(Ordering::SeqCst);
        assert!((8..=10).contains(&n), "every 100 ms for 1.05 s: {n}");
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(renewals.load(Ordering::SeqCst), n, "none after the work");
    }

    #[tokio::test]
    async fn a_lost_lease_stops_the_heartbeat_not_the_work() {
        let renewals = AtomicU32::new(0);
        let out = with_heartbeat(
            async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                "done"
            },
            Duration::from_millis(150),
            || async {
                renewals.fetch_add(1, Ordering::SeqCst);
                Ok(false)
            },
        )
        .await;
        assert_eq!(out, "done");
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn the_loop_steps_at_once_after_work_waits_when_idle_and_stops() {
        let steps = AtomicU32::new(0);
        let (stop, stopped) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let steps_ref = &steps;
        let looping = poll_loop(
            "test",
            || async move {
                let n = steps_ref.fetch_add(1, Ordering::SeqCst);
                Ok(if n < 3 {
                    Step::Worked
                } else {
                    Step::Idle(Duration::from_secs(60))
                })
            },
            Duration::from_secs(60),
            wake.clone(),
            stopped,
        );
        let driver = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert_eq!(steps.load(Ordering::SeqCst), 4, "three jobs, then idle");
            wake.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert_eq!(steps.load(Ordering::SeqCst), 5, "woken");
            stop.send(true).unwrap();
        };
        tokio::join!(looping, driver);
        assert_eq!(
            steps.load(Ordering::SeqCst),
            5,
            "stopped without another step"
        );
    }
}
