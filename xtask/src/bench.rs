//! `cargo xtask bench`: what the production build weighs and how fast it
//! answers, in one run, with the budgets checked (printed, not asserted).
//!
//! 1. `cargo xtask dist`: the release app in `dist/` and the release server.
//! 2. The measuring half runs as an optimised binary (`--profile server`),
//!    so the load generator is not the bottleneck it measures.
//! 3. The release server serves a copy of `dist/` and the API from one
//!    loopback port. It runs with `--dev` only for the development token
//!    route and seeded tenants: the app signs itself in with a development
//!    identity, one request a host-token deployment does not make, so the
//!    start-up times are an upper bound. Everything else (static serving,
//!    caching, security headers, SQLite with full sync) is production's.
//! 4. Page weight: every asset raw, gzip and brotli, and what a cold load
//!    actually transferred, as the browser's Resource Timing saw it.
//! 5. Start-up: cold loads (a new Chromium and profile each) of the app and
//!    of a static page with the app's rendered markup, served alike; times
//!    from the Performance API (`ts:*` marks the app sets).
//! 6. API: bounded loopback runs of GET and PUT with kept-alive connections,
//!    raw SQLite durable inserts as the ceiling for PUT, and the server's
//!    peak memory.
//! 7. The same API runs against a throwaway PostgreSQL cluster (fsync on),
//!    with raw durable inserts by pgbench as that database's ceiling.
//! 8. Enforcement: decisions under load with a service token, and how fast
//!    a change reaches a webhook receiver, a long poll of the change feed
//!    and the decisions (on PostgreSQL also from a second process), on both
//!    databases. `cargo xtask bench --only enforcement` measures only this
//!    part, without building the app.
//! 9. Ledger: what hashing a change into its chain and signing a checkpoint
//!    cost (the server logs it per change), its share of the PUT run, and
//!    the offline verifier's speed. `--only ledger` measures only this.
//! 10. Metrics: GET, PUT and decisions on a server without metrics and on
//!     one with `--metrics-bind` being scraped, in alternating rounds (see
//!     `bench/metrics.rs`). `--only metrics` measures only this.

mod api;
mod browser;
mod decisions;
mod enforcement;
mod ledger;
pub(crate) mod load;
mod metrics;
mod page;
mod postgres;
mod propagation;
mod report;
mod sqlite;
mod startup;
mod tokens;
mod weight;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::shell::{command, run, workspace_root, Result};
use crate::support::server::{self, ApiServer, Build, ServerOptions};
use report::Report;

/// Cold loads of each page (the app, the static page).
const COLD_LOADS: usize = 20;
/// Concurrent connections of the GET runs.
const READERS: usize = 8;
/// Concurrent admins (each on a tenant of their own) of the PUT run.
const WRITERS: usize = 4;
const WARM_UP: Duration = Duration::from_secs(1);
const RUN: Duration = Duration::from_secs(5);

/// The page the start-up is measured on: the settings list with the Copilot panel over it.
const APP_PAGE: &str = "/settings/copilot-data-sharing";
/// The static page: the same markup, no script of the app.
const STATIC_PAGE: &str = "/bench/settings-static.html";
const SETTINGS_RENDERED: &str = "ts:settings-rendered";
const PANEL_INTERACTIVE: &str = "ts:panel-interactive";

/// The budgets of the issues (the page's bytes and slow start: `page.rs`).
const STARTUP_RATIO_BUDGET: f64 = 1.3;
const PUT_SHARE_BUDGET: f64 = 0.5;
const GET_P99_BUDGET_MS: f64 = 5.0;
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// Environment variable carrying the run's start (ms since the epoch) to the measuring half.
pub const STARTED_AT: &str = "XTASK_BENCH_STARTED_MS";

/// A part of the bench that can be run alone (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// Decisions under load and propagation of changes, on SQLite and
    /// PostgreSQL (builds only the server).
    Enforcement,
    /// What the hash chain and signed checkpoints cost a change, and how
    /// fast the offline verifier checks (builds only the server).
    Ledger,
    /// What metrics cost GET, PUT and decisions (builds only the server).
    Metrics,
    /// What each route of the split page fetches, the whole app's bytes,
    /// a cold start on a slow phone and the main module's make-up (builds
    /// the app and the server).
    Page,
}

