//! fieldcase's review engine: structuring, validation, the review's fields
//! and the submission body, for the app's review screen.
//!
//! It is a second WebAssembly module (`src/main.rs`), fetched by the app
//! after the first paint of the intake page, so the first load carries only
//! the other screens and none of the structurer, the validator, the review's
//! views or `serde_json`. Once fetched it runs in the browser, synchronously,
//! with no network: the review is as instant as when all of this was in the
//! app.
//!
//! The protocol is JSON text in, JSON text out, one [`Session`] per page:
//!
//! | op | input | answer |
//! |----|-------|--------|
//! | [`OP_CONTEXT`] | the `IntakeContext` (`GET /assets/{token}`) | `{"ok":true}` |
//! | [`OP_RENDER`] | an [`Input`] | `{"html":"…"}`: the summary and every editable field, drawn ([`html`]) |
//! | [`OP_REVIEW`] | an [`Input`] | a [`ReviewOut`]: what changes as the technician edits |
//! | [`OP_SUBMISSION`] | an [`Input`] with `id` | the `IntakeSubmission` to `PUT` |
//! | [`OP_RECENT`] | a [`recent::RecentInput`] | `{"html":"…"}`: the technician's recent reports here |
//! | [`OP_AMEND`] | an [`amend::AmendInput`] | an [`amend::AmendOut`]: a returned report as the phone's draft |
//! | [`OP_DONE`] | a [`done::DoneInput`] | a [`done::DoneOut`]: the confirmation after Submit and its title |
//!
//! Any failure answers `{"error":"…"}`. The logic is pure and tested here on
//! the host; the app's tests check that it reads these answers.

pub mod amend;
pub mod done;
pub mod highlight;
pub mod html;
pub mod recent;
pub mod review;

use fieldcase_core::schema::Hint;
use fieldcase_core::wire::IntakeContext;
use fieldcase_core::{FieldErrors, FieldValue};
use serde::Serialize;

pub use review::Input;
use review::Origin;

/// Set the intake's context.
pub const OP_CONTEXT: u32 = 1;
/// Structure, merge and validate; answers what the review shows.
pub const OP_REVIEW: u32 = 2;
/// Answers the body of `PUT /intakes/{id}`.
pub const OP_SUBMISSION: u32 = 3;
/// Draw the review's fields as they stand.
pub const OP_RENDER: u32 = 4;
/// The technician's recent reports on the asset, drawn (`recent::RecentInput` → `{html}`).
pub const OP_RECENT: u32 = 5;
/// A returned report made the phone's draft again (`amend::AmendInput` → `amend::AmendOut`).
pub const OP_AMEND: u32 = 6;
/// The confirmation after Submit, sent or queued (`done::DoneInput` → `done::DoneOut`).
pub const OP_DONE: u32 = 7;

/// How far around a highlighted span the review quotes the notes.
const QUOTE_CONTEXT: usize = 40;
/// The longest highlighted run quoted.
const QUOTE_MAX_MARK: usize = 80;

/// One editable field's state on the review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateOut {
    pub name: String,
    /// The value as its control shows it.
    pub text: String,
    /// A ticked checkbox.
    pub checked: bool,
    /// The field's message as HTML (`<p class="err" …>`), empty when none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub err: String,
    /// The source line's HTML: "From your notes: …", "Edited by you"…
    pub src: String,
}

/// What the review shows, besides the controls themselves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewOut {
    /// Each editable field, in schema order.
    pub fields: Vec<StateOut>,
    /// The summary of problems as HTML (inside `#review-summary`), then the
    /// personal data found (`<div class="pii" role="status">`); empty when
    /// there is neither.
    pub summary: String,
    /// The first problem's field, and whether the technician can edit it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    pub first_editable: bool,
}

/// The text a control shows for a value.
pub fn value_text(v: Option<&FieldValue>) -> String {
    match v {
        Some(FieldValue::Text(s)) => s.clone(),
        Some(FieldValue::Number(n)) => serde_json::to_string(n).unwrap_or_default(),
        Some(FieldValue::Bool(b)) => if *b { "true" } else { "false" }.to_owned(),
        None => String::new(),
    }
}

/// Quoted notes as HTML: the text escaped, the highlighted runs in `<mark>`.
pub fn quote_html(segments: &[highlight::Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        if s.marked {
            out.push_str("<mark>");
        }
        html::escape(&mut out, &s.text);
        if s.marked {
            out.push_str("</mark>");
        }
    }
    out
}

