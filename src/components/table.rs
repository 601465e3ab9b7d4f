//! Pieces of the tables that turn into cards on narrow screens.

use leptos::prelude::*;

/// A column's name inside a cell. On narrow screens a table's rows stack into
/// cards and these stand in for the column headers; assistive technology
/// has the real headers, so they are hidden from it.
pub fn column_label(text: String) -> impl IntoView {
    view! {
        <span class="ts-table__label" aria-hidden="true">
            {text}
        </span>
    }
}
