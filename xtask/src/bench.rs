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

mod browser;
pub mod http;
mod sqlite;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::{Method, StatusCode};

use crate::shell::{command, run, workspace_root, Result};
use crate::webdriver::ChromeDriver;
use browser::{cold_load, Resource};
use http::{bearer, run_load, Connection, LoadResult, Read, Toggle};

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

/// The budgets of the issue.
const BROTLI_BUDGET_BYTES: u64 = 100 * 1024;
const STARTUP_RATIO_BUDGET: f64 = 3.0;
const PUT_SHARE_BUDGET: f64 = 0.5;
const GET_P99_BUDGET_MS: f64 = 5.0;
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// Environment variable carrying the run's start (ms since the epoch) to the measuring half.
const STARTED_AT: &str = "XTASK_BENCH_STARTED_MS";

/// Builds, then measures with an optimised build of this program.
pub fn bench() -> Result {
    let started_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    crate::dist::dist()?;
    run(command(
        "cargo",
        &["build", "--profile", "server", "--package", "xtask"],
    ))?;
    let measurer = workspace_root().join("target/server/xtask");
    let mut cmd = command(&measurer.to_string_lossy(), &["bench-measure"]);
    cmd.env(STARTED_AT, started_ms.to_string());
    run(cmd)
}

/// The measuring half (`xtask bench-measure`): expects `dist/` and the release server built.
pub fn measure() -> Result {
    let root = workspace_root();
    let work = std::env::temp_dir().join(format!("consent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let outcome = measure_in(&root, &work);
    let _ = std::fs::remove_dir_all(&work);
    outcome
}

fn measure_in(root: &Path, work: &Path) -> Result {
    let assets = page_assets(&root.join("dist"))?;
    let site = work.join("site");
    copy_dir(&root.join("dist"), &site)?;
    std::fs::create_dir_all(work.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let mut server = BenchServer::start(root, work, &site)?;
    println!(
        "xtask: bench: release server with the app at {}",
        server.url
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let startup = runtime.block_on(measure_startup(&server.url, &site, work))?;
    let api = runtime.block_on(measure_api(server.addr))?;
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
    let postgres = runtime.block_on(measure_postgres(root, work, &site))?;

    let report = Report {
        assets,
        startup,
        api,
        ceiling,
        memory,
        postgres,
    };
    report.print();
    Ok(())
}

// ---------- page weight ----------

/// One file of the built app: raw, gzip and brotli sizes.
struct Asset {
    name: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// Every asset of `dist/` (a cold load of /settings fetches all of them), largest first.
fn page_assets(dist: &Path) -> Result<Vec<Asset>> {
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len());
    let mut assets = Vec::new();
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() || name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let copy = |suffix: &str| size(&dist.join(format!("{name}.{suffix}")));
        let raw = size(&path).map_err(|e| format!("{name}: {e}"))?;
        let (gzip, brotli) = match (copy("gz"), copy("br")) {
            (Ok(gzip), Ok(brotli)) => (gzip, brotli),
            _ => {
                return Err(format!(
                    "dist/{name} has no .gz/.br copy: run cargo xtask dist"
                ))
            }
        };
        assets.push(Asset {
            name,
            raw,
            gzip,
            brotli,
        });
    }
    if !assets.iter().any(|a| a.name == "index.html") {
        return Err("dist/ has no index.html: run cargo xtask dist".to_owned());
    }
    assets.sort_by_key(|a| std::cmp::Reverse(a.raw));
    Ok(assets)
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

// ---------- start-up ----------

struct Startup {
    /// Per cold load of the app: (settings rendered, panel interactive), ms.
    app: Vec<(f64, f64)>,
    /// Per cold load of the static page: the same moment, ms.
    static_page: Vec<f64>,
    violations: Vec<String>,
    /// What the first cold load of the app fetched.
    resources: Vec<Resource>,
}

async fn measure_startup(base: &str, site: &Path, work: &Path) -> Result<Startup> {
    let mut driver = ChromeDriver::start(&work.join("profiles")).await?;
    let app_url = format!("{base}{APP_PAGE}");
    let marks = [SETTINGS_RENDERED, PANEL_INTERACTIVE];

    // A first load to learn what the page fetches and the markup it renders.
    println!(
        "xtask: bench: {} cold loads each of {APP_PAGE} and of a static page with its markup",
        COLD_LOADS
    );
    let (first, inspected) = cold_load(&mut driver, &app_url, &marks, true).await?;
    let (resources, markup) = inspected.unwrap_or_default();
    write_static_page(site, &markup)?;
    let mut violations = first.violations;

    let static_url = format!("{base}{STATIC_PAGE}");
    let mut app = Vec::new();
    let mut static_page = Vec::new();
    // Interleaved, so that noise from the machine falls on both alike.
    for _ in 0..COLD_LOADS {
        let (load, _) = cold_load(&mut driver, &app_url, &marks, false).await?;
        app.push((load.marks[0], load.marks[1]));
        violations.extend(load.violations);
        let (load, _) = cold_load(&mut driver, &static_url, &marks, false).await?;
        static_page.push(load.marks[0]);
        violations.extend(
            load.violations
                .into_iter()
                .map(|v| format!("static page: {v}")),
        );
    }
    Ok(Startup {
        app,
        static_page,
        violations,
        resources,
    })
}

/// The app's rendered markup without its scripts, plus one external script
/// (allowed by the same policy) that sets both marks once the markup is
/// parsed and styled; with compressed copies, like every asset.
fn write_static_page(site: &Path, markup: &str) -> Result {
    let dir = site.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let script = "<script src=\"/bench/static-marks.js\"></script>";
    let page = match markup.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &markup[..at], &markup[at..]),
        None => return Err("the app's markup has no </body>".to_owned()),
    };
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("cannot write the static page: {e}"))
    };
    write("settings-static.html", &page)?;
    write(
        "static-marks.js",
        &format!(
            "performance.mark('{SETTINGS_RENDERED}');\nperformance.mark('{PANEL_INTERACTIVE}');\n"
        ),
    )?;
    crate::dist::compress_assets(&dir).map(drop)
}

