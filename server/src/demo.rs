//! Demo data (`--demo`): six assets across two accounts, seeded only into an
//! empty database, and the file of their links the browser tests read.
//!
//! Their CRM ids are the demo org's seeded Asset and Account ids (copied from
//! `fieldcase-demo-org`, which the server only depends on in tests; a test
//! checks they agree), so a demo case links to its asset in the demo org.

use std::path::Path;

use fieldcase_core::AssetToken;
use serde::{Deserialize, Serialize};

use crate::qr;
use crate::store::{NewAsset, Store};

/// The demo's staff accounts (demo mode only: a real deployment makes its
/// first admin with `fieldcase users add --role admin`, and has no default
/// password). Printed next to the QR links.
pub const DEMO_ADMIN_EMAIL: &str = "admin@fieldcase.example";
pub const DEMO_DISPATCHER_EMAIL: &str = "dispatcher@fieldcase.example";
pub const DEMO_STAFF_PASSWORD: &str = "demo-password-1";

/// Make the demo admin and dispatcher when they are missing.
pub async fn seed_staff(store: &Store) -> Result<(), sqlx::Error> {
    use fieldcase_core::console::Role;
    for (email, name, role) in [
        (DEMO_ADMIN_EMAIL, "Demo Admin", Role::Admin),
        (DEMO_DISPATCHER_EMAIL, "Demo Dispatcher", Role::Dispatcher),
    ] {
        if store.account_by_email(email).await?.is_none() {
            let hash = crate::auth::hash_password(DEMO_STAFF_PASSWORD)
                .await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
            store.create_user(email, name, role, &hash).await?;
        }
    }
    Ok(())
}

/// One line of `<data-dir>/demo-links.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLink {
    pub name: String,
    pub token: String,
    pub link: String,
    pub qr: String,
}

/// Account "Northwind Foods" in the demo org.
pub const NORTHWIND_FOODS_ACCOUNT_ID: &str = "001000000000001AAA";
/// Account "Contoso Logistics" in the demo org.
pub const CONTOSO_LOGISTICS_ACCOUNT_ID: &str = "001000000000002AAA";
/// Assets in the demo org: (name, Asset id, Account id).
pub const DEMO_ORG_ASSETS: [(&str, &str, &str); 6] = [
    (
        "Feed pump P-12",
        "02i000000000001AAA",
        NORTHWIND_FOODS_ACCOUNT_ID,
    ),
    (
        "Chiller CH-2",
        "02i000000000002AAA",
        NORTHWIND_FOODS_ACCOUNT_ID,
    ),
    (
        "Roller door RD-5",
        "02i000000000003AAA",
        NORTHWIND_FOODS_ACCOUNT_ID,
    ),
    (
        "Forklift FL-07",
        "02i000000000004AAA",
        CONTOSO_LOGISTICS_ACCOUNT_ID,
    ),
    (
        "Air handler AHU-3",
        "02i000000000005AAA",
        CONTOSO_LOGISTICS_ACCOUNT_ID,
    ),
    (
        "Backup generator G-1",
        "02i000000000006AAA",
        CONTOSO_LOGISTICS_ACCOUNT_ID,
    ),
];

/// The demo org's Asset id for a demo asset's name.
fn crm_asset(name: &str) -> &'static str {
    DEMO_ORG_ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or("", |(_, id, _)| id)
}

/// The file the demo links are written to.
pub const LINKS_FILE: &str = "demo-links.json";

/// A fresh link token: 96 bits from the operating system's CSPRNG-seeded generator.
pub fn new_token() -> AssetToken {
    AssetToken::from_random_bytes(rand::random())
}

fn demo_assets() -> Vec<NewAsset> {
    let northwind =
        |name: &str, serial: &str, model: &str, location: &str, installed: &str| NewAsset {
            name: name.into(),
            serial_number: serial.into(),
            model: model.into(),
            account_name: "Northwind Foods".into(),
            site: "Leeds plant".into(),
            location: Some(location.into()),
            install_date: Some(installed.into()),
            crm_asset_id: Some(crm_asset(name).into()),
            crm_account_id: Some(NORTHWIND_FOODS_ACCOUNT_ID.into()),
        };
    let contoso =
        |name: &str, serial: &str, model: &str, location: &str, installed: &str| NewAsset {
            name: name.into(),
            serial_number: serial.into(),
            model: model.into(),
            account_name: "Contoso Logistics".into(),
            site: "Felixstowe depot".into(),
            location: Some(location.into()),
            install_date: Some(installed.into()),
            crm_asset_id: Some(crm_asset(name).into()),
            crm_account_id: Some(CONTOSO_LOGISTICS_ACCOUNT_ID.into()),
        };
    vec![
        northwind(
            "Feed pump P-12",
            "GP-44817",
            "Grundfos CR 32",
            "Boiler room B",
            "2021-04-12",
        ),
        northwind(
            "Chiller CH-2",
            "CR-30RB-7731",
            "Carrier 30RB",
            "Roof, north side",
            "2019-08-30",
        ),
        northwind(
            "Roller door RD-5",
            "HM-RD-55210",
            "Hörmann",
            "Loading bay 5",
            "2020-02-17",
        ),
        contoso(
            "Forklift FL-07",
            "TY8FBE-30918",
            "Toyota 8FBE",
            "Warehouse A",
            "2022-06-01",
        ),
        contoso(
            "Air handler AHU-3",
            "DK-AHU-11873",
            "Daikin",
            "Plant room, level 2",
            "2018-11-05",
        ),
        contoso(
            "Backup generator G-1",
            "CU-C150-4402",
            "Cummins C150",
            "Generator yard",
            "2017-03-22",
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
    // The links hold the tokens: owner-only, like everything in the data dir.
    crate::private_fs::write(&data_dir.join(LINKS_FILE), &json)
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
            let (_, org_asset, org_account) = DEMO_ORG_ASSETS
                .iter()
                .find(|(name, _, _)| *name == a.name)
                .unwrap();
            assert_eq!((id, account), (*org_asset, *org_account), "{}", a.name);
        }
    }
}
