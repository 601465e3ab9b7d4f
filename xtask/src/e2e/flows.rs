//! The keyboard flows: both programs opted in and out with the keyboard
//! alone, every screen at 320 px, reduced motion and forced colours.

use serde_json::json;
use thirtyfour::Key;

use super::page::{name_matches, Page};
use super::{COPILOT, MARKETING, SWITCH};
use crate::shell::Result;
use crate::support::site::{enabled, Site};

/// Opens the settings of a fresh tenant and waits for its rows.
async fn open_settings(site: &Site, page: &mut Page, region: &str) -> Result<String> {
    let tenant = site.new_tenant(region).await?;
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.wait_for("link", COPILOT).await?;
    Ok(tenant)
}

/// Copilot on and off again with the keyboard alone.
pub async fn copilot_by_keyboard(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: Copilot on and off with the keyboard");
    let tenant = open_settings(site, page, "US").await?;

    // Open the panel from its row.
    page.tab_to("link", COPILOT).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("dialog", COPILOT).await?;
    let focused = page.focused().await?;
    if !name_matches(&focused["dialog"]["name"], COPILOT) {
        return Err(format!(
            "opening the panel should move focus into it: {focused}"
        ));
    }
    page.check_focus_trap(COPILOT).await?;

    // Escape closes the panel and focus returns to its row.
    page.press(&[Key::Escape]).await?;
    page.wait_gone("dialog", COPILOT).await?;
    page.expect_focus("link", COPILOT, "Escape in the panel")
        .await?;

    // Turn on and save.
    page.press(&[Key::Enter]).await?;
    page.wait_for("dialog", COPILOT).await?;
    page.tab_to("switch", SWITCH).await?;
    page.press(&[Key::Space]).await?;
    if !page.checked("switch", SWITCH).await? {
        return Err("Space on the switch should turn it on".to_owned());
    }
    page.tab_to("button", "Save").await?;
    page.press(&[Key::Enter]).await?;
    page.wait("the panel to announce Saved", "status().includes('Saved')")
        .await?;
    page.wait_row_state(COPILOT, "On").await?;
    page.expect_focus_inside(COPILOT, "saving").await?;
    if !enabled(&site.settings_of(&tenant).await?, "copilot") {
        return Err("the API should have Copilot on after the keyboard save".to_owned());
    }

    // Turn off: the confirmation traps focus, Escape keeps sharing and returns focus to the switch.
    page.tab_to("switch", SWITCH).await?;
    page.press(&[Key::Space]).await?;
    page.tab_to("button", "Save").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("alertdialog", "Turn off data sharing?")
        .await?;
    page.expect_focus("button", "Keep sharing", "the confirmation opened")
        .await?;
    page.check_focus_trap("Turn off data sharing?").await?;
    page.press(&[Key::Escape]).await?;
    page.wait_gone("alertdialog", "Turn off data sharing?")
        .await?;
    page.expect_focus("switch", SWITCH, "Escape in the confirmation")
        .await?;
    if !page.checked("switch", SWITCH).await? {
        return Err("keeping sharing should put the switch back on".to_owned());
    }

    // Now really turn it off.
    page.press(&[Key::Space]).await?;
    page.save_and_confirm_turn_off().await?;
    page.wait_row_state(COPILOT, "Off – deletion pending")
        .await?;
    if enabled(&site.settings_of(&tenant).await?, "copilot") {
        return Err("the API should have Copilot off after turning it off by keyboard".to_owned());
    }

    // An unsaved change: Escape asks first; Escape there keeps editing; focus returns to the switch.
    page.tab_to("switch", SWITCH).await?;
    page.press(&[Key::Space]).await?;
    page.press(&[Key::Escape]).await?;
    page.wait_for("alertdialog", "Discard your change?").await?;
    page.check_focus_trap("Discard your change?").await?;
    page.press(&[Key::Escape]).await?;
    page.wait_gone("alertdialog", "Discard your change?")
        .await?;
    page.expect_focus("switch", SWITCH, "Escape in the discard question")
        .await?;
    page.press(&[Key::Escape]).await?;
    page.wait_for("alertdialog", "Discard your change?").await?;
    page.tab_to("button", "Discard change").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_gone("dialog", COPILOT).await?;
    page.expect_focus("link", COPILOT, "discarding the change")
        .await
}

