//! Assets and their link tokens.
//!
//! A token is never stored in plain text: its row (`asset_links`) is found by
//! the HMAC-SHA256 of the token under the server's key, and the token itself
//! is sealed (AES-256-GCM) so labels can be reprinted. Rows of the first
//! schema's plain `asset_tokens` are moved over at start-up
//! ([`Store::seal_plain_tokens`]).

use fieldcase_core::AssetToken;
use fieldcase_core::wire::AssetView;
use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, now};
use crate::salesforce::SecretKey;

/// The purpose an asset token is indexed and sealed for (associated data).
pub(super) const ASSET_TOKEN: &str = "asset_token";

/// An asset reached through an active token.
#[derive(Debug, Clone)]
pub struct ActiveAsset {
    /// Our own id (never shown to the technician).
    pub id: String,
    pub view: AssetView,
}

/// One token of one asset, for `assets list`.
#[derive(Debug, Clone)]
pub struct AssetListing {
    pub id: String,
    pub view: AssetView,
    pub active: bool,
}

/// What an operator (or the demo seed) supplies to create an asset.
#[derive(Debug, Clone, Default)]
pub struct NewAsset {
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    pub location: Option<String>,
    pub install_date: Option<String>,
    pub crm_asset_id: Option<String>,
    pub crm_account_id: Option<String>,
}

#[derive(FromRow)]
pub(super) struct AssetRow {
    id: String,
    sealed_token: String,
    name: String,
    serial_number: String,
    model: String,
    account_name: String,
    site: String,
    location: Option<String>,
    install_date: Option<String>,
    crm_asset_id: Option<String>,
    crm_account_id: Option<String>,
    revoked_at: Option<String>,
}

impl AssetRow {
    /// The row, with its token unsealed by `key`.
    pub(super) fn open(self, key: &SecretKey) -> Result<(String, AssetView, bool), sqlx::Error> {
        let plain = key
            .open(ASSET_TOKEN, &self.sealed_token)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset token: {e}").into()))?;
        let token = AssetToken::parse(&plain)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset token: {e}").into()))?;
        Ok(self.with_token(token))
    }

    fn with_token(self, token: AssetToken) -> (String, AssetView, bool) {
        let view = AssetView {
            token,
            name: self.name,
            serial_number: self.serial_number,
            model: self.model,
            account_name: self.account_name,
            site: self.site,
            location: self.location,
            install_date: self.install_date,
            crm_asset_id: self.crm_asset_id,
            crm_account_id: self.crm_account_id,
        };
        (self.id, view, self.revoked_at.is_none())
    }
}

pub(super) const ASSET_COLUMNS: &str = "a.id, t.sealed_token, a.name, a.serial_number, a.model, a.account_name, \
     a.site, a.location, a.install_date, a.crm_asset_id, a.crm_account_id, t.revoked_at";

impl Store {
    /// A stored (sealed) asset token, opened.
    pub(super) fn open_asset_token(&self, sealed: &str) -> Result<AssetToken, sqlx::Error> {
        let plain = self
            .key
            .open(ASSET_TOKEN, sealed)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset token: {e}").into()))?;
        AssetToken::parse(&plain)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset token: {e}").into()))
    }

    /// The index a token's row is found by.
    fn token_index(&self, token: &str) -> String {
        self.key.index(ASSET_TOKEN, token)
    }

