//! Finding cues in the words, with negation and uncertainty, and turning them
//! into picklist choices. The rules are described in the parent module's docs.

use super::Span;
use super::cues::{Cue, Fx, Re, Ty, candidates, within_one_edit, word_matches};
use super::learn;
use super::lex::{Brk, Word};

/// How many content words after a negator it still negates (and after a
/// proximity word, how far a place reaches).
const NEG_REACH: u8 = 3;

/// Words that introduce a place: "flooding into the cable trench next to the
/// MCC panel" is about water, not about cables or the MCC.
fn proximity(words: &[Word<'_>], i: usize) -> usize {
    let next_is_to = || {
        words
            .get(i + 1)
            .is_some_and(|w| w.norm == "to" && w.brk == Brk::None)
    };
    match words[i].norm {
        "near" | "nearby" | "beside" | "towards" | "into" | "above" | "below" | "beneath" => 1,
        "next" | "close" | "adjacent" if next_is_to() => 2,
        _ => 0,
    }
}

/// Words that do not use up a negation's reach: "no visible sign of any leak".
const SKIP: &[&str] = &[
    "a",
    "an",
    "the",
    "any",
    "sign",
    "signs",
    "of",
    "evidence",
    "visible",
    "obvious",
    "obviously",
    "apparent",
    "more",
    "further",
    "real",
    "other",
    "or",
    "nor",
    "very",
    "too",
    "really",
    "actual",
    "noticeable",
    "immediate",
    "significant",
    "major",
    "serious",
    "trace",
    "traces",
    "indication",
    "with",
    "to",
    "on",
    "in",
    "at",
    "from",
    "by",
    "for",
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "it",
    "this",
    "that",
    "these",
    "those",
    "such",
    "much",
    "my",
    "our",
    "their",
    "his",
    "her",
    "approximately",
    "also",
];

/// Words that close a negated phrase: "no leak found" — what follows is not negated.
const CLOSERS: &[&str] = &[
    "found",
    "seen",
    "detected",
    "observed",
    "noted",
    "present",
    "evident",
    "spotted",
    "noticed",
    "identified",
    "its",
    "theres",
];

/// Words that may stand between a cue and a verdict on it: "bearing temp normal".
const LINKS: &[&str] = &[
    "is",
    "was",
    "are",
    "were",
    "looks",
    "look",
    "looked",
    "seems",
    "seem",
    "seemed",
    "appears",
    "tested",
    "checked",
    "reads",
    "all",
    "temperature",
    "condition",
    "levels",
    "level",
    "itself",
    "still",
    "now",
    "also",
    "both",
    "connections",
    "been",
    "has",
    "have",
    "had",
    "ok",
];

/// Verdicts after a cue that mean the cue is not the problem: "seal ok", "smoke: none".
const OK_WORDS: &[&str] = &[
    "ok",
    "okay",
    "fine",
    "good",
    "normal",
    "healthy",
    "intact",
    "none",
    "nil",
    "negative",
    "absent",
    "tight",
    "clean",
    "clear",
    "working",
    "operational",
];

/// A cue found in the notes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub cue: &'static Cue,
    /// Words `w0..w1`.
    pub w0: usize,
    pub w1: usize,
    pub negated: bool,
    /// The negator's word, when a negator before the cue negated it.
    pub neg_from: Option<usize>,
    pub unsure: bool,
    /// Said as a place ("next to the MCC panel"): it does not vote for type or reason.
    pub place: bool,
    /// Only words of the asset's own name ("PLC" for "Palletiser PLC", "roller"
    /// for "Roller shutter door"): it names the equipment rather than the fault,
    /// so it only breaks ties.
    pub naming: bool,
}

