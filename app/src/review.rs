//! The review engine's answers (see `fieldcase-engine`), read for the review
//! screen. The engine draws the fields (`OP_RENDER`, once) and then says what
//! changed (`OP_REVIEW`, on every edit): each field's message and source line
//! as HTML it escaped, and the summary. Pure, tested on the host against the
//! engine itself.

use crate::json::{self, Json};

/// The engine's operations (`fieldcase_engine::OP_*`).
pub const OP_CONTEXT: u32 = 1;
pub const OP_REVIEW: u32 = 2;
pub const OP_SUBMISSION: u32 = 3;
pub const OP_RENDER: u32 = 4;
pub const OP_RECENT: u32 = 5;
pub const OP_AMEND: u32 = 6;
pub const OP_DONE: u32 = 7;

/// One field's state on the review.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldState {
    /// The value as its control shows it.
    pub text: String,
    pub checked: bool,
    /// The message element (`<p class="err" id="f-…-err" role="alert">`), or empty.
    pub err: String,
    /// The inside of the source line (`<p class="src" id="f-…-src">`).
    pub src: String,
}

/// What the review shows, besides the controls.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub fields: Vec<(String, FieldState)>,
    /// The summary of problems (inside `#review-summary`), or empty.
    pub summary: String,
    pub first: Option<String>,
    pub first_editable: bool,
}

impl Answer {
    pub fn field(&self, name: &str) -> Option<&FieldState> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// The engine's answer to a review.
pub fn parse_answer(text: &str) -> Option<Answer> {
    let v = json::parse(text)?;
    let mut fields = Vec::new();
    for f in v.get("fields")?.arr()? {
        let state = FieldState {
            text: f.get("text")?.str()?.to_owned(),
            checked: f.get("checked")?.bool()?,
            err: f.opt("err", Json::str)?.unwrap_or("").to_owned(),
            src: f.get("src")?.str()?.to_owned(),
        };
        fields.push((f.get("name")?.str()?.to_owned(), state));
    }
    Some(Answer {
        fields,
        summary: v.get("summary")?.str()?.to_owned(),
        first: v.opt("first", Json::str)?.map(str::to_owned),
        first_editable: v.get("first_editable")?.bool()?,
    })
}

/// The engine's drawing of the fields.
pub fn parse_render(text: &str) -> Option<String> {
    Some(json::parse(text)?.get("html")?.str()?.to_owned())
}

/// `OP_DONE`'s answer: the confirmation's HTML and the document's title.
pub fn parse_done(text: &str) -> Option<(String, String)> {
    let v = json::parse(text)?;
    Some((
        v.get("html")?.str()?.to_owned(),
        v.get("title")?.str()?.to_owned(),
    ))
}

/// What `OP_AMEND` made of a returned report.
#[derive(Debug, Clone, PartialEq)]
pub enum Amended {
    /// The draft to answer it in, and the details it was sent with when the
    /// phone had none.
    Draft(
        crate::draft::Draft,
        Option<fieldcase_core::wire::Technician>,
    ),
    /// It no longer waits for an answer: why, in words.
    NotWaiting(String),
}

pub fn read_amend(text: &str) -> Option<Amended> {
    let v = json::parse(text)?;
    if let Some(m) = v.get("message").and_then(Json::str) {
        return Some(Amended::NotWaiting(m.to_owned()));
    }
    let draft = crate::draft::Draft::from_saved(Some(v.get("draft")?.str()?)).ok()?;
    let tech = v.get("technician").and_then(crate::draft::read_technician);
    Some(Amended::Draft(draft, tech))
}

/// The engine's answer is an error.
pub fn is_error(text: &str) -> bool {
    json::parse(text).is_none_or(|v| v.get("error").is_some())
}

#[cfg(test)]
mod tests {
    use fieldcase_core::console::{SubmissionDetail, SubmissionSummary};
    use fieldcase_core::wire::{IntakeStatus, PhotoReceipt, Technician};
    use fieldcase_core::{CaseDraft, FieldValue};
    use fieldcase_engine::Session;
    use uuid::Uuid;

    use super::*;
    use crate::context::Ctx;
    use crate::draft::{Draft, engine_input};

