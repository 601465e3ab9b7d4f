//! The words of the history's "What changed" and "Who" columns.

use consent_core::deletion::Attestation;
use consent_core::ledger::{ChangeReason, DeletionDetail, EventDetail, ProgramState, RegionMove};
use consent_core::rules::ConsentAction;
use consent_core::{pending_deletion, Actor, ConsentEvent, NoticeRef, ProgramId, Role};

use super::table::{change_words, who};
use crate::i18n::{I18n, Language};

fn event(
    action: ConsentAction,
    before: Option<ProgramState>,
    after: Option<ProgramState>,
) -> ConsentEvent {
    ConsentEvent {
        id: "e1".to_owned(),
        at: "2026-11-21T09:30:00Z".parse().unwrap(),
        actor: Actor::consent_service(),
        program: ProgramId::Marketing,
        action,
        before,
        after,
        notices: Vec::new(),
        receipt_id: "r1".to_owned(),
        idempotency_key: None,
        detail: EventDetail::default(),
    }
}

fn state(enabled: bool, contact: bool, accepted: &[NoticeRef], out: bool) -> ProgramState {
    ProgramState {
        enabled,
        contact_allowed: Some(contact),
        accepted_notices: accepted.to_vec(),
        pending_deletion: out.then(|| {
            pending_deletion(
                ProgramId::Marketing,
                "2026-11-01T00:00:00Z".parse().unwrap(),
            )
        }),
    }
}

/// Copilot's state (no contact preference), opted out or not.
fn copilot_state(enabled: bool, out: bool) -> ProgramState {
    ProgramState {
        enabled,
        contact_allowed: None,
        accepted_notices: Vec::new(),
        pending_deletion: out
            .then(|| pending_deletion(ProgramId::Copilot, "2026-11-01T00:00:00Z".parse().unwrap())),
    }
}

/// The service that moved the tenant, as the server records it.
fn provisioner() -> Actor {
    Actor {
        id: "provisioner".to_owned(),
        name: "provisioner".to_owned(),
        roles: Vec::new(),
    }
}

/// The tenant's move from `before` to `after`, as recorded under Copilot.
fn region_changed(before: &str, after: &str, state: Option<ProgramState>) -> ConsentEvent {
    ConsentEvent {
        program: ProgramId::Copilot,
        actor: provisioner(),
        detail: EventDetail {
            region: Some(RegionMove {
                before: before.to_owned(),
                after: after.to_owned(),
            }),
            ..EventDetail::default()
        },
        ..event(ConsentAction::RegionChanged, state.clone(), state)
    }
}

/// A store's attestation of `items` deleted, or (without) its overdue mark.
fn deletion_event(action: ConsentAction, items: Option<u64>) -> ConsentEvent {
    let at: consent_core::Timestamp = "2026-12-21T09:30:00Z".parse().unwrap();
    let state = Some(copilot_state(false, false));
    ConsentEvent {
        program: ProgramId::Copilot,
        detail: EventDetail {
            deletion: Some(DeletionDetail {
                obligation_id: "o1".to_owned(),
                store: "copilot-interactions".to_owned(),
                store_name: "Copilot interaction store".to_owned(),
                opt_out_event_id: "e1".to_owned(),
                due_by: at,
                attestation: items.map(|items_deleted| Attestation {
                    completed_at: at,
                    items_deleted,
                    method: "purge".to_owned(),
                    evidence_ref: "JOB-1".to_owned(),
                    attested_by: "copilot-eraser".to_owned(),
                    attested_at: at,
                    event_id: "e2".to_owned(),
                }),
            }),
            ..EventDetail::default()
        },
        ..event(action, state.clone(), state)
    }
}

/// The opt-out the service made because the tenant left the US.
fn turned_off_by_the_move(
    before: Option<ProgramState>,
    after: Option<ProgramState>,
) -> ConsentEvent {
    ConsentEvent {
        program: ProgramId::Copilot,
        actor: provisioner(),
        detail: EventDetail {
            reason: Some(ChangeReason::RegionIneligible),
            ..EventDetail::default()
        },
        ..event(ConsentAction::OptedOut, before, after)
    }
}

// Guards that every action has words of its own when its states cannot be
// compared: a new action must be added here and to the catalogues (an action
// missing from `action` would fall to the last variant, the former sweep's words).
#[test]
fn every_action_has_words() {
    let h = I18n::of(Language::English);
    for (action, expected) in [
        (ConsentAction::OptedIn, "Turned on"),
        (ConsentAction::OptedOut, "Turned off"),
        (ConsentAction::ContactChanged, "Contact preference changed"),
        (
            ConsentAction::NoticesAccepted,
            "Accepted new notice versions",
        ),
        (
            ConsentAction::DeletionCompleted,
            "Deletion date passed (recorded by the former clock-based sweep)",
        ),
        (ConsentAction::RegionChanged, "Region changed"),
        (
            ConsentAction::DeletionAttested,
            "Deletion confirmed by a data store",
        ),
        (
            ConsentAction::DeletionOverdue,
            "Deletion overdue at a data store",
        ),
    ] {
        // Exhaustive, so that a new action does not compile until it is listed above.
        match action {
            ConsentAction::OptedIn
            | ConsentAction::OptedOut
            | ConsentAction::ContactChanged
            | ConsentAction::NoticesAccepted
            | ConsentAction::DeletionCompleted
            | ConsentAction::RegionChanged
            | ConsentAction::DeletionAttested
            | ConsentAction::DeletionOverdue => {}
        }
        assert_eq!(
            change_words(h, &event(action, None, None)),
            [expected],
            "{action:?}"
        );
    }
}

