//! The figures of the systems that enforce the choice: decisions under
//! load and how fast a change propagates, on SQLite and on PostgreSQL, with
//! the budgets as PASS/FAIL lines.

use super::decisions::{measure_decisions, Decisions, TENANTS};
use super::load::LoadResult;
use super::propagation::{measure_propagation, Propagation};
use super::report::verdict;
use crate::shell::Result;
use crate::support::server::ApiServer;

/// Single lookups per second on SQLite, load generator on the same machine.
const LOOKUPS_BUDGET: f64 = 20_000.0;
const LOOKUP_P99_BUDGET_MS: f64 = 2.0;
const BATCH_BUDGET_MS: f64 = 20.0;
const WEBHOOK_P50_BUDGET_MS: f64 = 100.0;
const WEBHOOK_P99_BUDGET_MS: f64 = 500.0;
const LONG_POLL_BUDGET_MS: f64 = 100.0;
/// The longest a decision on another process may still show the state before a commit.
const REMOTE_STALENESS_BUDGET_MS: f64 = 100.0;

/// Everything measured on one database.
pub struct Enforcement {
    pub database: String,
    pub decisions: Decisions,
    /// Feed and decisions read from the process that commits.
    pub local: Propagation,
    /// Feed and decisions read from another process on the same database.
    pub remote: Option<Propagation>,
}

/// Decisions on `server`, then propagation on it and, when given, from
/// `server` to `other` (another process on the same database).
pub async fn measure_enforcement(
    database: &str,
    server: &ApiServer,
    other: Option<&ApiServer>,
    issuer: &str,
) -> Result<Enforcement> {
    let decisions = measure_decisions(server, issuer).await?;
    println!("xtask: bench: propagation of changes on one process ({database})");
    let local = measure_propagation(server, server, issuer).await?;
    let remote = match other {
        Some(other) => {
            println!("xtask: bench: propagation of changes to another process ({database})");
            Some(measure_propagation(server, other, issuer).await?)
        }
        None => None,
    };
    Ok(Enforcement {
        database: database.to_owned(),
        decisions,
        local,
        remote,
    })
}

/// The value at quantile `q` (0..=1) of unsorted `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn p50_p99(values: &[f64]) -> String {
    format!(
        "{:.1} / {:.1}",
        quantile(values, 0.5),
        quantile(values, 0.99)
    )
}

fn load_row(run: &LoadResult) -> String {
    format!(
        "{:.0}/s, {:.2} / {:.2}{}",
        run.per_second(),
        run.quantile_ms(0.5),
        run.quantile_ms(0.99),
        if run.failed > 0 {
            format!(", {} errors", run.failed)
        } else {
            String::new()
        }
    )
}

