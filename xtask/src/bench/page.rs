//! What the split page costs a person: the bytes each route fetches until
//! it shows live data, the whole app's bytes, a cold start on a slow phone,
//! opening a setting from the live list there, and what the main module is
//! made of.

use std::collections::BTreeMap;
use std::path::Path;

use super::browser::{cold_load, open_setting_from_list, Conditions, Resource};
use super::report::{kb, median, spread, verdict};
use super::weight::Asset;
use super::{PANEL_INTERACTIVE, SETTINGS_RENDERED};
use crate::shell::Result;
use crate::support::browser::ChromeDriver;

/// Cold loads of `/settings` on the emulated slow phone.
const SLOW_LOADS: usize = 10;
/// Settings opened from the live list on the slow phone, each after a cold
/// load and `READING_MS` of reading the list.
const OPENS: usize = 5;
const READING_MS: u64 = 3000;

const FIRST_SCREEN_BUDGET: u64 = 100 * 1024;
const DEEP_LINK_BUDGET: u64 = 150 * 1024;
const WHOLE_APP_BUDGET: u64 = 350 * 1024;
const SLOW_START_BUDGET_MS: f64 = 1500.0;

/// The routes weighed, each with the mark that says it shows live data.
const ROUTES: [(&str, &str); 2] = [
    ("/settings", SETTINGS_RENDERED),
    ("/settings/copilot-data-sharing", PANEL_INTERACTIVE),
];

/// One cold load of a route: what it fetched until its mark.
pub struct RouteLoad {
    pub route: &'static str,
    pub resources: Vec<Resource>,
}

impl RouteLoad {
    /// The bodies as sent (compressed), of everything but the API's answers.
    fn app_bytes(&self) -> u64 {
        self.resources
            .iter()
            .filter(|r| !r.name.starts_with("/api/"))
            .map(|r| r.body)
            .sum()
    }
}

pub struct PageLoads {
    pub routes: Vec<RouteLoad>,
    /// `/settings` to live data on the slow phone, per cold load, ms.
    pub slow_start_ms: Vec<f64>,
    /// Click to the panel's switch taking input, a setting opened from the
    /// live list on the slow phone, ms.
    pub open_ms: Vec<f64>,
    /// The main module's code by crate, largest first (bytes before wasm-opt).
    pub contributors: Vec<(String, u64)>,
}

pub async fn measure_pages(base: &str, work: &Path, main_module: &Path) -> Result<PageLoads> {
    let mut driver = ChromeDriver::start(&work.join("page-profiles")).await?;
    let mut routes = Vec::new();
    for (route, mark) in ROUTES {
        let url = format!("{base}{route}");
        let (_, inspected) =
            cold_load(&mut driver, &url, &[mark], true, Conditions::Loopback).await?;
        let (resources, _) = inspected.unwrap_or_default();
        routes.push(RouteLoad { route, resources });
    }
    println!("xtask: bench: {SLOW_LOADS} cold loads of /settings on an emulated slow phone");
    let mut slow_start_ms = Vec::new();
    for _ in 0..SLOW_LOADS {
        let url = format!("{base}/settings");
        let (load, _) = cold_load(
            &mut driver,
            &url,
            &[SETTINGS_RENDERED],
            false,
            Conditions::SlowPhone,
        )
        .await?;
        slow_start_ms.push(load.marks[0]);
    }
    println!(
        "xtask: bench: {OPENS} times on the slow phone, a setting opened from the live list after {READING_MS} ms of reading"
    );
    let mut open_ms = Vec::new();
    for _ in 0..OPENS {
        let url = format!("{base}/settings");
        let marks = [SETTINGS_RENDERED, PANEL_INTERACTIVE];
        open_ms.push(
            open_setting_from_list(&mut driver, &url, marks, READING_MS, Conditions::SlowPhone)
                .await?,
        );
    }
    Ok(PageLoads {
        routes,
        slow_start_ms,
        open_ms,
        contributors: contributors(main_module)?,
    })
}

