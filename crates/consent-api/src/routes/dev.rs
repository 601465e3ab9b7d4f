//! Development identities: tokens for the demo tenants' people.

use axum::extract::State;
use axum::Json;
use consent_core::{DevTokenRequest, DevTokenResponse, ErrorCode};

use crate::auth::DEV_TOKEN_LIFETIME;
use crate::extract::ApiJson;
use crate::problem::ApiError;
use crate::seed::dev_identity;
use crate::state::AppState;

/// `POST /api/v1/dev/token`: a token for the demo tenant's admin or reader.
pub async fn token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<DevTokenRequest>,
) -> Result<Json<DevTokenResponse>, ApiError> {
    let identity = dev_identity(&request.tenant, request.role).ok_or_else(|| {
        ApiError::not_found(format!(
            "there is no development tenant {:?}",
            request.tenant
        ))
    })?;
    let token = state
        .tokens
        .issue(
            identity.id,
            identity.name,
            identity.tenant,
            &[identity.role],
            DEV_TOKEN_LIFETIME,
        )
        .map_err(ApiError::internal)?;
    Ok(Json(DevTokenResponse {
        token,
        name: identity.name.to_owned(),
        tenant: identity.tenant.to_owned(),
        role: identity.role,
    }))
}

/// The same route outside development mode.
pub async fn unavailable() -> ApiError {
    ApiError::new(
        ErrorCode::DevModeOnly,
        "development identities exist only when the server runs with --dev",
    )
}
