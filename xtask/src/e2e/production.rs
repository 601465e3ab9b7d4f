//! The production set-up, end to end: a server without `--dev` started as
//! README's production command starts it (tokens from an OpenID provider,
//! no shared key), a tenant registered with `consent-api tenants import`,
//! and the app mounted by a host page with `getToken` handing out a token
//! the provider signed. The admin saves a change and the history names them.

use std::path::Path;

use serde_json::{json, Value};
use server_launcher::oidc::OidcProvider;
use server_launcher::Launch;
use thirtyfour::Key;

use super::page::Page;
use super::COPILOT;
use crate::shell::{command, run, workspace_root, Result};
use crate::support::http;

/// The person the provider signs in: a portal role name mapped to admin.
const PERSON: &str = "Pat Portal";

/// Mounts the app into the host page's element the way a portal does
/// (module, wasm and stylesheet read from the app's own page), with a
/// `getToken` that hands out `arguments[0]`.
const MOUNT: &str = r#"
const [token, done] = arguments;
(async () => {
  const page = new DOMParser().parseFromString(await (await fetch("/")).text(), "text/html");
  const href = (selector) => page.querySelector(selector).getAttribute("href");
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = href('link[rel="stylesheet"]');
  document.head.append(style);
  const { default: init, mount } = await import(href('link[rel="modulepreload"]'));
  await init({ module_or_path: href('link[rel="preload"][type="application/wasm"]') });
  history.replaceState(null, "", "/portal/data-sharing/settings");
  // Kept, as a portal keeps it: a dropped handle unmounts the app when collected.
  window.tenantSettings = mount(document.getElementById("tenant-settings"), {
    apiBaseUrl: "",
    tenant: "contoso",
    getToken: async () => token,
    locale: "en",
    basePath: "/portal/data-sharing",
  });
  done("mounted");
})().catch((error) => done("failed: " + error));
"#;

pub async fn production_identity(dist: &Path, page: &mut Page, work: &Path) -> Result {
    println!("xtask: e2e: production mode, a provider's token, an imported tenant");
    let root = workspace_root();
    let provider = OidcProvider::start(&root)?;
    let data_dir = work.join("production-data");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let tenants = work.join("tenants.csv");
    std::fs::write(&tenants, "id,name,region\ncontoso,Contoso Ltd,US\n")
        .map_err(|e| format!("{}: {e}", tenants.display()))?;
    let binary = root.join("target/debug/consent-api");
    let binary_arg = binary.to_string_lossy().into_owned();
    let data_arg = data_dir.to_string_lossy().into_owned();
    let content_arg = root.join("content").to_string_lossy().into_owned();
    let tenants_arg = tenants.to_string_lossy().into_owned();
    run(command(
        &binary_arg,
        &[
            "tenants",
            "import",
            "--file",
            &tenants_arg,
            "--data-dir",
            &data_arg,
            "--content-dir",
            &content_arg,
        ],
    ))?;
    let key_file = data_dir.join("ledger-key.json");
    let key_arg = key_file.to_string_lossy().into_owned();
    run(command(
        &binary_arg,
        &["keys", "generate", "--out", &key_arg],
    ))?;
    // README's production command, on a free loopback port.
    let server = Launch::new(&binary)
        .arg("--static-dir")
        .arg(dist)
        .args(["--data-dir", &data_arg, "--content-dir", &content_arg])
        .args(["--ledger-key-file", &key_arg])
        .args([
            "--oidc-issuer",
            &provider.issuer,
            "--token-audience",
            "tenant-settings",
        ])
        .args([
            "--admin-role",
            "Global admin",
            "--reader-role",
            "Reports reader",
        ])
        .args(["--bind", "127.0.0.1:0"])
        .log_to(work.join("production.log"))
        .start()?;
    let client = http::client()?;
    let minted: Value = client
        .post(format!("{}/test/user-token", provider.issuer))
        .json(&json!({"alg": "ES256", "claims": {"sub": "u-pat", "name": PERSON, "tenant": "contoso", "roles": ["Global admin"]}}))
        .send()
        .await
        .map_err(|e| format!("the provider does not answer: {e}"))?
        .json()
        .await
        .map_err(|e| format!("the provider's answer: {e}"))?;
    let token = minted["token"]
        .as_str()
        .ok_or("the provider minted no token")?
        .to_owned();

    let outcome = async {
        // No development identities in production.
        let dev = client
            .post(server.url("/api/v1/dev/token"))
            .json(&json!({"tenant": "contoso", "role": "admin"}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if dev.status() != 404 {
            return Err(format!(
                "the development token route answered {} in production",
                dev.status()
            ));
        }
        page.session
            .navigate(&server.url("/host/index.html"))
            .await?;
        let mounted = page.session.execute_async(MOUNT, json!([token])).await?;
        if mounted != "mounted" {
            return Err(format!("the app was not mounted: {mounted}"));
        }
        page.turn_copilot_on().await?;
        page.wait("the panel to announce Saved", "status().includes('Saved')")
            .await?;
        page.wait_row_state(COPILOT, "On").await?;
        // The history, in the app, names the person the provider signed in.
        page.tab_to("link", "View history").await?;
        page.press(&[Key::Enter]).await?;
        page.session
            .wait_until(
                "the history to name the person",
                &format!("document.body.innerText.includes({})", json!(PERSON)),
            )
            .await?;
        Ok(())
    }
    .await;
    if outcome.is_err() {
        let shown = page
            .session
            .execute("return document.body.innerText.slice(0, 800);", json!([]))
            .await
            .unwrap_or_default();
        let console = page.session.console().await.unwrap_or_default();
        println!(
            "xtask: e2e: the host page shows {shown}\nthe console says: {}",
            console.join("\n")
        );
    }
    outcome.map_err(|e| format!("{e}\n{}", server.log_tail()))
}
