//! Notices: the versioned documents an admin reads and accepts.
//!
//! A notice is structured data, never HTML, so no server-provided text is
//! ever inserted into the page as markup. Its `sha256` is taken over its
//! canonical JSON, so a consent receipt proves which words were shown.

use crate::canonical::{canonical_json, sha256_hex};

pub mod diff;
use serde::{Deserialize, Serialize};

/// Names one published version of a notice: what an admin accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeRef {
    pub id: String,
    /// Read from any whole JSON number (`2` or `2.0`), since JSON does not
    /// tell integers from other numbers; always written as an integer.
    #[serde(deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(format = Int64, minimum = 1, maximum = 4294967295_u32))]
    pub version: u32,
    pub sha256: String,
}

/// Deserialises a `u32` from a JSON number without a fractional part, so
/// that `7` and `7.0` (the same number to JSON) read alike.
pub fn whole_number<'de, D>(deserializer: D) -> Result<u32, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct WholeNumber;

    impl serde::de::Visitor<'_> for WholeNumber {
        type Value = u32;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a whole number from 0 to {}", u32::MAX)
        }

        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<u32, E> {
            u32::try_from(n)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
        }

        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<u32, E> {
            u32::try_from(n).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
        }

        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<u32, E> {
            if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
                // Whole and in range, so the conversion is exact.
                Ok(n as u32)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
            }
        }
    }

    deserializer.deserialize_u64(WholeNumber)
}

/// What the consent rules need to know of one published notice version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeVersion {
    pub id: String,
    pub version: u32,
    pub sha256: String,
    /// Whether this version changed the notice in a way that needs re-acceptance.
    pub material_change: bool,
}

impl NoticeVersion {
    /// The reference an admin accepts.
    pub fn reference(&self) -> NoticeRef {
        NoticeRef {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
        }
    }
}

/// Whether an acceptance of `accepted` still holds for the `current` version,
/// given every published version of that notice (`history`, any order).
///
/// It holds when it names the current version itself, or an older one with no
/// material change published after it (a typo fix does not re-prompt).
pub fn acceptance_covers(
    accepted: &NoticeRef,
    current: &NoticeVersion,
    history: &[NoticeVersion],
) -> bool {
    if accepted.id != current.id || accepted.version > current.version {
        return false;
    }
    let accepted_is_published = history.iter().any(|v| {
        v.id == accepted.id && v.version == accepted.version && v.sha256 == accepted.sha256
    });
    if !accepted_is_published {
        return false;
    }
    !history.iter().any(|v| {
        v.id == current.id
            && v.version > accepted.version
            && v.version <= current.version
            && v.material_change
    })
}

/// A full notice document as published under `content/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeDocument {
    pub id: String,
    pub version: u32,
    /// Hex SHA-256 over the canonical JSON of the document without this field.
    #[serde(default)]
    pub sha256: String,
    /// The date from which this version applies (`YYYY-MM-DD`).
    #[serde(with = "crate::instant::date")]
    pub effective_date: chrono::NaiveDate,
    /// BCP 47 language tag of the text (`en`, `de`).
    pub language: String,
    pub title: String,
    /// Whether accepting an earlier version no longer suffices.
    pub material_change: bool,
    /// A short, plain summary of what changed since the previous version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_summary: Option<String>,
    pub sections: Vec<Section>,
}

/// One published version of a notice, without its text: what a list of
/// versions shows, and what the consent rules need to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeVersionSummary {
    pub id: String,
    pub version: u32,
    pub sha256: String,
    /// The date from which this version applies (`YYYY-MM-DD`).
    #[serde(with = "crate::instant::date")]
    pub effective_date: chrono::NaiveDate,
    pub title: String,
    /// Whether accepting an earlier version no longer suffices.
    pub material_change: bool,
    /// What changed since the previous version, when the publisher said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_summary: Option<String>,
    /// Every language this version is published in (BCP 47 tags, sorted);
    /// `sha256`, `title` and `change_summary` are the reference wording's.
    #[serde(default)]
    pub languages: Vec<String>,
}

