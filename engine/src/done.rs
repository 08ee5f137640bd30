//! The confirmation after Submit (`OP_DONE`): sent (its reference, what the
//! dispatcher does next, what was sent) or queued on the phone. Drawn here
//! like the review's fields, so none of it is in the first load: it only
//! ever follows the review, which needs this engine anyway.
//!
//! The app inserts the HTML into its `<main class="page done">` and one
//! click listener answers the buttons: `data-copy` (copy the reference, then
//! show `data-copied`) and `data-another` (a new report on this asset).

use fieldcase_core::text::fill;
use fieldcase_core::wire::IntakeStatus;
use fieldcase_i18n::t;
use serde::{Deserialize, Serialize};

use crate::html::{attr, escape};

/// `OP_DONE`'s input.
#[derive(Debug, Default, Deserialize)]
pub struct DoneInput {
    /// Submitted without a connection: on this phone, sent by itself.
    #[serde(default)]
    pub queued: bool,
    /// The server's receipt (absent when queued).
    #[serde(default)]
    pub receipt: Option<Receipt>,
    /// The technician changed the draft after it had reached the office.
    #[serde(default)]
    pub changed: bool,
    /// The asset's name, the sent subject and priority (as the review showed them).
    #[serde(default)]
    pub asset: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub priority: String,
}

/// What the technician is told of a sent intake (`PUT /intakes/{id}`'s receipt).
#[derive(Debug, Deserialize)]
pub struct Receipt {
    pub reference: String,
    pub status: IntakeStatus,
    #[serde(default)]
    pub photo_count: u32,
    #[serde(default)]
    pub case_number: Option<String>,
}

/// `OP_DONE`'s answer: the screen and the document's title.
#[derive(Debug, Serialize)]
pub struct DoneOut {
    pub html: String,
    pub title: String,
}

/// What the confirmation says for the receipt's status: its heading and
/// the line above the reference.
pub fn receipt_words(status: IntakeStatus) -> (&'static str, &'static str) {
    use IntakeStatus::*;
    match status {
        Submitted | InReview => (
            t!("Sent for review"),
            t!(
                "A dispatcher checks it before it becomes a case. Quote this reference to your dispatcher:"
            ),
        ),
        Approved | Writing => (
            t!("Approved"),
            t!(
                "A dispatcher approved it; the case is being created. Quote this reference to your dispatcher:"
            ),
        ),
        Written => (
            t!("Case created"),
            t!("Quote this reference to your dispatcher:"),
        ),
        NeedsAttention => (
            t!("Sent"),
            t!(
                "The office is sorting out a problem with it. Quote this reference to your dispatcher:"
            ),
        ),
        Rejected => (
            t!("Rejected"),
            t!("A dispatcher rejected this report. Quote this reference to your dispatcher:"),
        ),
        Returned => (
            t!("Returned with a question"),
            t!(
                "A dispatcher has a question about it; it's on this equipment's page. Quote this reference to your dispatcher:"
            ),
        ),
    }
}

/// The confirmation screen's content and title.
pub fn done(input: &DoneInput) -> DoneOut {
    let mut h = String::new();
    let heading = match (&input.receipt, input.queued) {
        (Some(r), false) => sent(&mut h, r, input),
        _ => queued(&mut h),
    };
    another(&mut h);
    let mut title = String::from(heading);
    for part in [input.asset.as_str(), "fieldcase"] {
        if !part.is_empty() {
            title.push_str(" · ");
            title.push_str(part);
        }
    }
    DoneOut { html: h, title }
}

fn heading(h: &mut String, text: &str) {
    h.push_str("<h1 id=\"done-h\" tabindex=\"-1\">");
    escape(h, text);
    h.push_str("</h1>");
}

fn para(h: &mut String, class: &str, text: &str) {
    h.push_str("<p");
    if !class.is_empty() {
        attr(h, "class", class);
    }
    h.push('>');
    escape(h, text);
    h.push_str("</p>");
}

fn queued(h: &mut String) -> &'static str {
    let title = t!("Queued — will send by itself");
    heading(h, title);
    para(
        h,
        "lead",
        t!(
            "Your report is saved on this phone and will be sent as soon as there is a connection, even if you close this page. Its reference shows above once it is sent."
        ),
    );
    title
}

