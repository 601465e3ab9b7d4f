//! Reading notices for a person: the current version, and what changed
//! since the version a tenant accepted.

use consent_core::notice::diff::{SectionChange, SectionDiff};
use consent_core::rules::NoticeSet;
use consent_core::{
    NoticeAcceptance, NoticeDocument, NoticeRef, NoticeVersion, NoticeVersionSummary, ProgramId,
    ProgramView,
};
use futures::future::join_all;
use leptos::prelude::*;

use crate::api::{ApiClient, ApiError};

/// A notice at one version, with the list of all its versions.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeWithVersions {
    pub document: NoticeDocument,
    /// Every published version, oldest first; the last is the current one.
    pub versions: Vec<NoticeVersionSummary>,
}

impl NoticeWithVersions {
    /// The current version number.
    pub fn current_version(&self) -> u32 {
        self.versions
            .last()
            .map_or(self.document.version, |v| v.version)
    }
}

/// Notice `id` at `version`, or at its current version when `None`, in
/// `language` (a BCP 47 tag) when it is published in it, else in English.
///
/// The current version is found through the list of versions, which the
/// server never lets a cache answer, so a version published a moment ago shows.
pub async fn load_notice(
    client: &ApiClient,
    id: &str,
    version: Option<u32>,
    language: &str,
) -> Result<NoticeWithVersions, ApiError> {
    let versions = client.get_notice_versions(id).await?;
    let version = match version.or_else(|| versions.last().map(|v| v.version)) {
        Some(version) => version,
        None => return Err(ApiError::NotFound),
    };
    let document = client.get_notice_version(id, version, language).await?;
    Ok(NoticeWithVersions { document, versions })
}

/// One notice a tenant must accept again, and what changed since it accepted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeChange {
    pub id: String,
    /// The version the tenant accepted, if any.
    pub accepted: Option<u32>,
    /// The version to accept now.
    pub current: u32,
    /// The publisher's summaries of the versions since the accepted one, newest first.
    pub summaries: Vec<String>,
    /// The sections that are new, removed or differ from the accepted
    /// version, word by word; every section of the current version (without
    /// words) when none was accepted.
    pub changed_sections: Vec<SectionDiff>,
}

/// [`program_notice_versions`] as a panel reads it: `None` until it is read.
pub type NoticeVersionsRead =
    LocalResource<Option<Result<Vec<(String, Vec<NoticeVersionSummary>)>, ApiError>>>;

/// Every published version of each notice `program` requires, oldest first,
/// read at once (the requests go out together, not one after another).
pub async fn program_notice_versions(
    client: &ApiClient,
    program: ProgramId,
) -> Result<Vec<(String, Vec<NoticeVersionSummary>)>, ApiError> {
    let reads = program.required_notices().iter().map(|id| async move {
        let versions = client.get_notice_versions(id).await?;
        Ok::<_, ApiError>(((*id).to_owned(), versions))
    });
    join_all(reads).await.into_iter().collect()
}

/// What changed in each notice of `program` that the tenant must accept
/// again, decided with the same rule the server applies; headings in
/// `language` where the notice is published in it.
///
/// `versions` is [`program_notice_versions`], which the panel starts reading
/// together with the settings; the documents to compare are then read all
/// at once.
pub async fn reacceptance_changes(
    client: &ApiClient,
    program: &ProgramView,
    versions: &[(String, Vec<NoticeVersionSummary>)],
    language: &str,
) -> Result<Vec<NoticeChange>, ApiError> {
    let changes = program
        .notices
        .iter()
        .map(|current| notice_change(client, program, current, versions, language));
    let changes: Result<Vec<Option<NoticeChange>>, ApiError> =
        join_all(changes).await.into_iter().collect();
    Ok(changes?.into_iter().flatten().collect())
}

/// What changed in one current notice of `program`, if the tenant must accept it again.
async fn notice_change(
    client: &ApiClient,
    program: &ProgramView,
    current: &NoticeRef,
    known: &[(String, Vec<NoticeVersionSummary>)],
    language: &str,
) -> Result<Option<NoticeChange>, ApiError> {
    let listed = known
        .iter()
        .find(|(id, versions)| {
            *id == current.id && versions.iter().any(|v| v.version == current.version)
        })
        .map(|(_, versions)| versions.clone());
    // Read before a newer version was published: read the list again.
    let versions = match listed {
        Some(versions) => versions,
        None => client.get_notice_versions(&current.id).await?,
    };
    let history: Vec<NoticeVersion> = versions
        .iter()
        .map(NoticeVersionSummary::version_info)
        .collect();
    let Some(now) = history.iter().find(|v| v.version == current.version) else {
        return Ok(None);
    };
    let set = NoticeSet {
        current: std::slice::from_ref(now),
        history: &history,
    };
    if set
        .pending_acceptances(&program.accepted_notices)
        .is_empty()
    {
        return Ok(None);
    }
    let accepted = program
        .accepted_notices
        .iter()
        .find(|a| a.id == current.id && a.version < current.version)
        .map(|a| a.version);
    let changed_sections = match accepted {
        Some(version) => {
            client
                .get_notice_diff(&current.id, version, current.version, language)
                .await?
                .sections
        }
        None => client
            .get_notice_version(&current.id, current.version, language)
            .await?
            .sections
            .into_iter()
            .map(|section| SectionDiff {
                id: section.id,
                change: SectionChange::Added,
                heading: section.heading,
                previous_heading: None,
                words: Vec::new(),
            })
            .collect(),
    };
    let summaries = versions
        .iter()
        .rev()
        .filter(|v| v.version <= current.version && Some(v.version) > accepted)
        .filter_map(|v| v.change_summary.clone())
        .collect();
    Ok(Some(NoticeChange {
        id: current.id.clone(),
        accepted,
        current: current.version,
        summaries,
        changed_sections,
    }))
}

/// The language each notice version was received in, so that accepting it
/// names the wording the person could read. A `Copy` handle provided as
/// context by the app.
#[derive(Debug, Clone, Copy)]
pub struct ShownLanguages(StoredValue<Vec<(String, u32, String)>>);

impl Default for ShownLanguages {
    fn default() -> Self {
        ShownLanguages::new()
    }
}

impl ShownLanguages {
    /// Nothing received yet.
    pub fn new() -> ShownLanguages {
        ShownLanguages(StoredValue::new(Vec::new()))
    }

    /// Remembers the language `document` came in.
    pub fn record(&self, document: &NoticeDocument) {
        self.0.update_value(|shown| {
            shown.retain(|(id, version, _)| (id, *version) != (&document.id, document.version));
            shown.push((
                document.id.clone(),
                document.version,
                document.language.clone(),
            ));
        });
    }

    /// `acceptances` each naming the language its version was received in;
    /// one never received names none (the server reads that as English).
    pub fn fill(&self, acceptances: Vec<NoticeAcceptance>) -> Vec<NoticeAcceptance> {
        self.0.with_value(|shown| {
            acceptances
                .into_iter()
                .map(|acceptance| NoticeAcceptance {
                    language: shown
                        .iter()
                        .find(|(id, version, _)| {
                            *id == acceptance.id && *version == acceptance.version
                        })
                        .map(|(_, _, language)| language.clone()),
                    ..acceptance
                })
                .collect()
        })
    }
}

/// The app's [`ShownLanguages`].
pub fn use_shown_languages() -> ShownLanguages {
    use_context::<ShownLanguages>().unwrap_or_default()
}
