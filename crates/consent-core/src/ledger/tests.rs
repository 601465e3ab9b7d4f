use super::*;
use crate::Role;

fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A query string's pairs, and what it reads as (or the parameter refused).
type QueryCase = (
    &'static [(&'static str, &'static str)],
    Result<HistoryQuery, &'static str>,
);

// Guards the history query: defaults, the limit range, programs and cursors.
#[test]
fn history_queries_are_read_strictly() {
    let ok = |program, limit, cursor: Option<i64>| {
        Ok(HistoryQuery {
            program,
            limit,
            cursor: cursor.map(HistoryCursor),
        })
    };
    let cases: Vec<QueryCase> = vec![
        (&[], ok(None, 50, None)),
        (
            &[("program", ""), ("limit", ""), ("cursor", "")],
            ok(None, 50, None),
        ),
        (
            &[("program", "copilot")],
            ok(Some(ProgramId::Copilot), 50, None),
        ),
        (
            &[("program", "marketing"), ("limit", "200"), ("cursor", "17")],
            ok(Some(ProgramId::Marketing), 200, Some(17)),
        ),
        (&[("limit", "1")], ok(None, 1, None)),
        (&[("limit", "0")], Err("limit")),
        (&[("limit", "201")], Err("limit")),
        (&[("limit", "-1")], Err("limit")),
        (&[("limit", "+5")], Err("limit")),
        (&[("limit", "ten")], Err("limit")),
        (&[("limit", "99999999999999999999")], Err("limit")),
        (&[("program", "Copilot")], Err("program")),
        (&[("program", "crm")], Err("program")),
        (&[("cursor", "0")], Err("cursor")),
        (&[("cursor", "-3")], Err("cursor")),
        (&[("cursor", "abc")], Err("cursor")),
        (&[("cursor", "99999999999999999999")], Err("cursor")),
        (&[("limit", "5"), ("limit", "6")], Err("limit")),
        (&[("page", "2")], Err("page")),
    ];
    for (query, expected) in cases {
        let got = HistoryQuery::paged(&pairs(query)).map_err(|p| p.parameter);
        assert_eq!(got, expected.map_err(str::to_owned), "{query:?}");
    }
}

// Guards the download's query: every event, so paging parameters are refused.
#[test]
fn the_full_history_takes_only_a_program() {
    let all = HistoryQuery::full(&pairs(&[("program", "copilot")])).unwrap();
    assert_eq!(
        (all.program, all.limit, all.cursor),
        (Some(ProgramId::Copilot), u32::MAX, None)
    );
    for refused in ["limit", "cursor"] {
        let problem = HistoryQuery::full(&pairs(&[(refused, "1")])).unwrap_err();
        assert_eq!(problem.parameter, refused);
    }
}

// Guards the cursor round trip that paging relies on.
#[test]
fn cursors_round_trip() {
    for n in [1, 42, 999_999_999_999] {
        assert_eq!(
            HistoryCursor::parse(&HistoryCursor(n).encode()),
            Some(HistoryCursor(n))
        );
    }
    for bad in ["", "0", " 1", "1 ", "1e3", "0x10"] {
        assert_eq!(HistoryCursor::parse(bad), None, "{bad:?}");
    }
}

// Guards RFC 4180 quoting and the formula guard, value by value.
#[test]
fn csv_fields_are_quoted_when_needed() {
    let cases = [
        ("plain", "plain"),
        ("", ""),
        ("Ada, Admin", "\"Ada, Admin\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("carriage\rreturn", "\"carriage\rreturn\""),
        ("crlf\r\n", "\"crlf\r\n\""),
        ("\"", "\"\"\"\""),
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("=1,2", "\"'=1,2\""),
        ("caf\u{e9} \u{1F600}", "caf\u{e9} \u{1F600}"),
        ("semi;colon", "semi;colon"),
    ];
    for (value, written) in cases {
        assert_eq!(csv_field(value), written, "{value:?}");
    }
    assert_eq!(csv_record(&["a", "b,c", ""]), "a,\"b,c\",\r\n");
}

fn event(name: &str) -> ConsentEvent {
    let notice = NoticeRef {
        id: "copilot-data-sharing".into(),
        version: 2,
        sha256: "h".into(),
    };
    ConsentEvent {
        id: "e1".into(),
        at: "2026-11-21T09:30:00Z".parse().unwrap(),
        actor: Actor {
            id: "u1".into(),
            name: name.into(),
            roles: vec![Role::Admin, Role::Reader],
        },
        program: ProgramId::Marketing,
        action: ConsentAction::OptedIn,
        before: Some(ProgramState {
            enabled: false,
            contact_allowed: Some(false),
            accepted_notices: vec![],
            pending_deletion: None,
        }),
        after: Some(ProgramState {
            enabled: true,
            contact_allowed: Some(true),
            accepted_notices: vec![notice.clone()],
            pending_deletion: None,
        }),
        notices: vec![
            notice.clone(),
            NoticeRef {
                id: "marketing-nda".into(),
                version: 1,
                sha256: "h".into(),
            },
        ],
        receipt_id: "r1".into(),
        idempotency_key: None,
        detail: Default::default(),
    }
}

// Guards the download's layout: header row, CRLF line ends, one row per event.
#[test]
fn history_csv_has_a_header_and_one_row_per_event() {
    let mut copilot = event("Ada");
    copilot.program = ProgramId::Copilot;
    copilot.action = ConsentAction::DeletionCompleted;
    copilot.actor = Actor::consent_service();
    copilot.before = None;
    copilot.after = None;
    copilot.notices = vec![];
    copilot.idempotency_key = Some("key-1".into());
    let csv = history_csv(&[event("Ada \"The\" Admin,\nJr."), copilot]);
    let expected = concat!(
        "at,actor_id,actor_name,actor_roles,program,action,enabled_before,enabled_after,",
        "contact_before,contact_after,notices,receipt_id,idempotency_key\r\n",
        "2026-11-21T09:30:00Z,u1,\"Ada \"\"The\"\" Admin,\nJr.\",admin;reader,marketing,opted_in,false,true,",
        "false,true,copilot-data-sharing@2;marketing-nda@1,r1,\r\n",
        "2026-11-21T09:30:00Z,system,Consent service,,copilot,deletion_completed,,,,,,r1,key-1\r\n",
    );
    assert_eq!(csv, expected);
    assert_eq!(
        history_csv(&[]).matches("\r\n").count(),
        1,
        "an empty history is just the header"
    );
}

// Guards the event's wire shape that the app and auditors read.
#[test]
fn events_serialise_with_the_documented_fields() {
    let value = serde_json::to_value(event("Ada")).unwrap();
    // Sorted: key order is not part of JSON, and a build may keep insertion order.
    let mut keys: Vec<&String> = value.as_object().unwrap().keys().collect();
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
    assert_eq!(value["at"], "2026-11-21T09:30:00Z");
    assert_eq!(value["action"], "opted_in");
    assert_eq!(value["after"]["contact_allowed"], true);
    let back: ConsentEvent = serde_json::from_value(value).unwrap();
    assert_eq!(back, event("Ada"));
}
