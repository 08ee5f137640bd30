//! Typed ids: an intake's id and a photo's content hash are not just any
//! UUID or string. Each is parsed once, where it enters (a path, a body, a
//! database row), and carried typed from there.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An intake's id: a UUID the phone made (v7), never nil or max.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct IntakeId(Uuid);

impl IntakeId {
    /// `None` for text that is not a UUID, or the nil and max UUIDs.
    pub fn parse(s: &str) -> Option<Self> {
        Uuid::try_parse(s.trim())
            .ok()
            .filter(|u| !u.is_nil() && !u.is_max())
            .map(IntakeId)
    }

    /// The id of a *new* intake, as the app makes it: a UUID version 7
    /// (time-ordered, 74 random bits), so ids sort by when they were made and
    /// the short reference draws on random bits. The message says what to
    /// fix. [`IntakeId::parse`] stays lenient for ids already stored.
    pub fn parse_new(s: &str) -> Result<Self, &'static str> {
        let id = IntakeId::parse(s).ok_or(NOT_V7)?;
        if id.0.get_version_num() == 7 {
            Ok(id)
        } else {
            Err(NOT_V7)
        }
    }

    pub fn uuid(self) -> Uuid {
        self.0
    }
}

/// Why an id is not one a new intake may have.
pub const NOT_V7: &str = "The intake id must be a UUID version 7, made by the app before the \
     first attempt (such as 0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e). Make a new one and send again.";

impl TryFrom<String> for IntakeId {
    type Error = String;
    /// For decoding a stored id once, at the database's edge.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IntakeId::parse(&s).ok_or_else(|| format!("not an intake id: {s:?}"))
    }
}

impl From<Uuid> for IntakeId {
    fn from(u: Uuid) -> Self {
        IntakeId(u)
    }
}

impl From<IntakeId> for Uuid {
    fn from(id: IntakeId) -> Self {
        id.0
    }
}

impl fmt::Display for IntakeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A photo's SHA-256: 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Sha256(String);

impl Sha256 {
    /// `None` unless 64 hex digits (either case; kept lower-case).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Sha256(s.to_ascii_lowercase()))
    }

    /// The hash of a digest's 32 bytes.
    pub fn from_digest(digest: &[u8; 32]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in digest {
            s.push(HEX[usize::from(b >> 4)] as char);
            s.push(HEX[usize::from(b & 15)] as char);
        }
        Sha256(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sha256 {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Sha256::parse(&s).ok_or_else(|| format!("not a SHA-256 (64 hex digits): {s:?}"))
    }
}

impl From<Sha256> for String {
    fn from(h: Sha256) -> Self {
        h.0
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_ids_refuse_nil_max_and_garbage() {
        let id = "0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e";
        assert_eq!(
            IntakeId::parse(id).map(|i| i.to_string()).as_deref(),
            Some(id)
        );
        assert_eq!(IntakeId::parse(&Uuid::nil().to_string()), None);
        assert_eq!(IntakeId::parse(&Uuid::max().to_string()), None);
        assert_eq!(IntakeId::parse("FC-1234-5678"), None);
    }

    #[test]
    fn new_intake_ids_must_be_version_7() {
        let v7 = "0192f0c4-6b7e-7d3a-9c1e-5f2a8b3c4d5e";
        assert_eq!(
            IntakeId::parse_new(v7).map(|i| i.to_string()).as_deref(),
            Ok(v7)
        );
        let v4 = "0192f0c4-6b7e-4d3a-9c1e-5f2a8b3c4d5e";
        assert!(IntakeId::parse(v4).is_some(), "stored ids stay readable");
        assert_eq!(IntakeId::parse_new(v4), Err(NOT_V7));
        assert_eq!(IntakeId::parse_new(&Uuid::nil().to_string()), Err(NOT_V7));
        assert_eq!(IntakeId::parse_new("42"), Err(NOT_V7));
        assert!(NOT_V7.contains("UUID version 7"));
    }

    #[test]
    fn hashes_are_64_hex_digits_kept_lower_case() {
        let upper = "AB".repeat(32);
        assert_eq!(
            Sha256::parse(&upper).map(String::from),
            Some("ab".repeat(32))
        );
        assert_eq!(Sha256::parse("ab"), None);
        assert_eq!(Sha256::parse(&"zz".repeat(32)), None);
        let json = serde_json::to_string(&Sha256::parse(&upper)).unwrap_or_default();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert!(serde_json::from_str::<Sha256>("\"nope\"").is_err());
    }
}
