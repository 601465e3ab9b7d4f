//! The notice documents published under the content directory.
//!
//! Layout: `<content>/<notice-id>/<version>.<language>.json`, one file per
//! published version and language. Every file is loaded and checked at start:
//! a file that does not parse, disagrees with its path or whose `sha256` does
//! not match its words stops the server, naming the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use consent_core::catalog::CatalogError;
use consent_core::notice::NoticeProblem;
use consent_core::{NoticeDocument, NoticeRef, ProgramId, Timestamp};

use crate::store::{PublishError, Store};

/// The language of the reference wording: the one the consent rules and
/// acceptances use, and the one served by default.
pub use consent_core::language::REFERENCE_LANGUAGE;

/// Why the content directory cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("content directory {}: {source}", dir.display())]
    Unreadable {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("notice file {}: {problem}", file.display())]
    BadFile { file: PathBuf, problem: String },
    #[error("notice {id:?} version {version} has no {REFERENCE_LANGUAGE:?} file in {}", dir.display())]
    NoReferenceText {
        id: String,
        version: u32,
        dir: PathBuf,
    },
    #[error("notice {id:?}, required by the {program} program, has no file under {}", dir.display())]
    MissingRequiredNotice {
        id: String,
        program: ProgramId,
        dir: PathBuf,
    },
}

/// Every published notice, loaded once at start (the catalog's logic is consent-core's).
pub use consent_core::catalog::{NoticeCatalog, ProgramNotices, UnavailableLanguage};

/// Loads and checks every notice file under `dir`, and that each program's
/// required notices exist.
pub fn load(dir: &Path) -> Result<NoticeCatalog, ContentError> {
    let mut documents = Vec::new();
    for notice_dir in sorted_entries(dir)? {
        if !notice_dir.is_dir() {
            continue; // e.g. a README beside the notice folders
        }
        for file in sorted_entries(&notice_dir)? {
            if file.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            documents.push(load_file(&notice_dir, &file)?);
        }
    }
    NoticeCatalog::new(documents).map_err(|error| match error {
        CatalogError::NoReferenceText { id, version } => ContentError::NoReferenceText {
            dir: dir.join(&id),
            id,
            version,
        },
        CatalogError::MissingRequiredNotice { id, program } => {
            ContentError::MissingRequiredNotice {
                id,
                program,
                dir: dir.to_owned(),
            }
        }
    })
}

/// Why a notice version cannot be published while the server runs.
#[derive(Debug, thiserror::Error)]
pub enum PublishNoticeError {
    #[error(transparent)]
    Invalid(#[from] NoticeProblem),
    #[error(
        "version {version} of notice {id:?} ({language}) is already published with other words; \
         published versions are never edited: publish a new version instead"
    )]
    AlreadyPublished {
        id: String,
        version: u32,
        language: String,
    },
    #[error(
        "notice {id:?} version {version} has no {REFERENCE_LANGUAGE:?} text; publish that first"
    )]
    NoReferenceText { id: String, version: u32 },
    #[error(transparent)]
    Database(sqlx::Error),
}

/// The notice catalog as request handlers share it.
///
/// A handler takes one snapshot ([`SharedNotices::get`]) and decides with it
/// throughout, so a version published meanwhile never mixes into a request
/// half-way. Publishing builds a new catalog and swaps it in whole.
#[derive(Clone)]
pub struct SharedNotices {
    catalog: Arc<RwLock<Arc<NoticeCatalog>>>,
    /// One publication at a time, so two cannot both pass the checks.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

impl SharedNotices {
    /// Shares `catalog`.
    pub fn new(catalog: NoticeCatalog) -> SharedNotices {
        SharedNotices {
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            publishing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The catalog as it is now.
    pub fn get(&self) -> Arc<NoticeCatalog> {
        self.catalog
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Publishes `document` as if its file had been added to the content
    /// directory: checked the same way (its `sha256` is computed when
    /// empty), recorded in the database, then served. Publishing the very
    /// same text again changes nothing and answers the same reference.
    pub async fn publish(
        &self,
        store: &Store,
        mut document: NoticeDocument,
        now: Timestamp,
    ) -> Result<NoticeRef, PublishNoticeError> {
        if document.sha256.is_empty() {
            document.sha256 = document.canonical_sha256();
        }
        document.validate()?;
        let _one_at_a_time = self.publishing.lock().await;
        let catalog = self.get();
        if let Some(published) = catalog.exact(&document.id, document.version, &document.language) {
            return if published.sha256 == document.sha256 {
                Ok(published.reference())
            } else {
                Err(PublishNoticeError::AlreadyPublished {
                    id: document.id,
                    version: document.version,
                    language: document.language,
                })
            };
        }
        if document.language != REFERENCE_LANGUAGE
            && catalog.version(&document.id, document.version).is_none()
        {
            return Err(PublishNoticeError::NoReferenceText {
                id: document.id,
                version: document.version,
            });
        }
        store
            .publish_notice(&document, now)
            .await
            .map_err(|error| match error {
                PublishError::Edited {
                    id,
                    version,
                    language,
                    ..
                } => PublishNoticeError::AlreadyPublished {
                    id,
                    version,
                    language,
                },
                PublishError::Database(error) => PublishNoticeError::Database(error),
            })?;
        let reference = document.reference();
        let next = Arc::new(catalog.with(document));
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(reference)
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ContentError> {
    let unreadable = |source| ContentError::Unreadable {
        dir: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    entries.sort();
    Ok(entries)
}

/// Reads one `<version>.<language>.json` file and checks it against its path.
fn load_file(notice_dir: &Path, file: &Path) -> Result<NoticeDocument, ContentError> {
    let bad = |problem: String| ContentError::BadFile {
        file: file.to_owned(),
        problem,
    };
    let dir_id = notice_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = file
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (version, language) = stem
        .split_once('.')
        .and_then(|(v, l)| Some((v.parse::<u32>().ok()?, l)))
        .filter(|(_, l)| !l.is_empty())
        .ok_or_else(|| {
            bad("the file name must be <version>.<language>.json, e.g. 1.en.json".into())
        })?;

    let text = std::fs::read_to_string(file).map_err(|e| bad(e.to_string()))?;
    let document: NoticeDocument =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a notice document: {e}")))?;
    if document.id != dir_id {
        return Err(bad(format!(
            "its id {:?} differs from its folder {dir_id:?}",
            document.id
        )));
    }
    if document.version != version {
        return Err(bad(format!(
            "its version {} differs from its file name ({version})",
            document.version
        )));
    }
    if document.language != language {
        return Err(bad(format!(
            "its language {:?} differs from its file name ({language:?})",
            document.language
        )));
    }
    if document.sha256.is_empty() {
        return Err(bad(format!(
            "it has no sha256; the hash of its content is {}",
            document.canonical_sha256()
        )));
    }
    document
        .validate()
        .map_err(|problem| bad(problem.to_string()))?;
    Ok(document)
}
