//! The notice documents published under the content directory.
//!
//! Layout: `<content>/<notice-id>/<version>.<language>.json`, one file per
//! published version and language. Every file is loaded and checked at start:
//! a file that does not parse, disagrees with its path or whose `sha256` does
//! not match its words stops the server, naming the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use consent_core::language::negotiate;
use consent_core::notice::{NoticeProblem, NoticeVersion, NoticeVersionSummary};
use consent_core::receipt::ReceiptNotice;
use consent_core::rules::NoticeSet;
use consent_core::{NoticeAcceptance, NoticeDocument, NoticeRef, ProgramId, Timestamp};

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

/// The notices of one program: what the consent rules decide against.
#[derive(Debug, Clone, Default)]
pub struct ProgramNotices {
    /// The current version of each required notice, in the program's order.
    pub current: Vec<NoticeVersion>,
    /// Every published version of those notices.
    pub history: Vec<NoticeVersion>,
}

impl ProgramNotices {
    /// The borrowed form the rules take.
    pub fn set(&self) -> NoticeSet<'_> {
        NoticeSet {
            current: &self.current,
            history: &self.history,
        }
    }
}

/// Every published notice, loaded once at start.
#[derive(Debug, Clone, Default)]
pub struct NoticeCatalog {
    /// id -> version -> language -> document.
    documents: BTreeMap<String, BTreeMap<u32, BTreeMap<String, NoticeDocument>>>,
    programs: BTreeMap<ProgramId, ProgramNotices>,
}

impl NoticeCatalog {
    /// Loads and checks every notice file under `dir`, and that each
    /// program's required notices exist.
    pub fn load(dir: &Path) -> Result<NoticeCatalog, ContentError> {
        let mut documents: BTreeMap<String, BTreeMap<u32, BTreeMap<String, NoticeDocument>>> =
            BTreeMap::new();
        for notice_dir in sorted_entries(dir)? {
            if !notice_dir.is_dir() {
                continue; // e.g. a README beside the notice folders
            }
            for file in sorted_entries(&notice_dir)? {
                if file.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let document = load_file(&notice_dir, &file)?;
                documents
                    .entry(document.id.clone())
                    .or_default()
                    .entry(document.version)
                    .or_default()
                    .insert(document.language.clone(), document);
            }
        }
        for (id, versions) in &documents {
            if let Some((version, _)) = versions
                .iter()
                .find(|(_, by_language)| !by_language.contains_key(REFERENCE_LANGUAGE))
            {
                return Err(ContentError::NoReferenceText {
                    id: id.clone(),
                    version: *version,
                    dir: dir.join(id),
                });
            }
        }
        let mut catalog = NoticeCatalog {
            documents,
            programs: BTreeMap::new(),
        };
        catalog
            .index_programs()
            .map_err(|(program, id)| ContentError::MissingRequiredNotice {
                id: id.to_owned(),
                program,
                dir: dir.to_owned(),
            })?;
        Ok(catalog)
    }

    /// Works out each program's current notices and their history; names
    /// the first required notice that has no version at all.
    fn index_programs(&mut self) -> Result<(), (ProgramId, &'static str)> {
        let mut programs = BTreeMap::new();
        for program in ProgramId::ALL {
            let mut notices = ProgramNotices::default();
            for id in program.required_notices() {
                let current = self.current(id).ok_or((program, *id))?;
                notices.current.push(current.version_info());
                notices
                    .history
                    .extend(self.versions(id).map(NoticeDocument::version_info));
            }
            programs.insert(program, notices);
        }
        self.programs = programs;
        Ok(())
    }

    /// The same catalog with `document` published in it: what loading would
    /// give if its file had been there. The caller has checked the document
    /// and that it does not replace a different published text.
    pub fn with(&self, document: NoticeDocument) -> NoticeCatalog {
        let mut catalog = self.clone();
        catalog
            .documents
            .entry(document.id.clone())
            .or_default()
            .entry(document.version)
            .or_default()
            .insert(document.language.clone(), document);
        // Adding a version never takes one away, so every required notice still has one.
        let _ = catalog.index_programs();
        catalog
    }

    /// The published document with this id, version and language, if any.
    pub fn exact(&self, id: &str, version: u32, language: &str) -> Option<&NoticeDocument> {
        self.documents.get(id)?.get(&version)?.get(language)
    }

    /// The current (highest) version of notice `id`, in the reference language.
    pub fn current(&self, id: &str) -> Option<&NoticeDocument> {
        self.versions(id).last()
    }

    /// Version `version` of notice `id`, in the reference language.
    pub fn version(&self, id: &str, version: u32) -> Option<&NoticeDocument> {
        self.documents
            .get(id)?
            .get(&version)?
            .get(REFERENCE_LANGUAGE)
    }

