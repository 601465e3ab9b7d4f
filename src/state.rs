//! The tenant's data-sharing settings as the page knows them.
//!
//! One [`SettingsStore`] per app: the list reads it, a panel's save replaces
//! it with what the server answered. The page never assumes a change
//! happened until the API says so.

use consent_core::{DataSharingDocument, ProgramId, ProgramView, Timestamp};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, ETag};
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
}

impl SettingsStore {
    /// An empty store, waiting for its first load.
    pub fn new() -> SettingsStore {
        SettingsStore {
            state: RwSignal::new(Loadable::Loading),
            generation: StoredValue::new(0),
        }
    }

    /// Reads the settings from the server (again).
    ///
    /// With settings already shown, they stay on screen meanwhile. It reads
    /// the whole document rather than asking `If-None-Match`: the document's
    /// version does not move when a new notice version is published, so a
    /// 304 could hide a re-acceptance the person must see.
    pub fn load(&self, session: Session) {
        let store = *self;
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        if self.snapshot_untracked().is_none() {
            self.state.set(Loadable::Loading);
        }
        let (client, tenant) = (session.client(), session.tenant());
        spawn_local(async move {
            let result = client.get_data_sharing(&tenant).await;
            if store.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok((document, etag)) => {
                    store
                        .state
                        .try_set(Loadable::Ready(Snapshot { document, etag }));
                }
                Err(error) => {
                    store.state.try_set(Loadable::Failed(error));
                }
            }
        });
    }

    /// Tries again after a failed load; signs in again first if that is what failed.
    pub fn retry(&self, session: Session) {
        if matches!(session.sign_in_untracked(), SignIn::Failed(_)) {
            let store = *self;
            self.state.set(Loadable::Loading);
            spawn_local(async move {
                session.renew().await;
                // Signed in now: the app loads the settings. Failed again: say so again.
                if let SignIn::Failed(error) = session.sign_in_untracked() {
                    store.state.try_set(Loadable::Failed(error));
                }
            });
        } else {
            self.load(session);
        }
    }

    /// Records that the settings cannot be loaded (for example, signing in failed).
    pub fn fail(&self, error: ApiError) {
        self.state.set(Loadable::Failed(error));
    }

    /// Where loading stands (tracked).
    pub fn state(&self) -> Loadable {
        self.state.get()
    }

    /// Replaces the settings with what the server answered.
    pub fn apply(&self, document: DataSharingDocument, etag: ETag) {
        // A save may finish after the app was unmounted; then there is nothing to update.
        self.generation.try_update_value(|g| *g = g.wrapping_add(1));
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
        let pending = program
            .pending_deletion
            .as_ref()
            .filter(|deletion| !program.enabled && deletion.is_pending_at(now));
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
mod tests {
    use consent_core::{pending_deletion, ProgramId, ProgramView, Timestamp};

    use super::ProgramStatus;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn program(
        enabled: bool,
        eligible: bool,
        reconsent: bool,
        opted_out: Option<&str>,
    ) -> ProgramView {
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
}
