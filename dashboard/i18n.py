"""German by default, English on request: page texts, code labels and the METRICS.md definitions."""

from __future__ import annotations

import streamlit as st

from dashboard.seeds import scoring

LANGUAGES = {"de": "Deutsch", "en": "English"}

TEXT = {
    "language": {"de": "Sprache", "en": "Language"},
    "page_strategy": {"de": "Strategie", "en": "Strategy"},
    "page_network": {"de": "Netzwerk", "en": "Network"},
    "page_engagement": {"de": "Engagement", "en": "Engagement"},
    "page_clubs": {"de": "Clubs", "en": "Clubs"},
    "page_quality": {"de": "Datenqualität", "en": "Data quality"},
    "no_data_title": {"de": "Noch keine Auswertung vorhanden", "en": "No analytics file yet"},
    "no_data_body": {
        "de": "Die Datei `{path}` existiert noch nicht. Sie entsteht beim ersten erfolgreichen Lauf der "
        "Pipeline:\n\n```\nalumni generate   # Demodaten, falls es keine Exporte gibt\nalumni pipeline\n```\n\n"
        "oder einfach `make run`.",
        "en": "The file `{path}` does not exist yet. The first successful pipeline run creates it:\n\n"
        "```\nalumni generate   # demo data, if there are no exports\nalumni pipeline\n```\n\nor simply `make run`.",
    },
    "data_as_of": {"de": "Datenstand", "en": "Data as of"},
    "suppressed_note": {
        "de": "Werte unter 5 Personen werden als „< 5“ gezeigt bzw. ausgeblendet (Datenschutz).",
        "en": "Values below 5 people are shown as “< 5” or hidden (privacy).",
    },
    "download": {"de": "Daten als CSV", "en": "Data as CSV"},
    "filters": {"de": "Filter", "en": "Filters"},
    "period": {"de": "Zeitraum", "en": "Period"},
    "faculty": {"de": "Fakultät", "en": "Faculty"},
    "status_group": {"de": "Statusgruppe", "en": "Status group"},
    "region": {"de": "Region", "en": "Region"},
    "all": {"de": "alle", "en": "all"},
    "year": {"de": "Jahr", "en": "Year"},
    "partial": {"de": "laufendes Jahr, vorläufig", "en": "current year, partial"},
    "headline_note": {
        "de": "Mitglieder, Länder und Alumni-Clubs: heute, nach dem letzten Export; die Engagement-Quote: {year}.",
        "en": "Members, countries and alumni clubs: today, by the latest export; the engaged share: {year}.",
    },
    "members": {"de": "Mitglieder", "en": "Members"},
    "countries": {"de": "Länder", "en": "Countries"},
    "clubs": {"de": "Alumni-Clubs", "en": "Alumni clubs"},
    "engaged_share": {"de": "Engagiert (CASE AEM)", "en": "Engaged (CASE AEM)"},
    "goal": {"de": "Ziel", "en": "Goal"},
    "target": {"de": "Zielwert", "en": "Target"},
    "value": {"de": "Wert", "en": "Value"},
    "trend": {"de": "Verlauf", "en": "Trend"},
    "aem_by_mode": {"de": "CASE AEM nach Modus", "en": "CASE AEM by mode"},
    "members_over_time": {"de": "Mitglieder im Zeitverlauf", "en": "Members over time"},
    "split_by": {"de": "Aufteilen nach", "en": "Split by"},
    "new_departed": {
        "de": "Neue und ausgetretene Mitglieder je Monat",
        "en": "New and departed members per month",
    },
    "new_members": {"de": "neu", "en": "new"},
    "departed_members": {"de": "ausgetreten", "en": "departed"},
    "world_map": {"de": "Mitglieder weltweit", "en": "Members worldwide"},
    "cohorts": {"de": "Kohorten nach Abschlussjahr", "en": "Cohorts by graduation year"},
    "campaigns": {"de": "Newsletter-Kampagnen", "en": "Newsletter campaigns"},
    "topic": {"de": "Thema", "en": "Topic"},
    "open_rate": {"de": "Öffnungsrate (menschlich)", "en": "Open rate (human)"},
    "click_rate": {"de": "Klickrate (menschlich)", "en": "Click rate (human)"},
    "machine_share": {"de": "Anteil maschineller Öffnungen", "en": "Machine-open share"},
    "tool_rates_note": {
        "de": "Kampagnen aus listmonk: ohne User-Agent im Export zählen Apple-Proxy-Öffnungen als menschlich "
        "(Öffnungsrate zu hoch). Kampagnen aus Mautic: nur die erste Öffnung je Versand ist bekannt, bei "
        "Apple-Nutzer*innen meist die maschinelle (Öffnungsrate zu niedrig). Klickraten sind vergleichbarer.",
        "en": "Campaigns from listmonk: without user agents in the export, Apple proxy opens count as human "
        "(open rate too high). Campaigns from Mautic: only the first read per send is known, for Apple users "
        "mostly the machine one (open rate too low). Click rates compare better.",
    },
    "anonymous_note": {
        "de": "Anonyme Öffnungen und Klicks (listmonk ohne individuelles Tracking): Zeilen, keine Personen; "
        "sie zählen in keine Quote.",
        "en": "Anonymous opens and clicks (listmonk without individual tracking): rows, not people; "
        "they enter no rate.",
    },
    "median_by_topic": {"de": "Mediane nach Thema", "en": "Medians by topic"},
    "events": {"de": "Veranstaltungen", "en": "Events"},
    "registrations": {"de": "Anmeldungen", "en": "Registrations"},
    "attendees": {"de": "Teilnehmende", "en": "Attendees"},
    "no_show_rate": {"de": "No-Show-Quote", "en": "No-show rate"},
    "first_time_attendees": {"de": "Erstbesucher/innen", "en": "First-time attendees"},
    "speakers": {"de": "Referent/innen", "en": "Speakers"},
    "measure": {"de": "Kennzahl", "en": "Measure"},
    "tiers_over_time": {"de": "Engagement-Stufen im Zeitverlauf", "en": "Engagement tiers over time"},
    "tier_movement": {
        "de": "Wechsel zwischen Stufen (Vorjahr → Jahr)",
        "en": "Movement between tiers (previous year → year)",
    },
    "club_map": {"de": "Clubs weltweit", "en": "Clubs worldwide"},
    "club_table": {"de": "Clubs im Überblick", "en": "Clubs at a glance"},
    "ambassador_outputs": {"de": "Leistungen der Botschafter/innen", "en": "Ambassador outputs"},
    "club_vs_non": {
        "de": "Engagement: Clubmitglieder und andere",
        "en": "Engagement: club members and others",
    },
    "runs": {"de": "Letzte Läufe", "en": "Recent runs"},
    "files": {"de": "Dateien", "en": "Files"},
    "quarantine": {"de": "Aussortierte Zeilen (Quarantäne)", "en": "Quarantined rows"},
    "quarantine_rows": {
        "de": "Zeilen mit Datei, Zeile, Spalte und Grund (Werte nur, wo sie keine Personen betreffen)",
        "en": "Rows with file, line, column and reason (values only where they concern no person)",
    },
    "checks": {"de": "Prüfungen (Great Expectations, dbt)", "en": "Checks (Great Expectations, dbt)"},
    "freshness": {"de": "Aktualität der Quellen", "en": "Freshness of the sources"},
    "days_old": {"de": "Tage alt", "en": "days old"},
    "goal_1": {"de": "1 · Lebendige Alumni-Gemeinschaft", "en": "1 · A lively alumni community"},
    "goal_2": {"de": "2 · Starke Bindung an TU und Stadt Chemnitz", "en": "2 · A strong bond to TU and city"},
    "goal_3": {"de": "3 · Engagement der TU für ihre Alumni", "en": "3 · The university's engagement"},
    "goal_4": {"de": "4 · Engagement der Alumni für die TU", "en": "4 · The alumni's engagement"},
    "no_rows": {"de": "Keine Daten für diese Auswahl.", "en": "No data for this selection."},
    "health_none": {"de": "noch ohne Bewertung", "en": "not yet rated"},
    "map_scope": {"de": "Ausschnitt", "en": "View"},
    "map_europe": {"de": "Europa", "en": "Europe"},
    "map_world": {"de": "Welt", "en": "World"},
    "clubs_unplaced": {"de": "Ohne bekannten Ort", "en": "Without a known place"},
    "report": {"de": "Jahresbericht", "en": "Yearly report"},
    "report_download": {
        "de": "Jahresbericht {year} (HTML, druckbar)",
        "en": "Yearly report {year} (HTML, printable)",
    },
    "report_help": {
        "de": "Eine Datei zum Weitergeben und Drucken (A4), ohne Verbindung nach außen; "
        "auch per `alumni report` erzeugbar.",
        "en": "One file to hand round and print (A4), with no connection to the outside; "
        "also made by `alumni report`.",
    },
}

