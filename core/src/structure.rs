//! Structuring: messy technician notes → a proposed value for each schema
//! field, each with where it came from and how sure we are.
//!
//! Runs in the browser as the technician types (no network) and again on the
//! server, which keeps its own proposal for the audit trail. It is plain
//! tokenising and one cue table — no regex, nothing built at run time — so a
//! typical note takes about 20 µs natively (`cargo bench -p fieldcase-core
//! --bench structuring`) and the whole structurer adds about 140 KB to an
//! `opt-level = "z"` wasm build (most of it the cue table, about 2,000
//! patterns).
//!
//! # Pipeline
//!
//! 1. **Tokenise** (`lex`): byte spans of the original notes, on char
//!    boundaries; words are lower-cased, apostrophes dropped (`won't` →
//!    `wont`) and technician shorthand expanded (`brg` → `bearing`, `vibs` →
//!    `vibration`, `pwr`, `cust`, `temp`, `approx`, `req`, `u/s`, `w/o`, …).
//!    Each word knows the strongest break before it (comma or emoji;
//!    `:`/`=`/spaced dash; or a hard break: `.`, `;`, `!`, `?`, a bracket, a
//!    new line), its clause and its sentence.
//! 2. **Cues** (`cues`): at each word the longest matching phrase of the cue
//!    table wins (`no power` over `no`, `trip hazard` over `trip*`); a `*`
//!    pattern is a prefix, so `leakin`, `trippin`, `intermitent` still match.
//!    Longer single-word cues that only vote for a type or reason also match
//!    with one typo (`bearnig`, `contacter`); a typo never raises the
//!    priority or ticks the hazard box ("meeting" is one letter from
//!    "melting"). A few cues check their neighbours (`fire` is not a cue in
//!    `fire alarm` or `won't fire`; `down` only after `is`/`line`/an equipment
//!    noun and not before `to` or a number; `stopped` not after `I`). The table
//!    is indexed at compile time by the first three bytes of each pattern, so
//!    a word is compared with a handful of cues, not hundreds.
//! 3. **Negation** (`analyse`): a negator (`no`, `not`, `n't` words,
//!    `without`, `never`, `none`, `nothing`, `nobody`, `no sign of`,
//!    `ruled out`, …) negates the cue words that follow within its clause, up
//!    to three content words (articles, `any`, `visible`, `sign of`,
//!    prepositions and `or` do not count). It stops at any punctuation — except
//!    a comma that starts a list ending in `or` ("no smoke, sparks or smell")
//!    — at `and`, `but`, `however`, and after `found`/`seen`/`detected`
//!    ("no leak found bearing noisy"). A verdict right after a cue negates it
//!    too: "seal ok", "bearing temp normal", "smoke: none", "leak was ruled
//!    out". Phrases that *start* with a negator but state a problem — `no
//!    power`, `no heat`, `not running`, `won't start`, `no comms` — are cues in
//!    their own right and are never negated. A negated cue is dropped, except
//!    that negated urgency (`not very urgent`, `not an emergency`, `not
//!    critical`) is a Low cue.
//! 4. **Uncertainty**: `maybe`, `might`, `possibly`, `probably`, `perhaps`,
//!    `suspect`, `not sure`, `unsure`, `could be`, `I think`, … or a `?`
//!    after the clause make the whole clause uncertain. Uncertain cues are
//!    *kept* at half weight: they lose to certain cues of another value and
//!    lower the confidence. For Priority, a certain High wins, then a certain
//!    Low, then an uncertain High ("might be smoke?" → High at confidence
//!    0.45 — a possible fire is worth a look), then an uncertain Low. For the
//!    safety hazard an uncertain hazard still ticks the box, at confidence
//!    0.45: a dispatcher untick is cheap, a missed hazard is not.
//! 5. **Learned model** (`learn`, weights in the generated `model`): a
//!    linear model per field over the normalised words and word pairs, with
//!    the rules' vote as features, trained on `tests/data/dev.json` by
//!    `train` (5-fold cross-validation chose where it helps: Type and Reason
//!    where the rules are silent; Priority and hazard stay the rules'). Its
//!    decisions point to its highest-weighted words present in the notes
//!    and are at most 0.75 sure.
//!
//! # Fields
//!
//! - **Priority**, in the order of `tests/data/GUIDELINES.md`: a safety
//!   hazard → High (a contained hazard on a minor item — one socket, a spur —
//!   → Medium); a service down or a consequence imminent → High ("production
//!   waiting", "stock at risk", "temperatures rising", "no water to floors",
//!   "only toilets", "lorries can't unload", "down"/"not running"/"u/s" on
//!   critical equipment unless another unit carries the load, the asset is
//!   said to be fine, the part named just before is what stopped, or it was
//!   put right on the visit); explicit urgency → High ("urgent", "asap",
//!   "today"/"hoy" only beside a request); explicit low urgency → Low ("no
//!   rush", "next visit", "cosmetic", negated urgency); then "no fault",
//!   admin, routine work, feedback, operating confusion, or a fault fixed on
//!   the visit ("replaced, working now") → Low when nothing is left
//!   outstanding (parts ordered, a return visit, "until", a recurrence or a
//!   suspicion after the fix); otherwise the schema default (Medium).
//! - **Type / Reason**: every live cue votes with a weight (2 for specific
//!   words such as `breaker`, `bearing`, `PCB`, `frame`, `won't start`; 1 for
//!   weaker ones such as `cable`, `valve`, `display`, `bent`, `says`); the
//!   highest total wins. Cues said as a place ("flooding *next to the MCC
//!   panel*", "water *above* the switchboard") do not vote, and cues that are
//!   only the asset's own name ("PLC" on "Palletiser PLC") merely break ties.
//!   Equipment nouns ("pump", "door", "printer") only break ties too (the
//!   Type is the component at fault, not the trade); a cause the technician
//!   confirmed ("found …", "caused by …") counts 1.5×, and in a note with
//!   several problems the sentence that drives the priority counts 1.5× and
//!   one said to be cosmetic or not urgent 0.5×. With no vote at all, the
//!   asset's own name decides at confidence 0.35.
//!   Other type ties go to the value mentioned first; reason ties go to what
//!   explains the rest: Installation, Design, Complexity, Breakdown,
//!   Performance, Feedback ("pump seized, low pressure" is a Breakdown; "cust
//!   says it leaks" is a Breakdown heard as feedback). A value the schema's
//!   picklist lacks is skipped for the next.
//! - **Error code / Reading / Subject**: see `extract` and `subject`.
//! - **Safety hazard**: a live hazard cue (smoke, sparks, fire, burning, gas,
//!   exposed/live wires, injury, trapped, trip/slip hazard, risk of falling,
//!   missing guard, swollen batteries, "unsafe", "danger", "hazard", and the
//!   conditions of the guidelines without hazard words: fumes, chemical or
//!   hot smells, slips, falls, crush, people under a load, darkness, a
//!   bypassed safety device, chafed cables); flooding by itself; other water
//!   (`water leaking`, `water in`, a leak, `wet`, `damp`) only when electrics
//!   are mentioned too; a fire door or smoke vent that will not close or
//!   release. Isolation and lock-out are the technician making things safe,
//!   not a hazard — but a hazard stays one while it is only contained
//!   ("isolated", "taped off", "until …"); one put right on the visit with
//!   nothing contained or outstanding ("stuck down with adhesive. done") is
//!   gone.
//!
//! Confidence is 0.3 for schema defaults, about 0.4–0.95 for cues (more
//! agreeing cues raise it; a close runner-up or uncertainty lowers it; a
//! certain hazard's High is 0.8–0.9, a consequence's 0.75–0.9, a stoppage on
//! critical equipment 0.7, a Low from routine/fixed/admin words 0.55–0.6), 1.0
//! for the asset's and technician's own data. The bench prints how often each
//! confidence bucket is right (held-out, ≥ 0.8: 90%).

pub mod ai;
mod analyse;
mod cues;
mod extract;
mod learn;
mod lex;
#[rustfmt::skip]
mod model;
mod subject;
#[cfg(test)]
mod train;

use serde::{Deserialize, Serialize};

use crate::schema::{CaseSchema, FieldDef, FieldType, Hint};
use crate::validate::{CaseDraft, FieldValue};
use crate::wire::{AssetView, Technician};

use analyse::Choice;
use extract::Item;

/// A byte range of the notes, `start..end`, on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where a proposed value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Words in the notes set it; the spans are what the review highlights.
    Notes { spans: Vec<Span> },
    /// The scanned asset's record.
    Asset,
    /// The technician's remembered details.
    Technician,
    /// The schema's default: nothing in the notes said otherwise.
    Default,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedField {
    pub field: String,
    pub value: FieldValue,
    pub source: Source,
    /// 0.0–1.0.
    pub confidence: f32,
    /// A language model proposed it (and the core checked it: `ai`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proposed_by_ai: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub fields: Vec<ProposedField>,
}

impl Proposal {
    pub fn get(&self, field: &str) -> Option<&ProposedField> {
        self.fields.iter().find(|f| f.field == field)
    }

    /// The proposal as a draft a person can edit.
    pub fn to_draft(&self) -> CaseDraft {
        CaseDraft(
            self.fields
                .iter()
                .map(|f| (f.field.clone(), f.value.clone()))
                .collect(),
        )
    }
}

/// What structuring knows besides the notes.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub asset: &'a AssetView,
    pub technician: &'a Technician,
}

