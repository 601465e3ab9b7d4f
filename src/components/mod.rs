//! Reusable, accessible pieces of the page.

mod confirm_dialog;
pub mod download;
pub mod focus;
pub mod fragment;
pub mod notice_diff;
mod notice_reader;
pub mod notice_view;
pub mod panel;
mod read_view;
mod receipt_body;
mod search_box;
mod settings_read;
mod side_panel;
mod switch;
pub mod table;
pub mod what_changed;

pub use confirm_dialog::ConfirmDialog;
pub use notice_diff::NoticeChanges;
pub use notice_reader::NoticeReader;
pub use notice_view::{NoticeBlocks, NoticeView};
pub use read_view::ReadView;
pub use receipt_body::ReceiptBody;
pub use search_box::SearchBox;
pub use settings_read::{ReadTrouble, SlowRead};
pub use side_panel::SidePanel;
pub use switch::Switch;
pub use what_changed::WhatChanged;
