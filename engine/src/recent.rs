//! The technician's recent reports on the asset screen (`OP_RECENT`), drawn
//! as HTML like the review's fields: the app inserts it under the asset's
//! card and one click listener on it answers a returned report's button
//! (`data-answer`). Here rather than in the app's Leptos views, so none of
//! it is in the first load: the list needs the network and comes after the
//! first paint anyway.

use fieldcase_core::console::SubmissionSummary;
use fieldcase_core::wire::IntakeStatus;
use fieldcase_i18n::t;
use serde::Deserialize;
use uuid::Uuid;

use crate::html::{attr, escape};

/// Rows of the recent list on the asset screen (compact on a phone).
pub const SHOWN: usize = 5;

/// `OP_RECENT`'s input.
#[derive(Debug, Deserialize)]
pub struct RecentInput {
    /// `GET /assets/{token}/intakes`, as the server sent it (newest first).
    /// A row this engine cannot read (a status from a newer server) is left
    /// out rather than losing the whole list.
    pub list: Vec<serde_json::Value>,
    /// The phone's clock (ms since 1970), for "3 h ago".
    pub now: f64,
    /// The report being opened to answer (its button says so; all wait).
    #[serde(default)]
    pub answering: Option<Uuid>,
    /// Why the last "Answer and resend" did not open it.
    #[serde(default)]
    pub error: Option<String>,
}

/// The section, or nothing when there is no report to show.
pub fn recent_html(input: &RecentInput) -> String {
    let mut out = String::new();
    let list: Vec<SubmissionSummary> = input
        .list
        .iter()
        .filter_map(|v| SubmissionSummary::deserialize(v).ok())
        .collect();
    if list.is_empty() {
        return out;
    }
    out.push_str(
        "<section class=\"card recent\" aria-labelledby=\"recent-h\"><h2 id=\"recent-h\">",
    );
    out.push_str(t!("Your recent reports here"));
    out.push_str("</h2><ul class=\"subs\">");
    for s in ordered(&list).into_iter().take(SHOWN) {
        row(&mut out, s, input);
    }
    out.push_str("</ul>");
    if let Some(e) = &input.error {
        out.push_str("<p class=\"err\">");
        escape(&mut out, e);
        out.push_str("</p>");
    }
    out.push_str("</section>");
    out
}

/// The ones waiting for the technician's answer first, then the rest as the
/// server sent them (newest first).
pub fn ordered(list: &[SubmissionSummary]) -> Vec<&SubmissionSummary> {
    let (mut first, rest): (Vec<_>, Vec<_>) = list
        .iter()
        .partition(|s| s.status == IntakeStatus::Returned);
    first.extend(rest);
    first
}

fn row(out: &mut String, s: &SubmissionSummary, input: &RecentInput) {
    let (note_label, note) = match s.status {
        IntakeStatus::Rejected => (t!("Reason: "), s.reason.as_deref()),
        IntakeStatus::Returned => (t!("Question: "), s.question.as_deref()),
        IntakeStatus::Written => (t!("Case "), s.case_number.as_deref()),
        _ => ("", None),
    };
    let tone = match s.status {
        IntakeStatus::Returned | IntakeStatus::NeedsAttention => "st warn",
        IntakeStatus::Rejected => "st bad",
        IntakeStatus::Written => "st good",
        _ => "st",
    };
    out.push_str("<li class=\"sub\"><p class=\"sub-head\"><span class=\"sub-ref\">");
    escape(out, &s.reference);
    out.push_str("</span><span");
    attr(out, "class", tone);
    out.push('>');
    out.push_str(s.status.label());
    out.push_str("</span><span class=\"sub-age\">");
    escape(out, &age(&s.submitted_at, input.now));
    out.push_str("</span></p><p class=\"sub-subject\">");
    escape(out, &s.subject);
    out.push_str("</p>");
    if let Some(n) = note {
        out.push_str("<p class=\"sub-note\"><strong>");
        out.push_str(note_label);
        out.push_str("</strong>");
        escape(out, n);
        out.push_str("</p>");
    }
    if s.status == IntakeStatus::Returned {
        out.push_str("<button type=\"button\" class=\"btn small\"");
        attr(out, "data-answer", &s.id.to_string());
        attr(
            out,
            "aria-label",
            &t!("Answer and resend {}").replacen("{}", &s.reference, 1),
        );
        if input.answering.is_some() {
            out.push_str(" disabled");
        }
        out.push('>');
        out.push_str(if input.answering == Some(s.id) {
            t!("Opening…")
        } else {
            t!("Answer and resend")
        });
        out.push_str("</button>");
    }
    out.push_str("</li>");
}