impl Hit {
    pub fn span(&self, words: &[Word<'_>]) -> Span {
        Span::new(words[self.w0].start, words[self.w1 - 1].end)
    }
    /// The span including the negator ("not very urgent").
    pub fn neg_span(&self, words: &[Word<'_>]) -> Span {
        Span::new(
            words[self.neg_from.unwrap_or(self.w0)].start,
            words[self.w1 - 1].end,
        )
    }
    /// Counts for the fields: found, not negated.
    pub fn live(&self) -> bool {
        !self.negated
    }
    pub fn weight(&self) -> f32 {
        if self.unsure { 0.5 } else { 1.0 }
    }
}

fn constraint(list: &[&str], word: Option<&Word<'_>>) -> bool {
    let Some(w) = word else { return false };
    list.iter().any(|p| {
        if *p == "#" {
            w.norm.as_bytes().first().is_some_and(u8::is_ascii_digit)
        } else {
            word_matches(p, w.norm)
        }
    })
}

/// How many words from `i` a pattern matches, walking its bytes (no
/// splitting: this is the hot loop). Words of a phrase may not straddle a break.
fn match_pattern(pat: &[u8], words: &[Word<'_>], i: usize) -> Option<usize> {
    let mut k = i;
    let mut p = 0;
    loop {
        let w = words
            .get(k)
            .filter(|w| k == i || w.brk == Brk::None)?
            .norm
            .as_bytes();
        let mut j = 0;
        loop {
            match pat.get(p) {
                None | Some(b' ') if j == w.len() => break,
                None | Some(b' ') => return None,
                Some(b'*') => {
                    p += 1;
                    break;
                }
                Some(c) if w.get(j) == Some(c) => {
                    j += 1;
                    p += 1;
                }
                Some(_) => return None,
            }
        }
        k += 1;
        if p >= pat.len() {
            return Some(k - i);
        }
        p += 1; // the space between pattern words
    }
}

/// The longest cue that matches at word `i`, and how many words it covers.
pub(super) fn match_at(words: &[Word<'_>], i: usize) -> Option<(&'static Cue, usize)> {
    let mut best: Option<(&'static Cue, usize)> = None;
    for cue in candidates(words[i].norm) {
        let Some(len) = match_pattern(cue.pat.as_bytes(), words, i) else {
            continue;
        };
        let k = i + len;
        if best.is_some_and(|(_, l)| l >= len) {
            continue;
        }
        let prev = (i > 0 && words[i].brk < Brk::Sep).then(|| &words[i - 1]);
        let next = words.get(k).filter(|w| w.brk == Brk::None);
        let r = cue.rules();
        if (!r.before.is_empty() && !constraint(r.before, prev))
            || constraint(r.not_before, prev)
            || constraint(r.not_after, next)
        {
            continue;
        }
        best = Some((cue, k - i));
    }
    best.or_else(|| fuzzy_at(words, i))
}

/// Words one letter from a cue that are words of their own, too rare for
/// the model's vocabulary: "heading" is not "heaving", "racing" not
/// "racking", "quemador" (a burner) not "quemado" (burnt).
const NOT_TYPOS: &[&str] = &[
    "contracts",
    "designer",
    "heading",
    "hearing",
    "misting",
    "pricing",
    "quemador",
    "racing",
    "retaining",
    "shouting",
    "terminar",
];

/// A one-typo match against the longer single-word cues ("bearnig", "contacter").
/// A word that is exactly a cue but failed its context rules stays unmatched.
/// Only cues that merely vote for a type or reason are matched loosely: a
/// typo must never raise the priority or tick the hazard box ("meeting" is
/// one letter from "melting"). Misspelt urgency words are aliases instead.
/// A word the model knows (`learn::known`: its stem seen in many
/// development notes, with an inflection's ending) is a word, not a typo:
/// "heating" is one letter from "heaving", and had voted Structural in every
/// note that said it.
fn fuzzy_at(words: &[Word<'_>], i: usize) -> Option<(&'static Cue, usize)> {
    let w = words[i].norm;
    near_cue(w).filter(|_| !learn::known(w)).map(|cue| (cue, 1))
}

/// The cue `w` is one typo from, were it not a word the model knows. The
/// training keeps such a word in the model's vocabulary by how many notes
/// it is in, not by its weight (`train::vocabulary`), so what the matcher
/// reads as a typo does not hang on which words the last training kept.
pub(super) fn near_cue(w: &str) -> Option<&'static Cue> {
    if w.len() < 6 || !w.is_ascii() || NOT_TYPOS.contains(&w) {
        return None;
    }
    // Typos past the second letter: the first two bytes pick the candidates.
    candidates(w).find(|cue| {
        cue.pat.len() >= 7
            && cue.pat.len().abs_diff(w.len()) <= 1
            && !cue.pat.bytes().any(|b| b == b' ' || b == b'*')
            && !cue.fx.is_empty()
            && cue.fx.iter().all(|f| matches!(f, Fx::T(..) | Fx::R(..)))
            && cue.pat != w
            && within_one_edit(cue.pat, w)
    })
}

/// After a comma, a negation still reaches a list: "no smoke, sparks or smell".
fn list_continues(words: &[Word<'_>], i: usize) -> bool {
    for (n, w) in words[i..].iter().enumerate().take(6) {
        if n > 0 && w.brk > Brk::Comma {
            return false;
        }
        match w.norm {
            "or" | "nor" => return true,
            "and" | "but" => return false,
            _ => {}
        }
    }
    false
}

/// A verdict after the cue ending before word `j` says it is not the problem:
/// "seal ok", "bearing temp normal", "smoke: none", "leak - no", "leak was ruled out".
fn post_negated(words: &[Word<'_>], j: usize) -> bool {
    let mut k = j;
    let Some(first) = words.get(k) else {
        return false;
    };
    if first.brk == Brk::Hard {
        return false;
    }
    let sep = first.brk;
    if sep == Brk::None {
        let mut links = 0;
        while links < 2
            && LINKS.contains(&words[k].norm)
            && !OK_WORDS.contains(&words[k].norm)
            && words.get(k + 1).is_some_and(|w| w.brk == Brk::None)
        {
            k += 1;
            links += 1;
        }
    }
    let w = &words[k];
    let next = words.get(k + 1).filter(|n| n.brk == Brk::None);
    if OK_WORDS.contains(&w.norm) && sep != Brk::Comma {
        return true;
    }
    match w.norm {
        "no" => sep == Brk::Sep && next.is_none(),
        "ruled" => next.is_some_and(|n| n.norm == "out"),
        "not" => next.is_some_and(|n| {
            matches!(
                n.norm,
                "found" | "present" | "seen" | "detected" | "evident" | "observed"
            )
        }),
        _ => false,
    }
}

/// Every cue in the notes, with negation and uncertainty applied. Cues made
/// only of words of the asset's own name (`asset_words`, lower case) name the
/// equipment rather than describe the fault, so they do not vote.
pub(super) fn find_hits(words: &[Word<'_>], asset_words: &[String]) -> Vec<Hit> {
    let n_clauses = words.last().map_or(0, |w| w.clause as usize + 1);
    let mut unsure = vec![false; n_clauses];
    for w in words {
        if w.question {
            unsure[w.clause as usize] = true;
        }
    }
    let mut hits = Vec::new();
    let mut neg_left: u8 = 0;
    let mut neg_at = 0usize;
    let mut place_left: u8 = 0;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.brk != Brk::None {
            place_left = 0;
        }
        match w.brk {
            Brk::None => {}
            Brk::Comma if list_continues(words, i) => {}
            _ => neg_left = 0,
        }
        let near = proximity(words, i);
        if near > 0 {
            place_left = NEG_REACH;
            i += near;
            continue;
        }
        if matches!(
            w.norm,
            "and" | "but" | "however" | "although" | "though" | "whereas" | "yet"
        ) {
            neg_left = 0;
            i += 1;
            continue;
        }
        if let Some((cue, len)) = match_at(words, i) {
            if cue.has(Fx::Neg) {
                neg_left = NEG_REACH;
                neg_at = i;
            } else if cue.has(Fx::Unsure) {
                unsure[w.clause as usize] = true;
            } else {
                // Status words ("until", "fixed", "ordered") say where the job
                // stands, not what the fault is: a negator does not reach them.
                let selfneg = cue.self_negating() || cue.is_status();
                let pre = !selfneg && neg_left > 0;
                let negated = pre || (!selfneg && post_negated(words, i + len));
                hits.push(Hit {
                    cue,
                    w0: i,
                    w1: i + len,
                    negated,
                    neg_from: pre.then_some(neg_at),
                    unsure: false,
                    place: place_left > 0,
                    naming: words[i..i + len]
                        .iter()
                        .all(|w| asset_words.iter().any(|a| a == w.norm)),
                });
                neg_left = if selfneg {
                    0
                } else {
                    neg_left.saturating_sub(1)
                };
                place_left = place_left.saturating_sub(1);
            }
            i += len;
            continue;
        }
        if CLOSERS.contains(&w.norm) {
            neg_left = 0;
        } else if !SKIP.contains(&w.norm) {
            neg_left = neg_left.saturating_sub(1);
            place_left = place_left.saturating_sub(1);
        }
        i += 1;
    }
    for h in &mut hits {
        h.unsure = unsure[words[h.w0].clause as usize];
    }
    // In the order of the words, none overlapping: `hits_from` bisects.
    debug_assert!(hits.windows(2).all(|p| p[0].w1 <= p[1].w0));
    hits
}

/// The hits that start at words `a..b`. `find_hits` makes them in the
/// order of the words, none overlapping, so a range is a slice found by
/// bisection: every lookup by position stays logarithmic, however long the
/// notes.
pub(super) fn hits_from(hits: &[Hit], a: usize, b: usize) -> &[Hit] {
    let lo = hits.partition_point(|h| h.w0 < a);
    let hi = hits.partition_point(|h| h.w0 < b);
    &hits[lo..hi.max(lo)]
}

/// Whether a hit covers word `k` (the last to start at or before it).
pub(super) fn covered(hits: &[Hit], k: usize) -> bool {
    let i = hits.partition_point(|h| h.w0 <= k);
    i > 0 && hits[i - 1].w1 > k
}

/// One ranked candidate for a picklist.
#[derive(Debug, Clone)]
pub(super) struct Choice {
    pub value: &'static str,
    pub spans: Vec<Span>,
    pub confidence: f32,
}

/// Sort a short slice (a handful of candidates or spans) in place, stably.
/// An insertion sort: the generic library sorts cost kilobytes of wasm.
pub(super) fn sort_small<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Spans that overlap or touch merged, in the notes' order. Usually a
/// handful that come in order, joined as they come; out of order they are
/// first marked on a map of the bytes they cover rather than sorted: a
/// value's spans gather from several lists, and in a pasted log of
/// thousands of cues they are thousands.
pub(super) fn merge(spans: Vec<Span>) -> Vec<Span> {
    debug_assert!(spans.iter().all(|s| s.start < s.end));
    let spans = if spans.is_sorted_by_key(|s| s.start) {
        spans
    } else {
        let lo = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let hi = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let mut covered = vec![false; (hi - lo) as usize];
        for s in &spans {
            covered[(s.start - lo) as usize..(s.end - lo) as usize].fill(true);
        }
        (lo..)
            .zip(covered)
            .filter(|&(_, c)| c)
            .map(|(at, _)| Span {
                start: at,
                end: at + 1,
            })
            .collect()
    };
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Score every candidate from the live hits' votes; best first. Ties go to
/// the candidate the asset's own name suggests ("PLC"), then by `precedence`
/// (lower first) when given, else to the candidate mentioned first
/// (technicians lead with the main problem).
fn rank<const N: usize>(
    hits: &[Hit],
    words: &[Word<'_>],
    values: [&'static str; N],
    precedence: Option<[usize; N]>,
    boost: &[f32],
    vote: impl Fn(Fx) -> Option<(usize, u8)>,
) -> Vec<Choice> {
    #[derive(Clone, Copy, Default)]
    struct Tally {
        score: f32,
        certain: f32,
        /// Votes of cues that only name the asset: they break ties.
        prior: f32,
        first: usize,
        n: u32,
    }
    let mut tally = [Tally {
        first: usize::MAX,
        ..Tally::default()
    }; N];
    let mut spans: [Vec<Span>; N] = std::array::from_fn(|_| Vec::new());
    let mut naming_spans: [Vec<Span>; N] = std::array::from_fn(|_| Vec::new());
    for (h, &b) in hits.iter().zip(boost).filter(|(h, _)| h.live() && !h.place) {
        for &f in h.cue.fx {
            if let Some((k, w)) = vote(f) {
                let t = &mut tally[k];
                let s = f32::from(w) * h.weight() * b;
                if h.naming || h.cue.has(Fx::Noun) {
                    t.prior += s;
                    naming_spans[k].push(h.span(words));
                    continue;
                }
                t.score += s;
                if !h.unsure {
                    t.certain += s;
                }
                t.first = t.first.min(h.w0);
                t.n += 1;
                spans[k].push(h.span(words));
            }
        }
    }
    let mut order: Vec<usize> = (0..N).filter(|&k| tally[k].score > 0.0).collect();
    if order.is_empty() {
        // Only the asset's own name speaks ("Fire alarm panel … batteries
        // tested"): a weak pointer, but better than nothing.
        let best = (0..N)
            .filter(|&k| tally[k].prior > 0.0)
            .max_by(|&a, &b| tally[a].prior.total_cmp(&tally[b].prior).then(b.cmp(&a)));
        return best
            .map(|k| Choice {
                value: values[k],
                spans: merge(std::mem::take(&mut naming_spans[k])),
                confidence: 0.35,
            })
            .into_iter()
            .collect();
    }
    sort_small(&mut order, |&a, &b| {
        let tie = tally[b]
            .prior
            .total_cmp(&tally[a].prior)
            .then(match precedence {
                Some(p) => p[a].cmp(&p[b]),
                None => tally[a].first.cmp(&tally[b].first),
            });
        tally[b].score.total_cmp(&tally[a].score).then(tie).is_lt()
    });
    let mut out = Vec::with_capacity(order.len());
    for (pos, &k) in order.iter().enumerate() {
        let t = tally[k];
        let runner = order
            .iter()
            .filter(|&&o| o != k)
            .map(|&o| tally[o].score)
            .fold(0.0, f32::max);
        let mut confidence = if t.certain == 0.0 {
            0.4
        } else {
            0.55 + 0.1 * (t.n.min(4) - 1) as f32
        };
        if runner > 0.0 && runner >= 0.75 * t.score {
            confidence -= 0.15;
        }
        if pos > 0 {
            confidence -= 0.2;
        }
        out.push(Choice {
            value: values[k],
            spans: merge(std::mem::take(&mut spans[k])),
            confidence: confidence.clamp(0.15, 0.95),
        });
    }
    out
}

/// How much each hit's type vote counts, by the guidelines' tie-breaks: a
/// cause the technician confirmed ("found …", "caused by …") beats the
/// symptom, and in a note with several problems the one that drives the
/// priority (a hazard or High cue in its sentence) sets the Type, while a
/// problem said to be cosmetic or not urgent counts less.
fn type_boost(hits: &[Hit], words: &[Word<'_>]) -> Vec<f32> {
    let sentence = |h: &Hit| words[h.w0].sentence;
    let votes = |h: &Hit| h.live() && !h.place && h.cue.fx.iter().any(|f| matches!(f, Fx::T(..)));
    let driving = |h: &Hit| h.live() && !h.unsure && (h.cue.has(Fx::High) || h.cue.has(Fx::Hazard));
    let lowering = |h: &Hit| h.live() && h.cue.has(Fx::Low);
    let voting: Vec<u16> = hits.iter().filter(|h| votes(h)).map(sentence).collect();
    let spread = voting.windows(2).any(|w| w[0] != w[1]);
    // The hits are in the order of the words, so a sentence's lie together:
    // each sentence read once, however long the notes.
    let mut out = Vec::with_capacity(hits.len());
    for said in hits.chunk_by(|a, b| sentence(a) == sentence(b)) {
        let drives = spread && said.iter().any(driving);
        let lowers = spread && said.iter().any(lowering);
        let mut cause = false;
        for h in said {
            let mut b = 1.0;
            if !h.unsure && cause {
                b *= 1.5;
            }
            if drives {
                b *= 1.5;
            }
            if lowers {
                b *= 0.5;
            }
            out.push(b);
            cause |= h.live() && h.cue.has(Fx::Cause);
        }
    }
    out
}

/// The hits of one cue kind that count for the fields (`Hit::live`: not negated).
fn live_of(hits: &[Hit], f: Fx) -> impl Iterator<Item = &Hit> {
    hits.iter().filter(move |h| h.live() && h.cue.has(f))
}

/// A fault said outright: something down, or a breakdown or poor
/// performance in plain words.
fn fault_said(hits: &[Hit]) -> bool {
    hits.iter().any(|h| {
        h.live()
            && h.cue.fx.iter().any(|f| {
                matches!(
                    f,
                    Fx::Down | Fx::R(Re::Breakdown, 2) | Fx::R(Re::Performance, 2)
                )
            })
    })
}

/// The words of a visit that could not get to the equipment, in a note
/// that says no fault, no hazard and no part at fault (the asset's own
/// name aside), or none: the guidelines' Type `Other` ("access problems")
/// — "went for the 6 monthly, no keys, rebook". The rules alone on dev2
/// (45,559 notes): 94 notes more right and 3 more wrong (with quotes too,
/// which nearly always name their part, 136 and 100).
fn access_only(hits: &[Hit]) -> Vec<&Hit> {
    let part = hits.iter().any(|h| {
        h.live()
            && !h.place
            && !h.naming
            && !h.cue.has(Fx::Noun)
            && h.cue.fx.iter().any(|f| matches!(f, Fx::T(..)))
    });
    if part || fault_said(hits) || live_of(hits, Fx::Hazard).next().is_some() {
        return Vec::new();
    }
    live_of(hits, Fx::Access).collect()
}

pub(super) fn rank_types(hits: &[Hit], words: &[Word<'_>]) -> Vec<Choice> {
    let boost = type_boost(hits, words);
    let mut out = rank(
        hits,
        words,
        Ty::ALL.map(Ty::value),
        None,
        &boost,
        |f| match f {
            Fx::T(t, w) => Some((t as usize, w)),
            _ => None,
        },
    );
    let access = access_only(hits);
    if !access.is_empty() {
        // Only the asset's name spoke for the others: it comes second.
        for c in &mut out {
            c.confidence = (c.confidence - 0.2).max(0.15);
        }
        out.insert(
            0,
            Choice {
                value: "Other",
                spans: spans_of(&access, words),
                confidence: 0.5,
            },
        );
    }
    out
}

/// Reasons tie by what explains the others: an installation or design problem
/// explains a breakdown, a breakdown explains poor performance, and feedback
/// is how we heard of it. Order of `Re::ALL`: Installation, Complexity,
/// Performance, Breakdown, Design, Feedback.
const REASON_PRECEDENCE: [usize; 6] = [0, 2, 4, 3, 1, 5];

pub(super) fn rank_reasons(hits: &[Hit], words: &[Word<'_>]) -> Vec<Choice> {
    rank(
        hits,
        words,
        Re::ALL.map(Re::value),
        Some(REASON_PRECEDENCE),
        &vec![1.0; hits.len()],
        |f| match f {
            Fx::R(r, w) => Some((r as usize, w)),
            _ => None,
        },
    )
}

/// Asset names that make "down"/"not running" a High: the building or the stock
/// depends on them; from "calorifier" on, the guidelines' rule 2 (issue 10):
/// hot water, sterile services, samples, vehicles needed to work, water to
/// the building. These lists are each one string, a space between words: a
/// `&[&str]` costs the engine a pointer and a length per word.
const CRITICAL_ASSETS: &str = "\
    boiler boilers chiller chillers freezer freezers fridge refrigeration cold coldroom lift \
    lifts elevator escalator generator genset ups sprinkler sprinklers fire server servers mdb \
    incomer kiln furnace main critical calorifier calorifiers autoclave steriliser sterilizer \
    incubator ult vaccine forklift van truck vehicle booster";

/// The asset name's words, lower case, for matching against normalised words.
pub(super) fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

pub(super) fn critical_asset(name: &str, model: &str) -> bool {
    asset_has(name, CRITICAL_ASSETS) || asset_has(model, CRITICAL_ASSETS)
}

/// Asset names whose "won't close" leaves an escape route unprotected (a
/// hazard) or the building insecure (High).
const FIRESTOP_ASSETS: &str = "fire smoke aov damper dampers";
const SECURE_ASSETS: &str = "shutter shutters gate gates entrance door doors barrier";

/// Whether a word of `name` is one of `list`'s, ignoring case.
fn asset_has(name: &str, list: &str) -> bool {
    name.split(|c: char| !c.is_alphanumeric())
        .any(|w| one_of(list, w))
}

/// Whether `w` is one of the words of `list` (a space between each),
/// ignoring case: a word list the engine reads now and then, kept as one
/// string because a `&[&str]` costs a pointer and a length per word.
pub(super) fn one_of(list: &str, w: &str) -> bool {
    list.split(' ').any(|c| c.eq_ignore_ascii_case(w))
}

pub(super) fn firestop_asset(name: &str) -> bool {
    asset_has(name, FIRESTOP_ASSETS)
}

pub(super) fn secure_asset(name: &str) -> bool {
    asset_has(name, SECURE_ASSETS) && !asset_has(name, "fire freezer fridge oven")
}

/// What the asset tells the priority and hazard rules.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AssetKind {
    pub critical: bool,
    pub firestop: bool,
    pub secure: bool,
    /// The notes say the asset itself is fine ("escalator fine", "freezer
    /// itself fine -80C"): what is down is a part, not the service.
    pub fine: bool,
}

/// An asset word followed within its clause by a verdict ("escalator fine",
/// "lift is working normal", "case temp 3C fine").
pub(super) fn asset_fine(words: &[Word<'_>], asset_words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        asset_words
            .iter()
            .any(|a| a == w.norm && a.len() > 2 && !a.bytes().all(|b| b.is_ascii_digit()))
            && words[i + 1..]
                .iter()
                .take(4)
                .take_while(|n| n.clause == w.clause)
                .any(|n| matches!(n.norm, "fine" | "normal" | "normally" | "unaffected"))
    })
}

fn spans_of(v: &[&Hit], words: &[Word<'_>]) -> Vec<Span> {
    merge(
        v.iter()
            .map(|h| {
                if h.negated {
                    h.neg_span(words)
                } else {
                    h.span(words)
                }
            })
            .collect(),
    )
}

/// Whether the rules' Priority stands, the model not weighing it.
///
/// - Urgency said outright and plainly (guidelines' Priority rule 3): a
///   live, certain `Urgent` cue. Rules 1–3 all come before the rest, so
///   the rules' Priority is the guidelines' answer: trained on notes where
///   "urgent" is nearly always "not urgent", the model took "Urgent:
///   ceiling leak in the office" for Low.
/// - A backup only just coping where the rules found High (rule 2). A
///   strain said before work done ("… only just keeping up. Cleared it,
///   both running") is history when nothing is left outstanding, and the
///   rules do not find it High (`priority`); either way the model weighs
///   that note as any other.
pub(super) fn priority_ruled(hits: &[Hit], priority: Option<&Choice>) -> bool {
    let live = |f: Fx| {
        hits.iter()
            .filter(move |h| h.live() && !h.unsure && h.cue.has(f))
    };
    let urgency_said = live(Fx::Urgent).next().is_some();
    let strained = live(Fx::Strained).any(|s| !live(Fx::Done).any(|d| d.w0 > s.w0));
    urgency_said || strained && priority.is_some_and(|c| c.value == "High")
}

/// Priority, in the guidelines' order: a hazard; a service down or a
/// consequence imminent (unless another unit carries the load); explicit
/// urgency; explicit low urgency; then routine work, feedback, admin or a
/// fault put right on the visit with nothing left outstanding → Low;
/// otherwise `None` (the default, Medium).
///
/// Uncertain cues count after certain ones: a certain High wins, then a
/// certain Low, then an uncertain High ("might be smoke?" — safety first,
/// with low confidence), then an uncertain Low.
pub(super) fn priority(
    hits: &[Hit],
    words: &[Word<'_>],
    asset: AssetKind,
    hazard: Option<&Choice>,
) -> Option<Choice> {
    let live = |f: Fx| live_of(hits, f);
    let redundant = live(Fx::Redundant).next().is_some();
    let crit_hits: Vec<&Hit> = live(Fx::Crit).collect();
    let critical = (asset.critical || !crit_hits.is_empty()) && !redundant && !asset.fine;
    let opened: Vec<&Hit> = if asset.secure {
        live(Fx::Open).collect()
    } else {
        Vec::new()
    };
    // "door heater not working": the part named just before is down, not
    // the (critical) asset.
    let part_down = |h: &Hit| {
        hits.iter().any(|p| {
            p.live()
                && !p.naming
                && p.w1 <= h.w0
                && h.w0 - p.w1 <= 1
                && words[p.w0].clause == words[h.w0].clause
                && p.cue.fx.iter().any(|f| matches!(f, Fx::T(..)))
        })
    };
    let is_high = |h: &&Hit| {
        h.live() && (h.cue.has(Fx::High) || (critical && h.cue.has(Fx::Down) && !part_down(h)))
    };
    let is_low = |h: &&Hit| {
        (h.live() && h.cue.has(Fx::Low)) || (h.negated && h.cue.rules().neg_fx.contains(&Fx::Low))
    };
    let mut high: Vec<&Hit> = hits.iter().filter(is_high).collect();
    high.extend(opened.iter().copied());
    // "today" is urgency beside a request in the same clause.
    high.extend(live(Fx::When).filter(|h| {
        let s = words[h.w0].clause;
        live(Fx::Ask).any(|a| words[a.w0].clause == s)
    }));
    let low: Vec<&Hit> = hits.iter().filter(is_low).collect();
    let certain = |v: &[&Hit]| v.iter().filter(|h| !h.unsure).count();
    let (n_high, n_low) = (certain(&high), certain(&low));

    // 1. A hazard → High; a contained hazard on a minor item → Medium.
    if let Some(hz) = hazard.filter(|c| c.confidence >= 0.8) {
        let contained: Vec<&Hit> = live(Fx::Contained).filter(|h| !h.unsure).collect();
        let minor: Vec<&Hit> = live(Fx::Minor).collect();
        let other_high = high.iter().any(|h| !h.unsure && !h.cue.has(Fx::Hazard));
        if !contained.is_empty() && !minor.is_empty() && !other_high {
            let mut all = minor;
            all.extend(contained);
            return Some(Choice {
                value: "Medium",
                spans: spans_of(&all, words),
                confidence: 0.55,
            });
        }
        let mut spans = hz.spans.clone();
        spans.extend(spans_of(&high, words));
        return Some(Choice {
            value: "High",
            spans: merge(spans),
            confidence: if n_high > 0 { 0.9 } else { 0.8 },
        });
    }
    // A stoppage put right on the visit ("glued back on, working now") with
    // nothing outstanding is no longer a service down.
    let restored = {
        let last_down = high.iter().map(|h| h.w0).max().unwrap_or(0);
        let fixed_after = hits
            .iter()
            .any(|h| h.live() && h.cue.has(Fx::Done) && h.w0 > last_down);
        let open = hits
            .iter()
            .any(|h| h.live() && !h.unsure && (h.cue.has(Fx::Pending) || h.cue.has(Fx::Contained)))
            || hits
                .iter()
                .any(|h| h.live() && h.cue.has(Fx::Recur) && h.w0 > last_down);
        fixed_after && !open
    };
    let only_down = high.iter().all(|h| !h.cue.has(Fx::High));
    // So is a backup only just coping (rule 2) once the unit it stood in
    // for is back: "… only just keeping up. Cleared it, both running".
    let passing = high
        .iter()
        .all(|h| !h.cue.has(Fx::High) || h.cue.has(Fx::Strained));
    if passing && restored {
        high.clear();
    }
    let n_high = certain(&high);
    // 2–3. A consequence or explicit urgency.
    if n_high > 0 {
        let mut all = high.clone();
        if only_down {
            all.extend(crit_hits.iter().copied());
        }
        let mut confidence = if only_down {
            0.7
        } else {
            (0.75 + 0.05 * (n_high - 1) as f32).min(0.9)
        };
        if n_low > 0 {
            confidence -= 0.15;
        }
        return Some(Choice {
            value: "High",
            spans: spans_of(&all, words),
            confidence,
        });
    }
    // 4. Explicit low urgency.
    if n_low > 0 {
        let confidence = (0.75 + 0.05 * (n_low - 1) as f32).min(0.9);
        return Some(Choice {
            value: "Low",
            spans: spans_of(&low, words),
            confidence,
        });
    }
    // 5. Routine, feedback, admin, or put right — with nothing outstanding.
    // A suspicion voiced after the fix ("maybe undersized overload?") leaves
    // the cause unknown.
    let first_done = live(Fx::Done).map(|h| h.w0).min();
    let doubt_after = first_done.is_some_and(|at| {
        words[at..].iter().any(|w| w.question) || hits.iter().any(|h| h.w0 > at && h.unsure)
    });
    let recur_after = first_done.is_some_and(|at| live(Fx::Recur).any(|h| h.w0 > at));
    let pending = live(Fx::Pending).any(|h| !h.unsure)
        || live(Fx::Contained).next().is_some()
        || doubt_after
        || recur_after;
    let uncertain_high = !high.is_empty();
    let faulty = fault_said(hits);
    if !uncertain_high && hazard.is_none() {
        // The note says there is nothing wrong, or it is admin with no fault.
        let nofault: Vec<&Hit> = live(Fx::NoFault).collect();
        let admin: Vec<&Hit> = live(Fx::Admin).collect();
        let outstanding = live(Fx::Pending).any(|h| !h.unsure);
        let said = if !nofault.is_empty() && !outstanding {
            nofault
        } else if !faulty {
            admin
        } else {
            Vec::new()
        };
        if !said.is_empty() {
            return Some(Choice {
                value: "Low",
                spans: spans_of(&said, words),
                confidence: 0.6,
            });
        }
    }
    if !pending && !uncertain_high && hazard.is_none() {
        let calm: Vec<&Hit> = live(Fx::Calm).collect();
        let done: Vec<&Hit> = live(Fx::Done).collect();
        // A fault still described after the last "fixed" word is not fixed.
        let last_done = done.iter().map(|h| h.w0).max();
        let fault_after = |at: usize| {
            hits.iter().any(|h| {
                h.live()
                    && h.w0 > at
                    && h.cue.fx.iter().any(|f| {
                        matches!(
                            f,
                            Fx::Down | Fx::R(Re::Breakdown, 2) | Fx::R(Re::Performance, 2)
                        )
                    })
            })
        };
        let faults = hits.iter().any(|h| {
            h.live()
                && h.cue.fx.iter().any(|f| {
                    matches!(
                        f,
                        Fx::Down | Fx::R(Re::Breakdown, _) | Fx::R(Re::Performance, 2)
                    )
                })
        });
        if !calm.is_empty() && (!faults || !done.is_empty()) {
            let mut all = calm;
            all.extend(done.iter().copied());
            return Some(Choice {
                value: "Low",
                spans: spans_of(&all, words),
                confidence: 0.6,
            });
        }
        if let Some(at) = last_done
            && !fault_after(at)
        {
            return Some(Choice {
                value: "Low",
                spans: spans_of(&done, words),
                confidence: 0.55,
            });
        }
    }
    if uncertain_high {
        return Some(Choice {
            value: "High",
            spans: spans_of(&high, words),
            confidence: 0.45,
        });
    }
    if let Some(hz) = hazard {
        return Some(Choice {
            value: "High",
            spans: hz.spans.clone(),
            confidence: 0.45,
        });
    }
    if !low.is_empty() {
        return Some(Choice {
            value: "Low",
            spans: spans_of(&low, words),
            confidence: 0.4,
        });
    }
    None
}

/// What the rules make of the notes' safety hazards.
#[derive(Debug)]
pub(super) enum Hazard {
    /// Smoke, sparks or fire said plainly: the guidelines' first hazards.
    Flagrant(Choice),
    /// Smoke, sparks or fire, or a verdict such as "dangerous", only in
    /// someone else's words ("the customer rang saying the UPS was
    /// 'smoking'", "a 'dangerous' crack"), and no other hazard: as often
    /// steam, dust, a cold diesel or a hairline crack as a danger, so the
    /// model weighs it apart.
    Reported(Choice),
    /// A hazard is found, and not put right.
    Live(Choice),
    /// A hazard is found and fully put right on the visit ("cover refitted,
    /// all safe"): no hazard, and the learned model is told so.
    PutRight,
    /// None is found.
    None,
}

impl Hazard {
    /// The proposal: a live hazard's.
    pub(super) fn live(self) -> Option<Choice> {
        match self {
            Hazard::Flagrant(c) | Hazard::Reported(c) | Hazard::Live(c) => Some(c),
            Hazard::PutRight | Hazard::None => None,
        }
    }

    /// The proposal, borrowed.
    pub(super) fn choice(&self) -> Option<&Choice> {
        match self {
            Hazard::Flagrant(c) | Hazard::Reported(c) | Hazard::Live(c) => Some(c),
            Hazard::PutRight | Hazard::None => None,
        }
    }
}

/// Words that put what follows in someone else's mouth.
const REPORTING: &[&str] = &[
    "said",
    "saying",
    "says",
    "say",
    "reckoned",
    "reckons",
    "reckon",
    "thought",
    "reported",
    "reporting",
    "report",
    "reports",
    "rang",
    "complained",
    "complaining",
    "complaint",
    "claimed",
    "claims",
    "worried",
    "panic",
    "panicking",
    "apparently",
    "told",
    "dice",
    "dicen",
    "dijo",
    "diciendo",
    "llamo",
    "llamaron",
    "comenta",
    "comento",
    "reporta",
    "reporto",
    "segun",
    "pensaba",
    "piensa",
    "cree",
    "creia",
];

/// How far back in its clause a reporting word reaches.
const REPORTED_REACH: usize = 10;

/// A cue said in someone else's words: in quotes ("'smoking'"), or after a
/// reporting word in its clause ("the chef says the kitchen is full of
/// smoke", not "the chef says it tripped, I found smoke …").
fn reported(notes: &str, words: &[Word<'_>], h: &Hit) -> bool {
    let w = &words[h.w0];
    let quoted = notes[..w.start]
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '\'' | '‘' | '"' | '“'));
    quoted
        || words[h.w0.saturating_sub(REPORTED_REACH)..h.w0]
            .iter()
            .any(|p| p.clause == w.clause && REPORTING.contains(&p.norm))
}

/// Safety hazard: `Live` (`Flagrant` for smoke, sparks or fire said
/// plainly, `Reported` for them said only in someone else's words) when a
/// live hazard cue is found, or scalding
/// water in the readings (`scalding`). Water counts only
/// when electrics are mentioned too; a barrier that will not close counts on
/// a fire door or smoke vent. A hazard put right on the visit ("stuck down,
/// done") with nothing contained or outstanding is gone. A hazard the
/// guidelines name outright (`scald`: scalding water at an outlet, a dead
/// fire panel, an emergency call device that raises nothing,
/// over-chlorinated pool water) is proposed at
/// 0.9, so the learned model, which decides below that, cannot clear it.
pub(super) fn hazard(
    notes: &str,
    hits: &[Hit],
    words: &[Word<'_>],
    asset: AssetKind,
    scald: Option<Scald>,
) -> Hazard {
    let electrics = hits.iter().any(|h| {
        h.live()
            && h.cue
                .fx
                .iter()
                .any(|f| matches!(f, Fx::Electrics | Fx::T(Ty::Electrical, _)))
    });
    let firestop = asset.firestop || hits.iter().any(|h| h.live() && h.cue.has(Fx::FireStop));
    // A safety device with a failure in its clause ("brake not applying",
    // "safety edge cable cut", "interlock broken").
    let failing = |h: &Hit| {
        h.live()
            && h.cue
                .fx
                .iter()
                .any(|f| matches!(f, Fx::Down | Fx::R(Re::Breakdown, _)))
    };
    let device_failed = |h: &Hit| {
        h.cue.has(Fx::Safety)
            && hits.iter().any(|f| {
                failing(f) && !std::ptr::eq(f, h) && words[f.w0].clause == words[h.w0].clause
            })
    };
    let found: Vec<&Hit> = hits
        .iter()
        .filter(|h| {
            h.live()
                && (h.cue.has(Fx::Hazard)
                    || h.cue.has(Fx::Harm)
                    || (electrics && h.cue.has(Fx::Flood))
                    || (firestop
                        && (h.cue.has(Fx::Open) || h.cue.has(Fx::Shut) || h.cue.has(Fx::Hangs)))
                    || device_failed(h))
        })
        .collect();
    if found.is_empty() && scald.is_none() {
        return Hazard::None;
    }
    let stated = scald.is_some();
    let certain = found.iter().any(|h| !h.unsure) || stated;
    let last = found
        .iter()
        .map(|h| h.w0)
        .chain(scald.as_ref().map(|s| s.w0))
        .max()
        .unwrap_or(0);
    let kept = hits
        .iter()
        .any(|h| h.live() && !h.unsure && (h.cue.has(Fx::Pending) || h.cue.has(Fx::Contained)));
    let removed = !kept
        && hits.iter().any(|h| {
            h.live()
                && h.cue.has(Fx::Done)
                && h.w0 > last
                && words[h.w0].clause != words[last].clause
        });
    if removed && certain {
        return Hazard::PutRight;
    }
    // Smoke, sparks or fire said plainly, or only in someone else's words
    // (with, at most, someone else's verdict: "rang saying it's 'dangerous'").
    let flagrant = |h: &Hit| !h.unsure && h.cue.has(Fx::Flagrant);
    let seen = found
        .iter()
        .any(|h| flagrant(h) && !reported(notes, words, h));
    let heard = !seen
        && found
            .iter()
            .all(|h| flagrant(h) || (h.cue.has(Fx::Opinion) && reported(notes, words, h)));
    let mut spans: Vec<Span> = found.iter().map(|h| h.span(words)).collect();
    spans.extend(scald.into_iter().flat_map(|s| s.spans));
    let choice = Choice {
        value: "true",
        spans: merge(spans),
        confidence: if stated {
            0.9
        } else if certain {
            0.85
        } else {
            0.45
        },
    };
    if seen {
        Hazard::Flagrant(choice)
    } else if heard && !stated {
        Hazard::Reported(choice)
    } else {
        Hazard::Live(choice)
    }
}

/// Scalding water at an outlet people use (GUIDELINES: hot water above
/// 50 °C at a tap, basin or shower: a failed TMV): a temperature reading
/// over 50 °C in a sentence that names an outlet, and not a routine check
/// of stored or circulating hot water ("sentinel outlets 55.2C", "normal").
pub(super) fn scalding(words: &[Word<'_>], readings: &[(f32, Span)]) -> Option<Scald> {
    const OUTLETS: &[&str] = &[
        "tap", "taps", "basin", "basins", "shower", "showers", "outlet", "outlets", "tmv", "tmvs",
        "sink", "sinks", "mixer", "mixers", "grifo", "grifos", "ducha", "duchas", "lavabo",
        "lavabos",
    ];
    const ROUTINE: &[&str] = &[
        "normal",
        "sentinel",
        "calorifier",
        "cylinder",
        "flow",
        "return",
        "legionella",
        "within",
        "ok",
        "fine",
        "correct",
    ];
    readings
        .iter()
        .filter(|(celsius, _)| (50.5..100.0).contains(celsius))
        .find_map(|&(_, span)| {
            let w0 = words.iter().position(|w| w.end > span.start as usize)?;
            let n = words[w0].sentence;
            let said = || words.iter().filter(move |w| w.sentence == n);
            if said().any(|w| ROUTINE.contains(&w.norm)) {
                return None;
            }
            let outlet = said().find(|w| OUTLETS.contains(&w.norm))?;
            Some(Scald {
                w0,
                spans: vec![span, Span::new(outlet.start, outlet.end)],
            })
        })
}

/// Over-chlorinated pool water (GUIDELINES, Safety hazard: a health risk
/// the note names): free chlorine over 5 mg/l (a pool runs at 1–3), the
/// reading within four words of "free chlorine" or "cloro libre", or of
/// "chlorine" with its unit ("chlorine 9 ppm"). A photometer's "chlorine
/// 5.8" with no unit is a reading in doubt, not a dose.
pub(super) fn over_chlorinated(words: &[Word<'_>]) -> Option<Scald> {
    let number =
        |w: &Word<'_>| super::extract::normalise_number(w.norm).and_then(|n| n.parse::<f32>().ok());
    (0..words.len()).find_map(|i| {
        if !matches!(words[i].norm, "chlorine" | "cloro") {
            return None;
        }
        let free = (i > 0 && words[i - 1].norm == "free")
            || words.get(i + 1).is_some_and(|w| w.norm == "libre");
        let sentence = words[i].sentence;
        let (k, v) = (i + 1..words.len().min(i + 6))
            .take_while(|&k| words[k].sentence == sentence)
            .find_map(|k| number(&words[k]).map(|v| (k, v)))?;
        let unit = words
            .get(k + 1)
            .is_some_and(|w| matches!(w.norm, "mg/l" | "ppm" | "mg"));
        ((free || unit) && v > 5.0 && v < 100.0).then(|| Scald {
            w0: i,
            spans: vec![Span::new(words[i].start, words[k].end)],
        })
    })
}

/// Scalding water found in the readings: where, and the words that say so.
pub(super) struct Scald {
    /// The first word of what was found (the reading; the call device).
    pub w0: usize,
    pub spans: Vec<Span>,
}

/// Emergency call devices (GUIDELINES, Safety hazard: a lift's emergency
/// alarm, a refuge's call point, an accessible toilet's pull-cord alarm).
const CALL_DEVICES: &[&[&str]] = &[
    &["alarm", "button"],
    &["emergency", "alarm"],
    &["autodialler"],
    &["autodialer"],
    &["auto", "dialler"],
    &["refuge"],
    &["pull", "cord"],
    &["pullcord"],
    &["outstation"],
    &["emergency", "phone"],
    &["emergency", "telephone"],
    &["lift", "phone"],
    &["alarm", "btn"],
    &["telefono", "de", "emergencia"],
    &["boton", "de", "alarma"],
    &["boton", "de", "emergencia"],
    // Not "tirador" alone: a door's pull handle too.
    &["tirador", "del", "aseo"],
    &["tirador", "de", "emergencia"],
    &["tirador", "de", "alarma"],
];

/// What a call that raises nothing sounds like when tested.
const NOTHING_RAISED: &[&[&str]] = &[
    &["no", "connection"],
    &["nothing", "connects"],
    &["nothing", "connected"],
    &["does", "nothing"],
    &["nothing", "happens"],
    &["nothing", "happen"],
    &["no", "ring"],
    &["no", "tone"],
    &["no", "dial", "tone"],
    &["no", "sounder"],
    &["no", "response"],
    &["no", "line"],
    &["no", "suena"],
    &["line", "dead"],
    &["line", "is", "dead"],
    &["lines", "dead"],
    &["line", "seems", "dead"],
    &["line", "appears", "to", "be", "dead"],
    &["failed", "to", "connect"],
    &["failed", "to", "raise"],
    &["got", "nothing"],
    &["raises", "nothing"],
    &["raised", "nothing"],
    &["nothing", "raised"],
    &["isnt", "connected"],
    &["not", "connected"],
    &["not", "connecting"],
    &["dead", "line"],
    // Not "nothing at" alone: "nothing at all wrong".
    &["nothing", "at", "call"],
    &["nothing", "at", "the", "call"],
    &["nothing", "at", "the", "monitoring"],
    &["nothing", "at", "monitoring"],
    &["nothing", "at", "reception"],
    &["no", "conecta"],
    &["no", "hay", "linea"],
    &["linea", "muerta"],
    &["linea", "esta", "muerta"],
    &["no", "hay", "tono"],
    &["sin", "tono"],
    &["no", "tiene", "tono"],
    &["no", "hace", "nada"],
];

/// A fire alarm panel (GUIDELINES: a fault on a fire panel is not a hazard
/// unless the whole system is out of service: then the building has no
/// fire detection).
const FIRE_PANELS: &[&[&str]] = &[
    &["fire", "panel"],
    &["fire", "alarm", "panel"],
    &["panel", "de", "incendios"],
    &["central", "de", "incendios"],
];

/// What a whole panel out of service sounds like.
const PANEL_OUT: &[&[&str]] = &[
    &["dead"],
    &["no", "power"],
    &["no", "lights"],
    &["dark"],
    &["total", "loss"],
    &["no", "detectors"],
    // Not "apagada" alone: a silenced alarm.
    &["totalmente", "apagado"],
    &["totalmente", "apagada"],
    &["completamente", "apagado"],
    &["completamente", "apagada"],
    &["sin", "luces"],
];

/// An emergency call device that raises nothing when tested — a whole
/// safety system out of service (trapped or fallen people could not call
/// for help), however well the lift or the room otherwise works: the
/// device in a sentence, what it failed to do in that sentence or the next.
/// Or a fire panel that is dead: the device and its state in one sentence.
pub(super) fn silent_call(words: &[Word<'_>]) -> Option<Scald> {
    system_out(words, CALL_DEVICES, NOTHING_RAISED, 1)
        .or_else(|| system_out(words, FIRE_PANELS, PANEL_OUT, 0))
}

/// A device of `devices` and a failure of `failures` from its sentence's
/// start to `next` sentences after it.
fn system_out(
    words: &[Word<'_>],
    devices: &[&[&str]],
    failures: &[&[&str]],
    next: u16,
) -> Option<Scald> {
    let at = |i: usize, p: &[&str]| {
        words.len() >= i + p.len()
            && p.iter()
                .enumerate()
                .all(|(k, w)| words[i + k].norm == *w && (k == 0 || words[i + k].brk == Brk::None))
    };
    let find = |list: &[&[&str]], from: usize| {
        (from..words.len()).find_map(|i| list.iter().find(|p| at(i, p)).map(|p| (i, p.len())))
    };
    let mut from = 0;
    while let Some((d, n)) = find(devices, from) {
        let sentence = words[d].sentence;
        let window =
            |i: usize| words[i].sentence >= sentence && words[i].sentence <= sentence + next;
        let start = words[..d]
            .iter()
            .rposition(|w| w.sentence != sentence)
            .map_or(0, |i| i + 1);
        if let Some((f, m)) = find(failures, start).filter(|&(f, _)| window(f)) {
            return Some(Scald {
                w0: d,
                spans: vec![
                    Span::new(words[d].start, words[d + n - 1].end),
                    Span::new(words[f].start, words[f + m - 1].end),
                ],
            });
        }
        from = d + n;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::lex::Lexed;
    use super::*;

    /// The live (pattern, negated, unsure) hits.
    fn hits(notes: &str) -> Vec<(&'static str, bool, bool)> {
        let l = Lexed::new(notes);
        let w = l.words();
        find_hits(&w, &[])
            .iter()
            .map(|h| (h.cue.pat, h.negated, h.unsure))
            .collect()
    }

    /// The live cues that say what the fault is (not the visit's status words:
    /// "ok", "keeps", "replaced").
    fn live(notes: &str) -> Vec<&'static str> {
        let status = |p: &str| {
            super::super::cues::CUES
                .iter()
                .any(|c| c.pat == p && c.is_status())
        };
        hits(notes)
            .into_iter()
            .filter(|h| !h.1 && !status(h.0))
            .map(|h| h.0)
            .collect()
    }

    /// What the rules alone make of the notes' hazard, on an asset that
    /// names nothing.
    fn rules_hazard(notes: &str) -> &'static str {
        let l = Lexed::new(notes);
        let w = l.words();
        let hits = find_hits(&w, &[]);
        let kind = AssetKind {
            critical: false,
            firestop: false,
            secure: false,
            fine: false,
        };
        match hazard(notes, &hits, &w, kind, None) {
            Hazard::Flagrant(_) => "smoke, sparks or fire",
            Hazard::Reported(_) => "reported",
            Hazard::Live(_) => "another",
            Hazard::PutRight => "put right",
            Hazard::None => "none",
        }
    }

    /// The rules' Priority for the notes alone, or "none".
    fn rules_priority(notes: &str) -> &'static str {
        let l = Lexed::new(notes);
        let w = l.words();
        priority(&find_hits(&w, &[]), &w, AssetKind::default(), None).map_or("none", |c| c.value)
    }

    /// The rules' first Type for the notes alone, or "none" when no word votes.
    fn rules_type(notes: &str) -> &'static str {
        let l = Lexed::new(notes);
        let w = l.words();
        rank_types(&find_hits(&w, &[]), &w)
            .first()
            .map_or("none", |c| c.value)
    }

    /// Each note's rules' first Type is the one given, or the assertion
    /// lists every note that is not.
    fn assert_types(cases: &[(&str, &str)]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter(|&&(notes, want)| rules_type(notes) != want)
            .map(|&(notes, want)| format!("{notes}: {} ({want} wanted)", rules_type(notes)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Smoke, sparks and fire are the guidelines' first hazards, but the words
    /// also name a fire shutter, a smoke seal or a burner's firing: only the
    /// event is one. Said only in someone else's words, it is told apart, for
    /// it is as often steam or dust; a fire shutter that will not come down is
    /// a barrier that will not close.
    #[test]
    fn smoke_and_fire_are_told_from_the_names_and_the_hearsay() {
        for (notes, want) in [
            (
                "Smoke coming out of the motor, isolated it.",
                "smoke, sparks or fire",
            ),
            (
                "Socket sparking when the kettle goes on.",
                "smoke, sparks or fire",
            ),
            ("Smoke seals replaced on both doors, all latch.", "none"),
            ("Smoke det in room 4 contaminated, replaced.", "none"),
            (
                "Smoke there no flames though, isolated it.",
                "smoke, sparks or fire",
            ),
            ("Boiler fires then locks out after a minute.", "none"),
            ("Burner sat on high fire all day, CO 380 ppm.", "none"),
            (
                "Roller shutter at the fire station is noisy going up.",
                "none",
            ),
            (
                "Customer rang saying the UPS was 'smoking'. Cooling fans ramping up, normal.",
                "reported",
            ),
            (
                "Chef says the kitchen fills with smoke when the extract drops out.",
                "reported",
            ),
            (
                "Chef says the extract tripped, I found smoke pouring from the motor.",
                "smoke, sparks or fire",
            ),
            (
                "Fire shutter by the servery won't drop on test, governor seized.",
                "another",
            ),
            ("Roller shutter won't drop, chain off the sprocket.", "none"),
        ] {
            assert_eq!(rules_hazard(notes), want, "{notes}");
        }
    }

    /// Hazard words that name a part, a room, a label or a survey are no
    /// hazard; the same words for what happens to people are. A verdict
    /// heard from someone else ("customer says it's dangerous") is hearsay,
    /// as smoke heard of is, and Spanish smoke and sparks are smoke and
    /// sparks.
    #[test]
    fn hazard_words_that_name_things_are_told_from_the_events() {
        let wrong = [
            ("Front shock absorbers leaking oil.", "none"),
            ("Shock arrestor fitted on the dishwasher feed.", "none"),
            (
                "Hand dryer gives a small shock when you touch it.",
                "another",
            ),
            ("Arc flash labels fitted to all 6 boards.", "none"),
            ("Arc flash at the main breaker, panel scorched.", "another"),
            ("Fridge in the first aid room reading 12C.", "none"),
            ("Fitter cut his hand, first aid given.", "another"),
            ("Ambulance 6 stretcher loader beeps fault 5.", "none"),
            ("Driver fell off the dock, ambulance called.", "another"),
            ("Asbestos survey of the plant room done.", "none"),
            ("Asbestos lagging broken up on the floor.", "another"),
            ("Immobiliser light is flash red.", "none"),
            (
                "There was a flash and a bang when they plugged it in.",
                "another",
            ),
            ("Crusher tripped on overload again.", "none"),
            ("Operator crushed his finger in the press.", "another"),
            (
                "IR 0.3 Mohm, cable damaged somewhere in the trench.",
                "none",
            ),
            ("Fan bearing collapsed, motor seized.", "none"),
            ("Ceiling collapsed in the corridor.", "another"),
            ("Ext flood lights out on the north side.", "none"),
            ("Security letting people in by hand.", "none"),
            ("Belt slip on the drive roller, tensioned.", "none"),
            ("Floor wet by the door, people slip on it.", "another"),
            ("DANGER sticker peeling off the charger.", "none"),
            ("Run cap bulged, new one ordered.", "none"),
            ("UPS batteries bulged and hot.", "another"),
            ("Lift doors open and close fine, no faults.", "none"),
            ("El detector de humo del pasillo pita.", "none"),
            ("Prueba de humo en la cabina OK.", "none"),
            (
                "Sale humo del motor del extractor.",
                "smoke, sparks or fire",
            ),
            (
                "El enchufe del lavabo echa chispas.",
                "smoke, sparks or fire",
            ),
            ("Llamaron diciendo que sale humo del kiosko.", "reported"),
            ("Customer says the shop door is dangerous.", "reported"),
            (
                "Called out to a 'dangerous' crack in the floor.",
                "reported",
            ),
            ("Guard missing on the saw, dangerous.", "another"),
        ]
        .into_iter()
        .filter(|(notes, want)| rules_hazard(notes) != *want)
        .map(|(notes, want)| format!("{notes}: {} (want {want})", rules_hazard(notes)))
        .collect::<Vec<_>>();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn small_sort_is_stable() {
        let mut v = [(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e')];
        sort_small(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (3, 'a'), (3, 'c')]);
        let spans = merge(vec![
            Span::new(5, 9),
            Span::new(0, 2),
            Span::new(1, 3),
            Span::new(9, 10),
        ]);
        assert_eq!(spans, [Span::new(0, 3), Span::new(5, 10)]);
    }

    /// The word lists kept as one string each: an empty word (two spaces)
    /// would match the empty piece between "Door" and "2" in "Door - 2".
    #[test]
    fn word_lists_have_no_empty_words() {
        for list in [
            CRITICAL_ASSETS,
            FIRESTOP_ASSETS,
            SECURE_ASSETS,
            super::super::extract::PARTS,
        ] {
            assert!(
                list.split(' ')
                    .all(|w| !w.is_empty() && w == w.to_ascii_lowercase())
            );
        }
        assert!(!critical_asset("Door - 2", "X-1"));
        assert!(critical_asset("Walk-in freezer", ""));
        assert!(critical_asset("Unit 4", "Daikin chiller"));
    }

    /// However many and in whatever order, spans merge as sorting them and
    /// joining those that overlap or touch would.
    #[test]
    fn spans_merge_in_any_order() {
        for n in [0, 1, 5, 40, 400] {
            let spans: Vec<Span> = (0..n)
                .map(|i| {
                    let a = (i * 7919) % 1000;
                    Span::new(a, a + 1 + i % 9)
                })
                .collect();
            let mut sorted = spans.clone();
            sorted.sort_by_key(|s| (s.start, s.end));
            let mut want: Vec<Span> = Vec::new();
            for s in sorted {
                match want.last_mut() {
                    Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                    _ => want.push(s),
                }
            }
            assert_eq!(merge(spans), want, "{n}");
        }
    }

    #[test]
    fn a_dent_is_damage_a_dentist_is_not() {
        let pats = |n: &str| hits(n).into_iter().map(|h| h.0).collect::<Vec<_>>();
        assert!(pats("panel dented by a trolley").contains(&"dented"));
        assert!(
            !pats("dental chair in the dentist's surgery")
                .iter()
                .any(|p| p.starts_with("dent"))
        );
    }

    #[test]
    fn patterns_match_whole_words_prefixes_and_phrases() {
        let l = Lexed::new("no power, leakin badly; trip hazard");
        let w = l.words();
        assert_eq!(match_pattern(b"no power", &w, 0), Some(2));
        assert_eq!(match_pattern(b"no", &w, 0), Some(1));
        assert_eq!(match_pattern(b"n", &w, 0), None);
        assert_eq!(match_pattern(b"no powerful", &w, 0), None);
        assert_eq!(match_pattern(b"leak*", &w, 2), Some(1));
        assert_eq!(
            match_pattern(b"power leak*", &w, 1),
            None,
            "a comma stands between"
        );
        assert_eq!(match_pattern(b"trip hazard", &w, 4), Some(2));
        assert_eq!(match_pattern(b"trip*", &w, 4), Some(1));
        assert_eq!(match_pattern(b"trip hazard now", &w, 4), None);
    }

    #[test]
    fn negators_reach_three_words_within_the_clause() {
        assert_eq!(live("no leak"), Vec::<&str>::new());
        assert_eq!(live("no smoke or sparks"), Vec::<&str>::new());
        assert_eq!(
            live("no smoke, sparks or burning smell"),
            Vec::<&str>::new()
        );
        assert_eq!(live("without sparks"), Vec::<&str>::new());
        assert_eq!(live("no sign of flooding"), Vec::<&str>::new());
        assert_eq!(live("no visible damage to mounting"), Vec::<&str>::new());
        assert_eq!(live("isn't leaking"), Vec::<&str>::new());
        assert_eq!(live("no leak, bearing noisy"), ["bearing", "nois*"]);
        assert_eq!(live("no leak but bearing noisy"), ["bearing", "nois*"]);
        assert_eq!(live("no leak and motor tripped"), ["trip*"]);
        assert_eq!(live("no leak found bearing noisy"), ["bearing", "nois*"]);
        assert_eq!(live("not the pump itself its the breaker"), ["breaker"]);
    }

    #[test]
    fn negative_phrases_are_cues_not_negators() {
        assert_eq!(live("no power"), ["no power"]);
        assert_eq!(live("no heat to building"), ["no heat"]);
        assert_eq!(live("no leaks no power"), ["no power"]);
        assert_eq!(live("wont start"), ["wont start"]);
        assert_eq!(live("not urgent"), ["not urgent"]);
        assert_eq!(live("not running, no smoke"), ["not running"]);
    }

    #[test]
    fn verdicts_after_a_cue_negate_it() {
        assert_eq!(live("seal ok"), Vec::<&str>::new());
        assert_eq!(live("bearing temp normal"), Vec::<&str>::new());
        assert_eq!(live("smoke: none"), Vec::<&str>::new());
        assert_eq!(live("leak - no. pump noisy"), ["pump", "nois*"]);
        assert_eq!(live("leak was ruled out"), Vec::<&str>::new());
        assert_eq!(
            live("wiring looks ok but breaker tripping"),
            ["breaker", "trip*"]
        );
        assert_eq!(live("bearing worn"), ["bearing", "worn"]);
    }

    #[test]
    fn uncertainty_marks_the_clause_without_dropping_cues() {
        assert_eq!(hits("might be smoke?"), [("smoke", false, true)]);
        assert_eq!(hits("not sure if its leaking"), [("leak*", false, true)]);
        assert_eq!(
            hits("bearing noisy. maybe belt"),
            [
                ("bearing", false, false),
                ("nois*", false, false),
                ("belt", false, true)
            ]
        );
        assert_eq!(hits("firmware v2??"), [("firmware", false, true)]);
    }

    #[test]
    fn typos_abbreviations_and_context_rules() {
        assert_eq!(live("brg noisy vibs high"), ["bearing", "nois*", "vibrat*"]);
        assert_eq!(live("bearnig gone"), ["bearing", "gone"]);
        assert_eq!(live("keeps trippin"), ["trip*"]);
        assert_eq!(live("pump u/s"), ["pump", "u/s"]);
        assert_eq!(live("trip hazard by door"), ["trip hazard", "door"]);
        assert_eq!(live("smoke detector faulty"), ["detector*", "faulty"]);
        assert_eq!(live("boiler wont fire"), ["wont fire"]);
        assert_eq!(live("fire alarm panel"), ["alarm panel"]);
        assert_eq!(live("pressure down to 2 bar"), ["pressure"]);
        assert_eq!(live("chiller down"), ["down"]);
        assert_eq!(live("emergency stop pressed"), ["emergency stop*"]);
        assert_eq!(
            live("I stopped the pump"),
            ["pump"],
            "\"stopped\" is not a fault here"
        );
        assert_eq!(live("isolated and locked out"), Vec::<&str>::new());
        // A word, not a typo: "heating" is not "heaving" (a floor's).
        assert_eq!(live("heating on at 3 am"), Vec::<&str>::new());
        assert_eq!(live("racing heading"), Vec::<&str>::new());
        assert_eq!(live("slab heaving"), ["slab", "heaving"]);
    }

    /// Words that name a pump, a thermal scan's result, a defibrillator's
    /// test or a lecture room are no urgency: the rules' Priority is not
    /// High for them, and stays High for what the guidelines make High.
    #[test]
    fn names_and_readings_are_no_urgency() {
        let wrong: Vec<String> = [
            ("Duty pump P1 bearing noisy, P2 on standby.", false),
            (
                "Thermal scan of MCC-2, no hot spots, terminals re-torqued.",
                false,
            ),
            (
                "AED annual check, shock energy test OK, pads in date.",
                false,
            ),
            ("Lecture theatre 2 projector lamp at 4980 hours.", false),
            ("Chiller back down to 3C within the hour.", false),
            ("Rodamientos gastados, hay que cambiarlos pronto.", false),
            ("No hot water to the hospital kitchen.", true),
            ("Theatre 3 AHU tripped, afternoon list on hold.", true),
        ]
        .into_iter()
        .filter(|&(notes, high)| (rules_priority(notes) == "High") != high)
        .map(|(notes, high)| format!("{notes}: {} (High wanted: {high})", rules_priority(notes)))
        .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn type_words_that_name_a_place_or_another_part_cast_no_vote() {
        assert_types(&[
            // Were another part's or a place's vote.
            ("Smoke vent won't open.", "Mechanical"),
            ("Chilled beam dripping.", "Mechanical"),
            ("Beam det in fault.", "Electronic"),
            ("Windows update stuck.", "Electronic"),
            ("Feeder pillar tripped overnight.", "Electrical"),
            // And still vote where they name the part at fault.
            ("Drive showing F0002 on start.", "Electronic"),
            ("Server keeps rebooting.", "Electronic"),
            ("Racking beam bent by a forklift.", "Structural"),
            ("Damp patch on the ceiling.", "Structural"),
            ("Patch lead unplugged in the comms cab.", "Electronic"),
            ("Conveyor drive chain snapped.", "Mechanical"),
        ]);
    }

    /// GUIDELINES.md, Type: access problems are `Other` — unless the note
    /// also says a fault, a hazard or a part at fault; a quote names the
    /// part it is for.
    #[test]
    fn a_visit_that_could_not_get_in_is_type_other() {
        assert_types(&[
            (
                "Went for the 6 monthly, no keys on site, rebook pls.",
                "Other",
            ),
            ("PPM not done: no access to the plant room.", "Other"),
            ("Nobody on site, gate locked. Please rebook.", "Other"),
            (
                "No access to the roof, fan belt squealing, rebook.",
                "Mechanical",
            ),
            (
                "Quote to replace the fan belts, rebook when approved.",
                "Mechanical",
            ),
            (
                "Pump tripped, no access to the panel, rebook.",
                "Electrical",
            ),
        ]);
    }

    /// GUIDELINES.md, Priority rule 2: a backup only just coping keeps an
    /// outage High, until the unit it stood in for is put right on the
    /// visit with nothing left outstanding.
    #[test]
    fn a_strained_backup_is_history_once_the_duty_unit_is_back() {
        for (notes, high) in [
            ("Duty pump tripped, standby only just keeping up.", true),
            (
                "Duty pump tripped, standby only just keeping up. Cleared the impeller, \
                 both running now.",
                false,
            ),
            (
                "Standby only just coping. Reset the duty pump, running, but it will \
                 trip again, needs a new overload.",
                true,
            ),
        ] {
            assert_eq!(
                rules_priority(notes) == "High",
                high,
                "{notes}: {}",
                rules_priority(notes)
            );
        }
    }

    #[test]
    fn negated_urgency_is_low_priority() {
        let l = Lexed::new("not very urgent, pump noisy");
        let w = l.words();
        let h = find_hits(&w, &[]);
        let p = priority(&h, &w, AssetKind::default(), None).unwrap();
        assert_eq!(p.value, "Low");
        assert_eq!(
            &"not very urgent, pump noisy"[p.spans[0].range()],
            "not very urgent"
        );
    }

    #[test]
    fn down_is_high_only_on_critical_equipment() {
        let run = |notes: &str, crit: bool| {
            let l = Lexed::new(notes);
            let w = l.words();
            priority(
                &find_hits(&w, &[]),
                &w,
                AssetKind {
                    critical: crit,
                    ..AssetKind::default()
                },
                None,
            )
            .map(|c| c.value)
        };
        assert_eq!(run("pump not running, standby running", false), None);
        assert_eq!(run("chiller not running", true), Some("High"));
        assert_eq!(
            run("door heater not working", true),
            None,
            "a part is down, not the critical asset"
        );
        assert_eq!(run("pump stopped, production waiting", false), Some("High"));
        assert!(critical_asset("Walk-in freezer WF-1", ""));
        assert!(!critical_asset("Feed pump P-12", "Grundfos CR 32"));
    }

    #[test]
    fn uncertain_high_still_high_but_unsure() {
        let l = Lexed::new("might be smoke? no rush");
        let w = l.words();
        let h = find_hits(&w, &[]);
        let p = priority(&h, &w, AssetKind::default(), None).unwrap();
        assert_eq!(p.value, "Low", "a certain Low beats an uncertain High");
        let l = Lexed::new("might be smoke?");
        let w = l.words();
        let p = priority(&find_hits(&w, &[]), &w, AssetKind::default(), None).unwrap();
        assert_eq!(p.value, "High");
        assert!(p.confidence < 0.5);
    }
}
