//! The body of `POST /api/v1/dev/notices` as the OpenAPI document states it:
//! a [`consent_core::NoticeDocument`] with every check the server makes of
//! a notice written into its schema (an id of lowercase letters, digits and
//! hyphens, a version from 1, a title, language and section headings with
//! more than white space, at least one section and one block in each, links
//! that are `https://` or app routes, and no `sha256`: the server computes it).
//!
//! The handler reads the body as a [`NewNotice`], which becomes the
//! `NoticeDocument` it publishes; its version, like every notice version a
//! client sends, may be written as a whole float (`2.0`). What no schema can
//! state is left to the answer: a version already published with other
//! words (`version`), a translation of a version whose reference text is
//! not published (`language`), and a section id used twice (`sections`).

use std::borrow::Cow;

use consent_core::notice::{whole_number, Block, Section};
use consent_core::NoticeDocument;
use serde::Deserialize;
use utoipa::openapi::{RefOr, Schema};

/// A notice version to publish.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "copilot-data-sharing", "version": 2, "effective_date": "2026-12-01",
    "language": "en", "title": "Copilot data sharing", "material_change": true,
    "sections": [{"id": "what", "heading": "What is shared", "blocks": [
        {"type": "paragraph", "runs": [{"text": "Prompts and answers."}]}
    ]}]
}))]
#[serde(deny_unknown_fields)]
pub struct NewNotice {
    /// Lowercase letters, digits and hyphens.
    #[schema(min_length = 1, pattern = "^[a-z0-9-]+$")]
    id: String,
    /// 1 or more.
    #[serde(deserialize_with = "whole_number")]
    #[schema(format = Int64, minimum = 1, maximum = 4294967295_u32)]
    version: u32,
    /// Leave it out or empty: the server computes the hash of the words (a
    /// hash that is sent must match them, which no schema can state).
    #[serde(default)]
    #[schema(max_length = 0)]
    sha256: String,
    /// The date from which this version applies (`YYYY-MM-DD`).
    effective_date: chrono::NaiveDate,
    /// BCP 47 language tag of the text (`en`, `de`); a translation needs its
    /// version's reference (`en`) text published first.
    #[schema(
        pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    language: String,
    /// Not blank.
    #[schema(
        pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    title: String,
    /// Whether accepting an earlier version no longer suffices.
    material_change: bool,
    /// A short, plain summary of what changed since the previous version.
    #[serde(default)]
    change_summary: Option<String>,
    /// At least one; each section id once.
    #[schema(min_items = 1)]
    sections: Vec<NewSection>,
}

impl From<NewNotice> for NoticeDocument {
    fn from(notice: NewNotice) -> NoticeDocument {
        NoticeDocument {
            id: notice.id,
            version: notice.version,
            sha256: notice.sha256,
            effective_date: notice.effective_date,
            language: notice.language,
            title: notice.title,
            material_change: notice.material_change,
            change_summary: notice.change_summary,
            sections: notice
                .sections
                .into_iter()
                .map(|section| Section {
                    id: section.id,
                    heading: section.heading,
                    blocks: section.blocks,
                    search_terms: section.search_terms,
                })
                .collect(),
        }
    }
}

/// A titled part of a notice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSection {
    #[schema(min_length = 1)]
    id: String,
    /// Not blank.
    #[schema(
        pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    heading: String,
    /// At least one.
    #[schema(min_items = 1, value_type = Vec<NewBlock>)]
    blocks: Vec<Block>,
    /// Other words a search finds the section by (FAQ questions); never shown.
    #[serde(default)]
    search_terms: Vec<String>,
}

/// A block of text inside a section.
#[derive(utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)] // described only: the body is read into consent-core's `Block`
enum BlockKinds {
    /// A paragraph of text runs.
    Paragraph { runs: Vec<NewRun> },
    /// A bulleted (or numbered) list; each item is a sequence of runs.
    List {
        #[serde(default)]
        ordered: bool,
        items: Vec<Vec<NewRun>>,
    },
}

