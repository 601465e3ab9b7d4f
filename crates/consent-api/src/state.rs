//! What every request handler shares.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::FromRef;
use chrono::{SubsecRound, Utc};
use consent_core::deletion::StoreCatalog;
use consent_core::Timestamp;

use crate::identity::SharedVerifier;
use crate::ledger::LedgerKeys;
use crate::limits::SharedRequestLimits;
use crate::metrics::SharedMetrics;
use crate::notices::SharedNotices;
use crate::service::change::ChangeService;
use crate::store::Store;

/// The server's notion of "now", injectable so tests can move time
/// (deletion deadlines, pending deletions that expire).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// `clock` moved forward by `offset` microseconds (which only grows): the
/// development clock that due dates can be passed with.
pub fn offset_clock(clock: Clock, offset: Arc<AtomicI64>) -> Clock {
    Arc::new(move || clock() + chrono::Duration::microseconds(offset.load(Ordering::SeqCst)))
}

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
    /// Verifies bearer tokens (and issues development ones).
    pub identity: SharedVerifier,
    pub clock: Clock,
    /// Development mode: the dev token route answers.
    pub dev: bool,
    /// The requests each caller may make (this process).
    pub requests: SharedRequestLimits,
    /// The changes each tenant may make per minute (all processes); 0: no limit.
    pub changes_per_minute: u32,
    /// How long pipelines may reuse a decision (`Cache-Control: max-age`).
    pub decision_max_age_secs: u64,
    /// Signs receipts and checkpoints; published at `/.well-known/jwks.json`.
    pub ledger_keys: Arc<LedgerKeys>,
    /// The data stores each opt-out opens a deletion obligation for.
    pub stores: Arc<StoreCatalog>,
    /// Development mode: how far (µs) `POST /api/v1/dev/clock` moved the clock.
    pub clock_offset: Option<Arc<AtomicI64>>,
    /// What the operator's metrics count.
    pub metrics: SharedMetrics,
}

impl AppState {
    /// The current time by the server's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}

/// The verifier is the part of the state the caller extractors need.
impl FromRef<AppState> for SharedVerifier {
    fn from_ref(state: &AppState) -> SharedVerifier {
        state.identity.clone()
    }
}

/// The caller extractors count refused tokens and requests.
impl FromRef<AppState> for SharedMetrics {
    fn from_ref(state: &AppState) -> SharedMetrics {
        state.metrics.clone()
    }
}

/// The request limits are checked by the caller extractors too.
impl FromRef<AppState> for SharedRequestLimits {
    fn from_ref(state: &AppState) -> SharedRequestLimits {
        state.requests.clone()
    }
}

/// Change handlers take the change service, made of the shared parts.
impl FromRef<AppState> for ChangeService {
    fn from_ref(state: &AppState) -> ChangeService {
        ChangeService::new(
            state.store.clone(),
            state.notices.clone(),
            state.stores.clone(),
            state.clock.clone(),
        )
        .with_change_limit(state.changes_per_minute)
        .counting_in(state.metrics.clone())
    }
}
