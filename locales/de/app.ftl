# Die Texte der App auf Deutsch: Rahmen, Liste der Einstellungen, Bereiche,
# Hinweise, Fragen und Antworten, Bestätigungen und Fehler.
# Werte in { $Klammern } setzt die App ein; Zahlen und Datumsangaben kommen
# bereits im Format der Leserin oder des Lesers an.

## Der Rahmen der App

dev-identity = Entwicklungsidentität: { $name } ({ $role }) · { $tenant }
role-name = { $role ->
    [admin] Administrator
   *[reader] Leser
}
dev-sign-in-failed = Die Anmeldung mit der Entwicklungsidentität ist fehlgeschlagen.
language-label = Sprache
not-found-heading = Seite nicht gefunden
not-found-body = Unter dieser Adresse gibt es keine Seite.
go-to-settings = Zu den Mandanteneinstellungen

## Die Liste der Einstellungen

settings-heading = Mandanteneinstellungen
tenant-region = Region: { $region }
region-name = { $code ->
    [US] Vereinigte Staaten
    [EU] Europäische Union
    [UK] Vereinigtes Königreich
    [GB] Vereinigtes Königreich
    [CA] Kanada
    [AU] Australien
    [JP] Japan
    [IN] Indien
   *[other] { $code }
}
settings-list-label = Einstellungen zur Datenfreigabe
search-label = Einstellungen durchsuchen
search-no-match = Keine Einstellung passt zu Ihrer Suche.
loading-settings = Einstellungen werden geladen …
load-failed = Die Einstellungen konnten nicht geladen werden.
retry = Erneut versuchen

## Programme und ihr Zustand

program-name = { $program ->
    [copilot] Datenfreigabe für Copilot-KI-Funktionen
   *[marketing] Marketing: Prüfung anonymisierter Kundendaten durch Menschen
}
program-full-name = { $program ->
    [copilot] Datenfreigabe für die KI-Funktionen von Dynamics 365 Copilot und Power Platform Copilot
   *[marketing] Prüfung anonymisierter Daten aus Dynamics 365 Marketing und Power Platform durch Menschen
}
program-summary = { $program ->
    [copilot] Erlaubt dem Anbieter, Copilot-Eingaben und -Antworten zu prüfen, um Copilot-Funktionen zu verbessern.
   *[marketing] Erlaubt Fachleuten des Anbieters, anonymisierte Marketingdaten zu prüfen, um KI-Funktionen zu verbessern.
}
state-on = Ein
state-off = Aus
state-unavailable = Nicht verfügbar
state-deletion-pending = Aus – Löschung ausstehend bis { $date }
state-reacceptance-needed = Erneute Zustimmung nötig
current-state = Aktuelle Einstellung
propagation-pending = Wird übernommen: bisher { $applied } von { $connected ->
    [one] { $connected } verbundenen System
   *[other] { $connected } verbundenen Systemen
}.
propagation-applied = Übernommen von { $applied } von { $connected ->
    [one] { $connected } verbundenen System
   *[other] { $connected } verbundenen Systemen
}.
propagation-failed = Übernommen von { $applied } von { $connected ->
    [one] { $connected } verbundenen System
   *[other] { $connected } verbundenen Systemen
}. { $failed ->
    [one] Ein System hat die Änderung nicht bestätigt. Ihre Einstellung ist gespeichert und gilt trotzdem auch für dieses System.
   *[other] { $failed } Systeme haben die Änderung nicht bestätigt. Ihre Einstellung ist gespeichert und gilt trotzdem auch für diese Systeme.
}

## Der Bereich einer Einstellung

