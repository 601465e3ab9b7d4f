//! Headless Chromium driven through Debian's chromedriver with thirtyfour:
//! WebDriver for navigation, scripts and real key input, and Chrome DevTools
//! commands (sent through chromedriver) for the viewport, emulated media
//! features and scripts installed before a page's own.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use thirtyfour::{Key, WebDriver};

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
        let status = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answer = status.get(format!("{}/status", driver.url)).send().await;
            if let Ok(answer) = answer {
                if answer
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true)
                {
                    return Ok(driver);
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready within 20 s".to_owned());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new browser with a new, empty profile.
    pub async fn session(&mut self) -> Result<Browser> {
        self.sessions += 1;
        let profile = self.profiles.join(format!("profile-{}", self.sessions));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"script": 30000, "pageLoad": 30000}
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("the capabilities are a JSON object")
        };
        let driver = WebDriver::new(self.url.as_str(), capabilities)
            .await
            .map_err(|e| format!("cannot open a browser session: {e}"))?;
        Ok(Browser { driver, profile })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser.
pub struct Browser {
    driver: WebDriver,
    profile: PathBuf,
}

impl Browser {
    /// Runs a Chrome DevTools Protocol command in the page's browser.
    pub async fn devtools(&self, cmd: &str, params: Value) -> Result<Value> {
        self.driver
            .cdp()
            .send_raw(cmd, params)
            .await
            .map_err(|e| format!("DevTools {cmd}: {e}"))
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
    /// default actions happen), as one chord: `&[Key::Shift, Key::Tab]`
    /// holds Shift while Tab is pressed.
    pub async fn press(&self, chord: &[Key]) -> Result {
        let mut actions = self.driver.action_chain();
        for key in chord {
            actions = actions.key_down(key.clone());
        }
        for key in chord.iter().rev() {
            actions = actions.key_up(key.clone());
        }
        actions
            .perform()
            .await
            .map_err(|e| format!("pressing {chord:?}: {e}"))?;
        actions
            .reset_actions()
            .await
            .map_err(|e| format!("releasing {chord:?}: {e}"))
    }

    /// The browser console's messages since the last call (errors of the page included).
    pub async fn console(&self) -> Result<Vec<String>> {
        let entries = self
            .driver
            .browser_log()
            .await
            .map_err(|e| format!("reading the console: {e}"))?;
        Ok(entries
            .iter()
            .map(|e| format!("{} {}", e.level, e.message))
            .collect())
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        self.driver
            .screenshot_as_png()
            .await
            .map_err(|e| format!("taking a screenshot: {e}"))
    }

    /// Loads `url` (returns once the page's load event has fired).
    pub async fn navigate(&self, url: &str) -> Result {
        self.driver
            .goto(url)
            .await
            .map_err(|e| format!("loading {url}: {e}"))
    }

    /// Runs a script in the page with `args` (a JSON array) and answers what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        let answer = self
            .driver
            .execute(script.to_owned(), arguments(args))
            .await
            .map_err(|e| format!("running a script in the page: {e}"))?;
        Ok(answer.json().clone())
    }

    /// Runs a script that answers by calling its last argument.
    pub async fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        let answer = self
            .driver
            .execute_async(script.to_owned(), arguments(args))
            .await
            .map_err(|e| format!("running a script in the page: {e}"))?;
        Ok(answer.json().clone())
    }

    /// Ends the browser and removes its profile.
    pub async fn close(self) {
        let _ = self.driver.quit().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A script's arguments: the elements of a JSON array (anything else is one argument).
fn arguments(args: Value) -> Vec<Value> {
    match args {
        Value::Array(values) => values,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}
