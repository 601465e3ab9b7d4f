use super::*;
use crate::wire::ChangeRequest;
use crate::Role;

/// (case, program, record, request, us?, admin?, refusal, code)
type RefusalCase = (
    &'static str,
    ProgramId,
    ProgramRecord,
    ChangeRequest,
    bool,
    bool,
    Refusal,
    ErrorCode,
);

/// (case, program, record, request, action, enabled after, contact after)
type ChangeCase = (
    &'static str,
    ProgramId,
    ProgramRecord,
    ChangeRequest,
    Option<ConsentAction>,
    bool,
    Option<bool>,
);

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const NOW: &str = "2026-11-21T09:30:00Z";

fn v(id: &str, version: u32, material: bool) -> NoticeVersion {
    NoticeVersion {
        id: id.into(),
        version,
        sha256: format!("{id}-h{version}"),
        material_change: material,
    }
}

fn accepted(id: &str, version: u32) -> NoticeRef {
    v(id, version, true).reference()
}

struct Fixture {
    current: Vec<NoticeVersion>,
    history: Vec<NoticeVersion>,
    admin: Actor,
    reader: Actor,
    us: Region,
    eu: Region,
}

fn fixture(program: ProgramId) -> Fixture {
    let history = match program {
        ProgramId::Copilot => vec![v("copilot-data-sharing", 1, true)],
        ProgramId::Marketing => vec![
            v("marketing-human-review", 1, true),
            v("marketing-nda", 1, true),
        ],
    };
    Fixture {
        current: history.clone(),
        history,
        admin: Actor {
            id: "u1".into(),
            name: "Ada Admin".into(),
            roles: vec![Role::Admin],
        },
        reader: Actor {
            id: "u2".into(),
            name: "Rita Reader".into(),
            roles: vec![Role::Reader],
        },
        us: Region::new("US"),
        eu: Region::new("EU"),
    }
}

impl Fixture {
    fn ctx<'a>(&'a self, region: &'a Region, actor: &'a Actor) -> ChangeContext<'a> {
        ChangeContext {
            region,
            notices: NoticeSet {
                current: &self.current,
                history: &self.history,
            },
            actor,
            now: at(NOW),
        }
    }
}

fn req(enabled: bool, accept: &[NoticeRef], contact: Option<bool>) -> ChangeRequest {
    ChangeRequest {
        enabled,
        accept_notices: accept.iter().cloned().map(Into::into).collect(),
        contact_allowed: contact,
    }
}

fn on(program: ProgramId) -> ProgramRecord {
    let mut r = ProgramRecord::initial(program);
    r.enabled = true;
    r.accepted_notices = fixture(program)
        .current
        .iter()
        .map(NoticeVersion::reference)
        .collect();
    r.contact_allowed = program.has_contact_preference().then_some(true);
    r
}

// Guards the region gate: Copilot only for US tenants, Marketing everywhere.
#[test]
fn eligibility_by_program_and_region() {
    for (program, region, ok) in [
        (ProgramId::Copilot, "US", true),
        (ProgramId::Copilot, "EU", false),
        (ProgramId::Copilot, "UK", false),
        (ProgramId::Marketing, "US", true),
        (ProgramId::Marketing, "EU", true),
    ] {
        let got = eligibility(program, &Region::new(region));
        assert_eq!(got.is_ok(), ok, "{program} in {region}");
        if !ok {
            assert_eq!(got, Err(IneligibleReason::RegionNotSupported));
        }
    }
}

// Guards the default: a program nobody touched is off and shares nothing.
#[test]
fn programs_start_off() {
    for program in ProgramId::ALL {
        let f = fixture(program);
        let r = ProgramRecord::initial(program);
        assert!(!r.enabled);
        assert!(!is_sharing(
            &r,
            &f.us,
            NoticeSet {
                current: &f.current,
                history: &f.history
            }
        ));
    }
}

