//! The start page: the tenant's data-sharing settings.

use consent_core::ProgramId;
use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::components::focus::row_id;
use crate::components::{ReadTrouble, SearchBox, SlowRead};
use crate::deletions::{progress_words, use_deletions, DeletionsRead};
use crate::i18n::{lowercase, use_i18n, I18n};
use crate::routes::{self, use_ids, use_route_base};
use crate::state::{now, use_settings, Loadable, ProgramStatus};

/// Which part of the page to show while the settings load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Loading,
    Failed,
    Ready,
}

/// Tenant settings (`/settings`): the tenant, a search box, and one row per
/// data-sharing setting; a setting's panel opens over it (the child route).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let ids = use_ids();
    let query = RwSignal::new(String::new());
    let phase = Memo::new(move |_| match store.state() {
        Loadable::Loading => Phase::Loading,
        Loadable::Failed(_) => Phase::Failed,
        Loadable::Ready(_) => Phase::Ready,
    });
    let search_id = ids.id("search");
    // The list's rows and the panels show each program's deletion progress.
    provide_context(DeletionsRead::start());
    view! {
        <div class="ts-page">
            <div class="ts-page__header">
                <h1 class="ts-page__title">{tr!(t, "settings-heading")}</h1>
                <TenantLine />
            </div>
            <SearchBox id=search_id label=tr!(t, "search-label") query=query />
            {move || match phase.get() {
                Phase::Loading => view! { <ListSkeleton /> }.into_any(),
                Phase::Failed => view! { <LoadFailed /> }.into_any(),
                Phase::Ready => {
                    view! {
                        <div class="ts-read-trouble">
                            <ReadTrouble />
                        </div>
                        <SettingsList query=query.read_only() />
                    }
                        .into_any()
                }
            }}
            <Outlet />
        </div>
    }
}

/// The tenant's name and region, a placeholder while they load, nothing if they failed to.
#[component]
fn TenantLine() -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let tenant = Memo::new(move |_| match store.state() {
        Loadable::Loading => Some(None),
        Loadable::Failed(_) => None,
        Loadable::Ready(snapshot) => Some(Some(snapshot.document.tenant)),
    });
    move || {
        tenant.get().map(|tenant| match tenant {
            Some(tenant) => {
                let code = tenant.region.code();
                let region = tr!(t, "region-name", code = code);
                view! {
                    <p class="ts-page__tenant">
                        <span class="ts-page__tenant-name">{tenant.name.clone()}</span>
                        <span class="ts-page__tenant-region">{tr!(t, "tenant-region", region = region)}</span>
                    </p>
                }
                .into_any()
            }
            None => view! { <p class="ts-skeleton ts-skeleton--line" aria-hidden="true"></p> }
                .into_any(),
        })
    }
}

/// Grey rows where the settings will appear, announced as loading.
#[component]
fn ListSkeleton() -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="ts-settings ts-settings--loading" aria-busy="true">
            <p class="ts-visually-hidden" role="status">
                {tr!(t, "loading-settings")}
            </p>
            <SlowRead />
            {ProgramId::ALL
                .map(|_| {
                    view! {
                        <div class="ts-setting" aria-hidden="true">
                            <div class="ts-setting__text">
                                <span class="ts-skeleton ts-skeleton--title"></span>
                                <span class="ts-skeleton ts-skeleton--line"></span>
                            </div>
                            <span class="ts-skeleton ts-skeleton--badge"></span>
                        </div>
                    }
                })}
        </div>
    }
}

/// The settings could not be read: what happened, and a way to try again.
#[component]
fn LoadFailed() -> impl IntoView {
    view! {
        <div class="ts-load-failed">
            <ReadTrouble />
        </div>
    }
}

