//! Command line and environment: every setting has a `--flag` and a
//! `FIELDCASE_*` variable, and a default that works on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use fieldcase_core::wire::Limits;

/// Where `schema import --apply` writes by default, in the data dir.
pub const IMPORTED_SCHEMA_FILE: &str = "schema.json";

/// fieldcase: scan an asset's QR code, describe the problem, submit a case.
#[derive(Debug, Clone, Parser)]
#[command(name = "fieldcase", version, about)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(
        long,
        env = "FIELDCASE_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: SocketAddr,

    /// Directory for the database (by default), photos and thumbnails.
    #[arg(
        long,
        env = "FIELDCASE_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL [default: sqlite://<DATA_DIR>/fieldcase.db]. (Hidden in
    /// `--help`: a server database's URL carries its password.)
    #[arg(
        long,
        env = "FIELDCASE_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<Secret>,

    /// The app's built files (Trunk's `dist/`).
    #[arg(long, env = "FIELDCASE_DIST", default_value = "./dist", global = true)]
    pub dist: PathBuf,

    /// The URL people reach this server at; the base of every QR link
    /// [default: http://<ADDR>].
    #[arg(long, env = "FIELDCASE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// A case schema JSON file [default: the built-in Salesforce Case schema].
    #[arg(long, env = "FIELDCASE_SCHEMA", global = true)]
    pub schema: Option<PathBuf>,

    /// Seed demo assets when there are none, and print their links.
    #[arg(long, env = "FIELDCASE_DEMO", global = true)]
    pub demo: bool,

    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(flatten)]
    pub salesforce: SalesforceArgs,

    #[command(flatten)]
    pub writes: WriteArgs,

    #[command(flatten)]
    pub auth: AuthArgs,

    /// The console's built files (Trunk's `dist-console/`), served at /console/.
    #[arg(
        long,
        env = "FIELDCASE_CONSOLE_DIST",
        default_value = "./dist-console",
        global = true
    )]
    pub console_dist: PathBuf,

    #[command(flatten)]
    pub handoff: crate::handoff::HandoffArgs,

    #[command(flatten)]
    pub mcp: crate::mcp::McpArgs,

    #[command(flatten)]
    pub claude: crate::structurer::ClaudeArgs,
}

/// A secret setting: never shown by `Debug` (so never in a log).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// The Salesforce org approved intakes are written to, and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct SalesforceArgs {
    /// Where people log in: https://login.salesforce.com (production),
    /// https://test.salesforce.com (sandbox) or https://NAME.my.salesforce.com
    /// (My Domain; needed for the client-credentials flow).
    #[arg(
        long = "salesforce-login-url",
        env = "FIELDCASE_SF_LOGIN_URL",
        default_value = "https://login.salesforce.com",
        global = true
    )]
    pub login_url: String,

    /// The connected app's consumer key. Without it approved intakes wait in
    /// the queue and the status page says "not connected".
    #[arg(
        long = "salesforce-client-id",
        env = "FIELDCASE_SF_CLIENT_ID",
        global = true
    )]
    pub client_id: Option<String>,

    /// The connected app's consumer secret (needed for client credentials,
    /// and by apps that require a secret in the web-server flow).
    #[arg(
        long = "salesforce-client-secret",
        env = "FIELDCASE_SF_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<Secret>,

    /// The REST API version, e.g. 64.0.
    #[arg(
        long = "salesforce-api-version",
        env = "FIELDCASE_SF_API_VERSION",
        default_value = "64.0",
        global = true
    )]
    pub api_version: String,

    /// Give up on one Salesforce request after this many seconds.
    #[arg(
        long = "salesforce-timeout-secs",
        env = "FIELDCASE_SF_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub timeout_secs: u64,

    /// The OAuth callback registered in the connected app
    /// [default: <PUBLIC_URL>/admin/salesforce/callback].
    #[arg(
        long = "salesforce-redirect-url",
        env = "FIELDCASE_SF_REDIRECT_URL",
        global = true
    )]
    pub redirect_url: Option<String>,

    /// The OAuth scopes asked for in the web-server flow.
    #[arg(
        long = "salesforce-scope",
        env = "FIELDCASE_SF_SCOPE",
        default_value = "api refresh_token",
        global = true
    )]
    pub scope: String,

    /// The link to a written case; `{instance_url}` and `{id}` are filled in
    /// [default: {instance_url}/lightning/r/Case/{id}/view; with --demo,
    /// the demo org's {instance_url}/cases/{id}].
    #[arg(
        long = "salesforce-record-url",
        env = "FIELDCASE_SF_RECORD_URL",
        global = true
    )]
    pub record_url: Option<String>,

    /// The key that seals stored tokens (Salesforce's, and the assets' link
    /// tokens): base64 of 32 random bytes (`openssl rand -base64 32`).
    /// Without one, <DATA_DIR>/secret.key is used (made on first start).
    /// Keep it: with another key no printed label works, so start-up refuses.
    #[arg(
        long = "secret-key",
        env = "FIELDCASE_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<Secret>,

    /// With --demo: once listening, connect to the (demo) org through the
    /// real authorization-code flow, logging in with the demo credentials.
    #[arg(long = "demo-connect", env = "FIELDCASE_DEMO_CONNECT", global = true)]
    pub demo_connect: bool,

    /// The demo org user --demo-connect logs in as.
    #[arg(
        long = "demo-username",
        env = "FIELDCASE_DEMO_USERNAME",
        default_value = "demo@fieldcase.example",
        global = true
    )]
    pub demo_username: String,

    /// The demo org user's password.
    #[arg(
        long = "demo-password",
        env = "FIELDCASE_DEMO_PASSWORD",
        default_value = "demo",
        hide_env_values = true,
        hide_default_value = true,
        global = true
    )]
    pub demo_password: Secret,
}

