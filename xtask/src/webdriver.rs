//! The keyboard end-to-end run's own WebDriver client (JSON over loopback
//! HTTP). The bench and the screenshots use `support::browser` (thirtyfour);
//! this file goes once the keyboard run does too.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::{json, Value};

use crate::bench::load::Connection;
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
    addr: SocketAddr,
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
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            profiles: profiles.to_owned(),
            sessions: 0,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut connection) = Connection::open(driver.addr).await {
                if let Ok(answer) = connection.send(Method::GET, "/status", &[], None).await {
                    if answer.json().is_ok_and(|v| v["value"]["ready"] == true) {
                        return Ok(driver);
                    }
                }
            }
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready within 20 s".to_owned());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new browser with a new, empty profile.
    pub async fn session(&mut self) -> Result<Session> {
        self.sessions += 1;
        let profile = self.profiles.join(format!("profile-{}", self.sessions));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"script": 30000, "pageLoad": 30000}
        }}});
        let mut connection = Connection::open(self.addr).await?;
        let value = command(
            &mut connection,
            Method::POST,
            "/session",
            Some(capabilities),
        )
        .await?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {value}"))?
            .to_owned();
        Ok(Session {
            connection,
            id,
            profile,
        })
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
    connection: Connection,
    id: String,
    profile: PathBuf,
}

impl Session {
    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let path = format!("/session/{}{path}", self.id);
        command(&mut self.connection, method, &path, body).await
    }

    /// Runs a Chrome DevTools Protocol command in the page's browser.
    pub async fn devtools(&mut self, cmd: &str, params: Value) -> Result<Value> {
        let body = json!({"cmd": cmd, "params": params});
        self.call(Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    /// Runs `source` in every new document before its own scripts.
    pub async fn before_every_page(&mut self, source: &str) -> Result {
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .await
        .map(drop)
    }

    /// Makes the page's viewport `width` × `height` CSS pixels, as a window of that size would.
    pub async fn viewport(&mut self, width: u32, height: u32) -> Result {
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await
        .map(drop)
    }

    /// Makes the page see these media features (`("prefers-reduced-motion", "reduce")`);
    /// an empty list ends the emulation.
    pub async fn emulate_media(&mut self, features: &[(&str, &str)]) -> Result {
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
    /// holds Shift while Tab is pressed.
    pub async fn press(&mut self, chord: &[Key]) -> Result {
        let mut actions: Vec<Value> = chord
            .iter()
            .map(|k| json!({"type": "keyDown", "value": k.code()}))
            .collect();
        actions.extend(
            chord
                .iter()
                .rev()
                .map(|k| json!({"type": "keyUp", "value": k.code()})),
        );
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.call(Method::POST, "/actions", Some(body)).await?;
        self.call(Method::DELETE, "/actions", None).await.map(drop)
    }

    /// The browser console's messages since the last call (errors of the page included).
    pub async fn console(&mut self) -> Result<Vec<String>> {
        let value = self
            .call(Method::POST, "/se/log", Some(json!({"type": "browser"})))
            .await?;
        Ok(value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| format!("{} {}", e["level"], e["message"]))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Loads `url` (returns once the page's load event has fired).
    pub async fn navigate(&mut self, url: &str) -> Result {
        self.call(Method::POST, "/url", Some(json!({"url": url})))
            .await
            .map(drop)
    }

    /// Runs a script in the page and answers what it returns.
    pub async fn execute(&mut self, script: &str, args: Value) -> Result<Value> {
        self.call(
            Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Ends the browser and removes its profile.
    pub async fn close(mut self) {
        let _ = self.call(Method::DELETE, "", None).await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A key of the WebDriver keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Tab,
    Shift,
    Enter,
    Space,
    Escape,
}

impl Key {
    /// The key's code point in the WebDriver specification's table of keys.
    fn code(self) -> &'static str {
        match self {
            Key::Tab => "\u{E004}",
            Key::Shift => "\u{E008}",
            Key::Enter => "\u{E007}",
            Key::Space => "\u{E00D}",
            Key::Escape => "\u{E00C}",
        }
    }
}

/// A WebDriver command; answers its `value`, or the driver's error.
async fn command(
    connection: &mut Connection,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let text = body.map(|b| b.to_string());
    let answer = connection.send(method, path, &[], text.as_deref()).await?;
    let mut value = answer.json()?;
    if !answer.status.is_success() {
        return Err(format!(
            "WebDriver {path}: {} {}",
            answer.status, value["value"]
        ));
    }
    Ok(value["value"].take())
}
