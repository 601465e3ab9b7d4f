//! A browser page with the role and name helpers installed, and what a
//! keyboard user does in it.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thirtyfour::Key;

use super::{COPILOT, SWITCH};
use crate::shell::Result;
use crate::support::browser::{ChromeDriver, Session};

/// The dialog that asks before data sharing is turned off.
const TURN_OFF: &str = "Turn off data sharing?";
/// How long the app may take to put focus where it belongs after a change on screen.
const FOCUS_SETTLES_WITHIN: Duration = Duration::from_secs(2);
/// How many Tab presses may lead to a control before the run gives up.
const MAX_TABS: usize = 40;
/// How long a condition on the page may take to become true.
const DEADLINE: Duration = Duration::from_secs(10);

/// `window.__ts`: finding things by role and accessible name (see the file).
const PAGE_HELPERS: &str = include_str!("page_helpers.js");

/// The scripts every page gets before its own: the accessibility engine
/// (`window.__a11y`, bundled from dom-accessibility-api by `cargo xtask
/// install`), then the helpers built on it.
pub fn page_scripts() -> Result<String> {
    let engine = crate::install::a11y_script()?;
    let engine = std::fs::read_to_string(&engine)
        .map_err(|e| format!("cannot read {}: {e}", engine.display()))?;
    Ok(format!("{engine}\n{PAGE_HELPERS}"))
}

/// A browser page with the helpers, and what a keyboard user does in it.
pub struct Page {
    pub session: Session,
}

impl Page {
    /// From the settings list, opens Copilot's panel and turns it on with
    /// Space, then presses Save (without waiting for the answer).
    pub async fn turn_copilot_on(&mut self) -> Result {
        self.wait_for("link", COPILOT).await?;
        self.tab_to("link", COPILOT).await?;
        self.press(&[Key::Enter]).await?;
        self.wait_for("dialog", COPILOT).await?;
        self.tab_to("switch", SWITCH).await?;
        self.press(&[Key::Space]).await?;
        self.tab_to("button", "Save").await?;
        self.press(&[Key::Enter]).await
    }

    /// Saves a panel whose switch was turned off, and confirms turning off
    /// in the dialog that asks, all with the keyboard.
    pub async fn save_and_confirm_turn_off(&mut self) -> Result {
        self.tab_to("button", "Save").await?;
        self.press(&[Key::Enter]).await?;
        self.wait_for("alertdialog", TURN_OFF).await?;
        self.tab_to("button", "Turn off").await?;
        self.press(&[Key::Enter]).await?;
        self.wait_gone("alertdialog", TURN_OFF).await
    }

    /// Opens a new browser with the page helpers installed.
    pub async fn open(driver: &mut ChromeDriver) -> Result<Page> {
        let session = driver.session().await?;
        session.before_every_page(&page_scripts()?).await?;
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
    pub async fn focused(&mut self) -> Result<Value> {
        self.ask("focused()").await
    }

    /// Fails unless focus is on the element with this role and name.
    pub async fn expect_focus(&mut self, role: &str, name: &str, after: &str) -> Result {
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
    pub async fn expect_focus_inside(&mut self, dialog: &str, after: &str) -> Result {
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
    pub async fn tab_to(&mut self, role: &str, name: &str) -> Result {
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
    pub async fn check_focus_trap(&mut self, dialog: &str) -> Result {
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
    pub async fn wait_row_state(&mut self, setting: &str, state: &str) -> Result {
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
    pub async fn wait_gone(&mut self, role: &str, name: &str) -> Result {
        let call = format!("exists({}, {}) === false", json!(role), json!(name));
        self.wait(&format!("{role} {name:?} to close"), &call)
            .await
            .map(drop)
    }

    /// Whether the checkbox or switch with this role and name is on.
    pub async fn checked(&mut self, role: &str, name: &str) -> Result<bool> {
        let value = self
            .ask(&format!("checked({}, {})", json!(role), json!(name)))
            .await?;
        value
            .as_bool()
            .ok_or_else(|| format!("no {role} {name:?} on the page"))
    }
}

/// Whether an accessible name is `expected`, or starts with it when `expected` ends with "…".
pub fn name_matches(name: &Value, expected: &str) -> bool {
    let name = name.as_str().unwrap_or_default();
    match expected.strip_suffix('…') {
        Some(prefix) => name.starts_with(prefix),
        None => name == expected,
    }
}
