//! The ledger's hash chain: every event recorded is linked to the one
//! before it, receipts name their event's hash, and `consent-api ledger
//! verify` finds what a database administrator with the triggers dropped
//! could do to the history (change, remove, add or reorder events), naming
//! the kind and the place.

mod common;

use std::process::Command;

use common::{TestServer, BINARY};
use consent_api::ledger::jws;
use consent_api::store::Backend;
use consent_core::chain::Checkpoint;
use sqlx::AnyPool;

/// A server with a history of six events for contoso and a few for fabrikam.
async fn with_history() -> TestServer {
    let server = TestServer::start().await;
    let ada = server.token("contoso", "admin").await;
    for _ in 0..3 {
        server.opt_in("contoso", "copilot", &ada).await;
        server.opt_out("contoso", "copilot", &ada).await;
    }
    let fabrikam = server.token("fabrikam", "admin").await;
    server.opt_in("fabrikam", "marketing", &fabrikam).await;
    server
}

/// Runs `consent-api ledger verify` on the server's database: its exit
/// status and what it wrote.
fn verify(server: &TestServer) -> (bool, String) {
    let output = Command::new(BINARY)
        .args(["ledger", "verify", "--database-url"])
        .arg(server.config.database_url())
        .output()
        .expect("consent-api runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// contoso's events in the order they were recorded: (id, seq).
async fn contoso_events(sql: &AnyPool) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT id, seq FROM consent_events WHERE tenant_id = 'contoso' ORDER BY seq")
        .fetch_all(sql)
        .await
        .unwrap()
}

/// Drops the append-only triggers, as someone with the database's owner rights can.
async fn drop_triggers(server: &TestServer, sql: &AnyPool) {
    for (table, triggers) in [
        ("consent_events", ["no_update", "no_delete"]),
        ("consent_receipts", ["no_update", "no_delete"]),
        ("ledger_chain", ["no_update", "no_delete"]),
    ] {
        for trigger in triggers {
            let statement = match server.database.backend {
                Backend::Sqlite => format!("DROP TRIGGER {table}_{trigger}"),
                Backend::Postgres => format!("DROP TRIGGER {table}_{trigger} ON {table}"),
            };
            sqlx::query(&statement).execute(sql).await.unwrap();
        }
    }
}

/// Removes event `id` and every row naming it, as a DBA without the triggers can.
async fn remove_event(sql: &AnyPool, id: &str) {
    for table in ["ledger_chain", "consent_receipts"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE event_id = $1"))
            .bind(id)
            .execute(sql)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM consent_events WHERE id = $1")
        .bind(id)
        .execute(sql)
        .await
        .unwrap();
}

/// The line `consent-api ledger verify` wrote for contoso.
fn contoso_line(text: &str) -> &str {
    text.lines()
        .find(|l| l.starts_with("contoso:"))
        .unwrap_or_else(|| panic!("no line for contoso in {text}"))
}

// Guards the chain as recorded: each event linked to the one before it in
// the tenant's chain, each receipt naming its event's hash, and the
// verifier content with an untouched database.
#[tokio::test]
async fn every_event_is_chained_and_its_receipt_names_the_hash() {
    let server = with_history().await;
    let sql = server.sql().await;
    let links: Vec<(String, i64, Option<String>, String)> = sqlx::query_as(
        "SELECT c.event_id, c.n, c.prev_hash, c.hash FROM ledger_chain c \
         JOIN consent_events e ON e.id = c.event_id WHERE c.tenant_id = 'contoso' ORDER BY e.seq",
    )
    .fetch_all(&sql)
    .await
    .unwrap();
    let events = contoso_events(&sql).await;
    assert_eq!(links.len(), events.len(), "one link per event");
    assert!(links.len() >= 6);
    for (i, (event_id, n, prev, hash)) in links.iter().enumerate() {
        assert_eq!(event_id, &events[i].0);
        assert_eq!(*n, i as i64 + 1, "numbered in order");
        let before = i.checked_sub(1).map(|j| links[j].3.clone());
        assert_eq!(prev, &before, "linked to the event before it");
        assert_eq!(hash.len(), 64);
    }

    let ada = server.token("contoso", "admin").await;
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history?limit=1", &ada)
        .await;
    let newest = &history.body["events"][0];
    let receipt = server
        .get(
            &format!(
                "/api/v1/tenants/contoso/receipts/{}",
                newest["receipt_id"].as_str().unwrap()
            ),
            &ada,
        )
        .await;
    let (last_id, _, _, last_hash) = links.last().unwrap();
    assert_eq!(newest["id"].as_str(), Some(last_id.as_str()));
    assert_eq!(
        receipt.body["event_hash"].as_str(),
        Some(last_hash.as_str())
    );

    let (holds, text) = verify(&server);
    assert!(holds, "{text}");
    assert!(contoso_line(&text).contains("ok"), "{text}");
    assert!(text.contains("0 chains broken"), "{text}");
}

// Guards each kind of tampering, on both databases: changed, removed,
// added and swapped events are each found, named, and placed.
#[tokio::test]
async fn tampering_is_found_and_named() {
    // Changed: the third event says something else now.
    let server = with_history().await;
    let sql = server.sql().await;
    drop_triggers(&server, &sql).await;
    let events = contoso_events(&sql).await;
    sqlx::query("UPDATE consent_events SET action = 'contact_changed' WHERE id = $1")
        .bind(&events[2].0)
        .execute(&sql)
        .await
        .unwrap();
    let (holds, text) = verify(&server);
    assert!(!holds, "{text}");
    assert!(contoso_line(&text).contains("line 3: edited"), "{text}");
    assert!(
        text.contains("fabrikam: ok"),
        "other tenants still hold: {text}"
    );
    drop(server);

    // Removed: the fourth event and everything naming it.
    let server = with_history().await;
    let sql = server.sql().await;
    drop_triggers(&server, &sql).await;
    let events = contoso_events(&sql).await;
    remove_event(&sql, &events[3].0).await;
    let (holds, text) = verify(&server);
    assert!(!holds, "{text}");
    assert!(
        contoso_line(&text).contains("line 4: missing: event 4"),
        "{text}"
    );
    drop(server);

    // Added: a forged event, a copy of the first under a new id, recorded last.
    let server = with_history().await;
    let sql = server.sql().await;
    let events = contoso_events(&sql).await;
    sqlx::query(
        "INSERT INTO consent_events (id, tenant_id, at, actor, program, action, before_state, \
         after_state, notices, receipt_id, idempotency_key, detail, seq) \
         SELECT 'forged', tenant_id, at, actor, program, action, before_state, after_state, \
         notices, receipt_id, idempotency_key, detail, \
         (SELECT MAX(seq) + 1000 FROM consent_events) FROM consent_events WHERE id = $1",
    )
    .bind(&events[0].0)
    .execute(&sql)
    .await
    .unwrap();
    let (holds, text) = verify(&server);
    assert!(!holds, "{text}");
    let line = contoso_line(&text);
    assert!(
        line.contains(&format!("line {}: inserted", events.len() + 1)),
        "{text}"
    );
    assert!(line.contains("forged"), "{text}");
    drop(server);

    // Truncated: the newest event removed, links and all; the checkpoint
    // signed with it still counts it.
    let server = with_history().await;
    let sql = server.sql().await;
    drop_triggers(&server, &sql).await;
    let events = contoso_events(&sql).await;
    let newest = &events.last().unwrap().0;
    remove_event(&sql, newest).await;
    let (holds, text) = verify(&server);
    assert!(!holds, "{text}");
    assert!(
        contoso_line(&text).contains(&format!("line {}: truncated", events.len())),
        "{text}"
    );
    drop(server);

    // Reordered: two events swapped places.
    let server = with_history().await;
    let sql = server.sql().await;
    drop_triggers(&server, &sql).await;
    let events = contoso_events(&sql).await;
    let (first, second) = (&events[1], &events[4]);
    for (id, seq) in [(&first.0, -1), (&second.0, first.1), (&first.0, second.1)] {
        sqlx::query("UPDATE consent_events SET seq = $1 WHERE id = $2")
            .bind(seq)
            .bind(id)
            .execute(&sql)
            .await
            .unwrap();
    }
    let (holds, text) = verify(&server);
    assert!(!holds, "{text}");
    assert!(contoso_line(&text).contains("line 2: reordered"), "{text}");

    // A server started on such a database does not chain the forged or
    // moved events into the history: the break stays visible.
    let restarted = server.store.chain_unlinked().await.unwrap();
    assert_eq!(restarted, 0);
}

// Guards the chaining of a ledger recorded before the chain existed: the
// server chains its events at start, tenant by tenant in the order they
// were recorded, once (a database as the migration leaves it: events, no
// links, the origin at the newest event).
#[tokio::test]
async fn a_ledger_from_before_the_chain_is_chained_at_start() {
    let server = with_history().await;
    let sql = server.sql().await;
    let recorded: Vec<(String, String)> =
        sqlx::query_as("SELECT event_id, hash FROM ledger_chain ORDER BY tenant_id, n")
            .fetch_all(&sql)
            .await
            .unwrap();
    drop_triggers(&server, &sql).await;
    sqlx::query("DELETE FROM ledger_chain")
        .execute(&sql)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE ledger_chain_origin SET unchained_through = (SELECT MAX(seq) FROM consent_events)",
    )
    .execute(&sql)
    .await
    .unwrap();
    let (holds, text) = verify(&server);
    assert!(!holds, "the check changes nothing: {text}");
    assert!(contoso_line(&text).contains("not chained yet"), "{text}");

    let restarted = TestServer::start_with(|c| c.database_url = server.config.database_url.clone())
        .await
        .unwrap();
    let chained: Vec<(String, String)> =
        sqlx::query_as("SELECT event_id, hash FROM ledger_chain ORDER BY tenant_id, n")
            .fetch_all(&sql)
            .await
            .unwrap();
    assert_eq!(chained, recorded, "the same chain as recorded live");
    assert_eq!(restarted.store.chain_unlinked().await.unwrap(), 0, "once");
    let (holds, text) = verify(&server);
    assert!(holds, "{text}");
}

// Guards the signed evidence: receipts as compact JWS over the very bytes
// of the JSON receipt, and checkpoints of the chain's length and newest
// hash, both checked with the keys at /.well-known/jwks.json; one changed
// byte and the check fails.
#[tokio::test]
async fn receipts_and_checkpoints_are_signed_with_the_published_keys() {
    let server = with_history().await;
    let ada = server.token("contoso", "admin").await;
    let keys = server.get("/.well-known/jwks.json", "").await;
    assert_eq!(keys.status, reqwest::StatusCode::OK);
    assert_eq!(keys.body["keys"][0]["crv"], "Ed25519");

    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history?limit=1", &ada)
        .await;
    let receipt_path = format!(
        "/api/v1/tenants/contoso/receipts/{}",
        history.body["events"][0]["receipt_id"].as_str().unwrap()
    );
    let json = server
        .client
        .get(server.url(&receipt_path))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let signed = server
        .client
        .get(server.url(&receipt_path))
        .bearer_auth(&ada)
        .header("accept", "application/jose")
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed.headers()["content-type"].to_str().unwrap(),
        "application/jose"
    );
    let token = signed.text().await.unwrap();
    let (kid, payload) = jws::verify(&token, &keys.body).expect("the receipt's signature checks");
    assert_eq!(kid, "development");
    assert_eq!(
        payload,
        json.to_vec(),
        "the JWS carries the receipt as issued"
    );
    let mut forged = token.clone().into_bytes();
    let at = forged.len() / 3;
    forged[at] = if forged[at] == b'x' { b'y' } else { b'x' };
    assert!(jws::verify(&String::from_utf8(forged).unwrap(), &keys.body).is_err());

    let checkpoint = server
        .get_text("/api/v1/tenants/contoso/ledger/checkpoint", &ada)
        .await;
    let (_, payload) = jws::verify(&checkpoint, &keys.body).expect("the checkpoint checks");
    let point: Checkpoint = serde_json::from_slice(&payload).unwrap();
    let sql = server.sql().await;
    let (n, hash): (i64, String) = sqlx::query_as(
        "SELECT n, hash FROM ledger_chain WHERE tenant_id = 'contoso' ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert_eq!(
        (point.tenant.as_str(), point.count, point.head_hash),
        ("contoso", n as u64, Some(hash))
    );

    // A checkpoint was signed and stored with every change.
    let stored: Vec<(i64, String)> = sqlx::query_as(
        "SELECT count, jws FROM ledger_checkpoints WHERE tenant_id = 'contoso' ORDER BY count",
    )
    .fetch_all(&sql)
    .await
    .unwrap();
    assert_eq!(stored.len() as i64, n);
    for (count, token) in stored {
        let (_, payload) = jws::verify(&token, &keys.body).unwrap();
        let point: Checkpoint = serde_json::from_slice(&payload).unwrap();
        assert_eq!(point.count as i64, count);
    }

    let reader = server.token("contoso", "reader").await;
    let read = server
        .get("/api/v1/tenants/contoso/ledger/checkpoint", &reader)
        .await;
    assert_eq!(read.status, reqwest::StatusCode::OK, "readers may read it");
    let other = server
        .get("/api/v1/tenants/fabrikam/ledger/checkpoint", &ada)
        .await;
    assert_eq!(other.status, reqwest::StatusCode::NOT_FOUND);
}

