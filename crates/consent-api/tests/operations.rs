//! What operating the server needs: request ids in answers and logs,
//! structured (JSON) logs, a graceful shutdown that finishes in-flight
//! requests, and readiness that follows the database.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{dev_token, ServerProcess, TestDatabase, TestServer};
use consent_api::{Command, Config, LogFormat};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream as AsyncTcpStream};
use tokio::task::JoinHandle;

fn is_generated_id(id: Option<&str>) -> bool {
    id.is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

// Guards the request id: every answer carries one, errors included; a sane
// id from the caller (or a proxy in front) is kept, anything else replaced.
#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let server = TestServer::start().await;
    let first = server.call(Method::GET, "/healthz", &[], None).await;
    let second = server.call(Method::GET, "/healthz", &[], None).await;
    assert!(
        is_generated_id(first.header("x-request-id")),
        "{:?}",
        first.headers
    );
    assert!(is_generated_id(second.header("x-request-id")));
    assert_ne!(first.header("x-request-id"), second.header("x-request-id"));

    let kept = server
        .call(
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing",
            &[("x-request-id", "support-ticket-42")],
            None,
        )
        .await;
    assert_eq!(kept.status, StatusCode::UNAUTHORIZED);
    assert_eq!(kept.header("x-request-id"), Some("support-ticket-42"));

    let unknown = server
        .call(
            Method::GET,
            "/nowhere",
            &[("x-request-id", "edge/7f3a:1")],
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.header("x-request-id"), Some("edge/7f3a:1"));

    let long = "x".repeat(129);
    for insane in ["two words", "{\"json\":1}", long.as_str()] {
        let replaced = server
            .call(Method::GET, "/healthz", &[("x-request-id", insane)], None)
            .await;
        assert!(
            is_generated_id(replaced.header("x-request-id")),
            "{insane:?}"
        );
    }
}

// Guards the log format options and the tools' command lines.
#[test]
fn log_format_and_tool_commands_are_parsed() {
    let parse = |args: &[&str]| {
        Command::parse(args.iter().map(|a| a.to_string()), |name| {
            (name == "CONSENT_DATA_DIR").then(|| "/srv/consent".to_owned())
        })
    };
    let Ok(Command::Serve(config)) = parse(&["--dev", "--log-format", "json"]) else {
        panic!("a server configuration")
    };
    assert_eq!(config.log_format, LogFormat::Json);
    let Ok(Command::Serve(config)) = parse(&["--dev"]) else {
        panic!("a server configuration")
    };
    assert_eq!(config.log_format, LogFormat::Text);
    assert!(parse(&["--dev", "--log-format", "xml"]).is_err());
    assert!(
        Config::parse(["--dev".to_owned()], |name| (name == "CONSENT_LOG_FORMAT")
            .then(|| "json".to_owned()))
        .is_ok_and(|c| c.log_format == LogFormat::Json)
    );

    assert_eq!(
        parse(&["backup", "--out", "/b/ledger.jsonl"]).unwrap(),
        Command::Backup {
            database_url: "sqlite:///srv/consent/consent.db".into(),
            file: "/b/ledger.jsonl".into()
        }
    );
    assert_eq!(
        parse(&[
            "restore",
            "--database-url=postgres://consent@db/consent",
            "--in",
            "l.jsonl"
        ])
        .unwrap(),
        Command::Restore {
            database_url: "postgres://consent@db/consent".into(),
            file: "l.jsonl".into()
        }
    );
    assert!(parse(&["backup"]).is_err(), "--out is required");
    assert!(
        parse(&["backup", "--in", "x"]).is_err(),
        "backup writes, it has no --in"
    );
    assert!(parse(&["restore", "--out", "x"]).is_err());
}

