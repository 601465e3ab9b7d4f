//! English.

mod history;

use consent_core::{ErrorCode, ProgramId, Role};

use super::{DataCategoryText, Messages};
use crate::api::ApiError;

pub static MESSAGES: Messages = Messages {
    language: "en",
    dev_identity: |name, role, tenant| {
        format!(
            "Development identity: {name} ({}) · {tenant}",
            role_name(role)
        )
    },
    dev_sign_in_failed: "Signing in with the development identity failed.",
    role_name,
    not_found_heading: "Page not found",
    not_found_body: "There is no page at this address.",
    go_to_settings: "Go to tenant settings",

    settings_heading: "Tenant settings",
    tenant_region: |region| format!("Region: {region}"),
    region_name: |code| match code {
        "US" => Some("United States"),
        "EU" => Some("European Union"),
        "UK" | "GB" => Some("United Kingdom"),
        "CA" => Some("Canada"),
        "AU" => Some("Australia"),
        "JP" => Some("Japan"),
        "IN" => Some("India"),
        _ => None,
    },
    settings_list_label: "Data-sharing settings",
    search_label: "Search settings",
    search_no_match: "No settings match your search.",
    loading_settings: "Loading settings…",
    load_failed: "The settings could not be loaded.",
    retry: "Retry",

    refresh_failed: "The settings shown may be out of date: reading them again failed.",
    retrying_in: |seconds| format!("Trying again in {seconds} s."),
    retry_now: "Retry now",
    server_slow: "The server is taking longer than usual. Still waiting…",
    save_outcome_unknown: "The server could not be reached, so it is not known whether your \
         change was saved. Your choice is still shown. Trying again is safe: the same change \
         is sent and is never applied twice.",

    program_name: |program| match program {
        ProgramId::Copilot => "Copilot AI features data sharing",
        ProgramId::Marketing => "Marketing: human review of anonymized customer data",
    },
    program_full_name: |program| match program {
        ProgramId::Copilot => {
            "Data sharing for Dynamics 365 Copilot and Power Platform Copilot AI Features"
        }
        ProgramId::Marketing => {
            "Human review of anonymized data from Dynamics 365 Marketing and Power Platform"
        }
    },
    program_summary: |program| match program {
        ProgramId::Copilot => {
            "Lets the vendor review Copilot prompts and responses to improve Copilot features."
        }
        ProgramId::Marketing => {
            "Lets vendor engineers review anonymized marketing data to improve AI features."
        }
    },
    state_on: "On",
    state_off: "Off",
    state_unavailable: "Unavailable",
    state_deletion_pending: |date| format!("Off – deletion pending until {date}"),
    state_reacceptance_needed: "Re-acceptance needed",
    current_state: "Current setting",

    close_panel: "Close",
    switch_label: "Enable data sharing",
    save: "Save",
    cancel: "Cancel",
    saving: "Saving…",
    saved: "Saved",
    copilot_about: &[
        "When this is on, the vendor may capture your users' Copilot prompts, the responses \
         and related telemetry, and have people review them by hand. It uses them to build, \
         improve and check Copilot features and the models behind them.",
        "Shared data is kept for 30 days and stays inside your tenant's geographic data \
         boundary. Only vendor staff who need to see it, with elevated and authorized access, \
         can open it. Customer Lockbox and customer-managed keys do not apply to this review.",
        "It is off unless an administrator turns it on. You can turn it off at any time; \
         shared data is then deleted within 30 days.",
    ],
    accepts_notice: |version| {
        format!("Turning this on and saving accepts the Copilot data sharing notice, version {version}.")
    },
    only_united_states: |region| {
        format!(
            "This setting is only available to tenants in the United States region. \
             Your tenant is in the {region} region."
        )
    },
    admins_only: "Only tenant administrators can change this setting.",
    marketing_about: &[
        "When this is on, vendor engineers and data scientists review anonymized data from \
         Dynamics 365 Marketing and Power Platform apps to build and improve machine learning \
         models. None of your data ends up inside the models.",
        "Before it can be turned on, an administrator reads and accepts the engagement notice \
         and its non-disclosure agreement. You can turn it off at any time.",
    ],
    notice_name: |id| match id {
        "copilot-data-sharing" => Some("Copilot data sharing notice"),
        "marketing-human-review" => Some("Marketing engagement notice"),
        "marketing-nda" => Some("non-disclosure agreement"),
        "copilot-faq" => Some("Copilot questions and answers"),
        "marketing-faq" => Some("Marketing questions and answers"),
        _ => None,
    },
    read_notice: |name, version| format!("Read the {name} (version {version})"),
    faq_about: |program| match program {
        ProgramId::Copilot => "Questions and answers about Copilot data sharing",
        ProgramId::Marketing => "Questions and answers about Marketing human review",
    },
    accept_label: |notices| format!("I have read and accept {}", the_notices(notices)),
    accepted_versions: |notices| format!("Accepted: {}.", the_notices(notices)),
    accept_first: "To save, first confirm that you have read and accept the documents above.",
    reader_close: "Close the document",
    open_full_page: "Open as a full page",
    contact_switch_label: "Allow the vendor to contact the system administrator",
    contact_help: "Vendor representatives may contact your system administrator with questions \
         from time to time. You can turn this off at any time without stopping data sharing.",
    data_categories_heading: "What is shared, and how long it is kept",
    data_categories: |days, months| {
        [
            DataCategoryText {
                name: "Marketing data",
                description: "Contact details and marketing activity (email content, forms, \
                     web pages, events, customer journeys) in your database, and how contacts \
                     interacted with them.",
                retention: format!(
                    "Copied to vendor storage in your geography, kept apart from other \
                     tenants, and purged after {days} days."
                ),
            },
            DataCategoryText {
                name: "Query data",
                description: "Your users' queries against your data from the Marketing and \
                     Power Platform apps, related telemetry, and the results.",
                retention: format!(
                    "Copied to vendor storage in your geography, kept apart from other \
                     tenants, and purged after {days} days."
                ),
            },
            DataCategoryText {
                name: "Data schema",
                description: "Table and column names only, never the values in them. It \
                     contains no personal data.",
                retention: format!(
                    "Copied to the United States and kept for up to {months} months from when \
                     it was copied; it may be combined with other customers' schemas."
                ),
            },
        ]
    },
    deletion_detail: |program, due, schema_due| match (program, schema_due) {
        (ProgramId::Marketing, Some(schema_due)) => format!(
            "Data sharing was turned off. Marketing and query data are purged by {due}. \
             Copies of the data schema are kept at most 12 months from when they were copied: \
             all are gone by {schema_due}."
        ),
        _ => format!(
            "Data sharing was turned off. Shared data is deleted by {due}; until then it may \
             still be used."
        ),
    },

    reconsent_heading: "Accept the changed notice to keep sharing",
    reconsent_body: "A document this setting relies on changed in a way that needs an \
         administrator's acceptance again. Until then no data is shared under this setting; \
         the setting itself stays on.",
    notice_changed: |name, from, to| {
        format!("The {name} changed from version {from} to version {to}.")
    },
    notice_not_yet_accepted: |name, version| {
        format!("The {name} (version {version}) has not been accepted yet.")
    },
    change_summary: |summary| format!("What changed: {summary}"),
    changed_sections: "Sections that are new or changed:",
    loading_changes: "Finding out what changed…",
    changes_failed: "What changed could not be loaded. Read the documents in full before \
         accepting them.",

    faq_heading: "Frequently asked questions",
    faq_intro: "Answers about the two data-sharing settings. Open a question to read its answer.",
    faq_search_label: "Search questions",
    faq_no_match: "No questions match your search.",
    faq_match_count: |count| match count {
        1 => "1 question matches.".to_owned(),
        n => format!("{n} questions match."),
    },
    faq_link_to_question: "Link to this question",
    loading_faq: "Loading questions…",
    faq_load_failed: "The questions could not be loaded.",

    back_to_settings: "Back to tenant settings",
    notice_version_line: |version, effective| {
        format!("Version {version}, in effect from {effective}")
    },
    contents: "Contents",
    print: "Print",
    versions_heading: "All versions",
    version_item: |version, effective| format!("Version {version}, in effect from {effective}"),
    current_version: "Current version",
    material_change: "Needed acceptance again",
    minor_change: "Correction: earlier acceptances still hold",
    older_version_note: |current| {
        format!("This is an older version. The current one is version {current}.")
    },
    read_current_version: "Read the current version",
    loading_notice: "Loading the document…",
    notice_load_failed: "The document could not be loaded.",

    confirm_off_title: "Turn off data sharing?",
    confirm_off_body: |date| {
        format!(
            "Shared data will be deleted by {date}. Until then, it may still be used. \
             You can turn data sharing on again at any time."
        )
    },
    confirm_off_marketing_body: |date, schema_date| {
        format!(
            "Marketing and query data will be purged by {date}. Copies of the data schema \
             (table and column names) are kept at most 12 months from when they were copied, \
             so all are deleted by {schema_date}. The vendor will also stop contacting your \
             system administrator. You can turn data sharing on again at any time."
        )
    },
    turn_off: "Turn off",
    keep_sharing: "Keep sharing",
    discard_title: "Discard your change?",
    discard_body: "You changed this setting but have not saved it.",
    discard: "Discard change",
    keep_editing: "Keep editing",

    history: &history::MESSAGES,

    error,
    show_current_setting: "Show the current setting",
    sign_in_again: "Sign in again",
};