/// The list of settings, filtered by the search box.
#[component]
fn SettingsList(
    /// The search box's text; rows that do not match it are hidden.
    query: ReadSignal<String>,
) -> impl IntoView {
    let t = use_i18n();
    // Runs once the list is on the page: the moment the bench measures.
    Effect::new(|_| {
        crate::perf::mark_once(crate::perf::SETTINGS_RENDERED);
        crate::screens::prefetch_panel_code();
    });
    let visible = move |program: ProgramId| query.with(|q| matches_search(t, program, q));
    let none_visible = move || !ProgramId::ALL.into_iter().any(visible);
    view! {
        <ul class="ts-settings" aria-label=tr!(t, "settings-list-label")>
            {ProgramId::ALL
                .map(|program| {
                    view! { <SettingRow program visible=Signal::derive(move || visible(program)) /> }
                })}
        </ul>
        <p class="ts-settings__empty" role="status">
            {move || none_visible().then_some(tr!(t, "search-no-match"))}
        </p>
    }
}

/// One setting: its name (a link to its panel), what it is, and its state.
#[component]
fn SettingRow(
    /// The program this row stands for.
    program: ProgramId,
    /// Whether the row matches the search.
    #[prop(into)]
    visible: Signal<bool>,
) -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let ids = use_ids();
    let base = use_route_base();
    let status = Memo::new(move |_| store.program(program).map(|p| ProgramStatus::of(&p, now())));
    let deletions = use_deletions();
    let state_id = ids.id(&format!("state-{}", program.as_str()));
    view! {
        <li class="ts-setting" hidden=move || !visible.get()>
            <div class="ts-setting__text">
                <a
                    class="ts-setting__name"
                    id=row_id(ids, program)
                    href=base.href(&routes::panel(program))
                    aria-describedby=state_id.clone()
                >
                    {tr!(t, "program-name", program = program.as_str())}
                </a>
                <span class="ts-setting__full-name">{tr!(t, "program-full-name", program = program.as_str())}</span>
                <span class="ts-setting__summary">{tr!(t, "program-summary", program = program.as_str())}</span>
                {move || {
                    deletions
                        .and_then(|d| d.of(program).into_iter().find(|o| !o.complete()))
                        .and_then(|opt_out| progress_words(t, &opt_out, |at| t.date(at)).into_iter().next())
                        .map(|line| view! { <span class="ts-setting__deletion">{line}</span> })
                }}
            </div>
            <span
                class=move || {
                    format!(
                        "ts-status ts-status--{}",
                        status.get().map(ProgramStatus::tone).unwrap_or("off"),
                    )
                }
                id=state_id
            >
                {move || status.get().map(|s| s.text(t))}
            </span>
            <span class="ts-setting__chevron" aria-hidden="true"></span>
        </li>
    }
}

/// Whether every word of `query` appears in the program's name, full name or summary.
fn matches_search(t: I18n, program: ProgramId, query: &str) -> bool {
    let haystack = [
        tr!(t, "program-name", program = program.as_str()),
        tr!(t, "program-full-name", program = program.as_str()),
        tr!(t, "program-summary", program = program.as_str()),
    ]
    .join(" ");
    let haystack = lowercase(&haystack);
    query
        .split_whitespace()
        .all(|word| haystack.contains(&lowercase(word)))
}

#[cfg(test)]
mod tests {
    use consent_core::ProgramId;

    use super::matches_search;
    use crate::i18n::{I18n, Language};

    // Guards the search box: every word must match, in any case, anywhere in the row's texts.
    #[test]
    fn search_matches_words_of_the_row() {
        let t = I18n::of(Language::English);
        for (query, copilot, marketing) in [
            ("", true, true),
            ("   ", true, true),
            ("copilot", true, false),
            ("COPILOT data", true, false),
            ("anonymized", false, true),
            ("data sharing", true, false),
            ("data", true, true),
            ("power platform", true, true),
            ("nothing like this", false, false),
        ] {
            assert_eq!(
                matches_search(t, ProgramId::Copilot, query),
                copilot,
                "{query:?} / Copilot"
            );
            assert_eq!(
                matches_search(t, ProgramId::Marketing, query),
                marketing,
                "{query:?} / Marketing"
            );
        }
    }
}
