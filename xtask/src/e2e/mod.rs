//! The keyboard end-to-end run, a step of `cargo xtask test`: the app as
//! `cargo xtask dist` builds it (split into chunks, release), served with the
//! API by one real `consent-api --static-dir`,
//! driven in headless Chromium with real key presses over WebDriver (Tab,
//! Shift+Tab, Space, Enter, Escape), so focus moves exactly as it does for a
//! person at a keyboard. Synthetic DOM key events cannot show that.
//!
//! It walks the whole opt-in and opt-out of both programs, and checks that
//! dialogs keep focus inside (Tab from the last control wraps to the first,
//! Shift+Tab the other way), that Escape closes them, that focus goes back to
//! what opened them, and that no screen scrolls sideways at 320 px.
//!
//! An auditor's downloads (the signed ledger and a signed receipt) are
//! checked by the offline verifier (see `evidence.rs`), and an opt-out's
//! deletions are attested by the stores, shown overdue when late and
//! certified (see `deletion.rs`).
//!
//! A screen whose code cannot be fetched offers Retry, and a deep link asks
//! for its data while its code is on its way (see `chunks.rs`).
//! Every screen, in both languages and both themes, is audited by axe-core
//! (see `audit.rs`).
//!
//! Last, the production set-up: no `--dev`, a tenant imported with the
//! CLI, a token from a real OpenID provider (see `production.rs`).
//!
//! Roles and accessible names come from the same engine as the browser
//! tests' (dom-accessibility-api, `xtask/a11y/`), installed in every page
//! with the helpers of `page_helpers.js`.

mod audit;
mod chunks;
mod deletion;
mod evidence;
mod flows;
mod gate;
mod page;
mod production;
mod propagation;

use std::path::Path;

pub use page::{page_scripts, Page};

use crate::support::site::Site;

use crate::shell::Result;
use crate::support::browser::ChromeDriver;

const COPILOT: &str = "Copilot AI features data sharing";
const MARKETING: &str = "Marketing: human review of anonymized customer data";
const SWITCH: &str = "Enable data sharing";

/// `cargo xtask e2e`, and the last step of `cargo xtask test`.
pub fn e2e() -> Result {
    crate::install::ensure_all()?;
    let site = Site::build_and_start("e2e")?;
    let work = std::env::temp_dir().join(format!("consent-e2e-browsers-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let outcome = runtime.block_on(keyboard_flows(&site, &work));
    let _ = std::fs::remove_dir_all(&work);
    outcome.map_err(|e| format!("{e}{}", site.log_tail()))
}

async fn keyboard_flows(site: &Site, work: &Path) -> Result {
    let mut driver = ChromeDriver::start(work).await?;
    let mut page = Page::open(&mut driver).await?;
    let outcome = async {
        flows::copilot_by_keyboard(site, &mut page).await?;
        flows::marketing_by_keyboard(site, &mut page).await?;
        flows::narrow_screens(site, &mut page).await?;
        flows::motion_and_contrast_preferences(site, &mut page).await?;
        gate::gate_drops_an_opted_out_tenant(site, &mut page).await?;
        propagation::panel_shows_propagation(site, &mut page).await?;
        evidence::downloads_verify_offline(site, &mut page, work).await?;
        deletion::deletion_is_attested_and_certified(site, &mut page, work).await?;
        chunks::chunk_failure_offers_retry(site, &mut page).await?;
        chunks::deep_link_asks_for_data_while_code_comes(site, &mut page).await?;
        chunks::list_fetches_panel_code_ahead(site, &mut page).await?;
        audit::every_screen_in_both_languages(site, &mut driver).await?;
        production::production_identity(&site.dist, &mut page, work).await
    }
    .await;
    page.session.close().await;
    outcome
}