// ---------- API ----------

struct Api {
    read: LoadResult,
    revalidate: LoadResult,
    change: LoadResult,
}

async fn measure_api(addr: SocketAddr) -> Result<Api> {
    let mut setup = Connection::open(addr).await?;
    let token = dev_token(&mut setup, "contoso").await?;
    let authorization = bearer(&token)?;
    let document = "/api/v1/tenants/contoso/data-sharing".to_owned();
    let first = setup
        .send(
            Method::GET,
            &document,
            &[("authorization", &authorization)],
            None,
        )
        .await?;
    let etag = first
        .header("etag")
        .ok_or("the document has no ETag")?
        .to_owned();

    println!(
        "xtask: bench: GET {document} on {READERS} connections for {} s",
        RUN.as_secs()
    );
    let readers = (0..READERS)
        .map(|_| Read {
            path: document.clone(),
            headers: vec![("authorization".to_owned(), authorization.clone())],
            expect: StatusCode::OK,
        })
        .collect();
    let read = run_load(addr, readers, WARM_UP, RUN).await?;

    println!(
        "xtask: bench: the same with If-None-Match (304) for {} s",
        RUN.as_secs()
    );
    let revalidators = (0..READERS)
        .map(|_| Read {
            path: document.clone(),
            headers: vec![
                ("authorization".to_owned(), authorization.clone()),
                ("if-none-match".to_owned(), etag.clone()),
            ],
            expect: StatusCode::NOT_MODIFIED,
        })
        .collect();
    let revalidate = run_load(addr, revalidators, WARM_UP, RUN).await?;

    println!(
        "xtask: bench: PUT by {WRITERS} admins of their own tenants for {} s",
        RUN.as_secs()
    );
    let mut admins = Vec::new();
    for _ in 0..WRITERS {
        admins.push(new_writer(&mut setup).await?);
    }
    let change = run_load(addr, admins, WARM_UP, RUN).await?;
    Ok(Api {
        read,
        revalidate,
        change,
    })
}

/// A development token for the admin of `tenant` (the server runs with `--dev`).
pub(crate) async fn dev_token(connection: &mut Connection, tenant: &str) -> Result<String> {
    let body = format!("{{\"tenant\":\"{tenant}\",\"role\":\"admin\"}}");
    let answer = connection
        .send(Method::POST, "/api/v1/dev/token", &[], Some(&body))
        .await?;
    let value = answer.json()?;
    value["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no development token: {value}"))
}

