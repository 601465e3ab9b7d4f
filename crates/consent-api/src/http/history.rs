//! A tenant's consent history: a page at a time, or all of it as CSV.

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use consent_core::ledger::{history_csv as csv_of, HistoryQuery, QueryProblem};
use consent_core::{ErrorCode, HistoryPage};

use super::visible_snapshot;
use crate::http::extract::ApiPath;
use crate::http::problem::ApiError;
use crate::identity::Caller;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The history and its CSV download.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(history))
        .routes(routes!(history_csv))
}

/// `GET /api/v1/tenants/{tenant_id}/data-sharing/history`: newest first.
/// Readers may read it too.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/data-sharing/history",
    tag = "history",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
        ("program" = Option<consent_core::ProgramId>, Query, description = "Only this program's events (all programs when absent; an empty value is refused)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Events per page, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, min_length = 1, max_length = 18, pattern = "^0*[1-9][0-9]*$", description = "The next_cursor of the previous page, unchanged"),
    ),
    responses(
        (status = 200, description = "One page of events, newest first", body = consent_core::HistoryPage,
            links(
                ("receipt" = (
                    operation_id = "receipt",
                    parameters(("tenant_id" = "$request.path.tenant_id"), ("receipt_id" = "$response.body#/events/0/receipt_id")),
                    description = "The receipt of the newest event on the page"
                )),
                ("next_page" = (
                    operation_id = "history",
                    parameters(("tenant_id" = "$request.path.tenant_id"), ("cursor" = "$response.body#/next_cursor")),
                    description = "The next (older) page, while next_cursor is not null"
                ))
            )),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
    uri: Uri,
) -> Result<Json<HistoryPage>, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let pairs = query_pairs(&uri)?;
    let query = HistoryQuery::paged(&pairs).map_err(invalid_query)?;
    refuse_empty_values(&pairs)?;
    Ok(Json(state.store.history(&tenant_id, &query).await?))
}

/// `GET /api/v1/tenants/{tenant_id}/data-sharing/history.csv`: every
/// matching event, newest first, as an RFC 4180 file for auditors.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/data-sharing/history.csv",
    tag = "history",
    security(("bearer" = [])),
    params(
        ("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)"),
        ("program" = Option<consent_core::ProgramId>, Query, description = "Only this program's events (all programs when absent; an empty value is refused)"),
    ),
    responses(
        (status = 200, description = "Every matching event, newest first, as RFC 4180 CSV with a header row: at, actor_id, actor_name, actor_roles, program, action, enabled_before, enabled_after, contact_before, contact_after, notices, receipt_id, idempotency_key",
            body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"<tenant>-consent-history.csv\""))),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the token maps to no tenant or role this service knows; `insufficient_scope`: a service's token, not a person's", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant for this caller (another tenant's data answers alike)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn history_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tenant_id): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    visible_snapshot(&state, &caller, &tenant_id).await?;
    let pairs = query_pairs(&uri)?;
    let query = HistoryQuery::full(&pairs).map_err(invalid_query)?;
    refuse_empty_values(&pairs)?;
    let page = state.store.history(&tenant_id, &query).await?;
    // The tenant id is checked to be letters, digits, '-', '_' and '.', so
    // it is safe inside the quoted file name.
    let disposition = format!("attachment; filename=\"{tenant_id}-consent-history.csv\"");
    let mut response = csv_of(&page.events).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// The query string as name/value pairs, in order.
pub(super) fn query_pairs(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .map_err(|_| {
            ApiError::new(ErrorCode::InvalidQuery, "the query string cannot be read")
                .with_field("query")
        })
}

/// Refuses a parameter given with an empty value (`?program=`): it names
/// nothing, and reading it as absent would silently widen the answer.
/// Runs after the parameters were read, so unknown and repeated ones are
/// reported as such first.
pub(super) fn refuse_empty_values(pairs: &[(String, String)]) -> Result<(), ApiError> {
    match pairs.iter().find(|(_, value)| value.is_empty()) {
        Some((name, _)) => Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "give this parameter a value, or leave it out",
        )
        .with_field(name.as_str())),
        None => Ok(()),
    }
}

fn invalid_query(problem: QueryProblem) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, problem.message).with_field(problem.parameter)
}
