//! Several server processes over one database, as a scaled-out deployment
//! runs them: concurrent conflicting changes sent to all of them lose no
//! update, record one event per accepted change, and are refused with 412
//! otherwise; an idempotency key holds across processes.
//!
//! Runs on whichever database the suite runs on (PostgreSQL in the second
//! run of `cargo xtask test`; SQLite, which also allows several processes
//! on one file, otherwise).

mod common;

use std::collections::BTreeSet;

use common::{
    answer, dev_token, program_view, report_figures, Answer, ServerProcess, TestDatabase,
};
use futures_util::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PROCESSES: usize = 3;

struct Cluster {
    /// Declared first, dropped first: the processes stop before their database goes.
    servers: Vec<ServerProcess>,
    database: TestDatabase,
    client: Client,
    admin: String,
}

impl Cluster {
    /// Three processes on one fresh database, started one after the other
    /// (each migrates and seeds; the later ones find it done).
    async fn start() -> Cluster {
        let database = TestDatabase::fresh().await;
        let servers: Vec<ServerProcess> = (0..PROCESSES)
            .map(|_| ServerProcess::start(&database.url, &[]))
            .collect();
        let client = Client::new();
        let admin = dev_token(&client, &servers[0].base, "contoso", "admin").await;
        Cluster {
            servers,
            database,
            client,
            admin,
        }
    }

    async fn document(&self, server: usize) -> Value {
        let response = self
            .client
            .get(self.servers[server].url("/api/v1/tenants/contoso/data-sharing"))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        let answer = answer(response).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body
    }

    /// `PUT` of copilot on `server`, with `If-Match: "<version>"`.
    async fn put_copilot(
        &self,
        server: usize,
        version: i64,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut request = self
            .client
            .put(self.servers[server].url("/api/v1/tenants/contoso/data-sharing/copilot"))
            .bearer_auth(&self.admin)
            .header("if-match", format!("\"{version}\""))
            .json(body);
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        answer(request.send().await.expect("the server answers")).await
    }

    /// How many events the database holds for contoso, and with `key`.
    async fn events(&self, key: Option<&str>) -> i64 {
        let db = self.database.sql().await;
        let count = match key {
            None => sqlx::query_scalar("SELECT COUNT(*) FROM consent_events WHERE tenant_id = 'contoso'")
                .fetch_one(&db)
                .await,
            Some(key) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM consent_events WHERE tenant_id = 'contoso' AND idempotency_key = $1",
            )
            .bind(key)
            .fetch_one(&db)
            .await,
        };
        db.close().await;
        count.unwrap()
    }
}

/// The body that flips copilot from what `document` shows.
fn toggle(document: &Value) -> Value {
    let copilot = program_view(document, "copilot");
    if copilot["enabled"] == true {
        json!({"enabled": false})
    } else {
        json!({"enabled": true, "accept_notices": copilot["notices"]})
    }
}

