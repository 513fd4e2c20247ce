"""Figures as a reader of each language expects them, in one place for every page, download and the report.

Numbers, shares and dates follow the language (`1.653.368`, `12,5 %`, `20.05.2017` in German; `1,653,368`,
`12.5%`, `2017-05-20` in English); column headers, codes, countries and the pipeline's quarantine reasons are
translated. Tables for the screen become text (`table`); CSV downloads keep machine-readable values and get
clear headers (`csv_frame`). Pure functions with the language as an argument: usable outside Streamlit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache

import pandas as pd

from dashboard.i18n import CODES
from dashboard.privacy import MARK
from dashboard.seeds import seed

EMPTY = "–"

# Column headers of every table and download, in both languages. A column not listed here still gets a
# readable header (`files_loaded` -> "Files loaded"), never a snake_case one.
COLUMNS = {
    "run_id": ("Lauf", "Run"),
    "started_at": ("Begonnen", "Started"),
    "finished_at": ("Beendet", "Finished"),
    "status": ("Status", "Status"),
    "files_loaded": ("Dateien geladen", "Files loaded"),
    "rows_loaded": ("Zeilen geladen", "Rows loaded"),
    "rows_quarantined": ("Zeilen in Quarantäne", "Rows quarantined"),
    "files_rejected": ("Dateien abgelehnt", "Files rejected"),
    "rows_read": ("Zeilen gelesen", "Rows read"),
    "rows_erased": ("Zeilen gelöscht", "Rows erased"),
    "source": ("Quelle", "Source"),
    "files": ("Dateien", "Files"),
    "file_name": ("Datei", "File"),
    "reason": ("Grund", "Reason"),
    "reason_code": ("Grund (Code)", "Reason (code)"),
    "ingested_at": ("Eingelesen am", "Ingested at"),
    "column_name": ("Spalte", "Column"),
    "rows": ("Zeilen", "Rows"),
    "line_number": ("Zeile", "Line"),
    "message": ("Meldung", "Message"),
    "check_name": ("Prüfung", "Check"),
    "severity": ("Schwere", "Severity"),
    "passed": ("Bestanden", "Passed"),
    "observed_value": ("Beobachteter Wert", "Observed value"),
    "details": ("Details", "Details"),
    "checked_at": ("Geprüft am", "Checked at"),
    "latest_export": ("Letzter Export", "Latest export"),
    "last_loaded": ("Zuletzt geladen", "Last loaded"),
    "days_old": ("Tage alt", "Days old"),
    "club_id": ("Club-ID", "Club id"),
    "club_name": ("Club", "Club"),
    "city": ("Ort", "City"),
    "country_code": ("Land", "Country"),
    "country": ("Land", "Country"),
    "founded_on": ("Gegründet am", "Founded on"),
    "members": ("Mitglieder", "Members"),
    "meetings": ("Treffen (12 Monate)", "Meetings (12 months)"),
    "activities": ("Aktivitäten (12 Monate)", "Activities (12 months)"),
    "partners_won": ("Partner gewonnen", "Partners won"),
    "health_status": ("Zustand", "Health"),
    "latitude": ("Breitengrad", "Latitude"),
    "longitude": ("Längengrad", "Longitude"),
    "year": ("Jahr", "Year"),
    "month": ("Monat", "Month"),
    "topic": ("Thema", "Topic"),
    "campaigns": ("Kampagnen", "Campaigns"),
    "campaign_id": ("Kampagne", "Campaign"),
    "sent_at": ("Versendet am", "Sent at"),
    "delivered": ("Zugestellt", "Delivered"),
    "unique_human_opens": ("Menschliche Öffnungen (Adressen)", "Human opens (addresses)"),
    "unique_human_clicks": ("Menschliche Klicks (Adressen)", "Human clicks (addresses)"),
    "machine_openers": ("Maschinelle Öffnungen (Adressen)", "Machine opens (addresses)"),
    "open_rate": ("Öffnungsrate", "Open rate"),
    "click_rate": ("Klickrate", "Click rate"),
    "click_to_open_rate": ("Klicks je Öffnung", "Click-to-open rate"),
    "machine_open_share": ("Anteil maschineller Öffnungen", "Machine-open share"),
    "event_source": ("Herkunft der Ereignisse", "Source of the events"),
    "median_open_rate": ("Öffnungsrate (Median)", "Open rate (median)"),
    "median_click_rate": ("Klickrate (Median)", "Click rate (median)"),
    "smallest_human_opens": ("Kleinste Zahl menschlicher Öffnungen", "Smallest number of human opens"),
    "smallest_human_clicks": ("Kleinste Zahl menschlicher Klicks", "Smallest number of human clicks"),
    "event_type": ("Veranstaltungsart", "Event type"),
    "events": ("Veranstaltungen", "Events"),
    "registrations": ("Anmeldungen", "Registrations"),
    "cancellations": ("Stornierungen", "Cancellations"),
    "attendees": ("Teilnehmende", "Attendees"),
    "no_show_rate": ("No-Show-Quote", "No-show rate"),
    "first_time_attendees": ("Erstbesucher/innen", "First-time attendees"),
    "speakers": ("Referent/innen", "Speakers"),
    "engagement_tier": ("Engagement-Stufe", "Engagement tier"),
    "from_tier": ("Stufe im Vorjahr", "Tier the year before"),
    "to_tier": ("Stufe im Jahr", "Tier in the year"),
    "is_club_member": ("Clubmitglied", "Club member"),
    "segment": ("Gruppe", "Segment"),
    "new_members": ("Neue Mitglieder", "New members"),
    "departed_members": ("Ausgetretene Mitglieder", "Departed members"),
    "graduation_year": ("Abschlussjahr", "Graduation year"),
    "active_members": ("Aktive Mitglieder", "Active members"),
    "prospective_students_informed": ("Studieninteressierte informiert", "Prospective students informed"),
    "company_contacts": ("Unternehmenskontakte", "Company contacts"),
    "exchange_students_supported": ("Austauschstudierende betreut", "Exchange students supported"),
    "engagement_mode": ("Engagement-Modus", "Engagement mode"),
    "engaged_alumni": ("Engagierte Alumni", "Engaged alumni"),
    "contactable_alumni": ("Kontaktierbare Alumni", "Contactable alumni"),
    "engaged_share": ("Anteil Engagierter", "Engaged share"),
    "contactable_on": ("Kontaktierbar am", "Contactable on"),
    "is_partial": ("Vorläufig", "Partial"),
    "goal_id": ("Ziel", "Goal"),
    "kpi_id": ("Kennzahl (Code)", "KPI (code)"),
    "kpi_name_de": ("Kennzahl", "KPI (German)"),
    "kpi_name_en": ("Kennzahl (englisch)", "KPI"),
    "kpi": ("Kennzahl", "KPI"),
    "unit": ("Einheit", "Unit"),
    "value": ("Wert", "Value"),
    "target": ("Zielwert", "Target"),
    "trend": ("Verlauf", "Trend"),
    "faculty_code": ("Fakultät", "Faculty"),
    "status_group": ("Statusgruppe", "Status group"),
    "region": ("Region", "Region"),
    "tool": ("Werkzeug", "Tool"),
    "kind": ("Art", "Kind"),
    "language": ("Sprache", "Language"),
    "anonymous_opens": ("Anonyme Öffnungen", "Anonymous opens"),
    "anonymous_clicks": ("Anonyme Klicks", "Anonymous clicks"),
    "encoding": ("Zeichenkodierung", "Encoding"),
    "delimiter": ("Trennzeichen", "Delimiter"),
    "size_bytes": ("Größe (Bytes)", "Size (bytes)"),
}

# Codes the pages show beyond i18n.CODES: sources, severities, KPI units and states.
EXTRA_CODES = {
    # tools and the kinds of their exports (TOOLS.md), as the ledger names them
    "canonical": ("Portal-Export", "Portal export"),
    "order_positions": ("pretix: Bestellpositionen", "pretix: order positions"),
    "checkin_log": ("pretix: Check-in-Protokoll", "pretix: check-in log"),
    "checkin_list": ("pretix: Check-in-Liste", "pretix: check-in list"),
    "webinar_attendees": ("Zoom: Teilnehmerbericht", "Zoom: attendee report"),
    "campaign_views": ("listmonk: Öffnungen", "listmonk: views"),
    "campaign_clicks": ("listmonk: Klicks", "listmonk: clicks"),
    "subscribers": ("listmonk: Abonnent*innen", "listmonk: subscribers"),
    "email_stats": ("Mautic: versendete E-Mails", "Mautic: emails sent"),
    "pretix_order_positions": ("pretix: Bestellpositionen", "pretix: order positions"),
    "pretix_checkin_log": ("pretix: Check-in-Protokoll", "pretix: check-in log"),
    "pretix_checkin_list": ("pretix: Check-in-Liste", "pretix: check-in list"),
    "zoom_webinar_participants": ("Zoom: Teilnehmerbericht", "Zoom: attendee report"),
    "listmonk_campaign_views": ("listmonk: Öffnungen", "listmonk: views"),
    "listmonk_campaign_clicks": ("listmonk: Klicks", "listmonk: clicks"),
    "listmonk_subscribers": ("listmonk: Abonnent*innen", "listmonk: subscribers"),
    "mautic_email_stats": ("Mautic: versendete E-Mails", "Mautic: emails sent"),
    "mixed": ("gemischt", "mixed"),
    "members": ("Mitglieder", "Members"),
    "newsletter_campaigns": ("Newsletter-Kampagnen", "Newsletter campaigns"),
    "newsletter_activity": ("Newsletter-Aktivität", "Newsletter activity"),
    "events": ("Veranstaltungen", "Events"),
    "attendance": ("Teilnahmen", "Attendance"),
    "clubs": ("Clubs", "Clubs"),
    "club_activities": ("Club-Aktivitäten", "Club activities"),
    "donations": ("Spenden", "Donations"),
    "erasure_requests": ("Löschanträge", "Erasure requests"),
    "error": ("Fehler", "error"),
    "warning": ("Warnung", "warning"),
    "share": ("Anteil", "share"),
    "count": ("Anzahl", "count"),
    "on_track": ("im Plan", "on track"),
    "at_risk": ("gefährdet", "at risk"),
    "off_track": ("verfehlt", "off track"),
    "no_target": ("ohne Zielwert", "no target"),
    "no_data": ("keine Daten", "no data"),
    "hidden": ("verborgen: < 5", "hidden: < 5"),
}

# Columns whose values are codes (shown by their label), shares (0..1), years (no thousands separator).
CODE_COLUMNS = {
    "status", "health_status", "source", "severity", "topic", "event_type", "engagement_tier", "from_tier",
    "to_tier", "engagement_mode", "segment", "is_club_member", "status_group", "region", "unit", "kind", "tool",
    "event_source",
}  # fmt: skip
YEAR_COLUMNS = {"year", "graduation_year", "goal_id"}
SHARE_SUFFIXES = ("_rate", "_share")

# The pipeline's quarantine reasons (pipelines/ingest/sources.py REASONS) and file rejections, in German.
REASONS_DE = {
    "malformed_row": "die Zeile hat nicht so viele Felder wie der Kopf",
    "missing_required": "ein Pflichtwert ist leer",
    "duplicate_id": "die ID kommt in derselben Datei schon früher vor",
    "invalid_date": "kein Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)",
    "invalid_datetime": "kein Zeitpunkt (erwartet TT.MM.JJJJ HH:MM[:SS] oder ISO 8601)",
    "invalid_number": "keine ganze Zahl",
    "invalid_decimal": "kein Betrag (erwartet z. B. 25,00 oder 1.250,00 oder 25.00)",
    "non_positive_amount": "der Betrag muss über 0 liegen",
    "invalid_value": "keiner der erlaubten Werte",
    "unknown_campaign": "keine Kampagne mit dieser Kampagnen-ID geladen",
    "unknown_event": "keine Veranstaltung mit dieser Veranstaltungs-ID geladen",
    "unknown_club": "kein Club mit dieser Club-ID geladen",
    "missing_identity": "weder Mitgliedsnummer noch E-Mail angegeben",
    "unusable_identity": "keine Mitgliedsnummer, und die E-Mail ist keine Adresse (erwartet wird name@domain)",
    "empty_file": "die Datei ist leer (kein Kopf, keine Zeilen)",
    "not_text": "die Datei ist kein CSV-Text (sie enthält Binärdaten)",
    "unknown_encoding": "die Datei ist weder UTF-8- noch Windows-1252-Text",
    "unreadable_header": "die Kopfzeile ist nicht lesbar",
    "missing_required_header": "Pflichtspalte(n) fehlen im Kopf",
    "missing_email": "die Zeile hat keine E-Mail-Adresse und kann keiner Person zugeordnet werden",
    "invalid_email": "die E-Mail-Adresse ist keine Adresse (erwartet wird name@domain): die Zeile gehört niemandem",
    "unknown_registration": "keine Anmeldung dieser Veranstaltung hat diese Bestellnummer und Position "
    "(oder dieses Produkt und diesen Namen)",
    "ambiguous_registration": "mehrere Anmeldungen dieser Bestellung passen zu Produkt und Name der Zeile",
    "nul_byte": "die Zeile enthält ein NUL-Byte (Binärdaten in einem Text-Export)",
    "unbalanced_quote": "ein Anführungszeichen wird am Zeilenende nicht geschlossen: mehrere Zeilen wurden als "
    "ein Datensatz gelesen",
    "implausible_date": "ein Datum vor dem 01.01.1900 oder mehr als zwei Jahre in der Zukunft kann nicht stimmen",
    "unknown_kind": "der Kopf passt zu keinem Export dieses Werkzeugs",
    "unreadable_workbook": "die Datei ist keine lesbare .xlsx-Arbeitsmappe",
    "missing_webinar_id": "die Zusammenfassung des Berichts hat keine Webinar-ID",
    "unreadable_file": "die Datei lässt sich nicht in Felder zerlegen",
    "cannot_read": "die Datei lässt sich nicht lesen (keine Berechtigung, oder inzwischen entfernt); sie wird "
    "gelesen, sobald sie es lässt",
}
SAME_CONTENT = "the same content was already loaded under another file name"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "de" else pair[1]


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------ values


def plotly_separators(lang: str) -> str:
    """Plotly's `layout.separators` (decimal, then thousands) for the language."""
    return ",." if lang == "de" else ".,"


