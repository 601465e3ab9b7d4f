# The consent history, consent receipts, and what someone else changed.

## Reaching the history

view-history = View history
back-to-history = Back to consent history

## The history page

history-heading = Consent history
history-intro = Every change to the data-sharing settings, newest first. Each change comes with a consent receipt that records what was agreed, under which notice versions.
program-label = Program
all-programs = All programs
history-caption = Consent events, newest first
history-caption-program = Consent events for { $program }, newest first
column-when = When
column-who = Who
column-program = Program
column-what = What changed
column-notices = Notice versions
column-receipt = Receipt
history-loading = Loading the history…
history-load-failed = The history could not be loaded.
load-older = Load older events
loading-older = Loading older events…
history-empty = No changes have been recorded yet.
history-empty-program = No changes to this program have been recorded yet.
events-shown = { $count ->
    [one] Showing { $count } event.
   *[other] Showing { $count } events.
}
events-shown-more = Showing the newest { $count } events. Older events can be loaded.
consent-service = Consent service
no-notices = None
export-csv = Export CSV
exporting = Preparing the CSV file…
downloaded = Downloaded { $file }.
export-failed = The CSV file could not be downloaded.
view-receipt = View receipt
download-json = Download JSON
download-signed = Download signed receipt
downloaded-signed = Downloaded { $file }, signed with key { $kid }.
downloading = Preparing the receipt…
download-failed = The receipt could not be downloaded.

## The ledger and the settings at a past moment

export-ledger = Export signed ledger
export-ledger-help = The signed ledger lists every change with its hash link and signed receipt. An auditor can check it offline with the service's public keys, without trusting this page.
exporting-ledger = Preparing the signed ledger…
downloaded-ledger = Downloaded { $file }. Check it with: consent-api ledger verify --in { $file } --jwks jwks.json
export-ledger-failed = The signed ledger could not be downloaded.
as-of-label = Show settings as of…
as-of-show = Show
as-of-hide = Back to the current settings
as-of-empty = Choose a date and a time.
as-of-unreadable = That is not a date and time. Use the calendar, or type it as shown in the field.
as-of-future = Choose a moment in the past: the settings at a future moment are not known yet.
as-of-heading = Settings as of { $date_time }
as-of-read-only = Read-only: how the settings stood at that moment, replayed from the ledger.
as-of-loading = Replaying the ledger…
as-of-failed = The settings at that moment could not be loaded.
as-of-not-yet = Your organization's settings were first recorded after that moment. Choose a later one.
as-of-accepted = Accepted: { $notices }
as-of-changed-by = Last changed by { $who } on { $date_time }
notice-version = { $name }, version { $version }
history-notice-name = { $id ->
    [copilot-data-sharing] Copilot data sharing notice
    [marketing-human-review] Marketing engagement notice
    [marketing-nda] Marketing non-disclosure agreement
   *[other] notice “{ $id }”
}

## A change as the history lists it

change-turned-on = Turned on
change-turned-off = Turned off
change-turned-on-and-off = Turned on and off again
change-contact = { $allowed ->
    [yes] Contact preference: on
   *[no] Contact preference: off
}
change-notice-accepted = Accepted { $name } version { $version }
change-deletion-completed = Deletion date passed (recorded by the former clock-based sweep, not confirmed by the data stores)
# { $store } is a data store's name.
change-deletion-attested = { $items ->
    [one] Deletion confirmed by { $store }: { $items } item deleted
   *[other] Deletion confirmed by { $store }: { $items } items deleted
}
change-deletion-overdue = Deletion overdue: { $store } did not confirm it by its date
change-changed-back = Changed, then changed back
# { $before } and { $after } are region names ("European Union"), or codes we have no name for.
change-region = Region changed from { $before } to { $after }
change-turned-off-region = Turned off automatically: your organization moved out of the United States region
action = { $action ->
    [opted_in] Turned on
    [opted_out] Turned off
    [contact_changed] Contact preference changed
    [notices_accepted] Accepted new notice versions
    [region_changed] Region changed
    [deletion_attested] Deletion confirmed by a data store
    [deletion_overdue] Deletion overdue at a data store
   *[deletion_completed] Deletion date passed (recorded by the former clock-based sweep)
}

