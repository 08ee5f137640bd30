//! [`Dispatcher::deliver`]: send one stored [`Delivery`] of one case, by
//! email or webhook, with the webhook's secret from [`Secrets`].
//!
//! The server's worker is then: take a due row, `deliver`, and on `Ok` mark
//! it delivered; on a transient error reschedule it with
//! [`crate::RetryPolicy::delay`]; on a permanent one mark it failed for a
//! person to see.

use std::collections::BTreeMap;
use std::fmt;

use crate::email::EmailSender;
use crate::error::{ConfigError, DeliveryError};
use crate::rules::{Channel, Delivery, Rules};
use crate::summary::CaseSummary;
use crate::webhook::WebhookSender;

/// Webhook signing secrets by environment variable name. `Debug` shows only
/// the names.
#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, Vec<u8>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl Secrets {
    /// The shortest secret accepted, in bytes. 32 random bytes (64 hex
    /// characters) are a good choice.
    pub const MIN_LEN: usize = 16;

    /// Read every secret the rules name from the process environment.
    pub fn from_env(rules: &Rules) -> Result<Self, ConfigError> {
        Self::from_lookup(rules, |name| std::env::var(name).ok())
    }

    /// Read every secret the rules name through `lookup` (tests, other stores).
    pub fn from_lookup(
        rules: &Rules,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut secrets = Secrets::default();
        let mut problems = Vec::new();
        for name in rules.secret_envs() {
            match lookup(name) {
                Some(v) if v.len() >= Self::MIN_LEN => secrets.insert(name, v.into_bytes()),
                Some(_) => problems.push(format!(
                    "{name} is shorter than {} characters; use a long random secret \
                     (e.g. 64 hex characters) shared with the webhook receiver",
                    Self::MIN_LEN
                )),
                None => problems.push(format!(
                    "set {name} to the webhook signing secret shared with the receiver \
                     (the routing rules name it)"
                )),
            }
        }
        if problems.is_empty() {
            Ok(secrets)
        } else {
            Err(ConfigError(problems.join("; ")))
        }
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.values.get(name).map(Vec::as_slice)
    }
}

/// Sends deliveries through the configured channels.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    email: Option<EmailSender>,
    webhook: WebhookSender,
    secrets: Secrets,
}

impl Dispatcher {
    /// Checks that every channel the rules use is configured: SMTP when a
    /// route sends email, and every named secret.
    pub fn new(
        rules: &Rules,
        email: Option<EmailSender>,
        webhook: WebhookSender,
        secrets: Secrets,
    ) -> Result<Self, ConfigError> {
        if email.is_none()
            && let Some(route) = rules.routes().iter().find(|r| r.email.is_some())
        {
            return Err(ConfigError(format!(
                "route \"{}\" sends email, but no SMTP server is configured; configure one or \
                 remove the route's \"email\"",
                route.name
            )));
        }
        let missing: Vec<&str> = rules
            .secret_envs()
            .into_iter()
            .filter(|n| secrets.get(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError(format!(
                "set {} to the webhook signing secret",
                missing.join(" and ")
            )));
        }
        Ok(Dispatcher {
            email,
            webhook,
            secrets,
        })
    }

    /// Send one delivery of one case. The delivery id (the dedupe key
    /// receivers see) comes from the case's intake id and the delivery key.
    /// Error messages start with the route and channel.
    pub async fn deliver(
        &self,
        summary: &CaseSummary,
        delivery: &Delivery,
    ) -> Result<(), DeliveryError> {
        let id = delivery.delivery_id(&summary.intake_id);
        let result = match &delivery.channel {
            Channel::Email { to } => match &self.email {
                Some(sender) => sender.send(summary, to, &id).await,
                None => Err(DeliveryError::permanent(
                    "no SMTP server is configured; configure one, then retry",
                )),
            },
            Channel::Webhook { url, secret_ref } => match self.secrets.get(secret_ref) {
                Some(secret) => self.webhook.send(url, secret, &id, summary).await,
                None => Err(DeliveryError::permanent(format!(
                    "set {secret_ref} to the webhook signing secret, then retry"
                ))),
            },
        };
        result.map_err(|e| prefix(e, &delivery.route, delivery.channel.kind()))
    }
}

fn prefix(e: DeliveryError, route: &str, kind: &str) -> DeliveryError {
    match e {
        DeliveryError::Transient {
            message,
            retry_after,
        } => DeliveryError::Transient {
            message: format!("route \"{route}\" ({kind}): {message}"),
            retry_after,
        },
        DeliveryError::Permanent { message } => DeliveryError::Permanent {
            message: format!("route \"{route}\" ({kind}): {message}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rules() -> Rules {
        Rules::from_json(
            r#"{"routes":[{"name":"hook","webhook":{"url":"http://127.0.0.1:9/x","secret_env":"HOOK_SECRET"}},
                          {"name":"mail","email":["a@example.com"]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn secrets_must_be_set_and_long_enough() {
        let r = rules();
        let e = Secrets::from_lookup(&r, |_| None).unwrap_err();
        assert!(e.0.contains("set HOOK_SECRET"), "{e}");
        let e = Secrets::from_lookup(&r, |_| Some("short".into())).unwrap_err();
        assert!(e.0.contains("shorter than 16"), "{e}");
        assert!(!e.0.contains("short\""), "the value is never shown: {e}");
        let s = Secrets::from_lookup(&r, |_| Some("x".repeat(32))).unwrap();
        assert_eq!(s.get("HOOK_SECRET"), Some("x".repeat(32).as_bytes()));
        assert_eq!(format!("{s:?}"), r#"{"HOOK_SECRET"}"#);
    }

    #[test]
    fn dispatcher_needs_smtp_when_a_route_sends_email() {
        let r = rules();
        let webhook = WebhookSender::new(Duration::from_secs(1)).unwrap();
        let secrets = Secrets::from_lookup(&r, |_| Some("x".repeat(32))).unwrap();
        let e = Dispatcher::new(&r, None, webhook.clone(), secrets).unwrap_err();
        assert!(e.0.contains(r#"route "mail" sends email"#), "{e}");
        let e = Dispatcher::new(&r, None, webhook, Secrets::default()).unwrap_err();
        assert!(
            e.0.contains("route \"mail\"") || e.0.contains("HOOK_SECRET"),
            "{e}"
        );
    }
}
