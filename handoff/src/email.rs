//! The summary as an email: [`render_email`] (plain text with an HTML
//! alternative) and [`EmailSender`] (SMTP through lettre, on tokio).
//!
//! Every message carries `Message-ID: <DELIVERY-ID@SENDER-DOMAIN>` and
//! `X-Fieldcase-Delivery: DELIVERY-ID` ([`crate::Delivery::delivery_id`]), the
//! same on every attempt, so a mail system or a reader can drop duplicates if
//! a retry follows a send whose answer was lost.
//!
//! TLS is rustls (no OpenSSL): [`TlsMode::Starttls`] (usually port 587),
//! [`TlsMode::Tls`] (implicit TLS, usually 465) or [`TlsMode::None`] (plain
//! text: only for a relay on the same host or a test server).

use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, DeliveryError};
use crate::summary::CaseSummary;

/// The header that carries the delivery id, in emails and webhook requests.
pub const DELIVERY_HEADER: &str = "X-Fieldcase-Delivery";

/// An email's subject and bodies, before addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    /// `[High] Case 00001001 — Feed pump P-12: leaking at seal`
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Fields shown in the header block or on their own, not in "Details".
const SHOWN_APART: [&str; 3] = ["Subject", "Priority", "Description"];

/// Render the summary: the subject, a plain-text body and its HTML twin, each
/// with the case number, the link to the record, the asset, account,
/// priority, subject, photo count, the intake reference and every field.
pub fn render_email(s: &CaseSummary) -> RenderedEmail {
    let subject_line = one_line(if s.subject.trim().is_empty() {
        &s.asset_name
    } else {
        &s.subject
    });
    let subject = if s.escalation.is_empty() {
        format!(
            "[{}] Case {} \u{2014} {}",
            one_line(&s.priority),
            one_line(&s.case_number),
            subject_line
        )
    } else {
        // Escalated at submission: no case yet, the reference to quote.
        format!(
            "[{}] Escalation {} \u{2014} {} ({})",
            one_line(&s.priority),
            one_line(&s.reference),
            subject_line,
            one_line(&s.escalation.join("; "))
        )
    };
    let photos = match s.photo_count {
        0 => "none".to_owned(),
        1 => "1 (attached to the case)".to_owned(),
        n => format!("{n} (attached to the case)"),
    };
    let head: [(&str, &str); 7] = [
        ("Case", &s.case_number),
        ("Subject", &subject_line),
        ("Priority", &s.priority),
        ("Asset", &s.asset_name),
        ("Account", &s.account_name),
        ("Photos", &photos),
        ("Reference", &s.reference),
    ];
    let details: Vec<(&str, String)> = s
        .fields
        .iter()
        .filter(|(k, v)| !SHOWN_APART.contains(&k.as_str()) && !v.is_blank())
        .map(|(k, v)| (k.as_str(), v.to_string()))
        .collect();
    let description = s
        .fields
        .get("Description")
        .filter(|v| !v.is_blank())
        .map(ToString::to_string);

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Case {} was created in Salesforce from field report {}.\n",
        s.case_number, s.reference
    );
    let _ = writeln!(text, "Open the case: {}\n", s.case_url);
    for (k, v) in head {
        let _ = writeln!(text, "{:<10} {}", format!("{k}:"), one_line(v));
    }
    if !details.is_empty() {
        text.push_str("\nDetails\n");
        for (k, v) in &details {
            let _ = writeln!(text, "  {k}: {}", one_line(v));
        }
    }
    if let Some(d) = &description {
        let _ = write!(text, "\nDescription\n{}\n", d.trim_end());
    }
    text.push_str("\n-- \nSent by fieldcase.\n");

    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif\">\n",
    );
    let _ = writeln!(
        html,
        "<p>Case <strong>{}</strong> was created in Salesforce from field report {}.</p>",
        esc(&s.case_number),
        esc(&s.reference)
    );
    let _ = writeln!(
        html,
        "<p><a href=\"{}\">Open case {} in Salesforce</a></p>",
        esc(&s.case_url),
        esc(&s.case_number)
    );
    html.push_str("<table>\n");
    for (k, v) in head {
        let _ = writeln!(
            html,
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(v)
        );
    }
    html.push_str("</table>\n");
    if !details.is_empty() {
        html.push_str("<h3>Details</h3>\n<table>\n");
        for (k, v) in &details {
            let _ = writeln!(
                html,
                "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
                esc(k),
                esc(v)
            );
        }
        html.push_str("</table>\n");
    }
    if let Some(d) = &description {
        let _ = writeln!(
            html,
            "<h3>Description</h3>\n<p style=\"white-space: pre-wrap\">{}</p>",
            esc(d.trim_end())
        );
    }
    html.push_str("</body></html>\n");

    RenderedEmail {
        subject,
        text,
        html,
    }
}

fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .filter(|p| !p.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
    out
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text. Only for a relay on the same host or a test server.
    None,
    /// Connect in plain text, then upgrade with STARTTLS (required). Port 587.
    Starttls,
    /// TLS from the first byte ("SMTPS"). Port 465.
    Tls,
}

impl FromStr for TlsMode {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::Starttls),
            "tls" => Ok(TlsMode::Tls),
            _ => Err(ConfigError(format!(
                "unknown SMTP TLS mode {s:?}; use none, starttls or tls"
            ))),
        }
    }
}

/// Where and how to send email. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    /// `fieldcase@example.com` or `Fieldcase <fieldcase@example.com>`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: TlsMode,
    /// The longest one whole SMTP conversation (connect to QUIT) may take.
    pub timeout: Duration,
    /// The name given in EHLO; defaults to the address literal `[127.0.0.1]`.
    pub hello_name: Option<String>,
}

impl EmailConfig {
    /// A plain-text test or local relay at `host:port`, 30 s timeout.
    pub fn plain(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        EmailConfig {
            host: host.into(),
            port,
            from: from.into(),
            username: None,
            password: None,
            tls: TlsMode::None,
            timeout: Duration::from_secs(30),
            hello_name: None,
        }
    }
}

impl fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username.as_ref().map(|_| "<set>"))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Sends summaries over SMTP; one connection per message (hand-offs are few).
#[derive(Clone)]
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

impl fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSender")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl EmailSender {
    pub fn new(config: &EmailConfig) -> Result<Self, ConfigError> {
        let host = config.host.trim();
        if host.is_empty() {
            return Err(ConfigError(
                "the SMTP host is empty; set it to the mail server's name".into(),
            ));
        }
        let from: Mailbox = config.from.trim().parse().map_err(|_| {
            ConfigError(
                "the email sender address is not valid; write it as fieldcase@example.com or \
                 Fieldcase <fieldcase@example.com>"
                    .into(),
            )
        })?;
        if config.timeout.is_zero() {
            return Err(ConfigError(
                "the SMTP timeout must be more than zero".into(),
            ));
        }
        let builder = match config.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| {
                    ConfigError(format!("cannot set up STARTTLS for the SMTP host: {e}"))
                })?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| ConfigError(format!("cannot set up TLS for the SMTP host: {e}")))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        match (&config.username, &config.password) {
            (Some(u), Some(p)) => {
                builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(ConfigError(
                    "set both the SMTP username and password, or neither".into(),
                ));
            }
        }
        if let Some(name) = &config.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(EmailSender {
            transport: builder.build(),
            from,
            timeout: config.timeout,
        })
    }

    /// The message as it would be sent (public for tests and previews).
    pub fn message(
        &self,
        summary: &CaseSummary,
        to: &[String],
        delivery_id: &str,
    ) -> Result<Message, DeliveryError> {
        if to.is_empty() {
            return Err(DeliveryError::permanent(
                "this email delivery has no recipients; check the route's email list",
            ));
        }
        let rendered = render_email(summary);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(rendered.subject)
            .message_id(Some(format!(
                "<{delivery_id}@{}>",
                self.from.email.domain()
            )))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(DELIVERY_HEADER),
                delivery_id.to_owned(),
            ));
        for (i, addr) in to.iter().enumerate() {
            let mbox: Mailbox = addr.trim().parse().map_err(|_| {
                DeliveryError::permanent(format!(
                    "email address {} of this delivery is not valid; fix the route's email list",
                    i + 1
                ))
            })?;
            builder = builder.to(mbox);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| DeliveryError::permanent(format!("cannot build the email: {e}")))
    }

    /// Send the summary to `to` (one message, all recipients).
    /// `delivery_id` is [`crate::Delivery::delivery_id`].
    pub async fn send(
        &self,
        summary: &CaseSummary,
        to: &[String],
        delivery_id: &str,
    ) -> Result<(), DeliveryError> {
        let message = self.message(summary, to, delivery_id)?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_) => Err(DeliveryError::transient(format!(
                "the mail server did not finish within {} s",
                self.timeout.as_secs_f32()
            ))),
            Ok(Ok(_response)) => Ok(()),
            Ok(Err(e)) => Err(classify_smtp(&e)),
        }
    }
}