/// One page's engine: the context, once set.
#[derive(Debug, Default)]
pub struct Session {
    ctx: Option<IntakeContext>,
}

#[derive(Serialize)]
struct Ok {
    ok: bool,
}

#[derive(Serialize)]
struct Html {
    html: String,
}

#[derive(Serialize)]
struct Error<'a> {
    error: &'a str,
}

impl Session {
    /// Run one operation; the answer is JSON.
    pub fn handle(&mut self, op: u32, input: &str) -> String {
        let answer = match op {
            OP_CONTEXT => self.set_context(input),
            OP_REVIEW => self.with_input(input, |c, i| to_json(&review_answer(c, i))),
            OP_RENDER => self.with_input(input, |c, i| to_json(&Html { html: render(c, i) })),
            OP_SUBMISSION => self.with_input(input, submission_out),
            OP_AMEND => self.amend(input),
            OP_RECENT => serde_json::from_str::<recent::RecentInput>(input)
                .map_err(|_| "unreadable input")
                .and_then(|i| {
                    to_json(&Html {
                        html: recent::recent_html(&i),
                    })
                }),
            OP_DONE => serde_json::from_str::<done::DoneInput>(input)
                .map_err(|_| "unreadable input")
                .and_then(|i| to_json(&done::done(&i))),
            _ => Err("unknown operation"),
        };
        answer.unwrap_or_else(|error| to_json(&Error { error }).unwrap_or_default())
    }

    fn set_context(&mut self, input: &str) -> Result<String, &'static str> {
        let ctx: IntakeContext = serde_json::from_str(input).map_err(|_| "unreadable context")?;
        self.ctx = Some(ctx);
        to_json(&Ok { ok: true })
    }

    fn amend(&self, input: &str) -> Result<String, &'static str> {
        let ctx = self.ctx.as_ref().ok_or("no context yet")?;
        let input: amend::AmendInput =
            serde_json::from_str(input).map_err(|_| "unreadable input")?;
        to_json(&amend::amend(ctx, &input))
    }

    fn with_input(
        &self,
        input: &str,
        run: fn(&IntakeContext, &Input) -> Result<String, &'static str>,
    ) -> Result<String, &'static str> {
        let ctx = self.ctx.as_ref().ok_or("no context yet")?;
        let input: Input = serde_json::from_str(input).map_err(|_| "unreadable input")?;
        run(ctx, &input)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, &'static str> {
    serde_json::to_string(value).map_err(|_| "unwritable answer")
}

/// The review, worked out once for [`review_answer`] and [`render`].
struct Worked<'a> {
    ctx: &'a IntakeContext,
    /// Each editable field and what it shows, in schema order.
    fields: Vec<(&'a fieldcase_core::FieldDef, html::Shown)>,
    errors: FieldErrors,
    /// The personal data in the notes and fields, drawn (`html::pii_html`).
    pii: String,
}

/// The personal data in the report as the review lists it: the notes'
/// findings, then the fields' that are not the same words again (the
/// Description is the notes), each quoted with its words marked.
fn personal_data(
    ctx: &IntakeContext,
    notes: &str,
    fields: &[(&fieldcase_core::FieldDef, html::Shown)],
) -> String {
    use fieldcase_core::pii;
    // Inserted one by one: collecting into a map sorts with a stable sort,
    // whose code the engine would carry for this alone (2.5 KB brotli).
    let mut values = std::collections::BTreeMap::new();
    for (def, shown) in fields {
        values.insert(def.name.clone(), FieldValue::text(shown.text.clone()));
    }
    let found = pii::scan(&ctx.schema, notes, &values, &pii::HealthTerms::default());
    let mut seen: Vec<(pii::Kind, &str)> = Vec::new();
    let mut items = Vec::new();
    for f in &found {
        let (text, place) = if f.field == pii::NOTES {
            (notes, fieldcase_i18n::t!("your notes").to_owned())
        } else {
            let Some((def, shown)) = fields.iter().find(|(d, _)| d.name == f.field) else {
                continue;
            };
            (shown.text.as_str(), def.label.clone())
        };
        let Some(words) = text.get(f.start as usize..f.end as usize) else {
            continue;
        };
        if seen.contains(&(f.kind, words)) {
            continue;
        }
        seen.push((f.kind, words));
        let span = fieldcase_core::structure::Span::new(f.start as usize, f.end as usize);
        let quote = quote_html(&highlight::excerpt(
            text,
            &[span],
            QUOTE_CONTEXT,
            QUOTE_MAX_MARK,
        ));
        items.push((place, f.kind, quote));
    }
    html::pii_html(&items)
}

