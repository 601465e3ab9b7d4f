//! Tenant data-sharing settings: a Leptos web app that runs standalone or
//! inside a host admin portal.
//!
//! A host mounts [`App`] (from Rust) or calls [`mount`] with [`AppOptions`];
//! both take the same options: the API's base URL, how to get a token, the
//! tenant, and the route base path.

// First, so that `tr!` can be used in every module after it.
#[macro_use]
pub mod i18n;
pub mod api;
mod components;
mod data;
mod deletions;
mod draft;
mod embed;
mod host;
mod notices;
mod options;
mod pages;
pub mod perf;
mod routes;
mod save;
mod screens;
pub mod session;
pub mod state;

use std::any::Any;

use consent_core::routes::{
    segment, DELETIONS, FAQ, HISTORY, NOTICES, NOTICE_VERSION, RECEIPTS, SETTINGS,
};
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy, NavigateOptions, ParamSegment, StaticSegment};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::focus::focus_by_id;
use crate::draft::Drafts;
use crate::host::HostEvents;
use crate::i18n::{
    load_catalogue, remember_language, role_key, use_i18n, CatalogueState, I18n, Language,
    ShownCatalogue,
};
use crate::notices::ShownLanguages;
use crate::pages::{NotFound, SettingsPage};
use crate::routes::{Ids, RouteBase};
use crate::screens::{
    CertificateScreen, FaqScreen, HistoryScreen, NoticeScreen, PanelScreen, ReceiptScreen,
};
use crate::session::{Session, SignIn};
use crate::state::SettingsStore;

pub use crate::options::{AppOptions, Theme, DEFAULT_DEV_TENANT};
pub use crate::session::TokenSource;

/// A mounted app. Dropping it (or calling [`Mounted::unmount`]) removes the
/// app and its listeners from the page.
#[must_use = "dropping the handle unmounts the app"]
pub struct Mounted {
    view: Option<Box<dyn Any>>,
    owner: Owner,
}

impl Mounted {
    /// Removes the app from the page.
    pub fn unmount(self) {}

    /// Keeps the app on the page for as long as the page lives.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

/// Mounts the app into `parent`, which the caller owns.
pub fn mount(parent: web_sys::HtmlElement, options: AppOptions) -> Mounted {
    let AppOptions {
        api_base_url,
        tenant,
        token,
        base_path,
        locale,
        language_switch,
        theme,
    } = options;
    let owner = Owner::new();
    let handle = owner.with(|| {
        leptos::mount::mount_to(parent, move || {
            view! { <App api_base_url tenant token base_path locale language_switch theme /> }
        })
    });
    Mounted {
        view: Some(Box::new(handle)),
        owner,
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Take the view off the page, then run every cleanup (window listeners
        // included) even if something still holds a reference to the owner.
        self.view.take();
        self.owner.cleanup();
    }
}

/// The app mounted by JavaScript's `mount(element, options)`.
#[wasm_bindgen]
pub struct MountHandle {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Removes the app, its listeners and its timers from the page; the
    /// host's element stays. Calling it again does nothing.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.unmount();
        }
    }
}

/// `mount(element, options)` for JavaScript hosts: shows the settings inside
/// `element` and returns a handle whose `unmount()` removes them.
///
/// `options`: `tenant` (string, required); `token` (string) or `getToken`
/// (a function returning a string or a `Promise` of one, called before every
/// request and once more after a 401); `apiBaseUrl` (string, default: the
/// page's origin); `basePath` (string, default `""`); `locale` (a BCP 47
/// tag such as `"de-DE"`, default: the browser's languages); `languageSwitch`
/// (boolean, default `false`: the page then follows the host's locale only);
/// `theme` (`"auto"`, the default, `"light"` or `"dark"`).
/// Invalid options throw an `Error` saying which one is wrong.
#[wasm_bindgen(js_name = mount)]
pub fn mount_js(element: JsValue, options: JsValue) -> Result<MountHandle, JsValue> {
    let element: web_sys::HtmlElement = element
        .dyn_into()
        .map_err(|_| embed::js_error("mount: the first argument must be an HTML element"))?;
    let options = embed::options_from_js(&options).map_err(|message| embed::js_error(&message))?;
    Ok(MountHandle {
        mounted: Some(mount(element, options)),
    })
}

/// Shows the standalone page in its `#app` element, signed in with the
/// development identity its address names. A page without `#app` (a host
/// portal loading the module for [`mount`]) is left alone.
pub fn start_standalone() {
    console_error_panic_hook::set_once();
    let window = web_sys::window().expect("the app runs in a browser window");
    let document = window.document().expect("the window has a document");
    let Some(parent) = document
        .get_element_by_id("app")
        .and_then(|element| element.dyn_into().ok())
    else {
        return;
    };
    let query = window.location().search().unwrap_or_default();
    mount(parent, AppOptions::standalone(&query)).forget();
}

