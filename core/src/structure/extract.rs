//! Error codes and readings with units, read straight off the tokens.
//!
//! Readings: a number (decimal comma or point; `1,200` is twelve hundred) with
//! a unit attached or after a space: `3,2bar`, `85 °C`, `185F`, `12.5 A`,
//! `2.5mm/s`, `65 % RH`, `-18°C`, `3-4 bar`. Normalised to `<number> <unit>`
//! with one spelling per unit (`85 °C`, `3.2 bar`, `12.5 A`, `65 %`).
//!
//! Codes: after a keyword (`error`, `err`, `fault`, `alarm`, `code`, …) any
//! code-like token — `E-42`, `A3`, `0x1F`, or a plain number, which keeps its
//! keyword (`Err 12`, `Alarm 305`) so it still means something on its own —
//! and the codes listed after it (`codes E42, F07`). Without a keyword only
//! unmistakable display codes count: `E`/`F`/`Er`/`AL`-style letters plus
//! digits (`E42`, `F07`, `E-101`) or hex (`0x1F`), what a display is said
//! to show, and, quoted, any token of letters and digits (`'OC3'`) or in a
//! display's mixed case (`'bAt'`); not when they name a part (`fuse F3`) or
//! appear in the asset's name, model or serial (`P-12`). A code keeps the
//! case the notes give it.

use super::Span;
use super::lex::{Kind, Tok};
use crate::wire::AssetView;

/// A value found in the notes, normalised, with the bytes it came from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

/// The units of GUIDELINES.md's list, as written → normalised. Anything else
/// (watts, litres a minute, horsepower, a bare percentage, "degrees" with no
/// scale, "dB" without the A) is not a reading.
const UNITS: &[(&str, &str)] = &[
    ("bar", "bar"),
    ("barg", "bar"),
    ("mbar", "mbar"),
    ("psi", "psi"),
    ("psig", "psi"),
    ("kpa", "kPa"),
    ("pa", "Pa"),
    ("c", "°C"),
    ("degc", "°C"),
    ("f", "°F"),
    ("degf", "°F"),
    ("rpm", "rpm"),
    ("hz", "Hz"),
    ("a", "A"),
    ("amp", "A"),
    ("amps", "A"),
    ("ma", "mA"),
    ("v", "V"),
    ("volt", "V"),
    ("volts", "V"),
    ("vac", "V"),
    ("vdc", "V"),
    ("kw", "kW"),
    ("kva", "kVA"),
    ("kwh", "kWh"),
    ("mm/s", "mm/s"),
    ("mm/sec", "mm/s"),
    ("m/s", "m/s"),
    ("ohm", "Ω"),
    ("ohms", "Ω"),
    ("Ω", "Ω"),
    ("kohm", "kΩ"),
    ("kohms", "kΩ"),
    ("kΩ", "kΩ"),
    ("mohm", "MΩ"),
    ("mohms", "MΩ"),
    ("megohm", "MΩ"),
    ("megohms", "MΩ"),
    ("mΩ", "MΩ"),
    ("ppm", "ppm"),
    ("dba", "dB(A)"),
];

/// The display form of a unit. After a space, a lower-case `a` or `w` is a
/// word, not amps or watts.
fn unit(s: &str, spaced: bool) -> Option<&'static str> {
    if spaced && (s == "a" || s == "w") {
        return None;
    }
    UNITS
        .iter()
        .find(|(u, _)| u.eq_ignore_ascii_case(s))
        .map(|(_, d)| *d)
}

/// `s` is one of `options`, ignoring ASCII case.
fn any_of(s: &str, options: &[&str]) -> bool {
    options.iter().any(|o| o.eq_ignore_ascii_case(s))
}

fn temperature_letter(s: &str) -> Option<&'static str> {
    if any_of(s, &["c", "celsius", "centigrade"]) {
        Some("°C")
    } else if any_of(s, &["f", "fahrenheit"]) {
        Some("°F")
    } else {
        None
    }
}

/// Length of the leading number: digits with single `.`/`,` between digits.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            || ((b[i] == b'.' || b[i] == b',')
                && i > 0
                && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// `3,2` → `3.2`; `1,200` → `1200`; `None` for versions and lists (`2.3.1`).
pub(super) fn normalise_number(s: &str) -> Option<String> {
    let seps = s.bytes().filter(|b| *b == b'.' || *b == b',').count();
    let mut groups = s.split(',');
    let head = groups.next().unwrap_or("");
    let thousands = seps > 0
        && !s.contains('.')
        && (1..=3).contains(&head.len())
        && head != "0"
        && groups.all(|g| g.len() == 3);
    if thousands {
        return Some(s.replace(',', ""));
    }
    (seps <= 1).then(|| s.replace(',', "."))
}

/// A unit starting at token `j` (just after a number): its display form and the
/// last token it uses.
fn unit_after(notes: &str, toks: &[Tok], j: usize) -> Option<(&'static str, usize)> {
    let t = toks.get(j)?;
    if t.nl_before {
        return None;
    }
    let text = &notes[t.start..t.end];
    let next_word = |k: usize| {
        toks.get(k)
            .filter(|n| n.kind == Kind::Word && !n.nl_before)
            .map(|n| &notes[n.start..n.end])
    };
    match t.kind {
        // Only relative humidity: a battery at 40% or CO2 at 8.2% is not a reading.
        Kind::Sym('%') => match next_word(j + 1) {
            Some(w) if w.eq_ignore_ascii_case("rh") || w.eq_ignore_ascii_case("humidity") => {
                Some(("% RH", j + 1))
            }
            _ => None,
        },
        // "26°" with no scale: the unit is implied, not written.
        Kind::Sym('°' | 'º') => next_word(j + 1)
            .and_then(temperature_letter)
            .map(|u| (u, j + 1)),
        Kind::Sym('℃') => Some(("°C", j)),
        Kind::Sym('℉') => Some(("°F", j)),
        Kind::Sym(_) => None,
        Kind::Word => {
            if any_of(text, &["deg", "degs", "degree", "degrees"]) {
                return next_word(j + 1)
                    .and_then(temperature_letter)
                    .map(|u| (u, j + 1));
            }
            // "68 dB(A)": the A in brackets, glued on.
            if text.eq_ignore_ascii_case("db") {
                let glued = |k: usize, kind: Kind| {
                    toks.get(k)
                        .is_some_and(|n| n.kind == kind && !n.space_before)
                };
                let a = toks
                    .get(j + 2)
                    .is_some_and(|n| notes[n.start..n.end].eq_ignore_ascii_case("a"));
                return (glued(j + 1, Kind::Sym('('))
                    && a
                    && glued(j + 2, Kind::Word)
                    && glued(j + 3, Kind::Sym(')')))
                .then_some(("dB(A)", j + 3));
            }
            if let Some(u) = joined_unit(notes, toks, text, j, true) {
                return Some(u);
            }
            None
        }
    }
}

/// A unit word, perhaps continued by `/word` (`m3/h`).
fn joined_unit(
    notes: &str,
    toks: &[Tok],
    text: &str,
    j: usize,
    spaced: bool,
) -> Option<(&'static str, usize)> {
    if let (Some(slash), Some(w)) = (toks.get(j + 1), toks.get(j + 2))
        && slash.kind == Kind::Sym('/')
        && !slash.space_before
        && w.kind == Kind::Word
        && !w.space_before
    {
        let joined = format!("{text}/{}", &notes[w.start..w.end]);
        if joined.eq_ignore_ascii_case("m3/h") || joined.eq_ignore_ascii_case("m3/hr") {
            return Some(("m³/h", j + 2));
        }
        if let Some(u) = unit(&joined, spaced) {
            return Some((u, j + 2));
        }
    }
    unit(text, spaced).map(|u| (u, j))
}

/// Token `i` is glued to a word before it (`E-42`, `P-12`, `#3`): an identifier, not a reading.
fn glued_to_identifier(notes: &str, toks: &[Tok], i: usize) -> bool {
    if toks[i].space_before || i == 0 {
        return false;
    }
    match toks[i - 1].kind {
        Kind::Word => true,
        // Not a second value after a slash: "Voc 412V/409V".
        Kind::Sym('/') if i >= 2 && notes.as_bytes()[toks[i - 2].start].is_ascii_digit() => false,
        Kind::Sym('-' | '/' | '.' | '_') => {
            i >= 2 && !toks[i - 1].space_before && toks[i - 2].kind == Kind::Word
        }
        Kind::Sym('#') => true,
        _ => false,
    }
}

