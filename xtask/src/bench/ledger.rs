//! The ledger's evidence: what hashing each change into its tenant's chain
//! and signing a checkpoint cost a change (read from the server's own
//! per-change log fields, `ledger_us` and `hash_and_sign_us`, during the
//! PUT run), what share of the writer's time that is at the measured PUT
//! rate, and how fast the offline verifier checks an export and a whole
//! database (`consent-api ledger verify`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::load::{run_load, LoadResult};
use super::report::verdict;
use crate::shell::{workspace_root, Result};
use crate::support::http::Api as Client;
use crate::support::server::ApiServer;

/// One tenant's changes for the verifier's file (a few thousand events).
const CHAIN_RUN: Duration = Duration::from_secs(3);

/// The budgets: hashing and signing may cost a change this much (a fifth
/// of a change's 1 ms), and an auditor checks a busy tenant's year (100,000
/// events) offline in 30 s. The ledger's share of the writer is reported.
const HASH_AND_SIGN_P50_BUDGET_US: f64 = 200.0;
const VERIFY_BUDGET_PER_SECOND: f64 = 100_000.0 / 30.0;

pub struct Ledger {
    /// Per change, µs, sorted: the whole ledger step, and hashing and signing alone.
    pub ledger_us: Vec<u64>,
    pub hash_and_sign_us: Vec<u64>,
    /// The PUT rate the figures were taken at.
    pub changes_per_second: f64,
    /// Events in the exported chain, and the offline check's time.
    pub exported_events: u64,
    pub verify_file: Duration,
    /// Events in the whole database, and its check's time.
    pub database_events: u64,
    pub verify_database: Duration,
}

