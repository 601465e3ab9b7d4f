//! The form both data-sharing panels share: the stored state and the switch
//! first, then the notices to read and accept, Marketing's contact
//! preference, and what the program does; Save and Cancel in the footer,
//! and the questions asked before turning a program off or dropping a change.
//!
//! What Save does is decided by [`SaveController`]; what may be saved, by
//! the consent rules through the draft.

use consent_core::facts::program_facts;
use consent_core::policy::Standing;
use consent_core::{rules, DataSharingDocument, NoticeRef, ProgramId, ProgramView, Region};
use leptos::prelude::*;

use crate::components::focus::focus_by_id;
use crate::components::panel::{
    read_button_id, use_close_panel, AcceptanceBox, ContactSwitch, CurrentState, DataCategories,
    DeletionProgress, NoticeLinks, PanelFooter, PanelHeading, PanelQuestion, ProgramSwitch,
    Propagation, ReconsentBanner, SaveFailure, WhenLoaded,
};
use crate::components::{NoticeReader, SidePanel};
use crate::draft::{use_drafts, Blocked, Draft};
use crate::host::use_host_events;
use crate::i18n::use_i18n;
use crate::notices::{program_notice_versions, use_shown_languages, NoticeVersionsRead};
use crate::routes::{self, use_ids, use_route_base};
use crate::save::{SaveController, Status};
use crate::session::use_session;
use crate::state::{now, use_settings, ProgramStatus};

mod actions;
mod words;

use actions::{PanelActions, PanelFocus};