def number(value, lang: str, decimals: int = 0) -> str:
    """1653368 -> "1.653.368" (de) / "1,653,368" (en)."""
    if missing(value):
        return EMPTY
    text = f"{float(value):,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def count(value, lang: str) -> str:
    """A count of people after suppression: missing means "< 5"."""
    return MARK if missing(value) else number(value, lang)


def share(value, lang: str, decimals: int = 1) -> str:
    """0.125 -> "12,5 %" (de) / "12.5%" (en)."""
    if missing(value):
        return EMPTY
    text = number(float(value) * 100, lang, decimals)
    return f"{text} %" if lang == "de" else f"{text}%"


def day(value, lang: str) -> str:
    """A date: "20.05.2017" (de) / "2017-05-20" (en)."""
    if missing(value):
        return EMPTY
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d.%m.%Y") if lang == "de" else stamp.strftime("%Y-%m-%d")


def moment(value, lang: str) -> str:
    """A point in time to the minute; a midnight timestamp is shown as a date."""
    if missing(value):
        return EMPTY
    stamp = pd.Timestamp(value)
    if stamp.hour == stamp.minute == stamp.second == 0 and stamp.microsecond == 0:
        return day(stamp, lang)
    return stamp.strftime("%d.%m.%Y %H:%M") if lang == "de" else stamp.strftime("%Y-%m-%d %H:%M")


