//! The ledger's public evidence: the keys that sign it, and a tenant's
//! signed checkpoint (how many events its chain holds, and the newest
//! one's hash), which an auditor keeps to notice later removals, and the
//! export an auditor checks offline.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use consent_core::chain::Checkpoint;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::visible_snapshot;
use crate::http::extract::ApiPath;
use crate::http::problem::ApiError;
use crate::identity::Caller;
use crate::ledger::{self, jws};
use crate::state::AppState;
use crate::store::CHECKPOINT_TYP;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ledger_keys))
        .routes(routes!(checkpoint))
        .routes(routes!(export))
}

/// `GET /.well-known/jwks.json`: the ledger's Ed25519 public keys, the
/// retired ones included, to check signed receipts and checkpoints.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "ledger",
    responses(
        (status = 200, description = "The public keys (JWKS, OKP Ed25519) that signed and sign the ledger's receipts and checkpoints", body = Object),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn ledger_keys(State(state): State<AppState>) -> Response {
    let mut response = Json::<Value>(state.ledger_keys.jwks()).into_response();
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// `GET /api/v1/tenants/{tenant_id}/ledger/checkpoint`: a JWS of
/// `{tenant, count, head_hash, at}` for the tenant's chain now. Readers may
/// read it too.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/ledger/checkpoint",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
    ),
    responses(
        (status = 200, description = "A compact JWS (EdDSA) of the tenant's checkpoint", body = String, content_type = "application/jose"),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn checkpoint(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let head = state.store.chain_head(&tenant_id).await?;
    let checkpoint = Checkpoint {
        tenant: tenant_id,
        count: head.count,
        head_hash: head.hash,
        at: state
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    };
    let payload = serde_json::to_vec(&checkpoint).expect("a checkpoint serialises");
    Ok(signed(state.ledger_keys.sign(&payload, CHECKPOINT_TYP)))
}

/// A compact JWS as an answer.
pub(crate) fn signed(token: String) -> Response {
    let mut response = token.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(jws::MEDIA_TYPE));
    response
}

/// `GET /api/v1/tenants/{tenant_id}/ledger/export`: the tenant's whole
/// ledger as JSON lines, each event with its link and signed receipt,
/// ending with a checkpoint signed now; `consent-api ledger verify --in`
/// checks it offline. Readers may read it too.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/ledger/export",
    tag = "ledger",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
    ),
    responses(
        (status = 200, description = "JSON lines: `{\"link\": {tenant, n, prev_hash, hash, event}, \"receipt\": JWS}` per event, oldest first, then `{\"checkpoint\": JWS}`", body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let at = state
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let lines = ledger::export::export(&state.store, &state.ledger_keys, &tenant_id, &at).await?;
    let mut response = (lines.join("\n") + "\n").into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(ledger::export::MEDIA_TYPE),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"ledger-{tenant_id}.jsonl\""
    )) {
        headers.insert(CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
