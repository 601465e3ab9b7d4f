//! The consent history and its receipts: recording (INSERT only) and reading.

use super::{from_json, json, parse_timestamp, storable, time_ordered_id, timestamp, Store, Tx};
use consent_core::ledger::{HistoryCursor, HistoryQuery};
use consent_core::receipt::{consent_receipt, ReceiptInput, ReceiptNotice};
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{
    Actor, ConsentEvent, HistoryPage, NoticeRef, ProgramId, ProgramState, Tenant, Timestamp,
};

/// One event to record, with its receipt.
pub(super) struct NewEvent<'a> {
    pub tenant: &'a Tenant,
    pub actor: &'a Actor,
    pub at: Timestamp,
    pub action: ConsentAction,
    pub before: &'a ProgramRecord,
    pub after: &'a ProgramRecord,
    pub notices: Vec<ReceiptNotice>,
    pub idempotency_key: Option<&'a str>,
}

/// The statement that appends an event, its `seq` taken on SQLite as the
/// next number under the database's single write lock.
const INSERT_EVENT_SQLITE: &str = "INSERT INTO consent_events \
     (id, tenant_id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events))";

/// The same on PostgreSQL, where writers to different tenants run at once:
/// `seq` comes from a sequence, which never hands out a number twice. The
/// caller holds its tenant's row lock, so within a tenant the numbers still
/// follow the order of the commits.
const INSERT_EVENT_POSTGRES: &str = "INSERT INTO consent_events \
     (id, tenant_id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key, seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, nextval('consent_events_seq'))";

const INSERT_RECEIPT: &str =
    "INSERT INTO consent_receipts (id, tenant_id, event_id, issued_at, body) \
     VALUES ($1, $2, $3, $4, $5)";

/// Appends `event` and its receipt inside the caller's transaction; returns
/// their ids. The caller holds the write lock (it wrote first), so the
/// sequence number taken here cannot be taken twice.
pub(super) async fn record(
    tx: &mut Tx,
    event: NewEvent<'_>,
) -> Result<(String, String), sqlx::Error> {
    let event_id = time_ordered_id(event.at);
    let receipt_id = time_ordered_id(event.at);
    let tenant_id = event.tenant.id.as_str();
    let insert = match tx {
        Tx::Sqlite(_) => INSERT_EVENT_SQLITE,
        Tx::Postgres(_) => INSERT_EVENT_POSTGRES,
    };
    let actor = json(event.actor)?;
    let before = json(event.before)?;
    let after = json(event.after)?;
    let notices = json(&event.after.accepted_notices)?;
    on_tx!(&mut *tx, |conn| {
        sqlx::query(insert)
            .bind(&event_id)
            .bind(tenant_id)
            .bind(timestamp(event.at))
            .bind(&actor)
            .bind(event.after.program.as_str())
            .bind(event.action.as_str())
            .bind(&before)
            .bind(&after)
            .bind(&notices)
            .bind(&receipt_id)
            .bind(event.idempotency_key)
            .execute(&mut *conn)
            .await?;
    });

    let receipt = consent_receipt(ReceiptInput {
        receipt_id: &receipt_id,
        event_id: &event_id,
        tenant: event.tenant,
        actor: event.actor,
        action: event.action,
        at: event.at,
        after: event.after,
        notices: event.notices,
    });
    let receipt = json(&receipt)?;
    on_tx!(&mut *tx, |conn| {
        sqlx::query(INSERT_RECEIPT)
            .bind(&receipt_id)
            .bind(tenant_id)
            .bind(&event_id)
            .bind(timestamp(event.at))
            .bind(&receipt)
            .execute(&mut *conn)
            .await?;
    });
    Ok((event_id, receipt_id))
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
            "SELECT seq, id, at, actor, program, action, before_state, after_state, notices, receipt_id, idempotency_key \
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
    }))
}