/// The write queue: retries and leases.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// First retry delay, in milliseconds; each retry waits a random time up
    /// to twice the last bound (exponential backoff, full jitter).
    #[arg(
        long = "write-retry-base-ms",
        env = "FIELDCASE_WRITE_RETRY_BASE_MS",
        default_value_t = 2_000,
        global = true
    )]
    pub retry_base_ms: u64,

    /// Longest retry delay, in milliseconds.
    #[arg(
        long = "write-retry-max-ms",
        env = "FIELDCASE_WRITE_RETRY_MAX_MS",
        default_value_t = 600_000,
        global = true
    )]
    pub retry_max_ms: u64,

    /// How long a worker's lease on a job (a case write, or a hand-off
    /// delivery) lasts without a heartbeat, in seconds. A live worker renews
    /// it every third of this while it works, however long the work takes;
    /// a crashed worker's job is taken over by another (or by this one,
    /// restarted) once it runs out.
    #[arg(
        long = "write-lease-secs",
        env = "FIELDCASE_WRITE_LEASE_SECS",
        default_value_t = 30,
        global = true
    )]
    pub lease_secs: u64,

    /// How often an idle worker looks for due writes, in milliseconds.
    #[arg(
        long = "write-poll-ms",
        env = "FIELDCASE_WRITE_POLL_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub poll_ms: u64,
}

/// Staff sessions and sign-in limits.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// Sign a staff member out after this many minutes without a request.
    #[arg(
        long = "session-idle-mins",
        env = "FIELDCASE_SESSION_IDLE_MINS",
        default_value_t = 60,
        global = true
    )]
    pub session_idle_mins: u64,

    /// Sign a staff member out this many hours after signing in, whatever happens.
    #[arg(
        long = "session-max-hours",
        env = "FIELDCASE_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_max_hours: u64,

    /// Sign-in attempts a minute for one account.
    #[arg(
        long = "sign-in-per-account",
        env = "FIELDCASE_SIGN_IN_PER_ACCOUNT",
        default_value_t = 5,
        global = true
    )]
    pub sign_in_per_account: u32,

    /// Sign-in attempts a minute from one client address.
    #[arg(
        long = "sign-in-per-address",
        env = "FIELDCASE_SIGN_IN_PER_ADDRESS",
        default_value_t = 20,
        global = true
    )]
    pub sign_in_per_address: u32,
}

