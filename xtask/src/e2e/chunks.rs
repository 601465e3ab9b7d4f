//! A screen whose code cannot be fetched: through the fault proxy, every
//! chunk of the split build answers 503. A deep link to the FAQ then shows
//! the settings' frame and says the part could not be loaded, with Retry;
//! once the chunks are back, Retry (by keyboard) shows the questions and
//! takes focus to their heading.

use fault_vocabulary::{is_chunk_path, paths, Fault, Seen};
use thirtyfour::Key;

use super::page::Page;
use crate::fault_proxy::FaultProxy;
use crate::shell::Result;
use crate::support::site::Site;

const FAILED: &str = "This part of the page could not be loaded.";
const FAQ: &str = "Frequently asked questions";

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

    switch(Fault::status(503).on_chunks()).await?;
    page.session
        .navigate(&format!("{}/faq?dev_tenant={tenant}", proxy.url))
        .await?;
    page.wait(
        "the page to say the FAQ could not be loaded",
        &format!("alerts().includes({FAILED:?})"),
    )
    .await?;
    if page.ask(&format!("exists('heading', {FAQ:?})")).await? == true {
        return Err("the FAQ showed although its code could not be fetched".into());
    }
    let seen: Vec<Seen> = control
        .get(format!("{}{}", proxy.control_url, paths::REQUESTS))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    if !seen
        .iter()
        .any(|s| is_chunk_path(&s.path) && s.status == 503)
    {
        return Err(format!("no chunk was refused: {seen:?}"));
    }

    switch(Fault::PASS).await?;
    page.tab_to("button", "Retry").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", FAQ).await?;
    page.expect_focus("heading", FAQ, "Retry loaded the FAQ")
        .await
}
