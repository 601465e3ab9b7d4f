//! What changed between two states of a program, in the product's terms.
//!
//! The history shows each event's change in words, and a save that lost a
//! race (412) tells the person what the other admin changed. Both compare a
//! "before" with an "after" state here, so they always agree.

use crate::deadline::PendingDeletion;
use crate::ledger::ProgramState;
use crate::{ActorRef, DataSharingDocument, NoticeRef, ProgramId, ProgramView, Timestamp};

/// One difference between two states of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateChange {
    /// Data sharing went from off to on.
    TurnedOn,
    /// Data sharing went from on to off (a deletion clock started).
    TurnedOff,
    /// Off before and after, with a new opt-out in between: it was turned
    /// on and off again, and a new deletion clock started.
    TurnedOnAndOff,
    /// The Marketing contact preference changed to `allowed`.
    ContactChanged { allowed: bool },
    /// A notice version was accepted that was not accepted before.
    NoticeAccepted(NoticeRef),
    /// The deletion that followed an opt-out is done (the clock is gone, still off).
    DeletionCompleted,
    /// The program was changed, but it ended up as it was (for example off and on again).
    ChangedBack,
}

impl From<&ProgramView> for ProgramState {
    fn from(view: &ProgramView) -> ProgramState {
        ProgramState {
            enabled: view.enabled,
            contact_allowed: view.contact_allowed,
            accepted_notices: view.accepted_notices.clone(),
            pending_deletion: view.pending_deletion.clone(),
        }
    }
}

/// The differences from `before` to `after`, in a fixed order: on/off first,
/// then notices (in `after`'s order), the contact preference, the deletion.
/// Empty when the states are the same.
pub fn state_changes(before: &ProgramState, after: &ProgramState) -> Vec<StateChange> {
    let mut changes = Vec::new();
    let new_opt_out =
        |before: Option<&PendingDeletion>, after: Option<&PendingDeletion>| match (before, after) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(b), Some(a)) => a.requested_at != b.requested_at,
        };
    match (before.enabled, after.enabled) {
        (false, true) => changes.push(StateChange::TurnedOn),
        (true, false) => changes.push(StateChange::TurnedOff),
        (false, false)
            if new_opt_out(
                before.pending_deletion.as_ref(),
                after.pending_deletion.as_ref(),
            ) =>
        {
            changes.push(StateChange::TurnedOnAndOff)
        }
        _ => {}
    }
    changes.extend(
        after
            .accepted_notices
            .iter()
            .filter(|notice| !before.accepted_notices.contains(notice))
            .cloned()
            .map(StateChange::NoticeAccepted),
    );
    if let Some(allowed) = after.contact_allowed {
        // Turning off stops contact and turning on allows it, as a matter of
        // course; only a choice beyond that counts as a change of its own.
        let counts = match (before.enabled, after.enabled) {
            (true, true) => before.contact_allowed != Some(allowed),
            (false, true) => !allowed,
            _ => false,
        };
        if counts {
            changes.push(StateChange::ContactChanged { allowed });
        }
    }
    if !before.enabled
        && !after.enabled
        && before.pending_deletion.is_some()
        && after.pending_deletion.is_none()
    {
        changes.push(StateChange::DeletionCompleted);
    }
    changes
}

/// What someone else changed in one program between two reads of the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramChanges {
    pub program: ProgramId,
    /// Who changed it last, if known.
    pub by: Option<ActorRef>,
    /// When it was changed last, if known.
    pub at: Option<Timestamp>,
    /// Never empty.
    pub changes: Vec<StateChange>,
}

/// The programs that changed from `base` (what the page knew) to `current`
/// (what the server holds now), in `current`'s order.
///
/// A program whose state looks the same but which was changed in between
/// (its last change is newer) is reported as [`StateChange::ChangedBack`].
pub fn document_changes(
    base: &DataSharingDocument,
    current: &DataSharingDocument,
) -> Vec<ProgramChanges> {
    current
        .programs
        .iter()
        .filter_map(|now| {
            let was = base.program(now.id)?;
            let mut changes = state_changes(&was.into(), &now.into());
            if changes.is_empty() && now.updated_at.is_some() && now.updated_at != was.updated_at {
                changes.push(StateChange::ChangedBack);
            }
            (!changes.is_empty()).then(|| ProgramChanges {
                program: now.id,
                by: now.updated_by.clone(),
                at: now.updated_at,
                changes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
