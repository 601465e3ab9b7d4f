//! The consent history and its receipts: recording (INSERT only) and reading.

use super::{from_json, json, parse_timestamp, storable, timestamp, Store, Tx};
use consent_core::chain::CanonicalEvent;

use super::obligations::{self, NewObligation};
use consent_core::decision::Verdict;
use consent_core::ledger::EventDetail;

use std::sync::Arc;

use super::chain;
use super::feed::{self, PreparedEntry, StoredDecision};
use crate::ledger::LedgerKeys;
use consent_core::ledger::{HistoryCursor, HistoryQuery};
use consent_core::receipt::ConsentReceipt;
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{
    Actor, ConsentEvent, HistoryPage, NoticeRef, ProgramId, ProgramState, Tenant, Timestamp,
};

/// One event to record, its id and receipt already made.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The event's id (its receipt carries its own).
    pub id: String,
    pub tenant: &'a Tenant,
    pub actor: &'a Actor,
    pub at: Timestamp,
    pub action: ConsentAction,
    pub before: &'a ProgramRecord,
    pub after: &'a ProgramRecord,
    pub receipt: ConsentReceipt,
    /// What the event says beyond its action (a region move, a reason).
    pub detail: EventDetail,
    /// The decision after the event, for the change feed.
    pub verdict: Verdict,
    /// The deletion obligations an opt-out opens (none for other events).
    pub obligations: Vec<NewObligation>,
}

/// A change's rows on SQLite, in one round trip to the database (SQLite
/// runs the statements in turn, each binding the numbered values it names):
/// the program's state, the event, its receipt, its link in the chain.
macro_rules! insert_change_sqlite {
    () => {
        "INSERT INTO program_state \
     (tenant_id, program, enabled, contact_allowed, accepted_notices, updated_at, updated_by, pending_deletion) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (tenant_id, program) DO UPDATE SET \
     enabled = excluded.enabled, contact_allowed = excluded.contact_allowed, \
     accepted_notices = excluded.accepted_notices, updated_at = excluded.updated_at, \
     updated_by = excluded.updated_by, pending_deletion = excluded.pending_deletion; \
     INSERT INTO consent_events \
     (id, tenant_id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, detail, seq) \
     VALUES ($9, $1, $10, $11, $2, $12, $13, $14, $15, $16, $17, $19, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events)); \
     INSERT INTO consent_receipts (id, tenant_id, event_id, issued_at, body) VALUES ($16, $1, $9, $10, $18); \
     INSERT INTO ledger_chain (event_id, tenant_id, n, prev_hash, hash) VALUES ($9, $1, $20, $21, $22)"
    };
}

/// A change's rows on SQLite, as one statement.
pub(super) const INSERT_CHANGE_SQLITE: &str = insert_change_sqlite!();

/// The same with the answer to the change's idempotency key.
pub(super) const INSERT_CHANGE_WITH_ANSWER_SQLITE: &str = concat!(
    insert_change_sqlite!(),
    "; INSERT INTO idempotency_keys \
     (tenant_id, idempotency_key, request_hash, response_status, response_body, created_at) \
     VALUES ($1, $17, $23, $24, $25, $10)"
);

/// The statement that appends an event, its `seq` taken on SQLite as the
/// next number under the database's single write lock.
const INSERT_EVENT_SQLITE: &str = "INSERT INTO consent_events \
     (id, tenant_id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, detail, seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events))";

/// The same on PostgreSQL, where writers to different tenants run at once:
/// `seq` comes from a sequence, which never hands out a number twice. The
/// caller holds its tenant's row lock, so within a tenant the numbers still
/// follow the order of the commits.
const INSERT_EVENT_POSTGRES: &str = "INSERT INTO consent_events \
     (id, tenant_id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, detail, seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nextval('consent_events_seq'))";

const INSERT_RECEIPT: &str =
    "INSERT INTO consent_receipts (id, tenant_id, event_id, issued_at, body) \
     VALUES ($1, $2, $3, $4, $5)";

