use super::file_name_from_disposition;

// Guards the file name of the history download: taken from the server when plain, refused otherwise.
#[test]
fn file_names_from_content_disposition() {
    for (header, expected) in [
        (
            "attachment; filename=\"t-1-consent-history.csv\"",
            Some("t-1-consent-history.csv"),
        ),
        ("attachment; filename=history.csv", Some("history.csv")),
        ("attachment;FILENAME=\"a.csv\"", Some("a.csv")),
        ("attachment", None),
        ("attachment; filename=\"\"", None),
        ("attachment; filename=\"../etc/passwd\"", None),
        ("attachment; filename=\"a\\\\b.csv\"", None),
        ("attachment; filename=\".hidden\"", None),
        ("attachment; filename=\"a\tb.csv\"", None),
    ] {
        assert_eq!(
            file_name_from_disposition(header).as_deref(),
            expected,
            "{header:?}"
        );
    }
}

// Guards the wait a 429 asks for: whole seconds as sent, a sensible default
// when the header is missing or unreadable, never zero, negative or absurd.
#[test]
fn retry_after_is_read_in_whole_seconds_within_bounds() {
    use super::retry_after_seconds;
    for (header, expected) in [
        (Some("17"), 17),
        (Some(" 42 "), 42),
        (Some("1"), 1),
        (Some("3600"), 3600),
        // Asked to try again at once: the page still says a second.
        (Some("0"), 1),
        // Absurd waits are capped at an hour.
        (Some("3601"), 3600),
        (Some("86400"), 3600),
        (Some("99999999999999999999999999"), 3600),
        // Missing or unreadable: a minute.
        (None, 60),
        (Some(""), 60),
        (Some("-5"), 60),
        (Some("+5"), 60),
        (Some("1.5"), 60),
        (Some("soon"), 60),
        (Some("Wed, 21 Oct 2026 07:28:00 GMT"), 60),
    ] {
        assert_eq!(retry_after_seconds(header), expected, "{header:?}");
    }
}
