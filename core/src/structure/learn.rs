//! The learned part of structuring: a small linear model per field
//! (Priority, Type, Reason, Safety hazard) over the notes' words and word
//! pairs, combined with the cue rules.
//!
//! Features are the lexer's normalised words (lower case, shorthand
//! expanded; a word with a digit becomes its shape, `0` or `0a`) and pairs of
//! neighbouring words in one sentence, looked up in a fixed vocabulary (the
//! words and pairs a first, wider training weighs most, `train::VOCAB_SIZE`).
//! The rules' own proposal enters as features too (which value, at what
//! confidence, or silence), and so do their findings as concepts shared by
//! every field (`concepts`: each cue kind said or negated, the type and
//! reason votes, the asset's kind, the rules' proposals for all four
//! fields), so the model learns when to trust the rules, from notes their
//! cue table was not tuned on. Weights are i8 with one scale per field, in
//! the generated `model.rs` (see `train` below and `ARCHITECTURE.md` for how
//! it is regenerated and checked).
//!
//! The rules decide when they are sure (confidence at or above the field's
//! gate, chosen by 5-fold cross-validation on the development set). Below
//! it the model decides; when it picks another value, that value's spans are
//! the present words and pairs with the highest weight for it (so the
//! provenance contract holds: every value points to words of the notes), and
//! its confidence is the model's probability, lowered when it overrules the
//! rules. When it agrees with the rules, their words stand at no more
//! confidence than the model's probability (at least 0.5), so a value shown
//! as sure is one both are sure of. A model decision with no supporting
//! word in the notes is not taken. Urgency said outright ("urgent", "asap")
//! keeps the rules' Priority: the guidelines' rule 3 settles it, and the
//! development notes say "urgent" almost only as "not urgent".

use std::borrow::Cow;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::Span;
use super::analyse::{AssetKind, Choice, Hazard, Hit};
use super::cues::{Fx, Re, Ty};
use super::lex::{Brk, Word};
use super::model;
use super::subject::NEGATORS;

pub(super) const PRIORITY: &[&str] = &["High", "Medium", "Low"];
pub(super) const TYPES: &[&str] = &[
    "Mechanical",
    "Electrical",
    "Electronic",
    "Structural",
    "Other",
];
pub(super) const REASONS: &[&str] = &[
    "Installation",
    "Equipment Complexity",
    "Performance",
    "Breakdown",
    "Equipment Design",
    "Feedback",
    "Other",
];
pub(super) const HAZARD: &[&str] = &["true", "false"];

/// One field's weights (generated).
pub(super) struct Weights<'a> {
    /// Dequantisation of `words`.
    pub scale: f32,
    /// Per class.
    pub bias: &'a [f32],
    /// Rule features × classes: `rule says c` (one per class), `rule says c`
    /// × its confidence (one per class), rules silent, then the `CONCEPTS`.
    pub rule: &'a [f32],
    /// `vocab().len()` × (classes − 1), i8: each word's last class is
    /// not stored (see `row`).
    pub words: &'a [i8],
    /// The rules win at or above this confidence (above 1: never, the model
    /// decides); below zero the model is off for the field and `words` is
    /// empty.
    pub gate: f32,
    /// The model overrules the rules (or their silence) only at this
    /// probability or above.
    pub sure: f32,
}