// Guards the words of the "What changed" column for every kind of event.
#[test]
fn what_changed_in_words() {
    let h = I18n::of(Language::English);
    let nda = NoticeRef {
        id: "marketing-nda".to_owned(),
        version: 2,
        sha256: "abc".to_owned(),
    };
    let accepted = std::slice::from_ref(&nda);
    let cases = [
        (
            event(
                ConsentAction::OptedIn,
                Some(state(false, false, &[], false)),
                Some(state(true, true, accepted, false)),
            ),
            vec![
                "Turned on",
                "Accepted Marketing non-disclosure agreement version 2",
            ],
        ),
        (
            event(
                ConsentAction::OptedOut,
                Some(state(true, true, accepted, false)),
                Some(state(false, false, accepted, true)),
            ),
            vec!["Turned off"],
        ),
        (
            event(
                ConsentAction::ContactChanged,
                Some(state(true, true, accepted, false)),
                Some(state(true, false, accepted, false)),
            ),
            vec!["Contact preference: off"],
        ),
        (
            event(
                ConsentAction::DeletionCompleted,
                Some(state(false, false, accepted, true)),
                Some(state(false, false, accepted, false)),
            ),
            vec!["Deletion date passed (recorded by the former clock-based sweep, not confirmed by the data stores)"],
        ),
        // A store's attestation and an overdue obligation name the store.
        (
            deletion_event(ConsentAction::DeletionAttested, Some(1200)),
            vec!["Deletion confirmed by Copilot interaction store: 1200 items deleted"],
        ),
        (
            deletion_event(ConsentAction::DeletionAttested, Some(1)),
            vec!["Deletion confirmed by Copilot interaction store: 1 item deleted"],
        ),
        (
            deletion_event(ConsentAction::DeletionOverdue, None),
            vec!["Deletion overdue: Copilot interaction store did not confirm it by its date"],
        ),
        // States that cannot be shown: the action says what happened.
        (
            event(ConsentAction::NoticesAccepted, None, None),
            vec!["Accepted new notice versions"],
        ),
        (
            event(ConsentAction::DeletionCompleted, None, None),
            vec!["Deletion date passed (recorded by the former clock-based sweep)"],
        ),
        // The tenant's move, with the state it left unchanged, and without states.
        (
            region_changed("US", "EU", Some(copilot_state(true, false))),
            vec!["Region changed from United States to European Union"],
        ),
        (
            region_changed("EU", "US", None),
            vec!["Region changed from European Union to United States"],
        ),
        // A code the catalogue has no name for is shown as it is.
        (
            region_changed("US", "BR", None),
            vec!["Region changed from United States to BR"],
        ),
        // The service's opt-out after the move says why; without states too.
        (
            turned_off_by_the_move(
                Some(copilot_state(true, false)),
                Some(copilot_state(false, true)),
            ),
            vec![
                "Turned off automatically: your organization moved out of the United States region",
            ],
        ),
        (
            turned_off_by_the_move(None, None),
            vec![
                "Turned off automatically: your organization moved out of the United States region",
            ],
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(change_words(h, &event), expected, "{:?}", event.action);
    }
}

// Guards the German words of the region events.
#[test]
fn region_events_in_german() {
    let h = I18n::of(Language::German);
    assert_eq!(
        change_words(h, &region_changed("US", "EU", None)),
        ["Region gewechselt von Vereinigte Staaten zu Europäische Union"]
    );
    assert_eq!(
        change_words(
            h,
            &turned_off_by_the_move(
                Some(copilot_state(true, false)),
                Some(copilot_state(false, true)),
            )
        ),
        ["Automatisch ausgeschaltet: Ihre Organisation hat die Region Vereinigte Staaten verlassen"]
    );
}

// Guards the "Who" column: the consent service by name, another service by
// its id, a person by name.
#[test]
fn who_made_the_change() {
    let en = I18n::of(Language::English);
    let de = I18n::of(Language::German);
    let person = Actor {
        id: "u-42".to_owned(),
        name: "Ada Admin".to_owned(),
        roles: vec![Role::Admin],
    };
    let renamed_service = Actor {
        name: "Tenant provisioning".to_owned(),
        ..provisioner()
    };
    assert_eq!(who(en, &Actor::consent_service()), "Consent service");
    assert_eq!(who(de, &Actor::consent_service()), "Einwilligungsdienst");
    assert_eq!(who(en, &provisioner()), "provisioner");
    assert_eq!(who(en, &renamed_service), "provisioner");
    assert_eq!(who(en, &person), "Ada Admin");
}
