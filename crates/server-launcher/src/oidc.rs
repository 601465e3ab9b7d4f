//! The test OpenID provider (`xtask/oidc/provider.js`, oidc-provider on
//! loopback) as a child process: started, its issuer read from its one
//! stdout line, stopped when dropped. The API tests and `cargo xtask e2e`
//! start it the same way.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The provider script, from the workspace root.
pub const SCRIPT: &str = "xtask/oidc/provider.js";

/// A running provider.
pub struct OidcProvider {
    /// `http://127.0.0.1:PORT`, the `iss` of its tokens.
    pub issuer: String,
    child: Child,
    /// Held open: the provider exits when its stdin closes, so it never
    /// outlives whoever started it.
    _stdin: ChildStdin,
}

impl OidcProvider {
    /// Starts the provider of the workspace at `root` on a free port.
    pub fn start(root: &Path) -> Result<OidcProvider, String> {
        let script: PathBuf = root.join(SCRIPT);
        if !root.join("xtask/oidc/node_modules/oidc-provider").is_dir() {
            return Err(
                "oidc-provider is not installed in xtask/oidc: run `cargo xtask install`".into(),
            );
        }
        let mut child = Command::new("node")
            .arg(&script)
            .env("PORT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start node {}: {e}", script.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?)
            .read_line(&mut line)
            .map_err(|e| format!("the provider did not start: {e}"))?;
        // {"issuer":"http://127.0.0.1:PORT"}
        let issuer = line
            .split('"')
            .nth(3)
            .filter(|issuer| issuer.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| format!("the provider did not start: {line:?}"))?
            .to_owned();
        Ok(OidcProvider {
            issuer,
            child,
            _stdin: stdin,
        })
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