fn work<'a>(ctx: &'a IntakeContext, input: &Input) -> Worked<'a> {
    let r = review::review(ctx, input);
    // The review's own problems first; the server's for fields it has none on.
    let mut errors = review::problems(ctx, &r, None);
    for (k, v) in &input.server_errors.0 {
        errors.0.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let fields = review::visible_fields(&ctx.schema)
        .map(|def| {
            let p = r.get(&def.name);
            let value = p.and_then(|p| p.value.as_ref());
            let quote = match p.map(|p| &p.origin) {
                Some(Origin::Notes(spans)) if !highlight::covers_all(&input.notes, spans) => {
                    quote_html(&highlight::excerpt(
                        &input.notes,
                        spans,
                        QUOTE_CONTEXT,
                        QUOTE_MAX_MARK,
                    ))
                }
                _ => String::new(),
            };
            let shown = html::Shown {
                text: value_text(value),
                checked: matches!(value, Some(FieldValue::Bool(true))),
                err: html::err_html(&def.name, errors.get(&def.name)),
                src: html::src_html(def, p, &quote),
            };
            (def, shown)
        })
        .collect::<Vec<_>>();
    let pii = personal_data(ctx, &input.notes, &fields);
    Worked {
        ctx,
        fields,
        errors,
        pii,
    }
}

/// [`OP_REVIEW`]'s answer.
pub fn review_answer(ctx: &IntakeContext, input: &Input) -> ReviewOut {
    let w = work(ctx, input);
    let first = review::first_problem(&ctx.schema, &w.errors);
    ReviewOut {
        summary: html::summary_html(&summary(w.ctx, &w.errors)) + &w.pii,
        first_editable: first
            .and_then(|f| ctx.schema.field(f))
            .is_some_and(|d| d.is_editable()),
        first: first.map(str::to_owned),
        fields: w
            .fields
            .into_iter()
            .map(|(def, s)| StateOut {
                name: def.name.clone(),
                text: s.text,
                checked: s.checked,
                err: s.err,
                src: s.src,
            })
            .collect(),
    }
}

/// [`OP_RENDER`]'s HTML, triage first: the summary's place; the fields a
/// dispatcher triages by (subject, priority, type, safety hazard: by their
/// schema hints); the technician's own details on one line, folded; every
/// other field folded under "More details". A fold with a message in it is
/// open.
pub fn render(ctx: &IntakeContext, input: &Input) -> String {
    let w = work(ctx, input);
    let mut out = String::from("<div id=\"review-summary\">");
    out.push_str(&html::summary_html(&summary(w.ctx, &w.errors)));
    out.push_str(&w.pii);
    out.push_str("</div>");
    let (mut triage, rest): (Vec<_>, Vec<_>) = w
        .fields
        .iter()
        .enumerate()
        .partition(|(_, (def, _))| triage_rank(def).is_some());
    // Fields of one rank keep the schema's order: with the index, no two
    // keys are equal (and an unstable sort is the one the engine has).
    triage.sort_unstable_by_key(|&(i, (def, _))| (triage_rank(def), i));
    let (mine, more): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .map(|(_, field)| field)
        .partition(|(def, _)| review::Detail::of(def).is_some());
    for (_, (def, shown)) in &triage {
        html::field(&mut out, def, shown);
    }
    if !mine.is_empty() {
        let line = html::technician_line(&review::clean_technician(&input.technician));
        html::fold(&mut out, "mine", &line, &mine);
    }
    if !more.is_empty() {
        html::fold(&mut out, "more", fieldcase_i18n::t!("More details"), &more);
    }
    out
}

/// Where a field shows at the top of the review, if it does: what a
/// dispatcher triages by, in this order.
fn triage_rank(def: &fieldcase_core::FieldDef) -> Option<usize> {
    [
        Hint::Subject,
        Hint::Priority,
        Hint::Type,
        Hint::SafetyHazard,
    ]
    .into_iter()
    .position(|h| def.has_hint(h))
}

