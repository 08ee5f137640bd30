//! The policy page's form, as plain edits of the policy document: each
//! control reads and writes one piece of [`Policy`], so a policy with more
//! than the form shows (other condition sets, written as JSON) keeps it all
//! through an edit. Also the errors the server gave, by the path of the
//! document they concern.

use std::collections::BTreeSet;

use fieldcase_core::policy::{Action, AutoApproveRule, Conditions, Escalation, Policy};

/// The always-review conditions the form offers, each a one-condition set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Always {
    SafetyHazard,
    PersonalData,
    ProposedByAi,
    WatchList,
}

impl Always {
    pub const ALL: [Always; 4] = [
        Always::SafetyHazard,
        Always::PersonalData,
        Always::ProposedByAi,
        Always::WatchList,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Always::SafetyHazard => "A safety hazard is ticked",
            Always::PersonalData => "Personal data was found (any kind)",
            Always::ProposedByAi => "An AI assistant proposed it",
            Always::WatchList => "The account is on the watch list",
        }
    }

    fn set(self) -> Conditions {
        let mut c = Conditions::default();
        match self {
            Always::SafetyHazard => c.safety_hazard = Some(true),
            Always::PersonalData => c.personal_data = Some(Vec::new()),
            Always::ProposedByAi => c.proposed_by_ai = Some(true),
            Always::WatchList => c.watch_list = Some(true),
        }
        c
    }
}

pub fn has_action(p: &Policy, a: Action) -> bool {
    p.actions.contains(&a)
}

pub fn set_action(p: &mut Policy, a: Action, on: bool) {
    if on {
        p.actions.insert(a);
    } else {
        p.actions.remove(&a);
    }
}

pub fn allows_field(p: &Policy, field: &str) -> bool {
    p.fields.iter().any(|f| f == field)
}

/// Allow or not; a newly allowed field goes in the schema's order.
pub fn set_field(p: &mut Policy, field: &str, on: bool, schema_order: &[String]) {
    p.fields.retain(|f| f != field);
    if on {
        p.fields.push(field.to_owned());
        let rank = |f: &String| {
            schema_order
                .iter()
                .position(|s| s == f)
                .unwrap_or(usize::MAX)
        };
        p.fields.sort_by_key(rank);
    }
}

pub fn always(p: &Policy, a: Always) -> bool {
    p.review.always_review.contains(&a.set())
}

pub fn set_always(p: &mut Policy, a: Always, on: bool) {
    let set = a.set();
    p.review.always_review.retain(|c| *c != set);
    if on {
        p.review.always_review.push(set);
    }
}

/// The one-condition set "lowest confidence below x" (`None`: absent).
pub fn confidence_below(p: &Policy) -> Option<f64> {
    p.review
        .always_review
        .iter()
        .find(|c| only(c, |c| c.confidence_below.is_some()))
        .and_then(|c| c.confidence_below)
}

pub fn set_confidence_below(p: &mut Policy, x: Option<f64>) {
    p.review
        .always_review
        .retain(|c| !only(c, |c| c.confidence_below.is_some()));
    if let Some(x) = x {
        p.review.always_review.push(Conditions {
            confidence_below: Some(x),
            ..Conditions::default()
        });
    }
}

/// The one-condition set "more than N photos".
pub fn photos_over(p: &Policy) -> Option<u32> {
    p.review
        .always_review
        .iter()
        .find(|c| only(c, |c| c.photos_over.is_some()))
        .and_then(|c| c.photos_over)
}

pub fn set_photos_over(p: &mut Policy, n: Option<u32>) {
    p.review
        .always_review
        .retain(|c| !only(c, |c| c.photos_over.is_some()));
    if let Some(n) = n {
        p.review.always_review.push(Conditions {
            photos_over: Some(n),
            ..Conditions::default()
        });
    }
}

/// Whether `c` sets exactly one condition, the one `which` tests.
fn only(c: &Conditions, which: impl Fn(&Conditions) -> bool) -> bool {
    if !which(c) {
        return false;
    }
    let n = [
        c.priority.is_some(),
        c.safety_hazard.is_some(),
        c.confidence_below.is_some(),
        c.personal_data.is_some(),
        c.no_personal_data.is_some(),
        c.watch_list.is_some(),
        c.proposed_by_ai.is_some(),
        c.photos_over.is_some(),
        c.words.is_some(),
    ]
    .into_iter()
    .filter(|b| *b)
    .count();
    n == 1
}

