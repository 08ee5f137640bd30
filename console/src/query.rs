//! The queue's and the audit log's filters, as the forms hold them, and the
//! query strings the server reads ([`QueueQuery`], [`AuditQuery`]).

use fieldcase_core::console::{AuditQuery, QueueQuery};
use fieldcase_core::wire::IntakeStatus;

/// Percent-encode a query value: everything but RFC 3986's unreserved bytes.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Percent-decode a query value (`+` is a space); invalid escapes and
/// invalid UTF-8 are kept as they are. Hand-written: a dozen lines, not
/// worth a URL crate in the console's bundle.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where to go after signing in: the sign-in page's `?next=` (a server
/// page sends people to sign in with it, e.g. the MCP consent page), only
/// when it is a path on this site (`/…`, never `//host` or a URL), so the
/// sign-in page cannot be made to send anyone elsewhere.
pub fn sign_in_next(search: &str) -> Option<String> {
    let raw = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("next="))?;
    let next = decode(raw);
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    safe.then_some(next)
}

/// `?a=1&b=2` from the pairs whose value is not blank; `""` when none is.
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

fn blank_to_none(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The queue's filter form. Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilters {
    /// None ticked: the server's default (those waiting for a person).
    pub statuses: Vec<IntakeStatus>,
    pub priority: String,
    pub asset: String,
    pub account: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub search: String,
}

impl QueueFilters {
    pub fn toggle_status(&mut self, status: IntakeStatus, on: bool) {
        self.statuses.retain(|s| *s != status);
        if on {
            self.statuses.push(status);
            // Keep the server's order, whatever order they were ticked in.
            self.statuses
                .sort_by_key(|s| IntakeStatus::ALL.iter().position(|a| a == s));
        }
    }

    /// The query for the first page (`after` = None) or a following one.
    pub fn to_query(&self, after: Option<&str>) -> QueueQuery {
        let status = (!self.statuses.is_empty()).then(|| {
            self.statuses
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        });
        QueueQuery {
            status,
            priority: blank_to_none(&self.priority),
            asset: blank_to_none(&self.asset),
            account: blank_to_none(&self.account),
            from: blank_to_none(&self.from),
            to: blank_to_none(&self.to),
            q: blank_to_none(&self.search),
            after: after.and_then(blank_to_none),
            limit: None,
        }
    }
}

pub fn queue_query_string(q: &QueueQuery) -> String {
    let limit = q.limit.map(|l| l.to_string());
    query_string(&[
        ("status", q.status.as_deref()),
        ("priority", q.priority.as_deref()),
        ("asset", q.asset.as_deref()),
        ("account", q.account.as_deref()),
        ("from", q.from.as_deref()),
        ("to", q.to.as_deref()),
        ("q", q.q.as_deref()),
        ("after", q.after.as_deref()),
        ("limit", limit.as_deref()),
    ])
}

/// The audit log's filter form. Empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilters {
    pub actor_kind: String,
    pub actor: String,
    pub kind: String,
    pub intake: String,
    pub from: String,
    pub to: String,
}

impl AuditFilters {
    pub fn to_query(&self, before: Option<&str>) -> AuditQuery {
        AuditQuery {
            actor_kind: blank_to_none(&self.actor_kind),
            actor: blank_to_none(&self.actor),
            kind: blank_to_none(&self.kind),
            intake: blank_to_none(&self.intake),
            from: blank_to_none(&self.from),
            to: blank_to_none(&self.to),
            before: before.and_then(blank_to_none),
            limit: None,
        }
    }
}

pub fn audit_query_string(q: &AuditQuery) -> String {
    let limit = q.limit.map(|l| l.to_string());
    query_string(&[
        ("actor_kind", q.actor_kind.as_deref()),
        ("actor", q.actor.as_deref()),
        ("kind", q.kind.as_deref()),
        ("intake", q.intake.as_deref()),
        ("from", q.from.as_deref()),
        ("to", q.to.as_deref()),
        ("before", q.before.as_deref()),
        ("limit", limit.as_deref()),
    ])
}

#[cfg(test)]
mod tests {

    #[test]
    fn sign_in_goes_back_only_to_a_page_of_this_site() {
        assert_eq!(
            sign_in_next(
                "?next=%2Foauth%2Fauthorize%3Fclient_id%3Dabc%26scope%3Dassets%3Aread+intakes%3Aread"
            ),
            Some("/oauth/authorize?client_id=abc&scope=assets:read intakes:read".to_owned())
        );
        assert_eq!(
            sign_in_next("?a=1&next=/admin/salesforce"),
            Some("/admin/salesforce".to_owned())
        );
        assert_eq!(sign_in_next(""), None);
        assert_eq!(sign_in_next("?next=https%3A%2F%2Fevil.example%2F"), None);
        assert_eq!(sign_in_next("?next=%2F%2Fevil.example"), None);
        assert_eq!(sign_in_next("?next=%2F%5Cevil.example"), None);
        assert_eq!(sign_in_next("?next=%2Fa%0Ab"), None);
        assert_eq!(decode("100%25+sure%2"), "100% sure%2");
    }

    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii_bytes() {
        assert_eq!(encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(encode("Zoë's"), "Zo%C3%AB%27s");
        assert_eq!(encode("FC-AB12_x.y~"), "FC-AB12_x.y~");
    }

    #[test]
    fn empty_filters_make_no_query() {
        let f = QueueFilters::default();
        assert_eq!(queue_query_string(&f.to_query(None)), "");
        assert_eq!(
            audit_query_string(&AuditFilters::default().to_query(None)),
            ""
        );
    }

    #[test]
    fn queue_filters_become_the_servers_parameters() {
        let mut f = QueueFilters {
            priority: "High".into(),
            account: "  Acme Foods ".into(),
            from: "2026-11-01".into(),
            search: "leak pump".into(),
            ..Default::default()
        };
        f.toggle_status(IntakeStatus::NeedsAttention, true);
        f.toggle_status(IntakeStatus::Submitted, true);
        f.toggle_status(IntakeStatus::Rejected, true);
        f.toggle_status(IntakeStatus::Rejected, false);
        let q = f.to_query(Some("cursor/1="));
        assert_eq!(q.status.as_deref(), Some("submitted,needs_attention"));
        assert_eq!(
            queue_query_string(&q),
            "?status=submitted%2Cneeds_attention&priority=High&account=Acme%20Foods\
             &from=2026-11-01&q=leak%20pump&after=cursor%2F1%3D"
        );
    }

    #[test]
    fn audit_filters_with_paging() {
        let f = AuditFilters {
            actor_kind: "ai".into(),
            intake: "FC-1234-ABCD".into(),
            to: "2026-11-30".into(),
            ..Default::default()
        };
        assert_eq!(
            audit_query_string(&f.to_query(Some("xyz"))),
            "?actor_kind=ai&intake=FC-1234-ABCD&to=2026-11-30&before=xyz"
        );
        assert_eq!(f.to_query(Some("  ")).before, None);
    }
}