pub(super) fn readings(notes: &str, toks: &[Tok]) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let text = &notes[t.start..t.end];
        if t.kind == Kind::Word
            && let Some(rating) = fuse_rating(notes, toks, i)
        {
            if !out.iter().any(|o| o.text == rating) {
                out.push(Item {
                    text: rating,
                    start: t.start,
                    end: t.end,
                    confidence: 0.8,
                });
            }
            i += 1;
            continue;
        }
        if t.kind != Kind::Word
            || !text.as_bytes()[0].is_ascii_digit()
            || glued_to_identifier(notes, toks, i)
        {
            i += 1;
            continue;
        }
        let n = number_len(text);
        let Some(mut number) = normalise_number(&text[..n]) else {
            i += 1;
            continue;
        };
        let mut start = t.start;
        // A minus sign standing alone before the number: -18°C.
        if i > 0
            && !t.space_before
            && matches!(toks[i - 1].kind, Kind::Sym('-' | '−'))
            && (i == 1 || toks[i - 1].space_before)
        {
            number.insert(0, '-');
            start = toks[i - 1].start;
        }
        let mut last = i;
        // A range: 3-4 bar.
        if n == text.len()
            && let (Some(dash), Some(hi)) = (toks.get(i + 1), toks.get(i + 2))
            && dash.kind == Kind::Sym('-')
            && !dash.space_before
            && !hi.space_before
            && hi.kind == Kind::Word
            && notes.as_bytes()[hi.start].is_ascii_digit()
        {
            let hi_text = &notes[hi.start..hi.end];
            let hn = number_len(hi_text);
            if let Some(h) = normalise_number(&hi_text[..hn])
                && (hn < hi_text.len() || unit_after(notes, toks, i + 3).is_some())
            {
                number.push('-');
                number.push_str(&h);
                last = i + 2;
            }
        }
        let lt = toks[last];
        let lt_text = &notes[lt.start..lt.end];
        let ln = number_len(lt_text);
        let found = if lt_text[ln..].eq_ignore_ascii_case("k") {
            // "10k ohm": the thousands glued on, the unit after.
            unit_after(notes, toks, last + 1)
                .filter(|(u, _)| *u == "Ω")
                .map(|(_, end)| ("kΩ", end))
        } else if ln < lt_text.len() {
            joined_unit(notes, toks, &lt_text[ln..], last, false)
        } else {
            unit_after(notes, toks, last + 1)
        };
        // "Boiler 1 PPM done", "Lift 3 PPM not done": planned maintenance
        // of the asset before it, not parts per million.
        let found = found.filter(|(u, end)| *u != "ppm" || !maintenance_ppm(notes, toks, i, *end));
        match found {
            Some((u, end_tok)) => {
                let text = format!("{number} {u}");
                if !out.iter().any(|o| o.text == text) {
                    out.push(Item {
                        text,
                        start,
                        end: toks[end_tok].end,
                        confidence: 0.9,
                    });
                }
                i = end_tok + 1;
            }
            None => i = last + 1,
        }
    }
    out
}

/// "ppm" at token `end` after the number at token `i` is a PPM visit: the
/// number follows an asset's word ("Blr 3 PPM", "Esc 1 PPM complete") or
/// the visit's outcome follows it ("PPM done", "PPM not done").
fn maintenance_ppm(notes: &str, toks: &[Tok], i: usize, end: usize) -> bool {
    const ASSETS: &[&str] = &[
        "boiler",
        "blr",
        "lift",
        "lft",
        "esc",
        "escalator",
        "chiller",
        "ahu",
        "fcu",
        "pump",
        "unit",
        "gen",
        "generator",
        "compressor",
        "fridge",
        "freezer",
        "door",
    ];
    const OUTCOMES: &[&str] = &[
        "done",
        "complete",
        "completed",
        "carried",
        "visit",
        "not",
        "due",
        "booked",
        "today",
        "inspection",
        "service",
        "check",
        "checks",
    ];
    let before = i > 0
        && toks[i - 1].kind == Kind::Word
        && any_of(&notes[toks[i - 1].start..toks[i - 1].end], ASSETS);
    let after = toks
        .get(end + 1)
        .filter(|t| t.kind == Kind::Word)
        .is_some_and(|t| any_of(&notes[t.start..t.end], OUTCOMES));
    before || after
}

/// A fuse's rating with its type letter, "fuse F2 (T3.15A)" → `3.15 A`
/// (GUIDELINES: a rating, not a code): `T`, `TT`, `F`, `FF` or `M`, a
/// number, `A` or `mA` glued on, with a fuse named in the eight words before.
fn fuse_rating(notes: &str, toks: &[Tok], i: usize) -> Option<String> {
    let text = &notes[toks[i].start..toks[i].end];
    let letters = text.bytes().take_while(u8::is_ascii_uppercase).count();
    if !matches!(&text[..letters], "T" | "TT" | "F" | "FF" | "M") {
        return None;
    }
    let rest = &text[letters..];
    let n = number_len(rest);
    let unit = match &rest[n..] {
        "A" => "A",
        "mA" => "mA",
        _ => return None,
    };
    let number = normalise_number(&rest[..n]).filter(|_| n > 0)?;
    let fuse = toks[..i]
        .iter()
        .rev()
        .take_while(|t| !ends_sentence(t))
        .filter(|t| t.kind == Kind::Word)
        .take(8)
        .any(|t| any_of(&notes[t.start..t.end], &["fuse", "fuses", "fusible"]));
    fuse.then(|| format!("{number} {unit}"))
}

/// The readings that are temperatures, in °C, with their spans.
pub(super) fn temperatures(readings: &[Item]) -> Vec<(f32, Span)> {
    readings
        .iter()
        .filter_map(|r| {
            let (number, unit) = r.text.split_once(' ')?;
            let v: f32 = number.parse().ok()?;
            let celsius = match unit {
                "°C" => v,
                "°F" => (v - 32.0) * 5.0 / 9.0,
                _ => return None,
            };
            Some((celsius, Span::new(r.start, r.end)))
        })
        .collect()
}

/// The label a keyword gives a plain-number code: the word as written,
/// capitalised (GUIDELINES: "err 12" → `Err 12`, "error 5" → `Error 5`).
fn keyword(s: &str) -> Option<String> {
    // Not "flt": in these notes it is a fork-lift truck ("FLT 2").
    const KEYWORDS: &[&str] = &[
        "error", "errors", "err", "errs", "erro", "fault", "faults", "alarm", "alarms", "alm",
        "alrm", "code", "codes", "alarma", "codigo", "código", "evt", "warning", "event", "events",
        "state", "lockout", "alert", "fallo", "fallos", "falla", "averia", "avería",
    ];
    // Characters, not bytes: "código" is seven bytes.
    if s.chars().count() > 7 {
        return None;
    }
    // Lower case by hand for the keywords' two accented letters ("AVERÍA
    // 07" is `Avería 07`), and only in a word that has any: every word of
    // the notes is asked, and `str::to_lowercase` would bring Unicode's
    // case tables, some 5 KB, into the engine.
    let folded;
    let s = if s.is_ascii() {
        s
    } else {
        folded = s.replace('Í', "í").replace('Ó', "ó");
        folded.as_str()
    };
    if !any_of(s, KEYWORDS) {
        return None;
    }
    let mut out = s.to_ascii_lowercase();
    // A plural names the same code ("alarms 305" → `Alarm 305`).
    if out.len() > 3 && out.ends_with('s') {
        out.pop();
    }
    // Every keyword starts with an ASCII letter.
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    Some(out)
}

/// Words saying that the equipment showed what follows ("display shows A03",
/// "flashing E 21", "logged P0299"); not "says", which people do too.
const SHOWN: &[&str] = &[
    "show",
    "shows",
    "showing",
    "showed",
    "shown",
    "shwg",
    "shwng",
    "shws",
    "shwd",
    "display",
    "displays",
    "displaying",
    "displayed",
    "disp",
    "flashing",
    "flashes",
    "flashed",
    "flash",
    "reads",
    "reading",
    "logged",
    "logs",
    "logging",
    "threw",
    "throws",
    "throwing",
    "gave",
    "gives",
    "giving",
    "indicating",
    "indicates",
    "mostra",
    "muestra",
    "mostraba",
    "marca",
    "marcaba",
    "marcando",
];

/// Words after a code that say the equipment showed it ("E4 logged",
/// "LD-2 flashes up").
const SHOWN_AFTER: &[&str] = &[
    "logged",
    "displayed",
    "shown",
    "showing",
    "flashing",
    "flashes",
    "flashed",
    "appears",
    "appeared",
];

/// Capitals a display shows that are not codes. Not "HI" and "LO": a
/// display that shows them alone shows a code (GUIDELINES: "display says
/// HI" → `HI`); "HI TEMP", followed by a word, is a phrase, which the
/// paths that read letters alone already leave out.
const NOT_CODES: &[&str] = &[
    "ok", "on", "off", "no", "low", "high", "run", "set", "end", "the", "and", "all", "new", "yes",
    "led", "lcd", "pcb", "psu", "ups", "ac", "dc", "bms", "ahu", "fcu", "hmi", "plc", "rcd", "mcb",
    "cctv", "it", "pm", "am", "tv", "usb", "id", "ip",
    // What else is shown, in a note in capitals: a person ("SHOWED HER"),
    // a lamp's colour ("FLASHING RED"), "GAVE UP", "SHOWN APP", "DISPLAY LIT".
    "him", "her", "me", "us", "you", "red", "up", "as", "app", "lit", "sat",
    // and the small words of a sentence ("SHOW AT 7:30 TONIGHT").
    "at", "in", "to", "of", "by", "is", "or", "for", "was", "has", "but", "not", "can", "now",
    "out", "its",
];

