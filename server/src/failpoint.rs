//! Failpoints for crash tests: `FIELDCASE_FAILPOINT=<name>` makes the process
//! abort (no unwinding, no cleanup: as close to `kill -9` as a process can do
//! to itself) when it reaches the point of that name. Unset, a failpoint
//! costs one read of a cached value.
//!
//! The write path's points, in order: `after_case_upsert` (Salesforce has
//! the case, we have recorded nothing), `after_photos_upload` (Salesforce has
//! the files too), `before_record` (just before the intake is marked
//! written).

use std::sync::OnceLock;

/// The environment variable naming the failpoint to abort at.
pub const ENV: &str = "FIELDCASE_FAILPOINT";

fn armed() -> Option<&'static str> {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    ARMED
        .get_or_init(|| std::env::var(ENV).ok().filter(|v| !v.is_empty()))
        .as_deref()
}

/// Abort the process here if `FIELDCASE_FAILPOINT` names this point.
pub fn hit(name: &str) {
    if armed() == Some(name) {
        tracing::error!(failpoint = name, "failpoint reached: aborting the process");
        eprintln!("fieldcase: failpoint {name} reached, aborting");
        std::process::abort();
    }
}
