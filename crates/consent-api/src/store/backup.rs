//! Backup and restore of the consent ledger in a portable logical format.
//!
//! A backup is JSON lines: a header, then one line per row of every table
//! (`{"table": "...", "row": {...}}`, in an order that satisfies the foreign
//! keys), then an end line with the number of rows of each table, so a cut-off
//! file is refused instead of restored in part. Values are JSON strings,
//! whole numbers, booleans or null, exactly as stored, so a SQLite ledger
//! restores into PostgreSQL and back.
//!
//! A backup reads one consistent snapshot and can be taken while servers
//! run. A restore goes into a database with an empty ledger (published
//! notices may already be there, and must then be the same), in one
//! transaction: all of it or nothing.
//!
//! Over 400 lines on purpose: the format is written and read here, side by
//! side, so that the two directions cannot drift apart.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use chrono::{SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde_json::{json, Map, Value};

use super::{chain, Backend, Store, Tx};

/// The `format` a backup's header names; a restore refuses any other.
pub const FORMAT: &str = "consent-ledger-backup";
/// The version of [`FORMAT`] written and read.
pub const FORMAT_VERSION: u64 = 1;

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot write or read the backup file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("line {line} of the backup: {problem}")]
    Format { line: usize, problem: String },
    #[error(
        "the database has tables or columns this build does not know ({detail}); \
         back it up with the server version that wrote it"
    )]
    UnknownSchema { detail: String },
    #[error("table {table} of the target database is not empty: restore into a fresh database")]
    NotEmpty { table: &'static str },
    #[error(
        "notice {id:?} version {version} ({language}) is already in the target database \
         with a different sha256"
    )]
    NoticeDiffers {
        id: String,
        version: i64,
        language: String,
    },
    #[error("the backup ends early: no end line after {rows} rows (a cut-off copy?)")]
    Incomplete { rows: u64 },
    #[error("the ledger chain of tenant {tenant:?} in the backup does not hold: {broken}")]
    ChainBroken {
        tenant: String,
        broken: consent_core::chain::ChainBreak,
    },
}

/// How many rows of each table a backup or restore carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    pub rows: BTreeMap<String, u64>,
}

impl BackupSummary {
    /// Every row of every table.
    pub fn total(&self) -> u64 {
        self.rows.values().sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Boolean,
}

/// One table as the backup reads and writes it.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// The primary key, in order: rows are written sorted by it.
    key: &'static [&'static str],
}

use Kind::{Boolean, Integer, Text};

