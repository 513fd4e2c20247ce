"""A run with nothing new does nothing: what counts as new (files, code, key, a month, a fact falling due)."""

from __future__ import annotations

import json
import os
from datetime import date

import dagster as dg
import duckdb
import pytest

from pipelines import freshness
from pipelines.settings import DataDir

BUILT_FOR = date(2026, 11, 10)  # mid-month: a later day of the same month exists


@pytest.fixture
def built(data_dir: DataDir, monkeypatch) -> DataDir:
    """A data directory as after a published build on BUILT_FOR: two exports, one tool export, the file."""
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    for name in ("members/members_2026-11-01.csv", "events/events_2026-11-01.csv", "pretix/orders.csv"):
        path = data_dir.landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("header\nrow\n")
    data_dir.analytics.write_bytes(b"published")
    record(data_dir, facts=[])
    return data_dir


def record(data_dir: DataDir, facts: list[str], built_for: date = BUILT_FOR) -> dict:
    """Write the record of a build on `built_for` whose raw tables hold events on the days `facts`."""
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.events (event_id varchar, starts_at timestamp, _loaded_at timestamp)")
    for n, day in enumerate(facts):
        con.execute("insert into raw.events values (?, ?, '2030-01-01')", [f"E{n}", day])
    freshness.start_build(data_dir, "run-1")
    freshness.record_build(con, data_dir, "run-1")
    state = json.loads(freshness.state_file(data_dir).read_text())
    # the build was for BUILT_FOR (record_build takes the engine's current_date): as if built that day
    state["as_of"] = built_for.isoformat()
    due = freshness.next_fact(con, built_for)
    state["next_fact"] = due.isoformat() if due else None
    freshness.state_file(data_dir).write_text(json.dumps(state))
    con.close()
    return state


def test_nothing_new_after_a_build(built):
    decision = freshness.decide(built, now=BUILT_FOR)
    assert not decision.build
    assert decision.files == 3 and decision.run_id == "run-1"
    assert "nothing new" in decision.reason
    # the next day of the same month, no fact due: still nothing
    assert not freshness.decide(built, now=date(2026, 11, 11)).build


def test_the_record_holds_nothing_personal_and_the_pending_start_is_gone(built):
    text = freshness.state_file(built).read_text()
    assert "members_" not in text and "pretix" not in text and "header" not in text
    assert not freshness.pending_file(built).exists()


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda d: (d.landing / "members/members_2026-11-01.csv").write_text("header\nrow\nrow\n"),
            "landing",
        ),
        (lambda d: (d.landing / "pretix/orders_2.csv").write_text("x\n"), "landing"),  # a tool's folder too
        (lambda d: (d.landing / "events/events_2026-11-01.csv").unlink(), "landing"),
        (lambda d: os.utime(d.landing / "pretix/orders.csv", ns=(1, 1)), "landing"),  # same size, re-saved
        (lambda d: d.analytics.unlink(), "missing or was changed"),
        (lambda d: d.analytics.write_bytes(b"replaced by hand"), "missing or was changed"),
    ],
)
def test_a_change_in_landing_or_of_the_published_file_means_a_build(built, change, reason):
    change(built)
    decision = freshness.decide(built, now=BUILT_FOR)
    assert decision.build and reason in decision.reason


def test_other_code_or_another_key_means_a_build(built, monkeypatch):
    state = json.loads(freshness.state_file(built).read_text())
    freshness.state_file(built).write_text(json.dumps({**state, "code": "an older release"}))
    assert "code changed" in freshness.decide(built, now=BUILT_FOR).reason
    freshness.state_file(built).write_text(json.dumps(state))
    monkeypatch.setenv("ALUMNI_PSEUDONYM_KEY", "another key")
    assert "key changed" in freshness.decide(built, now=BUILT_FOR).reason


def test_a_new_month_means_a_build(built):
    decision = freshness.decide(built, now=date(2026, 12, 1))
    assert decision.build and "new calendar month (2026-12)" in decision.reason


def test_a_fact_falling_due_means_a_build(data_dir, monkeypatch):
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    (data_dir.landing / "events").mkdir(parents=True)
    (data_dir.landing / "events" / "events_2026-11-01.csv").write_text("x\n")
    data_dir.analytics.write_bytes(b"published")
    # an event before the build, one on the 14th (UTC 23:30 on the 13th is the 14th in Berlin), one in 2027
    state = record(data_dir, facts=["2026-11-01 10:00:00", "2026-11-13 23:30:00", "2027-03-01 18:00:00"])
    assert state["next_fact"] == "2026-11-14"
    assert not freshness.decide(data_dir, now=date(2026, 11, 13)).build
    decision = freshness.decide(data_dir, now=date(2026, 11, 14))
    assert decision.build and "fell due" in decision.reason


