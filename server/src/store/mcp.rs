//! MCP: AI assistants as OAuth clients, the grants people give them, their
//! tokens and authorization codes (only the SHA-256 of each is stored) and
//! `propose_intake`'s idempotency keys.

use std::time::Duration;

use sqlx::FromRow;
use uuid::Uuid;

use super::assets::{ASSET_COLUMNS, ActiveAsset, AssetRow};
use super::{Actor, Store, now, timestamp};

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct McpClientRow {
    pub id: String,
    pub name: String,
    /// JSON array of exact redirect URIs.
    pub redirect_uris: String,
    pub registered_by: String,
    pub created_at: String,
}

impl McpClientRow {
    pub fn redirect_uris(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }
}

/// One client's grant, on behalf of one staff member.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct McpGrantRow {
    pub id: String,
    pub client_id: String,
    pub client_name: String,
    pub user_id: String,
    pub user_email: String,
    pub scopes: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What a presented token stands for.
#[derive(Debug, Clone, FromRow)]
pub struct McpTokenRow {
    pub grant_id: String,
    pub client_id: String,
    pub client_name: String,
    pub user_id: String,
    pub user_email: String,
    pub scopes: String,
    pub kind: String,
    pub audience: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// A stored authorization code.
#[derive(Debug, Clone, FromRow)]
pub struct McpCodeRow {
    pub client_id: String,
    pub user_id: String,
    pub user_email: String,
    pub scopes: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub resource: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub grant_id: Option<String>,
}

/// A new authorization code, to store.
#[derive(Debug, Clone)]
pub struct NewMcpCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub user_email: &'a str,
    pub scopes: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub resource: &'a str,
    pub ttl: Duration,
}

/// A pair of tokens to store for a grant (hashes only).
#[derive(Debug, Clone)]
pub struct NewMcpTokens<'a> {
    pub access_hash: &'a str,
    pub access_ttl: Duration,
    pub refresh_hash: &'a str,
    pub refresh_ttl: Duration,
    pub audience: &'a str,
}

/// An earlier proposal under the same idempotency key.
#[derive(Debug, Clone, FromRow)]
pub struct McpProposalRow {
    pub body_hash: String,
    pub intake_id: String,
}

const GRANT_COLUMNS: &str = "id, client_id, client_name, user_id, user_email, scopes, created_at, \
     last_used_at, revoked_at";

/// `now + ttl`, RFC 3339.
pub fn after_now(ttl: Duration) -> String {
    let ttl = time::Duration::try_from(ttl).unwrap_or(time::Duration::ZERO);
    timestamp(time::OffsetDateTime::now_utc().saturating_add(ttl))
}

