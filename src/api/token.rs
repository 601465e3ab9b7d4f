//! How the client authenticates: where its bearer tokens come from, and
//! asking for a fresh one once when the server answers 401.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gloo_net::http::{Request, Response};

use super::error::unreachable_error;
use super::{ApiClient, ApiError};

/// A function that returns a fresh bearer token each time it is called.
pub type TokenFn = Arc<dyn Fn() -> String + Send + Sync>;

/// A bearer token that may arrive later (a host's `getToken` returning a
/// `Promise`); `None` when the host could not provide one.
pub type TokenFuture = Pin<Box<dyn Future<Output = Option<String>>>>;

/// A function that fetches a fresh bearer token each time it is called.
pub type AsyncTokenFn = Arc<dyn Fn() -> TokenFuture + Send + Sync>;

impl ApiClient {
    /// The same client, sending this bearer token.
    pub fn with_bearer(self, token: String) -> ApiClient {
        let token: Arc<str> = Arc::from(token);
        ApiClient {
            token: Some(Arc::new(move || {
                let token = token.to_string();
                Box::pin(async move { Some(token) })
            })),
            renew_on_401: false,
            ..self
        }
    }

    /// The same client, asking `provider` for a token before every request
    /// (and once more when the server answers 401).
    pub fn with_token_provider(self, provider: TokenFn) -> ApiClient {
        self.with_async_token_provider(Arc::new(move || {
            let token = provider();
            Box::pin(async move { Some(token) })
        }))
    }

    /// The same client, awaiting `provider` for a token before every request
    /// (and once more when the server answers 401).
    pub fn with_async_token_provider(self, provider: AsyncTokenFn) -> ApiClient {
        ApiClient {
            token: Some(provider),
            renew_on_401: true,
            ..self
        }
    }

    /// Like [`ApiClient::send`], but hands back the server's answer whatever
    /// its status (a 304 is an answer, not a failure).
    pub(super) async fn exchange(&self, request: Request) -> Result<Response, ApiError> {
        let Some(token) = &self.token else {
            return request.send().await.map_err(|_| unreachable_error());
        };
        let raw = web_sys::Request::from(request);
        // The body can be read once: keep a copy for the retry before sending.
        let retry = if self.renew_on_401 {
            raw.clone().ok()
        } else {
            None
        };
        let first = authorize(raw, token().await)
            .send()
            .await
            .map_err(|_| unreachable_error())?;
        match retry {
            Some(retry) if first.status() == 401 => authorize(retry, token().await)
                .send()
                .await
                .map_err(|_| unreachable_error()),
            _ => Ok(first),
        }
    }
}

fn authorize(request: web_sys::Request, token: Option<String>) -> Request {
    let request = Request::from(request);
    if let Some(token) = token {
        request
            .headers()
            .set("Authorization", &format!("Bearer {token}"));
    }
    request
}
