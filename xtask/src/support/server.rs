//! Starts the consent API server as a child process and learns its address.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::shell::{command, run, workspace_root, Result};

/// How long a fresh server may take to migrate, seed and listen.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running consent API; stopped when dropped.
pub struct ApiServer {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    log: Option<PathBuf>,
}

/// How to start the server.
pub struct ServerOptions<'a> {
    pub bind: &'a str,
    pub data_dir: &'a Path,
    /// Allow CORS from loopback origins (browser tests run on another port).
    pub cors_loopback: bool,
    /// Where the server's log goes; `None` shows it in the terminal.
    pub log: Option<PathBuf>,
    /// A built app to serve beside the API (`--static-dir`).
    pub static_dir: Option<&'a Path>,
}

/// Builds the server binary (debug profile).
pub fn build() -> Result {
    run(command("cargo", &["build", "--package", "consent-api"]))
}

impl ApiServer {
    /// Starts the built server in development mode and waits for its `listening on` line.
    pub fn start(options: ServerOptions<'_>) -> Result<ApiServer> {
        let root = workspace_root();
        let binary = root.join("target/debug/consent-api");
        let data_dir = options.data_dir.to_string_lossy().into_owned();
        let content_dir = root.join("content").to_string_lossy().into_owned();
        let mut args = vec![
            "--dev",
            "--bind",
            options.bind,
            "--data-dir",
            &data_dir,
            "--content-dir",
            &content_dir,
        ];
        if options.cors_loopback {
            args.push("--cors-loopback");
        }
        let static_dir = options
            .static_dir
            .map(|dir| dir.to_string_lossy().into_owned());
        if let Some(dir) = &static_dir {
            args.extend(["--static-dir", dir.as_str()]);
        }
        let mut cmd = command(&binary.to_string_lossy(), &args);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        if let Some(log) = &options.log {
            let file =
                File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
            cmd.stderr(file);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;

        // Read stdout on a thread so a silent server cannot hang us past the deadline.
        let stdout = child.stdout.take().expect("stdout is piped");
        let (found, url) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = found.send(url.trim().to_owned());
                }
                println!("consent-api: {line}");
            }
        });
        let mut server = ApiServer {
            child,
            url: String::new(),
            log: options.log,
        };
        match url.recv_timeout(START_DEADLINE) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => Err(format!(
                "the consent API did not start listening{}",
                server.log_tail()
            )),
        }
    }

    /// Whether the server process has exited (and how).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The end of the server's log, to explain a failure.
    pub fn log_tail(&self) -> String {
        let Some(log) = &self.log else {
            return String::new();
        };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("\n--- last lines of {} ---\n{tail}", log.display())
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
