//! `cargo xtask dist`: the production build.
//!
//! - the app into `dist/`: the HTML and CSS by trunk, the code split into a
//!   main module and a chunk per screen (`split.rs`), every asset named after
//!   a hash of its final bytes, with a `.br` and a `.gz` copy of every asset
//!   so the server sends compressed bytes without compressing per request;
//! - the consent API server in its release profile (`target/server/consent-api`).
//!
//! wasm-opt comes from the npm package binaryen (`xtask/binaryen/`),
//! not Debian's binaryen 108: 108 rewrites a module with two tables (the
//! externref table wasm-bindgen adds) so that the export names the wrong
//! table, and the built app fails at start in every browser. esbuild,
//! pinned in the same place, minifies the JS that wasm-bindgen writes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::shell::{command, first_line_of, run, workspace_root, Result};

mod split;

pub use split::MAIN_MODULE as SPLIT_MAIN_MODULE;

/// The binaryen release `xtask/binaryen/package-lock.json` pins.
const BINARYEN_VERSION: &str = "132";

/// The esbuild release `xtask/binaryen/package-lock.json` pins.
const ESBUILD_VERSION: &str = "0.25.12";

/// Files that are not worth a compressed copy (already compressed).
const PRECOMPRESSED: [&str; 3] = ["br", "gz", "png"];

/// The size of one built asset, raw and compressed.
pub struct AssetSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Builds everything; returns the assets' sizes (also printed).
pub fn dist() -> Result<Vec<AssetSize>> {
    crate::install::ensure_all()?;
    let sizes = build_app(&workspace_root().join("dist"))?;
    run(command(
        "cargo",
        &["build", "--profile", "server", "--package", "consent-api"],
    ))?;
    print_sizes(&sizes);
    println!("xtask: the app is in dist/, the server is target/server/consent-api");
    Ok(sizes)
}

/// Builds the app into `site` (emptied first), as `cargo xtask dist` does:
/// what the server serves in production, and what the keyboard run and the
/// screenshots look at.
pub fn build_app(site: &Path) -> Result<Vec<AssetSize>> {
    run(command("cargo", &["fetch"]))?;
    let _ = std::fs::remove_dir_all(site);
    let index = std::fs::read_to_string(workspace_root().join("index.html"))
        .map_err(|e| format!("cannot read index.html: {e}"))?;
    let (page, wasm_opt_flags) = skipping_rust_link(&index)?;
    // trunk builds the HTML and the CSS from a copy of the page whose rust
    // link it skips; the copy sits beside index.html so its paths resolve.
    let page_path = workspace_root().join(".dist-index.html");
    write(&page_path, page.as_bytes())?;
    let site_arg = site.to_string_lossy().into_owned();
    let page_arg = page_path.to_string_lossy().into_owned();
    let trunk = run(command(
        "trunk",
        &[
            "build",
            "--release",
            "--offline",
            "--dist",
            &site_arg,
            &page_arg,
        ],
    ));
    let _ = std::fs::remove_file(&page_path);
    trunk?;
    // trunk's CSS first: the split build names its own files (its two JS
    // files after the whole build, which this renaming would undo).
    name_after_content(site)?;
    let tools = release_tools()?;
    let flags: Vec<&str> = wasm_opt_flags.split_whitespace().collect();
    split::build(site, &tools, &flags)?;
    compress_assets(site)
}