// Guards structured logs: with --log-format json every line is a JSON
// object, and the lines written while serving a request carry its id.
#[tokio::test]
async fn json_logs_carry_the_request_id() {
    let database = TestDatabase::fresh().await;
    let server = ServerProcess::start(&database.url, &["--log-format", "json"]);
    let client = Client::new();
    let admin = dev_token(&client, &server.base, "contoso", "admin").await;
    let notices = server
        .current_notices(&client, "contoso", "copilot", &admin)
        .await;
    let changed = client
        .put(server.url("/api/v1/tenants/contoso/data-sharing/copilot"))
        .bearer_auth(&admin)
        .header("if-match", "\"0\"")
        .header("x-request-id", "trace-me-42")
        .json(&json!({"enabled": true, "accept_notices": notices}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["x-request-id"], "trace-me-42");

    let deadline = Instant::now() + Duration::from_secs(5);
    let traced = loop {
        let lines: Vec<Value> = server
            .log_text()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect();
        assert!(lines
            .iter()
            .all(|l| l["level"].is_string() && l["fields"].is_object()));
        let traced: Vec<Value> = lines
            .into_iter()
            .filter(|l| l["span"]["request_id"] == "trace-me-42")
            .collect();
        if traced.len() >= 2 || Instant::now() > deadline {
            break traced;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        traced
            .iter()
            .any(|l| l["fields"]["message"] == "consent change stored"),
        "{traced:?}"
    );
    assert!(
        traced.iter().any(|l| l["fields"]["status"] == 200),
        "the answer is logged with its status: {traced:?}"
    );
    assert!(traced
        .iter()
        .all(|l| l["span"]["path"] == "/api/v1/tenants/contoso/data-sharing/copilot"));
}

// Guards graceful shutdown: on SIGTERM the server stops taking connections
// but finishes the request it is serving (here, one whose body is still
// arriving), stores its change, and exits 0.
#[tokio::test]
async fn sigterm_finishes_the_request_in_flight() {
    let database = TestDatabase::fresh().await;
    let mut server = ServerProcess::start(&database.url, &[]);
    let client = Client::new();
    let admin = dev_token(&client, &server.base, "contoso", "admin").await;
    let notices = server
        .current_notices(&client, "contoso", "copilot", &admin)
        .await;
    let body = json!({"enabled": true, "accept_notices": notices}).to_string();
    let address = server.base.trim_start_matches("http://").to_owned();

    let mut request = TcpStream::connect(&address).unwrap();
    request
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    write!(
        request,
        "PUT /api/v1/tenants/contoso/data-sharing/copilot HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {admin}\r\nIf-Match: \"0\"\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{first_half}",
        body.len()
    )
    .unwrap();
    request.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.signal(libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&address).is_ok() {
        assert!(
            Instant::now() < deadline,
            "no new connections once stopping"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    request.write_all(second_half.as_bytes()).unwrap();
    let mut response = String::new();
    request.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits once the request is answered");
    assert!(status.success(), "{status}\n{}", server.log_text());
    assert!(server.log_text().contains("in-flight requests finished"));
    let db = database.sql().await;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM consent_events")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(events, 1, "the change answered during shutdown is stored");
}

/// A TCP relay between the server and PostgreSQL that a test can cut, as
/// a network failure or a database restart would.
struct Relay {
    port: u16,
    target: String,
    accepting: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut relay = Relay {
            port: listener.local_addr().unwrap().port(),
            target: target.to_owned(),
            accepting: None,
            connections: Arc::default(),
        };
        relay.accept_on(listener);
        relay
    }

    fn accept_on(&mut self, listener: TcpListener) {
        let (target, connections) = (self.target.clone(), self.connections.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let relayed = tokio::spawn(async move {
                    if let Ok(mut outbound) = AsyncTcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().unwrap().push(relayed);
            }
        }));
    }

    /// Drops every relayed connection and refuses new ones.
    fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    /// Accepts connections again, on the same port.
    async fn resume(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.accept_on(listener);
    }
}

async fn ready_status(server: &TestServer) -> StatusCode {
    server.call(Method::GET, "/readyz", &[], None).await.status
}

// Guards readiness on PostgreSQL: /readyz answers 503 while the database
// cannot be reached and 200 again once it can, without a restart; requests
// meanwhile fail as problem+json, and work again afterwards. (On SQLite,
// startup.rs closes the database under a running server.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_connection() {
    let Some(_) = TestDatabase::postgres_server() else {
        eprintln!("PostgreSQL only: this run of the suite is on SQLite");
        return;
    };
    let database = TestDatabase::fresh().await;
    let authority = database
        .url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("postgres://USER@HOST:PORT/DB")
        .to_owned();
    let mut relay = Relay::start(&authority).await;
    let relayed_url = database
        .url
        .replace(&authority, &format!("127.0.0.1:{}", relay.port));
    let server = TestServer::start_with(|c| c.database_url = Some(relayed_url))
        .await
        .unwrap();
    let admin = server.token("contoso", "admin").await;
    assert_eq!(ready_status(&server).await, StatusCode::OK);

    relay.cut();
    let started = Instant::now();
    assert_eq!(ready_status(&server).await, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "readiness answers in bounded time"
    );
    let unavailable = server
        .get("/api/v1/tenants/contoso/data-sharing", &admin)
        .await;
    assert_eq!(unavailable.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(unavailable.problem_code(), "internal");
    assert_eq!(
        server.call(Method::GET, "/healthz", &[], None).await.status,
        StatusCode::OK,
        "the process itself is alive"
    );

    relay.resume().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while ready_status(&server).await != StatusCode::OK {
        assert!(
            Instant::now() < deadline,
            "ready again once the database is back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.opt_in("contoso", "copilot", &admin).await;
}