/// Marketing on with the keyboard: read both documents, accept them, turn on, save.
pub async fn marketing_by_keyboard(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: Marketing on with the keyboard");
    let tenant = open_settings(site, page, "EU").await?;
    page.tab_to("link", MARKETING).await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("dialog", MARKETING).await?;

    // Each document opens in a reader over the panel, named by its title.
    for (opener, title) in [
        (
            "Read the Marketing engagement notice (version 1)",
            "Human review of anonymised customer data: Dynamics 365 Marketing and Power Platform",
        ),
        (
            "Read the non-disclosure agreement (version 1)",
            "Exhibit B: Mutual non-disclosure agreement for the human review engagement",
        ),
    ] {
        page.tab_to("button", opener).await?;
        page.press(&[Key::Enter]).await?;
        page.wait_for("dialog", title).await?;
        let focused = page.focused().await?;
        if !name_matches(&focused["dialog"]["name"], title) {
            return Err(format!(
                "opening {title:?} should move focus into it: {focused}"
            ));
        }
        page.check_focus_trap(title).await?;
        page.press(&[Key::Escape]).await?;
        page.wait_gone("dialog", title).await?;
        page.expect_focus("button", opener, "closing the reader")
            .await?;
    }

    page.tab_to("switch", SWITCH).await?;
    page.press(&[Key::Space]).await?;
    page.tab_to("checkbox", "I have read and accept…").await?;
    page.press(&[Key::Space]).await?;
    if !page.checked("checkbox", "I have read and accept…").await? {
        return Err("Space should tick the acceptance box".to_owned());
    }
    page.tab_to("button", "Save").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_row_state(MARKETING, "On").await?;
    page.expect_focus_inside(MARKETING, "saving").await?;
    if !enabled(&site.settings_of(&tenant).await?, "marketing") {
        return Err("the API should have Marketing on after the keyboard save".to_owned());
    }
    page.press(&[Key::Escape]).await?;
    page.wait_gone("dialog", MARKETING).await?;
    page.expect_focus("link", MARKETING, "Escape after saving")
        .await
}

/// At 320 px wide no screen scrolls sideways.
pub async fn narrow_screens(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: every screen at 320 px wide");
    page.session.viewport(320, 640).await?;
    let tenant = site.new_tenant("US").await?;
    let screens = [
        ("/settings", "link", COPILOT),
        ("/settings/copilot-data-sharing", "switch", SWITCH),
        ("/settings/marketing-data-sharing", "switch", SWITCH),
        ("/faq", "heading", "Frequently asked questions"),
        (
            "/notices/marketing-human-review",
            "heading",
            "Human review of anonymised customer data: Dynamics 365 Marketing and Power Platform",
        ),
        ("/history", "heading", "Consent history"),
    ];
    let mut wide = Vec::new();
    for (path, role, name) in screens {
        page.session
            .navigate(&format!("{}{path}?dev_tenant={tenant}", site.url))
            .await?;
        page.wait_for(role, name).await?;
        let overflow = page.ask("overflow()").await?.as_f64().unwrap_or(0.0);
        if overflow > 0.0 {
            wide.push(format!("{path} is {overflow} px too wide"));
        }
    }
    // The measure itself: a box wider than the screen must be caught.
    let caught = page
        .session
        .execute(
            "const box = document.createElement('div'); box.style.width = '400px'; box.style.height = '1px';\
             document.querySelector('.ts-app').append(box);\
             const overflow = window.__ts.overflow(); box.remove(); return overflow;",
            json!([]),
        )
        .await?;
    if caught.as_f64().unwrap_or(0.0) <= 0.0 {
        return Err("a 400 px box at 320 px wide should make the page scroll sideways".to_owned());
    }
    page.session.viewport(1280, 800).await?;
    if wide.is_empty() {
        Ok(())
    } else {
        Err(format!("at 320 px: {}", wide.join("; ")))
    }
}

/// With `prefers-reduced-motion: reduce` nothing moves; with forced colours
/// the switch is still drawn with a visible outline.
pub async fn motion_and_contrast_preferences(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: reduced motion and forced colours");
    let tenant = site.new_tenant("US").await?;
    let panel = format!(
        "{}/settings/copilot-data-sharing?dev_tenant={tenant}",
        site.url
    );

    page.session
        .emulate_media(&[("prefers-reduced-motion", "reduce")])
        .await?;
    page.session.navigate(&panel).await?;
    page.wait_for("switch", SWITCH).await?;
    let motion = page.ask("motion()").await?;
    if motion["animations"] != 0 || motion["transition"] != "0s" {
        return Err(format!(
            "with reduced motion nothing should animate or transition: {motion}"
        ));
    }

    page.session
        .emulate_media(&[("forced-colors", "active")])
        .await?;
    page.session.navigate(&panel).await?;
    page.wait_for("switch", SWITCH).await?;
    let look = page.ask("switchLook()").await?;
    if look["width"].as_f64().unwrap_or(0.0) < 1.0 || look["border"] == look["background"] {
        return Err(format!(
            "in forced colours the switch track needs a visible border: {look}"
        ));
    }
    page.session.emulate_media(&[]).await
}
