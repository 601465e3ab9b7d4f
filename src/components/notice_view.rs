//! A notice document drawn from its structured blocks. Nothing the server
//! sends is ever inserted as HTML: every run becomes a text node, at most
//! wrapped in `<strong>` or a link.

use consent_core::notice::{Block, Run, Section};
use consent_core::NoticeDocument;
use leptos::prelude::*;

use crate::routes::use_route_base;

/// Decides about an app link (`/faq#x`) before the router follows it:
/// returns true when it handled the link itself.
pub type AppLinkHandler = Callback<String, bool>;

/// A notice's sections, each headed and addressable for a table of contents.
#[component]
pub fn NoticeView(
    /// The document to show.
    document: NoticeDocument,
    /// Prepended to a section's id to make its heading's element id (unique on the page).
    #[prop(into)]
    id_prefix: String,
    /// The level of the section headings: 2 on a page of its own, 3 inside a dialog.
    #[prop(default = 2)]
    heading_level: u8,
    /// Sees app links first (for example, to open another notice in place).
    #[prop(optional, into)]
    on_app_link: Option<AppLinkHandler>,
) -> impl IntoView {
    document
        .sections
        .into_iter()
        .map(|section| {
            view! {
                <NoticeSection
                    section
                    id_prefix=id_prefix.clone()
                    heading_level
                    on_app_link
                />
            }
        })
        .collect_view()
}

/// One section: its heading (focusable by script, for fragment links) and its blocks.
#[component]
fn NoticeSection(
    /// The section to show.
    section: Section,
    /// Prepended to the section's id to make its heading's element id.
    id_prefix: String,
    /// The level of the heading.
    heading_level: u8,
    /// Sees app links first.
    on_app_link: Option<AppLinkHandler>,
) -> impl IntoView {
    let heading_id = format!("{id_prefix}{}", section.id);
    let heading = match heading_level {
        3 => view! {
            <h3 class="ts-notice__heading" id=heading_id.clone() tabindex="-1">
                {section.heading}
            </h3>
        }
        .into_any(),
        _ => view! {
            <h2 class="ts-notice__heading" id=heading_id.clone() tabindex="-1">
                {section.heading}
            </h2>
        }
        .into_any(),
    };
    view! {
        <section class="ts-notice__section" aria-labelledby=heading_id>
            {heading}
            <NoticeBlocks blocks=section.blocks on_app_link />
        </section>
    }
}

/// Paragraphs and lists of text runs.
#[component]
pub fn NoticeBlocks(
    /// The blocks to show.
    blocks: Vec<Block>,
    /// Sees app links first.
    #[prop(default = None)]
    on_app_link: Option<AppLinkHandler>,
) -> impl IntoView {
    blocks
        .into_iter()
        .map(|block| match block {
            Block::Paragraph { runs } => view! {
                <p class="ts-notice__paragraph">
                    <Runs runs on_app_link />
                </p>
            }
            .into_any(),
            Block::List { ordered, items } => {
                let items = items
                    .into_iter()
                    .map(|runs| view! { <li><Runs runs on_app_link /></li> })
                    .collect_view();
                if ordered {
                    view! { <ol class="ts-notice__list">{items}</ol> }.into_any()
                } else {
                    view! { <ul class="ts-notice__list">{items}</ul> }.into_any()
                }
            }
        })
        .collect_view()
}

/// Text runs: plain, bold, or linked.
#[component]
fn Runs(
    /// The runs to show, in reading order.
    runs: Vec<Run>,
    /// Sees app links first.
    on_app_link: Option<AppLinkHandler>,
) -> impl IntoView {
    let base = use_route_base();
    runs.into_iter()
        .map(move |run| {
            let text = if run.bold {
                view! { <strong>{run.text}</strong> }.into_any()
            } else {
                run.text.into_any()
            };
            match run.link {
                // An app route: the router follows it, unless the owner handles it here.
                Some(link) if link.starts_with('/') => {
                    let href = base.href(&link);
                    view! {
                        <a
                            href=href
                            on:click=move |ev| {
                                if on_app_link.is_some_and(|handle| handle.run(link.clone())) {
                                    ev.prevent_default();
                                }
                            }
                        >
                            {text}
                        </a>
                    }
                    .into_any()
                }
                Some(link) => view! {
                    <a href=link rel="noopener noreferrer">
                        {text}
                    </a>
                }
                .into_any(),
                None => text,
            }
        })
        .collect_view()
}

/// Every word of a document's section, for searching: heading, text and
/// the section's search terms.
pub fn section_text(section: &Section) -> String {
    let mut text = section.heading.clone();
    let runs = section
        .blocks
        .iter()
        .flat_map(Block::runs)
        .map(|run| &run.text);
    for words in runs.chain(&section.search_terms) {
        text.push(' ');
        text.push_str(words);
    }
    text
}
