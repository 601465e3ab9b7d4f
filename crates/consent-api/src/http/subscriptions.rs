//! Webhook subscriptions (scope `consent.subscriptions.write`): where the
//! consent service announces each change of a decision, signed as Standard
//! Webhooks asks, and what became of each announcement.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use consent_core::tenant::is_valid_tenant_id;
use consent_core::{ProgramId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath};
use super::problem::ApiError;
use crate::identity::{Scope, ServiceCaller};
use crate::service::webhooks::{check_destination, new_secret};
use crate::state::AppState;
use crate::store::webhooks::{DeliveryRow, Subscription, SubscriptionRequest};

/// The longest URL a subscription may name.
const MAX_URL_LEN: usize = 2048;
/// The longest description.
const MAX_DESCRIPTION_LEN: usize = 500;
/// Deliveries listed per answer.
const DELIVERIES_SHOWN: u32 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            put_subscription,
            get_subscription,
            delete_subscription
        ))
        .routes(routes!(subscription_deliveries))
}

/// `PUT /api/v1/subscriptions/{id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionBody {
    /// Where to POST: `https` (development mode also allows `http` on
    /// loopback), never an address on a private or internal network.
    #[schema(min_length = 1, max_length = 2048)]
    pub url: String,
    /// The programs whose changes to announce (at least one).
    #[schema(min_items = 1)]
    pub programs: Vec<ProgramId>,
    /// What the subscriber is, for operators.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

/// A subscription as answered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    pub id: String,
    pub url: String,
    pub programs: Vec<String>,
    pub description: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The signing secret (`whsec_…`), only in the answer that created the
    /// subscription: keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl SubscriptionView {
    fn of(subscription: Subscription, with_secret: bool) -> SubscriptionView {
        SubscriptionView {
            secret: with_secret.then_some(subscription.secret),
            id: subscription.id,
            url: subscription.url,
            programs: subscription.programs,
            description: subscription.description,
            created_at: subscription.created_at,
        }
    }
}

/// One delivery of a subscription.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    /// The `webhook-id` (the same on every attempt).
    pub id: String,
    /// The change feed cursor of the change it announces.
    pub cursor: String,
    pub tenant: String,
    pub program: String,
    /// `pending`, `delivered`, `dead` (refused for good, or failing for 3 days) or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    /// When the next attempt is due (pending ones).
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// How long the last attempt took.
    pub latency_ms: Option<i64>,
}

impl From<DeliveryRow> for DeliveryView {
    fn from(row: DeliveryRow) -> DeliveryView {
        DeliveryView {
            id: row.id,
            cursor: row.feed_position.to_string(),
            tenant: row.tenant_id,
            program: row.program,
            status: row.status,
            attempts: row.attempts,
            created_at: row.created_at,
            next_attempt_at: row.next_attempt_at,
            delivered_at: row.delivered_at,
            last_status: row.last_status,
            last_error: row.last_error,
            latency_ms: row.latency_ms,
        }
    }
}

/// `GET /api/v1/subscriptions/{id}/deliveries`: the newest deliveries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryView>,
}

fn checked_id(id: &str) -> Result<(), ApiError> {
    if is_valid_tenant_id(id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "there is no subscription {:?}",
            id.chars().take(64).collect::<String>()
        )))
    }
}

