//! Storing an accepted change: the conditional version bump, the program's
//! new state, its event and receipt, and the answer to its idempotency key,
//! in one transaction.

use std::time::{Duration, Instant};

use consent_core::rules::ProgramRecord;

use super::chain;
use super::events::{self, NewEvent, PreparedEvent};
use super::feed;
use super::idempotency::IdempotentResponse;
use super::{json, timestamp, Store, Tx};

/// An accepted change to one program, to store with its event and receipt.
#[derive(Debug, Clone)]
pub struct AcceptedChange<'a> {
    /// The document version the change was decided against.
    pub expected_version: i64,
    /// The event the change records, with its ids and receipt.
    pub event: NewEvent<'a>,
    /// The answer to remember for an `Idempotency-Key`.
    pub idempotency: Option<IdempotentResponse<'a>>,
}

/// What became of an accepted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Stored, with its event and receipt.
    Applied {
        event_id: String,
        receipt_id: String,
        /// What linking it into the tenant's chain took: the head read,
        /// hash, checkpoint signature and checkpoint row.
        ledger: LedgerTime,
    },
    /// Another change was stored first; nothing was stored.
    Stale,
    /// Another request stored an answer under the same idempotency key first; nothing was stored.
    IdempotencyKeyTaken,
}

/// The time a change spent on its ledger evidence, which the change's log
/// line reports (`ledger_us`, `hash_and_sign_us`) and the bench reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerTime {
    /// Reading the chain's head, hashing, signing the checkpoint and (on
    /// SQLite) storing it; the link's own columns go in the event's row.
    pub total: Duration,
    /// The SHA-256 of the canonical event and the checkpoint's Ed25519 signature.
    pub hash_and_sign: Duration,
}

impl Store {
    /// Stores an accepted change, its event and its receipt (and the answer
    /// to its idempotency key) in one transaction, if the document is still
    /// at `expected_version`.
    pub async fn apply_change(
        &self,
        change: AcceptedChange<'_>,
    ) -> Result<ChangeOutcome, sqlx::Error> {
        let prepared = PreparedChange::new(change, self.signer())?;
        let tenant_id = prepared.tenant_id.clone();
        let outcome = if let Some(writer) = &self.writer {
            writer.apply(prepared).await
        } else {
            self.apply_in_transaction(&prepared).await
        };
        // Also after an error: the commit may have happened all the same.
        if !matches!(
            outcome,
            Ok(ChangeOutcome::Stale | ChangeOutcome::IdempotencyKeyTaken)
        ) {
            self.feed_committed([tenant_id.as_str()]);
        }
        outcome
    }

    async fn apply_in_transaction(
        &self,
        prepared: &PreparedChange,
    ) -> Result<ChangeOutcome, sqlx::Error> {
        let mut tx = self.begin().await?;
        let outcome = apply_prepared(&mut tx, prepared).await?;
        if matches!(outcome, ChangeOutcome::Applied { .. }) {
            tx.commit().await?;
        }
        Ok(outcome)
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
    fn new(
        change: AcceptedChange<'_>,
        signer: Option<std::sync::Arc<crate::ledger::LedgerKeys>>,
    ) -> Result<PreparedChange, sqlx::Error> {
        let idempotency = change.idempotency.as_ref().map(|answer| PreparedAnswer {
            key: answer.key.to_owned(),
            request_hash: answer.request_hash.to_owned(),
            status: i64::from(answer.status),
            body: answer.body.to_owned(),
            created_at: timestamp(change.event.at),
        });
        Ok(PreparedChange {
            tenant_id: change.event.tenant.id.clone(),
            expected_version: change.expected_version,
            state: ProgramStateValues::new(change.event.after)?,
            event: PreparedEvent::new(
                &change.event,
                change.idempotency.as_ref().map(|i| i.key),
                signer,
            )?,
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
    let started = Instant::now();
    let linked = chain::link(tx, &change.event).await?;
    let mut ledger = LedgerTime {
        total: started.elapsed(),
        hash_and_sign: linked.hash_and_sign,
    };
    let applied = |ledger| ChangeOutcome::Applied {
        event_id: change.event.id.clone(),
        receipt_id: change.event.receipt_id.clone(),
        ledger,
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
            .bind(&linked.receipt)
            .bind(&event.detail)
            .bind(i64::try_from(linked.link.n).unwrap_or(i64::MAX))
            .bind(&linked.link.prev_hash)
            .bind(&linked.link.hash);
        if let Some(answer) = &change.idempotency {
            query = query
                .bind(&answer.request_hash)
                .bind(answer.status)
                .bind(&answer.body);
        }
        query.execute(&mut **conn).await?;
        let started = Instant::now();
        chain::insert_checkpoint(tx, &linked).await?;
        ledger.total += started.elapsed();
        events::open_obligations(tx, &change.event).await?;
        feed::append(tx, &change.event.feed).await?;
        return Ok(applied(ledger));
    }

    write_program_state(tx, tenant_id, &change.state).await?;
    events::insert(tx, &change.event, &linked).await?;

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
    // Last: the feed's lock is held from here to the commit only.
    feed::append(tx, &change.event.feed).await?;

    Ok(applied(ledger))
}

/// A `program_state` row's values, serialised.
pub(super) struct ProgramStateValues {
    program: &'static str,
    enabled: bool,
    contact_allowed: Option<bool>,
    accepted_notices: String,
    updated_at: Option<String>,
    updated_by: Option<String>,
    pending_deletion: Option<String>,
}

impl ProgramStateValues {
    pub(super) fn new(record: &ProgramRecord) -> Result<ProgramStateValues, sqlx::Error> {
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
pub(super) async fn write_program_state(
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
