//! The technician's work in progress, on this phone.
//!
//! Pure Rust, tested on the host. The browser layer only moves the JSON made
//! here in and out of `localStorage`; the review engine gets it as
//! [`engine_input`].
//!
//! The rules:
//! - notes, edits, photo receipts and the pending intake id live in a
//!   [`Draft`], saved per asset token on every change;
//! - once a person edits a field, structuring never overwrites it (the
//!   engine's merge); the technician's own details (name, email, phone) are
//!   one record, [`Technician`], shared by the notes screen and the review;
//! - nothing here ever drops what a person typed: an unreadable saved draft
//!   is reported, not replaced.

use fieldcase_core::AssetToken;
use fieldcase_core::wire::{Limits, Technician};
use fieldcase_i18n::t;
use uuid::Uuid;

use crate::json::{self, Json, Obj};
use crate::text::fill;

/// `localStorage` key of the technician's remembered details.
pub const TECHNICIAN_KEY: &str = "fieldcase.technician";

/// `localStorage` key of the draft for one asset.
pub fn draft_key(token: &AssetToken) -> String {
    let mut k = String::from("fieldcase.draft.");
    k.push_str(token.as_str());
    k
}

/// A photo the server has stored: its receipt, as much as the app needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPhoto {
    pub sha256: String,
    pub bytes: u64,
}

/// A returned intake being answered: the draft carries its id, and this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amend {
    /// `FC-XXXX-XXXX`.
    pub reference: String,
    /// The dispatcher's question, shown above the notes.
    pub question: String,
}

/// Everything typed or attached for one asset, not yet submitted.
///
/// Saved as `{"notes":…,"edits":{…},"photos":[{"sha256":…,"bytes":…}],
/// "intake_id":…,"reviewing":…,"amend":{"reference":…,"question":…}}`;
/// every member may be missing (`amend` is only there while answering a
/// returned intake).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub notes: String,
    /// Fields the technician changed on the review screen, by name (sorted):
    /// these win. Each value is a field value (text, true/false, a number).
    pub edits: Vec<(String, Json)>,
    pub photos: Vec<SavedPhoto>,
    /// Made once, before the first Submit attempt; every retry reuses it.
    pub intake_id: Option<Uuid>,
    /// The technician was on the review screen.
    pub reviewing: bool,
    /// Answering a returned intake: `intake_id` is that intake's id, so
    /// Submit sends a new revision of it, never a second intake.
    pub amend: Option<Amend>,
}

impl Draft {
    /// Read a saved draft. `None` for nothing saved; `Err` keeps the unreadable
    /// text so the caller can set it aside instead of overwriting it.
    pub fn from_saved(saved: Option<&str>) -> Result<Draft, String> {
        match saved {
            None => Ok(Draft::default()),
            Some(s) => Draft::read(s).ok_or_else(|| s.to_owned()),
        }
    }

