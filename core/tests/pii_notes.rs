//! The personal-data detectors over the 72 real-world technician notes of
//! `tests/data/notes.json` (readings, error codes, models, serials, dates):
//! none of them holds personal data (each was read), so any finding there is
//! a false positive. Then the same kind of notes with personal data in them.

use fieldcase_core::pii::{HealthTerms, Kind, findings, redact};
use serde_json::Value;

const NOTES_JSON: &str = include_str!("data/notes.json");

#[test]
fn the_technician_notes_hold_no_personal_data() {
    let all: Value = serde_json::from_str(NOTES_JSON).unwrap_or_default();
    let cases = all.as_array().cloned().unwrap_or_default();
    assert_eq!(cases.len(), 72);
    let terms = HealthTerms::default();
    let mut problems = Vec::new();
    for case in &cases {
        let notes = case["notes"].as_str().unwrap_or_default();
        for f in findings(notes, &terms) {
            problems.push(format!("{}: {:?} {:?}", case["id"], f.kind, f.text(notes)));
        }
    }
    assert!(
        problems.is_empty(),
        "false positives:\n{}",
        problems.join("\n")
    );
}

/// Notes, what is in them, and the notes redacted.
type Case<'a> = (&'a str, &'a [(Kind, &'a str)], &'a str);

#[test]
fn personal_data_in_messy_notes_is_found_and_redacted() {
    let cases: &[Case] = &[
        (
            "pump leaking at seal approx 3,2 bar. cust (Dana) says call her on 07700 900123 \
             or dana.o@northwind.example before 5pm. PO 4500012345",
            &[
                (Kind::Phone, "07700 900123"),
                (Kind::Email, "dana.o@northwind.example"),
            ],
            "pump leaking at seal approx 3,2 bar. cust (Dana) says call her on [redacted phone] \
             or [redacted email] before 5pm. PO 4500012345",
        ),
        (
            "E-42 on VFD. Paid callout w/ card 4111 1111 1111 1111, SN 2019-48213-77, 230V ok",
            &[(Kind::Card, "4111 1111 1111 1111")],
            "E-42 on VFD. Paid callout w/ card [redacted card], SN 2019-48213-77, 230V ok",
        ),
        (
            "no heat, old folks home. resident on dialysis so urgent!! manager +44 20 7946 0958",
            &[
                (Kind::Health, "dialysis"),
                (Kind::Phone, "+44 20 7946 0958"),
            ],
            "no heat, old folks home. resident on [redacted health] so urgent!! manager [redacted phone]",
        ),
    ];
    let terms = HealthTerms::default();
    for (notes, expected, redacted) in cases {
        let f = findings(notes, &terms);
        let got: Vec<(Kind, &str)> = f.iter().map(|f| (f.kind, f.text(notes))).collect();
        assert_eq!(&got, expected, "{notes}");
        assert_eq!(redact(notes, &f), *redacted);
    }
}
