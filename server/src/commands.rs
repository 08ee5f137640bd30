//! What each subcommand does: `serve` (the default), `assets list`,
//! `assets revoke <TOKEN>`, `intakes list [--json]`,
//! `schema import [--apply] [--out PATH]`, `portals add|list|disable`.
//!
//! These print to stdout for the operator (links carry tokens: that is their
//! point); logs go to stderr.

use fieldcase_core::AssetToken;
use fieldcase_core::text::printable;

use std::sync::Arc;

use crate::config::{
    AssetsCommand, Command, Config, IMPORTED_SCHEMA_FILE, IntakesCommand, PortalsCommand,
    SalesforceCommand, SchemaCommand, UsersCommand,
};
use crate::salesforce::schema_import;
use crate::startup::{
    Application, StartupError, connector, load_schema, open_store, shutdown_signal,
};
use crate::{demo, qr};

pub async fn run(config: Config) -> Result<(), StartupError> {
    match config.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Assets(AssetsCommand::List) => assets_list(&config).await,
        Command::Assets(AssetsCommand::Revoke { token }) => assets_revoke(&config, &token).await,
        Command::Intakes(IntakesCommand::List { json }) => intakes_list(&config, json).await,
        Command::Users(UsersCommand::Add { role, name, email }) => {
            users_add(&config, &role, name.as_deref(), &email).await
        }
        Command::Users(UsersCommand::List) => users_list(&config).await,
        Command::Schema(SchemaCommand::Import { apply, out }) => {
            schema_import(&config, apply, out).await
        }
        Command::Salesforce(SalesforceCommand::Check) => salesforce_check(&config).await,
        Command::Portals(PortalsCommand::Add { name, origins }) => {
            portals_add(&config, &name, origins).await
        }
        Command::Portals(PortalsCommand::List) => portals_list(&config).await,
        Command::Portals(PortalsCommand::Disable { id }) => portals_disable(&config, &id).await,
    }
}

/// Who the audit log names for a change made with the CLI.
fn operator() -> crate::store::Actor {
    crate::store::Actor::new(fieldcase_core::console::ActorKind::Admin, "command line")
}

async fn portals_add(
    config: &Config,
    name: &str,
    origins: Vec<String>,
) -> Result<(), StartupError> {
    let store = open_store(config).await?;
    let body = fieldcase_core::embed::NewPortal {
        name: name.to_owned(),
        origins,
    };
    let made = crate::http::portals::register(&store, &operator(), &body)
        .await
        .map_err(|e| StartupError::Usage(format!("{} Nothing was made.", problems(&e))))?;
    let public_url = config.public_url(config.addr);
    println!(
        "Portal {} — enabled\n  id:      {}\n  origins: {}\n  secret:  {}\n  (the secret is shown \
         this once; the portal's server signs embed tokens with it, HS256)\n  iframe:  \
         {public_url}/embed/{}?origin=<ORIGIN>&t=<TOKEN>",
        printable(&made.portal.name),
        made.portal.id,
        made.portal.origins.join(" "),
        made.secret,
        made.portal.id,
    );
    Ok(())
}

/// An error's message with its field problems, for the terminal.
fn problems(e: &crate::error::Error) -> String {
    match e {
        crate::error::Error::Validation { message, fields } => {
            let detail: Vec<String> = fields.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{message} {}", detail.join(" "))
        }
        e => e.public_message(),
    }
}

async fn portals_list(config: &Config) -> Result<(), StartupError> {
    let store = open_store(config).await?;
    let portals = store.list_portals().await?;
    if portals.is_empty() {
        println!("No portals yet. Register one with `fieldcase portals add`.");
    }
    for p in portals {
        let state = if p.enabled { "enabled" } else { "disabled" };
        println!(
            "{} — {} ({state})\n  origins: {}",
            p.id,
            printable(&p.name),
            p.origins.join(" ")
        );
    }
    Ok(())
}

