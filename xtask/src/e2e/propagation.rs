//! Propagation in the page: a system connected by webhook (a real receiver
//! on loopback) is down when an admin turns Copilot on; the panel says the
//! change is still being applied, and once the system is back and has
//! acknowledged the retried delivery, "Applied by 1 of 1 connected system".

use std::time::Instant;

use thirtyfour::Key;

use super::page::Page;
use super::COPILOT;
use crate::shell::Result;
use crate::support::receiver::WebhookReceiver;
use crate::support::site::Site;

const SUBSCRIPTION: &str = "keyboard-run-propagation";

pub async fn panel_shows_propagation(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: the panel says how many connected systems applied a change");
    let receiver = WebhookReceiver::start().await?;
    receiver.answer_with(503);
    let token = site
        .service_token("webhooks", "consent.subscriptions.write")
        .await?;
    site.api()
        .subscribe(&token, SUBSCRIPTION, &receiver.url, &["copilot"])
        .await?;
    let outcome = async {
        let tenant = site.new_tenant("US").await?;
        page.session
            .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
            .await?;
        page.turn_copilot_on().await?;
        page.wait(
            "the panel to say the change is still being applied",
            "status().includes('Being applied: 0 of 1 connected system so far.')",
        )
        .await?;
        let refused = receiver.received();
        if !refused
            .iter()
            .any(|r| r.body["data"]["tenant"] == tenant.as_str())
        {
            return Err("the receiver was not sent the tenant's change".to_owned());
        }
        receiver.answer_with(204);
        let back = Instant::now();
        page.wait(
            "the panel to say the change was applied",
            "status().includes('Applied by 1 of 1 connected system.')",
        )
        .await?;
        println!(
            "xtask: e2e: propagation: the page said \"Applied\" {} ms after the receiver recovered",
            back.elapsed().as_millis()
        );
        let delivered = receiver.received();
        let ids: Vec<&str> = delivered
            .iter()
            .filter(|r| r.body["data"]["tenant"] == tenant.as_str())
            .map(|r| r.id.as_str())
            .collect();
        // Every attempt at the one change carries the same webhook-id.
        if ids.len() < 2 || ids.iter().any(|id| *id != ids[0]) {
            return Err(format!(
                "expected retries of one delivery, got webhook-ids {ids:?}"
            ));
        }
        page.press(&[Key::Escape]).await?;
        page.wait_gone("dialog", COPILOT).await?;
        Ok(())
    }
    .await;
    let removed = site.api().unsubscribe(&token, SUBSCRIPTION).await;
    outcome.and(removed)
}
