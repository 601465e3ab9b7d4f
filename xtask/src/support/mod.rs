//! What several xtask commands share.

pub mod browser;
