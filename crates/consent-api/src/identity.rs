//! Bearer tokens (HS256 JWT): issuing development tokens and verifying callers.
//!
//! Verification is strict: the algorithm is pinned to HS256 (so `none` and
//! every other algorithm are refused), `exp`, `iss`, `aud` and `sub` are
//! required, the issuer and audience are the configured ones, and the
//! claims must name a well-formed tenant and at least one known role.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use consent_core::tenant::is_valid_tenant_id;
use consent_core::{Actor, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::http::problem::ApiError;

/// How long a development token is valid.
pub const DEV_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The claims of a bearer token (see the API contract's "Auth").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user's display name, recorded in the history.
    pub name: String,
    /// The tenant the user acts for.
    pub tenant: String,
    /// Role names. Unknown ones are ignored (a host may send its own), but
    /// a token without any known role is refused.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default)]
    pub iat: u64,
    pub iss: String,
    pub aud: String,
}

/// Signs and verifies tokens with one shared key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl TokenKeys {
    /// Keys for `secret`; tokens must carry `issuer` and `audience`.
    pub fn new(secret: &str, issuer: &str, audience: &str) -> TokenKeys {
        // `Validation::new` accepts only the algorithm it is given.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// A signed token for `sub`/`name` acting for `tenant` with `roles`, valid for `lifetime`.
    pub fn issue(
        &self,
        sub: &str,
        name: &str,
        tenant: &str,
        roles: &[Role],
        lifetime: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let claims = Claims {
            sub: sub.to_owned(),
            name: name.to_owned(),
            tenant: tenant.to_owned(),
            roles: roles.iter().map(|r| role_name(*r).to_owned()).collect(),
            exp: (now + lifetime).as_secs(),
            iat: now.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests use it to make expired or odd tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a valid token: right key, issuer and audience, not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

/// The verified caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who is acting, as recorded in the history.
    pub actor: Actor,
    /// The only tenant this caller may see.
    pub tenant_id: String,
}

/// Any state that holds the token keys can verify callers (axum's sub-state).
impl<S> FromRequestParts<S> for Caller
where
    SharedTokenKeys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Caller, ApiError> {
        let tokens = SharedTokenKeys::from_ref(state);
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("sign in: send an Authorization: Bearer token")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be 'Bearer <token>'")
            })?;
        let refused =
            || ApiError::unauthorized("the token is invalid or has expired; sign in again");
        let claims = tokens.verify(token).map_err(|error| {
            tracing::debug!(%error, "token refused");
            refused()
        })?;
        let roles: Vec<Role> = claims.roles.iter().filter_map(|r| Role::parse(r)).collect();
        if roles.is_empty() || !is_valid_tenant_id(&claims.tenant) || claims.sub.trim().is_empty() {
            tracing::debug!("token refused: no known role, a malformed tenant or an empty subject");
            return Err(refused());
        }
        Ok(Caller {
            actor: Actor {
                id: claims.sub,
                name: claims.name,
                roles,
            },
            tenant_id: claims.tenant,
        })
    }
}

/// Shares the keys between handlers without copying them.
pub type SharedTokenKeys = Arc<TokenKeys>;