CODES = {
    "graduate": {"de": "Absolvent/innen", "en": "Graduates"},
    "doctorate": {"de": "Promovierte", "en": "Doctorate holders"},
    "professor": {"de": "Professor/innen", "en": "Professors"},
    "staff": {"de": "Mitarbeiter/innen", "en": "Staff"},
    "former_student": {"de": "Ehemalige Studierende", "en": "Former students"},
    "friend": {"de": "Freund/innen", "en": "Friends"},
    "other": {"de": "Sonstige", "en": "Other"},
    "chemnitz": {"de": "Chemnitz", "en": "Chemnitz"},
    "saxony": {"de": "Sachsen", "en": "Saxony"},
    "germany": {"de": "Deutschland", "en": "Germany"},
    "abroad": {"de": "Ausland", "en": "Abroad"},
    "unknown": {"de": "unbekannt", "en": "unknown"},
    "communication": {"de": "Kommunikation", "en": "Communication"},
    "experiential": {"de": "Erleben", "en": "Experiential"},
    "volunteer": {"de": "Ehrenamt", "en": "Volunteer"},
    "philanthropic": {"de": "Spenden", "en": "Philanthropic"},
    "any": {"de": "insgesamt", "en": "any"},
    "central_meeting": {"de": "Alumnitreffen", "en": "Central meeting"},
    "lecture_series": {"de": "Ringvorlesung", "en": "Lecture series"},
    "club_meeting": {"de": "Clubtreffen", "en": "Club meeting"},
    "further_education": {"de": "Weiterbildung", "en": "Further education"},
    "career": {"de": "Karriere", "en": "Career"},
    "networking": {"de": "Netzwerk", "en": "Networking"},
    "news": {"de": "Neuigkeiten", "en": "News"},
    "events": {"de": "Veranstaltungen", "en": "Events"},
    "research": {"de": "Forschung", "en": "Research"},
    "giving": {"de": "Spenden", "en": "Giving"},
    "inactive": {"de": "inaktiv", "en": "inactive"},
    "interested": {"de": "interessiert", "en": "interested"},
    "active": {"de": "aktiv", "en": "active"},
    "champion": {"de": "Champion", "en": "champion"},
    "thriving": {"de": "lebendig", "en": "thriving"},
    "quiet": {"de": "ruhig", "en": "quiet"},
    "dormant": {"de": "ruhend", "en": "dormant"},
    "dissolved": {"de": "aufgelöst", "en": "dissolved"},
    "prospective_students_informed": {
        "de": "Studieninteressierte informiert",
        "en": "Prospective students informed",
    },
    "company_contacts": {"de": "Unternehmenskontakte", "en": "Company contacts"},
    "exchange_students_supported": {
        "de": "Austauschstudierende betreut",
        "en": "Exchange students supported",
    },
    "partners_won": {"de": "Partner gewonnen", "en": "Partners won"},
    "loaded": {"de": "geladen", "en": "loaded"},
    "duplicate": {"de": "Duplikat", "en": "duplicate"},
    "rejected": {"de": "abgelehnt", "en": "rejected"},
    "success": {"de": "erfolgreich", "en": "success"},
    "failed": {"de": "fehlgeschlagen", "en": "failed"},
    "True": {"de": "Clubmitglieder", "en": "Club members"},
    "False": {"de": "keine Clubmitglieder", "en": "Not in a club"},
}


