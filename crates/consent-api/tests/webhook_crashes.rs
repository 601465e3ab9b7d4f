//! Webhook delivery across crashes: the server is killed with SIGKILL, again
//! and again, while changes stream in and its worker sends them to two
//! subscribers, and restarted on the same database. One subscriber answers
//! 503 for the first cycles, then recovers. Afterwards every committed
//! change must have reached both subscribers, each tenant's changes in
//! commit order, signed, a change sent again always under the same
//! `webhook-id` with the same body.
//!
//! Runs on whichever database the suite runs on (`cargo xtask
//! test-postgres --test webhook_crashes` for PostgreSQL).
//!
//! Over 400 lines: one scenario, and the checks of what each subscriber got
//! against the change feed, which only make sense read together.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::oidc::OidcProvider;
use common::webhooks::{verify, Received, Receiver};
use common::{answer, dev_tenant, program_view, report_figures, ServerProcess, TestDatabase};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// Kill cycles.
const CYCLES: u32 = 20;
/// The recovering subscriber answers 503 during this many cycles first.
const FAILING_CYCLES: u32 = 8;
/// Each tenant flips one program on and off; both subscribers want both.
const PROGRAMS: [&str; 3] = ["copilot", "marketing", "copilot"];
/// The pause between two changes of one tenant. The worker sends a
/// subscriber's changes of one tenant one after the other, each claimed and
/// its outcome recorded in a transaction of its own (about 20 a second here);
/// changes at full speed would leave minutes of backlog to wait for.
const PACE: Duration = Duration::from_millis(50);
/// How long the restarted server may take to send what is left: a delivery
/// claimed by a killed process waits out its 60 s claim, and the recovering
/// subscriber's backoff may still run.
const DRAIN_DEADLINE: Duration = Duration::from_secs(120);

