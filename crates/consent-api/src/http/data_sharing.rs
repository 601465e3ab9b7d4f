//! A tenant's data-sharing document: reading it and changing one program.

use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use consent_core::{ChangeRequest, DataSharingDocument, ErrorCode, ProgramId};

use super::{visible_snapshot, IDEMPOTENCY_KEY};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::problem::ApiError;
use crate::identity::Caller;
use crate::service::change::{ChangeAnswer, ChangeError, ChangeService, ProgramChange};
use crate::service::document::{data_sharing_document, data_sharing_document_at};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Reading the document and changing a program.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(document))
        .routes(routes!(change_program))
}

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
        ("at" = Option<String>, Query, format = DateTime,
            description = "An RFC 3339 instant in the past: the document as it was then, replayed from the ledger, with the notice versions then in force; read-only (can_edit false), its version the number of events recorded by then, without an ETag"),
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
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown parameter, or `at` not an RFC 3339 instant, in the future, or before the tenant was registered (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let snapshot = visible_snapshot(&state, &caller, &tenant_id).await?;
    let notices = state.notices.get();
    if let Some(at) = super::decisions::instant(&uri)? {
        let refused =
            |message: &str| ApiError::new(ErrorCode::InvalidQuery, message).with_field("at");
        if at > state.now() {
            return Err(refused(
                "at is in the future: the settings then are not known yet",
            ));
        }
        let then = data_sharing_document_at(&state.store, &notices, &snapshot, at)
            .await?
            .ok_or_else(|| refused("the tenant was registered after this instant"))?;
        return Ok(Json(then).into_response());
    }
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
        (status = 403, description = "`forbidden`: only administrators may change settings, or the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
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
        (status = 429, description = "`rate_limited`: too many requests from this caller, or this tenant made too many changes in the last minute; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn change_program(
    State(state): State<AppState>,
    State(changes): State<ChangeService>,
    caller: Caller,
    ApiPath((tenant_id, program_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChangeRequest>,
) -> Result<Response, ApiError> {
    let snapshot = visible_snapshot(&state, &caller, &tenant_id).await?;
    let program = ProgramId::parse(&program_id)
        .ok_or_else(|| ApiError::not_found(format!("there is no program {program_id:?}")))?;
    // Readers are refused before their headers are looked at.
    ChangeService::authorize(&caller.actor).map_err(change_refused)?;
    let answer = changes
        .change(ProgramChange {
            actor: &caller.actor,
            snapshot,
            program,
            request,
            expected_version: if_match(&headers),
            idempotency_key: idempotency_key(&headers)?,
        })
        .await
        .map_err(change_refused)?;
    match answer {
        ChangeAnswer::Stored { document, body } => {
            Ok(json_response(StatusCode::OK, body, Some(document.etag())))
        }
        ChangeAnswer::Unchanged(document) => document_response(StatusCode::OK, &document),
        ChangeAnswer::Replayed { status, body } => replayed(status, body),
    }
}

/// A refused change as problem+json.
fn change_refused(error: ChangeError) -> ApiError {
    match error {
        ChangeError::Refused(refusal) => ApiError::refusal(&refusal),
        ChangeError::PreconditionRequired => ApiError::new(
            ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of the settings you changed, so no one else's change is overwritten",
        ),
        ChangeError::Stale(current) => ApiError::stale(*current),
        ChangeError::LanguageUnavailable(unavailable) => ApiError::new(
            ErrorCode::NoticeLanguageUnavailable,
            unavailable.to_string(),
        )
        .with_field("accept_notices"),
        ChangeError::KeyReused => ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was already used for a different change; use a new key",
        ),
        ChangeError::RateLimited(seconds) => ApiError::rate_limited(
            format!("this tenant made too many changes in the last minute; try again in {seconds} s"),
            seconds,
        ),
        ChangeError::NoSuchTenant(tenant_id) => {
            let shown: String = tenant_id.chars().take(64).collect();
            ApiError::not_found(format!("there is no tenant {shown:?} for you"))
        }
        ChangeError::Database(error) => ApiError::from(error),
        ChangeError::Encoding(error) => ApiError::internal(error),
    }
}

/// The version named by `If-Match`: `None` without the header, `Some(None)`
/// when it names none (`*`, garbage).
fn if_match(headers: &HeaderMap) -> Option<Option<i64>> {
    let value = headers.get(IF_MATCH)?;
    Some(value.to_str().ok().and_then(version_named))
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

/// The stored first answer to an idempotency key, marked as replayed.
fn replayed(status: u16, body: String) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    let etag = serde_json::from_str::<DataSharingDocument>(&body)
        .ok()
        .map(|d| d.etag());
    let mut response = json_response(status, body, etag);
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
