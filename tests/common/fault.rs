//! The fault-injecting proxy `cargo xtask test` starts in front of the
//! consent API (`xtask/src/fault_proxy.rs`): switching its faults, and what
//! it saw. The faults and the record are the proxy's own types
//! (`crates/fault-vocabulary`).

use gloo_net::http::Request;

use fault_vocabulary::paths;
pub use fault_vocabulary::{Fault, Method, Seen};

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

/// Switches the proxy's behaviour.
pub async fn set_fault(fault: Fault) {
    control(&format!("{}?{}", paths::FAULT, fault.to_query())).await;
}

/// Back to passing everything through, and forget what was seen.
pub async fn reset_proxy() {
    control(paths::RESET).await;
}

async fn control(path: &str) {
    let response = Request::post(&format!("{}{path}", control_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("calling the fault proxy's control port: {e}"));
    assert!(response.ok(), "the fault proxy refused {path}");
}

/// Every request the proxy saw since it was last reset, oldest first (preflights left out).
pub async fn seen() -> Vec<Seen> {
    let response = Request::get(&format!("{}{}", control_url(), paths::REQUESTS))
        .send()
        .await
        .expect("reading what the fault proxy saw");
    let all: Vec<Seen> = response.json().await.expect("the proxy's request log");
    all.into_iter().filter(|r| r.method != "OPTIONS").collect()
}

/// The requests for a tenant's settings document (`GET` or `PUT …/data-sharing[/program]`;
/// not its history or propagation).
pub async fn seen_for_settings(tenant: &str, method: Method) -> Vec<Seen> {
    let document = format!("/api/v1/tenants/{tenant}/data-sharing");
    seen()
        .await
        .into_iter()
        .filter(|r| {
            r.method == method.as_str()
                && (r.path == document
                    || r.path.strip_prefix(&document).is_some_and(|rest| {
                        rest.starts_with('/')
                            && !rest.starts_with("/history")
                            && rest != "/propagation"
                    }))
        })
        .collect()
}

/// How often the proxy's log is read while watching it.
const LOG_POLL_MS: i32 = 100;

/// Watches the proxy's log for `within_ms`: once it holds `count` requests
/// for the tenant's settings with `method` (which must happen within the
/// same time), the test fails the moment another one arrives, naming it;
/// answers the `count` requests when none did by the deadline.
///
/// The deadline is what "never" means for the behaviour checked, so pick
/// it from the app's own timing (for example, past its first retry wait).
pub async fn no_more_settings_requests_than(
    tenant: &str,
    method: Method,
    count: usize,
    within_ms: f64,
) -> Vec<Seen> {
    let start = js_sys::Date::now();
    let mut reached = false;
    loop {
        let requests = seen_for_settings(tenant, method).await;
        assert!(
            requests.len() <= count,
            "expected no more than {count} {method} of the settings, but the proxy saw {} \
             after {:.0} ms: {requests:#?}",
            requests.len(),
            js_sys::Date::now() - start
        );
        reached |= requests.len() == count;
        if js_sys::Date::now() - start >= within_ms {
            assert!(
                reached,
                "expected {count} {method} of the settings within {within_ms} ms, the proxy saw \
                 {}: {requests:#?}",
                requests.len()
            );
            return requests;
        }
        super::sleep_ms(LOG_POLL_MS).await;
    }
}
