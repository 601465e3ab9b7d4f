use serde_json::json;

use super::*;

fn chain(tenant: &str, events: usize) -> Vec<ChainLink> {
    let mut head = ChainHead::default();
    let mut links = Vec::new();
    for i in 0..events {
        let link = ChainLink::after(
            &head,
            tenant,
            CanonicalEvent::new(json!({"id": format!("e{i}"), "action": "opted_in"})),
        );
        head = ChainHead {
            count: link.n,
            hash: Some(link.hash.clone()),
        };
        links.push(link);
    }
    links
}

/// `links` with each event changed by `change`, the whole chain hashed anew.
fn rehashed_with(
    links: &[ChainLink],
    change: impl Fn(usize, &mut serde_json::Value),
) -> Vec<ChainLink> {
    let mut head = ChainHead::default();
    links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut event = l.event.clone();
            change(i, &mut event);
            let link = ChainLink::after(&head, "t", CanonicalEvent::new(event));
            head = ChainHead {
                count: link.n,
                hash: Some(link.hash.clone()),
            };
            link
        })
        .collect()
}

fn end_of(links: &[ChainLink]) -> ChainHead {
    ChainHead {
        count: links.len() as u64,
        hash: links.last().map(|l| l.hash.clone()),
    }
}

fn kind_and_line(result: Result<ChainHead, ChainBreak>) -> (BreakKind, usize) {
    let broken = result.expect_err("the chain is broken");
    (broken.kind, broken.line)
}

// Guards the hash's definition: RFC 8785 text of tenant, n, prev_hash and
// the event, whatever order the event's keys were written in.
#[test]
fn the_hash_is_taken_over_canonical_json() {
    let written = json!({"b": 1, "a": "x"});
    let expected = sha256_hex(r#"{"event":{"a":"x","b":1},"n":1,"prev_hash":null,"tenant":"t"}"#);
    assert_eq!(link_hash("t", 1, None, &written), expected);
    assert_ne!(
        link_hash("t", 2, None, &written),
        expected,
        "the place is hashed"
    );
    assert_ne!(
        link_hash("u", 1, None, &written),
        expected,
        "the tenant is hashed"
    );
}

// Guards the short way the service takes under the write lock: the link
// text written out around the event's canonical text hashes exactly as the
// whole link serialised by serde_jcs would, also for text that needs
// escaping, numbers and a previous hash.
#[test]
fn linking_a_canonical_event_hashes_as_the_whole_link_serialised() {
    #[derive(Serialize)]
    struct Whole<'a> {
        tenant: &'a str,
        n: u64,
        prev_hash: Option<&'a str>,
        event: &'a serde_json::Value,
    }
    let event = json!({
        "z": "quote \" slash \\ tab \t ünïcødé \u{1f600} \u{7}",
        "a": [1, -2, 3.5, null, true],
        "m": {"é": 1, "e": 2, "\u{10000}": 3, "\u{ffff}": 4}
    });
    for (tenant, prev) in [("t", None), ("t-\"x\"", Some("ab12"))] {
        let whole = Whole {
            tenant,
            n: 7,
            prev_hash: prev,
            event: &event,
        };
        let expected = sha256_hex(&serde_jcs::to_string(&whole).unwrap());
        let head = ChainHead {
            count: 6,
            hash: prev.map(str::to_owned),
        };
        let link = ChainLink::after(&head, tenant, CanonicalEvent::new(event.clone()));
        assert_eq!(link.hash, expected, "{tenant} after {prev:?}");
        assert!(link.holds());
    }
}

// Guards the untouched chain, with and without its signed end.
#[test]
fn an_untouched_chain_holds() {
    let links = chain("t", 5);
    let end = end_of(&links);
    assert_eq!(verify_chain("t", &links, Some(&end)), Ok(end.clone()));
    assert_eq!(verify_chain("t", &links, None), Ok(end));
    assert_eq!(verify_chain("t", &[], None), Ok(ChainHead::default()));
}

// Guards each kind of tampering a database administrator could do, each
// named with the first line it shows on.
#[test]
fn each_kind_of_tampering_is_named() {
    let links = chain("t", 5);
    let end = end_of(&links);

    let mut edited = links.clone();
    edited[2].event["action"] = json!("opted_out");
    assert_eq!(
        kind_and_line(verify_chain("t", &edited, Some(&end))),
        (BreakKind::Edited, 3)
    );

    // Changed and re-hashed: the next event still names the old hash.
    let mut rehashed = links.clone();
    rehashed[1].event["action"] = json!("opted_out");
    rehashed[1].hash = link_hash("t", 2, rehashed[1].prev_hash.as_deref(), &rehashed[1].event);
    assert_eq!(
        kind_and_line(verify_chain("t", &rehashed, Some(&end))),
        (BreakKind::Edited, 2)
    );

    let mut missing = links.clone();
    missing.remove(2);
    assert_eq!(
        kind_and_line(verify_chain("t", &missing, Some(&end))),
        (BreakKind::Missing, 3)
    );

    let mut swapped = links.clone();
    swapped.swap(1, 3);
    assert_eq!(
        kind_and_line(verify_chain("t", &swapped, Some(&end))),
        (BreakKind::Reordered, 2)
    );

    let mut forged = links.clone();
    let mut copy = links[3].clone();
    copy.event["action"] = json!("opted_out");
    forged.insert(4, copy);
    assert_eq!(
        kind_and_line(verify_chain("t", &forged, Some(&end))),
        (BreakKind::Inserted, 5)
    );

    let foreign = chain("u", 1).remove(0);
    let mut mixed = links.clone();
    mixed.push(foreign);
    assert_eq!(
        kind_and_line(verify_chain("t", &mixed, None)),
        (BreakKind::Inserted, 6)
    );

    let truncated = &links[..4];
    assert_eq!(
        kind_and_line(verify_chain("t", truncated, Some(&end))),
        (BreakKind::Truncated, 5)
    );
    assert!(
        verify_chain("t", truncated, None).is_ok(),
        "without a signed end, a shorter chain holds"
    );

    // Added at the end, correctly linked and hashed: only the signed end tells.
    let longer = chain("t", 6);
    assert_eq!(
        kind_and_line(verify_chain("t", &longer, Some(&end))),
        (BreakKind::Inserted, 6)
    );

    // The whole chain re-hashed after an edit: its end differs from the signed one.
    let rewritten = rehashed_with(&links, |i, event| {
        if i == 1 {
            event["action"] = json!("opted_out");
        }
    });
    assert_eq!(
        kind_and_line(verify_chain("t", &rewritten, Some(&end))),
        (BreakKind::Edited, 5)
    );
}

// Guards the check against a checkpoint signed earlier: later events are
// fine; fewer events, or a different event where it signed, are not.
#[test]
fn a_chain_holds_what_an_earlier_checkpoint_signed() {
    let links = chain("t", 5);
    let signed = end_of(&links[..3]);
    assert_eq!(verify_chain_since("t", &links, &signed), Ok(end_of(&links)));
    assert_eq!(
        kind_and_line(verify_chain_since("t", &links[..2], &signed)),
        (BreakKind::Truncated, 3)
    );
    let rewritten = rehashed_with(&links, |_, event| event["action"] = json!("opted_out"));
    assert_eq!(
        kind_and_line(verify_chain_since("t", &rewritten, &signed)),
        (BreakKind::Edited, 3)
    );
}
