# The app's texts in English: the frame, the settings list, the panels,
# notices, questions and answers, confirmations and failures.
# Values in { $braces } are filled in by the app; numbers and dates arrive
# already formatted for the reader's locale.

## The app frame

dev-identity = Development identity: { $name } ({ $role }) · { $tenant }
role-name = { $role ->
    [admin] admin
   *[reader] reader
}
dev-sign-in-failed = Signing in with the development identity failed.
language-label = Language
not-found-heading = Page not found
not-found-body = There is no page at this address.
go-to-settings = Go to tenant settings

## The settings list

settings-heading = Tenant settings
tenant-region = Region: { $region }
region-name = { $code ->
    [US] United States
    [EU] European Union
    [UK] United Kingdom
    [GB] United Kingdom
    [CA] Canada
    [AU] Australia
    [JP] Japan
    [IN] India
   *[other] { $code }
}
settings-list-label = Data-sharing settings
search-label = Search settings
search-no-match = No settings match your search.
loading-settings = Loading settings…
load-failed = The settings could not be loaded.
retry = Retry

## Programs and their states

program-name = { $program ->
    [copilot] Copilot AI features data sharing
   *[marketing] Marketing: human review of anonymized customer data
}
program-full-name = { $program ->
    [copilot] Data sharing for Dynamics 365 Copilot and Power Platform Copilot AI Features
   *[marketing] Human review of anonymized data from Dynamics 365 Marketing and Power Platform
}
program-summary = { $program ->
    [copilot] Lets the vendor review Copilot prompts and responses to improve Copilot features.
   *[marketing] Lets vendor engineers review anonymized marketing data to improve AI features.
}
state-on = On
state-off = Off
state-unavailable = Unavailable
state-deletion-pending = Off – deletion pending until { $date }
state-reacceptance-needed = Re-acceptance needed
current-state = Current setting
propagation-pending = Being applied: { $applied } of { $connected ->
    [one] { $connected } connected system
   *[other] { $connected } connected systems
} so far.
propagation-applied = Applied by { $applied } of { $connected ->
    [one] { $connected } connected system
   *[other] { $connected } connected systems
}.
propagation-failed = Applied by { $applied } of { $connected ->
    [one] { $connected } connected system
   *[other] { $connected } connected systems
}. { $failed ->
    [one] One system did not confirm the change. Your setting is stored and applies to it all the same.
   *[other] { $failed } systems did not confirm the change. Your setting is stored and applies to them all the same.
}

## A setting's panel

close-panel = Close
switch-label = Enable data sharing
save = Save
cancel = Cancel
saving = Saving…
saved = Saved
copilot-about-1 = When this is on, the vendor may capture your users' Copilot prompts, the responses and related telemetry, and have people review them by hand. It uses them to build, improve and check Copilot features and the models behind them.
copilot-about-2 = Shared data is kept for { $days } days and stays inside your tenant's geographic data boundary. Only vendor staff who need to see it, with elevated and authorized access, can open it. Customer Lockbox and customer-managed keys do not apply to this review.
copilot-about-3 = It is off unless an administrator turns it on. You can turn it off at any time; shared data is then deleted within { $days } days.
accepts-notice = Turning this on and saving accepts the Copilot data sharing notice, version { $version }.
only-united-states = This setting is only available to tenants in the United States region. Your tenant is in the { $region } region.
only-turning-off = Data sharing is still on from before, but it can no longer be kept on or accepted again: turning it off is the only change you can save.
admins-only = Only tenant administrators can change this setting.
marketing-about-1 = When this is on, vendor engineers and data scientists review anonymized data from Dynamics 365 Marketing and Power Platform apps to build and improve machine learning models. None of your data ends up inside the models.
marketing-about-2 = Before it can be turned on, an administrator reads and accepts the engagement notice and its non-disclosure agreement. You can turn it off at any time.

## Reading and accepting notices