def _tiers_definition() -> dict[str, str]:
    """Engagement score v1 in words, with the numbers of dbt_project/seeds/engagement_scoring.csv (the SQL's)."""
    modes = ("communication", "experiential", "volunteer", "philanthropic")
    values = {
        **{mode: scoring("points_per_act", mode) for mode in modes},
        "cap": scoring("newsletter_click_cap", "communication"),
        "half_life": scoring("half_life_months"),
        "window": scoring("window_months"),
        "active": scoring("tier_from", "active"),
        "champion": scoring("tier_from", "champion"),
    }
    en = {key: f"{value:g}" for key, value in values.items()}
    de = {key: text.replace(".", ",") for key, text in en.items()}
    return {
        "de": f"Score v1: Punkte je Handlung (Kommunikation {de['communication']}, Newsletter-Klicks max. "
        f"{de['cap']} je Monat; Erleben {de['experiential']}; Ehrenamt {de['volunteer']}; Spende "
        f"{de['philanthropic']}), über {de['window']} Monate mit 0,5^(k/{de['half_life']}) gewichtet. Stufen: "
        f"inaktiv 0, interessiert < {de['active']}, aktiv < {de['champion']}, Champion ≥ {de['champion']}.",
        "en": f"Score v1: points per act (communication {en['communication']}, newsletter clicks at most "
        f"{en['cap']} a month; experiential {en['experiential']}; volunteer {en['volunteer']}; philanthropic "
        f"{en['philanthropic']}), weighted 0.5^(k/{en['half_life']}) over {en['window']} months. Tiers: "
        f"inactive 0, interested < {en['active']}, active < {en['champion']}, champion ≥ {en['champion']}.",
    }


