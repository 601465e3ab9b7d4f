//! Canonical JSON: compact, with the keys of every object sorted.
//!
//! Hashes of notices and of idempotent requests are taken over it, so they
//! must not depend on how a build happens to order maps: a dependency
//! elsewhere in a build can switch serde_json to keeping insertion order
//! (its `preserve_order` feature), which would otherwise change every hash.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// `value` as compact JSON with every object's keys in sorted order.
pub fn canonical_json(value: &impl Serialize) -> String {
    let mut value = serde_json::to_value(value).expect("plain data always serialises");
    value.sort_all_objects();
    value.to_string()
}

/// The hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that key order in the input never reaches the hashed text.
    #[test]
    fn keys_are_sorted_at_every_depth() {
        let written = serde_json::json!({"b": 1, "a": {"d": [{"z": 1, "y": 2}], "c": null}});
        assert_eq!(
            canonical_json(&written),
            r#"{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}"#
        );
    }

    // Guards the hash's form: 64 lowercase hex digits of SHA-256.
    #[test]
    fn sha256_of_a_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