## What someone else changed (a save that lost a race)

someone = another administrator
phrase-turned-on = turned data sharing on
phrase-turned-off = turned data sharing off
phrase-turned-on-and-off = turned data sharing on and off again
phrase-contact = { $allowed ->
    [yes] allowed the vendor to contact the system administrator
   *[no] stopped the vendor from contacting the system administrator
}
phrase-notice-accepted = accepted version { $version } of the { $name }
phrase-deletion-completed = recorded, with the former clock-based sweep, that the deletion date had passed
phrase-changed-back = changed this setting and then changed it back
# { $phrases } is a list already joined in the reader's language ("a, b and c").
changed-by = { $who } { $phrases }.
changed-by-when = { $who } { $phrases } { $when }.
changed-by-program = For { $program }, { $who } { $phrases }.
changed-by-program-when = For { $program }, { $who } { $phrases } { $when }.
at-time = at { $time }
on-date = on { $date_time }

## A consent receipt

receipt-heading = Consent receipt
receipt-intro = The record of one change to { $program }, as the consent service issued it.
receipt-loading = Loading the receipt…
receipt-load-failed = The receipt could not be loaded.
section-event = What happened
section-parties = Who consented
section-notices = Notices
section-purposes = Purposes
section-data = Data categories, storage and retention
section-recipients = Who sees the data
section-storage = Storage locations
section-withdrawal = How to withdraw
section-record = About this receipt
label-program = Program
label-event = Event
label-time = When
label-state-after = Consent afterwards
label-contact = Contact by the vendor
label-deleted-by = Shared data deleted by
label-schema-deleted-by = Schema copies gone by
label-tenant = On behalf of the tenant
label-actor = Acted by
label-roles = Roles
label-jurisdiction = Jurisdiction
label-receipt-id = Receipt ID
label-record-id = Consent record ID
label-event-id = History event ID
label-event-hash = Event hash in the tenant's ledger chain (SHA-256)
label-schema-version = Receipt format version
label-issued = Issued
notices-caption = Notice versions in force with this change
column-notice = Notice
column-version = Version
column-language = Language
column-hash = SHA-256 of the wording
read-notice-version = Read this version
data-caption = What is shared, where it is kept and for how long
column-category = Category
column-description = What it is
column-location = Where it is kept
column-retention = How long
tenant-line = { $name } (tenant ID { $id }), region { $region }
event-type = { $kind ->
    [given] Consent given
    [renewed] Consent renewed under new notice versions
    [modified] Consent record changed
    [withdrawn] Consent withdrawn
   *[expired] Consent ended: shared data deleted
}
consent-status = { $status ->
    [given] Given
    [withdrawn] Withdrawn, deletion pending
    [expired] Ended, shared data deleted
   *[not_given] Not given
}
contact-allowed = { $allowed ->
    [yes] Allowed
   *[no] Not allowed
}
period-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
period-months = { $count ->
    [one] { $count } month
   *[other] { $count } months
}
no-roles = None (the service itself)

## A deletion certificate

certificate-heading = Deletion certificate
certificate-intro = Every data store that held data shared under this setting confirmed deleting it. The signed copy can be checked offline with the service's public keys.
certificate-loading = Loading the certificate…
certificate-load-failed = The certificate could not be loaded.
certificate-download = Download signed certificate
certificate-turned-off = Sharing turned off
certificate-caption = What each data store deleted
certificate-store = Data store
certificate-data = Data
certificate-due = Due by
certificate-deleted = Deleted
certificate-items = Items
certificate-method = How
certificate-evidence = Evidence
certificate-kept = Kept on purpose
