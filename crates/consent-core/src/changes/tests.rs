use super::*;
use crate::{pending_deletion, Region, Tenant};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn notice(id: &str, version: u32) -> NoticeRef {
    NoticeRef {
        id: id.to_owned(),
        version,
        sha256: format!("{id}-{version}-hash"),
    }
}

fn state(
    enabled: bool,
    contact: Option<bool>,
    accepted: Vec<NoticeRef>,
    opted_out: Option<&str>,
) -> ProgramState {
    ProgramState {
        enabled,
        contact_allowed: contact,
        accepted_notices: accepted,
        pending_deletion: opted_out.map(|t| pending_deletion(ProgramId::Marketing, at(t))),
    }
}

// Guards the words the history and the conflict message are built from: one
// table of before/after states and the changes read from them.
#[test]
fn changes_between_two_states() {
    use StateChange::*;
    let v1 = notice("copilot-data-sharing", 1);
    let v2 = notice("copilot-data-sharing", 2);
    let nda = notice("marketing-nda", 1);
    let out = Some("2026-11-01T10:00:00Z");
    let out_later = Some("2026-11-05T10:00:00Z");
    let cases: Vec<(ProgramState, ProgramState, Vec<StateChange>)> = vec![
        // Nothing changed.
        (
            state(false, None, vec![], None),
            state(false, None, vec![], None),
            vec![],
        ),
        (
            state(true, Some(true), vec![v1.clone()], None),
            state(true, Some(true), vec![v1.clone()], None),
            vec![],
        ),
        // First opt-in accepts the notice with it.
        (
            state(false, None, vec![], None),
            state(true, None, vec![v1.clone()], None),
            vec![TurnedOn, NoticeAccepted(v1.clone())],
        ),
        // Opting in again under a notice accepted earlier ends the deletion clock.
        (
            state(false, None, vec![v1.clone()], out),
            state(true, None, vec![v1.clone()], None),
            vec![TurnedOn],
        ),
        (
            state(true, None, vec![v1.clone()], None),
            state(false, None, vec![v1.clone()], out),
            vec![TurnedOff],
        ),
        // Off, on and off again between two reads: a newer opt-out.
        (
            state(false, None, vec![], None),
            state(false, None, vec![v1.clone()], out),
            vec![TurnedOnAndOff, NoticeAccepted(v1.clone())],
        ),
        (
            state(false, None, vec![v1.clone()], out),
            state(false, None, vec![v1.clone()], out_later),
            vec![TurnedOnAndOff],
        ),
        // A re-acceptance while on.
        (
            state(true, None, vec![v1.clone()], None),
            state(true, None, vec![v2.clone()], None),
            vec![NoticeAccepted(v2.clone())],
        ),
        // Contact preference while on, both ways.
        (
            state(true, Some(true), vec![nda.clone()], None),
            state(true, Some(false), vec![nda.clone()], None),
            vec![ContactChanged { allowed: false }],
        ),
        (
            state(true, Some(false), vec![nda.clone()], None),
            state(true, Some(true), vec![nda.clone()], None),
            vec![ContactChanged { allowed: true }],
        ),
        // Opting in allows contact as a matter of course; declining it is a choice of its own.
        (
            state(false, Some(false), vec![], None),
            state(true, Some(true), vec![nda.clone()], None),
            vec![TurnedOn, NoticeAccepted(nda.clone())],
        ),
        (
            state(false, Some(false), vec![], None),
            state(true, Some(false), vec![nda.clone()], None),
            vec![
                TurnedOn,
                NoticeAccepted(nda.clone()),
                ContactChanged { allowed: false },
            ],
        ),
        // Opting out stops contact as a matter of course.
        (
            state(true, Some(true), vec![nda.clone()], None),
            state(false, Some(false), vec![nda.clone()], out),
            vec![TurnedOff],
        ),
        // The deletion after an opt-out completed.
        (
            state(false, Some(false), vec![nda.clone()], out),
            state(false, Some(false), vec![nda.clone()], None),
            vec![DeletionCompleted],
        ),
    ];
    for (before, after, expected) in cases {
        assert_eq!(
            state_changes(&before, &after),
            expected,
            "{before:?} -> {after:?}"
        );
    }
}

fn view(id: ProgramId, enabled: bool, updated: Option<(&str, &str)>) -> ProgramView {
    let accepted = if enabled {
        vec![notice(id.required_notices()[0], 1)]
    } else {
        Vec::new()
    };
    ProgramView {
        id,
        enabled,
        eligible: true,
        ineligible_reason: None,
        contact_allowed: id.has_contact_preference().then_some(enabled),
        notices: vec![notice(id.required_notices()[0], 1)],
        accepted_notices: accepted,
        reconsent_required: false,
        updated_at: updated.map(|(_, t)| at(t)),
        updated_by: updated.map(|(name, _)| ActorRef {
            id: name.to_lowercase(),
            name: name.to_owned(),
        }),
        pending_deletion: None,
    }
}

fn document(version: i64, programs: Vec<ProgramView>) -> DataSharingDocument {
    DataSharingDocument {
        tenant: Tenant {
            id: "contoso".to_owned(),
            name: "Contoso".to_owned(),
            region: Region::new("US"),
        },
        version,
        can_edit: true,
        programs,
    }
}

// Guards the conflict message's source: only changed programs, with who and when.
#[test]
fn changes_between_two_documents() {
    let ada = Some(("Ada", "2026-11-21T10:42:00Z"));
    let bob = Some(("Bob", "2026-11-21T11:00:00Z"));
    let base = document(
        3,
        vec![
            view(ProgramId::Copilot, false, None),
            view(ProgramId::Marketing, true, ada),
        ],
    );

    // Nothing changed.
    assert_eq!(document_changes(&base, &base), vec![]);

    // Copilot turned on by Ada; Marketing untouched.
    let current = document(
        4,
        vec![
            view(ProgramId::Copilot, true, ada),
            view(ProgramId::Marketing, true, ada),
        ],
    );
    let changes = document_changes(&base, &current);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].program, ProgramId::Copilot);
    assert_eq!(changes[0].by.as_ref().map(|a| a.name.as_str()), Some("Ada"));
    assert_eq!(changes[0].at, Some(at("2026-11-21T10:42:00Z")));
    assert_eq!(
        changes[0].changes,
        vec![
            StateChange::TurnedOn,
            StateChange::NoticeAccepted(notice("copilot-data-sharing", 1))
        ]
    );

    // Marketing changed by Bob and changed back: same state, newer change.
    let current = document(
        6,
        vec![
            view(ProgramId::Copilot, false, None),
            view(ProgramId::Marketing, true, bob),
        ],
    );
    let changes = document_changes(&base, &current);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].program, ProgramId::Marketing);
    assert_eq!(changes[0].changes, vec![StateChange::ChangedBack]);
    assert_eq!(changes[0].by.as_ref().map(|a| a.name.as_str()), Some("Bob"));
}
