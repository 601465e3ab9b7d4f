//! What every request handler shares.

use std::sync::Arc;

use chrono::{SubsecRound, Utc};
use consent_core::Timestamp;

use crate::auth::SharedTokenKeys;
use crate::notices::SharedNotices;
use crate::store::Store;

/// The server's notion of "now", injectable so tests can move time
/// (deletion deadlines, pending deletions that expire).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The wall clock, to the microsecond (what PostgreSQL can store exactly).
pub fn system_clock() -> Clock {
    Arc::new(|| Utc::now().trunc_subsecs(6))
}

/// Shared, cheaply cloned handler state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The published notices; read a snapshot with `notices.get()`.
    pub notices: SharedNotices,
    pub tokens: SharedTokenKeys,
    pub clock: Clock,
    /// Development mode: the dev token route answers.
    pub dev: bool,
}

impl AppState {
    /// The current time by the server's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}