impl NoticeVersionSummary {
    /// The facts the consent rules need.
    pub fn version_info(&self) -> NoticeVersion {
        NoticeVersion {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
            material_change: self.material_change,
        }
    }
}

/// A titled part of a notice, addressable by `id` (used in the table of contents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
    /// Other words people use for what the section is about ("withdraw",
    /// "opt out"), which a search finds it by; never shown. Part of the
    /// hashed wording, so adding terms means publishing a new version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search_terms: Vec<String>,
}

/// A block of text inside a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A paragraph of text runs.
    Paragraph { runs: Vec<Run> },
    /// A bulleted (or numbered) list; each item is a sequence of runs.
    List {
        #[serde(default)]
        ordered: bool,
        items: Vec<Vec<Run>>,
    },
}

/// A piece of text, optionally bold or linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Run {
    pub text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bold: bool,
    /// A link target: an absolute `https://` URL or an app route starting with `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a notice document cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeProblem {
    #[error("the id is empty or not made of lowercase letters, digits and hyphens")]
    BadId,
    #[error("the version must be 1 or more")]
    BadVersion,
    #[error("the title is empty")]
    EmptyTitle,
    #[error("the language tag is empty")]
    EmptyLanguage,
    #[error("there are no sections")]
    NoSections,
    #[error("section {0:?} has an empty id or heading, or no text")]
    EmptySection(String),
    #[error("section id {0:?} appears twice")]
    DuplicateSection(String),
    #[error("a link must be https:// or an app route starting with '/': {0:?}")]
    BadLink(String),
    #[error("the sha256 in the file ({found}) does not match its content ({expected})")]
    HashMismatch { found: String, expected: String },
}

impl NoticeDocument {
    /// The hex SHA-256 of the canonical JSON of this document without `sha256`.
    ///
    /// Canonical means compact with object keys sorted, so the hash does not
    /// depend on file formatting (see [`crate::canonical`]).
    pub fn canonical_sha256(&self) -> String {
        let mut value = serde_json::to_value(self).expect("a notice always serialises");
        if let Some(object) = value.as_object_mut() {
            object.remove("sha256");
        }
        sha256_hex(&canonical_json(&value))
    }

    /// Checks the document's shape; if `sha256` is given, that it matches.
    pub fn validate(&self) -> Result<(), NoticeProblem> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(NoticeProblem::BadId);
        }
        if self.version == 0 {
            return Err(NoticeProblem::BadVersion);
        }
        if self.title.trim().is_empty() {
            return Err(NoticeProblem::EmptyTitle);
        }
        if self.language.trim().is_empty() {
            return Err(NoticeProblem::EmptyLanguage);
        }
        if self.sections.is_empty() {
            return Err(NoticeProblem::NoSections);
        }
        let mut seen = std::collections::BTreeSet::new();
        for section in &self.sections {
            if section.id.is_empty()
                || section.heading.trim().is_empty()
                || section.blocks.is_empty()
            {
                return Err(NoticeProblem::EmptySection(section.id.clone()));
            }
            if !seen.insert(section.id.as_str()) {
                return Err(NoticeProblem::DuplicateSection(section.id.clone()));
            }
            for run in section.blocks.iter().flat_map(Block::runs) {
                if let Some(link) = &run.link {
                    let ok = link.starts_with("https://")
                        || (link.starts_with('/') && !link.starts_with("//"));
                    if !ok {
                        return Err(NoticeProblem::BadLink(link.clone()));
                    }
                }
            }
        }
        if !self.sha256.is_empty() {
            let expected = self.canonical_sha256();
            if self.sha256 != expected {
                return Err(NoticeProblem::HashMismatch {
                    found: self.sha256.clone(),
                    expected,
                });
            }
        }
        Ok(())
    }

    /// The reference an admin accepts.
    pub fn reference(&self) -> NoticeRef {
        NoticeRef {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
        }
    }

    /// The facts the consent rules need.
    pub fn version_info(&self) -> NoticeVersion {
        NoticeVersion {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
            material_change: self.material_change,
        }
    }

    /// This version without its text, as a list of versions shows it.
    pub fn summary(&self) -> NoticeVersionSummary {
        NoticeVersionSummary {
            id: self.id.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
            effective_date: self.effective_date,
            title: self.title.clone(),
            material_change: self.material_change,
            change_summary: self.change_summary.clone(),
            languages: vec![self.language.clone()],
        }
    }

    /// Headings of sections that are new or whose text differs from `older`:
    /// what an admin is shown when asked to accept again.
    pub fn changed_sections(&self, older: &NoticeDocument) -> Vec<String> {
        self.sections
            .iter()
            .filter(|s| {
                !older
                    .sections
                    .iter()
                    .any(|o| o.id == s.id && o.blocks == s.blocks && o.heading == s.heading)
            })
            .map(|s| s.heading.clone())
            .collect()
    }
}

