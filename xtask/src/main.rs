//! `cargo xtask <command>`: the project's own set-up and orchestration.
//!
//! Every command first installs whatever is missing (see `install.rs`), so the
//! README's two commands work on a machine that has only Rust and apt.

mod alerting;
mod bench;
mod dist;
mod e2e;
mod fault_proxy;
mod install;
mod postgres;
mod run;
mod schemathesis;
mod screenshots;
mod shell;
mod support;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The project's own set-up and orchestration: every command first installs
/// whatever is missing.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install what is missing, start the consent API (development mode,
    /// SQLite under ./data) and the app on http://127.0.0.1:8080
    Run,
    /// Install what is missing and run every test: native unit tests, API
    /// tests (on SQLite, then on a throwaway PostgreSQL cluster), and browser
    /// tests in headless Chromium
    Test,
    /// Only the API tests on a throwaway PostgreSQL cluster
    TestPostgres {
        /// Passed to cargo test (e.g. --test crash)
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        cargo_args: Vec<String>,
    },
    /// The alert rules: promtool's checks and unit tests, then a real
    /// Prometheus scraping a real consent API until the expected alerts fire
    /// (also a step of test)
    Alerts,
    /// The crash test with many kill cycles, on SQLite and PostgreSQL
    Soak {
        /// Kill cycles per database
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
        cycles: u32,
    },
    /// The production build: the app in dist/ (with .br and .gz copies) and
    /// the server in target/server/consent-api
    Dist,
    /// Build the app, serve it from the consent API and drive both programs'
    /// opt-in and opt-out with real key presses in headless Chromium (also
    /// the last step of test)
    E2e,
    /// Build and serve the app, then save PNGs of every screen (light, dark,
    /// 360 px wide) to target/screenshots/
    Screenshots,
    /// The production build's weight, start-up in headless Chromium, API
    /// throughput under load and the enforcement figures (decisions,
    /// propagation), with the budgets checked (~3-5 min)
    Bench {
        /// Measure only this part
        #[arg(long, value_enum)]
        only: Option<bench::Section>,
    },
    /// The measuring half of bench, run as an optimised build
    #[command(hide = true)]
    BenchMeasure {
        /// When the whole bench started, in ms since the Unix epoch
        #[arg(long, env = bench::STARTED_AT)]
        started_ms: Option<u128>,
        #[arg(long, value_enum)]
        only: Option<bench::Section>,
    },
    /// A fault-injecting proxy in front of a consent API, for running the
    /// browser fault tests by hand (see xtask/src/fault_proxy.rs)
    FaultProxy(fault_proxy::Args),
    /// Only install what is missing
    Install,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run => run::run(),
        Command::Test => test::test(),
        Command::TestPostgres { cargo_args } => test::test_postgres(&cargo_args),
        Command::Alerts => alerting::alerts(),
        Command::Soak { cycles } => test::soak(cycles),
        Command::Dist => dist::dist().map(|_| ()),
        Command::Bench { only } => bench::bench(only),
        Command::BenchMeasure { started_ms, only } => bench::measure(started_ms, only),
        Command::E2e => e2e::e2e(),
        Command::Screenshots => screenshots::screenshots(),
        Command::FaultProxy(args) => fault_proxy::command(args),
        Command::Install => install::ensure_all(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    // Guards the command line: clap's own consistency checks, and the flags as the README writes them.
    #[test]
    fn the_command_line_reads_as_documented() {
        Cli::command().debug_assert();
        let parse = |line: &str| Cli::try_parse_from(line.split_whitespace());
        assert!(matches!(
            parse("xtask soak --cycles 5").unwrap().command,
            Command::Soak { cycles: 5 }
        ));
        assert!(matches!(
            parse("xtask soak").unwrap().command,
            Command::Soak { cycles: 200 }
        ));
        assert!(parse("xtask soak --cycles 0").is_err());
        match parse("xtask test-postgres --test crash -- --nocapture")
            .unwrap()
            .command
        {
            Command::TestPostgres { cargo_args } => {
                assert_eq!(cargo_args, ["--test", "crash", "--", "--nocapture"]);
            }
            other => panic!("{other:?}"),
        }
        match parse("xtask fault-proxy --upstream http://127.0.0.1:3999 --bind 127.0.0.1:3998")
            .unwrap()
            .command
        {
            Command::FaultProxy(args) => {
                assert_eq!(args.upstream, "http://127.0.0.1:3999");
                assert_eq!(args.bind, "127.0.0.1:3998");
                assert_eq!(args.control, "127.0.0.1:0");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            parse("xtask fault-proxy").is_err(),
            "the upstream is required"
        );
        assert!(matches!(
            parse("xtask bench --only enforcement").unwrap().command,
            Command::Bench {
                only: Some(bench::Section::Enforcement)
            }
        ));
        assert!(matches!(
            parse("xtask bench").unwrap().command,
            Command::Bench { only: None }
        ));
        assert!(parse("xtask explode").is_err());
    }
}
