//! A real OpenID provider for the identity tests: oidc-provider (npm,
//! pinned in `xtask/oidc/`, installed by `cargo xtask install`) on a free
//! loopback port, with its discovery document, its JWKS, client_credentials
//! tokens for the service clients, and test-only routes that mint user
//! tokens with its keys and rotate them.

#![allow(dead_code)] // each test file uses a different part of this harness

use std::path::PathBuf;

use consent_api::config::IdentityProvider;
use consent_api::Config;
use reqwest::Client;
use serde_json::{json, Value};

use super::TestServer;

/// The provider's own secret for each static client is `<client>-secret`.
pub const SECRET_SUFFIX: &str = "-secret";

/// A running provider (stopped when dropped) and a client for its routes.
pub struct OidcProvider {
    pub issuer: String,
    _process: server_launcher::oidc::OidcProvider,
    client: Client,
}

impl OidcProvider {
    /// A development server that also trusts this provider's tokens
    /// (found through its discovery document), as `adjust` configures it.
    pub async fn server(&self, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let issuer = self.issuer.clone();
        TestServer::start_with(move |c| {
            c.identity_provider = Some(IdentityProvider::OidcIssuer(issuer));
            adjust(c);
        })
        .await
        .expect("the server starts and reads the provider's keys")
    }

    /// Starts the provider and waits for its issuer line.
    pub fn start() -> OidcProvider {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let process =
            server_launcher::oidc::OidcProvider::start(&root).unwrap_or_else(|e| panic!("{e}"));
        OidcProvider {
            issuer: process.issuer.clone(),
            _process: process,
            client: Client::new(),
        }
    }

    /// A client_credentials access token of `client` for `scope`.
    pub async fn client_token(&self, client: &str, scope: &str) -> String {
        let answer: Value = self
            .client
            .post(format!("{}/token", self.issuer))
            .basic_auth(client, Some(format!("{client}{SECRET_SUFFIX}")))
            .form(&[("grant_type", "client_credentials"), ("scope", scope)])
            .send()
            .await
            .expect("the token endpoint answers")
            .json()
            .await
            .expect("a JSON answer");
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token for {client} {scope}: {answer}"))
            .to_owned()
    }

    /// A user token signed with the provider's newest published `alg` key:
    /// `iss`, `aud`, `iat` and `exp` (in 600 s) by default, overridden by
    /// `claims` (a `null` claim is left out).
    pub async fn user_token(&self, alg: &str, claims: Value) -> String {
        self.mint(json!({"alg": alg, "claims": claims})).await
    }

    /// A token signed with an `alg` key the provider never publishes.
    pub async fn unpublished_token(&self, alg: &str, claims: Value) -> String {
        self.mint(json!({"alg": alg, "claims": claims, "unpublished": true}))
            .await
    }

    async fn mint(&self, request: Value) -> String {
        let answer = self.post("/test/user-token", request).await;
        answer["token"].as_str().expect("a token").to_owned()
    }

    /// Publishes a new `alg` key first and signs with it from now on; its `kid`.
    pub async fn rotate(&self, alg: &str) -> String {
        let answer = self.post("/test/rotate", json!({"alg": alg})).await;
        answer["kid"].as_str().expect("a kid").to_owned()
    }

    /// The published keys (the JWKS).
    pub async fn keys(&self) -> Value {
        self.client
            .get(format!("{}/test/keys", self.issuer))
            .send()
            .await
            .expect("the provider answers")
            .json()
            .await
            .expect("a JWKS")
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let answer = self
            .client
            .post(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("the provider answers");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.expect("a JSON answer")
    }
}
