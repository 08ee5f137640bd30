//! Tokenising. Every token is a byte range of the ORIGINAL notes, cut on
//! `char` boundaries, so a span handed to the review screen can never drift.
//!
//! A *word* token is a run of alphanumeric characters (any script, so `Café`
//! and `MΩ` stay whole), extended across three joiners when they sit between
//! the right characters:
//!
//! - `.` and `,` between two ASCII digits: `3.2`, `3,2bar`, `v2.3.1`;
//! - an apostrophe (`'` or `’`) between two letters: `won't`, `it's`, `req'd`;
//! - `/` between two letters: `u/s`, `o/s`, `w/o`, `mm/s`, `g/box`.
//!
//! Anything else that is not whitespace is a one-character symbol token.
//! Words are then normalised for matching (ASCII lower case, Spanish accents
//! dropped, apostrophes dropped, a few technician abbreviations expanded: `brg` → `bearing`;
//! `dB` as written read as `decibels`, which lower-cased is the board `db`) into
//! one arena string, and each word records the strongest break since the
//! previous word (a comma or an emoji, a `:`-style separator, or a hard break
//! such as `.`, `!`, `?`, a bracket or a new line). Punctuation dictated
//! to a phone is punctuation too: "comma" a comma, "full stop" and "new
//! paragraph" a hard break (not "a full stop", which is a stop).

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Sym(char),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Whitespace separates it from the previous token (or it is the first).
    pub space_before: bool,
    /// A line break separates it from the previous token.
    pub nl_before: bool,
}

/// The strongest punctuation between a word and the word before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Brk {
    None,
    /// `,`
    Comma,
    /// `:`, `=`, a dash standing between spaces.
    Sep,
    /// `.`, `;`, `!`, `?`, brackets, a new line.
    Hard,
}

/// A word of the notes, ready for matching.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word<'a> {
    /// Byte range in the original notes.
    pub start: usize,
    pub end: usize,
    /// Index of its token.
    pub tok: usize,
    /// Lower-case, apostrophes dropped, abbreviation expanded.
    pub norm: &'a str,
    /// The break since the previous word.
    pub brk: Brk,
    /// An `&` or `+` stands between it and the previous word.
    pub amp: bool,
    /// A `?` follows it (before the next word).
    pub question: bool,
    /// Clause number: a new clause starts at every break and at `but`-like words.
    pub clause: u16,
    /// Sentence number: a new sentence starts at every hard break.
    pub sentence: u16,
}

/// A Spanish letter as the cue lists and the model's vocabulary spell it:
/// accents dropped ("está" and "esta", "calefacción" and "calefaccion" are
/// one word: technicians type both), "Ñ" lower-cased. Other letters (`Ω`,
/// `µ`) are left as they are.
fn fold(c: char) -> char {
    match c {
        'á' | 'Á' => 'a',
        'é' | 'É' => 'e',
        'í' | 'Í' => 'i',
        'ó' | 'Ó' => 'o',
        'ú' | 'Ú' | 'ü' | 'Ü' => 'u',
        'Ñ' => 'ñ',
        c => c,
    }
}

pub(super) fn tokenize(s: &str) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(s.len() / 4 + 2);
    let mut it = s.char_indices().peekable();
    let mut space = true;
    let mut nl = false;
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            space = true;
            nl |= c == '\n' || c == '\r';
            continue;
        }
        if c.is_alphanumeric() {
            let mut end = i + c.len_utf8();
            let mut prev = c;
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphanumeric() {
                    it.next();
                    end = j + d.len_utf8();
                    prev = d;
                    continue;
                }
                let next = s[j + d.len_utf8()..].chars().next();
                let join = match (d, next) {
                    ('.' | ',', Some(n)) => prev.is_ascii_digit() && n.is_ascii_digit(),
                    ('\'' | '’' | '/', Some(n)) => prev.is_alphabetic() && n.is_alphabetic(),
                    _ => false,
                };
                if !join {
                    break;
                }
                it.next();
                prev = d;
            }
            toks.push(Tok {
                start: i,
                end,
                kind: Kind::Word,
                space_before: space,
                nl_before: nl,
            });
        } else {
            toks.push(Tok {
                start: i,
                end: i + c.len_utf8(),
                kind: Kind::Sym(c),
                space_before: space,
                nl_before: nl,
            });
        }
        space = false;
        nl = false;
    }
    toks
}

