//! Performance marks of the moments people wait for, read by
//! `cargo xtask bench` through the browser's Performance API.
//!
//! Each is set once per page, the first time the moment happens; a time is
//! the mark's `startTime`, in milliseconds from the start of navigation.

/// The settings list first shows the tenant's live settings.
pub const SETTINGS_RENDERED: &str = "ts:settings-rendered";

/// A panel's switch first takes input.
pub const PANEL_INTERACTIVE: &str = "ts:panel-interactive";

/// Sets the mark `name`, unless the page has it already.
pub fn mark_once(name: &str) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    if performance.get_entries_by_name(name).length() == 0 {
        // A browser without User Timing only loses the measurement.
        let _ = performance.mark(name);
    }
}
