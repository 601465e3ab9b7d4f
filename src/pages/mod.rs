//! One module per screen.

mod copilot_panel;
mod marketing_panel;
mod not_found;
mod panel;
mod settings;

pub use not_found::NotFound;
pub use panel::SettingPanel;
pub use settings::SettingsPage;
