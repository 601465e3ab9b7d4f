//! The one HTTP client of xtask (reqwest, JSON by serde_json): development
//! tenants and tokens, and the settings document, from a running consent
//! API. The bench's load generator keeps its own kept-alive connections
//! (`bench/load.rs`): it measures, it does not talk to the API.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shell::Result;

/// How long one call to a local service may take.
const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// A client for loopback services (no proxy from the environment).
pub fn client() -> Result<Client> {
    Client::builder()
        .no_proxy()
        .timeout(CALL_DEADLINE)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// A consent API at `base` (`http://127.0.0.1:PORT`).
#[derive(Clone)]
pub struct Api {
    client: Client,
    base: String,
}

/// The settings document and its `ETag`.
pub struct Document {
    pub value: Value,
    pub etag: String,
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    tenant: &'a str,
    role: &'a str,
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: String,
}

#[derive(Serialize)]
struct TenantRequest<'a> {
    region: &'a str,
}

#[derive(Deserialize)]
struct TenantAnswer {
    id: String,
}

impl Api {
    pub fn new(base: &str) -> Result<Api> {
        Ok(Api {
            client: client()?,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// A development token for `role` ("admin", "reader") of `tenant` (the server runs with `--dev`).
    pub async fn dev_token(&self, tenant: &str, role: &str) -> Result<String> {
        let answer: TokenAnswer = self
            .post("/api/v1/dev/token", &TokenRequest { tenant, role })
            .await?;
        Ok(answer.token)
    }

    /// A fresh development tenant in `region` ("US" or "EU"); answers its id.
    pub async fn new_tenant(&self, region: &str) -> Result<String> {
        let answer: TenantAnswer = self
            .post("/api/v1/dev/tenants", &TenantRequest { region })
            .await?;
        Ok(answer.id)
    }

    /// The tenant's settings document as the API has stored it, read with `token`.
    pub async fn settings(&self, tenant: &str, token: &str) -> Result<Document> {
        let url = format!("{}/api/v1/tenants/{tenant}/data-sharing", self.base);
        let answer = self
            .client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let etag = answer
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let value = read_json(answer, &url).await?;
        Ok(Document { value, etag })
    }

    /// A service token of `client` (secret `<client>-secret`) for `scope`,
    /// from the OpenID provider at `issuer` (client credentials).
    pub async fn service_token(&self, issuer: &str, client: &str, scope: &str) -> Result<String> {
        let url = format!("{issuer}/token");
        let answer = self
            .client
            .post(&url)
            .basic_auth(client, Some(format!("{client}-secret")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=client_credentials&scope={scope}"))
            .send()
            .await
            .map_err(|e| format!("the OpenID provider does not answer: {e}"))?;
        let token = read_json(answer, &url).await?;
        token["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no access token from {url}: {token}"))
    }

    /// Subscribes `url` to the changes of `programs` as webhook `id`, with a
    /// `consent.subscriptions.write` token; answers the signing secret.
    pub async fn subscribe(
        &self,
        token: &str,
        id: &str,
        url: &str,
        programs: &[&str],
    ) -> Result<String> {
        let address = format!("{}/api/v1/subscriptions/{id}", self.base);
        let body =
            serde_json::json!({"url": url, "programs": programs, "description": "keyboard run"});
        let answer = self
            .client
            .put(&address)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("PUT {address}: {e}"))?;
        let answer = read_json(answer, &address).await?;
        answer["secret"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("PUT {address}: no secret in {answer}"))
    }

    /// Publishes the next version of notice `id` (development mode): its
    /// current English text with `from` reworded as `to` in the first
    /// section that says it, a material change. Answers the new version.
    pub async fn publish_reworded_notice(&self, id: &str, from: &str, to: &str) -> Result<u64> {
        let url = format!("{}/api/v1/notices/{id}", self.base);
        let answer = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let mut notice = read_json(answer, &url).await?;
        let version = notice["version"].as_u64().ok_or("a notice has a version")? + 1;
        let reworded = notice["sections"]
            .as_array_mut()
            .into_iter()
            .flatten()
            // `get_mut`, not indexing: indexing a missing key would add it (lists have no runs).
            .filter_map(|section| section.get_mut("blocks").and_then(Value::as_array_mut))
            .flatten()
            .filter_map(|block| block.get_mut("runs").and_then(Value::as_array_mut))
            .flatten()
            .find(|run| run["text"].as_str().is_some_and(|text| text.contains(from)))
            .ok_or_else(|| format!("notice {id} does not say {from:?}"))?;
        let text = reworded["text"]
            .as_str()
            .unwrap_or_default()
            .replacen(from, to, 1);
        reworded["text"] = Value::String(text);
        notice["version"] = version.into();
        notice["sha256"] = Value::String(String::new());
        notice["material_change"] = true.into();
        notice["change_summary"] = Value::String(format!("“{from}” now reads “{to}”."));
        let _: Value = self.post("/api/v1/dev/notices", &notice).await?;
        Ok(version)
    }

    /// A `GET` of `path` with `token` (none when empty), its JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut request = self.client.get(&url);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let answer = request
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        read_json(answer, &url).await
    }

    /// Turns `program` of `tenant` on (accepting its current notices) or off, as its admin.
    pub async fn set_program(&self, tenant: &str, token: &str, program: &str, on: bool) -> Result {
        let document = self.settings(tenant, token).await?;
        let notices = document.value["programs"]
            .as_array()
            .and_then(|programs| programs.iter().find(|p| p["id"] == program))
            .map(|p| p["notices"].clone())
            .ok_or_else(|| format!("no program {program} in {}", document.value))?;
        let url = format!(
            "{}/api/v1/tenants/{tenant}/data-sharing/{program}",
            self.base
        );
        let body = if on {
            serde_json::json!({"enabled": true, "accept_notices": notices})
        } else {
            serde_json::json!({"enabled": false})
        };
        let answer = self
            .client
            .put(&url)
            .bearer_auth(token)
            .header("if-match", &document.etag)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("PUT {url}: {e}"))?;
        read_json(answer, &url).await.map(drop)
    }

    /// Attests obligation `id` with a data store's `token`.
    pub async fn attest(&self, token: &str, id: &str, body: &Value) -> Result<Value> {
        let url = format!("{}/api/v1/deletions/{id}/attestations", self.base);
        let answer = self
            .client
            .post(&url)
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("POST {url}: {e}"))?;
        read_json(answer, &url).await
    }

