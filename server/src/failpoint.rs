//! Failpoints for crash tests. `FIELDCASE_FAILPOINT` is a comma-separated
//! list of points:
//!
//! - `<name>` makes the process abort (no unwinding, no cleanup: as close to
//!   `kill -9` as a process can do to itself) when it reaches [`hit`]`(name)`;
//! - `<name>:<ms>` makes [`pause`]`(name)` wait that many milliseconds each
//!   time it is reached, then go on: a stalled process (a long GC-like
//!   pause, a stuck disk) without stopping it.
//!
//! e.g. `FIELDCASE_FAILPOINT=heartbeat:5000,before_record:2000`. Unset, a
//! failpoint costs one read of a cached value.
//!
//! The write path's points, in order: `after_case_upsert` (Salesforce has
//! the case, we have recorded nothing), `after_photos_upload` (Salesforce has
//! the files too), `before_record` (just before the intake is marked
//! written; also a pause point). `heartbeat` (a pause point) is reached
//! before each renewal of a lease. Submission: `before_submit_commit`,
//! `after_submit_commit` (around the new intake's transaction). Hand-off:
//! `after_handoff_sent_email`, `after_handoff_sent_webhook` (sent, not yet
//! recorded delivered).

use std::sync::OnceLock;
use std::time::Duration;

/// The environment variable naming the failpoints.
pub const ENV: &str = "FIELDCASE_FAILPOINT";

/// What an armed point does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Abort,
    Pause(Duration),
}

fn parse(spec: &str) -> Vec<(String, Action)> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|point| match point.split_once(':') {
            Some((name, ms)) => {
                let ms = ms.trim().parse::<u64>().unwrap_or_else(|_| {
                    panic!("{ENV}: `{point}`: write <name>:<milliseconds> to pause")
                });
                (
                    name.trim().to_owned(),
                    Action::Pause(Duration::from_millis(ms)),
                )
            }
            None => (point.to_owned(), Action::Abort),
        })
        .collect()
}

fn armed(name: &str) -> Option<Action> {
    static ARMED: OnceLock<Vec<(String, Action)>> = OnceLock::new();
    ARMED
        .get_or_init(|| std::env::var(ENV).map(|v| parse(&v)).unwrap_or_default())
        .iter()
        .find(|(point, _)| point == name)
        .map(|(_, action)| *action)
}

/// Abort the process here if `FIELDCASE_FAILPOINT` names this point.
pub fn hit(name: &str) {
    if armed(name) == Some(Action::Abort) {
        tracing::error!(failpoint = name, "failpoint reached: aborting the process");
        eprintln!("fieldcase: failpoint {name} reached, aborting");
        std::process::abort();
    }
}

/// Wait here if `FIELDCASE_FAILPOINT` names this point with a pause
/// (`name:ms`); abort if it names it bare.
pub async fn pause(name: &str) {
    match armed(name) {
        Some(Action::Pause(wait)) => {
            tracing::warn!(
                failpoint = name,
                pause_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "failpoint reached: pausing"
            );
            tokio::time::sleep(wait).await;
        }
        Some(Action::Abort) => hit(name),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_abort_or_pause() {
        assert_eq!(
            parse("heartbeat:5000, before_record"),
            vec![
                (
                    "heartbeat".to_owned(),
                    Action::Pause(Duration::from_millis(5000))
                ),
                ("before_record".to_owned(), Action::Abort),
            ]
        );
        assert!(parse("").is_empty());
    }
}