/// The page with trunk's rust link marked to be skipped, and that link's
/// wasm-opt features (`data-wasm-opt-params`), which the split build passes
/// to wasm-opt.
fn skipping_rust_link(index: &str) -> Result<(String, String)> {
    let start = index
        .find("<link data-trunk rel=\"rust\"")
        .ok_or("index.html has no <link data-trunk rel=\"rust\">")?;
    let end = start
        + index[start..]
            .find('>')
            .ok_or("the rust link is not closed")?
        + 1;
    let link = &index[start..end];
    let params = link
        .split("data-wasm-opt-params=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let skipped = link.replacen("<link ", "<link data-trunk-skip ", 1);
    Ok((
        format!("{}{skipped}{}", &index[..start], &index[end..]),
        params,
    ))
}

/// The release build's pinned npm tools.
pub struct ReleaseTools {
    /// binaryen's optimiser, run on every module.
    pub wasm_opt: PathBuf,
    /// Minifies the JS glue and the chunk loader.
    pub esbuild: PathBuf,
}

/// The pinned wasm-opt and esbuild (installed with npm when missing).
fn release_tools() -> Result<ReleaseTools> {
    let dir = workspace_root().join("xtask/binaryen");
    let tools = ReleaseTools {
        wasm_opt: dir.join("node_modules/.bin/wasm-opt"),
        esbuild: dir.join("node_modules/.bin/esbuild"),
    };
    let installed = |tools: &ReleaseTools| {
        let version = |tool: &Path| first_line_of(&tool.to_string_lossy(), &["--version"]);
        version(&tools.wasm_opt)
            .is_some_and(|line| line.contains(&format!("version {BINARYEN_VERSION} ")))
            && version(&tools.esbuild).is_some_and(|line| line.trim() == ESBUILD_VERSION)
    };
    if !installed(&tools) {
        crate::install::npm_ci(
            &dir,
            &format!("wasm-opt (binaryen {BINARYEN_VERSION}) and esbuild {ESBUILD_VERSION}"),
        )?;
        if !installed(&tools) {
            return Err(format!(
                "{} is not binaryen {BINARYEN_VERSION} and esbuild {ESBUILD_VERSION} after npm ci",
                dir.display()
            ));
        }
    }
    Ok(tools)
}

/// Renames trunk's hashed assets after a hash of their final bytes, and
/// points `index.html` at the new names.
///
/// trunk hashes the wasm as cargo built it, before wasm-bindgen and
/// wasm-opt: a new version of either changes the bytes but not the name.
/// Served `immutable`, the old bytes would then stay in browsers' caches
/// under that name, and fail the new page's integrity check.
pub fn name_after_content(dir: &Path) -> Result {
    let index_path = dir.join("index.html");
    let mut index = std::fs::read_to_string(&index_path)
        .map_err(|e| format!("cannot read {}: {e}", index_path.display()))?;
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some((base, rest)) = split_hashed_name(&name) else {
            continue;
        };
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let hash = split::content_hash(&bytes);
        let renamed = format!("{base}-{hash}{rest}");
        if renamed != name {
            std::fs::rename(&path, dir.join(&renamed))
                .map_err(|e| format!("cannot rename {name}: {e}"))?;
            index = index.replace(&name, &renamed);
        }
    }
    write(&index_path, index.as_bytes())
}

/// `("tenant-settings", "_bg.wasm")` for `tenant-settings-c849ab339f0c74fe_bg.wasm`:
/// the name before trunk's hash and what follows it; `None` without a hash.
fn split_hashed_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.split('.').next()?;
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let (base, hash) = stem.rsplit_once('-')?;
    let hashed = !base.is_empty()
        && (1..=16).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_hexdigit());
    hashed.then(|| (base, &name[base.len() + 1 + hash.len()..]))
}

/// Writes `<file>.br` and `<file>.gz` beside every asset of `dir`.
pub fn compress_assets(dir: &Path) -> Result<Vec<AssetSize>> {
    let mut sizes = Vec::new();
    for path in files(dir)? {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if PRECOMPRESSED.contains(&ext) {
            continue;
        }
        let raw =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let gzip = gzip(&raw);
        let brotli = brotli(&raw);
        write(&with_suffix(&path, "gz"), &gzip)?;
        write(&with_suffix(&path, "br"), &brotli)?;
        let name = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        sizes.push(AssetSize {
            name,
            raw: raw.len() as u64,
            gzip: gzip.len() as u64,
            brotli: brotli.len() as u64,
        });
    }
    sizes.sort_by_key(|s| std::cmp::Reverse(s.raw));
    Ok(sizes)
}

