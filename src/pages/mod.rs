//! One module per screen.

mod certificate;
mod copilot_panel;
mod faq;
mod history;
mod marketing_panel;
mod not_found;
mod notice;
mod panel;
mod program_panel;
mod receipt;
mod settings;

pub use certificate::{ask_certificate_early, read_certificate, CertificatePage};
pub use faq::{ask_faqs_early, read_faqs, FaqPage};
pub use history::{ask_history_early, read_history, HistoryPage};
pub use not_found::NotFound;
pub use notice::{ask_notice_early, read_notice, NoticePage};
pub use panel::SettingPanel;
pub use receipt::{ask_receipt_early, read_receipt, ReceiptPage};
pub use settings::SettingsPage;
