//! The sentences the console shows: titles, confirmations, outcomes, and the
//! history's "who did what".

use fieldcase_core::console::{ActorKind, AuditEntry, BulkKind, BulkOutcome, Role};
use serde_json::Value;

/// The tab title of the queue: `(N) Queue · fieldcase`, N waiting.
pub fn queue_title(waiting: u64) -> String {
    format!("({waiting}) Queue · fieldcase")
}

/// Under a photo the technician located: `Location: 53.800755, -1.549077 (±12 m)`.
pub fn photo_location(at: &fieldcase_core::wire::GeoPoint) -> String {
    format!("Location: {}", at.describe())
}

/// The point on OpenStreetMap (opened in a new tab by the dispatcher).
pub fn map_link(at: &fieldcase_core::wire::GeoPoint) -> String {
    format!(
        "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}",
        lat = at.latitude,
        lon = at.longitude
    )
}

/// The map link's words.
pub const MAP_LINK: &str = "Map";

/// Any other page's tab title.
pub fn page_title(page: &str) -> String {
    format!("{page} · fieldcase")
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// "Approve 3 intakes?"
pub fn bulk_question(kind: BulkKind, n: usize) -> String {
    let verb = match kind {
        BulkKind::Approve => "Approve",
        BulkKind::Reject => "Reject",
    };
    format!("{verb} {}?", plural(n, "intake"))
}

/// "2 approved, 1 failed."
pub fn bulk_summary(kind: BulkKind, outcome: &BulkOutcome) -> String {
    let done = match kind {
        BulkKind::Approve => "approved",
        BulkKind::Reject => "rejected",
    };
    if outcome.failed.is_empty() {
        format!("{} {done}.", outcome.done.len())
    } else {
        format!(
            "{} {done}, {} failed.",
            outcome.done.len(),
            outcome.failed.len()
        )
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Dispatcher => "Dispatcher",
        Role::Admin => "Admin",
    }
}

pub fn actor_label(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Technician => "Technician",
        ActorKind::Dispatcher => "Dispatcher",
        ActorKind::Admin => "Admin",
        ActorKind::Rule => "Rule",
        ActorKind::Ai => "AI",
        ActorKind::System => "System",
    }
}

