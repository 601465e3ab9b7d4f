//! The page's data layer: reads from the consent API as resources that try
//! again by themselves, and the timers they use.
//!
//! - [`Read`]: one read (a `LocalResource` keyed on what the page shows),
//!   with the sign-in wait, the slow notice, the back-off retries and the
//!   sign-in renewal written once. Screens render it with
//!   [`crate::components::ReadView`]. [`ask_early`] sends a lazy screen's
//!   first requests while its code is still on its way.
//! - [`Retry`]: the countdown to the next try after a failed read; the
//!   back-off rules ([`read_backoff`], [`worth_retrying`]) are shared with
//!   the settings store (`state.rs`).
//! - [`Timeout`]: a timer that is cleared when its component goes away.

mod read;
mod retry;
mod timer;

pub use read::{ask_early, use_read, Read, ReadState, ReadStatus};
pub use retry::{ReadTrouble, Retry, SLOW_AFTER};
pub use timer::Timeout;
