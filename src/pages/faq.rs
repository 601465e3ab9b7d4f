//! Questions and answers about both programs (`/faq`, `/faq#<question-id>`).

use consent_core::NoticeDocument;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::fragment::follow_fragment;
use crate::components::notice_view::section_text;
use crate::components::{NoticeBlocks, ReadView, SearchBox};
use crate::data::{ask_early, use_read, Read};
use crate::i18n::{lowercase, use_i18n};
use crate::routes::{self, use_ids, use_route_base, SETTINGS};

/// The documents the FAQ shows, in order: one per program.
const FAQ_NOTICES: [&str; 2] = ["copilot-faq", "marketing-faq"];

/// Asks for what [`read_faqs`] reads while the FAQ's code is on its way.
pub fn ask_faqs_early() {
    let t = use_i18n();
    ask_early(move |client, _tenant| {
        FAQ_NOTICES
            .iter()
            .map(|id| client.notice_request(id, t.lang_tag()))
            .collect()
    });
}

/// Starts reading both programs' FAQ documents, in the page's language.
pub fn read_faqs() -> Read<Vec<NoticeDocument>> {
    let t = use_i18n();
    use_read(move |client, _tenant| async move {
        let mut documents = Vec::new();
        for id in FAQ_NOTICES {
            documents.push(client.get_notice(id, t.lang_tag()).await?);
        }
        Ok::<_, ApiError>(documents)
    })
}

/// Every question of both programs as an accordion, with a filter box.
///
/// Each question is a `<details>` whose answer opens in place; its id in the
/// address (`/faq#copilot-who-can-see-data`) opens it and brings it into view.
#[component]
pub fn FaqPage(
    /// Both programs' FAQ documents, read with [`read_faqs`].
    faqs: Read<Vec<NoticeDocument>>,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    let base = use_route_base();
    let query = RwSignal::new(String::new());
    let loaded = Signal::derive(move || faqs.is_ready());
    follow_fragment(loaded, move |question| ids.id(&format!("q-{question}")));

    // The searchable text of every question, once loaded.
    let texts = Memo::new(move |_| match faqs.value() {
        Some(documents) => documents
            .iter()
            .flat_map(|d| d.sections.iter().map(|s| lowercase(&section_text(s))))
            .collect::<Vec<_>>(),
        None => Vec::new(),
    });
    let matching = Memo::new(move |_| {
        query.with(|q| texts.with(|all| all.iter().filter(|text| matches(q, text)).count()))
    });
    let count_text = move || {
        if query.with(|q| q.trim().is_empty()) || !loaded.get() {
            String::new()
        } else {
            match matching.get() {
                0 => tr!(t, "faq-no-match"),
                n => tr!(t, "faq-match-count", count = n),
            }
        }
    };

    let groups = move |documents: Vec<NoticeDocument>| {
        documents
            .into_iter()
            .map(|document| view! { <FaqGroup document query=query.read_only() /> })
            .collect_view()
    };
    let search_id = ids.id("faq-search");
    view! {
        <div class="ts-page ts-faq">
            <p class="ts-page__nav">
                <a href=base.href(SETTINGS)>{tr!(t, "back-to-settings")}</a>
            </p>
            <div class="ts-page__header">
                <h1 class="ts-page__title">{tr!(t, "faq-heading")}</h1>
                <p class="ts-page__intro">{tr!(t, "faq-intro")}</p>
            </div>
            <SearchBox id=search_id label=tr!(t, "faq-search-label") query=query />
            <p class="ts-faq__count" role="status">
                {count_text}
            </p>
            <ReadView
                read=faqs
                failed=Signal::derive(move || tr!(t, "faq-load-failed"))
                loading=move || view! {
                    <div class="ts-faq__loading" aria-busy="true">
                        <p class="ts-visually-hidden" role="status">
                            {tr!(t, "loading-faq")}
                        </p>
                        <span class="ts-skeleton ts-skeleton--title" aria-hidden="true"></span>
                        <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                        <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                    </div>
                }
                ready=groups
            />
        </div>
    }
}

