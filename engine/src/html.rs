//! The review's fields as HTML: the engine draws them, so the first-load
//! module carries none of their views. The app inserts [`fields`] once when
//! the review opens (the controls then belong to the person typing) and
//! afterwards replaces only each field's message and source line, and the
//! summary, from [`crate::ReviewOut`].
//!
//! Every text is escaped ([`escape`]); no `on…` attribute or script is ever
//! written (the app listens on the container), so the page's
//! Content-Security-Policy holds.
//!
//! Element ids, for the app: the control `f-{name}`, its message
//! `f-{name}-err`, its source line `f-{name}-src`; the summary is inside
//! `review-summary`. `data-detail` on a control names the technician detail
//! it edits; `data-focus` (summary) and `data-revert` ("Use the suggestion")
//! mark the buttons.

use fieldcase_core::schema::{FieldDef, FieldType};
use fieldcase_i18n::t;

use crate::review::{Detail, Origin, Proposed};

/// `s` with `&`, `<`, `>`, `"` and `'` escaped: safe in text and in quoted
/// attribute values.
pub fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// ` name="value"`, the value escaped.
pub fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape(out, value);
    out.push('"');
}

/// The control's id.
pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    id.push_str(name);
    id
}

/// What one field shows besides its control.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The value as the control shows it, and a ticked checkbox.
    pub text: String,
    pub checked: bool,
    /// `<p class="err" id="f-{name}-err" role="alert">…</p>`, or empty.
    pub err: String,
    /// The inside of `<p class="src" id="f-{name}-src">`.
    pub src: String,
}

/// The field's message, or nothing.
pub fn err_html(name: &str, error: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(m) = error {
        out.push_str("<p class=\"err\"");
        attr(&mut out, "id", &(field_id(name) + "-err"));
        out.push_str(" role=\"alert\">");
        escape(&mut out, m);
        out.push_str("</p>");
    }
    out
}

/// "From your notes: …<mark>smoke</mark>…", "From the asset", "Edited by you"…
/// `quote` is already HTML (see [`crate::quote_html`]).
pub fn src_html(def: &FieldDef, p: Option<&Proposed>, quote: &str) -> String {
    let mut out = String::new();
    let Some(p) = p else { return out };
    let lead = match &p.origin {
        Origin::Notes(_) if quote.is_empty() => t!("From your notes. "),
        Origin::Notes(_) => t!("From your notes: "),
        Origin::Asset => t!("From the asset"),
        Origin::Technician => t!("From your details"),
        Origin::Default => t!("Default — nothing in the notes set this"),
        Origin::Edited => t!("Edited by you "),
        Origin::Empty => match (Detail::of(def), def.required) {
            (Some(_), true) => t!("Remembered on this phone once you type it."),
            (Some(_), false) => t!("Optional."),
            (None, _) => t!("Nothing in your notes set this."),
        },
    };
    out.push_str(lead);
    match &p.origin {
        Origin::Notes(_) => {
            if !quote.is_empty() {
                out.push_str("<q>");
                out.push_str(quote);
                out.push_str("</q> ");
            }
            out.push_str(if p.by_ai {
                t!("<span class=\"badge ai\">AI-proposed</span>")
            } else if p.confidence < 0.5 {
                t!("<span class=\"badge unsure\">unsure</span>")
            } else {
                t!("<span class=\"badge\">likely</span>")
            });
        }
        Origin::Edited => {
            out.push_str("<button type=\"button\" class=\"link\"");
            attr(&mut out, "data-revert", &def.name);
            out.push_str(t!(">Use the suggestion</button>"));
        }
        _ => {}
    }
    out
}