/// Abbreviations and typos technicians use, mapped to the word the cue lists use.
/// (Suffix typos such as `leakin`, `trippin`, `intermitent` are caught by the
/// cue lists' prefix patterns instead.)
const ALIASES: &[(&str, &str)] = &[
    ("approx", "approximately"),
    ("aprox", "approximately"),
    ("bkr", "breaker"),
    ("brg", "bearing"),
    ("brgs", "bearings"),
    ("brkr", "breaker"),
    ("brng", "bearing"),
    ("client", "customer"),
    ("cntrl", "control"),
    ("comm", "comms"),
    ("coms", "comms"),
    ("cstmr", "customer"),
    ("ctrl", "control"),
    ("cust", "customer"),
    ("custmr", "customer"),
    ("customr", "customer"),
    ("dmg", "damage"),
    ("elec", "electrical"),
    ("elect", "electrical"),
    ("emerg", "emergency"),
    ("emergancy", "emergency"),
    ("emergeny", "emergency"),
    ("emergncy", "emergency"),
    ("g/box", "gearbox"),
    ("gbox", "gearbox"),
    ("hi", "high"),
    ("lo", "low"),
    ("mtr", "motor"),
    ("poss", "possibly"),
    ("pres", "pressure"),
    ("pwr", "power"),
    ("req", "required"),
    ("reqd", "required"),
    ("smokin", "smoking"),
    ("sparkes", "sparks"),
    ("temp", "temperature"),
    ("temps", "temperature"),
    ("u", "you"),
    ("ur", "your"),
    ("urgant", "urgent"),
    ("urgen", "urgent"),
    ("urgetn", "urgent"),
    ("urgnt", "urgent"),
    ("vib", "vibration"),
    ("vibes", "vibration"),
    ("vibn", "vibration"),
    ("vibs", "vibration"),
    ("w/o", "without"),
    ("wdg", "winding"),
    ("wdgs", "windings"),
    ("wndg", "winding"),
];

/// `ALIASES` is sorted by its first column (a test checks), so look up by bisection.
fn alias(w: &str) -> Option<&'static str> {
    if w.len() > 9 {
        return None;
    }
    ALIASES
        .binary_search_by(|(from, _)| from.cmp(&w))
        .ok()
        .map(|i| ALIASES[i].1)
}

/// Punctuation as voice-to-text writes it: the break it makes and how many
/// word tokens it takes, when the tokens from `i` spell it.
fn spoken(notes: &str, toks: &[Tok], i: usize) -> Option<(Brk, usize)> {
    let word = |k: usize| {
        toks.get(k)
            .filter(|t| t.kind == Kind::Word && (k == i || t.space_before))
            .map(|t| &notes[t.start..t.end])
    };
    let is = |k: usize, w: &str| word(k).is_some_and(|x| x.eq_ignore_ascii_case(w));
    if is(i, "comma") {
        Some((Brk::Comma, 1))
    } else if (is(i, "full") && is(i + 1, "stop")) || (is(i, "new") && is(i + 1, "paragraph")) {
        Some((Brk::Hard, 2))
    } else {
        None
    }
}

/// Words that start a new clause (they end a negation's reach).
const CLAUSE_WORDS: &[&str] = &[
    "but", "however", "although", "though", "whereas", "except", "yet",
];

/// The notes, tokenised and normalised.
pub(super) struct Lexed {
    pub toks: Vec<Tok>,
    arena: String,
    raw: Vec<RawWord>,
}

struct RawWord {
    tok: usize,
    norm: (usize, usize),
    alias: Option<&'static str>,
    brk: Brk,
    amp: bool,
}