close-panel = Schließen
switch-label = Datenfreigabe aktivieren
save = Speichern
cancel = Abbrechen
saving = Wird gespeichert …
saved = Gespeichert
copilot-about-1 = Ist diese Einstellung aktiv, darf der Anbieter die Copilot-Eingaben Ihrer Benutzer, die Antworten und zugehörige Telemetrie erfassen und von Menschen prüfen lassen. Er nutzt sie, um Copilot-Funktionen und die zugrunde liegenden Modelle zu entwickeln, zu verbessern und zu überprüfen.
copilot-about-2 = Freigegebene Daten werden { $days } Tage lang aufbewahrt und verlassen die geografische Datengrenze Ihres Mandanten nicht. Nur Mitarbeitende des Anbieters, die sie sehen müssen, können sie mit erweitertem und genehmigtem Zugriff öffnen. Kunden-Lockbox und kundenseitig verwaltete Schlüssel gelten für diese Prüfung nicht.
copilot-about-3 = Die Einstellung ist aus, bis ein Administrator sie einschaltet. Sie können sie jederzeit ausschalten; freigegebene Daten werden dann innerhalb von { $days } Tagen gelöscht.
accepts-notice = Wer dies einschaltet und speichert, akzeptiert den Hinweis zur Copilot-Datenfreigabe in Version { $version }.
only-united-states = Diese Einstellung steht nur Mandanten in der Region Vereinigte Staaten zur Verfügung. Ihr Mandant befindet sich in der Region { $region }.
only-turning-off = Die Datenfreigabe ist von früher noch eingeschaltet, kann aber nicht mehr eingeschaltet bleiben oder erneut akzeptiert werden: Sie können sie nur noch ausschalten.
admins-only = Nur Mandantenadministratoren können diese Einstellung ändern.
marketing-about-1 = Ist diese Einstellung aktiv, prüfen Ingenieure und Data Scientists des Anbieters anonymisierte Daten aus Dynamics 365 Marketing und Power-Platform-Apps, um Modelle für maschinelles Lernen zu entwickeln und zu verbessern. Keine Ihrer Daten landet in den Modellen.
marketing-about-2 = Bevor sie eingeschaltet werden kann, liest und akzeptiert ein Administrator den Hinweis zur Zusammenarbeit und die zugehörige Geheimhaltungsvereinbarung. Sie können die Einstellung jederzeit ausschalten.

## Hinweise lesen und akzeptieren

notice-name = { $id ->
    [copilot-data-sharing] Hinweis zur Copilot-Datenfreigabe
    [marketing-human-review] Hinweis zur Marketing-Zusammenarbeit
    [marketing-nda] Geheimhaltungsvereinbarung
    [copilot-faq] Fragen und Antworten zu Copilot
    [marketing-faq] Fragen und Antworten zu Marketing
   *[other] Hinweis „{ $id }“
}
# Ein Hinweis in einer Aufzählung der zu akzeptierenden Hinweise.
the-notice = { $name } (Version { $version })
read-notice = { $name } lesen (Version { $version })
faq-about = { $program ->
    [copilot] Fragen und Antworten zur Copilot-Datenfreigabe
   *[marketing] Fragen und Antworten zur Prüfung von Marketingdaten durch Menschen
}
accept-label = Ich habe Folgendes gelesen und akzeptiere es: { $notices }
accepted-versions = Akzeptiert: { $notices }.
accept-first = Bestätigen Sie vor dem Speichern, dass Sie die obigen Dokumente gelesen haben und akzeptieren.
reader-close = Dokument schließen
open-full-page = Als ganze Seite öffnen
contact-switch-label = Dem Anbieter erlauben, den Systemadministrator zu kontaktieren
contact-help = Vertreter des Anbieters wenden sich eventuell von Zeit zu Zeit mit Fragen an Ihren Systemadministrator. Sie können dies jederzeit abschalten, ohne die Datenfreigabe zu beenden.
data-categories-heading = Was freigegeben wird und wie lange es aufbewahrt wird
category-name = { $category ->
    [marketing_data] Marketingdaten
    [query_data] Abfragedaten
    [data_schema] Datenschema
   *[other] { $name }
}
category-description = { $category ->
    [marketing_data] Kontaktdaten und Marketingaktivitäten (E-Mail-Inhalte, Formulare, Webseiten, Veranstaltungen, Customer Journeys) in Ihrer Datenbank und wie Kontakte damit interagiert haben.
    [query_data] Abfragen Ihrer Benutzer an Ihre Daten aus den Marketing- und Power-Platform-Apps, zugehörige Telemetrie und die Ergebnisse.
    [data_schema] Nur Tabellen- und Spaltennamen, nie die Werte darin. Es enthält keine personenbezogenen Daten.
   *[other] { $description }
}
category-retention = { $category ->
    [marketing_data] Wird in Speicher des Anbieters in Ihrer Region kopiert, getrennt von anderen Mandanten gehalten und nach { $count } Tagen gelöscht.
    [query_data] Wird in Speicher des Anbieters in Ihrer Region kopiert, getrennt von anderen Mandanten gehalten und nach { $count } Tagen gelöscht.
    [data_schema] Wird in die Vereinigten Staaten kopiert und bis zu { $count } Monate ab dem Kopieren aufbewahrt; es kann mit den Schemas anderer Kunden zusammengeführt werden.
   *[other] { $rule }
}
deletion-detail = Die Datenfreigabe wurde ausgeschaltet. Freigegebene Daten werden bis { $due } gelöscht; bis dahin können sie noch verwendet werden.
deletion-detail-region = Die Datenfreigabe wurde automatisch ausgeschaltet, weil sich Ihre Organisation nicht mehr in der Region Vereinigte Staaten befindet; freigegebene Daten werden bis { $due } gelöscht.
deletion-detail-marketing = Die Datenfreigabe wurde ausgeschaltet. Marketing- und Abfragedaten werden bis { $due } gelöscht. Kopien des Datenschemas werden höchstens { $months } Monate ab dem Kopieren aufbewahrt: Bis { $schema_due } sind alle gelöscht.