    fn read(s: &str) -> Option<Draft> {
        let v = json::parse(s)?;
        v.obj()?;
        let mut d = Draft::default();
        for (k, e) in v.opt("edits", Json::obj)?.unwrap_or_default() {
            match e {
                Json::Bool(_) | Json::Num(_) | Json::Str(_) => d.edit(k, e.clone()),
                _ => return None,
            }
        }
        let mut photos = Vec::new();
        for p in v.opt("photos", Json::arr)?.unwrap_or_default() {
            photos.push(SavedPhoto {
                sha256: p.get("sha256")?.str()?.to_owned(),
                bytes: p.opt("bytes", Json::u64)?.unwrap_or(0),
            });
        }
        let intake_id = match v.opt("intake_id", Json::str)? {
            Some(id) => Some(Uuid::try_parse(id).ok()?),
            None => None,
        };
        let amend = match v.opt("amend", Json::obj)? {
            Some(_) => {
                let a = v.get("amend")?;
                Some(Amend {
                    reference: a.get("reference")?.str()?.to_owned(),
                    question: a.get("question")?.str()?.to_owned(),
                })
            }
            None => None,
        };
        // An amendment is always of a known intake.
        if amend.is_some() && intake_id.is_none() {
            return None;
        }
        Some(Draft {
            notes: v.opt("notes", Json::str)?.unwrap_or("").to_owned(),
            photos,
            intake_id,
            reviewing: v.opt("reviewing", Json::bool)?.unwrap_or(false),
            amend,
            ..d
        })
    }

    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut o = Obj::new(&mut out);
        o.str("notes", &self.notes);
        edits_json(o.key("edits"), &self.edits);
        let arr = o.key("photos");
        arr.push('[');
        for (i, p) in self.photos.iter().enumerate() {
            if i > 0 {
                arr.push(',');
            }
            let mut po = Obj::new(arr);
            po.str("sha256", &p.sha256);
            po.raw("bytes", &p.bytes.to_string());
            po.end();
        }
        arr.push(']');
        match &self.intake_id {
            Some(id) => o.str("intake_id", uuid_str(id, &mut [0; 36])),
            None => o.raw("intake_id", "null"),
        }
        o.raw("reviewing", if self.reviewing { "true" } else { "false" });
        if let Some(a) = &self.amend {
            let mut ao = Obj::new(o.key("amend"));
            ao.str("reference", &a.reference);
            ao.str("question", &a.question);
            ao.end();
        }
        o.end();
        out
    }

    /// Nothing worth keeping.
    pub fn is_empty(&self) -> bool {
        self.notes.trim().is_empty()
            && self.edits.is_empty()
            && self.photos.is_empty()
            && self.intake_id.is_none()
    }

    pub fn is_edited(&self, field: &str) -> bool {
        self.edit_index(field).is_ok()
    }

    fn edit_index(&self, field: &str) -> Result<usize, usize> {
        self.edits.binary_search_by(|(k, _)| k.as_str().cmp(field))
    }

    /// Record a person's value for a field; structuring will not touch it again.
    pub fn edit(&mut self, field: &str, value: Json) {
        match self.edit_index(field) {
            Ok(i) => self.edits[i].1 = value,
            Err(i) => self.edits.insert(i, (field.to_owned(), value)),
        }
    }

    /// Give a field back to structuring.
    pub fn revert(&mut self, field: &str) {
        if let Ok(i) = self.edit_index(field) {
            self.edits.remove(i);
        }
    }

    /// The id for this intake: the saved one, or a new one made by `make`
    /// and saved. Every attempt at submitting the same draft uses the same id.
    pub fn intake_id_or(&mut self, make: impl FnOnce() -> Uuid) -> Uuid {
        *self.intake_id.get_or_insert_with(make)
    }

    pub fn photo_bytes(&self) -> u64 {
        self.photos.iter().map(|p| p.bytes).sum()
    }

    pub fn add_photo(&mut self, photo: SavedPhoto) {
        if !self.photos.iter().any(|p| p.sha256 == photo.sha256) {
            self.photos.push(photo);
        }
    }

    pub fn remove_photo(&mut self, sha256: &str) {
        self.photos.retain(|p| p.sha256 != sha256);
    }

    /// After a successful submit: start over (the technician's details are
    /// kept separately and survive).
    pub fn clear(&mut self) {
        *self = Draft::default();
    }
}

/// A UUID as text (hyphenated, lower case), without the formatting machinery.
pub fn uuid_str<'a>(id: &Uuid, buf: &'a mut [u8; 36]) -> &'a str {
    id.hyphenated().encode_lower(buf)
}

fn edits_json(out: &mut String, edits: &[(String, Json)]) {
    let mut o = Obj::new(out);
    for (k, v) in edits {
        v.write(o.key(k));
    }
    o.end();
}

/// Read the remembered technician details; anything unreadable is no details.
pub fn technician_from_saved(saved: Option<&str>) -> Technician {
    saved
        .and_then(json::parse)
        .as_ref()
        .and_then(read_technician)
        .unwrap_or_default()
}

