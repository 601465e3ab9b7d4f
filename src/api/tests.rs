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