/// A fresh US tenant and its admin, ready to switch Copilot on and off.
async fn new_writer(setup: &mut Connection) -> Result<Toggle> {
    let tenant = setup
        .send(
            Method::POST,
            "/api/v1/dev/tenants",
            &[],
            Some("{\"region\":\"US\"}"),
        )
        .await?
        .json()?;
    let id = tenant["id"]
        .as_str()
        .ok_or_else(|| format!("no tenant id in {tenant}"))?
        .to_owned();
    let authorization = bearer(&dev_token(setup, &id).await?)?;
    let path = format!("/api/v1/tenants/{id}/data-sharing");
    let answer = setup
        .send(
            Method::GET,
            &path,
            &[("authorization", &authorization)],
            None,
        )
        .await?;
    let document = answer.json()?;
    let copilot = document["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == "copilot"))
        .ok_or_else(|| format!("no copilot program in {document}"))?;
    Ok(Toggle {
        path: format!("{path}/copilot"),
        authorization,
        etag: answer
            .header("etag")
            .ok_or("the document has no ETag")?
            .to_owned(),
        enabled: copilot["enabled"] == true,
        notices: copilot["notices"].to_string(),
        sequence: 0,
    })
}

// ---------- PostgreSQL ----------

/// The API runs and the raw ceiling on PostgreSQL.
struct OnPostgres {
    version: String,
    api: Api,
    /// Raw durable single-row inserts per second by pgbench, on [`WRITERS`] connections.
    ceiling: f64,
    memory: Option<u64>,
}

async fn measure_postgres(root: &Path, work: &Path, site: &Path) -> Result<OnPostgres> {
    let cluster = crate::postgres::Cluster::start()?;
    let mut server = BenchServer::start_on(root, work, site, Some(&cluster.url))?;
    println!(
        "xtask: bench: release server on PostgreSQL at {}",
        server.url
    );
    let api = measure_api(server.addr).await?;
    let memory = server.peak_memory();
    if let Some(status) = server.exited() {
        return Err(format!(
            "the server on PostgreSQL stopped during the bench ({status}){}",
            server.log_tail()
        ));
    }
    drop(server);
    println!(
        "xtask: bench: raw PostgreSQL durable inserts by pgbench on {WRITERS} connections for {} s",
        RUN.as_secs()
    );
    let ceiling = pgbench_inserts_per_second(&cluster, work)?;
    let version = cluster.version();
    Ok(OnPostgres {
        version,
        api,
        ceiling,
        memory,
    })
}

/// Durable single-row inserts per second, each its own transaction, like a change's event row.
fn pgbench_inserts_per_second(cluster: &crate::postgres::Cluster, work: &Path) -> Result<f64> {
    let mut create = cluster.client("psql");
    create.args([
        "--quiet",
        "--set=ON_ERROR_STOP=1",
        &cluster.url,
        "-c",
        "CREATE TABLE ceiling_events (id BIGSERIAL PRIMARY KEY, tenant_id TEXT NOT NULL, \
         at TIMESTAMPTZ NOT NULL, body TEXT NOT NULL)",
    ]);
    run(create)?;
    let script = work.join("ceiling.sql");
    std::fs::write(
        &script,
        format!(
            "INSERT INTO ceiling_events (tenant_id, at, body) VALUES ('bench', now(), '{}');\n",
            "x".repeat(600)
        ),
    )
    .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let output = cluster
        .client("pgbench")
        .args([
            "--no-vacuum",
            "--client",
            &WRITERS.to_string(),
            "--jobs",
            "2",
        ])
        .args(["--time", &RUN.as_secs().to_string(), "--file"])
        .arg(&script)
        .arg(&cluster.url)
        .output()
        .map_err(|e| format!("cannot run pgbench: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // "tps = 1234.567890 (without initial connection time)"
    text.lines()
        .find_map(|line| {
            line.strip_prefix("tps = ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .ok_or_else(|| format!("pgbench printed no rate: {text}"))
}

// ---------- the server ----------

/// The release server over a fresh database; stopped when dropped.
struct BenchServer {
    child: Child,
    url: String,
    addr: SocketAddr,
    log: PathBuf,
}

impl BenchServer {
    fn start(root: &Path, work: &Path, site: &Path) -> Result<BenchServer> {
        BenchServer::start_on(root, work, site, None)
    }

    /// Like [`BenchServer::start`], on the PostgreSQL database at `database_url` if given.
    fn start_on(
        root: &Path,
        work: &Path,
        site: &Path,
        database_url: Option<&str>,
    ) -> Result<BenchServer> {
        let binary = root.join("target/server/consent-api");
        let log = work.join(match database_url {
            None => "consent-api.log",
            Some(_) => "consent-api-postgres.log",
        });
        let log_file = std::fs::File::create(&log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let mut child = Command::new(&binary)
            .args([
                "--dev",
                "--bind",
                "127.0.0.1:0",
                "--sweep-interval-secs",
                "0",
            ])
            .args(match database_url {
                None => ["--data-dir".to_owned(), path(&work.join("data"))],
                Some(url) => ["--database-url".to_owned(), url.to_owned()],
            })
            .args(["--content-dir", &path(&root.join("content"))])
            .args(["--static-dir", &path(site)])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (found, listening) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = found.send(url.trim().to_owned());
                }
            }
        });
        let mut server = BenchServer {
            child,
            url: String::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        let url = listening
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| format!("the server did not start listening{}", server.log_tail()))?;
        server.addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("the server announced an odd address: {url}"))?;
        server.url = url;
        Ok(server)
    }

    /// The server's peak resident memory (VmHWM), in bytes.
    fn peak_memory(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "\n--- end of the server's log ---\n{}",
            lines[lines.len().saturating_sub(20)..].join("\n")
        )
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------- the report ----------

struct Report {
    assets: Vec<Asset>,
    startup: Startup,
    api: Api,
    ceiling: f64,
    memory: Option<u64>,
    postgres: OnPostgres,
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.0}–{max:.0}")
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

impl Report {
    fn print(&self) {
        let line = "-".repeat(96);
        println!("\n{line}\nPAGE WEIGHT: every asset of a cold load of /settings (precompressed copies as served)");
        println!(
            "{:<52} {:>13} {:>13} {:>13}",
            "asset", "raw", "gzip", "brotli"
        );
        for a in &self.assets {
            println!(
                "{:<52} {:>13} {:>13} {:>13}",
                a.name,
                kb(a.raw),
                kb(a.gzip),
                kb(a.brotli)
            );
        }
        let total = |f: fn(&Asset) -> u64| self.assets.iter().map(f).sum::<u64>();
        let brotli_total = total(|a| a.brotli);
        println!(
            "{:<52} {:>13} {:>13} {:>13}",
            "total",
            kb(total(|a| a.raw)),
            kb(total(|a| a.gzip)),
            kb(brotli_total)
        );

        let resources = &self.startup.resources;
        let transferred: u64 = resources.iter().map(|r| r.transfer).sum();
        let api_bytes: u64 = resources
            .iter()
            .filter(|r| r.name.starts_with("/api/"))
            .map(|r| r.transfer)
            .sum();
        println!(
            "as measured by Chromium for one cold load of {APP_PAGE}: {} requests, {} transferred \
             (headers included; {} of it API answers)",
            resources.len(),
            kb(transferred),
            kb(api_bytes)
        );
        println!(
            "  {:<58} {:>9} {:>9} {:>11} {:>10}",
            "request (first cold load)", "start ms", "end ms", "on wire", "body"
        );
        for r in resources {
            let name = if r.name.len() > 48 {
                format!("{}…", &r.name[..47])
            } else {
                r.name.clone()
            };
            println!(
                "  {:<58} {:>9.1} {:>9.1} {:>11} {:>10}",
                format!("{name} ({})", r.kind),
                r.start_ms,
                r.end_ms,
                kb(r.transfer),
                kb(r.body)
            );
        }

        let startup = &self.startup;
        let rendered: Vec<f64> = startup.app.iter().map(|t| t.0).collect();
        let interactive: Vec<f64> = startup.app.iter().map(|t| t.1).collect();
        let baseline = median(&startup.static_page);
        let ratio_rendered = median(&rendered) / baseline;
        let ratio_interactive = median(&interactive) / baseline;
        println!(
            "\n{line}\nSTART-UP: headless Chromium, production server on loopback, {} cold loads each \
             (new browser and profile per load); median ms [min–max] from navigation start",
            startup.app.len()
        );
        println!(
            "{:<44} {:>20} {:>20} {:>8}",
            "moment", "app", "static page", "ratio"
        );
        println!(
            "{:<44} {:>20} {:>20} {:>8.2}",
            "settings list shown with live data",
            format!("{:.0} [{}]", median(&rendered), spread(&rendered)),
            format!("{baseline:.0} [{}]", spread(&startup.static_page)),
            ratio_rendered
        );
        println!(
            "{:<44} {:>20} {:>20} {:>8.2}",
            "first panel interactive (Copilot switch)",
            format!("{:.0} [{}]", median(&interactive), spread(&interactive)),
            format!("{baseline:.0} [{}]", spread(&startup.static_page)),
            ratio_interactive
        );
        println!("(the app's figures include its development sign-in request, which a host-token deployment does not make)");

        let api = &self.api;
        println!(
            "\n{line}\nAPI: release server on loopback, bounded runs of {} s after {} s of warm-up, kept-alive connections",
            RUN.as_secs(),
            WARM_UP.as_secs()
        );
        println!(
            "{:<58} {:>11} {:>9} {:>9} {:>7}",
            "run", "per second", "p50 ms", "p99 ms", "errors"
        );
        let row = |name: &str, r: &LoadResult| {
            println!(
                "{:<58} {:>11.0} {:>9.2} {:>9.2} {:>7}",
                format!("{name} ({} conn.)", r.workers),
                r.per_second(),
                r.quantile_ms(0.5),
                r.quantile_ms(0.99),
                r.failed
            );
            if let Some(failure) = &r.first_failure {
                println!(
                    "    first error: {}",
                    failure.chars().take(160).collect::<String>()
                );
            }
        };
        row("GET …/data-sharing (200, whole document)", &api.read);
        row(
            "GET …/data-sharing with If-None-Match (304)",
            &api.revalidate,
        );
        row("PUT …/data-sharing/copilot (durable changes)", &api.change);
        println!(
            "{:<58} {:>11.0}",
            "raw SQLite durable inserts, WAL, synchronous=FULL (1 conn.)", self.ceiling
        );
        let share = api.change.per_second() / self.ceiling;
        println!(
            "{:<58} {:>10.0}%",
            "PUT changes / raw SQLite inserts",
            share * 100.0
        );
        match self.memory {
            Some(bytes) => println!(
                "{:<58} {:>11}",
                "server peak memory (VmHWM, whole run)",
                format!("{:.1} MB", bytes as f64 / 1048576.0)
            ),
            None => println!("server peak memory: not readable"),
        }

        let pg = &self.postgres;
        println!(
            "\n{line}\nAPI ON POSTGRESQL {}: the same runs, a throwaway cluster on loopback (fsync on, synchronous_commit on)",
            pg.version
        );
        row("GET …/data-sharing (200, whole document)", &pg.api.read);
        row(
            "GET …/data-sharing with If-None-Match (304)",
            &pg.api.revalidate,
        );
        row(
            "PUT …/data-sharing/copilot (durable changes)",
            &pg.api.change,
        );
        println!(
            "{:<58} {:>11.0}",
            format!("raw PostgreSQL durable inserts, pgbench ({WRITERS} conn.)"),
            pg.ceiling
        );
        println!(
            "{:<58} {:>10.0}%",
            "PUT changes / raw PostgreSQL inserts",
            pg.api.change.per_second() / pg.ceiling * 100.0
        );
        if let Some(bytes) = pg.memory {
            println!(
                "{:<58} {:>11}",
                "server peak memory on PostgreSQL (VmHWM)",
                format!("{:.1} MB", bytes as f64 / 1048576.0)
            );
        }

        let elapsed = std::env::var(STARTED_AT)
            .ok()
            .and_then(|ms| ms.parse::<u128>().ok())
            .and_then(|start| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .ok()
                    .map(|now| now.as_millis().saturating_sub(start))
            })
            .map(|ms| Duration::from_millis(ms as u64));

        println!("\n{line}\nBUDGETS");
        let budget = |pass: bool, text: String| println!("{} {text}", verdict(pass));
        budget(
            brotli_total <= BROTLI_BUDGET_BYTES,
            format!(
                "total brotli transfer of the assets of /settings ≤ {}: {}",
                kb(BROTLI_BUDGET_BYTES),
                kb(brotli_total)
            ),
        );
        budget(
            ratio_rendered <= STARTUP_RATIO_BUDGET && ratio_interactive <= STARTUP_RATIO_BUDGET,
            format!(
                "start-up ratio to the static page ≤ {STARTUP_RATIO_BUDGET}: list {ratio_rendered:.2}, panel {ratio_interactive:.2}"
            ),
        );
        budget(
            share >= PUT_SHARE_BUDGET,
            format!(
                "API PUT ≥ {:.0}% of raw SQLite durable inserts: {:.0}%",
                PUT_SHARE_BUDGET * 100.0,
                share * 100.0
            ),
        );
        let p99 = api.read.quantile_ms(0.99);
        budget(
            p99 <= GET_P99_BUDGET_MS,
            format!(
                "GET p99 ≤ {GET_P99_BUDGET_MS} ms at {} connections: {p99:.2} ms",
                api.read.workers
            ),
        );
        budget(
            startup.violations.is_empty(),
            format!(
                "no Content-Security-Policy violation in {} cold loads: {}",
                2 * startup.app.len() + 1,
                startup.violations.len()
            ),
        );
        for violation in startup.violations.iter().take(5) {
            println!("    {violation}");
        }
        if let Some(elapsed) = elapsed {
            budget(
                elapsed <= TIME_LIMIT,
                format!(
                    "the bench, build included, within {} s: {:.0} s",
                    TIME_LIMIT.as_secs(),
                    elapsed.as_secs_f64()
                ),
            );
        }
    }
}
