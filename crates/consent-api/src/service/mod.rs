//! The server's use cases, each in one transaction and free of HTTP:
//! [`change`] (one program's setting), [`deletion`] (completing deletions
//! whose deadline passed); [`document`] builds the answer callers read and
//! [`event`] a consent event's ids and receipt.

pub mod change;
pub mod decision;
pub mod deletion;
pub mod document;
pub mod event;
pub mod tenant;
pub mod webhooks;
