//! The published notices, read-only and public: they are what admins are asked to accept.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::Json;
use chrono::NaiveDate;
use consent_core::{NoticeDocument, NoticeVersionSummary};
use serde::Serialize;

use crate::extract::ApiPath;
use crate::problem::ApiError;
use crate::state::AppState;

/// One entry of `GET /api/v1/notices`: the current version of a notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeSummary {
    pub id: String,
    pub title: String,
    #[schema(minimum = 1)]
    pub version: u32,
    pub sha256: String,
    pub effective_date: NaiveDate,
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

/// `GET /api/v1/notices`.
#[utoipa::path(
    get,
    path = "/api/v1/notices",
    tag = "notices",
    responses(
        (status = 200, description = "The current version of every notice", body = Vec<NoticeSummary>,
            headers(("Cache-Control" = String, description = "Notices may be cached briefly"))),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>) -> (Cached, Json<Vec<NoticeSummary>>) {
    let summaries = state
        .notices
        .get()
        .current_all()
        .map(|d| NoticeSummary {
            id: d.id.clone(),
            title: d.title.clone(),
            version: d.version,
            sha256: d.sha256.clone(),
            effective_date: d.effective_date,
        })
        .collect();
    (CURRENT, Json(summaries))
}

/// `GET /api/v1/notices/{notice_id}`: the current version.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}",
    tag = "notices",
    params(("notice_id" = String, Path, min_length = 1, pattern = "^[a-z0-9-]+$", description = "The notice's id")),
    responses(
        (status = 200, description = "The notice's current version", body = consent_core::NoticeDocument,
            headers(("Cache-Control" = String, description = "Notices may be cached briefly"))),
        (status = 404, description = "`not_found`: no such notice", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<(Cached, Json<NoticeDocument>), ApiError> {
    state
        .notices
        .get()
        .current(&id)
        .cloned()
        .map(|document| (CURRENT, Json(document)))
        .ok_or_else(|| ApiError::not_found(format!("there is no notice {id:?}")))
}

/// `GET /api/v1/notices/{notice_id}/versions`: every published version, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/notices/{notice_id}/versions",
    tag = "notices",
    params(("notice_id" = String, Path, description = "The notice's id")),
    responses(
        (status = 200, description = "Every published version of the notice, oldest first, without its text; the last is the current one", body = Vec<consent_core::NoticeVersionSummary>,
            headers(("Cache-Control" = String, description = "Checked with the server before reuse: a new version may appear"))),
        (status = 404, description = "`not_found`: no such notice", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn versions(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<(Cached, Json<Vec<NoticeVersionSummary>>), ApiError> {
    let versions: Vec<NoticeVersionSummary> = state
        .notices
        .get()
        .versions(&id)
        .map(NoticeDocument::summary)
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
    ),
    responses(
        (status = 200, description = "That version of the notice; published versions never change", body = consent_core::NoticeDocument,
            headers(("Cache-Control" = String, description = "Published versions may be cached long"))),
        (status = 404, description = "`not_found`: no such notice or version", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn version(
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(String, u32)>,
) -> Result<(Cached, Json<NoticeDocument>), ApiError> {
    state
        .notices
        .get()
        .version(&id, version)
        .cloned()
        .map(|document| (PUBLISHED, Json(document)))
        .ok_or_else(|| {
            ApiError::not_found(format!("there is no version {version} of notice {id:?}"))
        })
}