/// One program's questions under its title; hidden when none matches the filter.
#[component]
fn FaqGroup(
    /// The program's FAQ document.
    document: NoticeDocument,
    /// The filter box's text.
    query: ReadSignal<String>,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    let base = use_route_base();
    let heading_id = ids.id(&format!("faq-{}", document.id));
    let texts: Vec<String> = document
        .sections
        .iter()
        .map(|s| lowercase(&section_text(s)))
        .collect();
    let any_match = move || query.with(|q| texts.iter().any(|text| matches(q, text)));
    let questions = document
        .sections
        .into_iter()
        .map(|section| {
            let text = lowercase(&section_text(&section));
            let link = base.href(&routes::faq_question(&section.id));
            view! {
                <details
                    class="ts-faq__item"
                    id=ids.id(&format!("q-{}", section.id))
                    hidden=move || query.with(|q| !matches(q, &text))
                >
                    <summary class="ts-faq__question">{section.heading}</summary>
                    <div class="ts-faq__answer ts-notice">
                        <NoticeBlocks blocks=section.blocks />
                        <p class="ts-faq__permalink">
                            <a href=link data-noscroll="">
                                {tr!(t, "faq-link-to-question")}
                            </a>
                        </p>
                    </div>
                </details>
            }
        })
        .collect_view();
    let heading_id_ref = heading_id.clone();
    view! {
        <section
            class="ts-faq__group"
            aria-labelledby=heading_id_ref
            hidden=move || !any_match()
        >
            <h2 class="ts-faq__group-title" id=heading_id>
                {document.title}
            </h2>
            {questions}
        </section>
    }
}

/// Whether every word of `query` appears in `text` (already lower case).
fn matches(query: &str, text: &str) -> bool {
    query
        .split_whitespace()
        .all(|word| text.contains(&lowercase(word)))
}

#[cfg(test)]
mod tests {
    use consent_core::NoticeDocument;

    use super::matches;
    use crate::components::notice_view::section_text;
    use crate::i18n::lowercase;

    // Guards the FAQ filter: every word must appear, in any case and order.
    #[test]
    fn filter_matches_every_word() {
        let text = "who at the vendor can see our data? only staff with elevated access.";
        for (query, expected) in [
            ("", true),
            ("  ", true),
            ("vendor", true),
            ("VENDOR data", true),
            ("data vendor", true),
            ("elevated lockbox", false),
            ("retention", false),
        ] {
            assert_eq!(matches(query, text), expected, "{query:?}");
        }
    }

    // Guards the FAQ's search words: the words people use for stopping
    // sharing find the questions about it, in English and in German.
    #[test]
    fn stopping_sharing_is_found_by_the_words_people_use() {
        let files = [
            include_str!("../../content/copilot-faq/2.en.json"),
            include_str!("../../content/marketing-faq/2.en.json"),
            include_str!("../../content/copilot-faq/2.de.json"),
            include_str!("../../content/marketing-faq/2.de.json"),
        ];
        let english = [
            "withdraw",
            "revoke",
            "opt out",
            "consent",
            "withdraw my consent",
        ];
        let german = ["widerrufen", "Einwilligung", "abmelden", "Widerruf"];
        for (file, words) in files
            .into_iter()
            .zip([&english[..], &english, &german, &german])
        {
            let document: NoticeDocument = serde_json::from_str(file).unwrap();
            let stopping = ["how-to-withdraw", "after-withdrawal", "how-to-opt-out"];
            for word in words {
                let found: Vec<&str> = document
                    .sections
                    .iter()
                    .filter(|s| matches(word, &lowercase(&section_text(s))))
                    .map(|s| s.id.as_str())
                    .collect();
                let wanted: Vec<&str> = document
                    .sections
                    .iter()
                    .map(|s| s.id.as_str())
                    .filter(|id| stopping.iter().any(|end| id.ends_with(end)))
                    .collect();
                assert!(
                    wanted.iter().all(|id| found.contains(id)),
                    "{} {word:?}: found {found:?}, wanted {wanted:?}",
                    document.id
                );
            }
        }
    }
}
