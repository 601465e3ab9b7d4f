//! Keyboard focus: moving it, and keeping it inside a modal dialog.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// What can take keyboard focus inside a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// Moves focus to the element with this id, if it exists and can take focus.
pub fn focus_by_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// Whether nothing in particular has focus: it fell back to the page's
/// body, or it is on a control that was just disabled (the browser moves it
/// to the body at its next rendering step).
pub fn focus_is_lost() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match (document.active_element(), document.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => {
            active == *body.unchecked_ref::<Element>()
                || active.matches(":disabled").unwrap_or(false)
        }
        (Some(_), None) => false,
    }
}

/// The id of the element that has focus, if it has one.
pub fn focused_id() -> Option<String> {
    let active = web_sys::window()?.document()?.active_element()?;
    Some(active.id()).filter(|id| !id.is_empty())
}

/// Moves focus to `element`.
pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}

/// Keeps Tab and Shift+Tab cycling inside `container` (a modal dialog).
pub fn trap_tab(container: &Element, event: &KeyboardEvent) {
    let Ok(nodes) = container.query_selector_all(FOCUSABLE) else {
        return;
    };
    let focusable: Vec<HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        // Elements that are not rendered (hidden, display: none) have no offset parent.
        .filter(|e| e.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        event.prevent_default();
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let is = |candidate: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == candidate.unchecked_ref::<Element>())
    };
    let outside = active
        .as_ref()
        .is_none_or(|a| !container.contains(Some(a)) || a == container);
    if event.shift_key() {
        if outside || is(first) {
            event.prevent_default();
            let _ = last.focus();
        }
    } else if outside || is(last) {
        event.prevent_default();
        let _ = first.focus();
    }
}

/// The id of a program's row link, where focus returns when its panel closes.
pub fn row_id(ids: crate::routes::Ids, program: consent_core::ProgramId) -> String {
    ids.id(&format!("row-{}", program.as_str()))
}
