//! What metrics cost the hot paths: the same release server twice, one
//! without metrics and one with `--metrics-bind` and a scraper reading
//! `/metrics` every second (fifteen times Prometheus's usual rate), each
//! over its own SQLite database, for GET of a tenant's document, PUT
//! changes and GET decisions.
//!
//! The budget is judged on instructions per request, counted by callgrind
//! around each run (`callgrind_control`): the same count run after run,
//! whatever else the machine does. Wall-clock figures on a machine whose
//! two cores the load generator shares drift by more than the 3 % asked
//! about, between two processes even when nothing differs; they are
//! printed beside it: throughput and the server's CPU time per request
//! (from `/proc`), runs alternating between the servers, medians of pairs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hyper::StatusCode;

use super::api::new_writer;
use super::decisions::{register_tenants, Lookup, TENANTS};
use super::load::{bearer, run_load, Read, Step, Toggle};
use super::report::verdict;
use super::{READERS, WRITERS};
use crate::shell::Result;
use crate::support::http::{client, Api as Client};
use crate::support::server::ApiServer;

/// The budget: metrics may cost a hot path this share.
const COST_BUDGET: f64 = 0.03;
/// Pairs of runs (one on each server) per path.
const PAIRS: usize = 10;
/// Each run's length; every request of it counts (no warm-up), so that the
/// CPU time read around it is the requests'.
const RUN: Duration = Duration::from_secs(2);
/// How often the scraper reads `/metrics`.
const SCRAPE_EVERY: Duration = Duration::from_secs(1);

/// One hot path's figures per run, without and with metrics.
pub struct PathCost {
    pub name: &'static str,
    pub off: Vec<Run>,
    pub on: Vec<Run>,
    /// Instructions per request under callgrind, without and with metrics.
    pub instructions: Option<(f64, f64)>,
}

/// One run's throughput and the server's CPU time per request.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub per_second: f64,
    pub cpu_us_per_request: f64,
}

impl PathCost {
    fn new(name: &'static str) -> PathCost {
        PathCost {
            name,
            off: Vec::new(),
            on: Vec::new(),
            instructions: None,
        }
    }

    /// The median over the pairs of what metrics cost, by `loss` of a pair.
    fn cost(&self, loss: impl Fn(&Run, &Run) -> f64) -> f64 {
        median(
            self.off
                .iter()
                .zip(&self.on)
                .map(|(off, on)| loss(off, on))
                .collect(),
        )
    }

    /// Lost throughput (negative: faster with metrics).
    fn throughput_cost(&self) -> f64 {
        self.cost(|off, on| 1.0 - on.per_second / off.per_second)
    }

