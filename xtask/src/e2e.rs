//! The keyboard end-to-end run, a step of `cargo xtask test`: the app built
//! by trunk, served with the API by one real `consent-api --static-dir`,
//! driven in headless Chromium with real key presses over WebDriver (Tab,
//! Shift+Tab, Space, Enter, Escape), so focus moves exactly as it does for a
//! person at a keyboard. Synthetic DOM key events cannot show that.
//!
//! It walks the whole opt-in and opt-out of both programs, and checks that
//! dialogs keep focus inside (Tab from the last control wraps to the first,
//! Shift+Tab the other way), that Escape closes them, that focus goes back to
//! what opened them, and that no screen scrolls sideways at 320 px.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::shell::Result;
use crate::support::site::Site;
use crate::webdriver::{ChromeDriver, Key, Session};

/// How long the app may take to put focus where it belongs after a change on screen.
const FOCUS_SETTLES_WITHIN: Duration = Duration::from_secs(2);
const COPILOT: &str = "Copilot AI features data sharing";
const MARKETING: &str = "Marketing: human review of anonymized customer data";
const SWITCH: &str = "Enable data sharing";
/// How many Tab presses may lead to a control before the run gives up.
const MAX_TABS: usize = 40;
/// How long a condition on the page may take to become true.
const DEADLINE: Duration = Duration::from_secs(10);

/// Finds things in the page the way the browser tests do: by role and
/// accessible name, leaving out what is hidden. Installed before the app's
/// own scripts (through DevTools, so the page's CSP does not apply to it).
pub const PAGE_HELPERS: &str = r#"
window.__ts = (() => {
  const norm = t => (t || '').replace(/\s+/g, ' ').trim();
  const text = el => {
    let out = '';
    for (const n of el.childNodes) {
      if (n.nodeType === 3) out += n.textContent;
      else if (n.nodeType === 1 && n.getAttribute('aria-hidden') !== 'true') out += ' ' + text(n);
    }
    return out;
  };
  const name = el => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return norm(by.split(/\s+/).map(id => {
      const e = document.getElementById(id); return e ? text(e) : '';
    }).join(' '));
    const label = el.getAttribute('aria-label');
    if (label) return norm(label);
    if (el.id && (el.tagName === 'INPUT' || el.tagName === 'SELECT')) {
      const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      return l ? norm(text(l)) : '';
    }
    return norm(text(el));
  };
  const implicit = el => {
    switch (el.tagName) {
      case 'A': return el.hasAttribute('href') ? 'link' : null;
      case 'BUTTON': return 'button';
      case 'H1': case 'H2': case 'H3': case 'H4': return 'heading';
      case 'TABLE': return 'table';
      case 'NAV': return 'navigation';
      case 'SUMMARY': return 'summary';
      case 'INPUT': return el.type === 'checkbox' ? 'checkbox' : el.type === 'search' ? 'searchbox' : 'textbox';
      default: return null;
    }
  };
  const role = el => el.getAttribute('role') || implicit(el);
  const visible = el => !el.closest('[hidden], [aria-hidden="true"]') && el.getClientRects().length > 0;
  const matches = (el, r, n) => role(el) === r && visible(el) &&
    (n.endsWith('…') ? name(el).startsWith(n.slice(0, -1)) : name(el) === n);
  const find = (r, n) => [...document.querySelectorAll('*')].find(el => matches(el, r, n)) || null;
  const describe = el => el ? { role: role(el), name: name(el) } : null;
  const dialog = el => el && el.closest('[role=dialog], [role=alertdialog]');
  const focusable = container => [...container.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'
  )].filter(e => e.offsetParent !== null);
  return {
    find, describe, name,
    focused: () => {
      const el = document.activeElement;
      const d = dialog(el);
      return { ...describe(el), dialog: d ? describe(d) : null };
    },
    // The first and last controls Tab reaches inside the innermost open dialog.
    ends: () => {
      const d = dialog(document.activeElement);
      if (!d) return null;
      const all = focusable(d);
      return { dialog: describe(d), first: describe(all[0]), last: describe(all[all.length - 1]) };
    },
    checked: (r, n) => { const e = find(r, n); return e ? e.checked : null; },
    exists: (r, n) => find(r, n) !== null,
    stateOf: n => {
      const link = find('link', n);
      if (!link) return null;
      return norm((link.getAttribute('aria-describedby') || '').split(/\s+/)
        .map(id => { const e = document.getElementById(id); return e ? text(e) : ''; }).join(' '));
    },
    status: () => [...document.querySelectorAll('[role=status]')].map(e => norm(e.textContent)).join(' | '),
    overflow: () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    // What moves on the page: running animations, and the switch track's transition.
    motion: () => {
      const track = document.querySelector('.ts-switch__track');
      return { animations: document.getAnimations().length,
               transition: track ? getComputedStyle(track).transitionDuration : null };
    },
    // How the switch track and the focus ring are drawn.
    switchLook: () => {
      const track = document.querySelector('.ts-switch__track');
      const style = getComputedStyle(track);
      return { border: style.borderTopColor, width: parseFloat(style.borderTopWidth),
               background: style.backgroundColor };
    },
  };
})();
"#;

