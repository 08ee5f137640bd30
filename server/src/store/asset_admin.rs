//! Assets as admins manage them: the paged, searched list, create, edit,
//! retire (never delete), a new link for a lost or copied label, and the
//! imports (CSV, the connected org). Every change is audited in its own
//! transaction.

use fieldcase_core::AssetToken;
use fieldcase_core::assets::{AdminAsset, AssetInput, AssetStatus};
use serde_json::json;
use sqlx::FromRow;
use uuid::Uuid;

use super::audit::{Actor, record};
use super::{Store, now};

/// An asset and its current link's token (none once retired).
#[derive(Debug, Clone)]
pub struct ManagedAsset {
    /// With `link` unset: the caller makes it from the public URL.
    pub asset: AdminAsset,
    pub token: Option<AssetToken>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    name: String,
    serial_number: String,
    model: String,
    account_name: String,
    site: String,
    location: Option<String>,
    install_date: Option<String>,
    crm_asset_id: Option<String>,
    crm_account_id: Option<String>,
    retired_at: Option<String>,
    created_at: String,
    sealed_token: Option<String>,
}

/// The columns of [`Row`]; the current link is the newest active one.
const SELECT: &str = "SELECT a.id, a.name, a.serial_number, a.model, a.account_name, a.site, \
     a.location, a.install_date, a.crm_asset_id, a.crm_account_id, a.retired_at, a.created_at, \
     (SELECT l.sealed_token FROM asset_links l WHERE l.asset_id = a.id AND l.revoked_at IS NULL \
      ORDER BY l.created_at DESC LIMIT 1) AS sealed_token FROM assets a";

/// `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn status_filter(status: AssetStatus) -> &'static str {
    match status {
        AssetStatus::Active => "a.retired_at IS NULL",
        AssetStatus::Retired => "a.retired_at IS NOT NULL",
        AssetStatus::All => "1 = 1",
    }
}

const SEARCH: &str = "(a.name LIKE $1 ESCAPE '\\' OR a.serial_number LIKE $1 ESCAPE '\\' \
     OR a.site LIKE $1 ESCAPE '\\' OR a.account_name LIKE $1 ESCAPE '\\' \
     OR COALESCE(a.location, '') LIKE $1 ESCAPE '\\')";

/// An asset's editable fields as they are stored, for the audit's diff.
fn fields_of(a: &AdminAsset) -> AssetInput {
    AssetInput {
        name: a.name.clone(),
        serial_number: a.serial_number.clone(),
        model: a.model.clone(),
        account_name: a.account_name.clone(),
        site: a.site.clone(),
        location: a.location.clone(),
        install_date: a.install_date.clone(),
    }
}

/// The fields that differ, with their values before and after.
pub fn changes(
    before: &AssetInput,
    after: &AssetInput,
) -> serde_json::Map<String, serde_json::Value> {
    let b = serde_json::to_value(before).unwrap_or_default();
    let a = serde_json::to_value(after).unwrap_or_default();
    let mut out = serde_json::Map::new();
    for f in fieldcase_core::assets::INPUT_FIELDS {
        let (x, y) = (b.get(f), a.get(f));
        if x != y {
            out.insert(f.into(), json!({ "from": x, "to": y }));
        }
    }
    out
}

/// One asset to import: its checked fields, its Salesforce ids when it
/// came from the org (or a CSV's `salesforce_id`), and the token it gets
/// if it is new.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub input: AssetInput,
    pub crm_asset_id: Option<String>,
    pub crm_account_id: Option<String>,
    pub token: AssetToken,
}

/// Whether each imported item made a new asset or updated one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub created: u32,
    pub updated: u32,
}

impl Store {
    fn managed(&self, r: Row) -> Result<ManagedAsset, sqlx::Error> {
        let id = Uuid::try_parse(&r.id)
            .map_err(|e| sqlx::Error::Decode(format!("stored asset id: {e}").into()))?;
        let token = r
            .sealed_token
            .as_deref()
            .map(|s| self.open_asset_token(s))
            .transpose()?
            // A retired asset has no link, whatever a row says.
            .filter(|_| r.retired_at.is_none());
        Ok(ManagedAsset {
            asset: AdminAsset {
                id,
                name: r.name,
                serial_number: r.serial_number,
                model: r.model,
                account_name: r.account_name,
                site: r.site,
                location: r.location,
                install_date: r.install_date,
                crm_asset_id: r.crm_asset_id,
                crm_account_id: r.crm_account_id,
                link: None,
                retired_at: r.retired_at,
                created_at: r.created_at,
            },
            token,
        })
    }

