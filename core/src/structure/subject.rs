//! The subject line: `<asset name>: <main problem phrase>[, <phrase>][, <code>][, <reading>]`.
//!
//! The notes are cut into segments at punctuation and at joining words
//! (`and`, `but`, `so`, `&`, …). Each segment scores the weight of the live
//! cues inside it (hazards and High cues most, then breakdowns, types,
//! performance; feedback and Low cues nothing), and the best one — the
//! earliest on a tie — is the main phrase. A second segment joins it when it
//! scores at least half as much or is a cue-bearing part of the same sentence
//! ("motor hums but door doesn't move"), and an error code and a reading from
//! the same sentence are appended when they fit. Leading filler (`the`, `found`,
//! `cust says`, words of the asset's own name) and trailing joiners are
//! trimmed; text is the technician's own, with whitespace collapsed; the limit
//! is cut at a word boundary, never inside a word.

use super::Span;
use super::analyse::Hit;
use super::cues::{Fx, Re};
use super::extract::Item;
use super::lex::{Brk, Word};

const SEGMENT_WORDS: &[&str] = &[
    "and", "but", "so", "also", "then", "plus", "however", "because", "although", "though",
    "while", "whereas", "cos", "coz",
];

const LEADING: &[&str] = &[
    "the",
    "a",
    "an",
    "it",
    "its",
    "is",
    "was",
    "has",
    "have",
    "had",
    "been",
    "there",
    "theres",
    "i",
    "we",
    "ive",
    "weve",
    "im",
    "tech",
    "found",
    "noticed",
    "note",
    "notes",
    "attended",
    "site",
    "just",
    "still",
    "unit",
    "this",
    "that",
    "which",
    "upon",
    "when",
    "after",
    "again",
    "now",
    "currently",
    "fyi",
    "update",
    "re",
    "hi",
    "hello",
    "checked",
    "please",
    "at",
    "in",
    "with",
    "for",
    "from",
    "to",
    "of",
    "by",
];

const REPORTERS: &[&str] = &[
    "customer",
    "operator",
    "operators",
    "manager",
    "engineer",
    "user",
    "users",
    "staff",
    "they",
    "tenant",
    "tenants",
    "resident",
    "residents",
];
const REPORT_VERBS: &[&str] = &[
    "says",
    "said",
    "reports",
    "reported",
    "reporting",
    "complained",
    "complains",
    "mentioned",
    "states",
    "stated",
    "asked",
    "requested",
    "noticed",
    "advised",
    "feedback",
    "wants",
    "thinks",
];

const TRAILING: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "but",
    "so",
    "at",
    "on",
    "in",
    "of",
    "to",
    "with",
    "for",
    "from",
    "by",
    "is",
    "was",
    "it",
    "its",
    "or",
    "as",
    "approximately",
    "about",
    "around",
    "than",
    "then",
    "that",
    "which",
    "very",
    "really",
    "we",
    "i",
    "be",
    "are",
    "were",
    "has",
    "have",
    "had",
    "been",
    "there",
    "this",
    "my",
    "our",
    "their",
    "your",
    "you",
    "if",
];

pub(super) struct Subject {
    pub text: String,
    pub spans: Vec<Span>,
    pub confidence: f32,
}

fn weight(h: &Hit) -> f32 {
    if !h.live() {
        return 0.0;
    }
    let votes = if h.place || h.naming { 0.0 } else { 1.0 };
    let w: f32 = h
        .cue
        .fx
        .iter()
        .map(|f| match *f {
            Fx::High | Fx::Hazard => 3.0,
            Fx::Flood | Fx::Down => 2.0,
            Fx::T(_, w) => f32::from(w) * votes,
            Fx::R(Re::Feedback, _) => 0.0,
            Fx::R(_, w) => f32::from(w) * votes,
            _ => 0.0,
        })
        .sum();
    w * h.weight()
}

#[derive(Clone, Copy)]
struct Segment {
    a: usize,
    b: usize,
    score: f32,
}

