//! What changed in a notice between two versions, section by section and
//! word by word: what an admin asked to accept again is shown, and what an
//! auditor compares. The wording types are shared with the page; the
//! comparison itself (feature `diff`) runs on the server.

use serde::{Deserialize, Serialize};

#[cfg(feature = "diff")]
use super::{Block, NoticeDocument, Section};

/// The differences between two versions of a notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeDiff {
    pub id: String,
    /// The version compared from.
    pub from: u32,
    /// The version compared to.
    pub to: u32,
    /// The language of both wordings compared.
    pub language: String,
    /// The hash of the `from` wording, as receipts name it.
    pub from_sha256: String,
    /// The hash of the `to` wording.
    pub to_sha256: String,
    /// The sections added, removed or changed, in the order of `to` (removed
    /// ones where they stood in `from`); unchanged sections are left out.
    pub sections: Vec<SectionDiff>,
}

/// One section that differs between the two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionDiff {
    /// The section's id (the same in both versions when it changed).
    pub id: String,
    pub change: SectionChange,
    /// The heading in `to` (in `from` for a removed section).
    pub heading: String,
    /// The heading in `from`, when it was different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_heading: Option<String>,
    /// The section's text as a sequence of kept, added and removed words:
    /// blocks are separated by a line break, list items start with "• ".
    pub words: Vec<WordChange>,
}

/// Whether a section is new, gone or reworded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SectionChange {
    Added,
    Removed,
    Changed,
}

/// A run of text that was kept, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WordChange {
    pub op: WordOp,
    /// The words, with the spaces and line breaks between them.
    pub text: String,
}

/// What happened to a run of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WordOp {
    Same,
    Added,
    Removed,
}

impl SectionDiff {
    /// Whether any word was added or removed (a section whose links or
    /// emphasis alone changed has none).
    pub fn rewords(&self) -> bool {
        self.words.iter().any(|w| w.op != WordOp::Same)
    }
}

/// The differences from `older` to `newer`, two wordings of one notice.
///
/// Sections are matched by id. A section counts as changed when its heading
/// or its blocks differ; search terms, never shown, do not count.
#[cfg(feature = "diff")]
pub fn notice_diff(older: &NoticeDocument, newer: &NoticeDocument) -> NoticeDiff {
    let mut sections = Vec::new();
    for section in &newer.sections {
        match older.sections.iter().find(|o| o.id == section.id) {
            None => sections.push(SectionDiff {
                id: section.id.clone(),
                change: SectionChange::Added,
                heading: section.heading.clone(),
                previous_heading: None,
                words: whole(WordOp::Added, &section_text(section)),
            }),
            Some(old) if old.heading != section.heading || old.blocks != section.blocks => sections
                .push(SectionDiff {
                    id: section.id.clone(),
                    change: SectionChange::Changed,
                    heading: section.heading.clone(),
                    previous_heading: (old.heading != section.heading).then(|| old.heading.clone()),
                    words: word_changes(&section_text(old), &section_text(section)),
                }),
            Some(_) => {}
        }
    }
    // A removed section goes after the last listed section that preceded it in `older`.
    for (place, old) in older.sections.iter().enumerate() {
        if newer.sections.iter().any(|s| s.id == old.id) {
            continue;
        }
        let after = older.sections[..place]
            .iter()
            .rev()
            .find_map(|before| sections.iter().position(|s| s.id == before.id));
        let at = after.map_or(0, |i| i + 1);
        sections.insert(
            at,
            SectionDiff {
                id: old.id.clone(),
                change: SectionChange::Removed,
                heading: old.heading.clone(),
                previous_heading: None,
                words: whole(WordOp::Removed, &section_text(old)),
            },
        );
    }
    NoticeDiff {
        id: newer.id.clone(),
        from: older.version,
        to: newer.version,
        language: newer.language.clone(),
        from_sha256: older.sha256.clone(),
        to_sha256: newer.sha256.clone(),
        sections,
    }
}

/// A section's words as a reader meets them: one line per paragraph or list item.
#[cfg(feature = "diff")]
fn section_text(section: &Section) -> String {
    let text = |runs: &[super::Run]| runs.iter().map(|r| r.text.as_str()).collect::<String>();
    let mut lines = Vec::new();
    for block in &section.blocks {
        match block {
            Block::Paragraph { runs } => lines.push(text(runs)),
            Block::List { items, .. } => {
                lines.extend(items.iter().map(|item| format!("• {}", text(item))))
            }
        }
    }
    lines.join("\n")
}

#[cfg(feature = "diff")]
fn whole(op: WordOp, text: &str) -> Vec<WordChange> {
    vec![WordChange {
        op,
        text: text.to_owned(),
    }]
}

/// The word-level differences between two texts, as a reader takes them
/// in: a reworded phrase ("five (5)" → "seven (7)") is one removed run
/// followed by one added run, not alternating words, and neighbouring
/// words of the same kind are one run.
#[cfg(feature = "diff")]
fn word_changes(older: &str, newer: &str) -> Vec<WordChange> {
    use similar::{ChangeTag, TextDiff};

    let diff = TextDiff::from_words(older, newer);
    let tokens: Vec<(WordOp, &str)> = diff
        .iter_all_changes()
        .map(|change| {
            let op = match change.tag() {
                ChangeTag::Equal => WordOp::Same,
                ChangeTag::Insert => WordOp::Added,
                ChangeTag::Delete => WordOp::Removed,
            };
            (op, change.value())
        })
        .collect();
    let mut runs: Vec<WordChange> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let end = rewording_end(&tokens, i);
        let region = &tokens[i..end];
        let has = |op| region.iter().any(|(o, _)| *o == op);
        if has(WordOp::Removed) && has(WordOp::Added) {
            // Spaces kept between the reworded words belong to both sides.
            let side = |op| -> String {
                region
                    .iter()
                    .filter(|(o, _)| *o == op || *o == WordOp::Same)
                    .map(|(_, text)| *text)
                    .collect()
            };
            push(&mut runs, WordOp::Removed, &side(WordOp::Removed));
            push(&mut runs, WordOp::Added, &side(WordOp::Added));
        } else {
            for (op, text) in region {
                push(&mut runs, *op, text);
            }
        }
        i = end;
    }
    runs
}

/// Where the stretch starting at `start` ends: a single kept word, or
/// changed words with nothing but spaces kept between them.
#[cfg(feature = "diff")]
fn rewording_end(tokens: &[(WordOp, &str)], start: usize) -> usize {
    if tokens[start].0 == WordOp::Same {
        return start + 1;
    }
    let mut end = start + 1;
    let mut probe = end;
    while probe < tokens.len() {
        match tokens[probe] {
            (WordOp::Same, text) if text.trim().is_empty() => probe += 1,
            (WordOp::Same, _) => break,
            _ => {
                probe += 1;
                end = probe;
            }
        }
    }
    end
}

/// Appends `text` to the last run when it is of the same kind, else as a new run.
#[cfg(feature = "diff")]
fn push(runs: &mut Vec<WordChange>, op: WordOp, text: &str) {
    match runs.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => runs.push(WordChange {
            op,
            text: text.to_owned(),
        }),
    }
}

#[cfg(all(test, feature = "diff"))]
mod tests;
