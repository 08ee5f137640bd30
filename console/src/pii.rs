//! Personal data on the intake page: the server's findings (`IntakeDetail::pii`,
//! byte spans into the notes or a field) as highlights, as lines to redact
//! one by one, and the audit trail's counts in words.

use fieldcase_core::CaseSchema;
use fieldcase_core::pii::{FieldFinding, Kind, NOTES};
use fieldcase_core::structure::Span;
use serde_json::Value;

/// What the notes' highlighting calls a finding's span: `pii:card`.
pub const PREFIX: &str = "pii:";

/// The notes' findings as spans for [`crate::highlight::segments`], named
/// `pii:{kind}`, beside the structuring's.
pub fn note_spans(found: &[FieldFinding]) -> Vec<(String, Span)> {
    found
        .iter()
        .filter(|f| f.field == NOTES)
        .map(|f| {
            (
                format!("{PREFIX}{}", f.kind.as_str()),
                Span::new(f.start as usize, f.end as usize),
            )
        })
        .collect()
}

/// The kind of personal data a segment of the notes is, if it is one.
pub fn segment_kind(fields: &[String]) -> Option<Kind> {
    fields
        .iter()
        .find_map(|f| f.strip_prefix(PREFIX).and_then(Kind::parse))
}

/// The notes' segments in runs of one kind of personal data (or none), so
/// that a finding a field's span cuts in two ("card 4111" sets a field)
/// is still one highlight of personal data.
pub fn runs(
    segs: Vec<crate::highlight::Segment>,
) -> Vec<(Option<Kind>, Vec<crate::highlight::Segment>)> {
    let mut out: Vec<(Option<Kind>, Vec<crate::highlight::Segment>)> = Vec::new();
    for seg in segs {
        let kind = segment_kind(&seg.fields);
        match out.last_mut() {
            Some((k, run)) if kind.is_some() && *k == kind => run.push(seg),
            _ => out.push((kind, vec![seg])),
        }
    }
    out
}

/// A finding as the page lists it: where, what, and the words with a little
/// of the text around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// "Card number in the notes", "E-mail address in Description".
    pub title: String,
    pub before: String,
    pub found: String,
    pub after: String,
}

/// How far around the words the line quotes, in characters.
const CONTEXT: usize = 24;

/// The finding's line; `None` when its span does not fit the text (a
/// finding of another version of the intake).
pub fn line(
    schema: &CaseSchema,
    notes: &str,
    fields: &fieldcase_core::CaseDraft,
    f: &FieldFinding,
) -> Option<Line> {
    let (text, place) = if f.field == NOTES {
        (notes, "the notes".to_owned())
    } else {
        let label = schema
            .field(&f.field)
            .map_or(f.field.as_str(), |d| d.label.as_str());
        (fields.get(&f.field)?.as_text()?, label.to_owned())
    };
    let (start, end) = (f.start as usize, f.end as usize);
    let found = text.get(start..end)?;
    let before: String = {
        let all: Vec<char> = text[..start].chars().collect();
        let from = all.len().saturating_sub(CONTEXT);
        let mut s: String = all[from..].iter().collect();
        if from > 0 {
            s.insert(0, '…');
        }
        s
    };
    let after: String = {
        let all: Vec<char> = text[end..].chars().collect();
        let mut s: String = all.iter().take(CONTEXT).collect();
        if all.len() > CONTEXT {
            s.push('…');
        }
        s
    };
    let mut title = f.kind.label().to_owned();
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    Some(Line {
        title: format!("{title} in {place}"),
        before,
        found: found.to_owned(),
        after,
    })
}

/// The kinds found, each once, in words: "card number, e-mail address".
pub fn kinds_text(found: &[FieldFinding]) -> String {
    let mut kinds: Vec<Kind> = found.iter().map(|f| f.kind).collect();
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(Kind::label)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The audit trail's counts, `{"notes":{"card":1},"Description":{"card":1}}`,
/// in words: "notes: 1 card number; Description: 1 card number".
pub fn counts_text(v: &Value) -> Option<String> {
    let places = v.as_object()?;
    let mut parts = Vec::new();
    for (place, kinds) in places {
        let kinds = kinds.as_object()?;
        let what: Vec<String> = kinds
            .iter()
            .map(|(k, n)| {
                let label = Kind::parse(k).map_or(k.as_str(), |k| k.label());
                format!("{} {label}", n.as_u64().unwrap_or(0))
            })
            .collect();
        parts.push(format!("{place}: {}", what.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::pii::{HealthTerms, scan};
    use fieldcase_core::{CaseDraft, FieldValue};
    use serde_json::json;

    #[test]
    fn a_finding_cut_by_a_fields_span_stays_one_run() {
        use crate::highlight::segments;
        let notes = "paid with card 4111 1111 1111 1111 thanks";
        let spans = vec![
            ("Priority".to_owned(), Span::new(10, 19)),
            ("pii:card".to_owned(), Span::new(15, 34)),
        ];
        let runs = super::runs(segments(notes, &spans));
        let personal: Vec<String> = runs
            .iter()
            .filter(|(k, _)| k.is_some())
            .map(|(_, r)| r.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(personal, vec!["4111 1111 1111 1111".to_owned()]);
        // The words around it keep their own segments (one highlighted).
        assert_eq!(runs.len(), 4, "{runs:?}");
    }

    #[test]
    fn findings_become_highlights_lines_and_words() {
        let schema = CaseSchema::salesforce_default();
        let notes = "Pump leaking at the seal since Monday. Cust paid by card 4111 1111 1111 1111 and wants a call";
        let mut fields = CaseDraft::default();
        fields.set("Description", FieldValue::text("card 4111 1111 1111 1111"));
        let found = scan(&schema, notes, &fields.0, &HealthTerms::default());
        assert_eq!(found.len(), 2);

        let spans = note_spans(&found);
        assert_eq!(
            spans.len(),
            1,
            "only the notes' findings are the notes' highlights"
        );
        let segs = crate::highlight::segments(notes, &spans);
        let marked: Vec<_> = segs
            .iter()
            .filter(|s| segment_kind(&s.fields).is_some())
            .collect();
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].text, "4111 1111 1111 1111");
        assert_eq!(segment_kind(&marked[0].fields), Some(Kind::Card));
        assert_eq!(segment_kind(&["Priority".to_owned()]), None);

        let l = line(&schema, notes, &fields, &found[0]).unwrap_or_else(|| panic!("fits"));
        assert_eq!(l.title, "Card number in the notes");
        assert_eq!(l.before, "…nday. Cust paid by card ");
        assert_eq!(l.found, "4111 1111 1111 1111");
        assert_eq!(l.after, " and wants a call");
        let l = line(&schema, notes, &fields, &found[1]).unwrap_or_else(|| panic!("fits"));
        assert_eq!(l.title, "Card number in Description");
        assert_eq!((l.before.as_str(), l.after.as_str()), ("card ", ""));
        assert_eq!(kinds_text(&found), "card number");
        assert_eq!(kinds_text(&[]), "");
        let mut off = found[1].clone();
        off.end = 999;
        assert_eq!(line(&schema, notes, &fields, &off), None);
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(
            counts_text(&json!({"notes": {"card": 1, "email": 2}, "Description": {"card": 1}})),
            Some("Description: 1 card number; notes: 1 card number, 2 e-mail address".to_owned())
        );
        assert_eq!(counts_text(&json!({})), None);
        assert_eq!(counts_text(&json!("x")), None);
    }
}
