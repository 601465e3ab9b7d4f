//! Cold loads in headless Chromium (see `crate::support::browser`).
//!
//! Every load is cold: a new browser with a new, empty profile, so nothing
//! (HTTP cache, compiled WebAssembly, connections) survives from the one
//! before. Times come from the page's own Performance API, so WebDriver's
//! round trips are not in them.

use serde_json::{json, Value};

use crate::shell::Result;
use crate::support::browser::{ChromeDriver, Session};

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

/// How a cold load's browser is held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conditions {
    /// Loopback at full speed.
    Loopback,
    /// A mid-range phone on Slow 4G: 150 ms round trips, 1.6 Mbit/s down,
    /// 750 kbit/s up, and the CPU four times slower (Chrome's own emulation).
    SlowPhone,
}

/// Loads `url` in a new browser under `conditions` and waits for `marks`;
/// with `inspect`, also answers what the page fetched and its rendered markup.
pub async fn cold_load(
    driver: &mut ChromeDriver,
    url: &str,
    marks: &[&str],
    inspect: bool,
    conditions: Conditions,
) -> Result<(ColdLoad, Option<(Vec<Resource>, String)>)> {
    let session = driver.session().await?;
    let outcome = async {
        session.before_every_page(RECORD_VIOLATIONS).await?;
        emulate(&session, conditions).await?;
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
            // What the page asks for once the marks are set (code it fetches
            // ahead, while the person reads) is not part of reaching them.
            let last_mark = times.iter().copied().fold(0.0, f64::max);
            let mut resources = resources_from(&resources);
            resources.retain(|r| r.start_ms <= last_mark);
            Some((resources, markup.as_str().unwrap_or_default().to_owned()))
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

/// Holds `session`'s browser back as `conditions` say.
async fn emulate(session: &Session, conditions: Conditions) -> Result {
    if conditions == Conditions::SlowPhone {
        session.devtools("Network.enable", json!({})).await?;
        session
            .devtools(
                "Network.emulateNetworkConditions",
                json!({
                    "offline": false,
                    "latency": 150,
                    "downloadThroughput": 200_000,
                    "uploadThroughput": 93_750,
                }),
            )
            .await?;
        session
            .devtools("Emulation.setCPUThrottlingRate", json!({ "rate": 4 }))
            .await?;
    }
    Ok(())
}

/// Waits `arguments[1]` ms (the person reads the list), clicks the first
/// setting, and answers the ms until the mark `arguments[0]`; `null` after 15 s.
const OPEN_FIRST_SETTING: &str = "const [mark, reading, done] = arguments;\
    setTimeout(() => {\
      const clicked = performance.now();\
      document.querySelector('a.ts-setting__name').click();\
      (function poll() {\
        const m = performance.getEntriesByName(mark, 'mark')[0];\
        if (m) { done(m.startTime - clicked); }\
        else if (performance.now() - clicked > 15000) { done(null); }\
        else { setTimeout(poll, 10); }\
      })();\
    }, reading);";

/// Cold loads `url` (the settings list) under `conditions`, waits for its
/// live data (`listed`), lets the person read for `reading_ms`, opens the
/// first setting and answers the ms from the click to the mark `opened`.
pub async fn open_setting_from_list(
    driver: &mut ChromeDriver,
    url: &str,
    [listed, opened]: [&str; 2],
    reading_ms: u64,
    conditions: Conditions,
) -> Result<f64> {
    let session = driver.session().await?;
    let outcome = async {
        emulate(&session, conditions).await?;
        session.navigate(url).await?;
        let seen = session
            .execute_async(WAIT_FOR_MARKS, json!([[listed]]))
            .await?;
        if seen["marks"][0].is_null() {
            return Err(format!(
                "{url}: the list never showed; the page shows {}",
                seen["page"]
            ));
        }
        let took = session
            .execute_async(OPEN_FIRST_SETTING, json!([opened, reading_ms]))
            .await?;
        took.as_f64()
            .ok_or_else(|| format!("{url}: the setting opened never reached {opened}"))
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
