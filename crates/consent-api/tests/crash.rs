//! Crash safety: the server is killed with SIGKILL, again and again, in the
//! middle of a stream of changes, and restarted on the same database. Every
//! change that was answered 200 must be in the state and in the history
//! afterwards, nothing may be half-written (a state change, its event, its
//! receipt and its idempotency answer are stored together or not at all),
//! and the database must pass its own integrity checks.
//!
//! Runs on whichever database the suite runs on. `cargo xtask soak` runs the
//! ignored `soak` test with many more cycles (`CONSENT_SOAK_CYCLES`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{answer, dev_token, program_view, report_figures, ServerProcess, TestDatabase};
use consent_api::store::Backend;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// Kill cycles in the normal suite.
const CYCLES: u32 = 20;

// Guards durability and atomicity of accepted changes across SIGKILLs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_repeated_kills() {
    crash_cycles("crash test", CYCLES).await;
}

// The same, for as many cycles as CONSENT_SOAK_CYCLES says (default 200).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long; run by cargo xtask soak"]
async fn soak() {
    let cycles = std::env::var("CONSENT_SOAK_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    crash_cycles("soak", cycles).await;
}

/// One stream of changes: one tenant, one program, flipped on and off.
#[derive(Clone, Copy)]
struct Stream {
    tenant: &'static str,
    program: &'static str,
}

const STREAMS: [Stream; 2] = [
    Stream {
        tenant: "contoso",
        program: "copilot",
    },
    Stream {
        tenant: "fabrikam",
        program: "marketing",
    },
];

/// A change answered 200.
#[derive(Debug, Clone)]
struct Acknowledged {
    key: String,
    version: i64,
    enabled: bool,
}

/// What one stream saw in one cycle.
#[derive(Debug, Default)]
struct Seen {
    sent: Vec<String>,
    acknowledged: Vec<Acknowledged>,
    /// Sent, but the answer was cut off by the kill: stored or not, both are right.
    cut_off: Vec<String>,
}

/// A small xorshift generator: kill moments vary by run, and a failing
/// run can be repeated with its seed (`CONSENT_CRASH_SEED`).
struct Random(u64);

impl Random {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

async fn crash_cycles(name: &str, cycles: u32) {
    let database = TestDatabase::fresh().await;
    let seed = std::env::var("CONSENT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut random = Random(seed);
    let client = Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut seen: BTreeMap<&str, Seen> = BTreeMap::new();
    let mut tokens = BTreeMap::new();

    for cycle in 0..cycles {
        let mut server = ServerProcess::start(&database.url, &[]);
        if tokens.is_empty() {
            for stream in STREAMS {
                let token = dev_token(&client, &server.base, stream.tenant, "admin").await;
                tokens.insert(stream.tenant, token);
            }
        }
        let streams: Vec<_> = STREAMS
            .iter()
            .map(|stream| {
                let (client, base) = (client.clone(), server.base.clone());
                let token = tokens[stream.tenant].clone();
                tokio::spawn(change_until_cut_off(*stream, client, base, token, cycle))
            })
            .collect();
        // Kill at a moment between 30 and 280 ms into the stream.
        tokio::time::sleep(Duration::from_millis(30 + random.next(250))).await;
        server.kill();
        for (stream, task) in STREAMS.iter().zip(streams) {
            let cycle_seen = task.await.expect("the stream task ends");
            let all = seen.entry(stream.tenant).or_default();
            all.sent.extend(cycle_seen.sent);
            all.acknowledged.extend(cycle_seen.acknowledged);
            all.cut_off.extend(cycle_seen.cut_off);
        }
    }

    // Restarted once more, the server must start on what the kills left.
    let server = ServerProcess::start(&database.url, &[]);
    let mut sent = 0;
    let mut acknowledged = 0;
    let mut found = 0;
    let mut cut_off = 0;
    let mut cut_off_stored = 0;
    let db = database.sql().await;
    for stream in STREAMS {
        let stream_seen = &seen[stream.tenant];
        let events: Vec<(Option<String>, String)> = sqlx::query_as(
            "SELECT idempotency_key, after_state FROM consent_events WHERE tenant_id = $1 ORDER BY seq",
        )
        .bind(stream.tenant)
        .fetch_all(&db)
        .await
        .unwrap();
        let position: BTreeMap<&str, usize> = events
            .iter()
            .enumerate()
            .filter_map(|(i, (key, _))| key.as_deref().map(|k| (k, i)))
            .collect();
        assert_eq!(
            position.len(),
            events.len(),
            "every event carries its request's key, once"
        );
        let sent_keys: BTreeSet<&str> = stream_seen.sent.iter().map(String::as_str).collect();
        for key in position.keys() {
            assert!(sent_keys.contains(key), "event {key} was never sent");
        }
        // Each acknowledged change is stored, in its place: the n-th change of the document is the n-th event.
        for ack in &stream_seen.acknowledged {
            let Some(&i) = position.get(ack.key.as_str()) else {
                panic!(
                    "{}: change {} was answered 200 but is not in the history",
                    stream.tenant, ack.key
                );
            };
            assert_eq!(
                i as i64 + 1,
                ack.version,
                "{}: {} is event {}",
                stream.tenant,
                ack.key,
                i + 1
            );
            let after: Value = serde_json::from_str(&events[i].1).unwrap();
            assert_eq!(after["enabled"], ack.enabled, "{}", ack.key);
            found += 1;
        }
        cut_off_stored += stream_seen
            .cut_off
            .iter()
            .filter(|key| position.contains_key(key.as_str()))
            .count();

        // The state is the last event's, at the version that counts every event.
        let token = &tokens[stream.tenant];
        let document = answer(
            client
                .get(server.url(&format!("/api/v1/tenants/{}/data-sharing", stream.tenant)))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(document.status, StatusCode::OK);
        assert_eq!(document.body["version"], events.len() as i64);
        if let Some(last) = stream_seen.acknowledged.last() {
            assert!(document.body["version"].as_i64().unwrap() >= last.version);
        }
        if let Some((_, after)) = events.last() {
            let after: Value = serde_json::from_str(after).unwrap();
            assert_eq!(
                program_view(&document.body, stream.program)["enabled"],
                after["enabled"]
            );
        }

        sent += stream_seen.sent.len();
        acknowledged += stream_seen.acknowledged.len();
        cut_off += stream_seen.cut_off.len();
    }
    assert_nothing_half_written(&db).await;
    db.close().await;
    drop(server);
    assert_integrity(&database).await;
    // Every event the kills left is in its tenant's hash chain, linked in order.
    let mut report = Vec::new();
    let holds = consent_api::verify_ledger(&database.url, &mut report)
        .await
        .unwrap();
    assert!(holds, "{}", String::from_utf8_lossy(&report));

    let figures = format!(
        "{name} ({:?}, seed {seed}): {cycles} kill cycles, {sent} changes sent, \
         {acknowledged} acknowledged, {found} of them found afterwards; \
         {cut_off} answers cut off by a kill, {cut_off_stored} of those stored",
        database.backend
    );
    let file = format!("{}-{:?}", name.replace(' ', "-"), database.backend);
    report_figures(&file, &figures);
    assert_eq!(found, acknowledged);
    assert!(
        acknowledged >= cycles as usize,
        "the streams made too few changes to mean anything"
    );
}

/// Sends changes as fast as the server takes them, until the connection
/// fails (the kill). Each carries an Idempotency-Key naming it.
async fn change_until_cut_off(
    stream: Stream,
    client: Client,
    base: String,
    token: String,
    cycle: u32,
) -> Seen {
    let mut seen = Seen::default();
    let path = format!("/api/v1/tenants/{}/data-sharing", stream.tenant);
    let Ok(response) = client
        .get(format!("{base}{path}"))
        .bearer_auth(&token)
        .send()
        .await
    else {
        return seen;
    };
    let mut document = answer(response).await.body;
    let mut n = 0;
    loop {
        let program = program_view(&document, stream.program);
        let enabled = program["enabled"] != true;
        let body = if enabled {
            json!({"enabled": true, "accept_notices": program["notices"]})
        } else {
            json!({"enabled": false})
        };
        let key = format!("{}-{cycle}-{n}", stream.tenant);
        n += 1;
        seen.sent.push(key.clone());
        let sent = client
            .put(format!("{base}{path}/{}", stream.program))
            .bearer_auth(&token)
            .header("if-match", format!("\"{}\"", document["version"]))
            .header("idempotency-key", &key)
            .json(&body)
            .send()
            .await;
        let Ok(response) = sent else {
            seen.cut_off.push(key);
            return seen;
        };
        let status = response.status();
        let Ok(text) = response.text().await else {
            seen.cut_off.push(key);
            return seen;
        };
        // One writer per tenant, on the version it just read: nothing but 200 is right.
        assert_eq!(status, StatusCode::OK, "{key}: {text}");
        document = serde_json::from_str(&text).unwrap();
        seen.acknowledged.push(Acknowledged {
            key,
            version: document["version"].as_i64().unwrap(),
            enabled,
        });
    }
}

/// State, event, receipt and idempotency answer exist together or not at all.
async fn assert_nothing_half_written(db: &sqlx::AnyPool) {
    for (what, sql) in [
        (
            "events without their receipt",
            "SELECT COUNT(*) FROM consent_events e LEFT JOIN consent_receipts r \
             ON r.id = e.receipt_id AND r.event_id = e.id WHERE r.id IS NULL",
        ),
        (
            "receipts without their event",
            "SELECT COUNT(*) FROM consent_receipts r LEFT JOIN consent_events e \
             ON e.id = r.event_id AND e.receipt_id = r.id WHERE e.id IS NULL",
        ),
        (
            "keyed events without their stored answer",
            "SELECT COUNT(*) FROM consent_events e LEFT JOIN idempotency_keys k \
             ON k.tenant_id = e.tenant_id AND k.idempotency_key = e.idempotency_key \
             WHERE e.idempotency_key IS NOT NULL AND k.idempotency_key IS NULL",
        ),
        (
            "stored answers without their event",
            "SELECT COUNT(*) FROM idempotency_keys k LEFT JOIN consent_events e \
             ON e.tenant_id = k.tenant_id AND e.idempotency_key = k.idempotency_key WHERE e.id IS NULL",
        ),
        (
            "tenants whose version does not count their events",
            "SELECT COUNT(*) FROM tenants t WHERE t.document_version <> \
             (SELECT COUNT(*) FROM consent_events e WHERE e.tenant_id = t.id)",
        ),
        (
            "events without a sequence number, or sharing one",
            "SELECT COUNT(*) - COUNT(DISTINCT seq) + SUM(CASE WHEN seq IS NULL THEN 1 ELSE 0 END) \
             FROM consent_events",
        ),
    ] {
        let count: i64 = sqlx::query_scalar(sql).fetch_one(db).await.unwrap();
        assert_eq!(count, 0, "{what}: {count}");
    }
}

/// The database's own checks of its files: SQLite's integrity and foreign
/// key checks; PostgreSQL's amcheck over every table and index.
async fn assert_integrity(database: &TestDatabase) {
    match database.backend {
        Backend::Sqlite => {
            let db = sqlx::SqlitePool::connect(&database.url).await.unwrap();
            let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(&db)
                .await
                .unwrap();
            assert_eq!(integrity, ["ok"]);
            let broken_keys = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&db)
                .await
                .unwrap();
            assert!(
                broken_keys.is_empty(),
                "{} rows break a foreign key",
                broken_keys.len()
            );
            db.close().await;
        }
        Backend::Postgres => {
            let db = sqlx::PgPool::connect(&database.url).await.unwrap();
            sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                .execute(&db)
                .await
                .unwrap();
            // Every index entry points at its row and every row is indexed.
            let indexes: i64 = sqlx::query_scalar(
                "SELECT COUNT(bt_index_check(c.oid, true)) FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.amname = 'btree' AND n.nspname = current_schema()",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            assert!(indexes >= 6, "only {indexes} indexes checked");
            // No table page holds a corrupt row.
            let corrupt: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, \
                 LATERAL verify_heapam(c.oid) WHERE c.relkind = 'r' AND n.nspname = current_schema()",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            assert_eq!(corrupt, 0, "verify_heapam found corruption");
            db.close().await;
        }
    }
}
