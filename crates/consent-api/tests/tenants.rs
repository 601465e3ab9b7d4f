//! Tenant provisioning: registered by a service with consent.tenants.write
//! (and by the operator's CSV import), never by a person's token; a move out
//! of the United States is recorded and turns Copilot off at once.

mod common;

use common::oidc::OidcProvider;
use common::{program_view, TestServer, BINARY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn put(server: &TestServer, token: &str, id: &str, body: Value) -> common::Answer {
    let auth = format!("Bearer {token}");
    server
        .call(
            Method::PUT,
            &format!("/api/v1/tenants/{id}"),
            &[("authorization", auth.as_str())],
            Some(body),
        )
        .await
}

// Guards registration: 201 then 200, idempotent, readable and listed in
// pages; and that only a service with the scope may do it.
#[tokio::test]
async fn a_service_registers_renames_and_lists_tenants() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let provisioner = provider
        .client_token("provisioner", "consent.tenants.write")
        .await;

    let created = put(
        &server,
        &provisioner,
        "northwind",
        json!({"name": "Northwind", "region": "eu"}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        (
            created.body["region"].as_str(),
            created.body["version"].as_i64()
        ),
        (Some("EU"), Some(0))
    );
    let again = put(
        &server,
        &provisioner,
        "northwind",
        json!({"name": "Northwind", "region": "EU"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.body["version"], 0,
        "the same registration changes nothing"
    );
    let renamed = put(
        &server,
        &provisioner,
        "northwind",
        json!({"name": "Northwind Traders", "region": "EU"}),
    )
    .await;
    assert_eq!(
        (renamed.status, renamed.body["name"].as_str()),
        (StatusCode::OK, Some("Northwind Traders"))
    );
    assert_eq!(
        server.event_count("northwind").await,
        0,
        "a rename is not a consent event"
    );

    let read = server.get("/api/v1/tenants/northwind", &provisioner).await;
    assert_eq!(read.body["name"], "Northwind Traders");
    assert_eq!(
        server
            .get("/api/v1/tenants/nobody", &provisioner)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Pages in id order, each cursor leading to the next.
    for id in ["acme", "zeta"] {
        put(
            &server,
            &provisioner,
            id,
            json!({"name": id, "region": "US"}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/tenants?limit=2".to_owned();
    loop {
        let page = server.get(&path, &provisioner).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(
            page.body["tenants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tenants?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["acme", "contoso", "fabrikam", "northwind", "zeta"]);

    // Bad input: a clear problem naming the field, nothing stored.
    let bad = [
        (
            "n%2Fw",
            json!({"name": "x", "region": "US"}),
            "invalid_tenant",
            "id",
        ),
        (
            "ok",
            json!({"name": "", "region": "US"}),
            "invalid_tenant",
            "name",
        ),
        (
            "ok",
            json!({"name": "   ", "region": "US"}),
            "invalid_tenant",
            "name",
        ),
        (
            "ok",
            json!({"name": "a\u{0}b", "region": "US"}),
            "invalid_tenant",
            "name",
        ),
        (
            "ok",
            json!({"name": "x", "region": "U S"}),
            "invalid_tenant",
            "region",
        ),
        ("ok", json!({"name": "x"}), "invalid_body", "region"),
        (
            "ok",
            json!({"name": "x", "region": "US", "owner": "me"}),
            "invalid_body",
            "owner",
        ),
    ];
    for (id, body, code, field) in bad {
        let answer = put(&server, &provisioner, id, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert_eq!(
            (answer.problem_code(), answer.body["field"].as_str()),
            (code, Some(field)),
            "{body}"
        );
    }
    for query in [
        "?limit=0",
        "?limit=x",
        "?cursor=%%%",
        "?cursor=",
        "?page=2",
        "?limit=1&limit=2",
    ] {
        let answer = server
            .get(&format!("/api/v1/tenants{query}"), &provisioner)
            .await;
        assert_eq!(answer.problem_code(), "invalid_query", "{query}");
    }
    assert_eq!(
        server.get("/api/v1/tenants/ok", &provisioner).await.status,
        StatusCode::NOT_FOUND
    );

    // The wrong kind of caller, or the wrong scope: 403 insufficient_scope.
    let admin = server.token("contoso", "admin").await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    for token in [&admin, &pipeline] {
        let answer = put(
            &server,
            token,
            "intruder",
            json!({"name": "x", "region": "US"}),
        )
        .await;
        assert_eq!(
            (answer.status, answer.problem_code()),
            (StatusCode::FORBIDDEN, "insufficient_scope")
        );
        let listed = server.get("/api/v1/tenants", token).await;
        assert_eq!(listed.problem_code(), "insufficient_scope");
    }
    assert_eq!(
        server.get("/api/v1/tenants", "not-a-token").await.status,
        StatusCode::UNAUTHORIZED
    );
}

// Guards the region rule: leaving the US with Copilot on records the move
// and turns Copilot off (deletion clock started) in one transaction, named
// after the service; the admin sees it in the document and the history.
#[tokio::test]
async fn leaving_the_us_turns_copilot_off_and_is_recorded() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let provisioner = provider
        .client_token("provisioner", "consent.tenants.write")
        .await;
    put(
        &server,
        &provisioner,
        "litware",
        json!({"name": "Litware", "region": "US"}),
    )
    .await;
    let ada = provider
        .user_token(
            "RS256",
            json!({"sub": "u-ada", "name": "Ada", "tenant": "litware", "roles": ["admin"]}),
        )
        .await;
    assert_eq!(
        server.opt_in("litware", "copilot", &ada).await.status,
        StatusCode::OK
    );
    assert_eq!(
        server.opt_in("litware", "marketing", &ada).await.status,
        StatusCode::OK
    );

    let moved = put(
        &server,
        &provisioner,
        "litware",
        json!({"name": "Litware", "region": "EU"}),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let (document, _) = server.document("litware", &ada).await;
    let copilot = program_view(&document, "copilot");
    assert_eq!(
        (copilot["enabled"].as_bool(), copilot["eligible"].as_bool()),
        (Some(false), Some(false))
    );
    assert!(
        copilot["pending_deletion"]["due_by"].is_string(),
        "{copilot}"
    );
    assert_eq!(copilot["updated_by"]["id"], "provisioner");
    assert_eq!(
        program_view(&document, "marketing")["enabled"],
        true,
        "Marketing is offered everywhere"
    );

    let history = server
        .get("/api/v1/tenants/litware/data-sharing/history", &ada)
        .await;
    let events = history.body["events"].as_array().unwrap();
    let opted_out = &events[0];
    assert_eq!(
        (opted_out["action"].as_str(), opted_out["reason"].as_str()),
        (Some("opted_out"), Some("region_ineligible"))
    );
    assert_eq!(opted_out["actor"]["id"], "provisioner");
    let region = &events[1];
    assert_eq!(region["action"], "region_changed");
    assert_eq!(region["region"], json!({"before": "US", "after": "EU"}));
    let receipt = server
        .get(
            &format!(
                "/api/v1/tenants/litware/receipts/{}",
                opted_out["receipt_id"].as_str().unwrap()
            ),
            &ada,
        )
        .await;
    assert_eq!(
        receipt.status,
        StatusCode::OK,
        "the automatic opt-out has its receipt"
    );
    // The region rule's opt-out owes Copilot's deletion like an admin's does.
    let owed = server.get("/api/v1/tenants/litware/deletions", &ada).await;
    assert_eq!(owed.status, StatusCode::OK, "{}", owed.body);
    let opt_out = &owed.body["opt_outs"][0];
    assert_eq!(opt_out["event_id"], opted_out["id"]);
    assert_eq!(opt_out["program"], "copilot");
    let stores: Vec<&str> = opt_out["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["store"].as_str().unwrap())
        .collect();
    assert_eq!(stores, ["copilot-interactions"]);
    let at = common::at(opted_out["at"].as_str().unwrap());
    assert_eq!(
        common::at(opt_out["obligations"][0]["due_by"].as_str().unwrap()),
        at + chrono::Duration::days(30)
    );

    // Moving back changes the region only: Copilot stays off until an admin opts in.
    put(
        &server,
        &provisioner,
        "litware",
        json!({"name": "Litware", "region": "US"}),
    )
    .await;
    let (document, _) = server.document("litware", &ada).await;
    assert_eq!(program_view(&document, "copilot")["enabled"], false);
    assert_eq!(server.event_count("litware").await, 5);
}

// Guards the operator's import: one transaction, a bad line named and
// nothing stored, a good file registered and listed.
#[tokio::test]
async fn the_operator_imports_and_lists_tenants() {
    let database = common::TestDatabase::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(BINARY)
            .args(["tenants"])
            .args(args)
            .args(["--database-url", &database.url])
            .arg("--content-dir")
            .arg(common::fixture_content())
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let bad = write(
        "bad.csv",
        "id,name,region\ncontoso,\"Contoso, Ltd\",US\nfabrikam,Fabrikam,E-U\n",
    );
    let (ok, _, stderr) = run(&["import", "--file", &bad]);
    assert!(!ok);
    assert!(
        stderr.contains("line 3")
            && stderr.contains("region")
            && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    let duplicate = write("dup.csv", "id,name,region\na,A,US\nb,B,US\na,A2,EU\n");
    let (_, _, stderr) = run(&["import", "--file", &duplicate]);
    assert!(
        stderr.contains("line 4") && stderr.contains("line 2"),
        "{stderr}"
    );
    let header = write("header.csv", "tenant,name,region\na,A,US\n");
    let (_, _, stderr) = run(&["import", "--file", &header]);
    assert!(
        stderr.contains("line 1") && stderr.contains("id,name,region"),
        "{stderr}"
    );
    let (ok, listed, _) = run_list(&database.url);
    assert!(ok);
    assert_eq!(listed.lines().count(), 1, "nothing was stored: {listed}");

    let good = write(
        "good.csv",
        "id,name,region\r\ncontoso,\"Contoso, Ltd\",US\r\nfabrikam,\"Fabrikam \"\"EU\"\"\",eu\r\n",
    );
    let (ok, stdout, stderr) = run(&["import", "--file", &good]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("2 created"), "{stdout}");
    let (_, stdout, _) = run(&["import", "--file", &good]);
    assert!(stdout.contains("2 unchanged"), "{stdout}");
    let (_, listed, _) = run_list(&database.url);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "id,name,region,created_at");
    assert!(
        lines[1].starts_with("contoso,\"Contoso, Ltd\",US,"),
        "{listed}"
    );
    assert!(
        lines[2].starts_with("fabrikam,\"Fabrikam \"\"EU\"\"\",EU,"),
        "{listed}"
    );
}

fn run_list(database_url: &str) -> (bool, String, String) {
    let output = std::process::Command::new(BINARY)
        .args(["tenants", "list", "--database-url", database_url])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
