use std::collections::BTreeSet;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::Language;

/// Every message id and attribute of a language's catalogue, plus the
/// variables each message uses.
fn keys(language: Language) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for source in language.sources() {
        let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
            panic!(
                "the {} catalogue does not parse: {errors:?}",
                language.tag()
            )
        });
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                let id = message.id.name;
                assert!(keys.insert(id.to_owned()), "{id} is defined twice");
                if let Some(value) = &message.value {
                    for variable in variables(value) {
                        keys.insert(format!("{id} ${variable}"));
                    }
                }
                for attribute in message.attributes {
                    keys.insert(format!("{id}.{}", attribute.id.name));
                }
            }
        }
    }
    keys
}

fn variables<'s>(pattern: &Pattern<&'s str>) -> BTreeSet<&'s str> {
    let mut found = BTreeSet::new();
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            collect(expression, &mut found);
        }
    }
    found
}

fn collect<'s>(expression: &Expression<&'s str>, found: &mut BTreeSet<&'s str>) {
    let inline = |inline: &InlineExpression<&'s str>, found: &mut BTreeSet<&'s str>| {
        if let InlineExpression::VariableReference { id } = inline {
            found.insert(id.name);
        }
    };
    match expression {
        Expression::Inline(expression) => inline(expression, found),
        Expression::Select { selector, variants } => {
            inline(selector, found);
            for variant in variants {
                found.extend(variables(&variant.value));
            }
        }
    }
}

#[test]
fn every_language_has_every_key_and_value_of_english() {
    let english = keys(Language::English);
    assert!(english.len() > 150, "the English catalogue looks cut short");
    for language in Language::ALL {
        let other = keys(language);
        let missing: Vec<_> = english.difference(&other).collect();
        let extra: Vec<_> = other.difference(&english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "the {} catalogue lacks {missing:?} and has keys English lacks: {extra:?}",
            language.tag()
        );
    }
}

#[test]
fn languages_are_negotiated_by_their_primary_subtag() {
    assert_eq!(Language::negotiate(["de-CH"]), Some(Language::German));
    assert_eq!(Language::negotiate(["fr-FR", "de"]), Some(Language::German));
    assert_eq!(Language::negotiate(["EN_gb"]), Some(Language::English));
    assert_eq!(Language::negotiate(["fr", "it"]), None);
}

#[test]
fn the_clock_without_intl_reads_as_chrono_would_write_it() {
    use chrono::{TimeZone, Utc};
    for (hour, minute, second) in [(0, 0, 0), (9, 5, 59), (12, 30, 1), (23, 59, 59)] {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 21, hour, minute, second)
            .unwrap();
        assert_eq!(super::intl::clock(at), at.format("%H:%M").to_string());
    }
    let at = Utc.with_ymd_and_hms(2026, 2, 3, 7, 4, 0).unwrap();
    assert_eq!(super::intl::clock(at), "07:04");
}
