//! The words that changed in a notice, section by section: added words
//! underlined inside `<ins>`, removed ones struck through inside `<del>`,
//! each also announced in words, so the change is never told by colour alone.

use consent_core::notice::diff::{SectionChange, SectionDiff, WordChange, WordOp};
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The changed sections of a notice as a list: each heading, whether it is
/// new, removed or renamed, and its words with the changes marked.
#[component]
pub fn NoticeChanges(
    /// The sections that differ, in reading order.
    sections: Vec<SectionDiff>,
    /// How many kept words to show on either side of a change; the whole
    /// text when `None`.
    #[prop(optional)]
    context: Option<usize>,
) -> impl IntoView {
    let t = use_i18n();
    let marks_words = sections.iter().any(SectionDiff::rewords);
    view! {
        {marks_words.then(|| view! { <p class="ts-diff__legend">{tr!(t, "diff-legend")}</p> })}
        <ul class="ts-diff">
            {sections
                .into_iter()
                .map(|section| view! { <SectionChanges section context /> })
                .collect_view()}
        </ul>
    }
}

/// One changed section.
#[component]
fn SectionChanges(
    /// The section and its words.
    section: SectionDiff,
    /// Kept words shown around each change (`None`: all).
    context: Option<usize>,
) -> impl IntoView {
    let t = use_i18n();
    let kind = match (section.change, &section.previous_heading) {
        (SectionChange::Added, _) => Some(tr!(t, "diff-section-added")),
        (SectionChange::Removed, _) => Some(tr!(t, "diff-section-removed")),
        (SectionChange::Changed, Some(before)) => {
            Some(tr!(t, "diff-section-renamed", before = before.clone()))
        }
        (SectionChange::Changed, None) => None,
    };
    let only_formatting = section.change == SectionChange::Changed
        && section.previous_heading.is_none()
        && !section.rewords();
    let words = shown_words(&section.words, context);
    let has_words = !words.is_empty() && section.change != SectionChange::Removed;
    view! {
        <li class="ts-diff__section">
            <span class="ts-diff__heading">{section.heading}</span>
            {kind.map(|kind| view! { " " <span class="ts-tag ts-tag--muted">{kind}</span> })}
            {only_formatting
                .then(|| view! { <p class="ts-note">{tr!(t, "diff-formatting-only")}</p> })}
            {(has_words && !only_formatting)
                .then(|| {
                    view! {
                        <p class="ts-diff__words">
                            {words.into_iter().map(|word| view! { <Words word /> }).collect_view()}
                        </p>
                    }
                })}
        </li>
    }
}

/// One run of words: kept, added or removed.
#[component]
fn Words(
    /// The run.
    word: WordChange,
) -> impl IntoView {
    let t = use_i18n();
    // Spaces around changed words stay outside the mark, so only words are
    // underlined or struck through.
    let text = word.text.as_str();
    let words = text.trim();
    let before = text[..text.len() - text.trim_start().len()].to_owned();
    let after = text[text.trim_end().len()..].to_owned();
    let marked = match word.op {
        WordOp::Same => return view! { <span>{word.text.clone()}</span> }.into_any(),
        _ if words.is_empty() => return view! { <span>{word.text.clone()}</span> }.into_any(),
        WordOp::Added => view! {
            <ins>
                <span class="ts-visually-hidden">{format!("{} ", tr!(t, "diff-added-start"))}</span>
                {words.to_owned()}
                <span class="ts-visually-hidden">{tr!(t, "diff-added-end")}</span>
            </ins>
        }
        .into_any(),
        WordOp::Removed => view! {
            <del>
                <span class="ts-visually-hidden">{format!("{} ", tr!(t, "diff-removed-start"))}</span>
                {words.to_owned()}
                <span class="ts-visually-hidden">{tr!(t, "diff-removed-end")}</span>
            </del>
        }
        .into_any(),
    };
    view! { {before} {marked} {after} }.into_any()
}

/// The runs to show: with `context`, long kept stretches are cut to that
/// many words beside each change, the cut marked "…".
pub fn shown_words(words: &[WordChange], context: Option<usize>) -> Vec<WordChange> {
    let Some(keep) = context else {
        return words.to_vec();
    };
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            if word.op != WordOp::Same {
                return word.clone();
            }
            let pieces: Vec<&str> = word.text.split_inclusive(char::is_whitespace).collect();
            let (head, tail) = match (i == 0, i == last) {
                (true, true) => return word.clone(),
                (true, false) => (0, keep),
                (false, true) => (keep, 0),
                (false, false) => (keep, keep),
            };
            let text = if pieces.len() <= head + tail + 1 {
                word.text.clone()
            } else {
                let start: String = pieces[..head].concat();
                let end: String = pieces[pieces.len() - tail..].concat();
                match (head, tail) {
                    (0, _) => format!("… {end}"),
                    (_, 0) => format!("{start}…"),
                    _ => format!("{start}… {end}"),
                }
            };
            WordChange {
                op: WordOp::Same,
                text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: WordOp, text: &str) -> WordChange {
        WordChange {
            op,
            text: text.to_owned(),
        }
    }

    // Guards the banner's brevity: only a few kept words around each change.
    #[test]
    fn long_kept_stretches_are_cut_around_the_changes() {
        let words = [
            run(WordOp::Same, "one two three four five "),
            run(WordOp::Removed, "six"),
            run(WordOp::Added, "6"),
            run(WordOp::Same, " seven eight nine ten eleven twelve "),
            run(WordOp::Added, "thirteen"),
            run(WordOp::Same, " fourteen fifteen sixteen"),
        ];
        let shown: Vec<String> = shown_words(&words, Some(2))
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            shown,
            [
                "… four five ",
                "six",
                "6",
                " seven … eleven twelve ",
                "thirteen",
                " fourteen …",
            ]
        );
        assert_eq!(shown_words(&words, None), words.to_vec());
        // A short stretch is kept whole.
        let short = [run(WordOp::Same, "a b "), run(WordOp::Added, "c")];
        assert_eq!(shown_words(&short, Some(2))[0].text, "a b ");
    }
}