// Guards every refusal: each forbidden request is refused with its reason and code.
#[test]
fn forbidden_changes_are_refused() {
    let c = ProgramId::Copilot;
    let m = ProgramId::Marketing;
    let cases: Vec<RefusalCase> = vec![
        // (case, program, record, request, us?, admin?, refusal, code)
        (
            "reader opts in",
            c,
            ProgramRecord::initial(c),
            req(true, &[accepted("copilot-data-sharing", 1)], None),
            true,
            false,
            Refusal::NotAnAdmin,
            ErrorCode::Forbidden,
        ),
        (
            "reader opts out",
            c,
            on(c),
            req(false, &[], None),
            true,
            false,
            Refusal::NotAnAdmin,
            ErrorCode::Forbidden,
        ),
        (
            "copilot in EU",
            c,
            ProgramRecord::initial(c),
            req(true, &[accepted("copilot-data-sharing", 1)], None),
            false,
            true,
            Refusal::RegionIneligible,
            ErrorCode::RegionIneligible,
        ),
        (
            "copilot without notice",
            c,
            ProgramRecord::initial(c),
            req(true, &[], None),
            true,
            true,
            Refusal::NoticeMissing("copilot-data-sharing".into()),
            ErrorCode::NoticeNotAccepted,
        ),
        (
            "copilot contact",
            c,
            on(c),
            req(true, &[], Some(true)),
            true,
            true,
            Refusal::ContactNotApplicable,
            ErrorCode::ContactNotApplicable,
        ),
        (
            "marketing only notice, no nda",
            m,
            ProgramRecord::initial(m),
            req(true, &[accepted("marketing-human-review", 1)], None),
            true,
            true,
            Refusal::NoticeMissing("marketing-nda".into()),
            ErrorCode::NoticeNotAccepted,
        ),
        (
            "marketing wrong hash",
            m,
            ProgramRecord::initial(m),
            req(
                true,
                &[
                    accepted("marketing-human-review", 1),
                    NoticeRef {
                        id: "marketing-nda".into(),
                        version: 1,
                        sha256: "forged".into(),
                    },
                ],
                None,
            ),
            true,
            true,
            Refusal::NoticeOutdated("marketing-nda".into()),
            ErrorCode::NoticeNotAccepted,
        ),
        (
            "marketing wrong version",
            m,
            ProgramRecord::initial(m),
            req(
                true,
                &[
                    accepted("marketing-human-review", 2),
                    accepted("marketing-nda", 1),
                ],
                None,
            ),
            true,
            true,
            Refusal::NoticeOutdated("marketing-human-review".into()),
            ErrorCode::NoticeNotAccepted,
        ),
        (
            "notice of another program",
            m,
            ProgramRecord::initial(m),
            req(true, &[accepted("copilot-data-sharing", 1)], None),
            true,
            true,
            Refusal::UnknownNotice("copilot-data-sharing".into()),
            ErrorCode::NotFound,
        ),
        (
            "contact while staying off",
            m,
            ProgramRecord::initial(m),
            req(false, &[], Some(true)),
            true,
            true,
            Refusal::ContactWhileOff,
            ErrorCode::ContactNotApplicable,
        ),
    ];
    for (case, program, record, request, us, admin, refusal, code) in cases {
        let f = fixture(program);
        let region = if us { &f.us } else { &f.eu };
        let actor = if admin { &f.admin } else { &f.reader };
        let got = decide_change(&record, &request, f.ctx(region, actor));
        assert_eq!(got, Err(refusal.clone()), "{case}");
        assert_eq!(refusal.code(), code, "{case}");
    }
}

