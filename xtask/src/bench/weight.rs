//! Page weight: every file of the production build, raw, gzip and brotli.

use std::path::Path;

use crate::shell::Result;

/// One file of the built app: raw, gzip and brotli sizes.
pub struct Asset {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Every asset of `dist/`, largest first (each route fetches only some: `page.rs`).
pub fn page_assets(dist: &Path) -> Result<Vec<Asset>> {
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len());
    let mut assets = Vec::new();
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() || name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let copy = |suffix: &str| size(&dist.join(format!("{name}.{suffix}")));
        let raw = size(&path).map_err(|e| format!("{name}: {e}"))?;
        let (gzip, brotli) = match (copy("gz"), copy("br")) {
            (Ok(gzip), Ok(brotli)) => (gzip, brotli),
            _ => {
                return Err(format!(
                    "dist/{name} has no .gz/.br copy: run cargo xtask dist"
                ))
            }
        };
        assets.push(Asset {
            name,
            raw,
            gzip,
            brotli,
        });
    }
    if !assets.iter().any(|a| a.name == "index.html") {
        return Err("dist/ has no index.html: run cargo xtask dist".to_owned());
    }
    assets.sort_by_key(|a| std::cmp::Reverse(a.raw));
    Ok(assets)
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}
