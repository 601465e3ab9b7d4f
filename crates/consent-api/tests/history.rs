//! The consent history: pages, filters, the CSV download, and append-only storage.

mod common;

use common::{admin_claims, sign, TestServer, DEV_KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const HISTORY: &str = "/api/v1/tenants/contoso/data-sharing/history";
const HISTORY_CSV: &str = "/api/v1/tenants/contoso/data-sharing/history.csv";

/// Opts marketing in, then flips its contact preference `flips` times:
/// 1 + `flips` events, the newest last. Returns the last ETag.
async fn marketing_events(server: &TestServer, admin: &str, flips: usize) -> String {
    let on = server.opt_in("contoso", "marketing", admin).await;
    let mut etag = on.header("etag").unwrap().to_owned();
    for i in 0..flips {
        let answer = server
            .change(
                "contoso",
                "marketing",
                admin,
                Some(&etag),
                json!({"enabled": true, "contact_allowed": i % 2 == 1}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        etag = answer.header("etag").unwrap().to_owned();
    }
    etag
}

fn ids(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

// Guards paging: newest first, pages that join up without gaps or repeats,
// and pages that stay the same while new events are recorded.
#[tokio::test]
async fn pages_are_newest_first_and_stable_under_new_events() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let etag = marketing_events(&server, &admin, 6).await;

    let all = server.get(&format!("{HISTORY}?limit=200"), &admin).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let everything = ids(&all.body);
    assert_eq!(everything.len(), 7);
    let actions: Vec<&str> = all.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.last(), Some(&"opted_in"), "the oldest comes last");
    assert!(actions[..6].iter().all(|a| *a == "contact_changed"));

    let first = server.get(&format!("{HISTORY}?limit=3"), &admin).await;
    assert_eq!(ids(&first.body), everything[..3]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();

    // A new event between two page requests does not shift the next page.
    let answer = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&etag),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);

    let second = server
        .get(&format!("{HISTORY}?limit=3&cursor={cursor}"), &admin)
        .await;
    assert_eq!(ids(&second.body), everything[3..6]);
    let cursor = second.body["next_cursor"].as_str().unwrap().to_owned();
    let last = server
        .get(&format!("{HISTORY}?limit=3&cursor={cursor}"), &admin)
        .await;
    assert_eq!(ids(&last.body), everything[6..]);
    assert_eq!(last.body["next_cursor"], Value::Null);

    let newest = server.get(&format!("{HISTORY}?limit=1"), &admin).await;
    assert_eq!(newest.body["events"][0]["action"], "opted_out");
    let default = server.get(HISTORY, &admin).await;
    assert_eq!(
        ids(&default.body).len(),
        8,
        "the default page holds up to 50"
    );
}

// Guards the event's fields as the contract lists them.
#[tokio::test]
async fn events_carry_actor_states_notices_receipt_and_key() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let auth = format!("Bearer {admin}");
    let answer = server
        .call(
            Method::PUT,
            "/api/v1/tenants/contoso/data-sharing/copilot",
            &[
                ("authorization", &auth),
                ("if-match", "\"0\""),
                ("idempotency-key", "first-try"),
            ],
            Some(json!({"enabled": true, "accept_notices": notices})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let page = server.get(HISTORY, &admin).await;
    let event = &page.body["events"][0];
    // Sorted: key order is not part of JSON, and a build may keep insertion order.
    let mut keys: Vec<&String> = event.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "action",
            "actor",
            "after",
            "at",
            "before",
            "id",
            "idempotency_key",
            "notices",
            "program",
            "receipt_id"
        ]
    );
    assert_eq!(
        event["actor"],
        json!({"id": "contoso-admin", "name": "Ada Admin", "roles": ["admin"]})
    );
    assert_eq!(event["program"], "copilot");
    assert_eq!(event["action"], "opted_in");
    assert_eq!(event["at"], common::START);
    assert_eq!(
        event["before"],
        json!({"enabled": false, "accepted_notices": []})
    );
    assert_eq!(
        event["after"],
        json!({"enabled": true, "accepted_notices": notices})
    );
    assert_eq!(event["notices"], notices);
    assert_eq!(event["idempotency_key"], "first-try");
    assert!(event["receipt_id"].is_string());
}

// Guards the filter and the readers' access, and that each tenant sees only its own history.
#[tokio::test]
async fn readers_read_and_programs_filter() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;
    marketing_events(&server, &admin, 1).await;
    server.opt_in("contoso", "copilot", &admin).await;

    for (query, count) in [("", 3), ("?program=copilot", 1), ("?program=marketing", 2)] {
        let page = server.get(&format!("{HISTORY}{query}"), &reader).await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
        assert_eq!(
            page.body["events"].as_array().unwrap().len(),
            count,
            "{query}"
        );
    }
    let fabrikam = server.token("fabrikam", "reader").await;
    let theirs = server
        .get("/api/v1/tenants/fabrikam/data-sharing/history", &fabrikam)
        .await;
    assert_eq!(theirs.body, json!({"events": [], "next_cursor": null}));
}