/// Words after letters a display showed that start another clause: the
/// letters were shown alone ("display show HI and beeping", "muestra LO y
/// se para", "showing LO on coolant", "HI alarm").
const JOINING: &[&str] = &[
    "and",
    "y",
    "but",
    "pero",
    "then",
    "luego",
    "on",
    "en",
    "with",
    "con",
    "since",
    "desde",
    "which",
    "que",
    "alarm",
    "alarma",
    "again",
    "now",
    "flashing",
    "parpadeando",
    "beeping",
];

/// Verbs of a machine stopping on a code: "tripping OC1", "trip with 'A13'",
/// "failed with C-17", "locked out on E5".
const STOPPED: &[&str] = &[
    "trip", "trips", "tripping", "tripped", "fail", "fails", "failed", "failing", "out", "faulted",
    "faulting", "alarmed", "alarming", "halted", "stopped", "down", "shutdown",
];

/// Words that say where a machine's words are: "the screen says W 34".
const SAYS: &[&str] = &[
    "says", "say", "said", "saying", "reads", "read", "dice", "decía", "decia", "pone", "ponía",
];

/// A full stop, semicolon, exclamation or question mark.
fn ends_sentence(t: &Tok) -> bool {
    matches!(t.kind, Kind::Sym('.' | ';' | '!' | '?'))
}

/// The word before token `i` (or the one before that, across a quote or a
/// colon) says the equipment showed it, or stopped on it.
fn shown(notes: &str, toks: &[Tok], i: usize) -> bool {
    said_before(notes, toks, i, true)
}

/// As [`shown`], but a machine stopping on letters alone is not showing
/// them: "tripped on HP", "trips on OL" name the protection that tripped.
fn displayed(notes: &str, toks: &[Tok], i: usize) -> bool {
    said_before(notes, toks, i, false)
}

fn said_before(notes: &str, toks: &[Tok], i: usize, stopped: bool) -> bool {
    let mut words = toks[..i]
        .iter()
        .rev()
        .take(4)
        .take_while(|t| !t.nl_before || t.kind == Kind::Word)
        // Not across a full stop ("no faults logged. Strings 1-4 ok").
        .take_while(|t| !ends_sentence(t))
        .filter(|t| t.kind == Kind::Word)
        .map(|t| &notes[t.start..t.end]);
    let Some(w) = words.next() else {
        return false;
    };
    if any_of(w, SHOWN) || (stopped && any_of(w, &["tripping", "tripped", "shutdown"])) {
        return true;
    }
    let next = words.next();
    // "trip with 'A13'", "failed with C-17", "locked out on E5".
    if any_of(w, &["with", "on"]) {
        return stopped && next.is_some_and(|v| any_of(v, STOPPED));
    }
    // "the screen says W 34", "LCD just says H07": people say things
    // too, screens only this.
    let next = if next.is_some_and(|v| any_of(v, &["just", "only", "still", "now"])) {
        words.next()
    } else {
        next
    };
    any_of(w, SAYS) && next.is_some_and(|v| any_of(v, SCREENS))
}

/// Where a display is: "A07 on the panel", "'RD-14' on display".
const SCREENS: &[&str] = &[
    "display",
    "screen",
    "panel",
    "keypad",
    "controller",
    "hmi",
    "lcd",
    "readout",
    "pantalla",
    "dash",
    "dashboard",
    "disp",
    "remote",
    "remotes",
];

/// Token `k` onwards says "on (the) display": what came before was shown.
fn shown_on(notes: &str, toks: &[Tok], k: usize) -> bool {
    let mut words = toks[k.min(toks.len())..]
        .iter()
        .filter(|t| !matches!(t.kind, Kind::Sym('\'' | '"')))
        .take(4);
    let Some(first) = words.next() else {
        return false;
    };
    if first.kind != Kind::Word || !any_of(&notes[first.start..first.end], &["on", "en"]) {
        return false;
    }
    words
        .filter(|t| t.kind == Kind::Word)
        .map(|t| &notes[t.start..t.end])
        .find(|w| {
            !any_of(
                w,
                &["the", "its", "el", "la", "a", "little", "small", "front"],
            )
        })
        .is_some_and(|w| any_of(w, SCREENS))
}

/// Letters that start an unmistakable display code without a keyword.
/// Not "flt": in these notes "FLT7" is a fork-lift truck.
const BARE: &[&str] = &["e", "f", "er", "err", "al", "alm", "fl"];

/// Words naming a part or a place: a code-like token next to one is its name
/// (`fuse F3`); from "freezer" on, equipment with tags of its own ("backup
/// freezer F-02"), and last a place things go ("moving what fits into F-03").
/// One string, as `analyse::one_of` reads it.
pub(super) const PARTS: &str = "\
    fuse fuses relay breaker mcb terminal valve pump motor zone room floor phase line bay unit \
    panel cabinet circuit contactor sensor probe port slot tank fan door level model part item \
    bolt bolts size pipe grade type drawing ref filter belt bearing channel input output card \
    module socket lamp freezer freezers fridge chiller boiler lift generator compressor truck \
    forklift van into";

#[derive(Clone, Copy, PartialEq)]
enum CodeKind {
    /// Letters and digits, or hex.
    Named,
    /// A plain number (needs a keyword).
    Number,
}

struct Code {
    text: String,
    start: usize,
    end: usize,
    next: usize,
    kind: CodeKind,
}

/// A quotation mark around what a display shows.
fn is_quote(t: &Tok) -> bool {
    matches!(t.kind, Kind::Sym('\'' | '"' | '‘' | '’' | '“' | '”'))
}

/// "display 'OC'", "showing 'C-FAIL'", "'Loc 4' on screen", "panel 'E-57'":
/// what the equipment showed, quoted as it showed it, is a code when it is
/// one code-like token — two or three capitals or a display's "bF", a
/// number, capitals and digits, parts joined by hyphens ("OV-TEMP",
/// "DO-Err") — or a short word and a number (GUIDELINES: a single code-like
/// token is a code, a bare "HI" on a display too; a phrase in words, "Door
/// open", "WAIT", is not). The quote at `q` opens it; `None` unless the
/// equipment is said to show it. A keyword inside ("'ALARM 14'") is left
/// to the keyword's own reading.
fn quoted_code(notes: &str, toks: &[Tok], q: usize) -> Option<Code> {
    let open = toks.get(q)?;
    let first = toks.get(q + 1)?;
    if !is_quote(open) || first.space_before || first.kind != Kind::Word {
        return None;
    }
    if q > 0 && !open.space_before && toks[q - 1].kind == Kind::Word {
        return None; // an apostrophe: "Dave's"
    }
    let close = (q + 2..toks.len().min(q + 7)).find(|&k| is_quote(&toks[k]))?;
    let inner = &toks[q + 1..close];
    if toks[close].space_before
        || toks
            .get(close + 1)
            .is_some_and(|a| a.kind == Kind::Word && !a.space_before)
        || keyword(&notes[first.start..first.end]).is_some()
    {
        return None;
    }
    let said = shown(notes, toks, q + 1)
        || shown_on(notes, toks, close + 1)
        || word_before(notes, toks, q).is_some_and(|w| any_of(w, SCREENS));
    let text = &notes[first.start..toks[close - 1].end];
    // Quoted, a token no word is written like is a display's with no word
    // saying so: letters and digits ("variador 'OC3'", "dash throwing
    // 'BMS-F12'"), or a display's mixed case ("'bAt'"). Not after a part's
    // name ("fuse 'F3'").
    let glued = inner.iter().skip(1).all(|t| !t.space_before);
    let looks_shown = glued
        && text.len() <= 10
        && (text.bytes().any(|b| b.is_ascii_digit())
            && text.bytes().any(|b| b.is_ascii_alphabetic())
            || display_case(text))
        && !is_part(word_before(notes, toks, q));
    if !said && !looks_shown {
        return None;
    }
    let code_like_part = |w: &str| {
        !w.is_empty()
            && w.len() <= 6
            && w.bytes().all(|b| b.is_ascii_alphanumeric())
            && (w.len() <= 3
                || w.bytes().any(|b| b.is_ascii_digit())
                || w.bytes().all(|b| !b.is_ascii_lowercase()))
    };
    let ok = if glued {
        // One token, or parts glued by hyphens or points: "C-FAIL", "E.21".
        let parts: Vec<&str> = inner
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| &notes[t.start..t.end])
            .collect();
        let joins_ok = inner
            .iter()
            .all(|t| t.kind == Kind::Word || matches!(t.kind, Kind::Sym('-' | '.')));
        let only_letters = parts.len() == 1 && parts[0].bytes().all(|b| b.is_ascii_alphabetic());
        joins_ok
            && parts.len() <= 3
            && text.len() <= 10
            && if only_letters {
                let w = parts[0];
                (display_letters(w) || display_case(w)) && !any_of(w, NOT_CODES)
            } else if parts.len() == 1 && parts[0].bytes().all(|b| b.is_ascii_digit()) {
                (2..=5).contains(&parts[0].len())
            } else {
                parts.iter().all(|w| code_like_part(w))
            }
    } else {
        // A short word and a number: "Loc 4", "Er 08".
        inner.len() == 2 && inner.iter().all(|t| t.kind == Kind::Word) && {
            let (w, d) = (
                &notes[first.start..first.end],
                &notes[inner[1].start..inner[1].end],
            );
            (1..=8).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_alphabetic())
                && !any_of(w, NOT_CODES)
                && (1..=3).contains(&d.len())
                && d.bytes().all(|b| b.is_ascii_digit())
        }
    };
    ok.then(|| {
        // "SERVICE 31" as a keyword is written: `Service 31`.
        let text = match text.split_once(' ') {
            Some((w, d)) if w.len() > 3 && w.bytes().all(|b| b.is_ascii_uppercase()) => {
                format!("{}{} {d}", &w[..1], w[1..].to_ascii_lowercase())
            }
            _ => text.to_owned(),
        };
        Code {
            text,
            start: first.start,
            end: toks[close - 1].end,
            next: close + 1,
            kind: CodeKind::Named,
        }
    })
}

