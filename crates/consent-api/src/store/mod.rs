//! Storage: every SQL statement the server runs.
//!
//! Statements use `$n` placeholders and plain types so they run unchanged on
//! PostgreSQL. The consent event log is append-only: no statement here
//! updates or deletes an event or a receipt, and the database refuses one
//! (see the triggers in the migrations).

mod deletions;
mod events;

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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use uuid::Uuid;

use events::NewEvent;

/// Why the database cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database URL {url:?} is not supported: only sqlite:// URLs are, for now")]
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

/// The database behind the API.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and migrates it.
    ///
    /// SQLite runs in WAL mode with full sync (a stored consent must survive
    /// a power cut) and foreign keys on.
    pub async fn open(url: &str) -> Result<Store, OpenError> {
        if !url.starts_with("sqlite:") {
            return Err(OpenError::UnsupportedUrl {
                url: url.to_owned(),
            });
        }
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
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(connect)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Adds `tenant` unless a tenant with its id exists.
    pub async fn ensure_tenant(&self, tenant: &Tenant, now: Timestamp) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO tenants (id, name, region, document_version, created_at) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&tenant.id)
        .bind(&tenant.name)
        .bind(tenant.region.code())
        .bind(timestamp(now))
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Records a notice version as published; refuses one whose stored hash differs.
    pub async fn publish_notice(
        &self,
        document: &NoticeDocument,
        now: Timestamp,
    ) -> Result<(), PublishError> {
        let content =
            serde_json::to_string(document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
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
        .bind(content)
        .bind(timestamp(now))
        .execute(&self.pool)
        .await?;
        let stored: String = sqlx::query_scalar(
            "SELECT sha256 FROM notices WHERE id = $1 AND version = $2 AND language = $3",
        )
        .bind(&document.id)
        .bind(i64::from(document.version))
        .bind(&document.language)
        .fetch_one(&self.pool)
        .await?;
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
        // One read transaction, so the version and the records belong together.
        let mut tx = self.pool.begin().await?;
        let snapshot = read_snapshot(&mut tx, tenant_id).await?;
        tx.commit().await?;
        Ok(snapshot)
    }

    /// Stores an accepted change, its event and its receipt (and the answer
    /// to its idempotency key) in one transaction, if the document is still
    /// at `expected_version`.
    pub async fn apply_change(
        &self,
        change: AcceptedChange<'_>,
    ) -> Result<ChangeOutcome, sqlx::Error> {
        let tenant_id = change.tenant.id.as_str();
        let mut tx = self.pool.begin().await?;
        // The conditional bump comes first: it takes the write lock before
        // anything is read, and of two writers with the same version exactly
        // one matches the row; the other stores nothing.
        let bumped = sqlx::query(
            "UPDATE tenants SET document_version = document_version + 1 WHERE id = $1 AND document_version = $2",
        )
        .bind(tenant_id)
        .bind(change.expected_version)
        .execute(&mut *tx)
        .await?;
        if bumped.rows_affected() != 1 {
            return Ok(ChangeOutcome::Stale);
        }

        write_program_state(&mut tx, tenant_id, change.after).await?;
        let (event_id, receipt_id) = events::record(
            &mut tx,
            NewEvent {
                tenant: change.tenant,
                actor: change.actor,
                at: change.at,
                action: change.action,
                before: change.before,
                after: change.after,
                notices: change.notices,
                idempotency_key: change.idempotency.as_ref().map(|i| i.key),
            },
        )
        .await?;

        if let Some(answer) = &change.idempotency {
            let stored = sqlx::query(
                "INSERT INTO idempotency_keys \
                 (tenant_id, idempotency_key, request_hash, response_status, response_body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
            )
            .bind(tenant_id)
            .bind(answer.key)
            .bind(answer.request_hash)
            .bind(i64::from(answer.status))
            .bind(answer.body)
            .bind(timestamp(change.at))
            .execute(&mut *tx)
            .await?;
            if stored.rows_affected() != 1 {
                return Ok(ChangeOutcome::IdempotencyKeyTaken);
            }
        }

        tx.commit().await?;
        Ok(ChangeOutcome::Applied {
            event_id,
            receipt_id,
        })
    }

    /// The stored answer to `key` for `tenant_id`, if any.
    pub async fn idempotent_response(
        &self,
        tenant_id: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys \
             WHERE tenant_id = $1 AND idempotency_key = $2",
        )
        .bind(tenant_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let status: i64 = row.try_get("response_status")?;
            Ok(StoredResponse {
                request_hash: row.try_get("request_hash")?,
                status: u16::try_from(status).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                body: row.try_get("response_body")?,
            })
        })
        .transpose()
    }

    /// How many consent events a tenant has.
    pub async fn event_count(&self, tenant_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM consent_events WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&self.pool)
            .await
    }

    /// Closes every connection (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Stores `record` as the current state of its program.
async fn write_program_state(
    conn: &mut SqliteConnection,
    tenant_id: &str,
    record: &ProgramRecord,
) -> Result<(), sqlx::Error> {
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
    .bind(record.program.as_str())
    .bind(record.enabled)
    .bind(record.contact_allowed)
    .bind(json(&record.accepted_notices)?)
    .bind(record.updated_at.map(timestamp))
    .bind(record.updated_by.as_ref().map(json).transpose()?)
    .bind(record.pending_deletion.as_ref().map(json).transpose()?)
    .execute(conn)
    .await
    .map(|_| ())
}

async fn read_snapshot(
    conn: &mut SqliteConnection,
    tenant_id: &str,
) -> Result<Option<TenantSnapshot>, sqlx::Error> {
    let Some(row) =
        sqlx::query("SELECT id, name, region, document_version FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let region: String = row.try_get("region")?;
    let tenant = Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        region: Region::new(&region),
    };
    let version: i64 = row.try_get("document_version")?;

    let rows = sqlx::query(
        "SELECT program, enabled, contact_allowed, accepted_notices, updated_at, updated_by, pending_deletion \
         FROM program_state WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut programs: Vec<ProgramRecord> = ProgramId::ALL
        .into_iter()
        .map(ProgramRecord::initial)
        .collect();
    for row in rows {
        let name: String = row.try_get("program")?;
        // A row of a program this build does not know is kept but not shown.
        let Some(program) = ProgramId::parse(&name) else {
            continue;
        };
        let updated_at: Option<String> = row.try_get("updated_at")?;
        let updated_by: Option<String> = row.try_get("updated_by")?;
        let pending_deletion: Option<String> = row.try_get("pending_deletion")?;
        let record = ProgramRecord {
            program,
            enabled: row.try_get("enabled")?,
            contact_allowed: row.try_get("contact_allowed")?,
            accepted_notices: from_json(&row.try_get::<String, _>("accepted_notices")?)?,
            updated_at: updated_at.as_deref().map(parse_timestamp).transpose()?,
            updated_by: updated_by.as_deref().map(from_json).transpose()?,
            pending_deletion: pending_deletion.as_deref().map(from_json).transpose()?,
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
