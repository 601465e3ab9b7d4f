//! The pieces of a program's panel: its heading and stored state, how far
//! the latest change has reached connected systems, the documents to read,
//! the acceptance box, the contact switch, the data categories, the
//! re-acceptance banner and the footer with Save and Cancel.

mod acceptance_box;
mod categories;
mod contact_switch;
mod deletion_progress;
mod footer;
mod frame;
mod heading;
mod notice_links;
mod program_switch;
mod propagation;
mod questions;
mod reconsent_banner;
mod save_failure;

pub use acceptance_box::AcceptanceBox;
pub use categories::DataCategories;
pub use contact_switch::ContactSwitch;
pub use deletion_progress::DeletionProgress;
pub use footer::PanelFooter;
pub use frame::{use_close_panel, WhenLoaded};
pub use heading::{CurrentState, PanelHeading};
pub use notice_links::{read_button_id, NoticeLinks};
pub use program_switch::ProgramSwitch;
pub use propagation::Propagation;
pub use questions::PanelQuestion;
pub use reconsent_banner::ReconsentBanner;
pub use save_failure::SaveFailure;
