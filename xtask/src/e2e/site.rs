//! The app built by trunk and served with the API by one real
//! `consent-api --static-dir`, and what the run asks the API directly.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::server::{self, ApiServer, ServerOptions};
use crate::shell::{command, run, workspace_root, Result};

/// The app built by trunk and served with the API by one `consent-api --static-dir`.
pub struct Site {
    api: ApiServer,
    data_dir: PathBuf,
    pub url: String,
    http: reqwest::Client,
}

impl Site {
    /// Builds the app (trunk, debug) into `target/<name>-dist` and starts the server on a fresh database.
    pub fn build_and_start(name: &str) -> Result<Site> {
        run(command("cargo", &["fetch"]))?;
        server::build()?;
        let dist = workspace_root().join(format!("target/{name}-dist"));
        let dist_arg = dist.to_string_lossy().into_owned();
        run(command(
            "trunk",
            &["build", "--offline", "--dist", &dist_arg],
        ))?;
        let data_dir = std::env::temp_dir().join(format!("consent-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let api = ApiServer::start(ServerOptions {
            bind: "127.0.0.1:0",
            data_dir: &data_dir,
            cors_loopback: false,
            log: Some(data_dir.join("consent-api.log")),
            static_dir: Some(&dist),
        })?;
        let url = api.url.clone();
        println!("xtask: the app and the API at {url}");
        Ok(Site {
            api,
            data_dir,
            url,
            http: reqwest::Client::new(),
        })
    }

    /// A fresh tenant in `region` ("US" or "EU"); answers its id.
    pub async fn new_tenant(&self, region: &str) -> Result<String> {
        let tenant = self
            .post("/api/v1/dev/tenants", &json!({ "region": region }))
            .await?;
        tenant["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no tenant id in {tenant}"))
    }

    /// The tenant's settings document, as the API has stored it.
    pub async fn settings_of(&self, tenant: &str) -> Result<Value> {
        let token = self
            .post(
                "/api/v1/dev/token",
                &json!({ "tenant": tenant, "role": "admin" }),
            )
            .await?;
        let token = token["token"]
            .as_str()
            .ok_or_else(|| format!("no development token: {token}"))?;
        let path = format!("/api/v1/tenants/{tenant}/data-sharing");
        let request = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token);
        answer(&path, request.send().await).await
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let request = self.http.post(format!("{}{path}", self.url)).json(body);
        answer(path, request.send().await).await
    }

    /// The end of the server's log, to explain a failure.
    pub fn log_tail(&self) -> String {
        self.api.log_tail()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The JSON of a successful answer, or what went wrong.
async fn answer(path: &str, sent: reqwest::Result<reqwest::Response>) -> Result<Value> {
    let response = sent.map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| format!("{path}: reading the answer: {e}"))?;
    if !status.is_success() {
        return Err(format!("{path}: {status} {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("{path}: not JSON ({e}): {body}"))
}

/// Whether `program` ("copilot", "marketing") is on in a settings document.
pub fn enabled(document: &Value, program: &str) -> bool {
    document["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == program))
        .is_some_and(|p| p["enabled"] == true)
}