    /// Every version of notice `id` in the reference language, oldest first.
    pub fn versions<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a NoticeDocument> + 'a {
        self.documents
            .get(id)
            .into_iter()
            .flat_map(|versions| versions.values())
            .filter_map(|by_language| by_language.get(REFERENCE_LANGUAGE))
    }

    /// The current version of every notice, ordered by id.
    pub fn current_all(&self) -> impl Iterator<Item = &NoticeDocument> {
        self.documents.keys().filter_map(|id| self.current(id))
    }

    /// Every loaded document, every version and language.
    pub fn all(&self) -> impl Iterator<Item = &NoticeDocument> {
        self.documents
            .values()
            .flat_map(|v| v.values())
            .flat_map(|l| l.values())
    }

    /// The languages version `version` of notice `id` is published in, sorted.
    pub fn languages(&self, id: &str, version: u32) -> Vec<&str> {
        self.documents
            .get(id)
            .and_then(|versions| versions.get(&version))
            .map(|by_language| by_language.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Version `version` of notice `id` in the language `accept_language`
    /// asks for most, or in the reference language when it has none of them.
    pub fn negotiated(
        &self,
        id: &str,
        version: u32,
        accept_language: Option<&str>,
    ) -> Option<&NoticeDocument> {
        let by_language = self.documents.get(id)?.get(&version)?;
        let available: Vec<&str> = by_language.keys().map(String::as_str).collect();
        let language = negotiate(accept_language, &available, REFERENCE_LANGUAGE);
        by_language
            .get(language)
            .or_else(|| by_language.get(REFERENCE_LANGUAGE))
    }

    /// A version's summary (the reference wording's) with every language it is published in.
    pub fn summary(&self, document: &NoticeDocument) -> NoticeVersionSummary {
        NoticeVersionSummary {
            languages: self
                .languages(&document.id, document.version)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            ..document.summary()
        }
    }

    /// The notice versions `refs` names, described for a consent receipt:
    /// those accepted with this change (`shown`) in the language the admin
    /// read, with that wording's hash and title; the others, accepted
    /// earlier, in the reference wording.
    pub fn describe(&self, refs: &[NoticeRef], shown: &[NoticeAcceptance]) -> Vec<ReceiptNotice> {
        refs.iter()
            .map(|reference| {
                let language = shown
                    .iter()
                    .find(|a| a.id == reference.id && a.version == reference.version)
                    .map_or(REFERENCE_LANGUAGE, NoticeAcceptance::language);
                let document = self
                    .exact(&reference.id, reference.version, language)
                    .or_else(|| self.version(&reference.id, reference.version));
                ReceiptNotice {
                    id: reference.id.clone(),
                    version: reference.version,
                    sha256: document.map_or_else(|| reference.sha256.clone(), |d| d.sha256.clone()),
                    language: document
                        .map_or(REFERENCE_LANGUAGE.to_owned(), |d| d.language.clone()),
                    title: document.map_or_else(|| reference.id.clone(), |d| d.title.clone()),
                }
            })
            .collect()
    }

    /// Checks the languages of the acceptances in a change and names each by
    /// its reference version, as the consent rules compare them.
    ///
    /// An acceptance may carry the reference wording's hash (as the
    /// data-sharing document lists it) or the hash of the wording in its
    /// language; the latter is replaced by the former. A version that is
    /// published, but not in the language named, is refused with that
    /// notice's id; a version that is not published at all is left for the
    /// rules to refuse.
    pub fn resolve_acceptances(
        &self,
        acceptances: &[NoticeAcceptance],
    ) -> Result<Vec<NoticeAcceptance>, UnavailableLanguage> {
        acceptances
            .iter()
            .map(|acceptance| {
                let Some(reference) = self.version(&acceptance.id, acceptance.version) else {
                    return Ok(acceptance.clone());
                };
                let Some(shown) =
                    self.exact(&acceptance.id, acceptance.version, acceptance.language())
                else {
                    return Err(UnavailableLanguage {
                        id: acceptance.id.clone(),
                        version: acceptance.version,
                        language: acceptance.language().to_owned(),
                        available: self
                            .languages(&acceptance.id, acceptance.version)
                            .join(", "),
                    });
                };
                let mut resolved = acceptance.clone();
                if acceptance.sha256 == shown.sha256 {
                    resolved.sha256 = reference.sha256.clone();
                }
                Ok(resolved)
            })
            .collect()
    }

    /// The notices a program's rules decide against.
    pub fn for_program(&self, program: ProgramId) -> NoticeSet<'_> {
        self.programs
            .get(&program)
            .map(ProgramNotices::set)
            .unwrap_or(NoticeSet {
                current: &[],
                history: &[],
            })
    }
}

/// An acceptance names a language its notice version is not published in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "version {version} of notice {id:?} is not published in {language:?}; it is in: {available}"
)]
pub struct UnavailableLanguage {
    pub id: String,
    pub version: u32,
    pub language: String,
    pub available: String,
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
