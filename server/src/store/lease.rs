//! The lease queue: the one mechanism behind the write queue (`write_jobs`)
//! and the hand-off queue (`handoff_deliveries`).
//!
//! A queue is a table of rows with a `state`, `attempts`, `next_attempt_at`,
//! `lease_owner`, `lease_until`, `last_error` and `updated_at`. A worker
//! **leases** a due pending row (nobody holds it, or its holder's lease ran
//! out: a crashed worker's job comes back this way), **renews** the lease
//! while it works (the heartbeat, so a slow but live job is never taken
//! twice), and **finishes** it (a new state, or pending again later) or
//! **releases** it (untouched, uncounted). Every change after the lease is
//! fenced by the owner: a worker whose lease was taken over changes nothing.

use std::time::Duration;

use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, SqliteConnection};

use super::{after, now};

/// One leased table: its name, its key columns and its pending state.
#[derive(Debug, Clone, Copy)]
pub struct LeaseQueue {
    pub table: &'static str,
    pub key: &'static [&'static str],
    /// The state of a row waiting (or retrying); the only state leased.
    pub pending: &'static str,
}

/// How a leased row ends this attempt.
#[derive(Debug, Clone)]
pub struct Finish<'a> {
    /// The new state (the pending state again for a retry).
    pub state: &'a str,
    /// Count this attempt as failed.
    pub failed: bool,
    /// When to try again (a retry); `None` keeps `next_attempt_at`.
    pub next_attempt_at: Option<String>,
    /// The error to keep, or `None` to clear it.
    pub error: Option<&'a str>,
}

impl LeaseQueue {
    /// `k1 = $n AND k2 = $n+1 …` for the key columns, from placeholder `first`.
    fn key_match(&self, first: usize) -> String {
        self.key
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", first + i))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// Lease the next due row for `lease` as `owner`, answering the
    /// `returning` columns.
    pub async fn lease_next<T>(
        &self,
        conn: &mut SqliteConnection,
        owner: &str,
        lease: Duration,
        returning: &str,
    ) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let (table, keys) = (self.table, self.key.join(", "));
        let sql = format!(
            "UPDATE {table} SET lease_owner = $1, lease_until = $2, updated_at = $3 \
             WHERE ({keys}) = (SELECT {keys} FROM {table} \
                 WHERE state = $4 AND next_attempt_at <= $3 \
                 AND (lease_until IS NULL OR lease_until < $3) \
                 ORDER BY next_attempt_at, {keys} LIMIT 1) \
             AND state = $4 AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING {returning}"
        );
        sqlx::query_as(&sql)
            .bind(owner)
            .bind(after(lease))
            .bind(now())
            .bind(self.pending)
            .fetch_optional(conn)
            .await
    }

    /// The heartbeat: hold the row `lease` longer. False when `owner` no
    /// longer holds it (the job finished, or another worker took it over).
    pub async fn renew(
        &self,
        conn: &mut SqliteConnection,
        key: &[&str],
        owner: &str,
        lease: Duration,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE {} SET lease_until = $1, updated_at = $2 \
             WHERE lease_owner = $3 AND state = $4 AND {}",
            self.table,
            self.key_match(5)
        );
        let mut query = sqlx::query(&sql)
            .bind(after(lease))
            .bind(now())
            .bind(owner)
            .bind(self.pending);
        for value in key {
            query = query.bind(*value);
        }
        Ok(query.execute(conn).await?.rows_affected() == 1)
    }

    /// Give the row back untouched and uncounted (e.g. no connection yet).
    pub async fn release(
        &self,
        conn: &mut SqliteConnection,
        key: &[&str],
        owner: &str,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE {} SET lease_owner = NULL, lease_until = NULL, updated_at = $1 \
             WHERE lease_owner = $2 AND state = $3 AND {}",
            self.table,
            self.key_match(4)
        );
        let mut query = sqlx::query(&sql).bind(now()).bind(owner).bind(self.pending);
        for value in key {
            query = query.bind(*value);
        }
        Ok(query.execute(conn).await?.rows_affected() == 1)
    }

    /// End this attempt: a new state (or pending again, later), the lease
    /// let go. False when `owner` no longer holds the row: nothing changed.
    pub async fn finish(
        &self,
        conn: &mut SqliteConnection,
        key: &[&str],
        owner: &str,
        finish: &Finish<'_>,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "UPDATE {} SET state = $1, attempts = attempts + $2, \
             next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4, \
             lease_owner = NULL, lease_until = NULL, updated_at = $5 \
             WHERE lease_owner = $6 AND state = $7 AND {}",
            self.table,
            self.key_match(8)
        );
        let mut query = sqlx::query(&sql)
            .bind(finish.state)
            .bind(i64::from(finish.failed))
            .bind(finish.next_attempt_at.as_deref())
            .bind(finish.error)
            .bind(now())
            .bind(owner)
            .bind(self.pending);
        for value in key {
            query = query.bind(*value);
        }
        Ok(query.execute(conn).await?.rows_affected() == 1)
    }

    /// When the next pending row can be leased (when it falls due, or when
    /// the lease holding it runs out), if there is one.
    pub async fn next_due(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<Option<String>, sqlx::Error> {
        let sql = format!(
            "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at \
             THEN lease_until ELSE next_attempt_at END) FROM {} WHERE state = $1",
            self.table
        );
        sqlx::query_scalar(&sql)
            .bind(self.pending)
            .fetch_one(conn)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_from_their_placeholder() {
        let q = LeaseQueue {
            table: "t",
            key: &["a", "b"],
            pending: "pending",
        };
        assert_eq!(q.key_match(5), "a = $5 AND b = $6");
    }
}
