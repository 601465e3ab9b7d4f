//! Decisions under load, as pipelines ask them: single lookups over many
//! tenants on kept-alive connections, and batches of 1,000 pairs, with a
//! service token from the OpenID provider (RS256, as in a deployment).

use hyper::{Method, StatusCode};

use super::load::{bearer, run_load, Connection, LoadResult, Step};
use super::{READERS, WARM_UP};
use crate::shell::Result;
use crate::support::http::Api as Client;
use crate::support::server::ApiServer;

/// Tenants the lookups go over (and the pairs of one batch).
pub const TENANTS: usize = 1000;
/// Each run's length.
const RUN: std::time::Duration = std::time::Duration::from_secs(4);

/// The lookup runs on one server.
pub struct Decisions {
    /// `GET /api/v1/decisions/{tenant}/{program}` on [`READERS`] connections.
    pub single: LoadResult,
    /// `POST /api/v1/decisions:batch` of [`TENANTS`] pairs on one connection.
    pub batch: LoadResult,
}

/// The bench's tenants: `bench-0000` …, every fifth in the EU (Copilot
/// ineligible), every fourth US tenant with Copilot on.
pub fn tenant_id(index: usize) -> String {
    format!("bench-{index:04}")
}

pub async fn measure_decisions(server: &ApiServer, issuer: &str) -> Result<Decisions> {
    let client = Client::new(&server.url)?;
    println!("xtask: bench: registering {TENANTS} tenants for the decision runs");
    register_tenants(server, &client, issuer).await?;
    let pipeline = client
        .service_token(issuer, "pipeline", "consent.decisions.read")
        .await?;
    let authorization = bearer(&pipeline)?;

    println!(
        "xtask: bench: GET /api/v1/decisions/… over {TENANTS} tenants on {READERS} connections for {} s",
        RUN.as_secs()
    );
    let lookups = (0..READERS)
        .map(|worker| Lookup::new(&authorization, worker * TENANTS / READERS))
        .collect();
    let single = run_load(server.addr, lookups, WARM_UP, RUN).await?;

    println!(
        "xtask: bench: POST /api/v1/decisions:batch of {TENANTS} pairs on 1 connection for {} s",
        RUN.as_secs()
    );
    let items: Vec<serde_json::Value> = (0..TENANTS)
        .map(|i| serde_json::json!({"tenant": tenant_id(i), "program": "copilot"}))
        .collect();
    let batch = Batch {
        authorization,
        body: serde_json::json!({ "items": items }).to_string(),
    };
    let batch = run_load(server.addr, vec![batch], WARM_UP, RUN).await?;
    Ok(Decisions { single, batch })
}

/// Registers the bench's tenants (by the provisioning route, on
/// [`READERS`] connections at once) and switches Copilot on for some.
pub(super) async fn register_tenants(server: &ApiServer, client: &Client, issuer: &str) -> Result {
    let provisioner = client
        .service_token(issuer, "provisioner", "consent.tenants.write")
        .await?;
    let authorization = bearer(&provisioner)?;
    let workers = (0..READERS).map(|worker| {
        let authorization = authorization.clone();
        let addr = server.addr;
        tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            for index in (worker..TENANTS).step_by(READERS) {
                let region = if index % 5 == 0 { "EU" } else { "US" };
                let body = serde_json::json!({"name": format!("Bench {index}"), "region": region})
                    .to_string();
                let path = format!("/api/v1/tenants/{}", tenant_id(index));
                let answer = connection
                    .send(
                        Method::PUT,
                        &path,
                        &[("authorization", authorization.as_str())],
                        Some(&body),
                    )
                    .await?;
                if !answer.status.is_success() {
                    return Err(format!(
                        "PUT {path}: {} {}",
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
            }
            Ok::<_, String>(())
        })
    });
    for worker in join_tasks(workers.collect()).await {
        worker?;
    }
    let mut connection = Connection::open(server.addr).await?;
    for index in (0..TENANTS).filter(|i| i % 5 != 0 && i % 4 == 0) {
        let id = tenant_id(index);
        let token = client.dev_token(&id, "admin").await?;
        let document = client.settings(&id, &token).await?;
        let notices = document.value["programs"]
            .as_array()
            .and_then(|programs| programs.iter().find(|p| p["id"] == "copilot"))
            .map(|copilot| copilot["notices"].clone())
            .ok_or_else(|| format!("no copilot program in {}", document.value))?;
        let body = serde_json::json!({"enabled": true, "accept_notices": notices}).to_string();
        let path = format!("/api/v1/tenants/{id}/data-sharing/copilot");
        let authorization = bearer(&token)?;
        let answer = connection
            .send(
                Method::PUT,
                &path,
                &[
                    ("authorization", authorization.as_str()),
                    ("if-match", document.etag.as_str()),
                ],
                Some(&body),
            )
            .await?;
        if answer.status != StatusCode::OK {
            return Err(format!(
                "PUT {path}: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ));
        }
    }
    Ok(())
}

/// Waits for every spawned task, in order.
async fn join_tasks<T>(handles: Vec<tokio::task::JoinHandle<Result<T>>>) -> Vec<Result<T>> {
    let mut outcomes = Vec::with_capacity(handles.len());
    for handle in handles {
        outcomes.push(
            handle
                .await
                .map_err(|e| format!("a task failed: {e}"))
                .and_then(|outcome| outcome),
        );
    }
    outcomes
}

/// One pipeline asking about tenant after tenant.
pub(super) struct Lookup {
    authorization: String,
    next: usize,
}

impl Lookup {
    /// Asks with `authorization` (a bearer header value), from tenant `first` on.
    pub(super) fn new(authorization: &str, first: usize) -> Lookup {
        Lookup {
            authorization: authorization.to_owned(),
            next: first,
        }
    }
}

impl Step for Lookup {
    async fn step(&mut self, connection: &mut Connection) -> Result<Option<String>> {
        let path = format!("/api/v1/decisions/{}/copilot", tenant_id(self.next));
        self.next = (self.next + 1) % TENANTS;
        let answer = connection
            .send(
                Method::GET,
                &path,
                &[("authorization", self.authorization.as_str())],
                None,
            )
            .await?;
        Ok((answer.status != StatusCode::OK).then(|| {
            format!(
                "GET {path}: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            )
        }))
    }
}

/// One pipeline asking about every tenant at once.
struct Batch {
    authorization: String,
    body: String,
}

impl Step for Batch {
    async fn step(&mut self, connection: &mut Connection) -> Result<Option<String>> {
        let answer = connection
            .send(
                Method::POST,
                "/api/v1/decisions:batch",
                &[("authorization", self.authorization.as_str())],
                Some(&self.body),
            )
            .await?;
        Ok((answer.status != StatusCode::OK).then(|| {
            format!(
                "POST /api/v1/decisions:batch: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            )
        }))
    }
}