fn sent(h: &mut String, r: &Receipt, input: &DoneInput) -> &'static str {
    let (title, lead) = receipt_words(r.status);
    heading(h, title);
    para(h, "lead", lead);
    h.push_str("<p class=\"reference\" id=\"reference\">");
    escape(h, &r.reference);
    h.push_str("</p>");
    if let Some(n) = &r.case_number {
        para(h, "", &fill(t!("Case {}."), &[n]));
    }
    h.push_str("<button type=\"button\" class=\"btn secondary\"");
    attr(h, "data-copy", &r.reference);
    attr(h, "data-copied", t!("Copied"));
    h.push('>');
    escape(h, t!("Copy reference"));
    h.push_str("</button><dl class=\"facts sent\"");
    attr(h, "aria-label", t!("What was sent"));
    h.push('>');
    let photos = match r.photo_count {
        0 => t!("None").to_owned(),
        1 => t!("1 photo sent").to_owned(),
        n => fill(t!("{} photos sent"), &[&n.to_string()]),
    };
    for (dt, dd) in [
        (t!("Equipment"), input.asset.as_str()),
        (t!("Priority"), input.priority.as_str()),
        (t!("Subject"), input.subject.as_str()),
        (t!("Photos"), photos.as_str()),
    ] {
        if dd.is_empty() {
            continue;
        }
        h.push_str("<div><dt>");
        escape(h, dt);
        h.push_str("</dt><dd>");
        escape(h, dd);
        h.push_str("</dd></div>");
    }
    h.push_str("</dl>");
    if input.changed {
        para(
            h,
            "alert",
            t!(
                "This report had already reached the office before your last changes; they are not in it. Tell your dispatcher what changed."
            ),
        );
    }
    title
}

fn another(h: &mut String) {
    h.push_str("<button type=\"button\" class=\"btn primary\" data-another>");
    escape(h, t!("Report another issue on this asset"));
    h.push_str("</button>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> DoneInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_sent_report_names_its_reference_and_what_was_sent() {
        let out = done(&input(
            r#"{"receipt":{"reference":"FC-AB12-CD34","status":"submitted","photo_count":2},
                "asset":"Pump <P-12>","subject":"Seal leaking","priority":"High"}"#,
        ));
        assert_eq!(out.title, "Sent for review · Pump <P-12> · fieldcase");
        let h = &out.html;
        assert!(
            h.starts_with("<h1 id=\"done-h\" tabindex=\"-1\">Sent for review</h1>"),
            "{h}"
        );
        assert!(
            h.contains("<p class=\"reference\" id=\"reference\">FC-AB12-CD34</p>"),
            "{h}"
        );
        assert!(
            h.contains("data-copy=\"FC-AB12-CD34\" data-copied=\"Copied\">Copy reference"),
            "{h}"
        );
        // Escaped, in the order a dispatcher reads them.
        let facts = ["Pump &lt;P-12&gt;", "High", "Seal leaking", "2 photos sent"];
        let at: Vec<usize> = facts.iter().map(|f| h.find(f).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{h}");
        assert!(!h.contains("class=\"alert\""), "{h}");
        assert!(
            h.ends_with("data-another>Report another issue on this asset</button>"),
            "{h}"
        );
    }

    #[test]
    fn a_written_case_and_late_changes_are_said() {
        let out = done(&input(
            r#"{"receipt":{"reference":"FC-1","status":"written","photo_count":0,"case_number":"00001027"},
                "changed":true,"asset":"Door"}"#,
        ));
        assert!(
            out.html
                .contains("<h1 id=\"done-h\" tabindex=\"-1\">Case created</h1>")
        );
        assert!(out.html.contains("<p>Case 00001027.</p>"), "{}", out.html);
        assert!(out.html.contains("<dd>None</dd>"), "{}", out.html);
        // An empty fact is left out rather than shown blank.
        assert!(!out.html.contains("<dt>Subject</dt>"), "{}", out.html);
        assert!(
            out.html
                .contains("<p class=\"alert\">This report had already reached")
        );
    }

    #[test]
    fn queued_says_it_sends_by_itself() {
        let out = done(&input(r#"{"queued":true,"asset":"Chiller CH-2"}"#));
        assert_eq!(
            out.title,
            "Queued — will send by itself · Chiller CH-2 · fieldcase"
        );
        assert!(out.html.contains("saved on this phone"));
        assert!(!out.html.contains("data-copy"));
        assert!(out.html.contains("data-another"));
    }

    #[test]
    fn every_status_has_its_heading_and_asks_to_quote_the_reference() {
        for st in IntakeStatus::ALL {
            let (h, lead) = receipt_words(st);
            assert!(!h.is_empty());
            assert!(lead.contains("Quote this reference"), "{st:?}");
        }
        assert_eq!(receipt_words(IntakeStatus::Written).0, "Case created");
    }
}