async fn insert_tokens(
    tx: &mut sqlx::SqliteConnection,
    grant_id: &str,
    tokens: &NewMcpTokens<'_>,
) -> Result<(), sqlx::Error> {
    for (hash, kind, ttl) in [
        (tokens.access_hash, "access", tokens.access_ttl),
        (tokens.refresh_hash, "refresh", tokens.refresh_ttl),
    ] {
        sqlx::query(
            "INSERT INTO mcp_tokens (token_hash, grant_id, kind, audience, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(grant_id)
        .bind(kind)
        .bind(tokens.audience)
        .bind(after_now(ttl))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Register a client (`registered_by`: `dynamic` or `admin`).
    pub async fn insert_mcp_client(
        &self,
        name: &str,
        redirect_uris: &[String],
        registered_by: &str,
    ) -> Result<McpClientRow, sqlx::Error> {
        let row = McpClientRow {
            id: Uuid::now_v7().to_string(),
            name: name.to_owned(),
            redirect_uris: serde_json::to_string(redirect_uris).unwrap_or_else(|_| "[]".into()),
            registered_by: registered_by.to_owned(),
            created_at: now(),
        };
        sqlx::query(
            "INSERT INTO mcp_clients (id, name, redirect_uris, registered_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&row.id)
        .bind(&row.name)
        .bind(&row.redirect_uris)
        .bind(&row.registered_by)
        .bind(&row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn mcp_client(&self, id: &str) -> Result<Option<McpClientRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, name, redirect_uris, registered_by, created_at FROM mcp_clients \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Store an authorization code and record the person's consent.
    pub async fn insert_mcp_code(
        &self,
        code: &NewMcpCode<'_>,
        actor: &Actor,
        client_name: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO mcp_codes (code_hash, client_id, user_id, user_email, scopes, \
             redirect_uri, code_challenge, resource, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(code.code_hash)
        .bind(code.client_id)
        .bind(code.user_id)
        .bind(code.user_email)
        .bind(code.scopes)
        .bind(code.redirect_uri)
        .bind(code.code_challenge)
        .bind(code.resource)
        .bind(after_now(code.ttl))
        .execute(&mut *tx)
        .await?;
        super::audit::record(
            &mut tx,
            actor,
            "mcp_authorized",
            None,
            &serde_json::json!({ "client_id": code.client_id, "client": client_name,
                                 "scopes": code.scopes }),
        )
        .await?;
        tx.commit().await
    }

    /// Use an authorization code once: `Ok(Err(row))` when it was used
    /// before (the grant its first use made is revoked, RFC 6749 §4.1.2),
    /// `Ok(Ok(row))` for its first use (now marked used), `None` unknown.
    pub async fn take_mcp_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<Result<McpCodeRow, McpCodeRow>>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let row: Option<McpCodeRow> = sqlx::query_as(
            "SELECT client_id, user_id, user_email, scopes, redirect_uri, code_challenge, \
             resource, expires_at, used_at, grant_id FROM mcp_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.used_at.is_some() {
            if let Some(grant) = &row.grant_id {
                sqlx::query(
                    "UPDATE mcp_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(now())
                .bind(grant)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            return Ok(Some(Err(row)));
        }
        sqlx::query("UPDATE mcp_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL")
            .bind(now())
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Ok(row)))
    }

    /// A new grant from an exchanged code, with its first tokens.
    pub async fn insert_mcp_grant(
        &self,
        code_hash: &str,
        code: &McpCodeRow,
        client_name: &str,
        tokens: &NewMcpTokens<'_>,
    ) -> Result<McpGrantRow, sqlx::Error> {
        let grant = McpGrantRow {
            id: Uuid::now_v7().to_string(),
            client_id: code.client_id.clone(),
            client_name: client_name.to_owned(),
            user_id: code.user_id.clone(),
            user_email: code.user_email.clone(),
            scopes: code.scopes.clone(),
            created_at: now(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO mcp_grants (id, client_id, client_name, user_id, user_email, scopes, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&grant.id)
        .bind(&grant.client_id)
        .bind(&grant.client_name)
        .bind(&grant.user_id)
        .bind(&grant.user_email)
        .bind(&grant.scopes)
        .bind(&grant.created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE mcp_codes SET grant_id = $1 WHERE code_hash = $2")
            .bind(&grant.id)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        insert_tokens(&mut tx, &grant.id, tokens).await?;
        tx.commit().await?;
        Ok(grant)
    }

    /// Rotate a refresh token: mark `old_hash` used and store a new pair,
    /// only if it was unused (false otherwise: a racing twin used it).
    pub async fn rotate_mcp_tokens(
        &self,
        old_hash: &str,
        grant_id: &str,
        tokens: &NewMcpTokens<'_>,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let used = sqlx::query(
            "UPDATE mcp_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = 'refresh' \
             AND used_at IS NULL",
        )
        .bind(now())
        .bind(old_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Ok(false);
        }
        insert_tokens(&mut tx, grant_id, tokens).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every grant, newest first.
    pub async fn mcp_grants(&self) -> Result<Vec<McpGrantRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {GRANT_COLUMNS} FROM mcp_grants ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await
    }

    /// Revoke a grant (its tokens stop working at once), recorded in the
    /// audit trail when it changed anything. `None` for an unknown id; the
    /// grant as it now stands otherwise.
    pub async fn revoke_mcp_grant(
        &self,
        id: &str,
        actor: &Actor,
    ) -> Result<Option<McpGrantRow>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let changed = sqlx::query(
            "UPDATE mcp_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let grant: Option<McpGrantRow> = sqlx::query_as(&format!(
            "SELECT {GRANT_COLUMNS} FROM mcp_grants WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let (1, Some(g)) = (changed, &grant) {
            super::audit::record(
                &mut tx,
                actor,
                "mcp_grant_revoked",
                None,
                &serde_json::json!({ "grant_id": g.id, "client": g.client_name,
                                     "on_behalf_of": g.user_email }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(grant)
    }

    /// The grant behind a token's hash, whatever its state (the caller
    /// judges kind, expiry, audience and revocation, to say which).
    pub async fn mcp_token(&self, token_hash: &str) -> Result<Option<McpTokenRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT g.id AS grant_id, g.client_id, g.client_name, g.user_id, g.user_email, \
             g.scopes, t.kind, t.audience, t.expires_at, t.used_at, g.revoked_at, g.last_used_at \
             FROM mcp_tokens t JOIN mcp_grants g ON g.id = t.grant_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Note that a grant was used (for the admin's list).
    pub async fn touch_mcp_grant(&self, grant_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE mcp_grants SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(grant_id)
            .execute(&self.pool)
            .await?;
        Ok(())
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
    ) -> Result<Vec<ActiveAsset>, sqlx::Error> {
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
            .map(|r| {
                r.open(&self.key)
                    .map(|(id, view, _)| ActiveAsset { id, view })
            })
            .collect()
    }

    /// One asset by our id, with its first active link (`None`: unknown, or
    /// no active link).
    pub async fn mcp_asset(&self, asset_id: &str) -> Result<Option<ActiveAsset>, sqlx::Error> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets a JOIN asset_links t ON t.asset_id = a.id \
             AND t.rowid = (SELECT MIN(l.rowid) FROM asset_links l \
                            WHERE l.asset_id = a.id AND l.revoked_at IS NULL) \
             WHERE a.id = $1"
        );
        let row: Option<AssetRow> = sqlx::query_as(&sql)
            .bind(asset_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            r.open(&self.key)
                .map(|(id, view, _)| ActiveAsset { id, view })
        })
        .transpose()
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

    /// Reserve a proposal's key for `intake_id` before the intake is made.
    /// False when a racing twin reserved it first.
    pub async fn reserve_mcp_proposal(
        &self,
        grant_id: &str,
        client_id: &str,
        key: &str,
        body_hash: &str,
        intake_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO mcp_proposals (grant_id, client_id, idempotency_key, body_hash, \
             intake_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(grant_id)
        .bind(client_id)
        .bind(key)
        .bind(body_hash)
        .bind(intake_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Drop a reservation whose intake was refused (the key may be used
    /// again, with a corrected body).
    pub async fn release_mcp_proposal(&self, grant_id: &str, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM mcp_proposals WHERE grant_id = $1 AND idempotency_key = $2")
            .bind(grant_id)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Proposals a client made since `since` (RFC 3339), for the daily cap.
    pub async fn mcp_proposals_since(
        &self,
        client_id: &str,
        since: &str,
    ) -> Result<u64, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mcp_proposals WHERE client_id = $1 AND created_at >= $2",
        )
        .bind(client_id)
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