/// "the A (version 1) and the B (version 2)".
fn the_notices(notices: &[(&str, u32)]) -> String {
    let named: Vec<String> = notices
        .iter()
        .map(|(name, version)| format!("the {name} (version {version})"))
        .collect();
    match named.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

fn error(error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Offline => {
            "Your device is offline. Nothing was changed; try again when you are connected.".into()
        }
        ApiError::Network => {
            "The server could not be reached. Nothing was changed; check your connection and \
             try again."
                .into()
        }
        ApiError::Unauthorized => "Your session has expired. Sign in again, then try again.".into(),
        ApiError::Forbidden => {
            "You are not allowed to change this setting. Only tenant administrators can.".into()
        }
        ApiError::NotFound => "These settings could not be found for your tenant.".into(),
        ApiError::Conflict { .. } => format!(
            "Someone else changed this setting while you were editing. It is now {}. \
             Your choice is still shown: save to apply it, or show the current setting.",
            state_now.unwrap_or("different")
        ),
        ApiError::Refused { code, detail } => match code {
            ErrorCode::RegionIneligible => {
                "This setting is only available to tenants in the United States region.".into()
            }
            ErrorCode::NoticeNotAccepted => {
                "The notice changed since this page loaded. Show the current setting to read \
                 the current version, then try again."
                    .into()
            }
            ErrorCode::StaleVersion | ErrorCode::PreconditionRequired => {
                "Someone else changed this setting while you were editing. Show the current \
                 setting, then try again."
                    .into()
            }
            _ => format!("The server refused the change: {detail}"),
        },
        ApiError::Server { .. } => {
            "The server ran into a problem and nothing was changed. Try again in a moment.".into()
        }
    }
}