/// The problems as the review's summary lists them.
fn summary(ctx: &IntakeContext, errors: &FieldErrors) -> Vec<(String, String)> {
    review::problem_order(&ctx.schema)
        .filter_map(|d| {
            errors.get(&d.name).map(|m| {
                if d.is_editable() {
                    (d.name.clone(), m.to_owned())
                } else {
                    let mut s = String::from(fieldcase_i18n::t!(
                        "This equipment's record has a problem (tell your dispatcher): "
                    ));
                    s.push_str(m);
                    (String::new(), s)
                }
            })
        })
        .collect()
}

fn submission_out(ctx: &IntakeContext, input: &Input) -> Result<String, &'static str> {
    let id = input.id.ok_or("no intake id")?;
    let r = review::review(ctx, input);
    to_json(&review::submission(ctx, input, &r, id))
}

#[cfg(test)]
mod tests {
    use fieldcase_core::wire::{AssetView, IntakeSubmission, Limits};
    use fieldcase_core::{AssetToken, CaseSchema};
    use serde_json::Value;

    use super::*;

    fn ctx_json() -> String {
        let ctx = IntakeContext {
            asset: AssetView {
                token: AssetToken::from_random_bytes([3; 12]),
                name: "Feed pump P-12".into(),
                serial_number: "GP-44817".into(),
                model: "Grundfos CR 32".into(),
                account_name: "Northwind Foods".into(),
                site: "Leeds plant".into(),
                location: None,
                install_date: None,
                crm_asset_id: Some("02i000000000001AAA".into()),
                crm_account_id: None,
            },
            schema: CaseSchema::salesforce_default(),
            limits: Limits::default(),
            server_structuring: false,
        };
        serde_json::to_string(&ctx).unwrap()
    }

    fn call(s: &mut Session, op: u32, input: &str) -> Value {
        serde_json::from_str(&s.handle(op, input)).unwrap()
    }

