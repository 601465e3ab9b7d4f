//! The event that records a store's attestation or an overdue obligation,
//! as the deletion service makes it (see [`super::obligations`]).

use consent_core::ledger::EventDetail;
use consent_core::receipt::ConsentReceipt;
use consent_core::rules::ConsentAction;
use consent_core::{Actor, Timestamp};

/// An event about a deletion obligation; the program's state is unchanged by it.
#[derive(Debug, Clone)]
pub struct DeletionEvent {
    pub id: String,
    pub actor: Actor,
    pub at: Timestamp,
    pub action: ConsentAction,
    pub receipt: ConsentReceipt,
    /// The obligation (and the attestation) it is about.
    pub detail: EventDetail,
    /// The decision after it, for the change feed.
    pub verdict: consent_core::decision::Verdict,
}
