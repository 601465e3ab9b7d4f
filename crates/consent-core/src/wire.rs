//! The consent API's request and response bodies (see `shared/design/api.md`).
//! The server produces them; the app's API client reads them.

use serde::{Deserialize, Serialize};

use crate::deadline::PendingDeletion;
use crate::language::REFERENCE_LANGUAGE;
use crate::notice::whole_number;
use crate::{ActorRef, NoticeRef, ProgramId, Role, Tenant, Timestamp};

/// `GET /api/v1/tenants/{tenant_id}/data-sharing`: the whole data-sharing
/// document of a tenant. `version` and the current notice versions make its
/// `ETag` ([`DataSharingDocument::etag`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataSharingDocument {
    pub tenant: Tenant,
    pub version: i64,
    /// Whether the caller may change these settings.
    pub can_edit: bool,
    pub programs: Vec<ProgramView>,
}

impl DataSharingDocument {
    /// The view of one program.
    pub fn program(&self, id: ProgramId) -> Option<&ProgramView> {
        self.programs.iter().find(|p| p.id == id)
    }

    /// The document's strong `ETag` (see [`document_etag`]); the server sends
    /// the same, so a client can also derive it from a body it read.
    pub fn etag(&self) -> String {
        document_etag(
            self.version,
            self.programs
                .iter()
                .flat_map(|p| p.notices.iter().map(|n| n.version)),
        )
    }
}

/// The strong `ETag` of a data-sharing document: `"7-2.1.1"`, the document's
/// version, then the current version of every notice its programs require,
/// in the document's order.
///
/// The version moves with every stored change; the notice versions move when
/// a notice is published. Together they name everything the document says,
/// so `If-None-Match` can answer 304 without hiding a new notice version.
/// `If-Match` reads only the version before the dash: the consent rules
/// check the accepted notices of a change themselves.
pub fn document_etag(version: i64, notice_versions: impl IntoIterator<Item = u32>) -> String {
    let notices: Vec<String> = notice_versions.into_iter().map(|v| v.to_string()).collect();
    format!("\"{version}-{}\"", notices.join("."))
}

/// One program as a tenant's admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramView {
    pub id: ProgramId,
    /// The stored choice: on or off.
    pub enabled: bool,
    /// Whether the tenant may turn this program on at all.
    pub eligible: bool,
    /// Why not, when `eligible` is false.
    pub ineligible_reason: Option<IneligibleReason>,
    /// Marketing only: may the vendor contact the system administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
    /// The current versions of the notices this program requires.
    pub notices: Vec<NoticeRef>,
    /// The notice versions this tenant has accepted.
    pub accepted_notices: Vec<NoticeRef>,
    /// On, but a notice changed materially since it was accepted.
    pub reconsent_required: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339_option", default)]
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<ActorRef>,
    /// After an opt-out, until the deletion deadline passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion: Option<PendingDeletion>,
}

/// Why a tenant cannot join a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IneligibleReason {
    /// The program is only offered to tenants in the United States region.
    RegionNotSupported,
}

/// `PUT /api/v1/tenants/{tenant_id}/data-sharing/{program_id}`: change one program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"enabled": false})))]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub enabled: bool,
    /// Notice versions the admin accepts with this change, each with the
    /// language it was shown in.
    #[serde(default)]
    pub accept_notices: Vec<NoticeAcceptance>,
    /// Marketing only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
}

/// One notice version accepted with a change: the reference version (id,
/// version and the `sha256` the data-sharing document lists) and the
/// language the admin read it in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!(
    {"id": "copilot-data-sharing", "version": 1, "sha256": "6a677cc51b5cab14da7c7d92653a757d48e851aa52525957488699ec16fc7939", "language": "de"}
)))]
#[serde(deny_unknown_fields)]
pub struct NoticeAcceptance {
    pub id: String,
    #[serde(deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(format = Int64, minimum = 1, maximum = 4294967295_u32))]
    pub version: u32,
    /// The reference wording's hash as the data-sharing document lists it,
    /// or the hash of the wording in `language`.
    pub sha256: String,
    /// BCP 47 tag of the wording shown (`en`, `de`); English when absent,
    /// as clients from before translations send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(nullable = false, min_length = 2, max_length = 35, example = "de")
    )]
    pub language: Option<String>,
}

