//! A tenant's deletions as the page says them: per opt-out, how many data
//! stores confirmed, what is still due and by when, what is overdue, and
//! whether the certificate is ready. Read once per stored settings version
//! and shared by the list and the panels.

use consent_core::deletion::{ObligationStatus, OptOutDeletions, TenantDeletions};
use consent_core::{ProgramId, Timestamp};
use leptos::prelude::*;

use crate::i18n::I18n;
use crate::session::use_session;
use crate::state::use_settings;

/// The tenant's deletions, read again after every stored change; `None`
/// until read or when the read failed (the line is secondary).
#[derive(Clone, Copy)]
pub struct DeletionsRead(LocalResource<Option<TenantDeletions>>);

impl DeletionsRead {
    /// Starts reading; provided as context by the settings page.
    pub fn start() -> DeletionsRead {
        let store = use_settings();
        let session = use_session();
        let version = Memo::new(move |_| store.snapshot().map(|s| s.document.version));
        DeletionsRead(LocalResource::new(move || {
            let stored = version.get();
            let (client, tenant) = (session.client(), session.tenant());
            async move {
                stored?;
                client.get_deletions(&tenant).await.ok()
            }
        }))
    }

    /// The opt-outs of `program` to show: every one not yet complete, and
    /// the newest complete one (with its certificate), newest first.
    pub fn of(self, program: ProgramId) -> Vec<OptOutDeletions> {
        let Some(all) = self.0.get().flatten() else {
            return Vec::new();
        };
        let mut complete_shown = false;
        all.opt_outs
            .into_iter()
            .filter(|o| o.program == program)
            .filter(|o| {
                if !o.complete() {
                    return true;
                }
                let first = !complete_shown;
                complete_shown = true;
                first
            })
            .collect()
    }
}

/// The context's deletions.
pub fn use_deletions() -> Option<DeletionsRead> {
    use_context::<DeletionsRead>()
}

/// The sentences for one opt-out: the count first, then each overdue store,
/// then what is still due and by when; `date` formats a date.
pub fn progress_words(
    t: I18n,
    opt_out: &OptOutDeletions,
    date: impl Fn(Timestamp) -> String,
) -> Vec<String> {
    let (done, total) = opt_out.confirmed();
    let mut words = Vec::new();
    if opt_out.complete() {
        words.push(tr!(t, "deletion-complete", total = total));
        return words;
    }
    let open: Vec<String> = opt_out
        .obligations
        .iter()
        .filter(|o| o.status == ObligationStatus::Open)
        .map(|o| {
            tr!(
                t,
                "deletion-due",
                store = o.store_name.clone(),
                date = date(o.due_by)
            )
        })
        .collect();
    let mut line = tr!(t, "deletion-progress", done = done, total = total);
    if !open.is_empty() {
        line = format!("{line} · {}", open.join(" · "));
    }
    words.push(line);
    words.extend(
        opt_out
            .obligations
            .iter()
            .filter(|o| o.status == ObligationStatus::Overdue)
            .map(|o| {
                tr!(
                    t,
                    "deletion-overdue",
                    store = o.store_name.clone(),
                    date = date(o.due_by)
                )
            }),
    );
    words
}

#[cfg(test)]
mod tests {
    use consent_core::deletion::{Attestation, DeletionObligation};

    use super::*;
    use crate::i18n::Language;

    fn obligation(store: &str, due: &str, status: ObligationStatus) -> DeletionObligation {
        let at: Timestamp = due.parse().unwrap();
        DeletionObligation {
            id: format!("o-{store}"),
            store: store.to_owned(),
            store_name: store.to_owned(),
            tenant: "contoso".to_owned(),
            program: ProgramId::Marketing,
            opt_out_event_id: "e1".to_owned(),
            due_by: at,
            status,
            attestation: (status == ObligationStatus::Done).then(|| Attestation {
                completed_at: at,
                items_deleted: 3,
                method: "purge".to_owned(),
                evidence_ref: "J".to_owned(),
                attested_by: "c".to_owned(),
                attested_at: at,
                event_id: "e2".to_owned(),
            }),
        }
    }

    // Guards the progress line a tenant admin reads: confirmed of total,
    // what is still due by when, overdue said plainly, and completion.
    #[test]
    fn progress_says_confirmed_due_and_overdue() {
        let t = I18n::of(Language::English);
        let date = |at: Timestamp| at.date_naive().to_string();
        let mut opt_out = OptOutDeletions {
            event_id: "e1".to_owned(),
            program: ProgramId::Marketing,
            at: "2026-11-21T09:30:00Z".parse().unwrap(),
            obligations: vec![
                obligation(
                    "Marketing data copies",
                    "2026-12-21T09:30:00Z",
                    ObligationStatus::Done,
                ),
                obligation(
                    "Query data copies",
                    "2026-12-21T09:30:00Z",
                    ObligationStatus::Done,
                ),
                obligation(
                    "Data schema copies",
                    "2027-11-21T09:30:00Z",
                    ObligationStatus::Open,
                ),
            ],
        };
        assert_eq!(
            progress_words(t, &opt_out, date),
            ["Deletion: 2 of 3 stores confirmed · Data schema copies due by 2027-11-21"]
        );
        opt_out.obligations[1].status = ObligationStatus::Overdue;
        opt_out.obligations[1].attestation = None;
        assert_eq!(
            progress_words(t, &opt_out, date),
            [
                "Deletion: 1 of 3 stores confirmed · Data schema copies due by 2027-11-21",
                "Overdue: Query data copies has not confirmed deleting your data, which was due by 2026-12-21.",
            ]
        );
        for o in &mut opt_out.obligations {
            *o = obligation(
                &o.store_name,
                "2026-12-21T09:30:00Z",
                ObligationStatus::Done,
            );
        }
        assert_eq!(
            progress_words(t, &opt_out, date),
            ["Deletion confirmed by all 3 stores."]
        );
        let german = progress_words(I18n::of(Language::German), &opt_out, date);
        assert_eq!(german, ["Löschung von allen 3 Speichern bestätigt."]);
    }
}
