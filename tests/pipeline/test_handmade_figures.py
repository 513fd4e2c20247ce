"""A landing folder small enough to work every figure out by hand, through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.settings import DataDir
from tests.conftest import made_once, run_cli
from tests.helpers import write_export
from tests.ingest.test_loader import (
    ACTIVITY,
    ATTENDANCE,
    CAMPAIGNS,
    CLUBS,
    DONATIONS,
    ERASURE,
    EVENTS,
    MEMBERS,
    REPORTS,
)

pytestmark = pytest.mark.slow


def person(mid, email, city, country, status, faculty, registered, *, tracking="ja", state="aktiv", left=""):
    return [
        mid,
        "Vorname",
        "Nachname",
        email,
        status,
        faculty,
        "2019",
        country,
        city,
        registered,
        "ja",
        tracking,
        "ja",
        "",
        state,
        left,
    ]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    folder, _ = made_once(tmp_path_factory, "handmade", _build_handmade)
    con = duckdb.connect(str(DataDir(folder / "data").analytics), read_only=True)
    yield con
    con.close()


def _build_handmade(folder: Path) -> None:
    data_dir = DataDir(folder / "data")
    land = data_dir.landing
    write_export(
        land / "members/members_2024-01-15.csv",
        MEMBERS,
        [
            person("A-000001", "a1@x.de", "Chemnitz", "DE", "Absolvent/in", "INF", "01.01.2020"),
            person(
                "A-000002",
                "a2@x.de",
                "Dresden",
                "Deutschland",
                "Promovierte/r",
                "MB",
                "01.06.2021",
                tracking="nein",
            ),
            person("A-000003", "a3@x.de", "Wien", "AT", "Mitarbeiter/in", "ZV", "01.03.2022"),
            person("A-000004", "a4@x.de", "Berlin", "DE", "Absolvent/in", "WIWI", "05.05.2023"),
            person("A-000006", "a6@x.de", "Chemnitz", "DE", "Absolvent/in", "INF", "01.01.2020"),
        ],
    )
    write_export(
        land / "members/members_2024-12-15.csv",
        MEMBERS,
        [
            person("A-000001", "a1@x.de", "Leipzig", "DE", "Absolvent/in", "INF", "01.01.2020"),
            person(
                "A-000003",
                "a3@x.de",
                "Wien",
                "AT",
                "Mitarbeiter/in",
                "ZV",
                "01.03.2022",
                state="abgemeldet",
                left="30.06.2024",
            ),
            person("A-000004", "a4@x.de", "Berlin", "DE", "Absolvent/in", "WIWI", "05.05.2023"),
            person("A-000005", "a5@x.de", "Zwickau", "DE", "Freund/in", "NAT", "01.09.2024"),
            person("A-000006", "a6@x.de", "Chemnitz", "DE", "Absolvent/in", "INF", "01.01.2020"),
        ],
    )
    write_export(
        land / "newsletter/campaigns_2024-12-31.csv",
        CAMPAIGNS,
        [["C1", "Karriere", "Karriere", "05.03.2024 10:00", "de"]],
    )
    write_export(
        land / "newsletter/activity_2024-12-31.csv",
        ACTIVITY,
        [
            ["C1", "a1@x.de", "sent", "05.03.2024 10:00:00", "", "", ""],
            ["C1", "a2@x.de", "sent", "05.03.2024 10:00:00", "", "", ""],
            ["C1", "a3@x.de", "sent", "05.03.2024 10:00:00", "", "", ""],
            ["C1", "a4@x.de", "sent", "05.03.2024 10:00:00", "", "", ""],
            ["C1", "a6@x.de", "sent", "05.03.2024 10:00:00", "", "", ""],
            ["C1", "a6@x.de", "open", "05.03.2024 11:00:00", "", "Thunderbird", ""],
            ["C1", "a3@x.de", "hard_bounce", "05.03.2024 10:00:20", "", "", ""],
            ["C1", "A1@X.DE ", "open", "05.03.2024 12:00:00", "", "Thunderbird", ""],
            ["C1", "a1@x.de", "click", "05.03.2024 12:01:00", "L1", "Thunderbird", ""],
            ["C1", "a2@x.de", "open", "05.03.2024 10:00:01", "", "", ""],
            ["C1", "a4@x.de", "open", "05.03.2024 11:00:00", "", "Mozilla/5.0", ""],
            ["C1", "a2@x.de", "click", "05.03.2024 14:00:00", "L2", "Outlook", ""],
        ],
    )
    # an overlapping export repeats two events in another format (ISO with offset): still one event each
    write_export(
        land / "newsletter/activity_2025-01-15.csv",
        ACTIVITY,
        [
            ["C1", "a1@x.de", "sent", "2024-03-05T10:00:00+01:00", "", "", ""],
            ["C1", "a1@x.de", "click", "2024-03-05T12:01:00+01:00", "L1", "Thunderbird", ""],
        ],
    )
    write_export(
        land / "events/events_2024-12-31.csv",
        EVENTS,
        [
            [
                "E1",
                "Alumnitreffen 2024",
                "Alumnitreffen",
                "18.05.2024 10:00",
                "Chemnitz",
                "DE",
                "Präsenz",
                "zentral",
                "",
                "",
            ],
            [
                "E2",
                "Karriereabend",
                "Karriere",
                "10.10.2024 18:00",
                "Chemnitz",
                "DE",
                "Präsenz",
                "Fakultät",
                "",
                "INF",
            ],
        ],
    )
    write_export(
        land / "events/attendance_2024-12-31.csv",
        ATTENDANCE,
        [
            ["R1", "E1", "", "A-000001", "01.05.2024", "angemeldet", "18.05.2024 10:05", "Teilnehmer/in"],
            ["R2", "E1", "", "A-000002", "01.05.2024", "angemeldet", "18.05.2024 09:30", "Referent/in"],
            ["R3", "E1", "a4@x.de", "", "01.05.2024", "storniert", "", "Teilnehmer/in"],
            ["R4", "E2", "", "A-000001", "01.10.2024", "angemeldet", "10.10.2024 18:02", "Teilnehmer/in"],
            [
                "R5",
                "E2",
                "guest@example.org",
                "",
                "01.10.2024",
                "angemeldet",
                "10.10.2024 18:03",
                "Teilnehmer/in",
            ],
            ["R6", "E2", "", "A-000005", "01.10.2024", "angemeldet", "", "Teilnehmer/in"],
        ],
    )
    write_export(
        land / "clubs/clubs_2024-12-31.csv",
        CLUBS,
        [["K1", "Alumni-Club Leipzig", "Leipzig", "DE", "01.02.2024", "A-000001", "aktiv"]],
    )
    write_export(
        land / "clubs/activities_2024-12-31.csv",
        REPORTS,
        [
            ["B1", "K1", "10.04.2024", "Clubtreffen", "", "8", "A-000001", "Stammtisch"],
            ["B2", "K1", "02.11.2024", "Studieninteressierte informiert", "25", "", "A-000001", ""],
        ],
    )
    write_export(
        land / "donations/donations_2024-12-31.csv",
        DONATIONS,
        [["S1", "A-000004", "", "01.07.2024", "100,00", "Förderverein"]],
    )
    write_export(land / "erasure/erasure_2024-12-20.csv", ERASURE, [["A-000006", "", "20.12.2024"]])
    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env={"ALUMNI_PSEUDONYM_KEY": "k"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def one(con, sql):
    return con.execute(sql).fetchone()


def test_dim_alumni(handmade):
    rows = handmade.execute(
        "select region, status_group, is_active, left_on, is_ambassador from dim_alumni order by region, status_group"
    ).fetchall()
    assert len(rows) == 5  # the erased member is in no figure
    by_status = {(r[0], r[1]): r[2:] for r in rows}
    assert by_status[("saxony", "graduate")][:2] == (True, None)  # A-1, moved to Leipzig
    assert by_status[("saxony", "graduate")][2] is True  # ambassador
    assert str(by_status[("saxony", "doctorate")][1]) == "2024-12-15"  # first snapshot without them
    assert str(by_status[("abroad", "staff")][1]) == "2024-06-30"  # Abgemeldet am
    assert by_status[("germany", "graduate")][0] is True
    assert by_status[("saxony", "friend")][0] is True


def test_campaign_figures(handmade):
    row = one(
        handmade,
        "select recipients, hard_bounces, delivered, unique_opens, unique_human_opens, "
        "unique_human_clicks, open_rate, click_rate from fct_newsletter_campaigns",
    )
    # a1..a4 (a6 erased); a3 bounced; a2's 1-second open is a machine, its click is human; a4: Apple proxy
    assert row[:6] == (4, 1, 3, 3, 2, 2)
    assert row[6] == pytest.approx(2 / 3) and row[7] == pytest.approx(2 / 3)


def test_event_figures(handmade):
    rows = {
        r[0]: r[1:]
        for r in handmade.execute(
            "select event_id, registrations, cancellations, attendees, no_show_rate, alumni_attendees, "
            "first_time_attendees, speakers from fct_event_attendance"
        ).fetchall()
    }
    assert rows["E1"] == (3, 1, 2, 0.0, 2, 2, 1)
    assert rows["E2"][:3] == (3, 0, 2) and rows["E2"][3] == pytest.approx(1 / 3)
    assert rows["E2"][4:] == (1, 0, 0)


def test_aem_2024(handmade):
    rows = dict(
        handmade.execute(
            "select engagement_mode, engaged_alumni from fct_aem_yearly where year = 2024"
        ).fetchall()
    )
    assert rows == {"any": 3, "communication": 1, "experiential": 1, "volunteer": 2, "philanthropic": 1}
    assert one(
        handmade,
        "select contactable_alumni from fct_aem_yearly where year = 2024 and engagement_mode = 'any'",
    ) == (3,)


def test_engagement_score_of_december(handmade):
    ((score, tier),) = handmade.execute(
        "select engagement_score, engagement_tier from fct_alumni_engagement_monthly a "
        "join fct_engagement_activities f using (alumni_key) "
        "where a.month = '2024-12-01' and f.activity_type = 'club_report' group by all"
    ).fetchall()
    # click Mar (1), club report Apr (7), meeting May (3), career Oct (3), report Nov (7), profile update Dec (1)
    expected = (
        1 * 0.5 ** (9 / 12)
        + 7 * 0.5 ** (8 / 12)
        + 3 * 0.5 ** (7 / 12)
        + 3 * 0.5 ** (2 / 12)
        + 7 * 0.5 ** (1 / 12)
        + 1
    )
    assert score == pytest.approx(expected, abs=1e-4)
    assert tier == "champion"


def test_strategy_kpis_2024(handmade):
    values = dict(
        handmade.execute("select kpi_id, value from fct_strategy_kpis where year = 2024").fetchall()
    )
    assert values["g1_net_growth"] == -1  # 3 members on 31 Dec, 4 on 1 Jan
    assert values["g1_countries"] == 1
    assert values["g1_thriving_clubs"] == 0  # one meeting: quiet
    assert values["g2_retention_rate"] == 0.5  # of A-1..A-4
    assert values["g2_homecoming_alumni"] == 2
    assert values["g2_median_click_rate"] == pytest.approx(2 / 3)
    assert values["g3_events_offered"] == 2
    assert values["g3_campaigns_sent"] == 1
    assert values["g3_newsletter_reach"] == pytest.approx(2 / 3)  # of
    assert values["g3_offer_uptake"] == 1
    assert values["g4_volunteers"] == 2
    assert values["g4_ambassador_outputs"] == 25
    assert values["g4_partners_won"] == 0
    assert values["g4_donors"] == 1
    assert values["g1_engaged_share"] == 1.0


def test_club_quarters(handmade):
    rows = handmade.execute(
        "select quarter, members, meetings, meeting_attendees, prospective_students_informed, health_status "
        "from fct_club_activity_quarterly where year = 2024 order by quarter"
    ).fetchall()
    assert [r[0] for r in rows] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert rows[1][2:4] == (1, 8) and rows[3][4] == 25
    assert {r[5] for r in rows[1:]} == {"quiet"}
