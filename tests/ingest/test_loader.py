"""Loading into a real warehouse.duckdb: every contract rule, typed values, ledger, duplicates, idempotency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.ingest.privacy import keyed_hash
from tests.helpers import TEST_KEY, ingest_all, query, write_export

MEMBERS = [
    "Mitgliedsnummer",
    "Vorname",
    "Nachname",
    "E-Mail",
    "Statusgruppe",
    "Fakultät",
    "Abschlussjahr",
    "Land",
    "Ort",
    "Registriert am",
    "Newsletter",
    "Tracking",
    "Kontaktfreigabe",
    "Club",
    "Status",
    "Abgemeldet am",
]
CAMPAIGNS = ["Kampagnen-ID", "Betreff", "Thema", "Versendet am", "Sprache"]
ACTIVITY = ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt", "Link", "User-Agent", "Maschinell"]
EVENTS = [
    "Veranstaltungs-ID",
    "Titel",
    "Typ",
    "Beginn",
    "Ort",
    "Land",
    "Format",
    "Veranstalter",
    "Club",
    "Fakultät",
]
ATTENDANCE = [
    "Anmelde-ID",
    "Veranstaltungs-ID",
    "E-Mail",
    "Mitgliedsnummer",
    "Angemeldet am",
    "Status",
    "Eingecheckt am",
    "Rolle",
]
CLUBS = ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"]
REPORTS = ["Bericht-ID", "Club-ID", "Datum", "Aktivität", "Anzahl", "Teilnehmende", "Gemeldet von", "Notiz"]
DONATIONS = ["Spenden-ID", "Mitgliedsnummer", "E-Mail", "Datum", "Betrag", "Zweck"]
ERASURE = ["Mitgliedsnummer", "E-Mail", "Eingegangen am"]


def member(mid, email="a@x.de", registered="01.01.2020", year="2019", status="Absolvent/in"):
    return [
        mid,
        "Max",
        "Muster",
        email,
        status,
        "INF",
        year,
        "DE",
        "Chemnitz",
        registered,
        "ja",
        "nein",
        "",
        "",
        "aktiv",
        "",
    ]


@pytest.fixture
def broken_landing(data_dir):
    """One file per source; each broken row is labelled with the reason the contract gives it."""
    land = data_dir.landing
    write_export(
        land / "members/members_2024-01-15.csv",
        MEMBERS,
        [
            member("A-000001"),  # line 2: good
            member("", email="b@x.de"),  # 3: missing_required Mitgliedsnummer
            member("A-000001", email="c@x.de"),  # 4: duplicate_id
            member("A-000004", registered=""),  # 5: missing_required Registriert am
            member("A-000005", registered="31.02.2019"),  # 6: invalid_date
            member("A-000006", year="1700"),  # 7: kept, year emptied
            member("A-000007", status="Gasthörer/in"),  # 8: kept (status other)
            member("A-000008", email="kaputt@@x"),  # 9: kept, address missing
            ["A-000009", "Max"],  # 10: malformed_row
        ],
    )
    write_export(
        land / "newsletter/campaigns_2024-01-31.csv",
        CAMPAIGNS,
        [
            ["C1", "Hallo", "Neuigkeiten", "10.01.2024 10:00", "de"],  # 2: good
            ["C1", "Hallo", "Neuigkeiten", "11.01.2024 10:00", "de"],  # 3: duplicate_id
            ["C2", "Hallo", "Karriere", "", "de"],  # 4: missing_required
            ["C3", "Hallo", "Karriere", "morgen", "de"],  # 5: invalid_datetime
        ],
    )
    write_export(
        land / "newsletter/activity_2024-01-31.csv",
        ACTIVITY,
        [
            ["C1", "a@x.de", "sent", "10.01.2024 10:00:00", "", "", ""],  # 2: good
            ["C9", "a@x.de", "open", "10.01.2024 11:00:00", "", "", ""],  # 3: unknown_campaign
            ["C1", "a@x.de", "forward", "10.01.2024 11:00:00", "", "", ""],  # 4: invalid_value
            ["C1", "", "open", "10.01.2024 11:00:00", "", "", ""],  # 5: missing_required E-Mail
            ["C1", "a@x.de", "open", "", "", "", ""],  # 6: missing_required Zeitpunkt
            ["C1", "a@x.de", "open", "32.01.2024 11:00", "", "", ""],  # 7: invalid_datetime
        ],
    )
    write_export(
        land / "events/events_2024-01-31.csv",
        EVENTS,
        [
            [
                "E1",
                "Treffen",
                "Alumnitreffen",
                "20.05.2024 10:00",
                "Chemnitz",
                "DE",
                "Präsenz",
                "zentral",
                "",
                "",
            ],
            [
                "E2",
                "Treffen",
                "Alumnitreffen",
                "",
                "Chemnitz",
                "DE",
                "Präsenz",
                "zentral",
                "",
                "",
            ],  # 3: missing
        ],
        delimiter=",",
    )
    write_export(
        land / "events/attendance_2024-01-31.csv",
        ATTENDANCE,
        [
            [
                "R1",
                "E1",
                "a@x.de",
                "A-000001",
                "01.05.2024",
                "angemeldet",
                "20.05.2024 10:05",
                "Teilnehmer/in",
            ],
            ["R2", "E9", "a@x.de", "", "01.05.2024", "angemeldet", "", "Teilnehmer/in"],  # 3: unknown_event
            ["R3", "E1", "", "", "01.05.2024", "angemeldet", "", "Teilnehmer/in"],  # 4: missing_identity
            ["R1", "E1", "a@x.de", "", "01.05.2024", "angemeldet", "", "Teilnehmer/in"],  # 5: duplicate_id
            [
                "R5",
                "E1",
                "a@x.de",
                "",
                "01.05.2024",
                "angemeldet",
                "gestern",
                "Teilnehmer/in",
            ],  # 6: invalid_datetime
        ],
    )
    write_export(
        land / "clubs/clubs_2024-01-31.csv",
        CLUBS,
        [
            ["K1", "Alumni-Club Berlin", "Berlin", "Deutschland", "01.03.2017", "A-000001", "aktiv"],
            ["", "Ohne ID", "Berlin", "DE", "", "", "aktiv"],  # 3: missing_required
        ],
    )
    write_export(
        land / "clubs/activities_2024-01-31.csv",
        REPORTS,
        [
            ["B1", "K1", "10.01.2024", "Clubtreffen", "", "12", "A-000001", "nett"],
            ["B2", "K9", "10.01.2024", "Clubtreffen", "", "12", "A-000001", ""],  # 3: unknown_club
            ["B3", "K1", "", "Clubtreffen", "", "12", "A-000001", ""],  # 4: missing_required
            ["B4", "K1", "10.01.2024", "Sonstiges", "viele", "", "A-000001", ""],  # 5: invalid_number
        ],
    )
    write_export(
        land / "donations/donations_2024-01-31.csv",
        DONATIONS,
        [
            ["S1", "A-000001", "", "10.01.2024", "1.250,00", "Förderverein"],
            ["S2", "A-000001", "", "10.01.2024", "0,00", "Förderverein"],  # 3: non_positive
            ["S3", "A-000001", "", "10.01.2024", "-5", "Förderverein"],  # 4: non_positive
            ["S4", "A-000001", "", "10.01.2024", "zehn", "Förderverein"],  # 5: invalid_decimal
            ["S5", "A-000001", "", "10.01.2024", "", "Förderverein"],  # 6: missing_required
        ],
        encoding="cp1252",
        newline="\r\n",
    )
    write_export(
        land / "erasure/erasure_2024-01-31.csv",
        ERASURE,
        [
            ["", "", "10.01.2024"],  # 2: missing_identity
        ],
    )
    return data_dir


EXPECTED_QUARANTINE = {
    ("members", 3, "Mitgliedsnummer", "missing_required"),
    ("members", 4, "Mitgliedsnummer", "duplicate_id"),
    ("members", 5, "Registriert am", "missing_required"),
    ("members", 6, "Registriert am", "invalid_date"),
    ("members", 10, "", "malformed_row"),
    ("newsletter_campaigns", 3, "Kampagnen-ID", "duplicate_id"),
    ("newsletter_campaigns", 4, "Versendet am", "missing_required"),
    ("newsletter_campaigns", 5, "Versendet am", "invalid_datetime"),
    ("newsletter_activity", 3, "Kampagnen-ID", "unknown_campaign"),
    ("newsletter_activity", 4, "Aktion", "invalid_value"),
    ("newsletter_activity", 5, "E-Mail", "missing_required"),
    ("newsletter_activity", 6, "Zeitpunkt", "missing_required"),
    ("newsletter_activity", 7, "Zeitpunkt", "invalid_datetime"),
    ("events", 3, "Beginn", "missing_required"),
    ("attendance", 3, "Veranstaltungs-ID", "unknown_event"),
    ("attendance", 4, "Mitgliedsnummer", "missing_identity"),
    ("attendance", 5, "Anmelde-ID", "duplicate_id"),
    ("attendance", 6, "Eingecheckt am", "invalid_datetime"),
    ("clubs", 3, "Club-ID", "missing_required"),
    ("club_activities", 3, "Club-ID", "unknown_club"),
    ("club_activities", 4, "Datum", "missing_required"),
    ("club_activities", 5, "Anzahl", "invalid_number"),
    ("donations", 3, "Betrag", "non_positive_amount"),
    ("donations", 4, "Betrag", "non_positive_amount"),
    ("donations", 5, "Betrag", "invalid_decimal"),
    ("donations", 6, "Betrag", "missing_required"),
    ("erasure_requests", 2, "Mitgliedsnummer", "missing_identity"),
}


def test_every_contract_rule_quarantines_with_its_reason(broken_landing):
    ingest_all(broken_landing)
    rows = query(
        broken_landing, "select source, line_number, column_name, reason_code from meta.quarantine_log"
    )
    assert set(rows) == EXPECTED_QUARANTINE
    assert len(rows) == len(EXPECTED_QUARANTINE)


def test_nothing_lost_per_file(broken_landing):
    ingest_all(broken_landing)
    ledger = query(
        broken_landing,
        "select file_name, status, rows_read, rows_loaded, rows_quarantined from meta.ingested_files",
    )
    assert len(ledger) == 9 and all(status == "loaded" for _, status, *_ in ledger)
    for name, _, read, loaded, quarantined in ledger:
        assert read == loaded + quarantined, name
    loaded_members = query(broken_landing, "select count(*) from raw.members")[0][0]
    assert loaded_members == 4


def test_kept_rows_with_unusable_values(broken_landing):
    results = ingest_all(broken_landing)
    kept = results["members"][0].kept_with_issue
    assert kept == {"Abschlussjahr": 1, "E-Mail": 1}
    rows = dict(query(broken_landing, "select member_id, graduation_year from raw.members"))
    assert rows["A-000006"] is None and rows["A-000001"] == 2019
    email = dict(query(broken_landing, "select member_id, email_hash from raw.members"))
    assert email["A-000008"] is None
    # the address is kept as written, flagged by whether it is valid
    valid = dict(query(broken_landing, "select member_id, email_valid from raw.members"))
    assert valid["A-000008"] is False and valid["A-000001"] is True


def test_messages_name_file_line_column_value_and_expectation(broken_landing):
    results = ingest_all(broken_landing)
    problems = [p for r in results["newsletter_campaigns"] for p in r.problems]
    assert (
        "newsletter/campaigns_2024-01-31.csv:5 column 'Versendet am': not a date and time "
        "(expected DD.MM.YYYY HH:MM[:SS] or ISO 8601) (value 'morgen')" in problems
    )
    # personal values never appear in messages
    member_problems = " ".join(p for r in results["members"] for p in r.problems)
    assert "A-000001" not in member_problems


def test_the_quarantine_statements_run_for_files_with_rows_for_it_only(data_dir):
    """A file without a broken row or record issues no insert into quarantine, no log insert and no query of its
    problems (they would write and find nothing; DuckDB plans each over the source's columns, in every file of
    a run); a file with a rule broken, or with only a record that does not split into fields, gets all three."""
    from pipelines.ingest import connect, ingest_source
    from pipelines.ingest.sources import BY_NAME

    land = data_dir.landing
    write_export(
        land / "newsletter/campaigns_2024-01-31.csv",
        CAMPAIGNS,
        [["C1", "Hallo", "Neuigkeiten", "10.01.2024 10:00", "de"]],
    )
    write_export(
        land / "newsletter/campaigns_2024-02-29.csv",
        CAMPAIGNS,
        [["C2", "Hallo", "Karriere", "10.02.2024 10:00", "de"], ["C3", "Hallo", "Karriere", "morgen", "de"]],
    )
    write_export(
        land / "newsletter/campaigns_2024-03-31.csv",
        CAMPAIGNS,
        [["C4", "Hallo", "Karriere", "10.03.2024 10:00", "de"], ["C5", "Hallo"]],
    )
    con = connect(data_dir)
    statements = []

    class Watching:
        def execute(self, sql, *args):
            statements.append(" ".join(sql.split()))
            return con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(con, name)

    try:
        results = ingest_source(Watching(), data_dir, BY_NAME["newsletter_campaigns"], "run-1")
    finally:
        con.close()
    assert [(r.rows_loaded, r.rows_quarantined) for r in results] == [(1, 0), (1, 1), (1, 1)]
    assert [r.problems for r in results] == [
        [],
        [
            "newsletter/campaigns_2024-02-29.csv:3 column 'Versendet am': not a date and time "
            "(expected DD.MM.YYYY HH:MM[:SS] or ISO 8601) (value 'morgen')"
        ],
        ["newsletter/campaigns_2024-03-31.csv:3 expected 5 fields separated by ';', found 2"],
    ]
    # per file: the rule's insert for the second only (the third's record is written as it was read)
    rule_inserts = [s for s in statements if s.startswith("insert into quarantine.") and " values " not in s]
    assert len(rule_inserts) == 1
    assert sum(s.startswith("insert into meta.quarantine_log") for s in statements) == 2
    assert sum(s.startswith("select _line, _message from quarantine.") for s in statements) == 2
    logged = query(data_dir, "select file_name, line_number, reason_code from meta.quarantine_log order by 1")
    assert logged == [
        ("newsletter/campaigns_2024-02-29.csv", 3, "invalid_datetime"),
        ("newsletter/campaigns_2024-03-31.csv", 3, "malformed_row"),
    ]


def test_typed_values(data_dir):
    write_export(
        data_dir.landing / "newsletter/campaigns_2024-12-31.csv",
        CAMPAIGNS,
        [
            ["W", "", "Neuigkeiten", "15.01.2025 10:00:00", "de"],  # winter: UTC+1
            ["S", "", "Neuigkeiten", "30.03.2025 10:00", "de"],  # summer (after the switch): UTC+2
            ["O", "", "Neuigkeiten", "2025-01-15T10:00:00+01:00", "de"],
            ["Z", "", "Neuigkeiten", "2025-01-15T09:00:00Z", "en"],
            ["I", "", "Neuigkeiten", "2025-07-01 12:30", "de"],
        ],
    )
    write_export(
        data_dir.landing / "donations/donations_2024-12-31.csv",
        DONATIONS,
        [
            ["D1", "", "", "2024-01-05", "1.250,00", ""],
            ["D2", "", "", "05.01.2024", "25,00", ""],
            ["D3", "", "", "", "25.00", ""],
            ["D4", "", "", "", "1.250", ""],
            ["D5", "", "", "", "3", ""],
        ],
    )
    write_export(
        data_dir.landing / "members/members_2024-12-31.csv",
        MEMBERS,
        [
            [f"A-{i}", "", "", "", "", "", "", "", "", "01.01.2020", flag, "", "", "", "", ""]
            for i, flag in enumerate(["ja", "Nein", "yes", "no", "TRUE", "false", "1", "0", ""])
        ],
    )
    ingest_all(data_dir)
    sent = dict(query(data_dir, "select campaign_id, sent_at from raw.newsletter_campaigns"))
    assert sent["W"] == datetime(2025, 1, 15, 9, 0)
    assert sent["S"] == datetime(2025, 3, 30, 8, 0)
    assert sent["O"] == sent["Z"] == datetime(2025, 1, 15, 9, 0)
    assert sent["I"] == datetime(2025, 7, 1, 10, 30)
    amounts = dict(query(data_dir, "select donation_id, amount_eur from raw.donations"))
    assert amounts == {
        "D1": Decimal("1250.00"),
        "D2": Decimal("25.00"),
        "D3": Decimal("25.00"),
        "D4": Decimal("1250.00"),
        "D5": Decimal("3.00"),
    }
    days = dict(
        query(data_dir, "select donation_id, donated_on from raw.donations where donated_on is not null")
    )
    assert days == {"D1": date(2024, 1, 5), "D2": date(2024, 1, 5)}
    flags = [f for (f,) in query(data_dir, "select newsletter_consent from raw.members order by member_id")]
    assert flags == [True, False, True, False, True, False, True, False, False]


def test_keyed_hashes_match_hmac_and_normalise_addresses(data_dir):
    write_export(
        data_dir.landing / "members/members_2024-12-31.csv",
        MEMBERS,
        [
            member(" a-000001 ", email="  Jörg.Müller@Example.DE "),
        ],
    )
    ingest_all(data_dir)
    ((member_hash, email_hash),) = query(data_dir, "select member_id_hash, email_hash from raw.members")
    assert member_hash == keyed_hash(TEST_KEY.encode(), "A-000001")
    assert email_hash == keyed_hash(TEST_KEY.encode(), "jörg.müller@example.de")


def test_same_bytes_under_another_name_load_once_and_reruns_change_nothing(broken_landing):
    source = broken_landing.landing / "newsletter/campaigns_2024-01-31.csv"
    (broken_landing.landing / "newsletter/campaigns_2024-02-01.csv").write_bytes(source.read_bytes())
    ingest_all(broken_landing, "run-1")
    tables = [
        "raw.members",
        "raw.newsletter_campaigns",
        "raw.newsletter_activity",
        "quarantine.members",
        "meta.ingested_files",
        "meta.quarantine_log",
    ]
    before = {t: query(broken_landing, f"select count(*) from {t}")[0][0] for t in tables}
    statuses = dict(query(broken_landing, "select file_name, status from meta.ingested_files"))
    assert statuses["newsletter/campaigns_2024-02-01.csv"] == "duplicate"
    assert statuses["newsletter/campaigns_2024-01-31.csv"] == "loaded"
    results = ingest_all(broken_landing, "run-2")
    after = {t: query(broken_landing, f"select count(*) from {t}")[0][0] for t in tables}
    assert after == before
    assert all(r.status == "skipped" for rs in results.values() for r in rs)


def test_unchanged_files_are_not_read_again_and_a_changed_one_is(broken_landing, monkeypatch):
    ingest_all(broken_landing, "run-1")
    changed = broken_landing.landing / "newsletter/campaigns_2024-01-31.csv"
    content = changed.read_bytes()
    read = []
    original = Path.read_bytes

    def tracking_read(path):
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", tracking_read)
    results = ingest_all(broken_landing, "run-2")
    assert read == []  # size and modification time unchanged, the ledger has them: nothing is read
    assert all(r.status == "skipped" for rs in results.values() for r in rs)
    changed.write_bytes(content.replace(b"\n", b"\r\n"))  # another export under the same name
    results = ingest_all(broken_landing, "run-3")
    assert read == [changed.name]
    assert [r.status for r in results["newsletter_campaigns"] if r.file_name.endswith(changed.name)] == [
        "loaded"
    ]


def test_rejected_file_is_recorded_and_others_load(data_dir):
    (data_dir.landing / "members").mkdir(parents=True)
    (data_dir.landing / "members/members_2024-01-15.csv").write_bytes(b"")
    (data_dir.landing / "members/members_2024-02-15.csv").write_bytes(b"\x00\x01\x02binary")
    write_export(data_dir.landing / "members/members_2024-03-15.csv", ["Vorname", "Nachname"], [["a", "b"]])
    write_export(data_dir.landing / "members/members_2024-04-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir)
    rows = {
        name: (status, reason)
        for name, status, reason in query(
            data_dir, "select file_name, status, reason from meta.ingested_files"
        )
    }
    assert rows["members/members_2024-01-15.csv"][0] == "rejected"
    assert rows["members/members_2024-01-15.csv"][1].startswith("empty_file")
    assert rows["members/members_2024-02-15.csv"][1].startswith("not_text")
    assert "Mitgliedsnummer" in rows["members/members_2024-03-15.csv"][1]
    assert rows["members/members_2024-04-15.csv"][0] == "loaded"


def test_a_file_refused_while_its_records_are_staged_leaves_nothing_staged_in_the_connection(
    data_dir, monkeypatch
):
    """The steps of a run share one connection (pipelines/resources.py): a file refused part-way through staging
    its records (here the csv module's path, and its second batch cannot be read) leaves nothing of the records
    staged before it in the connection; the file is recorded as rejected."""
    from pipelines.ingest import connect, ingest_source, reading, staging
    from pipelines.ingest.sources import BY_NAME
    from tests.helpers import temp_objects

    monkeypatch.setattr(staging, "_stage_with_duckdb", lambda *args: False)
    real_chunks = reading.Export.chunks

    def one_batch_then_refused(self, size=reading.CHUNK_ROWS):
        yield next(real_chunks(self, size))
        raise reading.FileRejected("unreadable_file", "line 3: the file cannot be split into fields")

    monkeypatch.setattr(reading.Export, "chunks", one_batch_then_refused)
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    con = connect(data_dir)
    try:
        [result] = ingest_source(con, data_dir, BY_NAME["members"], "run-1")
        left = temp_objects(con)
    finally:
        con.close()
    assert (result.status, result.reason) == (
        "rejected",
        "unreadable_file: line 3: the file cannot be split into fields",
    )
    assert left == ([], [])


def test_clubs_catalogue_coordinates_are_optional_and_added_to_older_tables(data_dir):
    from pipelines.ingest import connect

    header = ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"]
    write_export(data_dir.landing / "clubs/clubs_2024-12-31.csv", header, [["C-1", "Club", "Berlin", "DE", "", "", "aktiv"]])  # fmt: skip
    ingest_all(data_dir)
    # a warehouse from before the columns existed
    con = connect(data_dir)
    con.execute("alter table raw.clubs drop column latitude")
    con.execute("alter table raw.clubs drop column longitude")
    con.close()
    write_export(
        data_dir.landing / "clubs/clubs_2025-12-31.csv",
        [*header, "Breitengrad", "Längengrad"],
        [["C-1", "Club", "Berlin", "DE", "", "", "aktiv", "52,52", "13.40"]],
    )
    results = ingest_all(data_dir)
    assert [r.status for r in results["clubs"]][-1] == "loaded"
    rows = query(data_dir, "select _source_file, latitude, longitude from raw.clubs order by _source_file")
    assert rows == [
        ("clubs/clubs_2024-12-31.csv", None, None),
        ("clubs/clubs_2025-12-31.csv", "52,52", "13.40"),
    ]


def test_the_ingest_writes_row_groups_of_its_own_size_and_spills_beside_the_warehouse(data_dir, monkeypatch):
    """The ingest's connection attaches warehouse.duckdb with row groups of `settings.ROW_GROUP_SIZE` rows (a
    file's insert writes whole row groups into the file, the rest goes through the write-ahead log), under the
    alias a database opened by its path gets; what does not fit in memory goes beside the warehouse, not into the
    working directory. Made small here, so that a few thousand rows fill several row groups."""
    import duckdb

    from pipelines import settings
    from pipelines.ingest import connect

    assert settings.ROW_GROUP_SIZE % 2048 == 0 and settings.ROW_GROUP_SIZE < 122_880
    monkeypatch.setattr(settings, "ROW_GROUP_SIZE", 2048)
    rows = [member(f"A-{i:06d}", email=f"m{i}@example.org") for i in range(1, 5001)]
    write_export(data_dir.landing / "members/members_2024-12-31.csv", MEMBERS, rows)
    ingest_all(data_dir)
    con = connect(data_dir)
    try:
        assert con.execute("select current_database(), current_setting('temp_directory')").fetchone() == (
            "warehouse",
            f"{data_dir.warehouse}.tmp",
        )
        groups = con.execute(
            "select row_group_id, max(count) from pragma_storage_info('raw.members') group by all"
        ).fetchall()
    finally:
        con.close()
    assert len(groups) == 3 and max(count for _, count in groups) == 2048
    # a connection by the path reads the same tables under the same name
    plain = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        found = plain.execute("select current_database(), count(*) from raw.members").fetchone()
        assert found == ("warehouse", 5000)
    finally:
        plain.close()
    reader = connect(data_dir, read_only=True)
    try:
        assert reader.execute("select count(*) from warehouse.raw.members").fetchone()[0] == 5000
        with pytest.raises(duckdb.Error, match="read-only"):
            reader.execute("create table raw.t (i int)")
    finally:
        reader.close()


def test_dbt_attaches_the_warehouse_with_the_same_row_group_size():
    """dbt's profile attaches warehouse.duckdb with `settings.ROW_GROUP_SIZE` too: a connection with another size
    would re-pack the row groups of every table at its first checkpoint (docs/benchmarks.md, thirtieth pass)."""
    import yaml

    from pipelines.settings import REPO_ROOT, ROW_GROUP_SIZE

    output = yaml.safe_load((REPO_ROOT / "dbt_project/profiles.yml").read_text(encoding="utf-8"))
    (warehouse,) = output["alumni"]["outputs"]["warehouse"]["attach"]
    assert warehouse["alias"] == output["alumni"]["outputs"]["warehouse"]["database"] == "warehouse"
    assert warehouse["options"] == {"row_group_size": ROW_GROUP_SIZE}