/// What one client may ask of the server, and for how long: connections,
/// timeouts, rate limits, quotas, the photo decoding budget, the sweeper.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Seconds a client has to send a request's headers; also how long an
    /// idle keep-alive connection waits for its next request.
    #[arg(
        long,
        env = "FIELDCASE_HEADER_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_timeout_secs: u64,

    /// Seconds a connection may move no byte either way before it is closed.
    #[arg(
        long,
        env = "FIELDCASE_IDLE_TIMEOUT_SECS",
        default_value_t = 60,
        global = true
    )]
    pub idle_timeout_secs: u64,

    /// Seconds a request body may pause between two pieces.
    #[arg(
        long,
        env = "FIELDCASE_BODY_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub body_timeout_secs: u64,

    /// Seconds a whole request may take, its body included (photo uploads:
    /// --upload-timeout-secs).
    #[arg(
        long,
        env = "FIELDCASE_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Seconds a whole photo upload may take (a slow 3G phone sends 15 MB in
    /// about 3 minutes).
    #[arg(
        long,
        env = "FIELDCASE_UPLOAD_TIMEOUT_SECS",
        default_value_t = 300,
        global = true
    )]
    pub upload_timeout_secs: u64,

    /// Open connections at most; more are answered 503 and closed.
    #[arg(
        long,
        env = "FIELDCASE_MAX_CONNECTIONS",
        default_value_t = 4096,
        global = true
    )]
    pub max_connections: usize,

    /// Open connections at most from one client address.
    #[arg(
        long,
        env = "FIELDCASE_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256,
        global = true
    )]
    pub max_connections_per_address: usize,

    /// Requests handled at once at most; more are answered 503 with Retry-After.
    #[arg(
        long,
        env = "FIELDCASE_MAX_IN_FLIGHT",
        default_value_t = 512,
        global = true
    )]
    pub max_in_flight: usize,

    /// Reverse proxies whose X-Forwarded-For names the client (comma-separated
    /// addresses); without it, the peer's address is the client's.
    #[arg(
        long,
        env = "FIELDCASE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Photo uploads a minute through one asset's link.
    #[arg(
        long,
        env = "FIELDCASE_UPLOADS_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub uploads_per_minute: u32,

    /// Photo uploads a minute from one client address.
    #[arg(
        long,
        env = "FIELDCASE_UPLOADS_PER_MINUTE_PER_ADDRESS",
        default_value_t = 120,
        global = true
    )]
    pub uploads_per_minute_per_address: u32,

    /// Megabytes of photos an hour through one asset's link.
    #[arg(
        long,
        env = "FIELDCASE_UPLOAD_MB_PER_HOUR",
        default_value_t = 300,
        global = true
    )]
    pub upload_mb_per_hour: u32,

    /// Submissions a minute through one asset's link.
    #[arg(
        long,
        env = "FIELDCASE_SUBMISSIONS_PER_MINUTE",
        default_value_t = 10,
        global = true
    )]
    pub submissions_per_minute: u32,

    /// Notes structured on the server a minute through one asset's link
    /// (each may be a paid call to Claude).
    #[arg(
        long,
        env = "FIELDCASE_STRUCTURINGS_PER_MINUTE",
        default_value_t = 20,
        global = true
    )]
    pub structurings_per_minute: u32,

    /// Submissions a minute from one client address.
    #[arg(
        long,
        env = "FIELDCASE_SUBMISSIONS_PER_MINUTE_PER_ADDRESS",
        default_value_t = 60,
        global = true
    )]
    pub submissions_per_minute_per_address: u32,

    /// Megabytes of memory photo decoding may use at once; a photo that
    /// needs more than all of it is refused.
    #[arg(
        long,
        env = "FIELDCASE_DECODE_MEMORY_MB",
        default_value_t = 256,
        global = true
    )]
    pub decode_memory_mb: u64,

    /// Seconds a photo waits for decoding memory before the upload is
    /// answered busy (503).
    #[arg(
        long,
        env = "FIELDCASE_DECODE_WAIT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub decode_wait_secs: u64,

    /// Minutes after its last upload a photo no intake uses is deleted.
    #[arg(
        long,
        env = "FIELDCASE_UNUSED_PHOTO_MINS",
        default_value_t = 1440,
        global = true
    )]
    pub unused_photo_mins: u64,

    /// Seconds between two sweeps for unused photos and stale uploads.
    #[arg(
        long,
        env = "FIELDCASE_SWEEP_EVERY_SECS",
        default_value_t = 600,
        global = true
    )]
    pub sweep_every_secs: u64,
}

