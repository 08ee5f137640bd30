//! The subject line: `<asset name or tag>: <the problem as first stated>[, <phrase>][, <code>][, <reading>]`.
//!
//! Technicians state the problem first: in the development corpus the words a
//! dispatcher would put in the subject lie in the note's first sentence 97%
//! of the time, and on 300 notes written afterwards the sentence as written
//! beat the best-scoring phrase picked anywhere by 20 points. So the subject
//! is the first sentence — unless it only says what is not wrong ("no leak
//! found, no smoke") — and a sentence of a word or two ("Dead.") reads on
//! into the next; as written from its first phrase, cut at
//! a word boundary to fit. The notes are cut into phrases at punctuation and
//! at joining words (`and`, `but`, `so`, `&`, …) and each phrase scores the
//! weight of its live cues (hazards and High cues most, then breakdowns,
//! types, performance; feedback and Low cues nothing; a negated word that is
//! no cue, "doesn't release", "no water", as much as a breakdown): if the cut
//! would drop the sentence's heaviest phrase, its cue-bearing phrases alone are joined
//! instead, and a phrase elsewhere that outweighs all of them (the line is
//! down, someone is at risk) is added. The asset's name leads when the
//! sentence still fits whole after it, else its tag ("AD-1"). An error code
//! and a reading from the same sentence are appended when not already there.
//! A sentence too long to fit first loses its reporting clause ("Customer
//! rang in a panic saying …").
//! A greeting that opens the notes ("Hiya,", "Morning!") is never part of
//! a candidate. Leading filler (`the`, `found`, `cust says`, words of the asset's own name
//! — given back when only the tag or nothing leads and they fit: "SS-1:
//! Sprinkler head knocked") and trailing joiners are trimmed; text is the
//! technician's own, with whitespace collapsed; the limit is cut at a word
//! boundary, never inside a word.
//!
//! That is the rules' subject, and the first of a few candidates
//! (`candidates`): the same sentence as written, without the rearranging;
//! when it began with words of the asset's name ("Roof leak", "Ceiling
//! tile", "TAP DRIPPING"), as written with those words and no name in front;
//! the same from each of its next phrases; and the first phrase of each other
//! sentence, as written. A small learned ranker (`Ranker`, trained by
//! `train.rs` on the development notes' expected subjects, its weights in
//! `model.rs`) chooses among them from what the cues weigh in each, where it
//! lies in the note, how much of its sentence it keeps, how it was made, its
//! words and word pairs anywhere, and its first two words. Rearranging long
//! sentences around the words the cues know helped as often as it hurt: on dev2's
//! 7,200 notes the rules' own subject was right for 82.7%, the sentence as
//! written for 82.3%, and one of the candidates for 97.5%; the ranker
//! chooses right for 87.8% (5-fold).

use std::borrow::Cow;

use super::Span;
use super::analyse::{self, Hit};
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
    // "Just to say the head rang …"
    "say",
    "at",
    "in",
    "with",
    "for",
    "from",
    "to",
    "of",
    "by",
];

/// Words that greet when they open the notes ("hi" only before a break or
/// a word that starts a sentence: see `segments`).
const HELLOS: &[&str] = &["hi", "hello", "hiya", "hey", "hola"];

