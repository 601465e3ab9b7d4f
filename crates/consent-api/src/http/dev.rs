//! Development identities: tokens for the demo tenants' people, and fresh
//! tenants so that browser tests never share state.

use axum::extract::{FromRef, State};
use consent_core::Actor;

use crate::service::tenant::TenantService;
use axum::http::StatusCode;
use axum::routing::any;
use axum::{Json, Router};
use consent_core::notice::NoticeProblem;
use consent_core::tenant::{
    checked_region, is_valid_tenant_name, TenantProblem, MAX_TENANT_ID_LEN,
};
use consent_core::{
    DevTokenRequest, DevTokenResponse, ErrorCode, NoticeDocument, NoticeRef, Role, Tenant,
};
use serde::{Deserialize, Serialize};

use crate::http::extract::ApiJson;
use crate::http::problem::ApiError;
use crate::identity::DEV_TOKEN_LIFETIME;
use crate::notices::PublishNoticeError;
use crate::seed::dev_identity;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The development routes. Outside development mode the same addresses
/// (still described) answer every method with a clear code, before looking
/// at the body.
pub fn router(enabled: bool) -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(create_tenant))
        .routes(routes!(publish_notice))
        .routes(routes!(advance_clock));
    if enabled {
        return routes;
    }
    let (_, described) = routes.split_for_parts();
    let unavailable = described
        .paths
        .paths
        .keys()
        .fold(Router::new(), |router, path| {
            router.route(path, any(unavailable))
        });
    let mut routes = OpenApiRouter::from(unavailable);
    *routes.get_openapi_mut() = described;
    routes
}

/// `POST /api/v1/dev/token`: a token for a development tenant's admin or reader.
///
/// The demo tenants have named people; a tenant made by [`create_tenant`]
/// gets "Admin of <name>" and "Reader of <name>".
#[utoipa::path(
    post,
    path = "/api/v1/dev/token",
    tag = "development",
    request_body(content = consent_core::DevTokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A token for the tenant's admin or reader", body = consent_core::DevTokenResponse),
        (status = 404, description = "`dev_mode_only`: the server is not in development mode; `not_found`: no such development tenant", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: the body is not valid (`field` names the field)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<DevTokenRequest>,
) -> Result<Json<DevTokenResponse>, ApiError> {
    let (id, name) = match dev_identity(&request.tenant, request.role) {
        Some(identity) => (identity.id.to_owned(), identity.name.to_owned()),
        None => {
            let snapshot = state
                .store
                .snapshot(&request.tenant)
                .await
                .map_err(ApiError::internal)?;
            let tenant = snapshot
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "there is no development tenant {:?}",
                        request.tenant
                    ))
                })?
                .tenant;
            let (role, title) = match request.role {
                Role::Admin => ("admin", "Admin"),
                Role::Reader => ("reader", "Reader"),
            };
            (
                format!("{}-{role}", tenant.id),
                format!("{title} of {}", tenant.name),
            )
        }
    };
    // Development mode always has the (development) shared key.
    let keys = state
        .identity
        .hs256
        .as_ref()
        .ok_or_else(|| ApiError::internal("development tokens need a signing key"))?;
    let token = keys
        .issue(
            &id,
            &name,
            &request.tenant,
            &[request.role],
            DEV_TOKEN_LIFETIME,
        )
        .map_err(ApiError::internal)?;
    Ok(Json(DevTokenResponse {
        token,
        name,
        tenant: request.tenant,
        role: request.role,
    }))
}

/// `POST /api/v1/dev/tenants` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region": "EU", "name": "Northwind"}))]
pub struct NewTenant {
    /// Region code (`US`, `EU`, ...): 1 to 16 ASCII letters, any case (stored upper-case).
    #[schema(min_length = 1, max_length = 16, pattern = "^[A-Za-z]+$")]
    pub region: String,
    /// Display name, 1 to 200 characters, not all blank, no control characters; a generated one when absent or null.
    #[serde(default)]
    // The same pattern as the provisioning route's name (consent_core::tenant::is_valid_tenant_name).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// Instead of making a tenant, moves this one (made by this route, `t-…`)
    /// to `region`, as the provisioning route does: the move is recorded, and
    /// a program the new region does not offer is turned off.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64)]
    pub move_tenant: Option<String>,
}

