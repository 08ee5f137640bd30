//! Personal and regulated data in free text: e-mail addresses, phone
//! numbers, payment card numbers, IBANs, US social security numbers, UK
//! National Insurance numbers and health terms a regulated customer must not
//! send to its CRM.
//!
//! The technician's review screen (through the review engine), the server
//! at submission, the console and the admin's policy all call [`findings`],
//! so they agree on what was found. A finding is a byte span of the text and
//! its [`Kind`]; [`redact`] replaces each by `[redacted card]` and so on.
//! The audit trail records how many of each kind ([`counts`]), never the
//! value.
//!
//! The detectors are written by hand, not with the `regex` crate: this
//! module is compiled into the review engine the technician's phone
//! downloads, and a regex engine with its Unicode tables would cost more
//! than everything else in it. Each detector is a small scanner over bytes
//! (the patterns are ASCII) with the check that makes it precise: Luhn and a
//! known card prefix for cards, the country's length and mod-97 for IBANs,
//! the allocation rules for SSNs and NI numbers, and for phone numbers a
//! shape a dialled number has (a `+` or `00` and a country code, a national
//! trunk `0`, or the North American 3-3-4 grouping) and no label of an
//! order, serial or part number in front — so readings, dates, times, error
//! codes and order numbers, which have none of those, are left alone.

use std::collections::BTreeMap;

use fieldcase_i18n::t;
use serde::{Deserialize, Serialize};

use crate::schema::{CaseSchema, FieldDef, FieldType, Hint};
use crate::validate::FieldValue;

/// What a finding is. The wire name ([`Kind::as_str`]) is stable: it is in
/// the audit trail and the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Email,
    Phone,
    Card,
    Iban,
    UsSsn,
    UkNino,
    Health,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Email,
        Kind::Phone,
        Kind::Card,
        Kind::Iban,
        Kind::UsSsn,
        Kind::UkNino,
        Kind::Health,
    ];

    /// The stable snake_case name (the same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::UsSsn => "us_ssn",
            Kind::UkNino => "uk_nino",
            Kind::Health => "health",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// In words, in the build's language: "card number".
    pub fn label(self) -> &'static str {
        match self {
            Kind::Email => t!("e-mail address"),
            Kind::Phone => t!("phone number"),
            Kind::Card => t!("card number"),
            Kind::Iban => t!("bank account (IBAN)"),
            Kind::UsSsn => t!("US social security number"),
            Kind::UkNino => t!("UK National Insurance number"),
            Kind::Health => t!("health information"),
        }
    }

    /// What replaces a finding: `[redacted card]`. Always English: it is
    /// what the CRM and its readers see, whatever the technician's language.
    pub fn redaction(self) -> &'static str {
        match self {
            Kind::Email => "[redacted email]",
            Kind::Phone => "[redacted phone]",
            Kind::Card => "[redacted card]",
            Kind::Iban => "[redacted iban]",
            Kind::UsSsn => "[redacted ssn]",
            Kind::UkNino => "[redacted ni number]",
            Kind::Health => "[redacted health]",
        }
    }
}

/// One piece of personal data: `text[start..end]` (bytes, on character
/// boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Finding {
    /// The words found, or `""` when the span does not fit `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// The health terms a regulated customer must not send: whole words or
/// phrases, matched without regard to case. An admin's policy carries its
/// own list; [`HealthTerms::default`] is a sensible start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthTerms {
    pub terms: Vec<String>,
}

/// Words about a person's health, not a machine's: no "depression" (a dent),
/// "aids" (hearing aids, aids the flow), "disabled" (an alarm) or "injury"
/// (a safety report names one, and must).
const DEFAULT_HEALTH_TERMS: &[&str] = &[
    "diagnosis",
    "diagnoses",
    "diagnosed",
    "patient",
    "patients",
    "prescription",
    "prescriptions",
    "prescribed",
    "medication",
    "medications",
    "medical record",
    "medical records",
    "medical condition",
    "medical history",
    "health condition",
    "mental health",
    "psychiatric",
    "HIV",
    "pregnant",
    "pregnancy",
    "cancer",
    "chemotherapy",
    "dialysis",
    "diabetes",
    "diabetic",
    "insulin",
    "epilepsy",
    "epileptic",
    "dementia",
    "hepatitis",
    "tuberculosis",
    "antidepressant",
    "antidepressants",
    "NHS number",
];

