//! "Show settings as of…": the tenant's settings as they stood at a past
//! moment, replayed by the server from the ledger and shown read-only, so
//! an auditor can answer "what was agreed then" without reading the table.

use consent_core::{DataSharingDocument, ErrorCode, ProgramView, Timestamp};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::ApiError;
use crate::components::what_changed::who_changed;
use crate::components::ReadView;
use crate::data::use_read;
use crate::i18n::{use_i18n, I18n};
use crate::routes::use_ids;
use crate::state::{now, ProgramStatus};

/// The settings at an instant, or why there were none.
#[derive(Debug, Clone, PartialEq)]
enum Then {
    Settings(DataSharingDocument),
    /// The tenant was registered after that instant.
    NotYetRecorded,
}

/// The date-time field and its button: choosing a moment shows the settings
/// then (through `show`); a moment that cannot be shown is said so, and the
/// field keeps what was typed.
#[component]
pub fn AsOfForm(
    /// The moment shown now, if any (from the address).
    shown: Memo<Option<Timestamp>>,
    /// Shows the settings at a moment (`None`: the current settings again).
    show: Callback<Option<Timestamp>>,
) -> impl IntoView {
    let h = use_i18n();
    let ids = use_ids();
    let input = NodeRef::<html::Input>::new();
    let problem = RwSignal::new(None::<String>);
    let field_id = ids.id("as-of");
    let problem_id = ids.id("as-of-problem");
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = input.get_untracked().map(|i| i.value()).unwrap_or_default();
        match chosen_instant(&value, now()) {
            Ok(at) => {
                problem.set(None);
                show.run(Some(at));
            }
            Err(reason) => problem.set(Some(reason.text(h))),
        }
    };
    let initial = shown
        .get_untracked()
        .map(local_input_value)
        .unwrap_or_default();
    let problem_ref = problem_id.clone();
    view! {
        <form class="ts-as-of" on:submit=submit novalidate>
            <div class="ts-field">
                <label class="ts-field__label" for=field_id.clone()>
                    {tr!(h, "as-of-label")}
                </label>
                <input
                    class="ts-field__select"
                    type="datetime-local"
                    step="1"
                    id=field_id
                    node_ref=input
                    value=initial
                    aria-invalid=move || problem.with(Option::is_some).then_some("true")
                    aria-describedby=move || problem.with(Option::is_some).then(|| problem_ref.clone())
                />
            </div>
            <button type="submit" class="ts-button">{tr!(h, "as-of-show")}</button>
            {move || {
                shown
                    .get()
                    .map(|_| {
                        view! {
                            <button type="button" class="ts-button" on:click=move |_| show.run(None)>
                                {tr!(h, "as-of-hide")}
                            </button>
                        }
                    })
            }}
            <p class="ts-field__problem" id=problem_id role="alert">
                {move || problem.get()}
            </p>
        </form>
    }
}

/// The settings at `at`, read-only.
#[component]
pub fn SettingsAsOf(
    /// The moment to show.
    at: Memo<Option<Timestamp>>,
) -> impl IntoView {
    let h = use_i18n();
    let ids = use_ids();
    let heading_id = ids.id("as-of-heading");
    let then = use_read(move |client, tenant| {
        let at = at.get();
        async move {
            let Some(at) = at else {
                return Ok(None);
            };
            match client.get_data_sharing_at(&tenant, at).await {
                Ok(document) => Ok(Some((at, Then::Settings(document)))),
                // The page refuses future moments itself; the server refuses
                // a past one only when the tenant did not exist yet.
                Err(ApiError::Refused {
                    code: ErrorCode::InvalidQuery,
                    ..
                }) => Ok(Some((at, Then::NotYetRecorded))),
                Err(error) => Err(error),
            }
        }
    });
    let heading_ref = heading_id.clone();
    let heading = move || {
        at.get()
            .map(|at| tr!(h, "as-of-heading", date_time = h.date_time(at)))
    };
    let ready = move |answer: Option<(Timestamp, Then)>| {
        answer.map(|(at, then)| {
            let heading = tr!(h, "as-of-heading", date_time = h.date_time(at));
            match then {
                Then::Settings(document) => view! {
                    <p class="ts-note">{tr!(h, "as-of-read-only")}</p>
                    <ul class="ts-settings ts-settings--past" aria-label=heading.clone()>
                        {document
                            .programs
                            .iter()
                            .map(|program| past_row(h, program, at))
                            .collect_view()}
                    </ul>
                }
                .into_any(),
                Then::NotYetRecorded => view! { <p>{tr!(h, "as-of-not-yet")}</p> }.into_any(),
            }
        })
    };
    let loading = move || view! { <p class="ts-note" role="status">{tr!(h, "as-of-loading")}</p> };
    view! {
        <section class="ts-as-of__result" aria-labelledby=heading_ref>
            <h2 class="ts-as-of__heading" id=heading_id>{heading}</h2>
            <ReadView
                read=then
                failed=Signal::derive(move || tr!(h, "as-of-failed"))
                loading=loading
                ready=ready
            />
        </section>
    }
}

