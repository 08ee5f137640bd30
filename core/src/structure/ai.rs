//! A language model's proposal, trusted for nothing.
//!
//! The server may ask a language model (Claude) to structure the notes. It
//! answers with a value and the words it read it from, per field; this
//! module is the one place that decides what of it survives:
//!
//! - only fields the model was offered ([`offered`]: editable fields with a
//!   structuring hint, that the caller allows) are read;
//! - every value is checked as a person's would be ([`check_value`]:
//!   picklists, lengths, types);
//! - every value cites at least one quote, and every quote occurs verbatim
//!   in the notes; the quotes become the field's spans, so the review
//!   highlights the words exactly as it does for the rules engine;
//! - anything else is dropped, with the reason, and the rules engine's value
//!   for that field stands.
//!
//! Kept values are marked [`ProposedField::proposed_by_ai`], for the review
//! and the audit trail, at [`AI_CONFIDENCE`]: the model's own certainty is
//! not calibrated, so it never counts as "sure" (≥ 0.8).

use serde_json::{Map, Value, json};

use super::{Proposal, ProposedField, Source, Span};
use crate::schema::{CaseSchema, FieldDef, FieldType, Hint};
use crate::validate::{FieldValue, check_value};

/// The confidence of a value a model proposed and the core accepted.
pub const AI_CONFIDENCE: f32 = 0.7;

/// At most this many quotes per field are read.
pub const MAX_QUOTES: usize = 4;

/// The hints a model may propose a value for: what the notes say. Never the
/// technician's details, the asset's fields or the system's.
const MODEL_HINTS: [Hint; 7] = [
    Hint::Subject,
    Hint::Type,
    Hint::Priority,
    Hint::Reason,
    Hint::ErrorCode,
    Hint::Reading,
    Hint::SafetyHazard,
];

/// The fields offered to a model: editable, with a structuring hint, and
/// allowed by `allowed` (the admin's field allowlist).
pub fn offered<'s>(
    schema: &'s CaseSchema,
    allowed: &dyn Fn(&FieldDef) -> bool,
) -> Vec<&'s FieldDef> {
    schema
        .fields
        .iter()
        .filter(|d| d.is_editable() && MODEL_HINTS.iter().any(|&h| d.has_hint(h)) && allowed(d))
        .collect()
}

/// The JSON Schema of the tool the model answers through: per offered field,
/// `{ value, quotes }`, the value typed as the schema types it (picklists
/// as an `enum`, lengths as `maxLength`).
pub fn tool_input_schema(fields: &[&FieldDef]) -> Value {
    let mut properties = Map::new();
    for def in fields {
        let value = match def.field_type {
            FieldType::Checkbox => json!({ "type": "boolean" }),
            FieldType::Number => json!({ "type": "number" }),
            FieldType::Picklist => {
                let values: Vec<&str> = def.values.iter().map(|v| v.value.as_str()).collect();
                json!({ "type": "string", "enum": values })
            }
            _ => match def.max_length {
                Some(max) => json!({ "type": "string", "maxLength": max }),
                None => json!({ "type": "string" }),
            },
        };
        properties.insert(
            def.name.clone(),
            json!({
                "type": "object",
                "description": def.label,
                "properties": {
                    "value": value,
                    "quotes": {
                        "type": "array",
                        "description": "The exact words of the notes that say so, copied verbatim.",
                        "items": { "type": "string" },
                        "minItems": 1,
                        "maxItems": MAX_QUOTES,
                    },
                },
                "required": ["value", "quotes"],
            }),
        );
    }
    json!({ "type": "object", "properties": properties })
}

/// Why a field of the model's answer was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// Not a field it was offered.
    NotOffered,
    /// Not `{ "value": …, "quotes": [ … ] }`.
    Malformed,
    /// The value fails the field's check (the message says how).
    Invalid(String),
    /// No quote, or a quote that is not in the notes word for word.
    QuoteNotInNotes,
}

