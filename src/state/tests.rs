use consent_core::{pending_deletion, ProgramId, ProgramView, Timestamp};

use super::ProgramStatus;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn program(enabled: bool, eligible: bool, reconsent: bool, opted_out: Option<&str>) -> ProgramView {
    ProgramView {
        id: ProgramId::Copilot,
        enabled,
        eligible,
        ineligible_reason: None,
        contact_allowed: None,
        notices: Vec::new(),
        accepted_notices: Vec::new(),
        reconsent_required: reconsent,
        updated_at: None,
        updated_by: None,
        pending_deletion: opted_out.map(|t| pending_deletion(ProgramId::Copilot, at(t))),
    }
}

// Guards the words of every row state, including when a pending deletion stops showing.
#[test]
fn status_of_a_program() {
    let now = at("2026-11-21T09:30:00Z");
    let cases = [
        (program(false, true, false, None), ProgramStatus::Off),
        (program(true, true, false, None), ProgramStatus::On),
        (
            program(false, false, false, None),
            ProgramStatus::Unavailable,
        ),
        (
            program(true, false, false, None),
            ProgramStatus::Unavailable,
        ),
        (
            program(true, true, true, None),
            ProgramStatus::ReacceptanceNeeded,
        ),
        (
            program(false, true, false, Some("2026-11-20T09:30:00Z")),
            ProgramStatus::DeletionPending {
                due_by: at("2026-12-20T09:30:00Z"),
            },
        ),
        // Turned off by the service when the tenant left the US: the row
        // shows the deletion still pending, not only that it is unavailable.
        (
            program(false, false, false, Some("2026-11-20T09:30:00Z")),
            ProgramStatus::DeletionPending {
                due_by: at("2026-12-20T09:30:00Z"),
            },
        ),
        // Once that deletion is done, it is simply unavailable.
        (
            program(false, false, false, Some("2026-10-01T00:00:00Z")),
            ProgramStatus::Unavailable,
        ),
        // The deadline has passed: plain "Off" again.
        (
            program(false, true, false, Some("2026-10-01T00:00:00Z")),
            ProgramStatus::Off,
        ),
        // Turned on again after an opt-out: the old deadline no longer matters.
        (
            program(true, true, false, Some("2026-11-20T09:30:00Z")),
            ProgramStatus::On,
        ),
    ];
    for (view, expected) in cases {
        assert_eq!(ProgramStatus::of(&view, now), expected, "{view:?}");
    }
}
