//! Deletion obligations: a tenant's opt-outs and what each data store owes
//! (admins and readers), a store's queue and its attestations (service
//! tokens with `consent.deletions.attest`, for the stores their client is
//! registered for), and the signed certificate of a completed deletion.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use consent_core::deletion::{
    AttestationRequest, DeletionCertificate, DeletionObligation, ObligationStatus, TenantDeletions,
};
use consent_core::{ErrorCode, Timestamp};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::history::{query_pairs, refuse_empty_values};
use super::receipts::json_or_signed;
use super::visible_snapshot;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::problem::ApiError;
use crate::identity::{Caller, Scope, ServiceCaller};
use crate::service::deletion::AttestOutcome;
use crate::state::AppState;

/// The JWS `typ` of a deletion certificate.
pub const CERTIFICATE_TYP: &str = "deletion-certificate+jws";

/// A store's queue page size, and the most a caller may ask for.
const QUEUE_PAGE: u32 = 100;
const QUEUE_MAX: u32 = 500;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenant_deletions))
        .routes(routes!(certificate))
        .routes(routes!(store_queue))
        .routes(routes!(attest))
}

/// `GET /api/v1/tenants/{tenant_id}/deletions`.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/deletions",
    tag = "deletions",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id"),
    ),
    responses(
        (status = 200, description = "Every opt-out of the tenant, newest first, with one obligation per data store of the program: its due date, `open`, `overdue` or `done`, and the store's attestation once given", body = TenantDeletions),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn tenant_deletions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<TenantDeletions>, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    Ok(Json(state.tenant_deletions(&tenant_id).await?))
}

/// `GET /api/v1/tenants/{tenant_id}/deletions/{opt_out_event_id}/certificate`.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/deletions/{opt_out_event_id}/certificate",
    tag = "deletions",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id"),
        ("opt_out_event_id" = String, Path, min_length = 1, max_length = 64, description = "The opt-out's event id"),
        ("Accept" = Option<String>, Header, nullable = false, description = "`application/jose` for the certificate signed with the ledger key (compact JWS); JSON otherwise"),
    ),
    responses(
        (status = 200, description = "The certificate: every store of the opt-out, what it deleted, when and how, and what is kept on purpose; as JSON, or as a JWS with `Accept: application/jose`",
            content((DeletionCertificate = "application/json"), (String = "application/jose"))),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller, or no opt-out with that id", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`deletion_incomplete`: not every store has attested yet (the detail says how many have)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((tenant_id, event_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let certificate = state.deletion_certificate(&tenant_id, &event_id).await?;
    let body = serde_json::to_vec(&certificate).map_err(ApiError::internal)?;
    Ok(json_or_signed(&state, &headers, body, CERTIFICATE_TYP))
}

/// `GET /api/v1/deletions`: a page of a store's queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletionQueue {
    /// By due date, then id.
    pub obligations: Vec<DeletionObligation>,
    /// Pass as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/deletions?store=&status=&cursor=&limit=`.
