//! A real, standard client: Python's simple-salesforce, unchanged, runs
//! `tests/simple_salesforce_contract.py` against the org.
//!
//! Needs `python3` (or `$DEMO_ORG_PYTHON`) with simple-salesforce installed:
//! `python3 -m pip install 'simple-salesforce>=1.12,<2'` (`scripts/test` puts
//! it in a venv). Without it the test prints why and passes as skipped —
//! unless `FIELDCASE_REQUIRE_PYTHON_TESTS=1` (set by `scripts/test`), when a
//! missing client is a failure: the full suite never skips this contract.

use crate::{CALLBACK, spawn_org};

#[tokio::test]
async fn simple_salesforce_works_against_the_org() {
    let python = std::env::var("DEMO_ORG_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = tokio::process::Command::new(&python)
        .args(["-c", "import simple_salesforce"])
        .output()
        .await;
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(_) | Err(_) => {
            assert!(
                std::env::var_os("FIELDCASE_REQUIRE_PYTHON_TESTS").is_none(),
                "{python} cannot import simple_salesforce; install it with: \
                 {python} -m pip install -r requirements-test.txt"
            );
            println!(
                "SKIPPED simple_salesforce_works_against_the_org: {python} cannot import simple_salesforce; \
                 install it with: {python} -m pip install 'simple-salesforce>=1.12,<2'"
            );
            return;
        }
    }
    let org = spawn_org().await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/simple_salesforce_contract.py"
    );
    let out = tokio::process::Command::new(&python)
        .arg(script)
        .arg(&org.base)
        .arg("fieldcase-demo")
        .arg("demo-secret")
        .arg(CALLBACK)
        .output()
        .await
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    if out.status.code() == Some(77) {
        println!("SKIPPED: {stdout}");
        return;
    }
    assert!(
        out.status.success(),
        "simple-salesforce contract failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