/// One program as it stood at `at`: its state, the notice versions then
/// accepted, the contact preference and who had last changed it.
fn past_row(h: I18n, program: &ProgramView, at: Timestamp) -> impl IntoView {
    let status = ProgramStatus::of(program, at);
    let accepted: Vec<String> = program
        .accepted_notices
        .iter()
        .map(|notice| {
            tr!(
                h,
                "notice-version",
                name = tr!(h, "history-notice-name", id = notice.id.as_str()),
                version = notice.version
            )
        })
        .collect();
    let accepted =
        (!accepted.is_empty()).then(|| tr!(h, "as-of-accepted", notices = h.list(&accepted)));
    let contact = program.contact_allowed.map(|allowed| {
        tr!(
            h,
            "change-contact",
            allowed = if allowed { "yes" } else { "no" }
        )
    });
    let changed = program.updated_at.map(|when| {
        tr!(
            h,
            "as-of-changed-by",
            who = who_changed(h, program.updated_by.as_ref()),
            date_time = h.date_time(when)
        )
    });
    let details: Vec<String> = [accepted, contact, changed].into_iter().flatten().collect();
    view! {
        <li class="ts-setting">
            <div class="ts-setting__text">
                <span class="ts-setting__name">
                    {tr!(h, "program-name", program = program.id.as_str())}
                </span>
                {details
                    .into_iter()
                    .map(|line| view! { <span class="ts-setting__summary">{line}</span> })
                    .collect_view()}
            </div>
            <span class=format!("ts-status ts-status--{}", status.tone())>{status.text(h)}</span>
        </li>
    }
}

/// Why a typed moment cannot be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotShowable {
    Empty,
    Unreadable,
    Future,
}

impl NotShowable {
    fn text(self, h: I18n) -> String {
        match self {
            NotShowable::Empty => tr!(h, "as-of-empty"),
            NotShowable::Unreadable => tr!(h, "as-of-unreadable"),
            NotShowable::Future => tr!(h, "as-of-future"),
        }
    }
}

/// The instant a `datetime-local` value names in the browser's time zone,
/// if it is one and not after `now`.
fn chosen_instant(value: &str, now: Timestamp) -> Result<Timestamp, NotShowable> {
    if value.trim().is_empty() {
        return Err(NotShowable::Empty);
    }
    let parts = local_parts(value).ok_or(NotShowable::Unreadable)?;
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec_milli(
        parts.year,
        parts.month as i32 - 1,
        parts.day as i32,
        parts.hour as i32,
        parts.minute as i32,
        parts.second as i32,
        parts.millisecond as i32,
    );
    let at =
        Timestamp::from_timestamp_millis(date.get_time() as i64).ok_or(NotShowable::Unreadable)?;
    if at > now {
        return Err(NotShowable::Future);
    }
    Ok(at)
}

/// A local date and time as a `datetime-local` field writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LocalParts {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millisecond: u32,
}

/// The parts of `YYYY-MM-DDTHH:MM`, `…:SS` or `…:SS.mmm` (what a
/// `datetime-local` field gives), each in its range.
fn local_parts(value: &str) -> Option<LocalParts> {
    let (date, time) = value.trim().split_once('T')?;
    let mut date = date.split('-');
    let (year, month, day) = (date.next()?, date.next()?, date.next()?);
    let mut time = time.split(':');
    let (hour, minute) = (time.next()?, time.next()?);
    let (second, fraction) = match time.next() {
        Some(seconds) => match seconds.split_once('.') {
            Some((_, "")) => return None,
            Some((whole, fraction)) => (whole, fraction),
            None => (seconds, ""),
        },
        None => ("0", ""),
    };
    if date.next().is_some() || time.next().is_some() || year.len() != 4 || fraction.len() > 3 {
        return None;
    }
    let number = |text: &str| {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    let millisecond = match fraction {
        "" => 0,
        digits => number(&format!("{digits:0<3}"))?,
    };
    let parts = LocalParts {
        year: number(year)?,
        month: number(month)?,
        day: number(day)?,
        hour: number(hour)?,
        minute: number(minute)?,
        second: number(second)?,
        millisecond,
    };
    let in_range = (1..=12).contains(&parts.month)
        && (1..=31).contains(&parts.day)
        && parts.hour < 24
        && parts.minute < 60
        && parts.second < 60;
    in_range.then_some(parts)
}

/// `at` in the browser's time zone as a `datetime-local` value.
fn local_input_value(at: Timestamp) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let seconds = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    );
    match date.get_milliseconds() {
        0 => seconds,
        millis => format!("{seconds}.{millis:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{local_parts, LocalParts};

    fn parts(value: &str) -> Option<(u32, u32, u32, u32, u32, u32, u32)> {
        local_parts(value).map(|p: LocalParts| {
            (
                p.year,
                p.month,
                p.day,
                p.hour,
                p.minute,
                p.second,
                p.millisecond,
            )
        })
    }

    // Guards what the field accepts: the forms a datetime-local field
    // gives, and nothing out of range.
    #[test]
    fn local_date_times_are_read_in_range_only() {
        assert_eq!(parts("2026-11-21T09:30"), Some((2026, 11, 21, 9, 30, 0, 0)));
        assert_eq!(
            parts("2026-11-21T09:30:15"),
            Some((2026, 11, 21, 9, 30, 15, 0))
        );
        assert_eq!(
            parts("2026-11-21T09:30:15.25"),
            Some((2026, 11, 21, 9, 30, 15, 250))
        );
        assert_eq!(
            parts("2026-11-21T09:30:15.007"),
            Some((2026, 11, 21, 9, 30, 15, 7))
        );
        for bad in [
            "",
            "2026-11-21",
            "2026-13-01T00:00",
            "2026-11-32T00:00",
            "2026-11-21T24:00",
            "2026-11-21T09:60",
            "26-11-21T09:30",
            "2026-11-21T09:30:15:00",
            "2026-11-21T09:30:15.1234",
            "2026-11-21T09:30:15.",
            "2026-11-21T9h30",
            "2026-11-21T+9:30",
        ] {
            assert_eq!(parts(bad), None, "{bad:?}");
        }
    }
}