/// An event and its receipt with every value to bind already serialised.
pub(super) struct PreparedEvent {
    pub id: String,
    pub receipt_id: String,
    pub tenant_id: String,
    pub at: String,
    pub actor: String,
    pub program: &'static str,
    pub action: &'static str,
    pub before: String,
    pub after: String,
    pub notices: String,
    pub idempotency_key: Option<String>,
    /// Serialised once the event has its place in the chain, whose hash it names.
    pub receipt: ConsentReceipt,
    /// `None` when the event says nothing beyond its action.
    pub detail: Option<String>,
    /// Its change-feed entry, appended last in the transaction.
    pub feed: PreparedEntry,
    /// Signs the tenant's checkpoint after the event, when the store has a key.
    pub signer: Option<Arc<LedgerKeys>>,
    /// The event as its link hashes it, made before the write lock is taken.
    pub chained: CanonicalEvent,
    /// The deletion obligations it opens, stored in its transaction.
    pub obligations: Vec<NewObligation>,
}

impl PreparedEvent {
    /// `event`'s values as stored, recorded under `idempotency_key` if any.
    pub(super) fn new(
        event: &NewEvent<'_>,
        idempotency_key: Option<&str>,
        signer: Option<Arc<LedgerKeys>>,
    ) -> Result<PreparedEvent, sqlx::Error> {
        let mut prepared = PreparedEvent {
            tenant_id: event.tenant.id.clone(),
            at: timestamp(event.at),
            actor: json(event.actor)?,
            program: event.after.program.as_str(),
            action: event.action.as_str(),
            before: json(event.before)?,
            after: json(event.after)?,
            notices: json(&event.after.accepted_notices)?,
            idempotency_key: idempotency_key.map(str::to_owned),
            receipt: event.receipt.clone(),
            feed: PreparedEntry {
                event_id: event.id.clone(),
                tenant_id: event.tenant.id.clone(),
                program: event.after.program.as_str(),
                at: timestamp(event.at),
                decision: Some(json(&StoredDecision::from(&event.verdict))?),
            },
            detail: (!event.detail.is_empty())
                .then(|| json(&event.detail))
                .transpose()?,
            id: event.id.clone(),
            receipt_id: event.receipt.receipt_id.clone(),
            signer,
            chained: CanonicalEvent::new(serde_json::Value::Null),
            obligations: event.obligations.clone(),
        };
        prepared.chained = CanonicalEvent::new(chain::event_value(&prepared));
        Ok(prepared)
    }
}

/// Appends `event`, its receipt and its link in the chain (from
/// [`chain::link`]) inside the caller's transaction. The caller holds the
/// write lock (it wrote first), so the sequence number and the chain's
/// place cannot be taken twice.
pub(super) async fn insert(
    tx: &mut Tx,
    event: &PreparedEvent,
    linked: &chain::Linked,
) -> Result<(), sqlx::Error> {
    let statement = match tx {
        Tx::Sqlite(_) => INSERT_EVENT_SQLITE,
        Tx::Postgres(_) => INSERT_EVENT_POSTGRES,
    };
    on_tx!(&mut *tx, |conn| {
        sqlx::query(statement)
            .bind(&event.id)
            .bind(&event.tenant_id)
            .bind(&event.at)
            .bind(&event.actor)
            .bind(event.program)
            .bind(event.action)
            .bind(&event.before)
            .bind(&event.after)
            .bind(&event.notices)
            .bind(&event.receipt_id)
            .bind(&event.idempotency_key)
            .bind(&event.detail)
            .execute(&mut *conn)
            .await?;
    });
    on_tx!(&mut *tx, |conn| {
        sqlx::query(INSERT_RECEIPT)
            .bind(&event.receipt_id)
            .bind(&event.tenant_id)
            .bind(&event.id)
            .bind(&event.at)
            .bind(&linked.receipt)
            .execute(&mut *conn)
            .await?;
    });
    chain::insert(tx, &event.id, &linked.link).await?;
    chain::insert_checkpoint(tx, linked).await?;
    open_obligations(tx, event).await
}

/// Opens the deletion obligations `event` opens, in its transaction.
pub(super) async fn open_obligations(
    tx: &mut Tx,
    event: &PreparedEvent,
) -> Result<(), sqlx::Error> {
    obligations::open(
        tx,
        &event.tenant_id,
        event.program,
        &event.id,
        &event.at,
        &event.obligations,
    )
    .await
}

