# Der Einwilligungsverlauf, Einwilligungsbelege und was jemand anderes geändert hat.

## Zum Verlauf

view-history = Verlauf anzeigen
back-to-history = Zurück zum Einwilligungsverlauf

## Die Seite des Verlaufs

history-heading = Einwilligungsverlauf
history-intro = Jede Änderung an den Einstellungen zur Datenfreigabe, die neueste zuerst. Zu jeder Änderung gibt es einen Einwilligungsbeleg, der festhält, was unter welchen Versionen der Hinweise vereinbart wurde.
program-label = Programm
all-programs = Alle Programme
history-caption = Einwilligungsereignisse, die neuesten zuerst
history-caption-program = Einwilligungsereignisse für { $program }, die neuesten zuerst
column-when = Wann
column-who = Wer
column-program = Programm
column-what = Was sich geändert hat
column-notices = Versionen der Hinweise
column-receipt = Beleg
history-loading = Der Verlauf wird geladen …
history-load-failed = Der Verlauf konnte nicht geladen werden.
load-older = Ältere Ereignisse laden
loading-older = Ältere Ereignisse werden geladen …
history-empty = Es wurden noch keine Änderungen aufgezeichnet.
history-empty-program = Zu diesem Programm wurden noch keine Änderungen aufgezeichnet.
events-shown = { $count ->
    [one] { $count } Ereignis wird angezeigt.
   *[other] { $count } Ereignisse werden angezeigt.
}
events-shown-more = Die neuesten { $count } Ereignisse werden angezeigt. Ältere Ereignisse können geladen werden.
consent-service = Einwilligungsdienst
no-notices = Keine
export-csv = Als CSV exportieren
exporting = Die CSV-Datei wird vorbereitet …
downloaded = { $file } wurde heruntergeladen.
export-failed = Die CSV-Datei konnte nicht heruntergeladen werden.
view-receipt = Beleg anzeigen
download-json = JSON herunterladen
download-signed = Signierten Beleg herunterladen
downloaded-signed = { $file } wurde heruntergeladen, signiert mit Schlüssel { $kid }.
downloading = Der Beleg wird vorbereitet …
download-failed = Der Beleg konnte nicht heruntergeladen werden.

## Das Protokoll und die Einstellungen zu einem früheren Zeitpunkt

export-ledger = Signiertes Protokoll exportieren
export-ledger-help = Das signierte Protokoll enthält jede Änderung mit ihrer Hash-Verkettung und ihrem signierten Beleg. Prüfer können es offline mit den öffentlichen Schlüsseln des Dienstes prüfen, ohne dieser Seite zu vertrauen.
exporting-ledger = Das signierte Protokoll wird vorbereitet …
downloaded-ledger = { $file } heruntergeladen. Prüfen mit: consent-api ledger verify --in { $file } --jwks jwks.json
export-ledger-failed = Das signierte Protokoll konnte nicht heruntergeladen werden.
as-of-label = Einstellungen anzeigen zum Zeitpunkt …
as-of-show = Anzeigen
as-of-hide = Zurück zu den aktuellen Einstellungen
as-of-empty = Wählen Sie ein Datum und eine Uhrzeit.
as-of-unreadable = Das ist kein Datum mit Uhrzeit. Nutzen Sie den Kalender oder tippen Sie es wie im Feld gezeigt ein.
as-of-future = Wählen Sie einen Zeitpunkt in der Vergangenheit: Die Einstellungen in der Zukunft sind noch nicht bekannt.
as-of-heading = Einstellungen am { $date_time }
as-of-read-only = Nur lesbar: So waren die Einstellungen zu diesem Zeitpunkt, aus dem Protokoll nachgebildet.
as-of-loading = Das Protokoll wird nachgespielt …
as-of-failed = Die Einstellungen zu diesem Zeitpunkt konnten nicht geladen werden.
as-of-not-yet = Die Einstellungen Ihrer Organisation wurden erst nach diesem Zeitpunkt erfasst. Wählen Sie einen späteren.
as-of-accepted = Akzeptiert: { $notices }
as-of-changed-by = Zuletzt geändert von { $who } am { $date_time }
notice-version = { $name }, Version { $version }
history-notice-name = { $id ->
    [copilot-data-sharing] Hinweis zur Copilot-Datenfreigabe
    [marketing-human-review] Hinweis zur Marketing-Zusammenarbeit
    [marketing-nda] Marketing-Geheimhaltungsvereinbarung
   *[other] Hinweis „{ $id }“
}

## Eine Änderung, wie der Verlauf sie aufführt

change-turned-on = Eingeschaltet
change-turned-off = Ausgeschaltet
change-turned-on-and-off = Ein- und wieder ausgeschaltet
change-contact = { $allowed ->
    [yes] Kontakt durch den Anbieter: erlaubt
   *[no] Kontakt durch den Anbieter: nicht erlaubt
}
change-notice-accepted = { $name } in Version { $version } akzeptiert
change-deletion-completed = Löschfrist abgelaufen (vom früheren zeitgesteuerten Abgleich festgehalten, nicht von den Datenspeichern bestätigt)
# { $store } ist der Name eines Datenspeichers.
change-deletion-attested = { $items ->
    [one] Löschung bestätigt von { $store }: { $items } Eintrag gelöscht
   *[other] Löschung bestätigt von { $store }: { $items } Einträge gelöscht
}
change-deletion-overdue = Löschung überfällig: { $store } hat sie nicht fristgerecht bestätigt
change-changed-back = Geändert und wieder zurückgeändert
# { $before } und { $after } sind Namen von Regionen („Europäische Union“) oder Codes, für die wir keinen Namen haben.
change-region = Region gewechselt von { $before } zu { $after }
change-turned-off-region = Automatisch ausgeschaltet: Ihre Organisation hat die Region Vereinigte Staaten verlassen
action = { $action ->
    [opted_in] Eingeschaltet
    [opted_out] Ausgeschaltet
    [contact_changed] Kontakteinstellung geändert
    [notices_accepted] Neue Versionen der Hinweise akzeptiert
    [region_changed] Region gewechselt
    [deletion_attested] Löschung von einem Datenspeicher bestätigt
    [deletion_overdue] Löschung bei einem Datenspeicher überfällig
   *[deletion_completed] Löschfrist abgelaufen (vom früheren zeitgesteuerten Abgleich festgehalten)
}