/// The longest subject proposed, whatever the schema allows.
pub const SUBJECT_MAX_CHARS: usize = 80;

/// Confidence of a value that is only the schema's default.
const DEFAULT_CONFIDENCE: f32 = 0.3;

/// Everything the notes say, worked out once per call.
struct Findings {
    /// The trimmed notes' span.
    notes: Option<Span>,
    priority: Option<Choice>,
    types: Vec<Choice>,
    reasons: Vec<Choice>,
    hazard: Option<Choice>,
    codes: Vec<Item>,
    readings: Vec<Item>,
    subject: Option<subject::Subject>,
    /// The rules' findings as the model's features (for training).
    #[cfg(test)]
    concepts: Vec<f32>,
    /// The rules' Priority stands (`analyse::priority_ruled`; for training).
    #[cfg(test)]
    priority_ruled: bool,
    /// The subject's candidates as the ranker sees them (for training).
    #[cfg(test)]
    subjects: Vec<train::SubjectCandidate>,
}

impl Findings {
    fn new(notes: &str, asset: &AssetView, subject_budget: usize) -> Self {
        Self::build(notes, asset, subject_budget, true)
    }

    /// The rules' findings, refined by the learned model when `learned`.
    fn build(notes: &str, asset: &AssetView, subject_budget: usize, learned: bool) -> Self {
        let trimmed = notes.trim_start();
        let start = notes.len() - trimmed.len();
        let end = start + trimmed.trim_end().len();
        if start == end {
            return Findings {
                notes: None,
                priority: None,
                types: Vec::new(),
                reasons: Vec::new(),
                hazard: None,
                codes: Vec::new(),
                readings: Vec::new(),
                subject: None,
                #[cfg(test)]
                concepts: vec![0.0; learn::CONCEPTS],
                #[cfg(test)]
                priority_ruled: false,
                #[cfg(test)]
                subjects: Vec::new(),
            };
        }
        let lexed = lex::Lexed::new(notes);
        let words = lexed.words();
        let keys = learn::keys(&words);
        let asset_words = analyse::name_words(&asset.name);
        let hits = analyse::find_hits(&words, &asset_words);
        let kind = analyse::AssetKind {
            critical: analyse::critical_asset(&asset.name, &asset.model),
            firestop: analyse::firestop_asset(&asset.name),
            secure: analyse::secure_asset(&asset.name),
            fine: analyse::asset_fine(&words, &asset_words),
        };
        let codes = extract::codes(notes, &lexed.toks, asset);
        let readings = extract::readings(notes, &lexed.toks);
        // Hazards found beside the cues: scalding water in the readings, an
        // emergency call that raises nothing, over-chlorinated pool water.
        let scald = analyse::scalding(&words, &extract::temperatures(&readings))
            .or_else(|| analyse::silent_call(&words))
            .or_else(|| analyse::over_chlorinated(&words));
        let found_hazard = analyse::hazard(notes, &hits, &words, kind, scald);
        let parts = subject::Parts {
            notes,
            words: &words,
            hits: &hits,
            codes: &codes,
            readings: &readings,
            asset_name: &asset.name,
            asset_words: &asset_words,
            keys: &keys,
        };
        let cands = subject::candidates(&parts, subject_budget);
        #[cfg(test)]
        let subjects = cands.iter().map(train::SubjectCandidate::of).collect();
        let subject = subject::choose(cands, learned.then_some(&model::SUBJECT));
        let mut priority = analyse::priority(&hits, &words, kind, found_hazard.choice());
        let mut types = analyse::rank_types(&hits, &words);
        let mut reasons = analyse::rank_reasons(&hits, &words);
        let concepts = learn::concepts(
            &hits,
            &kind,
            priority.as_ref(),
            &types,
            &reasons,
            &found_hazard,
        );
        let mut hazard = found_hazard.live();
        let priority_ruled = analyse::priority_ruled(&hits, priority.as_ref());
        if learned {
            learn::refine(
                &words,
                &keys,
                &concepts,
                priority_ruled,
                &mut priority,
                &mut types,
                &mut reasons,
                &mut hazard,
            );
        }
        Findings {
            notes: Some(Span::new(start, end)),
            priority,
            types,
            reasons,
            hazard,
            codes,
            readings,
            subject,
            #[cfg(test)]
            concepts,
            #[cfg(test)]
            priority_ruled,
            #[cfg(test)]
            subjects,
        }
    }
}

type Proposed = (FieldValue, Source, f32);

/// The schema's spelling of a picklist value, or the value itself for a
/// field without a list.
fn picklist_value(def: &FieldDef, value: &str) -> Option<String> {
    if def.values.is_empty() {
        return Some(value.to_owned());
    }
    def.values
        .iter()
        .find(|v| v.value.eq_ignore_ascii_case(value) || v.label().eq_ignore_ascii_case(value))
        .map(|v| v.value.clone())
}

fn from_choice(def: &FieldDef, choices: &[Choice]) -> Option<Proposed> {
    choices.iter().find_map(|c| {
        picklist_value(def, c.value).map(|v| {
            (
                FieldValue::Text(v),
                Source::Notes {
                    spans: c.spans.clone(),
                },
                c.confidence,
            )
        })
    })
}

/// Items joined by `sep`, as many as fit in the field.
fn joined(def: &FieldDef, items: &[Item], sep: &str) -> Option<Proposed> {
    let max = def.max_length.map_or(usize::MAX, |m| m as usize);
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut confidence: f32 = 0.0;
    for it in items {
        let extra = if text.is_empty() {
            0
        } else {
            sep.chars().count()
        };
        if text.chars().count() + extra + it.text.chars().count() > max {
            continue;
        }
        if !text.is_empty() {
            text.push_str(sep);
        }
        text.push_str(&it.text);
        spans.push(Span::new(it.start, it.end));
        confidence = confidence.max(it.confidence);
    }
    (!text.is_empty()).then_some((FieldValue::Text(text), Source::Notes { spans }, confidence))
}

fn technician(value: Option<&str>) -> Option<Proposed> {
    let v = value?.trim();
    (!v.is_empty()).then(|| (FieldValue::text(v), Source::Technician, 1.0))
}

fn propose(
    hint: Hint,
    def: &FieldDef,
    found: &Findings,
    notes: &str,
    ctx: Context<'_>,
) -> Option<Proposed> {
    match hint {
        Hint::Notes => {
            let span = found.notes?;
            Some((
                FieldValue::text(&notes[span.range()]),
                Source::Notes { spans: vec![span] },
                1.0,
            ))
        }
        Hint::Subject => match &found.subject {
            Some(s) => Some((
                FieldValue::text(&s.text),
                Source::Notes {
                    spans: s.spans.clone(),
                },
                s.confidence,
            )),
            None => {
                let name = ctx.asset.name.trim();
                let max = def.max_length.map_or(SUBJECT_MAX_CHARS, |m| m as usize);
                (!name.is_empty() && name.chars().count() <= max)
                    .then(|| (FieldValue::text(name), Source::Asset, 0.2))
            }
        },
        Hint::Priority => from_choice(def, found.priority.as_slice()),
        Hint::Type => from_choice(def, &found.types),
        Hint::Reason => from_choice(def, &found.reasons),
        Hint::SafetyHazard => {
            let c = found.hazard.as_ref()?;
            let value = if def.field_type == FieldType::Checkbox {
                FieldValue::Bool(true)
            } else {
                FieldValue::text(picklist_value(def, "Yes")?)
            };
            Some((
                value,
                Source::Notes {
                    spans: c.spans.clone(),
                },
                c.confidence,
            ))
        }
        Hint::ErrorCode => joined(def, &found.codes, ", "),
        Hint::Reading => joined(def, &found.readings, "; "),
        Hint::TechnicianName => technician(Some(&ctx.technician.name)),
        Hint::TechnicianEmail => technician(ctx.technician.email.as_deref()),
        Hint::TechnicianPhone => technician(ctx.technician.phone.as_deref()),
    }
}