async fn portals_disable(config: &Config, id: &str) -> Result<(), StartupError> {
    let id: uuid::Uuid = id.parse().map_err(|_| {
        StartupError::Usage(format!("{id:?} is not a portal id; see `portals list`"))
    })?;
    let store = open_store(config).await?;
    let portal = crate::http::portals::disable_portal(&store, &operator(), &id)
        .await
        .map_err(|e| StartupError::Usage(problems(&e)))?;
    println!(
        "Portal {} — {} is disabled.",
        portal.id,
        printable(&portal.name)
    );
    Ok(())
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
        println!(
            "Dispatcher console: {}/console/\n  admin:      {} / {}\n  dispatcher: {} / {}",
            app.public_url(),
            demo::DEMO_ADMIN_EMAIL,
            demo::DEMO_STAFF_PASSWORD,
            demo::DEMO_DISPATCHER_EMAIL,
            demo::DEMO_STAFF_PASSWORD
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

/// `users add --role ROLE EMAIL`: the password from a prompt (a terminal)
/// or the first line of standard input; never an argument, so never in the
/// shell's history or the process list.
async fn users_add(
    config: &Config,
    role: &str,
    name: Option<&str>,
    email: &str,
) -> Result<(), StartupError> {
    use std::io::IsTerminal;
    let role = fieldcase_core::console::Role::parse(role)
        .ok_or_else(|| StartupError::Usage(format!("unknown role {role:?}")))?;
    if !crate::http::users::plausible_email(email) {
        return Err(StartupError::Usage(format!(
            "{email:?} is not an e-mail address; give the address the person signs in with"
        )));
    }
    let name = crate::http::users::person_name(name.unwrap_or(email))
        .map_err(|problem| StartupError::Usage(format!("{problem} Nothing was made.")))?;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")
            .map_err(StartupError::io("reading the password"))?;
        let again = rpassword::prompt_password("Again: ")
            .map_err(StartupError::io("reading the password"))?;
        if first != again {
            return Err(StartupError::Usage(
                "the two passwords differ; nothing was made".into(),
            ));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(StartupError::io("reading the password from standard input"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if let Some(problem) = crate::auth::password_problem(&password) {
        return Err(StartupError::Usage(format!("{problem} Nothing was made.")));
    }
    let hash = crate::auth::hash_password(&password)
        .await
        .map_err(|e| StartupError::Usage(e.to_string()))?;
    let store = open_store(config).await?;
    let Some(user) = store.create_user(email, &name, role, &hash).await? else {
        return Err(StartupError::Usage(format!(
            "{email} has an account already; nothing was changed"
        )));
    };
    let actor = crate::store::Actor::new(
        fieldcase_core::console::ActorKind::System,
        "fieldcase users add",
    );
    store
        .record_event(
            &actor,
            "user_created",
            &serde_json::json!({ "email": user.email, "role": user.role.as_str() }),
        )
        .await?;
    println!(
        "Made {} ({}). They sign in at {}/console/.",
        user.email,
        user.role.as_str(),
        config.public_url(config.addr)
    );
    Ok(())
}

async fn users_list(config: &Config) -> Result<(), StartupError> {
    let store = open_store(config).await?;
    let users = store.list_users().await?;
    if users.is_empty() {
        println!(
            "No accounts yet. Make the first admin with `fieldcase users add --role admin EMAIL`."
        );
    }
    for u in users {
        let state = if u.active { "" } else { " (disabled)" };
        // Names and addresses stored before text hygiene existed may still
        // hold bidi or control characters: shown escaped, never raw.
        println!(
            "{}  {}  {}{state}",
            printable(&u.email),
            u.role.as_str(),
            printable(&u.name)
        );
    }
    Ok(())
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
        let case = i
            .case_number
            .as_deref()
            .map(|n| format!("  case {n}"))
            .unwrap_or_default();
        println!(
            "{}  {}{case}  {}  {}  ({})",
            i.reference,
            i.status.as_str(),
            i.created_at,
            printable(&i.asset_name),
            i.id
        );
        if let Some(fields) = i.fields.as_object() {
            for (name, value) in fields {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                println!("  {name}: {}", printable(&value));
            }
        }
        for sha in &i.photos {
            println!("  photo: {sha}");
        }
    }
    Ok(())
}

/// `salesforce check`: the connection preflight, printed one problem per
/// line (and kept as the connection's last preflight, as the admin page's).
async fn salesforce_check(config: &Config) -> Result<(), StartupError> {
    let schema = load_schema(config)?;
    let store = open_store(config).await?;
    let public_url = config.public_url(config.addr);
    let salesforce = connector(config, &public_url, store, Arc::default())?;
    let actor = crate::store::Actor::new(fieldcase_core::console::ActorKind::System, "cli");
    let report = salesforce
        .preflight(&schema, None, &actor)
        .await
        .map_err(|e| StartupError::Usage(format!("the preflight could not run: {e}")))?;
    println!(
        "{} ({}): {} Case fields checked.",
        report.login_url,
        report.environment.as_str(),
        report.fields_checked
    );
    if report.passed {
        println!("Preflight passed: the org can take everything fieldcase would write.");
        return Ok(());
    }
    for line in &report.problems {
        println!("  - {}", printable(line));
    }
    Err(StartupError::Usage(format!(
        "the preflight found {} problem(s): fix them in Salesforce Setup, then run it again",
        report.problems.len()
    )))
}

/// `schema import`: Case's describe from the connected org → the case
/// schema; print the differences from the current one; write it with
/// `--apply`.
async fn schema_import(
    config: &Config,
    apply: bool,
    out: Option<std::path::PathBuf>,
) -> Result<(), StartupError> {
    let current = load_schema(config)?;
    let store = open_store(config).await?;
    let public_url = config.public_url(config.addr);
    let salesforce = connector(config, &public_url, store, Arc::default())?;
    let describe = salesforce
        .describe(&current.object)
        .await
        .map_err(|e| StartupError::Usage(format!("reading {}'s describe: {e}", current.object)))?;
    let imported =
        schema_import::schema_from_describe(&describe, &current).map_err(StartupError::Usage)?;
    let changes = current.diff(&imported.schema);
    if changes.is_empty() {
        println!("The org's {} matches the current schema.", current.object);
    } else {
        println!("Changes from the current schema ({}):", changes.len());
        for change in &changes {
            println!("  {change}");
        }
    }
    for note in &imported.notes {
        println!("  note: {note}");
    }
    if !apply {
        if !changes.is_empty() {
            println!("Nothing written. Run again with --apply to use the imported schema.");
        }
        return Ok(());
    }
    let path = out
        .or_else(|| config.schema.clone())
        .unwrap_or_else(|| config.data_dir.join(IMPORTED_SCHEMA_FILE));
    let json = serde_json::to_string_pretty(&imported.schema)
        .map_err(|e| StartupError::Usage(format!("encoding the schema: {e}")))?;
    std::fs::write(&path, json + "\n")
        .map_err(StartupError::io(format!("writing {}", path.display())))?;
    println!(
        "Wrote {}. Restart `fieldcase serve` to use it{}.",
        path.display(),
        if config.schema.is_none() && path == config.data_dir.join(IMPORTED_SCHEMA_FILE) {
            " (it reads <data-dir>/schema.json when --schema is not given)"
        } else {
            ""
        }
    );
    Ok(())
}