    /// More CPU time per request.
    fn cpu_cost(&self) -> f64 {
        self.cost(|off, on| on.cpu_us_per_request / off.cpu_us_per_request - 1.0)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// What a server needs for the three paths.
struct Prepared {
    server_addr: std::net::SocketAddr,
    pid: u32,
    client: Client,
    document_read: String,
    pipeline: String,
}

/// Runs the pairs on `off` (no metrics) and `on` (metrics at `metrics_url`).
pub async fn measure_metrics_cost(
    off: &ApiServer,
    on: &ApiServer,
    metrics_url: &str,
    issuer: &str,
) -> Result<Vec<PathCost>> {
    let servers = [prepare(off, issuer).await?, prepare(on, issuer).await?];
    let scraper = tokio::spawn(scrape(metrics_url.to_owned()));
    let mut paths = [
        PathCost::new("GET a tenant's document"),
        PathCost::new("PUT a change"),
        PathCost::new("GET a decision"),
    ];
    println!(
        "xtask: bench: metrics off vs on, {PAIRS} pairs of {} s runs per path",
        RUN.as_secs()
    );
    for (which_path, path) in paths.iter_mut().enumerate() {
        for pair in 0..PAIRS {
            let order: [usize; 2] = if pair % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                let run = run_path(&servers[which], which_path, RUN).await?.0;
                if which == 0 {
                    path.off.push(run);
                } else {
                    path.on.push(run);
                }
            }
        }
    }
    if scraper.is_finished() {
        return Err(match scraper.await {
            Ok(Err(error)) => format!("the scraper stopped: {error}"),
            _ => "the scraper stopped".to_owned(),
        });
    }
    scraper.abort();
    Ok(paths.into_iter().collect())
}

async fn prepare(server: &ApiServer, issuer: &str) -> Result<Prepared> {
    let client = Client::new(&server.url)?;
    register_tenants(server, &client, issuer).await?;
    let token = client.dev_token("contoso", "admin").await?;
    let pipeline = client
        .service_token(issuer, "pipeline", "consent.decisions.read")
        .await?;
    Ok(Prepared {
        server_addr: server.addr,
        pid: server.child.id(),
        client,
        document_read: bearer(&token)?,
        pipeline: bearer(&pipeline)?,
    })
}

fn reads(server: &Prepared) -> Vec<Read> {
    (0..READERS)
        .map(|_| Read {
            path: "/api/v1/tenants/contoso/data-sharing".to_owned(),
            headers: vec![("authorization".to_owned(), server.document_read.clone())],
            expect: StatusCode::OK,
        })
        .collect()
}

/// One path's workers, made before a run so that making them is not counted.
enum Workers {
    Reads(Vec<Read>),
    Writers(Vec<Toggle>),
    Lookups(Vec<Lookup>),
}

/// The workers of path `which` (0: GET a document, 1: PUT changes, 2: GET
/// decisions); PUT's writers each get a fresh tenant.
async fn workers(server: &Prepared, which: usize) -> Result<Workers> {
    Ok(match which {
        0 => Workers::Reads(reads(server)),
        1 => {
            let mut writers = Vec::with_capacity(WRITERS);
            for _ in 0..WRITERS {
                writers.push(new_writer(&server.client).await?);
            }
            Workers::Writers(writers)
        }
        _ => Workers::Lookups(
            (0..READERS)
                .map(|worker| Lookup::new(&server.pipeline, worker * TENANTS / READERS))
                .collect(),
        ),
    })
}

/// One run of path `which` for `length`, with the server's CPU time read
/// around it; also how many requests were answered.
async fn run_path(server: &Prepared, which: usize, length: Duration) -> Result<(Run, u64)> {
    run_workers(server, workers(server, which).await?, length).await
}

async fn run_workers(server: &Prepared, workers: Workers, length: Duration) -> Result<(Run, u64)> {
    match workers {
        Workers::Reads(w) => measured(server, w, length).await,
        Workers::Writers(w) => measured(server, w, length).await,
        Workers::Lookups(w) => measured(server, w, length).await,
    }
}

/// One run of `workers`, with the server's CPU time read around it.
async fn measured<S: Step>(
    server: &Prepared,
    workers: Vec<S>,
    length: Duration,
) -> Result<(Run, u64)> {
    let cpu_before = cpu_seconds(server.pid)?;
    let result = run_load(server.server_addr, workers, Duration::ZERO, length).await?;
    let cpu = cpu_seconds(server.pid)? - cpu_before;
    if result.failed > 0 {
        return Err(format!(
            "{} requests failed: {}",
            result.failed,
            result.first_failure.unwrap_or_default()
        ));
    }
    let run = Run {
        per_second: result.per_second(),
        cpu_us_per_request: cpu * 1e6 / result.ok.max(1) as f64,
    };
    Ok((run, result.ok))
}

/// Instructions per request of each path on `off` and `on`, servers
/// running under callgrind with instrumentation off until each run (see
/// [`callgrind_command`]); `outs` are their output files. Answers the
/// instructions of one scrape of `on`'s `/metrics`.
pub async fn count_instructions(
    off: &ApiServer,
    on: &ApiServer,
    outs: [&Path; 2],
    metrics_url: &str,
    issuer: &str,
    paths: &mut [PathCost],
) -> Result<f64> {
    println!("xtask: bench: instructions per request under callgrind");
    let servers = [prepare(off, issuer).await?, prepare(on, issuer).await?];
    // No scraper here: under callgrind a request is some 50 times slower,
    // so a scrape a second would weigh 50 times too much on each request.
    // One scrape is counted on its own below.
    // What each server does with no request at all (following the change
    // feed, looking for webhooks to send), per second: taken off each run
    // by its length, so that a slower run is not charged for waiting.
    let mut idle_per_second = [0.0; 2];
    for (which, server) in servers.iter().enumerate() {
        callgrind(server.pid, "--instr=on")?;
        callgrind(server.pid, "--zero")?;
        let started = Instant::now();
        tokio::time::sleep(IDLE_WINDOW).await;
        callgrind(server.pid, "--dump")?;
        let seconds = started.elapsed().as_secs_f64();
        callgrind(server.pid, "--instr=off")?;
        idle_per_second[which] = newest_total(outs[which])? / seconds;
    }
    for (which_path, path) in paths.iter_mut().enumerate() {
        // Alternating rounds, the median kept: the idle work taken off is
        // an average, and a run's own share of it varies.
        let mut counts = [Vec::new(), Vec::new()];
        for round in 0..COUNTED_ROUNDS {
            let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                // PUT's writers are made before the run: only the run is counted.
                let (requests, seconds) = counted_run(&servers[which], which_path).await?;
                let total = newest_total(outs[which])? - idle_per_second[which] * seconds;
                counts[which].push(total / requests.max(1) as f64);
            }
        }
        let [off, on] = counts;
        path.instructions = Some((median(off), median(on)));
    }
    callgrind(servers[1].pid, "--instr=on")?;
    callgrind(servers[1].pid, "--zero")?;
    let answer = client()?
        .get(metrics_url)
        .send()
        .await
        .map_err(|e| format!("GET {metrics_url}: {e}"))?;
    if !answer.status().is_success() {
        return Err(format!("GET {metrics_url}: {}", answer.status()));
    }
    let _ = answer.text().await;
    callgrind(servers[1].pid, "--dump")?;
    callgrind(servers[1].pid, "--instr=off")?;
    newest_total(outs[1])
}

