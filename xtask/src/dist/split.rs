//! The app's code, split: a main module with the settings list, and a chunk
//! per other screen that loads when the screen is first shown.
//!
//! trunk cannot split a module, so this does what cargo-leptos `--split` does:
//!
//! 1. cargo builds the library with the `split` feature, linked with
//!    `--emit-relocs` so the splitter can move code between modules;
//! 2. `wasm_split_cli_support` splits it into the main module, the chunks,
//!    and `__wasm_split.js`, the loader the main module imports;
//! 3. wasm-bindgen (the pinned CLI) writes the JS glue of the main module,
//!    keeping the exports the chunks link against;
//! 4. wasm-opt shrinks every module, esbuild the two JS files;
//! 5. every file is named after its content and the page's `index.html`
//!    preloads the main module and its loader and starts the app.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

use super::{write, ReleaseTools};
use crate::shell::{command, run, workspace_root, Result};

/// The app's name in its built files (`tenant-settings-<hash>.js`).
const APP: &str = "tenant-settings";

/// The loader module the splitter writes and the main module imports.
const LOADER: &str = "__wasm_split.js";

/// Where the split build works: the splitter's and wasm-bindgen's output.
const WORK_DIR: &str = "target/split";

/// The split main module before wasm-bindgen, function names kept (the
/// bench reads what it is made of), relative to the workspace.
pub const MAIN_MODULE: &str = "target/split/main.wasm";

/// Builds the split app and writes it into `site` beside trunk's HTML and CSS;
/// `wasm_opt_flags` are the features wasm-opt is to allow.
pub fn build(site: &Path, tools: &ReleaseTools, wasm_opt_flags: &[&str]) -> Result {
    let mut cargo = command(
        "cargo",
        &[
            "rustc",
            "--package",
            APP,
            "--lib",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--features",
            "split",
            "--",
            "-Clink-arg=--emit-relocs",
        ],
    );
    // Leptos's type-erased views: smaller code for the same page. Only the
    // release wasm build sees the flags (trunk serve and the tests build debug).
    let mut flags = vec!["--cfg erase_components".to_owned()];
    // Panic messages name source files; from the crate's folder on, not
    // from where this machine keeps them (shorter, and no build paths shipped).
    // The variable splits on spaces, so a folder with one keeps its full path.
    for prefix in source_prefixes() {
        let prefix = prefix.to_string_lossy();
        if !prefix.contains(char::is_whitespace) {
            flags.push(format!("--remap-path-prefix={prefix}="));
        }
    }
    cargo.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        flags.join(" "),
    );
    run(cargo)?;
    let linked =
        workspace_root().join("target/wasm32-unknown-unknown/release/tenant_settings.wasm");
    let work = workspace_root().join(WORK_DIR);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    let input = read(&linked)?;
    let main_split = workspace_root().join(MAIN_MODULE);
    let entry_module = format!("./{APP}.js");
    let loader_module = format!("./{LOADER}");
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &work;
        options.main_out_path = &main_split;
        options.main_module = &entry_module;
        options.link_name = &loader_module;
        wasm_split_cli_support::transform(options)
            .map_err(|e| format!("splitting {}: {e:#}", linked.display()))?
    };

    let bindgen_out = work.to_string_lossy().into_owned();
    let main_split_arg = main_split.to_string_lossy().into_owned();
    run(command(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-demangle",
            "--no-typescript",
            "--out-name",
            APP,
            "--out-dir",
            &bindgen_out,
            &main_split_arg,
        ],
    ))?;

    let main_wasm = work.join(format!("{APP}_bg.wasm"));
    let mut modules = vec![main_wasm.clone()];
    modules.extend(split.split_modules.iter().cloned());
    for module in &modules {
        let module = module.to_string_lossy().into_owned();
        let mut args = vec!["-Oz"];
        args.extend_from_slice(wasm_opt_flags);
        args.extend_from_slice(&[&module, "-o", &module]);
        run(command(&tools.wasm_opt.to_string_lossy(), &args))?;
    }

    name_and_place(
        &work,
        &main_wasm,
        &split.split_modules,
        site,
        &tools.esbuild,
    )
}

/// Where the app's sources and its dependencies' sources live on this
/// machine: the workspace and each crate registry's source folder.
fn source_prefixes() -> Vec<PathBuf> {
    let mut prefixes = vec![workspace_root().join("")];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    if let Some(cargo_home) = cargo_home {
        let registries = std::fs::read_dir(cargo_home.join("registry/src"))
            .into_iter()
            .flatten();
        prefixes.extend(registries.flatten().map(|entry| entry.path().join("")));
    }
    prefixes
}

/// `text`, the JS file `name`, minified by esbuild (names kept where other
/// modules see them: exports, imports and their sources).
fn minified(esbuild: &Path, work: &Path, name: &str, text: &str) -> Result<String> {
    let source = work.join(format!("full-{name}"));
    let out = work.join(format!("min-{name}"));
    write(&source, text.as_bytes())?;
    run(command(
        &esbuild.to_string_lossy(),
        &[
            &source.to_string_lossy(),
            "--minify",
            "--format=esm",
            "--log-level=warning",
            // wasm-bindgen keys one import object by the loader's name once
            // per split point: the same module each time, so no harm.
            "--log-override:duplicate-object-key=silent",
            &format!("--outfile={}", out.display()),
        ],
    ))?;
    read_text(&out)
}

