//! Reusable, accessible pieces of the page.

mod confirm_dialog;
pub mod download;
pub mod focus;
mod side_panel;
mod switch;
mod what_changed;

pub use confirm_dialog::ConfirmDialog;
pub use side_panel::SidePanel;
pub use switch::Switch;
pub use what_changed::WhatChanged;