def month(value, lang: str) -> str:
    if missing(value):
        return EMPTY
    stamp = pd.Timestamp(value)
    return stamp.strftime("%m.%Y") if lang == "de" else stamp.strftime("%Y-%m")


def yes_no(value, lang: str) -> str:
    if missing(value):
        return EMPTY
    return ("ja" if value else "nein") if lang == "de" else ("yes" if value else "no")


def code(value, lang: str) -> str:
    """A code by its label (i18n.CODES, then the extra ones); unknown codes as they are."""
    if missing(value):
        return EMPTY
    key = str(value)
    if key in CODES:
        return CODES[key][lang]
    if key in EXTRA_CODES:
        return _pick(EXTRA_CODES[key], lang)
    return key


@cache
def _countries() -> dict[str, tuple[str, str]]:
    return {row["country_code"]: (row["name_de"], row["name_en"]) for row in seed("countries")}


def country(value, lang: str) -> str:
    """An ISO country code by its name ("DE" -> "Deutschland" / "Germany")."""
    if missing(value):
        return EMPTY
    names = _countries().get(str(value))
    return _pick(names, lang) if names else str(value)


def reason(reason_code, text, lang: str) -> str:
    """A quarantine or rejection reason in the reader's language (the pipeline writes English)."""
    if lang != "de":
        return EMPTY if missing(text) else str(text)
    if not missing(reason_code) and str(reason_code) in REASONS_DE:
        return REASONS_DE[str(reason_code)]
    return message(text, lang)


