//! One module per screen.

mod copilot_panel;
mod history;
mod marketing_panel;
mod not_found;
mod panel;
mod receipt;
mod settings;

pub use history::HistoryPage;
pub use not_found::NotFound;
pub use panel::SettingPanel;
pub use receipt::ReceiptPage;
pub use settings::SettingsPage;
