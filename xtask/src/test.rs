//! `cargo xtask test`: every test, against real parts.
//!
//! 1. native: consent-core rules, the API's tests (real server, real SQLite), xtask's own;
//! 2. the API against its own OpenAPI document, with schemathesis;
//! 3. browser: the app's wasm-bindgen tests in headless Chromium, calling a
//!    real consent API started here on a free port with a fresh database.

use std::time::Instant;

use crate::server::{self, ApiServer, ServerOptions};
use crate::shell::{command, run, Result};

/// Runs every suite, even after a failure, and fails if any failed.
pub fn test() -> Result {
    crate::install::ensure_all()?;
    let started = Instant::now();
    let mut failed = Vec::new();

    step("native tests", &mut failed, || {
        run(command("cargo", &["test", "--workspace", "--exclude", "tenant-settings", "--no-fail-fast"]))?;
        // The app's pure logic (row states, search) also runs natively; its browser tests come later.
        run(command("cargo", &["test", "--package", "tenant-settings", "--lib"]))
    });
    step("API property tests (schemathesis)", &mut failed, || {
        server::build()?;
        crate::schemathesis::run_against_fresh_server()
    });
    step("browser tests", &mut failed, browser_tests);

    let seconds = started.elapsed().as_secs_f64();
    if failed.is_empty() {
        println!("xtask: all suites passed in {seconds:.0} s");
        Ok(())
    } else {
        Err(format!("failed after {seconds:.0} s: {}", failed.join("; ")))
    }
}

fn step(name: &str, failed: &mut Vec<String>, body: impl FnOnce() -> Result) {
    println!("\nxtask: === {name} ===");
    if let Err(e) = body() {
        eprintln!("xtask: {name} failed: {e}");
        failed.push(name.to_owned());
    }
}

fn browser_tests() -> Result {
    server::build()?;
    let data_dir = std::env::temp_dir().join(format!("consent-browser-tests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let outcome = (|| {
        let log = data_dir.join("consent-api.log");
        let mut api = ApiServer::start(ServerOptions { bind: "127.0.0.1:0", data_dir: &data_dir, cors_loopback: true, log: Some(log) })?;
        println!("xtask: consent API for browser tests at {}", api.url);
        let mut cmd = command("cargo", &["test", "--package", "tenant-settings", "--target", "wasm32-unknown-unknown"]);
        cmd.env("CONSENT_API_URL", &api.url)
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        let result = run(cmd);
        if let Some(status) = api.exited() {
            return Err(format!("the consent API exited during the tests ({status}){}", api.log_tail()));
        }
        result.map_err(|e| format!("{e}{}", api.log_tail()))
    })();
    let _ = std::fs::remove_dir_all(&data_dir);
    outcome
}
