//! Headless Chromium driven through Debian's chromedriver with thirtyfour,
//! for the bench's cold loads, the keyboard end-to-end run and the
//! screenshots.
//!
//! [`ChromeDriver`] starts the driver on a free loopback port; every
//! [`ChromeDriver::session`] is a new browser with a new, empty profile.
//! [`Session`] adds what our runs need on top of thirtyfour's `WebDriver`
//! (which stays reachable as `session.driver`): scripts before every page,
//! viewport and media emulation through Chrome DevTools, key chords and
//! the console.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thirtyfour::{ChromiumLikeCapabilities, DesiredCapabilities, LoggingPrefsLogLevel, WebDriver};

pub use thirtyfour::Key;

use crate::shell::Result;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Headless, and quiet: without the networking flags Chromium keeps trying to reach the internet.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
];

/// How long chromedriver may take to answer its status as ready.
const DRIVER_DEADLINE: Duration = Duration::from_secs(20);
/// How long a page load or an asynchronous script may take.
const PAGE_DEADLINE: Duration = Duration::from_secs(30);
/// How long [`Session::wait_until`] waits for a condition on the page.
pub const WAIT_DEADLINE: Duration = Duration::from_secs(10);

/// A running chromedriver; stopped when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
    profiles: PathBuf,
    sessions: usize,
}