/// Appends `event`, its receipt and its change-feed entry inside the
/// caller's transaction; the feed entry last, so nothing written after it
/// holds the feed's lock longer.
pub(super) async fn record(
    tx: &mut Tx,
    event: &NewEvent<'_>,
    signer: Option<Arc<LedgerKeys>>,
) -> Result<(), sqlx::Error> {
    let prepared = PreparedEvent::new(event, None, signer)?;
    let linked = chain::link(tx, &prepared).await?;
    insert(tx, &prepared, &linked).await?;
    feed::append(tx, &prepared.feed).await
}

impl Store {
    /// The events of `tenant_id` that `query` selects, newest first, with
    /// the cursor of the next page when there are more.
    pub async fn history(
        &self,
        tenant_id: &str,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, sqlx::Error> {
        // One row more than asked tells whether another page follows.
        let fetch = i64::from(query.limit).saturating_add(1);
        let rows = on_pool!(&self.pool, |pool| {
            sqlx::query_as::<_, EventRow>(
            "SELECT seq, id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, detail \
             FROM consent_events \
             WHERE tenant_id = $1 AND ($2 IS NULL OR program = $2) AND ($3 IS NULL OR seq < $3) \
             ORDER BY seq DESC LIMIT $4",
        )
        .bind(tenant_id)
        .bind(query.program.map(ProgramId::as_str))
        .bind(query.cursor.map(|c| c.0))
        .bind(fetch)
        .fetch_all(pool)
        .await?
        });
        let more = rows.len() as i64 > i64::from(query.limit);
        let mut events = Vec::with_capacity(rows.len());
        let mut last_seq = None;
        for row in rows.into_iter().take(query.limit as usize) {
            last_seq = Some(row.seq);
            if let Some(event) = event_of(row)? {
                events.push(event);
            }
        }
        let next_cursor = last_seq
            .filter(|_| more)
            .map(|seq| HistoryCursor(seq).encode());
        Ok(HistoryPage {
            events,
            next_cursor,
        })
    }

    /// When each event of `tenant_id` recorded after `since` was recorded, oldest first.
    pub async fn events_since(
        &self,
        tenant_id: &str,
        since: Timestamp,
    ) -> Result<Vec<Timestamp>, sqlx::Error> {
        let rows: Vec<String> = on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT at FROM consent_events WHERE tenant_id = $1 AND at > $2 ORDER BY at"
        )
        .bind(tenant_id)
        .bind(timestamp(since))
        .fetch_all(pool)
        .await?);
        rows.iter().map(|at| parse_timestamp(at)).collect()
    }

    /// The stored body of receipt `receipt_id` of `tenant_id`.
    pub async fn receipt(
        &self,
        tenant_id: &str,
        receipt_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        if !storable(tenant_id) || !storable(receipt_id) {
            return Ok(None);
        }
        on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT body FROM consent_receipts WHERE tenant_id = $1 AND id = $2"
        )
        .bind(tenant_id)
        .bind(receipt_id)
        .fetch_optional(pool)
        .await)
    }
}

/// A `consent_events` row as the history reads it.
#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    id: String,
    at: String,
    actor: String,
    program: String,
    action: String,
    before_state: String,
    after_state: String,
    notices: String,
    receipt_id: String,
    idempotency_key: Option<String>,
    detail: Option<String>,
}

/// The event of a history row; `None` for a program or action this build
/// does not know (kept in the table, not shown).
fn event_of(row: EventRow) -> Result<Option<ConsentEvent>, sqlx::Error> {
    let (Some(program), Ok(action)) = (
        ProgramId::parse(&row.program),
        serde_json::from_value::<ConsentAction>(serde_json::Value::String(row.action)),
    ) else {
        return Ok(None);
    };
    // A state recorded in an older shape is shown as unknown rather than failing the page.
    let state = |text: &str| -> Option<ProgramState> {
        serde_json::from_str::<ProgramRecord>(text)
            .ok()
            .map(|r| ProgramState::from(&r))
    };
    Ok(Some(ConsentEvent {
        id: row.id,
        at: parse_timestamp(&row.at)?,
        actor: from_json(&row.actor)?,
        program,
        action,
        before: state(&row.before_state),
        after: state(&row.after_state),
        notices: from_json::<Vec<NoticeRef>>(&row.notices)?,
        receipt_id: row.receipt_id,
        idempotency_key: row.idempotency_key,
        // A detail in a shape this build does not read is left out, not a failure.
        detail: row
            .detail
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default(),
    }))
}
