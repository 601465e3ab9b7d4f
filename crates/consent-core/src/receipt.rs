//! Consent receipts: the proof handed to a tenant for each recorded event.
//!
//! The fields follow the consent record structure of ISO/IEC TS 27560
//! (record and receipt ids, principal, notice with version, hash and
//! language, purposes, data categories, recipients, storage, retention,
//! jurisdiction, withdrawal method, and the event's type, time and actor),
//! in the spirit of the Kantara Consent Receipt. Event types and states use
//! the W3C Data Privacy Vocabulary's consent states where one fits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::PendingDeletion;
use crate::facts::program_facts;
use crate::rules::{ConsentAction, ProgramRecord};
use crate::{Actor, ProgramId, Tenant};

/// The `schema_version` of receipts this build issues.
pub const RECEIPT_SCHEMA_VERSION: &str = "1.0";

/// `GET /api/v1/tenants/{tenant_id}/receipts/{receipt_id}`: one consent receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentReceipt {
    pub schema_version: String,
    pub receipt_id: String,
    /// The consent record this event belongs to: one per tenant and program
    /// (`<tenant_id>/<program>`).
    pub record_id: String,
    /// The history event this receipt was issued for.
    pub event_id: String,
    /// When the receipt was issued (the event's time).
    #[serde(with = "crate::instant::rfc3339")]
    pub issued_at: DateTime<Utc>,
    /// Whose consent: the tenant.
    pub principal: Tenant,
    /// Who acted for the tenant; the consent service (id `system`) for a completed deletion.
    pub actor: Actor,
    pub program: ProgramId,
    /// The program's name.
    pub program_title: String,
    pub event: ReceiptEvent,
    /// The notice versions accepted and in force with this event.
    pub notices: Vec<ReceiptNotice>,
    pub purposes: Vec<String>,
    pub data_categories: Vec<ReceiptDataCategory>,
    /// Who receives or sees the shared data.
    pub recipients: Vec<String>,
    /// Every place copies of shared data are kept.
    pub storage_locations: Vec<String>,
    /// How long each data category is kept.
    pub retention: Vec<ReceiptRetention>,
    /// The region whose rules apply: the tenant's region code.
    pub jurisdiction: String,
    pub withdrawal_method: String,
    /// The consent's state once this event is recorded.
    pub state_after: ReceiptState,
    /// The hash of the event in the tenant's ledger chain (see
    /// [`crate::chain`]); absent on receipts issued before the chain existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_hash: Option<String>,
}

/// What happened, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptEvent {
    #[serde(rename = "type")]
    pub kind: ReceiptEventType,
    /// The history's name for the change.
    pub action: ConsentAction,
    #[serde(with = "crate::instant::rfc3339")]
    pub time: DateTime<Utc>,
}

/// The kind of consent event, after the W3C Data Privacy Vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReceiptEventType {
    /// Consent given: the program was turned on (`opted_in`; DPV ConsentGiven).
    Given,
    /// Consent given again under newer notices while on (`notices_accepted`; DPV RenewedConsentGiven).
    Renewed,
    /// The record changed without giving or withdrawing consent (`contact_changed`,
    /// or `notices_accepted` while off).
    Modified,
    /// Consent withdrawn: the program was turned off (`opted_out`; DPV ConsentWithdrawn).
    Withdrawn,
    /// The deletion after a withdrawal completed: nothing shared under the
    /// consent may be used any longer (`deletion_completed`; DPV ConsentExpired).
    Expired,
}

/// The consent's status, after the W3C Data Privacy Vocabulary's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// The program is on.
    Given,
    /// The program is off and the deletion of what was shared is pending.
    Withdrawn,
    /// The deletion after a withdrawal has just completed.
    Expired,
    /// The program is off and no deletion is pending (never on, or the
    /// deletion after a withdrawal completed earlier).
    NotGiven,
}

/// The consent's state after the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptState {
    pub status: ConsentStatus,
    pub enabled: bool,
    /// Marketing only: may the vendor contact the system administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
    /// After a withdrawal: when shared data is deleted by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion: Option<PendingDeletion>,
}

/// A notice version as a receipt names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptNotice {
    pub id: String,
    pub version: u32,
    /// Hex SHA-256 of the notice's canonical JSON: proves which words were shown.
    pub sha256: String,
    /// BCP 47 language tag of the wording.
    pub language: String,
    pub title: String,
}

