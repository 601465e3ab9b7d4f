use super::*;
use crate::notice::{Block, NoticeDocument, Run, Section};

fn run(text: &str) -> Run {
    Run {
        text: text.to_owned(),
        bold: false,
        link: None,
    }
}

fn section(id: &str, heading: &str, paragraphs: &[&str]) -> Section {
    Section {
        id: id.to_owned(),
        heading: heading.to_owned(),
        blocks: paragraphs
            .iter()
            .map(|p| Block::Paragraph { runs: vec![run(p)] })
            .collect(),
        search_terms: Vec::new(),
    }
}

fn notice(version: u32, sections: Vec<Section>) -> NoticeDocument {
    let mut document = NoticeDocument {
        id: "copilot-data-sharing".to_owned(),
        version,
        sha256: String::new(),
        effective_date: "2026-12-01".parse().unwrap(),
        language: "en".to_owned(),
        title: "Copilot data sharing".to_owned(),
        material_change: version > 1,
        change_summary: None,
        sections,
    };
    document.sha256 = document.canonical_sha256();
    document
}

fn same(text: &str) -> WordChange {
    WordChange {
        op: WordOp::Same,
        text: text.to_owned(),
    }
}

fn added(text: &str) -> WordChange {
    WordChange {
        op: WordOp::Added,
        text: text.to_owned(),
    }
}

fn removed(text: &str) -> WordChange {
    WordChange {
        op: WordOp::Removed,
        text: text.to_owned(),
    }
}

// Guards what an admin is shown: the reworded words, marked, with the rest kept.
#[test]
fn a_reworded_sentence_shows_the_words_removed_and_added() {
    let v1 = notice(
        1,
        vec![section(
            "deletion",
            "Deletion",
            &["Shared data is deleted within 30 days."],
        )],
    );
    let v2 = notice(
        2,
        vec![section(
            "deletion",
            "Deletion",
            &["Shared data is deleted within 28 days."],
        )],
    );
    let diff = notice_diff(&v1, &v2);
    assert_eq!((diff.from, diff.to), (1, 2));
    assert_eq!(diff.from_sha256, v1.sha256);
    assert_eq!(diff.to_sha256, v2.sha256);
    assert_eq!(diff.sections.len(), 1);
    let section = &diff.sections[0];
    assert_eq!(section.change, SectionChange::Changed);
    assert_eq!(section.previous_heading, None);
    assert_eq!(
        section.words,
        vec![
            same("Shared data is deleted within "),
            removed("30"),
            added("28"),
            same(" days."),
        ]
    );
    assert!(section.rewords());
}

// Guards the section level: new, gone and renamed sections, in reading
// order, and unchanged ones left out.
#[test]
fn sections_are_added_removed_renamed_and_unchanged_ones_left_out() {
    let v1 = notice(
        1,
        vec![
            section("what", "What is shared", &["Prompts."]),
            section("who", "Who reviews it", &["Vendor staff."]),
            section("how-long", "How long", &["30 days."]),
        ],
    );
    let v2 = notice(
        2,
        vec![
            section("what", "What is shared", &["Prompts."]),
            section("how-long", "How long it is kept", &["30 days."]),
            section("where", "Where", &["In the US.", "Nowhere else."]),
        ],
    );
    let diff = notice_diff(&v1, &v2);
    let listed: Vec<(&str, SectionChange)> = diff
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.change))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("who", SectionChange::Removed),
            ("how-long", SectionChange::Changed),
            ("where", SectionChange::Added),
        ]
    );
    assert_eq!(diff.sections[0].words, vec![removed("Vendor staff.")]);
    let renamed = &diff.sections[1];
    assert_eq!(renamed.heading, "How long it is kept");
    assert_eq!(renamed.previous_heading.as_deref(), Some("How long"));
    assert!(!renamed.rewords(), "only the heading changed");
    assert_eq!(
        diff.sections[2].words,
        vec![added("In the US.\nNowhere else.")]
    );
}

// Guards list items and the words of a search term: items read as lines,
// and a change to the never-shown search terms is no change to show.
#[test]
fn list_items_are_lines_and_search_terms_do_not_count() {
    let mut v1 = notice(1, vec![section("stop", "Stopping", &["You can stop."])]);
    v1.sections[0].blocks.push(Block::List {
        ordered: false,
        items: vec![vec![run("Open the settings.")], vec![run("Turn it off.")]],
    });
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.sections[0].search_terms = vec!["withdraw".to_owned()];
    assert!(notice_diff(&v1, &v2).sections.is_empty());

    v2.sections[0].blocks[1] = Block::List {
        ordered: false,
        items: vec![
            vec![run("Open the settings.")],
            vec![run("Turn sharing off.")],
        ],
    };
    let diff = notice_diff(&v1, &v2);
    assert_eq!(
        diff.sections[0].words,
        vec![
            same("You can stop.\n• Open the settings.\n• Turn "),
            removed("it"),
            added("sharing"),
            same(" off."),
        ]
    );
}

// Guards readability: a reworded phrase reads as the old words struck out
// and the new ones after them, not word against word.
#[test]
fn a_reworded_phrase_is_one_removal_and_one_addition() {
    let v1 = notice(
        1,
        vec![section(
            "a",
            "A",
            &["Kept for five (5) years after the end."],
        )],
    );
    let v2 = notice(
        2,
        vec![section(
            "a",
            "A",
            &["Kept for seven (7) years after the end."],
        )],
    );
    assert_eq!(
        notice_diff(&v1, &v2).sections[0].words,
        vec![
            same("Kept for "),
            removed("five (5)"),
            added("seven (7)"),
            same(" years after the end."),
        ]
    );
    // Words only added around a kept space stay apart from it.
    let v3 = notice(
        3,
        vec![section(
            "a",
            "A",
            &["Kept for seven (7) full years after the end."],
        )],
    );
    assert_eq!(
        notice_diff(&v2, &v3).sections[0].words,
        vec![
            same("Kept for seven (7) "),
            added("full "),
            same("years after the end."),
        ]
    );
}

// Guards the wire names the page and other clients read.
#[test]
fn the_diff_is_written_with_the_documented_names() {
    let v1 = notice(1, vec![section("a", "A", &["one"])]);
    let v2 = notice(2, vec![section("a", "A", &["two"])]);
    let json = serde_json::to_value(notice_diff(&v1, &v2)).unwrap();
    assert_eq!(json["sections"][0]["change"], "changed");
    assert_eq!(json["sections"][0]["words"][0]["op"], "removed");
    assert_eq!(json["sections"][0]["words"][1]["op"], "added");
    assert!(json["sections"][0].get("previous_heading").is_none());
}
