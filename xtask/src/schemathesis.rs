//! Property-based testing of the API from its own OpenAPI document, with
//! schemathesis (from PyPI) in a virtual environment under `target/tools/`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use crate::install::apt_install;
use crate::server::{ApiServer, ServerOptions};
use crate::shell::{command, first_line_of, run, workspace_root, Result};

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
        let api = ApiServer::start(ServerOptions {
            bind: "127.0.0.1:0",
            data_dir: &data_dir,
            cors_loopback: false,
            log: Some(data_dir.join("consent-api.log")),
            static_dir: None,
        })?;
        let token = dev_token(&api.url, "contoso", "admin")?;
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

/// A development token, fetched with a plain HTTP/1.1 request (no client library needed here).
pub fn dev_token(base_url: &str, tenant: &str, role: &str) -> Result<String> {
    let address = base_url
        .strip_prefix("http://")
        .ok_or("the API URL is not http://")?;
    let body = format!("{{\"tenant\":\"{tenant}\",\"role\":\"{role}\"}}");
    let request = format!(
        "POST /api/v1/dev/token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream =
        TcpStream::connect(address).map_err(|e| format!("cannot reach {address}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    token_from_answer(&answer).ok_or_else(|| format!("no token in the answer: {answer}"))
}

fn token_from_answer(answer: &str) -> Option<String> {
    if !answer.starts_with("HTTP/1.1 200") {
        return None;
    }
    let rest = &answer[answer.find("\"token\":\"")? + "\"token\":\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards reading the token out of the dev token answer, and refusing an error answer.
    #[test]
    fn token_is_read_only_from_a_200_answer() {
        let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"token\":\"abc.def.ghi\",\"name\":\"Ada\"}";
        assert_eq!(token_from_answer(ok).as_deref(), Some("abc.def.ghi"));
        let refused = "HTTP/1.1 404 Not Found\r\n\r\n{\"code\":\"not_found\",\"token\":\"x\"}";
        assert_eq!(token_from_answer(refused), None);
    }
}