/// An RFC 3339 time (`2025-01-31T09:05:00Z`, `…09:05:00.123+01:00`) as
/// seconds since 1970, without a date crate.
pub fn unix_seconds(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(r)?;
        s.iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' { m * 60 } else { -m * 60 }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// How long ago, in a few words: "just now", "5 min ago", "3 h ago",
/// "yesterday", "4 days ago". Empty when the time is unreadable.
pub fn age(t: &str, now_ms: f64) -> String {
    let Some(then) = unix_seconds(t) else {
        return String::new();
    };
    let secs = (now_ms / 1000.0) as i64 - then;
    let (n, unit) = match secs {
        ..60 => return t!("just now").to_owned(),
        60..3600 => (secs / 60, t!("{} min ago")),
        3600..86_400 => (secs / 3600, t!("{} h ago")),
        86_400..172_800 => return t!("yesterday").to_owned(),
        _ => (secs / 86_400, t!("{} days ago")),
    };
    unit.replacen("{}", &n.to_string(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(n: u128, status: IntakeStatus) -> SubmissionSummary {
        SubmissionSummary {
            id: Uuid::from_u128(n),
            reference: format!("FC-0000-000{n}"),
            status,
            subject: "Pump P-12 leaking at the seal \"bad\" <b>".into(),
            submitted_at: "2025-03-01T10:00:00Z".into(),
            updated_at: "2025-03-01T10:00:00Z".into(),
            reason: None,
            question: None,
            case_number: None,
        }
    }

    fn input(list: Vec<SubmissionSummary>) -> RecentInput {
        RecentInput {
            list: list
                .iter()
                .map(|s| serde_json::to_value(s).unwrap())
                .collect(),
            now: (1_740_823_200.0 + 3.0 * 3600.0) * 1000.0,
            answering: None,
            error: None,
        }
    }

    #[test]
    fn returned_ones_come_first_then_newest_first_at_most_five() {
        let list: Vec<_> = [
            IntakeStatus::Submitted,
            IntakeStatus::Returned,
            IntakeStatus::Written,
            IntakeStatus::Returned,
            IntakeStatus::Approved,
            IntakeStatus::Rejected,
            IntakeStatus::InReview,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, st)| summary(i as u128 + 1, st))
        .collect();
        let ids: Vec<u128> = ordered(&list).iter().map(|s| s.id.as_u128()).collect();
        assert_eq!(ids, [2, 4, 1, 3, 5, 6, 7]);
        let html = recent_html(&input(list));
        assert_eq!(html.matches("<li class=\"sub\">").count(), SHOWN);
        assert!(
            !html.contains("FC-0000-0007"),
            "the sixth and seventh are left out"
        );
    }

    #[test]
    fn a_row_says_status_age_and_what_the_dispatcher_wrote_escaped() {
        let mut returned = summary(2, IntakeStatus::Returned);
        returned.question = Some("Which seal — inlet or <outlet>?".into());
        let mut written = summary(3, IntakeStatus::Written);
        written.case_number = Some("00001042".into());
        let mut i = input(vec![returned, written]);
        let html = recent_html(&i);
        assert!(html.starts_with("<section class=\"card recent\" aria-labelledby=\"recent-h\"><h2 id=\"recent-h\">Your recent reports here</h2>"));
        assert!(html.contains("<span class=\"st warn\">Returned with a question</span><span class=\"sub-age\">3 h ago</span>"), "{html}");
        assert!(html.contains("leaking at the seal &quot;bad&quot; &lt;b&gt;"));
        assert!(html.contains("<strong>Question: </strong>Which seal — inlet or &lt;outlet&gt;?"));
        assert!(html.contains("<strong>Case </strong>00001042"));
        let button = format!(
            "<button type=\"button\" class=\"btn small\" data-answer=\"{}\" aria-label=\"Answer and resend FC-0000-0002\">Answer and resend</button>",
            Uuid::from_u128(2)
        );
        assert!(html.contains(&button), "{html}");
        assert_eq!(
            html.matches("data-answer").count(),
            1,
            "only a returned one is answered"
        );
        // While one opens: it says so, and no other can be started.
        i.answering = Some(Uuid::from_u128(2));
        i.error = Some("FC-0000-0009 is no longer waiting <for> your answer.".into());
        let html = recent_html(&i);
        assert!(html.contains(" disabled>Opening…</button>"), "{html}");
        assert!(html.ends_with("</ul><p class=\"err\">FC-0000-0009 is no longer waiting &lt;for&gt; your answer.</p></section>"));
        assert_eq!(recent_html(&input(Vec::new())), "");
        // A status from a newer server: that row is left out, not the list.
        let mut newer = input(vec![summary(5, IntakeStatus::Written)]);
        newer
            .list
            .push(serde_json::json!({"id": Uuid::from_u128(6), "status": "archived"}));
        let html = recent_html(&newer);
        assert!(html.contains("FC-0000-0005") && !html.contains("FC-0000-0006"));
    }

    #[test]
    fn times_and_ages() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(unix_seconds("2025-03-01T10:00:00Z"), Some(1_740_823_200));
        assert_eq!(
            unix_seconds("2025-03-01T11:00:00.123456+01:00"),
            Some(1_740_823_200)
        );
        assert_eq!(
            unix_seconds("2025-03-01T09:30:00-00:30"),
            Some(1_740_823_200)
        );
        for bad in [
            "",
            "2025-03-01",
            "2025-13-01T00:00:00Z",
            "2025-03-01T00:00:00",
            "2025-03-01T00:00:00Zjunk",
            "2025-03-01T0a:00:00Z",
            "2025-03-01T00:00:00+0100",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
        let t = "2025-03-01T10:00:00Z";
        let at = |secs: i64| (1_740_823_200 + secs) as f64 * 1000.0;
        assert_eq!(age(t, at(-30)), "just now");
        assert_eq!(age(t, at(59)), "just now");
        assert_eq!(age(t, at(60)), "1 min ago");
        assert_eq!(age(t, at(3599)), "59 min ago");
        assert_eq!(age(t, at(3 * 3600 + 5)), "3 h ago");
        assert_eq!(age(t, at(30 * 3600)), "yesterday");
        assert_eq!(age(t, at(4 * 86_400 + 7)), "4 days ago");
        assert_eq!(age("soon", at(0)), "");
    }
}
