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

/// The engine's answer is an error.
pub fn is_error(text: &str) -> bool {
    json::parse(text).is_none_or(|v| v.get("error").is_some())
}

#[cfg(test)]
mod tests {
    use fieldcase_core::wire::Technician;
    use fieldcase_engine::Session;

    use super::*;
    use crate::context::Ctx;
    use crate::draft::{Draft, engine_input};

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
        assert_eq!(OP_SUBMISSION, fieldcase_engine::OP_SUBMISSION);
        assert_eq!(OP_RENDER, fieldcase_engine::OP_RENDER);
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
}
