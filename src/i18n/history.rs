//! The texts of the consent history, the consent receipts, and what changed.

use consent_core::facts::RetentionPeriod;
use consent_core::receipt::{ConsentStatus, ReceiptEventType};
use consent_core::rules::ConsentAction;
use consent_core::{ProgramId, StateChange};

/// The texts of one language for the history, receipts and changes.
pub struct HistoryMessages {
    // Reaching the history.
    pub view_history: &'static str,
    pub back_to_settings: &'static str,
    pub back_to_history: &'static str,

    // The history page.
    pub heading: &'static str,
    pub intro: &'static str,
    pub program_label: &'static str,
    pub all_programs: &'static str,
    pub caption: fn(program: Option<ProgramId>) -> String,
    pub column_when: &'static str,
    pub column_who: &'static str,
    pub column_program: &'static str,
    pub column_what: &'static str,
    pub column_notices: &'static str,
    pub column_receipt: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub load_older: &'static str,
    pub loading_older: &'static str,
    pub empty: fn(program: Option<ProgramId>) -> &'static str,
    pub shown: fn(count: usize, more: bool) -> String,
    pub consent_service: &'static str,
    pub no_notices: &'static str,
    pub export_csv: &'static str,
    pub exporting: &'static str,
    pub exported: fn(file_name: &str) -> String,
    pub export_failed: &'static str,
    pub view_receipt: &'static str,
    pub download_json: &'static str,
    pub downloading: &'static str,
    pub downloaded: fn(file_name: &str) -> String,
    pub download_failed: &'static str,
    /// A change as the history lists it ("Turned on").
    pub change: fn(&StateChange) -> String,
    /// What an event did, when its states cannot be compared.
    pub action: fn(ConsentAction) -> &'static str,
    /// A notice's name, by its id, if this catalogue knows it.
    pub notice_name: fn(id: &str) -> Option<&'static str>,
    pub notice_version: fn(name: &str, version: u32) -> String,

    // What someone else changed (a save that lost a race).
    pub someone: &'static str,
    /// A change as a verb phrase ("turned data sharing on").
    pub change_phrase: fn(&StateChange) -> String,
    /// "Ada Admin turned data sharing on at 10:42." `other_program` names the
    /// program when it is not the one the panel is about.
    pub changed_by: fn(
        who: &str,
        phrases: &[String],
        other_program: Option<ProgramId>,
        when: Option<&str>,
    ) -> String,
    pub at_time: fn(time: &str) -> String,
    pub on_date: fn(date_time: &str) -> String,

    // A consent receipt.
    pub receipt_heading: &'static str,
    pub receipt_intro: fn(program: ProgramId) -> String,
    pub receipt_loading: &'static str,
    pub receipt_load_failed: &'static str,
    pub print: &'static str,
    pub section_event: &'static str,
    pub section_parties: &'static str,
    pub section_notices: &'static str,
    pub section_purposes: &'static str,
    pub section_data: &'static str,
    pub section_recipients: &'static str,
    pub section_storage: &'static str,
    pub section_withdrawal: &'static str,
    pub section_record: &'static str,
    pub label_program: &'static str,
    pub label_event: &'static str,
    pub label_time: &'static str,
    pub label_state_after: &'static str,
    pub label_contact: &'static str,
    pub label_deleted_by: &'static str,
    pub label_schema_deleted_by: &'static str,
    pub label_tenant: &'static str,
    pub label_actor: &'static str,
    pub label_roles: &'static str,
    pub label_jurisdiction: &'static str,
    pub label_receipt_id: &'static str,
    pub label_record_id: &'static str,
    pub label_event_id: &'static str,
    pub label_schema_version: &'static str,
    pub label_issued: &'static str,
    pub notices_caption: &'static str,
    pub column_notice: &'static str,
    pub column_version: &'static str,
    pub column_language: &'static str,
    pub column_hash: &'static str,
    pub read_notice_version: &'static str,
    pub data_caption: &'static str,
    pub column_category: &'static str,
    pub column_description: &'static str,
    pub column_location: &'static str,
    pub column_retention: &'static str,
    pub tenant_line: fn(name: &str, id: &str, region: &str) -> String,
    pub event_type: fn(ReceiptEventType) -> &'static str,
    pub consent_status: fn(ConsentStatus) -> &'static str,
    pub contact: fn(allowed: bool) -> &'static str,
    pub period: fn(RetentionPeriod) -> String,
    pub no_roles: &'static str,
}
