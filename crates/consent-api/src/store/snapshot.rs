//! Tenants and their data-sharing state, read consistently.

use consent_core::rules::ProgramRecord;
use consent_core::{ProgramId, Region, Tenant, Timestamp};

use super::{from_json, parse_timestamp, storable, timestamp, Store, Tx};

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

impl Store {
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
pub(super) async fn read_snapshot(
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
