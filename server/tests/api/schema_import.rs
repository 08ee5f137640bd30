//! `fieldcase schema import`: Case's describe from the connected (demo) org,
//! the differences from the current schema, and `--apply`.

use std::path::Path;
use std::process::Output;

use fieldcase_core::CaseSchema;
use serde_json::{Value, json};

use crate::helpers::{ORG_CLIENT_ID, ORG_CLIENT_SECRET, TestApp, TestOrg, spawn_app_with_org};

fn import(app: &TestApp, org: &TestOrg, extra: &[&str]) -> Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .args(["schema", "import", "--data-dir"])
        .arg(app.data())
        .args(["--salesforce-login-url", &org.base])
        .args(["--salesforce-client-id", ORG_CLIENT_ID])
        .args(["--salesforce-client-secret", ORG_CLIENT_SECRET])
        .args(["--secret-key", app.secret_key.as_deref().unwrap()])
        .args(extra)
        .env_remove("FIELDCASE_SCHEMA")
        .env_remove("FIELDCASE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn edited_default_schema(dir: &Path) -> String {
    let mut schema: Value =
        serde_json::from_str(fieldcase_core::schema::DEFAULT_SCHEMA_JSON).unwrap();
    let fields = schema["fields"].as_array_mut().unwrap();
    fields.retain(|f| f["name"] != "Meter_Reading__c");
    for f in fields.iter_mut() {
        if f["name"] == "Priority" {
            f["values"] = json!([{"value": "High"}, {"value": "Medium"}, {"value": "Urgent"}]);
        }
        if f["name"] == "Subject" {
            f["max_length"] = json!(100);
        }
        if f["name"] == "SuppliedName" {
            f["label"] = json!("Technician");
        }
    }
    let path = dir.join("current.json");
    std::fs::write(&path, schema.to_string()).unwrap();
    path.display().to_string()
}

// Multi-threaded: the test blocks on the CLI while the org (in this process) answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_orgs_describe_is_diffed_against_the_schema_and_applied_on_request() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;

    // The built-in schema mirrors the demo org.
    let out = import(&app, &org, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(text.contains("matches the current schema"), "{text}");

    // A schema that drifted from the org: the differences, before anything is written.
    let dir = tempfile::tempdir().unwrap();
    let current = edited_default_schema(dir.path());
    let out = import(&app, &org, &["--schema", &current]);
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    for line in [
        "+ Meter_Reading__c: new text field",
        "~ Subject: max length 100 → 255",
        "~ Priority: picklist value \"Low\" added",
        "~ Priority: picklist value \"Urgent\" removed",
        "Run again with --apply",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(
        !app.data().join("schema.json").exists(),
        "nothing written without --apply"
    );

    // --apply: written where serve reads it, keeping fieldcase's annotations.
    let target = app.data().join("schema.json");
    let target_arg = target.display().to_string();
    import(
        &app,
        &org,
        &["--schema", &current, "--apply", "--out", &target_arg],
    );
    let written = CaseSchema::from_json(&std::fs::read_to_string(&target).unwrap()).unwrap();
    let priority: Vec<&str> = written
        .field("Priority")
        .unwrap()
        .values
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(priority, ["High", "Medium", "Low"]);
    assert_eq!(written.field("Subject").unwrap().max_length, Some(255));
    assert_eq!(written.field("SuppliedName").unwrap().label, "Technician");
    assert!(written.field("Meter_Reading__c").is_some());
    assert!(written.field("Intake_Key__c").unwrap().system.is_some());
    assert!(written.field("External_Ref__c").is_none());
    assert!(
        CaseSchema::salesforce_default().diff(&written).is_empty(),
        "back in step with the org"
    );
}