/// A display's mixed case, which no word is written in: a small letter
/// before a capital ("bAt", "HtEr", "dE"), letters only, two to five.
fn display_case(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=5).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphabetic)
        && b.windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Two or three capitals ("LE", "OE"), or a display's mixed case with a
/// small letter first ("bF", "dE"), which no word is written in.
fn display_letters(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=3).contains(&b.len())
        && (b.iter().all(u8::is_ascii_uppercase)
            || (b.len() == 2 && b[0].is_ascii_lowercase() && b[1].is_ascii_uppercase()))
}

fn split_letters_digits(s: &str) -> Option<(&str, &str)> {
    let l = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (letters, digits) = s.split_at(l);
    ((1..=3).contains(&letters.len())
        && (1..=4).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then_some((letters, digits))
}

/// A vehicle diagnostic code (OBD-II): P, B, C or U, a digit 0–3, three hex
/// digits, at least one a digit ("P0299", "P20E8").
fn obd(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && matches!(b[0].to_ascii_uppercase(), b'P' | b'B' | b'C' | b'U')
        && (b'0'..=b'3').contains(&b[1])
        && b[2..].iter().all(u8::is_ascii_hexdigit)
}

/// The symbol `sym` and a word glued to token `j` ("E-42", "F.22", "E-PS2"):
/// the word and where it ends.
fn glued_word<'n>(notes: &'n str, toks: &[Tok], j: usize, sym: char) -> Option<(&'n str, usize)> {
    let (s, w) = (toks.get(j + 1)?, toks.get(j + 2)?);
    (s.kind == Kind::Sym(sym) && !s.space_before && !w.space_before && w.kind == Kind::Word)
        .then(|| (&notes[w.start..w.end], w.end))
}

/// `sym` and up to `max` digits glued to token `j` ("E-42", "E2-14", "F.22"):
/// the digits and where they end.
fn glued_digits<'n>(
    notes: &'n str,
    toks: &[Tok],
    j: usize,
    sym: char,
    max: usize,
) -> Option<(&'n str, usize)> {
    glued_word(notes, toks, j, sym)
        .filter(|(ds, _)| (1..=max).contains(&ds.len()) && ds.bytes().all(|b| b.is_ascii_digit()))
}

/// A dotted number, as one word to the lexer: up to `whole` digits, a full
/// stop, one or two digits ("2.1", "34.1").
fn dotted(s: &str, whole: usize) -> bool {
    s.split_once('.').is_some_and(|(a, b)| {
        (1..=whole).contains(&a.len())
            && (1..=2).contains(&b.len())
            && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    })
}

/// A code starting at token `j`; `label` is the keyword's, when there is one.
fn code_at(
    notes: &str,
    toks: &[Tok],
    j: usize,
    label: Option<&str>,
    kw_start: usize,
) -> Option<Code> {
    let t = toks.get(j)?;
    if t.kind != Kind::Word {
        return None;
    }
    let s = &notes[t.start..t.end];
    // "lockout x3": a count, not a code.
    if count(s) {
        return None;
    }
    let named = |text: String, end: usize, next: usize| Code {
        text,
        start: t.start,
        end,
        next,
        kind: CodeKind::Named,
    };
    let b = s.as_bytes();
    if b.len() > 2
        && b.len() <= 10
        && b[..2].eq_ignore_ascii_case(b"0x")
        && b[2..].iter().all(u8::is_ascii_hexdigit)
    {
        // As written, as every code is (GUIDELINES: the equipment's own
        // spelling and case): "0X2C" in a note in capitals stays `0X2C`.
        return Some(named(s.to_owned(), t.end, j + 1));
    }
    // "alarm 2.1": a dotted number after a keyword is a code too.
    if (s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 5) || (dotted(s, 3) && label.is_some())
    {
        let label = label?;
        // "error 3 0 2": voice-to-text spells a code digit by digit; three
        // or more single digits in a row are one code (`Error 302`).
        let spelled = toks[j..]
            .iter()
            .take(5)
            .take_while(|d| {
                d.kind == Kind::Word
                    && !d.nl_before
                    && d.end - d.start == 1
                    && notes.as_bytes()[d.start].is_ascii_digit()
            })
            .count();
        let (digits, end, next) = if s.len() == 1 && spelled >= 3 {
            let ds: String = toks[j..j + spelled]
                .iter()
                .map(|d| &notes[d.start..d.end])
                .collect();
            (ds, toks[j + spelled - 1].end, j + spelled)
        } else {
            (s.to_owned(), t.end, j + 1)
        };
        // A number with a unit after it is a reading, not a code; one with
        // "times" a count ("false alarm 3 times this week").
        if unit_after(notes, toks, next).is_some()
            || toks.get(next).is_some_and(|n| {
                n.kind == Kind::Word && any_of(&notes[n.start..n.end], &["times", "veces"])
            })
        {
            return None;
        }
        return Some(Code {
            text: format!("{label} {digits}"),
            start: kw_start,
            end,
            next,
            kind: CodeKind::Number,
        });
    }
    // Gases and refrigerants are named, not shown as codes ("alarma CO2 bajo").
    const SUBSTANCES: &[&str] = &[
        "co", "co2", "o2", "n2", "h2", "nh3", "h2s", "ch4", "no2", "so2", "r22", "r32", "r134a",
        "r290", "r404a", "r407c", "r410a", "r600a", "r717", "r744",
    ];
    if any_of(s, SUBSTANCES) {
        return None;
    }
    if let Some((letters, digits)) = split_letters_digits(s) {
        if let Some(kw) = keyword(letters) {
            return Some(Code {
                text: format!("{kw} {digits}"),
                start: t.start,
                end: t.end,
                next: j + 1,
                kind: CodeKind::Number,
            });
        }
        // "E2-14", "A1-03", "E2.18", "A3.1": a sub-code glued on with a
        // hyphen or a full stop.
        if let Some((sym, (ds, end))) = [('-', 3), ('.', 2)]
            .into_iter()
            .find_map(|(sym, max)| Some((sym, glued_digits(notes, toks, j, sym, max)?)))
        {
            return Some(named(format!("{s}{sym}{ds}"), end, j + 3));
        }
        return Some(named(s.to_owned(), t.end, j + 1));
    }
    if obd(s) {
        return Some(named(s.to_owned(), t.end, j + 1));
    }
    // "E34.1", "A3.1": letters and a dotted number, one word to the lexer.
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if (1..=3).contains(&letters) && dotted(&s[letters..], 3) {
        return Some(named(s.to_owned(), t.end, j + 1));
    }
    // "3C2": digits, a capital, digits (a UPS's alarm); not a number with
    // its unit, which ends in letters ("10A", "1800L", "14W").
    if (3..=5).contains(&b.len())
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter().any(u8::is_ascii_uppercase)
        && !b.iter().any(u8::is_ascii_lowercase)
    {
        return Some(named(s.to_owned(), t.end, j + 1));
    }
    // "E.3.1": the same with a dotted number, one word to the lexer.
    if (1..=2).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some((w, end)) = glued_word(notes, toks, j, '.')
        && dotted(w, 2)
    {
        return Some(named(format!("{s}.{w}"), end, j + 3));
    }
    // "E.21", "F.22", "E:05": letters, a full stop or a colon, digits, glued together.
    if (1..=2).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphabetic())
        && !s.eq_ignore_ascii_case("no")
        && let Some((sym, (ds, end))) = ['.', ':']
            .into_iter()
            .find_map(|sym| Some((sym, glued_digits(notes, toks, j, sym, 3)?)))
    {
        return Some(named(format!("{s}{sym}{ds}"), end, j + 3));
    }
    // "E-PS2": letters, a hyphen, a code with letters and digits.
    if (1..=3).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_uppercase())
        && let Some((w, end)) = glued_word(notes, toks, j, '-')
        && split_letters_digits(w).is_some_and(|(l, _)| l.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Some(named(format!("{s}-{w}"), end, j + 3));
    }
    // "E 21", "F 3", "ER 03": a display's capital letters, a space, a number —
    // the way some displays show it (GUIDELINES: `E 6` stays `E 6`).
    // Not "FLT 2": a fork-lift truck. Any two or three capitals when the
    // equipment showed them ("showing EA 227"; not "tripping MCB 4").
    let capitals = b.iter().all(u8::is_ascii_uppercase);
    if (s.len() == 1 && capitals
        // "Er 21" as much as "ER 21".
        || any_of(s, &["er", "al"]) && b[0].is_ascii_uppercase()
        || (s.len() <= 3 && capitals && !any_of(s, NOT_CODES) && displayed(notes, toks, j)))
        && let Some(d) = toks.get(j + 1)
        && d.kind == Kind::Word
        && d.space_before
        && !d.nl_before
    {
        let ds = &notes[d.start..d.end];
        if (1..=3).contains(&ds.len())
            && ds.bytes().all(|c| c.is_ascii_digit())
            && unit_after(notes, toks, j + 2).is_none()
        {
            return Some(named(format!("{s} {ds}"), d.end, j + 2));
        }
    }
    // E-42: letters, a hyphen, digits, glued together.
    if (1..=3).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some((ds, end)) = glued_digits(notes, toks, j, '-', 4)
    {
        return Some(named(format!("{s}-{ds}"), end, j + 3));
    }
    None
}