/// Upload and size limits (told to the app, enforced by the server).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest photo, in bytes.
    #[arg(long, env = "FIELDCASE_MAX_PHOTO_BYTES", global = true,
          default_value_t = Limits::default().max_photo_bytes)]
    pub max_photo_bytes: u64,

    /// Most photos on one intake.
    #[arg(long, env = "FIELDCASE_MAX_PHOTOS", global = true,
          default_value_t = Limits::default().max_photos)]
    pub max_photos: u32,

    /// Largest total of an intake's photos, in bytes.
    #[arg(long, env = "FIELDCASE_MAX_INTAKE_PHOTO_BYTES", global = true,
          default_value_t = Limits::default().max_intake_photo_bytes)]
    pub max_intake_photo_bytes: u64,

    /// Largest photo in pixels (width × height).
    #[arg(long, env = "FIELDCASE_MAX_PHOTO_PIXELS", global = true,
          default_value_t = Limits::default().max_photo_pixels)]
    pub max_photo_pixels: u64,

    /// Longest notes, in characters.
    #[arg(long, env = "FIELDCASE_MAX_NOTES_CHARS", global = true,
          default_value_t = Limits::default().max_notes_chars)]
    pub max_notes_chars: u32,
}

impl From<&LimitArgs> for Limits {
    fn from(a: &LimitArgs) -> Self {
        Limits {
            max_photo_bytes: a.max_photo_bytes,
            max_photos: a.max_photos,
            max_intake_photo_bytes: a.max_intake_photo_bytes,
            max_photo_pixels: a.max_photo_pixels,
            max_notes_chars: a.max_notes_chars,
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Assets and their QR links.
    #[command(subcommand)]
    Assets(AssetsCommand),
    /// Submitted intakes.
    #[command(subcommand)]
    Intakes(IntakesCommand),
    /// Staff accounts (admins and dispatchers).
    #[command(subcommand)]
    Users(UsersCommand),
    /// The case schema.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Customer portals that embed the intake form.
    #[command(subcommand)]
    Portals(PortalsCommand),
    /// The connected Salesforce org.
    #[command(subcommand)]
    Salesforce(SalesforceCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum SalesforceCommand {
    /// The preflight: check that the connected org can take every field the
    /// schema would write (exists, createable by the connected user, type and
    /// length), that the intake key is a unique external ID and that photos
    /// can be filed; say sandbox or production. One line per problem, each
    /// saying what to fix in Salesforce Setup; exits non-zero when any.
    Check,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PortalsCommand {
    /// Register a portal and print its shared secret (shown this once; the
    /// portal's server signs embed tokens with it).
    Add {
        /// The portal's name, shown to staff (e.g. "Customer support portal").
        #[arg(long)]
        name: String,
        /// An origin the portal is served from, e.g. https://portal.example.com
        /// (repeat for several).
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// Print every portal with its origins and whether it is enabled.
    List,
    /// Disable a portal: its tokens and open forms stop working at once.
    Disable {
        /// The portal's id, as `portals list` prints it.
        id: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum SchemaCommand {
    /// Read Case's describe from the connected org, print how it differs from
    /// the current schema, and with --apply write the new schema.
    Import {
        /// Write the imported schema (to --out, or --schema, or
        /// <DATA_DIR>/schema.json, which `serve` then uses).
        #[arg(long)]
        apply: bool,
        /// Where --apply writes.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AssetsCommand {
    /// Print every asset with its QR link and QR image URLs.
    List,
    /// Deactivate a link token: its QR code stops working at once.
    Revoke {
        /// The token, as in the link `/a/<TOKEN>`.
        token: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum UsersCommand {
    /// Make an account. The password is read from standard input (typed at a
    /// prompt on a terminal; the first line otherwise), never from an argument.
    Add {
        /// `admin` or `dispatcher`.
        #[arg(long, value_parser = ["admin", "dispatcher"])]
        role: String,
        /// The name shown in the console and the audit trail [default: the e-mail].
        #[arg(long)]
        name: Option<String>,
        /// The e-mail address the person signs in with.
        email: String,
    },
    /// Print every account with its role.
    List,
}

#[derive(Debug, Clone, Subcommand)]
pub enum IntakesCommand {
    /// Print every intake with its status, reference, fields and photos.
    List {
        /// One JSON array instead of text.
        #[arg(long, env = "FIELDCASE_JSON")]
        json: bool,
    },
}

impl Config {
    pub fn limits(&self) -> Limits {
        Limits::from(&self.limits)
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}",
                self.data_dir.join("fieldcase.db").to_string_lossy()
            ),
        }
    }

    /// The schema file `serve` reads: `--schema`, else
    /// `<DATA_DIR>/schema.json` when an import wrote one.
    pub fn schema_path(&self) -> Option<PathBuf> {
        match &self.schema {
            Some(path) => Some(path.clone()),
            None => {
                let imported = self.data_dir.join(IMPORTED_SCHEMA_FILE);
                imported.is_file().then_some(imported)
            }
        }
    }

    /// The public base URL without a trailing slash; `bound` is the address
    /// actually listened on (which differs from `addr` when the port is 0).
    pub fn public_url(&self, bound: SocketAddr) -> String {
        let url = match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{bound}"),
        };
        url.trim_end_matches('/').to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_subcommands_parse() {
        let c = Config::try_parse_from(["fieldcase"]).unwrap();
        assert!(c.command.is_none(), "serve is the default");
        assert_eq!(c.limits(), Limits::default());
        assert_eq!(
            c.writes.lease_secs, 30,
            "a crashed worker's job is taken over within 30 s"
        );

        let c =
            Config::try_parse_from(["fieldcase", "intakes", "list", "--json", "--data-dir", "/x"])
                .unwrap();
        assert!(matches!(
            c.command,
            Some(Command::Intakes(IntakesCommand::List { json: true }))
        ));
        assert_eq!(c.database_url(), "sqlite:///x/fieldcase.db");

        let c = Config::try_parse_from([
            "fieldcase",
            "--public-url",
            "https://fc.example/",
            "assets",
            "revoke",
            "ABC",
        ])
        .unwrap();
        assert_eq!(
            c.public_url("127.0.0.1:1".parse().unwrap()),
            "https://fc.example"
        );
    }

    #[test]
    fn salesforce_and_queue_settings_parse_and_secrets_stay_hidden() {
        let c = Config::try_parse_from(["fieldcase"]).unwrap();
        assert_eq!(c.salesforce.login_url, "https://login.salesforce.com");
        assert!(c.salesforce.client_id.is_none() && c.salesforce.secret_key.is_none());
        assert_eq!(c.writes.retry_base_ms, 2_000);
        assert_eq!(c.writes.retry_max_ms, 600_000);

        let c = Config::try_parse_from([
            "fieldcase",
            "serve",
            "--salesforce-login-url",
            "https://acme.my.salesforce.com",
            "--salesforce-client-id",
            "3MVG9",
            "--salesforce-client-secret",
            "very-secret",
            "--secret-key",
            "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0=",
            "--demo-connect",
            "--write-retry-base-ms",
            "5",
        ])
        .unwrap();
        assert_eq!(c.salesforce.client_id.as_deref(), Some("3MVG9"));
        assert_eq!(
            c.salesforce.client_secret.as_ref().map(Secret::expose),
            Some("very-secret")
        );
        assert!(c.salesforce.demo_connect);
        assert_eq!(c.writes.retry_base_ms, 5);
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("a2V5LWtle"), "{shown}");
        assert!(!shown.contains("demo\""), "the demo password: {shown}");
    }

    #[test]
    fn an_imported_schema_in_the_data_dir_is_used_unless_one_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().display().to_string();
        let c = Config::try_parse_from(["fieldcase", "--data-dir", &data]).unwrap();
        assert_eq!(c.schema_path(), None);
        std::fs::write(dir.path().join(IMPORTED_SCHEMA_FILE), "{}").unwrap();
        assert_eq!(c.schema_path(), Some(dir.path().join(IMPORTED_SCHEMA_FILE)));
        let c = Config::try_parse_from(["fieldcase", "--data-dir", &data, "--schema", "/s.json"])
            .unwrap();
        assert_eq!(c.schema_path(), Some(PathBuf::from("/s.json")));
    }
}
