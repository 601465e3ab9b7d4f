//! The same API runs against a throwaway PostgreSQL cluster, and pgbench's
//! raw durable inserts as that database's ceiling; the enforcement figures
//! with a second server process on the same database.

use std::path::Path;

use super::api::{measure_api, Api};
use super::enforcement::{measure_enforcement, Enforcement};
use super::{start_server, RUN, WRITERS};
use crate::postgres::Cluster;
use crate::shell::{run, Result};
use crate::support::server::ApiServer;

/// The API runs and the raw ceiling on PostgreSQL.
pub struct OnPostgres {
    pub version: String,
    pub api: Api,
    /// Raw durable single-row inserts per second by pgbench, on [`WRITERS`] connections.
    pub ceiling: f64,
    pub memory: Option<u64>,
    pub enforcement: Enforcement,
}

pub async fn measure_postgres(work: &Path, site: &Path, issuer: &str) -> Result<OnPostgres> {
    let cluster = Cluster::start()?;
    let mut server = start_server(
        work,
        Some(site),
        Some(&cluster.url),
        Some(issuer),
        "consent-api-postgres.log",
    )?;
    println!(
        "xtask: bench: release server on PostgreSQL at {}",
        server.url
    );
    let api = measure_api(&server).await?;
    let enforcement = enforcement_beside(&cluster, work, &server, issuer).await?;
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
        enforcement,
    })
}

/// Only the enforcement figures on a throwaway cluster.
pub async fn measure_enforcement_only(work: &Path, issuer: &str) -> Result<Enforcement> {
    let cluster = Cluster::start()?;
    let server = start_server(
        work,
        None,
        Some(&cluster.url),
        Some(issuer),
        "consent-api-postgres.log",
    )?;
    println!(
        "xtask: bench: release server on PostgreSQL at {}",
        server.url
    );
    enforcement_beside(&cluster, work, &server, issuer).await
}

/// The enforcement figures of `server`, with a second process on its database.
async fn enforcement_beside(
    cluster: &Cluster,
    work: &Path,
    server: &ApiServer,
    issuer: &str,
) -> Result<Enforcement> {
    let mut other = start_server(
        work,
        None,
        Some(&cluster.url),
        Some(issuer),
        "consent-api-postgres-2.log",
    )?;
    let figures = measure_enforcement(
        &format!("PostgreSQL {}", cluster.version()),
        server,
        Some(&other),
        issuer,
    )
    .await?;
    if let Some(status) = other.exited() {
        return Err(format!(
            "the second server on PostgreSQL stopped during the bench ({status}){}",
            other.log_tail()
        ));
    }
    Ok(figures)
}

/// Durable single-row inserts per second, each its own transaction, like a change's event row.
fn pgbench_inserts_per_second(cluster: &Cluster, work: &Path) -> Result<f64> {
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