/// A code-like name's letters, in capitals: its series ("FL" of "FL-03").
fn series(name: &str) -> String {
    name.bytes()
        .take_while(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_uppercase() as char)
        .collect()
}

fn key(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Code-like names in the asset's record (`P-12`, `CR32`, `GP-44817`).
fn asset_keys(asset: &AssetView) -> Vec<String> {
    let mut out = Vec::new();
    for field in [&asset.name, &asset.model, &asset.serial_number] {
        let toks = super::lex::tokenize(field);
        for (i, t) in toks.iter().enumerate() {
            if t.kind != Kind::Word {
                continue;
            }
            if let Some(c) = code_at(field, &toks, i, Some(""), t.start) {
                out.push(key(&c.text));
            }
            // "FLT 2": the notes write it "FLT2".
            let w = &field[t.start..t.end];
            if (1..=4).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_alphabetic())
                && let Some(n) = toks.get(i + 1)
                && n.kind == Kind::Word
                && (1..=4).contains(&(n.end - n.start))
                && field[n.start..n.end].bytes().all(|b| b.is_ascii_digit())
            {
                out.push(key(&format!("{w}{}", &field[n.start..n.end])));
            }
        }
    }
    out
}

/// "x2", "x14": how many times, in any sentence.
fn count(text: &str) -> bool {
    text.strip_prefix('x')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A code-like name that the notes show is something else, when no
/// display showed it: a floor typed in lower case ("riser fl3"), one of a
/// pair of terminals ("F1/F2 comms cable"), a fuse ("F3 3A fuse blown",
/// "fuse in trolley F2", "fusible F1") or a filter's grade ("G4 + F7"
/// in a note about filters).
fn named_otherwise(notes: &str, toks: &[Tok], i: usize, c: &Code) -> bool {
    let text = &notes[toks[i].start..toks[i].end];
    let letters: String = text
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let digits = &text[letters.len()..];
    if letters == "fl" && text.starts_with("fl") {
        return true;
    }
    let pair = !letters.is_empty()
        && toks
            .get(c.next)
            .is_some_and(|s| s.kind == Kind::Sym('/') && !s.space_before)
        && toks.get(c.next + 1).is_some_and(|n| {
            !n.space_before
                && notes[n.start..n.end]
                    .to_ascii_lowercase()
                    .starts_with(letters.as_str())
        });
    if pair {
        return true;
    }
    // Words of the same sentence within three words either side.
    let near = |k: usize| {
        let before = toks[..k]
            .iter()
            .rev()
            .take_while(|t| !ends_sentence(t))
            .filter(|t| t.kind == Kind::Word)
            .take(3);
        let after = toks[k + 1..]
            .iter()
            .take_while(|t| !ends_sentence(t))
            .filter(|t| t.kind == Kind::Word)
            .take(3);
        before
            .chain(after)
            .map(|t| &notes[t.start..t.end])
            .collect::<Vec<_>>()
    };
    const FUSES: &[&str] = &["fuse", "fuses", "fusible", "fusibles"];
    if letters == "f" && near(i).iter().any(|w| any_of(w, FUSES)) {
        return true;
    }
    let grade = digits.len() == 1
        && match letters.as_str() {
            "g" => (b'1'..=b'4').contains(&digits.as_bytes()[0]),
            "m" => (b'5'..=b'6').contains(&digits.as_bytes()[0]),
            "f" => (b'5'..=b'9').contains(&digits.as_bytes()[0]),
            _ => false,
        };
    grade
        && notes.split(|c: char| !c.is_alphanumeric()).any(|w| {
            any_of(
                w,
                &["filter", "filters", "filt", "filts", "filtro", "filtros"],
            )
        })
}

/// The word before token `i` in its sentence.
fn word_before<'a>(notes: &'a str, toks: &[Tok], i: usize) -> Option<&'a str> {
    toks[..i]
        .iter()
        .rev()
        // Not across a comma: "on low input, E4 logged" names no input E4.
        .take_while(|t| !ends_sentence(t) && t.kind != Kind::Sym(','))
        .find(|t| t.kind == Kind::Word)
        .map(|t| &notes[t.start..t.end])
}

fn is_part(w: Option<&str>) -> bool {
    w.is_some_and(|w| super::analyse::one_of(PARTS, w))
}

