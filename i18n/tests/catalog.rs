//! The Spanish catalog (`i18n/es.json`) read as data: every translation
//! keeps what the code around it relies on — its `{}` slots, its markup —
//! and is really a translation. (That every sentence the app, the review
//! engine and the core use *has* one is the Spanish build's job: it does
//! not compile otherwise.)

use std::collections::BTreeMap;

const ES: &str = include_str!("../es.json");

/// Sentences that are the same in both languages.
const SAME_IN_SPANISH: &[&str] = &["fieldcase", "OK", "CRM", "QR", "Error", "No"];

fn catalog() -> BTreeMap<String, String> {
    serde_json::from_str(ES).expect("i18n/es.json is a JSON object of strings")
}

fn slots(s: &str) -> usize {
    s.matches("{}").count()
}

/// The tags of `s` (`<span class="x">`, `</span>`), in order.
fn tags(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push(&rest[start..=start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

#[test]
fn every_translation_is_there_and_keeps_its_slots_and_markup() {
    let catalog = catalog();
    assert!(!catalog.is_empty());
    let mut problems = Vec::new();
    for (english, spanish) in &catalog {
        if spanish.trim().is_empty() {
            problems.push(format!("{english:?} has an empty translation"));
        }
        if slots(spanish) != slots(english) {
            problems.push(format!(
                "{english:?} has {} `{{}}` slots, its translation {spanish:?} {}",
                slots(english),
                slots(spanish)
            ));
        }
        if tags(spanish) != tags(english) {
            problems.push(format!(
                "{english:?}'s markup {:?} differs in {spanish:?}: {:?}",
                tags(english),
                tags(spanish)
            ));
        }
        if english.contains('…') && !spanish.contains('…') || spanish.contains("...") {
            problems.push(format!("{spanish:?}: write “…”, one character"));
        }
        if spanish == english && !SAME_IN_SPANISH.contains(&english.as_str()) {
            problems.push(format!(
                "{english:?} is not translated (if it is the same in Spanish, add it to SAME_IN_SPANISH)"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "i18n/es.json:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_catalog_is_sorted_two_space_indented_one_key_a_line() {
    let canonical = serde_json::to_string_pretty(&catalog()).expect("a map of strings") + "\n";
    assert!(
        ES == canonical,
        "i18n/es.json is not in its canonical form (keys sorted, 2 spaces, one a line, a final newline)"
    );
}

#[test]
fn tags_are_read_in_order() {
    assert_eq!(
        tags("<span class=\"badge\">likely</span> and >text"),
        vec!["<span class=\"badge\">", "</span>"]
    );
    assert_eq!(tags("no markup"), Vec::<&str>::new());
}