/// Propose a value for every field the schema lets the notes or the context set.
pub fn structure(notes: &str, ctx: Context<'_>, schema: &CaseSchema) -> Proposal {
    let budget = schema
        .field_with_hint(Hint::Subject)
        .and_then(|f| f.max_length)
        .map_or(SUBJECT_MAX_CHARS, |m| (m as usize).min(SUBJECT_MAX_CHARS));
    let found = Findings::new(notes, ctx.asset, budget);
    let mut fields = Vec::new();
    for def in &schema.fields {
        let proposed = if let Some(attr) = def.from_asset {
            ctx.asset
                .attr(attr)
                .map(|v| (FieldValue::text(v), Source::Asset, 1.0))
        } else {
            def.hints
                .iter()
                .find_map(|&h| propose(h, def, &found, notes, ctx))
                .or_else(|| {
                    def.default
                        .clone()
                        .map(|v| (v, Source::Default, DEFAULT_CONFIDENCE))
                })
                .or_else(|| {
                    (def.field_type == FieldType::Checkbox && def.has_hint(Hint::SafetyHazard))
                        .then_some((FieldValue::Bool(false), Source::Default, DEFAULT_CONFIDENCE))
                })
        };
        if let Some((value, source, confidence)) = proposed {
            fields.push(ProposedField {
                field: def.name.clone(),
                value,
                source,
                confidence,
                proposed_by_ai: false,
            });
        }
    }
    Proposal { fields }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::token::AssetToken;

    fn asset(name: &str) -> AssetView {
        AssetView {
            token: AssetToken::from_random_bytes([3; 12]),
            name: name.into(),
            serial_number: "GP-44817".into(),
            model: "Grundfos CR 32".into(),
            account_name: "Northwind Foods".into(),
            site: "Leeds plant".into(),
            location: None,
            install_date: None,
            crm_asset_id: Some("02i000000000001AAA".into()),
            crm_account_id: None,
        }
    }

    fn run(notes: &str) -> Proposal {
        let a = asset("Feed pump P-12");
        let t = Technician {
            name: "Sam Patel".into(),
            email: Some("sam@example.com".into()),
            phone: Some(" ".into()),
        };
        structure(
            notes,
            Context {
                asset: &a,
                technician: &t,
            },
            &CaseSchema::salesforce_default(),
        )
    }

    fn text<'p>(p: &'p Proposal, f: &str) -> Option<&'p str> {
        p.get(f).and_then(|f| f.value.as_text())
    }

    /// The proposed Safety hazard, if it was proposed as a yes/no.
    fn hazard_of(notes: &str) -> Option<bool> {
        match run(notes).get("Safety_Hazard__c")?.value {
            FieldValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn subject_of(notes: &str) -> String {
        text(&run(notes), "Subject").unwrap().to_owned()
    }

    /// The proposal for `notes` on an asset named `asset_name`.
    fn structure_on(asset_name: &str, notes: &str) -> Proposal {
        let a = asset(asset_name);
        let t = Technician::default();
        let ctx = Context {
            asset: &a,
            technician: &t,
        };
        structure(notes, ctx, &CaseSchema::salesforce_default())
    }

    fn subject_for(asset_name: &str, notes: &str) -> String {
        text(&structure_on(asset_name, notes), "Subject")
            .unwrap()
            .to_owned()
    }

    fn highlighted<'n>(notes: &'n str, p: &Proposal, f: &str) -> Vec<&'n str> {
        match &p.get(f).unwrap().source {
            Source::Notes { spans } => spans.iter().map(|s| &notes[s.range()]).collect(),
            other => panic!("{f} came from {other:?}"),
        }
    }

    #[test]
    fn behind_the_tag_alone_the_asset_words_the_phrase_began_with_stay() {
        // The whole name leads: its words are not said twice.
        assert_eq!(
            subject_for("Feed pump P-12", "pump leaking at seal"),
            "Feed pump P-12: leaking at seal"
        );
        // Only the tag leads (the sentence is too long for the name): the
        // phrase keeps "Sprinkler head".
        assert_eq!(
            subject_for(
                "Sprinkler system SS-1",
                "Sprinkler head in warehouse knocked by forklift, zone 4 now unprotected",
            ),
            "SS-1: Sprinkler head in warehouse knocked by forklift, zone 4 now unprotected"
        );
    }

    #[test]
    fn a_routine_visit_that_found_nothing_wrong_is_the_subject_in_spanish_too() {
        let s = subject_for(
            "Booster pump BP-7",
            "Revisión anual de la bomba de presión: presión de aceite ok, filtro cambiado, no hay fugas. Todo en orden",
        );
        // What was not wrong is not picked out as the problem.
        assert!(
            s.contains("Revisión anual") && !s.contains("no hay fugas"),
            "{s}"
        );
        // A cut never ends on "too": it reads the opposite way.
        let s = subject_for(
            "Door closer DC-3",
            "Meeting room on the third floor of the east wing door closer shutting too fast every time",
        );
        assert!(!s.ends_with(" too"), "{s}");
    }

    #[test]
    fn the_example_from_the_issue() {
        let notes = "  pump leaking at seal, approx 3,2 bar on gauge. cust says been like this a week, no rush ";
        let p = run(notes);
        // The first sentence as written: it fits whole after the asset's name.
        assert_eq!(
            text(&p, "Subject"),
            Some("Feed pump P-12: leaking at seal, approx 3,2 bar on gauge")
        );
        assert_eq!(
            highlighted(notes, &p, "Subject"),
            ["leaking at seal, approx 3,2 bar on gauge"]
        );
        assert_eq!(text(&p, "Type"), Some("Mechanical"));
        assert_eq!(highlighted(notes, &p, "Type"), ["leaking", "seal"]);
        assert_eq!(text(&p, "Priority"), Some("Low"));
        assert_eq!(highlighted(notes, &p, "Priority"), ["no rush"]);
        assert_eq!(text(&p, "Meter_Reading__c"), Some("3.2 bar"));
        assert_eq!(text(&p, "Description"), Some(notes.trim()));
        assert_eq!(highlighted(notes, &p, "Description"), [notes.trim()]);
        assert_eq!(
            p.get("Safety_Hazard__c").unwrap().value,
            FieldValue::Bool(false)
        );
        assert_eq!(p.get("Safety_Hazard__c").unwrap().source, Source::Default);
        assert!(p.get("Error_Code__c").is_none());
    }

    /// The notes the browser specs type (end2end/tests/a-happy-path,
    /// i-review-engine, k-screens) keep the proposals those specs assert.
    #[test]
    fn browser_spec_notes_keep_their_proposals() {
        let notes = "pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor";
        let p = run(notes);
        assert_eq!(text(&p, "Priority"), Some("High"));
        assert!(highlighted(notes, &p, "Priority").contains(&"smoke"));
        assert_ne!(
            text(&p, "Type"),
            Some("Electrical"),
            "the spec edits it to Electrical"
        );
        assert_eq!(text(&p, "Error_Code__c"), Some("E-42"));
        assert_eq!(text(&p, "Meter_Reading__c"), Some("3.2 bar"));

        let notes = "pump <b>leaking</b> & smoke near motor, \"E-42\"";
        let p = run(notes);
        assert_eq!(text(&p, "Priority"), Some("High"));

        let notes = "k-triage: might be smoke from the fan motor? belt squealing, code E-17";
        let p = run(notes);
        let prio = p.get("Priority").unwrap();
        assert_eq!(prio.value, FieldValue::text("High"));
        assert!(prio.confidence < 0.5, "shown as unsure");
        assert_eq!(text(&p, "Error_Code__c"), Some("E-17"));
    }

    #[test]
    fn context_fields_and_defaults() {
        let p = run("");
        assert_eq!(text(&p, "SuppliedName"), Some("Sam Patel"));
        assert_eq!(p.get("SuppliedName").unwrap().source, Source::Technician);
        assert_eq!(text(&p, "SuppliedEmail"), Some("sam@example.com"));
        assert!(
            p.get("SuppliedPhone").is_none(),
            "blank phone is not proposed"
        );
        assert_eq!(text(&p, "AssetId"), Some("02i000000000001AAA"));
        assert!(p.get("AccountId").is_none());
        assert!(p.get("Description").is_none());
        assert_eq!(text(&p, "Priority"), Some("Medium"));
        assert_eq!(p.get("Priority").unwrap().source, Source::Default);
        assert_eq!(text(&p, "Origin"), Some("Web"));
        assert_eq!(text(&p, "Subject"), Some("Feed pump P-12"));
        assert_eq!(p.get("Subject").unwrap().source, Source::Asset);
        assert!(p.get("Intake_Key__c").is_none());
    }

    #[test]
    fn negation_keeps_hazard_and_priority_down() {
        let p = run("no smoke or sparks, no exposed wiring, not urgent");
        assert_eq!(
            p.get("Safety_Hazard__c").unwrap().value,
            FieldValue::Bool(false)
        );
        assert_eq!(text(&p, "Priority"), Some("Low"));
    }

    #[test]
    fn scalding_water_at_an_outlet_is_a_hazard_a_routine_check_is_not() {
        let notes = "Ward B basins running 62C at the tap. TMVs not mixing.";
        let p = run(notes);
        let hazard = p.get("Safety_Hazard__c").unwrap();
        assert_eq!(hazard.value, FieldValue::Bool(true));
        let Source::Notes { spans } = &hazard.source else {
            panic!("{hazard:?}")
        };
        assert!(
            spans.iter().any(|s| &notes[s.range()] == "62C"),
            "{spans:?}"
        );
        assert_eq!(text(&p, "Priority"), Some("High"));
        for routine in [
            "Monthly temps, sentinel outlets HW 55.2C, CW 18.4C.",
            "Shower head descaled, water at the tap 45C.",
            // Put right on the visit, like any hazard.
            "Basin in room 4 was 62C at the tap. Replaced the TMV cartridge, now 41C, all done.",
        ] {
            assert_eq!(hazard_of(routine), Some(false), "{routine}");
        }
    }

    #[test]
    fn hazards_said_as_facts_are_hazards() {
        for notes in [
            "Huele a gas cerca de la freidora 2 cuando abrimos, luego se quita.",
            "cable sheath cut by the excavator, cores visible, pump still running",
            "Lift 2 stuck between 3 and 4, 2 ppl inside. Drive showing F-03.",
            "Lab corridor door slaming shut really hard now. Caught a students fingers yesterday.",
            "Lift de la fábrica, las puertas cierran muy fuerte. Hit an operator on the shoulder.",
            "Refuge call point on the third-floor landing failed to raise any alarm, no power.",
            "Olor a quemado en el cuadro, contactor quemado.",
            "Forks drifting down on their own with a pallet up on the top rack.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    /// Who was caught is what the fault did: the subject still names the fault.
    #[test]
    fn the_subject_names_the_fault_not_who_it_caught() {
        let p = run(
            "front steps at the library, nosing on the 2nd step was loose and flapping, a lady \
             caught her heel on it tuesday and nearly went over. screwed it back for now, need \
             resin anchors, back next wk",
        );
        let subject = text(&p, "Subject").unwrap();
        assert!(subject.contains("loose and flapping"), "{subject}");
    }

    /// GUIDELINES: an emergency call that raises nothing when tested is a
    /// safety system out of service, however well the lift runs.
    #[test]
    fn an_emergency_call_that_raises_nothing_is_a_hazard() {
        for notes in [
            "Lift 2 alarm button pressed, no connection to the call centre, line dead. Lift running fine.",
            "Refuge call pt L3 stair B: pressed it. No line at the master station.",
            "Accessible WC pull cord alarm tested, no light over the door and no sounder at reception.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
        for notes in [
            "Pull cord alarm tested, goes off at reception, all fine.",
            "goods lift alarm button not lit, bulb gone, no rush",
        ] {
            assert_ne!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    /// GUIDELINES: a fire panel that is dead leaves the building with no
    /// detection; a stripped cable showing its copper is live parts exposed.
    #[test]
    fn a_dead_fire_panel_and_bare_copper_are_hazards() {
        for notes in [
            "WHOLE FIRE PANEL DEAD AT THE DEPOT. MAINS AND BATTERIES BOTH GONE. NIGHT SHIFT ON SITE.",
            "The fire alarm panel has gone completely dark, no buzzer, nothing, and the school is full.",
            "Cargador 4: el cable está pelado cerca del conector, se ven los hilos de cobre.",
            "charging lead on bay 2 has its outer sheath split, you can see the copper inside",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
        for notes in [
            "Fire panel showing a fault on zone 3, detector head dirty, cleaned, panel normal.",
            "La pintura de la barandilla está pelada, nada suelto, solo cosmético.",
        ] {
            assert_ne!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    /// GUIDELINES: a hazard found and fully removed on the visit ("cover
    /// refitted, all safe") is not a hazard; one made safe pending repair
    /// still is, whatever words say the repair was done.
    #[test]
    fn a_hazard_put_right_in_the_technicians_words_is_gone() {
        for notes in [
            "FOUND BARE WIRES AT THE PLUG ON THE STICK BLENDER, CABLE PULLED OUT OF THE GRIP. CUT BACK AND REWIRED, PAT TEST PASS. ALL SAFE.",
            "Cover off the fused spur in the corridor, live terminals showing. New cover on, safe now.",
            "Scorched terminal at the oven isolator, burning smell. Joint remade, tested fine.",
            "Socket behind the bar sparking when the glass washer starts, loose neutral. Re-terminated, works now.",
        ] {
            assert_ne!(hazard_of(notes), Some(true), "{notes}");
        }
        for notes in [
            "Bare wires at the plug on the stick blender. Taken out of use and made safe pending a new lead.",
            "Cover off the fused spur in the corridor, live terminals showing. Taped over until the new cover comes, not safe yet.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    /// Smoke is a hazard however ordinary the rest of the note (a leak, a
    /// squealing belt): the model, which knows most leaks are harmless,
    /// clears a hazard the rules found only when sure.
    #[test]
    fn smoke_beside_an_everyday_fault_stays_a_hazard() {
        for notes in [
            "pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor",
            "k-triage: might be smoke from the fan motor? belt squealing, code E-17",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    #[test]
    fn uncertain_smoke_is_high_with_low_confidence() {
        let p = run("might be smoke from the motor?");
        let prio = p.get("Priority").unwrap();
        assert_eq!(prio.value, FieldValue::text("High"));
        assert!(prio.confidence < 0.5);
        assert_eq!(
            p.get("Safety_Hazard__c").unwrap().value,
            FieldValue::Bool(true)
        );
    }

    /// The rules rearrange a long first sentence around the words their cues
    /// know ("maglock" … "People could be stuck"); the ranker weighs that
    /// against the sentence as written, which here says the problem.
    #[test]
    fn the_subject_keeps_the_problem_the_rules_rearranging_drops() {
        let a = asset("Fire exit maglock ACC-1");
        for (notes, problem) in [
            (
                "The fire exit maglock on the first floor doesn't release when the break glass is \
                 pressed, you have to wait for the panel to drop the power. People could be stuck \
                 behind it in a fire.",
                "doesn't release",
            ),
            (
                "During the weekly test the sprinkler pump started but would not build pressure; \
                 the controller logged 'Low suction' and alarm 31. The site has no sprinkler \
                 cover until resolved.",
                "would not build",
            ),
        ] {
            let rules = Findings::build(notes, &a, SUBJECT_MAX_CHARS, false)
                .subject
                .unwrap();
            assert!(
                !rules.text.to_lowercase().contains(problem),
                "{}",
                rules.text
            );
            let s = subject_for("Fire exit maglock ACC-1", notes);
            assert!(s.to_lowercase().contains(problem), "{s}");
        }
    }

    /// Every candidate is a subject the review could show: it fits, starts
    /// with a capital or the asset, highlights words of the notes; the
    /// first is the rules' own.
    #[test]
    fn every_subject_candidate_fits_and_points_into_the_notes() {
        let a = asset("Walk-in freezer WF-1");
        for notes in [
            "Morning all. Came in at 6 and the walk-in is at minus 4, should be minus 18, the \
             evaporator fan is not turning. Chef has moved the stock. Fan motor seized I reckon.",
            "Dead.",
            "no leak found, no smoke. bearing noisy on the DE end.",
            "Cámara de congelación a -4 °C, el ventilador del evaporador no gira. Posible motor \
             gripado; stock movido a la otra cámara.",
        ] {
            let cands = subject_candidates(&a.name, notes);
            assert!(!cands.is_empty(), "{notes}");
            let found = Findings::build(notes, &a, SUBJECT_MAX_CHARS, false);
            assert_eq!(
                cands[0].0,
                found.subject.as_ref().unwrap().text,
                "the rules' own comes first"
            );
            for (t, spans) in &cands {
                assert!(t.chars().count() <= SUBJECT_MAX_CHARS, "{t}");
                assert!(!t.starts_with(char::is_lowercase), "{t}");
                assert!(!spans.is_empty(), "{t}");
                for w in spans {
                    assert!(!w.trim().is_empty(), "{t}");
                }
            }
            let mut texts: Vec<&str> = cands.iter().map(|c| c.0.as_str()).collect();
            texts.sort_unstable();
            texts.dedup();
            assert_eq!(texts.len(), cands.len(), "no candidate twice");
        }
    }

    /// Whether every bracket and quotation mark of `s` has its partner
    /// (an apostrophe inside a word, "it's", is neither).
    fn pairs_whole(s: &str) -> bool {
        let b = s.as_bytes();
        let quote = |i: usize| {
            let word = |j: Option<&u8>| j.is_some_and(u8::is_ascii_alphanumeric);
            !(word(i.checked_sub(1).and_then(|j| b.get(j))) && word(b.get(i + 1)))
        };
        let singles = (0..b.len()).filter(|&i| b[i] == b'\'' && quote(i)).count();
        s.matches('(').count() == s.matches(')').count()
            && s.matches('"').count().is_multiple_of(2)
            && singles.is_multiple_of(2)
    }

    #[test]
    fn a_subject_never_shows_half_a_pair_of_quotes_or_brackets() {
        for (asset, notes) in [
            (
                "Walk-in freezer WF-1",
                "Hiya, walk-in freezer at the hotel was sitting at -6C when I got there (should be -20). \
                 Evap coil a solid block of ice, defrost heaters not doing anything, one open circuit.",
            ),
            (
                "Reach truck RT-4",
                "Third call this month for the reach truck 'broken, really slow' — it's the new agency \
                 drivers knocking it into tortoise mode by accident. No fault again.",
            ),
            (
                "Pharmacy fridge",
                "Pharm fridge Uni Health Ctr (vaccines) - temp 11.2C, alarm on. Compr running, evap fan \
                 dead, motor o/c.",
            ),
            (
                "Walk-in fridge kitchen",
                "Chef rang in a panic - 'fridge is DEAD, alarm screaming, all the stock for tonight is in \
                 there and it is already at 9 degrees' so please come.",
            ),
        ] {
            let s = subject_for(asset, notes);
            assert!(pairs_whole(&s), "{s}");
        }
        // A closing mark right after the cut is taken in: what the display said stays quoted.
        let s = subject_for(
            "Combi oven",
            "Combi oven in the summit kitchen, steam generator not make steam, display show 'Service 34'. \
             The descaling pump is blocked with limescale.",
        );
        assert!(s.contains("'Service 34'"), "{s}");
        // A mark with no partner is the writer's and stays: a plural's possessive.
        let s = subject_of(
            "raw stainless edge sticking out at the height of the infants' faces, sharp",
        );
        assert!(s.contains("infants' faces"), "{s}");
    }

    #[test]
    fn the_asset_s_tag_is_not_said_twice_but_another_unit_s_is_kept() {
        let once = |s: &str, tag: &str| {
            let bare: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
            bare.to_lowercase().matches(tag).count() == 1
        };
        let s = subject_for(
            "Chiller CH-3",
            "CH-3 circ 2 low oil press trip x2 today, oil sight glass empty",
        );
        assert!(
            once(&s, "ch3") && s.contains("circ 2 low oil press trip"),
            "{s}"
        );
        // Written without its hyphen, it is the same tag.
        let s = subject_for("Boiler B-2", "b2 lockout F-9 on ignition, flame rod worn");
        assert!(once(&s, "b2") && s.contains("lockout F-9"), "{s}");
        // Another unit's tag is what the subject is about.
        let s = subject_for(
            "Booster pump BP-1",
            "BP-2 tripped on overload, BP-1 running alone",
        );
        assert!(s.contains("BP-2 tripped"), "{s}");
    }

    #[test]
    fn a_subject_cut_short_does_not_end_on_a_word_that_opens_a_clause() {
        for (asset, notes) in [
            (
                "Roof inverter 1",
                "solar inverter on the factory roof trips off every day around midday when the sun is \
                 strongest then comes back on by itself an hour later no error shown on the display",
            ),
            (
                "Pool Boiler Primary Pump",
                "Bomba primaria de la caldera de la piscina no arranca, el motor zumba pero no gira. \
                 Gira libre a mano, so no es el rodamiento.",
            ),
            (
                "Boardroom AV",
                "Boardroom: users cannot get laptops to display on the main screen because they keep \
                 selecting the wrong source on the wall panel. The system works correctly.",
            ),
        ] {
            let s = subject_for(asset, notes);
            let last = s.rsplit(' ').next().unwrap_or_default();
            assert!(!["when", "because", "they", "pero"].contains(&last), "{s}");
        }
    }

    #[test]
    fn words_that_already_said_the_problem_are_not_dropped_as_who_said_it() {
        // A lost function ("wouldnt silence") is the problem even beside
        // "no smoke"; "panel says" and "stopped reporting" are not people
        // reporting it.
        let s = subject_for(
            "Fire Alarm - Block B",
            "Fire alarm going off in block B and wouldnt silence, panel says fire in zone 3 but no \
             smoke or anything, checked the whole landing. Detector in the riser is full of dust \
             from the decorators.",
        );
        assert!(
            s.contains("wouldnt silence") || s.contains("going off"),
            "{s}"
        );
        let s = subject_for(
            "Chiller remote monitoring",
            "remote monitoring for both chillers stopped reporting to the portal since monday the \
             router in the plant room has a red light chillers themselves are fine",
        );
        assert!(s.contains("stopped reporting"), "{s}");
    }

    #[test]
    fn a_subject_cut_short_does_not_end_on_who_said_it_what_shows_it_or_a_preposition() {
        for (asset, notes) in [
            (
                "Walk-in freezer",
                "Door gasket's split along the bottom and it's icing up round the seal, chef says \
                 it's been like that for weeks and the door needs a shove to shut",
            ),
            (
                "Entrance canopy",
                "Got a crack across one of the glass panels on the canopy, about the size of my \
                 hand, looks like something was thrown at it from the street last night",
            ),
            (
                "Concourse canopy",
                "Concourse canopy over kiosk 7 leaking again in the heavy rain, dripping onto the \
                 card machine and the till, staff have put a bucket out",
            ),
            (
                "Booster set BS-1",
                "No water to floors 3 to 9, booster set both pumps off on fault, plc shows Alm 12 \
                 low suction pressure, break tank level is fine",
            ),
        ] {
            let s = subject_for(asset, notes);
            let last = s.rsplit(' ').next().unwrap_or_default();
            assert!(
                !["says", "like", "looks", "onto", "shows", "plc"].contains(&last),
                "{s}"
            );
        }
    }

    #[test]
    fn a_particle_stays_with_the_verb_it_completes() {
        // "TV wont turn" says another thing than "TV wont turn on", "the
        // genny never kicked" nothing; "MIL on" is a state.
        for (asset, notes, said) in [
            (
                "Meeting room TV",
                "Meeting rm 4 TV wont turn on, remote has no batteries",
                "wont turn on",
            ),
            (
                "Standby generator",
                "Power cut at the bakery about 2 last night and the genny never kicked in, \
                 freezers warming",
                "never kicked in",
            ),
            (
                "Pool car 3",
                "Pool car 3 MIL on, P0420 stored, no misfire",
                "MIL on",
            ),
            (
                "Flat 2 boiler",
                "Tenant not in, card left, rebook",
                "not in",
            ),
        ] {
            let candidates = subject_candidates(asset, notes);
            let short = said.rsplit_once(' ').unwrap().0;
            assert!(
                candidates.iter().any(|(t, _)| t.contains(said)),
                "{notes}: {candidates:?}"
            );
            assert!(
                candidates
                    .iter()
                    .all(|(t, _)| !t.ends_with(short) && !t.contains(&format!("{short},"))),
                "{notes}: {candidates:?}"
            );
        }
        // After a word that says nothing it goes with that word, and half of
        // "on and off" is no state.
        for (asset, notes, half) in [
            (
                "Shower pump",
                "shower pump pulsing on and off, flow switch sticking?",
                "pulsing on",
            ),
            ("Heater", "Heater is on, room still cold", "is on"),
        ] {
            let candidates = subject_candidates(asset, notes);
            assert!(
                candidates
                    .iter()
                    .all(|(t, _)| !t.contains(&format!("{half},")) && !t.ends_with(half)),
                "{notes}: {candidates:?}"
            );
        }
    }

    #[test]
    fn a_subject_cut_to_fit_does_not_end_on_a_word_left_without_its_object() {
        // The piece is cut to make room for the phrases after it: not "…
        // failed at, shop tills …", "… isn't getting".
        for (asset, notes) in [
            (
                "Core switch main hub",
                "The core switch in the main hub failed at 7am and the whole building has no \
                 network: the shop tills cannot take card payments and the VoIP phones are dead.",
            ),
            (
                "Deck oven",
                "Crusty's bakery on Station Rd - the bottom deck of the deck oven isn't getting \
                 up to heat, top deck fine, element reads open circuit",
            ),
        ] {
            for (t, _) in subject_candidates(asset, notes) {
                let pieces: Vec<&str> = t.split(", ").collect();
                for p in pieces {
                    let last = p.rsplit(' ').next().unwrap_or_default();
                    assert!(!["at", "getting", "to", "the"].contains(&last), "{t}");
                }
            }
        }
    }

    #[test]
    fn a_subject_does_not_begin_with_a_bare_state() {
        // The asset's words the sentence began with are given back, the end
        // cut to make room: "Not running, float jammed …" says not what.
        for (asset, notes) in [
            (
                "Sump pump - Car park basement",
                "CAR PARK BASEMENT SUMP PUMP NOT RUNNING , FLOAT JAMMED ON A CABLE TIE , WATER \
                 200MM DEEP AND RISING TOWARDS THE LIFT PIT . FREED FLOAT , PUMP RUNNING .",
            ),
            (
                "Canteen extract fan",
                "Canteen extract dead since half eleven. Grill on, kitchen full of haze, staff \
                 eyes streaming. Fan seized, motor very hot.",
            ),
        ] {
            let s = subject_for(asset, notes);
            let first = s.split(' ').next().unwrap_or_default().to_lowercase();
            assert!(!["not", "dead"].contains(&first.as_str()), "{s}");
        }
    }

    #[test]
    fn a_percent_sign_stays_with_its_number_in_the_subject() {
        for (name, notes) in [
            (
                "AHU-2",
                "Cooling valve shut though the BMS is calling 100%. Actuator getting 10V and not \
                 moving.",
            ),
            (
                "Oxygen concentrator",
                "Room 4 low O2 alarm, purity 71%. Filters clean, sieve beds suspect.",
            ),
        ] {
            let s = subject_for(name, notes);
            for n in ["100", "71"] {
                assert!(!s.contains(n) || s.contains(&format!("{n}%")), "{s}");
            }
            assert!(s.contains("calling") || s.contains("purity"), "{s}");
            // The review screen highlights the same words: the sign too.
            let p = structure_on(name, notes);
            let lit = highlighted(notes, &p, "Subject").concat();
            assert!(lit.contains("100%") || lit.contains("71%"), "{lit:?}");
        }
    }

    #[test]
    fn a_hello_that_opens_the_notes_is_not_the_subject() {
        for notes in [
            "Hi, the toilet in our only customer loo is overflowing every time someone flushes",
            "hiya the fridge freezer in my flat has water pooling in the bottom of the fridge",
            "Hi team the digital signage screens in the canteen went black at lunchtime today",
        ] {
            let s = subject_for("Site", notes);
            let body = s.strip_prefix("Site: ").unwrap_or(&s).to_lowercase();
            let first = body.split([' ', ',']).next().unwrap_or_default();
            assert!(!["hi", "hiya", "team"].contains(&first), "{s}");
        }
        // "Hi" before what is high is not a hello.
        let s = subject_for(
            "Site",
            "Hi temp alarm on the blast chiller, 14C vs setpoint 3C",
        );
        assert!(s.contains("Hi temp alarm"), "{s}");
    }

    #[test]
    fn a_code_written_with_a_point_is_not_cut_at_it() {
        let s = subject_for(
            "Boiler",
            "Back otra vez a la Estación 3, la caldera con E.21 otra vez, presión baja, 0,4 bar en el manómetro.",
        );
        assert!(!s.ends_with(" E"), "{s}");
        let p = run("Boiler showing F.28 again, no ignition. Reset twice.");
        assert_eq!(text(&p, "Error_Code__c"), Some("F.28"));
    }

    #[test]
    fn a_spanish_name_that_goes_on_with_de_is_kept_whole() {
        for (asset, notes) in [
            (
                "Genset Nave 3",
                "Genset de la nave 3 arranca pero a los 10 segundos se para, pantalla marca fault 5 low \
                 oil pressure. Nivel de aceite ok. Línea de envasado parada esperando.",
            ),
            (
                "Ascensor torre B",
                "Ascensor de la torre B se mueve con las puertas abiertas: bajó unos 20cm con la puerta \
                 abierta cuando salía un señor. El freno no retiene bien.",
            ),
        ] {
            let s = subject_for(asset, notes);
            let body = s
                .strip_prefix(&format!("{asset}: "))
                .unwrap_or(&s)
                .to_lowercase();
            assert!(!body.starts_with("de la"), "{s}");
        }
        // A shouted "DE" is the drive end, not "of".
        let s = subject_for(
            "AHU-2 Supply Fan",
            "AHU-2 supply fan DE brg rumbling, 7,1 mm/s",
        );
        assert!(s.contains("DE brg rumbling"), "{s}");
    }

    #[test]
    fn shouted_notes_read_in_lower_case_but_codes_and_tags_keep_theirs() {
        let s = subject_for(
            "Pretreatment Boiler 2",
            "PRETREAT BOILER 2 LOCKED OUT AGAIN ON THE 3RD, CODE F28, PUMP P-1 OK. FLAME ROD CORRODED.",
        );
        assert!(s.contains("locked out again"), "{s}");
        assert!(s.contains("F28") && s.contains("P-1"), "{s}");
        assert!(s.contains("3rd"), "{s}");
        // The trade's initialisms keep their capitals: in the subject, and
        // in every candidate the ranker chose it from.
        let (name, notes) = (
            "Kitchen DB-4",
            "RCD ON THE KITCHEN DB TRIPPING EVERY MORNING, UPS IN THE OFFICE BEEPING. LED ON PANEL RED.",
        );
        // (Which candidate the ranker takes is its own business: the
        // rearranged "RCD tripping every morning" or the sentence as written.)
        let s = subject_for(name, notes);
        assert!(
            s.contains("RCD ") && s.contains("tripping every morning"),
            "{s}"
        );
        let cands = subject_candidates(name, notes);
        assert!(
            cands.iter().any(|(t, _)| t.contains("kitchen DB tripping")),
            "{cands:?}"
        );
        for (t, _) in &cands {
            let lower = [" db ", " rcd ", " ups ", "Rcd", "Ups"];
            assert!(!lower.iter().any(|w| t.contains(w)), "{t}");
        }
    }

    #[test]
    fn long_subjects_stop_at_a_word() {
        let notes = "motor bearing making an awful grinding racket whenever the conveyor ramps up to full speed in the mornings before production";
        let p = run(notes);
        let s = text(&p, "Subject").unwrap();
        assert!(s.chars().count() <= SUBJECT_MAX_CHARS, "{s}");
        // Too long to follow the asset's whole name: its tag leads instead.
        let phrase = s.strip_prefix("P-12: ").unwrap();
        assert!(notes.contains(phrase), "{phrase}");
        let next = notes[notes.find(phrase).unwrap() + phrase.len()..]
            .chars()
            .next();
        assert_eq!(next, Some(' '), "cut at a word boundary: {s}");
    }

    #[test]
    fn a_missing_function_is_the_problem_not_a_reassurance() {
        // "no ice" negates a cue (ice build-up) but says the machine failed.
        let s = subject_of("ice mach - no ice, disp E4. Inlet valve not opening, board dead.");
        assert!(s.contains("no ice"), "{s}");
        // "no leak, no smoke" only says what is not wrong.
        let s = subject_of("no leak found, no smoke. bearing noisy on the DE end.");
        assert!(s.contains("bearing noisy"), "{s}");
    }

    #[test]
    fn a_long_sentence_loses_who_reported_it_before_the_problem() {
        let s = subject_of(
            "Customer rang in a bit of a panic saying the lift was making a terrible screaming noise and was about to fall.",
        );
        assert!(s.contains("screaming noise"), "{s}");
        assert!(!s.contains("panic"), "{s}");
    }

    #[test]
    fn what_they_complained_about_leaves_its_about_with_the_complaint() {
        // The reporting clause goes, and "about" with it.
        let s = subject_for(
            "Chiller CH-3",
            "Residents complained again about chiller noise at night, worst around 2am. Measured 61 dB(A) at the boundary.",
        );
        assert!(
            s.ends_with("hiller noise at night, worst around 2am"),
            "{s}"
        );
        assert!(!s.to_lowercase().contains("about"), "{s}");
        let s = subject_of(
            "The manager at the leisure centre complained about the pool hall heating being stone cold again all morning, swimmers getting out early and asking for refunds.",
        );
        assert!(!s.to_lowercase().contains("about"), "{s}");
        assert!(s.contains("pool hall heating"), "{s}");
        // "About" that is no part of a report stays: it is a quantity.
        let s = subject_of("About 30cm of water in the pit, sump pump not running.");
        assert!(s.contains("About 30cm"), "{s}");
    }

    /// Every subject candidate for `notes` on an asset named `asset_name`:
    /// its text and the words it highlights (empty for a span outside the
    /// notes or across a character).
    fn subject_candidates<'n>(asset_name: &str, notes: &'n str) -> Vec<(String, Vec<&'n str>)> {
        let found = Findings::build(notes, &asset(asset_name), SUBJECT_MAX_CHARS, false);
        let lexed = lex::Lexed::new(notes);
        let words = lexed.words();
        let asset_words = analyse::name_words(asset_name);
        let hits = analyse::find_hits(&words, &asset_words);
        let keys = learn::keys(&words);
        let parts = subject::Parts {
            notes,
            words: &words,
            hits: &hits,
            codes: &found.codes,
            readings: &found.readings,
            asset_name,
            asset_words: &asset_words,
            keys: &keys,
        };
        subject::candidates(&parts, SUBJECT_MAX_CHARS)
            .into_iter()
            .map(|c| {
                let spans = c
                    .subject
                    .spans
                    .iter()
                    .map(|s| notes.get(s.range()).unwrap_or_default())
                    .collect();
                (c.subject.text, spans)
            })
            .collect()
    }

    #[test]
    fn a_long_first_sentence_may_lose_the_place_before_the_problem() {
        // Cut to fit, the sentence as written ends before it says what is
        // wrong ("Magnetic hold-open on the first floor corridor fire door at
        // Willowbank care home"); without the place it says it, in the
        // technician's words, highlighted where written. The ranker chooses.
        let notes = "The magnetic hold-open on the first floor corridor fire door at Willowbank \
                     care home failed to release when the fire alarm was tested, so the door \
                     remained open.";
        let cands = subject_candidates("First floor corridor fire door", notes);
        assert!(
            cands.contains(&(
                "First floor corridor fire door: magnetic hold-open failed to release".into(),
                vec!["magnetic hold-open", "failed to release"]
            )),
            "{cands:?}"
        );
        // A word ending "-ing" before another only describes it.
        let cands = subject_candidates(
            "Heating pump HP-3",
            "Both heating pumps at the primary school have failed overnight, one's seized solid \
             and the other's got no power at the isolator because its fuse has blown.",
        );
        assert!(
            cands
                .iter()
                .any(|(t, _)| t.contains("heating pumps failed overnight")),
            "{cands:?}"
        );
        // Only a place is dropped: not who reported it, not a clause, not
        // the start of one, and never from inside the place.
        for (asset, notes, never) in [
            (
                "Pool hall heating",
                "The manager at the leisure centre complained about the pool hall heating \
                 being stone cold again all morning, swimmers getting out early.",
                "manager complained",
            ),
            (
                "Kitchen socket",
                "socket by the sink in the staff kitchen at the council offices has water in \
                 the back box from the leaking tap above it, switched it off at the spur.",
                "sink has water",
            ),
            (
                "Main hall lighting",
                "Look at the flickering lights in the youth centre main hall, four of the LED \
                 panels are strobing and the staff say it gives them headaches.",
                "look flickering",
            ),
            (
                "Standby generator",
                "monthly run on the yard genny done ran it forty minutes off load then thirty on \
                 the load bank all fine no leaks.",
                "run off load",
            ),
        ] {
            let cands = subject_candidates(asset, notes);
            assert!(
                !cands.iter().any(|(t, _)| t.to_lowercase().contains(never)),
                "{cands:?}"
            );
        }
    }

    #[test]
    fn a_phrase_saying_a_function_is_lost_joins_a_first_sentence_that_says_nothing() {
        let s = subject_of(
            "Popped in at the health centre on my way past this morning. Patient chair in room 3 wont go back up.",
        );
        assert!(s.contains("wont go back up"), "{s}");
    }

    #[test]
    fn a_sentence_cut_short_keeps_its_sense() {
        // Cut before its verb, it must not end on "no" (saying the opposite).
        let s = subject_for(
            "Lab Incubator",
            "Incubadora del lab de la lechería no calienta, se queda en 22C y necesita 30C para los plate counts. El elemento tiene continuidad, 68 ohm, fine. El controlador no manda salida al relay, creo que es la placa.",
        );
        assert!(!s.trim_end().ends_with(" no"), "{s}");
        assert!(!s.contains(" no,"), "{s}");
        // Cut to a word that says nothing, it is left out rather than shown.
        let s = subject_for(
            "Stair Door Hold-Open – Level 2",
            "During the weekly fire alarm test the magnetic hold-open on the second-floor stair door did not release, and the door stayed open for the whole test. The other eleven hold-opens released correctly. The release relay in the door's interface unit appears to be stuck.",
        );
        assert!(!s.contains("During,"), "{s}");
        // Nor on an adverb waiting for its verb, nor on a Spanish article.
        for s in [
            subject_of(
                "Hand wash sink in the kitchen the sensor tap is not turning off it just keeps running until someone turns the isolation valve",
            ),
            subject_for(
                "Carretilla 8",
                "La carretilla 8 pierde aceite hidráulico por la manguera del mástil, deja un charco en el pasillo cada noche y los operarios lo limpian",
            ),
        ] {
            let last = s.rsplit(' ').next().unwrap_or_default();
            assert!(!["just", "un"].contains(&last), "{s}");
        }
    }

    #[test]
    fn a_first_sentence_that_only_names_the_site_is_skipped() {
        let s = subject_for(
            "Ward AHU",
            "St Anne's Hospital, Ward 7. Supply fan seized solid, the ward is without ventilation.",
        );
        assert!(s.contains("seized"), "{s}");
        assert!(!s.contains("Anne"), "{s}");
        // A short first sentence with a cue in it is the problem.
        let s = subject_for("Ward AHU", "Fan seized. Ward 7 at St Anne's, belts fine.");
        assert!(s.contains("Fan seized"), "{s}");
    }

    #[test]
    fn a_reporting_clause_that_ends_its_sentence_leaves_a_subject() {
        // "… I've reported this." cut after "reported" left no words: it panicked.
        let s = subject_for(
            "Shop front roller shutter",
            "This is the THIRD time I've reported this. The shutter at the front of the shop won't come down past halfway, so last night one of my staff had to sleep in the shop because we couldn't lock up. Nobody has called me back. Sort it.",
        );
        assert!(!s.is_empty());
    }

    #[test]
    fn notes_at_the_size_limit_are_fine() {
        let one = "Brg noisy, no smoke; E-42 & 3,2 bar 😬 not urgent maybe leakin?\n";
        let notes: String = one.repeat(32_000 / one.chars().count());
        let p = run(&notes);
        assert_eq!(text(&p, "Priority"), Some("Low"));
        assert_eq!(text(&p, "Error_Code__c"), Some("E-42"));
        assert_eq!(text(&p, "Meter_Reading__c"), Some("3.2 bar"));
        assert!(text(&p, "Subject").unwrap().chars().count() <= SUBJECT_MAX_CHARS);
        for f in &p.fields {
            if let Source::Notes { spans } = &f.source {
                assert!(spans.iter().all(|s| notes.get(s.range()).is_some()));
            }
        }
    }

    #[test]
    fn urgency_said_outright_is_high() {
        // The model, trained on notes where "urgent" is nearly always "not
        // urgent", took each of these for Low (guidelines' Priority rule 3).
        for notes in [
            "Urgent: ceiling leak in the office.",
            "Customer says this is urgent, the door closer is broken.",
            "urgent urgent printer jammed",
            "Boiler lockout, urgent.",
            "asap please, dishwasher not draining",
        ] {
            let p = run(notes);
            assert_eq!(text(&p, "Priority"), Some("High"), "{notes}");
            assert!(
                highlighted(notes, &p, "Priority")
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case("urgent") || *w == "asap"),
                "{notes}"
            );
        }
        // Said negated, it is low urgency; work "carried out today" is no
        // one wanted out today.
        for notes in [
            "Not urgent, dripping tap in the staff room.",
            "Cliente quiere presupuesto para pintar la fachada. Cosmetic, nada urgente.",
            "Six-monthly thorough examination of the goods lift carried out today, no defects.",
        ] {
            assert_eq!(text(&run(notes), "Priority"), Some("Low"), "{notes}");
        }
    }

    #[test]
    fn a_fix_with_its_cause_unknown_is_still_open() {
        // GUIDELINES.md, Priority: a fault fixed on the visit is Medium if a
        // cause remains unknown, or the faulty part is still to go back.
        for notes in [
            "Reset the boiler, running now, cause unknown.",
            "Breaker reset and holding, couldn't find the cause.",
            "Swapped in the spare controller, the faulty one goes back to the supplier.",
        ] {
            assert_eq!(text(&run(notes), "Priority"), Some("Medium"), "{notes}");
        }
        assert_eq!(
            text(
                &run("Failed contactor replaced, tested, nothing left to do."),
                "Priority"
            ),
            Some("Low")
        );
    }

    #[test]
    fn barriers_said_in_full_and_grease_are_hazards() {
        // GUIDELINES.md, hazard: fire doors, smoke dampers and vents that
        // will not close (or open when they must); grease dripping near a
        // flame. "Will not" was only known as "won't".
        for notes in [
            "Fire door on the stairwell will not close.",
            "Smoke vent at the top of stair B will not open.",
            "Grease dripping near the burner flame in the extract.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
        assert_eq!(
            hazard_of("Store room door will not open, key snapped."),
            Some(false)
        );
    }

    #[test]
    fn hazards_the_guidelines_list_without_a_hazard_word() {
        // GUIDELINES.md, hazard: each said as a technician would, none with
        // a word such as "danger" or "smoke"; the rules had no cue for them.
        for notes in [
            "Stair nosing broken on the main stairs.",
            "Racking leaning badly, could come down.",
            "Refrigerant leak alarm going off in the occupied office.",
            "Safety valve wired shut on the air receiver.",
            "Crack in the wall getting wider every week.",
            "Bits of concrete falling from the car park soffit.",
            "EICR coded C1 at the board.",
            "Car park lights all out, pitch dark at night.",
            "Sprinkler main pump won't start, jockey pump just holding pressure.",
            "Accessible toilet pull cord raises nothing when pulled.",
            "Eyewash station no flow in the chemical store.",
            "Steam blowing from the gasket in the boiler house walkway.",
            "Glass panel in the door smashed, shards on the floor.",
            "Smoke damper in the corridor stuck shut, won't drop.",
            "Big crack above the lintel getting bigger, bits falling.",
            "Reach truck handbrake not holding on the ramp.",
            "Chlorine dosing stuck on, free chlorine 9 ppm, swimmers with stinging eyes.",
            // "Til fixed" is outstanding, not fixed.
            "Smoke vent won't open on test, gearbox stripped. Stair has no smoke relief til fixed.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
        for notes in [
            // A collapsed bearing is a worn part, not a structure falling.
            "Motor bearing collapsed, overload tripped.",
            "Stair nosing repainted, all good.",
            "Eyewash station tested, good flow.",
        ] {
            assert_eq!(hazard_of(notes), Some(false), "{notes}");
        }
    }

    #[test]
    fn safety_systems_out_and_readings_the_guidelines_name_are_hazards() {
        // GUIDELINES, Safety hazard: each proposed at 0.9, which the learned
        // model cannot clear, however routine the rest of the note sounds.
        for notes in [
            "Monthly lift check. Emergency phone in the car not connecting, lift otherwise fine.",
            "Probé el teléfono de emergencia del ascensor: no hay línea. El ascensor funciona.",
            "Pulsé el botón de alarma de la cabina y no conecta.",
            "Alarm btn in the car pressed, nothing at the monitoring centre.",
            "Central de incendios totalmente apagada, sin luces.",
            "Spa pool: free chlorine 7.5, dosing pump stuck on.",
            "Piscina pequeña con cloro libre 8,0 mg/l, cerrada.",
            "Training pool chlorine reading 12 ppm at the poolside test.",
        ] {
            let p = run(notes);
            let h = p.get("Safety_Hazard__c").unwrap();
            assert_eq!(h.value, FieldValue::Bool(true), "{notes}");
            assert!(h.confidence >= 0.9, "{notes}: {}", h.confidence);
        }
        for notes in [
            // A pool at its usual level, and a photometer's doubtful figure.
            "Pool dosing checked, free chlorine 1.4 mg/l, pH 7.3.",
            "Photometer says chlorine 5.8 but the DPD tablet shows about 1.5.",
            // Words near a call device that say nothing about the call.
            "Lift alarm button tested and connects. Nothing at all to report.",
            "El tirador de la puerta del almacén está suelto, no hace nada.",
            "Panel de incendios revisado, alarma apagada tras la prueba, todo normal.",
        ] {
            assert_eq!(hazard_of(notes), Some(false), "{notes}");
        }
    }

    #[test]
    fn hazards_said_the_ways_technicians_say_them() {
        for notes in [
            "Bedroom 4 window restrictor has snapped, window swings wide open, second floor.",
            "Pickers working aisle 6 by torchlight since the lights went.",
            "Freezer door frame heater dead, sheet of ice at the threshold.",
            "Yard floor slippy with hydraulic oil where the crew walk.",
            "Autoclave door gasket leaking steam at the top when at pressure.",
            "Shutter came down on a driver's cab roof, safety edge not stopping it.",
            "Dumper reversing alarm dead, still working the yard.",
            "Lithium pack in the scrubber charger bulged and warm.",
            "Cellar leak detector alarming at 400 ppm R404A.",
            "Las puertas del ascensor cierran sobre los pasajeros.",
            "Sprinkler main pump will not start on test, jockey pump holding 7 bar.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
        }
        for notes in [
            "Window restrictors checked on all floors, all fine.",
            "Reversing alarm tested, loud and clear.",
        ] {
            assert_ne!(hazard_of(notes), Some(true), "{notes}");
        }
    }

    #[test]
    fn spanish_said_with_or_without_accents() {
        assert_eq!(
            text(
                &run("Cuando puedas, cambiar la bombilla del pasillo."),
                "Priority"
            ),
            Some("Low")
        );
        // The guidelines' lists said in Spanish, as the mixed notes do; the
        // cue lists spell them without accents and the lexer folds them.
        for notes in [
            "El cuadro eléctrico sin tapa, cables con tensión expuestos en el pasillo.",
            "La puerta cortafuegos no cierra.",
            "Hay agua en el suelo del cuarto eléctrico, cerca de los paneles.",
            "La puerta automática se cierra sobre la gente, el sensor no detecta.",
            "Cristal roto en la puerta a la altura de los niños.",
            "Baterías del SAI hinchadas.",
            "Alarma de CO sonando en la sala de calderas.",
        ] {
            assert_eq!(hazard_of(notes), Some(true), "{notes}");
            assert_eq!(text(&run(notes), "Priority"), Some("High"), "{notes}");
        }
        for (notes, want) in [
            (
                "El diferencial salta cada vez que encienden el horno.",
                "Electrical",
            ),
            ("Fusible fundido en el cuadro.", "Electrical"),
            ("El termostato no funciona.", "Electronic"),
            ("No hay corriente en toda la planta.", "Electrical"),
            ("La sonda de temperatura lee mal.", "Electronic"),
            ("Grieta grande en el muro del almacén.", "Structural"),
            (
                "La estantería está doblada por un golpe de la carretilla.",
                "Structural",
            ),
        ] {
            assert_eq!(text(&run(notes), "Type"), Some(want), "{notes}");
        }
        for notes in [
            "No hay calefacción en la residencia de ancianos, hace mucho frío.",
            "NO HAY CALEFACCION EN LA RESIDENCIA DE ANCIANOS.",
            "Se paró la línea de producción, todos esperando.",
        ] {
            assert_eq!(text(&run(notes), "Priority"), Some("High"), "{notes}");
        }
    }

    #[test]
    fn a_consequence_already_covered_is_medium() {
        // GUIDELINES.md, Priority: stock moved to a spare once the move is
        // done is a redundant unit taking over; a show that can go ahead is
        // only a deadline. Still moving the stock is not covered yet.
        for notes in [
            "Stock moved to the spare freezer, main freezer not cooling.",
            "Stage show tonight can go ahead, one moving head light not panning.",
        ] {
            assert_eq!(text(&run(notes), "Priority"), Some("Medium"), "{notes}");
        }
        assert_eq!(
            text(
                &run("Samples still in the failing freezer, moving stock to backup now."),
                "Priority"
            ),
            Some("High")
        );
    }

    #[test]
    fn a_standby_that_is_not_coping_keeps_the_outage_high() {
        // GUIDELINES.md, Priority rule 2: a standby running but "only just
        // coping" does not take the consequence away.
        for notes in [
            "Duty sump pump tripped, standby running but only just keeping up.",
            "Chiller 2 failed, chiller 1 on its own only just coping with the load.",
        ] {
            assert_eq!(text(&run(notes), "Priority"), Some("High"), "{notes}");
        }
        // Put right on the visit, the standby's strain is history: not High.
        let notes = "Duty pump tripped, standby running but only just keeping up. \
                     Pulled the duty pump, impeller full of rags. Cleared it, back in, \
                     both running, level coming down.";
        assert_ne!(text(&run(notes), "Priority"), Some("High"), "{notes}");
    }

    #[test]
    fn a_greeting_is_no_part_of_the_subject() {
        for notes in [
            "Hiya, cooker hood in the communal kitchen just hums, fan doesn't spin.",
            "Morning! Card reader at the side entrance takes 3 or 4 goes to let staff in.",
        ] {
            let s = subject_of(notes);
            assert!(!s.contains("Hiya") && !s.contains("Morning"), "{s}");
        }
        // Words that could greet, and are all the notes say, stay.
        assert!(subject_of("All good.").contains("All good"));
    }

    #[test]
    fn type_of_the_parts_the_guidelines_name() {
        // GUIDELINES.md, Type: gutters and downpipes are drains, window
        // hardware is Mechanical like door mechanics, a burner's flame
        // sensing parts are sensors, an undersized motor is Electrical.
        for (notes, want) in [
            (
                "Downpipe cracked, water running down the wall.",
                "Mechanical",
            ),
            ("Window restrictor broken on the first floor.", "Mechanical"),
            ("Machine guard missing on the press.", "Mechanical"),
            ("Flame rod dirty, burner locking out.", "Electronic"),
            ("Termination loose and burnt in the board.", "Electrical"),
            (
                "Motor undersized for the load, keeps overheating.",
                "Electrical",
            ),
            ("Window glass cracked in the office.", "Structural"),
            // Routine tests take the Type of what they test.
            (
                "Six-monthly thorough examination of the passenger lift, no defects.",
                "Mechanical",
            ),
            (
                "EICR carried out on the office, satisfactory.",
                "Electrical",
            ),
            (
                "Monthly legionella temperature round done, all in range.",
                "Mechanical",
            ),
            (
                "Thermography of the main board done, no hot spots.",
                "Electrical",
            ),
            (
                "Pilot won't stay lit, thermocouple tip burned.",
                "Electronic",
            ),
            // Heating on at the wrong hour is its controls; "heating" is
            // not a misspelt "heaving".
            ("Heating coming on at 3 am.", "Electronic"),
            // A basin cracked in its glaze stays sanitaryware; a load bank
            // test is the engine set's; a bond is earthing.
            ("Basin cracked in the glaze.", "Mechanical"),
            ("Generator load bank test passed.", "Mechanical"),
            ("Earth bond missing on the gas pipe.", "Electrical"),
            // Power cabling is Electrical whatever it feeds; data cabling
            // Electronic.
            ("Power cable to the camera cut.", "Electrical"),
            ("Data cable to the camera cut.", "Electronic"),
        ] {
            assert_eq!(text(&run(notes), "Type"), Some(want), "{notes}");
        }
    }

    #[test]
    fn what_was_noted_is_the_subject_not_the_visit() {
        assert_eq!(
            subject_for(
                "",
                "During the annual service it was noted that the condenser fan on unit 2 is \
                 rubbing on its shroud and making a grinding noise."
            ),
            "Condenser fan on unit 2 is rubbing on its shroud and making a grinding noise"
        );
    }

    #[test]
    fn a_problem_named_with_the_assets_own_words_keeps_them() {
        // The asset's words the note opens with are the problem's own: "Roof
        // leak", not "Stores roof: leak".
        for (name, notes) in [
            (
                "Stores roof",
                "Roof leak above the stores racking, dripping onto boxes. Buckets down.",
            ),
            (
                "Canteen ceiling",
                "Ceiling tile sagging by the servery, wet through. Taped off the area.",
            ),
            (
                "CO2 monitor bottle store",
                "CO2 alarm in the bottle store went off twice this morning, nobody felt ill.",
            ),
        ] {
            let s = subject_for(name, notes);
            let opening = notes.split(' ').take(2).collect::<Vec<_>>().join(" ");
            assert!(s.starts_with(&opening), "{name}: {s}");
        }
        // Said at length, the sentence's end gives way to them.
        let s = subject_for(
            "Main staircase handrail",
            "HANDRAIL MAIN STAIRS GROUND TO FIRST IS LOOSE, THREE FIXINGS PULLED OUT OF THE \
             WALL, WHOLE RAIL MOVES WHEN YOU LEAN ON IT. KIDS ON IT ALL DAY.",
        );
        assert!(s.starts_with("Handrail main stairs"), "{s}");
        assert!(s.contains("loose"), "{s}");
        // A state after the name's words reads as well after the name, which
        // says which one …
        assert_eq!(
            subject_for("Battery room extract fan", "Extract fan dead, room at 35C."),
            "Battery room extract fan: dead, room at 35C"
        );
        // … unless the words the note began with name it all but a word: the
        // technician's own "tap dripping" is not split by the name.
        let s = subject_for(
            "Mess block ladies toilet basin tap",
            "MESS BLOCK LADIES TOILET TAP DRIPPING, CHANGED WASHER. ALL OK NOW.",
        );
        assert!(s.to_lowercase().contains("tap dripping"), "{s}");
    }

    #[test]
    fn speech_run_on_without_punctuation_still_gives_the_problem() {
        // Dictated with no punctuation: the clause that says the problem is
        // found where it starts, not cut off at 80 characters.
        let s = subject_for(
            "Pharmacy fridge",
            "popped into the pharmacy on the second floor this afternoon to see the nurses who \
             were worried about their fridge the door seal is split all along the hinge side \
             it's been reading nine degrees since lunchtime I've moved the stock into the ward \
             fridge",
        );
        assert!(s.to_lowercase().contains("door seal is split"), "{s}");
    }

    #[test]
    fn subjects_without_an_asset_name_start_with_a_capital() {
        assert_eq!(
            subject_for("", "  breaker tripping again"),
            "Breaker tripping again"
        );
        // A note that starts with a letter outside ASCII still gives a subject.
        assert!(!subject_for("", "écran blanc, display dead").is_empty());
    }

    #[test]
    fn picklist_values_missing_from_the_schema_fall_back() {
        let mut schema = CaseSchema::salesforce_default();
        let ty = schema.fields.iter_mut().find(|f| f.name == "Type").unwrap();
        ty.values.retain(|v| v.value != "Electrical");
        let a = asset("Feed pump P-12");
        let t = Technician::default();
        let p = structure(
            "breaker tripping, bearing worn",
            Context {
                asset: &a,
                technician: &t,
            },
            &schema,
        );
        assert_eq!(p.get("Type").unwrap().value, FieldValue::text("Mechanical"));
    }
}