/// Whether `program` ("copilot", "marketing") is on in a settings document.
fn enabled(document: &Value, program: &str) -> bool {
    document["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == program))
        .is_some_and(|p| p["enabled"] == true)
}

/// A browser page with the helpers, and what a keyboard user does in it.
pub struct Page {
    pub session: Session,
}

impl Page {
    /// Opens a new browser with the page helpers installed.
    pub async fn open(driver: &mut ChromeDriver) -> Result<Page> {
        let mut session = driver.session().await?;
        session.before_every_page(PAGE_HELPERS).await?;
        Ok(Page { session })
    }

    /// Calls `window.__ts.<call>` and answers its result.
    pub async fn ask(&mut self, call: &str) -> Result<Value> {
        self.session
            .execute(&format!("return window.__ts.{call};"), json!([]))
            .await
    }

    /// Waits until `window.__ts.<call>` answers something truthy; fails naming `what`.
    pub async fn wait(&mut self, what: &str, call: &str) -> Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.ask(call).await?;
            if !(value.is_null() || value == false || value == "") {
                return Ok(value);
            }
            if started.elapsed() > DEADLINE {
                let text = self
                    .session
                    .execute("return document.body.innerText.slice(0, 600);", json!([]))
                    .await
                    .unwrap_or_default();
                let console = self.session.console().await.unwrap_or_default();
                return Err(format!(
                    "waited {DEADLINE:?} for {what}; focus is on {}; the page shows {text}; \
                     the console says: {}",
                    self.ask("focused()").await.unwrap_or_default(),
                    console.join("\n")
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses one key, or a chord held together.
    pub async fn press(&mut self, chord: &[Key]) -> Result {
        self.session.press(chord).await
    }

    /// The role and name of the focused element, and of the dialog it is in.
    async fn focused(&mut self) -> Result<Value> {
        self.ask("focused()").await
    }

    /// Fails unless focus is on the element with this role and name.
    async fn expect_focus(&mut self, role: &str, name: &str, after: &str) -> Result {
        let focused = self.focused().await?;
        if focused["role"] == role && name_matches(&focused["name"], name) {
            Ok(())
        } else {
            Err(format!(
                "after {after}, focus should be on {role} {name:?}, but it is on {focused}"
            ))
        }
    }

    /// Fails unless focus is somewhere inside the dialog named `dialog` (not
    /// lost to the page) within a moment: the app may move it on its next
    /// rendering step, after the change it reacted to is on screen.
    async fn expect_focus_inside(&mut self, dialog: &str, after: &str) -> Result {
        let deadline = Instant::now() + FOCUS_SETTLES_WITHIN;
        loop {
            let focused = self.focused().await?;
            if name_matches(&focused["dialog"]["name"], dialog) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "after {after}, focus should stay inside {dialog:?}, but it is on {focused}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses Tab until the element with this role and name has focus.
    async fn tab_to(&mut self, role: &str, name: &str) -> Result {
        let mut visited = Vec::new();
        for _ in 0..MAX_TABS {
            let focused = self.focused().await?;
            if focused["role"] == role && name_matches(&focused["name"], name) {
                return Ok(());
            }
            visited.push(format!("{} {}", focused["role"], focused["name"]));
            self.press(&[Key::Tab]).await?;
        }
        Err(format!(
            "Tab never reached {role} {name:?}; it went through {}",
            visited.join(", ")
        ))
    }

    /// Checks the focus trap of the dialog focus is in: Tab from its last
    /// control goes to its first, Shift+Tab from its first to its last.
    async fn check_focus_trap(&mut self, dialog: &str) -> Result {
        let ends = self.ask("ends()").await?;
        if !name_matches(&ends["dialog"]["name"], dialog) {
            return Err(format!("focus should be inside {dialog:?}: {ends}"));
        }
        let (first, last) = (ends["first"].clone(), ends["last"].clone());
        let name = |v: &Value| v["name"].as_str().unwrap_or_default().to_owned();
        let role = |v: &Value| v["role"].as_str().unwrap_or_default().to_owned();
        self.tab_to(&role(&last), &name(&last)).await?;
        self.press(&[Key::Tab]).await?;
        self.expect_focus(
            &role(&first),
            &name(&first),
            &format!("Tab on the last control of {dialog:?}"),
        )
        .await?;
        self.press(&[Key::Shift, Key::Tab]).await?;
        self.expect_focus(
            &role(&last),
            &name(&last),
            &format!("Shift+Tab on the first control of {dialog:?}"),
        )
        .await
    }

    /// Waits until a setting's row shows a state starting with `state`.
    async fn wait_row_state(&mut self, setting: &str, state: &str) -> Result {
        let call = format!(
            "stateOf({}) && window.__ts.stateOf({}).startsWith({})",
            json!(setting),
            json!(setting),
            json!(state)
        );
        self.wait(&format!("the row {setting:?} to show {state:?}"), &call)
            .await
            .map(drop)
    }

    /// Waits for an element with this role and name.
    pub async fn wait_for(&mut self, role: &str, name: &str) -> Result {
        let call = format!("exists({}, {})", json!(role), json!(name));
        self.wait(&format!("{role} {name:?}"), &call)
            .await
            .map(drop)
    }

    /// Waits until no element has this role and name.
    async fn wait_gone(&mut self, role: &str, name: &str) -> Result {
        let call = format!("exists({}, {}) === false", json!(role), json!(name));
        self.wait(&format!("{role} {name:?} to close"), &call)
            .await
            .map(drop)
    }

    /// Whether the checkbox or switch with this role and name is on.
    async fn checked(&mut self, role: &str, name: &str) -> Result<bool> {
        let value = self
            .ask(&format!("checked({}, {})", json!(role), json!(name)))
            .await?;
        value
            .as_bool()
            .ok_or_else(|| format!("no {role} {name:?} on the page"))
    }
}

/// Whether an accessible name is `expected`, or starts with it when `expected` ends with "…".
fn name_matches(name: &Value, expected: &str) -> bool {
    let name = name.as_str().unwrap_or_default();
    match expected.strip_suffix('…') {
        Some(prefix) => name.starts_with(prefix),
        None => name == expected,
    }
}

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
        copilot_by_keyboard(site, &mut page).await?;
        marketing_by_keyboard(site, &mut page).await?;
        narrow_screens(site, &mut page).await?;
        motion_and_contrast_preferences(site, &mut page).await
    }
    .await;
    page.session.close().await;
    outcome
}

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
async fn copilot_by_keyboard(site: &Site, page: &mut Page) -> Result {
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
    page.tab_to("button", "Save").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("alertdialog", "Turn off data sharing?")
        .await?;
    page.tab_to("button", "Turn off").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_gone("alertdialog", "Turn off data sharing?")
        .await?;
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
async fn marketing_by_keyboard(site: &Site, page: &mut Page) -> Result {
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
async fn narrow_screens(site: &Site, page: &mut Page) -> Result {
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
async fn motion_and_contrast_preferences(site: &Site, page: &mut Page) -> Result {
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
