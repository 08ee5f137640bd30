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
