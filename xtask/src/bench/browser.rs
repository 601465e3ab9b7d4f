//! Cold loads in headless Chromium, driven through Debian's chromedriver.
//!
//! The few WebDriver commands needed (new session, navigate, run a script,
//! one Chrome DevTools command, end session) are JSON over loopback HTTP,
//! sent with the same small client as the load runs: lighter than a
//! WebDriver crate and nothing to download.
//!
//! Every load is cold: a new browser with a new, empty profile, so nothing
//! (HTTP cache, compiled WebAssembly, connections) survives from the one
//! before. Times come from the page's own Performance API, so WebDriver's
//! round trips are not in them.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::{json, Value};

use super::http::Connection;
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

/// Installed before any script of the page: records every CSP violation.
const RECORD_VIOLATIONS: &str = "window.__cspViolations = [];\
    document.addEventListener('securitypolicyviolation', e => \
    window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));";

/// Waits (polling every 10 ms, off the page's critical path) until every
/// mark named in `arguments[0]` exists; answers their start times and the
/// violations seen.
const WAIT_FOR_MARKS: &str = "const [names, done] = [arguments[0], arguments[arguments.length - 1]];\
    const started = Date.now();\
    (function poll() {\
      const marks = names.map(n => performance.getEntriesByName(n, 'mark')[0]);\
      if (marks.every(Boolean) || Date.now() - started > 15000) {\
        done({marks: marks.map(m => m ? m.startTime : null), csp: window.__cspViolations || [],\
              page: document.title + ' | ' + (document.body ? document.body.innerText.slice(0, 300) : '')});\
      } else { setTimeout(poll, 10); }\
    })();";

/// What the page fetched: the document and every resource, with timings.
const RESOURCES: &str = "const nav = performance.getEntriesByType('navigation')[0];\
    const row = (name, e, kind) => ({name, kind, start: e.startTime, end: e.responseEnd,\
      transfer: e.transferSize, body: e.encodedBodySize});\
    return [row(location.pathname, nav, 'document'), ...performance.getEntriesByType('resource')\
      .map(r => row(new URL(r.name).pathname + new URL(r.name).search, r, r.initiatorType))];";

/// The page as rendered, without its scripts: the markup of the static page.
const MARKUP: &str = "const page = document.documentElement.cloneNode(true);\
    page.querySelectorAll('script, link[rel=modulepreload], link[rel=preload]').forEach(e => e.remove());\
    return '<!doctype html>\\n' + page.outerHTML;";

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

    /// Runs `source` in every new document before its own scripts.
    pub async fn before_every_page(&mut self, source: &str) -> Result {
        let params =
            json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}});
        self.call(Method::POST, "/goog/cdp/execute", Some(params))
            .await
            .map(drop)
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

    /// Runs a script that answers by calling its last argument.
    pub async fn execute_async(&mut self, script: &str, args: Value) -> Result<Value> {
        self.call(
            Method::POST,
            "/execute/async",
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

/// What one cold load saw.
pub struct ColdLoad {
    /// The start time of each mark asked for, in ms from navigation start.
    pub marks: Vec<f64>,
    /// Content-Security-Policy violations the page reported.
    pub violations: Vec<String>,
}

/// One fetch of the page, from the Resource Timing API.
pub struct Resource {
    pub name: String,
    pub kind: String,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Bytes on the wire, headers included.
    pub transfer: u64,
    /// The body as sent (compressed, if it was).
    pub body: u64,
}

/// Loads `url` in a new browser and waits for `marks`; with `inspect`, also
/// answers what the page fetched and its rendered markup.
pub async fn cold_load(
    driver: &mut ChromeDriver,
    url: &str,
    marks: &[&str],
    inspect: bool,
) -> Result<(ColdLoad, Option<(Vec<Resource>, String)>)> {
    let mut session = driver.session().await?;
    let outcome = async {
        session.before_every_page(RECORD_VIOLATIONS).await?;
        session.navigate(url).await?;
        let seen = session
            .execute_async(WAIT_FOR_MARKS, json!([marks]))
            .await?;
        let times: Option<Vec<f64>> = seen["marks"]
            .as_array()
            .and_then(|m| m.iter().map(Value::as_f64).collect());
        let times = times.ok_or_else(|| {
            format!(
                "{url}: the marks {marks:?} never appeared; the page shows {}; CSP violations: {}",
                seen["page"], seen["csp"]
            )
        })?;
        let violations = seen["csp"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|s| s.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let inspected = if inspect {
            let resources = session.execute(RESOURCES, json!([])).await?;
            let markup = session.execute(MARKUP, json!([])).await?;
            Some((
                resources_from(&resources),
                markup.as_str().unwrap_or_default().to_owned(),
            ))
        } else {
            None
        };
        Ok::<_, String>((
            ColdLoad {
                marks: times,
                violations,
            },
            inspected,
        ))
    }
    .await;
    session.close().await;
    outcome
}

fn resources_from(value: &Value) -> Vec<Resource> {
    let number = |v: &Value| v.as_f64().unwrap_or(0.0);
    value
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| Resource {
                    name: r["name"].as_str().unwrap_or_default().to_owned(),
                    kind: r["kind"].as_str().unwrap_or_default().to_owned(),
                    start_ms: number(&r["start"]),
                    end_ms: number(&r["end"]),
                    transfer: number(&r["transfer"]) as u64,
                    body: number(&r["body"]) as u64,
                })
                .collect()
        })
        .unwrap_or_default()
}
