//! Consent receipts, one per recorded event, as issued.

use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::ledger::signed;
use super::visible_snapshot;
use crate::http::extract::ApiPath;
use crate::http::problem::ApiError;
use crate::identity::Caller;
use crate::ledger::export::RECEIPT_TYP;
use crate::ledger::jws;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The longest receipt id looked up (receipt ids are UUIDs).
const MAX_RECEIPT_ID_LEN: usize = 64;

/// Receipts.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receipt))
}

/// `GET /api/v1/tenants/{tenant_id}/receipts/{receipt_id}`: the receipt
/// exactly as it was issued with its event. Readers may read it too.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/receipts/{receipt_id}",
    tag = "history",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
        ("receipt_id" = String, Path, min_length = 1, max_length = 64, pattern = "^[0-9A-Fa-f-]+$", description = "The receipt_id of a history event (a UUID)"),
    ),
    responses(
        (status = 200, description = "The consent receipt as issued; with `Accept: application/jose`, the same bytes as the payload of a compact JWS (EdDSA, the ledger key; check it with /.well-known/jwks.json)",
            content((consent_core::ConsentReceipt = "application/json"), (String = "application/jose"))),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller, or no such receipt of this tenant", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn receipt(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((tenant_id, receipt_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let not_found = || ApiError::not_found("there is no such receipt for this tenant");
    let plausible = !receipt_id.is_empty()
        && receipt_id.len() <= MAX_RECEIPT_ID_LEN
        && receipt_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !plausible {
        return Err(not_found());
    }
    let body = state
        .store
        .receipt(&tenant_id, &receipt_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(json_or_signed(
        &state,
        &headers,
        body.into_bytes(),
        RECEIPT_TYP,
    ))
}

/// `body` (JSON) as the answer, or signed with the ledger key as a compact
/// JWS of type `typ` when the caller asked for `application/jose`.
pub(crate) fn json_or_signed(
    state: &AppState,
    headers: &HeaderMap,
    body: Vec<u8>,
    typ: &str,
) -> Response {
    if wants_jws(headers) {
        return signed(state.ledger_keys.sign(&body, typ));
    }
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Whether the caller asked for the receipt as a JWS (`Accept: application/jose`).
fn wants_jws(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim() == jws::MEDIA_TYPE)
        })
}
