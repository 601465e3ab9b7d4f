//! Metrics as an operator's Prometheus reads them: served only on their own
//! listener, requests by route template (never a tenant id), changes,
//! decisions, refused tokens and requests, the webhook outbox and its
//! failing consumers, deletion obligations by store, long-polls, and the
//! database's connections.

mod common;

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use chrono::Duration;
use common::oidc::OidcProvider;
use common::webhooks::Receiver;
use common::{Answer, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn with_metrics(config: &mut consent_api::Config) {
    config.metrics_bind = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
}

/// The value of the sample `name` whose labels include `labels`; `None` when there is none.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(parse_sample)
        .find(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|(_, _, value)| value)
}

/// A sample's name, labels and value.
type Sample = (String, Vec<(String, String)>, f64);

/// `name{k="v",...} value` as its parts (label values here never hold quotes).
fn parse_sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value: f64 = value.parse().ok()?;
    let Some((name, rest)) = series.split_once('{') else {
        return Some((series.to_owned(), Vec::new(), value));
    };
    let mut labels = Vec::new();
    let mut rest = rest.strip_suffix('}')?;
    while let Some((key, after)) = rest.split_once("=\"") {
        let (value, after) = after.split_once('"')?;
        labels.push((key.trim_start_matches(',').to_owned(), value.to_owned()));
        rest = after;
    }
    Some((name.to_owned(), labels, value))
}