/// Every table of the ledger, parents before children.
const LEDGER: &[Table] = &[
    Table {
        name: "tenants",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("region", Text),
            ("document_version", Integer),
            ("created_at", Text),
        ],
        key: &["id"],
    },
    Table {
        name: "notices",
        columns: &[
            ("id", Text),
            ("version", Integer),
            ("language", Text),
            ("sha256", Text),
            ("material_change", Boolean),
            ("effective_date", Text),
            ("content", Text),
            ("first_loaded_at", Text),
        ],
        key: &["id", "version", "language"],
    },
    Table {
        name: "program_state",
        columns: &[
            ("tenant_id", Text),
            ("program", Text),
            ("enabled", Boolean),
            ("contact_allowed", Boolean),
            ("accepted_notices", Text),
            ("updated_at", Text),
            ("updated_by", Text),
            ("pending_deletion", Text),
        ],
        key: &["tenant_id", "program"],
    },
    Table {
        name: "consent_events",
        columns: &[
            ("id", Text),
            ("tenant_id", Text),
            ("at", Text),
            ("actor", Text),
            ("program", Text),
            ("action", Text),
            ("before_state", Text),
            ("after_state", Text),
            ("notices", Text),
            ("receipt_id", Text),
            ("idempotency_key", Text),
            ("seq", Integer),
            ("detail", Text),
        ],
        key: &["seq", "id"],
    },
    Table {
        name: "consent_receipts",
        columns: &[
            ("id", Text),
            ("tenant_id", Text),
            ("event_id", Text),
            ("issued_at", Text),
            ("body", Text),
        ],
        key: &["id"],
    },
    Table {
        name: "ledger_chain",
        columns: &[
            ("event_id", Text),
            ("tenant_id", Text),
            ("n", Integer),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        key: &["tenant_id", "n"],
    },
    Table {
        name: "ledger_checkpoints",
        columns: &[
            ("tenant_id", Text),
            ("count", Integer),
            ("head_hash", Text),
            ("at", Text),
            ("jws", Text),
        ],
        key: &["tenant_id", "count"],
    },
    Table {
        name: "deletion_obligations",
        columns: &[
            ("id", Text),
            ("tenant_id", Text),
            ("program", Text),
            ("store_id", Text),
            ("opt_out_event_id", Text),
            ("opted_out_at", Text),
            ("due_by", Text),
            ("attestation", Text),
            ("attested_event_id", Text),
            ("overdue_event_id", Text),
        ],
        key: &["id"],
    },
    Table {
        name: "idempotency_keys",
        columns: &[
            ("tenant_id", Text),
            ("idempotency_key", Text),
            ("request_hash", Text),
            ("response_status", Integer),
            ("response_body", Text),
            ("created_at", Text),
        ],
        key: &["tenant_id", "idempotency_key"],
    },
    Table {
        name: "change_feed",
        columns: &[
            ("position", Integer),
            ("event_id", Text),
            ("tenant_id", Text),
            ("program", Text),
            ("at", Text),
            ("decision", Text),
        ],
        key: &["position"],
    },
    Table {
        name: "subscriptions",
        columns: &[
            ("id", Text),
            ("url", Text),
            ("programs", Text),
            ("description", Text),
            ("secret", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("deleted_at", Text),
        ],
        key: &["id"],
    },
    Table {
        name: "deliveries",
        columns: &[
            ("id", Text),
            ("subscription_id", Text),
            ("feed_position", Integer),
            ("tenant_id", Text),
            ("program", Text),
            ("body", Text),
            ("status", Text),
            ("attempts", Integer),
            ("created_at", Text),
            ("next_attempt_at", Text),
            ("locked_until", Text),
            ("delivered_at", Text),
            ("last_status", Integer),
            ("last_error", Text),
            ("latency_ms", Integer),
        ],
        key: &["id"],
    },
];

/// Tables made again from the ledger after a restore, not backed up: the
/// change feed's head is its newest position; the chain's origin, the
/// newest event of a backup written before the chain existed.
const DERIVED: &[&str] = &["change_feed_head", "ledger_chain_origin"];

/// Makes the derived tables again from the restored rows. A backup written
/// before the change feed existed gets its feed as the migration made it:
/// one entry per event, in event order; one written before the ledger
/// chain existed is chained whole (by the caller), as the migration would.
const REBUILD_DERIVED: [&str; 3] = [
    "INSERT INTO change_feed (position, event_id, tenant_id, program, at) \
     SELECT ROW_NUMBER() OVER (ORDER BY seq), id, tenant_id, program, at FROM consent_events \
     WHERE NOT EXISTS (SELECT 1 FROM change_feed)",
    "UPDATE change_feed_head SET position = (SELECT COALESCE(MAX(position), 0) FROM change_feed) \
     WHERE id = 1",
    "UPDATE ledger_chain_origin SET unchained_through = (SELECT COALESCE(MAX(seq), 0) FROM consent_events) \
     WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM ledger_chain)",
];

impl Table {
    fn kind_of(&self, column: &str) -> Option<Kind> {
        self.columns
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, kind)| *kind)
    }

    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `SELECT` of every column, sorted by the key byte for byte on both
    /// databases (PostgreSQL would otherwise sort text by its locale).
    fn select(&self, backend: Backend) -> String {
        let order: Vec<String> = self
            .key
            .iter()
            .map(|column| match (backend, self.kind_of(column)) {
                (Backend::Postgres, Some(Kind::Text)) => format!("{column} COLLATE \"C\""),
                _ => (*column).to_owned(),
            })
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            self.column_list(),
            self.name,
            order.join(", ")
        )
    }

    fn insert(&self) -> String {
        let placeholders: Vec<String> = (1..=self.columns.len()).map(|n| format!("${n}")).collect();
        // Notices are published by every server start; the same version may already be there.
        let conflict = if self.name == "notices" {
            " ON CONFLICT (id, version, language) DO NOTHING"
        } else {
            ""
        };
        format!(
            "INSERT INTO {} ({}) VALUES ({}){conflict}",
            self.name,
            self.column_list(),
            placeholders.join(", ")
        )
    }
}

/// One stored value, typed as the ledger stores it.
enum Cell {
    Text(Option<String>),
    Integer(Option<i64>),
    Boolean(Option<bool>),
}

impl Cell {
    fn into_json(self) -> Value {
        match self {
            Cell::Text(v) => v.map_or(Value::Null, Value::String),
            Cell::Integer(v) => v.map_or(Value::Null, Value::from),
            Cell::Boolean(v) => v.map_or(Value::Null, Value::Bool),
        }
    }

