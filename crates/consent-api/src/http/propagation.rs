//! How far a tenant's latest change of each program has reached the
//! systems connected by webhooks, for the page's "Applied by N of N".

use axum::extract::State;
use axum::Json;
use consent_core::PropagationDocument;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::visible_snapshot;
use crate::http::extract::ApiPath;
use crate::http::problem::ApiError;
use crate::identity::Caller;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(propagation))
}

/// `GET /api/v1/tenants/{tenant_id}/data-sharing/propagation`: for each
/// program, the deliveries of its latest change (announced, acknowledged,
/// failed for good). Readers may read it too.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/data-sharing/propagation",
    tag = "data-sharing",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
    ),
    responses(
        (status = 200, description = "Each program's latest change and how many connected systems acknowledged it", body = consent_core::PropagationDocument),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn propagation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<PropagationDocument>, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let programs = state.store.propagation(&tenant_id).await?;
    Ok(Json(PropagationDocument { programs }))
}
