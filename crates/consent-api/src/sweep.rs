//! The background task that records `deletion_completed` once an opt-out's
//! deletion deadline has passed by the server's clock.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::state::AppState;

impl AppState {
    /// Records every deletion that is due now and not yet recorded; returns
    /// how many this call recorded. Safe to run repeatedly and from several
    /// server processes at once: each deletion is recorded exactly once.
    pub async fn sweep_deletions(&self) -> Result<usize, sqlx::Error> {
        let now = self.now();
        let notices = self.notices.get();
        let mut recorded = 0;
        for due in self.store.due_deletions(now).await? {
            let event = self
                .store
                .complete_deletion(&due, now, |refs| notices.describe(refs, &[]))
                .await?;
            if let Some(event_id) = event {
                tracing::info!(tenant = %due.tenant_id, program = %due.program, event = %event_id, "deletion completed");
                recorded += 1;
            }
        }
        Ok(recorded)
    }
}

/// Runs [`AppState::sweep_deletions`] now and then every `period` until the
/// task is aborted. A failed sweep is logged and retried at the next tick.
pub fn spawn_sweeper(state: AppState, period: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        // After a stall, one catch-up sweep is enough: it records everything due.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = state.sweep_deletions().await {
                tracing::warn!(%error, "deletion sweep failed; retrying at the next tick");
            }
        }
    })
}