# Great Expectations' short names in check details ("status: be_in_set - 2 of 72620 rows unexpected (e.g. x)").
EXPECTATIONS = {
    "be_in_set": ("Wert aus der erlaubten Liste", "value in the allowed set"),
    "match_regex": ("passt zum Muster", "matches the pattern"),
    "not_be_null": ("nicht leer", "not empty"),
    "be_between": ("im erlaubten Bereich", "within the allowed range"),
    "be_unique": ("eindeutig", "unique"),
}


def _check_details(text: str, lang: str) -> str | None:
    """A check's details (meta_data_quality.details) in the reader's language; None if not one."""
    found = re.match(r"^(\S+): (\w+)(?: - (\d+) of (\d+) rows unexpected(?: \(e\.g\. (.*)\))?)?$", text)
    if found and found.group(2) in EXPECTATIONS:
        column, rule, bad, total, sample = found.groups()
        out = f"{column}: {_pick(EXPECTATIONS[rule], lang)}"
        if bad:
            word = (
                ("von", "Zeilen abweichend", "z. B.") if lang == "de" else ("of", "rows unexpected", "e.g.")
            )
            out += f" – {number(int(bad), lang)} {word[0]} {number(int(total), lang)} {word[1]}"
            out += f" ({word[2]} {sample})" if sample else ""
        return out
    if text == "pass":
        return "bestanden" if lang == "de" else "passed"
    if lang == "de" and text == "rows set aside in quarantine with file, line, column and reason":
        return "Zeilen in Quarantäne, mit Datei, Zeile, Spalte und Grund"
    found = re.match(
        r"^(\d+) row\(s\) kept with an unusable '(.+)' \(treated as empty, per CONTRACTS\.md\)$", text
    )
    if lang == "de" and found:
        return f"{found.group(1)} Zeile(n) behalten, mit unbrauchbarem Wert in '{found.group(2)}' (als leer behandelt)"
    return None