/// Builds, then measures with an optimised build of this program.
pub fn bench(only: Option<Section>) -> Result {
    let started_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    if matches!(only, None | Some(Section::Metrics)) {
        crate::install::ensure_apt(&[("valgrind", "valgrind")])?;
    }
    match only {
        None | Some(Section::Page) => {
            crate::dist::dist()?;
        }
        Some(section) => {
            if section != Section::Ledger {
                crate::install::oidc_provider()?;
            }
            run(command(
                "cargo",
                &["build", "--profile", "server", "--package", "consent-api"],
            ))?;
        }
    }
    run(command(
        "cargo",
        &["build", "--profile", "server", "--package", "xtask"],
    ))?;
    let measurer = workspace_root().join("target/server/xtask");
    let mut cmd = command(&measurer.to_string_lossy(), &["bench-measure"]);
    if let Some(value) = only.and_then(|section| clap::ValueEnum::to_possible_value(&section)) {
        cmd.args(["--only", value.get_name()]);
    }
    cmd.env(STARTED_AT, started_ms.to_string());
    run(cmd)
}

/// The measuring half (`xtask bench-measure`): expects `dist/` and the release server built.
/// `started_ms` is when the whole bench started (ms since the Unix epoch), for its time budget.
pub fn measure(started_ms: Option<u128>, only: Option<Section>) -> Result {
    let root = workspace_root();
    let work = std::env::temp_dir().join(format!("consent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let outcome = match only {
        None => measure_in(&root, &work, started_ms),
        Some(Section::Enforcement) => measure_enforcement(&root, &work),
        Some(Section::Ledger) => measure_ledger_only(&work),
        Some(Section::Page) => measure_page_only(&root, &work),
        Some(Section::Metrics) => measure_metrics_only(&root, &work),
    };
    let _ = std::fs::remove_dir_all(&work);
    outcome
}

/// Only the page figures: routes, the whole app, the slow phone.
fn measure_page_only(root: &Path, work: &Path) -> Result {
    let (assets, site) = site_copy(root, work)?;
    let server = start_server(work, Some(&site), None, None, "consent-api.log")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let pages = runtime.block_on(page::measure_pages(
        &server.url,
        work,
        &root.join(crate::dist::SPLIT_MAIN_MODULE),
    ))?;
    page::print(&pages, &assets);
    Ok(())
}

/// The sizes of `dist/`'s files, and a copy of it under `work` for the
/// server to serve (the bench adds its static page there), beside an empty
/// data directory.
fn site_copy(root: &Path, work: &Path) -> Result<(Vec<weight::Asset>, std::path::PathBuf)> {
    let assets = weight::page_assets(&root.join("dist"))?;
    let site = work.join("site");
    weight::copy_dir(&root.join("dist"), &site)?;
    std::fs::create_dir_all(work.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    Ok((assets, site))
}

/// Only the ledger figures: a PUT run on SQLite, then the checks.
fn measure_ledger_only(work: &Path) -> Result {
    std::fs::create_dir_all(work.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let server = start_server(work, None, None, None, "consent-api.log")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let changes = runtime.block_on(api::measure_changes(&server))?;
    let figures = runtime.block_on(ledger::measure_ledger(
        &server,
        &work.join("consent-api.log"),
        &changes,
        &sqlite_url(work),
        work,
    ))?;
    figures.print();
    Ok(())
}

/// Only the cost of metrics on the hot paths.
fn measure_metrics_only(root: &Path, work: &Path) -> Result {
    let provider = server_launcher::oidc::OidcProvider::start(root)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let (costs, scrape) = runtime.block_on(measure_metrics_cost(work, &provider.issuer))?;
    metrics::print(&costs, scrape);
    Ok(())
}

/// Two release servers, each over its own SQLite database, without and
/// with metrics, and the runs of `bench/metrics.rs` on them: timed on
/// plain servers, then counted on servers under callgrind.
async fn measure_metrics_cost(work: &Path, issuer: &str) -> Result<(Vec<metrics::PathCost>, f64)> {
    let mut paths = {
        let (servers, metrics_url) = metrics_servers(work, "timed", issuer, |_| None)?;
        metrics::measure_metrics_cost(&servers[0], &servers[1], &metrics_url, issuer).await?
    };
    let outs = [
        work.join("callgrind-off.out"),
        work.join("callgrind-on.out"),
    ];
    let commands = outs.clone().map(|out| metrics::callgrind_command(&out));
    let (servers, metrics_url) =
        metrics_servers(work, "counted", issuer, |which| Some(&commands[which]))?;
    let scrape = metrics::count_instructions(
        &servers[0],
        &servers[1],
        [&outs[0], &outs[1]],
        &metrics_url,
        issuer,
        &mut paths,
    )
    .await?;
    Ok((paths, scrape))
}

/// A release server without metrics and one with them (started `under`
/// the command given for each, if any), each over a fresh SQLite database
/// in `work/<purpose>-off|on`; and the address of the second's `/metrics`.
fn metrics_servers<'a>(
    work: &Path,
    purpose: &str,
    issuer: &str,
    under: impl Fn(usize) -> Option<&'a [String]>,
) -> Result<(Vec<ApiServer>, String)> {
    let metrics_addr = format!("127.0.0.1:{}", crate::shell::free_port()?);
    let mut servers = Vec::new();
    for (which, (name, metrics_bind)) in [("off", None), ("on", Some(metrics_addr.as_str()))]
        .into_iter()
        .enumerate()
    {
        let data_dir = work.join(format!("{purpose}-{name}"));
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        servers.push(server::start(ServerOptions {
            build: Build::Release,
            log: Some(work.join(format!("{purpose}-{name}.log"))),
            no_sweep: true,
            unlimited: true,
            oidc_issuer: Some(issuer),
            metrics_bind,
            under: under(which),
            ..ServerOptions::dev(&data_dir)
        })?);
    }
    Ok((servers, format!("http://{metrics_addr}/metrics")))
}

/// The database a server started by [`start_server`] without a URL uses.
fn sqlite_url(work: &Path) -> String {
    format!("sqlite://{}", work.join("data/consent.db").display())
}

/// Only the enforcement figures, on SQLite and then PostgreSQL.
fn measure_enforcement(root: &Path, work: &Path) -> Result {
    std::fs::create_dir_all(work.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let provider = server_launcher::oidc::OidcProvider::start(root)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let mut server = start_server(work, None, None, Some(&provider.issuer), "consent-api.log")?;
    println!("xtask: bench: release server on SQLite at {}", server.url);
    let sqlite = runtime.block_on(enforcement::measure_enforcement(
        "SQLite",
        &server,
        None,
        &provider.issuer,
    ))?;
    if let Some(status) = server.exited() {
        return Err(format!(
            "the server stopped during the bench ({status}){}",
            server.log_tail()
        ));
    }
    drop(server);
    let postgres = runtime.block_on(postgres::measure_enforcement_only(work, &provider.issuer))?;
    enforcement::print(&[sqlite, postgres]);
    Ok(())
}

fn measure_in(root: &Path, work: &Path, started_ms: Option<u128>) -> Result {
    let (assets, site) = site_copy(root, work)?;
    // A real OpenID provider, so the bench can weigh its tokens against HS256.
    let provider = server_launcher::oidc::OidcProvider::start(root)?;
    let mut server = start_server(
        work,
        Some(&site),
        None,
        Some(&provider.issuer),
        "consent-api.log",
    )?;
    println!(
        "xtask: bench: release server with the app at {}",
        server.url
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let startup = runtime.block_on(startup::measure_startup(&server.url, &site, work))?;
    let pages = runtime.block_on(page::measure_pages(
        &server.url,
        work,
        &root.join(crate::dist::SPLIT_MAIN_MODULE),
    ))?;
    let api = runtime.block_on(api::measure_api(&server))?;
    let ledger = runtime.block_on(ledger::measure_ledger(
        &server,
        &work.join("consent-api.log"),
        &api.change,
        &sqlite_url(work),
        work,
    ))?;
    let tokens = runtime.block_on(tokens::measure_tokens(&server, &provider.issuer))?;
    let enforcement = runtime.block_on(enforcement::measure_enforcement(
        "SQLite",
        &server,
        None,
        &provider.issuer,
    ))?;
    println!(
        "xtask: bench: raw SQLite durable inserts for {} s",
        RUN.as_secs()
    );
    let ceiling = sqlite::durable_inserts_per_second(&work.join("data/ceiling.db"), RUN)?;
    let memory = server.peak_memory();
    if let Some(status) = server.exited() {
        return Err(format!(
            "the server stopped during the bench ({status}){}",
            server.log_tail()
        ));
    }
    drop(server);
    let postgres = runtime.block_on(postgres::measure_postgres(work, &site, &provider.issuer))?;
    let (metrics_cost, scrape) = runtime.block_on(measure_metrics_cost(work, &provider.issuer))?;

    let elapsed = started_ms.and_then(|start| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_millis();
        Some(Duration::from_millis(now.saturating_sub(start) as u64))
    });
    let report = Report {
        assets,
        startup,
        api,
        ceiling,
        memory,
        postgres,
        elapsed,
    };
    report.print();
    page::print(&pages, &report.assets);
    tokens.print();
    enforcement::print(&[enforcement, report.postgres.enforcement]);
    ledger.print();
    metrics::print(&metrics_cost, scrape);
    Ok(())
}

/// The release server over a fresh database (SQLite under `work/data`, or
/// the PostgreSQL database at `database_url`), serving `site` beside the
/// API when given, its log in `work/log`.
fn start_server(
    work: &Path,
    site: Option<&Path>,
    database_url: Option<&str>,
    oidc_issuer: Option<&str>,
    log: &str,
) -> Result<ApiServer> {
    let data_dir = work.join("data");
    server::start(ServerOptions {
        build: Build::Release,
        database_url,
        log: Some(work.join(log)),
        static_dir: site,
        no_sweep: true,
        unlimited: true,
        oidc_issuer,
        ..ServerOptions::dev(&data_dir)
    })
}
