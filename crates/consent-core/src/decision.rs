//! What a pipeline may do with a tenant's data under a program right now:
//! allowed or not, and why. `allowed` is [`is_sharing`], the same rule the
//! page uses to show "On"; the reason says which part of it decided.

use serde::{Deserialize, Serialize};

use crate::notice::NoticeRef;
use crate::rules::{eligibility, is_sharing, NoticeSet, ProgramRecord};
use crate::{ProgramId, Region, Timestamp};

/// Why data may or may not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionReason {
    /// On, with the current wording accepted: allowed.
    OptedIn,
    /// Never turned on.
    NotOptedIn,
    /// Turned off (by an admin, or by the service when the tenant left the
    /// program's region); shared data is being deleted.
    OptedOut,
    /// The program is not offered in the tenant's region.
    RegionIneligible,
    /// On, but a notice changed materially and is not accepted again yet:
    /// sharing is paused.
    ReacceptancePending,
    /// No such tenant: nothing may be used (fail closed).
    UnknownTenant,
}

impl DecisionReason {
    /// The wire name (`opted_in`, ...), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionReason::OptedIn => "opted_in",
            DecisionReason::NotOptedIn => "not_opted_in",
            DecisionReason::OptedOut => "opted_out",
            DecisionReason::RegionIneligible => "region_ineligible",
            DecisionReason::ReacceptancePending => "reacceptance_pending",
            DecisionReason::UnknownTenant => "unknown_tenant",
        }
    }
}

/// The decision for one tenant and program, before the answer's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub reason: DecisionReason,
    /// `opted_out`: when the data shared before is deleted by.
    pub deletion_due_by: Option<Timestamp>,
    /// Marketing: whether the vendor may contact the system administrator
    /// (only while the program is allowed and the admin has not stopped it).
    pub contact_allowed: Option<bool>,
}

/// Decides whether `record`'s data may be used at `now` for a tenant in `region`.
pub fn verdict(
    record: &ProgramRecord,
    region: &Region,
    notices: NoticeSet<'_>,
    now: Timestamp,
) -> Verdict {
    let allowed = is_sharing(record, region, notices);
    let reason = if allowed {
        DecisionReason::OptedIn
    } else if eligibility(record.program, region).is_err() {
        DecisionReason::RegionIneligible
    } else if record.enabled {
        DecisionReason::ReacceptancePending
    } else if record.pending_deletion.is_some() || record.updated_at.is_some() {
        DecisionReason::OptedOut
    } else {
        DecisionReason::NotOptedIn
    };
    let deletion_due_by = record
        .pending_deletion
        .as_ref()
        .filter(|pending| !record.enabled && pending.is_pending_at(now))
        .map(|pending| pending.due_by);
    let contact_allowed = record
        .program
        .has_contact_preference()
        .then(|| allowed && record.contact_allowed == Some(true));
    Verdict {
        allowed,
        reason,
        deletion_due_by,
        contact_allowed,
    }
}

/// The verdict for a tenant that does not exist: nothing may be used.
pub fn unknown_tenant(program: ProgramId) -> Verdict {
    Verdict {
        allowed: false,
        reason: DecisionReason::UnknownTenant,
        deletion_due_by: None,
        contact_allowed: program.has_contact_preference().then_some(false),
    }
}

/// `GET /api/v1/decisions/{tenant_id}/{program_id}`: whether a pipeline may
/// use the tenant's data under the program, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataUseDecision {
    pub tenant: String,
    pub program: ProgramId,
    pub allowed: bool,
    pub reason: DecisionReason,
    /// `opted_out`: shared data is deleted by then.
    #[serde(
        with = "crate::instant::rfc3339_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub deletion_due_by: Option<Timestamp>,
    /// Marketing only: may the vendor contact the system administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
    /// The tenant's document version (0 for an unknown tenant).
    pub version: i64,
    /// When the program's state last changed; `null` if never.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339_option", default)]
    pub since: Option<Timestamp>,
    /// The receipt of the event that made this state; `null` if none.
    pub receipt_id: Option<String>,
    /// The notice versions the use is allowed under; empty while nothing
    /// is allowed, except a pending re-acceptance, which lists the versions
    /// accepted before the wording changed.
    pub notices: Vec<NoticeRef>,
    /// When this answer was decided (the instant asked for, with `at`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub evaluated_at: Timestamp,
}

#[cfg(test)]
mod tests;