impl ChromeDriver {
    /// Starts chromedriver on a free loopback port; browser profiles go under `profiles`.
    pub async fn start(profiles: &Path) -> Result<ChromeDriver> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for chromedriver: {e}"))?
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profiles: profiles.to_owned(),
            sessions: 0,
        };
        let status = format!("{}/status", driver.url);
        let client = crate::support::http::client()?;
        let deadline = Instant::now() + DRIVER_DEADLINE;
        loop {
            let ready = match client.get(&status).send().await {
                Ok(answer) => answer
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "chromedriver did not become ready within {DRIVER_DEADLINE:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless browser with a new, empty profile.
    pub async fn session(&mut self) -> Result<Session> {
        self.sessions += 1;
        let profile = self.profiles.join(format!("profile-{}", self.sessions));
        let mut capabilities = DesiredCapabilities::chrome();
        let fail = |e: thirtyfour::error::WebDriverError| format!("browser capabilities: {e}");
        capabilities.set_binary(CHROMIUM).map_err(fail)?;
        for flag in CHROMIUM_FLAGS {
            capabilities.add_arg(flag).map_err(fail)?;
        }
        capabilities
            .add_arg(&format!("--user-data-dir={}", profile.display()))
            .map_err(fail)?;
        capabilities
            .set_browser_log_level(LoggingPrefsLogLevel::All)
            .map_err(fail)?;
        let driver = WebDriver::new(&self.url, capabilities)
            .await
            .map_err(|e| format!("cannot start a browser: {e}"))?;
        let session = Session { driver, profile };
        session
            .driver
            .set_page_load_timeout(PAGE_DEADLINE)
            .await
            .map_err(|e| format!("page load timeout: {e}"))?;
        session
            .driver
            .set_script_timeout(PAGE_DEADLINE)
            .await
            .map_err(|e| format!("script timeout: {e}"))?;
        Ok(session)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser.
pub struct Session {
    pub driver: WebDriver,
    profile: PathBuf,
}

/// A WebDriver failure as a sentence naming what was being done.
fn failed(what: &str) -> impl Fn(thirtyfour::error::WebDriverError) -> String + '_ {
    move |e| format!("WebDriver {what}: {e}")
}

/// Script arguments: a JSON array as a list (anything else is one argument).
fn arguments(args: Value) -> Vec<Value> {
    match args {
        Value::Array(list) => list,
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

impl Session {
    /// Runs a Chrome DevTools Protocol command in the page's browser.
    pub async fn devtools(&self, cmd: &str, params: Value) -> Result<Value> {
        self.driver
            .cdp()
            .send_raw(cmd, params)
            .await
            .map_err(failed(cmd))
    }

    /// Runs `source` in every new document before its own scripts.
    pub async fn before_every_page(&self, source: &str) -> Result {
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .await
        .map(drop)
    }

    /// Makes the page's viewport `width` × `height` CSS pixels, as a window of that size would.
    pub async fn viewport(&self, width: u32, height: u32) -> Result {
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await
        .map(drop)
    }

    /// Makes the page see `prefers-color-scheme: <scheme>` ("light" or "dark").
    pub async fn color_scheme(&self, scheme: &str) -> Result {
        self.emulate_media(&[("prefers-color-scheme", scheme)])
            .await
    }

    /// Makes the page see these media features (`("prefers-reduced-motion", "reduce")`);
    /// an empty list ends the emulation.
    pub async fn emulate_media(&self, features: &[(&str, &str)]) -> Result {
        let features: Vec<Value> = features
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        self.devtools("Emulation.setEmulatedMedia", json!({"features": features}))
            .await
            .map(drop)
    }

    /// Presses keys with the browser's real input pipeline (focus moves,
    /// default actions happen), each chord in turn: `&[Key::Shift, Key::Tab]`
    /// holds Shift while Tab is pressed. (For the keyboard run.)
    #[allow(dead_code)]
    pub async fn press(&self, chord: &[Key]) -> Result {
        let mut actions = self.driver.action_chain();
        for key in chord {
            actions = actions.key_down(key.clone());
        }
        for key in chord.iter().rev() {
            actions = actions.key_up(key.clone());
        }
        actions.perform().await.map_err(failed("key press"))
    }

    /// The browser console's messages since the last call (errors of the page included).
    pub async fn console(&self) -> Result<Vec<String>> {
        let entries = self.driver.browser_log().await.map_err(failed("console"))?;
        Ok(entries
            .into_iter()
            .map(|e| format!("{} {}", e.level, e.message))
            .collect())
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        self.driver
            .screenshot_as_png()
            .await
            .map_err(failed("screenshot"))
    }

    /// Loads `url` (returns once the page's load event has fired).
    pub async fn navigate(&self, url: &str) -> Result {
        self.driver
            .goto(url)
            .await
            .map_err(|e| format!("WebDriver navigating to {url}: {e}"))
    }

    /// Runs a script in the page and answers what it returns (`args`: a JSON array).
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.driver
            .execute(script.to_owned(), arguments(args))
            .await
            .map(|answer| answer.json().clone())
            .map_err(failed("script"))
    }

    /// Runs a script that answers by calling its last argument.
    pub async fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        self.driver
            .execute_async(script.to_owned(), arguments(args))
            .await
            .map(|answer| answer.json().clone())
            .map_err(failed("asynchronous script"))
    }

    /// Waits until the JavaScript `expression` is truthy in the page and
    /// answers its value; after [`WAIT_DEADLINE`], fails naming `what`, with
    /// the start of the page's text and the console.
    pub async fn wait_until(&self, what: &str, expression: &str) -> Result<Value> {
        let script = format!("return ({expression});");
        let started = Instant::now();
        loop {
            let value = self.execute(&script, Value::Null).await?;
            if !(value.is_null() || value == false || value == "" || value == 0) {
                return Ok(value);
            }
            if started.elapsed() > WAIT_DEADLINE {
                let text = self
                    .execute("return document.body.innerText.slice(0, 600);", Value::Null)
                    .await
                    .unwrap_or_default();
                let console = self.console().await.unwrap_or_default();
                return Err(format!(
                    "waited {WAIT_DEADLINE:?} for {what}; the page shows {text}; \
                     the console says: {}",
                    console.join("\n")
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the browser and removes its profile.
    pub async fn close(self) {
        let _ = self.driver.quit().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards how script arguments reach WebDriver: an array is the list, anything else one argument.
    #[test]
    fn script_arguments_are_a_list() {
        assert_eq!(arguments(json!([1, "a"])), vec![json!(1), json!("a")]);
        assert_eq!(arguments(json!(null)), Vec::<Value>::new());
        assert_eq!(arguments(json!({"x": 1})), vec![json!({"x": 1})]);
    }
}