impl NoticeAcceptance {
    /// The language the notice was shown in.
    pub fn language(&self) -> &str {
        self.language.as_deref().unwrap_or(REFERENCE_LANGUAGE)
    }

    /// The version accepted, as the consent rules and the stored state name it.
    pub fn reference(&self) -> NoticeRef {
        NoticeRef {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
        }
    }

    /// `reference` accepted as shown in `language`.
    pub fn shown_in(reference: NoticeRef, language: &str) -> NoticeAcceptance {
        NoticeAcceptance {
            id: reference.id,
            version: reference.version,
            sha256: reference.sha256,
            language: Some(language.to_owned()),
        }
    }
}

impl From<NoticeRef> for NoticeAcceptance {
    /// An acceptance of the reference (English) wording, as older clients send it.
    fn from(reference: NoticeRef) -> NoticeAcceptance {
        NoticeAcceptance {
            id: reference.id,
            version: reference.version,
            sha256: reference.sha256,
            language: None,
        }
    }
}

/// Stable machine codes of API errors (the `code` of a problem+json body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No valid bearer token (401).
    Unauthorized,
    /// The caller may not do this (403).
    Forbidden,
    /// No such tenant, program, notice or route for this caller (404).
    NotFound,
    /// The change needs `If-Match` (428).
    PreconditionRequired,
    /// `If-Match` names an older version (412); the body carries the current state.
    StaleVersion,
    /// The body is not valid JSON of the expected shape (422).
    InvalidBody,
    /// A query parameter is unknown, repeated or malformed (422); `field` names it.
    InvalidQuery,
    /// The request body is too large (413).
    PayloadTooLarge,
    /// The program is not offered in the tenant's region (422).
    RegionIneligible,
    /// A required notice is not accepted, or the accepted version or hash is not current (422).
    NoticeNotAccepted,
    /// An accepted notice names a language that version is not published in (422).
    NoticeLanguageUnavailable,
    /// `contact_allowed` was sent for a program without a contact preference,
    /// or while the program stays off (422).
    ContactNotApplicable,
    /// The same `Idempotency-Key` was used for a different request (422).
    IdempotencyKeyReused,
    /// The route exists only in development mode (404).
    DevModeOnly,
    /// The caller is the wrong kind for this route: a person's token on a
    /// service route, a service's token on a tenant's settings, or a
    /// service token without the route's scope (403).
    InsufficientScope,
    /// Too many requests or changes; `Retry-After` says when to try again (429).
    RateLimited,
    /// A tenant, or a line of a tenant file, is not acceptable (422).
    InvalidTenant,
    /// The caller's client may not attest for this obligation's data store (403).
    NotYourStore,
    /// The obligation was attested already, with other values (409).
    AlreadyAttested,
    /// Not every store of the opt-out has attested yet, so there is no certificate (409).
    DeletionIncomplete,
    /// The server failed; nothing was changed (500/503).
    Internal,
}

/// An `application/problem+json` error body (RFC 9457) with a stable `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    /// `invalid_body`: the field at fault, when known; `invalid_query`: the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `stale_version`: the current document, so the UI can show what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<DataSharingDocument>>,
}

/// `POST /api/v1/dev/token` (development mode only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"tenant": "contoso", "role": "reader"})))]
#[serde(deny_unknown_fields)]
pub struct DevTokenRequest {
    pub tenant: String,
    pub role: Role,
}

