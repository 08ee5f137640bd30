//! A model's recent proposals, by a hash of the asset and the notes.

use super::{Store, now};

impl Store {
    /// Remember a model's proposal (JSON) under `key_hash`; a newer one for
    /// the same notes replaces it.
    pub async fn remember_ai_proposal(
        &self,
        key_hash: &str,
        proposal_json: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO ai_proposals (key_hash, proposal_json, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key_hash) DO UPDATE SET proposal_json = excluded.proposal_json, \
             created_at = excluded.created_at",
        )
        .bind(key_hash)
        .bind(proposal_json)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The proposal remembered under `key_hash` at or after `since`.
    pub async fn ai_proposal(
        &self,
        key_hash: &str,
        since: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT proposal_json FROM ai_proposals WHERE key_hash = $1 AND created_at >= $2",
        )
        .bind(key_hash)
        .bind(since)
        .fetch_optional(&self.pool)
        .await
    }

    /// Forget the proposals remembered before `before`; how many.
    pub async fn forget_ai_proposals(&self, before: &str) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM ai_proposals WHERE created_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
