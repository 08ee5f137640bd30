//! The notes cut into segments by the structuring's spans, so each field's
//! words can be highlighted (and found again when its input is focused).
//!
//! Spans are **byte** offsets into the notes. A span from another version of
//! the notes may be out of range or split a character: it is clipped to the
//! notes and widened to whole characters, never trusted to slice.

use fieldcase_core::structure::{Proposal, Source, Span};

/// A run of the notes and the fields whose spans cover it (none: plain text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub fields: Vec<String>,
}

/// Each field's spans in the notes, from the proposal (sources of kind `notes`).
pub fn field_spans(proposal: &Proposal) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for f in &proposal.fields {
        if let Source::Notes { spans } = &f.source {
            out.extend(spans.iter().map(|s| (f.field.clone(), *s)));
        }
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The notes as consecutive segments covering all of them, in order.
pub fn segments(notes: &str, spans: &[(String, Span)]) -> Vec<Segment> {
    // Clip each span to whole characters inside the notes; drop empty ones.
    let clipped: Vec<(&str, usize, usize)> = spans
        .iter()
        .filter_map(|(field, span)| {
            let start = floor_boundary(notes, span.start as usize);
            let end = ceil_boundary(notes, span.end as usize);
            (start < end).then_some((field.as_str(), start, end))
        })
        .collect();
    let mut cuts: Vec<usize> = vec![0, notes.len()];
    for (_, s, e) in &clipped {
        cuts.push(*s);
        cuts.push(*e);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some(text) = notes.get(a..b) else {
            continue;
        };
        let mut fields: Vec<String> = clipped
            .iter()
            .filter(|(_, s, e)| *s <= a && b <= *e)
            .map(|(f, _, _)| (*f).to_owned())
            .collect();
        fields.sort();
        fields.dedup();
        // Merge with the previous segment when it is the same kind of run.
        match out.last_mut() {
            Some(last) if last.fields == fields => last.text.push_str(text),
            _ => out.push(Segment {
                text: text.to_owned(),
                fields,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::structure::ProposedField;
    use fieldcase_core::validate::FieldValue;

    fn sp(field: &str, start: usize, end: usize) -> (String, Span) {
        (field.to_owned(), Span::new(start, end))
    }

    fn joined(segs: &[Segment]) -> String {
        segs.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn plain_notes_are_one_segment() {
        let segs = segments("pump leaking", &[]);
        assert_eq!(segs.len(), 1);
        assert!(segs[0].fields.is_empty());
        assert!(segments("", &[]).is_empty());
    }

    #[test]
    fn spans_cut_the_notes_and_overlaps_carry_both_fields() {
        let notes = "smoke from breaker E-42 now";
        //           0123456789012345678901234567
        let segs = segments(
            notes,
            &[
                sp("Priority", 0, 5),
                sp("Type", 11, 18),
                sp("Error_Code__c", 19, 23),
                sp("Subject", 11, 23),
            ],
        );
        assert_eq!(joined(&segs), notes);
        let texts: Vec<(&str, Vec<&str>)> = segs
            .iter()
            .map(|s| {
                (
                    s.text.as_str(),
                    s.fields.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                ("smoke", vec!["Priority"]),
                (" from ", vec![]),
                ("breaker", vec!["Subject", "Type"]),
                (" ", vec!["Subject"]),
                ("E-42", vec!["Error_Code__c", "Subject"]),
                (" now", vec![]),
            ]
        );
    }

    #[test]
    fn byte_spans_inside_a_character_widen_to_it_and_out_of_range_is_clipped() {
        let notes = "Kühler 85°C defekt";
        // "ü" is bytes 1..3; a span 2..3 splits it.
        let segs = segments(notes, &[sp("A", 2, 3), sp("B", 8, 1000), sp("C", 500, 600)]);
        assert_eq!(joined(&segs), notes);
        assert_eq!(segs[1].text, "ü");
        assert_eq!(segs[1].fields, vec!["A".to_owned()]);
        assert_eq!(segs.last().map(|s| s.text.as_str()), Some("85°C defekt"));
    }

    #[test]
    fn only_notes_sources_are_highlighted() {
        let proposal = Proposal {
            fields: vec![
                ProposedField {
                    field: "Priority".into(),
                    value: FieldValue::text("High"),
                    source: Source::Notes {
                        spans: vec![Span::new(0, 5), Span::new(9, 12)],
                    },
                    confidence: 0.9,
                    proposed_by_ai: false,
                },
                ProposedField {
                    field: "Type".into(),
                    value: FieldValue::text("Other"),
                    source: Source::Default,
                    confidence: 0.2,
                    proposed_by_ai: false,
                },
            ],
        };
        assert_eq!(
            field_spans(&proposal),
            vec![sp("Priority", 0, 5), sp("Priority", 9, 12)]
        );
    }
}
