//! Completing deletions: every opt-out whose deadline has passed by the
//! server's clock is recorded as `deletion_completed`, exactly once however
//! many sweeps (or server processes) run.

use consent_core::rules::{complete_deletion, ConsentAction};
use consent_core::Actor;

use super::event::new_event;
use crate::state::AppState;
use crate::store::DeletionEvent;

impl AppState {
    /// Records every deletion that is due now and not yet recorded; returns
    /// how many this call recorded. Safe to run repeatedly and from several
    /// server processes at once: each deletion is recorded exactly once.
    pub async fn sweep_deletions(&self) -> Result<usize, sqlx::Error> {
        let now = self.now();
        let notices = self.notices.get();
        let service = Actor::consent_service();
        let mut recorded = 0;
        for due in self.store.due_deletions(now).await? {
            let event = self
                .store
                .complete_deletion(&due, now, |snapshot, before| {
                    let after = complete_deletion(before, now)?;
                    let action = ConsentAction::DeletionCompleted;
                    let described = notices.describe(&after.accepted_notices, &[]);
                    let event = new_event(
                        &snapshot.tenant,
                        &service,
                        now,
                        action,
                        before,
                        &after,
                        described,
                        notices.for_program(due.program),
                    );
                    Some(DeletionEvent {
                        verdict: event.verdict,
                        id: event.id,
                        actor: service.clone(),
                        action,
                        receipt: event.receipt,
                        after,
                    })
                })
                .await?;
            if let Some(event_id) = event {
                tracing::info!(tenant = %due.tenant_id, program = %due.program, event = %event_id, "deletion completed");
                recorded += 1;
            }
        }
        Ok(recorded)
    }
}
