//! Storage: every SQL statement the server runs, on SQLite or PostgreSQL.
//! Persistence only: what to store is decided by the services.
//!
//! Statements use `$n` placeholders and plain types (TEXT, BIGINT, BOOLEAN),
//! so each is written once and runs unchanged on both databases: the
//! [`on_pool!`] and [`on_tx!`] macros compile the same statement for each.
//! The consent event log is append-only: no statement here updates or
//! deletes an event or a receipt, and the database refuses one (see the
//! triggers in the migrations).
//!
//! Several server processes may share one PostgreSQL database. Every change
//! takes its tenant's row lock first (the conditional version bump), so
//! writers to one tenant queue there and of two changes decided against the
//! same version exactly one is stored, under PostgreSQL's default READ
//! COMMITTED isolation as under SQLite's single writer.
//!
//! By concern: [`open`] (connecting, migrating), [`snapshot`] (tenants and
//! their state), [`changes`] (storing a change), [`events`] (the history
//! and receipts), [`feed`] (the change feed), [`decision_cache`] (what
//! decisions read, kept in memory), [`notices`], [`idempotency`],
//! [`deletions`], [`backup`], [`figures`] (what the metrics read).

/// Runs `$body` with `$p` bound to the pool, whichever database it is.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection, whichever database it is.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $c = &mut **tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

mod backup;
mod chain;
mod changes;
mod decision_cache;
mod decisions;
mod deletions;
mod events;
mod feed;
mod figures;
mod idempotency;
mod notices;
mod obligations;
mod open;
mod snapshot;
mod tenants;
pub mod webhooks;
mod writer;

pub use backup::{BackupError, BackupSummary};
pub use chain::{TenantChain, CHECKPOINT_TYP};
pub use changes::{AcceptedChange, ChangeOutcome, LedgerTime};
pub use decision_cache::DecisionInputs;
pub use decisions::{LatestEvent, StateAt};
pub use deletions::DeletionEvent;
pub use events::NewEvent;
pub use feed::{FeedEntry, StoredDecision};
pub use figures::{ObligationFigures, OutboxFigures};
pub use idempotency::{IdempotentResponse, StoredResponse};
pub use notices::PublishError;
pub use obligations::{deletion_detail, Marked, NewObligation, ObligationRow};
pub use open::{redacted, OpenError};
pub use snapshot::TenantSnapshot;
pub use tenants::{MoveEvent, RecordedEvent, Registered, TenantRecord};

use chrono::{DateTime, SecondsFormat, Utc};
use consent_core::Timestamp;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, Sqlite, SqlitePool, Transaction};

use writer::SqliteWriter;

use crate::ledger::LedgerKeys;
use crate::metrics::{Purpose, SharedMetrics};

/// Which database a [`Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it is one the server supports.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool on either database.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either database; rolled back when dropped uncommitted.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// The database behind the API.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite only: the single connection every write of this process goes
    /// through (read-write transactions, and changes via `writer`).
    write_pool: Option<SqlitePool>,
    /// SQLite only: stores changes, several per transaction (see [`writer`]).
    writer: Option<SqliteWriter>,
    /// Wakes this process's change-feed readers after a commit.
    feed_signal: std::sync::Arc<tokio::sync::Notify>,
    /// The tenants' decision inputs, dropped as they change.
    decision_cache: std::sync::Arc<decision_cache::DecisionCache>,
    /// The ledger key that signs a checkpoint with every change, once set.
    signer: std::sync::Arc<std::sync::OnceLock<std::sync::Arc<LedgerKeys>>>,
    /// Where the wait for a connection is reported, once set.
    metrics: std::sync::Arc<std::sync::OnceLock<SharedMetrics>>,
}

impl Store {
    /// From now on, every change also stores a checkpoint signed with `keys`
    /// (the first keys given stay: a process signs with one key).
    pub fn sign_checkpoints_with(&self, keys: std::sync::Arc<LedgerKeys>) {
        let _ = self.signer.set(keys);
    }

    /// From now on, reports how long each transaction waits for its connection to `metrics`.
    pub fn report_waits_to(&self, metrics: SharedMetrics) {
        let _ = self.metrics.set(metrics);
    }

    /// The key that signs checkpoints, if one was given.
    fn signer(&self) -> Option<std::sync::Arc<LedgerKeys>> {
        self.signer.get().cloned()
    }

    /// The database this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A read-write transaction. On SQLite it is the writer connection's,
    /// holding the write lock from its start (`BEGIN IMMEDIATE`), so it
    /// never fails half-way for want of the lock.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let started = std::time::Instant::now();
        let tx = match (&self.pool, &self.write_pool) {
            (Pool::Sqlite(_), Some(writer)) => {
                Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            (Pool::Sqlite(pool), None) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            (Pool::Postgres(pool), _) => Tx::Postgres(pool.begin().await?),
        };
        self.report_wait(Purpose::Write, started);
        Ok(tx)
    }

    /// A transaction whose reads all see one moment. SQLite's read
    /// transactions do; PostgreSQL's default (READ COMMITTED) takes a new
    /// snapshot per statement, so this one asks for REPEATABLE READ.
    pub(crate) async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        let started = std::time::Instant::now();
        let tx = match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        };
        self.report_wait(Purpose::Read, started);
        Ok(tx)
    }

    fn report_wait(&self, purpose: Purpose, started: std::time::Instant) {
        if let Some(metrics) = self.metrics.get() {
            metrics.pool_waited(purpose, started.elapsed().as_secs_f64());
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// How many consent events a tenant has.
    pub async fn event_count(&self, tenant_id: &str) -> Result<i64, sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM consent_events WHERE tenant_id = $1"
        )
        .bind(tenant_id)
        .fetch_one(pool)
        .await)
    }

    /// Closes every connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        if let Some(write_pool) = &self.write_pool {
            write_pool.close().await;
        }
        on_pool!(&self.pool, |pool| pool.close().await);
    }
}

/// Whether `text` can be stored, on either database: PostgreSQL's text
/// cannot hold NUL, so a key with one names nothing that is stored.
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// RFC 3339 UTC with microseconds always written, so stored times sort as text.
fn timestamp(at: Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_timestamp(text: &str) -> Result<Timestamp, sqlx::Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
