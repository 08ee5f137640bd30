//! Assets and their link tokens.

use fieldcase_core::AssetToken;
use fieldcase_core::wire::AssetView;
use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, now};

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
struct AssetRow {
    id: String,
    token: String,
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
    fn into_parts(self) -> Result<(String, AssetView, bool), sqlx::Error> {
        let token = AssetToken::parse(&self.token)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset token: {e}").into()))?;
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
        Ok((self.id, view, self.revoked_at.is_none()))
    }
}

const ASSET_COLUMNS: &str = "a.id, t.token, a.name, a.serial_number, a.model, a.account_name, \
     a.site, a.location, a.install_date, a.crm_asset_id, a.crm_account_id, t.revoked_at";

impl Store {
    /// The asset behind `token`, if the token exists and is not revoked.
    pub async fn active_asset(
        &self,
        token: &AssetToken,
    ) -> Result<Option<ActiveAsset>, sqlx::Error> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM asset_tokens t JOIN assets a ON a.id = t.asset_id \
             WHERE t.token = $1 AND t.revoked_at IS NULL"
        );
        let row: Option<AssetRow> = sqlx::query_as(&sql)
            .bind(token.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.into_parts().map(|(id, view, _)| ActiveAsset { id, view }))
            .transpose()
    }

    /// Every token of every asset, active ones first, by asset name.
    pub async fn list_assets(&self) -> Result<Vec<AssetListing>, sqlx::Error> {
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM asset_tokens t JOIN assets a ON a.id = t.asset_id \
             ORDER BY a.account_name, a.name, t.created_at"
        );
        let rows: Vec<AssetRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                r.into_parts()
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
        sqlx::query("INSERT INTO asset_tokens (token, asset_id, created_at) VALUES ($1, $2, $3)")
            .bind(token.as_str())
            .bind(&id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Give an asset another link token (e.g. a reprinted label).
    pub async fn issue_token(&self, asset_id: &str, token: &AssetToken) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO asset_tokens (token, asset_id, created_at) VALUES ($1, $2, $3)")
            .bind(token.as_str())
            .bind(asset_id)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Revoke a token; false when it was unknown or already revoked.
    pub async fn revoke_token(&self, token: &AssetToken) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE asset_tokens SET revoked_at = $1 WHERE token = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
