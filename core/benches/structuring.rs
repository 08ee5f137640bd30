//! Structuring accuracy and speed on the table of messy notes
//! (`tests/data/notes.json`, the same table `tests/structuring.rs` demands).
//!
//! Run with `cargo bench -p fieldcase-core --bench structuring`. Prints, per
//! field, how many expectations the structurer meets (computed, not assumed),
//! then the time per note: every note is structured once per pass, and the
//! median, p90 and best of the per-pass averages are reported, plus the
//! median of the slowest note. Then the same accuracy report for the
//! development and held-out corpora (`tests/data/dev.json`,
//! `tests/data/heldout.json`; see `tests/data/GUIDELINES.md`), printed and not
//! asserted, with confusion matrices for Priority and Type and a calibration
//! table (proposals of Priority, Type, Reason and Safety hazard bucketed by
//! confidence, with how many were right).

#[path = "../tests/support/eval.rs"]
mod eval;

use std::hint::black_box;
use std::time::Instant;

use fieldcase_core::structure::{Context, structure};
use fieldcase_core::wire::Technician;
use fieldcase_core::{CaseSchema, FieldValue};

const WARMUP_PASSES: usize = 20;
/// Override with `STRUCTURING_PASSES=n` (e.g. to profile under valgrind).
const DEFAULT_PASSES: usize = 400;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn show(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn main() {
    let cases = eval::load();
    let schema = CaseSchema::salesforce_default();
    let tech = eval::technician();
    let passes = std::env::var("STRUCTURING_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_PASSES);

    // ── Accuracy.
    report(&cases, "tests/data/notes.json", &schema, &tech, true);

    // ── Speed.
    let run_pass = |per_note: &mut [Vec<f64>]| {
        let start = Instant::now();
        for (i, case) in cases.iter().enumerate() {
            let t = Instant::now();
            let ctx = Context {
                asset: &case.asset,
                technician: &tech,
            };
            black_box(structure(black_box(&case.notes), ctx, &schema));
            if let Some(v) = per_note.get_mut(i) {
                v.push(t.elapsed().as_nanos() as f64);
            }
        }
        start.elapsed().as_nanos() as f64 / cases.len() as f64
    };
    let mut none: Vec<Vec<f64>> = Vec::new();
    for _ in 0..WARMUP_PASSES.min(passes) {
        run_pass(&mut none);
    }
    let mut per_note = vec![Vec::with_capacity(passes); cases.len()];
    let mut per_pass: Vec<f64> = (0..passes).map(|_| run_pass(&mut per_note)).collect();
    per_pass.sort_by(f64::total_cmp);
    let mut slowest = (0.0, "");
    for (case, v) in cases.iter().zip(&mut per_note) {
        v.sort_by(f64::total_cmp);
        let median = percentile(v, 0.5);
        if median > slowest.0 {
            slowest = (median, case.id.as_str());
        }
    }
    let bytes: usize = cases.iter().map(|c| c.notes.len()).sum();
    println!(
        "\nstructuring speed: {} notes × {passes} passes (mean note {} bytes)",
        cases.len(),
        bytes / cases.len()
    );
    println!(
        "  per note, median of passes  {}",
        show(percentile(&per_pass, 0.5))
    );
    println!(
        "  per note, p90 of passes     {}",
        show(percentile(&per_pass, 0.9))
    );
    println!("  per note, best pass         {}", show(per_pass[0]));
    println!(
        "  slowest note (median)       {} ({})",
        show(slowest.0),
        slowest.1
    );

    longest_notes(&cases, &schema, &tech);

    // ── The corpora of issue 10: the development set (tuned on) and the
    // held-out set (never tuned on; its figures are the ones that count).
    // Misses are listed for the development set only, and only with
    // STRUCTURING_DEV_MISSES=1, so that nobody tunes on the held-out set.
    // STRUCTURING_DEV_ONLY=1 leaves the held-out set out altogether: the
    // switch to tune with, so that not even its aggregate figures are seen
    // between one recorded measurement and the next.
    let dev_misses = std::env::var("STRUCTURING_DEV_MISSES").is_ok_and(|v| v == "1");
    let dev_only = std::env::var("STRUCTURING_DEV_ONLY").is_ok_and(|v| v == "1");
    let corpora = [
        ("tests/data/dev.json", eval::DEV_JSON, dev_misses),
        ("tests/data/dev2.json", eval::DEV2_JSON, dev_misses),
        ("tests/data/heldout.json", eval::HELDOUT_JSON, false),
    ];
    for (name, json, misses) in corpora.into_iter().take(if dev_only { 2 } else { 3 }) {
        let file = name.rsplit('/').next().unwrap_or(name);
        let corpus = eval::load_file(file, json);
        println!();
        let outcomes = report(&corpus, name, &schema, &tech, misses);
        for field in ["Priority", "Type"] {
            confusion(name, field, &schema, &outcomes);
        }
        calibration(name, &outcomes);
    }

    // STRUCTURING_EXTRA=path.json scores notes that are in neither corpus yet
    // (a new batch, before it joins the development set): fresh notes are
    // the fairest check of a change tuned on the development set.
    if let Ok(path) = std::env::var("STRUCTURING_EXTRA") {
        let json = std::fs::read_to_string(&path).expect("STRUCTURING_EXTRA: a readable file");
        let corpus = eval::load_file(&path, &json);
        println!();
        let outcomes = report(&corpus, &path, &schema, &tech, dev_misses);
        for field in ["Priority", "Type"] {
            confusion(&path, field, &schema, &outcomes);
        }
        calibration(&path, &outcomes);
    }
}

/// What one note expected and what the structurer proposed, per field.
struct Scored {
    expected: Vec<(&'static str, Option<String>)>,
    proposed: Vec<(&'static str, Option<String>)>,
    /// (field, confidence of the proposal, right?) for the calibrated fields.
    judged: Vec<(&'static str, f32, bool)>,
}

/// The fields whose confidence the calibration table checks.
const CALIBRATED: [&str; 4] = ["Priority", "Type", "Reason", "Safety_Hazard__c"];

/// Confidence buckets: lower bound inclusive.
const BUCKETS: [(f32, f32, &str); 3] = [
    (0.0, 0.5, "< 0.5"),
    (0.5, 0.8, "0.5–0.8"),
    (0.8, 1.01, "≥ 0.8"),
];

/// Proposals bucketed by confidence, with how many were right: per field and
/// pooled. Issue 10 asks that of proposals at confidence ≥ 0.8, at least 80%
/// are right on the held-out set.
fn calibration(name: &str, scored: &[Scored]) {
    println!("  calibration ({name}), proposals by confidence: right/count");
    let mut head = format!("    {:<18}", "");
    for (_, _, label) in BUCKETS {
        head.push_str(&format!(" {label:>16}"));
    }
    println!("{head}");
    let fields: Vec<Option<&str>> = CALIBRATED
        .iter()
        .map(|f| Some(*f))
        .chain(std::iter::once(None))
        .collect();
    for field in fields {
        let mut line = format!("    {:<18}", field.unwrap_or("pooled"));
        for (lo, hi, _) in BUCKETS {
            let (mut n, mut ok) = (0usize, 0usize);
            for s in scored {
                for &(f, c, right) in &s.judged {
                    if field.is_none_or(|x| x == f) && c >= lo && c < hi {
                        n += 1;
                        ok += usize::from(right);
                    }
                }
            }
            let cell = if n == 0 {
                "—".to_owned()
            } else {
                format!("{ok}/{n} {:>3.0}%", 100.0 * ok as f64 / n as f64)
            };
            line.push_str(&format!(" {cell:>16}"));
        }
        println!("{line}");
    }
}

fn value_text(v: Option<&FieldValue>) -> Option<String> {
    match v {
        None => None,
        Some(FieldValue::Text(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// Per-field accuracy of the structurer on `cases`, printed; returns what
/// was expected and proposed for each note (for the confusion matrices).
fn report(
    cases: &[eval::Case],
    name: &str,
    schema: &CaseSchema,
    tech: &Technician,
    show_misses: bool,
) -> Vec<Scored> {
    let mut ok = [0usize; eval::FIELDS.len()];
    let mut total = [0usize; eval::FIELDS.len()];
    let mut perfect = 0;
    let mut misses = Vec::new();
    let mut scored = Vec::new();
    for case in cases {
        let p = eval::run(case, schema, tech);
        let mut all = true;
        let mut judged = Vec::new();
        for o in eval::check(case, &p, schema) {
            if let Some(f) = CALIBRATED.iter().find(|f| **f == o.field)
                && let Some(c) = p.get(f).map(|x| x.confidence)
            {
                judged.push((*f, c, o.ok));
            }
            let k = eval::FIELDS
                .iter()
                .position(|f| *f == o.field)
                .unwrap_or_default();
            total[k] += 1;
            if o.ok {
                ok[k] += 1;
            } else {
                all = false;
                misses.push(format!("{} {}: {}", case.id, o.field, o.detail));
            }
        }
        perfect += usize::from(all);
        let fields = ["Priority", "Type"];
        scored.push(Scored {
            expected: fields
                .iter()
                .map(|f| {
                    (
                        *f,
                        case.expect
                            .get(*f)
                            .and_then(|v| v.as_str())
                            .map(str::to_owned),
                    )
                })
                .collect(),
            proposed: fields
                .iter()
                .map(|f| (*f, value_text(p.get(f).map(|x| &x.value))))
                .collect(),
            judged,
        });
    }
    println!("structuring accuracy on {} notes ({name})", cases.len());
    for (k, field) in eval::FIELDS.iter().enumerate() {
        if total[k] > 0 {
            let pct = 100.0 * ok[k] as f64 / total[k] as f64;
            println!("  {field:<18} {:>3}/{:<3} {pct:>5.1}%", ok[k], total[k]);
        }
    }
    let (sum_ok, sum_total): (usize, usize) = (ok.iter().sum(), total.iter().sum());
    println!(
        "  {:<18} {sum_ok:>3}/{sum_total:<3} {:>5.1}%",
        "all expectations",
        100.0 * sum_ok as f64 / sum_total.max(1) as f64
    );
    println!(
        "  {:<18} {perfect:>3}/{:<3} {:>5.1}%",
        "notes fully right",
        cases.len(),
        100.0 * perfect as f64 / cases.len().max(1) as f64
    );
    if show_misses {
        for m in &misses {
            println!("  miss: {m}");
        }
    }
    scored
}

/// Expected (rows) × proposed (columns) counts for one picklist field, over
/// the notes that expect a value for it.
fn confusion(name: &str, field: &str, schema: &CaseSchema, scored: &[Scored]) {
    let mut values: Vec<String> = schema
        .field(field)
        .map(|f| f.values.iter().map(|v| v.value.clone()).collect())
        .unwrap_or_default();
    let none = "(none)".to_owned();
    let mut columns = values.clone();
    columns.push(none.clone());
    values.push(none.clone());
    let index = |v: &Option<String>, list: &[String]| {
        let v = v.as_ref().unwrap_or(&none);
        list.iter().position(|x| x == v).unwrap_or(list.len() - 1)
    };
    let mut counts = vec![vec![0usize; columns.len()]; values.len()];
    for s in scored {
        let pick = |list: &[(&str, Option<String>)]| {
            list.iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, v)| v.clone())
        };
        let want = pick(&s.expected);
        if want.is_none() {
            continue;
        }
        let got = pick(&s.proposed);
        counts[index(&want, &values)][index(&got, &columns)] += 1;
    }
    let width = columns.iter().map(String::len).max().unwrap_or(6).max(6);
    println!("  {field} confusion ({name}), expected × proposed:");
    let mut head = format!("    {:<width$}", "");
    for c in &columns {
        head.push_str(&format!(" {c:>width$}"));
    }
    println!("{head}");
    for (r, row) in counts.iter().enumerate() {
        if row.iter().sum::<usize>() == 0 {
            continue;
        }
        let mut line = format!("    {:<width$}", values[r]);
        for n in row {
            line.push_str(&format!(" {n:>width$}"));
        }
        println!("{line}");
    }
}

/// Notes as long as the intake takes (`Limits::max_notes_chars`), in the
/// shapes that once made the engine quadratic: the table's notes end to end,
/// the same with no full stop, one word, a list of commas, a negated cue, a
/// code, a reported word pair. Each is timed once per size, best of three:
/// the time should double with the length, no more.
fn longest_notes(cases: &[eval::Case], schema: &CaseSchema, tech: &Technician) {
    let max = fieldcase_core::wire::Limits::default().max_notes_chars as usize;
    let table: String = cases
        .iter()
        .map(|c| c.notes.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let no_stops: String = table.chars().filter(|c| !".;!?\n".contains(*c)).collect();
    let shapes = [
        ("the table's notes", table.as_str()),
        ("no full stop", no_stops.as_str()),
        ("pump ", "pump "),
        ("fire, ", "fire, "),
        ("no leak. ", "no leak. "),
        ("E1: ", "E1: "),
        ("cust says ", "cust says "),
    ];
    let ctx = Context {
        asset: &cases[0].asset,
        technician: tech,
    };
    println!("\nstructuring the longest notes (best of 3, native):");
    for (name, unit) in shapes {
        let mut line = format!("  {name:18}");
        for chars in [max / 4, max / 2, max] {
            let notes: String = unit.chars().cycle().take(chars).collect();
            let best = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    black_box(structure(black_box(&notes), ctx, schema));
                    t.elapsed().as_secs_f64() * 1e3
                })
                .fold(f64::INFINITY, f64::min);
            line += &format!("  {chars:>6} chars {best:6.1} ms");
        }
        println!("{line}");
    }
}
