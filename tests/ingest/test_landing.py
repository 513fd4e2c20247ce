"""Landing discovery: a file's export date is parsed once (landing.py) and stored; nothing reads the name again."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from pipelines.ingest import connect
from pipelines.ingest.landing import date_in_name, export_date_in_name, export_time_in_name
from tests.helpers import ingest_all, query, write_export
from tests.ingest.test_loader import MEMBERS, member


def test_the_export_date_and_time_of_a_name():
    assert export_date_in_name("members/members_2024-01-31.csv") == date(2024, 1, 31)
    assert export_time_in_name("listmonk/campaign_views_2024-05-07T13-05-09.csv") == datetime(
        2024, 5, 7, 13, 5, 9
    )
    assert export_time_in_name("pretix/fest_orders_2024-05-07_13-05-09.xlsx") == datetime(
        2024, 5, 7, 13, 5, 9
    )
    # the folder never counts, and digits that are no date are none
    assert export_date_in_name("2024-01-01/members.csv") is None
    assert date_in_name("members_2020-13-45.csv").group(0) == "2020-13-45"
    assert export_date_in_name("members_2020-13-45.csv") is None
    assert export_time_in_name("members_2020-13-45.csv") is None
    # a date with an impossible time: no export time from the name (the file's modification time is used)
    assert export_date_in_name("views_2024-05-07_25-00-00.csv") == date(2024, 5, 7)
    assert export_time_in_name("views_2024-05-07_25-00-00.csv") is None
    # an event named with its date, downloaded later: the tool's stamp comes last, and is the export time
    assert export_time_in_name("pretix/sommerfest-2024-06-15_orders_2024-06-20.csv") == datetime(2024, 6, 20)
    assert export_time_in_name("pretix/sommerfest-2024-06-15_orders_2024-06-01_08-00-00.csv") == datetime(
        2024, 6, 1, 8
    )
    assert export_time_in_name("pretix/sommerfest-2024-06-15_orders.csv") == datetime(2024, 6, 15)


def test_a_warehouse_from_before_the_stored_export_time_gets_it_from_the_one_parser(data_dir):
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir)
    con = duckdb.connect(str(data_dir.warehouse))
    for table in ("raw.members", "quarantine.members"):
        con.execute(f"alter table {table} drop column _exported_at")
    con.execute("alter table meta.ingested_files drop column exported_at")
    con.close()
    connect(data_dir).close()  # the schema is brought up to date on connecting
    assert query(data_dir, "select distinct _exported_at from raw.members") == [(datetime(2024, 1, 15),)]
    assert query(data_dir, "select file_name, exported_at from meta.ingested_files") == [
        ("members/members_2024-01-15.csv", datetime(2024, 1, 15))
    ]


def test_the_truncation_guard_compares_the_stored_export_dates(data_dir):
    """The snapshot before a file is the one with the latest stored export date before it, whatever the names."""
    rows = [member(f"A-{n:06d}") for n in range(1, 11)]
    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, rows)
    ingest_all(data_dir)
    con = duckdb.connect(str(data_dir.warehouse))
    # were the stored date not the one compared, a later snapshot would count as the one before
    con.execute("update meta.ingested_files set exported_at = timestamp '2024-03-01'")
    con.close()
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, rows[:2])
    ingest_all(data_dir, "run-2")
    assert query(data_dir, "select status from meta.ingested_files where run_id = 'run-2'") == [("loaded",)]
