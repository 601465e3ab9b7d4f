//! Deep links into content that arrives after the page: `/faq#question-id`
//! opens that question and brings it into view, once the questions are there.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDetailsElement, HtmlElement};

/// Follows the address's fragment whenever it changes and `ready` is true.
///
/// The target is the element whose id is `element_id(fragment)` (ids on the
/// page are prefixed, so a host page's ids never clash with ours). A
/// `<details>` target is opened and its summary focused; any other target is
/// focused itself. Either way it is scrolled into view.
pub fn follow_fragment(ready: Signal<bool>, element_id: impl Fn(&str) -> String + 'static) {
    let location = use_location();
    Effect::new(move |_| {
        let hash = location.hash.get();
        if !ready.get() {
            return;
        }
        let fragment = hash.trim_start_matches('#');
        if fragment.is_empty() {
            return;
        }
        let fragment = js_sys::decode_uri_component(fragment)
            .ok()
            .and_then(|f| f.as_string())
            .unwrap_or_else(|| fragment.to_owned());
        let id = element_id(&fragment);
        // After the content for this address is on the page.
        request_animation_frame(move || reveal(&id));
    });
}

/// Opens, scrolls to and focuses the element with this id, if there is one.
pub fn reveal(id: &str) {
    let Some(target) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    let focus_on = match target.dyn_ref::<HtmlDetailsElement>() {
        Some(details) => {
            details.set_open(true);
            details
                .query_selector("summary")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<HtmlElement>().ok())
        }
        None => target.clone().dyn_into::<HtmlElement>().ok(),
    };
    target.scroll_into_view();
    if let Some(element) = focus_on {
        let options = web_sys::FocusOptions::new();
        // Already scrolled to; focusing must not jump again.
        options.set_prevent_scroll(true);
        let _ = element.focus_with_options(&options);
    }
}
