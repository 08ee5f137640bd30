//! MCP: AI assistants' grants, their access tokens (only the SHA-256 of a
//! token is stored) and `propose_intake`'s idempotency keys.

use fieldcase_core::wire::AssetView;
use sqlx::FromRow;
use uuid::Uuid;

use super::assets::{ASSET_COLUMNS, AssetRow};
use super::{Store, now};

/// One AI client's grant, on behalf of one staff member.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct McpGrantRow {
    pub id: String,
    pub client_name: String,
    pub user_id: String,
    pub user_email: String,
    pub scopes: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// What a presented access token stands for.
#[derive(Debug, Clone, FromRow)]
pub struct McpTokenRow {
    pub grant_id: String,
    pub client_name: String,
    pub user_email: String,
    pub scopes: String,
    pub audience: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// An earlier proposal under the same idempotency key.
#[derive(Debug, Clone, FromRow)]
pub struct McpProposalRow {
    pub body_hash: String,
    pub intake_id: String,
}

const GRANT_COLUMNS: &str = "id, client_name, user_id, user_email, scopes, created_at, revoked_at";

impl Store {
    /// A new grant and its first access token (stored as `token_hash`).
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_mcp_grant(
        &self,
        client_name: &str,
        user_id: &str,
        user_email: &str,
        scopes: &str,
        token_hash: &str,
        audience: &str,
        expires_at: &str,
    ) -> Result<McpGrantRow, sqlx::Error> {
        let grant = McpGrantRow {
            id: Uuid::now_v7().to_string(),
            client_name: client_name.to_owned(),
            user_id: user_id.to_owned(),
            user_email: user_email.to_owned(),
            scopes: scopes.to_owned(),
            created_at: now(),
            revoked_at: None,
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO mcp_grants (id, client_name, user_id, user_email, scopes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&grant.id)
        .bind(&grant.client_name)
        .bind(&grant.user_id)
        .bind(&grant.user_email)
        .bind(&grant.scopes)
        .bind(&grant.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO mcp_tokens (token_hash, grant_id, audience, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(&grant.id)
        .bind(audience)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(grant)
    }

    /// Every grant, newest first.
    pub async fn mcp_grants(&self) -> Result<Vec<McpGrantRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {GRANT_COLUMNS} FROM mcp_grants ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await
    }

    /// Revoke a grant (its tokens stop working at once). `None` for an
    /// unknown id; the grant as it now stands otherwise.
    pub async fn revoke_mcp_grant(&self, id: &str) -> Result<Option<McpGrantRow>, sqlx::Error> {
        sqlx::query("UPDATE mcp_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        sqlx::query_as(&format!(
            "SELECT {GRANT_COLUMNS} FROM mcp_grants WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The grant behind a token's hash, whatever its state (the caller
    /// judges expiry, audience and revocation, to say which).
    pub async fn mcp_token(&self, token_hash: &str) -> Result<Option<McpTokenRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT g.id AS grant_id, g.client_name, g.user_email, g.scopes, t.audience, \
             t.expires_at, g.revoked_at FROM mcp_tokens t JOIN mcp_grants g ON g.id = t.grant_id \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Active assets whose name, serial number, site or account contains
    /// `text` (each optional; all given must match), by account and name;
    /// one active link each. `limit + 1` rows are asked for, to tell
    /// whether there is a next page.
    pub async fn find_assets(
        &self,
        filter: &AssetFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<(String, AssetView)>, sqlx::Error> {
        let mut binds: Vec<String> = Vec::new();
        let mut conditions = vec!["t.revoked_at IS NULL".to_owned()];
        for (column, value) in [
            ("a.name", &filter.name),
            ("a.serial_number", &filter.serial_number),
            ("a.site", &filter.site),
            ("a.account_name", &filter.account),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let p = super::param(&mut binds, super::like_pattern(v));
                conditions.push(format!("lower({column}) LIKE {p} ESCAPE '\\'"));
            }
        }
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets a JOIN asset_links t ON t.asset_id = a.id \
             AND t.rowid = (SELECT MIN(l.rowid) FROM asset_links l \
                            WHERE l.asset_id = a.id AND l.revoked_at IS NULL) \
             WHERE {} ORDER BY a.account_name, a.name, a.id LIMIT {} OFFSET {}",
            conditions.join(" AND "),
            limit + 1,
            offset
        );
        let mut q = sqlx::query_as::<_, AssetRow>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| r.open(&self.key).map(|(id, view, _)| (id, view)))
            .collect()
    }

    /// The proposal made earlier under this grant's idempotency key.
    pub async fn mcp_proposal(
        &self,
        grant_id: &str,
        key: &str,
    ) -> Result<Option<McpProposalRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT body_hash, intake_id FROM mcp_proposals \
             WHERE grant_id = $1 AND idempotency_key = $2",
        )
        .bind(grant_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await
    }

    /// Remember a proposal's key (after its intake committed). False when
    /// a racing twin remembered it first.
    pub async fn insert_mcp_proposal(
        &self,
        grant_id: &str,
        key: &str,
        body_hash: &str,
        intake_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO mcp_proposals (grant_id, idempotency_key, body_hash, intake_id, \
             created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(grant_id)
        .bind(key)
        .bind(body_hash)
        .bind(intake_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Proposals a client name made since `since` (RFC 3339), for the
    /// daily cap.
    pub async fn mcp_proposals_since(
        &self,
        client_name: &str,
        since: &str,
    ) -> Result<u64, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mcp_proposals p JOIN mcp_grants g ON g.id = p.grant_id \
             WHERE g.client_name = $1 AND p.created_at >= $2",
        )
        .bind(client_name)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// `find_assets`' filters: each a case-insensitive "contains".
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub name: Option<String>,
    pub serial_number: Option<String>,
    pub site: Option<String>,
    pub account: Option<String>,
}