impl Dropped {
    /// For the log: the kind of problem, never the value or the notes.
    pub fn as_str(&self) -> &'static str {
        match self {
            Dropped::NotOffered => "not_offered",
            Dropped::Malformed => "malformed",
            Dropped::Invalid(_) => "invalid_value",
            Dropped::QuoteNotInNotes => "quote_not_in_notes",
        }
    }
}

/// The rules engine's `proposal` with what survives of the model's `answer`
/// (the tool's input) in place of its values; and what was dropped, by field.
pub fn merge(
    notes: &str,
    fields: &[&FieldDef],
    mut proposal: Proposal,
    answer: &Value,
) -> (Proposal, Vec<(String, Dropped)>) {
    let mut dropped = Vec::new();
    let Some(answer) = answer.as_object() else {
        return (proposal, vec![(String::new(), Dropped::Malformed)]);
    };
    for (name, item) in answer {
        let Some(def) = fields.iter().find(|d| d.name == *name) else {
            dropped.push((name.clone(), Dropped::NotOffered));
            continue;
        };
        match accept(notes, def, item) {
            Ok((value, spans)) => {
                let field = ProposedField {
                    field: name.clone(),
                    value,
                    source: Source::Notes { spans },
                    confidence: AI_CONFIDENCE,
                    proposed_by_ai: true,
                };
                match proposal.fields.iter_mut().find(|f| f.field == *name) {
                    Some(f) => *f = field,
                    None => proposal.fields.push(field),
                }
            }
            Err(why) => dropped.push((name.clone(), why)),
        }
    }
    (proposal, dropped)
}

