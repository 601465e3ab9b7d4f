//! The Copilot data-sharing panel (`/settings/copilot-data-sharing`).

use consent_core::{
    pending_deletion, rules, ChangeRequest, DataSharingDocument, IneligibleReason, ProgramId,
    Region,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::panel::{use_close_panel, CurrentState, PanelHeading, WhenLoaded};
use crate::api::{new_idempotency_key, ApiError};
use crate::components::focus::focus_by_id;
use crate::components::{ConfirmDialog, SidePanel, Switch, WhatChanged};
use crate::i18n::{format_date, messages};
use crate::routes::{self, use_ids, use_route_base};
use crate::session::use_session;
use crate::state::{now, use_settings, ProgramStatus};

const PROGRAM: ProgramId = ProgramId::Copilot;

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
    /// Turning a saved-on program off: confirm, stating the deletion date.
    TurnOff,
    /// Closing with an unsaved change: discard it?
    Discard,
}

/// The panel of the Copilot setting: what it does, the switch, Save and Cancel.
///
/// The switch holds a draft; nothing changes until Save, and the stored
/// state changes only when the API says so. A failed save keeps the draft.
#[component]
pub fn CopilotPanel() -> impl IntoView {
    let t = messages();
    let store = use_settings();
    let session = use_session();
    let ids = use_ids();
    let base = use_route_base();
    let close = use_close_panel(PROGRAM);

    let title_id = ids.id("panel-title");
    let switch_id = ids.id("copilot-switch");
    let reason_id = ids.id("copilot-ineligible");
    let roles_id = ids.id("copilot-roles");
    let accept_id = ids.id("copilot-accept");

    let program = Memo::new(move |_| store.program(PROGRAM));
    let can_edit = Memo::new(move |_| store.can_edit());
    let saved = Memo::new(move |_| program.get().is_some_and(|p| p.enabled));
    // The person's choice; `None` means "as saved".
    let choice = RwSignal::new(None::<bool>);
    let draft = Memo::new(move |_| choice.get().unwrap_or_else(|| saved.get()));
    let dirty = Memo::new(move |_| program.get().is_some() && draft.get() != saved.get());
    let saving = RwSignal::new(Saving::Idle);
    let in_flight = Memo::new(move |_| saving.get() == Saving::InFlight);
    let question = RwSignal::new(Question::None);
    // After a save lost the race: the settings the draft was based on, and those stored now.
    let conflict = RwSignal::new(None::<(DataSharingDocument, DataSharingDocument)>);

    // Why the tenant cannot turn this on, in words. The server decides; the
    // shared rule fills in the reason if the server did not name one.
    let ineligible = Memo::new(move |_| {
        let program = program.get()?;
        if program.eligible {
            return None;
        }
        let region = store.region()?;
        let reason = program
            .ineligible_reason
            .or_else(|| rules::eligibility(PROGRAM, &Region::new(&region)).err())?;
        let named = (t.region_name)(&region).unwrap_or(&region).to_owned();
        Some(match reason {
            IneligibleReason::RegionNotSupported => (t.only_united_states)(&named),
        })
    });
    let eligible = Memo::new(move |_| program.get().is_some_and(|p| p.eligible));
    // Turning on accepts the current notice; say which version before the person saves.
    let accepts_version = Memo::new(move |_| {
        let program = program.get()?;
        if program.eligible && !program.enabled {
            program.notices.first().map(|notice| notice.version)
        } else {
            None
        }
    });
    let switch_disabled =
        Memo::new(move |_| in_flight.get() || !can_edit.get() || (!eligible.get() && !saved.get()));
    let described_by = {
        let (reason_id, roles_id, accept_id) =
            (reason_id.clone(), roles_id.clone(), accept_id.clone());
        Signal::derive(move || {
            let mut ids = Vec::new();
            if ineligible.get().is_some() {
                ids.push(reason_id.as_str());
            }
            if !can_edit.get() {
                ids.push(roles_id.as_str());
            }
            if can_edit.get() && accepts_version.get().is_some() {
                ids.push(accept_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };

    // One key per attempt the person makes; a retry of that attempt reuses it.
    let attempt = StoredValue::new(String::new());
    let title_for_focus = title_id.clone();
    let send = move |enabled: bool| {
        let Some(snapshot) = store.snapshot_untracked() else {
            return;
        };
        let Some(current) = snapshot.document.program(PROGRAM) else {
            return;
        };
        let change = ChangeRequest {
            enabled,
            accept_notices: if enabled {
                current.notices.clone()
            } else {
                Vec::new()
            },
            contact_allowed: None,
        };
        let key = attempt.get_value();
        let (client, tenant) = (session.client(), session.tenant());
        saving.set(Saving::InFlight);
        conflict.set(None);
        spawn_local(async move {
            let result = client
                .change_program(&tenant, PROGRAM, &change, &snapshot.etag, Some(&key))
                .await;
            match result {
                Ok((document, etag)) => {
                    store.apply(document, etag);
                    choice.try_set(None);
                    saving.try_set(Saving::Done);
                }
                Err(error) => {
                    // Someone else's change is the state now; show it, keep the draft.
                    if let ApiError::Conflict { current } = &error {
                        store.apply((**current).clone(), current.etag());
                        conflict.try_set(Some((snapshot.document, (**current).clone())));
                    }
                    saving.try_set(Saving::Failed(error));
                }
            }
        });
    };
    let save = move || {
        if !dirty.get_untracked() || in_flight.get_untracked() {
            return;
        }
        attempt.set_value(new_idempotency_key());
        if saved.get_untracked() && !draft.get_untracked() {
            question.set(Question::TurnOff);
        } else {
            send(draft.get_untracked());
        }
    };
    let retry = move || send(draft.get_untracked());
    let show_current = move || {
        // A conflict already brought the current state; a refusal may mean the page is stale.
        if matches!(
            saving.get_untracked(),
            Saving::Failed(ApiError::Refused { .. })
        ) {
            store.load(session);
        }
        choice.set(None);
        saving.set(Saving::Idle);
        conflict.set(None);
    };
    let sign_in_again = move || {
        spawn_local(async move {
            session.renew().await;
            // The panel may have been closed meanwhile; then there is nothing to retry.
            if let Some(draft) = draft.try_get_untracked() {
                send(draft);
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
        choice.set(None);
        close.run(());
    };

    let deletion_date = move || format_date(pending_deletion(PROGRAM, now()).due_by);
    let status_text = move || match saving.get() {
        Saving::InFlight => t.saving,
        Saving::Done => t.saved,
        _ => "",
    };
    let state_now = move || program.get().map(|p| ProgramStatus::of(&p, now()).text(t));
    let failure = move || match saving.get() {
        Saving::Failed(error) => Some(error),
        _ => None,
    };

    let switch_for_focus = switch_id.clone();
    let confirm_id = ids.id("copilot-confirm");
    view! {
        <SidePanel labelled_by=title_id.clone() busy=in_flight on_dismiss=move |()| dismiss()>
            <PanelHeading program=PROGRAM id=title_id.clone() />
            <WhenLoaded>
                <div class="ts-panel__body">
                    <CurrentState program=PROGRAM />
                    {t.copilot_about.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
                    <p>
                        <a href=base.href(&routes::notice("copilot-data-sharing"))>
                            {t.read_copilot_notice}
                        </a>
                    </p>
                    <div class="ts-panel__control">
                        <Switch
                            id=switch_id.clone()
                            label=t.switch_label
                            checked=draft
                            disabled=switch_disabled
                            described_by=described_by
                            on_toggle=move |on| {
                                choice.set(Some(on));
                                if saving.get_untracked() == Saving::Done {
                                    saving.set(Saving::Idle);
                                }
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
                                                {t.admins_only}
                                            </p>
                                        }
                                    })
                            }
                        }
                        {
                            let accept_id = accept_id.clone();
                            move || {
                                accepts_version
                                    .get()
                                    .filter(|_| can_edit.get())
                                    .map(|version| {
                                        view! {
                                            <p class="ts-note" id=accept_id.clone()>
                                                {(t.accepts_notice)(version)}
                                            </p>
                                        }
                                    })
                            }
                        }
                    </div>
                    <div class="ts-alert-slot" role="alert">
                        {move || {
                            failure()
                                .map(|error| {
                                    view! {
                                        <div class="ts-alert">
                                            <p>{(t.error)(&error, state_now().as_deref())}</p>
                                            {conflict
                                                .get()
                                                .map(|(base, current)| {
                                                    view! { <WhatChanged base current program=PROGRAM /> }
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
                                        retry=move |()| retry()
                                        show_current=move |()| show_current()
                                        sign_in_again=move |()| sign_in_again()
                                    />
                                }
                            })
                    }}
                </div>
            </WhenLoaded>
            <footer class="ts-panel__footer">
                <p class="ts-panel__live" role="status" aria-live="polite">
                    {status_text}
                </p>
                <div class="ts-actions">
                    <button
                        type="button"
                        class="ts-button ts-button--primary"
                        disabled=move || !dirty.get() || in_flight.get() || !can_edit.get()
                        on:click=move |_| save()
                    >
                        {t.save}
                    </button>
                    <button
                        type="button"
                        class="ts-button"
                        disabled=move || in_flight.get()
                        on:click=move |_| cancel()
                    >
                        {t.cancel}
                    </button>
                </div>
            </footer>
            {move || match question.get() {
                Question::None => None,
                Question::TurnOff => {
                    let title = title_for_focus.clone();
                    let switch = switch_for_focus.clone();
                    Some(
                        view! {
                            <ConfirmDialog
                                id=confirm_id.clone()
                                title=t.confirm_off_title
                                body=Signal::derive(move || (t.confirm_off_body)(&deletion_date()))
                                confirm_label=t.turn_off
                                cancel_label=t.keep_sharing
                                on_confirm=move |()| {
                                    question.set(Question::None);
                                    focus_by_id(&title);
                                    send(false);
                                }
                                on_cancel=move |()| {
                                    question.set(Question::None);
                                    choice.set(None);
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
                                title=t.discard_title
                                body=Signal::derive(move || t.discard_body.to_owned())
                                confirm_label=t.discard
                                cancel_label=t.keep_editing
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
    let t = messages();
    let (label, action) = match error {
        ApiError::Offline | ApiError::Network | ApiError::Server { .. } => (t.retry, retry),
        ApiError::Unauthorized => (t.sign_in_again, sign_in_again),
        ApiError::Conflict { .. } | ApiError::Refused { .. } => {
            (t.show_current_setting, show_current)
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