impl Default for HealthTerms {
    fn default() -> Self {
        HealthTerms {
            terms: DEFAULT_HEALTH_TERMS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

impl HealthTerms {
    /// No health terms at all (a customer that is not regulated).
    pub fn none() -> Self {
        HealthTerms { terms: Vec::new() }
    }

    /// Each term as its lower-case words, blank ones left out.
    fn phrases(&self) -> Vec<Vec<String>> {
        self.terms
            .iter()
            .map(|t| words(t).map(|(_, _, w)| w).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect()
    }
}

/// Every finding in `text`: sorted by position, never overlapping (where two
/// detectors claim the same characters, the first of e-mail, IBAN, card,
/// SSN, NI number, phone, health wins).
pub fn findings(text: &str, terms: &HealthTerms) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut add = |more: Vec<Finding>| {
        for f in more {
            if !found.iter().any(|g| f.start < g.end && g.start < f.end) {
                found.push(f);
            }
        }
    };
    add(emails(text));
    add(ibans(text));
    add(cards(text));
    add(ssns(text));
    add(ninos(text));
    add(phones(text));
    add(health(text, terms));
    // None overlap, so no two start together: the order is fully decided.
    found.sort_unstable_by_key(|f| f.start);
    found
}

/// The kinds present, each once, in [`Kind`]'s order.
pub fn kinds_present(findings: &[Finding]) -> Vec<Kind> {
    counts(findings).into_keys().collect()
}

/// How many of each kind: what the audit trail records.
pub fn counts(findings: &[Finding]) -> BTreeMap<Kind, usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        *out.entry(f.kind).or_insert(0) += 1;
    }
    out
}

/// [`counts`] as a JSON object keyed by wire name, `{"card":1,"email":2}`.
pub fn counts_json(findings: &[Finding]) -> serde_json::Value {
    counts(findings)
        .into_iter()
        .map(|(k, n)| (k.as_str().to_owned(), serde_json::Value::from(n)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `text` with each finding replaced by its kind's [`Kind::redaction`].
/// `findings` are as [`findings`] returns them (sorted, not overlapping);
/// one that is not (out of range, overlapping the one before, off a
/// character boundary) is left out rather than cutting the text wrongly.
pub fn redact(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end <= f.start || text.get(f.start..f.end).is_none() {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(f.kind.redaction());
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with everything [`findings`] finds redacted.
pub fn redact_all(text: &str, terms: &HealthTerms) -> String {
    redact(text, &findings(text, terms))
}

/// Where a byte offset of the text before [`redact`] lands after it: moved
/// by the length each redaction before it changed; an offset inside a
/// redacted span lands at the redaction's start (`start_of`) or end. For
/// keeping other spans of the same text (structuring's highlights) right.
pub fn moved(offset: usize, findings: &[Finding], start_of: bool) -> usize {
    let mut delta: isize = 0;
    for f in findings {
        let new_len = f.kind.redaction().len() as isize;
        if offset >= f.end {
            delta += new_len - (f.end - f.start) as isize;
        } else if offset > f.start {
            let base = (f.start as isize + delta) as usize;
            return if start_of {
                base
            } else {
                base + new_len as usize
            };
        } else {
            break;
        }
    }
    (offset as isize + delta).max(0) as usize
}

/// Where a finding of an intake is: `"notes"`.
pub const NOTES: &str = "notes";

/// A finding in an intake: in its notes ([`NOTES`]) or in one of its case
/// fields (by API name), with its byte span in that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldFinding {
    /// `notes`, or a case field's API name such as `Description`.
    pub field: String,
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

impl FieldFinding {
    fn of(field: &str, f: Finding) -> Self {
        FieldFinding {
            field: field.to_owned(),
            kind: f.kind,
            start: f.start as u32,
            end: f.end as u32,
        }
    }

    fn finding(&self) -> Finding {
        Finding {
            kind: self.kind,
            start: self.start as usize,
            end: self.end as usize,
        }
    }
}

/// The case fields a person types free text into: text and long text that
/// the technician or a dispatcher edits, not the technician's own details
/// (their e-mail and phone are meant to be there).
pub fn free_text_fields(schema: &CaseSchema) -> impl Iterator<Item = &FieldDef> {
    schema.fields.iter().filter(|d| {
        matches!(d.field_type, FieldType::Text | FieldType::Textarea)
            && d.is_editable()
            && !d.has_hint(Hint::TechnicianName)
            && !d.has_hint(Hint::TechnicianEmail)
            && !d.has_hint(Hint::TechnicianPhone)
    })
}

/// Every finding of an intake: its notes first, then its free-text fields
/// in schema order.
pub fn scan(
    schema: &CaseSchema,
    notes: &str,
    fields: &BTreeMap<String, FieldValue>,
    terms: &HealthTerms,
) -> Vec<FieldFinding> {
    let mut out: Vec<FieldFinding> = findings(notes, terms)
        .into_iter()
        .map(|f| FieldFinding::of(NOTES, f))
        .collect();
    for def in free_text_fields(schema) {
        if let Some(text) = fields.get(&def.name).and_then(FieldValue::as_text) {
            out.extend(
                findings(text, terms)
                    .into_iter()
                    .map(|f| FieldFinding::of(&def.name, f)),
            );
        }
    }
    out
}

/// How many of each kind in each place: `{"notes":{"card":1},"Description":{"card":1}}`,
/// what the audit trail records (never a value).
pub fn counts_by_field(found: &[FieldFinding]) -> serde_json::Value {
    let mut out: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for f in found {
        *out.entry(&f.field)
            .or_default()
            .entry(f.kind.as_str())
            .or_insert(0) += 1;
    }
    serde_json::to_value(out).unwrap_or_default()
}

/// An intake's text after a redaction, and what was redacted where.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    pub notes: String,
    pub fields: BTreeMap<String, FieldValue>,
    /// The findings of the notes that were redacted (to move other spans
    /// of the notes with [`moved`]).
    pub notes_redacted: Vec<Finding>,
    /// Every finding redacted, with its span before the redaction.
    pub redacted: Vec<FieldFinding>,
    /// The words redacted, by kind.
    values: Vec<(Kind, String)>,
}

impl Redacted {
    /// Another text of the same intake (structuring's proposed values) with
    /// the same words redacted, and nothing else.
    pub fn apply(&self, text: &str, terms: &HealthTerms) -> String {
        let same: Vec<Finding> = findings(text, terms)
            .into_iter()
            .filter(|f| {
                self.values
                    .iter()
                    .any(|(k, v)| *k == f.kind && v == f.text(text))
            })
            .collect();
        redact(text, &same)
    }
}

/// Redact `chosen` (findings of [`scan`] on this very intake) and every
/// other finding of the same kind with the same words, in the notes and
/// the free-text fields: a card number redacted in the notes is redacted in
/// the Description copied from them too. `None` when one of `chosen` is not
/// a finding of the intake as it is (it changed since it was scanned).
pub fn redact_intake(
    schema: &CaseSchema,
    notes: &str,
    fields: &BTreeMap<String, FieldValue>,
    terms: &HealthTerms,
    chosen: &[FieldFinding],
) -> Option<Redacted> {
    let current = scan(schema, notes, fields, terms);
    let text_of = |f: &FieldFinding| -> Option<String> {
        let text = if f.field == NOTES {
            notes
        } else {
            fields.get(&f.field).and_then(FieldValue::as_text)?
        };
        Some(f.finding().text(text).to_owned())
    };
    let mut values: Vec<(Kind, String)> = Vec::new();
    for c in chosen {
        if !current.contains(c) {
            return None;
        }
        values.push((c.kind, text_of(c)?));
    }
    let picked: Vec<FieldFinding> = current
        .into_iter()
        .filter(|f| text_of(f).is_some_and(|t| values.iter().any(|(k, v)| *k == f.kind && *v == t)))
        .collect();
    let in_field = |field: &str| -> Vec<Finding> {
        picked
            .iter()
            .filter(|f| f.field == field)
            .map(FieldFinding::finding)
            .collect()
    };
    let notes_redacted = in_field(NOTES);
    let mut out_fields = fields.clone();
    for def in free_text_fields(schema) {
        let found = in_field(&def.name);
        if let (false, Some(text)) = (
            found.is_empty(),
            fields.get(&def.name).and_then(FieldValue::as_text),
        ) {
            out_fields.insert(def.name.clone(), FieldValue::text(redact(text, &found)));
        }
    }
    Some(Redacted {
        notes: redact(notes, &notes_redacted),
        fields: out_fields,
        notes_redacted,
        redacted: picked,
        values,
    })
}

// ---------------------------------------------------------------------------
// The scanners. They look at bytes: every pattern is ASCII, and an ASCII byte
// in UTF-8 is always a whole character, so spans stay on boundaries.

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The byte before `i` is not a letter, digit or `_` (or there is none).
fn boundary_before(b: &[u8], i: usize) -> bool {
    i == 0 || !is_word_byte(b[i - 1])
}

/// The byte at `i` is not a letter, digit or `_` (or there is none).
fn boundary_at(b: &[u8], i: usize) -> bool {
    i >= b.len() || !is_word_byte(b[i])
}

fn emails(text: &str) -> Vec<Finding> {
    const LOCAL_EXTRA: &[u8] = b"!#$%&'*+/=?^_`{|}~.-";
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for at in (0..b.len()).filter(|&i| b[i] == b'@') {
        if at < from {
            continue;
        }
        let mut start = at;
        while start > from
            && (b[start - 1].is_ascii_alphanumeric() || LOCAL_EXTRA.contains(&b[start - 1]))
        {
            start -= 1;
        }
        // Punctuation around an address is not part of it: "(a@b.com)".
        while start < at && matches!(b[start], b'.' | b'\'' | b'`' | b'{' | b'|') {
            start += 1;
        }
        let mut end = at + 1;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'.' | b'-')) {
            end += 1;
        }
        while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let (local, domain) = (&text[start..at], &text[at + 1..end]);
        let labels: Vec<&str> = domain.split('.').collect();
        let ok = !local.is_empty()
            && !local.ends_with('.')
            && !local.contains("..")
            && labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()));
        if ok {
            out.push(Finding {
                kind: Kind::Email,
                start,
                end,
            });
            from = end;
        }
    }
    out
}

/// IBAN lengths by country (the IBAN registry).
const IBAN_LENGTHS: &str = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22\
DJ27DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30\
KW30KZ20LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29\
PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20YE30";

fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS.as_bytes().chunks(4).find_map(|c| {
        (c[0] == country[0] && c[1] == country[1])
            .then(|| usize::from(c[2] - b'0') * 10 + usize::from(c[3] - b'0'))
    })
}

