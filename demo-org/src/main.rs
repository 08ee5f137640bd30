//! `demo-org`: a local Salesforce-compatible org for fieldcase.

use std::process::ExitCode;

use clap::Parser as _;
use fieldcase_demo_org::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match fieldcase_demo_org::run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-org: {e}");
            ExitCode::FAILURE
        }
    }
}
