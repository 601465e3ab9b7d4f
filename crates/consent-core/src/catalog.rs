//! The notice catalog: every published notice version in every language,
//! and what follows from them: each notice's current version, each
//! program's notices (what its rules decide against), the languages a
//! version is published in, and how an acceptance names its version.
//!
//! Plain data, no I/O: the server fills it from its content directory and
//! from notices published while it runs.
//!
//! Over 400 lines only with its tables of tests; the catalog is under 300.

use std::collections::BTreeMap;

use crate::language::{negotiate, REFERENCE_LANGUAGE};
use crate::notice::{NoticeVersion, NoticeVersionSummary};
use crate::receipt::ReceiptNotice;
use crate::rules::NoticeSet;
use crate::{NoticeAcceptance, NoticeDocument, NoticeRef, ProgramId};

/// Why a set of notice documents is not a catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("notice {id:?} version {version} has no {REFERENCE_LANGUAGE:?} text")]
    NoReferenceText { id: String, version: u32 },
    #[error("notice {id:?}, required by the {program} program, has no version")]
    MissingRequiredNotice { id: String, program: ProgramId },
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

/// Every published notice, by id, version and language.
#[derive(Debug, Clone, Default)]
pub struct NoticeCatalog {
    /// id -> version -> language -> document.
    documents: BTreeMap<String, BTreeMap<u32, BTreeMap<String, NoticeDocument>>>,
    programs: BTreeMap<ProgramId, ProgramNotices>,
}

