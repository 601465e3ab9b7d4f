//! The consent rules: who may join which program, what a change needs, and
//! what it records. The server decides with [`decide_change`]; the app
//! explains with the same functions.

use serde::{Deserialize, Serialize};

use crate::deadline::PendingDeletion;
use crate::notice::{acceptance_covers, NoticeRef, NoticeVersion};
use crate::policy::{evaluate, DeletionChange, Proposal, Standing};
use crate::wire::{ChangeRequest, ErrorCode, IneligibleReason, ProgramView};
use crate::{Actor, ActorRef, ProgramId, Region, Timestamp};

/// Whether a tenant in `region` may turn `program` on.
pub fn eligibility(program: ProgramId, region: &Region) -> Result<(), IneligibleReason> {
    match program {
        ProgramId::Copilot if !region.is_united_states() => {
            Err(IneligibleReason::RegionNotSupported)
        }
        _ => Ok(()),
    }
}

/// The stored state of one program for one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramRecord {
    pub program: ProgramId,
    pub enabled: bool,
    /// Marketing only; `None` for programs without the preference.
    pub contact_allowed: Option<bool>,
    pub accepted_notices: Vec<NoticeRef>,
    #[serde(with = "crate::instant::rfc3339_option", default)]
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<ActorRef>,
    pub pending_deletion: Option<PendingDeletion>,
}

impl ProgramRecord {
    /// A program nobody has touched: off (the default), nothing accepted.
    pub fn initial(program: ProgramId) -> ProgramRecord {
        ProgramRecord {
            program,
            enabled: false,
            contact_allowed: program.has_contact_preference().then_some(false),
            accepted_notices: Vec::new(),
            updated_at: None,
            updated_by: None,
            pending_deletion: None,
        }
    }
}

/// The current notice versions of one program and the history of each.
#[derive(Debug, Clone, Copy)]
pub struct NoticeSet<'a> {
    /// The current version of each notice the program requires.
    pub current: &'a [NoticeVersion],
    /// Every published version of those notices.
    pub history: &'a [NoticeVersion],
}

impl<'a> NoticeSet<'a> {
    /// The current notices that `accepted` does not cover: never accepted, or
    /// changed materially since. These are what an admin must (re-)accept.
    pub fn pending_acceptances(&self, accepted: &[NoticeRef]) -> Vec<&'a NoticeVersion> {
        let history = self.history;
        self.current
            .iter()
            .filter(|cur| !accepted.iter().any(|a| acceptance_covers(a, cur, history)))
            .collect()
    }

    /// Whether `accepted` covers every current notice.
    fn all_covered_by(&self, accepted: &[NoticeRef]) -> bool {
        self.pending_acceptances(accepted).is_empty()
    }
}

/// Whether a change must leave every current notice of the program accepted.
///
/// Turning a program on, or keeping it on, needs the current wording
/// accepted. The one exception: an admin may always stop the vendor from
/// contacting the system administrator, even while a re-acceptance is
/// pending, because that only narrows what the tenant agreed to.
pub fn change_needs_current_notices(
    enabled_before: bool,
    contact_before: Option<bool>,
    request: &ChangeRequest,
) -> bool {
    let only_stops_contact =
        enabled_before && contact_before == Some(true) && request.contact_allowed == Some(false);
    request.enabled && !only_stops_contact
}

/// What an admin sees of a stored program at `now`.
pub fn view(
    record: &ProgramRecord,
    region: &Region,
    notices: NoticeSet<'_>,
    now: Timestamp,
) -> ProgramView {
    let eligibility = eligibility(record.program, region);
    ProgramView {
        id: record.program,
        enabled: record.enabled,
        eligible: eligibility.is_ok(),
        ineligible_reason: eligibility.err(),
        contact_allowed: record.contact_allowed,
        notices: notices
            .current
            .iter()
            .map(NoticeVersion::reference)
            .collect(),
        accepted_notices: record.accepted_notices.clone(),
        reconsent_required: record.enabled && !notices.all_covered_by(&record.accepted_notices),
        updated_at: record.updated_at,
        updated_by: record.updated_by.clone(),
        pending_deletion: record
            .pending_deletion
            .clone()
            .filter(|d| d.is_pending_at(now)),
    }
}

/// Whether data is actually shared under a stored program right now.
///
/// While a re-acceptance is pending, sharing is paused: the choice stays "on"
/// (so the admin need not opt in again), but no data is shared under wording
/// the tenant has not accepted.
pub fn is_sharing(record: &ProgramRecord, region: &Region, notices: NoticeSet<'_>) -> bool {
    record.enabled
        && eligibility(record.program, region).is_ok()
        && notices.all_covered_by(&record.accepted_notices)
}

/// What kind of change an accepted request is, as recorded in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentAction {
    OptedIn,
    OptedOut,
    ContactChanged,
    NoticesAccepted,
    /// Recorded by the former clock-based sweep when an opt-out's deadline
    /// passed; no longer recorded (a store's attestation is the proof now).
    DeletionCompleted,
    /// The tenant's region changed (recorded under Copilot, whose
    /// eligibility the region decides).
    RegionChanged,
    /// A data store attested that it deleted the tenant's shared data.
    DeletionAttested,
    /// A data store's deletion was not attested by its due date.
    DeletionOverdue,
}