    fn summary(n: u128, status: IntakeStatus) -> SubmissionSummary {
        SubmissionSummary {
            id: Uuid::from_u128(n),
            reference: format!("FC-0000-000{n}"),
            status,
            subject: "Pump P-12 leaking at the seal \"bad\"".into(),
            submitted_at: "2025-03-01T10:00:00Z".into(),
            updated_at: "2025-03-01T11:00:00.5+00:00".into(),
            reason: None,
            question: None,
            case_number: None,
        }
    }

    fn detail() -> SubmissionDetail {
        let mut s = summary(7, IntakeStatus::Returned);
        s.question = Some("Which seal — inlet or outlet?".into());
        let mut fields = CaseDraft::default();
        fields.set("Subject", FieldValue::text("Pump P-12 leaking"));
        fields.set("Priority", FieldValue::text("High"));
        fields.set("Safety_Hazard__c", FieldValue::Bool(true));
        fields.set("Meter_Reading__c", FieldValue::Number(3.2));
        fields.set("AssetId", FieldValue::text("02i000000000001AAA"));
        SubmissionDetail {
            summary: s,
            notes: "pump leaking bad at the seal, 3.2 bar\nsmoke near motor".into(),
            fields,
            technician: Technician {
                name: "Dana Okafor".into(),
                email: None,
                phone: Some("+44 7700 900123".into()),
            },
            photos: vec![PhotoReceipt {
                sha256: "ab".repeat(32),
                content_type: "image/jpeg".into(),
                width: 800,
                height: 600,
                bytes: 12_345,
            }],
        }
    }

    fn context() -> Session {
        let text = serde_json::to_string(&crate::context::tests::sample()).unwrap();
        let ctx = Ctx::parse(&text).unwrap();
        let mut s = Session::default();
        assert!(!is_error(&s.handle(OP_CONTEXT, &ctx.json)));
        s
    }

    #[test]
    fn the_operations_are_the_engines() {
        assert_eq!(OP_CONTEXT, fieldcase_engine::OP_CONTEXT);
        assert_eq!(OP_REVIEW, fieldcase_engine::OP_REVIEW);
        assert_eq!(OP_RECENT, fieldcase_engine::OP_RECENT);
        assert_eq!(OP_AMEND, fieldcase_engine::OP_AMEND);
        assert_eq!(OP_DONE, fieldcase_engine::OP_DONE);
        assert_eq!(OP_SUBMISSION, fieldcase_engine::OP_SUBMISSION);
        assert_eq!(OP_RENDER, fieldcase_engine::OP_RENDER);
    }

