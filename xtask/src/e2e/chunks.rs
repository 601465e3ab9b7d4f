//! Code that cannot be fetched: through the fault proxy, every chunk of the
//! split build answers 503. A deep link then cannot even fetch the page's
//! words (each language's catalogue is a chunk) and says so in both
//! languages, with Retry, which (by keyboard, once the chunks are back)
//! shows the FAQ. Moving from a panel to the history while chunks fail says
//! that part could not be loaded, with Retry, which shows the history and
//! takes focus to its heading.
//!
//! Code that is slow to come: with every chunk held back, a deep link to
//! the history asks for its data and its code while the words (a chunk
//! too) are still on their way, and asks once (the screen's read takes the
//! answer already coming). Nothing it asks for is missing, the browser's
//! own ask for an icon included.
//!
//! Code fetched ahead: once the list shows live data, the panels' code comes
//! while the person reads it (never before: it would hold up the data), so
//! opening a setting fetches no code.

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
/// How long the proxy holds back each chunk in the slow-code check.
const CHUNK_DELAY_MS: u64 = 1500;

/// The fault proxy in front of the site, and its control port.
struct Proxy {
    proxy: FaultProxy,
    control: reqwest::Client,
}

impl Proxy {
    fn start(site: &Site) -> Result<Proxy> {
        Ok(Proxy {
            proxy: FaultProxy::start(&site.url)?,
            control: crate::support::http::client()?,
        })
    }

    async fn switch(&self, fault: Fault) -> Result {
        let url = format!(
            "{}{}?{}",
            self.proxy.control_url,
            paths::FAULT,
            fault.to_query()
        );
        self.control
            .post(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map(drop)
            .map_err(|e| format!("cannot switch the fault proxy: {e}"))
    }

    /// Every request the proxy has seen, oldest first.
    async fn seen(&self) -> Result<Vec<Seen>> {
        let url = format!("{}{}", self.proxy.control_url, paths::REQUESTS);
        let answer = self.control.get(&url).send().await;
        let answer = answer.map_err(|e| format!("GET {url}: {e}"))?;
        answer.json().await.map_err(|e| format!("GET {url}: {e}"))
    }
}

pub async fn chunk_failure_offers_retry(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: a screen whose code fails to load says so and loads on Retry");
    let proxy = Proxy::start(site)?;
    let tenant = site.new_tenant("US").await?;
    let refused = || async {
        Ok::<_, String>(
            proxy
                .seen()
                .await?
                .iter()
                .any(|s| is_chunk_path(&s.path) && s.status == 503),
        )
    };

    // A deep link while no chunk can be fetched: not even the words of the
    // page arrive (the language's catalogue is a chunk), so it says so in
    // both languages.
    proxy.switch(Fault::status(503).on_chunks()).await?;
    page.session
        .navigate(&format!("{}/faq?dev_tenant={tenant}", proxy.proxy.url))
        .await?;
    page.wait(
        "the page to say it could not be loaded",
        &format!("alerts().includes({PAGE_FAILED:?})"),
    )
    .await?;
    if !refused().await? {
        return Err("the proxy refused no chunk".into());
    }
    proxy.switch(Fault::PASS).await?;
    page.tab_to("button", PAGE_RETRY).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", FAQ).await?;

    // Moving to a screen whose chunk fails: the rest of the page stays.
    page.session
        .navigate(&format!(
            "{}/settings/copilot-data-sharing?dev_tenant={tenant}",
            proxy.proxy.url
        ))
        .await?;
    page.wait_for("dialog", COPILOT).await?;
    proxy.switch(Fault::status(503).on_chunks()).await?;
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
    proxy.switch(Fault::PASS).await?;
    page.tab_to("button", "Retry").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", HISTORY).await?;
    page.expect_focus("heading", HISTORY, "Retry loaded the history")
        .await
}

pub async fn deep_link_asks_for_data_while_code_comes(site: &Site, page: &mut Page) -> Result {
    println!(
        "xtask: e2e: a deep link asks for its data and its code while the words are on their way"
    );
    let proxy = Proxy::start(site)?;
    let tenant = site.new_tenant("US").await?;
    let api = site.api();
    let admin = api.dev_token(&tenant, "admin").await?;
    api.set_program(&tenant, &admin, "copilot", true).await?;
    proxy
        .switch(Fault::delay(CHUNK_DELAY_MS).on_chunks())
        .await?;
    page.session
        .navigate(&format!("{}/history?dev_tenant={tenant}", proxy.proxy.url))
        .await?;
    page.wait_for("link", "View receipt").await?;
    proxy.switch(Fault::PASS).await?;

    let seen = proxy.seen().await?;
    // A cold load asks for nothing the site lacks (a browser asks for an
    // icon on its own, `/favicon.ico`, unless the page names one).
    let missing: Vec<&str> = seen
        .iter()
        .filter(|s| s.status == 404)
        .map(|s| s.path.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "a cold deep link asked for what is not there: {missing:?}"
        ));
    }
    let code = seen
        .iter()
        .find(|s| s.path.starts_with("/split_history_screen"))
        .ok_or("the history's code was not fetched as a chunk")?;
    let history = format!("/api/v1/tenants/{tenant}/data-sharing/history");
    let reads: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.method == "GET" && s.path.split('?').next() == Some(history.as_str()))
        .collect();
    let [read] = reads.as_slice() else {
        return Err(format!(
            "the history was asked for {} times; the screen should take the answer asked for early",
            reads.len()
        ));
    };
    // The code was held back CHUNK_DELAY_MS: a read sent only once the code
    // had come would start after the chunk's answer ended.
    let ahead = code.ended_ms - read.started_ms;
    println!(
        "xtask: e2e: the history's data was asked for {ahead:.0} ms before its code arrived (held back {CHUNK_DELAY_MS} ms)"
    );
    if ahead < (CHUNK_DELAY_MS / 2) as f64 {
        return Err(format!(
            "the history's data was asked for only {ahead:.0} ms before its code arrived: \
             the read waited for the code"
        ));
    }
    // The words were held back as long: a screen that waited for them
    // before asking for its code or data would ask after they arrived. The
    // page's own timings: the proxy sees a request only once the browser
    // has a connection free for it.
    let ahead_of_words = page
        .session
        .execute(
            r#"const entries = performance.getEntriesByType("resource");
               const words = entries.find((e) => /split_catalogue_/.test(e.name));
               const ahead = (pattern) => {
                 const entry = entries.find((e) => pattern.test(e.name));
                 return entry && words ? words.responseEnd - entry.startTime : null;
               };
               return [ahead(/split_history_screen/), ahead(/\/data-sharing\/history/)];"#,
            serde_json::Value::Null,
        )
        .await?;
    for (at, what) in [(0, "code"), (1, "data")] {
        let ahead = ahead_of_words[at].as_f64().ok_or(format!(
            "the page did not fetch both the history's {what} and the words"
        ))?;
        println!(
            "xtask: e2e: the history's {what} was asked for {ahead:.0} ms before the words arrived"
        );
        if ahead < (CHUNK_DELAY_MS / 2) as f64 {
            return Err(format!(
                "the history's {what} was asked for only {ahead:.0} ms before the words arrived: \
                 it waited for them"
            ));
        }
    }
    Ok(())
}