fn accept(notes: &str, def: &FieldDef, item: &Value) -> Result<(FieldValue, Vec<Span>), Dropped> {
    let value = match item.get("value") {
        Some(Value::Bool(b)) => FieldValue::Bool(*b),
        Some(Value::Number(n)) => FieldValue::Number(n.as_f64().ok_or(Dropped::Malformed)?),
        Some(Value::String(s)) => FieldValue::Text(s.clone()),
        _ => return Err(Dropped::Malformed),
    };
    let value = check_value(def, &value).map_err(Dropped::Invalid)?;
    if value.is_blank() {
        return Err(Dropped::Invalid(format!("{} is empty.", def.label)));
    }
    let Some(quotes) = item.get("quotes").and_then(Value::as_array) else {
        return Err(Dropped::Malformed);
    };
    let mut spans = Vec::new();
    for quote in quotes.iter().take(MAX_QUOTES) {
        let quote = quote.as_str().map(str::trim).ok_or(Dropped::Malformed)?;
        let start = (!quote.is_empty())
            .then(|| notes.find(quote))
            .flatten()
            .ok_or(Dropped::QuoteNotInNotes)?;
        spans.push(Span::new(start, start + quote.len()));
    }
    if spans.is_empty() {
        return Err(Dropped::QuoteNotInNotes);
    }
    spans.sort_unstable_by_key(|s| (s.start, s.end));
    spans.dedup();
    Ok((value, spans))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOTES: &str = "Condensate tray overflowing, water on the floor by the panel. Code E-17.";

    fn schema() -> CaseSchema {
        CaseSchema::salesforce_default()
    }

    fn rules() -> Proposal {
        Proposal {
            fields: vec![ProposedField {
                field: "Priority".into(),
                value: FieldValue::text("Medium"),
                source: Source::Default,
                confidence: 0.3,
                proposed_by_ai: false,
            }],
        }
    }

    #[test]
    fn offers_what_the_notes_say_and_nothing_else() {
        let s = schema();
        let names: Vec<&str> = offered(&s, &|_| true)
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Subject",
                "Type",
                "Priority",
                "Reason",
                "Error_Code__c",
                "Meter_Reading__c",
                "Safety_Hazard__c"
            ]
        );
        // The admin's allowlist narrows it.
        let names: Vec<String> = offered(&s, &|d| d.name != "Reason")
            .iter()
            .map(|d| d.name.clone())
            .collect();
        assert!(!names.contains(&"Reason".to_owned()));
    }

    #[test]
    fn the_tool_schema_types_each_field_as_the_schema_does() {
        let s = schema();
        let fields = offered(&s, &|_| true);
        let t = tool_input_schema(&fields);
        let p = &t["properties"];
        assert_eq!(
            p["Priority"]["properties"]["value"]["enum"],
            json!(["High", "Medium", "Low"])
        );
        assert_eq!(
            p["Safety_Hazard__c"]["properties"]["value"]["type"],
            "boolean"
        );
        assert_eq!(p["Error_Code__c"]["properties"]["value"]["maxLength"], 40);
        assert_eq!(p["Subject"]["required"], json!(["value", "quotes"]));
    }

    #[test]
    fn a_checked_value_with_verbatim_quotes_replaces_the_rules_value() {
        let s = schema();
        let fields = offered(&s, &|_| true);
        let answer = json!({
            "Priority": { "value": "High", "quotes": ["water on the floor by the panel"] },
            "Error_Code__c": { "value": "E-17", "quotes": ["E-17"] },
        });
        let (p, dropped) = merge(NOTES, &fields, rules(), &answer);
        assert!(dropped.is_empty(), "{dropped:?}");
        let priority = p.get("Priority").unwrap();
        assert_eq!(priority.value, FieldValue::text("High"));
        assert!(priority.proposed_by_ai);
        assert_eq!(priority.confidence, AI_CONFIDENCE);
        let Source::Notes { spans } = &priority.source else {
            panic!("{:?}", priority.source)
        };
        assert_eq!(&NOTES[spans[0].range()], "water on the floor by the panel");
        // A field the rules had not proposed is added.
        assert_eq!(
            p.get("Error_Code__c").unwrap().value,
            FieldValue::text("E-17")
        );
    }

    #[test]
    fn an_invented_quote_an_invalid_value_or_a_field_not_offered_is_dropped() {
        let s = schema();
        let fields = offered(&s, &|d| d.name != "Reason");
        let answer = json!({
            // Words that are not in the notes: the model made them up.
            "Priority": { "value": "High", "quotes": ["sparks from the panel"] },
            "Type": { "value": "Plumbing", "quotes": ["Condensate tray"] },
            "Reason": { "value": "Breakdown", "quotes": ["overflowing"] },
            "SuppliedName": { "value": "Kim", "quotes": ["Condensate"] },
            "Subject": { "value": "Tray overflowing" },
            "Safety_Hazard__c": { "value": "yes", "quotes": ["water on the floor"] },
            "Error_Code__c": { "value": "", "quotes": ["E-17"] },
        });
        let (p, dropped) = merge(NOTES, &fields, rules(), &answer);
        let why: Vec<(&str, &str)> = dropped
            .iter()
            .map(|(f, d)| (f.as_str(), d.as_str()))
            .collect();
        assert_eq!(
            why,
            [
                ("Error_Code__c", "invalid_value"),
                ("Priority", "quote_not_in_notes"),
                ("Reason", "not_offered"),
                ("Safety_Hazard__c", "invalid_value"),
                ("Subject", "malformed"),
                ("SuppliedName", "not_offered"),
                ("Type", "invalid_value"),
            ]
        );
        // The rules engine's values stand.
        assert_eq!(p, rules());
    }

    #[test]
    fn every_quote_must_be_in_the_notes() {
        let s = schema();
        let fields = offered(&s, &|_| true);
        let answer = json!({
            "Priority": { "value": "High", "quotes": ["water on the floor", "smoke"] },
        });
        let (p, dropped) = merge(NOTES, &fields, rules(), &answer);
        assert_eq!(dropped[0].1, Dropped::QuoteNotInNotes);
        assert_eq!(p, rules());
    }
}
