//! English.

mod history;

use consent_core::{ErrorCode, ProgramId, Role};

use super::Messages;
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
    read_copilot_notice: "Read the Copilot data sharing notice",
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
        "Marketing and query data is purged after 30 days and stays in your geography; table \
         and column names are kept in the United States for up to 12 months.",
    ],
    marketing_not_yet_editable: "Changing this setting here is not available yet: it needs \
         the engagement notice and the non-disclosure agreement to be read and accepted first.",

    confirm_off_title: "Turn off data sharing?",
    confirm_off_body: |date| {
        format!(
            "Shared data will be deleted by {date}. Until then, it may still be used. \
             You can turn data sharing on again at any time."
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