// Guards the signed receipt an auditor keeps on its own: the offline
// verifier accepts it, says whose receipt and which event it is, and
// refuses it, naming the line, after a one-byte change or with other keys.
#[tokio::test]
async fn a_signed_receipt_alone_is_checked_offline() {
    let server = with_history().await;
    let ada = server.token("contoso", "admin").await;
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history?limit=1", &ada)
        .await;
    let event = &history.body["events"][0];
    let receipt_id = event["receipt_id"].as_str().unwrap();
    let token = server
        .client
        .get(server.url(&format!("/api/v1/tenants/contoso/receipts/{receipt_id}")))
        .bearer_auth(&ada)
        .header("accept", "application/jose")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let jwks = files.path().join("jwks.json");
    let keys = server.get("/.well-known/jwks.json", "").await.body;
    std::fs::write(&jwks, keys.to_string()).unwrap();
    let receipt = files.path().join("receipt.jws");
    std::fs::write(&receipt, &token).unwrap();
    let (holds, said) = verify_file(&receipt, &jwks);
    assert!(holds, "{said}");
    let sql = server.sql().await;
    let hash: String = sqlx::query_scalar(
        "SELECT hash FROM ledger_chain WHERE tenant_id = 'contoso' ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert!(
        said.contains(&format!(
            "receipt {receipt_id} for tenant contoso, event hash {hash}, signed by development"
        )),
        "{said}"
    );

    // One byte of the signed content changed.
    let mut forged = token.clone().into_bytes();
    let at = token.find('.').unwrap() + 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&receipt, &forged).unwrap();
    let (holds, said) = verify_file(&receipt, &jwks);
    assert!(!holds && said.contains("line 1: bad signature"), "{said}");

    // Signed with a key the published ones do not include.
    std::fs::write(&receipt, &token).unwrap();
    let strangers = files.path().join("other-jwks.json");
    let other = consent_api::ledger::LedgerKeys::load(&key_file(files.path())).unwrap();
    std::fs::write(&strangers, other.jwks().to_string()).unwrap();
    let (holds, said) = verify_file(&receipt, &strangers);
    assert!(!holds && said.contains("line 1: unknown key"), "{said}");
}

