//! The background task that marks deletion obligations overdue once their
//! due date has passed, by the server's clock, without an attestation.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::state::AppState;

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
