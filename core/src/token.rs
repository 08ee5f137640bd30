//! Asset link tokens.
//!
//! A token is 96 random bits written as 20 characters of RFC 4648 base32
//! (`A–Z`, `2–7`). Upper-case base32 lets the whole QR URL
//! (`HTTPS://HOST/A/TOKEN`) use the QR code's compact alphanumeric mode, which
//! keeps the symbol at a low version that a phone reads from a small label.
//! Parsing is case-insensitive: people retype codes in lower case.

use std::fmt;

use fieldcase_i18n::t;
use serde::{Deserialize, Serialize};

use crate::text::fill;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Number of random bytes behind a token (96 bits).
pub const TOKEN_BYTES: usize = 12;
/// Number of characters in a token's text form.
pub const TOKEN_LEN: usize = TOKEN_BYTES * 8 / 5 + 1; // 96 bits / 5 = 19.2 → 20 chars

/// An asset's link token: 20 characters of base32 (`A–Z`, `2–7`), read in
/// either case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct AssetToken(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    WrongLength(usize),
    BadCharacter(char),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::WrongLength(n) => f.write_str(&fill(
                t!("an asset code has {} characters; this one has {}"),
                &[&TOKEN_LEN.to_string(), &n.to_string()],
            )),
            TokenError::BadCharacter(c) => f.write_str(&fill(
                t!("an asset code uses only letters and the digits 2–7; {} is not one of them"),
                &[&format!("{c:?}")],
            )),
        }
    }
}

impl std::error::Error for TokenError {}

impl AssetToken {
    /// Parse a token typed, scanned or taken from a URL path.
    pub fn parse(s: &str) -> Result<Self, TokenError> {
        let s = s.trim();
        let n = s.chars().count();
        if n != TOKEN_LEN {
            return Err(TokenError::WrongLength(n));
        }
        let mut out = String::with_capacity(TOKEN_LEN);
        for c in s.chars() {
            let u = c.to_ascii_uppercase();
            if !(u.is_ascii_uppercase() || ('2'..='7').contains(&u)) {
                return Err(TokenError::BadCharacter(c));
            }
            out.push(u);
        }
        Ok(AssetToken(out))
    }

