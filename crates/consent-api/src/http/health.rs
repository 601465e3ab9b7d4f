//! Liveness and readiness probes.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use consent_core::ErrorCode;
use serde::Serialize;

use crate::http::problem::ApiError;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The answer of both probes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

const OK: Health = Health { status: "ok" };

/// The probes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// `GET /healthz`: the process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The process is up", body = Health),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz() -> Json<Health> {
    Json(OK)
}

/// `GET /readyz`: the database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 503, description = "`internal`: the database is not reachable", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // A database that does not answer in time is as unready as one that refuses.
    let answer = tokio::time::timeout(READY_DEADLINE, state.store.ping()).await;
    match answer {
        Ok(Ok(())) => Ok(Json(OK)),
        Ok(Err(error)) => not_ready(&error),
        Err(elapsed) => not_ready(&elapsed),
    }
}

/// How long `/readyz` waits for the database.
const READY_DEADLINE: Duration = Duration::from_secs(2);

fn not_ready(error: &dyn std::fmt::Display) -> Result<Json<Health>, ApiError> {
    tracing::warn!(%error, "database not reachable");
    Err(
        ApiError::new(ErrorCode::Internal, "the database is not reachable")
            .with_status(StatusCode::SERVICE_UNAVAILABLE),
    )
}
