//! The domain of tenant data sharing, shared by the web app and the consent API.
//!
//! Everything here is plain data and pure functions: no I/O, no clock. The
//! server uses these rules to decide; the app uses the same rules to explain.
//! Builds for native targets and for `wasm32-unknown-unknown`.

pub mod canonical;
pub mod catalog;
pub mod chain;
pub mod changes;
pub mod deadline;
pub mod decision;
pub mod deletion;
pub mod facts;
pub mod instant;
pub mod language;
pub mod ledger;
pub mod notice;
pub mod policy;
pub mod program;
pub mod receipt;
pub mod routes;
pub mod rules;
pub mod tenant;
pub mod wire;

pub use changes::{document_changes, state_changes, ProgramChanges, StateChange};
pub use deadline::{pending_deletion, DELETION_WINDOW_DAYS, SCHEMA_RETENTION_MONTHS};
pub use ledger::{ConsentEvent, HistoryPage, ProgramState};
pub use notice::{NoticeDocument, NoticeRef, NoticeVersion, NoticeVersionSummary};
pub use program::ProgramId;
pub use receipt::ConsentReceipt;
pub use rules::{decide_change, Decision, Refusal};
pub use tenant::{Actor, ActorRef, Region, Role, Tenant};
pub use wire::*;

/// Timestamps are UTC instants, serialised as RFC 3339 (`2026-11-21T09:30:00Z`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;