/// `PUT /api/v1/subscriptions/{id}`: creates (201, with the secret) or changes (200) a subscription.
#[utoipa::path(
    put,
    path = "/api/v1/subscriptions/{id}",
    tag = "webhooks",
    operation_id = "put_subscription",
    security(("service" = ["consent.subscriptions.write"])),
    params(("id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The subscription's id, chosen by the subscriber")),
    request_body(content = SubscriptionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created: the answer carries the signing secret, once", body = SubscriptionView),
        (status = 200, description = "Changed (URL, programs, description); the secret stays", body = SubscriptionView),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.subscriptions.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: not a subscription id", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: the body is over 64 KiB", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 415, description = "`invalid_body`: the body is not declared as JSON", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: not a valid body, or a URL that is not https, carries credentials, cannot be resolved or points into a private network (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed; nothing was changed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_subscription(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SubscriptionBody>,
) -> Result<(StatusCode, Json<SubscriptionView>), ApiError> {
    service.require(Scope::SubscriptionsWrite)?;
    checked_id(&id)?;
    let field = |field: &str, detail: String| ApiError::invalid_body(detail).with_field(field);
    if body.url.len() > MAX_URL_LEN {
        return Err(field(
            "url",
            format!("the url must be at most {MAX_URL_LEN} bytes"),
        ));
    }
    if body.programs.is_empty() {
        return Err(field("programs", "name at least one program".to_owned()));
    }
    if body.description.chars().count() > MAX_DESCRIPTION_LEN
        || body.description.chars().any(char::is_control)
    {
        return Err(field("description", format!("the description must be at most {MAX_DESCRIPTION_LEN} characters, none a control character")));
    }
    check_destination(&body.url, state.dev)
        .await
        .map_err(|why| field("url", why.to_string()))?;
    let mut programs: Vec<String> = body
        .programs
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    programs.sort();
    programs.dedup();
    let secret = new_secret();
    let (created, subscription) = state
        .store
        .put_subscription(
            &SubscriptionRequest {
                id: &id,
                url: &body.url,
                programs: &programs,
                description: &body.description,
                new_secret: &secret,
                by: &service.actor.id,
            },
            state.now(),
        )
        .await?;
    tracing::info!(subscription = %id, created, by = %service.actor.id, "webhook subscription stored");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(SubscriptionView::of(subscription, created))))
}

/// `GET /api/v1/subscriptions/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/{id}",
    tag = "webhooks",
    operation_id = "get_subscription",
    security(("service" = ["consent.subscriptions.write"])),
    params(("id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription (without its secret)", body = SubscriptionView),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.subscriptions.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such subscription", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_subscription(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SubscriptionView>, ApiError> {
    service.require(Scope::SubscriptionsWrite)?;
    checked_id(&id)?;
    let subscription = state.store.subscription(&id).await?;
    subscription
        .map(|s| Json(SubscriptionView::of(s, false)))
        .ok_or_else(|| ApiError::not_found(format!("there is no subscription {id:?}")))
}

/// `DELETE /api/v1/subscriptions/{id}`: no more deliveries; pending ones are cancelled.
#[utoipa::path(
    delete,
    path = "/api/v1/subscriptions/{id}",
    tag = "webhooks",
    operation_id = "delete_subscription",
    security(("service" = ["consent.subscriptions.write"])),
    params(("id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The subscription's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.subscriptions.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such subscription", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_subscription(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    service.require(Scope::SubscriptionsWrite)?;
    checked_id(&id)?;
    if state.store.delete_subscription(&id, state.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "there is no subscription {id:?}"
        )))
    }
}

/// `GET /api/v1/subscriptions/{id}/deliveries`.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/{id}/deliveries",
    tag = "webhooks",
    operation_id = "subscription_deliveries",
    security(("service" = ["consent.subscriptions.write"])),
    params(("id" = String, Path, min_length = 1, max_length = 64, pattern = r"^(?!\.\.?$)[A-Za-z0-9._-]+$", description = "The subscription's id")),
    responses(
        (status = 200, description = "The newest 100 deliveries, newest first", body = DeliveryList),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.subscriptions.write", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such subscription", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn subscription_deliveries(
    service: ServiceCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DeliveryList>, ApiError> {
    service.require(Scope::SubscriptionsWrite)?;
    checked_id(&id)?;
    if state.store.subscription(&id).await?.is_none() {
        return Err(ApiError::not_found(format!(
            "there is no subscription {id:?}"
        )));
    }
    let rows = state.store.deliveries(&id, DELIVERIES_SHOWN).await?;
    Ok(Json(DeliveryList {
        deliveries: rows.into_iter().map(DeliveryView::from).collect(),
    }))
}
