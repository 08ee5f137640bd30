//! The org's fixed data: its id and Organization record, the demo user, two Accounts and six Assets,
//! with ids that never change, so fieldcase's demo assets (and tests) can
//! point at them. Seeding inserts whatever is missing at every start.

use serde_json::{Map, Value};
use sqlx::sqlite::SqliteConnection;

use crate::config::Config;
use crate::error::Result;
use crate::sobjects::format_datetime;
use crate::store::{self, Record};

/// The org (`00D`).
pub const ORG_ID: &str = "00D000000000001EAA";
/// The demo user (`005`) every token acts as.
pub const DEMO_USER_ID: &str = "005000000000001AAA";

/// Account "Northwind Foods".
pub const NORTHWIND_FOODS_ACCOUNT_ID: &str = "001000000000001AAA";
/// Account "Contoso Logistics".
pub const CONTOSO_LOGISTICS_ACCOUNT_ID: &str = "001000000000002AAA";

/// Asset "Feed pump P-12" (Northwind Foods).
pub const FEED_PUMP_P12_ASSET_ID: &str = "02i000000000001AAA";
/// Asset "Chiller CH-2" (Northwind Foods).
pub const CHILLER_CH2_ASSET_ID: &str = "02i000000000002AAA";
/// Asset "Roller door RD-5" (Northwind Foods).
pub const ROLLER_DOOR_RD5_ASSET_ID: &str = "02i000000000003AAA";
/// Asset "Forklift FL-07" (Contoso Logistics).
pub const FORKLIFT_FL07_ASSET_ID: &str = "02i000000000004AAA";
/// Asset "Air handler AHU-3" (Contoso Logistics).
pub const AIR_HANDLER_AHU3_ASSET_ID: &str = "02i000000000005AAA";
/// Asset "Backup generator G-1" (Contoso Logistics).
pub const BACKUP_GENERATOR_G1_ASSET_ID: &str = "02i000000000006AAA";

/// A seeded Account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedAccount {
    pub id: &'static str,
    pub name: &'static str,
    pub city: &'static str,
}

/// A seeded Asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedAsset {
    pub id: &'static str,
    pub name: &'static str,
    pub serial_number: &'static str,
    pub account_id: &'static str,
}

pub const ACCOUNTS: [SeedAccount; 2] = [
    SeedAccount {
        id: NORTHWIND_FOODS_ACCOUNT_ID,
        name: "Northwind Foods",
        city: "Seattle",
    },
    SeedAccount {
        id: CONTOSO_LOGISTICS_ACCOUNT_ID,
        name: "Contoso Logistics",
        city: "Redmond",
    },
];

pub const ASSETS: [SeedAsset; 6] = [
    SeedAsset {
        id: FEED_PUMP_P12_ASSET_ID,
        name: "Feed pump P-12",
        serial_number: "P-12",
        account_id: NORTHWIND_FOODS_ACCOUNT_ID,
    },
    SeedAsset {
        id: CHILLER_CH2_ASSET_ID,
        name: "Chiller CH-2",
        serial_number: "CH-2",
        account_id: NORTHWIND_FOODS_ACCOUNT_ID,
    },
    SeedAsset {
        id: ROLLER_DOOR_RD5_ASSET_ID,
        name: "Roller door RD-5",
        serial_number: "RD-5",
        account_id: NORTHWIND_FOODS_ACCOUNT_ID,
    },
    SeedAsset {
        id: FORKLIFT_FL07_ASSET_ID,
        name: "Forklift FL-07",
        serial_number: "FL-07",
        account_id: CONTOSO_LOGISTICS_ACCOUNT_ID,
    },
    SeedAsset {
        id: AIR_HANDLER_AHU3_ASSET_ID,
        name: "Air handler AHU-3",
        serial_number: "AHU-3",
        account_id: CONTOSO_LOGISTICS_ACCOUNT_ID,
    },
    SeedAsset {
        id: BACKUP_GENERATOR_G1_ASSET_ID,
        name: "Backup generator G-1",
        serial_number: "G-1",
        account_id: CONTOSO_LOGISTICS_ACCOUNT_ID,
    },
];

