//! The evidence an auditor takes away from the page: the signed ledger and
//! a signed receipt, downloaded with the keyboard from the history into a
//! real download folder, then checked by the offline verifier
//! (`consent-api ledger verify --in FILE --jwks FILE`) with nothing but the
//! published keys. One changed byte in either file is refused with its line
//! named.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::Key;

use super::page::Page;
use super::COPILOT;
use crate::shell::{workspace_root, Result};
use crate::support::site::Site;

/// How long a download may take to appear, complete, in the folder.
const DOWNLOAD_DEADLINE: Duration = Duration::from_secs(10);

pub async fn downloads_verify_offline(site: &Site, page: &mut Page, work: &Path) -> Result {
    println!(
        "xtask: e2e: the signed ledger and a signed receipt, saved from the page, verify offline"
    );
    let tenant = site.new_tenant("US").await?;
    page.session
        .navigate(&format!("{}/settings?dev_tenant={tenant}", site.url))
        .await?;
    page.turn_copilot_on().await?;
    page.wait_row_state(COPILOT, "On").await?;

    let downloads = work.join(format!("downloads-{tenant}"));
    std::fs::create_dir_all(&downloads)
        .map_err(|e| format!("cannot create {}: {e}", downloads.display()))?;
    page.session
        .devtools(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": downloads.to_string_lossy()}),
        )
        .await?;
    page.session
        .navigate(&format!("{}/history?dev_tenant={tenant}", site.url))
        .await?;
    page.wait_for("link", "View receipt").await?;
    page.tab_to("button", "Export signed ledger").await?;
    page.press(&[Key::Enter]).await?;
    let ledger = downloaded(&downloads, &format!("ledger-{tenant}.jsonl")).await?;

    page.tab_to("link", "View receipt").await?;
    page.press(&[Key::Enter]).await?;
    page.wait_for("heading", "Consent receipt").await?;
    page.tab_to("button", "Download signed receipt").await?;
    page.press(&[Key::Enter]).await?;
    let receipt =
        downloaded_like(&downloads, &format!("{tenant}-consent-receipt-"), ".jws").await?;

    let jwks = downloads.join("jwks.json");
    let keys = crate::support::http::client()?
        .get(format!("{}/.well-known/jwks.json", site.url))
        .send()
        .await
        .map_err(|e| format!("reading the public keys: {e}"))?
        .text()
        .await
        .map_err(|e| format!("reading the public keys: {e}"))?;
    write(&jwks, keys.as_bytes())?;

    expect_verified(&ledger, &jwks, &format!("ok: tenant {tenant}, "))?;
    expect_verified(
        &receipt,
        &jwks,
        &format!("for tenant {tenant}, event hash "),
    )?;

    // One byte changed in the event line of the ledger: the hash no longer
    // matches what was signed.
    let text = read(&ledger)?;
    let first_line = text.lines().next().unwrap_or_default();
    let at = first_line
        .find("\"opted_in\"")
        .ok_or("the exported event is not the opt-in")?
        + 1;
    expect_refused(
        &ledger,
        &jwks,
        &with_byte_changed(&text, at),
        "line 1: edited",
    )?;
    // One byte changed in the signed content of the receipt.
    let token = read(&receipt)?;
    let at = token.find('.').ok_or("the receipt is not a compact JWS")? + 12;
    expect_refused(
        &receipt,
        &jwks,
        &with_byte_changed(&token, at),
        "line 1: bad signature",
    )?;
    println!("xtask: e2e: both files verified, and each one-byte change was refused with its line");
    Ok(())
}

/// `text` with the ASCII byte at `at` replaced by another letter.
pub(super) fn with_byte_changed(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    String::from_utf8(bytes).expect("an ASCII byte was replaced")
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Runs the offline verifier; answers whether it accepted, and what it said.
fn verify(file: &Path, jwks: &Path) -> Result<(bool, String)> {
    let output = Command::new(workspace_root().join("target/debug/consent-api"))
        .args(["ledger", "verify", "--in"])
        .arg(file)
        .arg("--jwks")
        .arg(jwks)
        .output()
        .map_err(|e| format!("cannot run the verifier: {e}"))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), said.trim().to_owned()))
}

pub(super) fn expect_verified(file: &Path, jwks: &Path, saying: &str) -> Result {
    let (holds, said) = verify(file, jwks)?;
    if holds && said.contains(saying) {
        println!("xtask: e2e: {}: {said}", file.display());
        Ok(())
    } else {
        Err(format!(
            "the verifier should accept {} saying {saying:?}; it said: {said}",
            file.display()
        ))
    }
}

/// Writes `doctored` beside `file` and expects the verifier to refuse it, naming `line`.
pub(super) fn expect_refused(file: &Path, jwks: &Path, doctored: &str, line: &str) -> Result {
    let copy = file.with_extension(format!(
        "changed.{}",
        file.extension().and_then(|e| e.to_str()).unwrap_or("txt")
    ));
    write(&copy, doctored.as_bytes())?;
    let (holds, said) = verify(&copy, jwks)?;
    if !holds && said.contains(line) {
        println!("xtask: e2e: one byte changed: {said}");
        Ok(())
    } else {
        Err(format!(
            "the verifier should refuse {} naming {line:?}; it said: {said}",
            copy.display()
        ))
    }
}

/// Waits for the complete download `name` in `folder`.
async fn downloaded(folder: &Path, name: &str) -> Result<PathBuf> {
    downloaded_like(folder, name, "").await
}

/// Waits for a complete download in `folder` whose name starts with
/// `prefix` and ends with `suffix` (Chromium writes `*.crdownload` first).
pub(super) async fn downloaded_like(folder: &Path, prefix: &str, suffix: &str) -> Result<PathBuf> {
    let started = Instant::now();
    loop {
        let found = std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with(prefix) && n.ends_with(suffix) && !n.ends_with(".crdownload")
                })
            });
        if let Some(path) = found {
            return Ok(path);
        }
        if started.elapsed() > DOWNLOAD_DEADLINE {
            return Err(format!(
                "no download named {prefix}…{suffix} appeared in {} within {DOWNLOAD_DEADLINE:?}",
                folder.display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