def test_bookkeeping_times_are_no_facts_but_an_export_time_is(data_dir):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.members (member_id varchar, _loaded_at timestamp, _exported_at timestamp)")
    con.execute("insert into raw.members values ('A-1', '2026-11-20 08:00', null)")
    assert freshness.next_fact(con, BUILT_FOR) is None
    con.execute("insert into raw.members values ('A-2', '2026-11-20 08:00', '2026-11-12 08:00')")
    assert freshness.next_fact(con, BUILT_FOR) == date(2026, 11, 12)


def test_a_run_that_starts_forgets_the_record_until_it_publishes(built):
    freshness.start_build(built, "run-2")
    assert freshness.decide(built, now=BUILT_FOR).reason == "no record of an earlier build"
    con = duckdb.connect()
    freshness.record_build(con, built, "run-3")  # another run's start: no record from it
    assert not freshness.state_file(built).exists()
    freshness.record_build(con, built, "run-2")
    con.close()
    assert freshness.state_file(built).exists()


def as_if_built_today(data_dir: DataDir) -> None:
    """The schedule and the sensor compare with the real calendar."""
    state = json.loads(freshness.state_file(data_dir).read_text())
    state["as_of"] = freshness.today().isoformat()
    freshness.state_file(data_dir).write_text(json.dumps(state))


def test_the_daily_schedule_skips_when_nothing_is_new(built):
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("daily_pipeline")
    as_if_built_today(built)
    with dg.instance_for_test() as instance:
        skipped = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert skipped.run_requests == [] and "nothing new" in skipped.skip_message
        (built.landing / "members/members_2026-11-02.csv").write_text("header\n")
        ran = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert len(ran.run_requests) == 1
        assert ran.run_requests[0].tags["reason"] == "new or changed files in landing/"


def test_the_landing_sensor_sees_the_tools_folders_and_skips_what_is_built(built):
    from pipelines.definitions import defs

    sensor = defs.resolve_sensor_def("landing_sensor")
    as_if_built_today(built)
    with dg.instance_for_test() as instance:
        # files the sensor has not seen, but a build (e.g. by the CLI) has: no second build of the same files
        built_already = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(built_already, dg.SkipReason) and "nothing new" in built_already.skip_message
        cursor = freshness.landing_fingerprint(built)[0]
        assert isinstance(sensor(dg.build_sensor_context(instance=instance, cursor=cursor)), dg.SkipReason)
        (built.landing / "zoom").mkdir()
        (built.landing / "zoom" / "webinar_attendees.csv").write_text("x\n")
        (built.landing / "zoom" / ".webinar_attendees.csv.part").write_text("x")  # hidden: ingest ignores it
        ran = sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(ran, dg.RunRequest) and ran.tags["landing_files"] == "4"


def test_a_linked_folder_is_neither_read_nor_fingerprinted_through(built, tmp_path):
    from pipelines.ingest.landing import tool_files, unexpected_files

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "orders.csv").write_text("x\n")
    (built.landing / "pretix").rename(built.landing / "pretix_old")
    (built.landing / "pretix").symlink_to(outside, target_is_directory=True)
    assert tool_files(built.landing, "pretix") == []  # never followed: reported (and rejected) instead
    assert "pretix" in unexpected_files(built.landing)
    before = freshness.landing_fingerprint(built)
    (outside / "orders_2.csv").write_text("x\n")
    assert freshness.landing_fingerprint(built) == before  # what ingest does not read does not count


def test_the_record_keeps_the_day_and_code_the_build_started_from(built):
    freshness.start_build(built, "run-2")
    pending = json.loads(freshness.pending_file(built).read_text())
    # the run started on the last day of a month and published after midnight, code deployed meanwhile
    pending["as_of"], pending["code"] = "2026-11-30", "the code the run started with"
    freshness.pending_file(built).write_text(json.dumps(pending))
    con = duckdb.connect()
    freshness.record_build(con, built, "run-2")
    con.close()
    state = json.loads(freshness.state_file(built).read_text())
    assert state["as_of"] == "2026-11-30"
    assert freshness.decide(built, now=date(2026, 12, 1)).build  # the new month is built
    assert "code changed" in freshness.decide(built, now=date(2026, 11, 30)).reason


def test_a_run_of_some_assets_only_leaves_no_record(built):
    """Publishing alone from the UI builds less than landing/ holds: the next run must still build."""
    from pipelines.definitions import defs

    freshness.state_file(built).unlink()
    job = defs.resolve_job_def("alumni_pipeline")
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(["analytics"])], raise_on_error=False
        )
    assert result.success
    assert built.analytics.exists()
    assert freshness.decide(built).reason == "no record of an earlier build"


def test_the_day_the_run_builds_for_is_berlin_s_day_as_dbt_s(monkeypatch):
    """As the `as_of_date` macro (tests/pipeline/test_dbt_macros.py): at 23:30 UTC on 31 December a new month and
    year have begun, and the daily run must see the new month that dbt's calendar will have."""
    import datetime as dt

    class At(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC).astimezone(tz)

    monkeypatch.setattr(freshness, "datetime", At)
    assert freshness.today() == dt.date(2027, 1, 1)
