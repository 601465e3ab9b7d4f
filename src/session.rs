//! Who the app speaks for: the tenant, the credentials, and (in development)
//! the seeded identity it signed in as.

use std::fmt;

use consent_core::{DevTokenResponse, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError, AsyncTokenFn, TokenFn};

/// How the app authenticates to the consent API.
#[derive(Clone)]
pub enum TokenSource {
    /// A bearer token the host portal obtained for the signed-in person.
    Bearer(String),
    /// A function the host supplies; called before every request, so it can hand out fresh tokens.
    Provider(TokenFn),
    /// A function the host supplies whose token may arrive later (a JavaScript
    /// `getToken` returning a `Promise`); awaited before every request.
    AsyncProvider(AsyncTokenFn),
    /// Development servers only: sign in as the tenant's seeded person with this role.
    Development(Role),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Bearer(_) => f.write_str("Bearer(…)"),
            TokenSource::Provider(_) => f.write_str("Provider(…)"),
            TokenSource::AsyncProvider(_) => f.write_str("AsyncProvider(…)"),
            TokenSource::Development(role) => write!(f, "Development({role:?})"),
        }
    }
}

/// Where signing in stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    /// Waiting for a development token.
    Pending,
    /// Requests can be made.
    Ready,
    /// The development sign-in failed.
    Failed(ApiError),
}

/// The seeded identity a development session signed in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevIdentity {
    pub name: String,
    pub role: Role,
}

/// A small `Copy` handle to the session, provided as context by the app.
#[derive(Clone, Copy)]
pub struct Session {
    client: StoredValue<ApiClient>,
    api_base_url: StoredValue<String>,
    tenant: StoredValue<String>,
    source: StoredValue<TokenSource>,
    sign_in: RwSignal<SignIn>,
    identity: RwSignal<Option<DevIdentity>>,
}

impl Session {
    /// Starts a session for `tenant`; a development session signs in right away.
    pub fn start(api_base_url: &str, tenant: &str, source: TokenSource) -> Session {
        let anonymous = ApiClient::new(api_base_url);
        let (client, sign_in) = match &source {
            TokenSource::Bearer(token) => (anonymous.with_bearer(token.clone()), SignIn::Ready),
            TokenSource::Provider(provider) => (
                anonymous.with_token_provider(provider.clone()),
                SignIn::Ready,
            ),
            TokenSource::AsyncProvider(provider) => (
                anonymous.with_async_token_provider(provider.clone()),
                SignIn::Ready,
            ),
            TokenSource::Development(_) => (anonymous, SignIn::Pending),
        };
        let session = Session {
            client: StoredValue::new(client),
            api_base_url: StoredValue::new(api_base_url.to_owned()),
            tenant: StoredValue::new(tenant.to_owned()),
            source: StoredValue::new(source),
            sign_in: RwSignal::new(sign_in),
            identity: RwSignal::new(None),
        };
        if session.sign_in.get_untracked() == SignIn::Pending {
            spawn_local(async move {
                session.sign_in_for_development().await;
            });
        }
        session
    }

    /// The API client with the current credentials.
    pub fn client(&self) -> ApiClient {
        self.client.get_value()
    }

    /// The tenant whose settings the app shows.
    pub fn tenant(&self) -> String {
        self.tenant.get_value()
    }

    /// Where signing in stands (tracked).
    pub fn sign_in(&self) -> SignIn {
        self.sign_in.get()
    }

    /// Where signing in stands, read without tracking (for event handlers).
    pub fn sign_in_untracked(&self) -> SignIn {
        // After the app is gone, an answer arriving late finds nothing signed in.
        self.sign_in.try_get_untracked().unwrap_or(SignIn::Pending)
    }

    /// The development identity in use, if any (tracked).
    pub fn identity(&self) -> Option<DevIdentity> {
        self.identity.get()
    }

    /// Gets fresh credentials after the server said the session expired.
    ///
    /// A development session signs in again; a host's token provider is
    /// asked anew on the next request anyway; a fixed token cannot be
    /// renewed here, so the page reloads and the host signs the person in.
    pub async fn renew(&self) {
        let Some(source) = self.source.try_get_value() else {
            return;
        };
        match source {
            TokenSource::Development(_) => self.sign_in_for_development().await,
            TokenSource::Provider(_) | TokenSource::AsyncProvider(_) => {}
            TokenSource::Bearer(_) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        }
    }

    async fn sign_in_for_development(&self) {
        let Some(TokenSource::Development(role)) = self.source.try_get_value() else {
            return;
        };
        let (Some(base), Some(tenant)) = (
            self.api_base_url.try_get_value(),
            self.tenant.try_get_value(),
        ) else {
            return;
        };
        match ApiClient::new(&base).dev_token(&tenant, role).await {
            Ok(DevTokenResponse {
                token, name, role, ..
            }) => {
                self.client
                    .try_set_value(ApiClient::new(&base).with_bearer(token));
                self.identity.try_set(Some(DevIdentity { name, role }));
                self.sign_in.try_set(SignIn::Ready);
            }
            Err(error) => {
                self.sign_in.try_set(SignIn::Failed(error));
            }
        }
    }
}

/// The session of the surrounding app.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
