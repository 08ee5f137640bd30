//! Routing rules: which summaries go where, declared in a JSON file
//! (`handoff/rules.example.json` is a complete example).
//!
//! ```json
//! {"routes": [
//!   {"name": "safety-team",
//!    "when": [{"field": "Safety_Hazard__c", "equals": true}],
//!    "email": ["safety@example.com"]},
//!   {"name": "high-priority",
//!    "when": [{"field": "Priority", "in": ["High"]},
//!             {"field": "Type", "not_equals": "Other"}],
//!    "webhook": {"url": "https://hooks.example.com/fieldcase",
//!                "secret_env": "FIELDCASE_WEBHOOK_SECRET"}},
//!   {"name": "everything",
//!    "webhook": {"url": "http://127.0.0.1:9000/cases", "secret_env": "FIELDCASE_WEBHOOK_SECRET"}}
//! ]}
//! ```
//!
//! A route matches when **all** its conditions hold (AND); a route without
//! `when` matches every case. Every matching route sends: to its `email` list
//! (one message to all of them) and/or its `webhook`. Conditions test the
//! case's field values by API name:
//!
//! | operator | holds when |
//! |---|---|
//! | `"equals": v` | the field has the value `v` (`true`/`false`, a number, or text, compared exactly) |
//! | `"not_equals": v` | the field has no value or another value |
//! | `"in": [v, …]` | the field's value is one of the list |
//! | `"contains": "text"` | the field's text contains `text`, ignoring case |
//! | `"present": true` / `false` | the field has a (non-blank) value / has none |
//!
//! [`Rules::from_json`] checks the file's shape (operators, addresses, URLs,
//! secret names) and [`Rules::check_against`] checks it against the case
//! schema (field names, value types, picklist values). Errors list every
//! problem and say what to fix; they point at a route and position rather
//! than repeating addresses or URLs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use fieldcase_core::FieldValue;
use fieldcase_core::schema::{CaseSchema, FieldType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::summary::CaseSummary;

const OPERATORS: &str = "equals, not_equals, in, contains, present";

/// Loaded, shape-checked routing rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    routes: Vec<Route>,
}

/// One named route: conditions, and where a matching case goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Letters, digits, `-`, `_` and `.`; unique in the file. Part of the delivery key.
    pub name: String,
    /// All must hold; empty matches every case.
    pub when: Vec<Condition>,
    /// Recipients of one email, if the route sends email. Never empty.
    pub email: Option<Vec<String>>,
    pub webhook: Option<WebhookTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// An absolute `http` or `https` URL.
    pub url: String,
    /// The environment variable holding the HMAC signing secret.
    pub secret_env: String,
}

/// One test of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// A field API name, e.g. `Priority`.
    pub field: String,
    pub operator: Operator,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    Equals(FieldValue),
    NotEquals(FieldValue),
    In(Vec<FieldValue>),
    Contains(String),
    Present(bool),
}

/// Every problem found in a rules file, each saying what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub problems: Vec<String>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "routing rules: {one}"),
            many => {
                write!(f, "routing rules: {} problems:", many.len())?;
                for p in many {
                    write!(f, "\n- {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RulesError {}

/// One message to send: a route and one channel of it. The server stores one
/// row per [`Delivery::delivery_key`] for each case, so a retried job never
/// sends a delivered message again. Serialisable so the row can keep the
/// delivery as selected, whatever happens to the rules file later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub route: String,
    pub channel: Channel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email {
        to: Vec<String>,
    },
    /// `secret_ref` names the environment variable that holds the secret.
    Webhook {
        url: String,
        secret_ref: String,
    },
}

impl Channel {
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Email { .. } => "email",
            Channel::Webhook { .. } => "webhook",
        }
    }
}

impl Delivery {
    /// `ROUTE/CHANNEL/TARGET-HASH`, e.g. `safety-team/email/6f1c0a9e3b2d4c75`:
    /// stable across restarts and rule reloads while the route's name and
    /// target stay the same (the order and case of email addresses do not
    /// matter). The target is hashed so the key names no address or URL and
    /// is safe to log.
    pub fn delivery_key(&self) -> String {
        let target = match &self.channel {
            Channel::Email { to } => {
                let set: BTreeSet<String> = to.iter().map(|a| a.trim().to_lowercase()).collect();
                set.into_iter().collect::<Vec<_>>().join("\n")
            }
            Channel::Webhook { url, .. } => url.clone(),
        };
        let digest = Sha256::digest(target.as_bytes());
        format!(
            "{}/{}/{}",
            self.route,
            self.channel.kind(),
            hex::encode(&digest[..8])
        )
    }

