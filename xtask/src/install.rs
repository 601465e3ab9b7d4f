//! Installs what the project needs, skipping what is already there at the
//! right version: the wasm target, Debian's binaryen, Chromium and
//! ChromeDriver, trunk, the wasm-bindgen CLI matching `Cargo.lock`,
//! axe-core (npm, pinned by `xtask/axe/package-lock.json`) for the
//! accessibility tests, and dom-accessibility-api (npm, pinned by
//! `xtask/a11y/package-lock.json`, bundled for the browser by esbuild from
//! the same lock file): the role and accessible-name engine of the browser
//! tests and the keyboard run, and oidc-provider (npm, pinned by
//! `xtask/oidc/package-lock.json`): the real OpenID provider of the identity tests.

use std::path::PathBuf;
use std::time::Instant;

use crate::shell::{command, first_line_of, on_path, run, workspace_root, Result};

/// trunk 0.22 needs a newer rustc than these machines have.
const TRUNK_VERSION: &str = "0.21.14";

/// Debian packages, each with a program that shows it is installed.
const APT_PACKAGES: [(&str, &str); 3] = [
    ("wasm-opt", "binaryen"),
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
];

/// Installs everything missing; quick when nothing is.
pub fn ensure_all() -> Result {
    let started = Instant::now();
    ensure_wasm_target()?;
    ensure_apt_packages()?;
    ensure_cargo_tool(
        "trunk",
        TRUNK_VERSION,
        &["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
    )?;
    let bindgen = wasm_bindgen_version()?;
    // `--locked` fails for this crate on these machines (a locked dependency is gone from the registry).
    ensure_cargo_tool(
        "wasm-bindgen",
        &bindgen,
        &["install", "wasm-bindgen-cli", "--version", &bindgen],
    )?;
    axe_script()?;
    a11y_script()?;
    oidc_provider()?;
    println!(
        "xtask: tools ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The axe-core release `xtask/axe/package-lock.json` pins.
pub const AXE_VERSION: &str = "4.14.1";

/// The path of axe-core's `axe.min.js` (installed with npm when missing or
/// not the pinned version); the accessibility tests compile it in.
pub fn axe_script() -> Result<PathBuf> {
    let dir = workspace_root().join("xtask/axe");
    let package = dir.join("node_modules/axe-core/package.json");
    let script = dir.join("node_modules/axe-core/axe.min.js");
    let installed = || {
        std::fs::read_to_string(&package)
            .is_ok_and(|text| text.contains(&format!("\"version\": \"{AXE_VERSION}\"")))
            && script.is_file()
    };
    if !installed() {
        npm_ci(&dir, &format!("axe-core {AXE_VERSION}"))?;
        if !installed() {
            return Err(format!(
                "{} is not axe-core {AXE_VERSION} after npm ci",
                script.display()
            ));
        }
    }
    Ok(script)
}

/// The oidc-provider release `xtask/oidc/package-lock.json` pins (the last
/// major that runs on Debian's Node.js 20).
pub const OIDC_PROVIDER_VERSION: &str = "8.8.1";

/// The path of the OpenID provider script the identity tests start
/// (its packages installed with npm when missing or not the pinned version).
pub fn oidc_provider() -> Result<PathBuf> {
    let dir = workspace_root().join("xtask/oidc");
    let package = dir.join("node_modules/oidc-provider/package.json");
    let installed = || {
        std::fs::read_to_string(&package)
            .is_ok_and(|text| text.contains(&format!("\"version\": \"{OIDC_PROVIDER_VERSION}\"")))
    };
    if !installed() {
        npm_ci(&dir, &format!("oidc-provider {OIDC_PROVIDER_VERSION}"))?;
        if !installed() {
            return Err(format!(
                "{} is not oidc-provider {OIDC_PROVIDER_VERSION} after npm ci",
                package.display()
            ));
        }
    }
    Ok(dir.join("provider.js"))
}

/// The dom-accessibility-api release `xtask/a11y/package-lock.json` pins.
pub const A11Y_VERSION: &str = "0.7.1";

/// The path of the browser script that defines `window.__a11y` (roles,
/// accessible names and descriptions by dom-accessibility-api): installed
/// with npm when missing or not the pinned version, and bundled again by
/// esbuild (`npm run bundle`) whenever it is older than its entry file or the
/// lock file. The browser tests compile it in; the keyboard run injects it.
pub fn a11y_script() -> Result<PathBuf> {
    let dir = workspace_root().join("xtask/a11y");
    let package = dir.join("node_modules/dom-accessibility-api/package.json");
    let esbuild = dir.join("node_modules/.bin/esbuild");
    let script = dir.join(A11Y_BUNDLE);
    let installed = || {
        std::fs::read_to_string(&package)
            .is_ok_and(|text| text.contains(&format!("\"version\": \"{A11Y_VERSION}\"")))
            && esbuild.is_file()
    };
    if !installed() {
        npm_ci(&dir, &format!("dom-accessibility-api {A11Y_VERSION}"))?;
        if !installed() {
            return Err(format!(
                "{} is not dom-accessibility-api {A11Y_VERSION} after npm ci",
                package.display()
            ));
        }
    }
    let modified = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let sources = ["entry.js", "package-lock.json"].map(|file| modified(&dir.join(file)));
    let bundled = modified(&script);
    if bundled.is_none() || sources.iter().any(|source| *source > bundled) {
        println!("xtask: bundling dom-accessibility-api for the browser");
        let mut npm = command("npm", &["run", "--silent", "bundle"]);
        npm.current_dir(&dir);
        run(npm)?;
    }
    if !script.is_file() {
        return Err(format!(
            "{} is missing after npm run bundle",
            script.display()
        ));
    }
    Ok(script)
}

/// Where the bundle goes, under `xtask/a11y/` (the browser tests include it from there).
const A11Y_BUNDLE: &str = "dist/a11y.js";

/// `npm ci` in `dir` (installing Node.js and npm from Debian first if missing).
pub fn npm_ci(dir: &std::path::Path, what: &str) -> Result {
    ensure_apt(&[("node", "nodejs"), ("npm", "npm")])?;
    println!("xtask: installing {what} with npm");
    let mut npm = command("npm", &["ci", "--no-audit", "--no-fund"]);
    npm.current_dir(dir);
    run(npm)
}

fn ensure_wasm_target() -> Result {
    let installed = first_line_of(
        "sh",
        &[
            "-c",
            "rustup target list --installed | grep -x wasm32-unknown-unknown",
        ],
    );
    if installed.is_some() {
        return Ok(());
    }
    println!("xtask: adding the wasm32-unknown-unknown target");
    run(command(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))
}

fn ensure_apt_packages() -> Result {
    ensure_apt(&APT_PACKAGES)
}

/// Installs the Debian packages whose program is not on `PATH`.
pub fn ensure_apt(packages: &[(&str, &str)]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(program, _)| !on_path(program))
        .map(|(_, package)| *package)
        .collect();
    apt_install(&missing)
}

/// Installs Debian packages (nothing when the list is empty).
pub fn apt_install(missing: &[&str]) -> Result {
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    // Root needs no sudo; anyone else needs it.
    let is_root = first_line_of("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if is_root {
            command("apt-get", args)
        } else {
            command("sudo", &[&["apt-get"], args].concat())
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(apt(&["update", "-qq"]))?;
    run(apt(&[
        &["install", "-y", "-qq", "--no-install-recommends"],
        missing,
    ]
    .concat()))
}

fn ensure_cargo_tool(program: &str, version: &str, install_args: &[&str]) -> Result {
    let current = first_line_of(program, &["--version"]).unwrap_or_default();
    if current.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    println!(
        "xtask: installing {program} {version} (found: {})",
        if current.is_empty() { "none" } else { &current }
    );
    run(command("cargo", install_args))
}

/// The wasm-bindgen version in `Cargo.lock`: the CLI must match it exactly.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that the wasm-bindgen CLI installed is the one Cargo.lock pins, not a look-alike package.
    #[test]
    fn reads_the_locked_version_of_exactly_that_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "trunk"), None);
    }

    // Guards that the axe-core version checked for is the one the lock file installs.
    #[test]
    fn axe_version_matches_the_lock_file() {
        let lock =
            std::fs::read_to_string(workspace_root().join("xtask/axe/package-lock.json")).unwrap();
        assert!(
            lock.contains(&format!("\"version\": \"{AXE_VERSION}\"")),
            "{lock}"
        );
    }

    // Guards that the dom-accessibility-api version checked for is the one the lock file installs.
    #[test]
    fn a11y_version_matches_the_lock_file() {
        let lock =
            std::fs::read_to_string(workspace_root().join("xtask/a11y/package-lock.json")).unwrap();
        let entry = lock
            .split("\"node_modules/dom-accessibility-api\"")
            .nth(1)
            .expect("the lock file pins dom-accessibility-api");
        assert!(
            entry.contains(&format!("\"version\": \"{A11Y_VERSION}\"")),
            "{lock}"
        );
    }

    // Guards that the workspace's own lock file pins wasm-bindgen.
    #[test]
    fn workspace_lock_pins_wasm_bindgen() {
        let version = wasm_bindgen_version().unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }
}