/// How much a model decision that overrules the rules keeps of its probability.
const OVERRULE: f32 = 0.8;
/// A model decision is never shown as sure: trained on 2,216 notes, its
/// probabilities run high on notes unlike them.
const MAX_CONFIDENCE: f32 = 0.75;
/// The model's probability needed to clear a hazard the rules found in
/// words of doubt ("might be smoke?"), and one they found said plainly
/// ("smoke near motor"). Erring on the side of safety costs little: in
/// 5-fold CV at 10,400 notes, 93.2% of hazards right against 93.4% when
/// the model clears them at 0.8 and 0.5 — and, trained with the weaker
/// penalty, the model had cleared "pump leaking bad at the seal … smoke
/// near motor" and "might be smoke from the fan motor?". At 18,397 notes
/// it cleared the first again at 0.65, so 0.7 (5-fold CV hazard 94.7 %
/// against 94.8 % at 0.65).
const CLEAR_HAZARD: (f32, f32) = (0.9, 0.7);
/// The model's probability needed to raise a hazard again that the rules
/// found put right on the visit ("Scorched terminal … Joint remade, tested
/// fine."): the technician's own words say it is gone, and the guidelines
/// follow them. It costs a little where the rules saw put right what was
/// only contained ("Chocked it and left it on the flat", "new guard ord."):
/// 5-fold CV at 19,197 notes, hazard right on 18,187 against 18,193 at
/// 0.5; on 800 fresh notes (round 34), the same at both.
const RAISE_PUT_RIGHT: f32 = 0.8;
/// The model's probability needed to clear smoke, sparks or fire said
/// plainly, the guidelines' first hazards: at 21,597 notes the model
/// cleared "pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor"
/// at 0.71. The rules' hazard reaches the model in four states (these
/// three, another hazard, put right, none; a fifth since, `Reported`, for
/// these three heard from someone else, which the model clears at
/// `CLEAR_HAZARD`'s threshold). 5-fold CV at 21,597 notes,
/// hazard right on 20,468 against 20,476 at 0.7 (and 20,474 with three
/// states); clearing every plain hazard only at 0.8 would cost 65, and
/// never clearing these three, 215: the cues "fire" and "smoke" are often
/// a fire door's or a smoke test's.
const CLEAR_FLAGRANT: f32 = 0.8;
/// At most this many spans for a model decision.
const MAX_SPANS: usize = 3;

/// The feature key of a word: its shape when it has a digit (`0`, `0a`),
/// else its English stem (Snowball, by `rust-stemmers`): "leaking",
/// "leaks" and "leaked" are one feature, counted in three times the notes,
/// so it is in the vocabulary sooner and its weight is learnt from them all
/// (5-fold CV on dev2 at 12,799 notes, words in 17 notes: Priority 85.7 %
/// against 85.4 %, Type 85.9 % against 85.3 %). Spanish words go through the
/// English stemmer too: it only takes a plural "s" off most of them.
pub(super) fn key(norm: &str) -> Cow<'_, str> {
    if norm.bytes().any(|b| b.is_ascii_digit()) {
        Cow::Borrowed(if norm.chars().any(char::is_alphabetic) {
            "0a"
        } else {
            "0"
        })
    } else {
        static STEMMER: OnceLock<Stemmer> = OnceLock::new();
        STEMMER
            .get_or_init(|| Stemmer::create(Algorithm::English))
            .stem(norm)
    }
}

/// A word the model knows: its stem is in the vocabulary and the word is
/// that stem inflected ("heating", "leaks"), not another word that stems
/// the same ("contacter" is a typo of "contactor", not a form of
/// "contact").
pub(super) fn known(norm: &str) -> bool {
    known_by(norm).is_some_and(|k| vocab().binary_search(&k.as_ref()).is_ok())
}

/// The key whose place in the vocabulary would make `norm` a known word:
/// its stem, when `norm` is that stem inflected.
pub(super) fn known_by(norm: &str) -> Option<Cow<'_, str>> {
    let k = key(norm);
    norm.strip_prefix(k.as_ref())
        .is_some_and(|rest| matches!(rest, "" | "s" | "es" | "ed" | "d" | "ing" | "e"))
        .then_some(k)
}

/// The key of each word (`key`), worked out once per note: the model's
/// features and every subject candidate read them.
pub(super) fn keys<'a>(words: &[Word<'a>]) -> Vec<Cow<'a, str>> {
    words.iter().map(|w| key(w.norm)).collect()
}