notice-name = { $id ->
    [copilot-data-sharing] Copilot data sharing notice
    [marketing-human-review] Marketing engagement notice
    [marketing-nda] non-disclosure agreement
    [copilot-faq] Copilot questions and answers
    [marketing-faq] Marketing questions and answers
   *[other] notice “{ $id }”
}
# One notice in a list of notices to accept.
the-notice = the { $name } (version { $version })
read-notice = Read the { $name } (version { $version })
faq-about = { $program ->
    [copilot] Questions and answers about Copilot data sharing
   *[marketing] Questions and answers about Marketing human review
}
accept-label = I have read and accept { $notices }
accepted-versions = Accepted: { $notices }.
accept-first = To save, first confirm that you have read and accept the documents above.
reader-close = Close the document
open-full-page = Open as a full page
contact-switch-label = Allow the vendor to contact the system administrator
contact-help = Vendor representatives may contact your system administrator with questions from time to time. You can turn this off at any time without stopping data sharing.
data-categories-heading = What is shared, and how long it is kept
category-name = { $category ->
    [marketing_data] Marketing data
    [query_data] Query data
    [data_schema] Data schema
   *[other] { $name }
}
category-description = { $category ->
    [marketing_data] Contact details and marketing activity (email content, forms, web pages, events, customer journeys) in your database, and how contacts interacted with them.
    [query_data] Your users' queries against your data from the Marketing and Power Platform apps, related telemetry, and the results.
    [data_schema] Table and column names only, never the values in them. It contains no personal data.
   *[other] { $description }
}
category-retention = { $category ->
    [marketing_data] Copied to vendor storage in your geography, kept apart from other tenants, and purged after { $count } days.
    [query_data] Copied to vendor storage in your geography, kept apart from other tenants, and purged after { $count } days.
    [data_schema] Copied to the United States and kept for up to { $count } months from when it was copied; it may be combined with other customers' schemas.
   *[other] { $rule }
}
deletion-detail = Data sharing was turned off. Shared data is deleted by { $due }; until then it may still be used.
deletion-detail-region = Data sharing was turned off automatically because your organization is no longer in the United States region; shared data is deleted by { $due }.
deletion-detail-marketing = Data sharing was turned off. Marketing and query data are purged by { $due }. Copies of the data schema are kept at most { $months } months from when they were copied: all are gone by { $schema_due }.

## Re-acceptance after a notice changed materially

reconsent-heading = Accept the changed notice to keep sharing
reconsent-body = A document this setting relies on changed in a way that needs an administrator's acceptance again. Until then no data is shared under this setting; the setting itself stays on.
notice-changed = The { $name } changed from version { $from } to version { $to }.
notice-not-yet-accepted = The { $name } (version { $version }) has not been accepted yet.
change-summary = What changed: { $summary }
changed-sections = Sections that are new or changed:
loading-changes = Finding out what changed…
changes-failed = What changed could not be loaded. Read the documents in full before accepting them.

## What changed in a notice, word by word

changed-sections-words = What changed, section by section:
diff-legend = Added words are underlined; removed words are struck through.
diff-added-start = [added:
diff-added-end = ]
diff-removed-start = [removed:
diff-removed-end = ]
diff-section-added = New section
diff-section-removed = Section removed
diff-section-renamed = Renamed from “{ $before }”
diff-formatting-only = Only emphasis or links changed; the words are the same.
notice-diff-summary = What changed since version { $from }
notice-diff-loading = Comparing with version { $from }…
notice-diff-failed = The comparison could not be loaded. Open version { $from } to compare by reading.
notice-diff-none = The wording shown did not change; only words that are never shown (such as search words) did.
notice-diff-language = Compared in English: version { $from } is not published in your language.

## Questions and answers (/faq)

faq-heading = Frequently asked questions
faq-intro = Answers about the two data-sharing settings. Open a question to read its answer.
faq-search-label = Search questions
faq-no-match = No questions match your search.
faq-match-count = { $count ->
    [one] { $count } question matches.
   *[other] { $count } questions match.
}
faq-link-to-question = Link to this question
loading-faq = Loading questions…
faq-load-failed = The questions could not be loaded.

