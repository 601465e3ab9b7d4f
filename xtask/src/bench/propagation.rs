//! How fast a change reaches what follows it. Each sample asks for the
//! tenant's decision (so the reading process holds it), parks a change-feed
//! long poll, then commits a change (an admin switching Copilot) and times,
//! from the commit's 200 at the client: the long poll's answer, the
//! webhook's arrival at a loopback receiver, and the first decision (asked
//! in a loop) that shows the change. The feed and the decisions may be read
//! from another process on the same database than the one that commits, as
//! a scaled-out deployment serves them.

use std::time::{Duration, Instant};

use hyper::{Method, StatusCode};
use serde_json::Value;

use super::api::new_writer;
use super::load::{bearer, Connection, Step};
use crate::shell::Result;
use crate::support::http::Api as Client;
use crate::support::receiver::WebhookReceiver;
use crate::support::server::ApiServer;

/// Changes timed.
const SAMPLES: usize = 100;
/// How long the long poll is given to reach the server and park before the commit.
const PARK: Duration = Duration::from_millis(20);
/// How long to wait for a change to arrive anywhere before calling it lost.
const DEADLINE: Duration = Duration::from_secs(10);

/// Milliseconds from each change's 200 to its arrival, per path.
pub struct Propagation {
    pub webhook_ms: Vec<f64>,
    pub long_poll_ms: Vec<f64>,
    pub decision_ms: Vec<f64>,
    /// Decisions asked after the 200 that did not show the change yet.
    pub stale_decisions: usize,
}

/// Commits on `writer`; follows the feed and asks for decisions on `reader`.
pub async fn measure_propagation(
    writer: &ApiServer,
    reader: &ApiServer,
    issuer: &str,
) -> Result<Propagation> {
    let client = Client::new(&writer.url)?;
    let receiver = WebhookReceiver::start().await?;
    let hooks = client
        .service_token(issuer, "webhooks", "consent.subscriptions.write")
        .await?;
    let subscription = format!("bench-propagation-{}", std::process::id());
    client
        .subscribe(&hooks, &subscription, &receiver.url, &["copilot"])
        .await?;
    let pipeline = bearer(
        &client
            .service_token(issuer, "pipeline", "consent.decisions.read")
            .await?,
    )?;
    let mut admin = new_writer(&client).await?;
    let tenant = admin
        .path
        .trim_start_matches("/api/v1/tenants/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();

    let mut feed = Connection::open(reader.addr).await?;
    let mut cursor = feed_head(&mut feed, &pipeline).await?;
    let mut changes = Connection::open(writer.addr).await?;
    let mut decisions = Connection::open(reader.addr).await?;
    let mut figures = Propagation {
        webhook_ms: Vec::with_capacity(SAMPLES),
        long_poll_ms: Vec::with_capacity(SAMPLES),
        decision_ms: Vec::with_capacity(SAMPLES),
        stale_decisions: 0,
    };
    let decision_path = format!("/api/v1/decisions/{tenant}/copilot");
    for _ in 0..SAMPLES {
        // The reader's answer before the change, which it may keep in memory.
        let before = decision(&mut decisions, &decision_path, &pipeline).await?;
        if before["allowed"] != admin.enabled {
            return Err(format!(
                "{decision_path} does not show the previous change: {before}"
            ));
        }
        let poll = {
            let path = format!("/api/v1/changes?after={cursor}&wait=30");
            let authorization = pipeline.clone();
            tokio::spawn(async move {
                let answer = feed
                    .send(
                        Method::GET,
                        &path,
                        &[("authorization", authorization.as_str())],
                        None,
                    )
                    .await;
                (Instant::now(), answer, feed)
            })
        };
        tokio::time::sleep(PARK).await;
        if let Some(failure) = admin.step(&mut changes).await? {
            return Err(failure);
        }
        let committed = Instant::now();

        let seen = loop {
            let body = decision(&mut decisions, &decision_path, &pipeline).await?;
            if body["allowed"] == admin.enabled {
                break Instant::now();
            }
            figures.stale_decisions += 1;
            if committed.elapsed() > DEADLINE {
                return Err(format!("{decision_path} did not show the change: {body}"));
            }
        };

        let (answered, answer, returned) = tokio::time::timeout(DEADLINE, poll)
            .await
            .map_err(|_| "the long poll did not answer after the change".to_owned())?
            .map_err(|e| format!("the long poll failed: {e}"))?;
        feed = returned;
        let answer = answer?;
        let page = json(&answer.body, "/api/v1/changes")?;
        let event_id = page["changes"]
            .as_array()
            .and_then(|changes| changes.iter().find(|c| c["tenant"] == tenant.as_str()))
            .map(|change| change["event_id"].clone())
            .ok_or_else(|| format!("the long poll answered without the change: {page}"))?;
        cursor = page["next_cursor"]
            .as_str()
            .ok_or_else(|| format!("the long poll answered no next_cursor: {page}"))?
            .to_owned();

        let delivered = loop {
            let arrived = receiver
                .received()
                .into_iter()
                .find(|r| r.body["data"]["event_id"] == event_id);
            if let Some(delivery) = arrived {
                break delivery.at;
            }
            if committed.elapsed() > DEADLINE {
                return Err(format!("no webhook for event {event_id}"));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        let since = |at: Instant| at.saturating_duration_since(committed).as_secs_f64() * 1000.0;
        figures.long_poll_ms.push(since(answered));
        figures.webhook_ms.push(since(delivered));
        figures.decision_ms.push(since(seen));
    }
    client.unsubscribe(&hooks, &subscription).await?;
    Ok(figures)
}

/// One decision's answer.
async fn decision(connection: &mut Connection, path: &str, authorization: &str) -> Result<Value> {
    let answer = connection
        .send(Method::GET, path, &[("authorization", authorization)], None)
        .await?;
    let body = json(&answer.body, path)?;
    if answer.status != StatusCode::OK {
        return Err(format!("GET {path}: {} {body}", answer.status));
    }
    Ok(body)
}

/// The feed's newest cursor, read page by page from the start.
async fn feed_head(feed: &mut Connection, authorization: &str) -> Result<String> {
    let mut cursor = "0".to_owned();
    loop {
        let path = format!("/api/v1/changes?after={cursor}&limit=1000");
        let answer = feed
            .send(
                Method::GET,
                &path,
                &[("authorization", authorization)],
                None,
            )
            .await?;
        let page = json(&answer.body, &path)?;
        if answer.status != StatusCode::OK {
            return Err(format!("GET {path}: {} {page}", answer.status));
        }
        let next = page["next_cursor"]
            .as_str()
            .ok_or_else(|| format!("GET {path}: no next_cursor in {page}"))?;
        if next == cursor {
            return Ok(cursor);
        }
        cursor = next.to_owned();
    }
}

fn json(body: &[u8], what: &str) -> Result<Value> {
    serde_json::from_slice(body)
        .map_err(|e| format!("{what}: not JSON ({e}): {}", String::from_utf8_lossy(body)))
}