# Definitions from METRICS.md, shown next to each figure.
DEFINITIONS = {
    "members": {
        "de": "Mitglied am Tag d: registriert bis d, nicht bis d ausgetreten, nicht gelöscht.",
        "en": "Member on day d: registered on or before d, not left on or before d, not erased.",
    },
    "countries": {
        "de": "Länder mit mindestens einem Mitglied am Stichtag.",
        "en": "Countries with at least one member on the day.",
    },
    "clubs": {"de": "Alumni-Clubs mit Status aktiv.", "en": "Alumni clubs with status active."},
    "engaged_share": {
        "de": "CASE AEM: Mitglieder mit mindestens einer Engagement-Handlung im Jahr, geteilt durch die am "
        "Jahresende kontaktierbaren Mitglieder (E-Mail ohne Hard Bounce oder Beschwerde).",
        "en": "CASE AEM: members with at least one engagement act in the year, over members contactable on the "
        "year's last day (an address without hard bounce or complaint).",
    },
    "open_rate": {
        "de": "Adressen mit menschlicher Öffnung oder menschlichem Klick / zugestellte Adressen. Maschinell: "
        "vom Tool markiert, Apple-Proxy (User-Agent genau „Mozilla/5.0“), weniger als 2 s nach Versand, oder "
        "3+ verschiedene Links binnen 2 s.",
        "en": "Addresses with a human open or click / delivered addresses. Machine: flagged by the tool, the "
        "Apple proxy (user agent exactly “Mozilla/5.0”), less than 2 s after sending, or 3+ links within 2 s.",
    },
    "click_rate": {
        "de": "Adressen mit menschlichem Klick / zugestellte Adressen; über Kampagnen als Median.",
        "en": "Addresses with a human click / delivered addresses; across campaigns as the median.",
    },
    "machine_share": {
        "de": "Adressen mit maschineller Öffnung / zugestellte Adressen.",
        "en": "Addresses with a machine open / delivered addresses.",
    },
    "no_show_rate": {
        "de": "(Anmeldungen − Stornierungen − Teilnehmende) / (Anmeldungen − Stornierungen).",
        "en": "(registrations − cancellations − attendees) / (registrations − cancellations).",
    },
    "first_time_attendees": {
        "de": "Mitglieder, für die diese Veranstaltung die erste besuchte ist.",
        "en": "Members for whom this is the earliest event they ever attended.",
    },
    "tiers": _tiers_definition(),
    "health": {
        "de": "Über die vier Quartale bis zu diesem: lebendig (≥ 2 Treffen und ≥ 5 Mitglieder), ruhig "
        "(≥ 1 Treffen), ruhend (kein Treffen).",
        "en": "Over the four quarters ending with this one: thriving (≥ 2 meetings and ≥ 5 members), quiet "
        "(≥ 1 meeting), dormant (no meeting).",
    },
    "kpi_status": {
        "de": "im Plan: Wert erreicht den Zielwert; gefährdet: erreicht 90 %; sonst verfehlt. Verborgen: der "
        "Wert ist kleiner als 5, und der Status würde ihn verraten.",
        "en": "on track: the value reaches the target; at risk: reaches 90 %; otherwise off track. Hidden: the "
        "value is below 5, and the status would give it away.",
    },
    "new_departed": {
        "de": "Neu: im Monat registriert. Ausgetreten: im Monat ausgetreten (Abgemeldet am, sonst erster "
        "Export ohne die Person).",
        "en": "New: registered in the month. Departed: left in the month (date of leaving, else the first "
        "export without the person).",
    },
}


def lang() -> str:
    return st.session_state.get("lang", "de")


def t(key: str) -> str:
    entry = TEXT.get(key)
    return entry[lang()] if entry else key


def label(code) -> str:
    entry = CODES.get(str(code))
    return entry[lang()] if entry else str(code)


def definition(key: str) -> str:
    entry = DEFINITIONS.get(key)
    return entry[lang()] if entry else ""