/// The answer to [`DevTokenRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevTokenResponse {
    pub token: String,
    /// Who the token speaks for, so the app can show the identity in use.
    pub name: String,
    pub tenant: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the ETag form that clients send back as If-Match (the server's
    // `version_named` reads the part before the dash): the version and the
    // current notice versions, quoted, as a strong tag.
    #[test]
    fn etag_is_the_version_and_the_notice_versions() {
        for (version, notices, etag) in [
            (0, vec![1, 1, 1], "\"0-1.1.1\""),
            (7, vec![3, 2, 1], "\"7-3.2.1\""),
            (123_456, vec![12], "\"123456-12\""),
            (5, vec![], "\"5-\""),
        ] {
            assert_eq!(document_etag(version, notices), etag);
        }
    }

    // Guards the request shape: unknown fields are refused, optional ones default.
    #[test]
    fn change_request_is_strict() {
        let ok: ChangeRequest = serde_json::from_str(r#"{"enabled": true}"#).unwrap();
        assert!(ok.accept_notices.is_empty() && ok.contact_allowed.is_none());
        assert!(
            serde_json::from_str::<ChangeRequest>(r#"{"enabled": true, "admin": true}"#).is_err()
        );
        assert!(serde_json::from_str::<ChangeRequest>(r#"{"enabled": "yes"}"#).is_err());
        assert!(serde_json::from_str::<ChangeRequest>(r#"{}"#).is_err());
    }

    // Guards that an acceptance without a language (an older client) means English,
    // and that one with a language says so on the wire.
    #[test]
    fn acceptance_language_defaults_to_english() {
        let old: ChangeRequest = serde_json::from_str(
            r#"{"enabled": true, "accept_notices": [{"id": "n", "version": 1, "sha256": "ab"}]}"#,
        )
        .unwrap();
        assert_eq!(old.accept_notices[0].language(), "en");
        assert_eq!(old.accept_notices[0].language, None);
        let shown = NoticeAcceptance::shown_in(old.accept_notices[0].reference(), "de");
        assert_eq!(
            serde_json::to_value(&shown).unwrap(),
            serde_json::json!({"id": "n", "version": 1, "sha256": "ab", "language": "de"})
        );
        let bad = r#"{"enabled": true, "accept_notices": [{"id": "n", "version": 1, "sha256": "ab", "lang": "de"}]}"#;
        assert!(serde_json::from_str::<ChangeRequest>(bad).is_err());
    }

    // Guards the wire names of error codes that hosts and the UI match on.
    #[test]
    fn error_codes_are_snake_case() {
        for (code, s) in [
            (ErrorCode::RegionIneligible, "region_ineligible"),
            (ErrorCode::NoticeNotAccepted, "notice_not_accepted"),
            (ErrorCode::StaleVersion, "stale_version"),
            (ErrorCode::PreconditionRequired, "precondition_required"),
            (ErrorCode::InvalidBody, "invalid_body"),
            (ErrorCode::InvalidQuery, "invalid_query"),
            (
                ErrorCode::NoticeLanguageUnavailable,
                "notice_language_unavailable",
            ),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), s);
        }
    }
}

/// `GET /api/v1/tenants/{tenant_id}/data-sharing/propagation`: how far each
/// program's latest change has reached the systems connected by webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropagationDocument {
    /// One entry per program whose latest change was announced to at least
    /// one system; a program without connected systems is absent.
    pub programs: Vec<ProgramPropagation>,
}

impl PropagationDocument {
    /// The entry of one program.
    pub fn program(&self, id: ProgramId) -> Option<&ProgramPropagation> {
        self.programs.iter().find(|p| p.program == id)
    }
}

/// The deliveries of one program's latest change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramPropagation {
    pub program: ProgramId,
    /// The latest change: its event in the history.
    pub event_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub at: Timestamp,
    /// Systems the change was announced to.
    pub connected: u32,
    /// Of those, the ones that acknowledged it.
    pub applied: u32,
    /// Of those, the ones that refused it for good or could not be reached
    /// in the retry window.
    pub failed: u32,
}

impl ProgramPropagation {
    /// Whether every system has answered for good, either way: nothing will change without a new change.
    pub fn settled(&self) -> bool {
        self.applied + self.failed >= self.connected
    }
}