/// Runs `consent-api ledger verify --in export --jwks keys` offline.
fn verify_file(export: &std::path::Path, jwks: &std::path::Path) -> (bool, String) {
    let output = Command::new(BINARY)
        .args(["ledger", "verify", "--in"])
        .arg(export)
        .arg("--jwks")
        .arg(jwks)
        .output()
        .expect("consent-api runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

// Guards the export an auditor takes away: from the route and from the
// command line alike, checked offline with only the published keys; and
// each way of doctoring the file named with its line.
#[tokio::test]
async fn an_export_is_checked_offline_and_each_change_to_it_named() {
    let server = with_history().await;
    let reader = server.token("contoso", "reader").await;
    let answer = server
        .client
        .get(server.url("/api/v1/tenants/contoso/ledger/export"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/x-ndjson");
    assert!(answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("ledger-contoso.jsonl"));
    let text = answer.text().await.unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let events = contoso_events(&server.sql().await).await.len();
    assert_eq!(
        lines.len(),
        events + 1,
        "one line per event, then the checkpoint"
    );

    let files = tempfile::tempdir().unwrap();
    let jwks = files.path().join("jwks.json");
    let keys = server.get("/.well-known/jwks.json", "").await.body;
    std::fs::write(&jwks, keys.to_string()).unwrap();
    let write = |name: &str, lines: &[String]| {
        let path = files.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let (holds, said) = verify_file(&write("export.jsonl", &lines), &jwks);
    assert!(holds, "{said}");
    assert!(
        said.contains(&format!("tenant contoso, {events} events")),
        "{said}"
    );

    // The command line writes the same kind of file, checked the same way.
    let cli = cli_export(&server, "contoso", &key_file(files.path()));
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli_lines: Vec<String> = String::from_utf8(cli.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(cli_lines.len(), lines.len());
    let cli_keys = files.path().join("cli-jwks.json");
    let own = consent_api::ledger::LedgerKeys::load(&key_file(files.path())).unwrap();
    std::fs::write(&cli_keys, own.jwks().to_string()).unwrap();
    let (holds, said) = verify_file(&write("cli.jsonl", &cli_lines), &cli_keys);
    assert!(holds, "{said}");
    let (holds, said) = verify_file(&write("cli-other-keys.jsonl", &cli_lines), &jwks);
    assert!(
        !holds && said.contains(&format!("line {}: unknown key", events + 1)),
        "{said}"
    );
    let unknown = cli_export(&server, "nobody", &key_file(files.path()));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no tenant \"nobody\""));

    // One byte of an event changed.
    let mut edited = lines.clone();
    edited[2] = edited[2].replacen("\"opted_in\"", "\"opted_ix\"", 1);
    assert_ne!(edited[2], lines[2]);
    let mut cases = vec![("edited", edited, "line 3: edited".to_owned())];
    let mut missing = lines.clone();
    missing.remove(3);
    cases.push(("missing", missing, "line 4: missing".to_owned()));
    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    cases.push(("swapped", swapped, "line 2: reordered".to_owned()));
    let mut doubled = lines.clone();
    doubled.insert(3, lines[2].clone());
    cases.push(("doubled", doubled, "line 4: inserted".to_owned()));
    let mut shortened = lines.clone();
    shortened.remove(events - 1);
    cases.push(("shortened", shortened, format!("line {events}: truncated")));
    let cut = lines[..events].to_vec();
    cases.push(("cut", cut, format!("line {events}: truncated")));
    // The receipt's signature changed by one character.
    let mut resigned = lines.clone();
    let mut line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let receipt = line["receipt"].as_str().unwrap().to_owned();
    // A character in the middle of the signature: every bit there counts.
    let at = receipt.rfind('.').unwrap() + 40;
    let swapped_char = if &receipt[at..=at] == "A" { "B" } else { "A" };
    line["receipt"] = serde_json::Value::String(format!(
        "{}{swapped_char}{}",
        &receipt[..at],
        &receipt[at + 1..]
    ));
    resigned[0] = line.to_string();
    cases.push(("resigned", resigned, "line 1: bad signature".to_owned()));
    for (name, doctored, expected) in cases {
        let (holds, said) = verify_file(&write(&format!("{name}.jsonl"), &doctored), &jwks);
        assert!(!holds, "{name}: {said}");
        assert!(
            said.contains(&expected),
            "{name}: expected {expected:?} in {said}"
        );
    }
}

/// Runs `consent-api ledger export --tenant` on the server's database.
fn cli_export(server: &TestServer, tenant: &str, key: &std::path::Path) -> std::process::Output {
    Command::new(BINARY)
        .args(["ledger", "export", "--tenant", tenant, "--database-url"])
        .arg(server.config.database_url())
        .arg("--ledger-key-file")
        .arg(key)
        .output()
        .expect("consent-api runs")
}

/// A ledger key file in `dir`, made once.
fn key_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("ledger-key.json");
    if !path.exists() {
        consent_api::ledger::LedgerKeys::generate(&path, chrono::Utc::now()).unwrap();
    }
    path
}

// Guards the document as of an instant: replayed from the history, the
// state each program had then, read-only; instants before the tenant
// existed, in the future or malformed are refused with the field named.
#[tokio::test]
async fn the_settings_as_of_an_instant_are_replayed_from_the_history() {
    let server = TestServer::start().await;
    let ada = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;
    let stamp =
        |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let as_of = |at: String, token: String| {
        let server = &server;
        async move {
            server
                .get(
                    &format!(
                        "/api/v1/tenants/contoso/data-sharing?at={}",
                        at.replace('+', "%2B")
                    ),
                    &token,
                )
                .await
        }
    };
    let before_any = stamp(server.clock.now());
    server.clock.advance(chrono::Duration::minutes(1));
    server.opt_in("contoso", "copilot", &ada).await;
    server.clock.advance(chrono::Duration::hours(1));
    let while_on = stamp(server.clock.now());
    server.clock.advance(chrono::Duration::hours(1));
    server.opt_out("contoso", "copilot", &ada).await;
    server.clock.advance(chrono::Duration::minutes(1));

    let then = as_of(while_on.clone(), reader.clone()).await;
    assert_eq!(then.status, reqwest::StatusCode::OK, "{}", then.body);
    let copilot = common::program_view(&then.body, "copilot");
    assert_eq!(copilot["enabled"], true, "{}", then.body);
    assert!(copilot["pending_deletion"].is_null());
    assert_eq!(
        then.body["can_edit"], false,
        "a past state cannot be edited"
    );
    assert_eq!(then.body["version"], 1, "one event recorded by then");
    assert_eq!(then.header("etag"), None);

    let start = as_of(before_any, ada.clone()).await;
    assert_eq!(
        common::program_view(&start.body, "copilot")["enabled"],
        false
    );
    assert_eq!(start.body["version"], 0);

    let now = as_of(stamp(server.clock.now()), ada.clone()).await;
    let copilot = common::program_view(&now.body, "copilot");
    assert_eq!(copilot["enabled"], false);
    assert!(
        copilot["pending_deletion"]["due_by"].is_string(),
        "{}",
        now.body
    );

    for (at, why) in [
        (
            stamp(server.clock.now() + chrono::Duration::hours(1)),
            "future",
        ),
        ("2000-01-01T00:00:00Z".to_owned(), "registered after"),
        ("yesterday".to_owned(), "RFC 3339"),
    ] {
        let refused = as_of(at, ada.clone()).await;
        assert_eq!(refused.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.problem_code(), "invalid_query");
        assert_eq!(refused.body["field"], "at");
        assert!(
            refused.body["detail"].as_str().unwrap().contains(why),
            "{}",
            refused.body
        );
    }
    let unknown = server
        .get("/api/v1/tenants/contoso/data-sharing?when=now", &ada)
        .await;
    assert_eq!(unknown.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.body["field"], "when");
}
