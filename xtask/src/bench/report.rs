//! The bench's report: every figure, then the budgets.

use std::time::Duration;

use super::api::Api;
use super::load::LoadResult;
use super::postgres::OnPostgres;
use super::startup::Startup;
use super::weight::Asset;
use super::{
    APP_PAGE, GET_P99_BUDGET_MS, PUT_SHARE_BUDGET, RUN, STARTUP_RATIO_BUDGET, TIME_LIMIT, WARM_UP,
    WRITERS,
};

pub struct Report {
    pub assets: Vec<Asset>,
    pub startup: Startup,
    pub api: Api,
    pub ceiling: f64,
    pub memory: Option<u64>,
    pub postgres: OnPostgres,
    /// How long the whole bench took, build included, when known.
    pub elapsed: Option<Duration>,
}

pub(super) fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

pub(super) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub(super) fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.0}–{max:.0}")
}

pub(super) fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

impl Report {
    pub fn print(&self) {
        let line = "-".repeat(96);
        println!("\n{line}\nPAGE WEIGHT: every file of the app (precompressed copies as served; each route fetches some)");
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

        let elapsed = self.elapsed;

        println!("\n{line}\nBUDGETS");
        let budget = |pass: bool, text: String| println!("{} {text}", verdict(pass));
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