// Guards each allowed transition: the action recorded and the state stored.
#[test]
fn allowed_changes_record_one_action() {
    let c = ProgramId::Copilot;
    let m = ProgramId::Marketing;
    let both = [
        accepted("marketing-human-review", 1),
        accepted("marketing-nda", 1),
    ];
    let cases: Vec<ChangeCase> = vec![
        // (case, program, record, request, action, enabled after, contact after)
        (
            "copilot opt in",
            c,
            ProgramRecord::initial(c),
            req(true, &[accepted("copilot-data-sharing", 1)], None),
            Some(ConsentAction::OptedIn),
            true,
            None,
        ),
        (
            "copilot opt out",
            c,
            on(c),
            req(false, &[], None),
            Some(ConsentAction::OptedOut),
            false,
            None,
        ),
        (
            "copilot off again",
            c,
            ProgramRecord::initial(c),
            req(false, &[], None),
            None,
            false,
            None,
        ),
        (
            "copilot on again",
            c,
            on(c),
            req(true, &[], None),
            None,
            true,
            None,
        ),
        (
            "marketing opt in, contact on by default",
            m,
            ProgramRecord::initial(m),
            req(true, &both, None),
            Some(ConsentAction::OptedIn),
            true,
            Some(true),
        ),
        (
            "marketing opt in without contact",
            m,
            ProgramRecord::initial(m),
            req(true, &both, Some(false)),
            Some(ConsentAction::OptedIn),
            true,
            Some(false),
        ),
        (
            "marketing stop contact",
            m,
            on(m),
            req(true, &[], Some(false)),
            Some(ConsentAction::ContactChanged),
            true,
            Some(false),
        ),
        (
            "marketing same contact",
            m,
            on(m),
            req(true, &[], Some(true)),
            None,
            true,
            Some(true),
        ),
        (
            "marketing opt out stops contact",
            m,
            on(m),
            req(false, &[], None),
            Some(ConsentAction::OptedOut),
            false,
            Some(false),
        ),
        (
            "marketing accept while off",
            m,
            ProgramRecord::initial(m),
            req(false, &both, None),
            Some(ConsentAction::NoticesAccepted),
            false,
            Some(false),
        ),
        (
            "eu tenant may opt out of copilot",
            c,
            on(c),
            req(false, &[], None),
            Some(ConsentAction::OptedOut),
            false,
            None,
        ),
    ];
    for (case, program, record, request, action, enabled, contact) in cases {
        let f = fixture(program);
        let region = if case.starts_with("eu") { &f.eu } else { &f.us };
        let d = decide_change(&record, &request, f.ctx(region, &f.admin))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(d.action, action, "{case}");
        assert_eq!(d.after.enabled, enabled, "{case}");
        assert_eq!(d.after.contact_allowed, contact, "{case}");
        if action.is_some() {
            assert_eq!(d.after.updated_at, Some(at(NOW)), "{case}");
            assert_eq!(
                d.after.updated_by.as_ref().map(|a| a.name.as_str()),
                Some("Ada Admin"),
                "{case}"
            );
        } else {
            assert_eq!(d.after, record, "{case}: a no-op stores nothing new");
        }
    }
}

// Guards the deletion clock: opting out starts it, opting back in clears it.
#[test]
fn opt_out_starts_the_deletion_clock() {
    for program in ProgramId::ALL {
        let f = fixture(program);
        let out =
            decide_change(&on(program), &req(false, &[], None), f.ctx(&f.us, &f.admin)).unwrap();
        let pending = out
            .after
            .pending_deletion
            .clone()
            .expect("deletion pending after opt-out");
        assert_eq!(pending.due_by, at("2026-12-21T09:30:00Z"));
        assert_eq!(
            pending.schema_due_by.is_some(),
            program == ProgramId::Marketing
        );
        let view = view(
            &out.after,
            &f.us,
            NoticeSet {
                current: &f.current,
                history: &f.history,
            },
            at(NOW),
        );
        assert!(view.pending_deletion.is_some(), "shown while pending");
        let later = view_at(&out.after, &f, "2026-12-22T00:00:00Z");
        assert!(
            later.pending_deletion.is_none(),
            "gone once the deadline passed"
        );

        let accept: Vec<NoticeRef> = f.current.iter().map(NoticeVersion::reference).collect();
        let back = decide_change(
            &out.after,
            &req(true, &accept, None),
            f.ctx(&f.us, &f.admin),
        )
        .unwrap();
        assert_eq!(back.action, Some(ConsentAction::OptedIn));
        assert!(back.after.pending_deletion.is_none());
    }
}