    fn field(v: &Value, n: &str) -> Value {
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == n)
            .unwrap()
            .clone()
    }

    #[test]
    fn a_review_says_where_each_value_came_from_and_what_to_fix() {
        let mut s = Session::default();
        assert_eq!(call(&mut s, OP_CONTEXT, &ctx_json())["ok"], true);
        let input = r#"{"notes":"pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor",
            "edits":{"Type":"Electrical"},"technician":{"name":""}}"#;
        let v = call(&mut s, OP_REVIEW, input);
        let names: Vec<String> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names[0], "Subject");
        assert!(
            !names.contains(&"AssetId".to_owned()),
            "asset-filled fields are not shown"
        );
        assert_eq!(field(&v, "Priority")["text"], "High");
        let src = field(&v, "Priority")["src"].as_str().unwrap().to_owned();
        assert!(src.starts_with("From your notes: <q>"), "{src}");
        assert!(src.contains("<mark>smoke</mark>"), "{src}");
        assert!(
            src.ends_with("</q> <span class=\"badge\">likely</span>"),
            "{src}"
        );
        assert_eq!(
            field(&v, "Error_Code__c")["src"],
            "From your notes: <q>pump leaking bad at the seal, 3.2 bar, <mark>E-42</mark>, smoke near motor</q> <span class=\"badge\">likely</span>"
        );
        assert_eq!(
            field(&v, "Type")["src"],
            "Edited by you <button type=\"button\" class=\"link\" data-revert=\"Type\">Use the suggestion</button>"
        );
        assert_eq!(field(&v, "Type")["text"], "Electrical");
        assert_eq!(
            field(&v, "Description")["src"],
            "From your notes. <span class=\"badge\">likely</span>"
        );
        assert_eq!(
            field(&v, "SuppliedName")["err"],
            "<p class=\"err\" id=\"f-SuppliedName-err\" role=\"alert\">Your name is required.</p>"
        );
        assert_eq!(
            field(&v, "SuppliedName")["src"],
            "Remembered on this phone once you type it."
        );
        assert!(
            field(&v, "Subject")["err"].is_null(),
            "no message, no member"
        );
        assert_eq!(v["first"], "SuppliedName");
        assert_eq!(v["first_editable"], true);
        assert_eq!(
            v["summary"],
            "<div class=\"summary\" id=\"summary\" role=\"alert\" tabindex=\"-1\"><h2>Fix 1 thing before you submit</h2><ul><li><button type=\"button\" class=\"link\" data-focus=\"f-SuppliedName\">Your name is required.</button></li></ul></div>"
        );

        // The drawing is the same state, controls included.
        let html = call(&mut s, OP_RENDER, input)["html"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            html.starts_with("<div id=\"review-summary\"><div class=\"summary\""),
            "{html}"
        );
        assert!(html.contains("<select id=\"f-Type\""), "{html}");
        assert!(
            html.contains("<option value=\"Electrical\" selected>"),
            "{html}"
        );
        assert!(
            html.contains(&format!("<p class=\"src\" id=\"f-Priority-src\">{src}</p>")),
            "{html}"
        );
        assert!(html.contains("id=\"f-SuppliedName\" aria-describedby=\"f-SuppliedName-err f-SuppliedName-src\" aria-invalid=\"true\" data-detail=\"name\""), "{html}");
    }

    #[test]
    fn the_review_is_drawn_triage_first() {
        let mut s = Session::default();
        call(&mut s, OP_CONTEXT, &ctx_json());
        let at = |html: &str, needle: &str| {
            html.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing: {html}"))
        };
        let input = r#"{"notes":"pump leaking at the seal, smoke near motor, E-42","technician":{"name":"Sam Lee","email":"sam@example.com"}}"#;
        let html = call(&mut s, OP_RENDER, input)["html"]
            .as_str()
            .unwrap()
            .to_owned();
        let subject = at(&html, "id=\"f-Subject\"");
        let priority = at(&html, "id=\"f-Priority\"");
        let kind = at(&html, "id=\"f-Type\"");
        let hazard = at(&html, "id=\"f-Safety_Hazard__c\"");
        let mine = at(
            &html,
            "<details class=\"mine\"><summary><span class=\"who\">Sent as <strong>Sam Lee</strong> · sam@example.com</span>",
        );
        let name = at(&html, "id=\"f-SuppliedName\"");
        let more = at(
            &html,
            "<details class=\"more\"><summary>More details</summary>",
        );
        let reason = at(&html, "id=\"f-Reason\"");
        let code = at(&html, "id=\"f-Error_Code__c\"");
        let notes = at(&html, "id=\"f-Description\"");
        assert!(
            subject < priority && priority < kind && kind < hazard,
            "{html}"
        );
        assert!(hazard < mine && mine < name && name < more, "{html}");
        assert!(more < notes && more < reason && more < code, "{html}");

        // A message in a folded field opens its fold.
        let input = r#"{"notes":"pump leaking","technician":{"name":""}}"#;
        let html = call(&mut s, OP_RENDER, input)["html"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(html.contains("<details class=\"mine\" open><summary><span class=\"who\">Sent as <strong>(your name is missing)</strong>"), "{html}");
    }

    #[test]
    fn personal_data_is_shown_once_with_its_kind_and_words() {
        let mut s = Session::default();
        call(&mut s, OP_CONTEXT, &ctx_json());
        let input = r#"{"notes":"pump leaking, cust paid with card 4111 1111 1111 1111, E-42","technician":{"name":"Sam Lee","email":"sam@example.com"}}"#;
        let v = call(&mut s, OP_REVIEW, input);
        let summary = v["summary"].as_str().unwrap();
        assert!(
            summary.starts_with("<div class=\"card amend pii\" id=\"pii\" role=\"status\"><h2>Personal data in this report</h2>"),
            "{summary}"
        );
        // In the notes and (the same words) in the Description: listed once.
        assert_eq!(summary.matches("<li>").count(), 1, "{summary}");
        assert!(
            summary.contains("<li><strong>card number</strong> · your notes: <q>pump leaking, cust paid with card <mark>4111 1111 1111 1111</mark>, E-42</q></li>"),
            "{summary}"
        );
        assert!(v["first"].is_null(), "personal data does not stop Submit");
        let html = call(&mut s, OP_RENDER, input)["html"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            html.starts_with(&format!("<div id=\"review-summary\">{summary}</div>")),
            "{html}"
        );
        // None: nothing drawn.
        let v = call(
            &mut s,
            OP_REVIEW,
            r#"{"notes":"pump leaking at 3.2 bar, PO 4500012345","technician":{"name":"Sam"}}"#,
        );
        assert_eq!(v["summary"], "");
    }

    #[test]
    fn server_messages_show_where_the_review_has_none() {
        let mut s = Session::default();
        call(&mut s, OP_CONTEXT, &ctx_json());
        let input = r#"{"notes":"condenser fan noisy","edits":{"Subject":"Condenser fan noisy"},
            "technician":{"name":"Sam Lee"},"server_errors":{"Subject":"Subject must name the asset."}}"#;
        let v = call(&mut s, OP_REVIEW, input);
        assert!(
            v["fields"][0]["err"]
                .as_str()
                .unwrap()
                .contains(">Subject must name the asset.</p>")
        );
        assert_eq!(v["first"], "Subject");
        assert!(v["summary"].as_str().unwrap().contains("Fix 1 thing"));
    }

    #[test]
    fn hidden_fields_problems_are_named_without_a_link() {
        let mut s = Session::default();
        let mut ctx: Value = serde_json::from_str(&ctx_json()).unwrap();
        // An asset whose record Id is malformed: the asset-filled field fails.
        ctx["asset"]["crm_asset_id"] = "not-an-id".into();
        call(&mut s, OP_CONTEXT, &ctx.to_string());
        let input = r#"{"notes":"pump leaking","edits":{"Subject":"Pump leaking"},"technician":{"name":"Dana"}}"#;
        let v = call(&mut s, OP_REVIEW, input);
        assert_eq!(v["first"], "AssetId");
        assert_eq!(v["first_editable"], false);
        let summary = v["summary"].as_str().unwrap();
        assert!(
            summary
                .contains("<li>This equipment&#39;s record has a problem (tell your dispatcher): "),
            "{summary}"
        );
        assert!(!summary.contains("data-focus"), "{summary}");
    }

    #[test]
    fn the_submission_is_what_the_server_reads() {
        let mut s = Session::default();
        call(&mut s, OP_CONTEXT, &ctx_json());
        let input = r#"{"notes":"pump leaking","edits":{"Subject":"Pump leaking"},
            "technician":{"name":" Dana ","email":" "},"photos":["ab"],
            "id":"01900000-0000-7000-8000-000000000001"}"#;
        let body = s.handle(OP_SUBMISSION, input);
        let sub: IntakeSubmission = serde_json::from_str(&body).unwrap();
        assert_eq!(sub.technician.name, "Dana");
        assert_eq!(sub.technician.email, None);
        assert_eq!(sub.photos, vec!["ab".to_owned()]);
        assert_eq!(
            sub.fields.get("Subject"),
            Some(&FieldValue::text("Pump leaking"))
        );
        assert_eq!(
            sub.fields.get("Intake_Key__c"),
            Some(&FieldValue::text("01900000-0000-7000-8000-000000000001"))
        );
        assert!(sub.photo_locations.is_empty());
    }

    #[test]
    fn only_located_photos_still_attached_carry_a_location() {
        let mut s = Session::default();
        call(&mut s, OP_CONTEXT, &ctx_json());
        let input = r#"{"notes":"pump leaking","photos":["ab","cd"],
            "photo_locations":{"cd":{"latitude":53.8,"longitude":-1.55,"accuracy_m":12},
              "ab":{"error":"Location is off for this site."},
              "gone":{"latitude":1,"longitude":1,"accuracy_m":1}},
            "id":"01900000-0000-7000-8000-000000000001"}"#;
        let body = s.handle(OP_SUBMISSION, input);
        let sub: IntakeSubmission = serde_json::from_str(&body).unwrap();
        assert_eq!(sub.photo_locations.len(), 1, "{body}");
        let l = &sub.photo_locations[0];
        assert_eq!(
            (l.sha256.as_str(), l.latitude, l.longitude, l.accuracy_m),
            ("cd", 53.8, -1.55, 12.0)
        );
    }

    #[test]
    fn quotes_are_escaped_html() {
        let seg = |text: &str, marked| highlight::Segment {
            text: text.to_owned(),
            marked,
        };
        let q = [
            seg("…pump <b>said</b> \"E&42\" ", false),
            seg("it's smoke", true),
            seg("…", false),
        ];
        assert_eq!(
            quote_html(&q),
            "…pump &lt;b&gt;said&lt;/b&gt; &quot;E&amp;42&quot; <mark>it&#39;s smoke</mark>…"
        );
        assert_eq!(quote_html(&[]), "");
    }

    #[test]
    fn failures_answer_an_error() {
        let mut s = Session::default();
        assert!(
            call(&mut s, OP_REVIEW, "{}")["error"].is_string(),
            "no context yet"
        );
        assert!(call(&mut s, OP_CONTEXT, "{")["error"].is_string());
        call(&mut s, OP_CONTEXT, &ctx_json());
        assert!(call(&mut s, OP_REVIEW, "7")["error"].is_string());
        assert!(
            call(&mut s, OP_SUBMISSION, "{}")["error"].is_string(),
            "no id"
        );
        assert!(call(&mut s, 9, "{}")["error"].is_string());
    }
}
