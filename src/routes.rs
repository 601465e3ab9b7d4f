//! The app's addresses, under the route base path a host gives it.

use std::sync::atomic::{AtomicU32, Ordering};

use consent_core::routes::{NOTICES, NOTICE_VERSION, RECEIPTS};
use consent_core::ProgramId;
use leptos::prelude::*;

/// The settings list, the history and the FAQ: declared once, in
/// `consent_core::routes`, with the router and the server's deep links.
pub use consent_core::routes::{FAQ, HISTORY, SETTINGS};

/// The panel of one program.
pub fn panel(program: ProgramId) -> String {
    format!("{SETTINGS}/{}", program.panel_slug())
}

/// The full text of a notice.
pub fn notice(id: &str) -> String {
    format!("{NOTICES}/{id}")
}

/// The consent history, of one program or (for `None`) of all.
pub fn history_of(program: Option<ProgramId>) -> String {
    history_as_of(program, None)
}

/// The consent history with the settings as they stood at `at` shown above it.
pub fn history_as_of(program: Option<ProgramId>, at: Option<consent_core::Timestamp>) -> String {
    let mut query = Vec::new();
    if let Some(program) = program {
        query.push(format!("program={}", program.as_str()));
    }
    if let Some(at) = at {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        query.push(format!("at={}", js_sys::encode_uri_component(&at)));
    }
    match query.is_empty() {
        true => HISTORY.to_owned(),
        false => format!("{HISTORY}?{}", query.join("&")),
    }
}

/// The deletion certificate of an opt-out, readable and printable.
pub fn deletion_certificate(opt_out_event_id: &str) -> String {
    format!(
        "{HISTORY}/{}/{}",
        consent_core::routes::DELETIONS,
        js_sys::encode_uri_component(opt_out_event_id)
    )
}

/// A consent receipt, readable.
pub fn receipt(id: &str) -> String {
    format!("{HISTORY}/{RECEIPTS}/{}", js_sys::encode_uri_component(id))
}

/// The full text of one version of a notice.
pub fn notice_version(id: &str, version: u32) -> String {
    format!("{NOTICES}/{id}/{NOTICE_VERSION}/{version}")
}

/// One question of the FAQ, opened.
pub fn faq_question(question_id: &str) -> String {
    format!("{FAQ}#{question_id}")
}

/// A `Copy` handle to the route base path (empty at the site root).
#[derive(Clone, Copy)]
pub struct RouteBase(StoredValue<String>);

impl RouteBase {
    /// Remembers `base` without a trailing slash.
    pub fn new(base: &str) -> RouteBase {
        RouteBase(StoredValue::new(base.trim_end_matches('/').to_owned()))
    }

    /// The `href` of an app path such as `/settings`.
    pub fn href(&self, path: &str) -> String {
        self.0.with_value(|base| format!("{base}{path}"))
    }
}

/// The route base of the surrounding app.
pub fn use_route_base() -> RouteBase {
    expect_context::<RouteBase>()
}

/// Makes element ids unique to one mounted app, so two apps on one page never clash.
#[derive(Clone, Copy)]
pub struct Ids(u32);

impl Ids {
    /// A fresh prefix for a newly mounted app.
    pub fn fresh() -> Ids {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        Ids(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// The id of the app's element called `name`.
    pub fn id(&self, name: &str) -> String {
        format!("ts{}-{name}", self.0)
    }
}

/// The id maker of the surrounding app.
pub fn use_ids() -> Ids {
    expect_context::<Ids>()
}
