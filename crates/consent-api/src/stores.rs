//! The data stores that hold shared data, read from `stores.json` (or
//! `--stores-file`) at start and checked like the notices: a file that does
//! not parse or names a store badly stops the server, naming the file and
//! the field.

use std::path::{Path, PathBuf};

use consent_core::deletion::{StoreCatalog, StoresProblem};

/// Why the stores file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoresError {
    #[error("stores file {}: {source}", file.display())]
    Unreadable {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("stores file {}: {problem}", file.display())]
    Invalid {
        file: PathBuf,
        problem: StoresProblem,
    },
}

/// Reads and checks the stores file.
pub fn load(file: &Path) -> Result<StoreCatalog, StoresError> {
    let text = std::fs::read_to_string(file).map_err(|source| StoresError::Unreadable {
        file: file.to_owned(),
        source,
    })?;
    StoreCatalog::parse(&text).map_err(|problem| StoresError::Invalid {
        file: file.to_owned(),
        problem,
    })
}
