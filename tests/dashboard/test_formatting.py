"""Formatting for the reader (dashboard/formatting.py), places for the club map, scorecard states."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from dashboard import formatting as f
from dashboard import geo, scorecard

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.mark.parametrize(
    ("lang", "number", "share", "day", "moment"),
    [
        ("de", "1.653.368", "12,5 %", "20.05.2017", "20.05.2017 14:03"),
        ("en", "1,653,368", "12.5%", "2017-05-20", "2017-05-20 14:03"),
    ],
)
def test_numbers_shares_and_dates_follow_the_language(lang, number, share, day, moment):
    assert f.number(1653368, lang) == number
    assert f.share(0.125, lang) == share
    assert f.day(date(2017, 5, 20), lang) == day
    assert f.moment(pd.Timestamp("2017-05-20 14:03:59"), lang) == moment
    # a midnight timestamp is a date, not "2017-09-20 00:00:00"
    assert f.moment(pd.Timestamp("2017-05-20 00:00:00"), lang) == day
    assert f.number(None, lang) == "–"
    assert f.count(float("nan"), lang) == "< 5"


def test_every_header_is_translated_or_at_least_readable():
    for column, (de, en) in f.COLUMNS.items():
        assert not SNAKE.match(de) and not SNAKE.match(en), column
    assert f.header("rows_quarantined", "de") == "Zeilen in Quarantäne"
    assert f.header("rows_quarantined", "en") == "Rows quarantined"
    assert f.header("some_new_column", "en") == "Some new column"


def test_table_for_the_screen():
    frame = pd.DataFrame(
        {
            "club_name": ["Alumni-Club Berlin", "Alumni-Club Zürich"],
            "country_code": ["DE", "CH"],
            "founded_on": [date(2017, 9, 20), date(2025, 11, 4)],
            "status": ["active", "dormant"],
            "members": [1653368.0, float("nan")],
            "open_rate": [0.125, None],
            "year": [2017, 2025],
            "ingested_at": pd.to_datetime(["2017-09-20 00:00:00", "2017-09-20 08:15:00"]),
        }
    )
    de = f.table(frame, "de", suppressed=["members"])
    assert list(de.columns) == [
        "Club", "Land", "Gegründet am", "Status", "Mitglieder", "Öffnungsrate", "Jahr", "Eingelesen am",
    ]  # fmt: skip
    assert de.iloc[0].tolist() == [
        "Alumni-Club Berlin", "Deutschland", "20.09.2017", "aktiv", "1.653.368", "12,5 %", "2017", "20.09.2017",
    ]  # fmt: skip
    assert de.iloc[1].tolist()[1:6] == ["Schweiz", "04.11.2025", "ruhend", "< 5", "–"]
    assert de.iloc[1, 7] == "20.09.2017 08:15"
    en = f.table(frame, "en", suppressed=["members"])
    assert en.iloc[0].tolist()[1:6] == ["Germany", "2017-09-20", "active", "1,653,368", "12.5%"]
    assert not any(SNAKE.match(c) for c in list(de.columns) + list(en.columns))


def test_csv_keeps_machine_readable_values_with_clear_headers():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2017-05-01", "2017-06-01"]),
            "members": [1653368.0, float("nan")],
            "open_rate": [0.125, 0.5],
            "status": ["active", "dormant"],
        }
    )
    out = f.csv_frame(frame, "de", suppressed=["members"])
    assert list(out.columns) == ["Monat", "Mitglieder", "Öffnungsrate (Anteil 0–1)", "Status"]
    text = out.to_csv(index=False)
    assert "2017-05-01,1653368,0.125,active" in text
    assert "2017-06-01,< 5,0.5,dormant" in text
    assert list(f.csv_frame(frame, "en").columns)[2] == "Open rate (fraction 0–1)"


def test_quarantine_reasons_and_messages_in_both_languages():
    message = "column 'Betrag': the amount must be above 0 (value '-25,00')"
    assert f.message(message, "en") == message
    assert f.message(message, "de") == "Spalte 'Betrag': der Betrag muss über 0 liegen (Wert '-25,00')"
    assert f.reason("missing_required", "a required value is empty", "de") == "ein Pflichtwert ist leer"
    assert f.reason("missing_required", "a required value is empty", "en") == "a required value is empty"
    assert f.message("expected 20 fields separated by ';', found 4", "de") == (
        "erwartet 20 Felder, getrennt durch ';', gefunden 4"
    )
    assert f.message(
        "missing_required_header: required column(s) Club-ID not in the header (found Name; Ort)", "de"
    ) == ("Pflichtspalte(n) fehlen im Kopf: Club-ID")
    detail = "status_group: be_in_set - 2 of 72620 rows unexpected (e.g. Gasthörer/in, Gasthörer/in)"
    assert f.message(detail, "de") == (
        "status_group: Wert aus der erlaubten Liste – 2 von 72.620 Zeilen abweichend (z. B. Gasthörer/in, Gasthörer/in)"
    )
    assert f.message("member_id_hash: match_regex", "en") == "member_id_hash: matches the pattern"
    from pipelines.ingest.sources import REASONS

    assert set(REASONS) <= set(f.REASONS_DE), "every quarantine reason has its German words"


def test_codes_and_countries_by_their_labels():
    assert f.code("thriving", "de") == "lebendig"
    assert f.code("erasure_requests", "en") == "Erasure requests"
    assert f.code("some_code", "de") == "some_code"
    assert f.country("CZ", "de") == "Tschechien"
    assert f.country("CZ", "en") == "Czechia" or f.country("CZ", "en").startswith("Czech")


def test_places_for_the_club_map():
    assert geo.locate("Prag", "CZ") == (50.08, 14.44)
    assert geo.locate("Zurich", None) == geo.locate("Zürich", "CH")
    assert geo.locate("Lomé", None) is not None  # from Natural Earth's populated places
    assert geo.locate("Nowhere", "DE") is None
    clubs = pd.DataFrame(
        {
            "city": ["Berlin", "Chemnitz", "Atlantis"],
            "country_code": ["DE", "DE", None],
            "latitude": [None, 50.8, None],
            "longitude": [None, 12.9, None],
        }
    )
    placed = geo.with_coordinates(clubs)
    assert placed["latitude"].tolist()[:2] == [52.52, 50.8]  # the catalogue's own coordinates win
    assert pd.isna(placed["latitude"].iloc[2])
    from pipelines.demo.reference import CLUB_CITIES

    assert all(geo.locate(city, country) for city, country in CLUB_CITIES), "every demo club city is shipped"


def test_scorecard_states():
    kpis = pd.DataFrame(
        {
            "kpi_id": ["a", "b", "g4_donors", "c", "d"],
            "value": [None, 3.0, 3.0, 10.0, 5.0],
            "target": [10.0, None, 40.0, 10.0, 10.0],
            "status": ["off_track", "no_target", "off_track", "on_track", "off_track"],
        }
    )
    out = scorecard.prepare(kpis)
    assert out["state"].tolist() == ["no_data", "no_target", "off_track", "on_track", "off_track"]
    assert out["suppressed"].tolist() == [False, False, True, False, False]
    assert scorecard.value_text(out["value"].iloc[2], "count", True, "de") == "< 5"
    assert "keine Daten" in scorecard.badge("no_data", "de")
    assert "no target" in scorecard.badge("no_target", "en")
    assert "vorläufig" in scorecard.partial_badge("de")


def test_a_hidden_people_count_keeps_a_status_that_would_give_it_away_hidden():
    # a target below 5 splits the values 1-4 between states: "at risk" against 4.4 would mean 4
    targets = [4.4, 3.0, 1.5, 4.5, 40.0, 1.0, 3.0, 3.0]
    kpis = pd.DataFrame(
        {
            "kpi_id": ["g4_donors"] * 6 + ["g3_events_offered", "g4_volunteers"],
            "value": [4.0, 2.0, 1.0, 4.0, 3.0, 2.0, 2.0, 7.0],
            "target": targets,
            "status": [
                scorecard.status_for(v, t) for v, t in zip([4, 2, 1, 4, 3, 2, 2, 7], targets, strict=True)
            ],
        }
    )
    out = scorecard.prepare(kpis)
    # 4.5 and 40: off track for every value 1-4; 1.0: on track for every one; not people: shown as it is
    assert out["state"].tolist() == [
        "hidden", "hidden", "hidden", "off_track", "off_track", "on_track", "off_track", "on_track",
    ]  # fmt: skip
    assert out["suppressed"].tolist() == [True] * 6 + [False, False]
    assert "verborgen" in scorecard.badge("hidden", "de") and "hidden" in scorecard.badge("hidden", "en")
    assert scorecard.status_for(4, 4.4) == "at_risk" and scorecard.status_for(3, 3) == "on_track"
