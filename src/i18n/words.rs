//! The product's values (roles, changes, errors, receipt states) in the
//! page's words, or as the selector values the catalogues choose among.

use consent_core::receipt::{ConsentStatus, ReceiptEventType};
use consent_core::{ErrorCode, Role, StateChange};

use super::I18n;
use crate::api::ApiError;

/// The selector value of a role in the catalogues (`role-name`).
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

/// A change as the history lists it ("Turned on").
pub fn change_text(i18n: I18n, change: &StateChange) -> String {
    match change {
        StateChange::TurnedOn => tr!(i18n, "change-turned-on"),
        StateChange::TurnedOff => tr!(i18n, "change-turned-off"),
        StateChange::TurnedOnAndOff => tr!(i18n, "change-turned-on-and-off"),
        StateChange::ContactChanged { allowed } => {
            tr!(i18n, "change-contact", allowed = yes_no(*allowed))
        }
        StateChange::NoticeAccepted(notice) => tr!(
            i18n,
            "change-notice-accepted",
            name = tr!(i18n, "history-notice-name", id = notice.id.as_str()),
            version = notice.version,
        ),
        StateChange::DeletionCompleted => tr!(i18n, "change-deletion-completed"),
        StateChange::ChangedBack => tr!(i18n, "change-changed-back"),
    }
}

/// A change as a verb phrase ("turned data sharing on"), to join into a sentence.
pub fn change_phrase(i18n: I18n, change: &StateChange) -> String {
    match change {
        StateChange::TurnedOn => tr!(i18n, "phrase-turned-on"),
        StateChange::TurnedOff => tr!(i18n, "phrase-turned-off"),
        StateChange::TurnedOnAndOff => tr!(i18n, "phrase-turned-on-and-off"),
        StateChange::ContactChanged { allowed } => {
            tr!(i18n, "phrase-contact", allowed = yes_no(*allowed))
        }
        StateChange::NoticeAccepted(notice) => tr!(
            i18n,
            "phrase-notice-accepted",
            name = tr!(i18n, "history-notice-name", id = notice.id.as_str()),
            version = notice.version,
        ),
        StateChange::DeletionCompleted => tr!(i18n, "phrase-deletion-completed"),
        StateChange::ChangedBack => tr!(i18n, "phrase-changed-back"),
    }
}

/// What went wrong, in words, with what to do next. `state_now` names the
/// setting's state after someone else changed it, when known.
pub fn error_text(i18n: I18n, error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Offline => tr!(i18n, "error-offline"),
        ApiError::Network => tr!(i18n, "error-network"),
        ApiError::Unauthorized => tr!(i18n, "error-unauthorized"),
        ApiError::Forbidden => tr!(i18n, "error-forbidden"),
        ApiError::NotFound => tr!(i18n, "error-not-found"),
        ApiError::Conflict { .. } => match state_now {
            Some(state) => tr!(i18n, "error-conflict", state = state),
            None => tr!(i18n, "error-conflict-unknown"),
        },
        ApiError::Refused { code, detail } => match code {
            ErrorCode::RegionIneligible => tr!(i18n, "error-region-ineligible"),
            ErrorCode::NoticeNotAccepted => tr!(i18n, "error-notice-not-accepted"),
            ErrorCode::StaleVersion | ErrorCode::PreconditionRequired => {
                tr!(i18n, "error-stale-version")
            }
            _ => tr!(i18n, "error-refused", detail = detail.as_str()),
        },
        ApiError::Server { .. } => tr!(i18n, "error-server"),
        ApiError::RateLimited { retry_after } => {
            tr!(i18n, "error-rate-limited", seconds = *retry_after)
        }
    }
}

/// The selector value of a receipt's event type (`event-type`).
pub fn event_type_key(kind: ReceiptEventType) -> &'static str {
    match kind {
        ReceiptEventType::Given => "given",
        ReceiptEventType::Renewed => "renewed",
        ReceiptEventType::Modified => "modified",
        ReceiptEventType::Withdrawn => "withdrawn",
        ReceiptEventType::Expired => "expired",
    }
}

/// The selector value of a consent status (`consent-status`).
pub fn consent_status_key(status: ConsentStatus) -> &'static str {
    match status {
        ConsentStatus::Given => "given",
        ConsentStatus::Withdrawn => "withdrawn",
        ConsentStatus::Expired => "expired",
        ConsentStatus::NotGiven => "not_given",
    }
}

/// The selector value of a yes-or-no choice (`change-contact`, `contact-allowed`).
pub fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}