/// Every feature key of the notes with its span, in order: each word, then
/// the pair it makes with the next word of the same sentence. (Character
/// 4-grams of each word were tried: 5-fold CV on dev gave Type 76.4% against
/// 76.1%, Reason 76.6% either way — not worth their size; again on dev2
/// at 12,799 notes, beside the stems, 5-grams gave Type and Reason 0.6
/// points each for about 8,700 more entries, some 60 KB of engine, and
/// nothing to Priority (`BENCHMARKS.md`). The words of the
/// asset's name and model, as features of their own, were tried at 12,000
/// notes, those in at least 50 notes: 5-fold CV on dev2 gave Priority
/// 84.2% against 84.1%, Type 83.9% against 83.8%, Reason 85.8% against
/// 85.9%, hazard 93.4% against 93.3% — the notes already name what the
/// asset is (the same within ±0.2 at 12,799 notes, with stems). A word
/// missing from the vocabulary read as the one vocabulary word within one
/// typo of it ("compresser" as "compressor", pairs too) was
/// tried with the count-shared penalties: 5-fold CV on dev2 84.9 / 84.8 /
/// 86.3 / 93.5% against 85.0 / 84.6 / 86.3 / 93.5%, and `dev.json`, with its
/// misspelt voices, 229 / 227 / 221 of 280 against 231 / 226 / 222 — and
/// each unknown word scans the vocabulary.)
pub(super) fn each_feature(
    words: &[Word<'_>],
    keys: &[Cow<'_, str>],
    mut f: impl FnMut(&str, Span),
) {
    let mut buf = String::new();
    for (i, (w, k)) in words.iter().zip(keys).enumerate() {
        if k.is_empty() {
            continue;
        }
        // A negator alone would be lit as the reason for a value, and "not"
        // reads as none: its span reaches the word it negates, "not moving".
        let end = match words.get(i + 1) {
            Some(n) if n.brk == Brk::None && NEGATORS.contains(&w.norm) => n.end,
            _ => w.end,
        };
        f(k, Span::new(w.start, end));
        if let Some((k, nk)) = pair(words, keys, i) {
            buf.clear();
            buf.push_str(k);
            buf.push(' ');
            buf.push_str(nk);
            f(&buf, Span::new(w.start, words[i + 1].end));
        }
    }
}

/// The keys of word `i` and the next when the two make a pair feature
/// (written `"{k} {nk}"`): both have a key, and no hard break (a sentence's
/// end) lies between them. The fields' features (`each_feature`) and the
/// subject ranker's (`subject::describe`) pair words by this one rule, so
/// that both look the same pairs up in the vocabulary.
pub(super) fn pair<'k>(
    words: &[Word<'_>],
    keys: &'k [Cow<'_, str>],
    i: usize,
) -> Option<(&'k str, &'k str)> {
    let (k, nk) = (keys.get(i)?, keys.get(i + 1)?);
    (words.get(i + 1)?.brk != Brk::Hard && !k.is_empty() && !nk.is_empty())
        .then_some((k.as_ref(), nk.as_ref()))
}

/// The model's words and pairs, sorted. `model::VOCAB` holds them as one
/// string (as a `&[&str]` each would cost 8 more bytes of pointer and
/// length in the engine), front-coded: each line starts with how many bytes
/// of the word before it repeats, as one character from `0`, at most
/// `train::SHARED` (`train::front_code`). Decoded here once, on first use.
pub(super) fn vocab() -> &'static [&'static str] {
    static TEXT: OnceLock<String> = OnceLock::new();
    static VOCAB: OnceLock<Vec<&'static str>> = OnceLock::new();
    VOCAB.get_or_init(|| {
        TEXT.get_or_init(|| front_decode(model::VOCAB))
            .split('\n')
            .collect()
    })
}

/// Front-coded lines (`vocab`) written out whole, one per line.
pub(super) fn front_decode(coded: &str) -> String {
    // Bytes, checked as UTF-8 once at the end: 0.16 ms for 9,588 words
    // (native, once per session, beside 0.15 ms to split them), where a
    // `String` checking each shared prefix's char boundary took 0.26 ms.
    let mut text: Vec<u8> = Vec::with_capacity(2 * coded.len());
    let mut start = 0;
    for line in coded.as_bytes().split(|&b| b == b'\n') {
        let shared = line
            .first()
            .map_or(0, |b| usize::from(b.saturating_sub(b'0')));
        let before = start;
        start = text.len();
        text.extend_from_within(before..before + shared);
        text.extend_from_slice(line.get(1..).unwrap_or_default());
        text.push(b'\n');
    }
    text.pop();
    String::from_utf8(text).unwrap_or_default()
}

/// The most classes a field has (Reason's seven).
const MAX_CLASSES: usize = 7;

/// Word `i`'s weight for each of `n` classes, quantised. Training centres
/// each word's weights over the classes (adding the same to every class's
/// score changes no probability), so they sum to zero: the last class's
/// weight is minus the others' sum and is not stored — a third of
/// Priority's bytes, half of the hazard's.
pub(super) fn row(words: &[i8], n: usize, i: usize) -> [i32; MAX_CLASSES] {
    let mut out = [0; MAX_CLASSES];
    let stored = &words[i * (n - 1)..(i + 1) * (n - 1)];
    for (o, q) in out.iter_mut().zip(stored) {
        *o = i32::from(*q);
    }
    out[n - 1] = -stored.iter().map(|q| i32::from(*q)).sum::<i32>();
    out
}

