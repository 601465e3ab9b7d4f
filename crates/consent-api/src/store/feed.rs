//! The change feed: appending an event's entry as the last step of its
//! transaction (see `migrations/*/0004_change_feed.sql` for why that keeps
//! commit order), reading entries after a position, and waking readers
//! that wait for the next one.

use consent_core::decision::{DecisionReason, Verdict};
use consent_core::{ProgramId, Timestamp};
use serde::{Deserialize, Serialize};

use super::{parse_timestamp, Store, Tx};

/// The decision after an event, as the feed stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDecision {
    pub allowed: bool,
    pub reason: DecisionReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_due_by: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
}

impl From<&Verdict> for StoredDecision {
    fn from(verdict: &Verdict) -> StoredDecision {
        StoredDecision {
            allowed: verdict.allowed,
            reason: verdict.reason,
            deletion_due_by: verdict.deletion_due_by,
            contact_allowed: verdict.contact_allowed,
        }
    }
}

/// A feed entry to append, its values serialised.
#[derive(Debug, Clone)]
pub(crate) struct PreparedEntry {
    pub event_id: String,
    pub tenant_id: String,
    pub program: &'static str,
    pub at: String,
    pub decision: Option<String>,
}

/// One entry of the feed, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub position: i64,
    pub event_id: String,
    pub tenant_id: String,
    pub program: ProgramId,
    pub at: Timestamp,
    /// `None` for events recorded before the feed existed.
    pub decision: Option<StoredDecision>,
}

/// Appends `entry` at the next position. Takes the head row's lock, held
/// until the transaction ends: call it last, after every other write.
pub(crate) async fn append(tx: &mut Tx, entry: &PreparedEntry) -> Result<(), sqlx::Error> {
    let position: i64 = on_tx!(&mut *tx, |conn| sqlx::query_scalar(
        "UPDATE change_feed_head SET position = position + 1 WHERE id = 1 RETURNING position"
    )
    .fetch_one(&mut *conn)
    .await?);
    on_tx!(&mut *tx, |conn| sqlx::query(
        "INSERT INTO change_feed (position, event_id, tenant_id, program, at, decision) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(position)
    .bind(&entry.event_id)
    .bind(&entry.tenant_id)
    .bind(entry.program)
    .bind(&entry.at)
    .bind(&entry.decision)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    let body = webhook_body(position, entry);
    super::webhooks::enqueue(
        tx,
        position,
        &entry.tenant_id,
        entry.program,
        &body,
        &entry.at,
    )
    .await
}

/// What a webhook announcing `entry` carries (Standard Webhooks' shape):
/// `{"type": "decision.changed", "timestamp", "data": <the feed's change>}`.
fn webhook_body(position: i64, entry: &PreparedEntry) -> String {
    let mut data = serde_json::json!({
        "cursor": position.to_string(),
        "at": entry.at,
        "tenant": entry.tenant_id,
        "program": entry.program,
        "event_id": entry.event_id,
    });
    if let (Some(decision), Some(fields)) = (
        entry
            .decision
            .as_deref()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok()),
        data.as_object_mut(),
    ) {
        if let Some(decision) = decision.as_object() {
            fields.extend(decision.clone());
        }
    }
    serde_json::json!({"type": "decision.changed", "timestamp": entry.at, "data": data}).to_string()
}

impl Store {
    /// Up to `limit` entries after `position`, in commit order.
    pub async fn changes_after(
        &self,
        position: i64,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, String, Option<String>)> =
            on_pool!(&self.pool, |pool| {
                sqlx::query_as(
                    "SELECT position, event_id, tenant_id, program, at, decision FROM change_feed \
                 WHERE position > $1 ORDER BY position LIMIT $2",
                )
                .bind(position)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
            });
        let mut entries = Vec::with_capacity(rows.len());
        for (position, event_id, tenant_id, program, at, decision) in rows {
            // A program this build does not know is skipped, its position kept.
            let Some(program) = ProgramId::parse(&program) else {
                continue;
            };
            entries.push(FeedEntry {
                position,
                event_id,
                tenant_id,
                program,
                at: parse_timestamp(&at)?,
                decision: decision.and_then(|text| serde_json::from_str(&text).ok()),
            });
        }
        Ok(entries)
    }

    /// The newest position (0 before the first entry).
    pub async fn feed_head(&self) -> Result<i64, sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT position FROM change_feed_head WHERE id = 1"
        )
        .fetch_one(pool)
        .await)
    }

    /// Completes when this process next commits something to the feed (or
    /// at once if it has since `notified()` was called and polled).
    pub fn feed_changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.feed_signal.notified()
    }

    /// After this process committed changes of `tenants`: drops their
    /// cached decision inputs (before the commit is answered, so no later
    /// decision here reads the state before it) and wakes the feed readers.
    pub(crate) fn feed_committed<'a>(&self, tenants: impl IntoIterator<Item = &'a str>) {
        self.decision_cache.evict(tenants);
        self.feed_signal.notify_waiters();
    }

    /// The tenants of the feed's entries after `after`, up to `upto`.
    pub(crate) async fn changed_tenants(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM change_feed WHERE position > $1 AND position <= $2"
        )
        .bind(after)
        .bind(upto)
        .fetch_all(pool)
        .await)
    }
}
