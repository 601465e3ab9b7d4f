//! Decisions for the systems that use the data (scope
//! `consent.decisions.read`): may a tenant's data be used under a program,
//! now or at an instant, one at a time or up to 1,000 at once. An unknown
//! tenant is answered 200 with `allowed: false`, so a pipeline fails closed.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, ETAG};
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use consent_core::decision::DataUseDecision;
use consent_core::{document_etag, ErrorCode, ProgramId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath};
use super::history::{query_pairs, refuse_empty_values};
use super::problem::ApiError;
use crate::identity::{Scope, ServiceCaller};
use crate::metrics::SharedMetrics;
use crate::service::decision::DecisionService;
use crate::state::AppState;

/// The most pairs one batch may ask about.
pub const MAX_BATCH: usize = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(decision))
        .routes(routes!(decisions_batch))
}

/// `POST /api/v1/decisions:batch` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBatch {
    /// Up to 1,000 pairs, answered in the same order.
    #[schema(max_items = 1000)]
    pub items: Vec<DecisionItem>,
}

/// One pair of a batch.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionItem {
    /// Any text; a tenant that does not exist is answered `unknown_tenant`.
    pub tenant: String,
    pub program: ProgramId,
}

/// The answers of a batch, in the order asked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionList {
    pub decisions: Vec<DataUseDecision>,
}

/// `GET /api/v1/decisions/{tenant_id}/{program_id}`.
#[utoipa::path(
    get,
    path = "/api/v1/decisions/{tenant_id}/{program_id}",
    tag = "decisions",
    operation_id = "decision",
    security(("service" = ["consent.decisions.read"])),
    params(
        ("tenant_id" = String, Path, min_length = 1, description = "The tenant, any text: one that does not exist (or could not) is answered `unknown_tenant` (allowed: false)"),
        ("program_id" = ProgramId, Path, description = "The program"),
        ("at" = Option<String>, Query, format = DateTime, description = "Answer as of this instant (RFC 3339), replayed from the ledger"),
    ),
    responses(
        (status = 200, description = "The decision. `allowed` is false for every reason but `opted_in`; cache it no longer than `Cache-Control` says, and treat a failed lookup as not allowed", body = DataUseDecision,
            headers(
                ("ETag" = String, description = "The tenant's document version and the program's current notice versions"),
                ("Cache-Control" = String, description = "private, max-age=N: how long the answer may be reused"),
            )),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.decisions.read", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such program", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decision(
    service: ServiceCaller,
    State(state): State<AppState>,
    State(decisions): State<DecisionService>,
    ApiPath((tenant_id, program_id)): ApiPath<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    service.require(Scope::DecisionsRead)?;
    let program = ProgramId::parse(&program_id).ok_or_else(|| {
        ApiError::not_found(format!("there is no program {:?}", truncated(&program_id)))
    })?;
    let at = instant(&uri)?;
    let decided = match at {
        Some(at) => decisions.decide_at(&tenant_id, program, at).await?,
        None => decisions.decide(&tenant_id, program).await?,
    };
    state
        .metrics
        .decision_answered(decided.program, decided.reason);
    let notices = state.notices.get();
    let etag = document_etag(
        decided.version,
        notices
            .for_program(program)
            .current
            .iter()
            .map(|n| n.version),
    );
    let mut response = Json(decided).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, etag);
    }
    if let Ok(cache) =
        HeaderValue::from_str(&format!("private, max-age={}", state.decision_max_age_secs))
    {
        headers.insert(CACHE_CONTROL, cache);
    }
    Ok(response)
}

/// `POST /api/v1/decisions:batch`.
#[utoipa::path(
    post,
    path = "/api/v1/decisions:batch",
    tag = "decisions",
    operation_id = "decisions_batch",
    security(("service" = ["consent.decisions.read"])),
    request_body(content = DecisionBatch, content_type = "application/json"),
    responses(
        (status = 200, description = "One decision per pair, in the order asked", body = DecisionList),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.decisions.read", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: not a valid body, an unknown program, or more than 1,000 pairs (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decisions_batch(
    service: ServiceCaller,
    State(metrics): State<SharedMetrics>,
    State(decisions): State<DecisionService>,
    ApiJson(batch): ApiJson<DecisionBatch>,
) -> Result<Json<DecisionList>, ApiError> {
    service.require(Scope::DecisionsRead)?;
    if batch.items.len() > MAX_BATCH {
        return Err(ApiError::invalid_body(format!(
            "ask about at most {MAX_BATCH} pairs at once ({} were sent); split the batch",
            batch.items.len()
        ))
        .with_field("items"));
    }
    let items: Vec<(String, ProgramId)> = batch
        .items
        .into_iter()
        .map(|item| (item.tenant, item.program))
        .collect();
    let decided = decisions.decide_many(&items).await?;
    for decision in &decided {
        metrics.decision_answered(decision.program, decision.reason);
    }
    Ok(Json(DecisionList { decisions: decided }))
}

/// The `at` parameter, the only one these answers take (decisions, and the
/// data-sharing document as of an instant).
pub(crate) fn instant(uri: &Uri) -> Result<Option<Timestamp>, ApiError> {
    let pairs = query_pairs(uri)?;
    let invalid = |field: &str, message: &str| {
        ApiError::new(ErrorCode::InvalidQuery, message).with_field(field)
    };
    if let Some((name, _)) = pairs.iter().find(|(name, _)| name != "at") {
        return Err(invalid(
            name,
            "this parameter is not known here: only at is",
        ));
    }
    if pairs.len() > 1 {
        return Err(invalid("at", "give at once"));
    }
    refuse_empty_values(&pairs)?;
    pairs
        .first()
        .map(|(_, value)| {
            chrono::DateTime::parse_from_rfc3339(value)
                .map(|at| at.with_timezone(&chrono::Utc))
                .map_err(|_| {
                    invalid(
                        "at",
                        "at must be an RFC 3339 instant, such as 2026-12-06T10:00:00Z",
                    )
                })
        })
        .transpose()
}

fn truncated(text: &str) -> String {
    text.chars().take(64).collect()
}