/// A `Technician` as serde writes it.
pub fn read_technician(v: &Json) -> Option<Technician> {
    Some(Technician {
        name: v.get("name")?.str()?.to_owned(),
        email: v.opt("email", Json::str)?.map(str::to_owned),
        phone: v.opt("phone", Json::str)?.map(str::to_owned),
    })
}

pub fn technician_to_json(t: &Technician) -> String {
    let mut out = String::new();
    technician_json(&mut out, t);
    out
}

fn technician_json(out: &mut String, t: &Technician) {
    let mut o = Obj::new(out);
    o.str("name", &t.name);
    o.opt_str("email", t.email.as_deref());
    o.opt_str("phone", t.phone.as_deref());
    o.end();
}

/// What the review engine needs of the draft: notes, edits, the technician,
/// the server's last field messages, the photos and (to submit) the id.
pub fn engine_input(
    d: &Draft,
    t: &Technician,
    server_errors: &[(String, String)],
    id: Option<&Uuid>,
) -> String {
    let mut out = String::with_capacity(d.notes.len() + 256);
    let mut o = Obj::new(&mut out);
    o.str("notes", &d.notes);
    edits_json(o.key("edits"), &d.edits);
    technician_json(o.key("technician"), t);
    let errs = o.key("server_errors");
    let mut eo = Obj::new(errs);
    for (k, v) in server_errors {
        eo.str(k, v);
    }
    eo.end();
    let arr = o.key("photos");
    arr.push('[');
    for (i, p) in d.photos.iter().enumerate() {
        if i > 0 {
            arr.push(',');
        }
        json::write_str(arr, &p.sha256);
    }
    arr.push(']');
    if let Some(id) = id {
        o.str("id", uuid_str(id, &mut [0; 36]));
    }
    o.end();
    out
}

/// Which of the technician's details a field shows, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Name,
    Email,
    Phone,
}

impl Detail {
    /// The schema hint that marks the field.
    pub fn hint(self) -> &'static str {
        match self {
            Detail::Name => "technician_name",
            Detail::Email => "technician_email",
            Detail::Phone => "technician_phone",
        }
    }

    /// The review engine's name for it.
    pub fn parse(s: &str) -> Option<Detail> {
        match s {
            "name" => Some(Detail::Name),
            "email" => Some(Detail::Email),
            "phone" => Some(Detail::Phone),
            _ => None,
        }
    }

    pub fn get(self, t: &Technician) -> &str {
        match self {
            Detail::Name => &t.name,
            Detail::Email => t.email.as_deref().unwrap_or(""),
            Detail::Phone => t.phone.as_deref().unwrap_or(""),
        }
    }

    pub fn set(self, t: &mut Technician, value: String) {
        match self {
            Detail::Name => t.name = value,
            Detail::Email => t.email = Some(value),
            Detail::Phone => t.phone = Some(value),
        }
    }
}

/// Check a chosen file before uploading it; the message says what to do.
pub fn check_photo(
    limits: &Limits,
    photos_so_far: usize,
    bytes_so_far: u64,
    name: &str,
    bytes: u64,
) -> Result<(), String> {
    if photos_so_far >= limits.max_photos as usize {
        return Err(fill(
            t!("You can attach up to {} photos; remove one to add {}."),
            &[&limits.max_photos.to_string(), name],
        ));
    }
    if bytes > limits.max_photo_bytes {
        return Err(fill(
            t!("{} is {}; a photo can be at most {}. Take it again at a lower resolution."),
            &[name, &megabytes(bytes), &megabytes(limits.max_photo_bytes)],
        ));
    }
    if bytes_so_far.saturating_add(bytes) > limits.max_intake_photo_bytes {
        return Err(fill(
            t!("The photos would add up to more than {}; remove one before adding {}."),
            &[&megabytes(limits.max_intake_photo_bytes), name],
        ));
    }
    Ok(())
}

