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

pub use certificate::{read_certificate, CertificatePage};
pub use faq::{read_faqs, FaqPage};
pub use history::{read_history, HistoryPage};
pub use not_found::NotFound;
pub use notice::{read_notice, NoticePage};
pub use panel::SettingPanel;
pub use receipt::{read_receipt, Issued, ReceiptPage};
pub use settings::SettingsPage;
