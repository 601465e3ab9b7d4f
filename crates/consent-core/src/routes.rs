//! The web app's addresses, declared once: the app's router and links
//! build on these, and the server answers the app's page for every address
//! under them (deep links, reloads).

/// The settings list; a program's panel is `/settings/<panel slug>`.
pub const SETTINGS: &str = "/settings";
/// The consent history; a receipt is `/history/receipts/<id>`.
pub const HISTORY: &str = "/history";
/// The questions and answers about both programs.
pub const FAQ: &str = "/faq";
/// A notice's full text (`/notices/<id>`), and one version (`/notices/<id>/v/<version>`).
pub const NOTICES: &str = "/notices";
/// The segment of the receipts, under the history.
pub const RECEIPTS: &str = "receipts";
/// The segment of the deletion certificates, under the history
/// (`/history/deletions/<opt-out event id>`).
pub const DELETIONS: &str = "deletions";
/// The segment before a notice version's number.
pub const NOTICE_VERSION: &str = "v";

/// Every address the app routes besides `/` is one of these or below one.
pub const SECTIONS: [&str; 4] = [SETTINGS, FAQ, NOTICES, HISTORY];

/// A section's path as a router segment (`/settings` → `settings`).
pub fn segment(section: &'static str) -> &'static str {
    section.trim_start_matches('/')
}

/// Whether `path` is an address the app routes: `/`, or a section with
/// anything below it (`/settings`, `/settings/`, `/history/receipts/1`; not
/// `/settingsx`).
pub fn is_app_path(path: &str) -> bool {
    path == "/"
        || SECTIONS
            .iter()
            .any(|section| match path.strip_prefix(section) {
                Some(after) => after.is_empty() || after.starts_with('/'),
                None => false,
            })
}

#[cfg(test)]
mod tests {
    use super::{is_app_path, segment, SETTINGS};

    // Guards which addresses the server answers with the app's page.
    #[test]
    fn app_paths() {
        for (path, app) in [
            ("/", true),
            ("/settings", true),
            ("/settings/", true),
            ("/settings/copilot-data-sharing", true),
            ("/faq", true),
            ("/notices/copilot-data-sharing/v/2", true),
            ("/history", true),
            ("/history/receipts/1", true),
            ("/settingsx", false),
            ("/api/v1/notices", false),
            ("settings", false),
            ("", false),
        ] {
            assert_eq!(is_app_path(path), app, "{path}");
        }
        assert_eq!(segment(SETTINGS), "settings");
    }
}