async fn call_with(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Answer {
    let auth = format!("Bearer {token}");
    server
        .call(method, path, &[("authorization", auth.as_str())], body)
        .await
}

// Guards that metrics are off unless asked for, and then served only on
// their own listener: the API's address never answers /metrics.
#[tokio::test]
async fn metrics_are_served_apart_and_only_when_asked() {
    let plain = TestServer::start().await;
    assert!(plain.metrics_base.is_none());
    let answer = plain.get("/metrics", "").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    let server = TestServer::start_with(with_metrics).await.unwrap();
    let api = server.get("/metrics", "").await;
    assert_eq!(
        api.status,
        StatusCode::NOT_FOUND,
        "not on the API's address"
    );
    let base = server.metrics_base.clone().unwrap();
    let response = server
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert_eq!(
        sample(
            &text,
            "consent_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
    let other = server
        .client
        .get(format!("{base}/api/v1/tenants/contoso/data-sharing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "the metrics listener serves nothing else"
    );
}

// Guards the request metrics: counted under the route's template with the
// status class, an unknown address as `unmatched`, and no tenant id in any
// label, whatever the addresses asked for.
#[tokio::test]
async fn requests_are_counted_by_route_template_never_by_tenant() {
    let server = TestServer::start_with(with_metrics).await.unwrap();
    let admin = server.token("contoso", "admin").await;
    for _ in 0..2 {
        let read = server
            .get("/api/v1/tenants/contoso/data-sharing", &admin)
            .await;
        assert_eq!(read.status, StatusCode::OK);
    }
    let foreign = server
        .get("/api/v1/tenants/fabrikam/data-sharing", &admin)
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let unknown = server.get("/api/v1/no-such-address/contoso", &admin).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let text = server.metrics().await;
    let count = |status| {
        sample(
            &text,
            "consent_http_request_duration_seconds_count",
            &[
                ("route", "/api/v1/tenants/{tenant_id}/data-sharing"),
                ("method", "GET"),
                ("status", status),
            ],
        )
    };
    assert_eq!(count("2xx"), Some(2.0), "{text}");
    assert_eq!(count("4xx"), Some(1.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "consent_http_request_duration_seconds_count",
            &[("route", "unmatched"), ("status", "4xx")]
        ),
        Some(1.0)
    );
    let fast = sample(
        &text,
        "consent_http_request_duration_seconds_bucket",
        &[
            ("route", "/api/v1/tenants/{tenant_id}/data-sharing"),
            ("status", "2xx"),
            ("le", "+Inf"),
        ],
    );
    assert_eq!(fast, Some(2.0));
    for tenant in ["contoso", "fabrikam"] {
        assert!(
            !text.contains(tenant),
            "{tenant} appears in the metrics:\n{text}"
        );
    }
}

// Guards the ledger and token counters: each recorded change under its
// program and action, and each refused token under its cause.
#[tokio::test]
async fn changes_and_refused_tokens_are_counted() {
    let server = TestServer::start_with(with_metrics).await.unwrap();
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    server.opt_out("contoso", "copilot", &admin).await;
    server.opt_in("contoso", "copilot", &admin).await;
    let path = "/api/v1/tenants/contoso/data-sharing";
    let missing = server.call(Method::GET, path, &[], None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        server.get(path, "not-a-token").await.status,
        StatusCode::UNAUTHORIZED
    );
    let expired = common::sign(
        server.config.signing_key().unwrap(),
        &common::admin_claims(-3600),
    );
    assert_eq!(
        server.get(path, &expired).await.status,
        StatusCode::UNAUTHORIZED
    );
    let basic = server
        .call(Method::GET, path, &[("authorization", "Basic YTpi")], None)
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);

    let text = server.metrics().await;
    let changes = |action| {
        sample(
            &text,
            "consent_changes_recorded_total",
            &[("program", "copilot"), ("action", action)],
        )
    };
    assert_eq!(changes("opted_in"), Some(2.0), "{text}");
    assert_eq!(changes("opted_out"), Some(1.0));
    for cause in ["missing", "malformed", "expired", "scheme"] {
        assert_eq!(
            sample(&text, "consent_token_refusals_total", &[("cause", cause)]),
            Some(1.0),
            "{cause}: {text}"
        );
    }
}

// Guards the rate-limit counter: a caller over its requests per second and a
// tenant over its changes per minute are each counted under their limit.
#[tokio::test]
async fn rate_limit_refusals_are_counted_by_limit() {
    let server = TestServer::start_with(|c| {
        with_metrics(c);
        c.requests_per_second = 1;
        c.request_burst = 1;
    })
    .await
    .unwrap();
    let admin = server.token("contoso", "admin").await;
    let path = "/api/v1/tenants/contoso/data-sharing";
    let mut refused = 0;
    for _ in 0..3 {
        if server.get(path, &admin).await.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 1);
    let text = server.metrics().await;
    assert_eq!(
        sample(
            &text,
            "consent_rate_limited_total",
            &[("limit", "requests")]
        ),
        Some(f64::from(refused))
    );

    let server = TestServer::start_with(|c| {
        with_metrics(c);
        c.changes_per_minute = 1;
    })
    .await
    .unwrap();
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    let (_, etag) = server.document("contoso", &admin).await;
    let second = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some(&etag),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    let text = server.metrics().await;
    assert_eq!(
        sample(&text, "consent_rate_limited_total", &[("limit", "changes")]),
        Some(1.0)
    );
}

// Guards what an operator alerts on for webhooks: the outbox's depth and
// oldest age, how long a consumer has been failing (by the server's clock),
// and the attempts by outcome; all back to zero once the consumer recovers.
#[tokio::test]
async fn a_failing_consumer_shows_in_the_outbox_figures() {
    let provider = OidcProvider::start();
    let server = provider.server(with_metrics).await;
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let receiver = Receiver::answering(vec![], 503).await;
    let created = call_with(
        &server,
        Method::PUT,
        "/api/v1/subscriptions/down",
        &hooks,
        Some(json!({"url": receiver.url, "programs": ["copilot"], "description": "a consumer that is down"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    while receiver.got().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery was tried"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    // Let the attempt's outcome be stored.
    let mut text = server.metrics().await;
    while sample(
        &text,
        "consent_webhook_deliveries_total",
        &[("outcome", "retrying")],
    )
    .is_none()
    {
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
        text = server.metrics().await;
    }
    server.clock.advance(Duration::seconds(20));
    let text = server.metrics().await;
    let of_down = [("subscription", "down")];
    assert_eq!(sample(&text, "consent_outbox_pending", &of_down), Some(1.0));
    assert_eq!(
        sample(&text, "consent_outbox_oldest_pending_age_seconds", &of_down),
        Some(20.0)
    );
    assert_eq!(
        sample(&text, "consent_webhook_failing_seconds", &of_down),
        Some(20.0),
        "{text}"
    );

    receiver.answer_from_now(204);
    receiver.wait_for_acknowledged(1, Some(&server)).await;
    let deadline = std::time::Instant::now() + StdDuration::from_secs(20);
    let mut text = server.metrics().await;
    while sample(&text, "consent_outbox_pending", &of_down) != Some(0.0) {
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
        text = server.metrics().await;
    }
    assert_eq!(
        sample(&text, "consent_webhook_failing_seconds", &of_down),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "consent_outbox_oldest_pending_age_seconds", &of_down),
        Some(0.0)
    );
    assert_eq!(
        sample(
            &text,
            "consent_webhook_deliveries_total",
            &[("subscription", "down"), ("outcome", "delivered")]
        ),
        Some(1.0)
    );
}

// Guards the deletion figures: an opt-out's obligations open per store with
// the time to the earliest due date; past it, overdue (before any sweep);
// attested, done.
#[tokio::test]
async fn deletion_obligations_are_counted_by_store_and_status() {
    let provider = OidcProvider::start();
    let server = provider.server(with_metrics).await;
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "marketing", &admin).await;
    let out = server.opt_out("contoso", "marketing", &admin).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let opted_out = server.clock.now();

    let text = server.metrics().await;
    let count = |text: &str, store, status| {
        sample(
            text,
            "consent_deletion_obligations",
            &[("store", store), ("status", status)],
        )
    };
    let thirty_days = 30.0 * 86_400.0;
    for store in ["marketing-data-copies", "query-data-copies"] {
        assert_eq!(count(&text, store, "open"), Some(1.0), "{text}");
        assert_eq!(
            sample(
                &text,
                "consent_deletion_next_due_seconds",
                &[("store", store)]
            ),
            Some(thirty_days)
        );
    }
    let schema_due = (opted_out + chrono::Months::new(12) - opted_out).num_seconds() as f64;
    assert_eq!(
        sample(
            &text,
            "consent_deletion_next_due_seconds",
            &[("store", "schema-copies")]
        ),
        Some(schema_due)
    );

    // Due exactly now: overdue, as consent-core's rule has it.
    server.clock.advance(Duration::days(30));
    let text = server.metrics().await;
    assert_eq!(count(&text, "marketing-data-copies", "overdue"), Some(1.0));
    assert_eq!(count(&text, "marketing-data-copies", "open"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            "consent_deletion_next_due_seconds",
            &[("store", "marketing-data-copies")]
        ),
        None,
        "a store with nothing open has no next due date"
    );
    assert_eq!(count(&text, "schema-copies", "open"), Some(1.0));

    let eraser = provider
        .client_token("marketing-eraser", "consent.deletions.attest")
        .await;
    let queue = call_with(
        &server,
        Method::GET,
        "/api/v1/deletions?store=marketing-data-copies",
        &eraser,
        None,
    )
    .await;
    let id = queue.body["obligations"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", queue.body))
        .to_owned();
    let attested = call_with(
        &server,
        Method::POST,
        &format!("/api/v1/deletions/{id}/attestations"),
        &eraser,
        Some(json!({
            "completed_at": server.clock.now().to_rfc3339(),
            "items_deleted": 12,
            "method": "deleted the tenant's rows",
            "evidence_ref": "JOB-7"
        })),
    )
    .await;
    assert!(attested.status.is_success(), "{}", attested.body);
    let text = server.metrics().await;
    assert_eq!(count(&text, "marketing-data-copies", "done"), Some(1.0));
    assert_eq!(count(&text, "marketing-data-copies", "overdue"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            "consent_changes_recorded_total",
            &[("program", "marketing"), ("action", "deletion_attested")]
        ),
        Some(1.0)
    );
}

// Guards the decision and long-poll figures: each decision answered under
// its program and reason (a batch counts each pair), and a change-feed
// request counted while it waits.
#[tokio::test]
async fn decisions_and_waiting_feed_readers_are_counted() {
    let provider = OidcProvider::start();
    let server = provider.server(with_metrics).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let one = call_with(
        &server,
        Method::GET,
        "/api/v1/decisions/contoso/copilot",
        &pipeline,
        None,
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let batch = call_with(
        &server,
        Method::POST,
        "/api/v1/decisions:batch",
        &pipeline,
        Some(json!({"items": [
            {"tenant": "contoso", "program": "marketing"},
            {"tenant": "nobody-here", "program": "copilot"}
        ]})),
    )
    .await;
    assert_eq!(batch.status, StatusCode::OK, "{}", batch.body);
    let text = server.metrics().await;
    let decided = |program, reason| {
        sample(
            &text,
            "consent_decisions_total",
            &[("program", program), ("reason", reason)],
        )
    };
    assert_eq!(decided("copilot", "not_opted_in"), Some(1.0), "{text}");
    assert_eq!(decided("marketing", "not_opted_in"), Some(1.0));
    assert_eq!(decided("copilot", "unknown_tenant"), Some(1.0));
    assert_eq!(
        sample(
            &text,
            "consent_http_request_duration_seconds_count",
            &[("route", "/api/v1/decisions/{tenant_id}/{program_id}")]
        ),
        Some(1.0)
    );

    let head = call_with(&server, Method::GET, "/api/v1/changes", &pipeline, None).await;
    let cursor = head.body["next_cursor"].as_str().unwrap().to_owned();
    let waiting = {
        let url = server.url(&format!("/api/v1/changes?after={cursor}&wait=10"));
        let request = server.client.get(url).bearer_auth(&pipeline).send();
        tokio::spawn(request)
    };
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    loop {
        let text = server.metrics().await;
        if sample(&text, "consent_change_feed_long_polls", &[]) == Some(1.0) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    let answered = waiting.await.unwrap().unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let text = server.metrics().await;
    assert_eq!(
        sample(&text, "consent_change_feed_long_polls", &[]),
        Some(0.0)
    );
}

// Guards the database figures: connections in use per pool and the wait
// for a connection, per kind of transaction.
#[tokio::test]
async fn database_connections_and_waits_are_reported() {
    let server = TestServer::start_with(with_metrics).await.unwrap();
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    let export = server
        .get("/api/v1/tenants/contoso/ledger/export", &admin)
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let text = server.metrics().await;
    let in_use = sample(&text, "consent_db_connections_in_use", &[("pool", "main")]);
    assert!(in_use.is_some_and(|n| n >= 0.0), "{text}");
    let reads = sample(
        &text,
        "consent_db_pool_wait_seconds_count",
        &[("purpose", "read")],
    );
    assert!(reads.is_some_and(|n| n >= 1.0), "{text}");
}

// Guards the executable's metrics listener: `--metrics-bind` with port 0
// picks a free port, the log says where, and Prometheus can read it there.
#[tokio::test]
async fn the_server_process_names_its_metrics_address() {
    let database = common::TestDatabase::fresh().await;
    let server = common::ServerProcess::start(&database.url, &["--metrics-bind", "127.0.0.1:0"]);
    let log = server.log_text();
    let address = log
        .split("metrics on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no metrics address in the log:\n{log}"))
        .to_owned();
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    assert_ne!(address, format!("{}/metrics", server.base));
    let text = reqwest::get(&address).await.unwrap().text().await.unwrap();
    assert_eq!(
        sample(
            &text,
            "consent_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0),
        "{text}"
    );
}

// Guards the web app's share: its pages and files count as `web_app`, an
// API address behind it still under its route, and a file that is not
// there as the API's `unmatched` (the API answers it), each once.
#[tokio::test]
async fn the_web_apps_answers_count_as_web_app() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><title>Settings</title>",
    )
    .unwrap();
    std::fs::write(site.path().join("main-0123456789abcdef.css"), "body{}").unwrap();
    let dir = site.path().to_owned();
    let server = TestServer::start_with(move |c| {
        with_metrics(c);
        c.static_dir = Some(dir);
    })
    .await
    .unwrap();
    for path in ["/settings", "/main-0123456789abcdef.css"] {
        let answer = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
    }
    let missing = server
        .client
        .get(server.url("/main-fedcba9876543210.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let admin = server.token("contoso", "admin").await;
    server.document("contoso", &admin).await;

    let text = server.metrics().await;
    let count = |route, status| {
        sample(
            &text,
            "consent_http_request_duration_seconds_count",
            &[("route", route), ("status", status)],
        )
    };
    assert_eq!(count("web_app", "2xx"), Some(2.0), "{text}");
    assert_eq!(count("unmatched", "4xx"), Some(1.0));
    assert_eq!(
        count("web_app", "4xx"),
        None,
        "the API answered the missing file"
    );
    assert_eq!(
        count("/api/v1/tenants/{tenant_id}/data-sharing", "2xx"),
        Some(1.0)
    );
}