## Was jemand anderes geändert hat (ein Speichern, das zu spät kam)

someone = ein anderer Administrator
phrase-turned-on = hat die Datenfreigabe eingeschaltet
phrase-turned-off = hat die Datenfreigabe ausgeschaltet
phrase-turned-on-and-off = hat die Datenfreigabe ein- und wieder ausgeschaltet
phrase-contact = { $allowed ->
    [yes] hat dem Anbieter erlaubt, den Systemadministrator zu kontaktieren
   *[no] hat dem Anbieter untersagt, den Systemadministrator zu kontaktieren
}
phrase-notice-accepted = hat { $name } in Version { $version } akzeptiert
phrase-deletion-completed = hat mit dem früheren zeitgesteuerten Abgleich festgehalten, dass die Löschfrist abgelaufen war
phrase-changed-back = hat diese Einstellung geändert und wieder zurückgeändert
# { $phrases } ist eine bereits in der Sprache des Lesers verbundene Liste („a, b und c“).
changed-by = { $who } { $phrases }.
changed-by-when = { $who } { $phrases } ({ $when }).
changed-by-program = Bei { $program }: { $who } { $phrases }.
changed-by-program-when = Bei { $program }: { $who } { $phrases } ({ $when }).
at-time = um { $time }
on-date = am { $date_time }

## Ein Einwilligungsbeleg

receipt-heading = Einwilligungsbeleg
receipt-intro = Der Nachweis einer Änderung an { $program }, wie ihn der Einwilligungsdienst ausgestellt hat.
receipt-loading = Der Beleg wird geladen …
receipt-load-failed = Der Beleg konnte nicht geladen werden.
section-event = Was geschehen ist
section-parties = Wer eingewilligt hat
section-notices = Hinweise
section-purposes = Zwecke
section-data = Datenkategorien, Speicherung und Aufbewahrung
section-recipients = Wer die Daten sieht
section-storage = Speicherorte
section-withdrawal = So widerrufen Sie
section-record = Über diesen Beleg
label-program = Programm
label-event = Ereignis
label-time = Wann
label-state-after = Einwilligung danach
label-contact = Kontakt durch den Anbieter
label-deleted-by = Freigegebene Daten gelöscht bis
label-schema-deleted-by = Schemakopien gelöscht bis
label-tenant = Im Namen des Mandanten
label-actor = Ausgeführt von
label-roles = Rollen
label-jurisdiction = Rechtsraum
label-receipt-id = Beleg-ID
label-record-id = ID des Einwilligungsdatensatzes
label-event-id = ID des Verlaufsereignisses
label-event-hash = Hash des Ereignisses in der Verlaufskette des Mandanten (SHA-256)
label-schema-version = Version des Belegformats
label-issued = Ausgestellt
notices-caption = Bei dieser Änderung gültige Versionen der Hinweise
column-notice = Hinweis
column-version = Version
column-language = Sprache
column-hash = SHA-256 des Wortlauts
read-notice-version = Diese Version lesen
data-caption = Was freigegeben wird, wo es liegt und wie lange
column-category = Kategorie
column-description = Was es ist
column-location = Wo es liegt
column-retention = Wie lange
tenant-line = { $name } (Mandanten-ID { $id }), Region { $region }
event-type = { $kind ->
    [given] Einwilligung erteilt
    [renewed] Einwilligung unter neuen Versionen der Hinweise erneuert
    [modified] Einwilligungsdatensatz geändert
    [withdrawn] Einwilligung widerrufen
   *[expired] Einwilligung beendet: freigegebene Daten gelöscht
}
consent-status = { $status ->
    [given] Erteilt
    [withdrawn] Widerrufen, Löschung ausstehend
    [expired] Beendet, freigegebene Daten gelöscht
   *[not_given] Nicht erteilt
}
contact-allowed = { $allowed ->
    [yes] Erlaubt
   *[no] Nicht erlaubt
}
period-days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}
period-months = { $count ->
    [one] { $count } Monat
   *[other] { $count } Monate
}
no-roles = Keine (der Dienst selbst)

## Eine Löschbescheinigung

certificate-heading = Löschbescheinigung
certificate-intro = Jeder Datenspeicher, der unter dieser Einstellung freigegebene Daten hielt, hat deren Löschung bestätigt. Die signierte Fassung lässt sich offline mit den öffentlichen Schlüsseln des Dienstes prüfen.
certificate-loading = Die Bescheinigung wird geladen …
certificate-load-failed = Die Bescheinigung konnte nicht geladen werden.
certificate-download = Signierte Bescheinigung herunterladen
certificate-turned-off = Freigabe ausgeschaltet
certificate-caption = Was jeder Datenspeicher gelöscht hat
certificate-store = Datenspeicher
certificate-data = Daten
certificate-due = Fällig bis
certificate-deleted = Gelöscht
certificate-items = Einträge
certificate-method = Wie
certificate-evidence = Nachweis
certificate-kept = Bewusst aufbewahrt