/// Prints the figures side by side (one column per database), then the budgets.
pub fn print(runs: &[Enforcement]) {
    let line = "-".repeat(96);
    println!(
        "\n{line}\nENFORCEMENT: decisions under load (service token, RS256) and propagation of a change \
         (ms from the commit's 200 at the client; p50 / p99)"
    );
    print!("{:<52}", "");
    for run in runs {
        print!(" {:>21}", run.database);
    }
    println!();
    let row = |name: &str, cell: &dyn Fn(&Enforcement) -> String| {
        print!("{name:<52}");
        for run in runs {
            print!(" {:>21}", cell(run));
        }
        println!();
    };
    row(
        &format!(
            "GET /decisions/{{t}}/{{p}}, {} conn.: rate, ms",
            runs.first().map_or(0, |r| r.decisions.single.workers)
        ),
        &|r| load_row(&r.decisions.single),
    );
    row(
        &format!("POST /decisions:batch of {TENANTS} pairs: rate, ms"),
        &|r| load_row(&r.decisions.batch),
    );
    row("commit → webhook at a loopback receiver", &|r| {
        p50_p99(&r.local.webhook_ms)
    });
    row("commit → long poll answered (same process)", &|r| {
        p50_p99(&r.local.long_poll_ms)
    });
    row("commit → decision shows it (same process)", &|r| {
        p50_p99(&r.local.decision_ms)
    });
    row("commit → long poll answered (another process)", &|r| {
        r.remote
            .as_ref()
            .map_or("-".to_owned(), |p| p50_p99(&p.long_poll_ms))
    });
    row("commit → decision shows it (another process)", &|r| {
        r.remote
            .as_ref()
            .map_or("-".to_owned(), |p| p50_p99(&p.decision_ms))
    });
    row("commit → webhook (feed read on another process)", &|r| {
        r.remote
            .as_ref()
            .map_or("-".to_owned(), |p| p50_p99(&p.webhook_ms))
    });
    for run in runs {
        for (name, failure) in [
            ("lookups", &run.decisions.single.first_failure),
            ("batches", &run.decisions.batch.first_failure),
        ] {
            if let Some(failure) = failure {
                println!(
                    "    {} {name}, first error: {}",
                    run.database,
                    failure.chars().take(160).collect::<String>()
                );
            }
        }
    }

    println!("\n{line}\nENFORCEMENT BUDGETS");
    let budget = |pass: bool, text: String| println!("{} {text}", verdict(pass));
    if let Some(sqlite) = runs.first() {
        let single = &sqlite.decisions.single;
        budget(
            single.per_second() >= LOOKUPS_BUDGET && single.failed == 0,
            format!(
                "decisions on {} ≥ {LOOKUPS_BUDGET:.0}/s (load generator on the same machine): {:.0}/s",
                sqlite.database,
                single.per_second()
            ),
        );
        budget(
            single.quantile_ms(0.99) <= LOOKUP_P99_BUDGET_MS,
            format!(
                "decision p99 on {} ≤ {LOOKUP_P99_BUDGET_MS} ms: {:.2} ms",
                sqlite.database,
                single.quantile_ms(0.99)
            ),
        );
        let batch = &sqlite.decisions.batch;
        budget(
            batch.quantile_ms(0.99) <= BATCH_BUDGET_MS && batch.failed == 0,
            format!(
                "batch of {TENANTS} pairs on {} ≤ {BATCH_BUDGET_MS} ms (p99): {:.2} ms",
                sqlite.database,
                batch.quantile_ms(0.99)
            ),
        );
    }
    for run in runs {
        for (place, propagation) in std::iter::once(("", &run.local))
            .chain(run.remote.iter().map(|p| (", another process", p)))
        {
            let (p50, p99) = (
                quantile(&propagation.webhook_ms, 0.5),
                quantile(&propagation.webhook_ms, 0.99),
            );
            budget(
                p50 <= WEBHOOK_P50_BUDGET_MS && p99 <= WEBHOOK_P99_BUDGET_MS,
                format!(
                    "commit → webhook on {}{place} p50/p99 ≤ {WEBHOOK_P50_BUDGET_MS:.0}/{WEBHOOK_P99_BUDGET_MS:.0} ms: {p50:.1}/{p99:.1} ms",
                    run.database
                ),
            );
            let wake = quantile(&propagation.long_poll_ms, 0.99);
            budget(
                wake <= LONG_POLL_BUDGET_MS,
                format!(
                    "long-poll wake-up on {}{place} ≤ {LONG_POLL_BUDGET_MS:.0} ms (p99): {wake:.1} ms",
                    run.database
                ),
            );
        }
        if let Some(remote) = &run.remote {
            let worst = quantile(&remote.decision_ms, 1.0);
            budget(
                worst <= REMOTE_STALENESS_BUDGET_MS,
                format!(
                    "commit → decision on another process on {} ≤ {REMOTE_STALENESS_BUDGET_MS:.0} ms (max of {}): {worst:.1} ms",
                    run.database,
                    remote.decision_ms.len()
                ),
            );
        }
        budget(
            run.local.stale_decisions == 0,
            format!(
                "no decision on {} older than a change the same process answered 200: {} stale",
                run.database, run.local.stale_decisions
            ),
        );
    }
}