/// One kind of data shared under the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptDataCategory {
    pub id: String,
    pub name: String,
    pub description: String,
    pub storage_location: String,
}

/// How long one data category is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptRetention {
    /// The data category's id.
    pub data_category: String,
    /// ISO 8601 duration (`P30D`, `P12M`).
    pub period: String,
    pub rule: String,
}

/// Everything a receipt is made from.
#[derive(Debug, Clone)]
pub struct ReceiptInput<'a> {
    pub receipt_id: &'a str,
    pub event_id: &'a str,
    pub tenant: &'a Tenant,
    pub actor: &'a Actor,
    pub action: ConsentAction,
    pub at: DateTime<Utc>,
    /// The program's stored state once the event is recorded.
    pub after: &'a ProgramRecord,
    /// The notices in force with the event (the after state's accepted ones), described.
    pub notices: Vec<ReceiptNotice>,
}

/// The consent record id of `program` for `tenant_id`.
pub fn record_id(tenant_id: &str, program: ProgramId) -> String {
    format!("{tenant_id}/{program}")
}

/// The receipt's event type for `action`, given whether the program is on after it.
pub fn receipt_event_type(action: ConsentAction, enabled_after: bool) -> ReceiptEventType {
    match action {
        ConsentAction::OptedIn => ReceiptEventType::Given,
        ConsentAction::OptedOut => ReceiptEventType::Withdrawn,
        ConsentAction::NoticesAccepted if enabled_after => ReceiptEventType::Renewed,
        ConsentAction::NoticesAccepted
        | ConsentAction::ContactChanged
        | ConsentAction::RegionChanged
        | ConsentAction::DeletionAttested
        | ConsentAction::DeletionOverdue => ReceiptEventType::Modified,
        ConsentAction::DeletionCompleted => ReceiptEventType::Expired,
    }
}

/// The consent's status after `action` left the program as `after`.
pub fn consent_status(action: ConsentAction, after: &ProgramRecord) -> ConsentStatus {
    match action {
        _ if after.enabled => ConsentStatus::Given,
        ConsentAction::DeletionCompleted => ConsentStatus::Expired,
        _ if after.pending_deletion.is_some() => ConsentStatus::Withdrawn,
        _ => ConsentStatus::NotGiven,
    }
}

/// Builds the receipt for one recorded event.
pub fn consent_receipt(input: ReceiptInput<'_>) -> ConsentReceipt {
    let program = input.after.program;
    let facts = program_facts(program);
    let region = input.tenant.region.code();
    let mut storage_locations: Vec<String> = Vec::new();
    for category in facts.data_categories {
        let location = category.storage.describe(region);
        if !storage_locations.contains(&location) {
            storage_locations.push(location);
        }
    }
    ConsentReceipt {
        schema_version: RECEIPT_SCHEMA_VERSION.to_owned(),
        receipt_id: input.receipt_id.to_owned(),
        record_id: record_id(&input.tenant.id, program),
        event_id: input.event_id.to_owned(),
        issued_at: input.at,
        principal: input.tenant.clone(),
        actor: input.actor.clone(),
        program,
        program_title: facts.title.to_owned(),
        event: ReceiptEvent {
            kind: receipt_event_type(input.action, input.after.enabled),
            action: input.action,
            time: input.at,
        },
        notices: input.notices,
        purposes: facts.purposes.iter().map(|p| (*p).to_owned()).collect(),
        data_categories: facts
            .data_categories
            .iter()
            .map(|c| ReceiptDataCategory {
                id: c.id.to_owned(),
                name: c.name.to_owned(),
                description: c.description.to_owned(),
                storage_location: c.storage.describe(region),
            })
            .collect(),
        recipients: facts.recipients.iter().map(|r| (*r).to_owned()).collect(),
        storage_locations,
        retention: facts
            .data_categories
            .iter()
            .map(|c| ReceiptRetention {
                data_category: c.id.to_owned(),
                period: c.retention.iso8601(),
                rule: c.retention_rule.to_owned(),
            })
            .collect(),
        jurisdiction: region.to_owned(),
        withdrawal_method: facts.withdrawal_method.to_owned(),
        state_after: ReceiptState {
            status: consent_status(input.action, input.after),
            enabled: input.after.enabled,
            contact_allowed: input.after.contact_allowed,
            pending_deletion: input.after.pending_deletion.clone(),
        },
        // Known once the event takes its place in the chain, as it is stored.
        event_hash: None,
    }
}

#[cfg(test)]
mod tests;