impl ConsentAction {
    /// The wire name (`opted_in`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentAction::OptedIn => "opted_in",
            ConsentAction::OptedOut => "opted_out",
            ConsentAction::ContactChanged => "contact_changed",
            ConsentAction::NoticesAccepted => "notices_accepted",
            ConsentAction::DeletionCompleted => "deletion_completed",
            ConsentAction::RegionChanged => "region_changed",
            ConsentAction::DeletionAttested => "deletion_attested",
            ConsentAction::DeletionOverdue => "deletion_overdue",
        }
    }
}

/// The outcome of an allowed change request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The state to store.
    pub after: ProgramRecord,
    /// What to record in the history; `None` when the request changes nothing
    /// (nothing is stored and no event is written).
    pub action: Option<ConsentAction>,
}

/// Why a change request is refused. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only administrators can change data-sharing settings")]
    NotAnAdmin,
    #[error("this program is only available to tenants in the United States region")]
    RegionIneligible,
    #[error("notice {0:?} is not a notice of this program")]
    UnknownNotice(String),
    #[error("the accepted version of notice {0:?} is not its current version, or its hash does not match")]
    NoticeOutdated(String),
    #[error("notice {0:?} must be accepted before the program can be turned on")]
    NoticeMissing(String),
    #[error("the contact preference applies only to the Marketing program")]
    ContactNotApplicable,
    #[error("the contact preference can only change while the program is on")]
    ContactWhileOff,
}

impl Refusal {
    /// The API error code for this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::NotAnAdmin => ErrorCode::Forbidden,
            Refusal::RegionIneligible => ErrorCode::RegionIneligible,
            Refusal::UnknownNotice(_) => ErrorCode::NotFound,
            Refusal::NoticeOutdated(_) | Refusal::NoticeMissing(_) => ErrorCode::NoticeNotAccepted,
            Refusal::ContactNotApplicable | Refusal::ContactWhileOff => {
                ErrorCode::ContactNotApplicable
            }
        }
    }
}

/// Everything a change is decided against.
#[derive(Debug, Clone, Copy)]
pub struct ChangeContext<'a> {
    pub region: &'a Region,
    pub notices: NoticeSet<'a>,
    pub actor: &'a Actor,
    pub now: Timestamp,
}

/// Decides whether `request` may change `record`, and what to store and record.
///
/// The person must be an admin; everything about the program itself is
/// weighed by [`crate::policy::evaluate`], the same function the page asks.
pub fn decide_change(
    record: &ProgramRecord,
    request: &ChangeRequest,
    ctx: ChangeContext<'_>,
) -> Result<Decision, Refusal> {
    if !crate::tenant::can_edit(&ctx.actor.roles) {
        return Err(Refusal::NotAnAdmin);
    }
    let standing = Standing::of_record(record, ctx.region, ctx.notices);
    let evaluation = evaluate(&standing, &Proposal::from(request), ctx.now);
    if let Some(refusal) = evaluation.refusal {
        return Err(refusal);
    }
    Ok(decision(
        record,
        request.enabled,
        evaluation,
        ctx.actor,
        ctx.now,
    ))
}

/// The record an evaluated change leaves, and what it records.
fn decision(
    record: &ProgramRecord,
    enabled: bool,
    evaluation: crate::policy::Evaluation,
    actor: &Actor,
    now: Timestamp,
) -> Decision {
    let Some(action) = evaluation.action else {
        return Decision {
            after: record.clone(),
            action: None,
        };
    };
    let pending_deletion = match evaluation.deletion {
        DeletionChange::Starts(deadlines) => Some(deadlines),
        DeletionChange::Ends => None,
        DeletionChange::Unchanged => record.pending_deletion.clone(),
    };
    Decision {
        after: ProgramRecord {
            program: record.program,
            enabled,
            contact_allowed: evaluation.contact_allowed,
            accepted_notices: evaluation.accepted_notices,
            updated_at: Some(now),
            updated_by: Some(actor.reference()),
            pending_deletion,
        },
        action: Some(action),
    }
}

/// What a tenant's move to `region` does to a program: one that is on but
/// not offered there is turned off, as its admin's opt-out would (the
/// deletion clock starts), by `actor` (the service that moved the tenant).
/// `None` when the move leaves the program as it is.
pub fn on_region_change(
    record: &ProgramRecord,
    region: &Region,
    notices: NoticeSet<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Option<Decision> {
    if !record.enabled || eligibility(record.program, region).is_ok() {
        return None;
    }
    let standing = Standing::of_record(record, region, notices);
    let turn_off = ChangeRequest {
        enabled: false,
        accept_notices: Vec::new(),
        contact_allowed: None,
    };
    let evaluation = evaluate(&standing, &Proposal::from(&turn_off), now);
    // Turning off is always allowed; a refusal here would be a broken rule.
    debug_assert!(evaluation.refusal.is_none(), "{:?}", evaluation.refusal);
    let decided = decision(record, false, evaluation, actor, now);
    decided.action.is_some().then_some(decided)
}

/// The record to store once the deletion deadline of an opt-out has passed
/// at `now`: the same choice, with the pending deletion cleared. `None` while
/// nothing is due (no pending deletion, or its deadline is still ahead).
///
/// Who last changed the setting stays as it was: the service completing a
/// deletion does not change the tenant's choice.
pub fn complete_deletion(record: &ProgramRecord, now: Timestamp) -> Option<ProgramRecord> {
    let pending = record.pending_deletion.as_ref()?;
    if pending.is_pending_at(now) {
        return None;
    }
    Some(ProgramRecord {
        pending_deletion: None,
        ..record.clone()
    })
}

#[cfg(test)]
mod tests;
