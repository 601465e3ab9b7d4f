//! Tenant provisioning for the operator's services (scope
//! `consent.tenants.write`): register a tenant, rename or move it, read one,
//! list them. A move to another region is recorded in the tenant's history,
//! and Copilot is turned off in the same transaction when the tenant leaves
//! the United States.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use consent_core::tenant::{checked_tenant, is_valid_tenant_id};
use consent_core::{ErrorCode, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath};
use super::history::{query_pairs, refuse_empty_values};
use super::problem::ApiError;
use crate::identity::{Scope, ServiceCaller};
use crate::service::tenant::TenantService;
use crate::state::AppState;
use crate::store::{Registered, TenantRecord};

/// Tenants per page when `limit` is not given.
pub const DEFAULT_TENANT_LIMIT: u32 = 100;

/// The most tenants one page may hold.
pub const MAX_TENANT_LIMIT: u32 = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_tenant, get_tenant))
        .routes(routes!(list_tenants))
}

/// `PUT /api/v1/tenants/{tenant_id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Contoso Ltd", "region": "US"}))]
pub struct TenantRegistration {
    /// Display name, 1 to 200 characters, not all blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// Region code (`US`, `EU`, ...): 1 to 16 ASCII letters, any case (stored upper-case).
    #[schema(min_length = 1, max_length = 16, pattern = "^[A-Za-z]+$")]
    pub region: String,
}

/// A registered tenant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegisteredTenant {
    pub id: String,
    pub name: String,
    /// Region code, upper-case.
    pub region: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The version of the tenant's data-sharing document (its `ETag` starts with it).
    pub version: i64,
}

impl From<&TenantRecord> for RegisteredTenant {
    fn from(record: &TenantRecord) -> RegisteredTenant {
        RegisteredTenant {
            id: record.tenant.id.clone(),
            name: record.tenant.name.clone(),
            region: record.tenant.region.code().to_owned(),
            created_at: record.created_at,
            version: record.version,
        }
    }
}

/// `GET /api/v1/tenants`: one page of tenants, in id order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenantPage {
    pub tenants: Vec<RegisteredTenant>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `PUT /api/v1/tenants/{tenant_id}`: registers the tenant, or renames or
/// moves it. The same body again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/tenants/{tenant_id}",
    tag = "tenants",
    operation_id = "put_tenant",
    security(("service" = ["consent.tenants.write"])),
    params(("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id: 1 to 64 letters, digits, '-', '_' or '.' (not `.` or `..`)")),
    request_body(content = TenantRegistration, content_type = "application/json"),
    responses(
        (status = 201, description = "Registered", body = RegisteredTenant),
        (status = 200, description = "Already registered: renamed or moved as asked, or already so (nothing recorded). A move out of the United States records `region_changed` and turns Copilot off (`opted_out`, reason `region_ineligible`) in the same transaction", body = RegisteredTenant),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.tenants.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_tenant`: the id, name or region is not acceptable (`field` names it); `invalid_body`: not a valid body", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_tenant(
    service: ServiceCaller,
    State(tenants): State<TenantService>,
    ApiPath(tenant_id): ApiPath<String>,
    ApiJson(registration): ApiJson<TenantRegistration>,
) -> Result<(StatusCode, Json<RegisteredTenant>), ApiError> {
    service.require(Scope::TenantsWrite)?;
    let tenant = checked_tenant(&tenant_id, &registration.name, &registration.region).map_err(
        |problem| {
            ApiError::new(ErrorCode::InvalidTenant, problem.to_string()).with_field(problem.field())
        },
    )?;
    let outcome = tenants
        .register(&service.actor, std::slice::from_ref(&tenant))
        .await?
        .remove(0);
    let status = match outcome {
        Registered::Created(_) => StatusCode::CREATED,
        Registered::Updated(..) | Registered::Unchanged(_) => StatusCode::OK,
    };
    Ok((status, Json(RegisteredTenant::from(outcome.record()))))
}

/// `GET /api/v1/tenants/{tenant_id}`: one registered tenant.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}",
    tag = "tenants",
    operation_id = "get_tenant",
    security(("service" = ["consent.tenants.write"])),
    params(("tenant_id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The tenant's id")),
    responses(
        (status = 200, description = "The tenant", body = RegisteredTenant),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.tenants.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such tenant", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_tenant(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<RegisteredTenant>, ApiError> {
    service.require(Scope::TenantsWrite)?;
    let record = state.store.tenant(&tenant_id).await?.ok_or_else(|| {
        let shown: String = tenant_id.chars().take(64).collect();
        ApiError::not_found(format!("there is no tenant {shown:?}"))
    })?;
    Ok(Json(RegisteredTenant::from(&record)))
}

/// `GET /api/v1/tenants`: registered tenants, a page at a time, in id order.
#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    tag = "tenants",
    operation_id = "list_tenants",
    security(("service" = ["consent.tenants.write"])),
    params(
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the page before; the first page without it"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Tenants per page (default 100)"),
    ),
    responses(
        (status = 200, description = "One page of tenants", body = TenantPage),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.tenants.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_tenants(
    service: ServiceCaller,
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Json<TenantPage>, ApiError> {
    service.require(Scope::TenantsWrite)?;
    let pairs = query_pairs(&uri)?;
    let mut cursor = None;
    let mut limit = None;
    for (name, value) in &pairs {
        let bad = |message: &str| {
            Err(ApiError::new(ErrorCode::InvalidQuery, message).with_field(name.as_str()))
        };
        let slot_taken = match name.as_str() {
            "cursor" => cursor.replace(value.as_str()).is_some(),
            "limit" => limit.replace(value.as_str()).is_some(),
            _ => return bad("this parameter is not known here: cursor and limit are"),
        };
        if slot_taken {
            return bad("give this parameter once");
        }
    }
    refuse_empty_values(&pairs)?;
    let limit = match limit {
        None => DEFAULT_TENANT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_TENANT_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidQuery,
                    format!("limit must be a whole number from 1 to {MAX_TENANT_LIMIT}"),
                )
                .with_field("limit")
            })?,
    };
    let after = cursor.map(decode_cursor).transpose()?;
    let mut page = state.store.tenants(after.as_deref(), limit + 1).await?;
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    let next_cursor = page
        .last()
        .filter(|_| more)
        .map(|last| URL_SAFE_NO_PAD.encode(last.tenant.id.as_bytes()));
    Ok(Json(TenantPage {
        tenants: page.iter().map(RegisteredTenant::from).collect(),
        next_cursor,
    }))
}

/// The tenant id a cursor holds (opaque to callers).
fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|id| is_valid_tenant_id(id))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidQuery,
                "the cursor is not one this API gave out",
            )
            .with_field("cursor")
        })
}
