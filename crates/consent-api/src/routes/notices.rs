//! The published notices, read-only and public: they are what admins are asked to accept.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use consent_core::NoticeDocument;
use serde::Serialize;

use crate::extract::ApiPath;
use crate::problem::ApiError;
use crate::state::AppState;

/// One entry of `GET /api/v1/notices`: the current version of a notice.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeSummary {
    pub id: String,
    pub title: String,
    pub version: u32,
    pub sha256: String,
    pub effective_date: NaiveDate,
}

/// `GET /api/v1/notices`.
pub async fn list(State(state): State<AppState>) -> Json<Vec<NoticeSummary>> {
    let summaries = state
        .notices
        .current_all()
        .map(|d| NoticeSummary {
            id: d.id.clone(),
            title: d.title.clone(),
            version: d.version,
            sha256: d.sha256.clone(),
            effective_date: d.effective_date,
        })
        .collect();
    Json(summaries)
}

/// `GET /api/v1/notices/{notice_id}`: the current version.
pub async fn current(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NoticeDocument>, ApiError> {
    state
        .notices
        .current(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("there is no notice {id:?}")))
}

/// `GET /api/v1/notices/{notice_id}/versions/{version}`.
pub async fn version(
    State(state): State<AppState>,
    ApiPath((id, version)): ApiPath<(String, u32)>,
) -> Result<Json<NoticeDocument>, ApiError> {
    state
        .notices
        .version(&id, version)
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(format!("there is no version {version} of notice {id:?}"))
        })
}
