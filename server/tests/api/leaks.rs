//! Nothing leaks (issue 7): secrets stay out of `--help`, tokens out of the
//! database, Salesforce's words out of a technician's screen, query text out
//! of pages; files are private; every response carries the security headers.

/// Every secret-bearing setting, with a value an attacker would look for.
const SECRET_ENV: &[(&str, &str)] = &[
    ("FIELDCASE_SMTP_PASSWORD", "smtp-pass-5f1d"),
    ("FIELDCASE_SF_CLIENT_SECRET", "client-secret-9a7c"),
    (
        "FIELDCASE_SECRET_KEY",
        "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=",
    ),
    ("FIELDCASE_DEMO_PASSWORD", "demo-pass-3e2b"),
    (
        "FIELDCASE_DATABASE_URL",
        "postgres://fieldcase:db-pass-77aa@db.example/fieldcase",
    ),
];

#[test]
fn help_does_not_print_secrets_from_the_environment() {
    for args in [&["--help"][..], &["serve", "--help"], &["assets", "--help"]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
            .args(args)
            .envs(SECRET_ENV.iter().copied())
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("--smtp-password"), "{help}");
        for (name, value) in SECRET_ENV {
            assert!(help.contains(name), "{name} is documented: {help}");
            assert!(!help.contains(value), "{name}'s value in {args:?}: {help}");
        }
    }
}

#[test]
fn the_configurations_debug_redacts_every_secret() {
    use clap::Parser;
    let mut args = vec!["fieldcase".to_owned()];
    for (flag, (_, value)) in [
        "--smtp-password",
        "--salesforce-client-secret",
        "--secret-key",
        "--demo-password",
        "--database-url",
    ]
    .iter()
    .zip(SECRET_ENV)
    {
        args.extend([(*flag).to_owned(), (*value).to_owned()]);
    }
    let config = fieldcase_server::config::Config::try_parse_from(args).unwrap();
    let shown = format!("{config:?} {config:#?}");
    for (name, value) in SECRET_ENV {
        assert!(!shown.contains(value), "{name}: {shown}");
    }
}