## Erneute Zustimmung nach einer wesentlichen Änderung

reconsent-heading = Akzeptieren Sie den geänderten Hinweis, um weiter freizugeben
reconsent-body = Ein Dokument, auf dem diese Einstellung beruht, wurde so geändert, dass ein Administrator erneut zustimmen muss. Bis dahin werden unter dieser Einstellung keine Daten freigegeben; die Einstellung selbst bleibt eingeschaltet.
notice-changed = { $name }: von Version { $from } auf Version { $to } geändert.
notice-not-yet-accepted = { $name } (Version { $version }) wurde noch nicht akzeptiert.
change-summary = Was sich geändert hat: { $summary }
changed-sections = Neue oder geänderte Abschnitte:
loading-changes = Änderungen werden ermittelt …
changes-failed = Die Änderungen konnten nicht geladen werden. Lesen Sie die Dokumente vollständig, bevor Sie sie akzeptieren.

## Was sich in einem Dokument geändert hat, Wort für Wort

changed-sections-words = Was sich geändert hat, Abschnitt für Abschnitt:
diff-legend = Hinzugefügte Wörter sind unterstrichen, entfernte durchgestrichen.
diff-added-start = [hinzugefügt:
diff-added-end = ]
diff-removed-start = [entfernt:
diff-removed-end = ]
diff-section-added = Neuer Abschnitt
diff-section-removed = Abschnitt entfernt
diff-section-renamed = Bisher „{ $before }“
diff-formatting-only = Nur Hervorhebungen oder Links haben sich geändert; der Wortlaut ist gleich.
notice-diff-summary = Was sich seit Version { $from } geändert hat
notice-diff-loading = Vergleich mit Version { $from } …
notice-diff-failed = Der Vergleich konnte nicht geladen werden. Öffnen Sie Version { $from }, um lesend zu vergleichen.
notice-diff-none = Der angezeigte Wortlaut hat sich nicht geändert, nur nie angezeigte Wörter (etwa Suchbegriffe).
notice-diff-language = Auf Englisch verglichen: Version { $from } ist in Ihrer Sprache nicht veröffentlicht.

## Fragen und Antworten (/faq)

faq-heading = Häufig gestellte Fragen
faq-intro = Antworten zu den beiden Einstellungen zur Datenfreigabe. Öffnen Sie eine Frage, um die Antwort zu lesen.
faq-search-label = Fragen durchsuchen
faq-no-match = Keine Frage passt zu Ihrer Suche.
faq-match-count = { $count ->
    [one] { $count } Frage passt.
   *[other] { $count } Fragen passen.
}
faq-link-to-question = Link zu dieser Frage
loading-faq = Fragen werden geladen …
faq-load-failed = Die Fragen konnten nicht geladen werden.

## Der vollständige Text eines Hinweises (/notices/<id>)

back-to-settings = Zurück zu den Mandanteneinstellungen
notice-version-line = Version { $version }, gültig ab { $effective }
contents = Inhalt
print = Drucken
versions-heading = Alle Versionen
current-version = Aktuelle Version
material-change = Erforderte erneute Zustimmung
minor-change = Korrektur: Frühere Zustimmungen gelten weiter
older-version-note = Dies ist eine ältere Version. Die aktuelle ist Version { $current }.
read-current-version = Aktuelle Version lesen
loading-notice = Das Dokument wird geladen …
notice-load-failed = Das Dokument konnte nicht geladen werden.

## Bestätigungen

confirm-off-title = Datenfreigabe ausschalten?
confirm-off-body = Freigegebene Daten werden bis { $date } gelöscht. Bis dahin können sie noch verwendet werden. Sie können die Datenfreigabe jederzeit wieder einschalten.
confirm-off-marketing-body = Marketing- und Abfragedaten werden bis { $date } gelöscht. Kopien des Datenschemas (Tabellen- und Spaltennamen) werden höchstens { $months } Monate ab dem Kopieren aufbewahrt und sind daher bis { $schema_date } gelöscht. Der Anbieter kontaktiert Ihren Systemadministrator dann auch nicht mehr. Sie können die Datenfreigabe jederzeit wieder einschalten.
turn-off = Ausschalten
keep-sharing = Weiter freigeben
discard-title = Änderung verwerfen?
discard-body = Sie haben diese Einstellung geändert, aber nicht gespeichert.
discard = Änderung verwerfen
keep-editing = Weiter bearbeiten

