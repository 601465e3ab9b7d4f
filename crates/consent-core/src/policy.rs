//! What a person may do with one program now, and why not.
//!
//! [`evaluate`] is the one place a proposed change is weighed against a
//! program's current standing: eligibility, the notices still to accept,
//! the contact default, whether anything would be recorded, and what
//! happens to a pending deletion. The server decides with it (through
//! [`crate::rules::decide_change`]); the page's draft asks it what to offer
//! and why Save is not possible yet, so the two cannot disagree.

use crate::deadline::{pending_deletion, PendingDeletion};
use crate::facts::program_facts;
use crate::notice::NoticeRef;
use crate::rules::{
    change_needs_current_notices, eligibility, ConsentAction, NoticeSet, ProgramRecord, Refusal,
};
use crate::wire::{ChangeRequest, IneligibleReason, ProgramView};
use crate::{ProgramId, Region, Timestamp};

/// A program as it stands for one tenant, as far as the rules need it.
///
/// The server builds it from the stored record and every published notice
/// version ([`Standing::of_record`]); the page from the view the server sent
/// ([`Standing::of_view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub program: ProgramId,
    /// The stored choice.
    pub enabled: bool,
    /// Marketing only: the stored contact preference.
    pub contact_allowed: Option<bool>,
    /// Whether the tenant may have this program on at all.
    pub eligibility: Result<(), IneligibleReason>,
    /// The current version of every notice the program requires.
    pub notices: Vec<NoticeRef>,
    /// The notice versions the tenant accepted.
    pub accepted: Vec<NoticeRef>,
    /// The ids of the current notices that the stored acceptances do not cover.
    pub unaccepted: Vec<String>,
    /// The opt-out's deletion deadlines, as stored (also once passed).
    pub pending_deletion: Option<PendingDeletion>,
}

impl Standing {
    /// The standing of a stored program, with the notices' whole history to
    /// tell which older acceptances still hold.
    pub fn of_record(record: &ProgramRecord, region: &Region, notices: NoticeSet<'_>) -> Standing {
        Standing {
            program: record.program,
            enabled: record.enabled,
            contact_allowed: record.contact_allowed,
            eligibility: eligibility(record.program, region),
            notices: notices.current.iter().map(|n| n.reference()).collect(),
            accepted: record.accepted_notices.clone(),
            unaccepted: notices
                .pending_acceptances(&record.accepted_notices)
                .into_iter()
                .map(|n| n.id.clone())
                .collect(),
            pending_deletion: record.pending_deletion.clone(),
        }
    }

    /// The standing the page reads from the server's view.
    ///
    /// The view says whether a program that is on waits for a re-acceptance;
    /// for a program that is off it does not say which older acceptances
    /// still hold, so only the current versions themselves count as
    /// accepted (turning on always accepts them anyway).
    pub fn of_view(view: &ProgramView) -> Standing {
        let unaccepted = if view.enabled && !view.reconsent_required {
            Vec::new()
        } else {
            let missing: Vec<String> = view
                .notices
                .iter()
                .filter(|n| !view.accepted_notices.contains(n))
                .map(|n| n.id.clone())
                .collect();
            if missing.is_empty() && view.reconsent_required {
                view.notices.iter().map(|n| n.id.clone()).collect()
            } else {
                missing
            }
        };
        Standing {
            program: view.id,
            enabled: view.enabled,
            contact_allowed: view.contact_allowed,
            eligibility: match (view.eligible, view.ineligible_reason) {
                (true, _) => Ok(()),
                (false, Some(reason)) => Err(reason),
                (false, None) => Err(IneligibleReason::RegionNotSupported),
            },
            notices: view.notices.clone(),
            accepted: view.accepted_notices.clone(),
            unaccepted,
            pending_deletion: view.pending_deletion.clone(),
        }
    }
}

/// A change someone proposes: the choices as they would be saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub enabled: bool,
    /// Marketing only, and only while the program is (to be) on.
    pub contact_allowed: Option<bool>,
    /// The notice versions accepted with the change.
    pub accepts: Vec<NoticeRef>,
}

impl Proposal {
    /// The proposal that keeps everything as stored: what the program is
    /// now, with nothing changed.
    pub fn as_stored(standing: &Standing) -> Proposal {
        Proposal {
            enabled: standing.enabled,
            contact_allowed: None,
            accepts: Vec::new(),
        }
    }
}

impl From<&ChangeRequest> for Proposal {
    fn from(request: &ChangeRequest) -> Proposal {
        Proposal {
            enabled: request.enabled,
            contact_allowed: request.contact_allowed,
            accepts: request
                .accept_notices
                .iter()
                .map(|a| a.reference())
                .collect(),
        }
    }
}

/// How the person is asked to accept the program's notices for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptanceAsk {
    /// Nothing to accept.
    None,
    /// Saving accepts the current version, as the panel says beside the switch.
    SavingAccepts,
    /// A box naming the notices must be ticked.
    TickBox,
}

/// What happens to the opt-out's deletion deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletionChange {
    /// Opting out starts the clock.
    Starts(PendingDeletion),
    /// Opting back in ends it.
    Ends,
    /// Anything else leaves it as stored.
    Unchanged,
}