/// The problems, in the order shown: `(field, message)`, `field` empty for a
/// field the technician cannot see (no link then).
pub fn summary_html(items: &[(String, String)]) -> String {
    let mut out = String::new();
    if items.is_empty() {
        return out;
    }
    out.push_str("<div class=\"summary\" id=\"summary\" role=\"alert\" tabindex=\"-1\"><h2>");
    if items.len() == 1 {
        out.push_str(t!("Fix 1 thing before you submit"));
    } else {
        let n = items.len().to_string();
        out.push_str(&t!("Fix {} things before you submit").replacen("{}", &n, 1));
    }
    out.push_str("</h2><ul>");
    for (field, message) in items {
        out.push_str("<li>");
        if field.is_empty() {
            escape(&mut out, message);
        } else {
            out.push_str("<button type=\"button\" class=\"link\"");
            attr(&mut out, "data-focus", &field_id(field));
            out.push('>');
            escape(&mut out, message);
            out.push_str("</button>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></div>");
    out
}

/// Personal data found in the report, for the technician to see before
/// Submit: `(where, kind, quote)` each, `quote` already HTML (the words in
/// `<mark>`). A status, not an alert: nothing has to be fixed to submit.
/// Drawn as the app's amber `card amend` box, so the first load's
/// stylesheet gains nothing for it.
pub fn pii_html(items: &[(String, fieldcase_core::pii::Kind, String)]) -> String {
    let mut out = String::new();
    if items.is_empty() {
        return out;
    }
    out.push_str("<div class=\"card amend pii\" id=\"pii\" role=\"status\"><h2>");
    out.push_str(t!("Personal data in this report"));
    out.push_str("</h2><p>");
    out.push_str(t!(
        "A dispatcher sees it highlighted and redacts what the case does not need before it reaches the CRM. Take it out of your notes if it should not be sent at all."
    ));
    out.push_str("</p><ul>");
    for (place, kind, quote) in items {
        out.push_str("<li><strong>");
        escape(&mut out, kind.label());
        out.push_str("</strong> · ");
        escape(&mut out, place);
        out.push_str(": <q>");
        out.push_str(quote);
        out.push_str("</q></li>");
    }
    out.push_str("</ul></div>");
    out
}

/// One editable field: label, control (with its current value), message and
/// source line. The same attributes the app's own views had.
pub fn field(out: &mut String, def: &FieldDef, shown: &Shown) {
    let id = field_id(&def.name);
    let detail = Detail::of(def);
    let invalid = !shown.err.is_empty();
    let mut label = String::from("<label");
    attr(&mut label, "for", &id);
    label.push('>');
    escape(&mut label, &def.label);
    if def.required {
        label.push_str(t!("<span class=\"req\"> (required)</span>"));
    }
    label.push_str("</label>");

    // The attributes every control has.
    let common = |out: &mut String| {
        attr(out, "id", &id);
        let mut described = id.clone() + "-err ";
        described.push_str(&id);
        described.push_str("-src");
        attr(out, "aria-describedby", &described);
        if invalid {
            out.push_str(" aria-invalid=\"true\"");
        }
        if let Some(d) = detail {
            attr(out, "data-detail", d.as_str());
        }
    };
    let required = |out: &mut String| {
        if def.required {
            out.push_str(" aria-required=\"true\"");
        }
    };
    let maxlength = |out: &mut String| {
        if let Some(n) = def.max_length {
            attr(out, "maxlength", &n.to_string());
        }
    };

    out.push_str("<div class=\"field\">");
    match def.field_type {
        FieldType::Checkbox => {
            out.push_str("<div class=\"check\"><input type=\"checkbox\"");
            common(out);
            if shown.checked {
                out.push_str(" checked");
            }
            out.push('>');
            out.push_str(&label);
            out.push_str("</div>");
        }
        FieldType::Picklist => {
            out.push_str(&label);
            out.push_str("<select");
            common(out);
            required(out);
            out.push('>');
            out.push_str("<option value=\"\"");
            if shown.text.is_empty() {
                out.push_str(" selected");
            }
            out.push_str(t!(">Choose…</option>"));
            for v in &def.values {
                out.push_str("<option");
                attr(out, "value", &v.value);
                if v.value == shown.text {
                    out.push_str(" selected");
                }
                out.push('>');
                escape(out, v.label());
                out.push_str("</option>");
            }
            out.push_str("</select>");
        }
        FieldType::Textarea => {
            out.push_str(&label);
            out.push_str("<textarea rows=\"6\"");
            maxlength(out);
            common(out);
            required(out);
            // The parser drops one new line right after the tag: this one.
            out.push_str(">\n");
            escape(out, &shown.text);
            out.push_str("</textarea>");
        }
        kind => {
            let (input_type, mode) = match kind {
                FieldType::Email => ("email", None),
                FieldType::Phone => ("tel", None),
                FieldType::Date => ("date", None),
                FieldType::Number => ("text", Some("decimal")),
                _ => ("text", None),
            };
            let autocomplete = match detail {
                Some(Detail::Name) => "name",
                Some(Detail::Email) => "email",
                Some(Detail::Phone) => "tel",
                None => "off",
            };
            out.push_str(&label);
            out.push_str("<input");
            attr(out, "type", input_type);
            if let Some(m) = mode {
                attr(out, "inputmode", m);
            }
            attr(out, "autocomplete", autocomplete);
            maxlength(out);
            common(out);
            required(out);
            attr(out, "value", &shown.text);
            out.push('>');
        }
    }
    out.push_str(&shown.err);
    out.push_str("<p class=\"src\"");
    attr(out, "id", &(id + "-src"));
    out.push('>');
    out.push_str(&shown.src);
    out.push_str("</p></div>");
}

/// Fields folded under a `<details class="{class}">` whose summary is
/// `summary` (HTML); open when one of them has a message, so nothing wrong
/// is ever hidden. The app opens a closed fold too when a message appears
/// in it later, or when the summary sends the focus into it.
pub fn fold(out: &mut String, class: &str, summary: &str, fields: &[&(&FieldDef, Shown)]) {
    out.push_str("<details");
    attr(out, "class", class);
    if fields.iter().any(|(_, s)| !s.err.is_empty()) {
        out.push_str(" open");
    }
    out.push_str("><summary>");
    out.push_str(summary);
    out.push_str("</summary>");
    for (def, shown) in fields {
        field(out, def, shown);
    }
    out.push_str("</details>");
}

/// The technician's details on one line, for the fold's summary: "Sent as
/// Dana Okafor · dana@example.com · change".
pub fn technician_line(t: &fieldcase_core::wire::Technician) -> String {
    let mut out = String::from(t!("<span class=\"who\">Sent as "));
    if t.name.is_empty() {
        out.push_str(t!("<strong>(your name is missing)</strong>"));
    } else {
        out.push_str("<strong>");
        escape(&mut out, &t.name);
        out.push_str("</strong>");
    }
    for d in [&t.email, &t.phone].into_iter().flatten() {
        out.push_str(" · ");
        escape(&mut out, d);
    }
    out.push_str(t!("</span> <span class=\"change\">change</span>"));
    out
}

#[cfg(test)]
mod tests {
    use fieldcase_core::CaseSchema;
    use fieldcase_core::schema::PicklistValue;

    use super::*;

    fn def(name: &str, field_type: FieldType) -> FieldDef {
        let mut d = CaseSchema::salesforce_default().fields[0].clone();
        d.name = name.into();
        d.label = format!("{name} <label>");
        d.field_type = field_type;
        d.required = true;
        d.max_length = Some(80);
        d.values = Vec::new();
        d.hints = Vec::new();
        d
    }

    fn shown(text: &str) -> Shown {
        Shown {
            text: text.into(),
            checked: false,
            err: String::new(),
            src: "From the asset".into(),
        }
    }

    #[test]
    fn folds_open_on_a_message_and_the_details_fit_one_line() {
        let (reason, code) = (
            def("Reason", FieldType::Text),
            def("Error_Code__c", FieldType::Text),
        );
        let a = (&reason, shown("x"));
        let mut b = (&code, shown("y"));
        let mut out = String::new();
        fold(&mut out, "more", "More details", &[&a, &b]);
        assert!(
            out.starts_with(
                "<details class=\"more\"><summary>More details</summary><div class=\"field\">"
            ),
            "{out}"
        );
        assert!(out.ends_with("</div></details>"), "{out}");
        b.1.err = err_html("Error_Code__c", Some("Too long."));
        let mut out = String::new();
        fold(&mut out, "more", "More details", &[&a, &b]);
        assert!(
            out.starts_with("<details class=\"more\" open><summary>"),
            "{out}"
        );

        let t = fieldcase_core::wire::Technician {
            name: "Dana <O>".into(),
            email: Some("d@example.com".into()),
            phone: None,
        };
        assert_eq!(
            technician_line(&t),
            "<span class=\"who\">Sent as <strong>Dana &lt;O&gt;</strong> · d@example.com</span> <span class=\"change\">change</span>"
        );
        assert!(technician_line(&Default::default()).contains("(your name is missing)"));
    }

    #[test]
    fn personal_data_is_listed_with_its_kind_and_words() {
        use fieldcase_core::pii::Kind;
        assert_eq!(pii_html(&[]), "");
        let out = pii_html(&[(
            "your notes".into(),
            Kind::Card,
            "paid <mark>4111</mark> &lt;".into(),
        )]);
        assert_eq!(
            out,
            "<div class=\"card amend pii\" id=\"pii\" role=\"status\"><h2>Personal data in this report</h2>\
             <p>A dispatcher sees it highlighted and redacts what the case does not need before it reaches the CRM. Take it out of your notes if it should not be sent at all.</p>\
             <ul><li><strong>card number</strong> · your notes: <q>paid <mark>4111</mark> &lt;</q></li></ul></div>"
        );
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let mut out = String::new();
        escape(&mut out, r#"<script>"it's" & more</script>"#);
        assert_eq!(
            out,
            "&lt;script&gt;&quot;it&#39;s&quot; &amp; more&lt;/script&gt;"
        );
        let mut out = String::new();
        field(
            &mut out,
            &def("Subject", FieldType::Text),
            &shown("\"><img src=x onerror=alert(1)>"),
        );
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""),
            "{out}"
        );
        assert!(
            out.contains("Subject &lt;label&gt;<span class=\"req\"> (required)</span></label>"),
            "{out}"
        );
        assert_eq!(
            summary_html(&[("".into(), "<b>".into())]),
            "<div class=\"summary\" id=\"summary\" role=\"alert\" tabindex=\"-1\"><h2>Fix 1 thing before you submit</h2><ul><li>&lt;b&gt;</li></ul></div>"
        );
        assert_eq!(
            err_html("Subject", Some("a & b")),
            "<p class=\"err\" id=\"f-Subject-err\" role=\"alert\">a &amp; b</p>"
        );
        assert_eq!(err_html("Subject", None), "");
    }

    #[test]
    fn controls_carry_their_attributes() {
        let mut out = String::new();
        let mut s = shown("Pump\nleaking");
        s.err = err_html("Description", Some("Too long."));
        field(&mut out, &def("Description", FieldType::Textarea), &s);
        assert_eq!(
            out,
            "<div class=\"field\"><label for=\"f-Description\">Description &lt;label&gt;<span class=\"req\"> (required)</span></label>\
             <textarea rows=\"6\" maxlength=\"80\" id=\"f-Description\" aria-describedby=\"f-Description-err f-Description-src\" aria-invalid=\"true\" aria-required=\"true\">\n\
             Pump\nleaking</textarea><p class=\"err\" id=\"f-Description-err\" role=\"alert\">Too long.</p>\
             <p class=\"src\" id=\"f-Description-src\">From the asset</p></div>"
        );

        let mut d = def("Priority", FieldType::Picklist);
        d.values = vec![
            PicklistValue {
                value: "High".into(),
                label: None,
            },
            PicklistValue {
                value: "Low".into(),
                label: Some("Low — when you can".into()),
            },
        ];
        let mut out = String::new();
        field(&mut out, &d, &shown("High"));
        assert!(out.contains("<option value=\"\">Choose…</option><option value=\"High\" selected>High</option><option value=\"Low\">Low — when you can</option>"), "{out}");
        assert!(!out.contains("maxlength"), "{out}");

        let mut d = def("Safety_Hazard__c", FieldType::Checkbox);
        d.required = false;
        let mut s = shown("true");
        s.checked = true;
        let mut out = String::new();
        field(&mut out, &d, &s);
        assert!(
            out.starts_with("<div class=\"field\"><div class=\"check\"><input type=\"checkbox\" id=\"f-Safety_Hazard__c\" aria-describedby=\"f-Safety_Hazard__c-err f-Safety_Hazard__c-src\" checked><label for=\"f-Safety_Hazard__c\">"),
            "{out}"
        );

        let mut d = def("SuppliedPhone", FieldType::Phone);
        d.hints = vec![fieldcase_core::schema::Hint::TechnicianPhone];
        let mut out = String::new();
        field(&mut out, &d, &shown(""));
        assert!(
            out.contains(
                "<input type=\"tel\" autocomplete=\"tel\" maxlength=\"80\" id=\"f-SuppliedPhone\""
            ),
            "{out}"
        );
        assert!(
            out.contains("data-detail=\"phone\" aria-required=\"true\" value=\"\">"),
            "{out}"
        );
        let mut out = String::new();
        field(&mut out, &def("Hours__c", FieldType::Number), &shown("2.5"));
        assert!(
            out.contains("<input type=\"text\" inputmode=\"decimal\" autocomplete=\"off\""),
            "{out}"
        );
    }
}