    fn from_json(kind: Kind, value: &Value) -> Option<Cell> {
        Some(match (kind, value) {
            (Kind::Text, Value::Null) => Cell::Text(None),
            (Kind::Integer, Value::Null) => Cell::Integer(None),
            (Kind::Boolean, Value::Null) => Cell::Boolean(None),
            (Kind::Text, Value::String(s)) => Cell::Text(Some(s.clone())),
            (Kind::Integer, Value::Number(n)) => Cell::Integer(Some(n.as_i64()?)),
            (Kind::Boolean, Value::Bool(b)) => Cell::Boolean(Some(*b)),
            _ => return None,
        })
    }
}

/// Reads column `$i` of `$row` as a [`Cell`] of `$kind` (any backend's row).
macro_rules! cell {
    ($row:expr, $i:expr, $kind:expr) => {{
        use sqlx::Row;
        match $kind {
            Kind::Text => Cell::Text($row.try_get($i)?),
            Kind::Integer => Cell::Integer($row.try_get($i)?),
            Kind::Boolean => Cell::Boolean($row.try_get($i)?),
        }
    }};
}

impl Store {
    /// Writes every row of the ledger to `out`, from one consistent
    /// snapshot, and returns how many rows of each table it wrote.
    pub async fn backup(&self, out: &mut (dyn Write + Send)) -> Result<BackupSummary, BackupError> {
        let backend = self.backend();
        let mut tx = self.begin_read().await?;
        check_schema(&mut tx, backend).await?;
        let header = json!({
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "source": backend.as_str(),
            "created_at": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
            "tables": LEDGER.iter().map(|t| t.name).collect::<Vec<_>>(),
        });
        writeln!(out, "{header}")?;
        let mut summary = BackupSummary::default();
        for table in LEDGER {
            let select = table.select(backend);
            let mut count = 0u64;
            on_tx!(&mut tx, |conn| {
                let mut rows = sqlx::query(&select).fetch(&mut *conn);
                while let Some(row) = rows.try_next().await? {
                    let mut object = Map::new();
                    for (i, (name, kind)) in table.columns.iter().enumerate() {
                        object.insert((*name).to_owned(), cell!(row, i, *kind).into_json());
                    }
                    writeln!(out, "{}", json!({"table": table.name, "row": object}))?;
                    count += 1;
                }
            });
            summary.rows.insert(table.name.to_owned(), count);
        }
        writeln!(out, "{}", json!({ "end": summary.rows }))?;
        out.flush()?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Restores a backup written by [`Store::backup`] into this database,
    /// whose ledger must be empty. All rows are stored, or none.
    pub async fn restore(
        &self,
        input: &mut (dyn BufRead + Send),
    ) -> Result<BackupSummary, BackupError> {
        let backend = self.backend();
        let mut tx = self.begin().await?;
        check_schema(&mut tx, backend).await?;
        for table in LEDGER.iter().filter(|t| t.name != "notices") {
            let sql = format!("SELECT COUNT(*) FROM {}", table.name);
            let count: i64 = on_tx!(&mut tx, |conn| sqlx::query_scalar(&sql)
                .fetch_one(&mut *conn)
                .await?);
            if count != 0 {
                return Err(BackupError::NotEmpty { table: table.name });
            }
        }
        let inserts: Vec<String> = LEDGER.iter().map(Table::insert).collect();

        let mut summary = BackupSummary::default();
        let mut end = None;
        let mut header_seen = false;
        let mut line_number = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                break;
            }
            line_number += 1;
            let bad = |problem: String| BackupError::Format {
                line: line_number,
                problem,
            };
            if end.is_some() {
                if line.trim().is_empty() {
                    continue;
                }
                return Err(bad("text after the end line".into()));
            }
            let value: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
            if !header_seen {
                check_header(&value).map_err(bad)?;
                header_seen = true;
                continue;
            }
            if let Some(counts) = value.get("end") {
                end = Some(counts.clone());
                continue;
            }
            let (index, table) = value
                .get("table")
                .and_then(Value::as_str)
                .and_then(|name| LEDGER.iter().enumerate().find(|(_, t)| t.name == name))
                .ok_or_else(|| bad("not a row of a ledger table".into()))?;
            let row = value
                .get("row")
                .and_then(Value::as_object)
                .ok_or_else(|| bad("a row line without its row".into()))?;
            if let Some(unknown) = row.keys().find(|k| table.kind_of(k).is_none()) {
                return Err(bad(format!("{} has no column {unknown:?}", table.name)));
            }
            let mut cells = Vec::with_capacity(table.columns.len());
            for (name, kind) in table.columns {
                let value = row.get(*name).unwrap_or(&Value::Null);
                cells.push(Cell::from_json(*kind, value).ok_or_else(|| {
                    bad(format!(
                        "{}.{name} holds {value}, not a {kind:?} value",
                        table.name
                    ))
                })?);
            }
            let insert = &inserts[index];
            on_tx!(&mut tx, |conn| {
                let mut query = sqlx::query(insert);
                for cell in cells {
                    query = match cell {
                        Cell::Text(v) => query.bind(v),
                        Cell::Integer(v) => query.bind(v),
                        Cell::Boolean(v) => query.bind(v),
                    };
                }
                query.execute(&mut *conn).await?;
            });
            if table.name == "notices" {
                check_notice(&mut tx, row).await?;
            }
            *summary.rows.entry(table.name.to_owned()).or_default() += 1;
        }
        if !header_seen {
            return Err(BackupError::Format {
                line: 1,
                problem: "empty file".into(),
            });
        }
        let Some(end) = end else {
            return Err(BackupError::Incomplete {
                rows: summary.total(),
            });
        };
        for table in LEDGER {
            let expected = end.get(table.name).and_then(Value::as_u64).unwrap_or(0);
            let found = summary.rows.entry(table.name.to_owned()).or_default();
            if *found != expected {
                return Err(BackupError::Format {
                    line: line_number,
                    problem: format!(
                        "the end line counts {expected} rows of {}, the file has {found}",
                        table.name
                    ),
                });
            }
        }
        for statement in REBUILD_DERIVED {
            on_tx!(&mut tx, |conn| sqlx::query(statement)
                .execute(&mut *conn)
                .await?
                .rows_affected());
        }
        // A backup from before the chain existed is chained as the
        // migration would have; then the whole chain must hold, or nothing
        // is restored.
        chain::chain_unlinked(&mut tx).await?;
        for checked in chain::verify_all(&mut tx).await? {
            if let Err(broken) = checked.outcome {
                return Err(BackupError::ChainBroken {
                    tenant: checked.tenant,
                    broken,
                });
            }
        }
        if let Tx::Postgres(pg) = &mut tx {
            // New events continue after the restored ones.
            sqlx::query(
                "SELECT setval('consent_events_seq', COALESCE(MAX(seq), 0) + 1, false) FROM consent_events",
            )
            .execute(&mut **pg)
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }
}

