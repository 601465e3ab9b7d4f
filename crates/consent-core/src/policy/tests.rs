use super::*;
use crate::notice::NoticeVersion;
use crate::rules::view;

const NOW: &str = "2026-11-21T09:30:00Z";

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn n(id: &str, version: u32) -> NoticeRef {
    NoticeRef {
        id: id.into(),
        version,
        sha256: format!("{id}-h{version}"),
    }
}

fn notice_ids(program: ProgramId) -> &'static [&'static str] {
    program.required_notices()
}

/// A standing written out by hand: on or off, eligible or not, the stored
/// acceptances at version 1 and the current versions at `current`.
fn standing(
    program: ProgramId,
    enabled: bool,
    eligible: bool,
    current: u32,
    contact: Option<bool>,
) -> Standing {
    let ids = notice_ids(program);
    Standing {
        program,
        enabled,
        contact_allowed: contact,
        eligibility: if eligible {
            Ok(())
        } else {
            Err(IneligibleReason::RegionNotSupported)
        },
        notices: ids.iter().map(|id| n(id, current)).collect(),
        accepted: if enabled {
            ids.iter().map(|id| n(id, 1)).collect()
        } else {
            Vec::new()
        },
        // Version 2 here is always a material change.
        unaccepted: if enabled && current == 1 {
            Vec::new()
        } else {
            ids.iter().map(|id| id.to_string()).collect()
        },
        pending_deletion: None,
    }
}

fn proposal(
    program: ProgramId,
    enabled: bool,
    accept: Option<u32>,
    contact: Option<bool>,
) -> Proposal {
    Proposal {
        enabled,
        contact_allowed: contact,
        accepts: accept
            .map(|v| notice_ids(program).iter().map(|id| n(id, v)).collect())
            .unwrap_or_default(),
    }
}