/// Reads the PUT run's per-change ledger times from `log`, then builds one
/// long chain and times both checks. `database_url` is the server's.
pub async fn measure_ledger(
    server: &ApiServer,
    log: &Path,
    changes: &LoadResult,
    database_url: &str,
    work: &Path,
) -> Result<Ledger> {
    let text =
        std::fs::read_to_string(log).map_err(|e| format!("cannot read {}: {e}", log.display()))?;
    let mut ledger_us = field_values(&text, "ledger_us");
    let mut hash_and_sign_us = field_values(&text, "hash_and_sign_us");
    if ledger_us.is_empty() {
        return Err(format!(
            "no change in {} reported its ledger time",
            log.display()
        ));
    }
    ledger_us.sort_unstable();
    hash_and_sign_us.sort_unstable();

    println!(
        "xtask: bench: one tenant's chain, {} s of changes, exported and checked offline",
        CHAIN_RUN.as_secs()
    );
    let client = Client::new(&server.url)?;
    let writer = super::api::new_writer(&client).await?;
    let tenant = writer
        .path
        .split('/')
        .nth(4)
        .ok_or("a writer's path names its tenant")?
        .to_owned();
    run_load(server.addr, vec![writer], Duration::ZERO, CHAIN_RUN).await?;
    let reader = client.dev_token(&tenant, "reader").await?;
    let export = get_text(
        &server.url,
        &format!("/api/v1/tenants/{tenant}/ledger/export"),
        &reader,
    )
    .await?;
    let keys = get_text(&server.url, "/.well-known/jwks.json", "").await?;
    let export_file = work.join("ledger-export.jsonl");
    let keys_file = work.join("jwks.json");
    write(&export_file, &export)?;
    write(&keys_file, &keys)?;
    let exported_events = export.lines().count().saturating_sub(1) as u64;

    let binary = workspace_root().join("target/server/consent-api");
    let file_arg = export_file.to_string_lossy().into_owned();
    let keys_arg = keys_file.to_string_lossy().into_owned();
    let (verify_file, _) = timed(
        &binary,
        &["ledger", "verify", "--in", &file_arg, "--jwks", &keys_arg],
    )?;
    let (verify_database, said) = timed(
        &binary,
        &["ledger", "verify", "--database-url", database_url],
    )?;
    let database_events = said
        .lines()
        .filter_map(|line| line.split_once(": ok, "))
        .filter_map(|(_, rest)| rest.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Ok(Ledger {
        ledger_us,
        hash_and_sign_us,
        changes_per_second: changes.per_second(),
        exported_events,
        verify_file,
        database_events,
        verify_database,
    })
}

/// Every `name=<number>` in the log's change lines.
fn field_values(log: &str, name: &str) -> Vec<u64> {
    let key = format!(" {name}=");
    log.lines()
        .filter(|line| line.contains("consent change stored"))
        .filter_map(|line| {
            let (_, rest) = line.split_once(&key)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

async fn get_text(base: &str, path: &str, token: &str) -> Result<String> {
    let url = format!("{base}{path}");
    let mut request = crate::support::http::client()?.get(&url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !answer.status().is_success() {
        return Err(format!("GET {url}: {}", answer.status()));
    }
    answer.text().await.map_err(|e| format!("GET {url}: {e}"))
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs `binary` with `args`, which must succeed; answers its time and output.
fn timed(binary: &Path, args: &[&str]) -> Result<(Duration, String)> {
    let started = Instant::now();
    let output = Command::new(binary)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let took = started.elapsed();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "{} {} failed: {said}{}",
            binary.display(),
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((took, said))
}

fn quantile(sorted: &[u64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n - 1) as f64 * q).round() as usize] as f64,
    }
}

impl Ledger {
    pub fn print(&self) {
        let line = "-".repeat(96);
        println!(
            "\n{line}\nLEDGER: the evidence each change carries (hash chain + signed checkpoint), on SQLite"
        );
        let mean = self.ledger_us.iter().sum::<u64>() as f64 / self.ledger_us.len() as f64;
        // Changes are written one after another, so the ledger's time adds
        // to the writer's: its share is rate × time per change.
        let share = self.changes_per_second * mean / 1e6;
        let row = |name: &str, value: String| println!("{name:<60} {value:>30}");
        row(
            &format!(
                "ledger step per change, p50 / p99 ({} changes)",
                self.ledger_us.len()
            ),
            format!(
                "{:.0} / {:.0} µs",
                quantile(&self.ledger_us, 0.5),
                quantile(&self.ledger_us, 0.99)
            ),
        );
        let hash_p50 = quantile(&self.hash_and_sign_us, 0.5);
        row(
            "  of which SHA-256 of the event + Ed25519 checkpoint, p50 / p99",
            format!(
                "{hash_p50:.0} / {:.0} µs",
                quantile(&self.hash_and_sign_us, 0.99)
            ),
        );
        row(
            "PUT rate measured, and the ledger's share of the writer",
            format!("{:.0}/s, {:.1} %", self.changes_per_second, share * 100.0),
        );
        row(
            "PUT rate the writer would reach without the ledger (est.)",
            format!("{:.0}/s", self.changes_per_second / (1.0 - share).max(0.01)),
        );
        let file_rate = self.exported_events as f64 / self.verify_file.as_secs_f64();
        let database_rate = self.database_events as f64 / self.verify_database.as_secs_f64();
        row(
            &format!(
                "ledger verify --in (export of {} events, signatures too)",
                self.exported_events
            ),
            format!(
                "{:.0} ms, {file_rate:.0} events/s",
                self.verify_file.as_secs_f64() * 1000.0
            ),
        );
        row(
            &format!(
                "ledger verify --database-url ({} events)",
                self.database_events
            ),
            format!(
                "{:.0} ms, {database_rate:.0} events/s",
                self.verify_database.as_secs_f64() * 1000.0
            ),
        );
        println!(
            "{} hashing and signing a change p50 ≤ {HASH_AND_SIGN_P50_BUDGET_US:.0} µs: {hash_p50:.0} µs",
            verdict(hash_p50 <= HASH_AND_SIGN_P50_BUDGET_US)
        );
        println!(
            "{} offline verification ≥ {VERIFY_BUDGET_PER_SECOND:.0} events/s: {file_rate:.0} events/s",
            verdict(file_rate >= VERIFY_BUDGET_PER_SECOND)
        );
    }
}