fn notices(f: &Fixture) -> NoticeSet<'_> {
    NoticeSet {
        current: &f.current,
        history: &f.history,
    }
}

fn view_at(record: &ProgramRecord, f: &Fixture, now: &str) -> ProgramView {
    view(
        record,
        &f.us,
        NoticeSet {
            current: &f.current,
            history: &f.history,
        },
        at(now),
    )
}

// Guards re-consent: a material new version requires re-acceptance and pauses sharing; a typo fix does not.
#[test]
fn material_notice_change_requires_reacceptance() {
    let program = ProgramId::Copilot;
    let mut f = fixture(program);
    let record = on(program);
    assert!(!view_at(&record, &f, NOW).reconsent_required);

    // A typo fix (v2, not material): nothing to do.
    f.history.push(v("copilot-data-sharing", 2, false));
    f.current = vec![v("copilot-data-sharing", 2, false)];
    assert!(!view_at(&record, &f, NOW).reconsent_required);
    assert!(is_sharing(&record, &f.us, notices(&f)));
    let d = decide_change(&on(program), &req(false, &[], None), f.ctx(&f.us, &f.admin)).unwrap();
    assert_eq!(d.action, Some(ConsentAction::OptedOut));

    // A material change (v3): re-acceptance required, sharing paused, the choice stays on.
    f.history.push(v("copilot-data-sharing", 3, true));
    f.current = vec![v("copilot-data-sharing", 3, true)];
    let view = view_at(&record, &f, NOW);
    assert!(view.reconsent_required && view.enabled);
    assert!(!is_sharing(&record, &f.us, notices(&f)));
    // Staying on without accepting is refused; accepting clears it.
    assert_eq!(
        decide_change(&record, &req(true, &[], None), f.ctx(&f.us, &f.admin)),
        Err(Refusal::NoticeMissing("copilot-data-sharing".into()))
    );
    let d = decide_change(
        &record,
        &req(true, &[accepted("copilot-data-sharing", 3)], None),
        f.ctx(&f.us, &f.admin),
    )
    .unwrap();
    assert_eq!(d.action, Some(ConsentAction::NoticesAccepted));
    assert!(!view_at(&d.after, &f, NOW).reconsent_required);
    assert!(is_sharing(&d.after, &f.us, notices(&f)));
}

// Guards which notices an admin is asked to (re-)accept: never accepted, or changed materially since.
#[test]
fn pending_acceptances_name_the_notices_to_accept() {
    let history = [
        v("marketing-human-review", 1, true),
        v("marketing-human-review", 2, false),
        v("marketing-human-review", 3, true),
        v("marketing-nda", 1, true),
        v("marketing-nda", 2, false),
    ];
    let current = [
        v("marketing-human-review", 3, true),
        v("marketing-nda", 2, false),
    ];
    let set = NoticeSet {
        current: &current,
        history: &history,
    };
    let cases: [(&str, Vec<NoticeRef>, Vec<&str>); 6] = [
        (
            "nothing accepted",
            vec![],
            vec!["marketing-human-review", "marketing-nda"],
        ),
        (
            "both current",
            vec![
                accepted("marketing-human-review", 3),
                accepted("marketing-nda", 2),
            ],
            vec![],
        ),
        (
            "nda accepted before its typo fix",
            vec![
                accepted("marketing-human-review", 3),
                accepted("marketing-nda", 1),
            ],
            vec![],
        ),
        (
            "notice accepted before its material change",
            vec![
                accepted("marketing-human-review", 2),
                accepted("marketing-nda", 1),
            ],
            vec!["marketing-human-review"],
        ),
        (
            "only the nda",
            vec![accepted("marketing-nda", 2)],
            vec!["marketing-human-review"],
        ),
        (
            "a forged hash counts for nothing",
            vec![
                NoticeRef {
                    id: "marketing-human-review".into(),
                    version: 3,
                    sha256: "forged".into(),
                },
                accepted("marketing-nda", 2),
            ],
            vec!["marketing-human-review"],
        ),
    ];
    for (case, accepted, pending) in cases {
        let got: Vec<&str> = set
            .pending_acceptances(&accepted)
            .iter()
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(got, pending, "{case}");
    }
}

