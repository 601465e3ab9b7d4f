//! The failure and slow notices of the settings read, for the list and the
//! panels: the shared notices over the app's [`SettingsStore`].

use leptos::prelude::*;

use super::read_view::{ReadFailed, SlowNote};
use crate::data::ReadStatus;
use crate::i18n::use_i18n;
use crate::session::{use_session, SignIn};
use crate::state::{use_settings, Loadable, SettingsStore};

/// The settings read as the shared notices see it.
fn settings_status(store: SettingsStore) -> ReadStatus {
    let session = use_session();
    ReadStatus {
        trouble: Signal::derive(move || store.trouble()),
        slow: Signal::derive(move || store.slow()),
        retry: Callback::new(move |()| store.retry(session)),
    }
}

/// What the page says when reading the settings failed: what went wrong
/// (announced), the countdown to the next try the page makes by itself, and
/// a button to try now. With settings on screen, it says they may be out of
/// date and leaves them, and every unsaved change, in place.
#[component]
pub fn ReadTrouble() -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let session = use_session();
    let lead = Signal::derive(move || {
        let shown = matches!(store.state(), Loadable::Ready(_));
        match session.sign_in() {
            SignIn::Failed(_) => tr!(t, "dev-sign-in-failed"),
            _ if shown => tr!(t, "refresh-failed"),
            _ => tr!(t, "load-failed"),
        }
    });
    view! { <ReadFailed status=settings_status(store) lead /> }
}

/// Says, once the settings read has waited a while, that the server is slow.
#[component]
pub fn SlowRead() -> impl IntoView {
    view! { <SlowNote status=settings_status(use_settings()) /> }
}
