//! Start-up: cold loads of the app and of a static page with its markup.

use std::path::Path;

use super::browser::{cold_load, Conditions, Resource};
use super::{APP_PAGE, COLD_LOADS, PANEL_INTERACTIVE, SETTINGS_RENDERED, STATIC_PAGE};
use crate::shell::Result;
use crate::support::browser::ChromeDriver;

pub struct Startup {
    /// Per cold load of the app: (settings rendered, panel interactive), ms.
    pub app: Vec<(f64, f64)>,
    /// Per cold load of the static page: the same moment, ms.
    pub static_page: Vec<f64>,
    pub violations: Vec<String>,
    /// What the first cold load of the app fetched.
    pub resources: Vec<Resource>,
}

pub async fn measure_startup(base: &str, site: &Path, work: &Path) -> Result<Startup> {
    let mut driver = ChromeDriver::start(&work.join("profiles")).await?;
    let app_url = format!("{base}{APP_PAGE}");
    let marks = [SETTINGS_RENDERED, PANEL_INTERACTIVE];

    // A first load to learn what the page fetches and the markup it renders.
    println!(
        "xtask: bench: {} cold loads each of {APP_PAGE} and of a static page with its markup",
        COLD_LOADS
    );
    let (first, inspected) =
        cold_load(&mut driver, &app_url, &marks, true, Conditions::Loopback).await?;
    let (resources, markup) = inspected.unwrap_or_default();
    write_static_page(site, &markup)?;
    let mut violations = first.violations;

    let static_url = format!("{base}{STATIC_PAGE}");
    let mut app = Vec::new();
    let mut static_page = Vec::new();
    // Interleaved, so that noise from the machine falls on both alike.
    for _ in 0..COLD_LOADS {
        let (load, _) =
            cold_load(&mut driver, &app_url, &marks, false, Conditions::Loopback).await?;
        app.push((load.marks[0], load.marks[1]));
        violations.extend(load.violations);
        let (load, _) = cold_load(
            &mut driver,
            &static_url,
            &marks,
            false,
            Conditions::Loopback,
        )
        .await?;
        static_page.push(load.marks[0]);
        violations.extend(
            load.violations
                .into_iter()
                .map(|v| format!("static page: {v}")),
        );
    }
    Ok(Startup {
        app,
        static_page,
        violations,
        resources,
    })
}

/// The app's rendered markup without its scripts, plus one external script
/// (allowed by the same policy) that sets both marks once the markup is
/// parsed and styled; with compressed copies, like every asset.
fn write_static_page(site: &Path, markup: &str) -> Result {
    let dir = site.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let script = "<script src=\"/bench/static-marks.js\"></script>";
    let page = match markup.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &markup[..at], &markup[at..]),
        None => return Err("the app's markup has no </body>".to_owned()),
    };
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("cannot write the static page: {e}"))
    };
    write("settings-static.html", &page)?;
    write(
        "static-marks.js",
        &format!(
            "performance.mark('{SETTINGS_RENDERED}');\nperformance.mark('{PANEL_INTERACTIVE}');\n"
        ),
    )?;
    crate::dist::compress_assets(&dir).map(drop)
}
