//! Text hygiene: the one pass every free-text value a person types goes
//! through before it is validated, stored, shown or sent to the CRM — case
//! fields, the technician's details, notes, a rejection's reason, a return's
//! question, staff names. The browser (through the review engine) and the
//! server run this same code, so they never disagree about a value.
//!
//! What happens to each class of character, and why:
//!
//! - **Bidirectional controls** (U+202A–202E embeddings and overrides,
//!   U+2066–2069 isolates, U+200E/200F marks, U+061C): *stripped*. They are
//!   invisible, so a message asking a technician to remove them could not be
//!   acted on; but kept, an override makes a CRM record, a console line or a
//!   terminal show text in an order other than the one stored ("Trojan
//!   Source"). Right-to-left scripts still display right to left without
//!   them: the Unicode bidi algorithm orders them by their letters.
//! - **Other format controls** (general category Cf: zero-width space, soft
//!   hyphen, word joiner, BOM, interlinear annotations, tag characters, …):
//!   *stripped*, for the same reason: invisible, and they make two equal
//!   looking values differ. Zero-width joiner and non-joiner (U+200D/200C)
//!   are kept only *between two visible non-ASCII characters*, which is where
//!   emoji sequences (👩‍🔧) and Persian or Indic words need them; a cheap check
//!   rather than the full emoji tables.
//! - **C0 and C1 control characters, DEL and NUL**: *stripped*, except the
//!   line breaks and tabs of multi-line text. NUL truncates strings in C
//!   code, the others are never typed on purpose (a paste from a PDF or a
//!   terminal), and none can be seen to be fixed.
//! - **Line breaks** (`\r\n`, `\r`, U+0085, U+2028, U+2029) become `\n` in
//!   multi-line text. In single-line text they are *refused*, with a message
//!   saying what to fix: a person put them there (or pasted them) and only
//!   they know whether a space, a comma or a shorter value is meant. A tab
//!   in single-line text becomes a space.
//!
//! The ranges are written by hand (from Unicode 16's `Cf` list) rather than
//! taken from a Unicode-table crate: this code is compiled into the review
//! engine the technician's phone downloads, and a full category table would
//! cost more than everything else here.

use fieldcase_i18n::t;

/// `template` with each `{}` replaced, in order, by the next of `parts`: a
/// sentence of the build's language (`t!("…")`) with its slots filled.
/// Extra parts are ignored; a slot with no part left stays `{}`.
pub fn fill(template: &str, parts: &[&str]) -> String {
    // Bytes, not `str::find("{}")`: a string pattern brings the two-way
    // searcher into the first load for a two-byte needle.
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = parts.iter();
    let mut from = 0;
    let bytes = template.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'}' {
            let Some(part) = parts.next() else { break };
            out.push_str(&template[from..i]);
            out.push_str(part);
            i += 2;
            from = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&template[from..]);
    out
}

/// Whether line breaks are part of the value (notes, long text areas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// Why a text cannot be cleaned into an acceptable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// A line break in single-line text.
    LineBreak,
}

impl TextProblem {
    /// The sentence for a person, naming the value by its `label`.
    pub fn message(self, label: &str) -> String {
        match self {
            TextProblem::LineBreak => fill(
                t!("{} must be a single line: replace the line break with a space or a comma."),
                &[label],
            ),
        }
    }
}