/// Copies the split build into `site`, every file named after its content.
///
/// The chunks and the main module are named after their own bytes. The two
/// JS files name each other (the entry imports the loader, the loader
/// imports `initSync` from the entry), so both take the hash of the whole
/// build instead: still a new name whenever any byte changes.
fn name_and_place(
    work: &Path,
    main_wasm: &Path,
    chunks: &[PathBuf],
    site: &Path,
    esbuild: &Path,
) -> Result {
    let mut loader_js = read_text(&work.join(LOADER))?;
    let mut entry_js = read_text(&work.join(format!("{APP}.js")))?;
    let main_bytes = read(main_wasm)?;
    let main_name = format!("{APP}-{}_bg.wasm", content_hash(&main_bytes));

    let mut whole = Sha256::new();
    whole.update(&main_bytes);
    for chunk in chunks {
        let bytes = read(chunk)?;
        whole.update(&bytes);
        let stem = chunk
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .ok_or_else(|| format!("{} has no name", chunk.display()))?;
        let named = format!("{stem}-{}.wasm", content_hash(&bytes));
        let reference = format!("\"./{stem}.wasm\"");
        if !loader_js.contains(&reference) {
            return Err(format!("{LOADER} does not load {reference}"));
        }
        loader_js = loader_js.replace(&reference, &format!("\"./{named}\""));
        write(&site.join(&named), &bytes)?;
    }
    whole.update(loader_js.as_bytes());
    whole.update(entry_js.as_bytes());
    let build_hash = hex(&whole.finalize()[..8]);
    let entry_name = format!("{APP}-{build_hash}.js");
    let loader_name = format!("__wasm_split-{build_hash}.js");

    // Only the `import … from` lines: the entry also keys the main module's
    // imports by the loader's original name, which the wasm itself names.
    loader_js = replace_once(
        &loader_js,
        &format!("from \"./{APP}.js\""),
        &format!("from \"./{entry_name}\""),
    )?;
    // (once per split point: wasm-bindgen imports the loader module for each.)
    let loader_import = format!("from \"./{LOADER}\"");
    if !entry_js.contains(&loader_import) {
        return Err(format!("the entry module does not import {LOADER}"));
    }
    entry_js = entry_js.replace(&loader_import, &format!("from \"./{loader_name}\""));
    // The module's own guess at its wasm, for hosts that call `init()` bare.
    entry_js = replace_once(
        &entry_js,
        &format!("'{APP}_bg.wasm'"),
        &format!("'{main_name}'"),
    )?;

    // Minified last, once every name is in place: the names above are of
    // the readable files, which is all the hash must follow.
    let loader_js = minified(esbuild, work, &loader_name, &loader_js)?;
    let entry_js = minified(esbuild, work, &entry_name, &entry_js)?;
    write(&site.join(&main_name), &main_bytes)?;
    write(&site.join(&loader_name), loader_js.as_bytes())?;
    write(&site.join(&entry_name), entry_js.as_bytes())?;
    boot_index(site, &entry_name, &main_name, &loader_name)
}

/// Points the page's `index.html` at the split build: the entry, its loader
/// and the main module preloaded, and a module script that starts the app.
fn boot_index(site: &Path, entry: &str, main_wasm: &str, loader: &str) -> Result {
    let index_path = site.join("index.html");
    let index = read_text(&index_path)?;
    let integrity = |name: &str| -> Result<String> {
        let bytes = read(&site.join(name))?;
        Ok(format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes))
        ))
    };
    let tags = format!(
        concat!(
            "<link rel=\"modulepreload\" href=\"/{entry}\" crossorigin=\"anonymous\" integrity=\"{entry_sri}\">",
            "<link rel=\"modulepreload\" href=\"/{loader}\" crossorigin=\"anonymous\" integrity=\"{loader_sri}\">",
            "<link rel=\"preload\" href=\"/{wasm}\" crossorigin=\"anonymous\" integrity=\"{wasm_sri}\" as=\"fetch\" type=\"application/wasm\">",
            "<script type=\"module\">import init from '/{entry}';await init({{ module_or_path: '/{wasm}' }});</script>",
            "</head>"
        ),
        entry = entry,
        entry_sri = integrity(entry)?,
        loader = loader,
        loader_sri = integrity(loader)?,
        wasm = main_wasm,
        wasm_sri = integrity(main_wasm)?,
    );
    let index = replace_once(&without_skipped_link(&index), "</head>", &tags)?;
    write(&index_path, index.as_bytes())
}

/// The page without the rust link trunk was told to skip (and left as it was).
pub(super) fn without_skipped_link(index: &str) -> String {
    let Some(start) = index.find("<link data-trunk-skip") else {
        return index.to_owned();
    };
    match index[start..].find('>') {
        Some(end) => format!("{}{}", &index[..start], &index[start + end + 1..]),
        None => index.to_owned(),
    }
}

/// The first 8 bytes of SHA-256, in hex: the names' content hash.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(format!(
            "expected {from} once in the built files, found it {n} times"
        )),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
