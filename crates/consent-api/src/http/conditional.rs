//! Conditional reads: `If-None-Match` on a tenant's data-sharing document.
//!
//! A page that already holds version 7, with notices at versions 2, 1 and 1,
//! asks again with `If-None-Match: "7-2.1.1"` and, if neither the tenant's
//! choices nor the current notices changed, gets `304 Not Modified` with no
//! body: no document is assembled or serialised, and nothing crosses the
//! network. Publishing a notice version changes the tag, so a page that
//! refreshes this way still learns of a re-acceptance at once.

use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consent_core::{document_etag, Timestamp};

use crate::notices::NoticeCatalog;
use crate::store::TenantSnapshot;

/// The `ETag` of the document `snapshot` and `notices` make, without
/// assembling it: the same as [`consent_core::DataSharingDocument::etag`].
pub(crate) fn current_etag(snapshot: &TenantSnapshot, notices: &NoticeCatalog) -> String {
    document_etag(
        snapshot.version,
        snapshot.programs.iter().flat_map(|record| {
            notices
                .for_program(record.program)
                .current
                .iter()
                .map(|notice| notice.version)
        }),
    )
}

/// `304 Not Modified` when `If-None-Match` names the current tag (or is
/// `*`), else `None` and the caller answers the whole document.
///
/// The document is the stored version seen at `now`; the one thing that
/// changes it without a new version is a deletion deadline passing before
/// the background sweep records it (which does bump the version). Until
/// then such a document is always sent whole.
pub(crate) fn not_modified(
    headers: &HeaderMap,
    snapshot: &TenantSnapshot,
    notices: &NoticeCatalog,
    now: Timestamp,
) -> Option<Response> {
    let etag = current_etag(snapshot, notices);
    if !names_tag(headers, &etag) {
        return None;
    }
    let deadline_passed_unrecorded = snapshot.programs.iter().any(|program| {
        program
            .pending_deletion
            .as_ref()
            .is_some_and(|deletion| !deletion.is_pending_at(now))
    });
    if deadline_passed_unrecorded {
        return None;
    }
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(ETAG, etag);
    }
    Some(response)
}

/// Whether any `If-None-Match` tag is `etag` (weak comparison, as RFC 9110
/// asks for this header) or is `*`. A tag of the version alone (`"7"`, as
/// issued before tags named the notices) says nothing of the notices, so it
/// never matches.
fn names_tag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    // Guards which If-None-Match values mean "I have version 7 with notices
    // at 2, 1 and 1": the whole tag, weak or strong, in a list or alone; a
    // tag of the version alone, or of other notice versions, does not.
    #[test]
    fn if_none_match_names_the_tag() {
        let etag = "\"7-2.1.1\"";
        for (values, matches) in [
            (vec!["\"7-2.1.1\""], true),
            (vec!["W/\"7-2.1.1\""], true),
            (vec!["\"6-2.1.1\", \"7-2.1.1\""], true),
            (vec!["\"6-2.1.1\"", "\"7-2.1.1\""], true),
            (vec!["*"], true),
            (vec!["\"7\""], false),
            (vec!["\"7-1.1.1\""], false),
            (vec!["\"7-2.1\""], false),
            (vec!["\"6-2.1.1\""], false),
            (vec!["\"seven\""], false),
            (vec![""], false),
            (vec![], false),
        ] {
            assert_eq!(names_tag(&with(&values), etag), matches, "{values:?}");
        }
    }
}
