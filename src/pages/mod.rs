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

pub use certificate::CertificatePage;
pub use faq::FaqPage;
pub use history::HistoryPage;
pub use not_found::NotFound;
pub use notice::NoticePage;
pub use panel::SettingPanel;
pub use receipt::ReceiptPage;
pub use settings::SettingsPage;
