//! English: the consent history, receipts, and what changed.

use consent_core::facts::RetentionPeriod;
use consent_core::receipt::{ConsentStatus, ReceiptEventType};
use consent_core::rules::ConsentAction;
use consent_core::StateChange;

use super::MESSAGES as APP;
use crate::i18n::history::HistoryMessages;

pub static MESSAGES: HistoryMessages = HistoryMessages {
    view_history: "View history",
    back_to_settings: "Back to tenant settings",
    back_to_history: "Back to consent history",

    heading: "Consent history",
    intro: "Every change to the data-sharing settings, newest first. Each change comes with a \
         consent receipt that records what was agreed, under which notice versions.",
    program_label: "Program",
    all_programs: "All programs",
    caption: |program| match program {
        None => "Consent events, newest first".to_owned(),
        Some(program) => format!(
            "Consent events for {}, newest first",
            (APP.program_name)(program)
        ),
    },
    column_when: "When",
    column_who: "Who",
    column_program: "Program",
    column_what: "What changed",
    column_notices: "Notice versions",
    column_receipt: "Receipt",
    loading: "Loading the history…",
    load_failed: "The history could not be loaded.",
    load_older: "Load older events",
    loading_older: "Loading older events…",
    empty: |program| match program {
        None => "No changes have been recorded yet.",
        Some(_) => "No changes to this program have been recorded yet.",
    },
    shown: |count, more| match (count, more) {
        (1, false) => "Showing 1 event.".to_owned(),
        (n, false) => format!("Showing {n} events."),
        (n, true) => format!("Showing the newest {n} events. Older events can be loaded."),
    },
    consent_service: "Consent service",
    no_notices: "None",
    export_csv: "Export CSV",
    exporting: "Preparing the CSV file…",
    exported: |file| format!("Downloaded {file}."),
    export_failed: "The CSV file could not be downloaded.",
    view_receipt: "View receipt",
    download_json: "Download JSON",
    downloading: "Preparing the receipt…",
    downloaded: |file| format!("Downloaded {file}."),
    download_failed: "The receipt could not be downloaded.",
    change: |change| match change {
        StateChange::TurnedOn => "Turned on".to_owned(),
        StateChange::TurnedOff => "Turned off".to_owned(),
        StateChange::TurnedOnAndOff => "Turned on and off again".to_owned(),
        StateChange::ContactChanged { allowed } => {
            format!(
                "Contact preference: {}",
                if *allowed { "on" } else { "off" }
            )
        }
        StateChange::NoticeAccepted(notice) => match notice_name(&notice.id) {
            Some(name) => format!("Accepted {name} version {}", notice.version),
            None => format!("Accepted notice version {}", notice.version),
        },
        StateChange::DeletionCompleted => "Shared data deleted".to_owned(),
        StateChange::ChangedBack => "Changed, then changed back".to_owned(),
    },
    action: |action| match action {
        ConsentAction::OptedIn => "Turned on",
        ConsentAction::OptedOut => "Turned off",
        ConsentAction::ContactChanged => "Contact preference changed",
        ConsentAction::NoticesAccepted => "Accepted new notice versions",
        ConsentAction::DeletionCompleted => "Shared data deleted",
    },
    notice_name,
    notice_version: |name, version| format!("{name}, version {version}"),

    someone: "another administrator",
    change_phrase: |change| match change {
        StateChange::TurnedOn => "turned data sharing on".to_owned(),
        StateChange::TurnedOff => "turned data sharing off".to_owned(),
        StateChange::TurnedOnAndOff => "turned data sharing on and off again".to_owned(),
        StateChange::ContactChanged { allowed: true } => {
            "allowed the vendor to contact the system administrator".to_owned()
        }
        StateChange::ContactChanged { allowed: false } => {
            "stopped the vendor from contacting the system administrator".to_owned()
        }
        StateChange::NoticeAccepted(notice) => match notice_name(&notice.id) {
            Some(name) => format!("accepted version {} of the {name}", notice.version),
            None => format!("accepted notice version {}", notice.version),
        },
        StateChange::DeletionCompleted => "recorded that the shared data was deleted".to_owned(),
        StateChange::ChangedBack => "changed this setting and then changed it back".to_owned(),
    },
    changed_by: |who, phrases, other_program, when| {
        let mut sentence = match other_program {
            Some(program) => format!("For {}, {who} ", (APP.program_name)(program)),
            None => format!("{who} "),
        };
        sentence.push_str(&join(phrases));
        if let Some(when) = when {
            sentence.push(' ');
            sentence.push_str(when);
        }
        sentence.push('.');
        capitalized(&sentence)
    },
    at_time: |time| format!("at {time}"),
    on_date: |date_time| format!("on {date_time}"),

    receipt_heading: "Consent receipt",
    receipt_intro: |program| {
        format!(
            "The record of one change to {}, as the consent service issued it.",
            (APP.program_name)(program)
        )
    },
    receipt_loading: "Loading the receipt…",
    receipt_load_failed: "The receipt could not be loaded.",
    print: "Print",
    section_event: "What happened",
    section_parties: "Who consented",
    section_notices: "Notices",
    section_purposes: "Purposes",
    section_data: "Data categories, storage and retention",
    section_recipients: "Who sees the data",
    section_storage: "Storage locations",
    section_withdrawal: "How to withdraw",
    section_record: "About this receipt",
    label_program: "Program",
    label_event: "Event",
    label_time: "When",
    label_state_after: "Consent afterwards",
    label_contact: "Contact by the vendor",
    label_deleted_by: "Shared data deleted by",
    label_schema_deleted_by: "Schema copies gone by",
    label_tenant: "On behalf of the tenant",
    label_actor: "Acted by",
    label_roles: "Roles",
    label_jurisdiction: "Jurisdiction",
    label_receipt_id: "Receipt ID",
    label_record_id: "Consent record ID",
    label_event_id: "History event ID",
    label_schema_version: "Receipt format version",
    label_issued: "Issued",
    notices_caption: "Notice versions in force with this change",
    column_notice: "Notice",
    column_version: "Version",
    column_language: "Language",
    column_hash: "SHA-256 of the wording",
    read_notice_version: "Read this version",
    data_caption: "What is shared, where it is kept and for how long",
    column_category: "Category",
    column_description: "What it is",
    column_location: "Where it is kept",
    column_retention: "How long",
    tenant_line: |name, id, region| format!("{name} (tenant ID {id}), region {region}"),
    event_type: |kind| match kind {
        ReceiptEventType::Given => "Consent given",
        ReceiptEventType::Renewed => "Consent renewed under new notice versions",
        ReceiptEventType::Modified => "Consent record changed",
        ReceiptEventType::Withdrawn => "Consent withdrawn",
        ReceiptEventType::Expired => "Consent ended: shared data deleted",
    },
    consent_status: |status| match status {
        ConsentStatus::Given => "Given",
        ConsentStatus::Withdrawn => "Withdrawn, deletion pending",
        ConsentStatus::Expired => "Ended, shared data deleted",
        ConsentStatus::NotGiven => "Not given",
    },
    contact: |allowed| if allowed { "Allowed" } else { "Not allowed" },
    period: |period| match period {
        RetentionPeriod::Days(1) => "1 day".to_owned(),
        RetentionPeriod::Days(days) => format!("{days} days"),
        RetentionPeriod::Months(1) => "1 month".to_owned(),
        RetentionPeriod::Months(months) => format!("{months} months"),
    },
    no_roles: "None (the service itself)",
};

fn notice_name(id: &str) -> Option<&'static str> {
    match id {
        "copilot-data-sharing" => Some("Copilot data sharing notice"),
        "marketing-human-review" => Some("Marketing engagement notice"),
        "marketing-nda" => Some("Marketing non-disclosure agreement"),
        _ => None,
    }
}

/// "a", "a and b", "a, b and c".
fn join(phrases: &[String]) -> String {
    match phrases {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The sentence with its first letter in upper case.
fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