def message(text, lang: str) -> str:
    """A quarantine message, file reason or check detail ("column 'X': <reason> (value 'v')") in the reader's
    language (the pipeline writes English)."""
    if missing(text):
        return EMPTY
    text = str(text)
    details = _check_details(text, lang)
    if details is not None:
        return details
    if lang != "de":
        return text
    if text == SAME_CONTENT:
        return "derselbe Inhalt wurde schon unter einem anderen Dateinamen geladen"
    from pipelines.ingest.sources import REASONS

    for reason_code, english in REASONS.items():
        if english in text:
            text = text.replace(english, REASONS_DE.get(reason_code, english))  # untranslated: English
            break
    prefix = re.match(r"^(\w+): ", text)
    if prefix and prefix.group(1) in REASONS_DE:  # a file rejection: "code: detail"
        detail = text[prefix.end() :]
        text = REASONS_DE[prefix.group(1)]
        found = re.search(r"required column\(s\) (.+?) not in the header", detail)
        if found:
            text += f": {found.group(1)}"
    text = re.sub(r"expected (\d+) fields separated by '(.)', found (\d+)", r"erwartet \1 Felder, getrennt durch '\2', gefunden \3", text)  # fmt: skip
    text = re.sub(r"^column '", "Spalte '", text)
    return re.sub(r" \(value '", " (Wert '", text)


