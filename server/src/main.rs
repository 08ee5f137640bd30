//! `fieldcase`: parse the settings, start logging, run the command.

use std::process::ExitCode;

use clap::Parser;
use fieldcase_server::config::Config;
use fieldcase_server::{commands, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init();
    match commands::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fieldcase: {e}");
            ExitCode::FAILURE
        }
    }
}