/// SMTP 4xx, timeouts and connection trouble are transient; 5xx, TLS and
/// client-side failures are permanent. The server's reply text is left out:
/// it often repeats the address.
fn classify_smtp(e: &lettre::transport::smtp::Error) -> DeliveryError {
    if let Some(code) = e.status() {
        let code = code.to_string();
        if e.is_transient() {
            return DeliveryError::transient(format!(
                "the mail server answered SMTP {code}, a temporary refusal"
            ));
        }
        let hint = match code.as_str() {
            "550" | "551" | "553" | "501" | "510" | "511" | "513" => {
                "it refused a recipient or the sender; check the route's email addresses and the \
                 sender address"
            }
            "552" | "523" => "the message is too large for it",
            "530" | "534" | "535" | "538" => {
                "authentication failed; check the SMTP username, password and TLS mode"
            }
            _ => "it rejected the message",
        };
        return DeliveryError::permanent(format!("the mail server answered SMTP {code}: {hint}"));
    }
    if e.is_timeout() {
        return DeliveryError::transient("the mail server did not answer in time");
    }
    if e.is_tls() {
        return DeliveryError::permanent(
            "TLS with the mail server failed; check the TLS mode (none, starttls, tls), the port \
             and the server's certificate",
        );
    }
    if e.is_client() {
        return DeliveryError::permanent(format!("the mail client could not send: {e}"));
    }
    DeliveryError::transient(format!("could not talk to the mail server: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::sample;

    #[test]
    fn subject_and_bodies_carry_the_summary() {
        let r = render_email(&sample());
        assert_eq!(
            r.subject,
            "[High] Case 00001001 \u{2014} Feed pump P-12: leaking at seal"
        );
        for needle in [
            "00001001",
            "FC-7K3M-9QXD",
            "https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view",
            "Feed pump P-12",
            "Northwind Foods",
            "Photos:    3 (attached to the case)",
            "Priority:  High",
            "Error_Code__c: E-42",
            "Safety_Hazard__c: Yes",
            "Needs a new seal kit.",
        ] {
            assert!(
                r.text.contains(needle),
                "text lacks {needle:?}:\n{}",
                r.text
            );
        }
        assert!(r.html.contains(
            "<a href=\"https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view\">"
        ));
        assert!(r.html.contains("<td>3 (attached to the case)</td>"));
    }

    #[test]
    fn html_is_escaped_and_subject_is_one_line() {
        let mut s = sample();
        s.subject = "Pump <b>&\nleak".into();
        s.asset_name = "<script>alert(1)</script>".into();
        let r = render_email(&s);
        assert_eq!(r.subject, "[High] Case 00001001 \u{2014} Pump <b>& leak");
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
        s.subject = " ".into();
        assert!(
            render_email(&s)
                .subject
                .ends_with("<script>alert(1)</script>")
        );
    }

    #[test]
    fn no_photos_reads_none() {
        let mut s = sample();
        s.photo_count = 0;
        assert!(render_email(&s).text.contains("Photos:    none"));
    }

    #[test]
    fn config_errors_say_what_to_fix() {
        let mut c = EmailConfig::plain("127.0.0.1", 25, "not an address");
        assert!(
            EmailSender::new(&c)
                .unwrap_err()
                .0
                .contains("sender address")
        );
        c.from = "Fieldcase <fieldcase@example.com>".into();
        c.username = Some("u".into());
        assert!(EmailSender::new(&c).unwrap_err().0.contains("both"));
        c.password = Some("hunter2".into());
        EmailSender::new(&c).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!("STARTTLS".parse::<TlsMode>().unwrap(), TlsMode::Starttls);
        assert!(
            "ssl"
                .parse::<TlsMode>()
                .unwrap_err()
                .0
                .contains("none, starttls or tls")
        );
    }

    #[test]
    fn message_has_stable_id_and_delivery_header() {
        let sender = EmailSender::new(&EmailConfig::plain(
            "127.0.0.1",
            25,
            "fieldcase@example.com",
        ))
        .unwrap();
        let m = sender
            .message(&sample(), &["safety@example.com".into()], "0123abcd")
            .unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <0123abcd@example.com>"), "{raw}");
        assert!(raw.contains("X-Fieldcase-Delivery: 0123abcd"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        let bad = sender
            .message(&sample(), &["nope".into()], "x")
            .unwrap_err();
        assert!(bad.is_permanent());
        assert!(!bad.message().contains("nope"));
        assert!(
            sender
                .message(&sample(), &[], "x")
                .unwrap_err()
                .is_permanent()
        );
    }
}
