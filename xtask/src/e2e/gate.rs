//! The enforcement end to end: the example pipeline gate
//! (`examples/pipeline-gate`) follows the change feed with a service token
//! from the OpenID provider and passes a tenant's records while Copilot is
//! on; an admin turns Copilot off in the page, and from then on the gate
//! drops that tenant's records. The lag from pressing "Turn off" to the
//! last record let through is measured and must stay under a second.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thirtyfour::Key;

use super::page::Page;
use super::{COPILOT, SWITCH};
use crate::shell::{workspace_root, Result};
use crate::support::site::Site;

/// Records sent to the gate per second.
const RECORD_EVERY: Duration = Duration::from_millis(20);
/// The longest a record may still pass after the opt-out was confirmed.
const DROP_WITHIN: Duration = Duration::from_secs(1);

pub async fn gate_drops_an_opted_out_tenant(site: &Site, page: &mut Page) -> Result {
    println!("xtask: e2e: the pipeline gate stops a tenant's records when Copilot is turned off");
    let tenant = site.new_tenant("US").await?;
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.turn_copilot_on().await?;
    page.wait("the panel to announce Saved", "status().includes('Saved')")
        .await?;

    // A service token for the gate, from the provider's client credentials.
    let token = site
        .service_token("pipeline", "consent.decisions.read")
        .await?;

    let binary = workspace_root().join("target/debug/pipeline-gate");
    let mut gate = Command::new(&binary)
        .args([
            "--api",
            &site.url,
            "--token",
            &token,
            "--max-stale-secs",
            "5",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut input = gate.stdin.take().ok_or("no stdin")?;
    let output = gate.stdout.take().ok_or("no stdout")?;

    // Records numbered in order, each with when it was sent.
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let passed: Arc<Mutex<Vec<usize>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (sent, stop, tenant) = (sent.clone(), stop.clone(), tenant.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                sent.lock().unwrap().push(Instant::now());
                let line =
                    format!("{{\"tenant\":\"{tenant}\",\"program\":\"copilot\",\"n\":{n}}}\n");
                if input
                    .write_all(line.as_bytes())
                    .and_then(|()| input.flush())
                    .is_err()
                {
                    break;
                }
                n += 1;
                std::thread::sleep(RECORD_EVERY);
            }
        })
    };
    let reader = {
        let passed = passed.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(output)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(n) = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|r| r["n"].as_u64())
                {
                    passed.lock().unwrap().push(n as usize);
                }
            }
        })
    };
    let outcome = async {
        // The gate lets the tenant's records through once it has read the feed.
        let started = Instant::now();
        while passed.lock().unwrap().is_empty() {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("the gate let no record through while Copilot was on".to_owned());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Turn Copilot off in the page.
        page.tab_to("switch", SWITCH).await?;
        page.press(&[Key::Space]).await?;
        page.tab_to("button", "Save").await?;
        page.press(&[Key::Enter]).await?;
        page.wait_for("alertdialog", "Turn off data sharing?").await?;
        page.tab_to("button", "Turn off").await?;
        let confirmed = Instant::now();
        page.press(&[Key::Enter]).await?;
        page.wait_row_state(COPILOT, "Off – deletion pending").await?;
        tokio::time::sleep(DROP_WITHIN + Duration::from_millis(500)).await;
        let last_passed = *passed.lock().unwrap().last().ok_or("nothing passed")?;
        let sent_at = sent.lock().unwrap()[last_passed];
        let lag = sent_at.saturating_duration_since(confirmed);
        let after = sent.lock().unwrap().len() - 1 - last_passed;
        println!(
            "xtask: e2e: gate: the last record let through was sent {} ms after \"Turn off\"; {after} records dropped since",
            lag.as_millis()
        );
        if lag > DROP_WITHIN {
            return Err(format!("the gate let records through for {lag:?} after the opt-out"));
        }
        if after < 10 {
            return Err(format!("only {after} records were sent after the opt-out"));
        }
        Ok(())
    }
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = writer.join();
    let _ = gate.wait();
    let _ = reader.join();
    outcome
}
