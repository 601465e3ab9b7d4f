//! Completed deletions: finding opt-outs whose deadline passed and recording
//! each exactly once, however many sweeps (or server processes) run.

use super::events::{self, NewEvent};
use super::snapshot::{read_snapshot, TenantSnapshot};
use super::{from_json, Store};
use consent_core::deadline::PendingDeletion;
use consent_core::receipt::ConsentReceipt;
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{Actor, ProgramId, Timestamp};

/// An opt-out whose deletion deadline has passed and is not yet recorded as done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDeletion {
    pub tenant_id: String,
    pub program: ProgramId,
    /// The pending deletion exactly as stored: recording it is conditional
    /// on finding it unchanged.
    stored: String,
}

/// The event that records a completed deletion, as the deletion service made it.
#[derive(Debug, Clone)]
pub struct DeletionEvent {
    pub id: String,
    pub actor: Actor,
    pub action: ConsentAction,
    /// The program's state once the deletion is recorded.
    pub after: ProgramRecord,
    pub receipt: ConsentReceipt,
    /// The decision after it, for the change feed.
    pub verdict: consent_core::decision::Verdict,
}

impl Store {
    /// Every pending deletion whose deadline has passed at `now`.
    pub async fn due_deletions(&self, now: Timestamp) -> Result<Vec<DueDeletion>, sqlx::Error> {
        // Deadlines live inside the stored JSON; the rows with one are few
        // (opt-outs of the last 30 days), so they are compared here.
        let rows: Vec<(String, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
            "SELECT tenant_id, program, pending_deletion FROM program_state WHERE pending_deletion IS NOT NULL",
        )
        .fetch_all(pool)
        .await?
        });
        let mut due = Vec::new();
        for (tenant_id, program, stored) in rows {
            let Some(program) = ProgramId::parse(&program) else {
                continue;
            };
            let pending: PendingDeletion = from_json(&stored)?;
            if !pending.is_pending_at(now) {
                due.push(DueDeletion {
                    tenant_id,
                    program,
                    stored,
                });
            }
        }
        Ok(due)
    }

    /// Records `due` as completed at `at`: clears the pending deletion, bumps
    /// the document version and appends the event `record` makes of the
    /// tenant and the program's state before, in one transaction. Returns
    /// the event id, or `None` when another sweep recorded it first, the
    /// program changed meanwhile or `record` makes no event.
    pub async fn complete_deletion(
        &self,
        due: &DueDeletion,
        at: Timestamp,
        record: impl FnOnce(&TenantSnapshot, &ProgramRecord) -> Option<DeletionEvent>,
    ) -> Result<Option<String>, sqlx::Error> {
        let mut tx = self.begin().await?;
        // The version bump comes first: it takes the write lock (on
        // PostgreSQL the tenant's row lock, which every change to the tenant
        // takes first too, so two writers never wait for each other in
        // opposite orders). A rollback below undoes it.
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE tenants SET document_version = document_version + 1 WHERE id = $1")
                .bind(&due.tenant_id)
                .execute(&mut *conn)
                .await?;
        });
        // Of two sweeps, only the one that still finds the same pending
        // deletion matches the row; the other changes nothing.
        let cleared = on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE program_state SET pending_deletion = NULL \
             WHERE tenant_id = $1 AND program = $2 AND pending_deletion = $3",
        )
        .bind(&due.tenant_id)
        .bind(due.program.as_str())
        .bind(&due.stored)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        if cleared != 1 {
            return Ok(None);
        }
        let Some(snapshot) = read_snapshot(&mut tx, &due.tenant_id).await? else {
            return Ok(None);
        };
        let mut before = snapshot.program(due.program);
        before.pending_deletion = Some(from_json(&due.stored)?);
        let Some(event) = record(&snapshot, &before) else {
            return Ok(None); // not due by this clock after all: roll back
        };
        events::record(
            &mut tx,
            &NewEvent {
                id: event.id.clone(),
                tenant: &snapshot.tenant,
                actor: &event.actor,
                at,
                action: event.action,
                before: &before,
                after: &event.after,
                receipt: event.receipt,
                detail: Default::default(),
                verdict: event.verdict,
            },
            self.signer(),
        )
        .await?;
        // Evicted also when the commit fails: it may have happened all the same.
        let committed = tx.commit().await;
        self.feed_committed([due.tenant_id.as_str()]);
        committed?;
        Ok(Some(event.id))
    }
}
