use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

const STORES: &str = r#"{"stores": [
  {"id": "copilot-interactions", "name": "Copilot interactions", "program": "copilot",
   "categories": ["prompts and responses"], "deadline_days": 30, "client_id": "copilot-eraser"},
  {"id": "marketing-copies", "name": "Marketing data copies", "program": "marketing",
   "categories": ["marketing data"], "deadline_days": 30, "client_id": "marketing-eraser"},
  {"id": "schema-copies", "name": "Schema copies", "program": "marketing",
   "categories": ["table and column names"], "deadline_months": 12, "client_id": "schema-eraser"}
]}"#;

// Guards the dates a store owes: days and calendar months from the
// opt-out, leap days and month ends included.
#[test]
fn due_dates_follow_each_stores_rule() {
    let cases = [
        (
            DeadlineRule::Days(30),
            "2026-11-21T09:30:00Z",
            "2026-12-21T09:30:00Z",
        ),
        (
            DeadlineRule::Days(30),
            "2024-02-10T23:59:59Z",
            "2024-03-11T23:59:59Z",
        ),
        (
            DeadlineRule::Months(12),
            "2026-11-21T09:30:00Z",
            "2027-11-21T09:30:00Z",
        ),
        (
            DeadlineRule::Months(12),
            "2024-02-29T08:00:00Z",
            "2025-02-28T08:00:00Z",
        ),
        (
            DeadlineRule::Months(1),
            "2026-01-31T00:00:00Z",
            "2026-02-28T00:00:00Z",
        ),
    ];
    for (rule, out, due) in cases {
        assert_eq!(rule.due_by(at(out)), at(due), "{rule:?} from {out}");
    }
}

// Guards the one rule of status: done only when attested, overdue from
// the due instant on, open before.
#[test]
fn an_obligation_is_done_only_when_attested() {
    let due = at("2026-12-21T09:30:00Z");
    assert_eq!(
        ObligationStatus::of(due, false, at("2026-12-21T09:29:59Z")),
        ObligationStatus::Open
    );
    assert_eq!(
        ObligationStatus::of(due, false, due),
        ObligationStatus::Overdue
    );
    assert_eq!(
        ObligationStatus::of(due, true, at("2027-01-01T00:00:00Z")),
        ObligationStatus::Done
    );
    assert_eq!(
        ObligationStatus::of(due, true, at("2026-11-22T00:00:00Z")),
        ObligationStatus::Done
    );
    for status in [
        ObligationStatus::Open,
        ObligationStatus::Overdue,
        ObligationStatus::Done,
    ] {
        assert_eq!(ObligationStatus::parse(status.as_str()), Some(status));
        assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
    }
    assert_eq!(ObligationStatus::parse("pending"), None);
}

// Guards the configuration: read as written, each store under its program.
#[test]
fn the_stores_file_is_read() {
    let catalog = StoreCatalog::parse(STORES).unwrap();
    let marketing: Vec<&str> = catalog
        .for_program(ProgramId::Marketing)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(marketing, ["marketing-copies", "schema-copies"]);
    let schema = catalog.get("schema-copies").unwrap();
    assert_eq!(schema.deadline, DeadlineRule::Months(12));
    assert_eq!(schema.client_id, "schema-eraser");
    assert!(catalog.get("nothing").is_none());
}

// Guards the start-up check: each mistake names its field and says why.
#[test]
fn each_mistake_in_the_stores_file_names_its_field() {
    let with = |from: &str, to: &str| STORES.replacen(from, to, 1);
    let cases = [
        (
            with(r#""copilot-interactions""#, r#""Copilot Interactions""#),
            "stores[0].id",
        ),
        (
            with(r#""marketing-copies""#, r#""copilot-interactions""#),
            "stores[1].id",
        ),
        (with(r#""Schema copies""#, r#""  ""#), "stores[2].name"),
        (
            with(r#""program": "copilot""#, r#""program": "sales""#),
            "stores[0].program",
        ),
        (with(r#"["marketing data"]"#, "[]"), "stores[1].categories"),
        (
            with(
                r#""deadline_days": 30, "client_id": "copilot-eraser""#,
                r#""client_id": "copilot-eraser""#,
            ),
            "stores[0].deadline_days",
        ),
        (
            with(
                r#""deadline_months": 12"#,
                r#""deadline_months": 12, "deadline_days": 1"#,
            ),
            "stores[2].deadline_days",
        ),
        (
            with(r#""deadline_months": 12"#, r#""deadline_months": 0"#),
            "stores[2].deadline_months",
        ),
        (
            with(r#""client_id": "schema-eraser""#, r#""client_id": """#),
            "stores[2].client_id",
        ),
        (
            with(
                r#""client_id": "schema-eraser""#,
                r#""client_id": "x", "owner": "y""#,
            ),
            "stores",
        ),
        (
            with(r#""program": "copilot""#, r#""program": "marketing""#),
            "stores",
        ),
        ("[]".to_owned(), "stores"),
    ];
    for (text, field) in cases {
        let problem = StoreCatalog::parse(&text).expect_err(field);
        assert_eq!(problem.field, field, "{problem}");
        assert!(!problem.why.is_empty());
    }
}

// Guards what an attestation may claim: a finish between the opt-out and
// now, and a method and evidence in plain words.
#[test]
fn attestations_must_be_possible() {
    let out = at("2026-11-21T09:30:00Z");
    let now = at("2026-12-01T00:00:00Z");
    let good = AttestationRequest {
        completed_at: at("2026-11-30T00:00:00Z"),
        items_deleted: 1200,
        method: "crypto-shredding".to_owned(),
        evidence_ref: "JOB-42".to_owned(),
    };
    assert_eq!(good.check(out, now), Ok(()));
    let mut cases = Vec::new();
    cases.push((
        AttestationRequest {
            completed_at: at("2026-12-02T00:00:00Z"),
            ..good.clone()
        },
        "completed_at",
    ));
    cases.push((
        AttestationRequest {
            completed_at: at("2026-11-21T09:29:59Z"),
            ..good.clone()
        },
        "completed_at",
    ));
    cases.push((
        AttestationRequest {
            method: " ".to_owned(),
            ..good.clone()
        },
        "method",
    ));
    cases.push((
        AttestationRequest {
            method: "x".repeat(201),
            ..good.clone()
        },
        "method",
    ));
    cases.push((
        AttestationRequest {
            evidence_ref: "a\nb".to_owned(),
            ..good.clone()
        },
        "evidence_ref",
    ));
    for (request, field) in cases {
        assert_eq!(request.check(out, now).map_err(|(f, _)| f), Err(field));
    }
}
