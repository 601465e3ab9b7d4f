//! The tenant's data-sharing settings as the page knows them.
//!
//! One [`SettingsStore`] per app: the list reads it, a panel's save replaces
//! it with what the server answered. The page never assumes a change
//! happened until the API says so.

use consent_core::policy::{evaluate, Proposal, Standing};
use consent_core::{DataSharingDocument, ProgramId, ProgramView, Timestamp};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, ETag};
use crate::data::{ReadTrouble, Retry, Timeout, SLOW_AFTER};
use crate::i18n::I18n;
use crate::session::{Session, SignIn};

/// The current time, from the browser's clock.
pub fn now() -> Timestamp {
    Timestamp::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The settings document as last read from, or written to, the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub document: DataSharingDocument,
    pub etag: ETag,
}

/// Where loading the settings stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable {
    Loading,
    Failed(ApiError),
    Ready(Snapshot),
}

/// A `Copy` handle to the app's copy of the tenant's settings.
#[derive(Clone, Copy)]
pub struct SettingsStore {
    state: RwSignal<Loadable>,
    /// Counts loads, so an answer to an older request never overwrites a newer one.
    generation: StoredValue<u32>,
    /// The last read failed, and the countdown to the next try.
    retry: Retry,
    /// A read has been waiting for the server for a while.
    slow: RwSignal<bool>,
    /// Says so once a read takes longer than [`SLOW_AFTER`].
    slow_timer: Timeout,
    /// The generation of the read on its way, if one is.
    reading: StoredValue<Option<u32>>,
    /// The session the last read used, for reading again without being asked.
    session: StoredValue<Option<Session>>,
}

impl SettingsStore {
    /// An empty store, waiting for its first load.
    pub fn new() -> SettingsStore {
        SettingsStore {
            state: RwSignal::new(Loadable::Loading),
            generation: StoredValue::new(0),
            retry: Retry::new(),
            slow: RwSignal::new(false),
            slow_timer: Timeout::new(),
            reading: StoredValue::new(None),
            session: StoredValue::new(None),
        }
    }

    /// Reads the settings from the server (again).
    ///
    /// With settings already shown, they stay on screen meanwhile, and the
    /// read is conditional (`If-None-Match`): the server answers 304 without
    /// a body when nothing changed. Its tag names the current notice
    /// versions too, so a newly published version is never hidden by a 304.
    ///
    /// A read that fails because the server is down, slow or unreachable is
    /// tried again by itself after 1 s, 2 s, 4 s, … (at most 30 s); the
    /// settings shown, and every unsaved draft, stay as they are.
    pub fn load(&self, session: Session) {
        let store = *self;
        self.cancel_retry();
        self.session.set_value(Some(session));
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        let shown = self.snapshot_untracked();
        if shown.is_none() && !matches!(self.state.get_untracked(), Loadable::Loading) {
            self.state.set(Loadable::Loading);
        }
        let (client, tenant) = (session.client(), session.tenant());
        let still_current = move || store.generation.try_get_value() == Some(generation);
        self.reading.set_value(Some(generation));
        self.slow_timer.start(SLOW_AFTER, move || {
            if store.reading.try_get_value() == Some(Some(generation)) {
                store.slow.try_set(true);
            }
        });
        spawn_local(async move {
            let result = match shown {
                Some(snapshot) => client
                    .get_data_sharing_if_changed(&tenant, &snapshot.etag)
                    .await
                    .map(|fresh| fresh.unwrap_or((snapshot.document, snapshot.etag))),
                None => client.get_data_sharing(&tenant).await,
            };
            if !still_current() {
                return;
            }
            store.reading.try_set_value(None);
            store.slow.try_set(false);
            match result {
                Ok((document, etag)) => {
                    store.retry.succeeded();
                    let fresh = Snapshot { document, etag };
                    // A 304 changes nothing: leave the signal alone, so nothing re-renders.
                    if store.snapshot_untracked().as_ref() != Some(&fresh) {
                        store.state.try_set(Loadable::Ready(fresh));
                    }
                }
                Err(error) => store.failed(error),
            }
        });
    }

    /// Reads again now unless a read is on its way (the person came back
    /// to the page, or the browser is online again): the settings shown are
    /// checked (a 304 when nothing changed), and a try again that was
    /// counting down happens at once.
    pub fn refresh(&self) {
        let Some(session) = self.session.try_get_value().flatten() else {
            return;
        };
        if self.reading.try_get_value().flatten().is_some() {
            return;
        }
        if self.retry.counting_down() {
            self.retry(session);
        } else if self.snapshot_untracked().is_some() {
            self.load(session);
        }
    }

    /// Tries again after a failed load; signs in again first if that is what failed.
    pub fn retry(&self, session: Session) {
        self.cancel_retry();
        self.session.set_value(Some(session));
        if matches!(session.sign_in_untracked(), SignIn::Failed(_)) {
            let store = *self;
            if self.snapshot_untracked().is_none() {
                self.state.set(Loadable::Loading);
            }
            spawn_local(async move {
                session.renew().await;
                // Signed in now: the app loads the settings. Failed again: say so again.
                if let SignIn::Failed(error) = session.sign_in_untracked() {
                    store.failed(error);
                }
            });
        } else {
            self.load(session);
        }
    }