// Guards the conditional version update across processes: many changes
// decided against the same version, sent at once to three processes, are
// stored exactly once; every other one is refused 412 with the document as
// it now is; and read-modify-write clients that retry on 412 lose nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_conflicting_changes_across_processes_lose_no_update() {
    let cluster = Cluster::start().await;
    let mut accepted_versions = Vec::new();

    // Rounds of 60 requests, all with the same If-Match, spread over the processes.
    for round in 0..3 {
        let document = cluster.document(round % PROCESSES).await;
        let version = document["version"].as_i64().unwrap();
        let body = toggle(&document);
        let answers =
            join_all((0..60).map(|i| cluster.put_copilot(i % PROCESSES, version, &body, None)))
                .await;
        let mut ok = 0;
        for answer in &answers {
            match answer.status {
                StatusCode::OK => {
                    ok += 1;
                    assert_eq!(answer.body["version"], version + 1);
                    accepted_versions.push(version + 1);
                }
                StatusCode::PRECONDITION_FAILED => {
                    assert_eq!(answer.problem_code(), "stale_version");
                    // The 412 shows the state the winner stored (or a later one).
                    assert!(answer.body["current"]["version"].as_i64().unwrap() > version);
                }
                other => panic!("unexpected {other}: {}", answer.body),
            }
        }
        assert_eq!(ok, 1, "round {round}: exactly one of 60 is stored");
    }

    // Six clients (two per process) each make four real changes, reading
    // the document and retrying on 412.
    let clients = (0..6).map(|client| {
        let cluster = &cluster;
        async move {
            let server = client % PROCESSES;
            let mut versions = Vec::new();
            let mut refused = 0;
            while versions.len() < 4 {
                let document = cluster.document(server).await;
                let version = document["version"].as_i64().unwrap();
                let answer = cluster
                    .put_copilot(server, version, &toggle(&document), None)
                    .await;
                match answer.status {
                    StatusCode::OK => versions.push(answer.body["version"].as_i64().unwrap()),
                    StatusCode::PRECONDITION_FAILED => refused += 1,
                    other => panic!("unexpected {other}: {}", answer.body),
                }
            }
            (versions, refused)
        }
    });
    let mut refused = 0;
    for (versions, client_refused) in join_all(clients).await {
        accepted_versions.extend(versions);
        refused += client_refused;
    }

    // Every accepted change has its own version, one after the other, and
    // exactly one event; the document is at the last of them.
    let distinct: BTreeSet<i64> = accepted_versions.iter().copied().collect();
    let accepted = accepted_versions.len() as i64;
    assert_eq!(
        distinct.len() as i64,
        accepted,
        "two 200s claimed one version"
    );
    assert_eq!(distinct, (1..=accepted).collect::<BTreeSet<i64>>());
    assert_eq!(cluster.events(None).await, accepted);
    for server in 0..PROCESSES {
        assert_eq!(cluster.document(server).await["version"], accepted);
    }
    let figures = format!(
        "processes ({:?}): {PROCESSES} processes, {accepted} changes accepted, \
         {refused} retries after 412 by read-modify-write clients",
        cluster.database.backend
    );
    report_figures(
        &format!("processes-{:?}", cluster.database.backend),
        &figures,
    );
}

// Guards idempotency across processes: the same change under one key, sent
// at once to every process, is stored once, and every process answers it
// with that first answer, also later and with a now stale If-Match.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_holds_across_processes() {
    let cluster = Cluster::start().await;
    let document = cluster.document(0).await;
    let body = toggle(&document);
    let key = "retry-across-processes-1";

    let answers =
        join_all((0..12).map(|i| cluster.put_copilot(i % PROCESSES, 0, &body, Some(key)))).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body, answers[0].body, "every answer is the first");
    }
    let first_answers = answers
        .iter()
        .filter(|a| a.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(
        first_answers, 1,
        "one request made the change, the rest were replayed"
    );
    assert_eq!(cluster.events(Some(key)).await, 1);
    assert_eq!(cluster.events(None).await, 1);

    // Later, on each process, the retry (its If-Match now stale) gets the same answer.
    for server in 0..PROCESSES {
        let retry = cluster.put_copilot(server, 0, &body, Some(key)).await;
        assert_eq!(retry.status, StatusCode::OK);
        assert_eq!(retry.header("idempotent-replayed"), Some("true"));
        assert_eq!(retry.body, answers[0].body);
    }
    // The key cannot be reused for another change, on any process.
    let other = cluster
        .put_copilot(2, 1, &toggle(&answers[0].body), Some(key))
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.problem_code(), "idempotency_key_reused");
    assert_eq!(cluster.events(None).await, 1);
}

// Guards consistent reads across processes: while one process stores a
// stream of changes, documents read from the others always show the state
// of exactly the version they carry (copilot is on at odd versions here),
// never a version with the state of the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_on_other_processes_see_one_version_at_a_time() {
    let cluster = Cluster::start().await;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let writer = async {
        let mut document = cluster.document(0).await;
        for _ in 0..30 {
            let version = document["version"].as_i64().unwrap();
            let answer = cluster
                .put_copilot(0, version, &toggle(&document), None)
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            document = answer.body;
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let reader = |server: usize| {
        let (cluster, stop) = (&cluster, &stop);
        async move {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let document = cluster.document(server).await;
                let version = document["version"].as_i64().unwrap();
                let enabled = program_view(&document, "copilot")["enabled"] == true;
                assert_eq!(enabled, version % 2 == 1, "version {version}: {document}");
                reads += 1;
            }
            reads
        }
    };
    let ((), reads_1, reads_2) = tokio::join!(writer, reader(1), reader(2));
    assert!(reads_1 + reads_2 > 0);
}
