//! What a host passes to show the settings: [`AppOptions`] and [`Theme`].

use consent_core::Role;

use crate::i18n::chosen_language;
use crate::session::TokenSource;

/// The tenant the standalone app shows when the address names none.
pub const DEFAULT_DEV_TENANT: &str = "contoso";

/// Everything a host passes to show the settings (the props of [`App`](crate::App)).
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The consent API's origin (`https://portal.example`); empty for the page's own origin.
    pub api_base_url: String,
    /// The tenant whose settings to show.
    pub tenant: String,
    /// How to authenticate to the API.
    pub token: TokenSource,
    /// The path the app's routes live under (`/admin/data-sharing`); empty for the site root.
    pub base_path: String,
    /// The language to show (`de-DE`); `None` for the browser's.
    pub locale: Option<String>,
    /// Whether the page offers its own language switch (standalone); a host
    /// passes its own locale instead.
    pub language_switch: bool,
    /// The colour theme; [`Theme::Auto`] follows the person's system setting.
    pub theme: Theme,
}

/// The colour theme a host asks for, set as `data-theme` on the app's root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Light or dark, as the person's system prefers (`prefers-color-scheme`).
    #[default]
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The theme named `auto`, `light` or `dark`; `None` for anything else.
    pub fn parse(name: &str) -> Option<Theme> {
        match name {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The name the stylesheet matches on (`data-theme="dark"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl AppOptions {
    /// The standalone development app: same-origin API and a development
    /// identity, chosen by `?dev_tenant=fabrikam&dev_role=reader` in `query`
    /// (by default Contoso's admin).
    pub fn standalone(query: &str) -> AppOptions {
        let params = web_sys::UrlSearchParams::new_with_str(query).ok();
        let param = |name: &str| {
            params
                .as_ref()
                .and_then(|p| p.get(name))
                .filter(|v| !v.trim().is_empty())
        };
        let role = param("dev_role")
            .and_then(|role| Role::parse(&role))
            .unwrap_or(Role::Admin);
        AppOptions {
            api_base_url: String::new(),
            tenant: param("dev_tenant").unwrap_or_else(|| DEFAULT_DEV_TENANT.to_owned()),
            token: TokenSource::Development(role),
            base_path: String::new(),
            // A language chosen here before, else the browser's.
            locale: param("lang").or_else(chosen_language),
            language_switch: true,
            theme: Theme::Auto,
        }
    }
}

#[cfg(test)]
mod tests {
    // Guards the names a host may pass as `theme`.
    #[test]
    fn theme_names_round_trip() {
        use super::Theme;
        for theme in [Theme::Auto, Theme::Light, Theme::Dark] {
            assert_eq!(Theme::parse(theme.as_str()), Some(theme));
        }
        assert_eq!(Theme::parse("Dark"), None);
        assert_eq!(Theme::parse(""), None);
    }
}