pub(super) fn codes(notes: &str, toks: &[Tok], asset: &AssetView) -> Vec<Item> {
    // Not all in capitals, where capitals alone tell a code from a word.
    let mixed_case = notes.bytes().any(|b| b.is_ascii_lowercase());
    let mut out: Vec<Item> = Vec::new();
    let mut assets: Option<Vec<String>> = None;
    let mut tag_series: Vec<String> = Vec::new();
    // Names the notes give a part ("fuse F2"), and codes a display showed.
    let mut parts: Vec<String> = Vec::new();
    let mut shown_keys: Vec<String> = Vec::new();
    let push = |out: &mut Vec<Item>, c: &Code, confidence: f32| {
        if !out.iter().any(|o| key(&o.text) == key(&c.text)) {
            out.push(Item {
                text: c.text.clone(),
                start: c.start,
                end: c.end,
                confidence,
            });
        }
    };
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if let Some(c) = quoted_code(notes, toks, i) {
            shown_keys.push(key(&c.text));
            push(&mut out, &c, 0.8);
            i = c.next;
            continue;
        }
        if t.kind != Kind::Word {
            i += 1;
            continue;
        }
        let text = &notes[t.start..t.end];
        if let Some(label) = keyword(text) {
            // Skip more keywords, "no"/"number", and ':' '#' '-' '='. The
            // label is the word that introduces the number, capitalised
            // ("alarm code 2107" → `Code 2107`, "ERR 44" → `Err 44`).
            let mut label = label;
            let mut j = i + 1;
            // "alarm was A07": a code with letters may follow a verb; a bare
            // number may not ("alarm was 20 min ago").
            let mut verb = false;
            while let Some(n) = toks.get(j) {
                let nt = &notes[n.start..n.end];
                match n.kind {
                    Kind::Word if keyword(nt).is_some() => {
                        label = keyword(nt).unwrap_or(label);
                    }
                    Kind::Word if any_of(nt, &["no", "number", "nr", "num"]) => {}
                    Kind::Word if !verb && any_of(nt, &["was", "is", "were"]) => verb = true,
                    // "error 'EA' and lockout": quoted as the display shows it.
                    Kind::Sym(':' | '#' | '-' | '=' | '\'' | '"') => {}
                    _ => break,
                }
                j += 1;
            }
            // "event 3501", "State 102": these words name a code only by
            // its number ("Mira Event XS" is a shower's name); "alert" only
            // one with letters ("alert A066", not "in alert 3 days").
            let numbered = matches!(label.as_str(), "Event" | "State");
            let lettered = label == "Alert";
            // "code BF": after `code`, a short all-capitals word is the code itself.
            // "alarma HA, temp 11 C": after any keyword, such a word alone
            // in a note not all in capitals (or quoted).
            let letters_only = toks.get(j).filter(|n| {
                let nt = &notes[n.start..n.end];
                let after_code = label != "Alarm"
                    && toks[i..j]
                        .iter()
                        .any(|k| any_of(&notes[k.start..k.end], &["code", "codes"]));
                // Quoted, in a note in capitals too: "ERR 'LO' ON BOOT".
                let quoted = toks.get(j - 1).is_some_and(is_quote);
                let alone = !any_of(nt, NOT_CODES)
                    && (quoted || mixed_case)
                    && toks.get(j + 1).is_none_or(|a| {
                        a.kind != Kind::Word && (a.space_before || a.kind != Kind::Sym('-'))
                    });
                n.kind == Kind::Word
                    && !numbered
                    && (after_code
                        && (2..=3).contains(&nt.len())
                        && nt.bytes().all(|b| b.is_ascii_uppercase())
                        || alone && display_letters(nt))
            });
            if let Some(n) = letters_only {
                let c = Code {
                    text: notes[n.start..n.end].to_owned(),
                    start: n.start,
                    end: n.end,
                    next: j + 1,
                    kind: CodeKind::Named,
                };
                push(&mut out, &c, 0.8);
                i = j + 1;
                continue;
            }
            if let Some(c) = code_at(notes, toks, j, Some(&label), t.start).filter(|c| {
                (!verb && !lettered || c.kind == CodeKind::Named)
                    && (!numbered || c.kind == CodeKind::Number)
            }) {
                push(&mut out, &c, 0.9);
                let mut k = c.next;
                // A list: "codes E42, F07 and 0x1F".
                while let Some(sep) = toks.get(k) {
                    let st = &notes[sep.start..sep.end];
                    let is_sep = matches!(sep.kind, Kind::Sym(',' | '&' | '/' | '+'))
                        || (sep.kind == Kind::Word
                            && (st.eq_ignore_ascii_case("and") || st.eq_ignore_ascii_case("or")));
                    if !is_sep {
                        break;
                    }
                    let nt = toks.get(k + 1).map_or(0, |n| n.start);
                    // Not a tag of a series the note named before the
                    // keyword: "P2 VFD fault F0002, P1 on duty".
                    let tag = |c2: &Code| {
                        let s2 = series(&c2.text);
                        !s2.is_empty()
                            && c2.kind == CodeKind::Named
                            && toks[..i].iter().any(|t| {
                                let w = &notes[t.start..t.end];
                                t.kind == Kind::Word
                                    && series(w) == s2
                                    && w.len() > s2.len()
                                    && w[s2.len()..].bytes().all(|b| b.is_ascii_digit())
                            })
                    };
                    match code_at(notes, toks, k + 1, Some(&label), nt).filter(|c2| !tag(c2)) {
                        Some(c2) => {
                            push(&mut out, &c2, 0.85);
                            k = c2.next;
                        }
                        None => break,
                    }
                }
                i = k;
                continue;
            }
            i += 1;
            continue;
        }
        // "showing Service 34", "showed State 102": a capitalised word and a
        // number the equipment showed, in a note not all in capitals, are
        // its code with its own label (GUIDELINES: a number keeps the word
        // that introduces it).
        if (3..=8).contains(&text.len())
            && text.as_bytes()[0].is_ascii_uppercase()
            && text.bytes().skip(1).all(|b| b.is_ascii_lowercase())
            && mixed_case
            && shown(notes, toks, i)
            && let Some(n) = toks.get(i + 1)
            && n.kind == Kind::Word
            && n.space_before
            && !n.nl_before
            && (1..=4).contains(&(n.end - n.start))
            && notes[n.start..n.end].bytes().all(|b| b.is_ascii_digit())
            && unit_after(notes, toks, i + 2).is_none()
            && toks
                .get(i + 2)
                .is_none_or(|r| r.space_before || r.kind != Kind::Sym('-'))
            && !is_part(Some(text))
        {
            let c = Code {
                text: format!("{text} {}", &notes[n.start..n.end]),
                start: t.start,
                end: n.end,
                next: i + 2,
                kind: CodeKind::Number,
            };
            push(&mut out, &c, 0.7);
            i += 2;
            continue;
        }
        // "display flashing LE", "dE en el display": two or three capitals
        // (or a display's "bF", "dE") the equipment showed — said before
        // them, or, in a note not all in capitals, said after ("LE on the
        // display"); not a unit after a number ("~10 fL on screen").
        let after_number = i > 0
            && toks[i - 1].kind == Kind::Word
            && notes.as_bytes()[toks[i - 1].start].is_ascii_digit();
        if (display_letters(text) || display_case(text))
            && !any_of(text, NOT_CODES)
            && !after_number
            && ((displayed(notes, toks, i)
                // Alone: not "CR-1" (a tag) or "DF.27" (a code read
                // whole below), not "PEN fault" (a condition named).
                && toks.get(i + 1).is_none_or(|n| {
                    // "display show HI and beeping": a word that joins
                    // another clause, not one the letters qualify ("HDD
                    // error", "PEN fault", "HI TEMP").
                    n.kind == Kind::Word && any_of(&notes[n.start..n.end], JOINING)
                    || n.kind != Kind::Word
                        && (n.space_before
                            || toks
                                .get(i + 2)
                                .is_none_or(|m| m.space_before || m.kind != Kind::Word))
                }))
                || (shown_on(notes, toks, i + 1) && mixed_case))
        {
            let c = Code {
                text: text.to_owned(),
                start: t.start,
                end: t.end,
                next: i + 1,
                kind: CodeKind::Named,
            };
            push(&mut out, &c, 0.7);
            i += 1;
            continue;
        }
        if let Some(c) = code_at(notes, toks, i, None, t.start) {
            let letters: String = text
                .bytes()
                .take_while(u8::is_ascii_alphabetic)
                .map(|b| b.to_ascii_lowercase() as char)
                .collect();
            let hex = c
                .text
                .get(..2)
                .is_some_and(|p| p.eq_ignore_ascii_case("0x"));
            let glued = !t.space_before
                && i > 0
                && matches!(
                    toks[i - 1].kind,
                    Kind::Word | Kind::Sym('.' | '-' | '/' | '#' | '+')
                );
            let after = toks
                .get(c.next)
                .filter(|n| n.kind == Kind::Word)
                .map(|n| &notes[n.start..n.end]);
            // "E4 logged each time": shown, said after the code — unless
            // the verb has a code of its own: "CS-3 showing E34.1" names
            // the machine that showed it.
            let shows_other = toks.get(c.next + 1).is_some_and(|n| {
                is_quote(n) || code_at(notes, toks, c.next + 1, None, 0).is_some()
            });
            let seen = shown(notes, toks, i)
                || shown_on(notes, toks, c.next)
                || after.is_some_and(|a| any_of(a, SHOWN_AFTER)) && !shows_other;
            // "FL-01 to FL-04": a range names tags (codes are not counted
            // out), and so does every later name of that series ("FL-03").
            if after.is_some_and(|a| a.eq_ignore_ascii_case("to"))
                && let Some(c2) = code_at(notes, toks, c.next + 1, None, 0)
                && series(&c2.text) == series(&c.text)
                && !series(&c.text).is_empty()
            {
                tag_series.push(series(&c.text));
                i = c2.next;
                continue;
            }
            if tag_series.contains(&series(&c.text)) {
                i = c.next;
                continue;
            }
            // Conductors, not codes: "L3 to earth 0,05 Mohm", "0V out on
            // L2" (but "boiler shows L2" is the boiler's code).
            let volts = toks[..i]
                .iter()
                .rev()
                .filter(|t| t.kind == Kind::Word)
                .take(3)
                .any(|t| {
                    let w = &notes[t.start..t.end];
                    w.as_bytes()[0].is_ascii_digit()
                        && matches!(w.as_bytes()[w.len() - 1], b'V' | b'v')
                });
            let phase = matches!(key(&c.text).as_str(), "L1" | "L2" | "L3")
                && (!seen || volts || after.is_some_and(|a| a.eq_ignore_ascii_case("to")));
            let ok = hex
                || c.kind == CodeKind::Number
                || (c.kind == CodeKind::Named
                    && (BARE.contains(&letters.as_str()) || obd(&c.text) || seen));
            // A part named after a code the display showed is what the code
            // is about ("shows F-12 tank level"), not the code's owner ("F3 fuse").
            let part = is_part(word_before(notes, toks, i)) || !seen && is_part(after);
            if part {
                parts.push(key(&c.text));
            }
            if seen {
                shown_keys.push(key(&c.text));
            }
            if ok
                && !glued
                && !phase
                && !count(text)
                && !part
                && (seen || !named_otherwise(notes, toks, i, &c))
            {
                let keys = assets.get_or_insert_with(|| asset_keys(asset));
                if !keys.contains(&key(&c.text)) {
                    push(
                        &mut out,
                        &c,
                        if c.kind == CodeKind::Number {
                            0.85
                        } else {
                            0.7
                        },
                    );
                }
            }
            i = c.next;
            continue;
        }
        i += 1;
    }
    // A name the notes gave a part is that part when said again ("fuse F2
    // is blown. I change F2"), unless a display showed it.
    out.retain(|o| {
        let k = key(&o.text);
        !parts.contains(&k) || shown_keys.contains(&k)
    });
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::lex::tokenize;
    use super::*;
    use crate::token::AssetToken;

    fn asset() -> AssetView {
        AssetView {
            token: AssetToken::from_random_bytes([1; 12]),
            name: "Feed pump P-12".into(),
            serial_number: "GP-44817".into(),
            model: "Grundfos CR 32".into(),
            account_name: String::new(),
            site: String::new(),
            location: None,
            install_date: None,
            crm_asset_id: None,
            crm_account_id: None,
        }
    }

    fn read(s: &str) -> Vec<String> {
        readings(s, &tokenize(s))
            .into_iter()
            .map(|i| i.text)
            .collect()
    }

    fn code(s: &str) -> Vec<String> {
        codes(s, &tokenize(s), &asset())
            .into_iter()
            .map(|i| i.text)
            .collect()
    }

    #[test]
    fn readings_are_normalised() {
        assert_eq!(read("3,2bar then 3.2 bar"), ["3.2 bar"]);
        assert_eq!(
            read("85C / 85 °C / 185F / 24°C"),
            ["85 °C", "185 °F", "24 °C"]
        );
        assert_eq!(
            read("1,200 rpm, 12.5 A, 230V, 40 psi, 60 Hz, 15 kW"),
            ["1200 rpm", "12.5 A", "230 V", "40 psi", "60 Hz", "15 kW"]
        );
        assert_eq!(read("vibs 2.5mm/s and 7,1 mm/s"), ["2.5 mm/s", "7.1 mm/s"]);
        // Values after a slash; an identifier's number is still none.
        assert_eq!(read("String Voc 412V/409V matched"), ["412 V", "409 V"]);
        assert_eq!(
            read("Amps 13.8A/13.9A/14.1A"),
            ["13.8 A", "13.9 A", "14.1 A"]
        );
        assert!(read("fed from DB/4A and P-12V").is_empty());
        // A fuse's rating with its type letter; not without a fuse named.
        assert_eq!(read("onboard fuse F2 (T3.15A) blown"), ["3.15 A"]);
        assert_eq!(read("fusible F2 (T6.3A) bien, 24V ok"), ["6.3 A", "24 V"]);
        assert!(read("valve T2A and relay F1A").is_empty());
        // Kilohms written apart; a PPM visit is no parts per million.
        assert_eq!(read("probe 10k ohm @ 25 deg"), ["10 kΩ"]);
        assert!(read("Boiler 1 PPM done. Lift 3 PPM not done").is_empty());
        assert_eq!(
            read("CO 42ppm in flue, detector read 35 ppm."),
            ["42 ppm", "35 ppm"]
        );
        assert_eq!(read("65 % RH, 40%"), ["65 % RH"]);
        assert_eq!(
            read("61 dB(A), 61 dB, 68dBA, 180 Pa"),
            ["61 dB(A)", "68 dB(A)", "180 Pa"]
        );
        assert_eq!(
            read("freezer -18 °C, should be 3-4 bar"),
            ["-18 °C", "3-4 bar"]
        );
        assert_eq!(
            read("0.5 Mohm, 0 MΩ, 85 deg C"),
            ["0.5 MΩ", "0 MΩ", "85 °C"]
        );
    }

    #[test]
    fn not_readings() {
        assert!(read("E-42 and P-12, 10 mins, 2 a day, v2.3.1, x3, 4x/day, 10mm").is_empty());
        assert!(read("batt 40%, CO2 9.1%, 26 degrees, 14°, 30 W lamp, 2 l/min").is_empty());
    }

    #[test]
    fn codes_are_found_and_normalised() {
        assert_eq!(code("E-42 on display"), ["E-42"]);
        assert_eq!(code("showing e42 and F07"), ["e42", "F07"]);
        assert_eq!(code("err 12 then code 0x1f"), ["Err 12", "0x1f"]);
        assert_eq!(code("UPS SHOWS 0X2C, ON BATTERY"), ["0X2C"]);
        assert_eq!(code("fault code A3 and A4"), ["A3", "A4"]);
        assert_eq!(code("alarm 305 & alarm 312"), ["Alarm 305", "Alarm 312"]);
        assert_eq!(code("error code: 7"), ["Code 7"]);
        assert_eq!(code("show Error 117"), ["Error 117"]);
        assert_eq!(code("ALARM 2.1 on the bypass"), ["Alarm 2.1"]);
        assert_eq!(code("alarm code 2107"), ["Code 2107"]);
        assert_eq!(
            code("door err E2-14, charger shows A1-03"),
            ["E2-14", "A1-03"]
        );
        assert_eq!(code("logged P0299 and P20E8"), ["P0299", "P20E8"]);
        assert_eq!(code("flashing E 21 again"), ["E 21"]);
        assert_eq!(code("display shows A03"), ["A03"]);
        assert_eq!(code("operator display flashing LE, door reverses"), ["LE"]);
        assert_eq!(code("err12"), ["Err 12"]);
        assert_eq!(code("E42 cleared, E42 back"), ["E42"]);
        assert_eq!(code("code BF on CPU"), ["BF"]);
        assert_eq!(code("error code: BF"), ["BF"]);
        // Shown: said after it, or with the part it is about after it.
        assert_eq!(code("stops at random, A07 on the panel"), ["A07"]);
        assert_eq!(code("4 readers dead, 'RD-14' on display"), ["RD-14"]);
        assert_eq!(code("dishwasher shows F-12 tank level"), ["F-12"]);
        assert_eq!(code("display shows E 21 fan failure"), ["E 21"]);
        // As the equipment spells it, in the case the notes give it
        // (GUIDELINES: "keep the equipment's own spelling and case").
        assert_eq!(code("cut out and show Er03 (overheat)"), ["Er03"]);
        assert_eq!(code("showing e42"), ["e42"]);
        assert_eq!(code("display showing e.07 door open"), ["e.07"]);
        // Spanish.
        assert_eq!(code("el panel marca A1-03 tamper"), ["A1-03"]);
        assert_eq!(code("muestra alarma 2.1 y no carga"), ["Alarma 2.1"]);
        // A word and a number shown: the word is the code's label.
        assert_eq!(
            code("Rational combi showing Service 34, not filling"),
            ["Service 34"]
        );
        assert_eq!(
            code("burner box showing \"Loc 4\" and locked out"),
            ["Loc 4"]
        );
        // Stopped on it, or a screen says it.
        assert_eq!(code("VFD tripping OC1 on accel"), ["OC1"]);
        assert_eq!(code("inverter trip with 'A13 overcurrent'"), ["A13"]);
        assert_eq!(code("cal passed twice, then failed with C-17"), ["C-17"]);
        assert_eq!(code("the little screen says W 34"), ["W 34"]);
        assert_eq!(code("Alarm was A07 this morning"), ["A07"]);
        // Shapes: a full stop, letters on both sides of a hyphen, capitals and a number.
        assert_eq!(code("F.22 on screen, topped up"), ["F.22"]);
        assert_eq!(code("front panel shows E-PS2"), ["E-PS2"]);
        assert_eq!(code("HOB SHOWING ER 03 ON 2 ZONES"), ["ER 03"]);
        assert_eq!(code("inv 3 offline, evt 3501"), ["Evt 3501"]);
        // A display's letters: mixed case, on the display, after a keyword.
        assert_eq!(code("muestra dE en el display"), ["dE"]);
        assert_eq!(code("el cargador marcaba bF, cambié fusible"), ["bF"]);
        assert_eq!(code("nevera con alarma HA, temp 11 C"), ["HA"]);
        assert_eq!(code("Boiler show L2 again"), ["L2"]);
        // Said the way people say it: "say", abbreviated, in Spanish; an
        // OBD code with letters; a sentence before does not name it.
        assert_eq!(code("stairlift stop, display say A07"), ["A07"]);
        assert_eq!(code("PL1 OOS, ctrl shwg A07 (door zone)"), ["A07"]);
        assert_eq!(code("la pantalla dice A07 cada vez"), ["A07"]);
        assert_eq!(
            code("warning on the dash, code P0AFA on the reader"),
            ["P0AFA"]
        );
        assert_eq!(code("Drug fridge. E5 on display, E5 = probe fault"), ["E5"]);
        // Keywords with an accent, codes on the dash, logged after the code,
        // a colon, two capitals the display showed, digits spelled one by one.
        assert_eq!(code("en bloqueo con código A01, no hay llama"), ["A01"]);
        assert_eq!(code("won't lift hopper, A07 on dash"), ["A07"]);
        assert_eq!(
            code("going to battery on low input, E4 logged each time"),
            ["E4"]
        );
        assert_eq!(code("give error E:05 many times today"), ["E:05"]);
        assert_eq!(code("Boiler showing EA 227, no flame"), ["EA 227"]);
        assert_eq!(
            code("charger down showing error 3 0 2 all the vans"),
            ["Error 302"]
        );
        assert_eq!(code("showing error 5 2 hours ago"), ["Error 5"]);
        assert_eq!(code("Boiler show error 'EA' and lockout"), ["EA"]);
        assert_eq!(code("P2 VFD fault F0002, P1 on duty covering"), ["F0002"]);
        assert_eq!(
            code("IT WAS WARNING 12 - SERVICE INTERVAL DUE"),
            ["Warning 12"]
        );
        assert_eq!(code("'Fan failure' with alarm code 3C2"), ["3C2"]);
        assert_eq!(code("then LD-2 flashes up and it shuts down"), ["LD-2"]);
    }

    #[test]
    fn letters_a_display_shows_alone_are_its_code() {
        // GUIDELINES: "display says HI" → `HI`; "HI TEMP" is a phrase.
        assert_eq!(code("Fridge display showing HI and beeping"), ["HI"]);
        assert_eq!(code("Carretilla 7 muestra LO y se para"), ["LO"]);
        assert_eq!(code("Inverter display just says LO, graph flat"), ["LO"]);
        assert_eq!(code("CONTROLLER SHOWS LO. BOREHOLE PUMP WONT RUN"), ["LO"]);
        assert_eq!(code("SCO 5 SCALES ERR 'LO' ON BOOT, LANE CLOSED"), ["LO"]);
        assert_eq!(
            code("Gym A/C unit 2 - U4 on remote, ODU not running"),
            ["U4"]
        );
        assert_eq!(code("Door show Er 21 on small screen"), ["Er 21"]);
        assert!(code("Gen controller showing LO FUEL alarm, SCREEN SAYS HI TEMP").is_empty());
        assert!(code("the NVR muestra 'HDD error', app shows PEN fault").is_empty());
        assert!(
            code("SHOWED HER, NO FAULT FOUND. LAMP FLASHING RED. CRANKED AND GAVE UP").is_empty()
        );
        assert!(code("STAGE LIFT WON'T GO UP, SHOW AT 7:30 TONIGHT").is_empty());
    }

    #[test]
    fn codes_by_other_words_and_shapes() {
        // Spanish words for a fault, and others that introduce a number.
        assert_eq!(code("Caldera con FALLO 3, reseteo y vuelve"), ["Fallo 3"]);
        assert_eq!(code("pantalla 'AVERÍA 57 tierra lazo 2'"), ["Avería 57"]);
        assert_eq!(
            code("inverter offline, event 3501 insulation fault"),
            ["Event 3501"]
        );
        assert_eq!(
            code("INVERTER SHOWING STATE 102 SINCE MONDAY"),
            ["State 102"]
        );
        assert_eq!(code("boiler B2 lockout L04, reset"), ["L04"]);
        assert_eq!(
            code("BESS-2 disconnected on a DC ground fault, alert A066"),
            ["A066"]
        );
        assert!(code("Mira Event XS shower, lockout x3, VESDA in alert 3 days").is_empty());
        // Sub-codes after a full stop; the machine that shows one is not one.
        assert_eq!(code("CS-3 showing E34.1 after descale"), ["E34.1"]);
        assert_eq!(code("controller showing 'A3.1' on floor 2"), ["A3.1"]);
        assert_eq!(
            code("unit intermittently displays 'E.3.1'; pump runs"),
            ["E.3.1"]
        );
        assert_eq!(code("DISPLAY SAYS DF.27 SINCE POWER CUT"), ["DF.27"]);
    }

    #[test]
    fn not_codes() {
        assert!(code("85C 3.2 bar fuse F3 valve V-7 P-12 CR 32 v2.3.1 x3 zone 3").is_empty());
        assert!(code("fault on zone 3, alarm panel").is_empty());
        assert!(code("fault 230 V").is_empty());
        assert!(code("code on the display, fault ON").is_empty());
        assert!(code("room A 12, phase L 1, grade F 7 filters, 2.1 bar").is_empty());
        assert!(code("A03 and OC1 on their own, fault 2.1 bar").is_empty());
        assert!(code("filters G4+F7, FLT 2 forks, display shows OK, DISPLAY SHOWS NO").is_empty());
        assert!(
            code("security says CR-1 alarm sounded, app shows 'PEN fault detected'").is_empty()
        );
        assert!(code("el incubador alarma CO2 bajo, R410A on the panel").is_empty());
        assert!(code("no faults logged. Strings 1-4 ok, display shows Temp 45 C").is_empty());
        // The protection that tripped, a number after a verb, tags and conductors.
        assert!(code("comp tripped on HP, trips on OL").is_empty());
        assert!(code("alarm was 20 min ago, no error is back").is_empty());
        assert!(code("samples moved to backup freezer F-02, what fits into F-03").is_empty());
        assert!(code("LOLER on FL-01 to FL-04, FL-03 chain wear 2%").is_empty());
        assert!(code("Megger show L3 to earth 0,05 Mohm, L1 fine").is_empty());
        assert!(code("the tech says OK, No.5 bus").is_empty());
        // Counts, a floor, terminals, fuses, filter grades, a conductor.
        assert!(code("o/heat stat tripped x2 this wk, false alarm 3 times").is_empty());
        assert!(code("water drippg in riser fl3 - onto PSU").is_empty());
        assert!(code("found the F1/F2 comms wire loose").is_empty());
        assert!(code("F3 3A fuse blown, fuse in trolley F2 ok, fusible F1 fundido").is_empty());
        assert!(code("Filters changed AHU 1-4. G4 + F7. Next due Mar.").is_empty());
        assert!(code("fuse F2 in the box is blown. I change F2, works").is_empty());
        assert!(code("415V in, 0V out on L2 at the isolator").is_empty());
        assert!(code("PPM: filts chngd (G4 + F7), image dim, ~10 fL on screen").is_empty());
        // The asset's own name as the notes write it ("Grundfos CR 32").
        assert!(code("CR32 seal weeping, shows no fault").is_empty());
        // Fork-lift trucks; a breaker a pump trips.
        assert!(code("LOLER done, FLT3 chain wear 2.1%, drivers on FLT2").is_empty());
        assert!(code("Pool circ pump tripping MCB 4 on start").is_empty());
        assert!(code("tank dip shows 1800L, PoE shows 14W, display shows 10A").is_empty());
    }

    #[test]
    fn a_code_quoted_as_the_display_showed_it() {
        // In a note all in capitals too, where capitals alone say nothing.
        assert_eq!(code("VFD TRIPPING, DISPLAY 'OC'. BELT SLACKENED"), ["OC"]);
        assert_eq!(code("PFC BANK SHOWING 'C-FAIL' ON STEP 3"), ["C-FAIL"]);
        assert_eq!(code("Display 'DO-Err'. Las otras plantas ok"), ["DO-Err"]);
        assert_eq!(code("fridge show 'HI' alarm, 11 degrees"), ["HI"]);
        assert_eq!(
            code("coffee machine showing '4103' and won't heat"),
            ["4103"]
        );
        assert_eq!(code("Fire panel 'E-57' loop 2, 14 devices"), ["E-57"]);
        assert_eq!(
            code("charger sat 4: 'Loc 4' on screen then reboots"),
            ["Loc 4"]
        );
        assert_eq!(
            code("OVEN SHOWING 'SERVICE 31' THEN 'E-24'"),
            ["Service 31", "E-24"]
        );
        // Words a display shows, and quotes nobody says a display showed.
        assert!(code("display says 'WAIT', then 'Door open'").is_empty());
        assert!(code("screen showing 'OK' and 'ON'").is_empty());
        assert!(code("tenant says the 'HI' button is stuck, the 'new' unit").is_empty());
        assert!(code("Dave's van, it's 'fixed' he says").is_empty());
    }

    /// Quoted, letters and digits no word is written like are what a
    /// display showed, with or without a word saying so; so is a display's
    /// mixed case ("bAt", "HtEr"), quoted or after "shows".
    #[test]
    fn a_quoted_code_needs_no_display_word() {
        assert_eq!(code("variador 'OC3', no resetea"), ["OC3"]);
        assert_eq!(
            code("EB4 dash throwin 'BMS-F12' on cold mornins"),
            ["BMS-F12"]
        );
        assert_eq!(
            code("AUTOCLAVE STOPPED MID CYCLE 'E-2-14', SEAL FINE"),
            ["E-2-14"]
        );
        assert_eq!(code("comms UPS beeping, display says 'bAt'"), ["bAt"]);
        assert_eq!(
            code("Oven 3 not heating, controller shows HtEr. 2 elements o/c"),
            ["HtEr"]
        );
        // A part's name quoted, words quoted, and mixed case nobody showed.
        assert!(code("new fuse 'F3' fitted").is_empty());
        assert!(code("the 'shock absorbers' on the skid are fine").is_empty());
        assert!(code("she uses an iPad for the rota").is_empty());
    }
}
