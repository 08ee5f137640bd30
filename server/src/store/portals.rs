//! Customer portals that embed the form. A portal's shared secret is sealed
//! (AES-256-GCM under the server's key, purpose `portal_secret`), opened only
//! to verify an embed token's signature.

use fieldcase_core::embed::{EmbedAsset, Portal};
use sqlx::FromRow;
use uuid::Uuid;

use super::assets::ActiveAsset;
use super::{Store, now};

/// The purpose a portal's secret is sealed for (associated data).
const PORTAL_SECRET: &str = "portal_secret";

#[derive(FromRow)]
struct PortalRow {
    id: String,
    name: String,
    origins_json: String,
    sealed_secret: String,
    created_at: String,
    disabled_at: Option<String>,
}

impl PortalRow {
    fn portal(&self) -> Result<Portal, sqlx::Error> {
        let bad = |e: String| sqlx::Error::Decode(format!("portals: {e}").into());
        Ok(Portal {
            id: self.id.parse().map_err(|e| bad(format!("id: {e}")))?,
            name: self.name.clone(),
            origins: serde_json::from_str(&self.origins_json)
                .map_err(|e| bad(format!("origins: {e}")))?,
            enabled: self.disabled_at.is_none(),
            created_at: self.created_at.clone(),
        })
    }
}

/// A portal with its secret opened, to verify a token it signed.
#[derive(Debug, Clone)]
pub struct PortalKey {
    pub portal: Portal,
    pub secret: String,
}

const PORTAL_COLUMNS: &str = "id, name, origins_json, sealed_secret, created_at, disabled_at";

impl Store {
    /// Register a portal; its secret is sealed before it is stored.
    pub async fn insert_portal(
        &self,
        name: &str,
        origins: &[String],
        secret: &str,
    ) -> Result<Portal, sqlx::Error> {
        let id = Uuid::now_v7();
        let at = now();
        let origins_json =
            serde_json::to_string(origins).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO portals (id, name, origins_json, sealed_secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(&origins_json)
        .bind(self.key.seal(PORTAL_SECRET, secret))
        .bind(&at)
        .execute(&self.pool)
        .await?;
        Ok(Portal {
            id,
            name: name.to_owned(),
            origins: origins.to_vec(),
            enabled: true,
            created_at: at,
        })
    }

    /// The key embed sessions are signed with, derived from the server's
    /// secret key (so every server process of one deployment agrees).
    pub fn embed_session_key(&self) -> Vec<u8> {
        self.key
            .index("embed_session", "signing key v1")
            .into_bytes()
    }

    /// Every portal, oldest first.
    pub async fn list_portals(&self) -> Result<Vec<Portal>, sqlx::Error> {
        let sql = format!("SELECT {PORTAL_COLUMNS} FROM portals ORDER BY created_at, id");
        let rows: Vec<PortalRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(PortalRow::portal).collect()
    }

    pub async fn portal(&self, id: &Uuid) -> Result<Option<Portal>, sqlx::Error> {
        let sql = format!("SELECT {PORTAL_COLUMNS} FROM portals WHERE id = $1");
        let row: Option<PortalRow> = sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(PortalRow::portal).transpose()
    }

    /// An enabled portal with its secret opened; `None` when unknown or
    /// disabled.
    pub async fn enabled_portal_key(&self, id: &Uuid) -> Result<Option<PortalKey>, sqlx::Error> {
        let sql =
            format!("SELECT {PORTAL_COLUMNS} FROM portals WHERE id = $1 AND disabled_at IS NULL");
        let row: Option<PortalRow> = sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let secret = self
            .key
            .open(PORTAL_SECRET, &row.sealed_secret)
            .map_err(|e| sqlx::Error::Decode(format!("portal secret: {e}").into()))?;
        Ok(Some(PortalKey {
            portal: row.portal()?,
            secret,
        }))
    }

    /// Replace a portal's secret (tokens signed with the old one stop
    /// working). False when there is no such portal.
    pub async fn rotate_portal_secret(&self, id: &Uuid, secret: &str) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("UPDATE portals SET sealed_secret = $1, updated_at = $2 WHERE id = $3")
                .bind(self.key.seal(PORTAL_SECRET, secret))
                .bind(now())
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Disable a portal: its tokens and sessions are refused from now on.
    /// False when there is no such portal (disabling twice is fine).
    pub async fn disable_portal(&self, id: &Uuid) -> Result<bool, sqlx::Error> {
        let at = now();
        let done = sqlx::query(
            "UPDATE portals SET disabled_at = COALESCE(disabled_at, $1), updated_at = $1 \
             WHERE id = $2",
        )
        .bind(&at)
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The assets a customer may report on: those with an active link whose
    /// CRM account id or account name is `account`, by name.
    pub async fn account_assets(&self, account: &str) -> Result<Vec<EmbedAsset>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT DISTINCT a.id, a.name, a.model, a.serial_number, a.site, a.location \
             FROM assets a JOIN asset_links t ON t.asset_id = a.id \
             WHERE t.revoked_at IS NULL AND (a.crm_account_id = $1 OR a.account_name = $1) \
             ORDER BY a.name, a.id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, model, serial_number, site, location)| EmbedAsset {
                    id,
                    name,
                    model,
                    serial_number,
                    site,
                    location,
                },
            )
            .collect())
    }

    /// An asset by our id, through one of its active links (its view carries
    /// that link's token, which stays on the server).
    pub async fn active_asset_by_id(
        &self,
        asset_id: &str,
    ) -> Result<Option<ActiveAsset>, sqlx::Error> {
        let sealed: Option<String> = sqlx::query_scalar(
            "SELECT sealed_token FROM asset_links WHERE asset_id = $1 AND revoked_at IS NULL \
             ORDER BY created_at LIMIT 1",
        )
        .bind(asset_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let token = self.open_asset_token(&sealed)?;
        self.active_asset(&token).await
    }
}
