//! What metrics cost the hot paths: the same release server twice, one
//! without metrics and one with `--metrics-bind` and a scraper reading
//! `/metrics` every second (fifteen times Prometheus's usual rate), each
//! over its own SQLite database. For each path (GET of a tenant's
//! document, PUT changes, GET decisions) short runs alternate between the
//! two servers, so that drift of the machine falls on both alike. Two
//! figures per path: throughput, and the server's own CPU time per request
//! (from `/proc`, steadier on a machine the load generator shares); each
//! cost is the median over the pairs of runs.

use std::time::{Duration, Instant};

use hyper::StatusCode;

use super::api::new_writer;
use super::decisions::{register_tenants, Lookup, TENANTS};
use super::load::{bearer, run_load, Read, Step};
use super::report::verdict;
use super::{READERS, WRITERS};
use crate::shell::Result;
use crate::support::http::{client, Api as Client};
use crate::support::server::ApiServer;

/// The budget: metrics may cost a hot path this share.
const COST_BUDGET: f64 = 0.03;
/// Pairs of runs (one on each server) per path.
const PAIRS: usize = 6;
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
                let server = &servers[which];
                let run = match which_path {
                    0 => measured(server, reads(server)).await?,
                    1 => {
                        let mut writers = Vec::with_capacity(WRITERS);
                        for _ in 0..WRITERS {
                            writers.push(new_writer(&server.client).await?);
                        }
                        measured(server, writers).await?
                    }
                    _ => {
                        let lookups = (0..READERS)
                            .map(|worker| Lookup::new(&server.pipeline, worker * TENANTS / READERS))
                            .collect();
                        measured(server, lookups).await?
                    }
                };
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

/// One run of `workers`, with the server's CPU time read around it.
async fn measured<S: Step>(server: &Prepared, workers: Vec<S>) -> Result<Run> {
    let cpu_before = cpu_seconds(server.pid)?;
    let result = run_load(server.server_addr, workers, Duration::ZERO, RUN).await?;
    let cpu = cpu_seconds(server.pid)? - cpu_before;
    if result.failed > 0 {
        return Err(format!(
            "{} requests failed: {}",
            result.failed,
            result.first_failure.unwrap_or_default()
        ));
    }
    Ok(Run {
        per_second: result.per_second(),
        cpu_us_per_request: cpu * 1e6 / result.ok.max(1) as f64,
    })
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

pub fn print(paths: &[PathCost]) {
    let line = "-".repeat(96);
    println!(
        "\n{line}\nMETRICS: what --metrics-bind costs the hot paths (scraped every {} s; medians of {PAIRS} pairs of runs)",
        SCRAPE_EVERY.as_secs()
    );
    for path in paths {
        let throughput = |runs: &[Run]| median(runs.iter().map(|r| r.per_second).collect());
        let cpu = |runs: &[Run]| median(runs.iter().map(|r| r.cpu_us_per_request).collect());
        println!(
            "{:<26} throughput off {:>7.0}/s on {:>7.0}/s ({:>+5.1} %); server CPU per request off {:>5.1} µs on {:>5.1} µs ({:>+5.1} %)   {} (≤ {:.0} %)",
            path.name,
            throughput(&path.off),
            throughput(&path.on),
            -path.throughput_cost() * 100.0,
            cpu(&path.off),
            cpu(&path.on),
            path.cpu_cost() * 100.0,
            verdict(path.cpu_cost() <= COST_BUDGET),
            COST_BUDGET * 100.0
        );
    }
}