/// The code of `module` (the split main module before wasm-bindgen, which
/// still has its function names) summed by the crate each function is from.
fn contributors(module: &Path) -> Result<Vec<(String, u64)>> {
    let bytes =
        std::fs::read(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut names = BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.map_err(|e| format!("{}: {e}", module.display()))? {
            wasmparser::Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let range = body.range();
                bodies.push(range.end - range.start);
            }
            wasmparser::Payload::CustomSection(section) if section.name() == "name" => {
                let reader = wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(
                    section.data(),
                    section.data_offset(),
                ));
                for name in reader {
                    if let Ok(wasmparser::Name::Function(map)) = name {
                        for naming in map.into_iter().flatten() {
                            names.insert(naming.index, naming.name.to_owned());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for (i, size) in bodies.into_iter().enumerate() {
        let name = names
            .get(&(imported + i as u32))
            .map(String::as_str)
            .unwrap_or("?");
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut sorted: Vec<(String, u64)> = by_crate.into_iter().collect();
    sorted.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    Ok(sorted)
}

/// The crate a (mangled) function name belongs to: its path's first
/// segment, or of `<T as Trait>` the type's.
fn crate_of(mangled: &str) -> String {
    let name = format!("{:#}", rustc_demangle::demangle(mangled));
    // `<T as tachys::view::Render>::build`: a blanket impl over a type
    // parameter is the trait's code, so it counts under the trait's crate.
    let blanket = name
        .strip_prefix('<')
        .and_then(|rest| rest.split_once(" as "))
        .filter(|(implementor, _)| !implementor.contains([':', '<', '&', '(', '[']))
        .map(|(_, trait_path)| trait_path);
    let name = blanket.unwrap_or(&name);
    let name = name
        .trim_start_matches(['<', '&', '*'])
        .trim_start_matches("mut ");
    let name = name.trim_start_matches("dyn ");
    let end = name
        .find([':', ' ', '<', '>', '[', '('])
        .unwrap_or(name.len());
    match &name[..end] {
        "" => "(other)".to_owned(),
        first => first.to_owned(),
    }
}

/// Prints the routes, the main module's make-up and the page's budgets.
pub fn print(loads: &PageLoads, assets: &[Asset]) {
    let line = "-".repeat(96);
    println!("\n{line}\nROUTES: what a cold load fetched until live data (bodies as sent)");
    for load in &loads.routes {
        println!("{} ({} requests):", load.route, load.resources.len());
        for r in &load.resources {
            println!(
                "  {:<64} {:>10}",
                format!("{} ({})", r.name, r.kind),
                kb(r.body)
            );
        }
        println!(
            "  {:<64} {:>10}",
            "app files (all but /api/)",
            kb(load.app_bytes())
        );
    }
    println!("\nthe main module's code by crate, before wasm-opt (top 10):");
    for (name, size) in loads.contributors.iter().take(10) {
        println!("  {name:<40} {:>10}", kb(*size));
    }
    let app_bytes = |route: &str| {
        loads
            .routes
            .iter()
            .find(|l| l.route == route)
            .map(RouteLoad::app_bytes)
            .unwrap_or(0)
    };
    let whole: u64 = assets.iter().map(|a| a.brotli).sum();
    let slow = median(&loads.slow_start_ms);
    println!(
        "\n/settings to live data on the slow phone: median {slow:.0} ms [{}] of {} cold loads",
        spread(&loads.slow_start_ms),
        loads.slow_start_ms.len(),
    );
    println!(
        "a setting opened from the live list on the slow phone ({READING_MS} ms of reading first), \
         click to its switch taking input: median {:.0} ms [{}] of {}",
        median(&loads.open_ms),
        spread(&loads.open_ms),
        loads.open_ms.len(),
    );

    println!("\n{line}\nBUDGETS (page)");
    let budget = |pass: bool, text: String| println!("{} {text}", verdict(pass));
    let first = app_bytes(ROUTES[0].0);
    budget(
        first <= FIRST_SCREEN_BUDGET,
        format!(
            "cold /settings, everything until live data, brotli ≤ {}: {}",
            kb(FIRST_SCREEN_BUDGET),
            kb(first)
        ),
    );
    let deep = app_bytes(ROUTES[1].0);
    budget(
        deep <= DEEP_LINK_BUDGET,
        format!(
            "deep link to a panel, brotli ≤ {}: {}",
            kb(DEEP_LINK_BUDGET),
            kb(deep)
        ),
    );
    budget(
        whole <= WHOLE_APP_BUDGET,
        format!(
            "whole app, all chunks, brotli ≤ {}: {}",
            kb(WHOLE_APP_BUDGET),
            kb(whole)
        ),
    );
    budget(
        slow <= SLOW_START_BUDGET_MS,
        format!(
            "cold start to live data, Slow 4G + 4× CPU, median of {SLOW_LOADS} ≤ {SLOW_START_BUDGET_MS:.0} ms: {slow:.0} ms"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the top-contributors table: functions land under their crate's name.
    #[test]
    fn functions_are_counted_under_their_crate() {
        assert_eq!(
            crate_of("_ZN14reactive_graph5graph10subscriber24untrack_with_diagnostics17h89d800585fabb086E"),
            "reactive_graph"
        );
        assert_eq!(
            crate_of("_ZN98_$LT$$RF$mut$u20$serde_json..de..Deserializer$LT$R$GT$$u20$as$u20$serde_core..de..Deserializer$GT$18deserialize_struct17hc8c6387ce8b0c29cE"),
            "serde_json"
        );
        assert_eq!(crate_of("memcpy"), "memcpy");
        assert_eq!(
            crate_of("_ZN53_$LT$T$u20$as$u20$tachys..view..any_view..IntoAny$GT$8into_any17h0123456789abcdefE"),
            "tachys"
        );
    }
}