/// The IBAN's check: moved four characters to the end, letters as 10–35,
/// the number mod 97 is 1.
pub fn iban_valid(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else if c.is_ascii_uppercase() {
            rem = (rem * 100 + u32::from(c - b'A') + 10) % 97;
        } else {
            return false;
        }
    }
    rem == 1
}

fn ibans(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= b.len() {
        let found = (boundary_before(b, i)
            && b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit())
        .then(|| iban_at(b, i))
        .flatten();
        match found {
            Some(end) => {
                out.push(Finding {
                    kind: Kind::Iban,
                    start: i,
                    end,
                });
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The end of an IBAN starting at `i`, spaced in groups or not.
fn iban_at(b: &[u8], i: usize) -> Option<usize> {
    let len = iban_length([b[i].to_ascii_uppercase(), b[i + 1].to_ascii_uppercase()])?;
    let mut chars = Vec::with_capacity(len);
    let mut j = i;
    while chars.len() < len && j < b.len() {
        if b[j].is_ascii_alphanumeric() {
            chars.push(b[j]);
            j += 1;
        } else if b[j] == b' ' && j + 1 < b.len() && b[j + 1].is_ascii_alphanumeric() && j > i {
            j += 1;
        } else {
            break;
        }
    }
    (chars.len() == len && boundary_at(b, j) && iban_valid(&chars)).then_some(j)
}

/// The Luhn check of a card number's digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (n, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if n % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Issuer prefixes of the card networks (Visa, Mastercard, American Express,
/// Discover, JCB, Diners Club, Maestro, UnionPay), with their lengths.
fn known_issuer(d: &[u8]) -> bool {
    let prefix = |n: usize| -> u32 {
        d.iter()
            .take(n)
            .fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'))
    };
    let len = d.len();
    let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
    (p1 == 4 && matches!(len, 13 | 16 | 19))
        || ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16
        || matches!(p2, 34 | 37) && len == 15
        || (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3)) && (16..=19).contains(&len)
        || (3528..=3589).contains(&p4) && (16..=19).contains(&len)
        || ((300..=305).contains(&p3) || matches!(p2, 36 | 38)) && (14..=19).contains(&len)
        || (p2 == 50 || (56..=69).contains(&p2)) && (12..=19).contains(&len)
        || p2 == 62 && (16..=19).contains(&len)
}

/// Runs of digits in groups joined by one space or one hyphen, with nothing
/// word-like on either side: `(start, end, digits)`.
fn digit_runs(b: &[u8]) -> Vec<(usize, usize, Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || !boundary_before(b, i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = Vec::new();
        let mut j = i;
        loop {
            while j < b.len() && b[j].is_ascii_digit() {
                digits.push(b[j]);
                j += 1;
            }
            if j + 1 < b.len() && matches!(b[j], b' ' | b'-') && b[j + 1].is_ascii_digit() {
                j += 1;
            } else {
                break;
            }
        }
        if boundary_at(b, j) {
            out.push((start, j, digits));
        }
        i = j.max(i + 1);
    }
    out
}

fn cards(text: &str) -> Vec<Finding> {
    digit_runs(text.as_bytes())
        .into_iter()
        .filter(|(start, _, d)| {
            // `+4915112345678` is a phone number, whatever its digits.
            (*start == 0 || text.as_bytes()[start - 1] != b'+')
                && (13..=19).contains(&d.len())
                && known_issuer(d)
                && luhn_valid(d)
        })
        .map(|(start, end, _)| Finding {
            kind: Kind::Card,
            start,
            end,
        })
        .collect()
}

fn ssns(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(10) {
        let s = &b[i..i + 11];
        let shape = s.iter().enumerate().all(|(n, &c)| {
            if n == 3 || n == 6 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        if !shape
            || !boundary_before(b, i)
            || !boundary_at(b, i + 11)
            || (i > 0 && b[i - 1] == b'-')
            || b.get(i + 11) == Some(&b'-')
        {
            continue;
        }
        let (area, group, serial) = (&s[0..3], &s[4..6], &s[7..11]);
        let valid = area != b"000"
            && area != b"666"
            && area[0] != b'9'
            && group != b"00"
            && serial != b"0000";
        if valid {
            out.push(Finding {
                kind: Kind::UsSsn,
                start: i,
                end: i + 11,
            });
        }
    }
    out
}

/// HMRC's rules for a National Insurance number's two prefix letters.
fn nino_prefix_ok(a: u8, b: u8) -> bool {
    let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
    !b"DFIQUV".contains(&a)
        && !b"DFIOQUV".contains(&b)
        && ![*b"BG", *b"GB", *b"KN", *b"NK", *b"NT", *b"TN", *b"ZZ"].contains(&[a, b])
}

fn ninos(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        if !(boundary_before(b, i)
            && b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && nino_prefix_ok(b[i], b[i + 1]))
        {
            i += 1;
            continue;
        }
        // Six digits, in pairs that may be spaced, then the suffix A–D.
        let mut j = i + 2;
        let mut digits = 0;
        let spaced = b.get(j) == Some(&b' ');
        while digits < 6 {
            if spaced && digits % 2 == 0 && b.get(j) == Some(&b' ') {
                j += 1;
            }
            match b.get(j) {
                Some(c) if c.is_ascii_digit() => {
                    digits += 1;
                    j += 1;
                }
                _ => break,
            }
        }
        if digits == 6 && spaced && b.get(j) == Some(&b' ') {
            j += 1;
        }
        let suffix = b.get(j).map(u8::to_ascii_uppercase);
        if digits == 6 && matches!(suffix, Some(b'A'..=b'D')) && boundary_at(b, j + 1) {
            out.push(Finding {
                kind: Kind::UkNino,
                start: i,
                end: j + 1,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Labels that make the number after them an order, serial, part or other
/// reference number, never a phone number.
const NOT_A_PHONE_AFTER: &[&str] = &[
    "po",
    "p.o",
    "sn",
    "s/n",
    "serial",
    "order",
    "part",
    "pn",
    "p/n",
    "ref",
    "reference",
    "invoice",
    "inv",
    "model",
    "lot",
    "batch",
    "wo",
    "job",
    "ticket",
    "asset",
    "tag",
    "sku",
    "item",
    "account",
    "acct",
    "meter",
    "mpan",
    "mprn",
    "code",
    "error",
    "fault",
    "alarm",
];

fn labelled_as_not_a_phone(text: &str, start: usize) -> bool {
    let mut before = &text[..start];
    // The word before, or the one before "no." / "number".
    for _ in 0..2 {
        let trimmed = before.trim_end_matches([' ', ':', '#', '-', '.']);
        let word_start = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '/' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = trimmed[word_start..]
            .trim_end_matches(['.', '/'])
            .to_ascii_lowercase();
        if NOT_A_PHONE_AFTER.contains(&word.as_str()) {
            return true;
        }
        if !matches!(word.as_str(), "no" | "nr" | "num" | "number" | "nos") {
            return false;
        }
        before = &trimmed[..word_start];
    }
    false
}

/// A dialled number's shape: the candidate's text (`+`, digits, spaces,
/// `-`, `.`, `(`, `)`), its digit groups.
fn phone_shape(s: &str) -> bool {
    let groups: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    let first = s.trim_start_matches(['(', ' ']);
    if let Some(rest) = first.strip_prefix('+') {
        // International: a country code (not 0) and 8 to 15 digits in all.
        return rest.starts_with(|c: char| c.is_ascii_digit() && c != '0')
            && (8..=15).contains(&digits);
    }
    if let Some(rest) = first.strip_prefix("00") {
        // `00` and a country code, then the number without its trunk 0.
        return rest.starts_with(|c: char| c.is_ascii_digit() && c != '0')
            && groups.len() >= 2
            && groups[0].len() <= 5
            && !groups[1].starts_with('0')
            && (11..=17).contains(&digits);
    }
    if let Some(rest) = first.strip_prefix('0') {
        // A national number with its trunk 0: 10 or 11 digits.
        return rest.starts_with(|c: char| c.is_ascii_digit() && c != '0')
            && (10..=11).contains(&digits)
            && groups.iter().all(|g| g.len() >= 2 || groups.len() == 1);
    }
    // North American: (NXX) NXX-XXXX, NXX-NXX-XXXX, 1 NXX NXX XXXX.
    let nanp = |g: &[&str]| {
        g.len() == 3
            && g[0].len() == 3
            && g[1].len() == 3
            && g[2].len() == 4
            && !g[0].starts_with(['0', '1'])
            && !g[1].starts_with(['0', '1'])
    };
    nanp(&groups) || (groups.len() == 4 && groups[0] == "1" && nanp(&groups[1..]))
}

fn phones(text: &str) -> Vec<Finding> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = (b[i] == b'+' || b[i] == b'(' || b[i].is_ascii_digit())
            && boundary_before(b, i)
            && !(i > 0 && matches!(b[i - 1], b'.' | b'/' | b':' | b'-' | b',' | b'+'))
            && (b[i] != b'(' || b.get(i + 1).is_some_and(u8::is_ascii_digit))
            && (b[i] != b'+' || b.get(i + 1).is_some_and(u8::is_ascii_digit));
        if !starts {
            i += 1;
            continue;
        }
        // The candidate: digits with single separators between them.
        let mut j = i + 1;
        let mut end = if b[i].is_ascii_digit() { i + 1 } else { i };
        while j < b.len() {
            let c = b[j];
            if c.is_ascii_digit() {
                j += 1;
                end = j;
            } else if matches!(c, b' ' | b'-' | b'.' | b'(' | b')') {
                // At most two separators in a row, and only as ") " or " (".
                let next = b.get(j + 1).copied();
                let ok = match next {
                    Some(n) if n.is_ascii_digit() => true,
                    Some(b'(') => c == b' ',
                    Some(b' ') => c == b')',
                    _ => false,
                };
                if !ok {
                    if c == b')' {
                        end = j + 1;
                    }
                    break;
                }
                j += if next.is_some_and(|n| !n.is_ascii_digit()) {
                    2
                } else {
                    1
                };
            } else {
                break;
            }
        }
        let candidate = &text[i..end];
        let balanced = candidate.matches('(').count() == candidate.matches(')').count();
        // A decimal point or letters straight after make it a reading or a code.
        let after_ok = end >= b.len()
            || !(is_word_byte(b[end])
                || (matches!(b[end], b'.' | b',' | b':' | b'/')
                    && b.get(end + 1).is_some_and(u8::is_ascii_digit)));
        let candidate_end = if candidate.ends_with(')') && !balanced {
            end - 1
        } else {
            end
        };
        let candidate = &text[i..candidate_end];
        if after_ok
            && candidate.matches('(').count() == candidate.matches(')').count()
            && phone_shape(candidate)
            && !labelled_as_not_a_phone(text, i)
        {
            out.push(Finding {
                kind: Kind::Phone,
                start: i,
                end: candidate_end,
            });
            i = candidate_end;
        } else {
            // A phone number is a whole run: none is looked for inside a
            // longer one (an IBAN's or a serial's digits).
            i = end.max(i + 1);
        }
    }
    out
}

/// The words of `text`: runs of letters and digits, with their byte span
/// and in lower case.
fn words(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            chars.next();
        }
        let (start, _) = *chars.peek()?;
        let mut end = start;
        let mut word = String::new();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            word.extend(c.to_lowercase());
            end = i + c.len_utf8();
            chars.next();
        }
        Some((start, end, word))
    })
}

fn health(text: &str, terms: &HealthTerms) -> Vec<Finding> {
    let phrases = terms.phrases();
    if phrases.is_empty() {
        return Vec::new();
    }
    let ws: Vec<(usize, usize, String)> = words(text).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        // The longest phrase that starts here, its words separated only by
        // spaces or hyphens.
        let hit = phrases
            .iter()
            .filter(|p| {
                p.len() <= ws.len() - i
                    && p.iter()
                        .zip(&ws[i..])
                        .enumerate()
                        .all(|(n, (pw, (s, _, w)))| {
                            pw == w
                                && (n == 0
                                    || text[ws[i + n - 1].1..*s]
                                        .chars()
                                        .all(|c| c == ' ' || c == '-'))
                        })
            })
            .map(Vec::len)
            .max();
        match hit {
            Some(n) => {
                out.push(Finding {
                    kind: Kind::Health,
                    start: ws[i].0,
                    end: ws[i + n - 1].1,
                });
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, &str)> {
        findings(text, &HealthTerms::default())
            .into_iter()
            .map(|f| (f.kind, f.text(text)))
            .collect()
    }

    fn only(kind: Kind, text: &str) -> Vec<&str> {
        found(text)
            .into_iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t)
            .collect()
    }

    /// Each true positive is found exactly (the whole value, nothing
    /// around it) and each false positive is not found at all.
    fn table(kind: Kind, yes: &[(&str, &str)], no: &[&str]) {
        for (text, value) in yes {
            assert_eq!(only(kind, text), vec![*value], "{kind:?} in {text:?}");
        }
        for text in no {
            assert_eq!(found(text), vec![], "nothing in {text:?}");
        }
    }

    #[test]
    fn emails() {
        table(
            Kind::Email,
            &[
                (
                    "mail dana.okafor@example.com re the pump",
                    "dana.okafor@example.com",
                ),
                (
                    "(j_smith+pumps@mail.example.co.uk).",
                    "j_smith+pumps@mail.example.co.uk",
                ),
                (
                    "Contact: ops-team@northwind-foods.com, ext 4",
                    "ops-team@northwind-foods.com",
                ),
                ("EMAIL A.B@EXAMPLE.ORG", "A.B@EXAMPLE.ORG"),
            ],
            &[
                "pressure @ 3 bar",
                "meet @ 14:30",
                "user@localhost",
                "a@b.c",
                "@example.com",
                "rated 5A@230V",
                "x@1.2",
            ],
        );
    }

    #[test]
    fn phone_numbers() {
        table(
            Kind::Phone,
            &[
                ("call +44 20 7946 0958 after 5", "+44 20 7946 0958"),
                ("cust mobile 07700 900123 pls", "07700 900123"),
                ("on 020 7946 0958.", "020 7946 0958"),
                ("ring (555) 867-5309 now", "(555) 867-5309"),
                ("tel 555-867-5309", "555-867-5309"),
                ("tel 555.867.5309", "555.867.5309"),
                ("1-800-555-0199 is the line", "1-800-555-0199"),
                ("+1 (415) 555-2671", "+1 (415) 555-2671"),
                ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
                ("+4915112345678", "+4915112345678"),
                ("0044 20 7946 0958", "0044 20 7946 0958"),
                ("Tel. 030 12345678", "030 12345678"),
                ("01 23 45 67 89", "01 23 45 67 89"),
            ],
            &[
                "PO 4500012345 for the seal kit",
                "PO-4500012345",
                "order no. 0123456789",
                "SN 2019-48213-77",
                "serial 0212 345 6789",
                "S/N: 07700900123",
                "part 6ES7-214-1AG40-0XB0",
                "P/N 555-123-4567",
                "pressure 3.5 bar, 4.2 bar",
                "230V 50Hz",
                "1200 rpm",
                "1234.5 kWh",
                "meter reads 0012345.6 m3",
                "due 2026-11-30",
                "on 30.11.2026 at 14:30",
                "01/12/2026 08:15",
                "2026-11-30 08:15",
                "E-104 then F2",
                "E-42, err 12, code 0x1F, alarm 305",
                "fault 23, 11.8A all 3 phases, 400V",
                "model 4200-300-1000",
                "set 2.0 bar, should be 3.0 bar",
                "-12\u{b0}C should be -18 \u{b0}C",
                "4500012345",
                "123 456 7890",
                "firmware v2.3.1",
                "ratio 1:1000000000",
                "1/2in 2 wire",
            ],
        );
    }

    #[test]
    fn card_numbers() {
        table(
            Kind::Card,
            &[
                ("card 4111 1111 1111 1111 exp 12/27", "4111 1111 1111 1111"),
                ("4111-1111-1111-1111", "4111-1111-1111-1111"),
                ("paid with 5500005555555559.", "5500005555555559"),
                ("amex 3782 822463 10005", "3782 822463 10005"),
                ("6011 0009 9013 9424", "6011 0009 9013 9424"),
                ("2223 0031 2200 3222", "2223 0031 2200 3222"),
            ],
            &[
                // Off by one digit: Luhn fails.
                "4111 1111 1111 1112",
                "5500005555555558",
                // Luhn holds, but no card network issues it.
                "serial 9111 1111 1111 1117",
                // Too short, too long.
                "4111 1111 1111",
                "4111 1111 1111 1111 1111 1",
                // Part of a longer code.
                "AB4111111111111111",
            ],
        );
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"79927398710"));
    }

    #[test]
    fn ibans() {
        table(
            Kind::Iban,
            &[
                (
                    "refund to GB82 WEST 1234 5698 7654 32 pls",
                    "GB82 WEST 1234 5698 7654 32",
                ),
                ("GB82WEST12345698765432", "GB82WEST12345698765432"),
                (
                    "DE89 3704 0044 0532 0130 00.",
                    "DE89 3704 0044 0532 0130 00",
                ),
                (
                    "iban fr1420041010050500013m02606",
                    "fr1420041010050500013m02606",
                ),
                ("NL91ABNA0417164300", "NL91ABNA0417164300"),
            ],
            &[
                // A check digit off by one.
                "GB83 WEST 1234 5698 7654 32",
                "DE89 3704 0044 0532 0130 01",
                // Too short for its country.
                "GB82 WEST 1234 5698 7654",
                // Not a country.
                "XX82 WEST 1234 5698 7654 32",
                "model GA37 compressor",
            ],
        );
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(!iban_valid(b"GB82WEST12345698765433"));
    }

    #[test]
    fn us_social_security_numbers() {
        table(
            Kind::UsSsn,
            &[
                ("SSN 123-45-6789 on file", "123-45-6789"),
                ("(078-05-1120)", "078-05-1120"),
            ],
            &[
                "000-12-3456",
                "666-12-3456",
                "912-34-5678",
                "123-00-4567",
                "123-45-0000",
                "123-45-67890",
                "1123-45-6789",
                "SN 2019-48213-77",
                "123 45 6789",
            ],
        );
    }

    #[test]
    fn uk_national_insurance_numbers() {
        table(
            Kind::UkNino,
            &[
                ("NI AB123456C for the form", "AB123456C"),
                ("ni no: AB 12 34 56 C.", "AB 12 34 56 C"),
                ("jg103759a", "jg103759a"),
            ],
            &[
                // Prefixes HMRC never issues.
                "BG123456C",
                "GB123456A",
                "NK123456A",
                "TN123456A",
                "ZZ123456A",
                "DA123456A",
                "AO123456A",
                "QQ123456C",
                // No suffix, a wrong suffix, too few digits.
                "AB123456",
                "AB123456E",
                "AB12345C",
                "model AB123456CD",
            ],
        );
    }

    #[test]
    fn health_terms_are_whole_words_without_regard_to_case() {
        table(
            Kind::Health,
            &[
                ("resident is a Patient here", "Patient"),
                ("tenant is pregnant, pls hurry", "pregnant"),
                ("HIV clinic fridge", "HIV"),
                ("on dialysis, needs power", "dialysis"),
                ("keeps her MEDICAL  RECORDS in there", "MEDICAL  RECORDS"),
                ("mental-health unit", "mental-health"),
            ],
            &[
                "outpatient wing",
                "patiently waiting",
                "the archive room",
                "shiv on the door",
                "depression in the casing, hearing aids",
                "no injuries but could've hurt someone",
                "medical gas alarm",
            ],
        );
        let custom = HealthTerms {
            terms: vec!["Diagnóstico".into(), "  ".into()],
        };
        let f = findings("el DIAGNÓSTICO del médico", &custom);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].text("el DIAGNÓSTICO del médico"), "DIAGNÓSTICO");
        assert!(findings("patient", &HealthTerms::none()).is_empty());
    }

    #[test]
    fn findings_are_sorted_apart_and_counted_and_redacted() {
        let text = "Pump dead. Cust paid 4111 1111 1111 1111, mail dana@example.com \
                    or call +44 20 7946 0958; she is a patient at 123-45-6789.";
        let f = findings(text, &HealthTerms::default());
        let kinds: Vec<Kind> = f.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Card,
                Kind::Email,
                Kind::Phone,
                Kind::Health,
                Kind::UsSsn
            ]
        );
        assert!(f.windows(2).all(|w| w[0].end <= w[1].start));
        assert_eq!(
            redact(text, &f),
            "Pump dead. Cust paid [redacted card], mail [redacted email] \
             or call [redacted phone]; she is a [redacted health] at [redacted ssn]."
        );
        assert_eq!(redact_all(text, &HealthTerms::default()), redact(text, &f));
        assert_eq!(
            kinds_present(&f),
            [
                Kind::Email,
                Kind::Phone,
                Kind::Card,
                Kind::UsSsn,
                Kind::Health
            ]
        );
        assert_eq!(
            counts_json(&findings(
                "a@example.com b@example.com 4111111111111111",
                &HealthTerms::default()
            )),
            serde_json::json!({"email": 2, "card": 1})
        );
        // An e-mail's digits are not a phone number, nor an IBAN's a card.
        assert_eq!(only(Kind::Email, "07700900123@sms.example.com").len(), 1);
        assert_eq!(found("GB82 WEST 1234 5698 7654 32").len(), 1);
        // Nothing to redact: the text as it was; a bad span is skipped.
        assert_eq!(redact("pump ok", &[]), "pump ok");
        let bad = Finding {
            kind: Kind::Card,
            start: 3,
            end: 99,
        };
        assert_eq!(redact("pump ok", &[bad]), "pump ok");
    }

    #[test]
    fn offsets_move_with_a_redaction() {
        let text = "x 4111111111111111 leak";
        let f = findings(text, &HealthTerms::none());
        let after = redact(text, &f);
        let leak = text.find("leak").unwrap_or_default();
        let moved_leak = moved(leak, &f, true);
        assert_eq!(&after[moved_leak..moved_leak + 4], "leak");
        assert_eq!(moved(0, &f, true), 0);
        assert_eq!(moved(5, &f, true), 2);
        assert_eq!(moved(5, &f, false), 2 + "[redacted card]".len());
    }

    #[test]
    fn kinds_have_stable_names_and_labels() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap_or_default(),
                format!("\"{}\"", k.as_str())
            );
            assert!(k.redaction().starts_with("[redacted "));
            assert!(!k.label().is_empty());
        }
        assert_eq!(Kind::Card.label(), "card number");
        assert_eq!(Kind::Card.redaction(), "[redacted card]");
    }

    #[test]
    fn an_intake_is_scanned_and_redacted_everywhere_a_value_is() {
        let schema = CaseSchema::salesforce_default();
        let notes = "pump leaking. cust card 4111 1111 1111 1111, mail ann@example.com";
        let mut fields = BTreeMap::new();
        fields.insert("Subject".to_owned(), FieldValue::text("Pump leaking"));
        fields.insert("Description".to_owned(), FieldValue::text(notes));
        fields.insert(
            "SuppliedEmail".to_owned(),
            FieldValue::text("sam@example.com"),
        );
        let terms = HealthTerms::default();
        let found = scan(&schema, notes, &fields, &terms);
        let places: Vec<(&str, Kind)> = found.iter().map(|f| (f.field.as_str(), f.kind)).collect();
        assert_eq!(
            places,
            [
                ("notes", Kind::Card),
                ("notes", Kind::Email),
                ("Description", Kind::Card),
                ("Description", Kind::Email)
            ],
            "the technician's own e-mail field is not scanned"
        );
        assert_eq!(
            counts_by_field(&found),
            serde_json::json!({"notes": {"card": 1, "email": 1}, "Description": {"card": 1, "email": 1}})
        );
        // Redacting the card in the notes redacts it in the Description too.
        let r = redact_intake(&schema, notes, &fields, &terms, &found[..1]).unwrap_or_else(|| {
            panic!("the finding is current");
        });
        assert_eq!(
            r.notes,
            "pump leaking. cust card [redacted card], mail ann@example.com"
        );
        assert_eq!(r.fields["Description"], FieldValue::text(r.notes.clone()));
        assert_eq!(
            r.fields["SuppliedEmail"],
            FieldValue::text("sam@example.com")
        );
        assert_eq!(r.redacted.len(), 2);
        // A finding that is not (or no longer) there is refused.
        let mut stale = found[0].clone();
        stale.start += 1;
        assert_eq!(
            redact_intake(&schema, notes, &fields, &terms, &[stale]),
            None
        );
        let all = redact_intake(&schema, notes, &fields, &terms, &found).unwrap_or_else(|| {
            panic!("all current");
        });
        assert!(scan(&schema, &all.notes, &all.fields, &terms).is_empty());
    }
}
