//! All SQL lives here. SQLite today, PostgreSQL later, so the SQL stays
//! portable: `$n` placeholders, TEXT ids and RFC 3339 UTC timestamps,
//! explicit column lists, `ON CONFLICT … DO NOTHING` for idempotent inserts.
//! Runtime queries (`sqlx::query_as` + `FromRow`): no database at build time.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::salesforce::SecretKey;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// A model's recent proposals, for the audit trail of the intake sent.
pub mod ai_proposals;
/// Assets as admins manage them: list, edit, retire, new links, imports.
pub mod asset_admin;
/// Assets and their revocable link tokens.
pub mod assets;
/// The append-only audit trail of intakes, accounts and the CRM connection.
pub mod audit;
/// The hand-off queue: deliveries of written cases, retried until delivered.
pub mod handoffs;
/// Intakes, their photos and their audit trail.
pub mod intakes;
/// The lease queue both queues are: lease, heartbeat, finish, release.
pub mod lease;
/// MCP: AI assistants' grants, hashed tokens, proposals' idempotency keys.
pub mod mcp;
/// Photo metadata and which asset each was uploaded under.
pub mod photos;
/// The admin's policy: its versions, its decisions on intakes, escalations.
pub mod policy;
/// Customer portals that embed the form, their sealed secrets.
pub mod portals;
/// Review before create: the queue, revisions, decisions, approval's hash.
pub mod review;
/// The Salesforce connection (tokens sealed) and pending authorisations.
pub mod salesforce;
/// Staff accounts and invitations.
pub mod users;
/// The write queue: one leased job per approved intake.
pub mod write_jobs;

pub use asset_admin::{ImportCounts, ImportItem, ManagedAsset};
pub use assets::{ActiveAsset, AssetListing, NewAsset};
pub use audit::{Actor, AuditSlice, NewEvent, insert_event};
pub use handoffs::{DeliveryJob, PlannedDelivery, WrittenIntake};
pub use handoffs::{DeliveryOutcome, DeliveryState};
pub use intakes::{
    ActorKind, IntakeListing, IntakeRecord, NewIntake, PortalOrigin, insert_intake, set_status,
};
pub use photos::PhotoRecord;
pub use portals::PortalKey;
pub use review::{Guarded, QueueFilter, QueueKeys, ReviewIntake, content_hash};
pub use salesforce::{NewConnection, StoredConnection};
pub use users::Account;
pub use write_jobs::WriteJobState;
pub use write_jobs::{IntakeForWrite, PhotoForWrite, WriteJob, WrittenCase, enqueue_write};

/// A transaction: what a change spanning several tables runs in (an intake,
/// its approval and its write job commit together or not at all). Opaque:
/// the connection inside never leaves `store/`.
pub struct Tx(sqlx::Transaction<'static, sqlx::Sqlite>);

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.0.rollback().await
    }

    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.0
    }
}

/// The database handle every handler shares (cheap to clone).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Indexes and seals asset tokens (never stored in plain text).
    key: SecretKey,
}

impl Store {
    /// Open (creating it `0600`) and migrate the database, then seal any
    /// asset token still in plain text. Refuses a `key` that cannot open the
    /// links already stored (every printed label would stop working).
    pub async fn connect(url: &str, key: SecretKey) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?;
        // SQLite makes `-wal` and `-shm` with the database file's mode: so a
        // database file made `0600` here keeps all three private.
        let file = options.get_filename().to_owned();
        let on_disk = !file.as_os_str().is_empty() && file.as_os_str() != ":memory:";
        if on_disk {
            crate::private_fs::create_if_missing(&file)?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!().run(&pool).await?;
        if on_disk {
            // A database from before this rule: narrow it (and its companions).
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                crate::private_fs::restrict(path.as_ref(), crate::private_fs::FILE_MODE)?;
            }
        }
        let store = Store { pool, key };
        if !store.key_opens_links().await? {
            return Err(sqlx::Error::Configuration(
                "the asset links in this database were sealed with another secret key; start \
                 with the key that sealed them (--secret-key, or the secret.key file made in \
                 the data folder when none was given): with another key no printed label works"
                    .into(),
            ));
        }
        let sealed = store.seal_plain_tokens().await?;
        if sealed > 0 {
            tracing::info!(tokens = sealed, "sealed asset tokens kept in plain text");
        }
        Ok(store)
    }

    /// A trivial query, for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Start a transaction.
    /// Every transaction here writes, so it takes SQLite's write lock at once
    /// (`BEGIN IMMEDIATE`): one that read first and then wrote could fail
    /// with "database is locked" when another writer came in between,
    /// instead of waiting its turn (busy_timeout).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(self.write_tx().await?))
    }

    /// A write transaction for the store's own multi-statement changes.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// The pool, for the session store (tower-sessions keeps its own table).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Now, as the RFC 3339 UTC text every timestamp column holds. Fixed width