// Guards every answer the page and the server take from the one function:
// refusals, what is recorded, the contact default and how acceptance is asked.
#[test]
fn what_a_change_may_do() {
    use ConsentAction::*;
    use ProgramId::*;
    struct Case {
        name: &'static str,
        standing: Standing,
        proposal: Proposal,
        refusal: Option<Refusal>,
        action: Option<ConsentAction>,
        contact: Option<bool>,
        ask: AcceptanceAsk,
        only_off: bool,
    }
    let missing = |id: &str| Some(Refusal::NoticeMissing(id.into()));
    let cases = [
        Case {
            name: "copilot opt in, US",
            standing: standing(Copilot, false, true, 1, None),
            proposal: proposal(Copilot, true, Some(1), None),
            refusal: None,
            action: Some(OptedIn),
            contact: None,
            ask: AcceptanceAsk::SavingAccepts,
            only_off: false,
        },
        Case {
            name: "copilot opt in without the notice",
            standing: standing(Copilot, false, true, 1, None),
            proposal: proposal(Copilot, true, None, None),
            refusal: missing("copilot-data-sharing"),
            action: Some(OptedIn),
            contact: None,
            ask: AcceptanceAsk::SavingAccepts,
            only_off: false,
        },
        Case {
            name: "copilot opt in outside the US",
            standing: standing(Copilot, false, false, 1, None),
            proposal: proposal(Copilot, true, Some(1), None),
            refusal: Some(Refusal::RegionIneligible),
            action: Some(OptedIn),
            contact: None,
            ask: AcceptanceAsk::None,
            only_off: false,
        },
        Case {
            name: "copilot on, moved region, re-acceptance pending: ticking is refused",
            standing: standing(Copilot, true, false, 2, None),
            proposal: proposal(Copilot, true, Some(2), None),
            refusal: Some(Refusal::RegionIneligible),
            action: Some(NoticesAccepted),
            contact: None,
            ask: AcceptanceAsk::None,
            only_off: true,
        },
        Case {
            name: "copilot on, moved region, re-acceptance pending: turning off is allowed",
            standing: standing(Copilot, true, false, 2, None),
            proposal: proposal(Copilot, false, None, None),
            refusal: None,
            action: Some(OptedOut),
            contact: None,
            ask: AcceptanceAsk::None,
            only_off: true,
        },
        Case {
            name: "copilot on, moved region, untouched",
            standing: standing(Copilot, true, false, 1, None),
            proposal: proposal(Copilot, true, None, None),
            refusal: Some(Refusal::RegionIneligible),
            action: None,
            contact: None,
            ask: AcceptanceAsk::None,
            only_off: true,
        },
        Case {
            name: "copilot re-acceptance in the US",
            standing: standing(Copilot, true, true, 2, None),
            proposal: proposal(Copilot, true, Some(2), None),
            refusal: None,
            action: Some(NoticesAccepted),
            contact: None,
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "copilot re-acceptance not given: nothing to record, and not allowed",
            standing: standing(Copilot, true, true, 2, None),
            proposal: proposal(Copilot, true, None, None),
            refusal: missing("copilot-data-sharing"),
            action: None,
            contact: None,
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "copilot accepting an old version",
            standing: standing(Copilot, true, true, 2, None),
            proposal: proposal(Copilot, true, Some(1), None),
            refusal: Some(Refusal::NoticeOutdated("copilot-data-sharing".into())),
            action: None,
            contact: None,
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "copilot has no contact preference",
            standing: standing(Copilot, true, true, 1, None),
            proposal: proposal(Copilot, true, None, Some(false)),
            refusal: Some(Refusal::ContactNotApplicable),
            action: None,
            contact: None,
            ask: AcceptanceAsk::None,
            only_off: false,
        },
        Case {
            name: "marketing opt in asks for the box, contact on by default",
            standing: standing(Marketing, false, true, 1, Some(false)),
            proposal: proposal(Marketing, true, Some(1), None),
            refusal: None,
            action: Some(OptedIn),
            contact: Some(true),
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "marketing opt in without contact",
            standing: standing(Marketing, false, true, 1, Some(false)),
            proposal: proposal(Marketing, true, Some(1), Some(false)),
            refusal: None,
            action: Some(OptedIn),
            contact: Some(false),
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "marketing opt out stops contact",
            standing: standing(Marketing, true, true, 1, Some(true)),
            proposal: proposal(Marketing, false, None, None),
            refusal: None,
            action: Some(OptedOut),
            contact: Some(false),
            ask: AcceptanceAsk::None,
            only_off: false,
        },
        Case {
            name: "marketing contact while turning off",
            standing: standing(Marketing, true, true, 1, Some(true)),
            proposal: proposal(Marketing, false, None, Some(true)),
            refusal: Some(Refusal::ContactWhileOff),
            action: Some(OptedOut),
            contact: Some(false),
            ask: AcceptanceAsk::None,
            only_off: false,
        },
        Case {
            name: "marketing stop contact while re-acceptance pending",
            standing: standing(Marketing, true, true, 2, Some(true)),
            proposal: proposal(Marketing, true, None, Some(false)),
            refusal: None,
            action: Some(ContactChanged),
            contact: Some(false),
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "marketing allow contact again while re-acceptance pending",
            standing: standing(Marketing, true, true, 2, Some(false)),
            proposal: proposal(Marketing, true, None, Some(true)),
            refusal: missing("marketing-human-review"),
            action: Some(ContactChanged),
            contact: Some(true),
            ask: AcceptanceAsk::TickBox,
            only_off: false,
        },
        Case {
            name: "marketing contact as saved: nothing to record",
            standing: standing(Marketing, true, true, 1, Some(true)),
            proposal: proposal(Marketing, true, None, Some(true)),
            refusal: None,
            action: None,
            contact: Some(true),
            ask: AcceptanceAsk::None,
            only_off: false,
        },
        Case {
            name: "marketing off stays off: nothing to record",
            standing: standing(Marketing, false, true, 1, Some(false)),
            proposal: proposal(Marketing, false, None, None),
            refusal: None,
            action: None,
            contact: Some(false),
            ask: AcceptanceAsk::None,
            only_off: false,
        },
    ];
    for case in cases {
        let got = evaluate(&case.standing, &case.proposal, at(NOW));
        assert_eq!(got.refusal, case.refusal, "{}: refusal", case.name);
        assert_eq!(got.action, case.action, "{}: action", case.name);
        assert_eq!(got.contact_allowed, case.contact, "{}: contact", case.name);
        assert_eq!(got.ask, case.ask, "{}: ask", case.name);
        assert_eq!(
            got.only_turning_off, case.only_off,
            "{}: only off",
            case.name
        );
    }
}

