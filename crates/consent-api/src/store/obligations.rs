//! Deletion obligations as stored: opened with an opt-out, in its
//! transaction; attested once by their store; marked overdue once by the
//! sweep. Each attestation and each overdue mark is an event of the
//! tenant's history written in the same transaction as the mark, so there
//! is one of each at most per obligation, whatever the number of processes.

use consent_core::deletion::{Attestation, DeletionObligation, ObligationStatus, StoreCatalog};
use consent_core::ledger::EventDetail;
use consent_core::{ProgramId, Timestamp};

use super::deletions::DeletionEvent;
use super::events::{self, NewEvent};
use super::snapshot::{read_snapshot, TenantSnapshot};
use super::{from_json, json, parse_timestamp, timestamp, Store, Tx};

/// An obligation an opt-out opens, made by the deletion service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObligation {
    pub id: String,
    pub store: String,
    pub due_by: Timestamp,
}

/// An obligation's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationRow {
    pub id: String,
    pub tenant_id: String,
    pub program: ProgramId,
    pub store: String,
    pub opt_out_event_id: String,
    pub opted_out_at: Timestamp,
    pub due_by: Timestamp,
    pub attestation: Option<Attestation>,
    pub overdue_event_id: Option<String>,
}

impl ObligationRow {
    /// The obligation as the API shows it at `now`, its store named as `stores` name it.
    pub fn view(&self, now: Timestamp, stores: &StoreCatalog) -> DeletionObligation {
        DeletionObligation {
            id: self.id.clone(),
            store: self.store.clone(),
            store_name: stores
                .get(&self.store)
                .map_or_else(|| self.store.clone(), |s| s.name.clone()),
            tenant: self.tenant_id.clone(),
            program: self.program,
            opt_out_event_id: self.opt_out_event_id.clone(),
            due_by: self.due_by,
            status: ObligationStatus::of(self.due_by, self.attestation.is_some(), now),
            attestation: self.attestation.clone(),
        }
    }
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "id, tenant_id, program, store_id, opt_out_event_id, opted_out_at, \
                       due_by, attestation, overdue_event_id";

fn read_row(row: Row) -> Result<ObligationRow, sqlx::Error> {
    let (
        id,
        tenant_id,
        program,
        store,
        opt_out_event_id,
        opted_out_at,
        due_by,
        attestation,
        overdue,
    ) = row;
    Ok(ObligationRow {
        id,
        tenant_id,
        program: ProgramId::parse(&program)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown program {program:?}").into()))?,
        store,
        opt_out_event_id,
        opted_out_at: parse_timestamp(&opted_out_at)?,
        due_by: parse_timestamp(&due_by)?,
        attestation: attestation.as_deref().map(from_json).transpose()?,
        overdue_event_id: overdue,
    })
}

/// Opens `obligations` for the opt-out `event_id`, inside its transaction.
pub(crate) async fn open(
    tx: &mut Tx,
    tenant_id: &str,
    program: &str,
    event_id: &str,
    opted_out_at: &str,
    obligations: &[NewObligation],
) -> Result<(), sqlx::Error> {
    for obligation in obligations {
        on_tx!(&mut *tx, |conn| {
            sqlx::query(
                "INSERT INTO deletion_obligations \
                 (id, tenant_id, program, store_id, opt_out_event_id, opted_out_at, due_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&obligation.id)
            .bind(tenant_id)
            .bind(program)
            .bind(&obligation.store)
            .bind(event_id)
            .bind(opted_out_at)
            .bind(timestamp(obligation.due_by))
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

/// What recording an attestation or an overdue mark found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marked {
    /// Recorded now, with its event; the row as it is now.
    Recorded(ObligationRow),
    /// Someone got there first (an attestation, or the other mark): nothing recorded.
    Already(ObligationRow),
}

/// Which mark to record.
enum Mark {
    Attested,
    Overdue,
}

impl Store {
    /// A tenant's obligations, newest opt-out first, then by due date and store.
    pub async fn tenant_obligations(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<ObligationRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deletion_obligations WHERE tenant_id = $1 \
             ORDER BY opted_out_at DESC, opt_out_event_id DESC, due_by, store_id"
        );
        let rows: Vec<Row> = on_pool!(&self.pool, |pool| sqlx::query_as(&sql)
            .bind(tenant_id)
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(read_row).collect()
    }

    /// One obligation.
    pub async fn obligation(&self, id: &str) -> Result<Option<ObligationRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM deletion_obligations WHERE id = $1");
        let found: Option<Row> = on_pool!(&self.pool, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?);
        found.map(read_row).transpose()
    }

    /// Up to `limit` of `stores`' obligations in the order of their due
    /// date (then id), after `after` (the due date and id of the last one
    /// seen), only those with `status` at `now` when given.
    pub async fn store_queue(
        &self,
        stores: &[String],
        status: Option<ObligationStatus>,
        after: Option<(Timestamp, String)>,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ObligationRow>, sqlx::Error> {
        if stores.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds: Vec<String> = stores.to_vec();
        let places: Vec<String> = (1..=stores.len()).map(|i| format!("${i}")).collect();
        let mut sql = format!(
            "SELECT {COLUMNS} FROM deletion_obligations WHERE store_id IN ({})",
            places.join(", ")
        );
        let bind = |value: String, binds: &mut Vec<String>| {
            binds.push(value);
            format!("${}", binds.len())
        };
        match status {
            Some(ObligationStatus::Done) => sql.push_str(" AND attestation IS NOT NULL"),
            Some(ObligationStatus::Open) => {
                let now = bind(timestamp(now), &mut binds);
                sql.push_str(&format!(" AND attestation IS NULL AND due_by > {now}"));
            }
            Some(ObligationStatus::Overdue) => {
                let now = bind(timestamp(now), &mut binds);
                sql.push_str(&format!(" AND attestation IS NULL AND due_by <= {now}"));
            }
            None => {}
        }
        if let Some((due, id)) = after {
            let due = bind(timestamp(due), &mut binds);
            let id = bind(id, &mut binds);
            sql.push_str(&format!(
                " AND (due_by > {due} OR (due_by = {due} AND id > {id}))"
            ));
        }
        sql.push_str(&format!(" ORDER BY due_by, id LIMIT {limit}"));
        let rows: Vec<Row> = on_pool!(&self.pool, |pool| {
            let mut query = sqlx::query_as(&sql);
            for value in &binds {
                query = query.bind(value);
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter().map(read_row).collect()
    }

    /// The obligations past their due date at `now` with neither an
    /// attestation nor an overdue mark: the sweep's work.
    pub async fn newly_overdue(&self, now: Timestamp) -> Result<Vec<ObligationRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deletion_obligations \
             WHERE attestation IS NULL AND overdue_event_id IS NULL AND due_by <= $1 \
             ORDER BY due_by, id"
        );
        let rows: Vec<Row> = on_pool!(&self.pool, |pool| sqlx::query_as(&sql)
            .bind(timestamp(now))
            .fetch_all(pool)
            .await?);
        rows.into_iter().map(read_row).collect()
    }

    /// Records the attestation of obligation `row` that the event `record`
    /// makes (of the tenant and the program's state) carries, with that
    /// event, unless it was attested before.
    pub async fn attest(
        &self,
        row: &ObligationRow,
        record: impl FnOnce(&TenantSnapshot) -> DeletionEvent,
    ) -> Result<Marked, sqlx::Error> {
        self.mark(row, Mark::Attested, record).await
    }

    /// Marks obligation `row` overdue with the event `record` makes,
    /// unless it was attested or marked before.
    pub async fn mark_overdue(
        &self,
        row: &ObligationRow,
        record: impl FnOnce(&TenantSnapshot) -> DeletionEvent,
    ) -> Result<Marked, sqlx::Error> {
        self.mark(row, Mark::Overdue, record).await
    }

    async fn mark(
        &self,
        row: &ObligationRow,
        mark: Mark,
        record: impl FnOnce(&TenantSnapshot) -> DeletionEvent,
    ) -> Result<Marked, sqlx::Error> {
        let mut tx = self.begin().await?;
        // The version bump first: it takes the tenant's write lock, as every
        // change to the tenant does first (see `complete_deletion`).
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE tenants SET document_version = document_version + 1 WHERE id = $1")
                .bind(&row.tenant_id)
                .execute(&mut *conn)
                .await?;
        });
        let Some(snapshot) = read_snapshot(&mut tx, &row.tenant_id).await? else {
            return Err(sqlx::Error::RowNotFound);
        };
        let event = record(&snapshot);
        // Of two writers, only the first still finds the row unmarked.
        let marked = match mark {
            Mark::Attested => {
                // The row keeps what the event records: one attestation.
                let attestation = event
                    .detail
                    .deletion
                    .as_ref()
                    .and_then(|d| d.attestation.as_ref())
                    .ok_or_else(|| {
                        sqlx::Error::Protocol("an attestation event carries its attestation".into())
                    })?;
                let text = json(attestation)?;
                on_tx!(&mut tx, |conn| sqlx::query(
                    "UPDATE deletion_obligations SET attestation = $2, attested_event_id = $3 \
                     WHERE id = $1 AND attestation IS NULL"
                )
                .bind(&row.id)
                .bind(&text)
                .bind(&event.id)
                .execute(&mut *conn)
                .await?
                .rows_affected())
            }
            Mark::Overdue => on_tx!(&mut tx, |conn| sqlx::query(
                "UPDATE deletion_obligations SET overdue_event_id = $2 \
                 WHERE id = $1 AND attestation IS NULL AND overdue_event_id IS NULL"
            )
            .bind(&row.id)
            .bind(&event.id)
            .execute(&mut *conn)
            .await?
            .rows_affected()),
        };
        if marked != 1 {
            drop(tx);
            let now = self
                .obligation(&row.id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            return Ok(Marked::Already(now));
        }
        let state = snapshot.program(row.program);
        events::record(
            &mut tx,
            &NewEvent {
                id: event.id.clone(),
                tenant: &snapshot.tenant,
                actor: &event.actor,
                at: event.at,
                action: event.action,
                before: &state,
                after: &state,
                receipt: event.receipt,
                detail: event.detail,
                verdict: event.verdict,
                obligations: Vec::new(),
            },
            self.signer(),
        )
        .await?;
        // Evicted also when the commit fails: it may have happened all the same.
        let committed = tx.commit().await;
        self.feed_committed([row.tenant_id.as_str()]);
        committed?;
        let now = self
            .obligation(&row.id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(Marked::Recorded(now))
    }
}

/// The detail a deletion event carries.
pub fn deletion_detail(
    row: &ObligationRow,
    store_name: &str,
    attestation: Option<Attestation>,
) -> EventDetail {
    EventDetail {
        deletion: Some(consent_core::ledger::DeletionDetail {
            obligation_id: row.id.clone(),
            store: row.store.clone(),
            store_name: store_name.to_owned(),
            opt_out_event_id: row.opt_out_event_id.clone(),
            due_by: row.due_by,
            attestation,
        }),
        ..EventDetail::default()
    }
}