/// A table of asset sizes with a total line.
pub fn print_sizes(sizes: &[AssetSize]) {
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "asset", "raw", "gzip", "brotli"
    );
    for s in sizes {
        println!(
            "{:<48} {:>10} {:>10} {:>10}",
            s.name, s.raw, s.gzip, s.brotli
        );
    }
    let total = |f: fn(&AssetSize) -> u64| sizes.iter().map(f).sum::<u64>();
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "total",
        total(|s| s.raw),
        total(|s| s.gzip),
        total(|s| s.brotli)
    );
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

pub(super) fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn brotli(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params).expect("compressing in memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    // Guards that hashed assets are renamed after their bytes and the index follows.
    #[test]
    fn hashed_names_follow_the_final_bytes() {
        assert_eq!(
            split_hashed_name("app-c849ab339f0c74fe_bg.wasm"),
            Some(("app", "_bg.wasm"))
        );
        assert_eq!(
            split_hashed_name("tenant-settings-9ab.js"),
            Some(("tenant-settings", ".js"))
        );
        assert_eq!(split_hashed_name("index.html"), None);
        assert_eq!(split_hashed_name("main-notahash.css"), None);

        let dir = std::env::temp_dir().join(format!("xtask-rehash-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "export default 1;").unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<link rel=modulepreload href=\"/app-0123456789abcdef.js\"><script>import '/app-0123456789abcdef.js'</script>",
        )
        .unwrap();
        name_after_content(&dir).unwrap();
        let renamed = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".js"))
            .unwrap();
        assert_ne!(renamed, "app-0123456789abcdef.js");
        let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert_eq!(index.matches(&renamed).count(), 2, "{index}");
        assert!(!index.contains("0123456789abcdef"));
        name_after_content(&dir).unwrap();
        assert!(dir.join(&renamed).exists(), "a second run changes nothing");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // Guards that trunk skips the page's rust link (the split build replaces
    // it) and that wasm-opt gets the features the link names.
    #[test]
    fn the_rust_link_is_skipped_and_its_features_kept() {
        let index = std::fs::read_to_string(workspace_root().join("index.html")).unwrap();
        let (page, flags) = skipping_rust_link(&index).unwrap();
        assert!(flags.contains("--enable-bulk-memory"), "{flags}");
        assert_eq!(
            page.matches("<link data-trunk-skip data-trunk rel=\"rust\"")
                .count(),
            1
        );
        let served = split::without_skipped_link(&page);
        assert!(!served.contains("rel=\"rust\""), "{served}");
        assert!(served.contains("<main id=\"app\">"));
        assert!(skipping_rust_link("<html></html>").is_err());
    }

    // Guards that the versions dist checks for are the ones the lock file installs.
    #[test]
    fn release_tool_versions_match_the_lock_file() {
        let lock =
            std::fs::read_to_string(workspace_root().join("xtask/binaryen/package-lock.json"))
                .unwrap();
        assert!(
            lock.contains(&format!("\"version\": \"{BINARYEN_VERSION}.0.0\"")),
            "{lock}"
        );
        assert!(
            lock.contains(&format!("\"version\": \"{ESBUILD_VERSION}\"")),
            "{lock}"
        );
    }

    // Guards that the compressed copies decode to the very bytes of the asset.
    #[test]
    fn compressed_copies_round_trip() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let text = "body { color: var(--ts-text); }\n".repeat(200);
        std::fs::write(dir.join("sub/app.css"), &text).unwrap();
        std::fs::write(dir.join("logo.png"), b"not really a png").unwrap();
        let sizes = compress_assets(&dir).unwrap();
        assert_eq!(sizes.len(), 1, "png is not compressed again");
        assert!(sizes[0].brotli < sizes[0].raw / 10 && sizes[0].gzip < sizes[0].raw / 10);

        let mut gunzipped = String::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("sub/app.css.gz")).unwrap()[..])
            .read_to_string(&mut gunzipped)
            .unwrap();
        assert_eq!(gunzipped, text);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(
            &mut &std::fs::read(dir.join("sub/app.css.br")).unwrap()[..],
            &mut unbrotlied,
        )
        .unwrap();
        assert_eq!(unbrotlied, text.as_bytes());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
