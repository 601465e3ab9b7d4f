//! The ceiling for durable changes: raw SQLite inserts, one transaction
//! each, with the server's durability settings (WAL, `synchronous=FULL`),
//! on the same disk as the server's database.
//!
//! One connection, back to back: SQLite lets one writer in at a time, so
//! more connections only add waiting (its busy handler sleeps 1 to 100 ms
//! between tries), never throughput.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::shell::Result;

/// About the size of a consent event row (actor, before/after state, notices).
const ROW_BYTES: usize = 600;

/// Rows written in one transaction before measuring: more than the
/// write-ahead log's 1000 pages, so that it checkpoints and starts over.
const WARM_UP_ROWS: usize = 8000;

/// Durable single-row transactions per second for `duration`, in a new database at `path`.
pub fn durable_inserts_per_second(path: &Path, duration: Duration) -> Result<f64> {
    let fail = |e: rusqlite::Error| format!("raw SQLite ceiling: {e}");
    remove(path);
    let db = open(path).map_err(fail)?;
    let mode: String = db
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .map_err(fail)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("raw SQLite ceiling: journal mode {mode}, not WAL"));
    }
    db.execute_batch(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);",
    )
    .map_err(fail)?;
    // Warm up to the steady state a running server is in: a write-ahead log
    // past its first checkpoint, overwritten in place. (While the log still
    // grows, every sync also commits the file's new size, several times slower.)
    db.execute_batch(&format!(
        "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {WARM_UP_ROWS}) \
         INSERT INTO events (tenant_id, at, body) SELECT 'warm-up', '', '{}' FROM n; COMMIT;",
        "x".repeat(ROW_BYTES)
    ))
    .map_err(fail)?;

    let body = "x".repeat(ROW_BYTES);
    let mut insert = db
        .prepare("INSERT INTO events (tenant_id, at, body) VALUES ('bench', strftime('%Y-%m-%dT%H:%M:%fZ'), ?1)")
        .map_err(fail)?;
    let started = Instant::now();
    let mut rows = 0u64;
    // Autocommit: every statement is its own transaction, synced to disk before it returns.
    while started.elapsed() < duration {
        insert.execute([&body]).map_err(fail)?;
        rows += 1;
    }
    let rate = rows as f64 / started.elapsed().as_secs_f64();
    drop(insert);
    drop(db);
    remove(path);
    Ok(rate)
}

/// A connection as the server opens them: WAL, full sync.
fn open(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let db = rusqlite::Connection::open(path)?;
    db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
    Ok(db)
}

fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
