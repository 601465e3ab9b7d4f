//! Deletion proven end to end: an admin turns Marketing off with the
//! keyboard; the opt-out owes three deletions (two in 30 days, schema
//! copies in 12 months); two stores attest with their own tokens from the
//! OpenID provider and the panel says "2 of 3"; the development clock moves
//! past the schema copies' date and the panel says they are overdue, as the
//! change feed does; the last store attests, and the certificate saved
//! from the page is accepted by the offline verifier, and refused once a
//! byte of it changed.

use std::path::Path;

use serde_json::{json, Value};
use thirtyfour::Key;

use super::evidence::{downloaded_like, expect_refused, expect_verified, with_byte_changed};
use super::page::Page;
use super::{MARKETING, SWITCH};
use crate::shell::Result;
use crate::support::site::Site;

/// Days from the opt-out past the schema copies' 12 months.
const PAST_THE_YEAR_SECS: u64 = 370 * 24 * 3600;

pub async fn deletion_is_attested_and_certified(
    site: &Site,
    page: &mut Page,
    work: &Path,
) -> Result {
    println!("xtask: e2e: an opt-out's deletions attested by the stores, overdue shown, certificate verified");
    let tenant = site.new_tenant("US").await?;
    let api = site.api();
    let admin = api.dev_token(&tenant, "admin").await?;
    api.set_program(&tenant, &admin, "marketing", true).await?;

    // Turned off in the page, with the keyboard.
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.wait_row_state(MARKETING, "On").await?;
    page.tab_to("link", MARKETING).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("dialog", MARKETING).await?;
    page.tab_to("switch", SWITCH).await?;
    page.press(&[Key::Space]).await?;
    page.save_and_confirm_turn_off().await?;
    // The dialog closes as the change is sent; the list says Off once it is stored.
    page.wait_row_state(MARKETING, "Off").await?;

    let owed = api
        .get_json(&format!("/api/v1/tenants/{tenant}/deletions"), &admin)
        .await?;
    let obligations: Vec<(String, String, String)> = owed["opt_outs"][0]["obligations"]
        .as_array()
        .ok_or("the opt-out opened no obligations")?
        .iter()
        .map(|o| {
            let text = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
            (text("id"), text("store"), text("due_by"))
        })
        .collect();
    let stores: Vec<&str> = obligations.iter().map(|(_, s, _)| s.as_str()).collect();
    if stores
        != [
            "marketing-data-copies",
            "query-data-copies",
            "schema-copies",
        ]
    {
        return Err(format!(
            "the opt-out should owe three stores' deletions: {owed}"
        ));
    }
    let opted_out_at = owed["opt_outs"][0]["at"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check_due_dates(&opted_out_at, &obligations)?;

    let marketing = site
        .service_token("marketing-eraser", "consent.deletions.attest")
        .await?;
    let schema = site
        .service_token("schema-eraser", "consent.deletions.attest")
        .await?;
    for (id, _, _) in &obligations[..2] {
        api.attest(&marketing, id, &attestation(&opted_out_at))
            .await?;
    }
    let after = api
        .get_json(&format!("/api/v1/tenants/{tenant}/deletions"), &admin)
        .await?;
    let done = after["opt_outs"][0]["obligations"]
        .as_array()
        .map_or(0, |all| {
            all.iter().filter(|o| o["status"] == "done").count()
        });
    if done != 2 {
        return Err(format!(
            "two obligations should be done after two attestations: {after}"
        ));
    }
    // What the stores did shows when the panel is opened again.
    let panel = format!(
        "{}/settings/marketing-data-sharing?dev_tenant={tenant}",
        site.url
    );
    reopen(page, &panel).await?;
    page.session.wait_until(
        "the panel to say two of three stores confirmed",
        "document.body.innerText.includes('Deletion: 2 of 3 stores confirmed · Data schema copies due by')",
    )
    .await?;

    // A year later the schema copies are overdue: said in the panel and on the feed.
    let moved = api.advance_dev_clock(PAST_THE_YEAR_SECS).await?;
    // Other flows' opt-outs fall due too; this tenant's schema copies must be among them.
    let late = api
        .get_json(&format!("/api/v1/tenants/{tenant}/deletions"), &admin)
        .await?;
    if moved["overdue_marked"].as_u64().unwrap_or(0) < 1
        || late["opt_outs"][0]["obligations"][2]["status"] != "overdue"
    {
        return Err(format!(
            "the schema copies should be overdue after the clock moved ({moved}): {late}"
        ));
    }
    reopen(page, &panel).await?;
    page.session.wait_until(
        "the panel to say the schema copies are overdue",
        "document.body.innerText.includes('Overdue: Data schema copies has not confirmed deleting your data')",
    )
    .await?;
    let history = api
        .get_json(
            &format!("/api/v1/tenants/{tenant}/data-sharing/history?limit=1"),
            &admin,
        )
        .await?;
    let overdue = &history["events"][0];
    if overdue["action"] != "deletion_overdue" {
        return Err(format!(
            "the newest event should be the overdue mark: {overdue}"
        ));
    }
    let pipeline = site
        .service_token("pipeline", "consent.decisions.read")
        .await?;
    let feed = api
        .get_json("/api/v1/changes?after=0&limit=1000", &pipeline)
        .await?;
    let on_feed = feed["changes"]
        .as_array()
        .is_some_and(|changes| changes.iter().any(|c| c["event_id"] == overdue["id"]));
    if !on_feed {
        return Err("the overdue mark should be on the change feed".to_owned());
    }

    // The last store attests; the certificate is saved from the page and checked offline.
    let now = moved["now"].as_str().unwrap_or_default().to_owned();
    api.attest(&schema, &obligations[2].0, &attestation(&now))
        .await?;
    let downloads = work.join(format!("deletion-{tenant}"));
    std::fs::create_dir_all(&downloads)
        .map_err(|e| format!("cannot create {}: {e}", downloads.display()))?;
    page.session
        .devtools(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads.to_string_lossy()}),
        )
        .await?;
    reopen(page, &panel).await?;
    page.wait_for("link", "Deletion certificate").await?;
    page.tab_to("link", "Deletion certificate").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", "Deletion certificate").await?;
    page.tab_to("button", "Download signed certificate").await?;
    page.press(&[Key::Enter]).await?;
    let certificate = downloaded_like(
        &downloads,
        &format!("{tenant}-deletion-certificate-"),
        ".jws",
    )
    .await?;
    let jwks = downloads.join("jwks.json");
    let keys = api.get_json("/.well-known/jwks.json", "").await?;
    std::fs::write(&jwks, keys.to_string()).map_err(|e| format!("cannot write the keys: {e}"))?;
    expect_verified(
        &certificate,
        &jwks,
        &format!("deletion certificate for tenant {tenant}, marketing opt-out"),
    )?;
    let token = std::fs::read_to_string(&certificate)
        .map_err(|e| format!("cannot read the certificate: {e}"))?;
    let at = token
        .find('.')
        .ok_or("the certificate is not a compact JWS")?
        + 12;
    expect_refused(
        &certificate,
        &jwks,
        &with_byte_changed(&token, at),
        "line 1: bad signature",
    )?;
    println!("xtask: e2e: deletion: three stores attested, overdue shown and fed, certificate verified offline");
    Ok(())
}

/// Loads `url` as a new page. Going there straight from the same path with
/// another query was seen to keep the old document.
async fn reopen(page: &mut Page, url: &str) -> Result {
    page.session.navigate("about:blank").await?;
    page.session.navigate(url).await
}

fn attestation(completed_at: &str) -> Value {
    json!({
        "completed_at": completed_at,
        "items_deleted": 42,
        "method": "purge of the tenant's partition",
        "evidence_ref": "keyboard-run"
    })
}

/// The two 30-day stores are due 30 days after the opt-out, the schema
/// copies 12 calendar months after it.
fn check_due_dates(opted_out_at: &str, obligations: &[(String, String, String)]) -> Result {
    let parse = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&chrono::Utc))
            .map_err(|e| format!("{text:?} is not an instant: {e}"))
    };
    let out = parse(opted_out_at)?;
    let expected = [
        out + chrono::Duration::days(30),
        out + chrono::Duration::days(30),
        out.checked_add_months(chrono::Months::new(12))
            .ok_or("no date a year on")?,
    ];
    for ((_, store, due), expected) in obligations.iter().zip(expected) {
        if parse(due)? != expected {
            return Err(format!("{store} should be due by {expected}, not {due}"));
        }
    }
    Ok(())
}
