use super::*;
use crate::{pending_deletion, NoticeRef, Region, Role};

const AT: &str = "2026-11-21T09:30:00Z";

fn tenant(region: &str) -> Tenant {
    Tenant {
        id: "contoso".into(),
        name: "Contoso".into(),
        region: Region::new(region),
    }
}

fn admin() -> Actor {
    Actor {
        id: "u1".into(),
        name: "Ada Admin".into(),
        roles: vec![Role::Admin],
    }
}

fn notice(id: &str) -> ReceiptNotice {
    ReceiptNotice {
        id: id.into(),
        version: 2,
        sha256: "h".into(),
        language: "en".into(),
        title: format!("{id} title"),
    }
}

/// The stored record after `action` on `program`.
fn after(program: ProgramId, action: ConsentAction) -> ProgramRecord {
    let mut record = ProgramRecord::initial(program);
    record.accepted_notices = vec![NoticeRef {
        id: "n".into(),
        version: 2,
        sha256: "h".into(),
    }];
    match action {
        ConsentAction::OptedIn | ConsentAction::ContactChanged => record.enabled = true,
        ConsentAction::OptedOut => {
            record.pending_deletion = Some(pending_deletion(program, AT.parse().unwrap()))
        }
        ConsentAction::NoticesAccepted
        | ConsentAction::DeletionCompleted
        | ConsentAction::RegionChanged
        | ConsentAction::DeletionAttested
        | ConsentAction::DeletionOverdue => {}
    }
    if program.has_contact_preference() {
        record.contact_allowed = Some(record.enabled);
    }
    record
}

// Guards the event type and state recorded for each program and action.
#[test]
fn event_types_and_states_per_action() {
    use ConsentAction::*;
    let cases = [
        (OptedIn, ReceiptEventType::Given, ConsentStatus::Given),
        (
            OptedOut,
            ReceiptEventType::Withdrawn,
            ConsentStatus::Withdrawn,
        ),
        (
            ContactChanged,
            ReceiptEventType::Modified,
            ConsentStatus::Given,
        ),
        (
            NoticesAccepted,
            ReceiptEventType::Modified,
            ConsentStatus::NotGiven,
        ),
        (
            DeletionCompleted,
            ReceiptEventType::Expired,
            ConsentStatus::Expired,
        ),
        // A store's attestation, or its lateness, changes no consent.
        (
            DeletionAttested,
            ReceiptEventType::Modified,
            ConsentStatus::NotGiven,
        ),
        (
            DeletionOverdue,
            ReceiptEventType::Modified,
            ConsentStatus::NotGiven,
        ),
    ];
    for program in ProgramId::ALL {
        for (action, kind, status) in cases {
            let record = after(program, action);
            let actor = if matches!(action, DeletionCompleted | DeletionOverdue) {
                Actor::consent_service()
            } else {
                admin()
            };
            let receipt = consent_receipt(ReceiptInput {
                receipt_id: "r1",
                event_id: "e1",
                tenant: &tenant("US"),
                actor: &actor,
                action,
                at: AT.parse().unwrap(),
                after: &record,
                notices: vec![notice("n")],
            });
            let case = format!("{program} {}", action.as_str());
            assert_eq!(receipt.event.kind, kind, "{case}");
            assert_eq!(receipt.event.action, action, "{case}");
            assert_eq!(receipt.state_after.status, status, "{case}");
            assert_eq!(receipt.state_after.enabled, record.enabled, "{case}");
            assert_eq!(
                receipt.state_after.contact_allowed, record.contact_allowed,
                "{case}"
            );
            assert_eq!(
                receipt.state_after.pending_deletion, record.pending_deletion,
                "{case}"
            );
            assert_eq!(receipt.record_id, format!("contoso/{program}"), "{case}");
            assert_eq!(
                (receipt.receipt_id.as_str(), receipt.event_id.as_str()),
                ("r1", "e1")
            );
            assert_eq!(receipt.actor, actor, "{case}");
            assert_eq!(receipt.schema_version, RECEIPT_SCHEMA_VERSION);
        }
    }
    // Accepting newer notices while on renews the consent.
    assert_eq!(
        receipt_event_type(NoticesAccepted, true),
        ReceiptEventType::Renewed
    );
}

// Guards the program facts a receipt carries: categories, storage, retention, jurisdiction.
#[test]
fn receipts_carry_each_programs_facts() {
    let cases = [
        (
            ProgramId::Copilot,
            "US",
            &["prompts", "outputs", "telemetry"][..],
            &["The tenant's geography (US)"][..],
            &["P30D", "P30D", "P30D"][..],
        ),
        (
            ProgramId::Marketing,
            "EU",
            &["marketing_data", "query_data", "data_schema"][..],
            &["The tenant's geography (EU)", "United States"][..],
            &["P30D", "P30D", "P12M"][..],
        ),
    ];
    for (program, region, categories, locations, periods) in cases {
        let record = after(program, ConsentAction::OptedIn);
        let receipt = consent_receipt(ReceiptInput {
            receipt_id: "r",
            event_id: "e",
            tenant: &tenant(region),
            actor: &admin(),
            action: ConsentAction::OptedIn,
            at: AT.parse().unwrap(),
            after: &record,
            notices: vec![notice("a"), notice("b")],
        });
        let ids: Vec<&str> = receipt
            .data_categories
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, categories, "{program}");
        assert_eq!(receipt.storage_locations, locations, "{program}");
        let got: Vec<&str> = receipt
            .retention
            .iter()
            .map(|r| r.period.as_str())
            .collect();
        assert_eq!(got, periods, "{program}");
        assert_eq!(receipt.jurisdiction, region);
        assert_eq!(receipt.principal, tenant(region));
        assert_eq!(receipt.notices, [notice("a"), notice("b")]);
        assert_eq!(
            receipt.program_title,
            crate::facts::program_facts(program).title
        );
        assert!(!receipt.purposes.is_empty() && !receipt.recipients.is_empty());
        assert!(receipt.withdrawal_method.contains("30 days"));
    }
}

// Guards the receipt's wire names (ISO/IEC TS 27560 fields) and its round trip.
#[test]
fn receipts_serialise_with_the_documented_fields() {
    let record = after(ProgramId::Copilot, ConsentAction::OptedOut);
    let receipt = consent_receipt(ReceiptInput {
        receipt_id: "r",
        event_id: "e",
        tenant: &tenant("US"),
        actor: &admin(),
        action: ConsentAction::OptedOut,
        at: AT.parse().unwrap(),
        after: &record,
        notices: vec![notice("copilot-data-sharing")],
    });
    let value = serde_json::to_value(&receipt).unwrap();
    // Sorted: key order is not part of JSON, and a build may keep insertion order.
    let mut keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "actor",
            "data_categories",
            "event",
            "event_id",
            "issued_at",
            "jurisdiction",
            "notices",
            "principal",
            "program",
            "program_title",
            "purposes",
            "receipt_id",
            "recipients",
            "record_id",
            "retention",
            "schema_version",
            "state_after",
            "storage_locations",
            "withdrawal_method"
        ]
    );
    assert_eq!(
        value["event"],
        serde_json::json!({"type": "withdrawn", "action": "opted_out", "time": AT})
    );
    assert_eq!(value["state_after"]["status"], "withdrawn");
    assert_eq!(
        value["state_after"]["pending_deletion"]["due_by"],
        "2026-12-21T09:30:00Z"
    );
    assert_eq!(
        serde_json::from_value::<ConsentReceipt>(value).unwrap(),
        receipt
    );
}
