//! Text-only submissions spread over several assets, with varied notes and
//! Priority, for the console figures.

use std::path::Path;

use fieldcase_core::structure::{Context, structure};
use fieldcase_core::validate::FieldValue;
use fieldcase_core::wire::{IntakeContext, IntakeSubmission, Technician};
use fieldcase_core::{AssetToken, CaseDraft};

use crate::Result;

/// Technicians' notes; the queue bench searches for [`SEARCH_WORD`], which
/// two of the twelve contain (about one intake in six).
pub const NOTES: [&str; 12] = [
    "pump leaking at the seal, 3.2 bar on the gauge, E-42 on the panel",
    "breaker keeps tripping on the compressor, smells hot, 230V measured",
    "roller door stuck half open, bent track, when you get a chance",
    "generator wont start after test run, alarm 305, battery 11.2 V",
    "chiller short cycling, suction pressure low, maybe low on gas",
    "forklift mast chain slack, hydraulic oil weeping at the cylinder",
    "air handler belt squealing at start up, filter pressure drop 250 Pa",
    "compressor oil level below sight glass, topped up 0.5 l, check again",
    "conveyor motor hot to the touch, 65 C on the housing, no fault code",
    "door sensor misaligned, door reverses before closing, adjusted bracket",
    "water on the floor under the unit, drain pan cracked, slip hazard",
    "display shows F-07 intermittently, resets itself after a minute",
];
pub const SEARCH_WORD: &str = "compressor";
/// Priority by intake number: 2 High, 5 Medium, 3 Low in every 10.
pub const PRIORITIES: [&str; 10] = [
    "High", "Medium", "Low", "Medium", "Medium", "Low", "High", "Medium", "Low", "Medium",
];
const TECHNICIANS: [&str; 5] = [
    "Ana Ruiz",
    "Ben Okafor",
    "Chen Wei",
    "Dora Novak",
    "Eli Haddad",
];

/// Every asset's structured draft of every note, made once.
pub struct Seeder {
    assets: Vec<(AssetToken, Vec<CaseDraft>)>,
}

/// The tokens in a `demo-links.json` (`[{"token": …}, …]`).
pub fn tokens_from_links(path: &Path) -> Result<Vec<AssetToken>> {
    let links: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(path)?)?;
    links
        .iter()
        .map(|l| {
            let raw = l["token"]
                .as_str()
                .ok_or_else(|| format!("{}: a link without a token", path.display()))?;
            Ok(AssetToken::parse(raw)?)
        })
        .collect()
}

impl Seeder {
    pub async fn new(http: &reqwest::Client, base: &str, tokens: &[AssetToken]) -> Result<Self> {
        let mut assets = Vec::new();
        for token in tokens {
            let ctx: IntakeContext = http
                .get(format!("{base}/api/v1/assets/{token}"))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let technician = technician(0);
            let drafts = NOTES
                .iter()
                .map(|n| {
                    let c = Context {
                        asset: &ctx.asset,
                        technician: &technician,
                    };
                    structure(n, c, &ctx.schema).to_draft()
                })
                .collect();
            assets.push((token.clone(), drafts));
        }
        if assets.is_empty() {
            return Err("no assets to submit intakes on".into());
        }
        Ok(Self { assets })
    }

    /// The `i`th submission: asset, note, Priority and technician all vary with `i`.
    pub fn submission(&self, i: usize, id: uuid::Uuid) -> IntakeSubmission {
        let (token, drafts) = &self.assets[i % self.assets.len()];
        let n = (i / self.assets.len()) % NOTES.len();
        let mut fields = drafts[n].clone();
        fields.set(
            "Priority",
            FieldValue::text(PRIORITIES[i % PRIORITIES.len()]),
        );
        let technician = technician(i);
        fields.set("SuppliedName", FieldValue::text(technician.name.clone()));
        IntakeSubmission {
            id,
            asset_token: token.clone(),
            notes: format!("{} (visit {i})", NOTES[n]),
            fields,
            technician,
            photos: vec![],
            photo_locations: vec![],
        }
    }
}

fn technician(i: usize) -> Technician {
    Technician {
        name: TECHNICIANS[i % TECHNICIANS.len()].into(),
        email: None,
        phone: None,
    }
}