/// A vocabulary feature present in the notes: its index, and its span —
/// none for a number, which is never the words that set a value (its
/// feature is only its shape, and it may be a card number the console must
/// show whole).
pub(super) type Feature = (u16, Option<Span>);

/// Feature `i` of the vocabulary, whose key is `key`, found at `span`. A
/// key holding a number (`key` makes every number `0` or `0a`) keeps no span.
pub(super) fn feature(i: usize, key: &str, span: Span) -> Feature {
    let number = key.split(' ').any(|t| t == "0" || t == "0a");
    (i as u16, (!number).then_some(span))
}

/// The vocabulary features present in the notes, duplicates kept.
pub(super) fn features(words: &[Word<'_>], keys: &[Cow<'_, str>]) -> Vec<Feature> {
    let mut out = Vec::with_capacity(words.len() * 2);
    each_feature(words, keys, |k, span| {
        if let Ok(i) = vocab().binary_search(&k) {
            out.push(feature(i, k, span));
        }
    });
    out
}

/// The cue kinds whose presence (live, and negated) the model sees.
const KINDS: [Fx; 24] = [
    Fx::High,
    Fx::Low,
    Fx::Down,
    Fx::Crit,
    Fx::Hazard,
    Fx::Flood,
    Fx::Electrics,
    Fx::Unsure,
    Fx::Calm,
    Fx::Done,
    Fx::Pending,
    Fx::Contained,
    Fx::Redundant,
    Fx::Minor,
    Fx::Open,
    Fx::FireStop,
    Fx::When,
    Fx::Ask,
    Fx::Cause,
    Fx::Safety,
    Fx::Admin,
    Fx::NoFault,
    Fx::Recur,
    Fx::Harm,
];

/// How many concept features there are (see `concepts`).
pub(super) const CONCEPTS: usize = HAZARD_AT + 5 + 6 + 8;
/// Where the rules' hazard (smoke, sparks or fire said plainly; another;
/// put right; none; heard) is in the concepts.
const HAZARD_AT: usize = 2 * KINDS.len() + Ty::ALL.len() + Re::ALL.len() + 4 + 3;

/// The rules found smoke, sparks or fire said plainly.
fn flagrant(concepts: &[f32]) -> bool {
    concepts.get(HAZARD_AT).is_some_and(|x| *x > 0.0)
}

/// The rules found a hazard and saw it put right on the visit.
fn put_right(concepts: &[f32]) -> bool {
    concepts.get(HAZARD_AT + 2).is_some_and(|x| *x > 0.0)
}