/// A new auto-approve rule: a name not taken yet, Low priority, no hazard.
pub fn add_rule(p: &mut Policy) {
    let mut n = p.review.auto_approve.len() + 1;
    let taken: BTreeSet<String> = p
        .review
        .auto_approve
        .iter()
        .map(|r| r.name.to_lowercase())
        .collect();
    while taken.contains(&format!("rule {n}")) {
        n += 1;
    }
    p.review.auto_approve.push(AutoApproveRule {
        name: format!("rule {n}"),
        when: Conditions {
            priority: Some(["Low".to_owned()].into_iter().collect()),
            safety_hazard: Some(false),
            ..Conditions::default()
        },
    });
}

pub fn rule_priority(p: &Policy, i: usize, value: &str) -> bool {
    p.review
        .auto_approve
        .get(i)
        .and_then(|r| r.when.priority.as_ref())
        .is_some_and(|s| s.contains(value))
}

pub fn set_rule_priority(p: &mut Policy, i: usize, value: &str, on: bool) {
    if let Some(r) = p.review.auto_approve.get_mut(i) {
        let set = r.when.priority.get_or_insert_with(BTreeSet::new);
        if on {
            set.insert(value.to_owned());
        } else {
            set.remove(value);
        }
    }
}

/// Words, accounts, addresses: one per line (or comma), trimmed.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The escalation, made when the admin first edits it.
pub fn escalation_mut(p: &mut Policy) -> &mut Escalation {
    p.escalation.get_or_insert_with(Escalation::default)
}

/// The escalation's one-condition sets the form shows: priorities, hazard,
/// words.
pub fn escalation_priority(p: &Policy, value: &str) -> bool {
    p.escalation.as_ref().is_some_and(|e| {
        e.when.iter().any(|c| {
            only(c, |c| c.priority.is_some())
                && c.priority.as_ref().is_some_and(|s| s.contains(value))
        })
    })
}

pub fn set_escalation_priority(p: &mut Policy, value: &str, on: bool) {
    let e = escalation_mut(p);
    let at = e
        .when
        .iter()
        .position(|c| only(c, |c| c.priority.is_some()));
    let mut set = at
        .and_then(|i| e.when[i].priority.clone())
        .unwrap_or_default();
    if on {
        set.insert(value.to_owned());
    } else {
        set.remove(value);
    }
    if let Some(i) = at {
        e.when.remove(i);
    }
    if !set.is_empty() {
        e.when.insert(
            at.unwrap_or(0).min(e.when.len()),
            Conditions {
                priority: Some(set),
                ..Conditions::default()
            },
        );
    }
}

pub fn escalation_hazard(p: &Policy) -> bool {
    p.escalation
        .as_ref()
        .is_some_and(|e| e.when.contains(&Always::SafetyHazard.set()))
}

pub fn set_escalation_hazard(p: &mut Policy, on: bool) {
    let e = escalation_mut(p);
    let set = Always::SafetyHazard.set();
    e.when.retain(|c| *c != set);
    if on {
        e.when.push(set);
    }
}

pub fn escalation_words(p: &Policy) -> Vec<String> {
    p.escalation
        .as_ref()
        .and_then(|e| {
            e.when
                .iter()
                .find(|c| only(c, |c| c.words.is_some()))
                .and_then(|c| c.words.clone())
        })
        .unwrap_or_default()
}

pub fn set_escalation_words(p: &mut Policy, words: Vec<String>) {
    let e = escalation_mut(p);
    e.when.retain(|c| !only(c, |c| c.words.is_some()));
    if !words.is_empty() {
        e.when.push(Conditions {
            words: Some(words),
            ..Conditions::default()
        });
    }
}

/// An escalation with nothing in it is no escalation.
pub fn tidy(p: &mut Policy) {
    if p.escalation
        .as_ref()
        .is_some_and(|e| e.when.is_empty() && e.route.email.is_empty() && e.route.webhook.is_none())
    {
        p.escalation = None;
    }
}

