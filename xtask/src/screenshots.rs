//! `cargo xtask screenshots`: pictures of every screen, for reviewing the
//! look in the light and dark themes and on a narrow phone screen.
//!
//! The app is built as `cargo xtask dist` builds it (split, release) and
//! served with the API by one real `consent-api --static-dir` (as
//! `cargo xtask e2e` does); headless
//! Chromium saves a PNG of each screen to `target/screenshots/`.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::e2e::page_scripts;
use crate::shell::{workspace_root, Result};
use crate::support::browser::{ChromeDriver, Session};
use crate::support::receiver::WebhookReceiver;
use crate::support::site::Site;

const COPILOT: &str = "Copilot AI features data sharing";

/// How the page is looked at: a name for the files, the viewport and the colour scheme.
struct Look {
    name: &'static str,
    width: u32,
    height: u32,
    scheme: &'static str,
}

const LOOKS: [Look; 3] = [
    Look {
        name: "light",
        width: 1280,
        height: 860,
        scheme: "light",
    },
    Look {
        name: "dark",
        width: 1280,
        height: 860,
        scheme: "dark",
    },
    Look {
        name: "narrow",
        width: 360,
        height: 780,
        scheme: "light",
    },
];

/// Builds, serves and photographs; prints the path of every picture.
pub fn screenshots() -> Result {
    crate::install::ensure_all()?;
    let site = Site::build_and_start("screenshots")?;
    let out = workspace_root().join("target/screenshots");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let work = std::env::temp_dir().join(format!("consent-screenshots-{}", std::process::id()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let outcome = runtime.block_on(async {
        // A connected system, so that the saved panel shows how far its change went.
        let receiver = WebhookReceiver::start().await?;
        let token = site
            .service_token("webhooks", "consent.subscriptions.write")
            .await?;
        site.api()
            .subscribe(
                &token,
                "screenshots",
                &receiver.url,
                &["copilot", "marketing"],
            )
            .await?;
        let mut driver = ChromeDriver::start(&work).await?;
        let mut saved = Vec::new();
        for look in &LOOKS {
            let session = driver.session().await?;
            let result = photograph(&site, &session, look, &out, &mut saved).await;
            session.close().await;
            result?;
        }
        Ok::<_, String>(saved)
    });
    let _ = std::fs::remove_dir_all(&work);
    let saved = outcome.map_err(|e| format!("{e}{}", site.log_tail()))?;
    for path in &saved {
        println!("{}", path.display());
    }
    println!("xtask: {} screenshots in {}", saved.len(), out.display());
    Ok(())
}

/// One picture: a file name, the address, the controls clicked in turn
/// (role, name), and the element (role, name) that shows the screen is ready.
struct Shot(
    &'static str,
    String,
    Vec<(&'static str, &'static str)>,
    (&'static str, &'static str),
);

/// Clicks the element with this role and name (a script for `Screen::steps`).
const CLICK: &str =
    "const [role, name] = arguments; window.__ts.find(role, name).click(); return true;";

/// Waits for an element with this role and name (found by the page helpers).
async fn wait_for(session: &Session, role: &str, name: &str) -> Result {
    let expression = format!("window.__ts.exists({}, {})", json!(role), json!(name));
    session
        .wait_until(&format!("{role} {name:?}"), &expression)
        .await
        .map(drop)
}

async fn photograph(
    site: &Site,
    page: &Session,
    look: &Look,
    out: &Path,
    saved: &mut Vec<PathBuf>,
) -> Result {
    page.before_every_page(&page_scripts()?).await?;
    page.viewport(look.width, look.height).await?;
    page.color_scheme(look.scheme).await?;
    let us = site.new_tenant("US").await?;
    let eu = site.new_tenant("EU").await?;
    // The Copilot screens build on each other: saved on and applied by the
    // connected system (05), then asked to confirm turning off (06).
    let screens: [Shot; 12] = [
        Shot(
            "01-settings",
            format!("/settings?dev_tenant={us}"),
            vec![],
            ("link", COPILOT),
        ),
        Shot(
            "02-copilot-panel",
            format!("/settings/copilot-data-sharing?dev_tenant={us}"),
            vec![],
            ("switch", "Enable data sharing"),
        ),
        Shot(
            "03-marketing-panel",
            format!("/settings/marketing-data-sharing?dev_tenant={us}"),
            vec![("switch", "Enable data sharing")],
            ("checkbox", "I have read and accept…"),
        ),
        Shot(
            "04-notice-reader",
            format!("/settings/marketing-data-sharing?dev_tenant={us}"),
            vec![("button", "Read the Marketing engagement notice (version 1)")],
            ("link", "Open as a full page"),
        ),
        Shot(
            "05-saved",
            format!("/settings/copilot-data-sharing?dev_tenant={us}"),
            vec![("switch", "Enable data sharing"), ("button", "Save")],
            ("status", "Applied by 1 of 1 connected system."),
        ),
        Shot(
            "06-turn-off-confirmation",
            format!("/settings/copilot-data-sharing?dev_tenant={us}"),
            vec![("switch", "Enable data sharing"), ("button", "Save")],
            ("alertdialog", "Turn off data sharing?"),
        ),
        Shot(
            "07-faq",
            format!("/faq?dev_tenant={us}"),
            vec![],
            ("heading", "Frequently asked questions"),
        ),
        Shot(
            "08-notice",
            format!("/notices/marketing-human-review?dev_tenant={us}"),
            vec![],
            ("navigation", "Contents"),
        ),
        Shot(
            "09-history",
            format!("/history?dev_tenant={us}"),
            vec![],
            ("link", "View receipt"),
        ),
        Shot(
            "10-receipt",
            format!("/history?dev_tenant={us}"),
            vec![("link", "View receipt")],
            ("heading", "Consent receipt"),
        ),
        Shot(
            "11-not-eligible",
            format!("/settings/copilot-data-sharing?dev_tenant={eu}"),
            vec![],
            ("switch", "Enable data sharing"),
        ),
        Shot(
            "12-load-failed",
            "/settings?dev_tenant=no-such-tenant".to_owned(),
            vec![],
            ("button", "Retry"),
        ),
    ];
    for shot in screens {
        take(page, site, shot, look, out, saved).await?;
    }
    // The settings as they stood at the last change, from the history.
    let settings = site.settings_of(&us).await?;
    let moment = settings["programs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|program| program["updated_at"].as_str())
        .max()
        .ok_or("the screenshots changed a setting before")?
        .to_owned();
    let as_of = Shot(
        "13-history-as-of",
        format!("/history?dev_tenant={us}&at={moment}"),
        vec![],
        ("list", "Settings as of…"),
    );
    take(page, site, as_of, look, out, saved).await?;
    // A reworded notice: what the re-acceptance banner and the notice page
    // show of the changed words. Each look publishes its own version (its
    // tenant accepted the one before), rewording other words.
    let (from, to) = match look.name {
        "light" => ("authorised", "authorised and trained"),
        "dark" => ("manual review", "manual review by people"),
        _ => ("directly", "directly and in full"),
    };
    let version = site
        .api()
        .publish_reworded_notice("copilot-data-sharing", from, to)
        .await?;
    let reworded = [
        Shot(
            "14-reacceptance-words",
            format!("/settings/copilot-data-sharing?dev_tenant={us}"),
            vec![],
            (SELECTOR, ".ts-banner ins"),
        ),
        Shot(
            "15-notice-changes",
            format!("/notices/copilot-data-sharing/v/{version}?dev_tenant={us}"),
            vec![(SELECTOR, ".ts-notice__changes > summary")],
            (SELECTOR, ".ts-notice__changes ins"),
        ),
    ];
    for shot in reworded {
        take(page, site, shot, look, out, saved).await?;
    }
    // A Marketing opt-out two of whose three stores confirmed the deletion,
    // then the certificate once the third did.
    let opt_out = site.marketing_opt_out(&us).await?;
    for id in &opt_out.obligations[..2] {
        site.attest_deletion("marketing-eraser", &opt_out, id)
            .await?;
    }
    take(
        page,
        site,
        Shot(
            "16-deletion-progress",
            format!("/settings/marketing-data-sharing?dev_tenant={us}"),
            vec![],
            (SELECTOR, ".ts-deletions__opt-out"),
        ),
        look,
        out,
        saved,
    )
    .await?;
    site.attest_deletion("schema-eraser", &opt_out, &opt_out.obligations[2])
        .await?;
    take(
        page,
        site,
        Shot(
            "17-deletion-certificate",
            format!("/history/deletions/{}?dev_tenant={us}", opt_out.event),
            vec![],
            (SELECTOR, ".ts-table tbody tr"),
        ),
        look,
        out,
        saved,
    )
    .await?;
    Ok(())
}

/// In place of a role: the element a CSS selector finds, for elements
/// without a role (a `<summary>` to click, an `<ins>` to wait for).
const SELECTOR: &str = "selector";

/// Opens a screen, takes its steps, waits until it is ready and saves the picture.
async fn take(
    page: &Session,
    site: &Site,
    shot: Shot,
    look: &Look,
    out: &Path,
    saved: &mut Vec<PathBuf>,
) -> Result {
    let Shot(name, path, steps, (role, ready)) = shot;
    {
        page.navigate(&format!("{}{path}", site.url)).await?;
        for (step_role, step_name) in steps {
            if step_role == SELECTOR {
                page.wait_until(
                    &format!("{step_name:?} on the page"),
                    &format!("document.querySelector({}) !== null", json!(step_name)),
                )
                .await?;
                page.execute(
                    "document.querySelector(arguments[0]).click(); return true;",
                    json!([step_name]),
                )
                .await?;
                continue;
            }
            wait_for(page, step_role, step_name).await?;
            page.execute(CLICK, json!([step_role, step_name])).await?;
        }
        if role == SELECTOR {
            page.wait_until(
                &format!("{ready:?} on the page"),
                &format!("document.querySelector({}) !== null", json!(ready)),
            )
            .await?;
        } else if role == "status" {
            page.wait_until(
                &format!("{ready:?} announced"),
                &format!("window.__ts.status().includes({})", json!(ready)),
            )
            .await?;
        } else {
            wait_for(page, role, ready).await?;
        }
        // Let entrance animations finish and fonts settle before the picture.
        page.execute_async(
                "const done = arguments[arguments.length - 1];\
                 Promise.all(document.getAnimations().filter(a => a.effect.getTiming().iterations !== Infinity).map(a => a.finished))\
                   .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
                json!([]),
            )
            .await?;
        let png = page.screenshot().await?;
        let file = out.join(format!("{}-{name}.png", look.name));
        std::fs::write(&file, png).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        saved.push(file);
    }
    Ok(())
}
