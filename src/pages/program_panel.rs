//! The form both data-sharing panels share: the switch, the notices to read
//! and accept, Marketing's contact preference, Save and Cancel, and the
//! questions asked before turning a program off or dropping a change.

use consent_core::{
    pending_deletion, rules, ChangeRequest, DataSharingDocument, IneligibleReason, NoticeRef,
    ProgramId, ProgramView, Region, SCHEMA_RETENTION_MONTHS,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::panel::{use_close_panel, CurrentState, PanelHeading, WhenLoaded};
use super::reconsent_banner::ReconsentBanner;
use crate::api::{new_idempotency_key, ApiError};
use crate::components::focus::{focus_by_id, focus_is_lost, focused_id};
use crate::components::{ConfirmDialog, NoticeReader, SidePanel, Switch, WhatChanged};
use crate::draft::{use_drafts, Blocked, Draft};
use crate::host::use_host_events;
use crate::i18n::{error_text, use_i18n, I18n};
use crate::notices::{program_notice_versions, use_shown_languages, NoticeVersionsRead};
use crate::routes::{self, use_ids, use_route_base};
use crate::session::use_session;
use crate::state::{now, use_settings, ProgramStatus, Snapshot};

/// How long a save may take before its progress is shown.
const SAVE_PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// Where saving stands.
#[derive(Debug, Clone, PartialEq)]
enum Saving {
    Idle,
    InFlight,
    Done,
    Failed(ApiError),
}

/// Which question the panel is asking, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Question {
    None,
    /// Turning a saved-on program off: confirm, stating the deletion dates.
    TurnOff,
    /// Closing with an unsaved change: discard it?
    Discard,
}

/// The question of the FAQ a program's panel links to.
fn faq_question(program: ProgramId) -> &'static str {
    match program {
        ProgramId::Copilot => "copilot-what-is-it",
        ProgramId::Marketing => "marketing-what-is-it",
    }
}

/// The notices named with their versions, as a list in the page's language
/// ("the A (version 1) and the B (version 2)").
fn named_versions(t: I18n, notices: &[NoticeRef]) -> String {
    let named: Vec<String> = notices
        .iter()
        .map(|n| {
            tr!(
                t,
                "the-notice",
                name = tr!(t, "notice-name", id = n.id.as_str()),
                version = n.version,
            )
        })
        .collect();
    t.list(&named)
}