/// A setting's panel: the stored state and the switch, the documents to
/// read and what the switch needs, then what the program does (`children`);
/// Save and Cancel below.
///
/// The controls hold a draft; nothing changes until Save, and the stored
/// state changes only when the API says so. A failed save keeps the draft,
/// and so does leaving the panel to read something: only Save, Cancel and
/// "Discard change" drop it.
#[component]
pub fn ProgramPanel(
    /// The program this panel changes.
    program: ProgramId,
    /// What the program does, in plain words.
    children: ChildrenFn,
) -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let session = use_session();
    let ids = use_ids();
    let base = use_route_base();
    let close = use_close_panel(program);
    let draft = use_drafts().of(program);
    let host = use_host_events();
    let shown_languages = use_shown_languages();
    let facts = program_facts(program);

    let slug = program.as_str();
    let title_id = ids.id("panel-title");
    let switch_id = ids.id(&format!("{slug}-switch"));
    let accept_hint_id = ids.id(&format!("{slug}-accept-hint"));
    let save_id = ids.id(&format!("{slug}-save"));
    let confirm_id = ids.id(&format!("{slug}-confirm"));

    let saved_view = Memo::new(move |_| store.program(program));
    let can_edit = Memo::new(move |_| store.can_edit());
    let with_draft = move |f: fn(&Draft, &ProgramView) -> bool| {
        saved_view.with(|v| v.as_ref().is_some_and(|v| draft.with(|d| f(d, v))))
    };
    let saved = Memo::new(move |_| saved_view.with(|v| v.as_ref().is_some_and(|v| v.enabled)));
    let enabled = Memo::new(move |_| with_draft(|d, v| d.enabled(v)));
    let dirty = Memo::new(move |_| with_draft(|d, v| d.is_dirty(v)));
    let accepts = Memo::new(move |_| with_draft(|d, v| d.accepts_current(v)));
    let offers_acceptance = Memo::new(move |_| with_draft(|d, v| d.offers_acceptance(v)));
    let contact = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .and_then(|v| draft.with(|d| d.contact_allowed(v)))
        })
    });
    let blocked = Memo::new(move |_| {
        saved_view.with(|v| v.as_ref().and_then(|v| draft.with(|d| d.blocked(v))))
    });
    let evaluation = Memo::new(move |_| {
        saved_view.with(|v| v.as_ref().map(|v| draft.with(|d| d.evaluate_at(v, now()))))
    });
    // On, but the tenant may no longer have it on: turning it off is all the server takes.
    let only_turning_off =
        Memo::new(move |_| evaluation.with(|e| e.as_ref().is_some_and(|e| e.only_turning_off)));
    let reconsent = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.enabled && v.reconsent_required)
        }) && !only_turning_off.get()
    });
    // The notices' versions, to say what changed when a re-acceptance is
    // pending. Opened before the settings arrive (a link to the panel), the
    // panel cannot know yet whether it needs them, so it reads them together
    // with the settings rather than after; opened later, only when needed.
    let read_at_once = store.snapshot_untracked().is_none();
    let versions: NoticeVersionsRead = LocalResource::new(move || {
        let needed = read_at_once || reconsent.get();
        let client = session.client();
        async move {
            if needed {
                Some(program_notice_versions(&client, program).await)
            } else {
                None
            }
        }
    });

    let flow = RwSignal::new(SaveController::default());
    let in_flight = Memo::new(move |_| flow.with(SaveController::in_flight));
    // After a save lost the race: the settings the draft was based on, and those stored now.
    let conflict = RwSignal::new(None::<(DataSharingDocument, DataSharingDocument)>);
    // A save still waiting after a moment shows progress on its button and the switch.
    let slow = RwSignal::new(false);
    let reading = RwSignal::new(None::<NoticeRef>);

    // Why the tenant cannot turn this on (or keep it on), in words. The
    // server decides; the shared rule fills in the reason if the server did
    // not name one.
    let ineligible = Memo::new(move |_| {
        let program_view = saved_view.get()?;
        if program_view.eligible {
            return None;
        }
        let region = store.region()?;
        let reason = program_view
            .ineligible_reason
            .or_else(|| rules::eligibility(program, &Region::new(&region)).err())?;
        Some(words::ineligible(
            t,
            reason,
            &region,
            only_turning_off.get(),
        ))
    });
    // Where saving accepts the notice without a box to tick, say which version before the person saves.
    let accepts_version = Memo::new(move |_| {
        let program_view = saved_view.get()?;
        (!facts.explicit_acceptance_at_opt_in && program_view.eligible && !program_view.enabled)
            .then(|| program_view.notices.first().map(|n| n.version))
            .flatten()
    });
    let eligible = Memo::new(move |_| saved_view.with(|v| v.as_ref().is_some_and(|v| v.eligible)));
    let switch_disabled =
        Memo::new(move |_| in_flight.get() || !can_edit.get() || (!eligible.get() && !saved.get()));
    let show_accept_hint =
        Memo::new(move |_| dirty.get() && blocked.get() == Some(Blocked::NeedsAcceptance));

    // Any edit after a save starts a new attempt.
    let edited = move || flow.update(SaveController::edited);

    let actions = PanelActions {
        program,
        flow,
        slow,
        conflict,
        draft,
        store,
        session,
        host,
        shown_languages,
        close,
        // Where focus goes after a save when it has nowhere to be, and after a question.
        focus: StoredValue::new(PanelFocus {
            title: title_id.clone(),
            switch: switch_id.clone(),
            save: save_id.clone(),
        }),
    };
    let confirm_body = move || words::turn_off_body(t, program, now());
    let status_text = Signal::derive(move || match flow.with(SaveController::status) {
        Status::SavingSlowly => format!("{} {}", tr!(t, "saving"), tr!(t, "server-slow")),
        Status::Saving => tr!(t, "saving"),
        Status::Saved => tr!(t, "saved"),
        Status::Quiet => String::new(),
    });
    let state_now = Signal::derive(move || {
        saved_view
            .get()
            .map(|p| ProgramStatus::of(&p, now()).text(t))
    });
    // Memos, so that progress ticks do not redraw (and re-announce) the alert or the dialogs.
    let failure = Memo::new(move |_| flow.with(|f| f.failure().cloned()));
    let next_step_offered = Memo::new(move |_| flow.with(SaveController::next_step));
    let question = Memo::new(move |_| flow.with(SaveController::question));
    // The opt-out's deletion, while pending; after a move out of the
    // program's region it also says that the move turned the program off.
    let deletion_detail = move || {
        let pending = evaluation.get()?.deletion_pending?;
        let ineligible = saved_view.with(|v| {
            v.as_ref()
                .and_then(|v| Standing::of_view(v).eligibility.err())
        });
        Some(words::deletion_detail(t, program, &pending, ineligible))
    };
    let accept_label = Signal::derive(move || {
        saved_view.with(|v| {
            v.as_ref()
                .map(|v| {
                    tr!(
                        t,
                        "accept-label",
                        notices = words::named_versions(t, &v.notices)
                    )
                })
                .unwrap_or_default()
        })
    });
    let accepted_line = move || {
        saved_view.with(|v| {
            v.as_ref()
                .filter(|v| v.enabled && !v.reconsent_required && !v.accepted_notices.is_empty())
                .map(|v| {
                    tr!(
                        t,
                        "accepted-versions",
                        notices = words::named_versions(t, &v.accepted_notices),
                    )
                })
        })
    };
    let documents = Signal::derive(move || {
        saved_view.with(|v| v.as_ref().map(|v| v.notices.clone()).unwrap_or_default())
    });

    let save_hint = {
        let hint = accept_hint_id.clone();
        Signal::derive(move || show_accept_hint.get().then(|| hint.clone()))
    };
    view! {
        <SidePanel labelled_by=title_id.clone() busy=in_flight on_dismiss=move |()| actions.dismiss(dirty.get_untracked())>
            <PanelHeading program id=title_id.clone() />
            <WhenLoaded>
                <div class="ts-panel__body">
                    <CurrentState program />
                    <Propagation program />
                    <DeletionProgress program />
                    {move || {
                        deletion_detail()
                            .map(|text| view! { <p class="ts-note ts-note--pending">{text}</p> })
                    }}
                    <div class="ts-panel__control">
                        <ProgramSwitch
                            prefix=ids.id(slug)
                            checked=enabled
                            disabled=switch_disabled
                            busy=slow
                            ineligible
                            can_edit
                            accepts_version
                            on_toggle=move |on| {
                                draft.update(|d| d.enabled = Some(on));
                                edited();
                            }
                        />
                        {move || {
                            (program.has_contact_preference() && enabled.get())
                                .then(|| {
                                    view! {
                                        <ContactSwitch
                                            id=ids.id(&format!("{slug}-contact"))
                                            help_id=ids.id(&format!("{slug}-contact-help"))
                                            checked=Signal::derive(move || contact.get().unwrap_or(false))
                                            disabled=Signal::derive(move || in_flight.get() || !can_edit.get())
                                            busy=slow
                                            on_toggle=move |on| {
                                                draft.update(|d| d.contact_allowed = Some(on));
                                                edited();
                                            }
                                        />
                                    }
                                })
                        }}
                        {move || accepted_line().map(|line| view! { <p class="ts-note">{line}</p> })}
                    </div>
                    {move || reconsent.get().then(|| view! { <ReconsentBanner program versions /> })}
                    <NoticeLinks notices=documents on_read=move |notice| reading.set(Some(notice)) />
                    {
                        let hint_id = accept_hint_id.clone();
                        move || {
                            offers_acceptance
                                .get()
                                .then(|| {
                                    view! {
                                        <AcceptanceBox
                                            id=ids.id(&format!("{slug}-accept-box"))
                                            hint_id=hint_id.clone()
                                            label=accept_label
                                            checked=accepts
                                            disabled=Signal::derive(move || in_flight.get() || !can_edit.get())
                                            show_hint=show_accept_hint
                                            on_change=move |ticked: bool| {
                                                let shown = documents.get_untracked();
                                                draft.update(|d| d.accepted = ticked.then_some(shown));
                                                edited();
                                            }
                                        />
                                    }
                                })
                        }
                    }
                    <SaveFailure
                        program
                        failure
                        conflict
                        state_now
                        next_step=next_step_offered
                        on_step=move |step| actions.next_step(step)
                    />
                    {children()}
                    {facts.categories_in_panel.then(|| view! { <DataCategories program /> })}
                    <p class="ts-panel__faq">
                        <a href=base.href(&routes::faq_question(facts.faq_question))>
                            {tr!(t, "faq-about", program = program.as_str())}
                        </a>
                    </p>
                </div>
            </WhenLoaded>
            <PanelFooter
                save_id
                status=status_text
                save_disabled=Signal::derive(move || {
                    !dirty.get() || blocked.get().is_some() || !can_edit.get()
                })
                in_flight
                slow
                save_hint
                on_save=move |()| actions.save()
                on_cancel=move |()| actions.cancel()
            />
            {move || {
                reading
                    .get()
                    .map(|notice| {
                        let opener = read_button_id(ids, &notice.id);
                        view! {
                            <NoticeReader
                                notice
                                related=documents.get_untracked()
                                on_close=move |()| {
                                    reading.set(None);
                                    focus_by_id(&opener);
                                }
                            />
                        }
                    })
            }}
            <PanelQuestion
                question
                id=confirm_id
                turn_off_body=Signal::derive(confirm_body)
                on_answer=move |(asked, go_ahead)| actions.answer(asked, go_ahead)
            />
        </SidePanel>
    }
}