// Guards when a change needs the current notices accepted: turning on and
// staying on do; stopping vendor contact and turning off never do.
#[test]
fn which_changes_need_the_current_notices() {
    let cases = [
        // (enabled before, contact before, request, needs the notices)
        (false, None, req(true, &[], None), true),
        (false, Some(false), req(true, &[], Some(true)), true),
        (false, Some(false), req(true, &[], Some(false)), true),
        (true, None, req(true, &[], None), true),
        (true, Some(true), req(true, &[], None), true),
        (true, Some(true), req(true, &[], Some(true)), true),
        (true, Some(false), req(true, &[], Some(true)), true),
        (true, Some(false), req(true, &[], Some(false)), true),
        (true, Some(true), req(true, &[], Some(false)), false),
        (true, Some(true), req(false, &[], None), false),
        (false, None, req(false, &[], None), false),
    ];
    for (enabled, contact, request, needs) in cases {
        assert_eq!(
            change_needs_current_notices(enabled, contact, &request),
            needs,
            "before: on={enabled} contact={contact:?}; request {request:?}"
        );
    }
}

// Guards re-consent for Marketing: while a changed notice waits, the admin can
// stop contact or turn the program off, but widening anything needs the new version.
#[test]
fn marketing_while_reacceptance_is_pending() {
    let program = ProgramId::Marketing;
    let mut f = fixture(program);
    f.history.push(v("marketing-human-review", 2, true));
    f.current = vec![
        v("marketing-human-review", 2, true),
        v("marketing-nda", 1, true),
    ];
    let record = on(program);
    let view = view_at(&record, &f, NOW);
    assert!(view.enabled && view.reconsent_required);
    assert!(!is_sharing(&record, &f.us, notices(&f)));

    let stop_contact = decide_change(
        &record,
        &req(true, &[], Some(false)),
        f.ctx(&f.us, &f.admin),
    )
    .unwrap();
    assert_eq!(stop_contact.action, Some(ConsentAction::ContactChanged));
    assert_eq!(stop_contact.after.contact_allowed, Some(false));
    assert!(
        view_at(&stop_contact.after, &f, NOW).reconsent_required,
        "stopping contact accepts nothing"
    );

    assert_eq!(
        decide_change(
            &stop_contact.after,
            &req(true, &[], Some(true)),
            f.ctx(&f.us, &f.admin)
        ),
        Err(Refusal::NoticeMissing("marketing-human-review".into())),
        "allowing contact again needs the new wording"
    );
    assert_eq!(
        decide_change(
            &record,
            &req(true, &[accepted("marketing-human-review", 1)], None),
            f.ctx(&f.us, &f.admin)
        ),
        Err(Refusal::NoticeOutdated("marketing-human-review".into())),
        "re-accepting the old version is not accepting"
    );

    let off = decide_change(&record, &req(false, &[], None), f.ctx(&f.us, &f.admin)).unwrap();
    assert_eq!(off.action, Some(ConsentAction::OptedOut));

    let accept = decide_change(
        &record,
        &req(true, &[accepted("marketing-human-review", 2)], Some(true)),
        f.ctx(&f.us, &f.admin),
    )
    .unwrap();
    assert_eq!(accept.action, Some(ConsentAction::NoticesAccepted));
    assert!(!view_at(&accept.after, &f, NOW).reconsent_required);
    assert!(is_sharing(&accept.after, &f.us, notices(&f)));
    assert_eq!(
        accept.after.accepted_notices,
        vec![
            accepted("marketing-human-review", 2),
            accepted("marketing-nda", 1)
        ]
    );
}

