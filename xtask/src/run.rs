//! `cargo xtask run`: the consent API in development mode and the app, together.

use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::shell::{command, run as run_cmd, workspace_root, Result};
use crate::support::server::{self, ServerOptions};

/// Where the app is served (Trunk.toml says the same) and where its `/api` proxy points.
const APP_URL: &str = "http://127.0.0.1:8080";
const API_BIND: &str = "127.0.0.1:3000";

/// Starts both, and stops both on Ctrl-C or when either exits.
pub fn run() -> Result {
    crate::install::ensure_all()?;
    // trunk runs cargo offline (it must not download tools), so fetch crates first.
    run_cmd(command("cargo", &["fetch"]))?;
    server::build()?;

    let data_dir = workspace_root().join("data");
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut api = server::start(ServerOptions {
        bind: API_BIND,
        ..ServerOptions::dev(&data_dir)
    })?;
    println!(
        "xtask: consent API at {} (database: {})",
        api.url,
        data_dir.join("consent.db").display()
    );

    let mut trunk: Child = command("trunk", &["serve", "--offline"])
        .spawn()
        .map_err(|e| format!("cannot start trunk: {e}"))?;
    println!(
        "xtask: the app will be at {APP_URL}/settings once trunk has built it; Ctrl-C stops both"
    );

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;

    let outcome = loop {
        if stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        if let Some(status) = api.exited() {
            break Err(format!("the consent API stopped ({status})"));
        }
        if let Ok(Some(status)) = trunk.try_wait() {
            break Err(format!("trunk stopped ({status})"));
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = trunk.kill();
    let _ = trunk.wait();
    drop(api);
    println!("xtask: stopped");
    outcome
}