fn segments(words: &[Word<'_>], hits: &[Hit], asset_words: &[String]) -> Vec<Segment> {
    let mut raw = Vec::new();
    let mut a = 0;
    for (i, w) in words.iter().enumerate() {
        let joiner = SEGMENT_WORDS.contains(&w.norm);
        let report = reporting(words, i);
        if i > a && (w.brk != Brk::None || w.amp || joiner || report) {
            raw.push((a, i));
            a = i;
        }
        if joiner {
            a = i + 1;
        }
    }
    raw.push((a, words.len()));
    let mut out = Vec::new();
    for (a0, b0) in raw {
        let (mut a, mut b) = (a0, b0);
        loop {
            if a >= b {
                break;
            }
            let w = words[a].norm;
            // An asset word followed by a number names another unit ("pump 2"): keep it.
            let numbered = words
                .get(a + 1)
                .is_some_and(|n| n.brk == Brk::None && n.norm.as_bytes()[0].is_ascii_digit());
            if LEADING.contains(&w) || (asset_words.iter().any(|x| x == w) && !numbered) {
                a += 1;
            } else if w == "on" && words.get(a + 1).is_some_and(|n| n.norm == "arrival") {
                a += 2;
            } else if reporting(words, a) && a + 1 < b {
                a += 2;
                if a < b && words[a].norm == "that" {
                    a += 1;
                }
            } else {
                break;
            }
        }
        while b > a && TRAILING.contains(&words[b - 1].norm) {
            b -= 1;
        }
        if a < b {
            // Scored on the whole segment: "PLC battery low" is about the PLC
            // even though the asset's own name is trimmed from the text.
            // (A fold, not `sum`: an empty float sum is -0.0, which ranks below 0.0.)
            let score = hits
                .iter()
                .filter(|h| h.w0 >= a0 && h.w0 < b0)
                .map(weight)
                .fold(0.0, |s, w| s + w);
            out.push(Segment { a, b, score });
        }
    }
    out
}

/// "cust says", "operator reported": a reporting clause starts at word `i`.
fn reporting(words: &[Word<'_>], i: usize) -> bool {
    REPORTERS.contains(&words[i].norm)
        && words
            .get(i + 1)
            .is_some_and(|n| n.brk == Brk::None && REPORT_VERBS.contains(&n.norm))
}

/// Shouted notes ("PUMP 2 MAKING LOUD NOISE") read better in lower case.
/// ASCII only: Unicode case tables would cost the wasm more than they give.
fn unshout(mut s: String) -> String {
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters >= 6 && s.contains(' ') && !s.bytes().any(|b| b.is_ascii_lowercase()) {
        s.make_ascii_lowercase();
    }
    s
}

/// The notes between two words, whitespace collapsed.
fn text_of(notes: &str, words: &[Word<'_>], a: usize, b: usize) -> String {
    let slice = &notes[words[a].start..words[b - 1].end];
    let mut out = String::with_capacity(slice.len());
    for (n, part) in slice.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Upper-case the first letter (ASCII; an accented first letter is left as typed).
fn capitalise(mut s: String) -> String {
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// What the subject is built from.
pub(super) struct Parts<'a> {
    pub notes: &'a str,
    pub words: &'a [Word<'a>],
    pub hits: &'a [Hit],
    pub codes: &'a [Item],
    pub readings: &'a [Item],
    pub asset_name: &'a str,
    /// The asset name's words, lower case.
    pub asset_words: &'a [String],
}

pub(super) fn build(parts: &Parts<'_>, budget: usize) -> Option<Subject> {
    let Parts {
        notes,
        words,
        hits,
        codes,
        readings,
        asset_name,
        asset_words,
    } = *parts;
    let asset_name = asset_name.trim();
    let segs = segments(words, hits, asset_words);
    let best = segs
        .iter()
        .enumerate()
        .max_by(|(i, x), (j, y)| x.score.total_cmp(&y.score).then(j.cmp(i)))
        .map(|(i, _)| i)?;
    let main = segs[best];
    let sentence = |s: &Segment| words[s.a].sentence;
    let second = segs
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            *i != best
                && s.score > 0.0
                && (s.score >= 0.5 * main.score || sentence(s) == sentence(&main))
        })
        .max_by(|(i, x), (j, y)| x.score.total_cmp(&y.score).then(j.cmp(i)))
        .map(|(_, s)| *s);

    let mut prefix = String::new();
    if !asset_name.is_empty() && chars(asset_name) + 2 + 12 <= budget {
        prefix = format!("{asset_name}: ");
    }
    // The main phrase, cut at a word boundary to fit.
    let room = budget.saturating_sub(chars(&prefix));
    let mut b = main.b;
    while b > main.a && chars(&text_of(notes, words, main.a, b)) > room {
        b -= 1;
        while b > main.a + 1 && TRAILING.contains(&words[b - 1].norm) {
            b -= 1;
        }
    }
    if b == main.a {
        return None;
    }
    let main = Segment { b, ..main };
    let mut parts: Vec<(usize, String, Span)> = vec![(
        words[main.a].start,
        unshout(text_of(notes, words, main.a, main.b)),
        Span::new(words[main.a].start, words[main.b - 1].end),
    )];
    let mut len = chars(&prefix) + chars(&parts[0].1);
    if let Some(s) = second {
        let t = unshout(text_of(notes, words, s.a, s.b));
        if len + 2 + chars(&t) <= budget {
            len += 2 + chars(&t);
            parts.push((
                words[s.a].start,
                t,
                Span::new(words[s.a].start, words[s.b - 1].end),
            ));
        }
    }
    super::analyse::sort_small(&mut parts, |a, b| a.0 < b.0);
    // A code and a reading said in the same sentence as the chosen phrases.
    let sentences: Vec<u16> = parts
        .iter()
        .filter_map(|p| {
            words
                .iter()
                .find(|w| w.start == p.2.start as usize)
                .map(|w| w.sentence)
        })
        .collect();
    let covered = |it: &Item| {
        parts
            .iter()
            .any(|p| it.start < p.2.end as usize && it.end > p.2.start as usize)
    };
    let sentence_of = |it: &Item| {
        words
            .iter()
            .rfind(|w| w.start <= it.start)
            .map(|w| w.sentence)
    };
    let mut details: Vec<(String, Span)> = Vec::new();
    for list in [codes, readings] {
        if list.iter().any(covered) {
            continue;
        }
        if let Some(it) = list
            .iter()
            .find(|it| sentence_of(it).is_some_and(|s| sentences.contains(&s)))
            && len + 2 + chars(&it.text) <= budget
        {
            len += 2 + chars(&it.text);
            details.push((it.text.clone(), Span::new(it.start, it.end)));
        }
    }
    let mut text = prefix;
    let mut spans = Vec::new();
    let mut first = true;
    for (_, t, span) in parts {
        if !first {
            text.push_str(", ");
        }
        first = false;
        text.push_str(&t);
        spans.push(span);
    }
    for (t, span) in details {
        text.push_str(", ");
        text.push_str(&t);
        spans.push(span);
    }
    Some(Subject {
        text: capitalise(text),
        spans: super::analyse::merge(spans),
        confidence: if main.score > 0.0 { 0.6 } else { 0.35 },
    })
}
