//! Embedding the intake form in a customer portal: the wire types of the
//! admin's portal API and of the embed page's API, and the rule for a
//! portal's origins (pure, so the console checks what the server checks).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A portal as the admin sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Portal {
    /// The portal's id: the `iss` of its embed tokens and part of the
    /// iframe's URL (`/embed/{id}`).
    pub id: Uuid,
    pub name: String,
    /// The only origins allowed to frame the form, e.g.
    /// `https://portal.example.com`.
    pub origins: Vec<String>,
    /// False once disabled: its tokens are refused.
    pub enabled: bool,
    pub created_at: String,
}

/// `POST /admin/portals`: register a portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPortal {
    pub name: String,
    /// One or more origins: `https://host[:port]` (or `http://localhost`,
    /// `http://127.0.0.x` for tests), no path.
    pub origins: Vec<String>,
}

/// A portal with its shared secret: answered once, when registered or when
/// the secret is rotated. The portal's server signs embed tokens with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSecret {
    pub portal: Portal,
    /// HS256 key (the text itself, UTF-8), shown once.
    pub secret: String,
}

/// One asset a customer may report on (`GET /embed/assets`): never its link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedAsset {
    /// Our asset id, as the embed token's `asset` claim names it.
    pub id: String,
    pub name: String,
    pub model: String,
    pub serial_number: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// `PUT /embed/intakes/{id}`: what a customer submits. The server structures
/// the notes into the case's fields itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbedSubmission {
    /// Made by the page before the first attempt (UUID v7): a retry never
    /// makes a second intake.
    pub id: Uuid,
    /// One of the session's assets ([`EmbedAsset::id`]).
    pub asset_id: String,
    /// What is wrong, in the customer's words.
    pub notes: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// SHA-256 of each photo, as the upload answered.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// Why an origin is refused.
pub fn origin_problem(origin: &str) -> Option<String> {
    parse_origin(origin).err()
}

/// An origin as browsers send it: lower-case scheme and host, the port only
/// when not the scheme's default, no trailing slash. `Err` says what to fix.
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let example = "such as https://portal.example.com";
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or_else(|| format!("Write the origin with its scheme, {example}."))?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Err(format!("The origin has no host; write one {example}."));
    }
    if rest.contains(['/', '?', '#', '@', '\\']) || rest.chars().any(char::is_whitespace) {
        return Err(format!(
            "An origin is only scheme, host and port (no path, query or user), {example}."
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => {
            let port: u16 = p
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("The port of {raw} is not a number from 1 to 65535."))?;
            (h.to_ascii_lowercase(), Some(port))
        }
        _ => (rest.to_ascii_lowercase(), None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-']);
    if !host_ok {
        return Err(format!(
            "{host} is not a host name (letters, digits, dots and hyphens), {example}."
        ));
    }
    let local = host == "localhost" || host.starts_with("127.");
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" if local => 80,
        "http" => {
            return Err(format!(
                "A portal must be served over https ({raw} is http); only localhost and \
                 127.0.0.x may use http, for tests."
            ));
        }
        _ => return Err(format!("Use https, {example}.")),
    };
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The longest portal name, in characters.
pub const MAX_PORTAL_NAME_CHARS: usize = 80;

/// The most origins one portal may list.
pub const MAX_PORTAL_ORIGINS: usize = 10;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_like_browsers_send_them() {
        assert_eq!(
            parse_origin("https://Portal.Example.com/").unwrap(),
            "https://portal.example.com"
        );
        assert_eq!(
            parse_origin("https://portal.example.com:443").unwrap(),
            "https://portal.example.com"
        );
        assert_eq!(
            parse_origin("https://portal.example.com:8443").unwrap(),
            "https://portal.example.com:8443"
        );
        assert_eq!(
            parse_origin("http://127.0.0.2:4000").unwrap(),
            "http://127.0.0.2:4000"
        );
        assert_eq!(
            parse_origin("http://localhost").unwrap(),
            "http://localhost"
        );
    }

    #[test]
    fn origins_with_paths_plain_http_or_no_scheme_are_refused() {
        for bad in [
            "portal.example.com",
            "https://portal.example.com/support",
            "https://portal.example.com?x=1",
            "http://portal.example.com",
            "ftp://portal.example.com",
            "https://user@portal.example.com",
            "https://",
            "https://portal.example.com:0",
            "https://portal.example.com:99999",
            "https://por tal.example.com",
            "https://*.example.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was accepted");
        }
        assert!(
            origin_problem("http://portal.example.com")
                .unwrap()
                .contains("https")
        );
    }
}