fn record(id: &str, sobject: &str, pairs: &[(&str, Value)], now: &str) -> Record {
    let mut fields = Map::new();
    for (k, v) in pairs {
        fields.insert((*k).into(), v.clone());
    }
    for k in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        fields.insert(k.into(), Value::String(now.into()));
    }
    for k in ["CreatedById", "LastModifiedById"] {
        fields.insert(k.into(), Value::String(DEMO_USER_ID.into()));
    }
    Record {
        id: id.into(),
        sobject: sobject.into(),
        fields,
    }
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// Inserts the seed records that are missing; keeps the demo user's
/// username in step with the configuration.
pub async fn apply(conn: &mut SqliteConnection, config: &Config) -> Result<()> {
    let now = format_datetime(time::OffsetDateTime::now_utc());
    let user = record(
        DEMO_USER_ID,
        "User",
        &[
            ("Username", s(&config.username)),
            ("FirstName", s("Demo")),
            ("LastName", s("User")),
            ("Name", s("Demo User")),
            ("Email", s(&config.username)),
            ("Alias", s("demo")),
            ("IsActive", Value::Bool(true)),
            ("TimeZoneSidKey", s("Etc/UTC")),
            ("LocaleSidKey", s("en_US")),
            ("LanguageLocaleKey", s("en_US")),
        ],
        &now,
    );
    if !store::insert_record_if_missing(conn, &user).await?
        && let Some(mut existing) = store::get_record(conn, DEMO_USER_ID).await?
        && existing.str("Username") != Some(config.username.as_str())
    {
        existing
            .fields
            .insert("Username".into(), s(&config.username));
        existing.fields.insert("Email".into(), s(&config.username));
        store::replace_fields(conn, DEMO_USER_ID, &existing.fields).await?;
    }
    // The org's own record; its `IsSandbox` follows the configuration.
    let org = record(
        ORG_ID,
        "Organization",
        &[
            ("Name", s("fieldcase demo org")),
            ("IsSandbox", Value::Bool(config.sandbox)),
            ("OrganizationType", s("Developer Edition")),
        ],
        &now,
    );
    if !store::insert_record_if_missing(conn, &org).await?
        && let Some(mut existing) = store::get_record(conn, ORG_ID).await?
    {
        existing
            .fields
            .insert("IsSandbox".into(), Value::Bool(config.sandbox));
        store::replace_fields(conn, ORG_ID, &existing.fields).await?;
    }
    for a in ACCOUNTS {
        let r = record(
            a.id,
            "Account",
            &[
                ("Name", s(a.name)),
                ("Type", s("Customer - Direct")),
                ("BillingCity", s(a.city)),
                ("IsDeleted", Value::Bool(false)),
                ("OwnerId", s(DEMO_USER_ID)),
            ],
            &now,
        );
        store::insert_record_if_missing(conn, &r).await?;
    }
    for a in ASSETS {
        let r = record(
            a.id,
            "Asset",
            &[
                ("Name", s(a.name)),
                ("SerialNumber", s(a.serial_number)),
                ("AccountId", s(a.account_id)),
                ("Status", s("Installed")),
                ("IsCompetitorProduct", Value::Bool(false)),
                ("IsDeleted", Value::Bool(false)),
                ("OwnerId", s(DEMO_USER_ID)),
            ],
            &now,
        );
        store::insert_record_if_missing(conn, &r).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids;

    #[test]
    fn seed_ids_are_valid_18_character_ids_with_the_right_prefixes() {
        for id in [ORG_ID, DEMO_USER_ID] {
            assert_eq!(ids::normalize(id).as_deref(), Some(id));
        }
        for a in ACCOUNTS {
            assert_eq!(ids::normalize(a.id).as_deref(), Some(a.id));
            assert_eq!(ids::prefix(a.id), "001");
        }
        for a in ASSETS {
            assert_eq!(ids::normalize(a.id).as_deref(), Some(a.id));
            assert_eq!(ids::prefix(a.id), "02i");
        }
        assert_eq!(ids::prefix(ORG_ID), "00D");
        assert_eq!(ids::prefix(DEMO_USER_ID), "005");
    }
}
