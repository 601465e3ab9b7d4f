//! Liveness and readiness probes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use consent_core::ErrorCode;
use serde_json::{json, Value};

use crate::problem::ApiError;
use crate::state::AppState;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(json!({"status": "ok"}))),
        Err(error) => {
            tracing::warn!(%error, "database not reachable");
            Err(
                ApiError::new(ErrorCode::Internal, "the database is not reachable")
                    .with_status(StatusCode::SERVICE_UNAVAILABLE),
            )
        }
    }
}