/// `12.3 MB` (MiB, one decimal; `12,3 MB` in Spanish), without float formatting.
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes.saturating_mul(10) + (1 << 19)) >> 20;
    let mut s = (tenths / 10).to_string();
    if !tenths.is_multiple_of(10) {
        s.push_str(&crate::text::decimal("."));
        s.push_str(&(tenths % 10).to_string());
    }
    s.push_str(" MB");
    s
}

/// `localStorage` key of the photos' locations for one asset: a JSON object,
/// SHA-256 → `{latitude, longitude, accuracy_m, msg}` or `{error}`, written
/// by `js/offline.js` (which draws each photo's "Add location" toggle, asks
/// the browser for the position only on that tap) and cleared with the draft.
pub fn locations_key(token: &str) -> String {
    let mut k = String::from("fieldcase.loc.");
    k.push_str(token);
    k
}

/// The review engine's input with the saved locations (`saved`, as
/// offline.js keeps them) as `photo_locations`; the engine sends only those
/// of attached photos. Anything unreadable is no locations.
pub fn with_locations(mut input: String, saved: Option<&str>) -> String {
    let Some(saved) = saved.filter(|s| json::parse(s).is_some_and(|v| v.obj().is_some())) else {
        return input;
    };
    if input.ends_with('}') && input.len() > 2 {
        input.pop();
        input.push_str(",\"photo_locations\":");
        input.push_str(saved);
        input.push('}');
    }
    input
}