## A notice's full text (/notices/<id>)

back-to-settings = Back to tenant settings
notice-version-line = Version { $version }, in effect from { $effective }
contents = Contents
print = Print
versions-heading = All versions
current-version = Current version
material-change = Needed acceptance again
minor-change = Correction: earlier acceptances still hold
older-version-note = This is an older version. The current one is version { $current }.
read-current-version = Read the current version
loading-notice = Loading the document…
notice-load-failed = The document could not be loaded.

## Confirmations

confirm-off-title = Turn off data sharing?
confirm-off-body = Shared data will be deleted by { $date }. Until then, it may still be used. You can turn data sharing on again at any time.
confirm-off-marketing-body = Marketing and query data will be purged by { $date }. Copies of the data schema (table and column names) are kept at most { $months } months from when they were copied, so all are deleted by { $schema_date }. The vendor will also stop contacting your system administrator. You can turn data sharing on again at any time.
turn-off = Turn off
keep-sharing = Keep sharing
discard-title = Discard your change?
discard-body = You changed this setting but have not saved it.
discard = Discard change
keep-editing = Keep editing

## Failures and what to do next

error-offline = Your device is offline. Nothing was changed; try again when you are connected.
error-network = The server could not be reached. Nothing was changed; check your connection and try again.
error-unauthorized = Your session has expired. Sign in again, then try again.
error-forbidden = You are not allowed to change this setting. Only tenant administrators can.
error-not-found = These settings could not be found for your tenant.
error-conflict = Someone else changed this setting while you were editing. It is now { $state }. Your choice is still shown: save to apply it, or show the current setting.
error-conflict-unknown = Someone else changed this setting while you were editing. Your choice is still shown: save to apply it, or show the current setting.
error-region-ineligible = This setting is only available to tenants in the United States region.
error-notice-not-accepted = The notice changed since this page loaded. Show the current setting to read the current version, then try again.
error-stale-version = Someone else changed this setting while you were editing. Show the current setting, then try again.
error-refused = The server refused the change: { $detail }
error-server = The server ran into a problem and nothing was changed. Try again in a moment.
# { $seconds } is a whole number of seconds, at most 3600.
error-rate-limited = Too many requests in a short time. Try again in { $seconds } s.
show-current-setting = Show the current setting
sign-in-again = Sign in again

language-endonym = English
list-and = { $rest } and { $last }

## Reading and saving while the server is down, failing or slow

refresh-failed = The settings shown may be out of date: reading them again failed.
retrying-in = { $seconds ->
    [one] Trying again in { $seconds } second.
   *[other] Trying again in { $seconds } seconds.
}
retry-now = Retry now
server-slow = The server is taking longer than usual. Still waiting…
# { $seconds } is a whole number of seconds, at most 3600.
save-rate-limited = Too many changes. Try again in { $seconds } s. Your change was not saved and is still shown.
save-outcome-unknown = The server could not be reached, so it is not known whether your change was saved. Your choice is still shown. Trying again is safe: the same change is sent and is never applied twice.

## Deletion after an opt-out

deletion-progress = { $total ->
    [one] Deletion: { $done } of { $total } store confirmed
   *[other] Deletion: { $done } of { $total } stores confirmed
}
deletion-due = { $store } due by { $date }
deletion-overdue = Overdue: { $store } has not confirmed deleting your data, which was due by { $date }.
deletion-complete = { $total ->
    [one] Deletion confirmed by the one store.
   *[other] Deletion confirmed by all { $total } stores.
}
deletion-after-opt-in = Data shared before you turned sharing off on { $date } is still deleted as promised.
deletion-certificate-link = Deletion certificate
deletion-heading = Deletion after turning off on { $date }

screen-load-failed = This part of the page could not be loaded. Check the connection, then try again.
