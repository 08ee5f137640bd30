//! Notes + spans → text segments for the review's "From your notes: …" lines.
//!
//! Pure: no browser types, tested on the host. The spans come from the
//! structurer and are trusted for nothing: out-of-range, reversed,
//! overlapping or mid-character spans are repaired, never a panic.

use std::ops::Range;

use fieldcase_core::structure::Span;

/// A run of text, highlighted (`<mark>`) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

impl Segment {
    fn plain(text: &str) -> Self {
        Segment {
            text: text.to_owned(),
            marked: false,
        }
    }
}

const ELLIPSIS: &str = "…";

/// Spans as sorted, disjoint, non-empty byte ranges on character boundaries.
pub fn normalize(notes: &str, spans: &[Span]) -> Vec<Range<usize>> {
    let len = notes.len();
    let mut ranges: Vec<Range<usize>> = spans
        .iter()
        .filter_map(|s| {
            let (a, b) = (s.start as usize, s.end as usize);
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let a = floor_boundary(notes, a.min(len));
            let b = ceil_boundary(notes, b.min(len));
            (a < b).then_some(a..b)
        })
        .collect();
    // Ranges that start together merge alike in either order.
    ranges.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The whole notes split into plain and marked segments.
pub fn segments(notes: &str, spans: &[Span]) -> Vec<Segment> {
    split(notes, 0..notes.len(), &normalize(notes, spans))
}

/// True when the spans cover every non-blank character of the notes (the
/// Description field, which is the notes themselves).
pub fn covers_all(notes: &str, spans: &[Span]) -> bool {
    let trimmed = notes.trim();
    if trimmed.is_empty() {
        return false;
    }
    let start = notes.len() - notes.trim_start().len();
    let end = start + trimmed.len();
    normalize(notes, spans)
        .iter()
        .any(|r| r.start <= start && r.end >= end)
}

/// A quote shows at most this many passages of the notes, and this many
/// highlighted words, then "…": a long note can have a value set by
/// hundreds of words ("fire, fire, …" pasted), far apart or side by side,
/// and the review screen must stay a screen.
const MAX_PASSAGES: usize = 5;
const MAX_MARKS: usize = 12;

/// A short excerpt: each highlighted span with about `context` characters of
/// the notes either side (cut at word boundaries), "…" wherever text was
/// left out, marks longer than `max_mark` characters shortened, and only
/// the first `MAX_PASSAGES` passages and `MAX_MARKS` marks.
pub fn excerpt(notes: &str, spans: &[Span], context: usize, max_mark: usize) -> Vec<Segment> {
    let mut marks = normalize(notes, spans);
    marks.truncate(MAX_MARKS);
    if marks.is_empty() {
        return Vec::new();
    }
    // Windows around each mark, merged where they touch.
    let mut windows: Vec<(Range<usize>, Vec<Range<usize>>)> = Vec::new();
    for m in marks {
        let start = word_start(notes, back_chars(notes, m.start, context), m.start);
        let end = word_end(notes, fwd_chars(notes, m.end, context), m.end);
        match windows.last_mut() {
            Some((w, ms)) if start <= w.end => {
                w.end = w.end.max(end);
                ms.push(m);
            }
            _ => windows.push((start..end, vec![m])),
        }
    }
    windows.truncate(MAX_PASSAGES);
    let mut out = Vec::new();
    for (i, (w, ms)) in windows.iter().enumerate() {
        if i == 0 && w.start > 0 {
            out.push(Segment::plain(ELLIPSIS));
        } else if i > 0 {
            out.push(Segment::plain(" … "));
        }
        for seg in split(notes, w.clone(), ms) {
            if seg.marked && seg.text.chars().count() > max_mark {
                let cut = fwd_chars(&seg.text, 0, max_mark);
                let cut = word_end_back(&seg.text, cut);
                out.push(Segment {
                    text: seg.text[..cut].trim_end().to_owned(),
                    marked: true,
                });
                out.push(Segment::plain(ELLIPSIS));
            } else {
                out.push(seg);
            }
        }
        if i + 1 == windows.len() && w.end < notes.len() {
            out.push(Segment::plain(ELLIPSIS));
        }
    }
    tidy(out)
}

/// Split `window` of `notes` around the (sorted, disjoint) `marks`.
fn split(notes: &str, window: Range<usize>, marks: &[Range<usize>]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at = window.start;
    for m in marks {
        let (a, b) = (m.start.max(window.start), m.end.min(window.end));
        if a >= b {
            continue;
        }
        if at < a {
            out.push(Segment::plain(&notes[at..a]));
        }
        out.push(Segment {
            text: notes[a..b].to_owned(),
            marked: true,
        });
        at = b;
    }
    if at < window.end {
        out.push(Segment::plain(&notes[at..window.end]));
    }
    out
}

/// Collapse runs of whitespace (newlines included) into single spaces, so an
/// excerpt reads as one line, and drop what became empty.
fn tidy(segments: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut last_space = true;
    for s in segments {
        let mut text = String::with_capacity(s.text.len());
        for c in s.text.chars() {
            if c.is_whitespace() {
                if !last_space {
                    text.push(' ');
                }
                last_space = true;
            } else {
                text.push(c);
                last_space = false;
            }
        }
        if !text.is_empty() {
            out.push(Segment {
                text,
                marked: s.marked,
            });
        }
    }
    if let Some(last) = out.last_mut().filter(|l| !l.marked) {
        let trimmed = last.text.trim_end().len();
        last.text.truncate(trimmed);
    }
    out.retain(|s| !s.text.is_empty());
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The byte index `n` characters before `i`.
fn back_chars(s: &str, i: usize, n: usize) -> usize {
    s[..i]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(i, |(j, _)| j)
}

/// The byte index `n` characters after `i`.
fn fwd_chars(s: &str, i: usize, n: usize) -> usize {
    s[i..].char_indices().nth(n).map_or(s.len(), |(j, _)| i + j)
}

/// Move a window start forward to the beginning of a word, unless that would
/// pass `limit` (the mark itself).
fn word_start(s: &str, i: usize, limit: usize) -> usize {
    if i == 0 || s[..i].ends_with(char::is_whitespace) {
        return i;
    }
    match s[i..limit].char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((j, c)) => i + j + c.len_utf8(),
        None => i,
    }
}

/// Move a window end back to the end of a word, unless that would pass `limit`.
fn word_end(s: &str, i: usize, limit: usize) -> usize {
    if i >= s.len() || s[i..].starts_with(char::is_whitespace) {
        return i;
    }
    match s[limit..i].rfind(char::is_whitespace) {
        Some(j) => limit + j,
        None => i,
    }
}

/// Cut a string at `i`, or earlier at a space when the cut is mid-word.
fn word_end_back(s: &str, i: usize) -> usize {
    if i >= s.len() || s[i..].starts_with(char::is_whitespace) {
        return i;
    }
    match s[..i].rfind(char::is_whitespace) {
        Some(j) if j > 0 => j,
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(notes: &str, word: &str) -> Span {
        let start = notes.find(word).unwrap();
        Span::new(start, start + word.len())
    }

    /// Every place `word` is in `notes`.
    fn spans_of(notes: &str, word: &str) -> Vec<Span> {
        notes
            .match_indices(word)
            .map(|(i, w)| Span::new(i, i + w.len()))
            .collect()
    }

    fn render(segs: &[Segment]) -> String {
        segs.iter()
            .map(|s| {
                if s.marked {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_a_word_in_short_notes() {
        let notes = "pump leaking at the seal";
        let segs = segments(notes, &[span_of(notes, "seal")]);
        assert_eq!(render(&segs), "pump leaking at the [seal]");
        assert_eq!(
            render(&excerpt(notes, &[span_of(notes, "seal")], 40, 80)),
            "pump leaking at the [seal]"
        );
    }

    #[test]
    fn repairs_bad_spans() {
        let notes = "héllo wörld";
        // Reversed, past the end, mid-character, overlapping, empty.
        let spans = [
            Span::new(20, 7),
            Span::new(2, 2),
            Span::new(0, 2),
            Span::new(1, 3),
        ];
        let ranges = normalize(notes, &spans);
        for r in &ranges {
            assert!(notes.is_char_boundary(r.start) && notes.is_char_boundary(r.end));
        }
        assert_eq!(ranges, vec![0..3, 7..notes.len()]);
        assert_eq!(render(&segments(notes, &spans)), "[hé]llo [wörld]");
        assert!(segments("", &spans).is_empty());
    }

    #[test]
    fn excerpt_of_long_notes_is_short_and_cut_at_words() {
        let notes = "Arrived on site at eight. Customer says it has been noisy for a week. \
                     Found the pump leaking bad at the seal and a puddle under the base. \
                     Pressure was 3.2 bar at the outlet, display shows E-42. Will order parts.";
        let e = excerpt(notes, &[span_of(notes, "seal")], 20, 80);
        let text = render(&e);
        assert!(text.starts_with('…'), "{text}");
        assert!(text.ends_with('…'), "{text}");
        assert!(text.contains("[seal]"), "{text}");
        assert!(text.chars().count() < 70, "{text}");
        // Cut at word boundaries: no word fragment right after the leading ellipsis.
        let first_word = text.trim_start_matches('…').split(' ').next().unwrap();
        assert!(notes.split_whitespace().any(|w| w == first_word), "{text}");
    }

    #[test]
    fn distant_spans_are_joined_with_an_ellipsis_and_close_ones_merge() {
        let notes = format!(
            "smoke near motor {} code E-42 shown",
            "filler words ".repeat(20)
        );
        let spans = [span_of(&notes, "smoke"), span_of(&notes, "E-42")];
        let text = render(&excerpt(&notes, &spans, 10, 80));
        assert!(text.starts_with("[smoke] near"), "{text}");
        assert!(text.contains(" … "), "{text}");
        assert!(text.contains("[E-42] shown"), "{text}");

        let near = "smoke near motor";
        let text = render(&excerpt(
            near,
            &[span_of(near, "smoke"), span_of(near, "motor")],
            10,
            80,
        ));
        assert_eq!(text, "[smoke] near [motor]");
    }

    #[test]
    fn a_quote_of_many_passages_shows_the_first_few_and_says_more_follow() {
        let notes = "fire, and then a long stretch of other words in between. ".repeat(40);
        let text = render(&excerpt(&notes, &spans_of(&notes, "fire"), 10, 80));
        assert_eq!(text.matches("[fire]").count(), MAX_PASSAGES, "{text}");
        assert!(text.starts_with("[fire]"), "{text}");
        assert!(text.ends_with('…'), "{text}");

        // Side by side, they are one passage: the marks stop instead.
        let notes = "fire, ".repeat(2000);
        let text = render(&excerpt(&notes, &spans_of(&notes, "fire"), 10, 80));
        assert_eq!(text.matches("[fire]").count(), MAX_MARKS, "{text}");
        assert!(text.ends_with('…'), "{text}");
    }

    #[test]
    fn very_long_marks_are_shortened_and_whitespace_collapsed() {
        let notes = "line one\n\nline two is long ".repeat(20);
        let spans = [Span::new(0, notes.len())];
        assert!(covers_all(&notes, &spans));
        let e = excerpt(&notes, &spans, 40, 30);
        let text = render(&e);
        assert!(text.starts_with("[line one line two"), "{text}");
        assert!(text.ends_with("]…"), "{text}");
        assert!(!text.contains('\n'));
        assert!(!covers_all(&notes, &[Span::new(0, 4)]));
        assert!(!covers_all("   ", &spans));
    }
}