/// The review engine's input with the server's answer to
/// `POST /assets/{token}/structure` for `notes` (`answer`, JSON as it came)
/// as `server`; the engine uses a model's proposal in it only while the
/// draft's notes are still exactly these.
pub fn with_server(mut input: String, notes: &str, answer: &str) -> String {
    if input.ends_with('}') && input.len() > 2 {
        input.pop();
        input.push_str(",\"server\":{\"notes\":");
        json::write_str(&mut input, notes);
        input.push_str(",\"answer\":");
        input.push_str(answer);
        input.push_str("}}");
    }
    input
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_engine_gets_the_servers_answer_with_its_notes() {
        let answer = r#"{"by":"ai","proposal":{"fields":[{"field":"Priority","value":"High","source":{"kind":"notes","spans":[{"start":0,"end":4}]},"confidence":0.7,"proposed_by_ai":true}]}}"#;
        let input = super::with_server(r#"{"notes":"leak \"x\""}"#.into(), "leak \"x\"", answer);
        let v: serde_json::Value = serde_json::from_str(&input).unwrap();
        assert_eq!(v["server"]["notes"], "leak \"x\"");
        assert_eq!(v["server"]["answer"]["by"], "ai");
        assert_eq!(
            v["server"]["answer"]["proposal"]["fields"][0]["proposed_by_ai"],
            true
        );
        assert_eq!(v["notes"], "leak \"x\"");
    }

    #[test]
    fn the_engine_gets_the_kept_locations_and_nothing_unreadable() {
        let saved = r#"{"ab":{"latitude":53.8,"longitude":-1.55,"accuracy_m":12}}"#;
        let input = super::with_locations(r#"{"notes":"x"}"#.into(), Some(saved));
        let v: serde_json::Value = serde_json::from_str(&input).unwrap();
        assert_eq!(v["photo_locations"]["ab"]["accuracy_m"], 12);
        assert_eq!(v["notes"], "x");
        for bad in [None, Some("[1]"), Some("{"), Some("")] {
            assert_eq!(
                super::with_locations(r#"{"notes":"x"}"#.into(), bad),
                r#"{"notes":"x"}"#
            );
        }
    }

    use std::collections::BTreeMap;

    use fieldcase_core::FieldValue;
    use serde::{Deserialize, Serialize};

    use super::*;

    /// The draft as the app saved it before it wrote JSON by hand: what is
    /// already on phones must still load, and what is saved now must read
    /// the same way.
    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct SerdeDraft {
        #[serde(default)]
        notes: String,
        #[serde(default)]
        edits: BTreeMap<String, FieldValue>,
        #[serde(default)]
        photos: Vec<SerdePhoto>,
        #[serde(default)]
        intake_id: Option<Uuid>,
        #[serde(default)]
        reviewing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amend: Option<SerdeAmend>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct SerdeAmend {
        reference: String,
        question: String,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct SerdePhoto {
        sha256: String,
        #[serde(default)]
        bytes: u64,
    }

    fn sample() -> Draft {
        let mut d = Draft {
            notes: "smoke near motor \"quoted\"\nsecond line ☃".into(),
            reviewing: true,
            intake_id: Some(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
            ..Draft::default()
        };
        d.edit("Type", Json::Str("Electrical".into()));
        d.edit("Safety_Hazard__c", Json::Bool(true));
        d.add_photo(SavedPhoto {
            sha256: "ab".into(),
            bytes: 10,
        });
        d
    }

    #[test]
    fn the_intake_id_is_made_once_and_survives_a_reload() {
        let mut d = Draft::default();
        let first = d.intake_id_or(|| Uuid::from_u128(1));
        let again = d.intake_id_or(|| Uuid::from_u128(2));
        assert_eq!(first, again);
        let reloaded = Draft::from_saved(Some(&d.to_json())).unwrap();
        assert_eq!(reloaded.intake_id, Some(first));
    }

    #[test]
    fn saved_drafts_round_trip_and_bad_ones_are_not_dropped() {
        let mut d = sample();
        d.add_photo(SavedPhoto {
            sha256: "ab".into(),
            bytes: 10,
        });
        assert_eq!(d.photos.len(), 1);
        assert_eq!(Draft::from_saved(Some(&d.to_json())), Ok(d.clone()));
        assert_eq!(Draft::from_saved(None), Ok(Draft::default()));
        for bad in [
            "{\"notes\":",
            "[]",
            r#"{"notes":3}"#,
            r#"{"edits":{"Type":null}}"#,
            r#"{"photos":[{"bytes":1}]}"#,
            r#"{"intake_id":"not-a-uuid"}"#,
            r#"{"reviewing":"yes"}"#,
        ] {
            assert_eq!(Draft::from_saved(Some(bad)), Err(bad.to_owned()), "{bad}");
        }
        // Older or partial saves still load.
        assert_eq!(
            Draft::from_saved(Some(r#"{"notes":"x"}"#)).unwrap().notes,
            "x"
        );
        d.remove_photo("ab");
        assert!(d.photos.is_empty());
        assert!(!d.is_empty());
        d.clear();
        assert!(d.is_empty());
    }

    #[test]
    fn the_saved_format_is_the_one_serde_wrote() {
        let d = sample();
        let ours = d.to_json();
        let theirs: SerdeDraft = serde_json::from_str(&ours).unwrap();
        assert_eq!(serde_json::to_string(&theirs).unwrap(), ours);
        assert_eq!(theirs.edits["Type"], FieldValue::text("Electrical"));
        // A draft saved by the serde version, numbers included, loads and
        // saves back unchanged.
        let mut old = SerdeDraft {
            notes: "x".into(),
            ..SerdeDraft::default()
        };
        old.edits.insert("Hours__c".into(), FieldValue::Number(2.5));
        old.edits.insert("Subject".into(), FieldValue::text("s"));
        old.photos.push(SerdePhoto {
            sha256: "cd".into(),
            bytes: 1 << 40,
        });
        let text = serde_json::to_string(&old).unwrap();
        let loaded = Draft::from_saved(Some(&text)).unwrap();
        assert_eq!(loaded.photos[0].bytes, 1 << 40);
        assert!(loaded.is_edited("Hours__c"));
        assert_eq!(loaded.to_json(), text);
    }

    #[test]
    fn edits_are_kept_by_field() {
        let mut d = Draft::default();
        d.edit("Type", Json::Str("Electrical".into()));
        d.edit("Priority", Json::Str("High".into()));
        d.edit("Type", Json::Str("Mechanical".into()));
        assert_eq!(d.edits.len(), 2);
        assert_eq!(d.edits[0].0, "Priority");
        assert_eq!(d.edits[1].1, Json::Str("Mechanical".into()));
        d.revert("Type");
        d.revert("Nope");
        assert!(!d.is_edited("Type"));
        assert!(d.is_edited("Priority"));
    }

    #[test]
    fn technician_details_are_remembered() {
        let t = Technician {
            name: "Dana".into(),
            email: Some("d@example.com".into()),
            phone: None,
        };
        let saved = technician_to_json(&t);
        assert_eq!(saved, serde_json::to_string(&t).unwrap());
        assert_eq!(technician_from_saved(Some(&saved)), t);
        assert_eq!(
            technician_from_saved(Some("nonsense")),
            Technician::default()
        );
        assert_eq!(
            technician_from_saved(Some(r#"{"email":"x"}"#)),
            Technician::default()
        );
        assert_eq!(technician_from_saved(None), Technician::default());
        let mut t = Technician::default();
        Detail::Phone.set(&mut t, "+44".into());
        assert_eq!(Detail::Phone.get(&t), "+44");
        assert_eq!(Detail::Email.get(&t), "");
        assert_eq!(Detail::parse("email"), Some(Detail::Email));
        assert_eq!(Detail::parse("x"), None);
    }

    #[test]
    fn the_engine_input_carries_the_whole_draft() {
        let d = sample();
        let t = Technician {
            name: "Dana".into(),
            email: None,
            phone: Some("+44".into()),
        };
        let errors = vec![(
            "Subject".to_owned(),
            "Subject must name the asset.".to_owned(),
        )];
        let id = Uuid::from_u128(9);
        let text = engine_input(&d, &t, &errors, Some(&id));
        let input: fieldcase_engine::Input = serde_json::from_str(&text).unwrap();
        assert_eq!(input.notes, d.notes);
        assert_eq!(input.edits["Type"], FieldValue::text("Electrical"));
        assert_eq!(input.edits["Safety_Hazard__c"], FieldValue::Bool(true));
        assert_eq!(input.technician, t);
        assert_eq!(
            input.server_errors.get("Subject"),
            Some("Subject must name the asset.")
        );
        assert_eq!(input.server_errors.len(), 1);
        assert_eq!(input.photos, vec!["ab".to_owned()]);
        assert_eq!(input.id, Some(id));
        let input: fieldcase_engine::Input =
            serde_json::from_str(&engine_input(&d, &t, &[], None)).unwrap();
        assert_eq!(input.id, None);
    }

    #[test]
    fn photo_checks_say_what_to_do() {
        let l = Limits {
            max_photos: 2,
            max_photo_bytes: 15 << 20,
            max_intake_photo_bytes: 20 << 20,
            ..Limits::default()
        };
        assert!(check_photo(&l, 0, 0, "a.jpg", 1 << 20).is_ok());
        let m = check_photo(&l, 2, 0, "a.jpg", 1).unwrap_err();
        assert!(m.contains("up to 2 photos"), "{m}");
        let m = check_photo(&l, 0, 0, "big.jpg", 18 << 20).unwrap_err();
        assert_eq!(
            m,
            "big.jpg is 18 MB; a photo can be at most 15 MB. Take it again at a lower resolution."
        );
        let m = check_photo(&l, 1, 14 << 20, "c.jpg", 7 << 20).unwrap_err();
        assert!(m.contains("more than 20 MB"), "{m}");
        assert_eq!(megabytes(1_572_864), "1.5 MB");
        assert_eq!(megabytes(0), "0 MB");
    }
}
