//! Reading the wire's timestamps and dates in the web app without chrono's
//! general parser.
//!
//! Fields of type [`Timestamp`] and `NaiveDate` carry
//! `#[serde(with = "crate::instant::…")]`. Natively (the server, the tools)
//! they are read by chrono exactly as before. In the browser they are read
//! by the short RFC 3339 reader below: the page only ever reads what the
//! server wrote, and chrono's parser, which also knows RFC 2822 and every
//! `strftime` item, is the larger part of chrono in the first screen's code.
//! Writing is chrono's everywhere.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Timestamp;

/// A required instant.
pub mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        at.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        #[cfg(not(target_arch = "wasm32"))]
        return Timestamp::deserialize(deserializer);
        #[cfg(target_arch = "wasm32")]
        {
            let text = String::deserialize(deserializer)?;
            super::parse_instant(&text).ok_or_else(|| super::not_an_instant(&text))
        }
    }
}

/// An optional instant (`null` or absent for none).
pub mod rfc3339_option {
    use super::*;

    pub fn serialize<S: Serializer>(
        at: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        at.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        #[cfg(not(target_arch = "wasm32"))]
        return Option::<Timestamp>::deserialize(deserializer);
        #[cfg(target_arch = "wasm32")]
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => super::parse_instant(&text)
                .map(Some)
                .ok_or_else(|| super::not_an_instant(&text)),
        }
    }
}

/// A calendar date (`2026-11-21`).
pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        date.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        #[cfg(not(target_arch = "wasm32"))]
        return NaiveDate::deserialize(deserializer);
        #[cfg(target_arch = "wasm32")]
        {
            let text = String::deserialize(deserializer)?;
            super::parse_date(&text).ok_or_else(|| {
                serde::de::Error::custom(format_args!("{text:?} is not a date (YYYY-MM-DD)"))
            })
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn not_an_instant<E: serde::de::Error>(text: &str) -> E {
    E::custom(format_args!("{text:?} is not an RFC 3339 instant"))
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits(&bytes[0..4])? as i32,
        digits(&bytes[5..7])?,
        digits(&bytes[8..10])?,
    )
}

/// An RFC 3339 instant: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of a
/// second, then `Z` or an offset `±HH:MM`; `t`, `z` and a space in place of
/// `T` are read too, as chrono reads them. A second of 60 is a leap second.
/// Unlike chrono, no leniency beyond RFC 3339 (spaces around, one-digit
/// fields): the server writes none of it.
pub fn parse_instant(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = parse_date(text.get(..10)?)?;
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&bytes[11..13])?,
        digits(&bytes[14..16])?,
        digits(&bytes[17..19])?,
    );
    let mut rest = &bytes[19..];
    let mut nanos = 0;
    if let [b'.', fraction @ ..] = rest {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        // Nanoseconds: the first nine digits count, the rest are read and dropped.
        let kept = &fraction[..count.min(9)];
        nanos = digits(kept)? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[count..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let time = match second {
        60 => NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nanos)?,
        _ => NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?,
    };
    let local = date.and_time(time);
    local
        .checked_sub_signed(TimeDelta::seconds(offset_seconds))
        .map(|utc| utc.and_utc())
}

/// The value of ASCII decimal digits, `None` if any byte is not one.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that the browser reads every instant as the server does: the
    // short reader and chrono agree on what is an instant and on its value.
    #[test]
    fn the_short_reader_agrees_with_chrono() {
        let inputs = [
            "2026-11-21T09:30:00Z",
            "2026-11-21T09:30:00.5Z",
            "2026-11-21T09:30:00.123456789Z",
            "2026-11-21T09:30:00.1234567891234Z",
            "2026-11-21t09:30:00z",
            "2026-11-21 09:30:00Z",
            "2026-11-21T09:30:00+01:00",
            "2026-11-21T00:30:00-05:30",
            "2026-12-31T23:59:60Z",
            "2024-02-29T12:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2026-01-01T00:30:00+01:00",
            // Not instants: both must refuse them.
            "2025-02-29T12:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-11-21T24:00:00Z",
            "2026-11-21T09:60:00Z",
            "2026-11-21T09:30:61Z",
            "2026-11-21T09:30:00",
            "2026-11-21T09:30:00.Z",
            "2026-11-21T09:30Z",
            "2026-11-21X09:30:00Z",
            "2026-11-21T09:30:00+1:00",
            "2026-11-21T09:30:00+24:00",
            "2026-11-21",
            "",
            "not a time",
        ];
        let differing: Vec<_> = inputs
            .iter()
            .filter(|input| {
                let chrono = input
                    .parse::<chrono::DateTime<chrono::FixedOffset>>()
                    .ok()
                    .map(|at| at.with_timezone(&chrono::Utc));
                parse_instant(input) != chrono
            })
            .collect();
        assert!(differing.is_empty(), "{differing:?}");
        assert!(inputs.iter().filter(|i| parse_instant(i).is_some()).count() >= 12);
        // chrono's reader is lenient about these; the server never writes
        // them, and RFC 3339 has none of them, so the page refuses them.
        for lenient in [
            "2026-11-21T09:30:00Z ",
            " 2026-11-21T09:30:00Z",
            "2026-1-21T09:30:00Z",
            "+2026-11-21T09:30:00Z",
        ] {
            assert!(lenient
                .parse::<chrono::DateTime<chrono::FixedOffset>>()
                .is_ok());
            assert_eq!(parse_instant(lenient), None, "{lenient:?}");
        }
    }

    // Guards that every instant the server writes comes back unchanged.
    #[test]
    fn what_the_server_writes_is_read_back() {
        let start = parse_instant("2026-11-21T09:30:00Z").unwrap();
        for step in [0, 1, 999, 1_000_000, 123_456_789_012, 86_400_000_000_000] {
            let at = start + TimeDelta::nanoseconds(step);
            let written = serde_json::to_string(&at).unwrap();
            let read = parse_instant(written.trim_matches('"')).unwrap();
            assert_eq!(read, at, "{written}");
        }
    }

    #[test]
    fn dates_are_read_as_chrono_reads_them() {
        let differing: Vec<_> = [
            "2026-11-21",
            "2024-02-29",
            "2025-02-29",
            "2026-11-21T",
            "2026-13-01",
            "20261121",
            "",
        ]
        .into_iter()
        .filter(|input| parse_date(input) != input.parse::<NaiveDate>().ok())
        .collect();
        assert!(differing.is_empty(), "{differing:?}");
    }
}