// Guards at-least-once, ordered, signed delivery across SIGKILLs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_reaches_every_subscriber_across_kills() {
    let started = Instant::now();
    let provider = OidcProvider::start();
    let database = TestDatabase::fresh().await;
    let trust = ["--oidc-issuer", provider.issuer.as_str()];
    let seed = seed();
    let mut random = SplitMix(seed);
    let client = Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let steady = Receiver::start(vec![]).await;
    let recovering = Receiver::answering(vec![], 503).await;
    let mut acknowledged: BTreeMap<String, i64> = BTreeMap::new();
    let mut stranded_claims = BTreeSet::new();

    // Subscribed first, so each tenant's whole history is announced.
    let setup = start(&database.url, &trust);
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let mut subscribers = Vec::new();
    for (id, receiver) in [("steady", &steady), ("recovering", &recovering)] {
        let secret = subscribe(&client, &setup, &hooks, id, &receiver.url).await;
        subscribers.push((id, receiver, secret));
    }
    let mut streams = Vec::new();
    for program in PROGRAMS {
        streams.push(new_tenant(&client, &setup.base, program).await);
    }
    drop(setup);
    let db = database.sql().await;

    for cycle in 0..CYCLES {
        let mut server = start(&database.url, &trust);
        if cycle == FAILING_CYCLES {
            recovering.answer_from_now(204);
        }
        let tasks: Vec<_> = streams
            .iter()
            .map(|stream| {
                tokio::spawn(flip_until_cut_off(
                    client.clone(),
                    server.base.clone(),
                    stream.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50 + random.below(500))).await;
        server.kill();
        for (stream, task) in streams.iter().zip(tasks) {
            let versions = task.await.expect("the stream task ends");
            *acknowledged.entry(stream.tenant.clone()).or_default() +=
                versions.end - versions.start;
        }
        // Deliveries the killed process had claimed wait out their claim.
        let claims: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, locked_until FROM deliveries WHERE status = 'pending' AND locked_until IS NOT NULL",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        stranded_claims.extend(claims);
    }
    let killed_at = Instant::now();
    let cycles_took = started.elapsed();

    // Nothing changes from here on: the feed is what the kills left.
    let feed = Feed::read(&db, &streams).await;
    let server = start(&database.url, &trust);
    wait_until_drained(&db, &feed, &subscribers).await;
    let drained_after = killed_at.elapsed();
    drop(server);
    db.close().await;

    let mut report = Vec::new();
    for (id, receiver, secret) in &subscribers {
        report.push(check_subscriber(id, &receiver.got(), secret, &feed));
    }
    let acknowledged_total: i64 = acknowledged.values().sum();
    for stream in &streams {
        let committed = feed.of_tenant(&stream.tenant).count() as i64;
        assert!(
            committed >= acknowledged[&stream.tenant],
            "{}: {} changes answered 200, {committed} in the feed",
            stream.tenant,
            acknowledged[&stream.tenant]
        );
    }
    let refused = recovering
        .got()
        .iter()
        .filter(|r| r.answered == 503)
        .count();
    let figures = format!(
        "webhook crash test ({:?}, seed {seed}): {CYCLES} kill cycles in {:.0} s, {} changes \
         committed ({acknowledged_total} answered 200) in {} tenants, {} claims left by kills; \
         {}; recovering subscriber answered 503 {refused} times over {FAILING_CYCLES} cycles; \
         all delivered {:.0} s after the last kill",
        database.backend,
        cycles_took.as_secs_f64(),
        feed.entries.len(),
        streams.len(),
        stranded_claims.len(),
        report.join("; "),
        drained_after.as_secs_f64(),
    );
    report_figures(
        &format!("webhook-crash-test-{:?}", database.backend),
        &figures,
    );
    assert!(
        refused > 0,
        "the recovering subscriber never failed a delivery"
    );
    assert!(
        acknowledged_total >= i64::from(CYCLES),
        "the streams made too few changes to mean anything"
    );
}

/// A seed from `CONSENT_CRASH_SEED` (to repeat a failing run) or the clock.
fn seed() -> u64 {
    match std::env::var("CONSENT_CRASH_SEED").map(|s| s.parse()) {
        Ok(Ok(seed)) => seed,
        _ => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

/// SplitMix64: kill moments vary by run and repeat with the seed.
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    }
}

/// Starts a server process without holding up the receivers' runtime thread.
fn start(database_url: &str, args: &[&str]) -> ServerProcess {
    tokio::task::block_in_place(|| ServerProcess::start(database_url, args))
}

/// Subscribes `id` to both programs at `url`; its secret.
async fn subscribe(
    client: &Client,
    server: &ServerProcess,
    token: &str,
    id: &str,
    url: &str,
) -> String {
    let created = answer(
        client
            .put(server.url(&format!("/api/v1/subscriptions/{id}")))
            .bearer_auth(token)
            .json(&json!({"url": url, "programs": ["copilot", "marketing"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["secret"].as_str().unwrap().to_owned()
}

/// One tenant's stream of changes: its admin flips `program`.
#[derive(Clone)]
struct Stream {
    tenant: String,
    program: &'static str,
    token: String,
}

/// A fresh tenant whose admin flips `program`.
async fn new_tenant(client: &Client, base: &str, program: &'static str) -> Stream {
    let (tenant, token) = dev_tenant(client, base).await;
    Stream {
        tenant,
        program,
        token,
    }
}

/// Turns the stream's program on and off, each change on the version of
/// the answer before and [`PACE`] after it, until the kill cuts the
/// connection. The document versions it saw answered: first read to last
/// changed.
async fn flip_until_cut_off(client: Client, base: String, stream: Stream) -> std::ops::Range<i64> {
    let document_url = format!("{base}/api/v1/tenants/{}/data-sharing", stream.tenant);
    let mut request = client.get(&document_url);
    let mut versions: Option<std::ops::Range<i64>> = None;
    loop {
        let Ok(response) = request.bearer_auth(&stream.token).send().await else {
            break;
        };
        let (status, etag) = (response.status(), response.headers().get("etag").cloned());
        let Ok(document) = response.json::<Value>().await else {
            break;
        };
        // One writer per tenant, on the version it just read: only 200 is right.
        assert_eq!(status, StatusCode::OK, "{}: {document}", stream.tenant);
        let version = document["version"].as_i64().expect("a version");
        versions = Some(versions.map_or(version..version, |seen| seen.start..version));
        let program = program_view(&document, stream.program);
        let change = if program["enabled"] == true {
            json!({"enabled": false})
        } else {
            json!({"enabled": true, "accept_notices": program["notices"]})
        };
        tokio::time::sleep(PACE).await;
        request = client
            .put(format!("{document_url}/{}", stream.program))
            .header("if-match", etag.expect("an ETag"))
            .json(&change);
    }
    versions.unwrap_or(0..0)
}

/// One committed change, as the change feed holds it.
#[derive(Debug, sqlx::FromRow)]
struct Entry {
    position: i64,
    event_id: String,
    tenant_id: String,
    program: String,
    at: String,
    decision: String,
}

/// The streams' tenants' committed changes, in commit order.
struct Feed {
    entries: Vec<Entry>,
    by_event: BTreeMap<String, usize>,
}

impl Feed {
    /// Reads the feed, checking it holds every event of the tenants' histories.
    async fn read(db: &sqlx::AnyPool, streams: &[Stream]) -> Feed {
        let tenants: BTreeSet<&str> = streams.iter().map(|s| s.tenant.as_str()).collect();
        let entries: Vec<Entry> = sqlx::query_as(
            "SELECT position, event_id, tenant_id, program, at, decision FROM change_feed ORDER BY position",
        )
        .fetch_all(db)
        .await
        .unwrap();
        let entries: Vec<Entry> = entries
            .into_iter()
            .filter(|e| tenants.contains(e.tenant_id.as_str()))
            .collect();
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT id, tenant_id FROM consent_events")
                .fetch_all(db)
                .await
                .unwrap();
        let history: BTreeSet<&str> = events
            .iter()
            .filter(|(_, tenant)| tenants.contains(tenant.as_str()))
            .map(|(id, _)| id.as_str())
            .collect();
        let fed: BTreeSet<&str> = entries.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(fed, history, "the feed holds each event of the history");
        assert_eq!(fed.len(), entries.len(), "each event once in the feed");
        let by_event = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.event_id.clone(), i))
            .collect();
        Feed { entries, by_event }
    }

    fn of_tenant<'a>(&'a self, tenant: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.tenant_id == tenant)
    }

    /// The entry a delivery announces, checking the body tells it as the feed does.
    fn announced(&self, received: &Received) -> &Entry {
        let body: Value = serde_json::from_str(&received.body).expect("a JSON body");
        let data = &body["data"];
        let Some(&i) = data["event_id"]
            .as_str()
            .and_then(|id| self.by_event.get(id))
        else {
            panic!(
                "{} announces no committed change: {}",
                received.id, received.body
            );
        };
        let entry = &self.entries[i];
        let decision: Value = serde_json::from_str(&entry.decision).unwrap();
        assert_eq!(
            (
                &body["type"],
                &data["tenant"],
                &data["program"],
                &data["cursor"],
                &data["allowed"]
            ),
            (
                &json!("decision.changed"),
                &json!(entry.tenant_id),
                &json!(entry.program),
                &json!(entry.position.to_string()),
                &decision["allowed"]
            ),
            "{}",
            received.body
        );
        entry
    }
}

/// Waits until both subscribers acknowledged every change and the outbox
/// holds nothing still to send.
async fn wait_until_drained(
    db: &sqlx::AnyPool,
    feed: &Feed,
    subscribers: &[(&str, &Receiver, String)],
) {
    let deadline = Instant::now() + DRAIN_DEADLINE;
    loop {
        let missing: usize = subscribers
            .iter()
            .map(|(_, receiver, _)| {
                let got: BTreeSet<String> = receiver
                    .got()
                    .iter()
                    .filter(|r| r.acknowledged())
                    .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
                    .filter_map(|body| body["data"]["event_id"].as_str().map(str::to_owned))
                    .collect();
                feed.by_event.keys().filter(|id| !got.contains(*id)).count()
            })
            .sum();
        let unsent: Vec<(String, String, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT id, status, attempts, next_attempt_at, locked_until FROM deliveries \
             WHERE status <> 'delivered' ORDER BY feed_position",
        )
        .fetch_all(db)
        .await
        .unwrap();
        if missing == 0 && unsent.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{missing} changes not acknowledged; {} not delivered by the outbox, first {:?}",
            unsent.len(),
            &unsent[..unsent.len().min(10)]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Checks what one subscriber got; its figures.
fn check_subscriber(name: &str, got: &[Received], secret: &str, feed: &Feed) -> String {
    let mut webhook_ids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut bodies: BTreeMap<&str, &str> = BTreeMap::new();
    // Per tenant: how many of its changes, in feed order, were acknowledged.
    let mut acknowledged_prefix: BTreeMap<&str, usize> = BTreeMap::new();
    let mut first_acknowledged: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    // Each change's place among its tenant's changes.
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    let order: BTreeMap<i64, usize> = feed
        .entries
        .iter()
        .map(|e| {
            let next = counted.entry(&e.tenant_id).or_default();
            *next += 1;
            (e.position, *next - 1)
        })
        .collect();
    for received in got {
        assert!(
            verify(secret, received),
            "{name}: signature of {received:?}"
        );
        let entry = feed.announced(received);
        webhook_ids
            .entry(&entry.event_id)
            .or_default()
            .insert(&received.id);
        let body = *bodies.entry(&received.id).or_insert(&received.body);
        assert_eq!(
            body, received.body,
            "{name}: {} sent again with another body",
            received.id
        );
        // A change is sent only after every earlier change of its tenant was
        // acknowledged: anything else could reach the subscriber out of order.
        let prefix = acknowledged_prefix.entry(&entry.tenant_id).or_default();
        let index = order[&entry.position];
        assert!(
            index <= *prefix,
            "{name}: {} (change {index} of {}) sent before change {} was acknowledged",
            received.id,
            entry.tenant_id,
            *prefix
        );
        if received.acknowledged() && index == *prefix {
            *prefix += 1;
            first_acknowledged.insert(entry.position, received.arrived);
        }
    }
    for (event, ids) in &webhook_ids {
        assert_eq!(
            ids.len(),
            1,
            "{name}: {event} sent under several webhook-ids: {ids:?}"
        );
    }
    for entry in &feed.entries {
        assert!(
            first_acknowledged.contains_key(&entry.position),
            "{name}: change {} of {} ({}) never acknowledged",
            entry.position,
            entry.tenant_id,
            entry.event_id
        );
    }
    let acknowledged = got.iter().filter(|r| r.acknowledged()).count();
    let max_lag = feed
        .entries
        .iter()
        .map(|e| {
            let committed: DateTime<Utc> = e.at.parse().expect("an RFC 3339 time");
            first_acknowledged[&e.position] - committed
        })
        .max()
        .unwrap_or_default();
    format!(
        "{name} subscriber: {} requests, {acknowledged} acknowledged, {} duplicates, \
         max lag from commit to first acknowledgement {:.1} s",
        got.len(),
        acknowledged - feed.entries.len(),
        max_lag.num_milliseconds() as f64 / 1000.0
    )
}