    /// The id of this delivery of this case: 32 hex digits, the same on every
    /// attempt. Sent as `X-Fieldcase-Delivery` (webhook) and in the email's
    /// `Message-ID`, so receivers can drop duplicates.
    pub fn delivery_id(&self, intake_id: &Uuid) -> String {
        let digest = Sha256::digest(format!("{intake_id}\n{}", self.delivery_key()).as_bytes());
        hex::encode(&digest[..16])
    }
}

impl Rules {
    /// No routes: nothing is handed off.
    pub fn none() -> Self {
        Self::default()
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Parse and shape-check a rules file.
    pub fn from_json(json: &str) -> Result<Self, RulesError> {
        let value: Value = serde_json::from_str(json).map_err(|e| RulesError {
            problems: vec![format!("the file is not valid JSON ({e}); fix the syntax")],
        })?;
        let mut problems = Vec::new();
        let Value::Object(top) = value else {
            return Err(one(
                r#"the file must be an object like {"routes": [...]}"#.to_owned()
            ));
        };
        for key in top.keys().filter(|k| *k != "routes") {
            problems.push(format!(
                r#"unknown top-level key "{key}"; the file has only "routes""#
            ));
        }
        let routes_json = match top.get("routes") {
            Some(Value::Array(routes)) => routes.as_slice(),
            Some(_) => {
                problems.push(r#""routes" must be a list of routes"#.to_owned());
                &[]
            }
            None => {
                problems
                    .push(r#"missing "routes": add "routes": [] (or a list of routes)"#.to_owned());
                &[]
            }
        };
        let mut routes = Vec::new();
        let mut names = BTreeSet::new();
        for (i, r) in routes_json.iter().enumerate() {
            if let Some(route) = parse_route(i, r, &mut problems) {
                if !names.insert(route.name.clone()) {
                    problems.push(format!(
                        r#"two routes are named "{}"; give each route its own name"#,
                        route.name
                    ));
                }
                routes.push(route);
            }
        }
        if problems.is_empty() {
            Ok(Rules { routes })
        } else {
            Err(RulesError { problems })
        }
    }

    /// Check field names, value types and picklist values against the schema.
    pub fn check_against(&self, schema: &CaseSchema) -> Result<(), RulesError> {
        let mut problems = Vec::new();
        for route in &self.routes {
            for (i, c) in route.when.iter().enumerate() {
                let at = format!(r#"route "{}", condition {}"#, route.name, i + 1);
                check_condition(&at, c, schema, &mut problems);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RulesError { problems })
        }
    }

    /// The deliveries for one case, in file order (a route's email before its
    /// webhook).
    pub fn select(&self, summary: &CaseSummary) -> Vec<Delivery> {
        let mut out = Vec::new();
        for route in self.routes.iter().filter(|r| r.matches(summary)) {
            if let Some(to) = &route.email {
                out.push(Delivery {
                    route: route.name.clone(),
                    channel: Channel::Email { to: to.clone() },
                });
            }
            if let Some(w) = &route.webhook {
                out.push(Delivery {
                    route: route.name.clone(),
                    channel: Channel::Webhook {
                        url: w.url.clone(),
                        secret_ref: w.secret_env.clone(),
                    },
                });
            }
        }
        out
    }

    /// Whether any route sends email (then SMTP must be configured).
    pub fn uses_email(&self) -> bool {
        self.routes.iter().any(|r| r.email.is_some())
    }

    /// The environment variables holding the webhook secrets the routes name.
    pub fn secret_envs(&self) -> BTreeSet<&str> {
        self.routes
            .iter()
            .filter_map(|r| r.webhook.as_ref().map(|w| w.secret_env.as_str()))
            .collect()
    }
}

impl Route {
    pub fn matches(&self, summary: &CaseSummary) -> bool {
        self.when.iter().all(|c| c.holds(&summary.fields))
    }
}

impl Condition {
    /// Blank text counts as no value, as in validation.
    pub fn holds(&self, fields: &BTreeMap<String, FieldValue>) -> bool {
        let value = fields.get(&self.field).filter(|v| !v.is_blank());
        match &self.operator {
            Operator::Equals(x) => value == Some(x),
            Operator::NotEquals(x) => value != Some(x),
            Operator::In(xs) => value.is_some_and(|v| xs.contains(v)),
            Operator::Contains(needle) => value
                .and_then(FieldValue::as_text)
                .is_some_and(|t| t.to_lowercase().contains(&needle.to_lowercase())),
            Operator::Present(p) => value.is_some() == *p,
        }
    }
}

fn one(problem: String) -> RulesError {
    RulesError {
        problems: vec![problem],
    }
}

fn valid_route_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn parse_route(index: usize, value: &Value, problems: &mut Vec<String>) -> Option<Route> {
    let Value::Object(obj) = value else {
        problems.push(format!(
            r#"route {} must be an object like {{"name": "...", "email": [...]}}"#,
            index + 1
        ));
        return None;
    };
    let name = match obj.get("name") {
        Some(Value::String(n)) if valid_route_name(n) => n.clone(),
        Some(Value::String(n)) => {
            problems.push(format!(
                r#"route {} has the name "{n}"; use 1 to 64 letters, digits, "-", "_" or ".""#,
                index + 1
            ));
            format!("#{}", index + 1)
        }
        _ => {
            problems.push(format!(
                r#"route {} needs a "name", e.g. "safety-team""#,
                index + 1
            ));
            format!("#{}", index + 1)
        }
    };
    let at = format!(r#"route "{name}""#);
    for key in obj.keys() {
        if !matches!(key.as_str(), "name" | "when" | "email" | "webhook") {
            problems.push(format!(
                r#"{at}: unknown key "{key}"; a route has "name", "when", "email" and "webhook""#
            ));
        }
    }

    let mut when = Vec::new();
    match obj.get("when") {
        None => {}
        Some(Value::Array(conds)) => {
            for (i, c) in conds.iter().enumerate() {
                if let Some(c) = parse_condition(&format!("{at}, condition {}", i + 1), c, problems)
                {
                    when.push(c);
                }
            }
        }
        Some(_) => problems.push(format!(
            r#"{at}: "when" must be a list of conditions like [{{"field": "Priority", "equals": "High"}}]; leave it out to match every case"#
        )),
    }

    let email = obj.get("email").map(|v| parse_email_list(&at, v, problems));
    let webhook = obj
        .get("webhook")
        .and_then(|v| parse_webhook(&at, v, problems));
    if email.is_none() && !obj.contains_key("webhook") {
        problems.push(format!(
            r#"{at} sends nowhere: add "email" (a list of addresses) or "webhook" ({{"url": ..., "secret_env": ...}})"#
        ));
    }
    Some(Route {
        name,
        when,
        email,
        webhook,
    })
}

fn parse_email_list(at: &str, value: &Value, problems: &mut Vec<String>) -> Vec<String> {
    let Value::Array(items) = value else {
        problems.push(format!(
            r#"{at}: "email" must be a list of addresses, e.g. ["safety@example.com"]"#
        ));
        return Vec::new();
    };
    if items.is_empty() {
        problems.push(format!(
            r#"{at}: the "email" list is empty; add at least one address or remove "email""#
        ));
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(str::trim) {
            Some(a) if lettre::Address::from_str(a).is_ok() => {
                if seen.insert(a.to_lowercase()) {
                    out.push(a.to_owned());
                } else {
                    problems.push(format!(
                        r#"{at}: email address {} repeats an earlier one; list each once"#,
                        i + 1
                    ));
                }
            }
            _ => problems.push(format!(
                r#"{at}: email address {} is not a valid address; write it as name@example.com, without a display name"#,
                i + 1
            )),
        }
    }
    out
}

fn parse_webhook(at: &str, value: &Value, problems: &mut Vec<String>) -> Option<WebhookTarget> {
    let shape = r#""webhook" must be an object like {"url": "https://hooks.example.com/fieldcase", "secret_env": "FIELDCASE_WEBHOOK_SECRET"}"#;
    let Value::Object(obj) = value else {
        problems.push(format!("{at}: {shape}"));
        return None;
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "url" | "secret_env") {
            problems.push(format!(
                r#"{at}: unknown webhook key "{key}"; a webhook has "url" and "secret_env""#
            ));
        }
    }
    let url = match obj.get("url") {
        Some(Value::String(u)) => match reqwest::Url::parse(u.trim()) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() =>
            {
                Some(u.trim().to_owned())
            }
            Ok(_) => {
                problems.push(format!(
                    "{at}: the webhook url must start with https:// or http:// and name a host"
                ));
                None
            }
            Err(e) => {
                problems.push(format!(
                    "{at}: the webhook url is not a valid URL ({e}); write it like https://hooks.example.com/fieldcase"
                ));
                None
            }
        },
        _ => {
            problems.push(format!("{at}: the webhook needs a \"url\"; {shape}"));
            None
        }
    };
    let secret_env = match obj.get("secret_env") {
        Some(Value::String(s)) if valid_env_name(s) => Some(s.clone()),
        Some(Value::String(_)) => {
            problems.push(format!(
                r#"{at}: "secret_env" must be an environment variable name in capitals, digits and "_", e.g. "FIELDCASE_WEBHOOK_SECRET""#
            ));
            None
        }
        _ => {
            problems.push(format!(
                r#"{at}: the webhook needs "secret_env", the name of the environment variable that holds its signing secret, e.g. "FIELDCASE_WEBHOOK_SECRET""#
            ));
            None
        }
    };
    Some(WebhookTarget {
        url: url?,
        secret_env: secret_env?,
    })
}

fn scalar(value: &Value) -> Option<FieldValue> {
    match value {
        Value::Bool(b) => Some(FieldValue::Bool(*b)),
        Value::Number(n) => n.as_f64().map(FieldValue::Number),
        Value::String(s) => Some(FieldValue::Text(s.clone())),
        _ => None,
    }
}

fn parse_condition(at: &str, value: &Value, problems: &mut Vec<String>) -> Option<Condition> {
    let Value::Object(obj) = value else {
        problems.push(format!(
            r#"{at} must be an object like {{"field": "Priority", "equals": "High"}}"#
        ));
        return None;
    };
    let field = match obj.get("field") {
        Some(Value::String(f)) if !f.trim().is_empty() => Some(f.trim().to_owned()),
        _ => {
            problems.push(format!(
                r#"{at} needs "field", a field API name such as "Priority""#
            ));
            None
        }
    };
    let ops: Vec<(&String, &Value)> = obj.iter().filter(|(k, _)| *k != "field").collect();
    let mut operator = None;
    let mut known = Vec::new();
    for (key, v) in &ops {
        let parsed = parse_operator(at, key, v, problems);
        match parsed {
            Ok(Some(op)) => {
                known.push(key.as_str());
                operator = Some(op);
            }
            Ok(None) => known.push(key.as_str()),
            Err(()) => problems.push(format!(
                r#"{at}: unknown operator "{key}"; use one of {OPERATORS}"#
            )),
        }
    }
    match known.len() {
        0 if ops.is_empty() => {
            problems.push(format!("{at} has no operator; add one of {OPERATORS}"));
            return None;
        }
        0 | 1 => {}
        _ => {
            problems.push(format!(
                "{at} has {} operators ({}); use one per condition and add more conditions (all must hold)",
                known.len(),
                known.join(", ")
            ));
            return None;
        }
    }
    Some(Condition {
        field: field?,
        operator: operator?,
    })
}

/// `Err(())` for an unknown operator; `Ok(None)` for a known one with a bad
/// value (the problem is recorded).
fn parse_operator(
    at: &str,
    key: &str,
    value: &Value,
    problems: &mut Vec<String>,
) -> Result<Option<Operator>, ()> {
    let single = |make: fn(FieldValue) -> Operator, problems: &mut Vec<String>| match scalar(value)
    {
        Some(v) => Some(make(v)),
        None => {
            problems.push(format!(
                r#"{at}: "{key}" takes one value: true/false, a number or text"#
            ));
            None
        }
    };
    Ok(match key {
        "equals" => single(Operator::Equals, problems),
        "not_equals" => single(Operator::NotEquals, problems),
        "in" => match value {
            Value::Array(items) if !items.is_empty() => {
                let values: Option<Vec<FieldValue>> = items.iter().map(scalar).collect();
                if values.is_none() {
                    problems.push(format!(
                        r#"{at}: "in" lists values: true/false, numbers or text"#
                    ));
                }
                values.map(Operator::In)
            }
            _ => {
                problems.push(format!(
                    r#"{at}: "in" takes a non-empty list of values, e.g. ["High", "Medium"]"#
                ));
                None
            }
        },
        "contains" => match value {
            Value::String(s) if !s.trim().is_empty() => Some(Operator::Contains(s.clone())),
            _ => {
                problems.push(format!(
                    r#"{at}: "contains" takes non-empty text, e.g. "leak""#
                ));
                None
            }
        },
        "present" => match value {
            Value::Bool(b) => Some(Operator::Present(*b)),
            _ => {
                problems.push(format!(r#"{at}: "present" takes true or false"#));
                None
            }
        },
        _ => return Err(()),
    })
}

fn check_condition(at: &str, c: &Condition, schema: &CaseSchema, problems: &mut Vec<String>) {
    let Some(def) = schema.field(&c.field) else {
        let hint = schema
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(&c.field))
            .map(|f| format!(r#"did you mean "{}"?"#, f.name))
            .unwrap_or_else(|| {
                "use a field API name such as Priority or Safety_Hazard__c".to_owned()
            });
        problems.push(format!(
            r#"{at}: "{}" is not a field of {}; {hint}"#,
            c.field, schema.object
        ));
        return;
    };
    let values: &[FieldValue] = match &c.operator {
        Operator::Equals(v) | Operator::NotEquals(v) => std::slice::from_ref(v),
        Operator::In(vs) => vs,
        Operator::Contains(_) => {
            if matches!(def.field_type, FieldType::Checkbox | FieldType::Number) {
                problems.push(format!(
                    r#"{at}: "contains" tests text, and {} is a {} field; use "equals" or "in""#,
                    def.name,
                    type_name(def.field_type)
                ));
            }
            &[]
        }
        Operator::Present(_) => &[],
    };
    for v in values {
        let ok = match def.field_type {
            FieldType::Checkbox => matches!(v, FieldValue::Bool(_)),
            FieldType::Number => matches!(v, FieldValue::Number(_)),
            _ => matches!(v, FieldValue::Text(_)),
        };
        if !ok {
            let want = match def.field_type {
                FieldType::Checkbox => "true or false (without quotes)",
                FieldType::Number => "a number (without quotes)",
                _ => "text in quotes",
            };
            problems.push(format!(
                "{at}: {} is a {} field, so compare it with {want}",
                def.name,
                type_name(def.field_type)
            ));
            continue;
        }
        if def.field_type == FieldType::Picklist
            && def.restricted
            && let FieldValue::Text(t) = v
            && !def.values.iter().any(|pv| &pv.value == t)
        {
            let choices: Vec<&str> = def.values.iter().map(|pv| pv.value.as_str()).collect();
            problems.push(format!(
                r#"{at}: "{t}" is not a value of {}; use one of {}"#,
                def.name,
                choices.join(", ")
            ));
        }
    }
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "text",
        FieldType::Textarea => "long text",
        FieldType::Picklist => "picklist",
        FieldType::Checkbox => "checkbox",
        FieldType::Email => "email",
        FieldType::Phone => "phone",
        FieldType::Number => "number",
        FieldType::Date => "date",
        FieldType::Reference => "reference",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::sample;

    const EXAMPLE: &str = r#"{"routes":[
        {"name":"safety-team","when":[{"field":"Safety_Hazard__c","equals":true}],"email":["safety@example.com"]},
        {"name":"high-priority","when":[{"field":"Priority","in":["High"]}],
         "webhook":{"url":"http://127.0.0.1:9/hook","secret_env":"FIELDCASE_WEBHOOK_SECRET"}},
        {"name":"everything","email":["ops@example.com","Lead@Example.com"],
         "webhook":{"url":"https://hooks.example.com/all","secret_env":"ALL_SECRET"}}
    ]}"#;

    fn rules(json: &str) -> Rules {
        Rules::from_json(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(json: &str) -> String {
        Rules::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn the_shipped_example_file_is_valid() {
        let r = rules(include_str!("../rules.example.json"));
        r.check_against(&CaseSchema::salesforce_default()).unwrap();
        let names: Vec<&str> = r.routes().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["safety-team", "high-priority", "leaks", "everything"]
        );
        let got: Vec<String> = r.select(&sample()).into_iter().map(|d| d.route).collect();
        assert_eq!(got, ["safety-team", "high-priority", "leaks", "everything"]);
    }

    #[test]
    fn parses_the_example() {
        let r = rules(EXAMPLE);
        assert_eq!(r.routes().len(), 3);
        assert_eq!(
            r.routes()[0].when,
            [Condition {
                field: "Safety_Hazard__c".into(),
                operator: Operator::Equals(FieldValue::Bool(true))
            }]
        );
        assert!(r.uses_email());
        assert_eq!(
            r.secret_envs().into_iter().collect::<Vec<_>>(),
            ["ALL_SECRET", "FIELDCASE_WEBHOOK_SECRET"]
        );
        r.check_against(&CaseSchema::salesforce_default()).unwrap();
        assert_eq!(rules(r#"{"routes":[]}"#), Rules::none());
    }

    #[test]
    fn shape_errors_say_what_to_fix() {
        let cases: &[(&str, &str)] = &[
            ("{", "not valid JSON"),
            ("[]", r#"like {"routes""#),
            ("{}", r#"missing "routes""#),
            (
                r#"{"routes":[],"extra":1}"#,
                r#"unknown top-level key "extra""#,
            ),
            (
                r#"{"routes":[{"email":["a@b.co"]}]}"#,
                r#"route 1 needs a "name""#,
            ),
            (
                r#"{"routes":[{"name":"a b","email":["a@b.co"]}]}"#,
                "1 to 64 letters",
            ),
            (r#"{"routes":[{"name":"x"}]}"#, "sends nowhere"),
            (
                r#"{"routes":[{"name":"x","emails":["a@b.co"]}]}"#,
                r#"unknown key "emails""#,
            ),
            (
                r#"{"routes":[{"name":"x","email":[]}]}"#,
                r#"the "email" list is empty"#,
            ),
            (
                r#"{"routes":[{"name":"x","email":"a@b.co"}]}"#,
                "must be a list of addresses",
            ),
            (
                r#"{"routes":[{"name":"x","email":["a@b.co","nope"]}]}"#,
                "email address 2 is not a valid address",
            ),
            (
                r#"{"routes":[{"name":"x","email":["Bob <b@b.co>"]}]}"#,
                "without a display name",
            ),
            (
                r#"{"routes":[{"name":"x","email":["a@b.co","A@B.co"]}]}"#,
                "repeats an earlier one",
            ),
            (
                r#"{"routes":[{"name":"x","email":["a@b.co"]},{"name":"x","email":["a@b.co"]}]}"#,
                r#"two routes are named "x""#,
            ),
            (
                r#"{"routes":[{"name":"x","webhook":{"url":"not a url","secret_env":"S"}}]}"#,
                "not a valid URL",
            ),
            (
                r#"{"routes":[{"name":"x","webhook":{"url":"ftp://h/x","secret_env":"S"}}]}"#,
                "https:// or http://",
            ),
            (
                r#"{"routes":[{"name":"x","webhook":{"url":"https://h/x"}}]}"#,
                r#"needs "secret_env""#,
            ),
            (
                r#"{"routes":[{"name":"x","webhook":{"url":"https://h/x","secret_env":"lower"}}]}"#,
                "in capitals",
            ),
            (
                r#"{"routes":[{"name":"x","webhook":{"url":"https://h/x","secret_env":"S","secret":"s"}}]}"#,
                r#"unknown webhook key "secret""#,
            ),
            (
                r#"{"routes":[{"name":"x","webhook":"https://h/x"}]}"#,
                r#""webhook" must be an object"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":{"field":"Priority"},"email":["a@b.co"]}]}"#,
                r#""when" must be a list"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority","equal":"High"}],"email":["a@b.co"]}]}"#,
                r#"condition 1: unknown operator "equal"; use one of equals"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority"}],"email":["a@b.co"]}]}"#,
                "has no operator",
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"equals":"High"}],"email":["a@b.co"]}]}"#,
                r#"needs "field""#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority","equals":"High","in":["Low"]}],"email":["a@b.co"]}]}"#,
                "has 2 operators",
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority","equals":["High"]}],"email":["a@b.co"]}]}"#,
                r#""equals" takes one value"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority","in":[]}],"email":["a@b.co"]}]}"#,
                "non-empty list",
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Priority","in":[null]}],"email":["a@b.co"]}]}"#,
                r#""in" lists values"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Subject","contains":""}],"email":["a@b.co"]}]}"#,
                r#""contains" takes non-empty text"#,
            ),
            (
                r#"{"routes":[{"name":"x","when":[{"field":"Subject","present":"yes"}],"email":["a@b.co"]}]}"#,
                r#""present" takes true or false"#,
            ),
        ];
        for (json, want) in cases {
            let e = err(json);
            assert!(e.contains(want), "{json}\n  gave: {e}\n  want: {want}");
        }
    }

    #[test]
    fn errors_do_not_repeat_addresses_or_urls() {
        let e = err(
            r#"{"routes":[{"name":"x","email":["secret-person@@example.com"],"webhook":{"url":"https://hooks.example.com:99999/TOKEN123","secret_env":"S"}}]}"#,
        );
        assert!(!e.contains("secret-person"), "{e}");
        assert!(!e.contains("TOKEN123"), "{e}");
    }

    #[test]
    fn every_problem_is_listed() {
        let e = Rules::from_json(
            r#"{"routes":[{"name":"x","email":[]},{"name":"y","when":[{"field":"A","is":1}],"webhook":{"url":"x"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.problems.len(), 4, "{e}");
        assert!(
            e.to_string().starts_with("routing rules: 4 problems:"),
            "{e}"
        );
    }

    #[test]
    fn schema_check_names_fields_types_and_picklist_values() {
        let schema = CaseSchema::salesforce_default();
        let route = |cond: &str| {
            format!(r#"{{"routes":[{{"name":"r","when":[{cond}],"email":["a@b.co"]}}]}}"#)
        };
        let ok = [
            r#"{"field":"Priority","equals":"High"}"#,
            r#"{"field":"Priority","in":["High","Medium"]}"#,
            r#"{"field":"Safety_Hazard__c","not_equals":false}"#,
            r#"{"field":"Description","contains":"leak"}"#,
            r#"{"field":"Error_Code__c","present":true}"#,
        ];
        for c in ok {
            rules(&route(c))
                .check_against(&schema)
                .unwrap_or_else(|e| panic!("{c}: {e}"));
        }
        let bad: &[(&str, &str)] = &[
            (
                r#"{"field":"Priorty","equals":"High"}"#,
                r#""Priorty" is not a field of Case"#,
            ),
            (
                r#"{"field":"priority","equals":"High"}"#,
                r#"did you mean "Priority"?"#,
            ),
            (
                r#"{"field":"Priority","equals":"Urgent"}"#,
                r#""Urgent" is not a value of Priority; use one of High, Medium, Low"#,
            ),
            (
                r#"{"field":"Priority","in":["High","Critical"]}"#,
                r#""Critical" is not a value"#,
            ),
            (
                r#"{"field":"Safety_Hazard__c","equals":"true"}"#,
                "checkbox field, so compare it with true or false",
            ),
            (
                r#"{"field":"Priority","equals":1}"#,
                "picklist field, so compare it with text",
            ),
            (
                r#"{"field":"Safety_Hazard__c","contains":"y"}"#,
                r#""contains" tests text"#,
            ),
        ];
        for (c, want) in bad {
            let e = rules(&route(c))
                .check_against(&schema)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{c}\n  gave: {e}\n  want: {want}");
            assert!(e.contains(r#"route "r", condition 1"#), "{e}");
        }
    }

    #[test]
    fn conditions_table() {
        let s = sample(); // Priority High, Safety true, Type Mechanical, no Reason
        let cases: &[(&str, bool)] = &[
            (r#"{"field":"Priority","equals":"High"}"#, true),
            (r#"{"field":"Priority","equals":"high"}"#, false),
            (r#"{"field":"Priority","equals":"Low"}"#, false),
            (r#"{"field":"Safety_Hazard__c","equals":true}"#, true),
            (r#"{"field":"Safety_Hazard__c","equals":false}"#, false),
            (r#"{"field":"Safety_Hazard__c","equals":"true"}"#, false),
            (r#"{"field":"Priority","not_equals":"Low"}"#, true),
            (r#"{"field":"Priority","not_equals":"High"}"#, false),
            (r#"{"field":"Reason","not_equals":"Other"}"#, true),
            (r#"{"field":"Priority","in":["Medium","High"]}"#, true),
            (r#"{"field":"Priority","in":["Medium","Low"]}"#, false),
            (r#"{"field":"Reason","in":["Other"]}"#, false),
            (r#"{"field":"Description","contains":"SEAL KIT"}"#, true),
            (r#"{"field":"Description","contains":"bearing"}"#, false),
            (r#"{"field":"Safety_Hazard__c","contains":"true"}"#, false),
            (r#"{"field":"Error_Code__c","present":true}"#, true),
            (r#"{"field":"Reason","present":true}"#, false),
            (r#"{"field":"Reason","present":false}"#, true),
        ];
        for (cond, want) in cases {
            let r = rules(&format!(
                r#"{{"routes":[{{"name":"r","when":[{cond}],"email":["a@b.co"]}}]}}"#
            ));
            assert_eq!(r.routes()[0].matches(&s), *want, "{cond}");
        }
    }

    #[test]
    fn blank_text_counts_as_absent() {
        let mut s = sample();
        s.fields
            .insert("Error_Code__c".into(), FieldValue::text("  "));
        let c = Condition {
            field: "Error_Code__c".into(),
            operator: Operator::Present(true),
        };
        assert!(!c.holds(&s.fields));
    }

    #[test]
    fn select_applies_and_and_keeps_file_order() {
        let r = rules(EXAMPLE);
        let s = sample();
        let got: Vec<String> = r.select(&s).iter().map(|d| d.delivery_key()).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("safety-team/email/"));
        assert!(got[1].starts_with("high-priority/webhook/"));
        assert!(got[2].starts_with("everything/email/"));
        assert!(got[3].starts_with("everything/webhook/"));

        let mut calm = sample();
        calm.fields
            .insert("Priority".into(), FieldValue::text("Low"));
        calm.fields
            .insert("Safety_Hazard__c".into(), FieldValue::Bool(false));
        let got: Vec<String> = r.select(&calm).into_iter().map(|d| d.route).collect();
        assert_eq!(got, ["everything", "everything"]);

        let both = rules(
            r#"{"routes":[{"name":"r","when":[{"field":"Priority","equals":"High"},{"field":"Type","equals":"Electrical"}],"email":["a@b.co"]}]}"#,
        );
        assert!(both.select(&s).is_empty(), "all conditions must hold");
    }

    #[test]
    fn delivery_keys_are_stable_distinct_and_name_no_target() {
        let email = |to: &[&str]| Delivery {
            route: "everything".into(),
            channel: Channel::Email {
                to: to.iter().map(|s| s.to_string()).collect(),
            },
        };
        let a = email(&["ops@example.com", "Lead@Example.com"]);
        let b = email(&["lead@example.com", "ops@example.com"]);
        assert_eq!(
            a.delivery_key(),
            b.delivery_key(),
            "order and case do not matter"
        );
        assert_ne!(a.delivery_key(), email(&["ops@example.com"]).delivery_key());
        assert!(!a.delivery_key().contains("example"));
        assert_eq!(a.delivery_key().len(), "everything/email/".len() + 16);

        let hook = Delivery {
            route: "everything".into(),
            channel: Channel::Webhook {
                url: "https://hooks.example.com/all".into(),
                secret_ref: "S".into(),
            },
        };
        assert_ne!(hook.delivery_key(), a.delivery_key());
        let id1 = Uuid::from_u128(1);
        let id2 = Uuid::from_u128(2);
        assert_eq!(hook.delivery_id(&id1), hook.delivery_id(&id1));
        assert_ne!(hook.delivery_id(&id1), hook.delivery_id(&id2));
        assert_eq!(hook.delivery_id(&id1).len(), 32);

        let json = serde_json::to_string(&hook).unwrap();
        assert_eq!(
            json,
            r#"{"route":"everything","channel":{"webhook":{"url":"https://hooks.example.com/all","secret_ref":"S"}}}"#
        );
        assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), hook);
    }
}
