//! The split release build, audited as a person with assistive technology
//! meets it: every screen, in English and in German, in the light and the
//! dark theme, each checked by axe-core for the rules the browser tests
//! audit the unsplit build with (WCAG 2.0–2.2 A and AA, best practices),
//! and the Language select lined up with the page's right edge.
//!
//! The language is changed with the page's own Language select, by
//! keyboard. Each language's words are a chunk of their own: a page in
//! English has fetched only the English one, the switch fetches the German
//! one then, and the choice holds on every screen after.

use serde_json::{json, Value};
use thirtyfour::Key;

use super::page::{page_scripts, Page};
use crate::shell::Result;
use crate::support::browser::ChromeDriver;
use crate::support::site::Site;

/// The rule sets axe runs, one tag a line: the accessibility tests' own
/// (`tests/accessibility.rs`).
const AUDITED_TAGS: &str = include_str!("../../axe/audited-tags.txt");

/// Runs axe on the page once nothing is loading or moving, and answers its
/// violations one a line and how many rules passed.
const AXE: &str = r#"
const [tags, done] = arguments;
const settle = () => document.querySelector("[aria-busy=true]")
  ? new Promise((r) => setTimeout(r, 50)).then(settle)
  : Promise.all(document.getAnimations()
      .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
      .map((a) => a.finished.catch(() => null)));
settle()
  .then(() => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }))
  .then((r) => done({
    passes: r.passes.length,
    violations: r.violations.flatMap((v) => v.nodes.map((n) =>
      `${v.id} (${v.impact}): ${v.help} at ${n.target.join(" ")}`)),
  }))
  .catch((e) => done({ error: String(e) }));
"#;

/// Which languages' word chunks the page has fetched, by language tag.
const CATALOGUES_FETCHED: &str = r#"
return [...new Set(performance.getEntriesByType("resource")
  .map((r) => (r.name.match(/split_catalogue_([a-z]+)/) || [])[1])
  .filter(Boolean))];
"#;

/// How far the Language select's right edge is from the right edge of the
/// page's content beneath it, in px; `null` where either is missing.
const SWITCH_OFF_LINE: &str = r#"
const select = document.querySelector(".ts-language select");
const page = document.querySelector(".ts-page");
if (!select || !page) return null;
const content = page.getBoundingClientRect().right - parseFloat(getComputedStyle(page).paddingRight);
return content - select.getBoundingClientRect().right;
"#;

/// One screen: a name for the findings, its address, and a CSS selector
/// (the same in every language) of what shows its data has arrived.
struct Screen {
    name: &'static str,
    path: String,
    ready: &'static str,
}

pub async fn every_screen_in_both_languages(site: &Site, driver: &mut ChromeDriver) -> Result {
    println!("xtask: e2e: every screen of the split build, in English and German, light and dark, audited by axe");
    let tenant = site.new_tenant("US").await?;
    let api = site.api();
    let admin = api.dev_token(&tenant, "admin").await?;
    api.set_program(&tenant, &admin, "copilot", true).await?;
    let opt_out = site.marketing_opt_out(&tenant).await?;
    for (store, obligation) in ["marketing-eraser", "marketing-eraser", "schema-eraser"]
        .iter()
        .zip(&opt_out.obligations)
    {
        site.attest_deletion(store, &opt_out, obligation).await?;
    }
    let history = api
        .get_json(
            &format!("/api/v1/tenants/{tenant}/data-sharing/history"),
            &admin,
        )
        .await?;
    let receipt = history["events"][0]["receipt_id"]
        .as_str()
        .ok_or(format!("the history names no receipt: {history}"))?;
    let at = |path: &str| {
        let join = if path.contains('?') { '&' } else { '?' };
        format!("{path}{join}dev_tenant={tenant}")
    };
    let screens = [
        Screen {
            name: "settings",
            path: at("/settings"),
            ready: "a.ts-setting__name",
        },
        Screen {
            name: "Copilot panel",
            path: at("/settings/copilot-data-sharing"),
            ready: "[role=switch]",
        },
        Screen {
            name: "Marketing panel",
            path: at("/settings/marketing-data-sharing"),
            ready: ".ts-deletions__opt-out",
        },
        Screen {
            name: "FAQ",
            path: at("/faq"),
            ready: ".ts-faq details",
        },
        Screen {
            name: "notice",
            path: at("/notices/marketing-human-review"),
            ready: ".ts-toc",
        },
        Screen {
            name: "history",
            path: at("/history"),
            ready: ".ts-history__when",
        },
        Screen {
            name: "receipt",
            path: at(&format!("/history/receipts/{receipt}")),
            ready: ".ts-receipt__section",
        },
        Screen {
            name: "deletion certificate",
            path: at(&format!("/history/deletions/{}", opt_out.event)),
            ready: ".ts-table tbody tr",
        },
        Screen {
            name: "settings as of the opt-out",
            path: at(&format!("/history?at={}", opt_out.at)),
            ready: ".ts-settings--past li",
        },
    ];

    let axe = crate::install::axe_script()?;
    let axe = std::fs::read_to_string(&axe).map_err(|e| format!("{}: {e}", axe.display()))?;
    let session = driver.session().await?;
    session
        .before_every_page(&format!("{}\n{axe}", page_scripts()?))
        .await?;
    let mut page = Page { session };
    let outcome = async {
        let mut findings = Vec::new();
        let mut audited = 0;
        // English first; the switch to German, which the page remembers,
        // then both themes in German; last the switch back, in the dark.
        for (scheme, language) in [("light", "en"), ("light", "de"), ("dark", "de"), ("dark", "en")] {
            page.session.color_scheme(scheme).await?;
            switch_language(&mut page, site, &tenant, language).await?;
            for screen in &screens {
                let (violations, passes) = audit(&mut page, site, screen).await?;
                if passes < 10 {
                    return Err(format!(
                        "axe checked almost nothing on the {} ({language}, {scheme}): {passes} rules passed",
                        screen.name
                    ));
                }
                audited += 1;
                findings.extend(violations.into_iter().map(|v| {
                    format!("{} ({language}, {scheme}): {v}", screen.name)
                }));
            }
        }
        if !findings.is_empty() {
            return Err(format!(
                "axe found {} accessibility violation(s) in the split build:\n{}",
                findings.len(),
                findings.join("\n")
            ));
        }
        println!("xtask: e2e: {audited} screens audited by axe, no violation");
        Ok(())
    }
    .await;
    page.session.close().await;
    outcome
}