# ------------------------------------------------------------------------------------------------ headers


def header(column: str, lang: str) -> str:
    if column in COLUMNS:
        return _pick(COLUMNS[column], lang)
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def kind_of(column: str, series: pd.Series) -> str:
    """How a column is shown: code, country, share, year, date, moment, month, bool, number, text."""
    if column in CODE_COLUMNS:
        return "code"
    if column in ("country_code", "country"):
        return "country"
    if column.endswith(SHARE_SUFFIXES):
        return "share"
    if column in YEAR_COLUMNS:
        return "year"
    if column == "month":
        return "month"
    if column in ("reason", "message", "details"):
        return "message"
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "moment"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    sample = series.dropna()
    if not sample.empty and isinstance(sample.iloc[0], datetime):
        return "moment"
    if not sample.empty and isinstance(sample.iloc[0], date):
        return "date"
    return "text"


def _cell(value, kind: str, lang: str, suppressed: bool) -> str:
    if missing(value):
        return MARK if suppressed else EMPTY
    if kind == "code":
        return code(value, lang)
    if kind == "country":
        return country(value, lang)
    if kind == "share":
        return share(value, lang)
    if kind == "year":
        return str(int(value))
    if kind == "month":
        return month(value, lang)
    if kind == "date":
        return day(value, lang)
    if kind == "moment":
        return moment(value, lang)
    if kind == "bool":
        return yes_no(value, lang)
    if kind == "number":
        number_value = float(value)
        if math.isfinite(number_value) and number_value.is_integer():
            return number(number_value, lang)
        return number(number_value, lang, 2)
    if kind == "message":
        return message(value, lang)
    return str(value)


def table(
    frame: pd.DataFrame,
    lang: str,
    suppressed: Iterable[str] = (),
    kinds: dict[str, str] | None = None,
) -> pd.DataFrame:
    """For the screen: every value as formatted text, headers translated, suppressed counts as "< 5"."""
    suppressed = set(suppressed)
    kinds = kinds or {}
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        kind = kinds.get(column) or kind_of(column, frame[column])
        is_suppressed = column in suppressed
        out[header(column, lang)] = [_cell(v, kind, lang, is_suppressed) for v in frame[column]]
    if "reason_code" in frame.columns and "reason" in frame.columns:
        out[header("reason", lang)] = [
            reason(c, r, lang) for c, r in zip(frame["reason_code"], frame["reason"], strict=True)
        ]
        out = out.drop(columns=[header("reason_code", lang)])
    return out


def csv_frame(frame: pd.DataFrame, lang: str, suppressed: Iterable[str] = ()) -> pd.DataFrame:
    """For downloads: machine-readable values (ISO dates, plain numbers, shares as fractions 0..1, codes),
    suppressed counts as "< 5", and headers in the reader's language (shares marked as such)."""
    out = frame.copy()
    for column in suppressed:
        if column in out.columns:
            out[column] = out[column].map(_plain)
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            out[column] = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
    renamed = {}
    for column in out.columns:
        text = header(column, lang)
        if column.endswith(SHARE_SUFFIXES):
            text += " (Anteil 0–1)" if lang == "de" else " (fraction 0–1)"
        renamed[column] = text
    return out.rename(columns=renamed)


def _plain(value) -> str:
    if missing(value):
        return MARK
    number_value = float(value)
    return str(int(number_value)) if number_value.is_integer() else repr(number_value)
