//! Property-based testing of the API from its own OpenAPI document, with
//! schemathesis (from PyPI) in a virtual environment under `target/tools/`.

use std::path::PathBuf;

use crate::install::apt_install;
use crate::shell::{command, first_line_of, run, workspace_root, Result};
use crate::support::http::{block_on, Api};
use crate::support::server::{self, ServerOptions};

const VERSION: &str = "4.32.5";
/// Examples per operation: enough to find shape mistakes, bounded in time.
const MAX_EXAMPLES: &str = "40";

fn venv() -> PathBuf {
    workspace_root().join("target/tools/schemathesis")
}

/// Creates the virtual environment and installs schemathesis, unless present at the right version.
pub fn ensure_installed() -> Result {
    let st = venv().join("bin/st");
    let current = first_line_of(&st.to_string_lossy(), &["--version"]).unwrap_or_default();
    if current.ends_with(VERSION) {
        return Ok(());
    }
    if first_line_of("python3", &["-c", "import venv, ensurepip; print('ok')"]).is_none() {
        apt_install(&["python3", "python3-venv"])?;
    }
    println!("xtask: installing schemathesis {VERSION}");
    let dir = venv().to_string_lossy().into_owned();
    run(command("python3", &["-m", "venv", &dir]))?;
    let pip = venv().join("bin/pip").to_string_lossy().into_owned();
    run(command(
        &pip,
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("schemathesis=={VERSION}"),
        ],
    ))
}

/// Runs schemathesis against a fresh development server; fails on any finding.
pub fn run_against_fresh_server() -> Result {
    ensure_installed()?;
    let data_dir =
        std::env::temp_dir().join(format!("consent-schemathesis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let outcome = (|| {
        // The contract under fuzzing, not the rate limits (tested on their own).
        let api = server::start(ServerOptions {
            log: Some(data_dir.join("consent-api.log")),
            unlimited: true,
            ..ServerOptions::dev(&data_dir)
        })?;
        let client = Api::new(&api.url)?;
        let token = block_on(client.dev_token("contoso", "admin"))?;
        let st = venv().join("bin/st").to_string_lossy().into_owned();
        let schema = format!("{}/api/openapi.json", api.url);
        let auth = format!("Authorization: Bearer {token}");
        let config = workspace_root()
            .join("crates/consent-api/schemathesis.toml")
            .to_string_lossy()
            .into_owned();
        let mut cmd = command(
            &st,
            &[
                "--config-file",
                &config,
                "run",
                &schema,
                "-H",
                &auth,
                "--checks",
                "all",
                "--max-examples",
                MAX_EXAMPLES,
                "--generation-deterministic",
                "--no-color",
            ],
        );
        // Runs from the workspace root (the config names its hooks file relative
        // to it); reports, if any, go to a scratch folder, never into the tree.
        cmd.arg("--report-dir").arg(data_dir.join("report"));
        run(cmd).map_err(|e| format!("{e}{}", api.log_tail()))
    })();
    let _ = std::fs::remove_dir_all(&data_dir);
    outcome
}