## Fehler und was als Nächstes zu tun ist

error-offline = Ihr Gerät ist offline. Es wurde nichts geändert; versuchen Sie es erneut, sobald Sie verbunden sind.
error-network = Der Server war nicht erreichbar. Es wurde nichts geändert; prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
error-unauthorized = Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an und versuchen Sie es dann noch einmal.
error-forbidden = Sie dürfen diese Einstellung nicht ändern. Das können nur Mandantenadministratoren.
error-not-found = Diese Einstellungen wurden für Ihren Mandanten nicht gefunden.
error-conflict = Jemand anderes hat diese Einstellung geändert, während Sie sie bearbeitet haben. Sie ist jetzt „{ $state }“. Ihre Auswahl wird weiter angezeigt: Speichern Sie, um sie zu übernehmen, oder zeigen Sie die aktuelle Einstellung an.
error-conflict-unknown = Jemand anderes hat diese Einstellung geändert, während Sie sie bearbeitet haben. Ihre Auswahl wird weiter angezeigt: Speichern Sie, um sie zu übernehmen, oder zeigen Sie die aktuelle Einstellung an.
error-region-ineligible = Diese Einstellung steht nur Mandanten in der Region Vereinigte Staaten zur Verfügung.
error-notice-not-accepted = Der Hinweis hat sich geändert, seit diese Seite geladen wurde. Zeigen Sie die aktuelle Einstellung an, um die aktuelle Version zu lesen, und versuchen Sie es dann erneut.
error-stale-version = Jemand anderes hat diese Einstellung geändert, während Sie sie bearbeitet haben. Zeigen Sie die aktuelle Einstellung an und versuchen Sie es dann erneut.
error-refused = Der Server hat die Änderung abgelehnt: { $detail }
error-server = Auf dem Server ist ein Fehler aufgetreten; es wurde nichts geändert. Versuchen Sie es gleich noch einmal.
# { $seconds } ist eine ganze Zahl von Sekunden, höchstens 3600.
error-rate-limited = Zu viele Anfragen in kurzer Zeit. Bitte in { $seconds } s erneut versuchen.
show-current-setting = Aktuelle Einstellung anzeigen
sign-in-again = Erneut anmelden

language-endonym = Deutsch
list-and = { $rest } und { $last }

## Lesen und Speichern, während der Server nicht erreichbar, fehlerhaft oder langsam ist

refresh-failed = Die angezeigten Einstellungen sind eventuell nicht aktuell: Das erneute Laden ist fehlgeschlagen.
retrying-in = { $seconds ->
    [one] Neuer Versuch in { $seconds } Sekunde.
   *[other] Neuer Versuch in { $seconds } Sekunden.
}
retry-now = Jetzt erneut versuchen
server-slow = Der Server braucht länger als üblich. Es wird weiter gewartet …
# { $seconds } ist eine ganze Zahl von Sekunden, höchstens 3600.
save-rate-limited = Zu viele Änderungen. Bitte in { $seconds } s erneut versuchen. Ihre Änderung wurde nicht gespeichert und wird weiter angezeigt.
save-outcome-unknown = Der Server war nicht erreichbar, daher ist unklar, ob Ihre Änderung gespeichert wurde. Ihre Auswahl wird weiter angezeigt. Ein neuer Versuch ist sicher: Es wird dieselbe Änderung gesendet, und sie wird nie doppelt angewendet.

## Löschung nach dem Ausschalten

deletion-progress = { $total ->
    [one] Löschung: { $done } von { $total } Speicher bestätigt
   *[other] Löschung: { $done } von { $total } Speichern bestätigt
}
deletion-due = { $store } fällig bis { $date }
deletion-overdue = Überfällig: { $store } hat das Löschen Ihrer Daten nicht bestätigt, fällig war es bis { $date }.
deletion-complete = { $total ->
    [one] Löschung vom einzigen Speicher bestätigt.
   *[other] Löschung von allen { $total } Speichern bestätigt.
}
deletion-after-opt-in = Daten, die vor dem Ausschalten am { $date } freigegeben wurden, werden trotzdem wie zugesagt gelöscht.
deletion-certificate-link = Löschbescheinigung
deletion-heading = Löschung nach dem Ausschalten am { $date }

screen-load-failed = Dieser Teil der Seite konnte nicht geladen werden. Prüfen Sie die Verbindung und versuchen Sie es dann erneut.