/// The answer of [`evaluate`]: what the change would do, and why it may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Why the change is refused; `None` when it may be saved.
    pub refusal: Option<Refusal>,
    /// What the change would record; `None` when there is nothing to record.
    pub action: Option<ConsentAction>,
    /// The contact preference after the change (Marketing only).
    pub contact_allowed: Option<bool>,
    /// The accepted notice versions after the change, sorted by id.
    pub accepted_notices: Vec<NoticeRef>,
    /// What happens to a pending deletion.
    pub deletion: DeletionChange,
    /// How the person is asked to accept the notices for this change.
    pub ask: AcceptanceAsk,
    /// The program is on but may no longer be: the only change it takes is
    /// turning it off (the tenant's region no longer qualifies).
    pub only_turning_off: bool,
    /// The opt-out's deletion, while it is still pending at `now` and the program is off.
    pub deletion_pending: Option<PendingDeletion>,
}

/// Weighs `proposal` against `standing` at `now`: what it would store and
/// record, how to ask for the notices, and why it is refused, if it is.
///
/// The person's role is checked before this (`tenant::can_edit`): every
/// answer here is about the program.
pub fn evaluate(standing: &Standing, proposal: &Proposal, now: Timestamp) -> Evaluation {
    let program = standing.program;
    let explicit = program_facts(program).explicit_acceptance_at_opt_in;
    let eligible = standing.eligibility.is_ok();

    let accepted_notices = {
        let mut all = standing.accepted.clone();
        for newly in &proposal.accepts {
            all.retain(|a| a.id != newly.id);
            all.push(newly.clone());
        }
        sorted(all)
    };
    // Acceptances sent with the change are of current versions (checked
    // below), so each covers its notice.
    let unaccepted_after: Vec<&String> = standing
        .unaccepted
        .iter()
        .filter(|id| !proposal.accepts.iter().any(|a| &&a.id == id))
        .collect();

    let contact_allowed = match (program.has_contact_preference(), proposal.enabled) {
        (false, _) => None,
        // Opting out stops contact too; opting in allows it unless the admin says otherwise.
        (true, false) => Some(false),
        (true, true) if !standing.enabled => Some(proposal.contact_allowed.unwrap_or(true)),
        (true, true) => Some(
            proposal
                .contact_allowed
                .unwrap_or(standing.contact_allowed.unwrap_or(true)),
        ),
    };

    let needs_notices = change_needs_current_notices(
        standing.enabled,
        standing.contact_allowed,
        &ChangeRequest {
            enabled: proposal.enabled,
            accept_notices: Vec::new(),
            contact_allowed: proposal.contact_allowed,
        },
    );

    let refusal = refusal(
        standing,
        proposal,
        eligible,
        needs_notices,
        &unaccepted_after,
    );

    let action = match (standing.enabled, proposal.enabled) {
        (false, true) => Some(ConsentAction::OptedIn),
        (true, false) => Some(ConsentAction::OptedOut),
        _ if accepted_notices != sorted(standing.accepted.clone()) => {
            Some(ConsentAction::NoticesAccepted)
        }
        (true, true) if contact_allowed != standing.contact_allowed => {
            Some(ConsentAction::ContactChanged)
        }
        _ => None,
    };
    let deletion = match action {
        Some(ConsentAction::OptedOut) => DeletionChange::Starts(pending_deletion(program, now)),
        Some(ConsentAction::OptedIn) => DeletionChange::Ends,
        _ => DeletionChange::Unchanged,
    };

    let ask = if !proposal.enabled || !eligible {
        AcceptanceAsk::None
    } else if standing.enabled {
        if standing.unaccepted.is_empty() {
            AcceptanceAsk::None
        } else {
            AcceptanceAsk::TickBox
        }
    } else if explicit {
        AcceptanceAsk::TickBox
    } else {
        AcceptanceAsk::SavingAccepts
    };

    Evaluation {
        refusal,
        action,
        contact_allowed,
        accepted_notices,
        deletion,
        ask,
        only_turning_off: standing.enabled && !eligible,
        deletion_pending: standing
            .pending_deletion
            .clone()
            .filter(|d| !standing.enabled && d.is_pending_at(now)),
    }
}

/// Why the change may not be saved, in the order the server has always answered.
fn refusal(
    standing: &Standing,
    proposal: &Proposal,
    eligible: bool,
    needs_notices: bool,
    unaccepted_after: &[&String],
) -> Option<Refusal> {
    if proposal.enabled && !eligible {
        return Some(Refusal::RegionIneligible);
    }
    if proposal.contact_allowed.is_some() {
        if !standing.program.has_contact_preference() {
            return Some(Refusal::ContactNotApplicable);
        }
        if !proposal.enabled {
            return Some(Refusal::ContactWhileOff);
        }
    }
    // Every acceptance sent must name a current version of one of this program's notices.
    for accepted in &proposal.accepts {
        match standing.notices.iter().find(|c| c.id == accepted.id) {
            None => return Some(Refusal::UnknownNotice(accepted.id.clone())),
            Some(c) if c.version != accepted.version || c.sha256 != accepted.sha256 => {
                return Some(Refusal::NoticeOutdated(accepted.id.clone()))
            }
            Some(_) => {}
        }
    }
    if needs_notices {
        if let Some(missing) = standing
            .notices
            .iter()
            .find(|n| unaccepted_after.contains(&&n.id))
        {
            return Some(Refusal::NoticeMissing(missing.id.clone()));
        }
    }
    None
}

fn sorted(mut notices: Vec<NoticeRef>) -> Vec<NoticeRef> {
    notices.sort_by(|a, b| a.id.cmp(&b.id));
    notices
}

#[cfg(test)]
mod tests;