/// One run of path `which` with callgrind counting on the server: the
/// requests answered and the seconds counted.
async fn counted_run(server: &Prepared, which: usize) -> Result<(u64, f64)> {
    let workers = workers(server, which).await?;
    callgrind(server.pid, "--instr=on")?;
    callgrind(server.pid, "--zero")?;
    let started = Instant::now();
    let (_, requests) = run_workers(server, workers, COUNTED_RUN).await?;
    callgrind(server.pid, "--dump")?;
    let seconds = started.elapsed().as_secs_f64();
    callgrind(server.pid, "--instr=off")?;
    Ok((requests, seconds))
}

/// Counted runs of each path on each server.
const COUNTED_ROUNDS: usize = 3;

/// How long the idle count lasts.
const IDLE_WINDOW: Duration = Duration::from_secs(3);

/// How long each counted run lasts (the server runs some 50 times slower).
const COUNTED_RUN: Duration = Duration::from_secs(3);

/// The command that runs a server under callgrind, writing to `out`.
pub fn callgrind_command(out: &Path) -> Vec<String> {
    vec![
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        "--instr-atstart=no".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
    ]
}

fn callgrind(pid: u32, action: &str) -> Result {
    let status = std::process::Command::new("callgrind_control")
        .arg(action)
        .arg(pid.to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run callgrind_control: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("callgrind_control {action} {pid}: {status}"))
    }
}

/// The `totals:` of the newest dump next to `out` (`out.1`, `out.2`, …).
fn newest_total(out: &Path) -> Result<f64> {
    let dir = out.parent().ok_or("a callgrind file has a folder")?;
    let stem = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("a callgrind file has a name")?;
    let newest: Option<(u32, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix(stem)?.strip_prefix('.')?.parse().ok()?;
            Some((n, entry.path()))
        })
        .max_by_key(|(n, _)| *n);
    let (_, file) =
        newest.ok_or_else(|| format!("callgrind wrote no dump beside {}", out.display()))?;
    // The dump is written by the server's process; wait until it is whole.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if let Some(total) = text
            .lines()
            .find_map(|line| line.strip_prefix("totals: "))
            .and_then(|n| n.split_whitespace().next()?.parse().ok())
        {
            return Ok(total);
        }
        if Instant::now() > deadline {
            return Err(format!("{} has no totals", file.display()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The CPU time process `pid` has used, user and system, in seconds.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    // After the command name, which may hold spaces, in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .and_then(|t| t.parse::<f64>().ok())
            .ok_or_else(|| format!("{path} has no CPU times"))
    };
    Ok((ticks(11)? + ticks(12)?) / CLOCK_TICKS_PER_SECOND)
}

/// Linux's `USER_HZ`, the unit of `/proc/<pid>/stat`'s times (100 on every
/// platform it runs on).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// Reads `/metrics` every [`SCRAPE_EVERY`] until aborted; fails on a bad answer.
async fn scrape(url: String) -> Result {
    let client = client()?;
    loop {
        let next = Instant::now() + SCRAPE_EVERY;
        let answer = client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if !answer.status().is_success() {
            return Err(format!("GET {url}: {}", answer.status()));
        }
        let _ = answer.text().await;
        tokio::time::sleep_until(next.into()).await;
    }
}

pub fn print(paths: &[PathCost], scrape_instructions: f64) {
    let line = "-".repeat(96);
    println!(
        "\n{line}\nMETRICS: what --metrics-bind costs the hot paths (scraped every {} s)",
        SCRAPE_EVERY.as_secs()
    );
    println!("instructions per request (callgrind), without and with metrics:");
    for path in paths {
        if let Some((off, on)) = path.instructions {
            let cost = on / off - 1.0;
            println!(
                "  {:<26} {:>9.0} {:>9.0} ({:>+5.1} %)   {} (≤ {:.0} %)",
                path.name,
                off,
                on,
                cost * 100.0,
                verdict(cost <= COST_BUDGET),
                COST_BUDGET * 100.0
            );
        }
    }
    println!(
        "  one scrape of /metrics {scrape_instructions:>13.0} (the database's figures read afresh; Prometheus scrapes every 15 s by default)"
    );
    println!(
        "wall clock, for context (medians of {PAIRS} alternating pairs of {} s runs):",
        RUN.as_secs()
    );
    for path in paths {
        let throughput = |runs: &[Run]| median(runs.iter().map(|r| r.per_second).collect());
        let cpu = |runs: &[Run]| median(runs.iter().map(|r| r.cpu_us_per_request).collect());
        println!(
            "  {:<26} {:>7.0}/s {:>7.0}/s ({:>+5.1} %); server CPU per request {:>6.1} µs {:>6.1} µs ({:>+5.1} %)",
            path.name,
            throughput(&path.off),
            throughput(&path.on),
            -path.throughput_cost() * 100.0,
            cpu(&path.off),
            cpu(&path.on),
            path.cpu_cost() * 100.0,
        );
    }
}
