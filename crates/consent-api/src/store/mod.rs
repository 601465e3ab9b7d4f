//! Storage: every SQL statement the server runs, on SQLite or PostgreSQL.
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
mod deletions;
mod events;
mod writer;

pub use backup::{BackupError, BackupSummary};
pub use deletions::DueDeletion;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use consent_core::receipt::ReceiptNotice;
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{Actor, NoticeDocument, ProgramId, Region, Tenant, Timestamp};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, SqlitePool, Transaction};
use uuid::Uuid;

use events::{NewEvent, PreparedEvent};
use writer::SqliteWriter;

/// Why the database cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database URL {url:?} is not supported: use a sqlite:// or postgres:// URL")]
    UnsupportedUrl { url: String },
    #[error("cannot create the data directory {}: {source}", dir.display())]
    DataDir {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {url:?}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Why a notice file cannot be recorded as published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "notice {id:?} version {version} ({language}) was published with sha256 {stored}, \
         but its file now hashes to {file}: published versions are never edited; publish a new version instead"
    )]
    Edited {
        id: String,
        version: u32,
        language: String,
        stored: String,
        file: String,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A tenant and its data-sharing state, read consistently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSnapshot {
    pub tenant: Tenant,
    /// The document version (its `ETag`).
    pub version: i64,
    /// One record per program, in [`ProgramId::ALL`] order; untouched programs are initial.
    pub programs: Vec<ProgramRecord>,
}

impl TenantSnapshot {
    /// The stored record of `program`.
    pub fn program(&self, program: ProgramId) -> ProgramRecord {
        self.programs
            .iter()
            .find(|r| r.program == program)
            .cloned()
            .unwrap_or_else(|| ProgramRecord::initial(program))
    }
}

/// An accepted change to one program, to store with its event and receipt.
#[derive(Debug, Clone)]
pub struct AcceptedChange<'a> {
    pub tenant: &'a Tenant,
    /// The document version the change was decided against.
    pub expected_version: i64,
    pub actor: &'a Actor,
    pub at: Timestamp,
    pub action: ConsentAction,
    pub before: &'a ProgramRecord,
    pub after: &'a ProgramRecord,
    /// The notices in force after the change, described for the receipt.
    pub notices: Vec<ReceiptNotice>,
    /// The answer to remember for an `Idempotency-Key`.
    pub idempotency: Option<IdempotentResponse<'a>>,
}

/// The first answer to an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct IdempotentResponse<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
    pub status: u16,
    pub body: &'a str,
}

/// A stored answer to an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// What became of an accepted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Stored, with its event and receipt.
    Applied {
        event_id: String,
        receipt_id: String,
    },
    /// Another change was stored first; nothing was stored.
    Stale,
    /// Another request stored an answer under the same idempotency key first; nothing was stored.
    IdempotencyKeyTaken,
}

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
}

/// Connections per server process. Several processes may share one
/// PostgreSQL server, whose own limit (100 by default) is for all of them.
const MAX_CONNECTIONS: u32 = 8;

