//! Demo data (`--demo`): six assets across two accounts, seeded only into an
//! empty database, and the file of their links the browser tests read.

use std::path::Path;

use fieldcase_core::AssetToken;
use serde::{Deserialize, Serialize};

use crate::qr;
use crate::store::{NewAsset, Store};

/// One line of `<data-dir>/demo-links.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLink {
    pub name: String,
    pub token: String,
    pub link: String,
    pub qr: String,
}

/// The file the demo links are written to.
pub const LINKS_FILE: &str = "demo-links.json";

/// A fresh link token: 96 bits from the operating system's CSPRNG-seeded generator.
pub fn new_token() -> AssetToken {
    AssetToken::from_random_bytes(rand::random())
}

fn demo_assets() -> Vec<NewAsset> {
    let northwind =
        |name: &str, serial: &str, model: &str, location: &str, installed: &str, crm: &str| {
            NewAsset {
                name: name.into(),
                serial_number: serial.into(),
                model: model.into(),
                account_name: "Northwind Foods".into(),
                site: "Leeds plant".into(),
                location: Some(location.into()),
                install_date: Some(installed.into()),
                crm_asset_id: Some(crm.into()),
                crm_account_id: Some("0015g00000NwFdLAAV".into()),
            }
        };
    let contoso =
        |name: &str, serial: &str, model: &str, location: &str, installed: &str, crm: &str| {
            NewAsset {
                name: name.into(),
                serial_number: serial.into(),
                model: model.into(),
                account_name: "Contoso Logistics".into(),
                site: "Felixstowe depot".into(),
                location: Some(location.into()),
                install_date: Some(installed.into()),
                crm_asset_id: Some(crm.into()),
                crm_account_id: Some("0015g00000CtLgXAAR".into()),
            }
        };
    vec![
        northwind(
            "Feed pump P-12",
            "GP-44817",
            "Grundfos CR 32",
            "Boiler room B",
            "2021-04-12",
            "02i5g00000Pm12AAAB",
        ),
        northwind(
            "Chiller CH-2",
            "CR-30RB-7731",
            "Carrier 30RB",
            "Roof, north side",
            "2019-08-30",
            "02i5g00000Ch02AAAB",
        ),
        northwind(
            "Roller door RD-5",
            "HM-RD-55210",
            "Hörmann",
            "Loading bay 5",
            "2020-02-17",
            "02i5g00000Rd05AAAB",
        ),
        contoso(
            "Forklift FL-07",
            "TY8FBE-30918",
            "Toyota 8FBE",
            "Warehouse A",
            "2022-06-01",
            "02i5g00000Fl07AAAB",
        ),
        contoso(
            "Air handler AHU-3",
            "DK-AHU-11873",
            "Daikin",
            "Plant room, level 2",
            "2018-11-05",
            "02i5g00000Ah03AAAB",
        ),
        contoso(
            "Backup generator G-1",
            "CU-C150-4402",
            "Cummins C150",
            "Generator yard",
            "2017-03-22",
            "02i5g00000Gn01AAAB",
        ),
    ]
}

/// Seed the demo assets if the database has no assets at all; returns how
/// many were created.
pub async fn seed_if_empty(store: &Store) -> Result<usize, sqlx::Error> {
    if store.count_assets().await? > 0 {
        return Ok(0);
    }
    let assets = demo_assets();
    for asset in &assets {
        store.create_asset(asset, &new_token()).await?;
    }
    Ok(assets.len())
}

/// The link and QR image URL of every active asset token.
pub async fn links(store: &Store, public_url: &str) -> Result<Vec<DemoLink>, sqlx::Error> {
    Ok(store
        .list_assets()
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| DemoLink {
            name: a.view.name,
            token: a.view.token.to_string(),
            link: qr::link(public_url, &a.view.token),
            qr: qr::image_url(public_url, &a.view.token),
        })
        .collect())
}

/// Write the links to `<data_dir>/demo-links.json`.
pub fn write_links(data_dir: &Path, links: &[DemoLink]) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(links).map_err(std::io::Error::other)?;
    std::fs::write(data_dir.join(LINKS_FILE), json)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use fieldcase_core::CaseSchema;
    use fieldcase_core::FieldValue;
    use fieldcase_core::validate::check_value;

    #[test]
    fn demo_assets_carry_valid_crm_ids() {
        let schema = CaseSchema::salesforce_default();
        let asset_id = schema.field("AssetId").unwrap();
        let account_id = schema.field("AccountId").unwrap();
        let assets = demo_assets();
        assert!(assets.len() >= 6);
        for a in &assets {
            let id = a.crm_asset_id.as_deref().unwrap();
            assert!(id.starts_with("02i") && id.len() == 18, "{id}");
            assert!(check_value(asset_id, &FieldValue::text(id)).is_ok(), "{id}");
            let account = a.crm_account_id.as_deref().unwrap();
            assert!(
                account.starts_with("001") && account.len() == 18,
                "{account}"
            );
            assert!(check_value(account_id, &FieldValue::text(account)).is_ok());
        }
    }
}
