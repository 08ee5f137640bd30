//! The structurer against a table of realistic, messy technician notes
//! (`tests/data/notes.json`, shared with `benches/structuring.rs`).

#[path = "support/eval.rs"]
mod eval;

use fieldcase_core::CaseSchema;
use fieldcase_core::structure::Source;

#[test]
fn every_expectation_in_the_table_is_met() {
    let cases = eval::load();
    assert!(
        cases.len() >= 30,
        "the table needs at least 30 notes, has {}",
        cases.len()
    );
    let schema = CaseSchema::salesforce_default();
    let tech = eval::technician();
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let p = eval::run(case, &schema, &tech);
        for o in eval::check(case, &p, &schema) {
            checked += 1;
            if !o.ok {
                problems.push(format!("{} {}: {}", case.id, o.field, o.detail));
            }
        }
        for s in eval::span_problems(&case.notes, &p) {
            problems.push(format!("{} {s}", case.id));
        }
        // Context fields are there on every note.
        for (field, source) in [
            ("SuppliedName", Source::Technician),
            ("AssetId", Source::Asset),
        ] {
            if p.get(field).map(|f| &f.source) != Some(&source) {
                problems.push(format!("{} {field}: not from {source:?}", case.id));
            }
        }
        if p.get("Description").and_then(|f| f.value.as_text()) != Some(case.notes.trim()) {
            problems.push(format!("{} Description: not the notes verbatim", case.id));
        }
        for f in &p.fields {
            if !(0.0..=1.0).contains(&f.confidence) {
                problems.push(format!(
                    "{} {}: confidence {}",
                    case.id, f.field, f.confidence
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {checked} expectations failed:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

/// Notes as they are typed, one character at a time: never a panic, never a bad span.
#[test]
fn every_prefix_of_every_note_gives_sound_spans() {
    let schema = CaseSchema::salesforce_default();
    let tech = eval::technician();
    let mut problems = Vec::new();
    for case in eval::load() {
        for (i, _) in case.notes.char_indices().skip(1) {
            let notes = &case.notes[..i];
            let p = fieldcase_core::structure::structure(
                notes,
                fieldcase_core::structure::Context {
                    asset: &case.asset,
                    technician: &tech,
                },
                &schema,
            );
            for s in eval::span_problems(notes, &p) {
                problems.push(format!("{} [..{i}] {s}", case.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every note of the development corpora, whole and cut after each of its
/// sentences: never a panic, never a bad span. (A note whose first sentence
/// ended on the reporting clause — "… I've reported this." — once panicked.)
#[test]
fn every_development_note_and_each_of_its_sentences_gives_sound_spans() {
    let schema = CaseSchema::salesforce_default();
    let tech = eval::technician();
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in eval::load_file("dev.json", eval::DEV_JSON)
        .into_iter()
        .chain(eval::load_file("dev2.json", eval::DEV2_JSON))
    {
        let ends = case
            .notes
            .char_indices()
            .filter(|&(_, c)| matches!(c, '.' | '!' | '?' | '\n'))
            .map(|(i, c)| i + c.len_utf8())
            .chain([case.notes.len()]);
        for end in ends {
            let notes = &case.notes[..end];
            let p = fieldcase_core::structure::structure(
                notes,
                fieldcase_core::structure::Context {
                    asset: &case.asset,
                    technician: &tech,
                },
                &schema,
            );
            checked += 1;
            for s in eval::span_problems(notes, &p) {
                problems.push(format!("{} [..{end}] {s}", case.id));
            }
        }
    }
    assert!(checked > 3000, "{checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The corpora of issue 10 (`tests/data/dev.json`, `tests/data/heldout.json`)
/// load, are big enough, cover the trades, and every expectation is
/// well-formed. Whether the structurer meets them is the benchmark's report,
/// not this test's.
#[test]
fn the_corpora_load_and_their_expectations_are_well_formed() {
    use std::collections::{BTreeMap, BTreeSet};

    let schema = CaseSchema::salesforce_default();
    let picklist = |field: &str| -> Vec<String> {
        schema
            .field(field)
            .map(|f| f.values.iter().map(|v| v.value.clone()).collect())
            .unwrap_or_default()
    };
    let mut ids = BTreeSet::new();
    let mut trades = BTreeSet::new();
    let mut problems = Vec::new();
    for (file, json, min) in [
        ("dev.json", eval::DEV_JSON, 260),
        ("dev2.json", eval::DEV2_JSON, 1200),
        ("heldout.json", eval::HELDOUT_JSON, 160),
    ] {
        let cases = eval::load_file(file, json);
        assert!(
            cases.len() >= min,
            "{file} needs at least {min} notes, has {}",
            cases.len()
        );
        let mut per_trade: BTreeMap<&str, usize> = BTreeMap::new();
        for case in &cases {
            let id = &case.id;
            if !ids.insert(id.clone()) {
                problems.push(format!("{file} {id}: id used twice"));
            }
            if case.notes.trim().is_empty() {
                problems.push(format!("{file} {id}: empty notes"));
            }
            match (&case.trade, &case.voice) {
                (Some(t), Some(_)) => {
                    trades.insert(t.clone());
                    *per_trade.entry(t.as_str()).or_default() += 1;
                }
                _ => problems.push(format!("{file} {id}: trade and voice tags required")),
            }
            for key in eval::FIELDS {
                let key = if key == "Subject" {
                    "subject_contains"
                } else {
                    key
                };
                let Some(v) = case.expect.get(key) else {
                    problems.push(format!("{file} {id}: no expectation for {key}"));
                    continue;
                };
                let ok = match key {
                    "Priority" | "Type" => v
                        .as_str()
                        .is_some_and(|s| picklist(key).iter().any(|p| p == s)),
                    "Reason" => {
                        v.is_null()
                            || v.as_str()
                                .is_some_and(|s| picklist(key).iter().any(|p| p == s))
                    }
                    "Error_Code__c" | "Meter_Reading__c" => {
                        v.is_null()
                            || v.as_str()
                                .is_some_and(|s| !s.trim().is_empty() && s.trim() == s)
                    }
                    "Safety_Hazard__c" => v.is_boolean(),
                    _ => v.as_array().is_some_and(|phrases| {
                        !phrases.is_empty()
                            && phrases.iter().all(|p| {
                                let alts = p.as_array().cloned().unwrap_or_else(|| vec![p.clone()]);
                                !alts.is_empty()
                                    && alts.iter().all(|a| {
                                        a.as_str().is_some_and(|a| {
                                            !a.trim().is_empty()
                                                && case
                                                    .notes
                                                    .to_lowercase()
                                                    .contains(&a.to_lowercase())
                                        })
                                    })
                            })
                    }),
                };
                if !ok {
                    problems.push(format!("{file} {id}: malformed {key}: {v}"));
                }
            }
            if let Some(code) = case.expect.get("Error_Code__c").and_then(|v| v.as_str())
                && code.chars().count() > 40
            {
                problems.push(format!("{file} {id}: error code longer than the field"));
            }
        }
        assert!(
            per_trade.len() >= 15,
            "{file} covers {} trades: {per_trade:?}",
            per_trade.len()
        );
    }
    assert!(
        trades.len() >= 15,
        "the corpora cover {} trades",
        trades.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