/// `POST /api/v1/dev/tenants`: a fresh, empty tenant with a unique id, or
/// (with `move_tenant`) a tenant of an earlier call moved to another region.
#[utoipa::path(
    post,
    path = "/api/v1/dev/tenants",
    tag = "development",
    request_body(content = NewTenant, content_type = "application/json"),
    responses(
        (status = 201, description = "The new, empty tenant; with `move_tenant`, that tenant now in `region`", body = consent_core::Tenant),
        (status = 404, description = "`dev_mode_only`: the server is not in development mode; `not_found`: `move_tenant` names no tenant made by this route", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: the body is not valid (`field` names the field)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_tenant(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewTenant>,
) -> Result<(StatusCode, Json<Tenant>), ApiError> {
    // Checked as sent, before Region::new trims it: the document's pattern
    // and this check must agree on every value.
    let region = checked_region(&request.region)
        .map_err(|problem| ApiError::invalid_body(problem.to_string()).with_field("region"))?;
    if let Some(name) = &request.name {
        if !is_valid_tenant_name(name) {
            return Err(ApiError::invalid_body(format!(
                "{}; leave it out for a generated one",
                TenantProblem::BadName
            ))
            .with_field("name"));
        }
    }
    if let Some(id) = &request.move_tenant {
        if !(1..=MAX_TENANT_ID_LEN).contains(&id.len()) {
            return Err(ApiError::invalid_body(format!(
                "move_tenant must be a tenant id of 1 to {MAX_TENANT_ID_LEN} bytes"
            ))
            .with_field("move_tenant"));
        }
        // Only tenants made here: the demo tenants are shared by everyone.
        let existing = if id.starts_with("t-") {
            state.store.tenant(id).await?
        } else {
            None
        };
        let existing = existing.ok_or_else(|| {
            ApiError::not_found(format!("there is no tenant {id:?} made by this route"))
        })?;
        // Moved as the provisioning route moves a tenant: the move is
        // recorded, and what the new region does not offer is turned off.
        let moved = Tenant {
            region,
            ..existing.tenant
        };
        let mover = Actor {
            id: "dev-tenants".to_owned(),
            name: "dev-tenants".to_owned(),
            roles: Vec::new(),
        };
        TenantService::from_ref(&state)
            .register(&mover, std::slice::from_ref(&moved))
            .await?;
        return Ok((StatusCode::CREATED, Json(moved)));
    }
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let id = format!("t-{}", &suffix[suffix.len() - 12..]);
    let name = request
        .name
        .unwrap_or_else(|| format!("Test tenant {}", &id[2..8]));
    let tenant = Tenant { id, name, region };
    state
        .store
        .ensure_tenant(&tenant, state.now())
        .await
        .map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(tenant)))
}

