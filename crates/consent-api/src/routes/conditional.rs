//! Conditional reads: `If-None-Match` on a tenant's data-sharing document.
//!
//! A page that already holds version 7 asks again with `If-None-Match: "7"`
//! and, if nothing changed, gets `304 Not Modified` with no body: no
//! document is assembled or serialised, and nothing crosses the network.

use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consent_core::{etag_for, Timestamp};

use super::data_sharing::version_named;
use crate::store::TenantSnapshot;

/// `304 Not Modified` when `If-None-Match` names the stored version (or is
/// `*`), else `None` and the caller answers the whole document.
///
/// The document is the stored version seen at `now`; the one thing that
/// changes it without a new version is a deletion deadline passing before
/// the background sweep records it (which does bump the version). Until
/// then such a document is always sent whole.
pub(crate) fn not_modified(
    headers: &HeaderMap,
    snapshot: &TenantSnapshot,
    now: Timestamp,
) -> Option<Response> {
    if !names_version(headers, snapshot.version) {
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
    if let Ok(etag) = HeaderValue::from_str(&etag_for(snapshot.version)) {
        response.headers_mut().insert(ETAG, etag);
    }
    Some(response)
}

/// Whether any `If-None-Match` tag names `version` (weak comparison, as
/// RFC 9110 asks for this header) or is `*`.
fn names_version(headers: &HeaderMap, version: i64) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || version_named(tag) == Some(version))
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

    // Guards which If-None-Match values mean "I have version 7".
    #[test]
    fn if_none_match_names_the_version() {
        for (values, matches) in [
            (vec!["\"7\""], true),
            (vec!["W/\"7\""], true),
            (vec!["\"6\", \"7\""], true),
            (vec!["\"6\"", "\"7\""], true),
            (vec!["*"], true),
            (vec!["\"6\""], false),
            (vec!["\"70\""], false),
            (vec!["\"seven\""], false),
            (vec![""], false),
            (vec![], false),
        ] {
            assert_eq!(names_version(&with(&values), 7), matches, "{values:?}");
        }
    }
}