pub async fn list_fetches_panel_code_ahead(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: the list fetches the panels' code while the person reads it");
    let tenant = site.new_tenant("US").await?;
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.wait_for("link", COPILOT).await?;
    page.session
        .wait_until(
            "the panels' code to arrive with no setting opened",
            r#"performance.getEntriesByType("resource")
                 .some((e) => /split_panel_screen/.test(e.name) && e.responseEnd > 0)"#,
        )
        .await?;
    let after_live = page
        .session
        .execute(
            r#"const code = performance.getEntriesByType("resource")
                 .find((e) => /split_panel_screen/.test(e.name));
               const live = performance.getEntriesByName("ts:settings-rendered", "mark")[0];
               return code.startTime - live.startTime;"#,
            serde_json::Value::Null,
        )
        .await?
        .as_f64()
        .ok_or("the list set no mark for its live data")?;
    println!(
        "xtask: e2e: the panels' code was asked for {after_live:.0} ms after the list was live"
    );
    if after_live < 0.0 {
        return Err(format!(
            "the panels' code was asked for {:.0} ms before the list was live: it competes with the data",
            -after_live
        ));
    }
    page.tab_to("link", COPILOT).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("dialog", COPILOT).await?;
    let fetched = page
        .session
        .execute(
            r#"return performance.getEntriesByType("resource")
                 .filter((e) => /split_panel_screen/.test(e.name)).length;"#,
            serde_json::Value::Null,
        )
        .await?;
    if fetched != 1 {
        return Err(format!(
            "opening a setting fetched the panels' code again: {fetched} fetches"
        ));
    }
    Ok(())
}
