//! Backup and restore of the consent ledger (the README's procedure): a
//! restored ledger equals the original row for row, on the same database
//! kind and across SQLite and PostgreSQL, and serves the same answers; a
//! restore never half-happens.

mod common;

use std::path::Path;
use std::process::Command;

use chrono::Duration;
use common::{dev_token, program_view, ServerProcess, TestDatabase, TestServer, BINARY};
use consent_api::store::webhooks::SubscriptionRequest;
use consent_api::store::BackupError;
use consent_api::{backup_to_file, restore_from_file, ToolError};
use consent_core::chain::BreakKind;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// A ledger with a row in every table: changes with and without keys,
/// contact preferences, completed deletions and an oddly named tenant.
/// A populated server and a backup of it, in a directory for more files.
async fn backed_up() -> (TestServer, tempfile::TempDir, std::path::PathBuf) {
    let server = TestServer::start().await;
    populate(&server).await;
    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("ledger.jsonl");
    backup_to_file(&server.config.database_url(), &backup)
        .await
        .unwrap();
    (server, files, backup)
}

async fn populate(server: &TestServer) {
    // A subscriber whose address is refused (an internal network), so each
    // change's delivery is recorded and settles at once as dead-lettered.
    let (created, _) = server
        .store
        .put_subscription(
            &SubscriptionRequest {
                id: "archive",
                url: "https://10.255.255.1/hook",
                programs: &["copilot".to_owned(), "marketing".to_owned()],
                description: "an archive",
                new_secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
                by: "test",
            },
            server.clock.now(),
        )
        .await
        .unwrap();
    assert!(created);
    let contoso = server.token("contoso", "admin").await;
    let fabrikam = server.token("fabrikam", "admin").await;
    let steps: [(&str, &str, &str, Value, Option<&str>); 5] = [
        (
            "contoso",
            "copilot",
            &contoso,
            json!({"enabled": true}),
            Some("key-1"),
        ),
        (
            "contoso",
            "copilot",
            &contoso,
            json!({"enabled": false}),
            None,
        ),
        (
            "contoso",
            "marketing",
            &contoso,
            json!({"enabled": true, "contact_allowed": false}),
            Some("key-2"),
        ),
        (
            "fabrikam",
            "marketing",
            &fabrikam,
            json!({"enabled": true}),
            None,
        ),
        (
            "fabrikam",
            "marketing",
            &fabrikam,
            json!({"enabled": false}),
            Some("key-1"),
        ),
    ];
    for (tenant, program, token, mut body, key) in steps {
        let (document, etag) = server.document(tenant, token).await;
        if body["enabled"] == true {
            body["accept_notices"] = program_view(&document, program)["notices"].clone();
        }
        let auth = format!("Bearer {token}");
        let mut headers = vec![
            ("authorization", auth.as_str()),
            ("if-match", etag.as_str()),
        ];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        let path = format!("/api/v1/tenants/{tenant}/data-sharing/{program}");
        let answer = server.call(Method::PUT, &path, &headers, Some(body)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let created = server
        .call(
            Method::POST,
            "/api/v1/dev/tenants",
            &[],
            Some(json!({"region": "US", "name": "Ünïcødé ☂ \"quoted\" 'single' \\ back"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    server.clock.advance(Duration::days(31));
    // Two opt-outs opened four obligations (Copilot's store, Marketing's
    // three); the three due after 30 days are now overdue.
    assert_eq!(server.state.sweep_deletions().await.unwrap(), 3);
    // Every delivery settled, so the ledger no longer changes under the backup.
    let pool = server.sql().await;
    for _ in 0..100 {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
                .fetch_one(&pool)
                .await
                .unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("deliveries stayed pending");
}

/// The row lines of a backup file (without the header, which names its source and time).
fn rows(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines().skip(1).map(str::to_owned).collect()
}

/// What the API answers about a tenant: document, history (JSON and CSV) and every receipt.
async fn answers(server: &TestServer, tenant: &str, token: &str) -> Vec<Value> {
    let mut seen = vec![
        server
            .get(&format!("/api/v1/tenants/{tenant}/data-sharing"), token)
            .await
            .body,
        server
            .get(
                &format!("/api/v1/tenants/{tenant}/data-sharing/history.csv"),
                token,
            )
            .await
            .body,
    ];
    let history = server
        .get(
            &format!("/api/v1/tenants/{tenant}/data-sharing/history?limit=100"),
            token,
        )
        .await
        .body;
    for event in history["events"].as_array().unwrap() {
        let receipt = format!(
            "/api/v1/tenants/{tenant}/receipts/{}",
            event["receipt_id"].as_str().unwrap()
        );
        seen.push(server.get(&receipt, token).await.body);
    }
    seen.push(history);
    seen
}

// Guards the restore: every table row for row as backed up, into a fresh
// database of either kind, serving the same answers, and continuing the
// ledger where it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_ledger_equals_the_original_row_for_row() {
    let server = TestServer::start().await;
    populate(&server).await;
    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("ledger.jsonl");
    let summary = backup_to_file(&server.config.database_url(), &backup)
        .await
        .unwrap();
    for (table, count) in &summary.rows {
        assert!(
            *count > 0,
            "{table} is empty: the test would prove nothing about it"
        );
    }
    assert_eq!(summary.rows["consent_events"], 8);
    assert_eq!(summary.rows["tenants"], 3);

    let mut targets = vec![TestDatabase::sqlite()];
    if let Some(postgres) = TestDatabase::postgres_server() {
        targets.push(TestDatabase::postgres(&postgres).await);
    }
    for target in targets {
        let restored = restore_from_file(&target.url, &backup).await.unwrap();
        assert_eq!(restored, summary, "{:?}", target.backend);
        let mut report = Vec::new();
        assert!(
            consent_api::verify_ledger(&target.url, &mut report)
                .await
                .unwrap(),
            "{:?}: the restored chain: {}",
            target.backend,
            String::from_utf8_lossy(&report)
        );
        let again = files
            .path()
            .join(format!("again-{:?}.jsonl", target.backend));
        backup_to_file(&target.url, &again).await.unwrap();
        assert_eq!(
            rows(&again),
            rows(&backup),
            "{:?}: the restored rows differ",
            target.backend
        );

        let copy = TestServer::start_with(|c| c.database_url = Some(target.url.clone()))
            .await
            .unwrap();
        copy.clock.advance(Duration::days(31));
        for tenant in ["contoso", "fabrikam"] {
            let token = server.token(tenant, "admin").await;
            assert_eq!(
                answers(&copy, tenant, &token).await,
                answers(&server, tenant, &token).await,
                "{:?}: {tenant}",
                target.backend
            );
        }
        // The ledger continues: the next change is the next version and the newest event.
        let admin = copy.token("contoso", "admin").await;
        let (document, _) = copy.document("contoso", &admin).await;
        let changed = copy.opt_in("contoso", "copilot", &admin).await;
        assert_eq!(
            changed.body["version"],
            document["version"].as_i64().unwrap() + 1
        );
        let newest = copy
            .get(
                "/api/v1/tenants/contoso/data-sharing/history?limit=1",
                &admin,
            )
            .await;
        assert_eq!(
            newest.body["events"][0]["action"], "opted_in",
            "{:?}",
            target.backend
        );
    }
}

// Guards that a restore is all or nothing, and only into an empty ledger.
#[tokio::test]
async fn restore_refuses_a_used_database_and_a_cut_off_file() {
    let (server, files, backup) = backed_up().await;

    let into_used = restore_from_file(&server.config.database_url(), &backup).await;
    assert!(
        matches!(
            into_used,
            Err(ToolError::Backup(BackupError::NotEmpty { .. }))
        ),
        "{into_used:?}"
    );

    let text = std::fs::read_to_string(&backup).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut = files.path().join("cut.jsonl");
    std::fs::write(&cut, lines[..lines.len() - 1].join("\n")).unwrap();
    let garbled = files.path().join("garbled.jsonl");
    std::fs::write(
        &garbled,
        text.replacen(
            "\"table\":\"consent_events\"",
            "\"table\":\"consent_eventz\"",
            1,
        ),
    )
    .unwrap();
    let foreign = files.path().join("foreign.jsonl");
    std::fs::write(&foreign, "{\"format\":\"something-else\",\"version\":1}\n").unwrap();

    let fresh = TestDatabase::fresh().await;
    let cut_off = restore_from_file(&fresh.url, &cut).await;
    assert!(
        matches!(
            cut_off,
            Err(ToolError::Backup(BackupError::Incomplete { .. }))
        ),
        "{cut_off:?}"
    );
    for refused in [&garbled, &foreign] {
        let outcome = restore_from_file(&fresh.url, refused).await;
        assert!(
            matches!(outcome, Err(ToolError::Backup(BackupError::Format { .. }))),
            "{outcome:?}"
        );
    }
    // An event changed in the file no longer hashes to its link: refused.
    let edited = files.path().join("edited.jsonl");
    let event_line = lines
        .iter()
        .position(|l| l.contains("\"table\":\"consent_events\"") && l.contains("opted_in"))
        .unwrap();
    let mut changed = lines.clone();
    let swapped = lines[event_line].replacen("opted_in", "opted_out", 1);
    changed[event_line] = &swapped;
    std::fs::write(&edited, changed.join("\n")).unwrap();
    let outcome = restore_from_file(&fresh.url, &edited).await;
    match outcome {
        Err(ToolError::Backup(BackupError::ChainBroken { broken, .. })) => {
            assert_eq!(broken.kind, BreakKind::Edited, "{broken}");
        }
        other => panic!("an edited event was restored: {other:?}"),
    }
    // Nothing of the refused files stayed: the whole backup still restores.
    let restored = restore_from_file(&fresh.url, &backup).await.unwrap();
    assert_eq!(restored.rows["consent_events"], 8);
}

// Guards restoring a backup written before the ledger chain existed: its
// events are chained whole, in the order they were recorded, as the
// migration chains an existing database.
#[tokio::test]
async fn a_backup_from_before_the_chain_is_chained_on_restore() {
    let (_server, files, backup) = backed_up().await;
    // The same file as a build without the chain wrote it.
    let text = std::fs::read_to_string(&backup).unwrap();
    let older: Vec<String> = text
        .lines()
        .filter(|l| !l.contains("\"table\":\"ledger_chain\""))
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(mut value) if value.get("end").is_some() => {
                value["end"].as_object_mut().unwrap().remove("ledger_chain");
                value.to_string()
            }
            _ => l.to_owned(),
        })
        .collect();
    let before_chain = files.path().join("before-chain.jsonl");
    std::fs::write(&before_chain, older.join("\n")).unwrap();

    let fresh = TestDatabase::fresh().await;
    restore_from_file(&fresh.url, &before_chain).await.unwrap();
    let mut report = Vec::new();
    let holds = consent_api::verify_ledger(&fresh.url, &mut report)
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&report);
    assert!(holds, "{report}");
    assert!(report.contains("8 events in chains that hold"), "{report}");
}

// Guards the documented commands: a backup taken while the server runs,
// restored with the command line into a new database.
#[tokio::test]
async fn backup_and_restore_commands() {
    let database = TestDatabase::fresh().await;
    let server = ServerProcess::start(&database.url, &[]);
    let client = Client::new();
    let admin = dev_token(&client, &server.base, "contoso", "admin").await;
    let notices = server
        .current_notices(&client, "contoso", "copilot", &admin)
        .await;
    let changed = client
        .put(server.url("/api/v1/tenants/contoso/data-sharing/copilot"))
        .bearer_auth(&admin)
        .header("if-match", "\"0\"")
        .json(&json!({"enabled": true, "accept_notices": notices}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);

    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("ledger.jsonl");
    let output = Command::new(BINARY)
        .args(["backup", "--database-url", &database.url, "--out"])
        .arg(&backup)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("backed up ") && stdout.contains("consent_events 1"),
        "{stdout}"
    );
    assert!(!files.path().join("ledger.jsonl.partial").exists());

    let target = TestDatabase::fresh().await;
    let restore = |url: &str| {
        Command::new(BINARY)
            .args(["restore", "--database-url", url, "--in"])
            .arg(&backup)
            .output()
            .unwrap()
    };
    let output = restore(&target.url);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("restored "));
    let again = restore(&target.url);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    let db = target.sql().await;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM consent_events")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(events, 1);

    // A password in a database URL never reaches the output.
    let output = restore("postgres://consent:s3cret@127.0.0.1:1/consent");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("postgres://consent@127.0.0.1:1/consent") && !stderr.contains("s3cret"),
        "{stderr}"
    );
}