fn check_header(value: &Value) -> Result<(), String> {
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!(
            "not a consent ledger backup (no \"format\": \"{FORMAT}\" header)"
        ));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(FORMAT_VERSION) => Ok(()),
        other => Err(format!(
            "backup format version {other:?}; this build reads version {FORMAT_VERSION}"
        )),
    }
}

/// Refuses a restored notice that differs from one already published there.
async fn check_notice(tx: &mut Tx, row: &Map<String, Value>) -> Result<(), BackupError> {
    let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
    let version = row
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let language = row
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let stored: String = on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT sha256 FROM notices WHERE id = $1 AND version = $2 AND language = $3"
    )
    .bind(id)
    .bind(version)
    .bind(language)
    .fetch_one(&mut *conn)
    .await?);
    if Some(stored.as_str()) != row.get("sha256").and_then(Value::as_str) {
        return Err(BackupError::NoticeDiffers {
            id: id.to_owned(),
            version,
            language: language.to_owned(),
        });
    }
    Ok(())
}

/// Refuses a database whose tables or columns differ from [`LEDGER`]: a
/// backup would silently leave out what it does not know.
async fn check_schema(tx: &mut Tx, backend: Backend) -> Result<(), BackupError> {
    let (tables_sql, columns_sql) = match backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            "SELECT name FROM pragma_table_info($1)",
        ),
        Backend::Postgres => (
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations'",
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        ),
    };
    let mut tables: Vec<String> = on_tx!(&mut *tx, |conn| sqlx::query_scalar(tables_sql)
        .fetch_all(&mut *conn)
        .await?);
    tables.sort();
    let mut known: Vec<&str> = LEDGER
        .iter()
        .map(|t| t.name)
        .chain(DERIVED.iter().copied())
        .collect();
    known.sort_unstable();
    if tables != known {
        return Err(BackupError::UnknownSchema {
            detail: format!("tables {tables:?}, expected {known:?}"),
        });
    }
    for table in LEDGER {
        let mut columns: Vec<String> = on_tx!(&mut *tx, |conn| sqlx::query_scalar(columns_sql)
            .bind(table.name)
            .fetch_all(&mut *conn)
            .await?);
        columns.sort();
        let mut expected: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        expected.sort_unstable();
        if columns != expected {
            return Err(BackupError::UnknownSchema {
                detail: format!(
                    "{} has columns {columns:?}, expected {expected:?}",
                    table.name
                ),
            });
        }
    }
    Ok(())
}
