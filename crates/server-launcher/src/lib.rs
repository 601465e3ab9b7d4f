//! Starts a `consent-api` process and learns its address: the one launcher
//! of `cargo xtask` (run, test, e2e, bench, screenshots, schemathesis) and
//! of the API tests that run the real binary.
//!
//! The server prints `listening on http://IP:PORT` on stdout once it
//! accepts connections (`--bind 127.0.0.1:0` picks a free port); the
//! launcher waits for that line, with a deadline, and keeps the process's
//! log (stderr) in a file or the terminal. The process is killed when the
//! [`Server`] is dropped. [`oidc`] starts the test OpenID provider alike.

pub mod oidc;

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a fresh server may take to migrate, seed and listen.
pub const START_DEADLINE: Duration = Duration::from_secs(60);

/// How to start a server: its binary, its arguments, where its log goes.
#[derive(Debug, Clone)]
pub struct Launch {
    binary: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    log: Option<PathBuf>,
    echo: Option<String>,
    deadline: Duration,
}

impl Launch {
    /// The binary at `binary`, with no arguments yet.
    pub fn new(binary: impl Into<PathBuf>) -> Launch {
        Launch {
            binary: binary.into(),
            args: Vec::new(),
            envs: Vec::new(),
            dir: None,
            log: None,
            echo: None,
            deadline: START_DEADLINE,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Launch {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Launch
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Launch {
        self.envs
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Runs the process in `dir`.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Launch {
        self.dir = Some(dir.into());
        self
    }

    /// The server's log (stderr) goes to this file instead of the terminal.
    pub fn log_to(mut self, file: impl Into<PathBuf>) -> Launch {
        self.log = Some(file.into());
        self
    }

    /// Shows every line the server prints on stdout, after `prefix`.
    pub fn echo(mut self, prefix: &str) -> Launch {
        self.echo = Some(prefix.to_owned());
        self
    }

    /// How long to wait for the `listening on` line (default [`START_DEADLINE`]).
    pub fn deadline(mut self, deadline: Duration) -> Launch {
        self.deadline = deadline;
        self
    }

    /// Starts the process and waits for its `listening on` line.
    pub fn start(self) -> Result<Server, String> {
        let mut command = Command::new(&self.binary);
        command
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        if let Some(log) = &self.log {
            let file =
                File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
            command.stderr(file);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;

        // Read stdout on a thread so a silent server cannot hang us past the deadline.
        let stdout = child.stdout.take().expect("stdout is piped");
        let (found, listening) = mpsc::channel();
        let echo = self.echo;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = found.send(url.trim().to_owned());
                }
                if let Some(prefix) = &echo {
                    println!("{prefix}{line}");
                }
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log: self.log,
        };
        let url = match listening.recv_timeout(self.deadline) {
            Ok(url) => url,
            Err(_) => {
                // Stdout closes as the process ends: give it a moment to be reaped.
                let why = match server.wait_exit(Duration::from_millis(500)) {
                    Some(status) => format!("stopped ({status})"),
                    None => format!("did not start listening within {:?}", self.deadline),
                };
                return Err(format!(
                    "{} {why}{}",
                    self.binary.display(),
                    server.log_tail()
                ));
            }
        };
        server.addr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("the server announced an odd address: {url}"))?;
        server.url = url;
        Ok(server)
    }
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub addr: SocketAddr,
    log: Option<PathBuf>,
}

impl Server {
    /// `url` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Where the server's log goes, if to a file.
    pub fn log(&self) -> Option<&Path> {
        self.log.as_deref()
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Its exit status, waiting at most `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The process's peak resident memory (VmHWM), in bytes (Linux).
    pub fn peak_memory(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    /// The last 30 lines of the server's log, to explain a failure ("" without a log file).
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

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the handshake with a stand-in server: the address is read from
    // its `listening on` line, and it is stopped when dropped.
    #[test]
    fn the_address_is_read_from_the_listening_line() {
        let mut server = Launch::new("/bin/sh")
            .args([
                "-c",
                "echo starting; echo 'listening on http://127.0.0.1:4471'; sleep 30",
            ])
            .start()
            .unwrap();
        assert_eq!(server.url, "http://127.0.0.1:4471");
        assert_eq!(server.addr.port(), 4471);
        assert_eq!(server.url("/api"), "http://127.0.0.1:4471/api");
        assert!(server.exited().is_none());
        server.kill();
        assert!(server.exited().is_some());
    }

    // Guards a server that never listens: the failure says it stopped and shows its log.
    #[test]
    fn a_server_that_stops_is_reported_with_its_log() {
        let dir = std::env::temp_dir().join(format!("launcher-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("server.log");
        let error = Launch::new("/bin/sh")
            .args(["-c", "echo 'no database' >&2; exit 3"])
            .log_to(&log)
            .deadline(Duration::from_secs(5))
            .start()
            .err()
            .unwrap();
        assert!(error.contains("no database"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
