//! All SQL lives here. SQLite today, PostgreSQL later, so the SQL stays
//! portable: `$n` placeholders, TEXT ids and RFC 3339 UTC timestamps,
//! explicit column lists, `ON CONFLICT … DO NOTHING` for idempotent inserts.
//! Runtime queries (`sqlx::query_as` + `FromRow`): no database at build time.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Assets and their revocable link tokens.
pub mod assets;
/// Intakes, their photos and their audit trail.
pub mod intakes;
/// Photo metadata and which asset each was uploaded under.
pub mod photos;

pub use assets::{ActiveAsset, AssetListing, NewAsset};
pub use intakes::{
    ActorKind, EventRecord, Inserted, IntakeListing, IntakeRecord, NewEvent, NewIntake,
};
pub use photos::PhotoRecord;

/// The database handle every handler shares (cheap to clone).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Open (creating if missing) and migrate the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
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
        Ok(Store { pool })
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
}

/// Now, as the RFC 3339 UTC text every timestamp column holds. Fixed width
/// (microseconds, `Z`), so text order is time order.
pub fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
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
    fn timestamps_are_rfc3339_and_fixed_width() {
        let t = super::now();
        assert_eq!(t.len(), "2025-01-01T00:00:00.000000Z".len());
        let parsed =
            time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339);
        assert!(parsed.is_ok(), "{t}");
    }
}
