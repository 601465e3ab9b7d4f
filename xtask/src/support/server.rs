//! Starts the consent API for every xtask command (run, test, e2e, bench,
//! screenshots, schemathesis) with the workspace's launcher
//! (`crates/server-launcher`, which the API's own process tests use too).

use std::path::{Path, PathBuf};

use server_launcher::Launch;
pub use server_launcher::Server as ApiServer;

use crate::shell::{command, run, workspace_root, Result};

/// Which build of the server to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `target/debug/consent-api` ([`build`] makes it).
    Debug,
    /// `target/server/consent-api`, the production build (`cargo xtask dist` makes it).
    Release,
}

/// How to start the server. It always runs in development mode (`--dev`):
/// seeded tenants and the development token route.
pub struct ServerOptions<'a> {
    pub build: Build,
    pub bind: &'a str,
    /// SQLite under this directory, unless `database_url` names another database.
    pub data_dir: &'a Path,
    pub database_url: Option<&'a str>,
    /// Allow CORS from loopback origins (browser tests run on another port).
    pub cors_loopback: bool,
    /// Where the server's log goes; `None` shows it in the terminal.
    pub log: Option<PathBuf>,
    /// A built app to serve beside the API (`--static-dir`).
    pub static_dir: Option<&'a Path>,
    /// No background sweep of expired records (`--sweep-interval-secs 0`): steadier figures.
    pub no_sweep: bool,
    /// No rate limits (`--requests-per-second 0 --changes-per-minute 0`):
    /// for load that is meant to go through (benchmarks, schema fuzzing).
    pub unlimited: bool,
    /// `--changes-per-minute`, when not the server's default.
    pub changes_per_minute: Option<u32>,
    /// Also trust this OpenID issuer's tokens (`--oidc-issuer`).
    pub oidc_issuer: Option<&'a str>,
    /// Serve metrics on this address (`--metrics-bind`).
    pub metrics_bind: Option<&'a str>,
    /// Run the binary under this command (a profiler), given as program and arguments.
    pub under: Option<&'a [String]>,
}

impl<'a> ServerOptions<'a> {
    /// The debug build on a free loopback port, over SQLite in `data_dir`.
    pub fn dev(data_dir: &'a Path) -> ServerOptions<'a> {
        ServerOptions {
            build: Build::Debug,
            bind: "127.0.0.1:0",
            data_dir,
            database_url: None,
            cors_loopback: false,
            log: None,
            static_dir: None,
            no_sweep: false,
            unlimited: false,
            changes_per_minute: None,
            oidc_issuer: None,
            metrics_bind: None,
            under: None,
        }
    }
}

/// Builds the server binary (debug profile).
pub fn build() -> Result {
    run(command("cargo", &["build", "--package", "consent-api"]))
}

/// Starts the server and waits for its `listening on` line.
pub fn start(options: ServerOptions<'_>) -> Result<ApiServer> {
    let root = workspace_root();
    let binary = root.join(match options.build {
        Build::Debug => "target/debug/consent-api",
        Build::Release => "target/server/consent-api",
    });
    let launch = match options.under {
        Some([program, args @ ..]) => Launch::new(program).args(args).arg(&binary),
        _ => Launch::new(binary),
    };
    let mut launch = launch
        .args(["--dev", "--bind", options.bind])
        .arg("--content-dir")
        .arg(root.join("content"))
        // Freshly installed tools (for example PostgreSQL's) are on this PATH.
        .env("PATH", crate::shell::path_with_cargo_bin())
        .current_dir(&root)
        .echo("consent-api: ");
    launch = match options.database_url {
        Some(url) => launch.args(["--database-url", url]),
        None => launch.arg("--data-dir").arg(options.data_dir),
    };
    if options.cors_loopback {
        launch = launch.arg("--cors-loopback");
    }
    if options.no_sweep {
        launch = launch.args(["--sweep-interval-secs", "0"]);
    }
    if options.unlimited {
        launch = launch.args(["--requests-per-second", "0", "--changes-per-minute", "0"]);
    }
    if let Some(issuer) = options.oidc_issuer {
        launch = launch.args(["--oidc-issuer", issuer]);
    }
    if let Some(addr) = options.metrics_bind {
        launch = launch.args(["--metrics-bind", addr]);
    }
    if let Some(changes) = options.changes_per_minute {
        launch = launch.args(["--changes-per-minute", &changes.to_string()]);
    }
    if let Some(dir) = options.static_dir {
        launch = launch.arg("--static-dir").arg(dir);
    }
    if let Some(log) = options.log {
        launch = launch.log_to(log);
    }
    launch.start()
}
