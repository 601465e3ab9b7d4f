//! The app as `cargo xtask dist` builds it (split, release) and served with
//! the API by one `consent-api --static-dir`: what the keyboard run and the
//! screenshots look at.

use std::path::PathBuf;

use serde_json::Value;

use crate::shell::{command, run, workspace_root, Result};
use crate::support::http::Api;
use crate::support::server::{self, ApiServer, ServerOptions};

pub struct Site {
    api: ApiServer,
    /// A real OpenID provider the server also trusts, for service tokens.
    _provider: server_launcher::oidc::OidcProvider,
    /// Its issuer (`http://127.0.0.1:PORT`).
    pub issuer: String,
    client: Api,
    data_dir: PathBuf,
    pub url: String,
    /// The built app the server serves.
    pub dist: PathBuf,
}

impl Site {
    /// Builds the app (split, release) into `target/<name>-dist` and starts the server on a fresh database.
    pub fn build_and_start(name: &str) -> Result<Site> {
        run(command("cargo", &["fetch"]))?;
        server::build()?;
        // The example pipeline gate, which the keyboard run drives too.
        run(command("cargo", &["build", "--package", "pipeline-gate"]))?;
        let dist = workspace_root().join(format!("target/{name}-dist"));
        crate::dist::build_app(&dist)?;
        let data_dir = std::env::temp_dir().join(format!("consent-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let provider = server_launcher::oidc::OidcProvider::start(&workspace_root())?;
        let api = server::start(ServerOptions {
            log: Some(data_dir.join("consent-api.log")),
            static_dir: Some(&dist),
            oidc_issuer: Some(&provider.issuer),
            ..ServerOptions::dev(&data_dir)
        })?;
        let url = api.url.clone();
        println!("xtask: the app and the API at {url}");
        Ok(Site {
            client: Api::new(&url)?,
            issuer: provider.issuer.clone(),
            _provider: provider,
            api,
            data_dir,
            url,
            dist,
        })
    }

    /// A fresh tenant in `region` ("US" or "EU"); answers its id.
    pub async fn new_tenant(&self, region: &str) -> Result<String> {
        self.client.new_tenant(region).await
    }

    /// The tenant's settings document, as the API has stored it.
    pub async fn settings_of(&self, tenant: &str) -> Result<Value> {
        let token = self.client.dev_token(tenant, "admin").await?;
        Ok(self.client.settings(tenant, &token).await?.value)
    }

    /// A service token of the provider's `client` for `scope`.
    pub async fn service_token(&self, client: &str, scope: &str) -> Result<String> {
        self.client.service_token(&self.issuer, client, scope).await
    }

    /// The API client, for the service routes.
    pub fn api(&self) -> &Api {
        &self.client
    }

    /// Turns Marketing on and then off for `tenant`: answers the opt-out
    /// and the three deletions it owes.
    pub async fn marketing_opt_out(&self, tenant: &str) -> Result<OptOut> {
        let admin = self.client.dev_token(tenant, "admin").await?;
        self.client
            .set_program(tenant, &admin, "marketing", true)
            .await?;
        self.client
            .set_program(tenant, &admin, "marketing", false)
            .await?;
        let owed = self
            .client
            .get_json(&format!("/api/v1/tenants/{tenant}/deletions"), &admin)
            .await?;
        let opt_out = &owed["opt_outs"][0];
        let text = |field: &str| opt_out[field].as_str().unwrap_or_default().to_owned();
        let (event, at) = (text("event_id"), text("at"));
        let obligations: Vec<String> = opt_out["obligations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["id"].as_str().map(str::to_owned))
            .collect();
        if event.is_empty() || obligations.len() != 3 {
            return Err(format!("a Marketing opt-out owes three deletions: {owed}"));
        }
        Ok(OptOut {
            event,
            at,
            obligations,
        })
    }

    /// Attests `obligation` of `opt_out`, done at the opt-out's instant,
    /// with the token of the store's own client (`marketing-eraser`,
    /// `schema-eraser`), as that store would.
    pub async fn attest_deletion(
        &self,
        store_client: &str,
        opt_out: &OptOut,
        obligation: &str,
    ) -> Result {
        let token = self
            .service_token(store_client, "consent.deletions.attest")
            .await?;
        let attestation = serde_json::json!({
            "completed_at": opt_out.at, "items_deleted": 1284,
            "method": "purge of the tenant's partition", "evidence_ref": "PURGE-2041"
        });
        self.client
            .attest(&token, obligation, &attestation)
            .await
            .map(drop)
    }

    /// The end of the server's log, to explain a failure.
    pub fn log_tail(&self) -> String {
        self.api.log_tail()
    }
}

/// An opt-out and the deletions it owes.
pub struct OptOut {
    /// The opt-out's event id (its certificate's address).
    pub event: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// Its obligations' ids: the two copies' stores first, the schema store's last.
    pub obligations: Vec<String>,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Whether `program` ("copilot", "marketing") is on in a settings document.
pub fn enabled(document: &Value, program: &str) -> bool {
    document["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == program))
        .is_some_and(|p| p["enabled"] == true)
}