/// A block of text inside a section: [`BlockKinds`], each kind closed to
/// other fields as the server reads it (the derive leaves a tagged enum's
/// kinds open).
pub struct NewBlock;

impl utoipa::PartialSchema for NewBlock {
    fn schema() -> RefOr<Schema> {
        let mut schema = serde_json::to_value(BlockKinds::schema()).expect("a schema serialises");
        for kind in schema["oneOf"].as_array_mut().into_iter().flatten() {
            kind["additionalProperties"] = serde_json::Value::Bool(false);
        }
        serde_json::from_value(schema).expect("a schema reads back")
    }
}

impl utoipa::ToSchema for NewBlock {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewBlock")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <BlockKinds as utoipa::ToSchema>::schemas(schemas);
    }
}

/// A piece of text, optionally bold or linked.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // described only: the body is read into consent-core's `Run`
#[serde(deny_unknown_fields)]
pub struct NewRun {
    text: String,
    #[serde(default)]
    bold: bool,
    /// An absolute `https://` URL or an app route starting with `/` (not `//`).
    #[serde(default)]
    #[schema(pattern = "^(https://|/$|/[^/])")]
    link: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    /// Any character but white space (Rust's `char::is_whitespace`, which the
    /// server's checks trim): a value matching it is not blank.
    const NOT_BLANK: &str =
        r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

    /// A link the server accepts: `https://…`, or an app route (`/…`, not `//…`).
    const LINK: &str = "^(https://|/$|/[^/])";

    /// The schema's JSON, for comparing property names and constraints.
    fn schema_of<T: PartialSchema>() -> serde_json::Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    /// An object schema's property names, sorted.
    fn properties(schema: &serde_json::Value) -> Vec<String> {
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    // Guards that the request schema describes the same fields as the
    // document the handler reads, at every level that has its own type.
    #[test]
    fn the_request_schema_has_the_notice_document_fields() {
        use consent_core::notice::{Run, Section};
        use consent_core::NoticeDocument;
        assert_eq!(
            properties(&schema_of::<NewNotice>()),
            properties(&schema_of::<NoticeDocument>())
        );
        assert_eq!(
            properties(&schema_of::<NewSection>()),
            properties(&schema_of::<Section>())
        );
        assert_eq!(
            properties(&schema_of::<NewRun>()),
            properties(&schema_of::<Run>())
        );
    }

    // Guards that a block of either kind admits no other field, as the server reads it.
    #[test]
    fn block_kinds_are_closed() {
        let block = schema_of::<NewBlock>();
        let kinds = block["oneOf"].as_array().unwrap();
        assert_eq!(kinds.len(), 2);
        for kind in kinds {
            assert_eq!(kind["additionalProperties"], false, "{kind}");
        }
    }

    // Guards the literal patterns of the schema against the constants that explain them.
    #[test]
    fn the_patterns_are_the_documented_ones() {
        let notice = schema_of::<NewNotice>();
        assert_eq!(notice["properties"]["title"]["pattern"], NOT_BLANK);
        assert_eq!(notice["properties"]["language"]["pattern"], NOT_BLANK);
        assert_eq!(
            schema_of::<NewSection>()["properties"]["heading"]["pattern"],
            NOT_BLANK
        );
        let link = &schema_of::<NewRun>()["properties"]["link"];
        assert!(link.to_string().contains(LINK), "{link}");
    }

    // Guards that the blank pattern refuses exactly what the server trims away.
    #[test]
    fn not_blank_means_what_trim_means() {
        let class: Vec<char> = [
            '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{1680}',
        ]
        .into_iter()
        .chain('\u{2000}'..='\u{200a}')
        .chain(['\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}'])
        .collect();
        let whitespace: Vec<char> = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(class, whitespace);
    }
}
