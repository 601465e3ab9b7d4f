//! Reusable, accessible pieces of the page.

mod confirm_dialog;
pub mod focus;
mod side_panel;
mod switch;

pub use confirm_dialog::ConfirmDialog;
pub use side_panel::SidePanel;
pub use switch::Switch;