/// The server's messages for `prefix` and what lies under it
/// (`review.auto_approve[1]` gets `review.auto_approve[1].when.priority`).
pub fn errors_under<'a>(errors: &'a [(String, String)], prefix: &str) -> Vec<&'a (String, String)> {
    errors
        .iter()
        .filter(|(path, _)| {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldcase_core::CaseSchema;

    fn default() -> Policy {
        Policy::default_for(&CaseSchema::salesforce_default())
    }

    #[test]
    fn each_control_edits_its_piece_and_the_result_validates() {
        let schema = CaseSchema::salesforce_default();
        let order: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
        let mut p = default();
        set_action(&mut p, Action::AttachFiles, false);
        set_field(&mut p, "SuppliedPhone", false, &order);
        set_field(&mut p, "SuppliedPhone", true, &order);
        assert_eq!(p.fields, order, "back in the schema's order");
        set_field(&mut p, "Error_Code__c", false, &order);
        add_rule(&mut p);
        set_rule_priority(&mut p, 0, "Medium", true);
        set_always(&mut p, Always::SafetyHazard, true);
        set_always(&mut p, Always::PersonalData, true);
        set_confidence_below(&mut p, Some(0.6));
        set_photos_over(&mut p, Some(5));
        set_escalation_priority(&mut p, "High", true);
        set_escalation_hazard(&mut p, true);
        set_escalation_words(&mut p, split_list("no heat\nflooding, gas smell"));
        escalation_mut(&mut p).route.email = vec!["oncall@example.com".into()];
        assert!(!has_action(&p, Action::AttachFiles));
        assert!(!allows_field(&p, "Error_Code__c"));
        assert!(rule_priority(&p, 0, "Low") && rule_priority(&p, 0, "Medium"));
        assert!(always(&p, Always::SafetyHazard) && !always(&p, Always::WatchList));
        assert_eq!(
            (confidence_below(&p), photos_over(&p)),
            (Some(0.6), Some(5))
        );
        assert!(escalation_priority(&p, "High") && escalation_hazard(&p));
        assert_eq!(escalation_words(&p), ["no heat", "flooding", "gas smell"]);
        let valid = p
            .clone()
            .validate(&schema)
            .expect("the form makes a valid policy");
        assert!(!valid.allows_field("Error_Code__c"));

        // Off again: the sets go, nothing else does.
        set_always(&mut p, Always::SafetyHazard, false);
        set_confidence_below(&mut p, None);
        set_escalation_priority(&mut p, "High", false);
        assert_eq!(p.review.always_review.len(), 2);
        assert!(!escalation_priority(&p, "High"));
        assert!(escalation_hazard(&p));
    }

    #[test]
    fn sets_the_form_does_not_show_are_kept() {
        let mut p = default();
        let custom = Conditions {
            priority: Some(["High".to_owned()].into_iter().collect()),
            photos_over: Some(2),
            ..Conditions::default()
        };
        p.review.always_review.push(custom.clone());
        set_photos_over(&mut p, Some(9));
        set_photos_over(&mut p, None);
        assert_eq!(p.review.always_review, [custom]);
    }

    #[test]
    fn an_empty_escalation_is_dropped() {
        let mut p = default();
        set_escalation_hazard(&mut p, true);
        set_escalation_hazard(&mut p, false);
        tidy(&mut p);
        assert!(p.escalation.is_none());
    }

    #[test]
    fn new_rules_get_free_names() {
        let mut p = default();
        add_rule(&mut p);
        add_rule(&mut p);
        p.review.auto_approve.remove(0);
        add_rule(&mut p);
        let names: Vec<&str> = p
            .review
            .auto_approve
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["rule 2", "rule 3"]);
    }

    #[test]
    fn errors_are_found_under_their_section() {
        let errors = vec![
            (
                "review.auto_approve[1].when.priority".to_owned(),
                "Urgent…".to_owned(),
            ),
            (
                "review.auto_approve[10].name".to_owned(),
                "name it".to_owned(),
            ),
            ("fields[3]".to_owned(), "unknown".to_owned()),
        ];
        assert_eq!(errors_under(&errors, "review.auto_approve[1]").len(), 1);
        assert_eq!(errors_under(&errors, "review").len(), 2);
        assert_eq!(errors_under(&errors, "fields").len(), 1);
        assert!(errors_under(&errors, "escalation").is_empty());
    }
}
