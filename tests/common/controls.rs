//! Finding a panel's controls the way a person does, by role and accessible
//! name, waiting for them to appear.

use web_sys::HtmlElement;

use super::{by_role, wait_for};

/// The accessible name of a program panel's switch.
pub const SWITCH: &str = "Enable data sharing";

/// Waits for the control with this role and accessible name inside `within`.
pub async fn control(within: &HtmlElement, role: &str, name: &str) -> HtmlElement {
    let what = format!("{role} {name:?}");
    wait_for(&what, || by_role(within, role, name)).await
}

/// Waits for the panel's "Enable data sharing" switch.
pub async fn panel_switch(panel: &HtmlElement) -> HtmlElement {
    control(panel, "switch", SWITCH).await
}