impl Lexed {
    pub fn new(notes: &str) -> Self {
        let toks = tokenize(notes);
        let mut arena = String::with_capacity(notes.len());
        let mut raw: Vec<RawWord> = Vec::with_capacity(toks.len());
        let mut brk = Brk::None;
        let mut amp = false;
        let mut skip = 0;
        for (i, t) in toks.iter().enumerate() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if t.nl_before {
                brk = Brk::Hard;
            }
            // Punctuation dictated to a phone ("no pressure comma gauge 0.4
            // bar full stop") is punctuation, not words; "came to a full
            // stop" is not dictation.
            if t.kind == Kind::Word {
                let after_a = raw
                    .last()
                    .is_some_and(|r| &arena[r.norm.0..r.norm.1] == "a");
                match spoken(notes, &toks, i) {
                    Some((b, n)) if !(after_a && b == Brk::Hard) => {
                        brk = brk.max(b);
                        skip = n - 1;
                        continue;
                    }
                    _ => {}
                }
            }
            match t.kind {
                Kind::Sym(c) => {
                    let b = match c {
                        // A point between a letter and a digit, no space either
                        // side, ends no sentence: it is part of a code or a
                        // number ("E.21", "F.28", "no.2"), as a hyphen would be.
                        '.' if !t.space_before
                            && notes[..t.start].ends_with(|p: char| p.is_alphabetic())
                            && notes[t.end..].starts_with(|n: char| n.is_ascii_digit()) =>
                        {
                            Brk::None
                        }
                        '.' | ';' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '…' | '|' => {
                            Brk::Hard
                        }
                        ':' | '=' | '—' | '–' | '>' | '→' => Brk::Sep,
                        '-' if t.space_before => Brk::Sep,
                        ',' => Brk::Comma,
                        // Emoji and other pictographs punctuate like a comma ("base 😬 risk of").
                        c if !c.is_ascii() && !"°º℃℉’‘“”«»€£±×µ·".contains(c) => {
                            Brk::Comma
                        }
                        _ => Brk::None,
                    };
                    brk = brk.max(b);
                    amp |= matches!(c, '&' | '+');
                }
                Kind::Word => {
                    let s = arena.len();
                    let text = &notes[t.start..t.end];
                    arena.extend(
                        text.chars()
                            .filter(|&c| c != '\'' && c != '’')
                            .map(|c| fold(c.to_ascii_lowercase())),
                    );
                    let e = arena.len();
                    // "dB" as written is a decibel, not a distribution board
                    // ("DB-2", "the db"): lower-cased, they would be one word.
                    let a = if matches!(text, "dB" | "dBA" | "dBa") {
                        Some("decibels")
                    } else {
                        alias(&arena[s..e])
                    };
                    raw.push(RawWord {
                        tok: i,
                        norm: (s, e),
                        alias: a,
                        brk,
                        amp,
                    });
                    brk = Brk::None;
                    amp = false;
                }
            }
        }
        Lexed { toks, arena, raw }
    }

    pub fn words(&self) -> Vec<Word<'_>> {
        let mut out: Vec<Word<'_>> = Vec::with_capacity(self.raw.len());
        let mut clause = 0u16;
        let mut sentence = 0u16;
        for (k, r) in self.raw.iter().enumerate() {
            let t = self.toks[r.tok];
            let norm = r.alias.unwrap_or(&self.arena[r.norm.0..r.norm.1]);
            if k > 0 {
                if r.brk != Brk::None || CLAUSE_WORDS.contains(&norm) {
                    clause = clause.saturating_add(1);
                }
                if r.brk == Brk::Hard {
                    sentence = sentence.saturating_add(1);
                }
            }
            // A '?' between the previous word and this one.
            if let Some(prev) = out.last_mut() {
                prev.question = self.toks[prev.tok + 1..r.tok]
                    .iter()
                    .any(|t| t.kind == Kind::Sym('?'));
            }
            out.push(Word {
                start: t.start,
                end: t.end,
                tok: r.tok,
                norm,
                brk: if k == 0 { Brk::None } else { r.brk },
                amp: r.amp,
                question: false,
                clause,
                sentence,
            });
        }
        if let Some(last) = out.last_mut() {
            last.question = self.toks[last.tok + 1..]
                .iter()
                .any(|t| t.kind == Kind::Sym('?'));
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| &s[t.start..t.end]).collect()
    }

    #[test]
    fn joins_decimals_contractions_and_slashed_abbreviations() {
        assert_eq!(texts("3,2bar 3.2 bar"), ["3,2bar", "3.2", "bar"]);
        assert_eq!(
            texts("won't start, it’s u/s"),
            ["won't", "start", ",", "it’s", "u/s"]
        );
        assert_eq!(texts("2.5mm/s E-42"), ["2.5mm/s", "E", "-", "42"]);
        assert_eq!(texts("end. Next"), ["end", ".", "Next"]);
        assert_eq!(texts("1,2 and 3."), ["1,2", "and", "3", "."]);
        assert_eq!(texts("'quoted'"), ["'", "quoted", "'"]);
    }

    #[test]
    fn a_point_inside_a_code_ends_no_sentence() {
        let l = Lexed::new("la caldera con E.21 otra vez. Rellene a 1,5 bar");
        let w = l.words();
        let sentence = |norm: &str| w.iter().find(|w| w.norm == norm).map(|w| w.sentence);
        assert_eq!(sentence("e"), sentence("otra"), "E.21 is one code");
        assert_ne!(
            sentence("otra"),
            sentence("rellene"),
            "the full stop still ends one"
        );
    }

    #[test]
    fn spans_stay_on_char_boundaries_with_non_ascii() {
        let s = "Café 85 °C 😬 MΩ réné’s";
        for t in tokenize(s) {
            assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
        }
        assert_eq!(texts(s), ["Café", "85", "°", "C", "😬", "MΩ", "réné’s"]);
    }

    #[test]
    fn spanish_accents_are_folded_and_spans_kept() {
        let notes = "ESTÁ parado, calefacción sin Ñ, 5 MΩ";
        let l = Lexed::new(notes);
        let w = l.words();
        let norms: Vec<&str> = w.iter().map(|w| w.norm).collect();
        assert_eq!(
            norms,
            ["esta", "parado", "calefaccion", "sin", "ñ", "5", "mΩ"]
        );
        // The span is still the word as written.
        assert_eq!(&notes[w[2].start..w[2].end], "calefacción");
    }

    #[test]
    fn normalises_case_apostrophes_and_abbreviations() {
        let l = Lexed::new("Brg NOISY, vibs high; DOESN'T start\nCust says");
        let w = l.words();
        let norms: Vec<&str> = w.iter().map(|w| w.norm).collect();
        assert_eq!(
            norms,
            [
                "bearing",
                "noisy",
                "vibration",
                "high",
                "doesnt",
                "start",
                "customer",
                "says"
            ]
        );
        let brks: Vec<Brk> = w.iter().map(|w| w.brk).collect();
        assert_eq!(
            brks,
            [
                Brk::None,
                Brk::None,
                Brk::Comma,
                Brk::None,
                Brk::Hard,
                Brk::None,
                Brk::Hard,
                Brk::None
            ]
        );
        assert_eq!(w[2].clause, 1);
        assert_eq!(w[2].sentence, 0);
        assert_eq!(w[4].sentence, 1);
    }

    #[test]
    fn aliases_are_sorted_for_bisection() {
        assert!(ALIASES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ALIASES.iter().all(|(from, _)| from.len() <= 9));
        assert_eq!(alias("brg"), Some("bearing"));
        assert_eq!(alias("w/o"), Some("without"));
        assert_eq!(alias("bearing"), None);
    }

    #[test]
    fn a_decibel_is_not_a_distribution_board() {
        let norms = |s: &str| -> Vec<String> {
            Lexed::new(s)
                .words()
                .iter()
                .map(|w| w.norm.to_owned())
                .collect()
        };
        assert_eq!(
            norms("61 dB(A) at the fence"),
            ["61", "decibels", "a", "at", "the", "fence"]
        );
        assert_eq!(norms("65 dBA"), ["65", "decibels"]);
        // The board, however it is written.
        assert_eq!(
            norms("DB-2 tripped, the db"),
            ["db", "2", "tripped", "the", "db"]
        );
    }

    #[test]
    fn dictated_punctuation_is_punctuation() {
        let l = Lexed::new("steam wand no pressure comma gauge 0.4 bar full stop descale it");
        let w = l.words();
        let norms: Vec<&str> = w.iter().map(|w| w.norm).collect();
        assert_eq!(
            norms,
            [
                "steam", "wand", "no", "pressure", "gauge", "0.4", "bar", "descale", "it"
            ]
        );
        assert_eq!(w[4].brk, Brk::Comma);
        assert_eq!(w[7].brk, Brk::Hard);
        assert_eq!(w[7].sentence, 1);
        // Said as words, not dictated: kept.
        let l = Lexed::new("the shutter came to a full stop halfway");
        assert_eq!(l.words().len(), 8);
        assert!(l.words().iter().all(|w| w.sentence == 0));
    }

    #[test]
    fn marks_questions_and_clause_words() {
        let l = Lexed::new("might be smoke?? not sure but noisy");
        let w = l.words();
        assert!(w[2].question);
        assert!(!w[3].question);
        assert_eq!(w[3].brk, Brk::Hard);
        assert_ne!(w[5].clause, w[4].clause, "'but' opens a clause");
    }
}
