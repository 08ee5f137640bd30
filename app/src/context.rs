//! What the intake screens read of `GET /assets/{token}` (an
//! [`IntakeContext`](fieldcase_core::wire::IntakeContext)): the asset card,
//! the upload limits, and the length limits of the technician's details.
//! The whole text is kept for the review engine, which reads the schema.

use fieldcase_core::AssetToken;
use fieldcase_core::wire::Limits;

use crate::draft::Detail;
use crate::json::{self, Json};

/// The asset as its card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub token: AssetToken,
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    pub location: Option<String>,
    pub install_date: Option<String>,
}

/// The card's title for an asset whose context is still to come.
pub const UNSEEN_NAME: &str = fieldcase_i18n::t!("Equipment details not loaded yet");

#[derive(Debug, Clone, PartialEq)]
pub struct Ctx {
    pub asset: Asset,
    pub limits: Limits,
    /// The longest name, email and phone the schema allows ([`Detail`] order).
    pub detail_max: [Option<u32>; 3],
    /// The server structures notes too (a model, checked by the core).
    pub server_structuring: bool,
    /// The answer as the server sent it, for the review engine.
    pub json: String,
}

impl Ctx {
    /// Read the context; `None` when the answer is not one.
    pub fn parse(text: &str) -> Option<Ctx> {
        let v = json::parse(text)?;
        let a = v.get("asset")?;
        let s = |k: &str| a.get(k).and_then(Json::str).map(str::to_owned);
        let asset = Asset {
            token: AssetToken::parse(a.get("token")?.str()?).ok()?,
            name: s("name")?,
            serial_number: s("serial_number")?,
            model: s("model")?,
            account_name: s("account_name")?,
            site: s("site")?,
            location: a.opt("location", Json::str)?.map(str::to_owned),
            install_date: a.opt("install_date", Json::str)?.map(str::to_owned),
        };
        let l = v.get("limits")?;
        let limits = Limits {
            max_photo_bytes: l.get("max_photo_bytes")?.u64()?,
            max_photos: l.get("max_photos")?.u32()?,
            max_intake_photo_bytes: l.get("max_intake_photo_bytes")?.u64()?,
            max_photo_pixels: l.get("max_photo_pixels")?.u64()?,
            max_notes_chars: l.get("max_notes_chars")?.u32()?,
        };
        let fields = v.get("schema")?.get("fields")?.arr()?;
        let detail_max = [Detail::Name, Detail::Email, Detail::Phone].map(|d| {
            fields
                .iter()
                .find(|f| {
                    f.get("hints")
                        .and_then(Json::arr)
                        .is_some_and(|h| h.iter().any(|h| h.str() == Some(d.hint())))
                })
                .and_then(|f| f.get("max_length"))
                .and_then(Json::u32)
        });
        Some(Ctx {
            asset,
            limits,
            detail_max,
            server_structuring: v.get("server_structuring").and_then(Json::bool) == Some(true),
            json: text.to_owned(),
        })
    }

    pub fn token(&self) -> &str {
        self.asset.token.as_str()
    }

    /// An asset whose link was opened offline and never before on this
    /// phone: the technician writes notes and takes photos while its context
    /// waits for the connection (the server's default limits meanwhile; the
    /// server checks the real ones again). No context text for the engine.
    pub fn unseen(token: AssetToken) -> Ctx {
        let blank = String::new;
        Ctx {
            asset: Asset {
                token,
                name: UNSEEN_NAME.to_owned(),
                serial_number: blank(),
                model: blank(),
                account_name: blank(),
                site: blank(),
                location: None,
                install_date: None,
            },
            limits: Limits::default(),
            detail_max: [None; 3],
            server_structuring: false,
            json: blank(),
        }
    }

    /// Made by [`Ctx::unseen`]: the real context is still to come.
    pub fn is_unseen(&self) -> bool {
        self.json.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use fieldcase_core::CaseSchema;
    use fieldcase_core::wire::{AssetView, IntakeContext};

    use super::*;

    pub(crate) fn sample() -> IntakeContext {
        IntakeContext {
            asset: AssetView {
                token: AssetToken::from_random_bytes([3; 12]),
                name: "Feed pump P-12".into(),
                serial_number: "GP-44817".into(),
                model: "Grundfos CR 32".into(),
                account_name: "Northwind Foods".into(),
                site: "Leeds plant".into(),
                location: Some("Boiler room — B".into()),
                install_date: None,
                crm_asset_id: Some("02i000000000001AAA".into()),
                crm_account_id: None,
            },
            schema: CaseSchema::salesforce_default(),
            limits: Limits::default(),
            server_structuring: false,
        }
    }

    #[test]
    fn reads_what_the_server_sends() {
        let ctx = sample();
        let text = serde_json::to_string(&ctx).unwrap();
        let c = Ctx::parse(&text).unwrap();
        assert_eq!(c.asset.token, ctx.asset.token);
        assert_eq!(c.token(), ctx.asset.token.as_str());
        assert_eq!(c.asset.name, "Feed pump P-12");
        assert_eq!(c.asset.location.as_deref(), Some("Boiler room — B"));
        assert_eq!(c.asset.install_date, None);
        assert_eq!(c.limits, Limits::default());
        let max = |hint| {
            ctx.schema
                .fields
                .iter()
                .find(|f| f.has_hint(hint))
                .and_then(|f| f.max_length)
        };
        use fieldcase_core::schema::Hint;
        assert_eq!(
            c.detail_max,
            [
                max(Hint::TechnicianName),
                max(Hint::TechnicianEmail),
                max(Hint::TechnicianPhone)
            ]
        );
        assert!(c.detail_max[0].is_some());
        assert_eq!(c.json, text);
    }

    #[test]
    fn an_unseen_asset_waits_for_its_context_and_never_passes_for_one() {
        let token = AssetToken::parse("ABCDEFGHJKMNPQRSTVWX").unwrap();
        let unseen = Ctx::unseen(token.clone());
        assert!(unseen.is_unseen());
        assert_eq!(unseen.token(), token.as_str());
        assert_eq!(unseen.limits, Limits::default());
        let text = serde_json::to_string(&sample()).unwrap();
        assert!(!Ctx::parse(&text).unwrap().is_unseen());
    }

    #[test]
    fn refuses_what_is_not_a_context() {
        assert_eq!(Ctx::parse(""), None);
        assert_eq!(Ctx::parse("{}"), None);
        let mut v: serde_json::Value = serde_json::to_value(sample()).unwrap();
        v["asset"]["token"] = "short".into();
        assert_eq!(Ctx::parse(&v.to_string()), None);
        let mut v: serde_json::Value = serde_json::to_value(sample()).unwrap();
        v["limits"]["max_photos"] = "ten".into();
        assert_eq!(Ctx::parse(&v.to_string()), None);
        let mut v: serde_json::Value = serde_json::to_value(sample()).unwrap();
        v["asset"]["location"] = 3.into();
        assert_eq!(Ctx::parse(&v.to_string()), None);
    }
}