/// Opens `screen`, waits for its data, checks the Language select lines up
/// with the page, and answers axe's violations and passes.
async fn audit(page: &mut Page, site: &Site, screen: &Screen) -> Result<(Vec<String>, u64)> {
    page.session
        .navigate(&format!("{}{}", site.url, screen.path))
        .await?;
    page.session
        .wait_until(
            &format!("the {} to show its data", screen.name),
            &format!("document.querySelector({}) !== null", json!(screen.ready)),
        )
        .await?;
    let off_line = page.session.execute(SWITCH_OFF_LINE, Value::Null).await?;
    if let Some(gap) = off_line.as_f64().filter(|gap| gap.abs() > 1.0) {
        return Err(format!(
            "on the {}, the Language select ends {gap:.0} px away from the page's right edge",
            screen.name
        ));
    }
    let found = page
        .session
        .execute_async(AXE, json!([AUDITED_TAGS.lines().collect::<Vec<_>>()]))
        .await?;
    if let Some(error) = found["error"].as_str() {
        return Err(format!("axe failed on the {}: {error}", screen.name));
    }
    let violations = found["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Ok((violations, found["passes"].as_u64().unwrap_or(0)))
}

/// Shows the settings list in `language` ("en" or "de"), changing the
/// page's Language select by keyboard when it shows the other, and checks
/// that only the shown languages' word chunks were fetched.
async fn switch_language(page: &mut Page, site: &Site, tenant: &str, language: &str) -> Result {
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.session
        .wait_until(
            "the settings list",
            "document.querySelector('a.ts-setting__name') !== null",
        )
        .await?;
    let shown = page_language(page).await?;
    let fetched = page
        .session
        .execute(CATALOGUES_FETCHED, Value::Null)
        .await?;
    if fetched != json!([shown]) {
        return Err(format!(
            "a fresh page in {shown:?} fetched the words of {fetched}, not of its language alone"
        ));
    }
    if shown == language {
        return Ok(());
    }
    let label = if shown == "de" { "Sprache" } else { "Language" };
    page.tab_to("combobox", label).await?;
    // The options are English, then Deutsch.
    page.press(&[if language == "de" { Key::Down } else { Key::Up }])
        .await?;
    let heading = if language == "de" {
        "Mandanteneinstellungen"
    } else {
        "Tenant settings"
    };
    page.wait_for("heading", heading).await?;
    if page_language(page).await? != language {
        return Err(format!(
            "the page's words changed but its lang is not {language:?}"
        ));
    }
    let fetched = page
        .session
        .execute(CATALOGUES_FETCHED, Value::Null)
        .await?;
    if fetched != json!([shown, language]) {
        return Err(format!(
            "switching to {language:?} should fetch its words once, after {shown:?}'s; fetched {fetched}"
        ));
    }
    Ok(())
}

/// The language of the app's root (`lang`), as "en" or "de".
async fn page_language(page: &mut Page) -> Result<String> {
    let lang = page
        .session
        .execute(
            "const root = document.querySelector('[lang]:not(html)') || document.documentElement; return root.lang;",
            Value::Null,
        )
        .await?;
    // Its primary subtag: a browser in "en-US" is shown the English words.
    let lang = lang.as_str().unwrap_or_default();
    Ok(lang.split('-').next().unwrap_or(lang).to_owned())
}