    /// Moves the development server's clock forward by `seconds` (the sweep runs after).
    pub async fn advance_dev_clock(&self, seconds: u64) -> Result<Value> {
        self.post(
            "/api/v1/dev/clock",
            &serde_json::json!({"advance_seconds": seconds}),
        )
        .await
    }

    /// Deletes webhook subscription `id`.
    pub async fn unsubscribe(&self, token: &str, id: &str) -> Result {
        let address = format!("{}/api/v1/subscriptions/{id}", self.base);
        let answer = self
            .client
            .delete(&address)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("DELETE {address}: {e}"))?;
        match answer.status() {
            StatusCode::NO_CONTENT | StatusCode::OK => Ok(()),
            status => Err(format!("DELETE {address}: {status}")),
        }
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let answer = self
            .client
            .post(&url)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("POST {url}: {e}"))?;
        let value = read_json(answer, &url).await?;
        serde_json::from_value(value.clone())
            .map_err(|e| format!("POST {url}: unexpected answer ({e}): {value}"))
    }
}

/// The JSON body of a successful answer, or a sentence with the status and body.
async fn read_json(answer: reqwest::Response, url: &str) -> Result<Value> {
    let status = answer.status();
    let text = answer
        .text()
        .await
        .map_err(|e| format!("{url}: reading the answer: {e}"))?;
    if status != StatusCode::OK && status != StatusCode::CREATED {
        return Err(format!("{url}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{url}: not JSON ({e}): {text}"))
}

/// Runs `future` to completion on a runtime of its own (for callers that are not async).
pub fn block_on<T>(future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?
        .block_on(future)
}
