//! Registering tenants: created, renamed or moved to another region, with
//! the events a move records, all in one transaction; and reading them back.

use consent_core::ledger::EventDetail;
use consent_core::receipt::ConsentReceipt;
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{Actor, ProgramId, Region, Tenant, Timestamp};

use super::changes::{write_program_state, ProgramStateValues};
use super::events::{self, NewEvent};
use super::snapshot::{read_snapshot, TenantSnapshot};
use super::{parse_timestamp, storable, timestamp, Store, Tx};

/// A registered tenant as the provisioning routes show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub tenant: Tenant,
    pub created_at: Timestamp,
    /// The data-sharing document's version.
    pub version: i64,
}

/// What registering one tenant did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    Created(TenantRecord),
    /// Renamed or moved; the events recorded (a move records some).
    Updated(TenantRecord, Vec<RecordedEvent>),
    /// Already registered with this name and region: nothing written.
    Unchanged(TenantRecord),
}

/// An event a registration recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub id: String,
    pub program: ProgramId,
    pub action: ConsentAction,
}

impl Registered {
    pub fn record(&self) -> &TenantRecord {
        match self {
            Registered::Created(r) | Registered::Updated(r, _) | Registered::Unchanged(r) => r,
        }
    }
}

/// An event a region move records, made before it is stored.
#[derive(Debug, Clone)]
pub struct MoveEvent {
    pub id: String,
    pub actor: Actor,
    pub action: ConsentAction,
    pub before: ProgramRecord,
    pub after: ProgramRecord,
    pub receipt: ConsentReceipt,
    pub detail: EventDetail,
    /// The decision after it, for the change feed.
    pub verdict: consent_core::decision::Verdict,
    /// The deletion obligations it opens (an opt-out by the region rule).
    pub obligations: Vec<super::NewObligation>,
}

impl Store {
    /// Registers each of `tenants` in one transaction, in order: created,
    /// or renamed and moved. A move records the events `on_move` makes of
    /// the tenant's state before and its new registration; a program an
    /// event changes is stored as the event's `after`. Nothing is stored
    /// if anything fails.
    pub async fn register_tenants(
        &self,
        tenants: &[Tenant],
        at: Timestamp,
        on_move: impl Fn(&TenantSnapshot, &Tenant) -> Vec<MoveEvent>,
    ) -> Result<Vec<Registered>, sqlx::Error> {
        let mut tx = self.begin().await?;
        let mut outcomes = Vec::with_capacity(tenants.len());
        for tenant in tenants {
            outcomes.push(register(&mut tx, tenant, at, &on_move, self.signer()).await?);
        }
        // Evicted also when the commit fails: it may have happened all the same.
        let committed = tx.commit().await;
        self.feed_committed(tenants.iter().map(|tenant| tenant.id.as_str()));
        committed?;
        Ok(outcomes)
    }

    /// The registered tenant `tenant_id`, if any.
    pub async fn tenant(&self, tenant_id: &str) -> Result<Option<TenantRecord>, sqlx::Error> {
        if !storable(tenant_id) {
            return Ok(None);
        }
        let rows = self.tenant_rows(Some(tenant_id), None, 1).await?;
        Ok(rows.into_iter().next())
    }

    /// Up to `limit` tenants whose id sorts after `after`, in id order.
    pub async fn tenants(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TenantRecord>, sqlx::Error> {
        self.tenant_rows(None, after, limit).await
    }

    async fn tenant_rows(
        &self,
        only: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TenantRecord>, sqlx::Error> {
        let rows: Vec<TenantRow> = on_pool!(&self.pool, |pool| {
            sqlx::query_as::<_, TenantRow>(
                "SELECT id, name, region, created_at, document_version FROM tenants \
                 WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
            )
            .bind(only)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TenantRow::record).collect()
    }
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: String,
    name: String,
    region: String,
    created_at: String,
    document_version: i64,
}

impl TenantRow {
    fn record(self) -> Result<TenantRecord, sqlx::Error> {
        Ok(TenantRecord {
            tenant: Tenant {
                id: self.id,
                name: self.name,
                region: Region::new(&self.region),
            },
            created_at: parse_timestamp(&self.created_at)?,
            version: self.document_version,
        })
    }
}

async fn register(
    tx: &mut Tx,
    tenant: &Tenant,
    at: Timestamp,
    on_move: &impl Fn(&TenantSnapshot, &Tenant) -> Vec<MoveEvent>,
    signer: Option<std::sync::Arc<crate::ledger::LedgerKeys>>,
) -> Result<Registered, sqlx::Error> {
    // A no-op update first takes the tenant's row lock on PostgreSQL (every
    // change to a tenant takes it first); SQLite's transaction holds the
    // write lock already.
    on_tx!(&mut *tx, |conn| sqlx::query(
        "UPDATE tenants SET document_version = document_version WHERE id = $1"
    )
    .bind(&tenant.id)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    let Some(before) = read_snapshot(tx, &tenant.id).await? else {
        let inserted = on_tx!(&mut *tx, |conn| sqlx::query(
            "INSERT INTO tenants (id, name, region, document_version, created_at) \
             VALUES ($1, $2, $3, 0, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&tenant.id)
        .bind(&tenant.name)
        .bind(tenant.region.code())
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await?
        .rows_affected());
        if inserted != 1 {
            // Registered by another process meanwhile: this request lost the race.
            return Err(sqlx::Error::RowNotFound);
        }
        return Ok(Registered::Created(TenantRecord {
            tenant: tenant.clone(),
            created_at: at,
            version: 0,
        }));
    };
    let created_at = created_at(tx, &tenant.id).await?;
    if before.tenant == *tenant {
        return Ok(Registered::Unchanged(TenantRecord {
            tenant: tenant.clone(),
            created_at,
            version: before.version,
        }));
    }
    on_tx!(&mut *tx, |conn| sqlx::query(
        "UPDATE tenants SET name = $2, region = $3, document_version = document_version + 1 \
         WHERE id = $1",
    )
    .bind(&tenant.id)
    .bind(&tenant.name)
    .bind(tenant.region.code())
    .execute(&mut *conn)
    .await?
    .rows_affected());
    let moves = if before.tenant.region == tenant.region {
        Vec::new()
    } else {
        on_move(&before, tenant)
    };
    let mut recorded = Vec::with_capacity(moves.len());
    for event in moves {
        if event.before != event.after {
            write_program_state(tx, &tenant.id, &ProgramStateValues::new(&event.after)?).await?;
        }
        events::record(
            tx,
            &NewEvent {
                id: event.id.clone(),
                tenant,
                actor: &event.actor,
                at,
                action: event.action,
                before: &event.before,
                after: &event.after,
                receipt: event.receipt,
                detail: event.detail,
                verdict: event.verdict,
                obligations: event.obligations,
            },
            signer.clone(),
        )
        .await?;
        recorded.push(RecordedEvent {
            id: event.id,
            program: event.after.program,
            action: event.action,
        });
    }
    Ok(Registered::Updated(
        TenantRecord {
            tenant: tenant.clone(),
            created_at,
            version: before.version + 1,
        },
        recorded,
    ))
}

async fn created_at(tx: &mut Tx, tenant_id: &str) -> Result<Timestamp, sqlx::Error> {
    let text: String = on_tx!(&mut *tx, |conn| sqlx::query_scalar(
        "SELECT created_at FROM tenants WHERE id = $1"
    )
    .bind(tenant_id)
    .fetch_one(&mut *conn)
    .await?);
    parse_timestamp(&text)
}
