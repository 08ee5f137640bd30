//! The two outcomes of a failed delivery, and configuration errors.
//!
//! "Retried until delivered": a [`DeliveryError::Transient`] failure (the
//! server is down, busy, slow, or answered a temporary refusal) is retried
//! indefinitely, the delay growing to a cap ([`crate::RetryPolicy`]). A
//! [`DeliveryError::Permanent`] failure (a recipient refused, a webhook that
//! answers 400, a missing secret) would fail the same way every time: the
//! server stops retrying it and shows it to a person, whose fix (correct the
//! address, the receiver or the configuration) is followed by a manual retry.

use std::fmt;
use std::time::Duration;

/// Why a delivery did not go through. Messages say what happened and, where
/// it is ours to fix, what to change; they never contain addresses, URLs or
/// secrets, so they are safe to store, show and log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Try again later: connection refused, timeout, SMTP 4xx, HTTP 408, 429, 5xx.
    Transient {
        message: String,
        /// The receiver's own `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Retrying will not help; a person must act: SMTP 5xx, HTTP 4xx, bad
    /// configuration.
    Permanent { message: String },
}

impl DeliveryError {
    pub(crate) fn transient(message: impl Into<String>) -> Self {
        DeliveryError::Transient {
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        DeliveryError::Permanent {
            message: message.into(),
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, DeliveryError::Transient { .. })
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::Permanent { .. })
    }

    pub fn message(&self) -> &str {
        match self {
            DeliveryError::Transient { message, .. } | DeliveryError::Permanent { message } => {
                message
            }
        }
    }

    /// The receiver's requested wait, if it sent one (transient failures only).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DeliveryError::Transient { retry_after, .. } => *retry_after,
            DeliveryError::Permanent { .. } => None,
        }
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::Transient { message, .. } => {
                write!(f, "temporary failure, will retry: {message}")
            }
            DeliveryError::Permanent { message } => {
                write!(f, "failed, needs attention: {message}")
            }
        }
    }
}

impl std::error::Error for DeliveryError {}

/// A configuration problem found at start-up; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}