/// What the rules found, as features every field's model sees: each cue
/// kind said (live) and said negated; the strongest type and reason vote
/// (the strongest, not the sum, so that saying a thing twice changes
/// nothing); the asset's kind; and the rules' own proposal for each of the
/// four fields, the hazard's in five states (smoke, sparks or fire said
/// plainly; another found; found and put right on the visit; none; smoke,
/// sparks or fire only in someone else's words), so that the model learns
/// how far each holds. These carry over to notes with words
/// never seen in training ("the ward is without" and "production waiting"
/// are both `Crit`).
/// Tried at 12,000 notes and not taken (5-fold CV on dev2, BENCHMARKS.md):
/// the votes said inside the rules' own subject as ten more concepts (no
/// change), and each type's vote by its role — a confirmed cause, a
/// suspicion, in a sentence that drives the priority, the first voted —
/// as twenty more (Type +0.2, hazard −0.2, the held-out hazard 183 → 181).
pub(super) fn concepts(
    hits: &[Hit],
    kind: &AssetKind,
    priority: Option<&Choice>,
    types: &[Choice],
    reasons: &[Choice],
    hazard: &Hazard,
) -> Vec<f32> {
    let mut x = vec![0.0f32; CONCEPTS];
    let mut i = 0;
    for h in hits {
        for fx in h.cue.fx {
            if let Some(k) = KINDS.iter().position(|k| k == fx) {
                x[if h.live() { k } else { KINDS.len() + k }] = 1.0;
            }
            let w = h.weight() * if h.live() { 1.0 } else { 0.0 };
            match *fx {
                Fx::T(t, v) => {
                    if let Some(k) = Ty::ALL.iter().position(|a| *a == t) {
                        let at = 2 * KINDS.len() + k;
                        x[at] = x[at].max(w * f32::from(v) / 3.0);
                    }
                }
                Fx::R(r, v) => {
                    if let Some(k) = Re::ALL.iter().position(|a| *a == r) {
                        let at = 2 * KINDS.len() + Ty::ALL.len() + k;
                        x[at] = x[at].max(w * f32::from(v) / 3.0);
                    }
                }
                _ => {}
            }
        }
    }
    i += 2 * KINDS.len() + Ty::ALL.len() + Re::ALL.len();
    for v in &mut x[2 * KINDS.len()..i] {
        *v = v.min(1.0);
    }
    for (k, b) in [kind.critical, kind.firestop, kind.secure, kind.fine]
        .into_iter()
        .enumerate()
    {
        x[i + k] = f32::from(u8::from(b));
    }
    i += 4;
    let one_hot = |x: &mut [f32], at: &mut usize, classes: &[&str], c: Option<&Choice>, width| {
        let k = c
            .and_then(|c| classes.iter().position(|v| *v == c.value))
            .unwrap_or(width - 1);
        x[*at + k.min(width - 1)] = 1.0;
        *at += width;
    };
    // Priority: High, Medium (or none), Low.
    let p = match priority.map(|c| c.value) {
        Some("High") => 0,
        Some("Low") => 2,
        _ => 1,
    };
    x[i + p] = 1.0;
    i += 3;
    // Hazard: smoke, sparks or fire said plainly; another found; found and
    // put right on the visit; none; smoke, sparks or fire only reported.
    debug_assert_eq!(i, HAZARD_AT);
    let h = match hazard {
        Hazard::Flagrant(_) => 0,
        Hazard::Live(_) => 1,
        Hazard::PutRight => 2,
        Hazard::None => 3,
        Hazard::Reported(_) => 4,
    };
    x[i + h] = 1.0;
    i += 5;
    one_hot(&mut x, &mut i, TYPES, types.first(), 6);
    one_hot(&mut x, &mut i, REASONS, reasons.first(), 8);
    debug_assert_eq!(i, CONCEPTS);
    x
}

/// The rule features of one field: its own rule's value and confidence, or
/// its silence, then the concepts shared by every field.
pub(super) fn rule_features(classes: &[&str], rule: Option<&Choice>, concepts: &[f32]) -> Vec<f32> {
    let n = classes.len();
    let mut x = vec![0.0; 2 * n + 1];
    match rule.and_then(|c| classes.iter().position(|v| *v == c.value).map(|i| (i, c))) {
        Some((i, c)) => {
            x[i] = 1.0;
            x[n + i] = c.confidence;
        }
        None => x[2 * n] = 1.0,
    }
    x.extend_from_slice(concepts);
    x
}

/// Class probabilities of one field.
pub(super) fn probabilities(
    w: &Weights<'_>,
    classes: &[&str],
    feats: &[Feature],
    rule: Option<&Choice>,
    concepts: &[f32],
) -> Vec<f32> {
    let n = classes.len();
    let mut s: Vec<f32> = w.bias.to_vec();
    for (r, x) in rule_features(classes, rule, concepts).iter().enumerate() {
        if *x != 0.0 {
            for (c, sc) in s.iter_mut().enumerate() {
                *sc += x * w.rule[r * n + c];
            }
        }
    }
    let mut seen: Vec<u16> = Vec::with_capacity(feats.len());
    for &(i, _) in feats {
        if seen.contains(&i) {
            continue;
        }
        seen.push(i);
        for (sc, q) in s.iter_mut().zip(row(w.words, n, usize::from(i))) {
            *sc += q as f32 * w.scale;
        }
    }
    softmax(&mut s);
    s
}

pub(super) fn softmax(s: &mut [f32]) {
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in s.iter_mut() {
        *v /= sum;
    }
}

