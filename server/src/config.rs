//! Command line and environment: every setting has a `--flag` and a
//! `FIELDCASE_*` variable, and a default that works on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use fieldcase_core::wire::Limits;

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

    /// Database URL [default: sqlite://<DATA_DIR>/fieldcase.db].
    #[arg(long, env = "FIELDCASE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

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
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}",
                self.data_dir.join("fieldcase.db").to_string_lossy()
            ),
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
}