/// The split build is a library module, started as soon as it is loaded.
#[cfg(feature = "split")]
#[wasm_bindgen(start)]
fn start() {
    start_standalone();
}

/// The whole app: session, settings store, routes.
#[component]
pub fn App(
    /// The tenant whose settings to show.
    #[prop(into)]
    tenant: String,
    /// How to authenticate to the consent API.
    token: TokenSource,
    /// The consent API's origin; empty for the page's own origin.
    #[prop(into, optional)]
    api_base_url: String,
    /// The path the app's routes live under; empty for the site root.
    #[prop(into, optional)]
    base_path: String,
    /// The language to show (`Some("de-DE".into())`); `None` for the browser's.
    #[prop(optional_no_strip)]
    locale: Option<String>,
    /// Whether to offer a language switch (for the standalone page).
    #[prop(optional)]
    language_switch: bool,
    /// The colour theme; by default it follows the person's system setting.
    #[prop(optional)]
    theme: Theme,
) -> impl IntoView {
    let session = Session::start(&api_base_url, &tenant, token);
    let store = SettingsStore::new();
    let route_base = RouteBase::new(&base_path);
    provide_context(session);
    provide_context(store);
    provide_context(Drafts::new());
    provide_context(ShownLanguages::new());
    provide_context(route_base);
    provide_context(Ids::fresh());
    let root = NodeRef::new();
    let host = HostEvents::new(root);
    provide_context(host);

    // Load once signed in (again, after a renewed sign-in that had failed).
    let sign_in = Memo::new(move |_| session.sign_in());
    Effect::new(move |_| match sign_in.get() {
        SignIn::Pending => {}
        SignIn::Ready => store.load(session),
        SignIn::Failed(error) => store.fail(session, error),
    });
    // Coming back to the page, or back online: read again (a 304 when nothing changed).
    let listeners = [
        window_event_listener(leptos::ev::focus, move |_| store.refresh()),
        window_event_listener(leptos::ev::online, move |_| store.refresh()),
    ];
    let listeners = StoredValue::new_local(Some(listeners));
    on_cleanup(move || {
        store.cancel_retry();
        if let Some(listeners) = listeners.try_update_value(Option::take).flatten() {
            for listener in listeners {
                listener.remove();
            }
        }
    });

    let router_base = base_path.trim_end_matches('/').to_owned();
    let link_base = router_base.clone();
    let i18n = RwSignal::new(I18n::choose(locale.as_deref()));
    let catalogue = ShownCatalogue::start(i18n);
    provide_context(catalogue);
    // Above the routes, what says the catalogue failed (in place of the
    // whole page), else the banner and the switch once there are words.
    let chrome = move || match catalogue.state() {
        CatalogueState::Loading => ().into_any(),
        CatalogueState::Failed => {
            view! { <CatalogueFailed retry=move || catalogue.fetch() /> }.into_any()
        }
        CatalogueState::Ready => {
            provide_context(i18n.get());
            view! {
                <DevIdentityBanner />
                {language_switch.then(|| view! { <LanguageSwitch i18n /> })}
            }
            .into_any()
        }
    };
    // The routes exist from the start, before the words: a deep link's
    // screen asks for its code and its data at once, and each screen is
    // built once the words are here too. A new language rebuilds the
    // screens; the settings, drafts and session live above, so nothing
    // unsaved is lost.
    let routes = move || {
        provide_context(i18n.get());
        view! {
            <Routes fallback=|| view! { <WhenWorded><NotFound /></WhenWorded> }>
                <Route path=path!("/") view=ToSettings />
                <ParentRoute
                    path=StaticSegment(segment(SETTINGS))
                    view=|| view! { <WhenWorded><SettingsPage /></WhenWorded> }
                >
                    <Route path=path!("") view=|| () />
                    <Route path=path!(":setting") view={Lazy::<PanelScreen>::new()} />
                </ParentRoute>
                <Route path=StaticSegment(segment(HISTORY)) view={Lazy::<HistoryScreen>::new()} />
                <Route
                    path=(
                        StaticSegment(segment(HISTORY)),
                        StaticSegment(RECEIPTS),
                        ParamSegment("receipt"),
                    )
                    view={Lazy::<ReceiptScreen>::new()}
                />
                <Route
                    path=(
                        StaticSegment(segment(HISTORY)),
                        StaticSegment(DELETIONS),
                        ParamSegment("event"),
                    )
                    view={Lazy::<CertificateScreen>::new()}
                />
                <Route path=StaticSegment(segment(FAQ)) view={Lazy::<FaqScreen>::new()} />
                <Route
                    path=(StaticSegment(segment(NOTICES)), ParamSegment("id"))
                    view={Lazy::<NoticeScreen>::new()}
                />
                <Route
                    path=(
                        StaticSegment(segment(NOTICES)),
                        ParamSegment("id"),
                        StaticSegment(NOTICE_VERSION),
                        ParamSegment("version"),
                    )
                    view={Lazy::<NoticeScreen>::new()}
                />
            </Routes>
        }
    };
    view! {
        <div
            class="ts-app"
            lang=move || i18n.get().lang_tag()
            data-theme=theme.as_str()
            node_ref=root
            on:click=move |event| host.on_click(&link_base, &event)
        >
            {chrome}
            <Router base=router_base>{routes}</Router>
        </div>
    }
}

