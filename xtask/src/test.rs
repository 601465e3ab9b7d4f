//! `cargo xtask test`: every test, against real parts.
//!
//! 1. native: consent-core rules, the API's tests (real server, real SQLite), xtask's own;
//! 2. the API's tests again on PostgreSQL, on a throwaway cluster;
//! 3. the alert rules: promtool's unit tests, then Debian's Prometheus
//!    scraping a real consent API until the expected alerts fire;
//! 4. the API against its own OpenAPI document, with schemathesis;
//! 5. browser: the app's wasm-bindgen tests in headless Chromium, calling a
//!    real consent API started here on a free port with a fresh database,
//!    directly and (the fault tests) through a fault-injecting proxy (with
//!    axe-core for the accessibility audit);
//! 6. keyboard end-to-end: the built app served by the real server, driven
//!    with real key presses over WebDriver (see `e2e.rs`).

use std::path::PathBuf;
use std::time::Instant;

use crate::fault_proxy::FaultProxy;
use crate::shell::{command, run, workspace_root, Result};
use crate::support::server::{self, ServerOptions};

/// The variable naming axe-core's `axe.min.js` to the accessibility tests' build.
const AXE_CORE_JS: &str = "AXE_CORE_JS";

/// Runs every suite, even after a failure, and fails if any failed.
pub fn test() -> Result {
    crate::install::ensure_all()?;
    let started = Instant::now();
    let mut failed = Vec::new();
    let _ = std::fs::remove_dir_all(fault_figures_dir());

    step("native tests", &mut failed, || {
        run(command(
            "cargo",
            &[
                "test",
                "--workspace",
                "--exclude",
                "tenant-settings",
                "--no-fail-fast",
            ],
        ))?;
        // The app's pure logic (row states, search) also runs natively; its browser tests come later.
        run(command(
            "cargo",
            &["test", "--package", "tenant-settings", "--lib"],
        ))
    });
    step("API tests on PostgreSQL", &mut failed, || {
        postgres_tests(&[])
    });
    step(
        "alert rules (promtool, then a real Prometheus)",
        &mut failed,
        crate::alerting::alerts,
    );
    step("API property tests (schemathesis)", &mut failed, || {
        server::build()?;
        crate::schemathesis::run_against_fresh_server()
    });
    step("browser tests", &mut failed, browser_tests);
    step("keyboard end-to-end run", &mut failed, crate::e2e::e2e);
    print_fault_figures();

    let seconds = started.elapsed().as_secs_f64();
    if failed.is_empty() {
        println!("xtask: all suites passed in {seconds:.0} s");
        Ok(())
    } else {
        Err(format!(
            "failed after {seconds:.0} s: {}",
            failed.join("; ")
        ))
    }
}

fn step(name: &str, failed: &mut Vec<String>, body: impl FnOnce() -> Result) {
    println!("\nxtask: === {name} ===");
    if let Err(e) = body() {
        eprintln!("xtask: {name} failed: {e}");
        failed.push(name.to_owned());
    }
}

/// `cargo xtask test-postgres [ARGS]`: only the API tests on PostgreSQL.
pub fn test_postgres(cargo_args: &[String]) -> Result {
    let _ = std::fs::remove_dir_all(fault_figures_dir());
    let outcome = postgres_tests(cargo_args);
    print_fault_figures();
    outcome
}

/// Where the fault tests keep their figures (`CARGO_TARGET_TMPDIR/fault-figures`).
fn fault_figures_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("tmp/fault-figures")
}

/// Shows what the fault tests counted (their own output is hidden when they pass).
fn print_fault_figures() {
    let Ok(entries) = std::fs::read_dir(fault_figures_dir()) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    println!("\nxtask: === fault-test figures ===");
    for file in files {
        print!("{}", std::fs::read_to_string(&file).unwrap_or_default());
    }
}

/// The consent API's whole suite once more (or the part `cargo_args` picks),
/// each test on its own database in a throwaway PostgreSQL cluster (removed
/// afterwards, also on failure).
pub fn postgres_tests(cargo_args: &[String]) -> Result {
    let started = Instant::now();
    let cluster = crate::postgres::Cluster::start()?;
    // The same packages as the native step, so cargo reuses its build (another
    // selection unifies features differently and rebuilds); only the API tests
    // read the variable, the others just run again.
    let mut cmd = command(
        "cargo",
        &[
            "test",
            "--workspace",
            "--exclude",
            "tenant-settings",
            "--no-fail-fast",
        ],
    );
    cmd.args(cargo_args)
        .env(crate::postgres::TEST_DATABASE_VAR, &cluster.url);
    let outcome = run(cmd);
    drop(cluster);
    println!(
        "xtask: the PostgreSQL run took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    outcome
}

/// `cargo xtask soak [--cycles N]`: the crash test with many kill cycles, on SQLite and on PostgreSQL.
pub fn soak(cycles: u32) -> Result {
    let cycles = cycles.to_string();
    let soak_run = |database: Option<&str>| {
        let args = [
            "test",
            "--package",
            "consent-api",
            "--test",
            "crash",
            "--",
            "--ignored",
            "--nocapture",
            "soak",
        ];
        let mut cmd = command("cargo", &args);
        cmd.env("CONSENT_SOAK_CYCLES", &cycles);
        if let Some(url) = database {
            cmd.env(crate::postgres::TEST_DATABASE_VAR, url);
        }
        run(cmd)
    };
    let _ = std::fs::remove_dir_all(fault_figures_dir());
    println!("\nxtask: === soak on SQLite, {cycles} kill cycles ===");
    let sqlite = soak_run(None);
    println!("\nxtask: === soak on PostgreSQL, {cycles} kill cycles ===");
    let postgres =
        crate::postgres::Cluster::start().and_then(|cluster| soak_run(Some(&cluster.url)));
    print_fault_figures();
    sqlite.and(postgres)
}

fn browser_tests() -> Result {
    server::build()?;
    let axe = crate::install::axe_script()?;
    let data_dir =
        std::env::temp_dir().join(format!("consent-browser-tests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let outcome = (|| {
        let log = data_dir.join("consent-api.log");
        let mut api = server::start(ServerOptions {
            cors_loopback: true,
            log: Some(log),
            // The history's paging test records 52 changes for one tenant;
            // the rate-limit test finds whatever limit the server has.
            changes_per_minute: Some(100),
            ..ServerOptions::dev(&data_dir)
        })?;
        println!("xtask: consent API for browser tests at {}", api.url);
        // The fault tests reach the same API through a proxy they can break.
        let proxy = FaultProxy::start(&api.url)?;
        println!(
            "xtask: fault proxy at {} (control {})",
            proxy.url, proxy.control_url
        );
        let mut cmd = command(
            "cargo",
            &[
                "test",
                "--package",
                "tenant-settings",
                "--target",
                "wasm32-unknown-unknown",
            ],
        );
        cmd.env("CONSENT_API_URL", &api.url)
            .env("CONSENT_FAULT_PROXY_URL", &proxy.url)
            .env("CONSENT_FAULT_CONTROL_URL", &proxy.control_url)
            .env(AXE_CORE_JS, &axe)
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        let result = run(cmd);
        if let Some(status) = api.exited() {
            return Err(format!(
                "the consent API exited during the tests ({status}){}",
                api.log_tail()
            ));
        }
        result.map_err(|e| format!("{e}{}", api.log_tail()))
    })();
    let _ = std::fs::remove_dir_all(&data_dir);
    outcome
}