/// A setting's panel: what the program does (`children`), the documents to
/// read, the switch and what it needs, Save and Cancel.
///
/// The controls hold a draft; nothing changes until Save, and the stored
/// state changes only when the API says so. A failed save keeps the draft,
/// and so does leaving the panel to read something: only Save, Cancel and
/// "Discard change" drop it.
#[component]
pub fn ProgramPanel(
    /// The program this panel changes.
    program: ProgramId,
    /// Whether opting in asks the person to tick "I have read and accept";
    /// otherwise the panel says that saving accepts the notice.
    explicit_acceptance: bool,
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

    let slug = program.as_str();
    let title_id = ids.id("panel-title");
    let switch_id = ids.id(&format!("{slug}-switch"));
    let reason_id = ids.id(&format!("{slug}-ineligible"));
    let roles_id = ids.id(&format!("{slug}-roles"));
    let accept_note_id = ids.id(&format!("{slug}-accept"));
    let accept_box_id = ids.id(&format!("{slug}-accept-box"));
    let accept_hint_id = ids.id(&format!("{slug}-accept-hint"));
    let contact_id = ids.id(&format!("{slug}-contact"));
    let contact_help_id = ids.id(&format!("{slug}-contact-help"));

    let saved_view = Memo::new(move |_| store.program(program));
    let can_edit = Memo::new(move |_| store.can_edit());
    let with_draft = move |f: fn(&Draft, &ProgramView) -> bool| {
        saved_view.with(|v| v.as_ref().is_some_and(|v| draft.with(|d| f(d, v))))
    };
    let saved = Memo::new(move |_| saved_view.with(|v| v.as_ref().is_some_and(|v| v.enabled)));
    let enabled = Memo::new(move |_| with_draft(|d, v| d.enabled(v)));
    let dirty = Memo::new(move |_| with_draft(|d, v| d.is_dirty(v)));
    let accepts = Memo::new(move |_| with_draft(|d, v| d.accepts_current(v)));
    let contact = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .and_then(|v| draft.with(|d| d.contact_allowed(v)))
        })
    });
    let offers_acceptance = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .is_some_and(|v| draft.with(|d| d.offers_acceptance(v, explicit_acceptance)))
        })
    });
    let blocked = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .and_then(|v| draft.with(|d| d.blocked(v, explicit_acceptance)))
        })
    });
    let reconsent = Memo::new(move |_| {
        saved_view.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.enabled && v.reconsent_required)
        })
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
    let saving = RwSignal::new(Saving::Idle);
    // After a save lost the race: the settings the draft was based on, and those stored now.
    let conflict = RwSignal::new(None::<(DataSharingDocument, DataSharingDocument)>);
    let in_flight = Memo::new(move |_| saving.get() == Saving::InFlight);
    // A save still waiting after a moment shows progress on its button and the switch.
    let slow = RwSignal::new(false);
    let question = RwSignal::new(Question::None);
    let reading = RwSignal::new(None::<NoticeRef>);

    // Why the tenant cannot turn this on, in words. The server decides; the
    // shared rule fills in the reason if the server did not name one.
    let ineligible = Memo::new(move |_| {
        let program_view = saved_view.get()?;
        if program_view.eligible {
            return None;
        }
        let region = store.region()?;
        let reason = program_view
            .ineligible_reason
            .or_else(|| rules::eligibility(program, &Region::new(&region)).err())?;
        let named = tr!(t, "region-name", code = region.as_str());
        Some(match reason {
            IneligibleReason::RegionNotSupported => {
                tr!(t, "only-united-states", region = named)
            }
        })
    });
    let eligible = Memo::new(move |_| saved_view.with(|v| v.as_ref().is_some_and(|v| v.eligible)));
    // Where saving accepts the notice without a box to tick, say which version before the person saves.
    let accepts_version = Memo::new(move |_| {
        let program_view = saved_view.get()?;
        (!explicit_acceptance && program_view.eligible && !program_view.enabled)
            .then(|| program_view.notices.first().map(|n| n.version))
            .flatten()
    });
    let switch_disabled =
        Memo::new(move |_| in_flight.get() || !can_edit.get() || (!eligible.get() && !saved.get()));
    let switch_described_by = {
        let (reason_id, roles_id, accept_note_id) =
            (reason_id.clone(), roles_id.clone(), accept_note_id.clone());
        Signal::derive(move || {
            let mut ids = Vec::new();
            if ineligible.get().is_some() {
                ids.push(reason_id.as_str());
            }
            if !can_edit.get() {
                ids.push(roles_id.as_str());
            }
            if can_edit.get() && accepts_version.get().is_some() {
                ids.push(accept_note_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };
    let show_accept_hint =
        Memo::new(move |_| dirty.get() && blocked.get() == Some(Blocked::NeedsAcceptance));

    // Any edit after a save starts a new attempt: "Saved" no longer
    // describes the draft, and "Retry" would send the change as it was.
    let edited = move || {
        if matches!(saving.get_untracked(), Saving::Done | Saving::Failed(_)) {
            saving.set(Saving::Idle);
        }
    };

    // The change the person asked for, exactly as sent, under one idempotency
    // key. A change is never sent again by itself; "Retry" sends this same
    // attempt again, so if the first one was stored but its answer lost, the
    // server answers with that first result instead of changing anything twice.
    let attempt = StoredValue::new(None::<Attempt>);
    let slow_save = RwSignal::new(false);
    let host = use_host_events();
    let shown_languages = use_shown_languages();
    // Where focus goes after a save when it has nowhere to be (Save turns disabled once nothing is left to save).
    let save_id = ids.id(&format!("{slug}-save"));
    let focus_after_save = StoredValue::new((switch_id.clone(), save_id.clone()));
    let send = move || {
        let Some(Attempt { key, change, base }) = attempt.get_value() else {
            return;
        };
        let (client, tenant) = (session.client(), session.tenant());
        saving.set(Saving::InFlight);
        slow_save.set(false);
        slow.set(false);
        conflict.set(None);
        // After a moment the button shows progress; after longer, the panel
        // says the server is slow. Only for this attempt, if still waiting.
        let sent = key.clone();
        set_timeout(
            move || {
                let same = attempt.try_with_value(|a| a.as_ref().map(|a| a.key == sent));
                if saving.try_get_untracked() == Some(Saving::InFlight) && same == Some(Some(true))
                {
                    slow_save.try_set(true);
                }
            },
            SLOW_SAVE_AFTER,
        );
        set_timeout(
            move || {
                if saving.try_get_untracked() == Some(Saving::InFlight) {
                    slow.try_set(true);
                }
            },
            SAVE_PROGRESS_AFTER,
        );
        spawn_local(async move {
            let result = client
                .change_program(&tenant, program, &change, &base.etag, Some(&key))
                .await;
            slow_save.try_set(false);
            slow.try_set(false);
            match result {
                Ok((document, etag)) => {
                    host.data_sharing_changed(program, &document);
                    store.apply(document, etag);
                    draft.try_set(Draft::default());
                    saving.try_set(Saving::Done);
                    // Save has nothing left to save and turns disabled: if it
                    // (or nothing) has focus once the page shows that, move
                    // focus to the switch rather than let it fall to the page.
                    if let Some((id, save_id)) = focus_after_save.try_get_value() {
                        request_animation_frame(move || {
                            if focus_is_lost() || focused_id().as_deref() == Some(save_id.as_str())
                            {
                                focus_by_id(&id);
                            }
                        });
                    }
                }
                Err(error) => {
                    // Someone else's change is the state now; show it, keep the draft.
                    if let ApiError::Conflict { current } = &error {
                        store.apply((**current).clone(), current.etag());
                        conflict.try_set(Some((base.document, (**current).clone())));
                    }
                    saving.try_set(Saving::Failed(error));
                }
            }
        });
    };
    let turns_off = move || with_draft(|d, v| d.turns_off(v));
    let save = move || {
        if !dirty.get_untracked() || in_flight.get_untracked() || blocked.get_untracked().is_some()
        {
            return;
        }
        let Some(snapshot) = store.snapshot_untracked() else {
            return;
        };
        let Some(current) = snapshot.document.program(program).cloned() else {
            return;
        };
        let mut change = draft.with_untracked(|d| d.request(&current));
        // Name the language each accepted notice was read in, for the receipt.
        change.accept_notices = shown_languages.fill(change.accept_notices);
        attempt.set_value(Some(Attempt {
            key: new_idempotency_key(),
            change,
            base: snapshot,
        }));
        if untrack(turns_off) {
            question.set(Question::TurnOff);
        } else {
            send();
        }
    };
    let show_current = move || {
        // A conflict already brought the current state; a refusal may mean the page is stale.
        if matches!(
            saving.get_untracked(),
            Saving::Failed(ApiError::Refused { .. })
        ) {
            store.load(session);
        }
        draft.set(Draft::default());
        saving.set(Saving::Idle);
    };
    let sign_in_again = move || {
        spawn_local(async move {
            session.renew().await;
            // The panel may have been closed meanwhile; then there is nothing to retry.
            if saving.try_get_untracked().is_some() {
                send();
            }
        });
    };
    let dismiss = move || {
        if dirty.get_untracked() && !in_flight.get_untracked() {
            question.set(Question::Discard);
        } else {
            close.run(());
        }
    };
    let cancel = move || {
        draft.set(Draft::default());
        close.run(());
    };

    let confirm_body = move || {
        let deadlines = pending_deletion(program, now());
        let due = t.date(deadlines.due_by);
        match deadlines.schema_due_by {
            Some(schema) => tr!(
                t,
                "confirm-off-marketing-body",
                date = due,
                schema_date = t.date(schema),
                months = SCHEMA_RETENTION_MONTHS,
            ),
            None => tr!(t, "confirm-off-body", date = due),
        }
    };
    let status_text = move || match saving.get() {
        Saving::InFlight if slow_save.get() => {
            format!("{} {}", tr!(t, "saving"), tr!(t, "server-slow"))
        }
        Saving::InFlight => tr!(t, "saving"),
        Saving::Done => tr!(t, "saved"),
        _ => String::new(),
    };
    let state_now = move || {
        saved_view
            .get()
            .map(|p| ProgramStatus::of(&p, now()).text(t))
    };
    let failure = move || match saving.get() {
        Saving::Failed(error) => Some(error),
        _ => None,
    };
    let deletion_detail = move || {
        let program_view = saved_view.get()?;
        let pending = program_view
            .pending_deletion
            .filter(|d| !program_view.enabled && d.is_pending_at(now()))?;
        let due = t.date(pending.due_by);
        Some(match (program, pending.schema_due_by) {
            (ProgramId::Marketing, Some(schema)) => tr!(
                t,
                "deletion-detail-marketing",
                due = due,
                schema_due = t.date(schema),
                months = SCHEMA_RETENTION_MONTHS,
            ),
            _ => tr!(t, "deletion-detail", due = due),
        })
    };
    let accept_label = move || {
        saved_view.with(|v| {
            v.as_ref()
                .map(|v| tr!(t, "accept-label", notices = named_versions(t, &v.notices)))
        })
    };
    let accepted_line = move || {
        saved_view.with(|v| {
            v.as_ref()
                .filter(|v| v.enabled && !v.reconsent_required && !v.accepted_notices.is_empty())
                .map(|v| {
                    tr!(
                        t,
                        "accepted-versions",
                        notices = named_versions(t, &v.accepted_notices),
                    )
                })
        })
    };
    let documents =
        move || saved_view.with(|v| v.as_ref().map(|v| v.notices.clone()).unwrap_or_default());
    let read_button_id = move |notice: &str| ids.id(&format!("read-{notice}"));

    let save_hint_id = accept_hint_id.clone();
    let switch_for_focus = switch_id.clone();
    let title_for_focus = title_id.clone();
    let confirm_id = ids.id(&format!("{slug}-confirm"));
    view! {
        <SidePanel labelled_by=title_id.clone() busy=in_flight on_dismiss=move |()| dismiss()>
            <PanelHeading program id=title_id.clone() />
            <WhenLoaded>
                <div class="ts-panel__body">
                    <CurrentState program />
                    {move || {
                        deletion_detail()
                            .map(|text| view! { <p class="ts-note ts-note--pending">{text}</p> })
                    }}
                    {move || {
                        reconsent.get().then(|| view! { <ReconsentBanner program versions /> })
                    }}
                    {children()}
                    <ul class="ts-panel__links">
                        <For
                            each=documents
                            key=|notice| (notice.id.clone(), notice.version)
                            let(notice)
                        >
                            {
                                let name = tr!(t, "notice-name", id = notice.id.as_str());
                                let opener = read_button_id(&notice.id);
                                let label = tr!(
                                    t, "read-notice",
                                    name = name,
                                    version = notice.version,
                                );
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="ts-link-button"
                                            id=opener
                                            on:click=move |_| reading.set(Some(notice.clone()))
                                        >
                                            {label}
                                        </button>
                                    </li>
                                }
                            }
                        </For>
                        <li>
                            <a href=base
                                .href(&routes::faq_question(faq_question(program)))>
                                {tr!(t, "faq-about", program = program.as_str())}
                            </a>
                        </li>
                    </ul>
                    <div class="ts-panel__control">
                        <Switch
                            id=switch_id.clone()
                            label=tr!(t, "switch-label")
                            checked=enabled
                            disabled=switch_disabled
                            busy=slow
                            described_by=switch_described_by
                            on_toggle=move |on| {
                                draft.update(|d| d.enabled = Some(on));
                                edited();
                            }
                        />
                        {
                            let reason_id = reason_id.clone();
                            move || {
                                ineligible
                                    .get()
                                    .map(|reason| {
                                        view! {
                                            <p class="ts-note ts-note--info" id=reason_id.clone()>
                                                {reason}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {
                            let roles_id = roles_id.clone();
                            move || {
                                (!can_edit.get())
                                    .then(|| {
                                        view! {
                                            <p class="ts-note" id=roles_id.clone()>
                                                {tr!(t, "admins-only")}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {
                            let accept_note_id = accept_note_id.clone();
                            move || {
                                accepts_version
                                    .get()
                                    .filter(|_| can_edit.get())
                                    .map(|version| {
                                        view! {
                                            <p class="ts-note" id=accept_note_id.clone()>
                                                {tr!(t, "accepts-notice", version = version)}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {
                            let (accept_box_id, accept_hint_id) = (
                                accept_box_id.clone(),
                                accept_hint_id.clone(),
                            );
                            move || {
                                offers_acceptance
                                    .get()
                                    .then(|| {
                                        let hint_id = accept_hint_id.clone();
                                        view! {
                                            <div class="ts-check">
                                                <input
                                                    type="checkbox"
                                                    class="ts-check__input"
                                                    id=accept_box_id.clone()
                                                    prop:checked=move || accepts.get()
                                                    disabled=move || in_flight.get() || !can_edit.get()
                                                    on:change=move |ev| {
                                                        let ticked = event_target_checked(&ev);
                                                        let shown = saved_view
                                                            .with_untracked(|v| {
                                                                v.as_ref().map(|v| v.notices.clone())
                                                            });
                                                        draft.update(|d| d.accepted = shown.filter(|_| ticked));
                                                        edited();
                                                    }
                                                />
                                                <label class="ts-check__label" for=accept_box_id.clone()>
                                                    {accept_label}
                                                </label>
                                            </div>
                                            <p
                                                class="ts-note ts-note--warning"
                                                id=hint_id
                                                hidden=move || !show_accept_hint.get()
                                            >
                                                {tr!(t, "accept-first")}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {
                            let (contact_id, contact_help_id) = (
                                contact_id.clone(),
                                contact_help_id.clone(),
                            );
                            move || {
                                (program.has_contact_preference() && enabled.get())
                                    .then(|| {
                                        let help_id = contact_help_id.clone();
                                        view! {
                                            <Switch
                                                id=contact_id.clone()
                                                label=tr!(t, "contact-switch-label")
                                                checked=Signal::derive(move || {
                                                    contact.get().unwrap_or(false)
                                                })
                                                disabled=Signal::derive(move || {
                                                    in_flight.get() || !can_edit.get()
                                                })
                                                busy=slow
                                                described_by=help_id.clone()
                                                on_toggle=move |on| {
                                                    draft.update(|d| d.contact_allowed = Some(on));
                                                    edited();
                                                }
                                            />
                                            <p class="ts-note" id=help_id>
                                                {tr!(t, "contact-help")}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {move || accepted_line().map(|line| view! { <p class="ts-note">{line}</p> })}
                    </div>
                    <div class="ts-alert-slot" role="alert">
                        {move || {
                            failure()
                                .map(|error| {
                                    view! {
                                        <div class="ts-alert">
                                            <p>{save_error(t, &error, state_now().as_deref())}</p>
                                            {conflict
                                                .get()
                                                .map(|(base, current)| {
                                                    view! { <WhatChanged base current program /> }
                                                })}
                                        </div>
                                    }
                                })
                        }}
                    </div>
                    {move || {
                        failure()
                            .map(|error| {
                                view! {
                                    <NextStep
                                        error
                                        retry=move |()| send()
                                        show_current=move |()| show_current()
                                        sign_in_again=move |()| sign_in_again()
                                    />
                                }
                            })
                    }}
                </div>
            </WhenLoaded>
            <div class="ts-panel__footer">
                <p class="ts-panel__live" role="status" aria-live="polite">
                    {status_text}
                </p>
                <div class="ts-actions">
                    <button
                        type="button"
                        id=save_id
                        class="ts-button ts-button--primary"
                        class:ts-button--busy=move || slow.get()
                        // While saving, the button keeps focus (aria-disabled) and save() ignores clicks.
                        disabled=move || {
                            !dirty.get() || blocked.get().is_some() || !can_edit.get()
                        }
                        aria-disabled=move || in_flight.get().then_some("true")
                        aria-describedby=move || {
                            show_accept_hint.get().then(|| save_hint_id.clone())
                        }
                        on:click=move |_| save()
                    >
                        {move || {
                            if slow.get() {
                                view! {
                                    <span class="ts-spinner" aria-hidden="true"></span>
                                    {tr!(t, "saving")}
                                }
                                    .into_any()
                            } else {
                                tr!(t, "save").into_any()
                            }
                        }}
                    </button>
                    <button
                        type="button"
                        class="ts-button"
                        disabled=move || in_flight.get()
                        on:click=move |_| cancel()
                    >
                        {tr!(t, "cancel")}
                    </button>
                </div>
            </div>
            {move || {
                reading
                    .get()
                    .map(|notice| {
                        let opener = read_button_id(&notice.id);
                        view! {
                            <NoticeReader
                                notice
                                related=documents()
                                on_close=move |()| {
                                    reading.set(None);
                                    focus_by_id(&opener);
                                }
                            />
                        }
                    })
            }}
            {move || match question.get() {
                Question::None => None,
                Question::TurnOff => {
                    let title = title_for_focus.clone();
                    let switch = switch_for_focus.clone();
                    Some(
                        view! {
                            <ConfirmDialog
                                id=confirm_id.clone()
                                title=tr!(t, "confirm-off-title")
                                body=Signal::derive(confirm_body)
                                confirm_label=tr!(t, "turn-off")
                                cancel_label=tr!(t, "keep-sharing")
                                on_confirm=move |()| {
                                    question.set(Question::None);
                                    focus_by_id(&title);
                                    send();
                                }
                                on_cancel=move |()| {
                                    question.set(Question::None);
                                    draft.update(|d| d.enabled = None);
                                    focus_by_id(&switch);
                                }
                            />
                        }
                            .into_any(),
                    )
                }
                Question::Discard => {
                    let switch = switch_for_focus.clone();
                    Some(
                        view! {
                            <ConfirmDialog
                                id=confirm_id.clone()
                                title=tr!(t, "discard-title")
                                body=Signal::derive(move || tr!(t, "discard-body"))
                                confirm_label=tr!(t, "discard")
                                cancel_label=tr!(t, "keep-editing")
                                on_confirm=move |()| {
                                    question.set(Question::None);
                                    cancel();
                                }
                                on_cancel=move |()| {
                                    question.set(Question::None);
                                    focus_by_id(&switch);
                                }
                            />
                        }
                            .into_any(),
                    )
                }
            }}
        </SidePanel>
    }
}

/// The change a Save sent: the request, the settings it was made on, and its idempotency key.
#[derive(Debug, Clone)]
struct Attempt {
    key: String,
    change: ChangeRequest,
    base: Snapshot,
}

/// How long a save may take before the panel says the server is slow.
const SLOW_SAVE_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// What went wrong with a save, in words. When the server could not be
/// reached, the change may have been stored all the same: say so, rather
/// than "nothing was changed".
fn save_error(t: I18n, error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Network | ApiError::Offline => tr!(t, "save-outcome-unknown"),
        _ => error_text(t, error, state_now),
    }
}

/// The way forward after a failed save, as a button (none when there is nothing to try).
#[component]
fn NextStep(
    /// What went wrong.
    error: ApiError,
    /// Sends the same change again.
    #[prop(into)]
    retry: Callback<()>,
    /// Drops the draft and shows the stored state.
    #[prop(into)]
    show_current: Callback<()>,
    /// Gets fresh credentials, then sends the change again.
    #[prop(into)]
    sign_in_again: Callback<()>,
) -> impl IntoView {
    let t = use_i18n();
    let (label, action) = match error {
        ApiError::Offline | ApiError::Network | ApiError::Server { .. } => (tr!(t, "retry"), retry),
        ApiError::Unauthorized => (tr!(t, "sign-in-again"), sign_in_again),
        ApiError::Conflict { .. } | ApiError::Refused { .. } => {
            (tr!(t, "show-current-setting"), show_current)
        }
        ApiError::Forbidden | ApiError::NotFound => return None,
    };
    Some(view! {
        <div class="ts-actions">
            <button type="button" class="ts-button" on:click=move |_| action.run(())>
                {label}
            </button>
        </div>
    })
}