/// `children` once the shown language's words are here (a lazy screen
/// waits for them itself).
#[component]
fn WhenWorded(children: ChildrenFn) -> impl IntoView {
    let catalogue = expect_context::<ShownCatalogue>();
    move || (catalogue.state() == CatalogueState::Ready).then(|| children())
}

/// The catalogue itself could not be fetched, so this one sentence is
/// written here, in both languages, rather than taken from it.
#[component]
fn CatalogueFailed(retry: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    view! {
        <crate::screens::CodeMissing
            message=|| view! {
                <span lang="en">"The page could not be loaded. Check the connection, then try again."</span>
                " "
                <span lang="de">"Die Seite konnte nicht geladen werden. Prüfen Sie die Verbindung und versuchen Sie es dann erneut."</span>
            }
            retry_label=|| "Retry · Erneut versuchen"
            on_retry=move |_| retry()
        />
    }
}

/// The standalone page's choice of language, kept for the next visit.
#[component]
fn LanguageSwitch(i18n: RwSignal<I18n>) -> impl IntoView {
    let current = use_i18n();
    let id = crate::routes::use_ids().id("language");
    let id_after = id.clone();
    let on_change = move |event: leptos::ev::Event| {
        let tag = event_target_value(&event);
        if let Some(language) = Language::negotiate([tag.as_str()]) {
            let id = id_after.clone();
            leptos::task::spawn_local(async move {
                // Its catalogue first (the split build fetches it); should
                // that fail, the page stays in the language it is in.
                if load_catalogue(language).await.is_err() {
                    let shown = current.language().tag();
                    let select = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&id));
                    if let Some(select) = select {
                        let _ = js_sys::Reflect::set(&select, &"value".into(), &shown.into());
                    }
                    return;
                }
                remember_language(language);
                i18n.set(I18n::of(language));
                // The switch is rebuilt with the page; keep the person where they were.
                request_animation_frame(move || focus_by_id(&id));
            });
        }
    };
    view! {
        <p class="ts-language">
            <label for=id.clone()>{tr!(current, "language-label")}</label>
            <select id=id on:change=on_change>
                {Language::ALL
                    .into_iter()
                    .map(|language| {
                        view! {
                            <option
                                value=language.tag()
                                lang=language.tag()
                                selected=language == current.language()
                            >
                                {tr!(I18n::of(language), "language-endonym")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </p>
    }
}

/// `/` leads to the settings list (replacing the history entry, so Back works).
#[component]
fn ToSettings() -> impl IntoView {
    view! {
        <Redirect
            path=routes::SETTINGS
            options=NavigateOptions {
                replace: true,
                ..Default::default()
            }
        />
    }
}

/// In development, says which seeded identity the app signed in as.
#[component]
fn DevIdentityBanner() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::session::use_session();
    let store = crate::state::use_settings();
    move || {
        session.identity().map(|identity| {
            let tenant = store.tenant_name().unwrap_or_else(|| session.tenant());
            view! {
                <p class="ts-dev-banner">
                    {tr!(
                        i18n, "dev-identity",
                        name = identity.name.clone(),
                        role = tr!(i18n, "role-name", role = role_key(identity.role)),
                        tenant = tenant,
                    )}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    /// The declarations of the first rule in `css` after `selector`, one per line.
    fn declarations_after(css: &str, selector: &str) -> Vec<String> {
        let start = css
            .find(selector)
            .expect("the selector is in the stylesheet");
        let body = &css[start..];
        let open = body.find('{').unwrap() + 1;
        let close = body.find('}').unwrap();
        body[open..close]
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    // Guards that the theme "dark" and the system's dark mode (theme "auto") give the same palette.
    #[test]
    fn dark_palette_is_the_same_for_dark_and_auto() {
        let css = include_str!("../style/main.css");
        let chosen = declarations_after(css, ".ts-app[data-theme=\"dark\"] {");
        let system = declarations_after(
            css,
            ".ts-app:not([data-theme=\"light\"], [data-theme=\"dark\"]) {",
        );
        assert!(chosen.len() > 20, "{chosen:?}");
        assert_eq!(chosen, system);
    }
}