/// (microseconds, `Z`), so text order is time order.
pub fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// `delay` from now, as timestamp text.
pub fn after(delay: Duration) -> String {
    let delay = time::Duration::try_from(delay).unwrap_or(time::Duration::MAX);
    let t = time::OffsetDateTime::now_utc()
        .checked_add(delay)
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    timestamp(t)
}

/// `delay` ago, as timestamp text.
pub fn before_now(delay: Duration) -> String {
    let delay = time::Duration::try_from(delay).unwrap_or(time::Duration::ZERO);
    let t = time::OffsetDateTime::now_utc()
        .checked_sub(delay)
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    timestamp(t)
}

/// Add `value` to a dynamic query's binds; its placeholder (`$n`).
fn param(binds: &mut Vec<String>, value: impl Into<String>) -> String {
    binds.push(value.into());
    format!("${}", binds.len())
}

/// A case-insensitive `LIKE … ESCAPE '\'` pattern that finds `text` anywhere.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// How long from now until the timestamp text `at` (zero if past or unreadable).
pub fn until(at: &str) -> Duration {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t - time::OffsetDateTime::now_utc())
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(Duration::ZERO)
}

fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn later_timestamps_sort_later() {
        let now = super::now();
        let later = super::after(std::time::Duration::from_secs(90));
        assert!(later > now, "{later} > {now}");
        let left = super::until(&later);
        assert!(left > std::time::Duration::from_secs(80), "{left:?}");
        assert_eq!(super::until(&now), std::time::Duration::ZERO);
        assert_eq!(super::until("garbage"), std::time::Duration::ZERO);
    }

    #[test]
    fn timestamps_are_rfc3339_and_fixed_width() {
        let t = super::now();
        assert_eq!(t.len(), "2025-01-01T00:00:00.000000Z".len());
        let parsed =
            time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339);
        assert!(parsed.is_ok(), "{t}");
    }

    /// Every transaction takes the write lock at once (`Store::begin`,
    /// `write_tx`: `BEGIN IMMEDIATE`). A deferred one (the pool's `begin()`) that
    /// reads and then writes fails with "database is locked" when another
    /// writer comes in between — it did, once, on the MCP token exchange in
    /// a browser test, as a 500.
    #[test]
    fn no_deferred_transactions() {
        let needle = ["pool", ".begin()"].concat();
        for (file, source) in [
            ("asset_admin.rs", include_str!("asset_admin.rs")),
            ("assets.rs", include_str!("assets.rs")),
            ("audit.rs", include_str!("audit.rs")),
            ("handoffs.rs", include_str!("handoffs.rs")),
            ("intakes.rs", include_str!("intakes.rs")),
            ("lease.rs", include_str!("lease.rs")),
            ("mcp.rs", include_str!("mcp.rs")),
            ("mod.rs", include_str!("mod.rs")),
            ("photos.rs", include_str!("photos.rs")),
            ("policy.rs", include_str!("policy.rs")),
            ("portals.rs", include_str!("portals.rs")),
            ("review.rs", include_str!("review.rs")),
            ("salesforce.rs", include_str!("salesforce.rs")),
            ("users.rs", include_str!("users.rs")),
            ("write_jobs.rs", include_str!("write_jobs.rs")),
        ] {
            assert!(
                !source.contains(&needle),
                "{file} starts a deferred transaction; use write_tx()"
            );
        }
    }
}
