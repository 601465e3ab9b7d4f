//! The fault-injecting proxy `cargo xtask test` starts in front of the
//! consent API (`xtask/src/fault_proxy.rs`): switching its faults, and what
//! it saw.

use gloo_net::http::Request;
use serde::Deserialize;

/// Where the app reaches the API through the proxy (`CONSENT_FAULT_PROXY_URL` at compile time).
pub fn proxy_url() -> &'static str {
    match option_env!("CONSENT_FAULT_PROXY_URL") {
        Some(url) => url,
        None => panic!(
            "CONSENT_FAULT_PROXY_URL was not set when the tests were compiled: start \
             `cargo xtask fault-proxy --upstream <consent API URL>` and build the tests with \
             CONSENT_FAULT_PROXY_URL and CONSENT_FAULT_CONTROL_URL"
        ),
    }
}

fn control_url() -> &'static str {
    match option_env!("CONSENT_FAULT_CONTROL_URL") {
        Some(url) => url,
        None => panic!("CONSENT_FAULT_CONTROL_URL was not set when the tests were compiled"),
    }
}

/// What the proxy does to requests from now on.
pub enum Fault {
    /// Forward everything.
    Pass,
    /// Refuse connections: the API looks stopped.
    Refuse,
    /// Wait this many ms before forwarding requests with this method (all when `None`).
    Delay(u32, Option<&'static str>),
    /// Answer this status (500 or 503) to requests with this method, without forwarding.
    Status(u16, Option<&'static str>),
    /// Forward requests with this method, then close the connection without answering.
    DropAnswer(&'static str),
}

/// Switches the proxy's behaviour.
pub async fn set_fault(fault: Fault) {
    let method = |m: Option<&str>| m.map(|m| format!("&method={m}")).unwrap_or_default();
    let query = match fault {
        Fault::Pass => "mode=pass".to_owned(),
        Fault::Refuse => "mode=refuse".to_owned(),
        Fault::Delay(ms, m) => format!("mode=delay&ms={ms}{}", method(m)),
        Fault::Status(status, m) => format!("mode=status&status={status}{}", method(m)),
        Fault::DropAnswer(m) => format!("mode=drop{}", method(Some(m))),
    };
    control(&format!("/fault?{query}")).await;
}

/// Back to passing everything through, and forget what was seen.
pub async fn reset_proxy() {
    control("/reset").await;
}

async fn control(path: &str) {
    let response = Request::post(&format!("{}{path}", control_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("calling the fault proxy's control port: {e}"));
    assert!(response.ok(), "the fault proxy refused {path}");
}

/// One request the proxy saw.
#[derive(Debug, Clone, Deserialize)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub if_none_match: Option<String>,
    /// When the request arrived and when it was answered, in ms since the proxy started.
    pub started_ms: f64,
    pub ended_ms: f64,
    /// What the browser got; 0 for no answer.
    pub status: u16,
    /// `pass`, `delay`, `status`, `drop` or `refuse`.
    pub fault: String,
}

/// Every request the proxy saw since it was last reset, oldest first (preflights left out).
pub async fn seen() -> Vec<Seen> {
    let response = Request::get(&format!("{}/requests", control_url()))
        .send()
        .await
        .expect("reading what the fault proxy saw");
    let all: Vec<Seen> = response.json().await.expect("the proxy's request log");
    all.into_iter().filter(|r| r.method != "OPTIONS").collect()
}

/// The requests for a tenant's settings document (`GET` or `PUT …/data-sharing[/program]`).
pub async fn seen_for_settings(tenant: &str, method: &str) -> Vec<Seen> {
    let document = format!("/api/v1/tenants/{tenant}/data-sharing");
    seen()
        .await
        .into_iter()
        .filter(|r| {
            r.method == method
                && (r.path == document
                    || r.path
                        .strip_prefix(&document)
                        .is_some_and(|rest| rest.starts_with('/') && !rest.starts_with("/history")))
        })
        .collect()
}