/// `field_changed` → "Field changed".
pub fn kind_label(kind: &str) -> String {
    let words = kind.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What an AI assistant's scope lets it do, in a few words.
pub fn scope_text(scope: &str) -> String {
    match scope {
        "assets:read" => "look up assets".to_owned(),
        "intakes:propose" => "propose intakes for review".to_owned(),
        "intakes:read" => "read intakes' status".to_owned(),
        other => other.to_owned(),
    }
}

/// Who: "Ann (dispatcher)", "assistant-x on behalf of ann@example.com".
pub fn actor_text(entry: &AuditEntry) -> String {
    match (&entry.on_behalf_of, entry.actor_kind) {
        (Some(person), _) => format!("{} on behalf of {person}", entry.actor),
        _ => entry.actor.clone(),
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn change_text(obj: &serde_json::Map<String, Value>) -> Option<String> {
    let field = obj.get("field")?.as_str()?;
    if !obj.contains_key("from") && !obj.contains_key("to") {
        // A proposed value: `{field, value, source, confidence}`.
        let value = value_text(obj.get("value")?);
        let source = obj.get("source").and_then(Value::as_str);
        let sure = obj
            .get("confidence")
            .and_then(Value::as_f64)
            .map(|c| (c * 100.0).round());
        return Some(match (source, sure) {
            (Some(source), Some(sure)) => {
                format!("{field}: {value} (from the {source}, {sure}% sure)")
            }
            _ => format!("{field}: {value}"),
        });
    }
    let from = obj.get("from").map_or_else(|| "—".to_owned(), value_text);
    let to = obj.get("to").map_or_else(|| "—".to_owned(), value_text);
    Some(format!("{field}: {from} → {to}"))
}

/// What happened, for a person: "Priority: Low → High"; a list of changes
/// joined with "; "; otherwise `key: value` pairs.
pub fn detail_text(detail: &Value) -> String {
    let Value::Object(obj) = detail else {
        return match detail {
            Value::Null => String::new(),
            other => value_text(other),
        };
    };
    if let Some(t) = change_text(obj) {
        return t;
    }
    let mut parts = Vec::new();
    for (key, value) in obj {
        // Personal data is counted, never quoted.
        if let ("pii" | "redacted", Some(counts)) = (key.as_str(), crate::pii::counts_text(value)) {
            let lead = if key == "pii" {
                "Personal data"
            } else {
                "Redacted"
            };
            parts.push(format!("{lead}: {counts}"));
            continue;
        }
        match value {
            Value::Array(items) if items.iter().any(|i| i.get("field").is_some()) => {
                parts.extend(
                    items
                        .iter()
                        .filter_map(Value::as_object)
                        .filter_map(change_text),
                );
            }
            Value::Array(items) => parts.push(format!(
                "{}: {}",
                kind_label(key),
                items.iter().map(value_text).collect::<Vec<_>>().join(", ")
            )),
            Value::Object(inner) => match change_text(inner) {
                Some(t) => parts.push(t),
                None => parts.push(format!(
                    "{}: {}",
                    kind_label(key),
                    Value::Object(inner.clone())
                )),
            },
            v => parts.push(format!("{}: {}", kind_label(key), value_text(v))),
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_assistants_scopes_read_as_words() {
        assert_eq!(scope_text("intakes:propose"), "propose intakes for review");
        assert_eq!(scope_text("assets:read"), "look up assets");
        assert_eq!(scope_text("future:thing"), "future:thing");
    }

    #[test]
    fn a_photo_location_reads_as_degrees_and_links_to_the_map() {
        let at = fieldcase_core::wire::GeoPoint {
            latitude: 53.800755,
            longitude: -1.549077,
            accuracy_m: 12.0,
        };
        assert_eq!(
            super::photo_location(&at),
            "Location: 53.800755, -1.549077 (±12 m)"
        );
        assert_eq!(
            super::map_link(&at),
            "https://www.openstreetmap.org/?mlat=53.800755&mlon=-1.549077#map=18/53.800755/-1.549077"
        );
    }

    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn titles_and_confirmations() {
        assert_eq!(queue_title(7), "(7) Queue · fieldcase");
        assert_eq!(page_title("Audit log"), "Audit log · fieldcase");
        assert_eq!(bulk_question(BulkKind::Approve, 3), "Approve 3 intakes?");
        assert_eq!(bulk_question(BulkKind::Reject, 1), "Reject 1 intake?");
        let out = BulkOutcome {
            done: vec![Uuid::nil(), Uuid::nil()],
            failed: vec![],
        };
        assert_eq!(bulk_summary(BulkKind::Approve, &out), "2 approved.");
        let out = BulkOutcome {
            done: vec![Uuid::nil()],
            failed: vec![fieldcase_core::console::BulkFailure {
                id: Uuid::nil(),
                reference: "FC-1".into(),
                message: "stale".into(),
            }],
        };
        assert_eq!(
            bulk_summary(BulkKind::Reject, &out),
            "1 rejected, 1 failed."
        );
    }

    #[test]
    fn proposed_values_say_where_they_came_from() {
        assert_eq!(
            detail_text(&json!({"fields": [
                {"field": "Priority", "value": "High", "source": "notes", "confidence": 0.9}
            ]})),
            "Priority: High (from the notes, 90% sure)"
        );
    }

    #[test]
    fn details_read_like_sentences() {
        assert_eq!(
            detail_text(&json!({"field": "Priority", "from": "Low", "to": "High"})),
            "Priority: Low → High"
        );
        assert_eq!(
            detail_text(&json!({"field": "Error_Code__c", "from": null, "to": "E-42"})),
            "Error_Code__c: — → E-42"
        );
        assert_eq!(
            detail_text(&json!({"changes": [
                {"field": "Priority", "from": "Low", "to": "High"},
                {"field": "Safety_Hazard__c", "from": false, "to": true}
            ]})),
            "Priority: Low → High; Safety_Hazard__c: No → Yes"
        );
        assert_eq!(
            detail_text(&json!({"reason": "Duplicate of FC-1"})),
            "Reason: Duplicate of FC-1"
        );
        assert_eq!(
            detail_text(&json!({"photos": 2, "revision": 3})),
            "Photos: 2; Revision: 3"
        );
        assert_eq!(detail_text(&Value::Null), "");
        assert_eq!(kind_label("field_changed"), "Field changed");
        assert_eq!(kind_label(""), "");
    }

    #[test]
    fn an_ai_acts_on_behalf_of_a_person() {
        let mut e = AuditEntry {
            id: Uuid::nil(),
            at: "2026-11-30T10:00:00Z".into(),
            actor_kind: ActorKind::Ai,
            actor: "claude-desktop".into(),
            on_behalf_of: Some("ann@example.com".into()),
            kind: "field_changed".into(),
            intake_id: None,
            intake_reference: None,
            detail: Value::Null,
        };
        assert_eq!(
            actor_text(&e),
            "claude-desktop on behalf of ann@example.com"
        );
        e.on_behalf_of = None;
        e.actor_kind = ActorKind::Dispatcher;
        assert_eq!(actor_text(&e), "claude-desktop");
        assert_eq!(actor_label(ActorKind::Ai), "AI");
    }
}