/// Words that say nothing to the person reading the proposal: "to the",
/// "onto" or "y" highlighted as the reason for a Type is noise, even when
/// the model weighs it. Articles, pronouns and conjunctions; verbs that
/// only carry others; prepositions; words of degree, time and doubt that
/// qualify another ("only", "still", "maybe"); their Spanish. Not the
/// negators (`subject::NEGATORS`: their span takes the word they negate),
/// nor words that say something in a field report on their own ("down",
/// "out", "off", "again", "sometimes", "nothing"). In the order of their
/// keys (`key`; a test checks), so that they are looked up by bisection
/// with no sort in the engine. One string, a space between words: a
/// `&[&str]` costs the engine a pointer and a length per word.
const FUNCTION_WORDS: &str = "\
    a about above across against al all already also am an and any another anyone anything are \
    around as at be being because been before behind below beneath beside between both but by \
    can como con could cuando de del desde did do does donde during e each either el en entre \
    es esa ese eso este esta estan esto even every for from fue ha hace hacia had han has \
    hasta have he her here him how i if in inside into is it its just la las le les lo los mas \
    may maybe me mi might more most much must muy my near next ni now o of on only onto or \
    other others our over para per perhaps pero por probably que really same se shall she \
    should sin since so sobre some someone son still su such sus tambien than that the their \
    them then there theres these they this those through thru to too toward towards u un una \
    under until upon us very via was we were what when where whether why which while who whole \
    whom whose will with within without would y ya yet you your";

/// The present words and pairs that weigh most for class `c` against the
/// others, best first, at most `MAX_SPANS`, without overlaps; never a
/// number (`Feature`). A word or pair of function words only, or one
/// already shown, is passed over while another supports the class: the
/// highlighted words are the ones a person can read as a reason.
fn support(w: &Weights<'_>, n: usize, c: usize, feats: &[Feature]) -> Vec<Span> {
    static FUNCTION_KEYS: OnceLock<Vec<Cow<'static, str>>> = OnceLock::new();
    let function = FUNCTION_KEYS.get_or_init(|| FUNCTION_WORDS.split(' ').map(key).collect());
    let telling = |i: u16| {
        vocab().get(usize::from(i)).is_some_and(|k| {
            k.split(' ')
                .any(|t| function.binary_search_by(|f| f.as_ref().cmp(t)).is_err())
        })
    };
    let picked = pick_support(w, n, c, feats, |i, shown| telling(i) && !shown.contains(&i));
    if picked.is_empty() {
        pick_support(w, n, c, feats, |_, _| true)
    } else {
        picked
    }
}

fn pick_support(
    w: &Weights<'_>,
    n: usize,
    c: usize,
    feats: &[Feature],
    keep: impl Fn(u16, &[u16]) -> bool,
) -> Vec<Span> {
    let scored: Vec<(i32, u16, Span)> = feats
        .iter()
        .filter_map(|&(i, span)| {
            let span = span?;
            let row = row(w.words, n, usize::from(i));
            let others = row[..n]
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != c)
                .map(|(_, q)| *q)
                .max()
                .unwrap_or(0);
            let margin = row[c] - others;
            (row[c] > 0 && margin > 0).then_some((margin, i, span))
        })
        .collect();
    // Best first, equals in the notes' order: each margin present, from the
    // highest down, until enough are shown (no sort of what may be
    // thousands of words; the margins are whole weight steps, a few
    // hundred at most).
    let mut out: Vec<Span> = Vec::new();
    let mut shown: Vec<u16> = Vec::new();
    let mut next = scored.iter().map(|s| s.0).max();
    'best: while let Some(m) = next {
        next = scored.iter().map(|s| s.0).filter(|&x| x < m).max();
        for &(_, i, s) in scored.iter().filter(|s| s.0 == m) {
            if out.len() == MAX_SPANS {
                break 'best;
            }
            if keep(i, &shown) && out.iter().all(|o| o.end <= s.start || s.end <= o.start) {
                out.push(s);
                shown.push(i);
            }
        }
    }
    super::analyse::sort_small(&mut out, |a, b| a.start < b.start);
    out
}

