//! The published notices, read-only and public: they are what admins are asked to accept.

use axum::extract::State;
use axum::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use consent_core::notice::diff::{notice_diff, NoticeDiff};
use consent_core::{ErrorCode, NoticeDocument, NoticeVersionSummary};
use serde::Serialize;

use crate::http::extract::ApiPath;
use crate::http::history::{query_pairs, refuse_empty_values};
use crate::http::problem::ApiError;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One entry of `GET /api/v1/notices`: the current version of a notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeSummary {
    pub id: String,
    /// The title in `language`.
    pub title: String,
    #[schema(minimum = 1)]
    pub version: u32,
    /// The hash of the wording in `language`.
    pub sha256: String,
    pub effective_date: NaiveDate,
    /// The language of `title` and `sha256`: the one `Accept-Language` asks
    /// for most among those the version is published in, else English.
    pub language: String,
    /// Every language the current version is published in.
    pub languages: Vec<String>,
}

/// A `Cache-Control` header of a notice answer.
type Cached = [(axum::http::HeaderName, &'static str); 1];

/// How long the list and current versions may be cached: a new version is
/// published by restarting with a new file, so briefly.
const CURRENT: Cached = [(CACHE_CONTROL, "public, max-age=300")];

/// The list of a notice's versions is checked with the server before each
/// reuse, so a newly published version shows at once.
const REVALIDATE: Cached = [(CACHE_CONTROL, "no-cache")];

/// A published version never changes.
const PUBLISHED: Cached = [(CACHE_CONTROL, "public, max-age=86400, immutable")];

/// The `Accept-Language` a request sent, if readable.
fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers.get(ACCEPT_LANGUAGE)?.to_str().ok()
}

/// A notice document in the language chosen for the request: its language
/// as `Content-Language`, `Vary: Accept-Language` (caches keep one copy per
/// language asked for), and the hash of that wording as a strong `ETag`, so
/// a conditional request is answered 304 only for the same words.
fn document_response(document: &NoticeDocument, cached: Cached, headers: &HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", document.sha256)).ok();
    let unchanged = etag
        .as_ref()
        .is_some_and(|etag| if_none_match_names(headers, etag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match serde_json::to_vec(document) {
            Ok(body) => (
                [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                body,
            )
                .into_response(),
            Err(error) => return ApiError::internal(error).into_response(),
        }
    };
    let out = response.headers_mut();
    let [(name, value)] = cached;
    out.insert(name, HeaderValue::from_static(value));
    out.insert(VARY, HeaderValue::from_static("accept-language"));
    if let Ok(language) = HeaderValue::from_str(&document.language) {
        out.insert(CONTENT_LANGUAGE, language);
    }
    if let Some(etag) = etag {
        out.insert(ETAG, etag);
    }
    response
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110) or is `*`.
fn if_none_match_names(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The published notices.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(current))
        .routes(routes!(versions))
        .routes(routes!(version))
        .routes(routes!(diff))
}

/// `GET /api/v1/notices`.
#[utoipa::path(
    get,
    path = "/api/v1/notices",
    tag = "notices",
    params(
        ("Accept-Language" = Option<String>, Header, nullable = false, example = "de-DE, de;q=0.9, en;q=0.5",
            description = "The languages the reader wants, with weights (RFC 9110); ranges match by prefix either way (`de-DE` is served `de`). Malformed entries are ignored; English when nothing fits")
    ),
    responses(
        (status = 200, description = "The current version of every notice, each titled in the language Accept-Language asks for most (English when it has none of them)", body = Vec<NoticeSummary>,
            headers(
                ("Cache-Control" = String, description = "Notices may be cached briefly"),
                ("Vary" = String, description = "`accept-language`: the titles depend on it")
            )),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let catalog = state.notices.get();
    let summaries: Vec<NoticeSummary> = catalog
        .current_all()
        .filter_map(|current| {
            catalog
                .negotiated(&current.id, current.version, accept_language(&headers))
                .map(|d| NoticeSummary {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    version: d.version,
                    sha256: d.sha256.clone(),
                    effective_date: d.effective_date,
                    language: d.language.clone(),
                    languages: catalog
                        .languages(&d.id, d.version)
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                })
        })
        .collect();
    (CURRENT, [(VARY, "accept-language")], Json(summaries)).into_response()
}

/// `GET /api/v1/notices/{notice_id}`: the current version.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}",
    tag = "notices",
    params(
        ("notice_id" = String, Path, min_length = 1, pattern = "^[a-z0-9-]+$", description = "The notice's id"),
        ("Accept-Language" = Option<String>, Header, nullable = false, example = "de-DE, de;q=0.9, en;q=0.5",
            description = "The languages the reader wants, with weights (RFC 9110); ranges match by prefix either way (`de-DE` is served `de`). Malformed entries are ignored; English when nothing fits"),
        ("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The ETag of the wording the caller has; if it is still what would be sent, the answer is 304 without a body"),
    ),
    responses(
        (status = 200, description = "The notice's current version, in the language Accept-Language asks for most among those it is published in (English when none of them)", body = consent_core::NoticeDocument,
            headers(
                ("Cache-Control" = String, description = "Notices may be cached briefly"),
                ("Content-Language" = String, description = "The language of the wording sent"),
                ("Vary" = String, description = "`accept-language`"),
                ("ETag" = String, description = "The quoted sha256 of the wording sent")
            )),
        (status = 304, description = "If-None-Match names the wording that would be sent",
            headers(
                ("ETag" = String, description = "The quoted sha256 of that wording"),
                ("Content-Language" = String, description = "Its language")
            )),
        (status = 404, description = "`not_found`: no such notice", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let catalog = state.notices.get();
    catalog
        .current(&id)
        .and_then(|current| catalog.negotiated(&id, current.version, accept_language(&headers)))
        .map(|document| document_response(document, CURRENT, &headers))
        .ok_or_else(|| ApiError::not_found(format!("there is no notice {id:?}")))
}

/// `GET /api/v1/notices/{notice_id}/versions`: every published version, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}/versions",
    tag = "notices",
    params(("notice_id" = String, Path, description = "The notice's id")),
    responses(
        (status = 200, description = "Every published version of the notice, oldest first, without its text (the reference wording's title and hash, and the languages it is published in); the last is the current one", body = Vec<consent_core::NoticeVersionSummary>,
            headers(("Cache-Control" = String, description = "Checked with the server before reuse: a new version may appear"))),
        (status = 404, description = "`not_found`: no such notice", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn versions(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<(Cached, Json<Vec<NoticeVersionSummary>>), ApiError> {
    let catalog = state.notices.get();
    let versions: Vec<NoticeVersionSummary> = catalog
        .versions(&id)
        .map(|document| catalog.summary(document))
        .collect();
    if versions.is_empty() {
        return Err(ApiError::not_found(format!("there is no notice {id:?}")));
    }
    Ok((REVALIDATE, Json(versions)))
}

/// `GET /api/v1/notices/{notice_id}/versions/{version}`.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}/versions/{version}",
    tag = "notices",
    params(
        ("notice_id" = String, Path, min_length = 1, pattern = "^[a-z0-9-]+$", description = "The notice's id"),
        ("version" = u32, Path, minimum = 1, description = "A published version, 1 or more"),
        ("Accept-Language" = Option<String>, Header, nullable = false, example = "de-DE, de;q=0.9, en;q=0.5",
            description = "The languages the reader wants, with weights (RFC 9110); ranges match by prefix either way (`de-DE` is served `de`). Malformed entries are ignored; English when nothing fits"),
        ("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The ETag of the wording the caller has; if it is still what would be sent, the answer is 304 without a body"),
    ),
    responses(
        (status = 200, description = "That version of the notice, in the language Accept-Language asks for most among those it is published in (English when none of them); published versions never change", body = consent_core::NoticeDocument,
            headers(
                ("Cache-Control" = String, description = "Published versions may be cached long"),
                ("Content-Language" = String, description = "The language of the wording sent"),
                ("Vary" = String, description = "`accept-language`"),
                ("ETag" = String, description = "The quoted sha256 of the wording sent")
            )),
        (status = 304, description = "If-None-Match names the wording that would be sent",
            headers(
                ("ETag" = String, description = "The quoted sha256 of that wording"),
                ("Content-Language" = String, description = "Its language")
            )),
        (status = 404, description = "`not_found`: no such notice or version", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn version(
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(String, u32)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state
        .notices
        .get()
        .negotiated(&id, version, accept_language(&headers))
        .map(|document| document_response(document, PUBLISHED, &headers))
        .ok_or_else(|| {
            ApiError::not_found(format!("there is no version {version} of notice {id:?}"))
        })
}

/// `GET /api/v1/notices/{notice_id}/diff?from=V&to=W`.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}/diff",
    tag = "notices",
    params(
        ("notice_id" = String, Path, min_length = 1, pattern = "^[a-z0-9-]+$", description = "The notice's id"),
        ("from" = u32, Query, minimum = 1, maximum = 4294967295_u32, example = 1, description = "The published version to compare from"),
        ("to" = u32, Query, minimum = 1, maximum = 4294967295_u32, example = 1, description = "The published version to compare to"),
        ("Accept-Language" = Option<String>, Header, nullable = false, example = "de-DE, de;q=0.9, en;q=0.5",
            description = "The languages the reader wants; both versions are compared in the one asked for most among those `to` is published in, when `from` is published in it too, else in English"),
    ),
    responses(
        (status = 200, description = "The sections added, removed and changed from `from` to `to`, each changed one word by word; unchanged sections are left out", body = NoticeDiff,
            headers(
                ("Cache-Control" = String, description = "Published versions never change, so neither does their difference"),
                ("Content-Language" = String, description = "The language of the wordings compared"),
                ("Vary" = String, description = "`accept-language`")
            )),
        (status = 404, description = "`not_found`: no such notice, or one of the versions is not published", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: `from` or `to` missing, repeated or not a whole number from 1, or an unknown parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn diff(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (from, to) = compared_versions(&uri)?;
    let catalog = state.notices.get();
    if catalog.current(&id).is_none() {
        return Err(ApiError::not_found(format!("there is no notice {id:?}")));
    }
    let missing = |version: u32| {
        ApiError::not_found(format!("there is no version {version} of notice {id:?}"))
    };
    let newer = catalog
        .negotiated(&id, to, accept_language(&headers))
        .ok_or_else(|| missing(to))?;
    let (older, newer) = match catalog.exact(&id, from, &newer.language) {
        Some(older) => (older, newer),
        // `from` is not published in that language: compare the reference wordings.
        None => (
            catalog.version(&id, from).ok_or_else(|| missing(from))?,
            catalog.version(&id, to).ok_or_else(|| missing(to))?,
        ),
    };
    let diff = notice_diff(older, newer);
    let mut response = (PUBLISHED, [(VARY, "accept-language")], Json(&diff)).into_response();
    if let Ok(language) = HeaderValue::from_str(&diff.language) {
        response.headers_mut().insert(CONTENT_LANGUAGE, language);
    }
    Ok(response)
}

/// The `from` and `to` versions of a diff request, each given once as a
/// whole number from 1; no other parameter.
fn compared_versions(uri: &Uri) -> Result<(u32, u32), ApiError> {
    let pairs = query_pairs(uri)?;
    let invalid = |field: &str, message: &str| {
        ApiError::new(ErrorCode::InvalidQuery, message).with_field(field)
    };
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, _)| name != "from" && name != "to")
    {
        return Err(invalid(
            name,
            "this parameter is not known here: only from and to are",
        ));
    }
    refuse_empty_values(&pairs)?;
    let version = |field: &str| {
        let mut given = pairs.iter().filter(|(name, _)| name == field);
        match (given.next(), given.next()) {
            (None, _) => Err(invalid(
                field,
                "give the version to compare, such as from=1&to=2",
            )),
            (Some(_), Some(_)) => Err(invalid(field, "give each version once")),
            (Some((_, value)), None) => value
                .parse::<u32>()
                .ok()
                .filter(|version| *version >= 1)
                .ok_or_else(|| invalid(field, "a version is a whole number from 1")),
        }
    };
    Ok((version("from")?, version("to")?))
}