    /// One page of assets matching `q` (name, serial number, site, location
    /// or account; empty: all), by account then name; and how many match.
    pub async fn admin_assets(
        &self,
        q: &str,
        status: AssetStatus,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<ManagedAsset>, u64), sqlx::Error> {
        let filter = status_filter(status);
        let pattern = like_pattern(q.trim());
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM assets a WHERE {SEARCH} AND {filter}"
        ))
        .bind(&pattern)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE {SEARCH} AND {filter} \
             ORDER BY a.account_name, a.name, a.id LIMIT $2 OFFSET $3"
        ))
        .bind(&pattern)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let assets = rows
            .into_iter()
            .map(|r| self.managed(r))
            .collect::<Result<_, _>>()?;
        Ok((assets, u64::try_from(total).unwrap_or(0)))
    }

    pub async fn admin_asset(&self, id: &Uuid) -> Result<Option<ManagedAsset>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.managed(r)).transpose()
    }

    /// The assets of `ids` that exist, in the order asked.
    pub async fn admin_assets_by_id(&self, ids: &[Uuid]) -> Result<Vec<ManagedAsset>, sqlx::Error> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(a) = self.admin_asset(id).await? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// A new asset with its first link, audited.
    pub async fn create_managed_asset(
        &self,
        input: &AssetInput,
        token: &AssetToken,
        actor: &Actor,
    ) -> Result<Uuid, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let id = insert_asset(&mut tx, input, None, None).await?;
        self.insert_link_in(&mut tx, token, &id).await?;
        record(
            &mut tx,
            actor,
            "asset_created",
            None,
            &json!({ "asset": id, "fields": input }),
        )
        .await?;
        tx.commit().await?;
        Uuid::try_parse(&id).map_err(|e| sqlx::Error::Decode(format!("new asset id: {e}").into()))
    }

    /// Replace an asset's fields; the fields that changed (none: nothing
    /// written or audited), or `None` when there is no such asset.
    pub async fn update_managed_asset(
        &self,
        id: &Uuid,
        input: &AssetInput,
        actor: &Actor,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(before) = row.map(|r| self.managed(r)).transpose()? else {
            return Ok(None);
        };
        let diff = changes(&fields_of(&before.asset), input);
        if diff.is_empty() {
            return Ok(Some(diff));
        }
        update_fields(&mut tx, &id.to_string(), input).await?;
        record(
            &mut tx,
            actor,
            "asset_updated",
            None,
            &json!({ "asset": id, "name": input.name, "changes": diff }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(diff))
    }

    /// Retire an asset: its links are revoked at once (they answer as
    /// unknown ones do); the asset and its intakes stay. `Ok(false)` when
    /// it was retired already; `None` when there is no such asset.
    pub async fn retire_asset(
        &self,
        id: &Uuid,
        actor: &Actor,
    ) -> Result<Option<bool>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let name: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT name, retired_at FROM assets WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, retired)) = name else {
            return Ok(None);
        };
        if retired.is_some() {
            return Ok(Some(false));
        }
        let at = now();
        sqlx::query("UPDATE assets SET retired_at = $1, updated_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let revoked = sqlx::query(
            "UPDATE asset_links SET revoked_at = $1 WHERE asset_id = $2 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        record(
            &mut tx,
            actor,
            "asset_retired",
            None,
            &json!({ "asset": id, "name": name, "links_revoked": revoked }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    /// Give an active asset a new link and revoke its others, at once: the
    /// old label stops working. `Ok(false)` for a retired asset; `None`
    /// when there is no such asset.
    pub async fn rotate_asset_link(
        &self,
        id: &Uuid,
        token: &AssetToken,
        actor: &Actor,
    ) -> Result<Option<bool>, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let name: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT name, retired_at FROM assets WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, retired)) = name else {
            return Ok(None);
        };
        if retired.is_some() {
            return Ok(Some(false));
        }
        let revoked = sqlx::query(
            "UPDATE asset_links SET revoked_at = $1 WHERE asset_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.insert_link_in(&mut tx, token, &id.to_string()).await?;
        record(
            &mut tx,
            actor,
            "asset_link_rotated",
            None,
            &json!({ "asset": id, "name": name, "links_revoked": revoked }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    /// Import assets in one transaction (all of them or none): an item with
    /// a Salesforce id updates the asset that has it, else one without
    /// updates the active asset with the same non-empty serial number and
    /// account; anything else is a new asset with its own link. One audit
    /// event names the source and every asset made or updated.
    pub async fn import_assets(
        &self,
        items: &[ImportItem],
        source: &str,
        actor: &Actor,
    ) -> Result<ImportCounts, sqlx::Error> {
        let mut tx = self.write_tx().await?;
        let mut counts = ImportCounts::default();
        let mut created = Vec::new();
        let mut updated = Vec::new();
        for item in items {
            let existing: Option<String> = match &item.crm_asset_id {
                Some(crm) => {
                    sqlx::query_scalar("SELECT id FROM assets WHERE crm_asset_id = $1")
                        .bind(crm)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None if !item.input.serial_number.is_empty() => {
                    sqlx::query_scalar(
                        "SELECT id FROM assets WHERE retired_at IS NULL AND serial_number = $1 \
                         AND lower(account_name) = lower($2) ORDER BY created_at LIMIT 1",
                    )
                    .bind(&item.input.serial_number)
                    .bind(&item.input.account_name)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                None => None,
            };
            match existing {
                Some(id) => {
                    update_fields(&mut tx, &id, &item.input).await?;
                    if item.crm_asset_id.is_some() {
                        sqlx::query(
                            "UPDATE assets SET crm_asset_id = $1, \
                             crm_account_id = COALESCE($2, crm_account_id) WHERE id = $3",
                        )
                        .bind(&item.crm_asset_id)
                        .bind(&item.crm_account_id)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    counts.updated += 1;
                    updated.push(id);
                }
                None => {
                    let id = insert_asset(
                        &mut tx,
                        &item.input,
                        item.crm_asset_id.as_deref(),
                        item.crm_account_id.as_deref(),
                    )
                    .await?;
                    self.insert_link_in(&mut tx, &item.token, &id).await?;
                    counts.created += 1;
                    created.push(id);
                }
            }
        }
        record(
            &mut tx,
            actor,
            "assets_imported",
            None,
            &json!({ "source": source, "created": created, "updated": updated }),
        )
        .await?;
        tx.commit().await?;
        Ok(counts)
    }

    async fn insert_link_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        token: &AssetToken,
        asset_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO asset_links (token_hmac, sealed_token, asset_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(self.key.index(super::assets::ASSET_TOKEN, token.as_str()))
        .bind(self.key.seal(super::assets::ASSET_TOKEN, token.as_str()))
        .bind(asset_id)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

async fn insert_asset(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    input: &AssetInput,
    crm_asset_id: Option<&str>,
    crm_account_id: Option<&str>,
) -> Result<String, sqlx::Error> {
    let id = Uuid::now_v7().to_string();
    let at = now();
    sqlx::query(
        "INSERT INTO assets (id, name, serial_number, model, account_name, site, location, \
         install_date, crm_asset_id, crm_account_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(&id)
    .bind(&input.name)
    .bind(&input.serial_number)
    .bind(&input.model)
    .bind(&input.account_name)
    .bind(&input.site)
    .bind(&input.location)
    .bind(&input.install_date)
    .bind(crm_asset_id)
    .bind(crm_account_id)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

async fn update_fields(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    id: &str,
    input: &AssetInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assets SET name = $1, serial_number = $2, model = $3, account_name = $4, \
         site = $5, location = $6, install_date = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&input.name)
    .bind(&input.serial_number)
    .bind(&input.model)
    .bind(&input.account_name)
    .bind(&input.site)
    .bind(&input.location)
    .bind(&input.install_date)
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern(""), "%%");
    }
}