/// `POST /api/v1/dev/notices`: publishes a notice version while the server
/// runs, exactly as adding its file to the content directory and restarting
/// would (checked the same way, recorded in the database, served at once).
///
/// For tests of re-consent. A version published this way lives in the
/// database only: after a restart, only the content directory's files are served.
#[utoipa::path(
    post,
    path = "/api/v1/dev/notices",
    tag = "development",
    request_body(content = super::dev_notice::NewNotice, description = "The notice version; the server computes its `sha256`", content_type = "application/json"),
    responses(
        (status = 201, description = "The version is published (or was already, with the same words): its reference", body = consent_core::NoticeRef),
        (status = 404, description = "`dev_mode_only`: the server is not in development mode", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: not a valid notice, a `sha256` that does not match its words, a version already published with other words, or a translation of a version with no reference text (`field` names the field)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn publish_notice(
    State(state): State<AppState>,
    ApiJson(notice): ApiJson<super::dev_notice::NewNotice>,
) -> Result<(StatusCode, Json<NoticeRef>), ApiError> {
    let document = NoticeDocument::from(notice);
    let (id, version) = (document.id.clone(), document.version);
    match state
        .notices
        .publish(&state.store, document, state.now())
        .await
    {
        Ok(reference) => {
            tracing::info!(notice = %reference.id, version = reference.version, "notice published at runtime");
            Ok((StatusCode::CREATED, Json(reference)))
        }
        Err(PublishNoticeError::Database(error)) => Err(ApiError::internal(error)),
        Err(error) => {
            let field = match &error {
                PublishNoticeError::Invalid(problem) => problem_field(problem),
                PublishNoticeError::AlreadyPublished { .. } => "version",
                PublishNoticeError::NoReferenceText { .. } => "language",
                PublishNoticeError::Database(_) => "",
            };
            tracing::debug!(notice = %id, version, %error, "notice not published");
            Err(ApiError::invalid_body(error.to_string()).with_field(field))
        }
    }
}

/// The field of a notice document a problem is about.
fn problem_field(problem: &NoticeProblem) -> &'static str {
    match problem {
        NoticeProblem::BadId => "id",
        NoticeProblem::BadVersion => "version",
        NoticeProblem::EmptyTitle => "title",
        NoticeProblem::EmptyLanguage => "language",
        NoticeProblem::NoSections
        | NoticeProblem::EmptySection(_)
        | NoticeProblem::DuplicateSection(_)
        | NoticeProblem::BadLink(_) => "sections",
        NoticeProblem::HashMismatch { .. } => "sha256",
    }
}

/// The same route outside development mode.
pub async fn unavailable() -> ApiError {
    ApiError::new(
        ErrorCode::DevModeOnly,
        "development identities exist only when the server runs with --dev",
    )
}

/// `POST /api/v1/dev/clock`: how far to move the server's clock.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// Seconds to move forward: 1 to ten years. The clock never goes back,
    /// so the history stays in order.
    #[schema(minimum = 1, maximum = 315576000)]
    pub advance_seconds: u32,
}

/// Where the clock is now, and what the deletion sweep then marked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockMoved {
    #[schema(value_type = String, format = DateTime)]
    pub now: consent_core::Timestamp,
    /// Obligations the sweep run right after marked overdue.
    pub overdue_marked: usize,
}

/// The most the clock moves at once: ten years.
const MAX_ADVANCE_SECS: u32 = 315_576_000;

/// `POST /api/v1/dev/clock`: moves the server's clock forward and runs the
/// deletion sweep at once, so that a due date can be passed in a test of
/// the whole product (the keyboard run) without waiting.
#[utoipa::path(
    post,
    path = "/api/v1/dev/clock",
    tag = "development",
    request_body(content = ClockAdvance, content_type = "application/json"),
    responses(
        (status = 200, description = "The clock moved; the sweep ran", body = ClockMoved),
        (status = 404, description = "`dev_mode_only`: the server is not in development mode", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: `advance_seconds` missing or not from 1 to ten years (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ClockAdvance>,
) -> Result<Json<ClockMoved>, ApiError> {
    if !(1..=MAX_ADVANCE_SECS).contains(&request.advance_seconds) {
        return Err(
            ApiError::invalid_body("move the clock forward by 1 second to ten years")
                .with_field("advance_seconds"),
        );
    }
    let offset = state.clock_offset.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::DevModeOnly,
            "the clock moves only in development mode",
        )
    })?;
    offset.fetch_add(
        i64::from(request.advance_seconds) * 1_000_000,
        std::sync::atomic::Ordering::SeqCst,
    );
    let overdue_marked = state.sweep_deletions().await?;
    tracing::info!(
        seconds = request.advance_seconds,
        overdue_marked,
        "development clock moved"
    );
    Ok(Json(ClockMoved {
        now: state.now(),
        overdue_marked,
    }))
}