// Guards the deletion clock and when a pending deletion is shown.
#[test]
fn deletion_starts_ends_and_shows_while_pending() {
    let opted_out = at("2026-11-01T00:00:00Z");
    let deadlines = pending_deletion(ProgramId::Copilot, opted_out);
    let due_by = deadlines.due_by;
    let mut off = standing(ProgramId::Copilot, false, true, 1, None);
    off.pending_deletion = Some(deadlines.clone());
    let on = standing(ProgramId::Copilot, true, true, 1, None);
    let stay_off = proposal(ProgramId::Copilot, false, None, None);
    let opt_in = proposal(ProgramId::Copilot, true, Some(1), None);
    let opt_out = proposal(ProgramId::Copilot, false, None, None);

    let cases = [
        (
            "off, before the deadline",
            &off,
            &stay_off,
            NOW,
            DeletionChange::Unchanged,
            true,
        ),
        (
            "off, the deadline passed",
            &off,
            &stay_off,
            "2026-12-01T00:00:01Z",
            DeletionChange::Unchanged,
            false,
        ),
        (
            "opting in ends it",
            &off,
            &opt_in,
            NOW,
            DeletionChange::Ends,
            true,
        ),
        (
            "opting out starts it",
            &on,
            &opt_out,
            NOW,
            DeletionChange::Starts(pending_deletion(ProgramId::Copilot, at(NOW))),
            false,
        ),
    ];
    for (name, standing, proposal, now, deletion, shown) in cases {
        let got = evaluate(standing, proposal, at(now));
        assert_eq!(got.deletion, deletion, "{name}");
        assert_eq!(got.deletion_pending.is_some(), shown, "{name}");
    }
    // 1 November + 30 days, worked out by hand.
    assert_eq!(due_by, at("2026-12-01T00:00:00Z"));
}

fn version(id: &str, version: u32, material: bool) -> NoticeVersion {
    NoticeVersion {
        id: id.into(),
        version,
        sha256: format!("{id}-h{version}"),
        material_change: material,
    }
}

// Guards that the page and the server cannot disagree: for every stored
// state the page can show, and every change the page can propose (all
// current notices accepted, or none), the standing read from the view the
// server sends gives the server's own answer.
#[test]
fn the_view_and_the_record_give_the_same_answer() {
    let now = at(NOW);
    for program in ProgramId::ALL {
        let ids = notice_ids(program);
        for material in [true, false] {
            let history: Vec<NoticeVersion> = ids
                .iter()
                .flat_map(|id| [version(id, 1, true), version(id, 2, material)])
                .collect();
            let current: Vec<NoticeVersion> =
                ids.iter().map(|id| version(id, 2, material)).collect();
            let notices = NoticeSet {
                current: &current,
                history: &history,
            };
            for region in [Region::new("US"), Region::new("EU")] {
                for enabled in [false, true] {
                    for accepted_version in [None, Some(1), Some(2)] {
                        for contact in [false, true] {
                            let record = ProgramRecord {
                                enabled,
                                contact_allowed: program
                                    .has_contact_preference()
                                    .then_some(contact && enabled),
                                accepted_notices: accepted_version
                                    .map(|v| ids.iter().map(|id| n(id, v)).collect())
                                    .unwrap_or_default(),
                                ..ProgramRecord::initial(program)
                            };
                            let page = Standing::of_view(&view(&record, &region, notices, now));
                            let server = Standing::of_record(&record, &region, notices);
                            for on in [false, true] {
                                for accepts in [None, Some(2)] {
                                    for contact in [None, Some(false), Some(true)] {
                                        let contact = contact
                                            .filter(|_| on && program.has_contact_preference());
                                        let p = proposal(program, on, accepts, contact);
                                        let (a, b) =
                                            (evaluate(&page, &p, now), evaluate(&server, &p, now));
                                        // Off, the view cannot tell an older acceptance that
                                        // still holds; the page always accepts when turning on.
                                        if !enabled && on && accepts.is_none() {
                                            continue;
                                        }
                                        let case = format!(
                                            "{program} material={material} {} on={enabled} accepted={accepted_version:?} -> {p:?}",
                                            region.code()
                                        );
                                        assert_eq!(a.refusal, b.refusal, "{case}");
                                        assert_eq!(a.action, b.action, "{case}");
                                        assert_eq!(a.contact_allowed, b.contact_allowed, "{case}");
                                        assert_eq!(
                                            a.only_turning_off, b.only_turning_off,
                                            "{case}"
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
