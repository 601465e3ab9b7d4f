//! Choosing the language of a notice from what a reader asks for.
//!
//! Notices are published per language (`1.en.json`, `1.de.json`); English is
//! the reference wording that every version has. A reader's `Accept-Language`
//! (RFC 9110) lists the languages it wants, each with an optional weight
//! (`de-DE, de;q=0.9, en;q=0.5`); the server answers in the most wanted
//! language it has, and in the reference language when none fits.

/// The language every published notice version has, and the fallback.
pub const REFERENCE_LANGUAGE: &str = "en";

/// One entry of an `Accept-Language` header: a language range and its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Wanted<'a> {
    range: &'a str,
    /// 0.0 to 1.0; 0 means "not this one".
    weight: f32,
}

/// The language of `available` that an `Accept-Language` value asks for
/// most, or `fallback` when it asks for none of them (or is absent,
/// malformed, or only refuses languages).
///
/// A range matches a tag when they are equal, when the tag is more specific
/// (`de` matches `de-CH`), or when the range is more specific (`de-DE`
/// matches `de`, as a reader of German from Germany is served German). `*`
/// matches any language not named otherwise, the reference first. Ties in
/// weight keep the header's order. Case never matters.
///
/// ```
/// use consent_core::language::negotiate;
///
/// let available = ["de", "en"];
/// assert_eq!(negotiate(Some("de-DE,de;q=0.9,en;q=0.8"), &available, "en"), "de");
/// assert_eq!(negotiate(Some("fr-FR, en;q=0.5"), &available, "en"), "en");
/// assert_eq!(negotiate(None, &available, "en"), "en");
/// ```
pub fn negotiate<'a>(
    accept_language: Option<&str>,
    available: &[&'a str],
    fallback: &'a str,
) -> &'a str {
    let Some(header) = accept_language else {
        return fallback;
    };
    let mut wanted: Vec<Wanted<'_>> = header.split(',').filter_map(parse_entry).collect();
    // Stable: equal weights keep the order the reader wrote them in.
    wanted.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let refused = |tag: &str| {
        wanted
            .iter()
            .any(|w| w.weight == 0.0 && w.range != "*" && matches(w.range, tag))
    };
    for entry in wanted.iter().filter(|w| w.weight > 0.0) {
        if entry.range == "*" {
            // Any language the reader did not name: the reference first.
            let named = |tag: &str| {
                wanted
                    .iter()
                    .any(|w| w.range != "*" && matches(w.range, tag))
            };
            let candidates: Vec<&'a str> = available
                .iter()
                .copied()
                .filter(|tag| !named(tag) && !refused(tag))
                .collect();
            let preferred = candidates
                .iter()
                .find(|tag| tag.eq_ignore_ascii_case(fallback))
                .or(candidates.first());
            if let Some(tag) = preferred {
                return tag;
            }
            continue;
        }
        // The closest match first: the same tag, then a more specific one, then a broader one.
        let exact = available
            .iter()
            .find(|tag| tag.eq_ignore_ascii_case(entry.range));
        let found = exact.or_else(|| {
            available
                .iter()
                .find(|tag| matches(entry.range, tag) && !refused(tag))
        });
        if let Some(tag) = found {
            return tag;
        }
    }
    fallback
}

/// Whether language range `range` covers tag `tag`, either way round by prefix.
fn matches(range: &str, tag: &str) -> bool {
    prefix_of(range, tag) || prefix_of(tag, range)
}

/// Whether `shorter` is `longer` or one of its prefixes ending at a `-`.
fn prefix_of(shorter: &str, longer: &str) -> bool {
    longer.len() >= shorter.len()
        && longer.as_bytes()[..shorter.len()].eq_ignore_ascii_case(shorter.as_bytes())
        && (longer.len() == shorter.len() || longer.as_bytes()[shorter.len()] == b'-')
}

