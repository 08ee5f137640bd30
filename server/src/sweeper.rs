//! The sweeper: deletes photos no intake uses once nobody has uploaded them
//! for `--unused-photo-mins` (24 h by default), and uploads in progress left
//! behind by a crash or a cut connection; and lets the rate limiters forget
//! clients they no longer limit; and forgets a model's proposals after an
//! hour (personal data in them is kept no longer than it serves).
//!
//! A photo is forgotten in the database first (one transaction that checks
//! no intake uses it), then its files are removed unless they were written
//! again meanwhile: the same bytes uploaded while the sweep runs keep their
//! files (see [`PhotoFiles::remove_unless_newer`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

use crate::config::ServeArgs;
use crate::limits::RateLimits;
use crate::photo::PhotoFiles;
use crate::store::{Store, before_now};
use crate::structurer::RecentProposals;

/// Photos forgotten in one transaction at most.
const BATCH: i64 = 500;

#[derive(Debug, Clone)]
pub struct Sweeper {
    store: Store,
    files: PhotoFiles,
    rate_limits: Arc<RateLimits>,
    unused_after: Duration,
    stale_upload_after: Duration,
    every: Duration,
}

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub photos: usize,
    pub uploads: usize,
    /// A model's proposals older than an hour (see [`RecentProposals`]).
    pub ai_proposals: u64,
}

impl Sweeper {
    pub fn new(
        args: &ServeArgs,
        store: Store,
        files: PhotoFiles,
        rate_limits: Arc<RateLimits>,
    ) -> Self {
        Sweeper {
            store,
            files,
            rate_limits,
            unused_after: Duration::from_secs(args.unused_photo_mins.saturating_mul(60)),
            // An upload older than its timeout is nobody's any more.
            stale_upload_after: Duration::from_secs(args.upload_timeout_secs.saturating_add(60)),
            every: Duration::from_secs(args.sweep_every_secs.max(1)),
        }
    }

    /// At start-up: clean the temporary upload folder (of uploads no live
    /// process can still be writing).
    pub fn clean_uploads(&self) -> std::io::Result<usize> {
        let removed = self.files.remove_stale_uploads(self.stale_upload_after)?;
        if removed > 0 {
            tracing::info!(files = removed, "removed unfinished uploads");
        }
        Ok(removed)
    }

    /// One sweep.
    pub async fn sweep(&self) -> Result<Swept, sqlx::Error> {
        let mut swept = Swept::default();
        let started = SystemTime::now();
        let cutoff_time = started - self.unused_after;
        let cutoff = before_now(self.unused_after);
        loop {
            let forgotten = self.store.forget_unused_photos(&cutoff, BATCH).await?;
            for sha256 in &forgotten {
                if let Err(e) = self.files.remove_unless_newer(sha256.as_str(), cutoff_time) {
                    tracing::warn!(error = %e, %sha256, "could not remove an unused photo's files");
                }
            }
            swept.photos += forgotten.len();
            if forgotten.len() < BATCH as usize {
                break;
            }
        }
        swept.uploads = self
            .files
            .remove_stale_uploads(self.stale_upload_after)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not clean the upload folder");
                0
            });
        self.rate_limits.forget_idle();
        swept.ai_proposals = self
            .store
            .forget_ai_proposals(&before_now(RecentProposals::KEEP))
            .await?;
        if swept != Swept::default() {
            tracing::info!(
                photos = swept.photos,
                uploads = swept.uploads,
                ai_proposals = swept.ai_proposals,
                "swept unused photos and old proposals"
            );
        }
        Ok(swept)
    }

    /// Sweep every `--sweep-every-secs` until `stop`.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.sweep().await {
                        tracing::error!(error = %e, "the sweep failed; trying again later");
                    }
                }
                _ = stop.changed() => return,
            }
        }
    }
}