impl NoticeCatalog {
    /// The catalog of `documents`: every version of every notice must have
    /// its reference wording, and each program's required notices a version.
    pub fn new(
        documents: impl IntoIterator<Item = NoticeDocument>,
    ) -> Result<NoticeCatalog, CatalogError> {
        let mut by_id: BTreeMap<String, BTreeMap<u32, BTreeMap<String, NoticeDocument>>> =
            BTreeMap::new();
        for document in documents {
            by_id
                .entry(document.id.clone())
                .or_default()
                .entry(document.version)
                .or_default()
                .insert(document.language.clone(), document);
        }
        for (id, versions) in &by_id {
            if let Some((version, _)) = versions
                .iter()
                .find(|(_, by_language)| !by_language.contains_key(REFERENCE_LANGUAGE))
            {
                return Err(CatalogError::NoReferenceText {
                    id: id.clone(),
                    version: *version,
                });
            }
        }
        let mut catalog = NoticeCatalog {
            documents: by_id,
            programs: BTreeMap::new(),
        };
        catalog
            .index_programs()
            .map_err(|(program, id)| CatalogError::MissingRequiredNotice {
                id: id.to_owned(),
                program,
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

    /// The notices `program`'s rules decided against at `at`: each required
    /// notice's latest version in effect by then (its `effective_date`; the
    /// first version if none was yet), and the versions in effect by then.
    pub fn for_program_as_of(&self, program: ProgramId, at: crate::Timestamp) -> ProgramNotices {
        let day = at.date_naive();
        let mut notices = ProgramNotices::default();
        for id in program.required_notices() {
            let versions: Vec<&NoticeDocument> = self.versions(id).collect();
            let in_effect: Vec<&NoticeDocument> = versions
                .iter()
                .copied()
                .filter(|document| document.effective_date <= day)
                .collect();
            let current = in_effect.last().or(versions.first());
            if let Some(current) = current {
                notices.current.push(current.version_info());
            }
            let history = if in_effect.is_empty() {
                &versions[..1.min(versions.len())]
            } else {
                &in_effect[..]
            };
            notices
                .history
                .extend(history.iter().map(|document| document.version_info()));
        }
        notices
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A document whose hash is written by hand: the catalog compares hashes, it does not compute them.
    fn doc(id: &str, version: u32, language: &str, material: bool) -> NoticeDocument {
        serde_json::from_value(serde_json::json!({
            "id": id, "version": version, "effective_date": "2026-11-01",
            "sha256": format!("{id}-{version}-{language}"),
            "language": language, "title": format!("{id} {version} {language}"),
            "material_change": material,
            "sections": [{"id": "a", "heading": "A", "blocks": [
                {"type": "paragraph", "runs": [{"text": "Hello"}]}
            ]}]
        }))
        .unwrap()
    }

    /// Every notice the programs require, version 1 in English.
    fn required() -> Vec<NoticeDocument> {
        ProgramId::ALL
            .into_iter()
            .flat_map(|p| p.required_notices().iter())
            .map(|id| doc(id, 1, "en", true))
            .collect()
    }

    fn catalog(extra: Vec<NoticeDocument>) -> NoticeCatalog {
        NoticeCatalog::new(required().into_iter().chain(extra)).unwrap()
    }

    fn acceptance(
        id: &str,
        version: u32,
        sha256: &str,
        language: Option<&str>,
    ) -> NoticeAcceptance {
        serde_json::from_value(serde_json::json!({
            "id": id, "version": version, "sha256": sha256, "language": language,
        }))
        .unwrap()
    }

    // Guards the current version: the highest published, in the reference
    // wording, whatever order the documents came in and whatever the translations.
    #[test]
    fn the_current_version_is_the_highest_in_the_reference_language() {
        let c = catalog(vec![
            doc("copilot-data-sharing", 3, "en", true),
            doc("copilot-data-sharing", 2, "en", false),
            doc("copilot-data-sharing", 3, "de", true),
        ]);
        let current = c.current("copilot-data-sharing").unwrap();
        assert_eq!((current.version, current.language.as_str()), (3, "en"));
        let versions: Vec<u32> = c
            .versions("copilot-data-sharing")
            .map(|d| d.version)
            .collect();
        assert_eq!(versions, [1, 2, 3]);
        assert_eq!(c.languages("copilot-data-sharing", 3), ["de", "en"]);
        assert_eq!(c.languages("copilot-data-sharing", 2), ["en"]);
        assert!(c.current("no-such-notice").is_none());
        assert_eq!(c.current_all().count(), 3);
        assert_eq!(c.all().count(), 6);
    }

    // Guards the per-program index: each program's required notices, current
    // and every version, and nothing of another program's.
    #[test]
    fn each_program_decides_against_its_own_notices() {
        let c = catalog(vec![doc("marketing-nda", 2, "en", false)]);
        let marketing = c.for_program(ProgramId::Marketing);
        let current: Vec<(&str, u32)> = marketing
            .current
            .iter()
            .map(|v| (v.id.as_str(), v.version))
            .collect();
        assert_eq!(
            current,
            [("marketing-human-review", 1), ("marketing-nda", 2)]
        );
        assert_eq!(marketing.history.len(), 3);
        let copilot = c.for_program(ProgramId::Copilot);
        assert_eq!(copilot.current.len(), 1);
        assert_eq!(copilot.current[0].id, "copilot-data-sharing");
        assert_eq!(copilot.history.len(), 1);
    }

    // Guards publishing into a catalog: the new version becomes current for its program.
    #[test]
    fn a_published_version_becomes_current_for_its_program() {
        let c = catalog(Vec::new()).with(doc("copilot-data-sharing", 2, "en", true));
        let copilot = c.for_program(ProgramId::Copilot);
        assert_eq!(copilot.current[0].version, 2);
        assert_eq!(copilot.history.len(), 2);
    }

    // Guards the refusals: a version without its reference wording, a required notice without any version.
    #[test]
    fn incomplete_content_is_refused() {
        let without_english = NoticeCatalog::new(required().into_iter().chain([doc(
            "copilot-data-sharing",
            2,
            "de",
            true,
        )]));
        assert_eq!(
            without_english.unwrap_err(),
            CatalogError::NoReferenceText {
                id: "copilot-data-sharing".into(),
                version: 2
            }
        );
        let missing =
            NoticeCatalog::new(required().into_iter().filter(|d| d.id != "marketing-nda"));
        assert_eq!(
            missing.unwrap_err(),
            CatalogError::MissingRequiredNotice {
                id: "marketing-nda".into(),
                program: ProgramId::Marketing
            }
        );
    }

    // Guards acceptance resolution, case by case: the reference hash stays,
    // a translation's hash becomes the reference's, an unpublished language
    // is refused naming the ones there are, an unpublished version is left
    // for the rules.
    #[test]
    fn acceptances_are_named_by_their_reference_version() {
        let c = catalog(vec![doc("copilot-data-sharing", 1, "de", true)]);
        let id = "copilot-data-sharing";
        let reference = "copilot-data-sharing-1-en";
        let german = "copilot-data-sharing-1-de";
        let cases = [
            (acceptance(id, 1, reference, None), Ok(reference)),
            (acceptance(id, 1, reference, Some("de")), Ok(reference)),
            (acceptance(id, 1, german, Some("de")), Ok(reference)),
            (acceptance(id, 1, "other", Some("de")), Ok("other")),
            (
                acceptance(id, 9, "unpublished", Some("fr")),
                Ok("unpublished"),
            ),
            (acceptance(id, 1, reference, Some("fr")), Err("de, en")),
        ];
        for (given, expected) in cases {
            let resolved = c.resolve_acceptances(std::slice::from_ref(&given));
            match (resolved, expected) {
                (Ok(resolved), Ok(sha256)) => {
                    assert_eq!(resolved[0].sha256, sha256, "{given:?}");
                    assert_eq!(resolved[0].language, given.language, "{given:?}");
                }
                (Err(unavailable), Err(available)) => {
                    assert_eq!(unavailable.available, available, "{given:?}");
                    assert_eq!(unavailable.language, "fr");
                }
                (resolved, expected) => panic!("{given:?}: {resolved:?}, expected {expected:?}"),
            }
        }
    }

    // Guards the receipt's description: the wording shown with this change
    // in its language, earlier acceptances in the reference wording.
    #[test]
    fn receipts_describe_the_wording_that_was_shown() {
        let c = catalog(vec![doc("marketing-nda", 1, "de", true)]);
        let refs: Vec<NoticeRef> = ["marketing-human-review", "marketing-nda"]
            .into_iter()
            .map(|id| NoticeRef {
                id: id.into(),
                version: 1,
                sha256: format!("{id}-1-en"),
            })
            .collect();
        let shown = [acceptance(
            "marketing-nda",
            1,
            "marketing-nda-1-de",
            Some("de"),
        )];
        let described = c.describe(&refs, &shown);
        let languages: Vec<(&str, &str)> = described
            .iter()
            .map(|n| (n.language.as_str(), n.sha256.as_str()))
            .collect();
        assert_eq!(
            languages,
            [
                ("en", "marketing-human-review-1-en"),
                ("de", "marketing-nda-1-de")
            ]
        );
        assert_eq!(described[1].title, "marketing-nda 1 de");
    }

    // Guards language negotiation: the asked-for wording when published, else the reference.
    #[test]
    fn a_version_is_served_in_the_language_asked_for_when_it_has_it() {
        let c = catalog(vec![doc("marketing-nda", 1, "de", true)]);
        let served = |accept: Option<&str>| {
            c.negotiated("marketing-nda", 1, accept)
                .map(|d| d.language.clone())
        };
        assert_eq!(served(Some("de-CH, en;q=0.5")).as_deref(), Some("de"));
        assert_eq!(served(Some("fr")).as_deref(), Some("en"));
        assert_eq!(served(None).as_deref(), Some("en"));
        assert!(c.negotiated("marketing-nda", 2, None).is_none());
    }
}