/// What the model makes of one field, given the rules' top choice: `None`
/// keeps the rules' proposal; `Some(None)` means "no value" (the default);
/// `Some(Some(choice))` replaces it (with the same value at a lower
/// confidence when the model agrees but is less sure).
pub(super) fn decide(
    w: &Weights<'_>,
    classes: &'static [&'static str],
    feats: &[Feature],
    rule: Option<&Choice>,
    concepts: &[f32],
    silent: &str,
) -> Option<Option<Choice>> {
    if w.gate < 0.0 || rule.is_some_and(|r| r.confidence >= w.gate) {
        return None;
    }
    let n = classes.len();
    let p = probabilities(w, classes, feats, rule, concepts);
    let mut best = 0;
    for c in 1..n {
        if p[c] > p[best] {
            best = c;
        }
    }
    let value = classes[best];
    let rule_value = rule.map_or(silent, |r| r.value);
    if value == rule_value {
        // The rules and the model agree: the rules' words stand, at no more
        // confidence than the model gives them (on 800 fresh notes, the
        // rules' own confidence left Priorities at ≥ 0.8 right 75% of the
        // time; capped by the model's probability, 86%).
        return rule.filter(|r| r.confidence > p[best]).map(|r| {
            Some(Choice {
                value: r.value,
                spans: r.spans.clone(),
                confidence: p[best].max(0.5).min(r.confidence),
            })
        });
    }
    if p[best] < w.sure {
        return None;
    }
    // Erring on the side of safety (GUIDELINES: "might be smoke?" is a
    // hazard): the model clears a hazard the rules found only when sure,
    // surer still when the notes were in doubt.
    let doubted = rule.is_some_and(|r| r.confidence < 0.5);
    let clear = if doubted {
        CLEAR_HAZARD.0
    } else if flagrant(concepts) {
        CLEAR_FLAGRANT
    } else {
        CLEAR_HAZARD.1
    };
    if rule_value == "true" && value == "false" && p[best] < clear {
        return None;
    }
    if rule.is_none() && value == "true" && put_right(concepts) && p[best] < RAISE_PUT_RIGHT {
        return None;
    }
    if value == silent {
        // Back to the default: nothing to point at, and nothing claimed.
        return Some(None);
    }
    let spans = support(w, n, best, feats);
    if spans.is_empty() {
        return None;
    }
    let overruled = if rule.is_some() { OVERRULE } else { 1.0 };
    Some(Some(Choice {
        value,
        spans,
        confidence: (p[best] * overruled).min(MAX_CONFIDENCE),
    }))
}