#[utoipa::path(
    get,
    path = "/api/v1/deletions",
    tag = "deletions",
    security(("service" = ["consent.deletions.attest"])),
    params(
        ("store" = Option<String>, Query, nullable = false, description = "One of the caller's data stores; all of them when left out"),
        ("status" = Option<ObligationStatus>, Query, nullable = false, description = "Only `open`, `overdue` or `done` obligations"),
        ("cursor" = Option<String>, Query, nullable = false, description = "The `next_cursor` of the page before"),
        ("limit" = Option<u32>, Query, nullable = false, minimum = 1, maximum = 500, description = "At most this many (default 100)"),
    ),
    responses(
        (status = 200, description = "The obligations of the caller's stores, by due date", body = DeletionQueue),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with `consent.deletions.attest`; `not_your_store`: the store is not one the caller's client attests for", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated, empty or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn store_queue(
    service: ServiceCaller,
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Json<DeletionQueue>, ApiError> {
    service.require(Scope::DeletionsAttest)?;
    let pairs = query_pairs(&uri)?;
    let invalid =
        |field: &str, why: &str| ApiError::new(ErrorCode::InvalidQuery, why).with_field(field);
    let mut store = None;
    let mut status = None;
    let mut cursor = None;
    let mut limit = QUEUE_PAGE;
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in &pairs {
        if seen.contains(&name.as_str()) {
            return Err(invalid(name, "give this parameter once"));
        }
        seen.push(name);
        match name.as_str() {
            "store" => store = Some(value.clone()),
            "status" => {
                status = Some(
                    ObligationStatus::parse(value)
                        .ok_or_else(|| invalid("status", "open, overdue or done"))?,
                )
            }
            "cursor" => {
                cursor = Some(
                    read_cursor(value)
                        .ok_or_else(|| invalid("cursor", "not a cursor this service gave"))?,
                )
            }
            "limit" => {
                limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=QUEUE_MAX).contains(n))
                    .ok_or_else(|| invalid("limit", "a whole number from 1 to 500"))?
            }
            other => {
                return Err(invalid(
                    other,
                    "this parameter is not known here: only store, status, cursor and limit are",
                ))
            }
        }
    }
    refuse_empty_values(&pairs)?;
    let mine: Vec<String> = state
        .stores
        .all()
        .iter()
        .filter(|s| s.client_id == service.actor.id)
        .map(|s| s.id.clone())
        .collect();
    let stores = match store {
        Some(store) if mine.contains(&store) => vec![store],
        Some(store) => {
            return Err(ApiError::new(
                ErrorCode::NotYourStore,
                format!(
                    "client {:?} does not attest for a data store {store:?}",
                    service.actor.id
                ),
            ))
        }
        None => mine,
    };
    let now = state.now();
    let rows = state
        .store
        .store_queue(&stores, status, cursor, now, limit + 1)
        .await?;
    let more = rows.len() > limit as usize;
    let page: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| page.last().map(|row| write_cursor(row.due_by, &row.id)))
        .flatten();
    Ok(Json(DeletionQueue {
        obligations: page
            .iter()
            .map(|row| row.view(now, &state.stores))
            .collect(),
        next_cursor,
    }))
}

fn write_cursor(due_by: Timestamp, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", due_by.to_rfc3339()))
}

fn read_cursor(text: &str) -> Option<(Timestamp, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (due, id) = text.split_once('|')?;
    let due = chrono::DateTime::parse_from_rfc3339(due).ok()?;
    (!id.is_empty() && id.len() <= 64).then(|| (due.with_timezone(&chrono::Utc), id.to_owned()))
}

/// `POST /api/v1/deletions/{obligation_id}/attestations`.
#[utoipa::path(
    post,
    path = "/api/v1/deletions/{obligation_id}/attestations",
    tag = "deletions",
    security(("service" = ["consent.deletions.attest"])),
    params(
        ("obligation_id" = String, Path, min_length = 1, max_length = 64, description = "The obligation's id"),
    ),
    request_body(content = AttestationRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded: the obligation is done, and a `deletion_attested` event with its receipt is in the tenant's history", body = DeletionObligation),
        (status = 200, description = "The same attestation was recorded before (a retry); nothing new was recorded", body = DeletionObligation),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with `consent.deletions.attest`; `not_your_store`: the obligation's store is not one the caller's client attests for", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such obligation", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_attested`: attested before with other values, which stand", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is too large", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: not JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: a field missing, of the wrong type, or impossible (`completed_at` in the future or before the opt-out, an empty `method`); `field` names it", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn attest(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(obligation_id): ApiPath<String>,
    ApiJson(request): ApiJson<AttestationRequest>,
) -> Result<(StatusCode, Json<DeletionObligation>), ApiError> {
    service.require(Scope::DeletionsAttest)?;
    let now = state.now();
    match state
        .attest_deletion(&service.actor, &obligation_id, request)
        .await?
    {
        AttestOutcome::Recorded(row) => {
            Ok((StatusCode::CREATED, Json(row.view(now, &state.stores))))
        }
        AttestOutcome::Repeated(row) => Ok((StatusCode::OK, Json(row.view(now, &state.stores)))),
    }
}