impl Store {
    /// Opens the database at `url` and migrates it: a `sqlite://` file
    /// (created if missing) or an existing `postgres://` database.
    ///
    /// SQLite runs in WAL mode with full sync (a stored consent must survive
    /// a power cut) and foreign keys on. PostgreSQL commits durably by its
    /// own defaults (`fsync`, `synchronous_commit`).
    pub async fn open(url: &str) -> Result<Store, OpenError> {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => Store::open_sqlite(url).await,
            Some(Backend::Postgres) => Store::open_postgres(url).await,
            None => Err(OpenError::UnsupportedUrl { url: redacted(url) }),
        }
    }

    async fn open_sqlite(url: &str) -> Result<Store, OpenError> {
        let connect = |source| OpenError::Connect {
            url: url.to_owned(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers queue on SQLite's single write lock; wait rather than fail.
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            create_dir(dir)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options.clone())
            .await
            .map_err(connect)?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // One writer: changes queue in the process, not in SQLite's busy
        // handler; readers keep the other connections (WAL lets them read
        // while it writes).
        let write_pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(connect)?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            writer: Some(SqliteWriter::start(write_pool.clone())),
            write_pool: Some(write_pool),
        })
    }

    async fn open_postgres(url: &str) -> Result<Store, OpenError> {
        // The URL may carry a password: errors name the database, never the URL.
        let connect = |source| OpenError::Connect {
            url: redacted(url),
            source,
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(connect)?
            .application_name("consent-api");
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            // A request waits this long for a connection, then fails; readiness shows why.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(connect)?;
        // Concurrent starts of several processes migrate once: sqlx holds an
        // advisory lock while it migrates.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            write_pool: None,
            writer: None,
        })
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
        Ok(match (&self.pool, &self.write_pool) {
            (Pool::Sqlite(_), Some(writer)) => {
                Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            (Pool::Sqlite(pool), None) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            (Pool::Postgres(pool), _) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction whose reads all see one moment. SQLite's read
    /// transactions do; PostgreSQL's default (READ COMMITTED) takes a new
    /// snapshot per statement, so this one asks for REPEATABLE READ.
    pub(crate) async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// Adds `tenant` unless a tenant with its id exists.
    pub async fn ensure_tenant(&self, tenant: &Tenant, now: Timestamp) -> Result<(), sqlx::Error> {
        on_pool!(&self.pool, |pool| {
            sqlx::query(
                "INSERT INTO tenants (id, name, region, document_version, created_at) VALUES ($1, $2, $3, 0, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&tenant.id)
            .bind(&tenant.name)
            .bind(tenant.region.code())
            .bind(timestamp(now))
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Development only: moves a tenant to `region`, its stored choices
    /// untouched. `None` when there is no such tenant.
    pub async fn move_tenant(
        &self,
        tenant_id: &str,
        region: &Region,
    ) -> Result<Option<Tenant>, sqlx::Error> {
        if !storable(tenant_id) {
            return Ok(None);
        }
        let moved = on_pool!(&self.pool, |pool| {
            sqlx::query("UPDATE tenants SET region = $2 WHERE id = $1")
                .bind(tenant_id)
                .bind(region.code())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        if moved == 0 {
            return Ok(None);
        }
        Ok(self.snapshot(tenant_id).await?.map(|s| s.tenant))
    }

    /// Records a notice version as published; refuses one whose stored hash differs.
    pub async fn publish_notice(
        &self,
        document: &NoticeDocument,
        now: Timestamp,
    ) -> Result<(), PublishError> {
        let content =
            serde_json::to_string(document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let stored: String = on_pool!(&self.pool, |pool| {
            sqlx::query(
                "INSERT INTO notices (id, version, language, sha256, material_change, effective_date, content, first_loaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id, version, language) DO NOTHING",
            )
            .bind(&document.id)
            .bind(i64::from(document.version))
            .bind(&document.language)
            .bind(&document.sha256)
            .bind(document.material_change)
            .bind(document.effective_date.to_string())
            .bind(&content)
            .bind(timestamp(now))
            .execute(pool)
            .await?;
            sqlx::query_scalar(
                "SELECT sha256 FROM notices WHERE id = $1 AND version = $2 AND language = $3",
            )
            .bind(&document.id)
            .bind(i64::from(document.version))
            .bind(&document.language)
            .fetch_one(pool)
            .await?
        });
        if stored != document.sha256 {
            return Err(PublishError::Edited {
                id: document.id.clone(),
                version: document.version,
                language: document.language.clone(),
                stored,
                file: document.sha256.clone(),
            });
        }
        Ok(())
    }

    /// The tenant `tenant_id` and its state, or `None` if there is no such tenant.
    pub async fn snapshot(&self, tenant_id: &str) -> Result<Option<TenantSnapshot>, sqlx::Error> {
        if !storable(tenant_id) {
            return Ok(None);
        }
        // One statement, so the version and the records belong together: a
        // statement reads one snapshot on both databases (SQLite's implicit
        // read transaction; PostgreSQL's per-statement snapshot).
        let rows = on_pool!(&self.pool, |pool| {
            sqlx::query_as::<_, TenantStateRow>(SNAPSHOT)
                .bind(tenant_id)
                .fetch_all(pool)
                .await?
        });
        snapshot_of(rows)
    }

    /// Stores an accepted change, its event and its receipt (and the answer
    /// to its idempotency key) in one transaction, if the document is still
    /// at `expected_version`.
    pub async fn apply_change(
        &self,
        change: AcceptedChange<'_>,
    ) -> Result<ChangeOutcome, sqlx::Error> {
        let prepared = PreparedChange::new(change)?;
        if let Some(writer) = &self.writer {
            return writer.apply(prepared).await;
        }
        let mut tx = self.begin().await?;
        let outcome = apply_prepared(&mut tx, &prepared).await?;
        if matches!(outcome, ChangeOutcome::Applied { .. }) {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// The stored answer to `key` for `tenant_id`, if any.
    pub async fn idempotent_response(
        &self,
        tenant_id: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, sqlx::Error> {
        if !storable(tenant_id) || !storable(key) {
            return Ok(None);
        }
        let row: Option<(String, i64, String)> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys \
             WHERE tenant_id = $1 AND idempotency_key = $2",
        )
        .bind(tenant_id)
        .bind(key)
        .fetch_optional(pool)
        .await?);
        row.map(|(request_hash, status, body)| {
            Ok(StoredResponse {
                request_hash,
                status: u16::try_from(status).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                body,
            })
        })
        .transpose()
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

/// An accepted change with every value it stores already serialised, so
/// that storing it is statements only.
pub(crate) struct PreparedChange {
    tenant_id: String,
    expected_version: i64,
    state: ProgramStateValues,
    event: PreparedEvent,
    idempotency: Option<PreparedAnswer>,
}

/// The answer to remember for an `Idempotency-Key`, as stored.
struct PreparedAnswer {
    key: String,
    request_hash: String,
    status: i64,
    body: String,
    created_at: String,
}

impl PreparedChange {
    fn new(change: AcceptedChange<'_>) -> Result<PreparedChange, sqlx::Error> {
        let idempotency = change.idempotency.as_ref().map(|answer| PreparedAnswer {
            key: answer.key.to_owned(),
            request_hash: answer.request_hash.to_owned(),
            status: i64::from(answer.status),
            body: answer.body.to_owned(),
            created_at: timestamp(change.at),
        });
        Ok(PreparedChange {
            tenant_id: change.tenant.id.clone(),
            expected_version: change.expected_version,
            state: ProgramStateValues::new(change.after)?,
            event: PreparedEvent::new(NewEvent {
                tenant: change.tenant,
                actor: change.actor,
                at: change.at,
                action: change.action,
                before: change.before,
                after: change.after,
                notices: change.notices,
                idempotency_key: change.idempotency.as_ref().map(|i| i.key),
            })?,
            idempotency,
        })
    }
}

/// The conditional version bump on SQLite. It also matches no row when the
/// idempotency key is already stored: the writer holds the write lock, so
/// what it finds cannot change before it commits, and a change that is not
/// stored has then written nothing at all.
const BUMP_SQLITE: &str = "UPDATE tenants SET document_version = document_version + 1 \
     WHERE id = $1 AND document_version = $2 \
     AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $3)";

/// The same on PostgreSQL, where a concurrent request under the same key
/// is found by the key's unique index at the end instead.
const BUMP_POSTGRES: &str = "UPDATE tenants SET document_version = document_version + 1 \
     WHERE id = $1 AND document_version = $2";

/// Stores `change` in `tx`, if the document is still at its expected
/// version and its key is unused. Anything but `Applied` must not be
/// committed on PostgreSQL (the caller drops the transaction); on SQLite
/// such a change has written nothing.
pub(crate) async fn apply_prepared(
    tx: &mut Tx,
    change: &PreparedChange,
) -> Result<ChangeOutcome, sqlx::Error> {
    let tenant_id = change.tenant_id.as_str();
    let key = change
        .idempotency
        .as_ref()
        .map(|answer| answer.key.as_str());
    // The conditional bump comes first: it takes the write lock (SQLite's
    // database lock, PostgreSQL's lock on the tenant's row) before
    // anything is read, and of two writers with the same version exactly
    // one matches the row; the other stores nothing. On PostgreSQL a
    // writer that waited for the lock re-checks the row as committed by
    // the one before it, so it finds the version moved on.
    let bumped = match tx {
        Tx::Sqlite(conn) => sqlx::query(BUMP_SQLITE)
            .bind(tenant_id)
            .bind(change.expected_version)
            .bind(key)
            .execute(&mut **conn)
            .await?
            .rows_affected(),
        Tx::Postgres(conn) => sqlx::query(BUMP_POSTGRES)
            .bind(tenant_id)
            .bind(change.expected_version)
            .execute(&mut **conn)
            .await?
            .rows_affected(),
    };
    if bumped != 1 {
        if let (Tx::Sqlite(conn), Some(key)) = (&mut *tx, key) {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2",
            )
            .bind(tenant_id)
            .bind(key)
            .fetch_optional(&mut **conn)
            .await?;
            if taken.is_some() {
                return Ok(ChangeOutcome::IdempotencyKeyTaken);
            }
        }
        return Ok(ChangeOutcome::Stale);
    }
    let applied = ChangeOutcome::Applied {
        event_id: change.event.id.clone(),
        receipt_id: change.event.receipt_id.clone(),
    };

    if let Tx::Sqlite(conn) = tx {
        // Every row of the change in one round trip (see the statement).
        let (state, event) = (&change.state, &change.event);
        let statement = if change.idempotency.is_some() {
            events::INSERT_CHANGE_WITH_ANSWER_SQLITE
        } else {
            events::INSERT_CHANGE_SQLITE
        };
        let mut query = sqlx::query(statement)
            .bind(tenant_id)
            .bind(state.program)
            .bind(state.enabled)
            .bind(state.contact_allowed)
            .bind(&state.accepted_notices)
            .bind(&state.updated_at)
            .bind(&state.updated_by)
            .bind(&state.pending_deletion)
            .bind(&event.id)
            .bind(&event.at)
            .bind(&event.actor)
            .bind(event.action)
            .bind(&event.before)
            .bind(&event.after)
            .bind(&event.notices)
            .bind(&event.receipt_id)
            .bind(&event.idempotency_key)
            .bind(&event.receipt);
        if let Some(answer) = &change.idempotency {
            query = query
                .bind(&answer.request_hash)
                .bind(answer.status)
                .bind(&answer.body);
        }
        query.execute(&mut **conn).await?;
        return Ok(applied);
    }

    write_program_state(tx, tenant_id, &change.state).await?;
    events::insert(tx, &change.event).await?;

    if let Some(answer) = &change.idempotency {
        // A concurrent request under the same key (from any process) waits
        // here for the first to commit, then stores nothing.
        let stored = on_tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO idempotency_keys \
                 (tenant_id, idempotency_key, request_hash, response_status, response_body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
            )
            .bind(tenant_id)
            .bind(&answer.key)
            .bind(&answer.request_hash)
            .bind(answer.status)
            .bind(&answer.body)
            .bind(&answer.created_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if stored != 1 {
            return Ok(ChangeOutcome::IdempotencyKeyTaken);
        }
    }

    Ok(applied)
}

/// A `program_state` row's values, serialised.
struct ProgramStateValues {
    program: &'static str,
    enabled: bool,
    contact_allowed: Option<bool>,
    accepted_notices: String,
    updated_at: Option<String>,
    updated_by: Option<String>,
    pending_deletion: Option<String>,
}

impl ProgramStateValues {
    fn new(record: &ProgramRecord) -> Result<ProgramStateValues, sqlx::Error> {
        Ok(ProgramStateValues {
            program: record.program.as_str(),
            enabled: record.enabled,
            contact_allowed: record.contact_allowed,
            accepted_notices: json(&record.accepted_notices)?,
            updated_at: record.updated_at.map(timestamp),
            updated_by: record.updated_by.as_ref().map(json).transpose()?,
            pending_deletion: record.pending_deletion.as_ref().map(json).transpose()?,
        })
    }
}

/// Stores `state` as the current state of its program.
async fn write_program_state(
    tx: &mut Tx,
    tenant_id: &str,
    state: &ProgramStateValues,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO program_state \
             (tenant_id, program, enabled, contact_allowed, accepted_notices, updated_at, updated_by, pending_deletion) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, program) DO UPDATE SET \
             enabled = excluded.enabled, contact_allowed = excluded.contact_allowed, \
             accepted_notices = excluded.accepted_notices, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by, pending_deletion = excluded.pending_deletion",
        )
        .bind(tenant_id)
        .bind(state.program)
        .bind(state.enabled)
        .bind(state.contact_allowed)
        .bind(&state.accepted_notices)
        .bind(&state.updated_at)
        .bind(&state.updated_by)
        .bind(&state.pending_deletion)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })
}

/// A tenant's state in one statement: the tenant's row, once per program
/// row it has (or once with no program when it has none).
const SNAPSHOT: &str = "SELECT t.id, t.name, t.region, t.document_version, \
     p.program, p.enabled, p.contact_allowed, p.accepted_notices, p.updated_at, p.updated_by, p.pending_deletion \
     FROM tenants t LEFT JOIN program_state p ON p.tenant_id = t.id WHERE t.id = $1";

/// A row of [`SNAPSHOT`].
#[derive(sqlx::FromRow)]
struct TenantStateRow {
    id: String,
    name: String,
    region: String,
    document_version: i64,
    program: Option<String>,
    enabled: Option<bool>,
    contact_allowed: Option<bool>,
    accepted_notices: Option<String>,
    updated_at: Option<String>,
    updated_by: Option<String>,
    pending_deletion: Option<String>,
}

/// The tenant's state inside a transaction (what it has written so far included).
async fn read_snapshot(
    tx: &mut Tx,
    tenant_id: &str,
) -> Result<Option<TenantSnapshot>, sqlx::Error> {
    let rows = on_tx!(&mut *tx, |conn| sqlx::query_as::<_, TenantStateRow>(
        SNAPSHOT
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?);
    snapshot_of(rows)
}

/// The snapshot [`SNAPSHOT`]'s rows describe; `None` without a row (no such tenant).
fn snapshot_of(rows: Vec<TenantStateRow>) -> Result<Option<TenantSnapshot>, sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let tenant = Tenant {
        id: first.id.clone(),
        name: first.name.clone(),
        region: Region::new(&first.region),
    };
    let version = first.document_version;
    let mut programs: Vec<ProgramRecord> = ProgramId::ALL
        .into_iter()
        .map(ProgramRecord::initial)
        .collect();
    for row in rows {
        // A row of a program this build does not know is kept but not shown.
        let Some(program) = row.program.as_deref().and_then(ProgramId::parse) else {
            continue;
        };
        let record = ProgramRecord {
            program,
            enabled: row.enabled.unwrap_or(false),
            contact_allowed: row.contact_allowed,
            accepted_notices: from_json(row.accepted_notices.as_deref().unwrap_or("[]"))?,
            updated_at: row.updated_at.as_deref().map(parse_timestamp).transpose()?,
            updated_by: row.updated_by.as_deref().map(from_json).transpose()?,
            pending_deletion: row.pending_deletion.as_deref().map(from_json).transpose()?,
        };
        if let Some(slot) = programs.iter_mut().find(|r| r.program == program) {
            *slot = record;
        }
    }
    Ok(Some(TenantSnapshot {
        tenant,
        version,
        programs,
    }))
}

/// Whether `text` can be stored, on either database: PostgreSQL's text
/// cannot hold NUL, so a key with one names nothing that is stored.
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// `url` without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

fn create_dir(dir: &Path) -> Result<(), OpenError> {
    std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
        dir: dir.to_owned(),
        source,
    })
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

/// A UUIDv7 from the server's clock: unique, and ordered like the events.
fn time_ordered_id(at: Timestamp) -> String {
    let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
    let stamp = uuid::Timestamp::from_unix(uuid::NoContext, seconds, at.timestamp_subsec_nanos());
    Uuid::new_v7(stamp).to_string()
}
