//! What someone else changed while a person was editing: said in words after
//! a save lost the race (412), so the person can decide with the facts.

use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::{document_changes, ActorRef, DataSharingDocument, ProgramId, Timestamp};
use leptos::prelude::*;

use crate::i18n::{capitalized, change_phrase, same_local_day, use_i18n, I18n};
use crate::state::now;

/// The changes between the settings a draft was based on and the settings
/// now stored, one sentence each ("Ada Admin turned data sharing on at 10:42 AM.").
///
/// Nothing is rendered when nothing visible changed.
#[component]
pub fn WhatChanged(
    /// The settings the person's draft was based on.
    base: DataSharingDocument,
    /// The settings the server holds now (from the 412 answer).
    current: DataSharingDocument,
    /// The program the panel is about; changes to another program name it.
    program: ProgramId,
) -> impl IntoView {
    let t = use_i18n();
    let today = now();
    let when = |at: Timestamp| {
        if same_local_day(at, today) {
            tr!(t, "at-time", time = t.time(at))
        } else {
            tr!(t, "on-date", date_time = t.date_time_short(at))
        }
    };
    let sentences = changed_sentences(t, &base, &current, program, when);
    (!sentences.is_empty()).then(|| {
        view! {
            <ul class="ts-changes">
                {sentences.into_iter().map(|sentence| view! { <li>{sentence}</li> }).collect_view()}
            </ul>
        }
    })
}

/// One sentence per changed program, the panel's own program first.
/// `when` says when a change happened ("at 10:42 AM").
pub fn changed_sentences(
    t: I18n,
    base: &DataSharingDocument,
    current: &DataSharingDocument,
    program: ProgramId,
    when: impl Fn(Timestamp) -> String,
) -> Vec<String> {
    let mut changed = document_changes(base, current);
    changed.sort_by_key(|c| c.program != program);
    changed
        .iter()
        .map(|c| {
            let who = who_changed(t, c.by.as_ref());
            let phrases: Vec<String> = c.changes.iter().map(|c| change_phrase(t, c)).collect();
            let phrases = t.list(&phrases);
            let sentence = match ((c.program != program).then_some(c.program), c.at.map(&when)) {
                (None, None) => tr!(t, "changed-by", who = who, phrases = phrases),
                (None, Some(when)) => {
                    tr!(
                        t,
                        "changed-by-when",
                        who = who,
                        phrases = phrases,
                        when = when
                    )
                }
                (Some(other), None) => tr!(
                    t,
                    "changed-by-program",
                    program = tr!(t, "program-name", program = other.as_str()),
                    who = who,
                    phrases = phrases,
                ),
                (Some(other), Some(when)) => tr!(
                    t,
                    "changed-by-program-when",
                    program = tr!(t, "program-name", program = other.as_str()),
                    who = who,
                    phrases = phrases,
                    when = when,
                ),
            };
            capitalized(&sentence)
        })
        .collect()
}

/// Who made a change a document records: the consent service by its name in
/// the page's language, a person by name, else "another administrator".
pub fn who_changed(t: I18n, by: Option<&ActorRef>) -> String {
    match by {
        Some(actor) if actor.id == CONSENT_SERVICE_ACTOR_ID => tr!(t, "consent-service"),
        Some(actor) if !actor.name.trim().is_empty() => actor.name.clone(),
        _ => tr!(t, "someone"),
    }
}

#[cfg(test)]
mod tests {
    use consent_core::{NoticeRef, ProgramView, Region, Tenant};

    use super::*;

    fn program(id: ProgramId, enabled: bool, by: Option<(&str, &str)>) -> ProgramView {
        let notice = NoticeRef {
            id: id.required_notices()[0].to_owned(),
            version: 3,
            sha256: "abc".to_owned(),
        };
        ProgramView {
            id,
            enabled,
            eligible: true,
            ineligible_reason: None,
            contact_allowed: None,
            notices: vec![notice.clone()],
            accepted_notices: if enabled { vec![notice] } else { Vec::new() },
            reconsent_required: false,
            updated_at: by.map(|_| "2026-11-21T10:42:00Z".parse().unwrap()),
            updated_by: by.map(|(id, name)| ActorRef {
                id: id.to_owned(),
                name: name.to_owned(),
            }),
            pending_deletion: None,
        }
    }

    fn document(programs: Vec<ProgramView>) -> DataSharingDocument {
        DataSharingDocument {
            tenant: Tenant {
                id: "contoso".to_owned(),
                name: "Contoso".to_owned(),
                region: Region::new("US"),
            },
            version: 1,
            can_edit: true,
            programs,
        }
    }

    // Guards the words of the conflict message: who, what and when, the panel's program first.
    #[test]
    fn sentences_say_who_changed_what_and_when() {
        let t = I18n::of(crate::i18n::Language::English);
        let when = |_| "at 10:42 AM".to_owned();
        let base = document(vec![
            program(ProgramId::Copilot, false, None),
            program(ProgramId::Marketing, false, None),
        ]);
        let ada = Some(("ada", "Ada Admin"));

        let current = document(vec![
            program(ProgramId::Copilot, true, ada),
            program(ProgramId::Marketing, false, None),
        ]);
        assert_eq!(
            changed_sentences(t, &base, &current, ProgramId::Copilot, when),
            vec![
                "Ada Admin turned data sharing on and accepted version 3 of the Copilot data \
                 sharing notice at 10:42 AM."
            ]
        );

        let current = document(vec![
            program(ProgramId::Copilot, false, None),
            program(
                ProgramId::Marketing,
                true,
                Some(("system", "Consent service")),
            ),
        ]);
        let sentences = changed_sentences(t, &base, &current, ProgramId::Copilot, when);
        assert_eq!(sentences.len(), 1);
        assert_eq!(
            sentences[0],
            "For Marketing: human review of anonymized customer data, Consent service turned \
             data sharing on and accepted version 3 of the Marketing engagement notice at 10:42 AM."
        );

        let current = document(vec![
            program(ProgramId::Copilot, false, Some(("x", " "))),
            program(ProgramId::Marketing, true, ada),
        ]);
        let mut moved = base.clone();
        moved.programs[0].enabled = true;
        let sentences = changed_sentences(t, &moved, &current, ProgramId::Marketing, when);
        assert_eq!(sentences.len(), 2);
        let german = changed_sentences(
            I18n::of(crate::i18n::Language::German),
            &moved,
            &current,
            ProgramId::Marketing,
            |_| "um 10:42".to_owned(),
        );
        assert!(
            german[1].starts_with(
                "Bei Datenfreigabe für Copilot-KI-Funktionen: ein anderer Administrator hat"
            ),
            "{german:?}"
        );
        assert!(sentences[0].starts_with("Ada Admin turned data sharing on"));
        assert!(
            sentences[1]
                .starts_with("For Copilot AI features data sharing, another administrator turned"),
            "{sentences:?}"
        );

        assert!(changed_sentences(t, &base, &base, ProgramId::Copilot, when).is_empty());
    }
}