// Guards query errors: each bad parameter is 422 invalid_query naming it.
#[tokio::test]
async fn bad_query_parameters_are_invalid_query() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let cases = [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=abc", "limit"),
        ("?limit=-5", "limit"),
        ("?limit=1e2", "limit"),
        ("?cursor=xyz", "cursor"),
        ("?cursor=0", "cursor"),
        ("?cursor=99999999999999999999999", "cursor"),
        ("?program=crm", "program"),
        ("?program=COPILOT", "program"),
        ("?limit=5&limit=6", "limit"),
        ("?sort=asc", "sort"),
        ("?limit=%FF", "limit"),
    ];
    for (query, field) in cases {
        for path in [HISTORY.to_owned(), format!("{HISTORY}.csv")] {
            if path.ends_with(".csv") && field == "sort" {
                continue;
            }
            let answer = server.get(&format!("{path}{query}"), &admin).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}{query}: {}",
                answer.body
            );
            assert_eq!(answer.problem_code(), "invalid_query", "{path}{query}");
            assert_eq!(answer.body["field"], field, "{path}{query}");
        }
    }
}

// Guards that a parameter given with an empty value is refused naming it,
// on both routes, rather than read as absent (which would widen the answer).
#[tokio::test]
async fn empty_query_values_are_invalid_query() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    marketing_events(&server, &admin, 0).await;
    // (route, query, the parameter named; None: answered 200)
    let cases = [
        (HISTORY, "?program=", Some("program")),
        (HISTORY, "?limit=", Some("limit")),
        (HISTORY, "?cursor=", Some("cursor")),
        (HISTORY, "?program=copilot&cursor=", Some("cursor")),
        (HISTORY, "?limit=0&cursor=", Some("limit")),
        (HISTORY, "?program=&program=copilot", Some("program")),
        (HISTORY, "?program=copilot&limit=1", None),
        (HISTORY_CSV, "?program=", Some("program")),
        (HISTORY_CSV, "?program=marketing", None),
        (HISTORY_CSV, "", None),
        // An unknown parameter is reported as unknown, empty or not.
        (HISTORY_CSV, "?limit=", Some("limit")),
        (HISTORY, "?page=", Some("page")),
    ];
    for (route, query, field) in cases {
        let answer = server.get(&format!("{route}{query}"), &admin).await;
        match field {
            Some(field) => {
                assert_eq!(
                    answer.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{route}{query}: {}",
                    answer.body
                );
                assert_eq!(answer.problem_code(), "invalid_query", "{route}{query}");
                assert_eq!(answer.body["field"], field, "{route}{query}");
            }
            None => assert_eq!(answer.status, StatusCode::OK, "{route}{query}"),
        }
    }
}

// Guards the auditors' download: RFC 4180 with CRLF line ends, a header
// row, quoting of commas, quotes and newlines, and a file name.
#[tokio::test]
async fn the_csv_download_quotes_what_needs_quoting() {
    let server = TestServer::start().await;
    let mut claims = admin_claims(3600);
    claims.name = "O'Brien, \"Ada\"\nAdmin".into();
    let admin = sign(DEV_KEY, &claims);
    marketing_events(&server, &admin, 1).await;

    let response = server
        .client
        .get(server.url("/api/v1/tenants/contoso/data-sharing/history.csv"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        header("content-disposition").as_deref(),
        Some("attachment; filename=\"contoso-consent-history.csv\"")
    );
    let csv = response.text().await.unwrap();
    let mut rows = csv.split("\r\n");
    assert_eq!(
        rows.next(),
        Some("at,actor_id,actor_name,actor_roles,program,action,enabled_before,enabled_after,contact_before,contact_after,notices,receipt_id,idempotency_key")
    );
    assert!(csv.ends_with("\r\n"));
    assert_eq!(
        csv.matches("\r\n").count(),
        3,
        "header and two events: {csv:?}"
    );
    let newest = rows.next().unwrap();
    assert!(
        newest.starts_with("2026-11-21T09:30:00Z,contoso-admin,\"O'Brien, \"\"Ada\"\"\nAdmin\",admin,marketing,contact_changed,true,true,true,false,"),
        "{newest:?}"
    );
    assert!(
        newest.contains(",marketing-human-review@1;marketing-nda@1,"),
        "{newest:?}"
    );

    let copilot_only = server
        .get_text(
            "/api/v1/tenants/contoso/data-sharing/history.csv?program=copilot",
            &admin,
        )
        .await;
    assert_eq!(
        copilot_only.matches("\r\n").count(),
        1,
        "only the header: {copilot_only:?}"
    );
}

// Guards the append-only history: the database itself refuses to change or
// remove an event or a receipt, and no statement of the server tries to.
#[tokio::test]
async fn events_and_receipts_cannot_be_changed_or_removed() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    marketing_events(&server, &admin, 0).await;
    let db = server.sql().await;
    for statement in [
        "UPDATE consent_events SET actor = '{}'",
        "DELETE FROM consent_events",
        "UPDATE consent_receipts SET body = '{}'",
        "DELETE FROM consent_receipts",
    ] {
        let error = sqlx::query(statement)
            .execute(&db)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    assert_eq!(server.event_count("contoso").await, 1);

    let mut sources = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(path) = sources.pop() {
        if path.is_dir() {
            sources.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap().to_ascii_uppercase();
        for forbidden in [
            "UPDATE CONSENT_EVENTS",
            "DELETE FROM CONSENT_EVENTS",
            "UPDATE CONSENT_RECEIPTS",
            "DELETE FROM CONSENT_RECEIPTS",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} contains {forbidden}",
                path.display()
            );
        }
    }
}