/// The notes say something is exposed (`exposed`, `exposed wires`, …).
pub(super) fn exposed(words: &[Word<'_>]) -> bool {
    words.iter().any(|w| w.norm.starts_with("expos"))
}

/// Let the model refine the rules' findings.
#[expect(
    clippy::too_many_arguments,
    reason = "the notes' words and keys, what the rules found, and their four proposals refined in place"
)]
pub(super) fn refine(
    words: &[Word<'_>],
    keys: &[Cow<'_, str>],
    concepts: &[f32],
    priority_ruled: bool,
    priority: &mut Option<Choice>,
    types: &mut Vec<Choice>,
    reasons: &mut Vec<Choice>,
    hazard: &mut Option<Choice>,
) {
    let feats = features(words, keys);
    if let Some(d) = decide(
        &model::HAZARD,
        HAZARD,
        &feats,
        hazard.as_ref(),
        concepts,
        "false",
    ) {
        *hazard = d;
    }
    // Exposed wiring found, with nothing else said about the equipment,
    // keeps its Reason unset (GUIDELINES: Other).
    let reason_open = !(reasons.is_empty() && exposed(words));
    for (w, classes, list, open) in [
        (&model::TYPE, TYPES, &mut *types, true),
        (&model::REASON, REASONS, &mut *reasons, reason_open),
    ] {
        if !open {
            continue;
        }
        if let Some(Some(c)) = decide(w, classes, &feats, list.first(), concepts, "Other") {
            list.retain(|o| o.value != c.value);
            list.insert(0, c);
        }
    }
    // Urgency said outright (rule 3), or a backup only just coping (rule
    // 2): the rules' Priority is the guidelines'.
    if !priority_ruled
        && let Some(d) = decide(
            &model::PRIORITY,
            PRIORITY,
            &feats,
            priority.as_ref(),
            concepts,
            "Medium",
        )
    {
        *priority = d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::lex::Lexed;

    /// Weights for two classes where the given words and pairs (as written:
    /// their keys are looked up) weigh `q` for class 0 (and `-q` for class
    /// 1, which is not stored).
    fn weighing(entries: &[(&str, i8)]) -> Vec<i8> {
        let mut words = vec![0i8; vocab().len()];
        for &(k, q) in entries {
            let k: Vec<Cow<'_, str>> = k.split(' ').map(key).collect();
            let k = k.join(" ");
            let i = vocab()
                .binary_search(&k.as_str())
                .unwrap_or_else(|_| panic!("{k} not in vocabulary"));
            words[i] = q;
        }
        words
    }

    fn shown(notes: &str, words: &[i8]) -> Vec<String> {
        let w = Weights {
            scale: 0.01,
            bias: &[0.0, 0.0],
            rule: &[],
            words,
            gate: 2.0,
            sure: 0.0,
        };
        let lexed = Lexed::new(notes);
        let words = lexed.words();
        let feats = features(&words, &keys(&words));
        support(&w, 2, 0, &feats)
            .iter()
            .map(|s| notes[s.range()].to_lowercase())
            .collect()
    }

    #[test]
    fn a_word_weighs_the_same_in_each_of_its_forms() {
        let with = |notes: &str| {
            let lexed = Lexed::new(notes);
            let words = lexed.words();
            features(&words, &keys(&words))
                .iter()
                .map(|&(i, _)| vocab()[usize::from(i)])
                .collect::<Vec<_>>()
        };
        // One feature for the word and one for the pair, whichever form.
        let leaking = with("roof leaking");
        assert_eq!(leaking, with("roof leaks"));
        assert_eq!(leaking, with("Roof leaked"));
        assert_eq!(leaking, ["roof", "roof leak", "leak"]);
        // The highlighted words are the notes' own, not the stem.
        let words = weighing(&[("leak", 50)]);
        assert_eq!(shown("valve leaking badly", &words), ["leaking"]);
        // A number is its shape, never a stem.
        assert_eq!(key("3.2bar"), "0a");
        assert_eq!(key("415"), "0");
    }

    #[test]
    fn a_typo_that_stems_like_a_known_word_is_still_a_typo() {
        assert!(known("heating"), "an inflection of a word the model knows");
        assert!(known("leaks"));
        // "contacter" stems to "contact", but "-er" makes another word: it
        // is left to the one-typo match with "contactor".
        assert!(!known("contacter"));
        assert!(!known("compresser"));
    }

    #[test]
    fn the_words_shown_as_a_reason_are_telling_and_each_shown_once() {
        let notes = "fan noise from the fan, turned off at the isolator to the fan";
        // "to the" and "the" weigh most, and "fan" is there three times.
        let words = weighing(&[
            ("to the", 100),
            ("the", 90),
            ("fan", 80),
            ("noise", 70),
            ("isolator", 60),
        ]);
        assert_eq!(shown(notes, &words), ["fan", "noise", "isolator"]);
        // When only function words support the class, they are still its words.
        let words = weighing(&[("to the", 100)]);
        assert_eq!(shown(notes, &words), ["to the"]);
    }

    #[test]
    fn a_preposition_or_a_qualifier_is_not_shown_as_a_reason() {
        // Looked up by bisection.
        let keys: Vec<_> = FUNCTION_WORDS.split(' ').map(key).collect();
        assert!(keys.windows(2).all(|k| k[0] <= k[1]), "not in key order");
        // The model weighs "onto" (water onto electrics is High) and "only"
        // (a fault on some days only), but a reader sees the words that
        // say so.
        let words = weighing(&[
            ("onto", 100),
            ("only", 90),
            ("dripping", 50),
            ("socket", 40),
        ]);
        let notes = "indoor unit dripping onto double socket, only when cooling";
        assert_eq!(shown(notes, &words), ["dripping", "socket"]);
        // And in Spanish: "hace" (it makes) is not the reason, "ruido" is.
        let words = weighing(&[("hace", 100), ("ruido", 50)]);
        assert_eq!(shown("el motor hace ruido", &words), ["ruido"]);
        // A word that says something alone in a report stays: "down".
        let words = weighing(&[("down", 100), ("only", 90)]);
        assert_eq!(shown("only lift down", &words), ["down"]);
    }

    #[test]
    fn a_negator_is_shown_with_the_word_it_negates() {
        // "not" weighs most, alone: the reader sees what is not happening.
        let words = weighing(&[("not", 100), ("shut", 50)]);
        let notes = "Cooling valve shut, actuator getting 10V and not moving.";
        assert_eq!(shown(notes, &words), ["shut", "not moving"]);
        // The same for the shortened forms and in Spanish.
        let words = weighing(&[("wont", 100), ("no", 90)]);
        assert_eq!(shown("pilot won't stay lit", &words), ["won't stay"]);
        assert_eq!(shown("la bomba no arranca", &words), ["no arranca"]);
        // Before a full stop, the word alone.
        assert_eq!(shown("tried it twice, no. leak at seal", &words), ["no"]);
    }
}
