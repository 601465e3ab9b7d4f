//! "Applied by N of N connected systems": how far the program's latest
//! change has reached the systems that use the data (acknowledged webhook
//! deliveries), under the stored state.

use std::time::Duration;

use consent_core::{ProgramId, ProgramPropagation};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::data::Timeout;
use crate::i18n::{use_i18n, I18n};
use crate::session::use_session;
use crate::state::use_settings;

/// Reads again this often while systems are still applying the change…
const SOON: Duration = Duration::from_millis(500);
/// …for this many reads, then at [`LATER`]…
const QUICK_READS: u32 = 20;
const LATER: Duration = Duration::from_secs(5);
/// …and gives up after this many, leaving the last count on screen.
const MAX_READS: u32 = 60;

/// The propagation line of `program`, when systems are connected; nothing otherwise.
#[component]
pub fn Propagation(
    /// The program whose latest change to follow.
    program: ProgramId,
) -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let session = use_session();
    let shown = RwSignal::new(None::<ProgramPropagation>);
    let next_read = Timeout::new();
    // Counts the reads of the stored version being followed.
    let reads = RwSignal::new(0u32);
    // A save, here or elsewhere, is a new latest change to follow.
    let version = Memo::new(move |_| store.snapshot().map(|s| s.document.version));
    Effect::new(move |followed: Option<Option<i64>>| {
        let now_following = version.get();
        if followed.is_some_and(|f| f != now_following) {
            reads.set(0);
        }
        let count = reads.get();
        if now_following.is_none() || count >= MAX_READS {
            return now_following;
        }
        let (client, tenant) = (session.client(), session.tenant());
        spawn_local(async move {
            // Secondary information: a failed read leaves the line as it was.
            let Ok(document) = client.get_propagation(&tenant).await else {
                return;
            };
            let entry = document.program(program).cloned();
            let settled = entry.as_ref().is_none_or(ProgramPropagation::settled);
            shown.try_set(entry);
            if !settled {
                let delay = if count < QUICK_READS { SOON } else { LATER };
                next_read.start(delay, move || {
                    reads.try_update(|n| *n += 1);
                });
            }
        });
        now_following
    });
    // Always there, so that assistive technology announces the count as it changes.
    view! {
        <p class="ts-note ts-panel__propagation" role="status">
            {move || shown.get().map(|entry| words(t, &entry))}
        </p>
    }
}

/// The line in words.
fn words(t: I18n, entry: &ProgramPropagation) -> String {
    let (applied, connected, failed) = (entry.applied, entry.connected, entry.failed);
    if !entry.settled() {
        tr!(
            t,
            "propagation-pending",
            applied = applied,
            connected = connected
        )
    } else if failed > 0 {
        tr!(
            t,
            "propagation-failed",
            applied = applied,
            connected = connected,
            failed = failed
        )
    } else {
        tr!(
            t,
            "propagation-applied",
            applied = applied,
            connected = connected
        )
    }
}
