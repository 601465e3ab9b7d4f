//! One module per screen.

mod copilot_panel;
mod faq;
mod marketing_panel;
mod not_found;
mod notice;
mod panel;
mod program_panel;
mod reconsent_banner;
mod settings;

pub use faq::FaqPage;
pub use not_found::NotFound;
pub use notice::NoticePage;
pub use panel::SettingPanel;
pub use settings::SettingsPage;