    /// The asset behind `token`, if the token exists and is not revoked.
    pub async fn active_asset(
        &self,
        token: &AssetToken,
    ) -> Result<Option<ActiveAsset>, sqlx::Error> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM asset_links t JOIN assets a ON a.id = t.asset_id \
             WHERE t.token_hmac = $1 AND t.revoked_at IS NULL"
        );
        let row: Option<AssetRow> = sqlx::query_as(&sql)
            .bind(self.token_index(token.as_str()))
            .fetch_optional(&self.pool)
            .await?;
        // Found by its HMAC: the token asked for is the stored one.
        Ok(row.map(|r| {
            let (id, view, _) = r.with_token(token.clone());
            ActiveAsset { id, view }
        }))
    }

    /// Every token of every asset (unsealed, to print their labels), by
    /// account and asset name.
    pub async fn list_assets(&self) -> Result<Vec<AssetListing>, sqlx::Error> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM asset_links t JOIN assets a ON a.id = t.asset_id \
             ORDER BY a.account_name, a.name, t.created_at"
        );
        let rows: Vec<AssetRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                r.open(&self.key)
                    .map(|(id, view, active)| AssetListing { id, view, active })
            })
            .collect()
    }

    pub async fn count_assets(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM assets")
            .fetch_one(&self.pool)
            .await
    }

    /// Create an asset with its first link token; returns the asset's id.
    pub async fn create_asset(
        &self,
        new: &NewAsset,
        token: &AssetToken,
    ) -> Result<String, sqlx::Error> {
        let id = Uuid::now_v7().to_string();
        let at = now();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO assets (id, name, serial_number, model, account_name, site, location, \
             install_date, crm_asset_id, crm_account_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(&new.name)
        .bind(&new.serial_number)
        .bind(&new.model)
        .bind(&new.account_name)
        .bind(&new.site)
        .bind(&new.location)
        .bind(&new.install_date)
        .bind(&new.crm_asset_id)
        .bind(&new.crm_account_id)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        self.insert_link(&mut tx, token.as_str(), &id, &at, None)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Give an asset another link token (e.g. a reprinted label).
    pub async fn issue_token(&self, asset_id: &str, token: &AssetToken) -> Result<(), sqlx::Error> {
        let mut tx = self.write_tx().await?;
        self.insert_link(&mut tx, token.as_str(), asset_id, &now(), None)
            .await?;
        tx.commit().await
    }

    /// One link row: the token's index and the token sealed. `false` when
    /// the token had a row already.
    async fn insert_link(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        token: &str,
        asset_id: &str,
        created_at: &str,
        revoked_at: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO asset_links (token_hmac, sealed_token, asset_id, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hmac) DO NOTHING",
        )
        .bind(self.token_index(token))
        .bind(self.key.seal(ASSET_TOKEN, token))
        .bind(asset_id)
        .bind(created_at)
        .bind(revoked_at)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revoke a token; false when it was unknown or already revoked.
    pub async fn revoke_token(&self, token: &AssetToken) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE asset_links SET revoked_at = $1 WHERE token_hmac = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(self.token_index(token.as_str()))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Move every plain-text row of the first schema's `asset_tokens` into
    /// `asset_links` (indexed, sealed), each in one transaction with its
    /// delete, so a crash half-way loses nothing and a rerun finishes the
    /// job. Then, when any moved, rebuild the file (`VACUUM`) and checkpoint
    /// the log into it: a deleted row's bytes stay in free pages and in the
    /// write-ahead log otherwise. Returns how many were moved.
    pub async fn seal_plain_tokens(&self) -> Result<usize, sqlx::Error> {
        let plain: Vec<(String, String, String, Option<String>)> =
            sqlx::query_as("SELECT token, asset_id, created_at, revoked_at FROM asset_tokens")
                .fetch_all(&self.pool)
                .await?;
        for (token, asset_id, created_at, revoked_at) in &plain {
            let mut tx = self.write_tx().await?;
            self.insert_link(&mut tx, token, asset_id, created_at, revoked_at.as_deref())
                .await?;
            sqlx::query("DELETE FROM asset_tokens WHERE token = $1")
                .bind(token)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        if !plain.is_empty() {
            sqlx::query("VACUUM").execute(&self.pool).await?;
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await?;
            if busy != 0 {
                tracing::warn!(
                    "the database's log could not be emptied now (another process reads it); \
                     old plain-text tokens may linger in it until its next checkpoint"
                );
            }
        }
        Ok(plain.len())
    }

    /// Whether this store's key opens the stored links (any one of them;
    /// true when there are none). A different key would leave every printed
    /// label dead, so start-up refuses it.
    pub async fn key_opens_links(&self) -> Result<bool, sqlx::Error> {
        let sealed: Option<String> =
            sqlx::query_scalar("SELECT sealed_token FROM asset_links LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(sealed.is_none_or(|s| self.key.open(ASSET_TOKEN, &s).is_ok()))
    }
}
