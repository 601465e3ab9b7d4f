//! The current notices (id, title, version), read once per page.
//!
//! The list is public and the server lets the browser cache it, so the app
//! requests it at start, in parallel with signing in and reading the
//! settings, instead of after them: screens that name or link a notice find
//! it here without a request of their own.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, NoticeSummary};

/// A `Copy` handle to the notices, provided as context by the app.
#[derive(Clone, Copy)]
pub struct NoticeIndex {
    /// `None` until the list has arrived (or if it could not be read).
    notices: RwSignal<Option<Vec<NoticeSummary>>>,
}

impl NoticeIndex {
    /// Starts reading the list with `client` (no credentials needed).
    pub fn load(client: ApiClient) -> NoticeIndex {
        let index = NoticeIndex {
            notices: RwSignal::new(None),
        };
        spawn_local(async move {
            // Only names and versions are lost if this fails: every screen
            // still works from the settings document, which lists each
            // program's current notices itself.
            if let Ok(list) = client.list_notices().await {
                index.notices.try_set(Some(list));
            }
        });
        index
    }

    /// The current version of notice `id`, once the list has arrived (tracked).
    pub fn get(&self, id: &str) -> Option<NoticeSummary> {
        self.notices
            .with(|list| list.as_ref()?.iter().find(|n| n.id == id).cloned())
    }
}

/// The notices of the surrounding app.
pub fn use_notices() -> NoticeIndex {
    expect_context::<NoticeIndex>()
}