// Guards the view of an ineligible tenant: shown, off, with the reason.
#[test]
fn ineligible_view_carries_the_reason() {
    let f = fixture(ProgramId::Copilot);
    let view = view(
        &ProgramRecord::initial(ProgramId::Copilot),
        &f.eu,
        NoticeSet {
            current: &f.current,
            history: &f.history,
        },
        at(NOW),
    );
    assert!(!view.eligible && !view.enabled);
    assert_eq!(
        view.ineligible_reason,
        Some(IneligibleReason::RegionNotSupported)
    );
    assert_eq!(view.notices, vec![accepted("copilot-data-sharing", 1)]);
}

// Guards when the service records a completed deletion: at the deadline, not before, and only once.
#[test]
fn deletion_completes_at_the_deadline() {
    let opted_out = at(NOW);
    let mut record = ProgramRecord::initial(ProgramId::Marketing);
    record.updated_at = Some(opted_out);
    record.pending_deletion = Some(crate::pending_deletion(ProgramId::Marketing, opted_out));
    let day = chrono::Duration::days(1);
    let second = chrono::Duration::seconds(1);
    let cases = [
        (opted_out, false),
        (opted_out + day * 30 - second, false),
        (opted_out + day * 30, true),
        (opted_out + day * 400, true),
    ];
    for (now, due) in cases {
        let completed = complete_deletion(&record, now);
        assert_eq!(completed.is_some(), due, "at {now}");
        if let Some(after) = completed {
            assert_eq!(after.pending_deletion, None);
            assert_eq!(
                ProgramRecord {
                    pending_deletion: record.pending_deletion.clone(),
                    ..after.clone()
                },
                record
            );
            assert_eq!(complete_deletion(&after, now), None, "nothing is due twice");
        }
    }
    assert_eq!(
        complete_deletion(&ProgramRecord::initial(ProgramId::Copilot), at(NOW)),
        None
    );
}

// Guards the region rule: leaving the US while Copilot is on turns it off
// as an opt-out would (deletion clock started, the service as its actor);
// any other move, or Copilot already off, changes nothing.
#[test]
fn leaving_the_us_turns_copilot_off() {
    let f = fixture(ProgramId::Copilot);
    let service = Actor {
        id: "provisioner".into(),
        name: "provisioner".into(),
        roles: vec![],
    };
    let eu = Region::new("EU");
    let moved = on_region_change(&on(ProgramId::Copilot), &eu, notices(&f), &service, at(NOW))
        .expect("Copilot is turned off");
    assert_eq!(moved.action, Some(ConsentAction::OptedOut));
    assert!(!moved.after.enabled);
    assert_eq!(
        moved.after.pending_deletion.map(|d| d.due_by),
        Some(at("2026-12-21T09:30:00Z"))
    );
    assert_eq!(
        moved.after.updated_by.map(|a| a.id),
        Some("provisioner".into())
    );
    // The choice the admin made stays accepted: only sharing stops.
    assert_eq!(
        moved.after.accepted_notices,
        on(ProgramId::Copilot).accepted_notices
    );

    let untouched = [
        (
            ProgramRecord::initial(ProgramId::Copilot),
            Region::new("EU"),
        ),
        (on(ProgramId::Copilot), Region::new("US")),
    ];
    for (record, region) in untouched {
        assert!(
            on_region_change(&record, &region, notices(&f), &service, at(NOW)).is_none(),
            "{record:?} to {region:?}"
        );
    }
    let m = fixture(ProgramId::Marketing);
    assert!(on_region_change(
        &on(ProgramId::Marketing),
        &eu,
        notices(&m),
        &service,
        at(NOW)
    )
    .is_none());
}