impl Block {
    /// Every text run of the block, in reading order.
    pub fn runs(&self) -> Box<dyn Iterator<Item = &Run> + '_> {
        match self {
            Block::Paragraph { runs } => Box::new(runs.iter()),
            Block::List { items, .. } => Box::new(items.iter().flatten()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: &str, v: u32, material: bool) -> NoticeVersion {
        NoticeVersion {
            id: id.into(),
            version: v,
            sha256: format!("h{v}"),
            material_change: material,
        }
    }

    fn accepted(id: &str, v: u32) -> NoticeRef {
        NoticeRef {
            id: id.into(),
            version: v,
            sha256: format!("h{v}"),
        }
    }

    // Guards reading notice versions: any whole JSON number in range, nothing else.
    #[test]
    fn notice_versions_read_from_whole_numbers() {
        let cases = [
            ("2", Some(2)),
            ("2.0", Some(2)),
            ("7174.0", Some(7174)),
            ("1e3", Some(1000)),
            ("0", Some(0)),
            ("4294967295", Some(u32::MAX)),
            ("4294967295.0", Some(u32::MAX)),
            ("4294967296", None),
            ("4294967296.0", None),
            ("2.5", None),
            ("-1", None),
            ("-1.0", None),
            ("\"2\"", None),
            ("null", None),
            ("true", None),
        ];
        for (version, expected) in cases {
            let text = format!(r#"{{"id": "n", "version": {version}, "sha256": "h"}}"#);
            let read = serde_json::from_str::<NoticeRef>(&text)
                .ok()
                .map(|r| r.version);
            assert_eq!(read, expected, "{version}");
        }
        let written = serde_json::to_value(accepted("n", 2)).unwrap();
        assert_eq!(
            written["version"],
            serde_json::json!(2),
            "written as an integer"
        );
        assert!(written["version"].is_u64());
    }

    // Guards re-consent: only a material change after the accepted version re-prompts.
    #[test]
    fn acceptance_covers_current_unless_a_material_change_followed() {
        let history = [
            version("n", 1, true),
            version("n", 2, false),
            version("n", 3, true),
            version("n", 4, false),
        ];
        let cases = [
            (1, 1, true), // accepted the current version
            (1, 2, true), // v2 was a typo fix
            (2, 2, true),
            (1, 3, false), // v3 changed materially
            (2, 3, false),
            (3, 4, true),
            (2, 4, false),
            (4, 3, false), // accepted a version newer than current: not a real acceptance
        ];
        for (acc, cur, covers) in cases {
            let current = &history[(cur - 1) as usize];
            assert_eq!(
                acceptance_covers(&accepted("n", acc), current, &history),
                covers,
                "accepted v{acc}, current v{cur}"
            );
        }
    }

    // Guards that a forged hash or another notice's acceptance never counts.
    #[test]
    fn acceptance_needs_the_published_hash_and_the_same_notice() {
        let history = [version("n", 1, true)];
        let forged = NoticeRef {
            id: "n".into(),
            version: 1,
            sha256: "other".into(),
        };
        assert!(!acceptance_covers(&forged, &history[0], &history));
        assert!(!acceptance_covers(&accepted("m", 1), &history[0], &history));
    }

    fn doc() -> NoticeDocument {
        serde_json::from_value(serde_json::json!({
            "id": "copilot-data-sharing", "version": 1, "effective_date": "2026-11-01",
            "language": "en", "title": "T", "material_change": true,
            "sections": [{"id": "a", "heading": "A", "blocks": [
                {"type": "paragraph", "runs": [{"text": "Hello "}, {"text": "world", "bold": true}]},
                {"type": "list", "items": [[{"text": "FAQ", "link": "/faq"}]]}
            ]}]
        }))
        .unwrap()
    }

    // Guards the receipt's proof: the hash is stable and ignores formatting and the hash field.
    #[test]
    fn canonical_hash_is_over_sorted_compact_json_without_the_hash() {
        let mut d = doc();
        let h = d.canonical_sha256();
        assert_eq!(h.len(), 64);
        d.sha256 = h.clone();
        assert_eq!(d.canonical_sha256(), h, "the sha256 field is not hashed");
        assert!(d.validate().is_ok());
        let mut changed = d.clone();
        changed.title = "T2".into();
        assert_ne!(
            changed.canonical_sha256(),
            h,
            "a word changed, the hash changed"
        );
        // Computed independently: python3 -c 'json.dumps(doc, sort_keys=True, separators=(",",":"))' | sha256sum
        assert_eq!(h, EXPECTED_DOC_HASH);
    }

    const EXPECTED_DOC_HASH: &str =
        "cd06b4a5a9cb58547654435412232cb2074c9e356067916d35ad2bc5722fcdf2";

    /// A way to break a document, and the problem it must be refused with.
    type Breakage = (fn(&mut NoticeDocument), NoticeProblem);

    // Guards validation: each malformed document is refused with its reason.
    #[test]
    fn malformed_documents_are_refused() {
        let cases: Vec<Breakage> = vec![
            (|d| d.id = "Bad Id".into(), NoticeProblem::BadId),
            (|d| d.version = 0, NoticeProblem::BadVersion),
            (|d| d.title = " ".into(), NoticeProblem::EmptyTitle),
            (|d| d.language = "".into(), NoticeProblem::EmptyLanguage),
            (|d| d.sections.clear(), NoticeProblem::NoSections),
            (
                |d| d.sections[0].blocks.clear(),
                NoticeProblem::EmptySection("a".into()),
            ),
            (
                |d| d.sections.push(d.sections[0].clone()),
                NoticeProblem::DuplicateSection("a".into()),
            ),
            (
                |d| {
                    d.sections[0].blocks = vec![Block::Paragraph {
                        runs: vec![Run {
                            text: "x".into(),
                            bold: false,
                            link: Some("javascript:alert(1)".into()),
                        }],
                    }]
                },
                NoticeProblem::BadLink("javascript:alert(1)".into()),
            ),
        ];
        for (break_it, problem) in cases {
            let mut d = doc();
            break_it(&mut d);
            assert_eq!(d.validate(), Err(problem));
        }
        let mut d = doc();
        d.sha256 = "0".repeat(64);
        assert!(matches!(
            d.validate(),
            Err(NoticeProblem::HashMismatch { .. })
        ));
    }

    // Guards the "what changed" list shown with a re-acceptance request.
    #[test]
    fn changed_sections_lists_new_and_edited_headings() {
        let old = doc();
        let mut new = doc();
        new.version = 2;
        new.sections[0].blocks.pop();
        new.sections.push(Section {
            id: "b".into(),
            heading: "B".into(),
            blocks: old.sections[0].blocks.clone(),
            search_terms: Vec::new(),
        });
        assert_eq!(new.changed_sections(&old), ["A", "B"]);
        assert!(old.changed_sections(&old).is_empty());
    }
}
