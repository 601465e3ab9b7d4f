//! Code that cannot be fetched: through the fault proxy, every chunk of the
//! split build answers 503. A deep link then cannot even fetch the page's
//! words (each language's catalogue is a chunk) and says so in both
//! languages, with Retry, which (by keyboard, once the chunks are back)
//! shows the FAQ. Moving from a panel to the history while chunks fail says
//! that part could not be loaded, with Retry, which shows the history and
//! takes focus to its heading.

use fault_vocabulary::{is_chunk_path, paths, Fault, Seen};
use thirtyfour::Key;

use super::page::Page;
use super::COPILOT;
use crate::fault_proxy::FaultProxy;
use crate::shell::Result;
use crate::support::site::Site;

const FAILED: &str = "This part of the page could not be loaded.";
const PAGE_FAILED: &str = "The page could not be loaded.";
const PAGE_RETRY: &str = "Retry · Erneut versuchen";
const FAQ: &str = "Frequently asked questions";
const HISTORY: &str = "Consent history";
const VIEW_HISTORY: &str = "View history";

pub async fn chunk_failure_offers_retry(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: a screen whose code fails to load says so and loads on Retry");
    let proxy = FaultProxy::start(&site.url)?;
    let control = crate::support::http::client()?;
    let switch = |fault: Fault| {
        let url = format!("{}{}?{}", proxy.control_url, paths::FAULT, fault.to_query());
        let control = control.clone();
        async move {
            control
                .post(&url)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map(drop)
                .map_err(|e| format!("cannot switch the fault proxy: {e}"))
        }
    };
    let tenant = site.new_tenant("US").await?;
    let refused = || async {
        let seen: Vec<Seen> = control
            .get(format!("{}{}", proxy.control_url, paths::REQUESTS))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(
            seen.iter()
                .any(|s| is_chunk_path(&s.path) && s.status == 503),
        )
    };

    // A deep link while no chunk can be fetched: not even the words of the
    // page arrive (the language's catalogue is a chunk), so it says so in
    // both languages.
    switch(Fault::status(503).on_chunks()).await?;
    page.session
        .navigate(&format!("{}/faq?dev_tenant={tenant}", proxy.url))
        .await?;
    page.wait(
        "the page to say it could not be loaded",
        &format!("alerts().includes({PAGE_FAILED:?})"),
    )
    .await?;
    if !refused().await? {
        return Err("the proxy refused no chunk".into());
    }
    switch(Fault::PASS).await?;
    page.tab_to("button", PAGE_RETRY).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", FAQ).await?;

    // Moving to a screen whose chunk fails: the rest of the page stays.
    page.session
        .navigate(&format!(
            "{}/settings/copilot-data-sharing?dev_tenant={tenant}",
            proxy.url
        ))
        .await?;
    page.wait_for("dialog", COPILOT).await?;
    switch(Fault::status(503).on_chunks()).await?;
    page.tab_to("link", VIEW_HISTORY).await?;
    page.press(&[Key::Enter]).await?;
    page.wait(
        "the page to say the history could not be loaded",
        &format!("alerts().includes({FAILED:?})"),
    )
    .await?;
    if page.ask(&format!("exists('heading', {HISTORY:?})")).await? == true {
        return Err("the history showed although its code could not be fetched".into());
    }
    switch(Fault::PASS).await?;
    page.tab_to("button", "Retry").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", HISTORY).await?;
    page.expect_focus("heading", HISTORY, "Retry loaded the history")
        .await
}
