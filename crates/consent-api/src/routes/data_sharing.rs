//! A tenant's data-sharing document: reading it and changing one program.

use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consent_core::rules::ChangeContext;
use consent_core::tenant::can_edit;
use consent_core::{
    decide_change, ChangeRequest, DataSharingDocument, ErrorCode, ProgramId, Refusal,
};
use sha2::{Digest, Sha256};

use super::{visible_snapshot, IDEMPOTENCY_KEY};
use crate::auth::Caller;
use crate::document::data_sharing_document;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::ApiError;
use crate::state::AppState;
use crate::store::{AcceptedChange, ChangeOutcome, IdempotentResponse, StoredResponse};

/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// `GET /api/v1/tenants/{tenant_id}/data-sharing`.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/data-sharing",
    tag = "data-sharing",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
        ("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The ETag of the document the caller already has; if it is still current (the same version and the same current notice versions) the answer is 304 without a body. Other values are ignored"),
    ),
    responses(
        (status = 304, description = "The document named by If-None-Match is still current",
            headers(("ETag" = String, description = "The current tag: the version and the current notice versions"))),
        (status = 200, description = "The tenant's data-sharing document", body = consent_core::DataSharingDocument,
            headers(("ETag" = String, description = "The document's version and its current notice versions (`\"7-2.1.1\"`): send it back as If-Match, or as If-None-Match to read again")),
            links(
                ("change_program" = (
                    operation_id = "change_program",
                    parameters(("tenant_id" = "$response.body#/tenant/id"), ("If-Match" = "$response.header.ETag")),
                    description = "Change a program of this document, on this version"
                )),
                ("opt_in_first_program" = (
                    operation_id = "change_program",
                    parameters(
                        ("tenant_id" = "$response.body#/tenant/id"),
                        ("program_id" = "$response.body#/programs/0/id"),
                        ("If-Match" = "$response.header.ETag")
                    ),
                    request_body = json!({"enabled": true, "accept_notices": "$response.body#/programs/0/notices"}),
                    description = "Turn the first program on, accepting its current notices"
                )),
                ("opt_in_second_program" = (
                    operation_id = "change_program",
                    parameters(
                        ("tenant_id" = "$response.body#/tenant/id"),
                        ("program_id" = "$response.body#/programs/1/id"),
                        ("If-Match" = "$response.header.ETag")
                    ),
                    request_body = json!({"enabled": true, "accept_notices": "$response.body#/programs/1/notices"}),
                    description = "Turn the second program on, accepting its current notices"
                ))
            )),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = visible_snapshot(&state, &caller, &tenant_id).await?;
    let notices = state.notices.get();
    if let Some(response) =
        super::conditional::not_modified(&headers, &snapshot, &notices, state.now())
    {
        return Ok(response);
    }
    let document = data_sharing_document(&snapshot, &notices, &caller.actor, state.now());
    document_response(StatusCode::OK, &document)
}

