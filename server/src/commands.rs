//! What each subcommand does: `serve` (the default), `assets list`,
//! `assets revoke <TOKEN>`, `intakes list [--json]`.
//!
//! These print to stdout for the operator (links carry tokens: that is their
//! point); logs go to stderr.

use fieldcase_core::AssetToken;

use crate::config::{AssetsCommand, Command, Config, IntakesCommand};
use crate::startup::{Application, StartupError, open_store, shutdown_signal};
use crate::{demo, qr};

pub async fn run(config: Config) -> Result<(), StartupError> {
    match config.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Assets(AssetsCommand::List) => assets_list(&config).await,
        Command::Assets(AssetsCommand::Revoke { token }) => assets_revoke(&config, &token).await,
        Command::Intakes(IntakesCommand::List { json }) => intakes_list(&config, json).await,
    }
}

async fn serve(config: &Config) -> Result<(), StartupError> {
    let app = Application::build(config).await?;
    if config.demo {
        for link in demo::links(app.store(), app.public_url()).await? {
            println!("{}\n  link: {}\n  qr:   {}", link.name, link.link, link.qr);
        }
        println!(
            "(also in {})",
            config.data_dir.join(demo::LINKS_FILE).display()
        );
    }
    println!("fieldcase listening on http://{}", app.local_addr());
    app.run_until_stopped(shutdown_signal())
        .await
        .map_err(StartupError::io("serving"))
}

async fn assets_list(config: &Config) -> Result<(), StartupError> {
    let store = open_store(config).await?;
    let public_url = config.public_url(config.addr);
    let assets = store.list_assets().await?;
    if assets.is_empty() {
        println!("No assets yet. Start with --demo to add six demo assets.");
    }
    for a in assets {
        let state = if a.active { "active" } else { "revoked" };
        println!(
            "{} — {}, {} ({state})\n  link: {}\n  qr:   {}",
            a.view.name,
            a.view.account_name,
            a.view.site,
            qr::link(&public_url, &a.view.token),
            qr::image_url(&public_url, &a.view.token),
        );
    }
    Ok(())
}

async fn assets_revoke(config: &Config, raw: &str) -> Result<(), StartupError> {
    let token = AssetToken::parse(raw)
        .map_err(|e| StartupError::Usage(format!("{raw:?} is not an asset code: {e}")))?;
    let store = open_store(config).await?;
    if store.revoke_token(&token).await? {
        println!("Revoked. Its QR code now answers “This code is not active”.");
        Ok(())
    } else {
        Err(StartupError::Usage(
            "No active asset code matches; it is unknown or already revoked. \
             `fieldcase assets list` shows every code."
                .to_owned(),
        ))
    }
}

async fn intakes_list(config: &Config, json: bool) -> Result<(), StartupError> {
    let store = open_store(config).await?;
    let intakes = store.list_intakes().await?;
    if json {
        let text = serde_json::to_string_pretty(&intakes)
            .map_err(|e| StartupError::Usage(format!("encoding intakes: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    if intakes.is_empty() {
        println!("No intakes yet.");
    }
    for i in intakes {
        println!(
            "{}  {}  {}  {}  ({})",
            i.reference, i.status, i.created_at, i.asset_name, i.id
        );
        if let Some(fields) = i.fields.as_object() {
            for (name, value) in fields {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                println!("  {name}: {value}");
            }
        }
        for sha in &i.photos {
            println!("  photo: {sha}");
        }
    }
    Ok(())
}