/// Clean `text` as the module describes: invisible and control characters
/// removed, line breaks normalised (multi-line) or refused (single-line).
/// Does not trim: callers decide (most do).
pub fn clean(text: &str, lines: Lines) -> Result<String, TextProblem> {
    // The common case, plain printable text, is returned as is.
    if text.chars().all(|c| !needs_care(c)) {
        return Ok(text.to_owned());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if is_line_break(c) {
            if lines == Lines::Single {
                return Err(TextProblem::LineBreak);
            }
            if c == '\r' && chars.get(i) == Some(&'\n') {
                i += 1;
            }
            out.push('\n');
        } else if c == '\t' {
            out.push(if lines == Lines::Single { ' ' } else { '\t' });
        } else if c == '\u{200C}' || c == '\u{200D}' {
            let visible_non_ascii = |c: Option<&char>| {
                c.is_some_and(|&c| !c.is_ascii() && !is_invisible(c) && !c.is_whitespace())
            };
            if visible_non_ascii(out.chars().last().as_ref()) && visible_non_ascii(chars.get(i)) {
                out.push(c);
            }
        } else if !is_invisible(c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// `text` made safe to print on a terminal or in a log line: every
/// character [`clean`] would drop, and every line break, is written as a
/// visible `\u{…}` escape instead.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) || is_line_break(c) || c == '\t' || c == '\u{200C}' || c == '\u{200D}' {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` holds anything [`clean`] would change (other than a tab
/// or line break in multi-line text).
pub fn is_clean(text: &str, lines: Lines) -> bool {
    clean(text, lines).is_ok_and(|c| c == text)
}

fn needs_care(c: char) -> bool {
    is_invisible(c) || is_line_break(c) || c == '\t' || c == '\u{200C}' || c == '\u{200D}'
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Control characters (other than line breaks and tab) and format controls
/// (other than the joiners, handled by [`clean`]): dropped.
fn is_invisible(c: char) -> bool {
    if is_line_break(c) || c == '\t' {
        return false;
    }
    let u = u32::from(c);
    // C0, DEL, C1.
    if u < 0x20 || (0x7F..=0x9F).contains(&u) {
        return true;
    }
    // General category Cf (Unicode 16), less U+200C/U+200D.
    matches!(
        u,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B
            | 0x200E..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled_in_order_and_extra_parts_ignored() {
        assert_eq!(
            fill("Up to {} photos, each up to {}.", &["5", "10 MB"]),
            "Up to 5 photos, each up to 10 MB."
        );
        assert_eq!(fill("Photo {}", &["2", "3"]), "Photo 2");
        assert_eq!(fill("{} left", &[]), "{} left");
        assert_eq!(fill("{}{}", &["a", "b"]), "ab");
        assert_eq!(fill("ñandú {} é", &["ü"]), "ñandú ü é");
        assert_eq!(fill("{", &["x"]), "{");
    }

    #[test]
    fn the_english_message_is_unchanged() {
        // The server's answers and snapshots carry these words: an English
        // build (FIELDCASE_LANG unset) says exactly what it said before `t!`.
        assert_eq!(
            TextProblem::LineBreak.message("Subject"),
            "Subject must be a single line: replace the line break with a space or a comma."
        );
    }

    #[test]
    fn plain_text_is_untouched() {
        for s in [
            "Pump P-12 leaking",
            "Ölpumpe läuft heiß",
            "مضخة تسرب",
            "ポンプ",
        ] {
            assert_eq!(clean(s, Lines::Single).as_deref(), Ok(s));
        }
    }

    #[test]
    fn bidi_controls_are_stripped() {
        // "Trojan Source": an override that shows "gnp.exe" as "exe.png".
        let s = "invoice\u{202E}gnp.exe\u{202C} and \u{2066}x\u{2069}\u{200F}\u{200E}\u{61C}";
        assert_eq!(
            clean(s, Lines::Single).as_deref(),
            Ok("invoicegnp.exe and x")
        );
    }

    #[test]
    fn nul_and_control_characters_are_stripped() {
        let s = "Pump\u{0}P\u{7}-12\u{1B}[31m\u{7F}\u{9B}";
        assert_eq!(clean(s, Lines::Single).as_deref(), Ok("PumpP-12[31m"));
    }

    #[test]
    fn zero_width_and_other_format_characters_are_stripped() {
        let s = "\u{FEFF}Pu\u{200B}mp\u{AD} P\u{2060}-12\u{E0041}";
        assert_eq!(clean(s, Lines::Single).as_deref(), Ok("Pump P-12"));
        // A joiner between ASCII letters is invisible noise.
        assert_eq!(clean("a\u{200D}b", Lines::Single).as_deref(), Ok("ab"));
        assert_eq!(clean("\u{200D}x", Lines::Single).as_deref(), Ok("x"));
    }

    #[test]
    fn joiners_inside_emoji_and_words_are_kept() {
        let mechanic = "👩\u{200D}🔧 fixed it";
        assert_eq!(clean(mechanic, Lines::Single).as_deref(), Ok(mechanic));
        let persian = "می\u{200C}خواهم";
        assert_eq!(clean(persian, Lines::Single).as_deref(), Ok(persian));
    }

    #[test]
    fn single_line_text_refuses_line_breaks() {
        for s in [
            "two\nlines",
            "two\r\nlines",
            "two\rlines",
            "a\u{2028}b",
            "a\u{85}b",
        ] {
            assert_eq!(
                clean(s, Lines::Single),
                Err(TextProblem::LineBreak),
                "{s:?}"
            );
        }
        assert_eq!(
            TextProblem::LineBreak.message("Subject"),
            "Subject must be a single line: replace the line break with a space or a comma."
        );
        assert_eq!(clean("a\tb", Lines::Single).as_deref(), Ok("a b"));
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_and_tabs_normalised() {
        let s = "one\r\ntwo\rthree\u{2029}four\n\tfive\u{0}";
        assert_eq!(
            clean(s, Lines::Multi).as_deref(),
            Ok("one\ntwo\nthree\nfour\n\tfive")
        );
        assert!(is_clean("one\ntwo", Lines::Multi));
        assert!(!is_clean("one\u{0}", Lines::Multi));
    }

    #[test]
    fn printable_shows_what_would_be_hidden() {
        assert_eq!(
            printable("Ann\u{202E}nimda\u{0}\nx"),
            "Ann\\u{202e}nimda\\u{0}\\u{a}x"
        );
        assert_eq!(printable("Zoë"), "Zoë");
    }
}