/// `PUT /api/v1/tenants/{tenant_id}/data-sharing/{program_id}`.
#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}",
    tag = "data-sharing",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
        ("program_id" = consent_core::ProgramId, Path, description = "The program to change"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?("[0-9]{1,18}(-([0-9]{1,10}(\.[0-9]{1,10}){0,31})?)?"|[0-9]{1,18})$"#, example = "\"7-2.1.1\"",
            description = "The ETag of the document the change was made on (`\"7-2.1.1\"`; `W/\"7-2.1.1\"`, `\"7\"` and `7` are read alike: only the version before the dash is compared, since the accepted notices of a change are checked by the consent rules). A value naming another version, or none (`*` included), is answered 412 with the current document"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
            description = "1 to 255 visible ASCII characters; a retry with the same key and body gets the first answer"),
    ),
    request_body(content = consent_core::ChangeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The whole updated document (unchanged when the request changes nothing)", body = consent_core::DataSharingDocument,
            headers(
                ("ETag" = String, description = "The new version"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored first answer to the Idempotency-Key")
            ),
            links(
                ("change_again" = (
                    operation_id = "change_program",
                    parameters(("tenant_id" = "$request.path.tenant_id"), ("If-Match" = "$response.header.ETag")),
                    description = "Make a further change on the new version"
                )),
                ("history" = (
                    operation_id = "history",
                    parameters(("tenant_id" = "$request.path.tenant_id")),
                    description = "The history, with the event this change recorded"
                ))
            )),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: only administrators may change settings", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller, no such program, or an accepted notice that is not one of the program's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`stale_version`: If-Match names an older version; `current` holds the current document", body = consent_core::Problem, content_type = "application/problem+json",
            links(("retry_on_current" = (
                operation_id = "change_program",
                parameters(("tenant_id" = "$request.path.tenant_id"), ("If-Match" = r#""{$response.body#/current/version}""#)),
                description = "Make the change again on the current version"
            )))),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body` (`field` names the field), `region_ineligible`, `notice_not_accepted`, `notice_language_unavailable` (an accepted notice names a language its version is not published in), `contact_not_applicable` or `idempotency_key_reused`; nothing was stored", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: If-Match is missing", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_program(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((tenant_id, program_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChangeRequest>,
) -> Result<Response, ApiError> {
    let snapshot = visible_snapshot(&state, &caller, &tenant_id).await?;
    let program = ProgramId::parse(&program_id)
        .ok_or_else(|| ApiError::not_found(format!("there is no program {program_id:?}")))?;
    // Readers are refused before any version talk: a stale page is not their problem.
    if !can_edit(&caller.actor.roles) {
        return Err(ApiError::refusal(&Refusal::NotAnAdmin));
    }

    // A retry of a change already made gets the first answer, even though
    // its If-Match is now stale.
    let idempotency_key = idempotency_key(&headers)?;
    let request_hash = fingerprint(program, &request);
    if let Some(key) = idempotency_key {
        if let Some(stored) = state.store.idempotent_response(&tenant_id, key).await? {
            return replay(stored, &request_hash);
        }
    }

    let expected_version = if_match(&headers)?;
    let now = state.now();
    // One view of the notices for the whole decision, even if one is published meanwhile.
    let notices = state.notices.get();
    if expected_version != Some(snapshot.version) {
        return Err(ApiError::stale(data_sharing_document(
            &snapshot,
            &notices,
            &caller.actor,
            now,
        )));
    }

    // The rules decide on the reference wording; each acceptance must name a
    // language its version is published in, and is recorded in that language.
    let shown = notices
        .resolve_acceptances(&request.accept_notices)
        .map_err(|unavailable| {
            ApiError::new(
                ErrorCode::NoticeLanguageUnavailable,
                unavailable.to_string(),
            )
            .with_field("accept_notices")
        })?;
    let request = ChangeRequest {
        accept_notices: shown,
        ..request
    };

    let before = snapshot.program(program);
    let context = ChangeContext {
        region: &snapshot.tenant.region,
        notices: notices.for_program(program),
        actor: &caller.actor,
        now,
    };
    let decision =
        decide_change(&before, &request, context).map_err(|refusal| ApiError::refusal(&refusal))?;
    let Some(action) = decision.action else {
        // Nothing changes: no event, same version.
        let document = data_sharing_document(&snapshot, &notices, &caller.actor, now);
        return document_response(StatusCode::OK, &document);
    };

    // The document as it will be once stored: the change decides the only
    // difference, since the conditional version bump fails if anything else changed.
    let mut after_snapshot = snapshot.clone();
    after_snapshot.version += 1;
    for record in after_snapshot
        .programs
        .iter_mut()
        .filter(|r| r.program == program)
    {
        *record = decision.after.clone();
    }
    let document = data_sharing_document(&after_snapshot, &notices, &caller.actor, now);
    let body = serde_json::to_string(&document).map_err(ApiError::internal)?;

    let outcome = state
        .store
        .apply_change(AcceptedChange {
            tenant: &snapshot.tenant,
            expected_version: snapshot.version,
            actor: &caller.actor,
            at: now,
            action,
            before: &before,
            after: &decision.after,
            notices: notices.describe(&decision.after.accepted_notices, &request.accept_notices),
            idempotency: idempotency_key.map(|key| IdempotentResponse {
                key,
                request_hash: &request_hash,
                status: StatusCode::OK.as_u16(),
                body: &body,
            }),
        })
        .await?;
    match outcome {
        ChangeOutcome::Applied { event_id, .. } => {
            tracing::info!(tenant = %tenant_id, %program, action = action.as_str(), event = %event_id, "consent change stored");
            Ok(json_response(StatusCode::OK, body, Some(document.etag())))
        }
        ChangeOutcome::Stale | ChangeOutcome::IdempotencyKeyTaken => {
            // A concurrent request was stored first. If it was this same
            // request under the same key, answer as it was answered.
            if let Some(key) = idempotency_key {
                if let Some(stored) = state.store.idempotent_response(&tenant_id, key).await? {
                    return replay(stored, &request_hash);
                }
            }
            let current = visible_snapshot(&state, &caller, &tenant_id).await?;
            Err(ApiError::stale(data_sharing_document(
                &current,
                &notices,
                &caller.actor,
                state.now(),
            )))
        }
    }
}

/// The version named by `If-Match`; `None` when it names none (`*`, garbage).
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let value = headers.get(IF_MATCH).ok_or_else(|| {
        ApiError::new(
            ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of the settings you changed, so no one else's change is overwritten",
        )
    })?;
    Ok(value.to_str().ok().and_then(version_named))
}

/// The longest version number an `If-Match` may carry (it fits an `i64`).
const MAX_VERSION_DIGITS: usize = 18;

/// The most notice versions a tag may list, and the longest one.
const MAX_TAG_NOTICES: usize = 32;
const MAX_NOTICE_DIGITS: usize = 10;

/// The document version an `If-Match` value names: the ETag as issued
/// (`"7-2.1.1"`), the same tag weakened by a proxy (`W/"7-2.1.1"`), the
/// version alone (`"7"`, as tags were before they named the notices), or a
/// bare number. Anything else names no version. The OpenAPI document's
/// pattern for the header admits exactly these.
pub(crate) fn version_named(value: &str) -> Option<i64> {
    let tag = value.strip_prefix("W/").unwrap_or(value);
    let (digits, notices) = match tag.strip_prefix('"') {
        Some(quoted) => {
            let inner = quoted.strip_suffix('"')?;
            match inner.split_once('-') {
                Some((version, notices)) => (version, Some(notices)),
                None => (inner, None),
            }
        }
        None => (tag, None),
    };
    let number = |text: &str, longest: usize| {
        (1..=longest).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    };
    // A document without notices has the tag `"7-"`.
    let notices_well_formed = notices.is_none_or(|list| {
        list.is_empty() || {
            let parts: Vec<&str> = list.split('.').collect();
            parts.len() <= MAX_TAG_NOTICES && parts.iter().all(|p| number(p, MAX_NOTICE_DIGITS))
        }
    });
    (number(digits, MAX_VERSION_DIGITS) && notices_well_formed)
        .then(|| digits.parse().ok())
        .flatten()
}

/// The `Idempotency-Key`, if sent; a malformed one is refused.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().ok().filter(|k| {
        !k.is_empty()
            && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
            && k.bytes().all(|b| b.is_ascii_graphic())
    });
    key.map(Some).ok_or_else(|| {
        ApiError::invalid_body(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
        ))
        .with_field("Idempotency-Key")
    })
}

/// What makes two requests under one idempotency key "the same request".
fn fingerprint(program: ProgramId, request: &ChangeRequest) -> String {
    let canonical = serde_json::json!({"program": program, "request": request}).to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored first answer to a key, or a refusal if the key is reused for another request.
fn replay(stored: StoredResponse, request_hash: &str) -> Result<Response, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was already used for a different change; use a new key",
        ));
    }
    let status = StatusCode::from_u16(stored.status).map_err(ApiError::internal)?;
    let etag = serde_json::from_str::<DataSharingDocument>(&stored.body)
        .ok()
        .map(|d| d.etag());
    let mut response = json_response(status, stored.body, etag);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

fn document_response(
    status: StatusCode,
    document: &DataSharingDocument,
) -> Result<Response, ApiError> {
    let body = serde_json::to_string(document).map_err(ApiError::internal)?;
    Ok(json_response(status, body, Some(document.etag())))
}

fn json_response(status: StatusCode, body: String, etag: Option<String>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(etag) = etag.and_then(|tag| HeaderValue::from_str(&tag).ok()) {
        headers.insert(ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards which If-Match values name a version: the issued tag, its weak
    // form and a bare number; every other value names none (answered 412).
    #[test]
    fn if_match_names_a_version_only_in_the_documented_forms() {
        let longest = "9".repeat(MAX_VERSION_DIGITS);
        let too_long = "9".repeat(MAX_VERSION_DIGITS + 1);
        let cases = [
            ("\"7\"".to_owned(), Some(7)),
            ("W/\"7\"".to_owned(), Some(7)),
            ("7".to_owned(), Some(7)),
            ("W/7".to_owned(), Some(7)),
            ("\"0\"".to_owned(), Some(0)),
            ("\"007\"".to_owned(), Some(7)),
            (format!("\"{longest}\""), Some(999_999_999_999_999_999)),
            (format!("\"{too_long}\""), None),
            (String::new(), None),
            ("\"\"".to_owned(), None),
            ("*".to_owned(), None),
            ("\"7".to_owned(), None),
            ("7\"".to_owned(), None),
            ("\"\"7\"\"".to_owned(), None),
            ("+7".to_owned(), None),
            ("-0".to_owned(), None),
            ("\"-1\"".to_owned(), None),
            (" 7".to_owned(), None),
            ("\"7\", \"8\"".to_owned(), None),
            ("w/\"7\"".to_owned(), None),
            ("\"seven\"".to_owned(), None),
            ("\"0\"; DROP TABLE".to_owned(), None),
            ("\"7-2.1.1\"".to_owned(), Some(7)),
            ("W/\"7-2.1.1\"".to_owned(), Some(7)),
            ("\"7-3\"".to_owned(), Some(7)),
            ("\"7-\"".to_owned(), Some(7)),
            ("\"7-2..1\"".to_owned(), None),
            ("\"7-2.1.x\"".to_owned(), None),
            ("\"-2.1.1\"".to_owned(), None),
            ("7-2.1.1".to_owned(), None),
            (
                format!("\"7-{}\"", ["1"; MAX_TAG_NOTICES + 1].join(".")),
                None,
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(version_named(&value), expected, "{value:?}");
        }
    }
}