/// One `range;q=weight` entry; `None` when malformed (it is then ignored).
fn parse_entry(entry: &str) -> Option<Wanted<'_>> {
    let mut parts = entry.split(';');
    let range = parts.next()?.trim();
    let well_formed = range == "*"
        || (!range.is_empty()
            && range.len() <= 64
            && range.split('-').all(|sub| {
                (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            && range.as_bytes()[0].is_ascii_alphabetic());
    if !well_formed {
        return None;
    }
    let mut weight = 1.0;
    for parameter in parts {
        let (name, value) = parameter.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = parse_weight(value.trim())?;
        }
    }
    Some(Wanted { range, weight })
}

/// A weight as RFC 9110 writes it: `0` to `1` with at most three decimals.
fn parse_weight(text: &str) -> Option<f32> {
    let (whole, decimals) = text.split_once('.').unwrap_or((text, ""));
    let valid = matches!(whole, "0" | "1")
        && decimals.len() <= 3
        && decimals.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || decimals.bytes().all(|b| b == b'0'));
    if !valid {
        return None;
    }
    text.parse().ok()
}

/// Whether `tag` is a plausible BCP 47 language tag as notices use them
/// (`en`, `de`, `de-CH`, `zh-Hant-TW`): letters, digits and hyphens, a
/// primary language of 2 to 8 letters, subtags of 1 to 8 characters.
pub fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary_ok = subtags
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && tag.len() <= 35
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards which language a reader is served for each Accept-Language it may send.
    #[test]
    fn picks_the_most_wanted_available_language() {
        let en_de = ["de", "en"];
        let cases: &[(Option<&str>, &[&str], &str)] = &[
            (None, &en_de, "en"),
            (Some(""), &en_de, "en"),
            (Some("de"), &en_de, "de"),
            (Some("DE"), &en_de, "de"),
            (Some("de-DE"), &en_de, "de"),
            (Some("de-AT-x-private"), &en_de, "de"),
            (Some("en-US,en;q=0.9"), &en_de, "en"),
            (Some("fr"), &en_de, "en"),
            (Some("fr-CA, de;q=0.3"), &en_de, "de"),
            (Some("en;q=0.5, de;q=0.8"), &en_de, "de"),
            (Some("de;q=0.5, en;q=0.5"), &en_de, "de"),
            (Some("en;q=0.5, de;q=0.5"), &en_de, "en"),
            (Some("de;q=0"), &en_de, "en"),
            (Some("de;q=0, *"), &en_de, "en"),
            (Some("*"), &en_de, "en"),
            (Some("en;q=0, *"), &en_de, "de"),
            (Some("fr, *;q=0.1"), &en_de, "en"),
            (Some("de; q=1.000"), &en_de, "de"),
            (Some("de;q=2, en;q=0.1"), &en_de, "en"),
            (Some("de;q=0.0001, en;q=0.1"), &en_de, "en"),
            (Some("de;q=abc"), &en_de, "en"),
            (Some("d e, de-"), &en_de, "en"),
            (Some("12, de"), &en_de, "de"),
            (Some("de"), &["de-CH", "en"], "de-CH"),
            (Some("de-CH, de;q=0.9"), &["de", "de-CH", "en"], "de-CH"),
            (Some("de"), &["en"], "en"),
            (Some("de"), &[], "en"),
        ];
        for (header, available, expected) in cases {
            assert_eq!(
                negotiate(*header, available, "en"),
                *expected,
                "{header:?} of {available:?}"
            );
        }
    }

    // Guards the tags a notice may carry and an acceptance may name.
    #[test]
    fn language_tags() {
        for (tag, ok) in [
            ("en", true),
            ("de", true),
            ("de-CH", true),
            ("zh-Hant-TW", true),
            ("", false),
            ("e", false),
            ("en_US", false),
            ("en-", false),
            ("-en", false),
            ("12", false),
            ("de-toolongsubtag", false),
            ("de ch", false),
            ("dé", false),
        ] {
            assert_eq!(is_language_tag(tag), ok, "{tag:?}");
        }
    }
}
