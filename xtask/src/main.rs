//! `cargo xtask <command>`: the project's own set-up and orchestration.
//!
//! Every command first installs whatever is missing (see `install.rs`), so the
//! README's two commands work on a machine that has only Rust and apt.

mod bench;
mod dist;
mod e2e;
mod fault_proxy;
mod install;
mod postgres;
mod run;
mod schemathesis;
mod screenshots;
mod server;
mod shell;
mod support;
mod test;
mod webdriver;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run       install what is missing, start the consent API (development mode,
            SQLite under ./data) and the app on http://127.0.0.1:8080
  test      install what is missing and run every test: native unit tests,
            API tests (on SQLite, then on a throwaway PostgreSQL cluster),
            and browser tests in headless Chromium
  test-postgres [ARGS]
            only the API tests on a throwaway PostgreSQL cluster; ARGS go to
            cargo test (e.g. --test crash)
  soak      the crash test with many kill cycles, on SQLite and PostgreSQL
            (--cycles N, default 200)
  dist      the production build: the app in dist/ (with .br and .gz copies)
            and the server in target/server/consent-api
  e2e       build the app, serve it from the consent API and drive both
            programs' opt-in and opt-out with real key presses in headless
            Chromium (also the last step of test)
  screenshots
            build and serve the app, then save PNGs of every screen (light,
            dark, 360 px wide) to target/screenshots/
  bench     the production build's weight, start-up in headless Chromium and
            API throughput under load, with the budgets checked (~3-5 min)
  fault-proxy --upstream http://IP:PORT [--bind ADDR] [--control ADDR]
            a fault-injecting proxy in front of a consent API, for running
            the browser fault tests by hand (see xtask/src/fault_proxy.rs)
  install   only install what is missing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run::run(),
        Some("test") => test::test(),
        Some("test-postgres") => test::test_postgres(&args[1..]),
        Some("soak") => test::soak(&args[1..]),
        Some("dist") => dist::dist().map(|_| ()),
        Some("bench") => bench::bench(),
        Some("e2e") => e2e::e2e(),
        Some("screenshots") => screenshots::screenshots(),
        // The measuring half of `bench`, run as an optimised build.
        Some("bench-measure") => bench::measure(),
        Some("fault-proxy") => fault_proxy::command(&args[1..]),
        Some("install") => install::ensure_all(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown or missing command\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