    /// Encode 96 random bits (the caller supplies the randomness; this crate has none).
    pub fn from_random_bytes(bytes: [u8; TOKEN_BYTES]) -> Self {
        let mut out = String::with_capacity(TOKEN_LEN);
        let mut buffer: u32 = 0;
        let mut bits = 0u32;
        for b in bytes {
            buffer = (buffer << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        AssetToken(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path a QR code points at: `/a/TOKEN`.
    pub fn link_path(&self) -> String {
        format!("/a/{}", self.0)
    }
}

/// The words of the "code not active" page's form ([`code_entry_html`]), in
/// one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeEntryWords {
    /// The code field's label.
    pub label: &'static str,
    /// The button that opens a typed code.
    pub open: &'static str,
    /// The button that starts the camera.
    pub scan: &'static str,
    /// The camera's video, for screen readers.
    pub camera: &'static str,
    /// The button that stops the camera.
    pub stop: &'static str,
}

/// [`CodeEntryWords`] in English (the server's page, for now).
pub const CODE_ENTRY_EN: CodeEntryWords = CodeEntryWords {
    label: "Type the 20-character code printed under the QR",
    open: "Open",
    scan: "Scan a code",
    camera: "Camera",
    stop: "Stop scanning",
};

/// Another code, typed or scanned: the form of the "code not active" page,
/// the same markup from the server (`inactive_page`) and the app (its
/// `inactive` screen), driven by `public/code.js` (loaded beside it; no
/// inline script), so both look and work the same. The words are put in as
/// they are, so they must be plain text without `<`, `&` or `"`.
pub fn code_entry_html(words: &CodeEntryWords) -> String {
    fill(
        "<form class=\"card\" id=\"code-form\" action=\"/open\" method=\"get\" novalidate>\
<label for=\"code\">{}</label>\
<input id=\"code\" name=\"code\" type=\"text\" autocomplete=\"off\" autocapitalize=\"characters\" \
spellcheck=\"false\" maxlength=\"80\" aria-describedby=\"code-err\">\
<p class=\"err\" id=\"code-err\" role=\"alert\" hidden></p>\
<button type=\"submit\" class=\"btn primary\">{}</button>\
</form>\
<div class=\"scan\">\
<button type=\"button\" class=\"btn secondary\" id=\"scan-btn\" hidden>{}</button>\
<div id=\"scanner\" hidden>\
<video id=\"scan-video\" muted playsinline aria-label=\"{}\"></video>\
<button type=\"button\" class=\"btn secondary\" id=\"scan-stop\">{}</button>\
</div>\
<p id=\"scan-status\" role=\"status\"></p>\
</div>",
        &[
            words.label,
            words.open,
            words.scan,
            words.camera,
            words.stop,
        ],
    )
}

/// A code as people type, paste or scan it — the whole link, lower case,
/// in groups with spaces or dashes — read as `public/code.js`'s `readCode`
/// reads it (the server's `GET /open`, when the page's script has not run).
pub fn read_code(raw: &str) -> Result<AssetToken, TokenError> {
    let text = raw.trim();
    let lower = text.to_ascii_lowercase();
    let text = match lower.find("/a/") {
        Some(at) => text[at + 3..]
            .split(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .next()
            .unwrap_or_default(),
        None => text,
    };
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    AssetToken::parse(&code)
}

impl fmt::Display for AssetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AssetToken {
    type Error = TokenError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AssetToken::parse(&s)
    }
}

impl From<AssetToken> for String {
    fn from(t: AssetToken) -> String {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_as_people_type_them() {
        let t = AssetToken::from_random_bytes([7; TOKEN_BYTES]);
        let grouped: Vec<String> = t
            .as_str()
            .to_lowercase()
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect())
            .collect();
        assert_eq!(read_code(&grouped.join(" ")), Ok(t.clone()));
        assert_eq!(read_code(&grouped.join("-")), Ok(t.clone()));
        assert_eq!(
            read_code(&format!("  HTTPS://fieldcase.example/A/{t}?x=1 ")),
            Ok(t.clone())
        );
        assert_eq!(read_code("ABC123"), Err(TokenError::WrongLength(6)));
        assert_eq!(read_code(""), Err(TokenError::WrongLength(0)));
        assert_eq!(
            read_code("ABCDEFGHIJKLMNOPQRS0"),
            Err(TokenError::BadCharacter('0'))
        );
    }

    #[test]
    fn round_trips_random_bytes_and_is_case_insensitive() {
        let t = AssetToken::from_random_bytes([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(t.as_str().len(), TOKEN_LEN);
        assert_eq!(AssetToken::parse(&t.as_str().to_lowercase()), Ok(t.clone()));
        assert_eq!(t.link_path(), format!("/a/{t}"));
    }

    #[test]
    fn distinct_bytes_give_distinct_tokens() {
        let a = AssetToken::from_random_bytes([0; TOKEN_BYTES]);
        let mut last = [0; TOKEN_BYTES];
        last[TOKEN_BYTES - 1] = 1;
        let b = AssetToken::from_random_bytes(last);
        assert_ne!(a, b);
    }

    #[test]
    fn rejects_wrong_length_and_foreign_characters() {
        assert_eq!(AssetToken::parse("ABC"), Err(TokenError::WrongLength(3)));
        assert_eq!(
            AssetToken::parse("ABCDEFGHIJKLMNOPQRS1"),
            Err(TokenError::BadCharacter('1'))
        );
        assert_eq!(
            AssetToken::parse("ABCDEFGHIJKLMNOPQRS/"),
            Err(TokenError::BadCharacter('/'))
        );
        let msg = TokenError::WrongLength(3).to_string();
        assert!(msg.contains("20 characters"), "{msg}");
    }

    #[test]
    fn english_messages_are_unchanged() {
        assert_eq!(
            TokenError::WrongLength(3).to_string(),
            "an asset code has 20 characters; this one has 3"
        );
        assert_eq!(
            TokenError::BadCharacter('1').to_string(),
            "an asset code uses only letters and the digits 2–7; '1' is not one of them"
        );
    }

    #[test]
    fn the_code_entry_has_what_its_script_needs_in_the_words_given() {
        let html = code_entry_html(&CODE_ENTRY_EN);
        for id in [
            "code-form",
            "code",
            "code-err",
            "scan-btn",
            "scanner",
            "scan-video",
            "scan-stop",
            "scan-status",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        assert!(html.contains(
            "<label for=\"code\">Type the 20-character code printed under the QR</label>"
        ));
        assert!(html.contains(">Open</button>") && html.contains(">Scan a code</button>"));
    }
}
