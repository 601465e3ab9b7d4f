//! Who is calling: bearer tokens from a shared key (HS256) or from an
//! OpenID provider's published keys, mapped to a person of one tenant or to
//! a service with scopes.
//!
//! Handlers take [`Caller`] (a person) or [`ServiceCaller`] (a service); each
//! refuses the other kind with 403 `insufficient_scope`.

mod claims;
mod hs256;
pub mod jwks;
mod verified;
mod verifier;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use consent_core::ErrorCode;

pub use claims::{Caller, ClaimMapping, Principal, Scope, ServiceCaller, Unmapped};
pub use hs256::{Claims, TokenKeys, DEV_TOKEN_LIFETIME};
pub use verified::VerifiedTokens;
pub use verifier::{TokenRefusal, TokenVerifier, LEEWAY_SECS};

use crate::http::problem::ApiError;
use crate::limits::{retry_after_secs, SharedRequestLimits};
use crate::metrics::{Limit, SharedMetrics};

/// Shares the verifier between handlers without copying it.
pub type SharedVerifier = Arc<TokenVerifier>;

/// The principal behind the request's bearer token, within its request limit.
async fn principal<S>(parts: &Parts, state: &S) -> Result<Principal, ApiError>
where
    SharedVerifier: FromRef<S>,
    SharedRequestLimits: FromRef<S>,
    SharedMetrics: FromRef<S>,
{
    let verifier = SharedVerifier::from_ref(state);
    let metrics = SharedMetrics::from_ref(state);
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        metrics.token_refused("missing");
        ApiError::unauthorized("sign in: send an Authorization: Bearer token")
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| {
            metrics.token_refused("scheme");
            ApiError::unauthorized("the Authorization header must be 'Bearer <token>'")
        })?;
    let principal = verifier.verify(token).await.map_err(|refusal| {
        metrics.token_refused(refusal.cause());
        tracing::info!(cause = refusal.cause(), "token refused");
        match refusal {
            TokenRefusal::Unmapped(why) => ApiError::new(ErrorCode::Forbidden, why.to_string()),
            _ => ApiError::unauthorized("the token is invalid or has expired; sign in again"),
        }
    })?;
    let caller = match &principal {
        Principal::User(user) => format!("user {} {}", user.tenant_id, user.actor.id),
        Principal::Service(service) => format!("service {}", service.actor.id),
    };
    SharedRequestLimits::from_ref(state)
        .check(&caller)
        .map_err(|wait| {
            metrics.rate_limited(Limit::Requests);
            tracing::info!(%caller, "request limit reached");
            ApiError::rate_limited(
                "too many requests from this caller; wait as Retry-After says, then try again",
                retry_after_secs(wait),
            )
        })?;
    Ok(principal)
}

/// A person's token; a service's is refused.
impl<S> FromRequestParts<S> for Caller
where
    SharedVerifier: FromRef<S>,
    SharedRequestLimits: FromRef<S>,
    SharedMetrics: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Caller, ApiError> {
        match principal(parts, state).await? {
            Principal::User(caller) => Ok(caller),
            Principal::Service(service) => Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!(
                    "{:?} is a service; a tenant's settings are read and changed by its people",
                    service.actor.id
                ),
            )),
        }
    }
}

/// A service's token; a person's is refused.
impl<S> FromRequestParts<S> for ServiceCaller
where
    SharedVerifier: FromRef<S>,
    SharedRequestLimits: FromRef<S>,
    SharedMetrics: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ServiceCaller, ApiError> {
        match principal(parts, state).await? {
            Principal::Service(service) => Ok(service),
            Principal::User(_) => Err(ApiError::new(
                ErrorCode::InsufficientScope,
                "this route is for services: send a token with the route's consent scope",
            )),
        }
    }
}

impl ServiceCaller {
    /// Refuses a service whose token lacks `scope`.
    pub fn require(&self, scope: Scope) -> Result<&ServiceCaller, ApiError> {
        if self.scopes.contains(&scope) {
            Ok(self)
        } else {
            Err(ApiError::new(
                ErrorCode::InsufficientScope,
                format!("this route needs the scope {}", scope.as_str()),
            ))
        }
    }
}