    /// Records a failed read: the settings shown stay, and the page tries
    /// again by itself when waiting can help.
    fn failed(&self, error: ApiError) {
        if self.snapshot_untracked().is_none() {
            self.state.try_set(Loadable::Failed(error.clone()));
        }
        let store = *self;
        self.retry.failed(
            error,
            Callback::new(move |()| {
                if let Some(session) = store.session.try_get_value().flatten() {
                    store.retry(session);
                }
            }),
        );
    }

    /// Stops a pending try again (a new read starts, or the app goes away).
    pub fn cancel_retry(&self) {
        self.retry.cancel();
    }

    /// The failed read and the countdown to the next try, if the last read failed (tracked).
    pub fn trouble(&self) -> Option<ReadTrouble> {
        self.retry.trouble()
    }

    /// Whether a read has been waiting for the server for a while (tracked).
    pub fn slow(&self) -> bool {
        self.slow.get()
    }

    /// Records that the settings cannot be loaded (for example, signing in
    /// failed); tries again by itself when waiting can help.
    pub fn fail(&self, session: Session, error: ApiError) {
        self.session.set_value(Some(session));
        self.failed(error);
    }

    /// Where loading stands (tracked).
    pub fn state(&self) -> Loadable {
        self.state.get()
    }

    /// Replaces the settings with what the server answered.
    pub fn apply(&self, document: DataSharingDocument, etag: ETag) {
        // A save may finish after the app was unmounted; then there is nothing to update.
        self.generation.try_update_value(|g| *g = g.wrapping_add(1));
        self.reading.try_set_value(None);
        self.retry.succeeded();
        self.slow.try_set(false);
        self.state
            .try_set(Loadable::Ready(Snapshot { document, etag }));
    }

    /// The loaded settings, if any (tracked).
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.state.with(|state| match state {
            Loadable::Ready(snapshot) => Some(snapshot.clone()),
            _ => None,
        })
    }

    /// One program of the loaded settings (tracked).
    pub fn program(&self, id: ProgramId) -> Option<ProgramView> {
        self.state.with(|state| match state {
            Loadable::Ready(snapshot) => snapshot.document.program(id).cloned(),
            _ => None,
        })
    }

    /// Whether the signed-in person may change the settings (tracked; false until loaded).
    pub fn can_edit(&self) -> bool {
        self.state
            .with(|state| matches!(state, Loadable::Ready(s) if s.document.can_edit))
    }

    /// The tenant's region code, once loaded (tracked).
    pub fn region(&self) -> Option<String> {
        self.state.with(|state| match state {
            Loadable::Ready(snapshot) => Some(snapshot.document.tenant.region.code().to_owned()),
            _ => None,
        })
    }

    /// The loaded settings and their tag, read without tracking (for event handlers).
    pub fn snapshot_untracked(&self) -> Option<Snapshot> {
        self.state
            .try_with_untracked(|state| match state {
                Loadable::Ready(snapshot) => Some(snapshot.clone()),
                _ => None,
            })
            .flatten()
    }

    /// The tenant's display name, once loaded (tracked).
    pub fn tenant_name(&self) -> Option<String> {
        self.state.with(|state| match state {
            Loadable::Ready(snapshot) => Some(snapshot.document.tenant.name.clone()),
            _ => None,
        })
    }
}

impl Default for SettingsStore {
    fn default() -> SettingsStore {
        SettingsStore::new()
    }
}

/// The settings of the surrounding app.
pub fn use_settings() -> SettingsStore {
    expect_context::<SettingsStore>()
}

/// What the list and the panel say about a program's stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramStatus {
    On,
    Off,
    /// The tenant cannot join this program (for example, outside its region).
    Unavailable,
    /// Off, and data shared earlier is deleted by `due_by`.
    DeletionPending {
        due_by: Timestamp,
    },
    /// On, but a notice changed materially since it was accepted.
    ReacceptanceNeeded,
}

impl ProgramStatus {
    /// The status of `program` at `now`.
    pub fn of(program: &ProgramView, now: Timestamp) -> ProgramStatus {
        let standing = Standing::of_view(program);
        let pending = evaluate(&standing, &Proposal::as_stored(&standing), now).deletion_pending;
        match pending {
            Some(deletion) => ProgramStatus::DeletionPending {
                due_by: deletion.due_by,
            },
            None if !program.eligible => ProgramStatus::Unavailable,
            None if program.enabled && program.reconsent_required => {
                ProgramStatus::ReacceptanceNeeded
            }
            None if program.enabled => ProgramStatus::On,
            None => ProgramStatus::Off,
        }
    }

    /// The status in words.
    pub fn text(self, t: I18n) -> String {
        match self {
            ProgramStatus::On => tr!(t, "state-on"),
            ProgramStatus::Off => tr!(t, "state-off"),
            ProgramStatus::Unavailable => tr!(t, "state-unavailable"),
            ProgramStatus::DeletionPending { due_by } => {
                tr!(t, "state-deletion-pending", date = t.date(due_by))
            }
            ProgramStatus::ReacceptanceNeeded => tr!(t, "state-reacceptance-needed"),
        }
    }

    /// A short machine name, used as a style modifier.
    pub fn tone(self) -> &'static str {
        match self {
            ProgramStatus::On => "on",
            ProgramStatus::Off => "off",
            ProgramStatus::Unavailable => "unavailable",
            ProgramStatus::DeletionPending { .. } => "pending",
            ProgramStatus::ReacceptanceNeeded => "attention",
        }
    }
}

#[cfg(test)]
mod tests;
