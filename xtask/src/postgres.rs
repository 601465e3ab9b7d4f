//! A throwaway PostgreSQL cluster for the API tests: Debian's server
//! (installed if missing), a new cluster in a temporary directory, owned by
//! an unprivileged user, listening on a free port on 127.0.0.1 only, with
//! trust authentication (nothing else can reach it). Stopped and removed
//! when dropped, on Ctrl-C, and, if a run was killed, by the next run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::install::apt_install;
use crate::shell::{command, first_line_of, free_port, run, Result};

/// The variable the API tests read the server's URL from (see
/// `crates/consent-api/tests/common/mod.rs`).
pub const TEST_DATABASE_VAR: &str = "CONSENT_TEST_DATABASE_URL";

/// Temporary directories of clusters are named `<prefix><xtask pid>-<nanos>`.
const DIR_PREFIX: &str = "consent-pg-";

/// The system user the cluster runs as when xtask runs as root (initdb
/// refuses root). Debian's package creates it; otherwise it is created.
const CLUSTER_USER: &str = "postgres";

/// Clusters running now, for the Ctrl-C handler to stop.
static RUNNING: Mutex<Vec<(PathBuf, PathBuf, Option<String>)>> = Mutex::new(Vec::new());

/// A running throwaway cluster.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    user: Option<String>,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`: a superuser, who may create databases.
    pub url: String,
}

impl Cluster {
    /// Installs PostgreSQL if needed, then creates and starts a new cluster.
    pub fn start() -> Result<Cluster> {
        let bin = ensure_installed()?;
        let user = cluster_user()?;
        remove_abandoned(&bin, user.as_deref());

        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if let Some(user) = &user {
            run(command(
                "chown",
                &[&format!("{user}:"), &dir.to_string_lossy()],
            ))?;
        }
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push((
            bin.clone(),
            dir.clone(),
            user.clone(),
        ));
        let _ = ctrlc::set_handler(|| {
            let running = std::mem::take(&mut *RUNNING.lock().unwrap_or_else(|e| e.into_inner()));
            for (bin, dir, user) in running {
                stop_and_remove(&bin, &dir, user.as_deref());
            }
            std::process::exit(130);
        });
        let mut cluster = Cluster {
            bin,
            dir,
            user,
            url: String::new(),
        };

        let started = Instant::now();
        let data = cluster.dir.join("data").to_string_lossy().into_owned();
        // --no-sync only skips flushing initdb's own files; the server itself runs with fsync on.
        cluster.run_as(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let port = free_port()?;
        let socket_dir = cluster.dir.to_string_lossy().into_owned();
        // Durable commits (the crash tests rely on them); room for several
        // servers per test and tests in parallel.
        let settings = format!(
            "-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={socket_dir} \
             -c fsync=on -c synchronous_commit=on -c max_connections=300 -c shared_buffers=64MB"
        );
        let log = cluster
            .dir
            .join("postgres.log")
            .to_string_lossy()
            .into_owned();
        cluster
            .run_as(
                "pg_ctl",
                &[
                    "-D", &data, "-l", &log, "-o", &settings, "-w", "-t", "60", "start",
                ],
            )
            .map_err(|e| {
                format!(
                    "{e}\n--- {log} ---\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })?;
        cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        println!(
            "xtask: PostgreSQL {} cluster at {} (in {}), ready in {:.1} s",
            version_of(&cluster.bin),
            cluster.url,
            cluster.dir.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// The server's version ("PostgreSQL 15.18").
    pub fn version(&self) -> String {
        version_of(&self.bin)
    }

    /// One of PostgreSQL's client programs (`psql`, `pgbench`) of the same version.
    pub fn client(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        cmd.current_dir(&self.dir);
        cmd
    }

    /// Runs one of the server's programs as the cluster's user.
    fn run_as(&self, program: &str, args: &[&str]) -> Result {
        let mut cmd = as_user(&self.bin.join(program), self.user.as_deref());
        cmd.args(args).current_dir(&self.dir).stdout(Stdio::null());
        run(cmd)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, dir, _)| dir != &self.dir);
        stop_and_remove(&self.bin, &self.dir, self.user.as_deref());
        println!("xtask: PostgreSQL cluster stopped and removed");
    }
}

/// The directory of `initdb` and `pg_ctl`, installing Debian's `postgresql` if they are missing.
pub fn ensure_installed() -> Result<PathBuf> {
    if let Some(bin) = find_bin_dir() {
        return Ok(bin);
    }
    apt_install(&["postgresql"])?;
    find_bin_dir()
        .ok_or_else(|| "PostgreSQL was installed, but no initdb and pg_ctl were found".to_owned())
}

/// Debian keeps the server programs off `PATH`, in `/usr/lib/postgresql/<major>/bin`; the newest wins.
fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_tools(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    // Elsewhere: wherever pg_config says, or beside an initdb on PATH.
    let from_pg_config = first_line_of("pg_config", &["--bindir"]).map(PathBuf::from);
    let from_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| dir.join("initdb").is_file());
    from_pg_config
        .into_iter()
        .chain(from_path)
        .find(|dir| has_tools(dir))
}

/// `None` when xtask is not root (the cluster then runs as the current user).
fn cluster_user() -> Result<Option<String>> {
    if first_line_of("id", &["-u"]).as_deref() != Some("0") {
        return Ok(None);
    }
    if first_line_of("id", &["-u", CLUSTER_USER]).is_none() {
        println!("xtask: creating the system user {CLUSTER_USER} to run PostgreSQL");
        run(command(
            "useradd",
            &["--system", "--user-group", "--no-create-home", CLUSTER_USER],
        ))?;
    }
    Ok(Some(CLUSTER_USER.to_owned()))
}

fn as_user(program: &Path, user: Option<&str>) -> Command {
    match user {
        Some(user) => {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", user, "--"]).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

fn stop_and_remove(bin: &Path, dir: &Path, user: Option<&str>) {
    let data = dir.join("data");
    if data.join("postmaster.pid").exists() {
        // Immediate: the cluster is thrown away, there is nothing to flush for.
        let _ = as_user(&bin.join("pg_ctl"), user)
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Clusters left behind by an xtask that was killed (its process is gone).
fn remove_abandoned(bin: &Path, user: Option<&str>) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(DIR_PREFIX)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            println!(
                "xtask: removing an abandoned PostgreSQL cluster in {}",
                entry.path().display()
            );
            stop_and_remove(bin, &entry.path(), user);
        }
    }
}

fn version_of(bin: &Path) -> String {
    first_line_of(&bin.join("postgres").to_string_lossy(), &["--version"])
        .and_then(|line| line.split_whitespace().nth(2).map(str::to_owned))
        .unwrap_or_default()
}
