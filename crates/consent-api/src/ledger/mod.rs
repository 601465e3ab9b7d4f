//! The ledger's evidence beyond the database: the Ed25519 keys that sign
//! receipts and checkpoints, and compact JWS (RFC 7515) made and checked
//! with them, so an auditor can check what the service issued with nothing
//! but its public keys.

pub mod export;
pub mod jws;
pub mod keys;

pub use keys::{LedgerKeyError, LedgerKeys};
