//! Command line and environment: every setting has a `--flag` and a
//! `DEMO_ORG_*` variable, and a default that works on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use url::Url;

use crate::error::Error;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8099";
pub const DEFAULT_DATA_DIR: &str = "./demo-org-data";
pub const DEFAULT_CLIENT_ID: &str = "fieldcase-demo";
pub const DEFAULT_CLIENT_SECRET: &str = "demo-secret";
pub const DEFAULT_REDIRECT_URIS: &str = "http://127.0.0.1:8080/admin/salesforce/callback,http://localhost:8080/admin/salesforce/callback";
pub const DEFAULT_USERNAME: &str = "demo@fieldcase.example";
pub const DEFAULT_PASSWORD: &str = "demo";
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 2 * 60 * 60;
pub const DEFAULT_API_LIMIT: u64 = 100_000;
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// A local Salesforce-compatible org for fieldcase demos and tests.
#[derive(Clone, Parser)]
#[command(name = "demo-org", version, about)]
pub struct Config {
    /// Address to listen on (port 0: any free port).
    #[arg(long, env = "DEMO_ORG_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,

    /// Directory for the org's database (records, files, tokens).
    #[arg(long, env = "DEMO_ORG_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,

    /// The URL clients reach the org at: the token responses' `instance_url`
    /// and the login host [default: http://<ADDR>].
    #[arg(long, env = "DEMO_ORG_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The connected app's consumer key.
    #[arg(long, env = "DEMO_ORG_CLIENT_ID", default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,

    /// The connected app's consumer secret.
    #[arg(long, env = "DEMO_ORG_CLIENT_SECRET", default_value = DEFAULT_CLIENT_SECRET, hide_env_values = true, hide_default_value = true)]
    pub client_secret: String,

    /// The connected app's callback URLs, comma-separated (https, or http on
    /// a loopback host).
    #[arg(long, env = "DEMO_ORG_REDIRECT_URIS", value_delimiter = ',', default_value = DEFAULT_REDIRECT_URIS)]
    pub redirect_uris: Vec<String>,

    /// The demo user's username.
    #[arg(long, env = "DEMO_ORG_USERNAME", default_value = DEFAULT_USERNAME)]
    pub username: String,

    /// The demo user's password.
    #[arg(long, env = "DEMO_ORG_PASSWORD", default_value = DEFAULT_PASSWORD, hide_env_values = true, hide_default_value = true)]
    pub password: String,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "DEMO_ORG_TOKEN_TTL_SECS", default_value_t = DEFAULT_TOKEN_TTL_SECS)]
    pub token_ttl_secs: u64,

    /// The org's API request limit (the M of `Sforce-Limit-Info: api-usage=N/M`).
    #[arg(long, env = "DEMO_ORG_API_LIMIT", default_value_t = DEFAULT_API_LIMIT)]
    pub api_limit: u64,

    /// Largest request body (file uploads), in bytes.
    #[arg(long, env = "DEMO_ORG_MAX_UPLOAD_BYTES", default_value_t = DEFAULT_MAX_UPLOAD_BYTES)]
    pub max_upload_bytes: usize,

    /// Answer `IsSandbox = true` for the Organization (a sandbox rather
    /// than a production org).
    #[arg(long, env = "DEMO_ORG_SANDBOX")]
    pub sandbox: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: DEFAULT_ADDR
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8099))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            public_url: None,
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            redirect_uris: DEFAULT_REDIRECT_URIS
                .split(',')
                .map(str::to_string)
                .collect(),
            username: DEFAULT_USERNAME.into(),
            password: DEFAULT_PASSWORD.into(),
            token_ttl_secs: DEFAULT_TOKEN_TTL_SECS,
            api_limit: DEFAULT_API_LIMIT,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            sandbox: false,
        }
    }
}

impl Config {
    /// Defaults, listening on any free loopback port and keeping its data in
    /// `data_dir`: what tests in other crates start.
    pub fn for_tests(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            ..Config::default()
        }
    }

    /// The callback URLs, checked: absolute, without a fragment, and https
    /// unless the host is loopback (Salesforce allows http only for localhost).
    pub fn checked_redirect_uris(&self) -> Result<Vec<Url>, Error> {
        let mut out = Vec::new();
        for raw in self
            .redirect_uris
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            let url =
                Url::parse(raw).map_err(|e| Error::Config(format!("redirect URI {raw:?}: {e}")))?;
            if url.fragment().is_some() {
                return Err(Error::Config(format!(
                    "redirect URI {raw:?} has a fragment"
                )));
            }
            match url.scheme() {
                "https" => {}
                "http" if is_loopback(&url) => {}
                _ => {
                    return Err(Error::Config(format!(
                        "redirect URI {raw:?} must be https, or http on a loopback host"
                    )));
                }
            }
            out.push(url);
        }
        if out.is_empty() {
            return Err(Error::Config("no redirect URIs configured".into()));
        }
        Ok(out)
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

// By hand, so the secret and the password never reach a log.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("public_url", &self.public_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uris", &self.redirect_uris)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("api_limit", &self.api_limit)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .finish()
    }
}