    #[test]
    fn reads_the_confirmation_the_engine_draws() {
        let mut s = context();
        let input = r#"{"receipt":{"reference":"FC-AB12-CD34","status":"in_review","photo_count":1},
            "changed":false,"asset":"Pump P-12","subject":"Seal leaking","priority":"High"}"#;
        let (html, title) = parse_done(&s.handle(OP_DONE, input)).unwrap();
        assert!(
            html.contains("FC-AB12-CD34") && html.contains("1 photo sent"),
            "{html}"
        );
        assert!(html.contains("data-copy=\"FC-AB12-CD34\""), "{html}");
        assert_eq!(title, "Sent for review · Pump P-12 · fieldcase");
        let (html, _) = parse_done(&s.handle(OP_DONE, r#"{"queued":true}"#)).unwrap();
        assert!(html.contains("data-another"), "{html}");
        assert_eq!(parse_done(r#"{"error":"unreadable input"}"#), None);
    }

    #[test]
    fn reads_a_review_and_its_drawing() {
        let mut s = context();
        let mut d = Draft {
            notes: "pump leaking bad at the seal, 3.2 bar, E-42, smoke near motor".into(),
            ..Draft::default()
        };
        d.edit("Type", Json::Str("Electrical".into()));
        let t = Technician::default();
        let input = engine_input(&d, &t, &[], None);
        let answer = parse_answer(&s.handle(OP_REVIEW, &input)).unwrap();
        assert_eq!(answer.fields[0].0, "Subject");
        let priority = answer.field("Priority").unwrap();
        assert_eq!(priority.text, "High");
        assert!(
            priority.src.contains("<mark>smoke</mark>"),
            "{}",
            priority.src
        );
        assert!(priority.err.is_empty());
        assert!(
            answer
                .field("Type")
                .unwrap()
                .src
                .starts_with("Edited by you ")
        );
        assert_eq!(answer.field("Error_Code__c").unwrap().text, "E-42");
        let name = answer.field("SuppliedName").unwrap();
        assert!(
            name.err.contains(">Your name is required.</p>"),
            "{}",
            name.err
        );
        assert_eq!(answer.first.as_deref(), Some("SuppliedName"));
        assert!(answer.first_editable);
        assert!(answer.summary.contains("data-focus=\"f-SuppliedName\""));

        let html = parse_render(&s.handle(OP_RENDER, &input)).unwrap();
        assert!(html.contains("id=\"f-SuppliedName\""), "{html}");
        assert!(html.contains(&answer.summary), "{html}");

        let t = Technician {
            name: "Dana".into(),
            ..Technician::default()
        };
        let answer = parse_answer(&s.handle(OP_REVIEW, &engine_input(&d, &t, &[], None))).unwrap();
        assert!(answer.summary.is_empty());
        assert_eq!(answer.first, None);
        let body = s.handle(
            OP_SUBMISSION,
            &engine_input(&d, &t, &[], Some(&uuid::Uuid::from_u128(5))),
        );
        assert!(!is_error(&body), "{body}");
        assert!(is_error(r#"{"error":"no intake id"}"#));
        assert!(is_error("not json"));
        assert!(parse_answer(r#"{"error":"x"}"#).is_none());
        assert!(parse_render(r#"{"error":"x"}"#).is_none());
    }

    /// `OP_AMEND` on the shared sample: a returned report made the draft again.
    fn amend(
        s: &mut Session,
        detail: &fieldcase_core::console::SubmissionDetail,
        tech: &Technician,
    ) -> Amended {
        let input = serde_json::json!({ "detail": detail, "technician": tech }).to_string();
        read_amend(&s.handle(OP_AMEND, &input)).unwrap()
    }

    #[test]
    fn an_amendment_keeps_the_intake_its_question_and_what_was_sent() {
        let mut s = context();
        let sample = detail();
        let Amended::Draft(d, tech) = amend(&mut s, &sample, &Technician::default()) else {
            panic!("a returned report is answered");
        };
        assert_eq!(d.intake_id, Some(uuid::Uuid::from_u128(7)));
        let a = d.amend.as_ref().unwrap();
        assert_eq!(a.reference, "FC-0000-0007");
        assert_eq!(a.question, "Which seal — inlet or outlet?");
        assert!(d.notes.starts_with("pump leaking"));
        assert_eq!(d.photos.len(), 1);
        assert_eq!(d.photos[0].bytes, 12_345);
        assert!(!d.reviewing);
        // No details on this phone: the report's.
        assert_eq!(tech.unwrap().name, "Dana Okafor");
        // The subject the dispatcher saw stays (structuring would write
        // another); what the notes say anyway follows them; the asset's is
        // not the technician's to edit.
        assert!(d.is_edited("Subject"));
        assert!(!d.is_edited("Priority") && !d.is_edited("Safety_Hazard__c"));
        assert!(!d.is_edited("AssetId"));
        // A reload keeps it all.
        assert_eq!(Draft::from_saved(Some(&d.to_json())), Ok(d.clone()));
        // Submitting it reuses that id, never a new one.
        let mut again = d;
        assert_eq!(
            again.intake_id_or(|| uuid::Uuid::from_u128(99)),
            uuid::Uuid::from_u128(7)
        );
        // The phone's own details are kept.
        let mine = Technician {
            name: "Sam".into(),
            ..Technician::default()
        };
        let Amended::Draft(_, tech) = amend(&mut s, &sample, &mine) else {
            panic!("answered");
        };
        assert_eq!(tech, None);
    }

    #[test]
    fn a_report_no_longer_waiting_says_so_and_is_not_loaded() {
        let mut s = context();
        let mut sample = detail();
        sample.summary.status = fieldcase_core::wire::IntakeStatus::Approved;
        assert_eq!(
            amend(&mut s, &sample, &Technician::default()),
            Amended::NotWaiting(
                "FC-0000-0007 is no longer waiting for your answer: Approved.".into()
            )
        );
    }
}
