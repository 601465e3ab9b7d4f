//! Consent receipts: the record handed to a tenant for each accepted change.
//!
//! For now a receipt carries the essentials (who, what, when, under which
//! notice versions); the ISO/IEC TS 27560 fields follow in a later change.

use consent_core::rules::ConsentAction;
use consent_core::{Actor, NoticeRef, ProgramId, Timestamp};
use serde::Serialize;

/// The facts a receipt is made from.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptFacts<'a> {
    pub receipt_id: &'a str,
    pub event_id: &'a str,
    pub tenant_id: &'a str,
    pub actor: &'a Actor,
    pub program: ProgramId,
    pub action: ConsentAction,
    pub at: Timestamp,
    /// The notice versions the consent was given under.
    pub notices: &'a [NoticeRef],
}

/// The minimal receipt body stored with an event.
pub fn minimal(facts: &ReceiptFacts<'_>) -> serde_json::Value {
    serde_json::json!({
        "receipt_id": facts.receipt_id,
        "event_id": facts.event_id,
        "tenant": facts.tenant_id,
        "actor": facts.actor,
        "program": facts.program,
        "action": facts.action,
        "at": facts.at,
        "notices": facts.notices,
    })
}