const GREETINGS: &[&str] = &[
    "morning",
    "afternoon",
    "evening",
    "good",
    "hiya",
    "hey",
    "team",
    "guys",
    "all",
    "folks",
    "ok",
    "okay",
    "so",
    "right",
    "quick",
    "one",
    "buenos",
    "dias",
    "días",
    "hola",
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

/// The verb that ends a reporting clause ("the manager rang to say ...").
const SAYING: &[&str] = &[
    "says",
    "said",
    "saying",
    "say",
    "reports",
    "reported",
    "reporting",
    "complained",
    "complains",
    "complaining",
    "mentioned",
    "states",
    "stated",
    "flagged",
    "noticed",
];

/// Verbs after which "that" opens what was found, seen or thought (as after
/// `SAYING`'s, what was said).
const NOTING: &[&str] = &[
    "noted",
    "found",
    "observed",
    "confirmed",
    "advised",
    "discovered",
    "seen",
    "appears",
    "seems",
    "believe",
    "think",
    "suspect",
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

/// Words a sentence cut short must not end on: [`TRAILING`]'s, a negator
/// ("Incubadora del lab … no" says the opposite of "no calienta"), an
/// auxiliary left without its verb, an adverb waiting for one ("… it
/// just"), a word that opens a clause or a pronoun that starts one ("…
/// every morning when", "… because they"), and Spanish function words.
fn dangling(w: &str) -> bool {
    const MORE: &[&str] = &[
        "when",
        "whenever",
        "while",
        "since",
        "because",
        "cos",
        "coz",
        "until",
        "till",
        "unless",
        "where",
        "who",
        "whether",
        "they",
        "he",
        "she",
        // "w/" (with), cut after its "w".
        "w",
        "will",
        "would",
        "can",
        "could",
        "should",
        "does",
        "did",
        "do",
        "keeps",
        "keep",
        "de",
        "del",
        "la",
        "el",
        "los",
        "las",
        "en",
        "y",
        "con",
        "que",
        "se",
        "al",
        "por",
        "para",
        "too",
        "very",
        // "… hard drive looks like", "… sounds", cut before what it is like.
        "like",
        "looks",
        "look",
        "sounds",
        "seems",
        "appears",
        "feels",
        // "… the bottom deck isn't getting", "… fan making": what it gets
        // or makes is cut off.
        "getting",
        "making",
        "makeing",
        "causing",
        "giving",
        // "… tile hanging down right above", "… inspection following", "…
        // the alternators got", "… hacía mucho": a preposition, a verb or a
        // quantity whose object is cut off.
        "above",
        "below",
        "behind",
        "beside",
        "between",
        "across",
        "without",
        "after",
        "before",
        "following",
        "got",
        "mucho",
        "mucha",
        "muchos",
        "muchas",
        "falta",
        "hacia",
        // "… van reversed into", "… dripping onto", "… plc shows".
        "into",
        "onto",
        "towards",
        "toward",
        "against",
        "near",
        "during",
        "including",
        // "… for the last", "… a drop every", "… for a few": what they count
        // is cut off.
        "last",
        "every",
        "each",
        "few",
        "per",
        "his",
        "even",
        "demasiado",
        "sobre",
        "desde",
        "hasta",
        "entre",
        "sin",
        "como",
        "cuando",
        "porque",
        "pero",
        "muy",
        "más",
        "mas",
        // "… the standby just", "… deja un", "… tercera vez esta", "… la
        // caldera hace": what it does, what it leaves, which week, cut off.
        "just",
        "un",
        "una",
        "unos",
        "unas",
        "este",
        "esta",
        "estos",
        "estas",
        "hace",
    ];
    TRAILING.contains(&w) || NEGATORS.contains(&w) || MORE.contains(&w)
}

/// A phrase that ends on "on" or "in" after a word that says something
/// ("TV wont turn on", "genny never kicked in", "MIL on", "tenant not in"):
/// the particle is part of what it says, and without it the phrase says
/// another thing or nothing ("TV wont turn"). After a function word ("is
/// on") it goes with that word, and so it does when the phrase was cut at
/// "and" in "on and off" ("pulsing on" says half of it).
fn particle(words: &[Word<'_>], a: usize, b: usize) -> bool {
    let pair = |i: usize| words.get(i).map(|w| w.norm);
    b >= a + 2
        && ["on", "in"].contains(&words[b - 1].norm)
        && words[b - 1].brk == Brk::None
        && !TRAILING.contains(&words[b - 2].norm)
        && !LEADING.contains(&words[b - 2].norm)
        && !(matches!(pair(b), Some("and" | "or")) && matches!(pair(b + 1), Some("off" | "out")))
}

/// The end `b` of a cut moved back past words it must not end on
/// (`dangling`), keeping at least the words before `floor`.
///
/// A cut where the phrase ends anyway keeps its particle ("… the genny
/// never kicked in", then ", freezers warming" cut off); the word before
/// the particle is at `floor - 1` at the earliest, and in the phrase.
fn untrail(words: &[Word<'_>], floor: usize, mut b: usize) -> usize {
    let phrase_ends = |b: usize| {
        words
            .get(b)
            .is_none_or(|w| w.brk != Brk::None || SEGMENT_WORDS.contains(&w.norm))
    };
    while b > floor
        && dangling(words[b - 1].norm)
        && !(phrase_ends(b) && particle(words, floor.saturating_sub(1), b))
    {
        b -= 1;
    }
    b
}

/// A first sentence this short that says nothing of a fault (no cue, or only
/// where it is: "hospital", "ward") names a place or a person.
const SHORT_WORDS: usize = 6;

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

/// A live cue that says something is wrong: down, flooding, a danger, a
/// failure or a fault in how it works — not a place, a part or a type.
fn fault(h: &Hit) -> bool {
    h.live()
        && h.cue.fx.iter().any(|f| {
            matches!(
                f,
                Fx::High
                    | Fx::Hazard
                    | Fx::Down
                    | Fx::Flood
                    | Fx::R(Re::Breakdown | Re::Performance, _)
            )
        })
}

#[derive(Clone, Copy)]
struct Segment {
    a: usize,
    b: usize,
    score: f32,
}

/// For each sentence, whether it is speech run on: at least
/// `RUN_ON_SENTENCE` words with no punctuation inside it.
fn run_on_sentences(words: &[Word<'_>]) -> Vec<bool> {
    let n = words
        .iter()
        .map(|w| usize::from(w.sentence) + 1)
        .max()
        .unwrap_or(0);
    let (mut count, mut plain) = (vec![0usize; n], vec![true; n]);
    for (i, w) in words.iter().enumerate() {
        let s = usize::from(w.sentence);
        // A sentence's first word carries the break that opened it.
        let first = i == 0 || words[i - 1].sentence != w.sentence;
        if !first && (w.brk != Brk::None || w.amp) {
            plain[s] = false;
        }
        count[s] += 1;
    }
    (0..n)
        .map(|s| plain[s] && count[s] >= RUN_ON_SENTENCE)
        .collect()
}

/// The asset's tag: a word of its name with a capital and a digit that is
/// not an ordinal ("AD-1" of "Automatic door AD-1 main entrance"; not "3rd",
/// "No.4").
fn asset_tag(asset_name: &str) -> Option<&str> {
    asset_name
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|w| {
            let lower = w.to_ascii_lowercase();
            w.bytes().any(|c| c.is_ascii_digit())
                && w.bytes().any(|c| c.is_ascii_uppercase())
                && !["st", "nd", "rd", "th"].iter().any(|o| lower.ends_with(o))
                && !lower.starts_with("no")
        })
}

/// A tag's letters and digits, lower case: "CH-3" and "ch3" are one tag.
fn bare(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// How many words from `a` spell the asset's tag (`bare`) as written
/// ("CH-3", "ch3"), if they do.
fn tag_at(notes: &str, words: &[Word<'_>], a: usize, tag: &str) -> Option<usize> {
    (1..=3).find(|&k| {
        a + k <= words.len()
            && (1..k).all(|j| words[a + j].brk == Brk::None)
            && bare(&notes[words[a].start..words[a + k - 1].end]) == tag
    })
}

fn segments(
    notes: &str,
    words: &[Word<'_>],
    hits: &[Hit],
    asset_words: &[String],
    tag: Option<&str>,
) -> Vec<Segment> {
    let run_on_sentence = run_on_sentences(words);
    let tag = tag.map(bare);
    let mut raw = Vec::new();
    let mut a = 0;
    for (i, w) in words.iter().enumerate() {
        // "it was noted that the fan is rubbing": what was noted is a phrase
        // of its own.
        let joiner = SEGMENT_WORDS.contains(&w.norm)
            || (w.norm == "that"
                && i > 0
                && [SAYING, NOTING]
                    .iter()
                    .any(|l| l.contains(&words[i - 1].norm)));
        let report = reporting(words, i);
        // Speech run on with no punctuation ("… when the nurse came in this
        // morning the door seal is split …"): a new clause at a word that
        // starts one, after a word that does not govern it.
        let run_on = i >= a + RUN_ON_WORDS
            && w.brk == Brk::None
            && CLAUSE_STARTS.contains(&w.norm)
            && !GOVERNING.contains(&words[i - 1].norm)
            && run_on_sentence[usize::from(w.sentence)];
        // A time or ratio ("07:50", "3:1") is one thing, not two phrases.
        let clock = i > 0
            && w.brk == Brk::Sep
            && words[i - 1].end + 1 == w.start
            && words[i - 1].norm.bytes().all(|c| c.is_ascii_digit())
            && w.norm.bytes().next().is_some_and(|c| c.is_ascii_digit());
        if i > a && ((w.brk != Brk::None && !clock) || w.amp || joiner || report || run_on) {
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
        // A hello that opens the notes ("Hi, the toilet …", "hiya the fridge
        // …", "Hi team the screens …") is no part of the problem. Its raw
        // text decides: the lexer reads "hi" as "high", which it is in "hi
        // temp alarm" — a "hi" is a hello before a break or a word that
        // starts a sentence or a greeting.
        let hello = |w: &Word<'_>| {
            let raw = &notes[w.start..w.end];
            HELLOS.iter().any(|h| raw.eq_ignore_ascii_case(h))
                && (!raw.eq_ignore_ascii_case("hi")
                    || words.get(1).is_none_or(|n| {
                        n.brk != Brk::None
                            || GREETINGS.contains(&n.norm)
                            || LEADING.contains(&n.norm)
                            || ["its", "my", "our", "just", "can", "could", "yeah", "mate"]
                                .contains(&n.norm)
                    }))
        };
        if a0 == 0 && words.first().is_some_and(hello) {
            a += 1;
            while a < b && GREETINGS.contains(&words[a].norm) {
                a += 1;
            }
        }
        // Where the asset's own words began, when they were left out.
        let mut named: Option<usize> = None;
        // A reporting clause was left out: what they complained "about"
        // goes with it.
        let mut reported = false;
        loop {
            if a >= b {
                break;
            }
            let w = words[a].norm;
            // An asset word followed by a number names another unit ("pump 2"):
            // keep it.
            let numbered = words
                .get(a + 1)
                .is_some_and(|n| n.brk == Brk::None && n.norm.as_bytes()[0].is_ascii_digit());
            // Nor are they left out before a Spanish "de" that goes on to say
            // which one ("genset de la nave 3 arranca pero …", not "de la nave
            // 3 arranca …"; not a shouted "DE", the drive end).
            let asset_word = asset_words.iter().any(|x| x == w);
            let of_which = asset_word
                && words.get(a + 1).is_some_and(|n| {
                    n.brk == Brk::None
                        && ["de", "del"].contains(&n.norm)
                        && &notes[n.start..n.end] != "DE"
                });
            if of_which {
                a = named.unwrap_or(a);
                break;
            }
            if let Some(k) = tag.as_deref().and_then(|t| tag_at(notes, words, a, t)) {
                // The asset's own tag names no other unit: the name or the tag
                // in front of the subject already says it ("CH-3: circ 2 low
                // oil press trip", not "CH-3: CH-3 circ 2 …").
                a += k;
            } else if LEADING.contains(&w) {
                a += 1;
            } else if asset_word && !numbered {
                named.get_or_insert(a);
                a += 1;
            } else if w == "on" && words.get(a + 1).is_some_and(|n| n.norm == "arrival") {
                a += 2;
            } else if reporting(words, a) && a + 1 < b {
                a += 2;
                reported = true;
                if a < b && words[a].norm == "that" {
                    a += 1;
                }
            } else if reported && w == "about" {
                a += 1;
            } else {
                break;
            }
        }
        while b > a && TRAILING.contains(&words[b - 1].norm) && !particle(words, a, b) {
            b -= 1;
        }
        // A greeting that opens the notes ("Hiya,", "Morning all -") is no
        // part of the problem, when the notes go on ("All good." alone is
        // what they say).
        let greeting =
            a0 == 0 && b0 < words.len() && (a..b).all(|i| GREETINGS.contains(&words[i].norm));
        if a < b && !greeting {
            // Scored on the whole segment: "PLC battery low" is about the PLC
            // even though the asset's own name is trimmed from the text.
            // (A fold, not `sum`: an empty float sum is -0.0, which ranks below 0.0.)
            let score = analyse::hits_from(hits, a0, b0)
                .iter()
                .map(weight)
                .fold(0.0, |s, w| s + w)
                + lost_function(words, hits, a0, b0);
            out.push(Segment { a, b, score });
        }
    }
    out
}

/// Words that say something does not happen.
pub(super) const NEGATORS: &[&str] = &[
    "no", "not", "wont", "cant", "doesnt", "didnt", "isnt", "wasnt", "wouldnt", "cannot", "never",
    "aint", "arent", "werent", "hasnt", "havent",
];

/// "There is" between a negator and what it negates.
const THERE_IS: &[&str] = &["hay", "there", "theres"];

/// What a negator may negate without the note saying anything is wrong.
const REASSURING: &[&str] = &[
    "problema",
    "problemas",
    "fallo",
    "fallos",
    "fuga",
    "fugas",
    "alarmas",
    "errores",
    "nada",
    "urgent",
    "rush",
    "hurry",
    "problem",
    "problems",
    "issue",
    "issues",
    "fault",
    "faults",
    "defect",
    "defects",
    "damage",
    "change",
    "changes",
    "alarm",
    "alarms",
    "error",
    "errors",
    "code",
    "codes",
    "sign",
    "signs",
    "further",
    "more",
    "other",
    "one",
    "longer",
    "need",
    "needed",
    "action",
    "concern",
    "concerns",
    "complaints",
    "bad",
    "big",
    "too",
    "much",
    "very",
    "sure",
    "yet",
    "always",
    "only",
    "just",
    "a",
    "an",
    "the",
    "any",
    "all",
    "anything",
    "everything",
    "trace",
    "evidence",
    "known",
    "obvious",
    "visible",
    "apparent",
    "found",
    "seen",
    "noticed",
    "risk",
    "danger",
    "safety",
    "hazard",
    "immediate",
    "major",
    "real",
    "worse",
    "affected",
    "required",
    "requires",
    "require",
    "in",
];

/// "doesn't release", "wont set", "no water": a negated word that is not a
/// cue says the equipment has lost a function — the problem itself, which
/// the cues cannot name for every function there is.
fn lost_function(words: &[Word<'_>], hits: &[Hit], a: usize, b: usize) -> f32 {
    (a..b.saturating_sub(1))
        .filter(|&i| {
            // "no hay fugas", "no there's": the word after "there is".
            let k = if THERE_IS.contains(&words[i + 1].norm) && i + 2 < b {
                i + 2
            } else {
                i + 1
            };
            let next = &words[k];
            NEGATORS.contains(&words[i].norm)
                && next.brk == Brk::None
                && words[i + 1].brk == Brk::None
                && !REASSURING.contains(&next.norm)
                && !next.norm.as_bytes()[0].is_ascii_digit()
                && !analyse::covered(hits, k)
        })
        .count() as f32
        * 2.0
}

/// "cust says", "operator reported": a reporting clause starts at word `i`.
fn reporting(words: &[Word<'_>], i: usize) -> bool {
    REPORTERS.contains(&words[i].norm)
        && words
            .get(i + 1)
            .is_some_and(|n| n.brk == Brk::None && REPORT_VERBS.contains(&n.norm))
}

/// Shouted notes ("PUMP 2 MAKING LOUD NOISE") read better in lower case,
/// all but a word that starts with a letter and has a digit: a code ("E3",
/// "F28", "P0171") or a tag ("DP-1") stays as the display shows it, where
/// "3RD", "200MM" and "0X0C" do not; and the trade's initialisms
/// (`INITIALISMS`: "RCD tripping", not "Rcd tripping"). ASCII only: Unicode
/// case tables would cost the wasm more than they give.
fn unshout(s: String) -> String {
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters < 6 || !s.contains(' ') || s.bytes().any(|b| b.is_ascii_lowercase()) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let code = part
            .bytes()
            .find(u8::is_ascii_alphanumeric)
            .is_some_and(|b| b.is_ascii_alphabetic())
            && part.bytes().any(|b| b.is_ascii_digit());
        let word = part.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let initialism = || INITIALISMS.split(' ').any(|i| i.eq_ignore_ascii_case(word));
        if code || initialism() {
            out.push_str(part);
        } else {
            out.push_str(&part.to_ascii_lowercase());
        }
    }
    out
}

/// Words written in capitals in the notes that are not shouted, at least
/// 90 % of the 20 or more times each is written in `dev.json` and dev2
/// ("UPS" 416 of 432, "RCD" 218 of 227), but "PM" and "ETA" (times) and
/// "SIM": one string, not a `&[&str]` that costs the engine a pointer and
/// a length per word.
const INITIALISMS: &str = "ac aed ahu ap ats av bms cctv crac cu db dc dno dnu eicr ev fa fc fcu fla \
    flt fm hdd hdmi hmi hmp hp hw ir led lh loler lthw lv mcb mcc nfa nvr pc pcb pdu pir plc prv \
    psu pv qa qc rcbo rcd rfid rh scada tmv tv ups vrf wc";

/// Where a phrase starting at `w` starts: a number keeps its minus sign
/// ("-12 °C"), which the lexer does not count as part of the word.
fn start_of(notes: &str, w: &Word<'_>) -> usize {
    let before = &notes.as_bytes()[..w.start];
    let signed = before.last() == Some(&b'-')
        && notes
            .as_bytes()
            .get(w.start)
            .is_some_and(u8::is_ascii_digit)
        && before
            .len()
            .checked_sub(2)
            .is_none_or(|i| before[i].is_ascii_whitespace());
    if signed { w.start - 1 } else { w.start }
}

/// Where a phrase ending at `w` ends: a percent sign is the number's own
/// ("down around 30%", not "… 30"), in the text and in the span the
/// review screen highlights alike.
fn end_of(notes: &str, w: &Word<'_>) -> usize {
    w.end + usize::from(notes[w.end..].starts_with('%'))
}

/// The notes between two words, whitespace collapsed, without half a
/// pair of brackets or quotation marks (`orphans`; `pairs` are the notes'
/// own, `marked_pairs`); empty when there are none.
fn text_of(
    notes: &str,
    pairs: &[(usize, usize)],
    words: &[Word<'_>],
    a: usize,
    b: usize,
) -> String {
    if b <= a || b > words.len() {
        return String::new();
    }
    let from = start_of(notes, &words[a]);
    let end = end_of(notes, &words[b - 1]);
    let (orphans, to) = orphans(notes, pairs, from, end);
    let kept: String;
    let slice = if orphans.is_empty() {
        &notes[from..to]
    } else {
        kept = notes[from..to]
            .char_indices()
            .filter(|(i, _)| !orphans.contains(&(from + i)))
            .map(|(_, c)| c)
            .collect();
        &kept
    };
    let mut out = String::with_capacity(slice.len());
    for part in slice.split_whitespace() {
        // A dictated "comma" is written as one (the lexer breaks there too).
        if part.eq_ignore_ascii_case("comma") && !out.is_empty() {
            out.push(',');
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// The characters of these pieces after the first, each with its ", ".
fn pieces_len(
    notes: &str,
    pairs: &[(usize, usize)],
    words: &[Word<'_>],
    rest: &[(usize, usize)],
) -> usize {
    rest.iter()
        .map(|&(a, b)| chars(&text_of(notes, pairs, words, a, b)) + 2)
        .sum()
}

/// Whether the character at byte `i` opens a quotation (after a space, a
/// bracket or nothing, before a letter or digit) or closes one (after one,
/// before a space, punctuation or nothing); an apostrophe inside a word
/// ("it's") does neither.
fn quote_side(notes: &str, i: usize, c: char) -> (bool, bool) {
    let before = notes[..i].chars().next_back();
    let after = notes[i + c.len_utf8()..].chars().next();
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let open = !word(before)
        && before.is_none_or(|b| b.is_whitespace() || "([{-–—/".contains(b))
        && word(after);
    let close = (word(before) || before.is_some_and(|b| ".!?%)°".contains(b)))
        && after.is_none_or(|a| a.is_whitespace() || ",.;:!?)]}-–—/".contains(a));
    (open, close)
}

/// The notes' pairs of brackets and quotation marks (opening and closing
/// byte positions), found once per note for `orphans`.
fn marked_pairs(notes: &str) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let (mut brackets, mut singles, mut curly) = (Vec::new(), Vec::new(), Vec::new());
    let mut double: Option<usize> = None;
    for (i, c) in notes.char_indices() {
        match c {
            '(' | '[' => brackets.push(i),
            ')' | ']' => pairs.extend(brackets.pop().map(|o| (o, i))),
            '"' => match double.take() {
                Some(o) => pairs.push((o, i)),
                None => double = Some(i),
            },
            '\u{201c}' => curly.push(i),
            '\u{201d}' => pairs.extend(curly.pop().map(|o| (o, i))),
            '\'' | '\u{2018}' | '\u{2019}' => {
                let (open, close) = quote_side(notes, i, c);
                if close && let Some(o) = singles.pop() {
                    pairs.push((o, i));
                } else if open {
                    singles.push(i);
                }
            }
            _ => {}
        }
    }
    pairs
}

/// The byte positions, between `from` and `to`, of brackets and quotation
/// marks whose partner in the notes lies outside: a subject cut from inside
/// "(only unit 2)" or "'fridge is DEAD'" would show half a pair, which
/// reads as a mistake. A mark with no partner in the notes at all ("2) door
/// switch", "the infants' faces") is the writer's and stays. A closing mark
/// right after the last word is taken in instead (`… shows 'HDD error'`):
/// the end `to` moves past it.
fn orphans(
    notes: &str,
    pairs: &[(usize, usize)],
    from: usize,
    mut to: usize,
) -> (Vec<usize>, usize) {
    if let Some(&(_, c)) = pairs
        .iter()
        .find(|&&(o, c)| c == to && (from..to).contains(&o))
    {
        to = c + notes[c..].chars().next().map_or(0, char::len_utf8);
    }
    let inside = |i: usize| (from..to).contains(&i);
    let out = pairs
        .iter()
        .filter_map(|&(o, c)| match (inside(o), inside(c)) {
            (true, false) => Some(o),
            (false, true) => Some(c),
            _ => None,
        })
        .collect();
    (out, to)
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
    /// Each word's feature key (`learn::keys`).
    pub keys: &'a [Cow<'a, str>],
}

pub(super) fn candidates<'w>(parts: &Parts<'w>, budget: usize) -> Vec<Candidate<'w>> {
    let Parts {
        notes,
        words,
        hits,
        codes,
        readings,
        asset_name,
        asset_words,
        ..
    } = *parts;
    let asset_name = asset_name.trim();
    let segs = segments(notes, words, hits, asset_words, asset_tag(asset_name));
    let pairs = marked_pairs(notes);
    let sentence = |s: &Segment| words[s.a].sentence;
    // The main problem is stated first (in the development corpus the words a
    // dispatcher would put in the subject lie in the note's first sentence
    // 97% of the time; the best-scoring phrase anywhere missed a third).
    // A sentence that only says what is not wrong ("no leak found, no smoke")
    // is not the problem; one that says a function is missing ("no ice",
    // "not giving warm air") is.
    let only_negated = |n: u16| {
        let said = || hits.iter().filter(|h| words[h.w0].sentence == n);
        let reassuring = |h: &&Hit| {
            h.negated
                && h.cue
                    .fx
                    .iter()
                    .any(|f| matches!(f, Fx::Hazard | Fx::Flood | Fx::R(Re::Breakdown, _)))
        };
        // A function lost ("wouldnt silence") says a problem as a cue does.
        let lost = || segs.iter().any(|s| sentence(s) == n && s.score > 0.0);
        said().any(|h| reassuring(&h)) && !said().any(|h| weight(h) > 0.0) && !lost()
    };
    // A greeting ("Morning.", "Hi team,") is not the problem either.
    let greeting = |n: u16| {
        words
            .iter()
            .filter(|w| w.sentence == n)
            .all(|w| GREETINGS.contains(&w.norm) || LEADING.contains(&w.norm))
    };
    // A sentence that says nothing of a problem ("St Anne's Hospital, Ward
    // 7.", "Dictating this at the lights.") is where or who, not what: the
    // problem starts at the first sentence that does, if one does.
    let says = |n: u16| {
        let context = |h: &Hit| {
            !h.negated
                && (h.place
                    || h.naming
                    || h.cue
                        .fx
                        .iter()
                        .all(|f| matches!(f, Fx::Crit | Fx::Noun | Fx::Harm | Fx::T(..))))
        };
        // A code or a reading the equipment showed says something too.
        let shown = codes.iter().chain(readings).any(|it| {
            words
                .iter()
                .rfind(|w| w.start <= it.start)
                .is_some_and(|w| w.sentence == n)
        });
        shown
            || hits
                .iter()
                .any(|h| words[h.w0].sentence == n && !context(h))
            || words.iter().filter(|w| w.sentence == n).count() > SHORT_WORDS
    };
    let last_saying = hits
        .iter()
        .filter(|h| weight(h) > 0.0)
        .map(|h| words[h.w0].sentence)
        .max();
    // Each sentence judged once, at its first phrase, and only the first
    // `FIRST_SENTENCES` of them: each judgement reads the whole notes, and
    // a pasted log of thousands of lines must not take seconds.
    let Some(&first) = segs
        .iter()
        .enumerate()
        .filter(|&(i, s)| i == 0 || sentence(&segs[i - 1]) != sentence(s))
        .map(|(_, s)| s)
        .take_while(|s| sentence(s) < FIRST_SENTENCES)
        .find(|s| {
            let n = sentence(s);
            !only_negated(n) && !greeting(n) && (says(n) || last_saying.is_none_or(|l| l < n))
        })
        .or_else(|| segs.first())
    else {
        return Vec::new();
    };
    // The subject made from `first`'s sentence, starting at its `from_k`th
    // phrase; `plain`: as written, without the rules' rearranging (no phrase
    // from elsewhere, the phrases before the first that says something kept,
    // no joining of the cue-bearing phrases).
    // `unnamed`: no name in front, the asset's words the sentence began with
    // given back ("Roof leak over server room", not "Server room roof: leak
    // over server room").
    let compose_for =
        |first: Segment, from_k: usize, plain: bool, unnamed: bool| -> Option<Subject> {
            let mut run: Vec<Segment> = segs
                .iter()
                .filter(|s| sentence(s) == sentence(&first))
                .copied()
                .collect();
            // A sentence of a word or two ("Dead.") reads on into the next one.
            let last = run.last().map_or(first, |s| *s);
            if chars(&text_of(notes, &pairs, words, first.a, last.b)) < 16 {
                run.extend(
                    segs.iter()
                        .filter(|s| sentence(s) == sentence(&first) + 1)
                        .copied(),
                );
            }
            let run: Vec<Segment> = run[from_k.min(run.len() - 1)..].to_vec();
            let run_best = run.iter().map(|s| s.score).fold(0.0, f32::max);
            let start = run[0].a;
            let end = run.last().map_or(first.b, |s| s.b);

            // The subject for one prefix: the sentence as written, as far as fits,
            // cut at a word boundary; and a phrase elsewhere that outweighs every
            // phrase of that sentence (the line is down, someone is at risk), with
            // room kept for it.
            let wanted = segs
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    // `run` is in the order of the notes, as `segs` are.
                    s.score > run_best && run.binary_search_by_key(&s.a, |r| r.a).is_err()
                })
                .max_by(|(i, x), (j, y)| x.score.total_cmp(&y.score).then(j.cmp(i)))
                .map(|(_, s)| (*s, unshout(text_of(notes, &pairs, words, s.a, s.b))));
            let lay_out = |prefix: &str, plain: bool| {
                let second = wanted
                    .clone()
                    .filter(|(_, t)| !plain && chars(prefix) + chars(t) + 2 + 12 <= budget);
                let room = budget
                    .saturating_sub(chars(prefix))
                    .saturating_sub(second.as_ref().map_or(0, |(_, t)| chars(t) + 2));
                let (mut a, mut b) = (start, end);
                // A sentence too long to fit loses who reported it first ("Customer
                // rang in a panic saying the lift was making a screaming noise"),
                // never words that already said the problem ("Fire alarm going
                // off and wouldnt silence, panel says zone 5", "all three gens
                // stopped reporting to the portal").
                if chars(&text_of(notes, &pairs, words, a, b)) > room
                    && let Some(i) = (a..b.min(a + 12)).find(|&i| SAYING.contains(&words[i].norm))
                    && !hits.iter().any(|h| h.w0 >= a && h.w1 <= i && fault(h))
                    && lost_function(words, hits, a, i) == 0.0
                {
                    a = i + 1;
                    while a < b && (LEADING.contains(&words[a].norm) || words[a].norm == "about") {
                        a += 1;
                    }
                }
                // Then the phrases before the first that says anything ("Greenhill
                // Offices, booster set cycling on/off ..." loses "Greenhill Offices").
                if !plain
                    && chars(&text_of(notes, &pairs, words, a, b)) > room
                    && let Some(s) = run.iter().find(|s| s.score > 0.0)
                    && s.a >= a
                {
                    a = s.a;
                }
                // Every word is at least a character of the text, so while
                // there are more words than room the text is not measured:
                // cutting a long run-on sentence stays linear in its words.
                while b > a && (b - a > room || chars(&text_of(notes, &pairs, words, a, b)) > room)
                {
                    b = untrail(words, a + 1, b - 1);
                }
                // A cut right after who said it or what shows it ("… round the
                // seal, cook says", "… and the screen says", "…, plc shows")
                // leaves them saying nothing: their phrase goes too, when it is
                // short.
                if b < end
                    && b > a + 1
                    && (SAYING.contains(&words[b - 1].norm)
                        || ["shows", "show", "displays"].contains(&words[b - 1].norm))
                    && let Some(k) = (a + 1..b - 1).rev().take(RUN_ON_WORDS).find(|&k| {
                        words[k].brk != Brk::None
                            || CLAUSE_STARTS.contains(&words[k].norm)
                            || ["and", "but", "which"].contains(&words[k].norm)
                    })
                {
                    b = untrail(words, a + 1, k);
                }
                // When the cut would drop a phrase with a live cue ("... level
                // switch working, float sticking"), the sentence's cue-bearing
                // phrases alone, as many as fit, joined by commas.
                let mut pieces = vec![(a, b)];
                if !plain
                    && run
                        .iter()
                        .any(|s| s.score > 0.0 && s.score >= run_best && s.b > b)
                {
                    let mut used = 0;
                    let mut kept = Vec::new();
                    for s in run.iter().filter(|s| s.score > 0.0) {
                        let n = chars(&text_of(notes, &pairs, words, s.a, s.b))
                            + if kept.is_empty() { 0 } else { 2 };
                        if used + n > room {
                            break;
                        }
                        used += n;
                        kept.push((s.a, s.b));
                    }
                    if kept.last().is_some_and(|k| k.1 > b) {
                        pieces = kept;
                    }
                }
                (pieces, second)
            };
            let compose = |plain: bool| -> Option<Subject> {
                let full = (!asset_name.is_empty() && chars(asset_name) + 2 + 12 <= budget)
                    .then(|| format!("{asset_name}: "));
                let tag = asset_tag(asset_name).map(|w| format!("{w}: "));
                // The full name if the sentence still fits whole after it, else the
                // name's tag ("AD-1" for "Automatic door AD-1 main entrance"), else —
                // for a name without a tag — no prefix: the problem's words come first.
                let mut options = Vec::with_capacity(3);
                if !unnamed {
                    options.extend(full.clone());
                }
                match tag.filter(|t| !unnamed && full.as_ref().is_some_and(|f| t.len() < f.len())) {
                    Some(tag) => options.push(tag),
                    None => options.push(String::new()),
                }
                let mut prefix = String::new();
                let mut laid = (Vec::new(), None);
                for p in options {
                    laid = lay_out(&p, plain);
                    prefix = p;
                    if laid.0.len() == 1
                        && laid.0[0] == (start, end)
                        && laid.1.is_some() == (wanted.is_some() && !plain)
                    {
                        break;
                    }
                }
                let (pieces, second) = laid;
                // A sentence cut to a stub that says nothing ("During", "Few things")
                // is left out when a phrase that does say something follows it.
                let says_something = |&(a, b): &(usize, usize)| {
                    hits.iter().any(|h| h.w0 >= a && h.w1 <= b)
                        || chars(&text_of(notes, &pairs, words, a, b)) >= 16
                };
                let cut_alone = pieces.len() == 1 && second.is_some();
                let pieces: Vec<(usize, usize)> = pieces
                    .into_iter()
                    .filter(|p| p.1 > p.0 && (!cut_alone || says_something(p)))
                    .collect();
                let (mut pieces, second) = match (pieces.is_empty(), second) {
                    (true, Some((s, _))) => (vec![(s.a, s.b)], None),
                    (_, second) => (pieces, second),
                };
                // Without the asset's whole name in front, the words of it the phrase
                // began with are given back ("SS-1: Sprinkler head in warehouse
                // knocked", not "SS-1: head in warehouse knocked").
                if full.as_deref() != Some(prefix.as_str())
                    && let Some(&(a0, b0)) = pieces.first()
                {
                    let others = pieces_len(notes, &pairs, words, &pieces[1..])
                        + second.as_ref().map_or(0, |(_, t)| chars(t) + 2);
                    // Not a joining word, nor what the tag already says ("AHU" after "AHU-2: ").
                    let tag = super::analyse::name_words(&prefix);
                    let given_back = |w: &str| {
                        asset_words.iter().any(|x| x == w)
                            && !SEGMENT_WORDS.contains(&w)
                            && !LEADING.contains(&w)
                            && !tag.iter().any(|t| t == w)
                    };
                    let mut a = a0;
                    while a > 0 && words[a].brk == Brk::None && given_back(words[a - 1].norm) {
                        a -= 1;
                    }
                    // In the candidate without the name, the phrase's end gives
                    // way to them: they say what is at fault ("Handrail main
                    // stairs … is loose", not "Stairs … is loose").
                    let fits = |b: usize| {
                        chars(&prefix) + chars(&text_of(notes, &pairs, words, a, b)) + others
                            <= budget
                    };
                    // So does it in every candidate whose phrase would begin
                    // with a bare state ("Not running, float stuck …" for "SUMP
                    // PUMP NOT RUNNING, FLOAT STUCK …"): the words say what is not;
                    // and in one with nothing in front, where a name too long to
                    // fit and without a tag was left out: they are all it says of
                    // what is at fault.
                    let mut b = b0;
                    while (unnamed || prefix.is_empty() || state(words[a0].norm))
                        && b > a0 + 2
                        && !fits(b)
                    {
                        b = untrail(words, a0 + 1, b - 1);
                    }
                    if a < a0 && fits(b) {
                        pieces[0] = (a, b);
                    }
                }
                let first_piece = *pieces.first()?;
                let score = hits
                    .iter()
                    .filter(|h| pieces.iter().any(|&(a, b)| h.w0 >= a && h.w1 <= b))
                    .map(weight)
                    .fold(0.0, |s, w| s + w);
                let main = Segment {
                    a: first_piece.0,
                    b: first_piece.1,
                    score,
                };
                let mut parts: Vec<(usize, String, Span)> = pieces
                    .iter()
                    .map(|&(a, b)| {
                        (
                            words[a].start,
                            unshout(text_of(notes, &pairs, words, a, b)),
                            Span::new(start_of(notes, &words[a]), end_of(notes, &words[b - 1])),
                        )
                    })
                    .collect();
                let mut len = chars(&prefix)
                    + parts.iter().map(|p| chars(&p.1)).sum::<usize>()
                    + 2 * (parts.len() - 1);
                if let Some((s, t)) = second {
                    len += 2 + chars(&t);
                    parts.push((
                        words[s.a].start,
                        t,
                        Span::new(start_of(notes, &words[s.a]), end_of(notes, &words[s.b - 1])),
                    ));
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
            };
            compose(plain)
        };
    // The candidates: the rules' own subject first, then the sentence as
    // written with none of their rearranging, the same from each of its
    // next phrases, and each of the note's other first sentences as written.
    let fsent = sentence(&first);
    let in_first = || segs.iter().filter(|s| sentence(s) == fsent);
    let main = (first.a, in_first().map(|s| s.b).max().unwrap_or(first.b));
    let mut out: Vec<Candidate<'w>> = Vec::with_capacity(12);
    // A candidate is left out when one before it says the same words, or the
    // same words after the name or tag ("SS-1: Sprinkler head … knocked"
    // before "Sprinkler head … knocked"): the name says which one, and two
    // choices that differ in nothing else only split the ranker's vote.
    // One that differs from a candidate before it only by the colon after a
    // tag the notes began with ("CO2 alarm went off" after "CO2: alarm went
    // off") takes that one's place: it is the technician's words as written.
    let mut add = |sub: Option<Subject>, kind: Kind, from_k: usize| {
        let Some(sub) = sub else { return };
        if let Some(c) = out.iter_mut().find(|c| {
            c.subject.text.split_once(": ").is_some_and(|(tag, said)| {
                !tag.contains(' ')
                    && sub.text.strip_prefix(tag).and_then(|t| t.strip_prefix(' ')) == Some(said)
            })
        }) {
            *c = describe(parts, sub, kind, from_k, main, fsent);
        } else if !out.iter().any(|c| {
            c.subject.text == sub.text
                || c.subject
                    .text
                    .split_once(": ")
                    .is_some_and(|(_, said)| said == sub.text)
        }) {
            out.push(describe(parts, sub, kind, from_k, main, fsent));
        }
    };
    add(compose_for(first, 0, false, false), Kind::Rules, 0);
    add(compose_for(first, 0, true, false), Kind::Plain, 0);
    // The sentence began with words of the asset's name, trimmed as filler:
    // as written with them, they are the problem's own ("Roof leak",
    // "Ceiling tile stained", "CO2 alarm went off"). Before a state the name
    // in front reads as well ("Battery room extract fan: dead") and says
    // which one — unless the words it began with name the asset all but one
    // ("MESS BLOCK LADIES TOILET TAP DRIPPING" for "Mess block ladies toilet
    // basin tap"), where "…basin tap: dripping" only splits what the
    // technician wrote as one; the ranker weighs both.
    let mut run = first.a;
    while run > 0
        && words[run - 1].sentence == fsent
        && (run == first.a || words[run].brk == Brk::None)
        && asset_words.iter().any(|x| x == words[run - 1].norm)
    {
        run -= 1;
    }
    // The name's words (`asset_words` are they) the sentence did not begin with.
    let unsaid = || {
        asset_words
            .iter()
            .filter(|n| !words[run..first.a].iter().any(|w| w.norm == n.as_str()))
            .count()
    };
    if first.a > 0
        && words[first.a].brk == Brk::None
        && words[first.a - 1].sentence == fsent
        && asset_words.iter().any(|x| x == words[first.a - 1].norm)
        && (!state(words[first.a].norm) || unsaid() <= 1)
    {
        add(compose_for(first, 0, true, true), Kind::Unnamed, 0);
    }
    add(without_place(parts, &pairs, main, budget), Kind::Trimmed, 0);
    for k in 1..in_first().count().min(FROM_PHRASES + 1) {
        add(compose_for(first, k, true, false), Kind::From, k);
    }
    let mut seen = vec![fsent];
    for sg in &segs {
        let n = sentence(sg);
        if n <= MAX_SENTENCE && !seen.contains(&n) && !greeting(n) {
            seen.push(n);
            add(compose_for(*sg, 0, true, false), Kind::Sentence, 0);
        }
    }
    out
}

/// Words that open where something is ("on the first floor corridor fire
/// door at Willowbank care home").
const PLACE_WORDS: &[&str] = &[
    "on",
    "at",
    "in",
    "inside",
    "outside",
    "near",
    "behind",
    "under",
    "underneath",
    "above",
    "beside",
    "by",
    "over",
    "opposite",
];

/// The first sentence, `a..b`, too long to fit, without the place said
/// between what is at fault and what it does: "Magnetic hold-open failed
/// to release when the fire alarm was tested" for "The magnetic hold-open
/// on the first floor corridor fire door at Willowbank care home failed to
/// release …", which cut to fit says nothing of the problem. The place
/// starts within a few words (`PLACE_WORDS`) and runs to the first word
/// that says a state or a fault, and no cue in it says anything is wrong.
/// The asset's name leads when it fits. (The ranker weighs it as one more
/// candidate.)
fn without_place(
    parts: &Parts<'_>,
    pairs: &[(usize, usize)],
    (a, b): (usize, usize),
    budget: usize,
) -> Option<Subject> {
    let Parts {
        notes,
        words,
        hits,
        asset_name,
        ..
    } = *parts;
    let asset_name = asset_name.trim();
    if chars(&text_of(notes, pairs, words, a, b)) <= budget.saturating_sub(chars(asset_name) + 2) {
        return None;
    }
    let cue = |i: usize| {
        hits.iter()
            .any(|h| h.w0 == i && weight(h) > 0.0 && fault(h))
    };
    let reported = |w: &str| {
        [SAYING, NOTING, REPORT_VERBS]
            .iter()
            .any(|l| l.contains(&w))
    };
    // Not when the phrase begins inside a place ("socket by the sink in the
    // staff kitchen has water …", the asset's words trimmed before it).
    if (a.saturating_sub(2)..=a)
        .any(|i| words[i].sentence == words[a].sentence && PLACE_WORDS.contains(&words[i].norm))
    {
        return None;
    }
    let p = (a + 1..b.min(a + 6)).find(|&i| PLACE_WORDS.contains(&words[i].norm))?;
    // What is at fault: a few words, no verb, no clause ("Lady flagged
    // that …", "Mrs Patel, 84, lives …"); a word ending "-ing" before
    // another describes it ("heating pumps", "sliding door").
    if (a..p).any(|i| {
        let w = words[i].norm;
        (state(w) && !(w.ends_with("ing") && i + 1 < p))
            || cue(i)
            || reported(words[i].norm)
            || reporting(words, i)
            || NEGATORS.contains(&words[i].norm)
            || ["that", "went", "rang"].contains(&words[i].norm)
            || (i > a && (words[i].brk != Brk::None || CLAUSE_STARTS.contains(&words[i].norm)))
    }) {
        return None;
    }
    // What it does: a state said as a verb ("is", "won't", "failed"), or a
    // fault; not a word describing a thing ("at the flickering lights",
    // "the RTU serving the warehouse"), nor who reported it ("The manager
    // at the leisure centre complained about …", "… at the county show,
    // owner said …": the reporting clause has its own rule). The place
    // dropped is one clause that says nothing is wrong (who is there may be
    // said: "at Willowbank care home").
    let v = (p + 2..b.min(p + 12)).find(|&i| cue(i) || state(words[i].norm))?;
    let w = words[v].norm;
    let joins = |i: usize| {
        words[i].brk != Brk::None
            || [
                "and", "but", "so", "which", "&", "because", "when", "if", "while", "then", "rang",
                "called", "phoned", "done",
            ]
            .contains(&words[i].norm)
            || reported(words[i].norm)
    };
    if (w.ends_with("ing") && !cue(v))
        || ["the", "a", "an", "its", "their", "our", "my"].contains(&words[v - 1].norm)
        || reported(w)
        || (p..v).any(joins)
        || hits.iter().any(|h| h.w0 >= p && h.w0 < v && fault(h))
    {
        return None;
    }
    let head = unshout(text_of(notes, pairs, words, a, p));
    let fits = |prefix: &str, e: usize| {
        chars(prefix) + chars(&head) + 1 + chars(&text_of(notes, pairs, words, v, e)) <= budget
    };
    let full = format!("{asset_name}: ");
    let prefix = if !asset_name.is_empty() && fits(&full, (v + 4).min(b)) {
        full
    } else {
        asset_tag(asset_name).map_or_else(String::new, |t| format!("{t}: "))
    };
    let mut e = b;
    while e > v + 1 && !fits(&prefix, e) {
        e = untrail(words, v + 1, e - 1);
    }
    if !fits(&prefix, e) {
        return None;
    }
    let score = hits
        .iter()
        .filter(|h| h.w0 >= v && h.w1 <= e)
        .map(weight)
        .fold(0.0, |s, w| s + w);
    Some(Subject {
        text: capitalise(format!(
            "{prefix}{head} {}",
            unshout(text_of(notes, pairs, words, v, e))
        )),
        spans: vec![
            Span::new(start_of(notes, &words[a]), end_of(notes, &words[p - 1])),
            Span::new(start_of(notes, &words[v]), end_of(notes, &words[e - 1])),
        ],
        confidence: if score > 0.0 { 0.6 } else { 0.35 },
    })
}

/// A word that says a state, not a thing ("leaking", "tripped", "dead").
fn state(w: &str) -> bool {
    w.ends_with("ing") || w.ends_with("ed") || STATES.contains(&w)
}

/// Words that say a state, not a thing: after the asset's name words, the
/// name in front reads well ("Extract fan: dead").
const STATES: &[&str] = &[
    "dead", "down", "not", "no", "is", "was", "has", "wont", "cant", "doesnt", "isnt", "off", "on",
    "out", "u/s", "broken", "stuck", "faulty", "ok", "keeps", "still", "again",
];

/// A sentence of at least this many words with no punctuation is speech run
/// on: its clauses are cut where one starts (`CLAUSE_STARTS`), each at least
/// `RUN_ON_WORDS` long.
const RUN_ON_SENTENCE: usize = 14;
const RUN_ON_WORDS: usize = 4;
const CLAUSE_STARTS: &[&str] = &[
    "the", "it", "its", "i", "ive", "im", "theres", "they", "theyve", "we", "weve", "he", "she",
];
/// Words a clause start after them belongs to ("in the", "found the", "said it").
const GOVERNING: &[&str] = &[
    "in", "on", "at", "to", "of", "for", "from", "with", "by", "into", "onto", "under", "over",
    "through", "is", "was", "are", "were", "be", "been", "that", "when", "if", "where", "as",
    "and", "but", "so", "then", "because", "said", "says", "think", "thought", "reckon", "all",
    "up", "out", "off", "down", "round", "around", "behind", "near", "above", "below", "past",
    "checked", "check", "found", "replaced", "changed", "fitted", "reset", "cleaned", "tested",
    "told", "tell", "asked", "gave", "give", "left", "put", "got", "get", "had", "have", "has",
    "what", "which", "who", "whether", "once", "while", "until", "till", "after", "before", "like",
    "about", "did", "do", "does", "not", "whole", "both", "half", "why", "how",
];

/// The sentences read for the one that first says the problem.
const FIRST_SENTENCES: u16 = 32;
/// How many of the first sentence's later phrases a candidate may start at.
const FROM_PHRASES: usize = 5;
/// The last sentence (counting from 0) whose first phrase is a candidate.
const MAX_SENTENCE: u16 = 5;

/// How a candidate was made.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// The rules' own subject: the first sentence that says something, as
    /// rearranged to fit (reporting clause dropped, cue-bearing phrases
    /// joined, a heavier phrase from elsewhere added).
    Rules,
    /// That sentence as written, cut to fit.
    Plain,
    /// That sentence as written from one of its later phrases.
    From,
    /// Another sentence as written.
    Sentence,
    /// The first sentence as written, with the words of the asset's name it
    /// began with and no name in front.
    Unnamed,
    /// The first sentence without the place between what is at fault and
    /// what it does (`without_place`).
    Trimmed,
}

/// How many numbers describe a candidate to the ranker (see `describe`).
pub(super) const DENSE: usize = 29;

/// A subject the ranker may choose, and what it sees of it.
pub(super) struct Candidate<'w> {
    pub subject: Subject,
    /// `DENSE` numbers: what the rules' cues weigh in it, where it lies in
    /// the note, how much of its sentence it keeps, whether a cut falls
    /// inside a clause, how it was made.
    pub dense: [f32; DENSE],
    /// The feature key of each distinct word and word pair in it
    /// (`learn::key`).
    pub keys: Vec<Cow<'w, str>>,
    /// The keys of its first two words.
    pub lead: Vec<Cow<'w, str>>,
}

/// The ranker's score of a candidate described by its dense numbers `x`,
/// its words' `keys` and its first two words' `lead`: the dense weights, and
/// `word(key, lead)` per word anywhere in the subject and among its first two.
/// Training (`train.rs`) scores its stored candidates with this too.
pub(super) fn rank<'k>(
    x: &[f32; DENSE],
    keys: impl IntoIterator<Item = &'k str>,
    lead: impl IntoIterator<Item = &'k str>,
    dense: &[f32],
    word: impl Fn(&str, bool) -> f32,
) -> f32 {
    let d: f32 = x.iter().zip(dense).map(|(x, w)| x * w).sum();
    let k: f32 = keys.into_iter().map(|k| word(k, false)).sum();
    let l: f32 = lead.into_iter().map(|k| word(k, true)).sum();
    d + k + l
}

/// The index of the highest score, the first of equals.
pub(super) fn best(scores: impl IntoIterator<Item = f32>) -> Option<usize> {
    scores
        .into_iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f32)>, (i, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((i, s)),
        })
        .map(|(i, _)| i)
}

fn describe<'w>(
    parts: &Parts<'w>,
    subject: Subject,
    kind: Kind,
    from_k: usize,
    (start, end): (usize, usize),
    fsent: u16,
) -> Candidate<'w> {
    let (words, hits) = (parts.words, parts.hits);
    let within = |a: usize, b: usize| {
        subject
            .spans
            .iter()
            .any(|sp| words[a].start >= sp.start as usize && words[b - 1].end <= sp.end as usize)
    };
    let inside = || hits.iter().filter(|h| within(h.w0, h.w1));
    let score = inside().map(weight).fold(0.0, |s, w| s + w);
    let high = inside()
        .filter(|h| {
            h.live()
                && h.cue
                    .fx
                    .iter()
                    .any(|f| matches!(f, Fx::High | Fx::Hazard | Fx::Down | Fx::Flood))
        })
        .count() as f32;
    let place = inside().filter(|h| h.place || h.naming).count() as f32;
    let negated = inside().filter(|h| h.negated).count() as f32;
    let (mut lost, mut covered, mut count) = (0.0, 0usize, 0usize);
    let mut first_sentence = u16::MAX;
    let mut keys: Vec<Cow<'w, str>> = Vec::new();
    let mut lead: Vec<Cow<'w, str>> = Vec::new();
    for sp in &subject.spans {
        let a = words
            .iter()
            .position(|w| w.start >= sp.start as usize)
            .unwrap_or(0);
        let b = words
            .iter()
            .rposition(|w| w.end <= sp.end as usize)
            .map_or(a, |i| i + 1);
        if b <= a {
            continue;
        }
        lost += lost_function(words, hits, a, b);
        covered += (a..b).filter(|&i| i >= start && i < end).count();
        count += b - a;
        first_sentence = first_sentence.min(words[a].sentence);
        for k in &parts.keys[a..b] {
            if k.is_empty() {
                continue;
            }
            if lead.len() < 2 {
                lead.push(k.clone());
            }
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        // Its word pairs too, as the fields' model reads them (`learn::pair`):
        // "not draining" says more of the problem than "not" and "draining".
        for i in a..b.saturating_sub(1) {
            if let Some((k, nk)) = super::learn::pair(words, parts.keys, i) {
                let pair: Cow<'w, str> = Cow::Owned(format!("{k} {nk}"));
                if !keys.contains(&pair) {
                    keys.push(pair);
                }
            }
        }
    }
    let first_span = subject.spans.first();
    let starts = first_span.is_some_and(|sp| sp.start as usize <= words[start].start);
    let other = subject.spans.iter().any(|sp| {
        sp.start as usize >= words[end - 1].end || (sp.end as usize) < words[start].start
    });
    let cut = subject
        .spans
        .last()
        .is_some_and(|sp| (sp.end as usize) < words[end - 1].end);
    // Where a cut falls inside a clause, the words it leaves out up to the
    // clause's end ("… lost a section of membrane and rain" | "is entering
    // the classroom"): a cut at a comma loses a phrase, one mid-clause may
    // lose the problem's own verb. The lexer's breaks mark the clause's
    // end, so a dictated "comma", an emoji or a spaced dash ends it as a
    // written comma does.
    let clause_left = subject.spans.last().filter(|_| cut).map_or(0, |sp| {
        let after = words.partition_point(|w| w.start < sp.end as usize);
        words[after..]
            .iter()
            .take_while(|w| w.brk == Brk::None)
            .take(10)
            .count()
    });
    let first_sentence = if first_sentence == u16::MAX {
        0
    } else {
        first_sentence
    };
    let shift = f32::from(first_sentence) - f32::from(fsent);
    let b = |x: bool| f32::from(u8::from(x));
    let dense = [
        score,
        high,
        lost,
        b(starts),
        covered as f32 / (end - start).max(1) as f32,
        subject.spans.len() as f32,
        b(other),
        chars(&subject.text) as f32 / 80.0,
        (end - start) as f32 / 20.0,
        shift,
        from_k as f32,
        b(from_k > 0),
        b(cut),
        count as f32 / 10.0,
        place,
        negated,
        b(shift == 0.0),
        b(shift == 1.0),
        b(shift >= 2.0),
        b(shift < 0.0),
        f32::from(first_sentence.min(3)),
        b(kind == Kind::Rules),
        b(kind == Kind::Plain),
        b(kind == Kind::From),
        b(kind == Kind::Sentence),
        b(kind == Kind::Unnamed),
        b(kind == Kind::Trimmed),
        b(clause_left > 0),
        clause_left as f32 / 5.0,
    ];
    Candidate {
        subject,
        dense,
        keys,
        lead,
    }
}

/// The subject ranker's weights (generated into `model.rs` by `train`).
pub(super) struct Ranker<'a> {
    /// One per dense feature.
    pub dense: &'a [f32],
    /// Dequantisation of `words` and `lead`.
    pub scale: f32,
    /// One per `learn::vocab()` entry: the word or pair anywhere in the subject.
    pub words: &'a [i8],
    /// One per `learn::vocab()` entry: the word among its first two.
    pub lead: &'a [i8],
}

impl Ranker<'_> {
    fn score(&self, c: &Candidate<'_>) -> f32 {
        rank(
            &c.dense,
            c.keys.iter().map(AsRef::as_ref),
            c.lead.iter().map(AsRef::as_ref),
            self.dense,
            |k, lead| {
                super::learn::vocab().binary_search(&k).map_or(0.0, |i| {
                    let q = if lead { self.lead } else { self.words };
                    f32::from(q.get(i).copied().unwrap_or(0)) * self.scale
                })
            },
        )
    }
}

/// The subject: the candidate the ranker scores highest, or without one the
/// rules' own.
pub(super) fn choose(cands: Vec<Candidate<'_>>, ranker: Option<&Ranker<'_>>) -> Option<Subject> {
    let chosen = ranker
        .and_then(|r| best(cands.iter().map(|c| r.score(c))))
        .unwrap_or(0);
    cands.into_iter().nth(chosen).map(|c| c.subject)
}
