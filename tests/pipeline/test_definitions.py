"""The Dagster code location: assets, checks, job, sensor and schedule, evaluated on an ephemeral instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.dbt_in_dir import LEVEL_ASKED_FOR
from pipelines.ingest.sources import SOURCES
from pipelines.resources import WarehouseResource
from pipelines.run import _lock_refused
from tests.helpers import write_export


@pytest.fixture
def defs(data_dir, monkeypatch):
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    from pipelines.dbt_prepare import ensure_manifest

    ensure_manifest()
    from pipelines.definitions import defs as definitions

    return definitions


def test_assets_checks_and_job(defs):
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for source in SOURCES:
        assert f"raw/{source.name}" in keys
    for mart in ("dim_alumni", "fct_strategy_kpis", "fct_aem_yearly", "fct_newsletter_campaigns"):
        assert f"marts/{mart}" in keys
    assert "analytics" in keys
    check_keys = {key.name for key in graph.asset_check_keys}
    assert "great_expectations" in check_keys
    assert any(name.startswith("unique_") or name.startswith("not_null_") for name in check_keys)
    job = defs.resolve_job_def("alumni_pipeline")
    assert job.executor_def.name == "in_process"
    # dbt sources line up with the ingest assets: the marts depend on raw/*
    upstream = graph.get(dg.AssetKey(["staging", "stg_portal__member_snapshots"])).parent_keys
    assert dg.AssetKey(["raw", "members"]) in upstream


def test_landing_sensor_runs_once_per_new_set_of_files(defs, data_dir):
    sensor = defs.resolve_sensor_def("landing_sensor")
    with dg.instance_for_test() as instance:
        empty = sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(empty, dg.SkipReason)
        write_export(
            data_dir.landing / "members/members_2024-01-15.csv",
            ["Mitgliedsnummer", "Registriert am"],
            [["A-1", "01.01.2020"]],
        )
        context = dg.build_sensor_context(instance=instance)
        first = sensor(context)
        assert isinstance(first, dg.RunRequest)
        cursor = context.cursor
        again = sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(again, dg.SkipReason)
        write_export(
            data_dir.landing / "members/members_2024-02-15.csv",
            ["Mitgliedsnummer", "Registriert am"],
            [["A-1", "01.01.2020"]],
        )
        second = sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(second, dg.RunRequest)
        assert second.run_key != first.run_key


def test_daily_schedule(defs, data_dir, monkeypatch):
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))  # never built: the tick asks for a run
    schedule = defs.resolve_schedule_def("daily_pipeline")
    assert schedule.cron_schedule == "30 5 * * *"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.job_name == "alumni_pipeline"
    with dg.instance_for_test() as instance:
        result = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        assert len(result.run_requests) == 1


def _other_process_gets_the_lock(data_dir) -> bool:
    """The lock is re-entrant within one process (the CLI holds it around its in-process run): ask another."""
    code = (
        "import sys; from pipelines.lock import WriterLockHeld, writer_lock; "
        "from pipelines.settings import DataDir\n"
        "try:\n    with writer_lock(DataDir.resolve(sys.argv[1])): pass\n"
        "except WriterLockHeld:\n    sys.exit(3)\n"
    )
    return subprocess.run([sys.executable, "-c", code, str(data_dir.root)], check=False).returncode == 0


def test_the_warehouse_resource_holds_the_writer_lock_for_the_run(data_dir, monkeypatch):
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))  # resolved when the run starts
    held = []

    @dg.asset
    def probe(warehouse: WarehouseResource) -> None:
        assert warehouse.data == data_dir
        held.append(_other_process_gets_the_lock(data_dir))

    resources = {"warehouse": WarehouseResource()}
    assert dg.materialize([probe], resources=resources).success
    assert held == [False]  # held by the run
    assert _other_process_gets_the_lock(data_dir)  # released after it
    # a run that starts while another process holds the lock is refused, with the typed error
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pipelines.lock import writer_lock; "
         "from pipelines.settings import DataDir\n"
         "with writer_lock(DataDir.resolve(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n",
         str(data_dir.root)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        refused = dg.materialize([probe], resources=resources, raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not refused.success
    assert _lock_refused(refused)
    assert held == [False]


def _file_opens_elsewhere(data_dir) -> bool:
    """Whether another process can open warehouse.duckdb for writing (DuckDB locks the file per process)."""
    return (
        _python("import duckdb, sys; duckdb.connect(sys.argv[1]).close()", str(data_dir.warehouse)).returncode
        == 0
    )


def test_a_run_shares_one_connection_until_the_file_is_released_and_a_failing_step_closes_it(
    data_dir, monkeypatch
):
    """The steps of a run use one connection to warehouse.duckdb one after another. `release` closes it (for dbt's
    process and the rewrite after an erasure: the file is free), a step that fails inside its block closes it, and
    what that step had not committed goes with it; the next step opens a new one, and the run's end closes the
    last. Outside a run, each block has a connection of its own."""
    import duckdb

    from pipelines import resources

    opened = []
    real = resources.connect

    def counting(data, read_only=False):
        opened.append(real(data, read_only))
        return opened[-1]

    monkeypatch.setattr(resources, "connect", counting)
    steps, seen = [], {}

    @dg.asset
    def a_writes(warehouse: WarehouseResource) -> None:
        steps.append("a")
        with warehouse.connect() as con:
            con.execute("create table meta.probe (step varchar)")
            con.execute("insert into meta.probe values ('a')")
            seen["a"] = con

    @dg.asset(deps=[a_writes])
    def b_fails(warehouse: WarehouseResource) -> None:
        steps.append("b")
        with warehouse.connect() as con:
            seen["b"] = con
            con.execute("begin")
            con.execute("insert into meta.probe values ('b')")
            raise RuntimeError("the step fails inside its transaction")

    @dg.asset(deps=[a_writes])
    def c_reads(warehouse: WarehouseResource) -> None:
        steps.append("c")
        with warehouse.connect() as con:
            seen["c"] = con
            seen["rows"] = [r for (r,) in con.execute("select step from meta.probe order by 1").fetchall()]
        with warehouse.connect() as con:
            seen["c again"] = con
        seen["free while held"] = _file_opens_elsewhere(data_dir)
        warehouse.release()
        seen["free after release"] = _file_opens_elsewhere(data_dir)
        with warehouse.connect() as con:
            seen["c after release"] = con

    @dg.asset(deps=[c_reads])
    def d_last(warehouse: WarehouseResource) -> None:
        steps.append("d")
        with warehouse.connect() as con:
            seen["d"] = con

    result = dg.materialize(
        [a_writes, b_fails, c_reads, d_last],
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir.root))},
        raise_on_error=False,
    )
    assert not result.success and steps == ["a", "b", "c", "d"]  # the order the cases below rely on
    assert seen["a"] is seen["b"] is opened[0]  # the run's record (the resource's start) and two steps: one
    assert seen["c"] is seen["c again"] is opened[1]  # after the failure, a new one
    assert seen["rows"] == ["a"]  # the failed step's insert was rolled back with its connection
    assert seen["free while held"] is False and seen["free after release"] is True
    assert seen["c after release"] is seen["d"] is opened[2]
    assert len(opened) == 3
    for con in opened:  # every one closed, the last at the run's end
        with pytest.raises(duckdb.ConnectionException, match="closed"):
            con.execute("select 1")
    assert _file_opens_elsewhere(data_dir)

    outside = WarehouseResource(data_dir=str(data_dir.root))
    with outside.connect() as first:
        first.execute("select 1")
    with outside.connect() as second:
        second.execute("select 1")
    assert first is not second and opened[-2:] == [first, second]
    for con in (first, second):
        with pytest.raises(duckdb.ConnectionException, match="closed"):
            con.execute("select 1")


def test_dbt_is_pointed_at_the_warehouse_of_the_data_directory(defs, data_dir, monkeypatch, tmp_path):
    """dbt runs in the data directory (pipelines/dbt_in_dir.py), where profiles.yml's relative path names its
    warehouse: a model built by the resource lands there, and the log and artifacts where dagster-dbt reads them."""
    import shutil

    import duckdb

    from pipelines.defs import transform
    from pipelines.ingest import connect

    connect(data_dir).close()  # the warehouse with its schemas, as the ingest leaves it
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the caller's own working directory plays no part
    target = tmp_path / "target"
    invocation = defs.resources["dbt"].cli(["seed", "--select", "countries", "--quiet"], target_path=target)
    list(invocation.stream_raw_events())
    assert invocation.is_successful()
    from pipelines.settings import DBT_PROJECT_DIR

    seeded = len((DBT_PROJECT_DIR / "seeds" / "countries.csv").read_text(encoding="utf-8").splitlines()) - 1
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from reference.countries").fetchone()[0] == seeded
    finally:
        con.close()
    assert (target / "run_results.json").exists() and (target / "dbt.log").exists()
    assert not list(elsewhere.iterdir())
    in_data_dir = {"warehouse.duckdb", "warehouse.duckdb.wal", "secrets"}
    assert {p.name for p in data_dir.root.iterdir()} <= in_data_dir
    # with dagster-dbt's own target path, relative to the project (as in every run): its log and results there too
    default = defs.resources["dbt"].cli(["seed", "--select", "countries", "--quiet"])
    list(default.stream_raw_events())
    assert default.is_successful()
    assert default.target_path.is_relative_to(transform.DBT_PROJECT_DIR)
    assert (default.target_path / "run_results.json").exists() and (default.target_path / "dbt.log").exists()
    shutil.rmtree(default.target_path)
    assert {p.name for p in data_dir.root.iterdir()} <= in_data_dir


def test_dbt_logs_no_debug_lines_unless_asked(defs, data_dir, monkeypatch, tmp_path):
    """dbt's log file is written into the target folder the dbt step removes after the build: by default it gets
    info lines only, and the debug events no one logs are not built (pipelines/dbt_in_dir.py); asked for with
    DBT_LOG_LEVEL_FILE=debug, the file has dbt's debug lines, the SQL's status among them. What dagster-dbt reads
    from dbt's output, its info events, comes either way."""
    from pipelines.ingest import connect

    connect(data_dir).close()
    for name in LEVEL_ASKED_FOR:
        monkeypatch.delenv(name, raising=False)
    runs = {}
    for name, level in (("default", None), ("debug", "debug")):
        if level:
            monkeypatch.setenv("DBT_LOG_LEVEL_FILE", level)
        target = tmp_path / name
        invocation = defs.resources["dbt"].cli(["seed", "--select", "countries"], target_path=target)
        events = [event.raw_event["info"] for event in invocation.stream_raw_events()]
        assert invocation.is_successful()
        assert any(info["name"] == "LogSeedResult" for info in events)  # what dagster-dbt materialises from
        assert {info["level"] for info in events} <= {"info", "warn"}
        runs[name] = (target / "dbt.log").read_text(encoding="utf-8")
    assert "Finished running node seed.alumni.countries" not in runs["default"]
    assert "SQL status" not in runs["default"] and "[debug]" not in runs["default"]
    assert "Finished running node seed.alumni.countries" in runs["debug"] and "SQL status" in runs["debug"]


DBT_IN_DIR_LEVELS = """
import json, os, sys
from pipelines import dbt_in_dir
try:
    dbt_in_dir.main([sys.argv[1], *sys.argv[2:], "--help"])
except SystemExit:
    pass
from dbt_common.clients import agate_helper
from dbt_common.events.event_manager import EventManager
print(json.dumps({
    "file_level": os.environ.get("DBT_LOG_LEVEL_FILE"),
    "filtered": getattr(EventManager.fire_event, "skips_unlogged_debug_events", False),
    "testers_reused": getattr(agate_helper.build_type_tester, "reused", False),
}))
"""


@pytest.mark.parametrize(
    ("args", "env", "file_level"),
    [
        ([], {}, "info"),
        (["--log-level", "debug"], {}, None),
        (["--log-level=warn"], {}, None),
        (["--debug"], {}, None),
        (["--log-level-file", "debug"], {}, None),
        ([], {"DBT_LOG_LEVEL": "debug"}, None),
        ([], {"DBT_LOG_LEVEL_FILE": "debug"}, "debug"),
    ],
)
def test_dbt_in_dir_sets_the_log_file_level_only_where_no_level_is_asked_for(data_dir, args, env, file_level):
    """dbt gives its log file the level of --log-level only where the file's own level is not set: dbt_in_dir sets
    it to info only where neither is asked for (by a flag or dbt's environment variables), so that --log-level
    debug still writes debug lines to the file. The filter of debug events is in place in every case (it passes
    them on where a logger is at debug), and so are agate's reused type testers."""
    from pipelines.settings import REPO_ROOT

    data_dir.root.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in LEVEL_ASKED_FOR} | env
    result = subprocess.run(
        [sys.executable, "-c", DBT_IN_DIR_LEVELS, str(data_dir.root), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"file_level": file_level, "filtered": True, "testers_reused": True}


def test_dbt_queries_run_under_the_memory_cap_and_in_utc(defs, data_dir, monkeypatch, tmp_path):
    """profiles.yml sets the memory cap once, when dbt opens its database, and the time zone on every model's
    connection: a query of dbt's, on a connection of its own, sees both (ALUMNI_DUCKDB_MEMORY_LIMIT=1GB: DuckDB
    shows 10^9 bytes in MiB)."""
    from pipelines.ingest import connect

    connect(data_dir).close()
    monkeypatch.setenv("ALUMNI_DUCKDB_MEMORY_LIMIT", "1GB")
    query = "select current_setting('memory_limit') as memory_limit, current_setting('TimeZone') as time_zone"
    invocation = defs.resources["dbt"].cli(
        ["show", "--inline", query, "--output", "json"], target_path=tmp_path / "target"
    )
    shown = [
        event.raw_event["data"]["preview"]
        for event in invocation.stream_raw_events()
        if event.raw_event["info"]["name"] == "ShowNode"
    ]
    assert invocation.is_successful()
    assert [json.loads(preview) for preview in shown] == [[{"memory_limit": "953.6 MiB", "time_zone": "UTC"}]]


def test_debug_events_are_built_only_for_a_logger_or_callback_that_takes_them(monkeypatch):
    """The filter in front of dbt's event manager (pipelines/dbt_in_dir.py): a debug event reaches dbt's own
    handling, which builds its log message, only when a logger writes debug lines or a callback other than dbt's
    tracking of behaviour changes is registered; info events always do, and so does a debug event fired at a
    higher level."""
    import io

    from dbt.adapters.events.types import SQLQuery
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events import event_manager
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.logger import LoggerConfig
    from dbt_common.events.types import Note

    from pipelines import dbt_in_dir

    built = []
    build_message = event_manager.msg_from_base_event

    def counting(event, level=None):
        built.append(type(event).__name__)
        return build_message(event, level=level)

    monkeypatch.setattr(event_manager, "msg_from_base_event", counting)
    monkeypatch.setattr(event_manager.EventManager, "fire_event", event_manager.EventManager.fire_event)
    dbt_in_dir.skip_debug_events_no_one_logs()
    dbt_in_dir.skip_debug_events_no_one_logs()  # once is enough: not wrapped twice

    def manager(level):
        stream = io.StringIO()
        events = event_manager.EventManager()
        events.add_logger(LoggerConfig(name=f"test_{level}", level=level, output_stream=stream))
        events.add_callback(track_behavior_change_warn)
        return events, stream

    quiet, quiet_out = manager(EventLevel.INFO)
    quiet.fire_event(SQLQuery(conn_name="c", sql="select 42", node_info={}))
    assert built == []
    quiet.fire_event(SQLQuery(conn_name="c", sql="select 43", node_info={}), level=EventLevel.INFO)
    quiet.fire_event(Note(msg="a note"))
    assert built == ["SQLQuery", "Note"]
    assert "select 43" in quiet_out.getvalue() and "a note" in quiet_out.getvalue()
    assert "select 42" not in quiet_out.getvalue()

    seen = []
    quiet.add_callback(seen.append)
    quiet.fire_event(SQLQuery(conn_name="c", sql="select 44", node_info={}))
    assert built[-1] == "SQLQuery" and len(seen) == 1

    loud, loud_out = manager(EventLevel.DEBUG)
    loud.fire_event(SQLQuery(conn_name="c", sql="select 45", node_info={}))
    assert built[-1] == "SQLQuery" and "select 45" in loud_out.getvalue()


def test_agate_type_testers_are_made_once_and_type_tables_as_before(monkeypatch):
    """dbt's agate tables of statement results (pipelines/dbt_in_dir.py): with the type testers reused, a result
    is typed as dbt types it (numbers, dates, booleans; text columns kept as text, '' and 'null' kept as text in
    them), a tester is made once per set of text columns, and an empty result is an empty table."""
    import datetime
    import decimal

    from dbt_common.clients import agate_helper

    from pipelines import dbt_in_dir

    rows = [
        {"n": 1, "day": "2026-12-05", "at": "2026-12-05 10:00:00", "flag": "true", "name": "2026-12-05"},
        {"n": None, "day": None, "at": None, "flag": None, "name": "null"},
        {"n": 3, "day": "2026-11-30", "at": "2026-11-30 23:59:59", "flag": "false", "name": ""},
    ]
    columns = ["n", "day", "at", "flag", "name"]

    def typed(table):
        return [type(t).__name__ for t in table.column_types], [tuple(row.values()) for row in table.rows]

    def untyped_table():  # no text-only columns: every type tried ('' and 'null' are empty)
        return agate_helper.table_from_rows(
            [["2026-12-05", "1", "true"], ["", "null", "false"]], ["day", "n", "flag"], text_only_columns=[]
        )

    before = typed(agate_helper.table_from_data_flat(rows, columns))
    before_untyped = typed(untyped_table())
    assert before_untyped == (
        ["Date", "Number", "Boolean"],
        [(datetime.date(2026, 12, 5), decimal.Decimal(1), True), (None, None, False)],
    )
    before_numbers = typed(agate_helper.table_from_rows([[1, None], [2, 3.5]], ["a", "b"]))
    assert before[0] == ["Integer", "Text", "Text", "Text", "Text"]  # the strings are text columns
    assert before[1][1:] == [
        (None, None, None, None, "null"),
        (3, "2026-11-30", "2026-11-30 23:59:59", "false", ""),
    ]

    monkeypatch.setattr(agate_helper, "build_type_tester", agate_helper.build_type_tester)
    monkeypatch.setattr(agate_helper, "empty_table", agate_helper.empty_table)
    dbt_in_dir.reuse_agate_type_testers()
    patched = agate_helper.build_type_tester
    dbt_in_dir.reuse_agate_type_testers()  # once is enough: not wrapped twice
    assert agate_helper.build_type_tester is patched

    for _ in range(2):  # the second time with the testers made the first
        assert typed(agate_helper.table_from_data_flat(rows, columns)) == before
        assert typed(agate_helper.table_from_rows([[1, None], [2, 3.5]], ["a", "b"])) == before_numbers
        assert typed(untyped_table()) == before_untyped

    assert agate_helper.build_type_tester(["name", "day"]) is agate_helper.build_type_tester(("day", "name"))
    assert agate_helper.build_type_tester(["name"]) is not agate_helper.build_type_tester(["day"])
    kept = agate_helper.build_type_tester(["name"], string_null_values=())
    assert kept is not agate_helper.build_type_tester(["name"])

    empty = agate_helper.empty_table()
    assert len(empty.rows) == 0 and len(empty.column_names) == 0
    assert agate_helper.empty_table() is not empty  # a table of its own each time


def test_one_saved_parse_serves_every_data_directory(tmp_path):
    """The profile names no data directory (dbt runs in it): dbt's saved parse, made by `dbt_prepare` before any
    run, is valid for the first build of every data directory. A path per data directory made each full build
    parse the whole project again (about 5 s; docs/benchmarks.md, issue 13, twenty-second pass)."""
    import json
    import shutil

    from pipelines.dbt_prepare import MANIFEST, ensure_manifest, run_dbt
    from pipelines.settings import DataDir

    ensure_manifest()
    target = tmp_path / "target"
    target.mkdir()
    shutil.copy(MANIFEST.with_name("partial_parse.msgpack"), target)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        result = run_dbt(["parse", "--target-path", str(target)], DataDir(tmp_path / name))
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        perf = json.loads((target / "perf_info.json").read_text())
        assert perf["is_partial_parse_enabled"]
        assert perf["parsed_path_count"] == 0, f"{name}: {perf['parsed_path_count']} files parsed again"
    # the check can fail: another profile (here the warehouse passed as a var) is parsed again
    other = run_dbt(["parse", "--target-path", str(target), "--vars", '{"warehouse_path": "x.duckdb"}'])
    assert other.returncode == 0
    assert json.loads((target / "perf_info.json").read_text())["parsed_path_count"] > 50
    # a data directory that does not exist is refused, not made (DuckDB would make an empty warehouse there)
    missing = run_dbt(["parse", "--target-path", str(target)], DataDir(tmp_path / "mistyped"))
    assert missing.returncode == 2 and "is not a directory" in missing.stderr
    assert not (tmp_path / "mistyped").exists()


def test_dagster_yaml_serialises_runs(data_dir, monkeypatch):
    from pipelines.settings import prepare_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(prepare_dagster_home(data_dir)))
    with dg.DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_a_publish_that_fails_is_recorded_as_failed(data_dir, defs):
    # a run started by the sensor, the schedule or the UI has no CLI to correct the status afterwards
    from pipelines.defs.publish import analytics_file
    from pipelines.ingest import connect

    con = connect(data_dir)
    con.execute("create schema if not exists marts")
    con.execute("create table marts.leak as select 'a@example.org' as email")
    con.close()
    result = dg.materialize(
        [analytics_file],
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir.root))},
        raise_on_error=False,
    )
    assert not result.success
    assert not data_dir.analytics.exists()
    con = connect(data_dir)
    try:
        assert con.execute("select run_id, status from meta.pipeline_runs").fetchall() == [
            (result.run_id, "failed")
        ]
    finally:
        con.close()


def test_loading_the_code_location_changes_no_environment(defs, data_dir):
    import os
    import subprocess
    import sys

    # the code server loads once and serves runs on any data directory: nothing may be fixed at import
    script = (
        "import os; before = dict(os.environ); import pipelines.definitions; "
        "print(sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)))"
    )
    env = {k: v for k, v in os.environ.items() if k != "ALUMNI_WAREHOUSE_PATH"}
    env["ALUMNI_DATA_DIR"] = str(data_dir.root)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_a_failed_build_says_what_to_do_without_quoting_dbt():
    """Out of memory asks for a higher limit, a full disk for space or a higher limit (neither for a full refresh); an
    incremental model failing otherwise asks for --full-refresh; dbt's message, which can quote the data, is never repeated."""
    from pipelines.defs.transform import _incremental_hint

    manifest = {"nodes": {"model.alumni.scores": {"config": {"materialized": "incremental"}}}}

    def results(message: str) -> dict:
        return {"results": [{"unique_id": "model.alumni.scores", "status": "error", "message": message}]}

    oom = _incremental_hint(
        results("Out of Memory Error: could not allocate block of size 256.0 KiB (1.8 GiB/1.8 GiB used)"),
        manifest,
    )
    assert "ran out of memory in scores" in oom and "ALUMNI_DUCKDB_MEMORY_LIMIT" in oom
    assert "--full-refresh" not in oom and "256.0 KiB" not in oom
    full = _incremental_hint(
        results(
            'IO Error: Could not write file "/d/warehouse.duckdb.tmp/duckdb_temp_1.tmp": No space left on device'
        ),
        manifest,
    )
    assert "disk ran full in scores" in full and "warehouse.duckdb.tmp/" in full
    assert "--full-refresh" not in full and "duckdb_temp_1" not in full
    other = _incremental_hint(results("Binder Error: column 'x@example.org' not found"), manifest)
    assert "--full-refresh" in other and "example.org" not in other
    assert _incremental_hint({"results": []}, manifest) == ""
    # a data test that ran out of memory (scale 50 at 2 GB: a uniqueness test of the monthly scores) is named by
    # its name, not by the hash that ends its id
    test_id = "test.alumni.unique_combination_of_columns_scores_alumni_key__month.68297fc7ef"
    failed_test = {
        "results": [{"unique_id": test_id, "status": "error", "message": "Out of Memory Error: x"}]
    }
    oom = _incremental_hint(failed_test, manifest)
    assert "ran out of memory in unique_combination_of_columns_scores_alumni_key__month with" in oom
    assert "68297fc7ef" not in oom


def test_no_dbt_adapter_is_made_in_the_pipeline_process(defs, data_dir, monkeypatch, tmp_path):
    """dagster-dbt would load dbt's project and macros in this process before every build (1-3 s), for
    metadata this project does not fetch: the build itself, in dbt's process, must not need it."""
    import dbt.adapters.factory

    data_dir.root.mkdir(parents=True, exist_ok=True)  # as a run's writer lock makes it
    registered = []
    monkeypatch.setattr(
        dbt.adapters.factory, "register_adapter", lambda *args, **kwargs: registered.append(args)
    )
    invocation = defs.resources["dbt"].cli(
        ["ls", "--select", "dim_alumni", "--output", "name", "--quiet"], target_path=tmp_path / "target"
    )
    listed = [event.raw_event["info"]["msg"] for event in invocation.stream_raw_events()]
    assert invocation.is_successful()
    assert "dim_alumni" in listed
    # what tells the override from dagster-dbt's own method: with the latter, register_adapter is called (and
    # the invocation's adapter is None too here, only because the patched registration leaves none to get)
    assert registered == []


def test_a_dbt_that_never_ran_fails_the_step_with_its_exit_code(defs, data_dir, monkeypatch):
    """dbt's process fails before building (here it exits at once, as it would where it cannot start in the data
    directory): the step fails and says so with the exit code, instead of a missing run_results.json."""
    from pipelines.defs import transform
    from pipelines.resources import AlumniDbtCliResource

    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    failing = AlumniDbtCliResource(
        project_dir=transform.dbt_project,
        profiles_dir=str(transform.dbt_project.profiles_dir),
        dbt_executable=sys.executable,
        global_config_flags=["-c", "import sys; sys.exit(3)"],
    )
    result = dg.materialize(
        [transform.alumni_dbt_models],
        resources={"dbt": failing, "warehouse": WarehouseResource(data_dir=str(data_dir.root))},
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures
    assert "dbt did not run (exit code 3)" in str(failures[0].step_failure_data.error)


def _python(script: str, *args: str) -> subprocess.CompletedProcess:
    """`script` run by this interpreter in a process of its own, in the repository."""
    from pipelines.settings import REPO_ROOT

    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
    )


FROZEN_AT_THE_FIRST_STEP = """
import gc, os, sys
from pathlib import Path
import pipelines.ingest as ingest  # what the ingest's steps call (pipelines/defs/ingest.py imports it by name)
assert gc.get_freeze_count() == 0
# 21: frozen; 23: frozen, and no module of dbt-core imported in the run's process
ingest.ingest_source = lambda *a, **k: os._exit(
    20 + min(gc.get_freeze_count(), 1) + 2 * all(sys.modules[m] is None for m in list(sys.modules) if m.startswith("dbt."))
)
from pipelines.run import run_pipeline
from pipelines.settings import DataDir
run_pipeline(DataDir(Path(sys.argv[1])))
"""

FROZEN_IN_DBT = """
import gc, sys
from pipelines import dbt_in_dir
assert gc.get_freeze_count() == 0
try:
    dbt_in_dir.main([sys.argv[1], "--help"])
except SystemExit:
    pass
print("frozen", gc.get_freeze_count())
"""


def test_the_modules_of_a_run_and_of_dbt_are_frozen_for_the_garbage_collector(data_dir):
    """What Dagster, dagster-dbt and dbt import lives as long as their process: frozen (`gc.freeze`) before the
    run's first step and before dbt's build, Python's garbage collector does not walk it in every full collection
    and at the process's end (docs/benchmarks.md, thirty-fourth pass). dbt-core is not imported in the run's
    process (pipelines/run.py)."""
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        ["Mitgliedsnummer", "Registriert am"],
        [["A-1", "01.01.2020"]],
    )
    run = _python(FROZEN_AT_THE_FIRST_STEP, str(data_dir.root))
    assert run.returncode == 23, run.stderr[-3000:]
    dbt = _python(FROZEN_IN_DBT, str(data_dir.root))
    assert dbt.returncode == 0, dbt.stderr[-3000:]
    frozen = int(dbt.stdout.split("frozen")[-1])
    assert frozen > 100_000, dbt.stdout[-2000:]


ASSET_GRAPH = """
import json, sys
if sys.argv[1] == "hidden":
    from pipelines.run import hide_dbt_core  # as the run does before the definitions
    hide_dbt_core()
from pipelines.definitions import defs
graph = defs.resolve_asset_graph()
job = defs.resolve_job_def("alumni_pipeline")
print(json.dumps({
    "dbt_core": any(sys.modules[m] is not None for m in list(sys.modules) if m.startswith("dbt.")),
    "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys()),
    "checks": sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys),
    "parents": {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    },
    "blocking": sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys
                       if graph.get_check_spec(k).blocking),
    "ops": sorted(node.name for node in job.graph.node_defs),
}))
"""


def test_the_asset_graph_is_the_same_with_dbt_core_hidden_from_dagster_dbt(defs):
    """The run's process hides dbt-core from dagster-dbt (pipelines/run.py), which then reads the manifest as it
    reads dbt Fusion's: every asset, dependency and check is the one it finds with dbt-core (a dagster-dbt that
    reads it otherwise would fail here). (`defs`: the manifest made.)"""
    graphs = {}
    for mode in ("hidden", "found"):
        shown = _python(ASSET_GRAPH, mode)
        assert shown.returncode == 0, shown.stderr[-3000:]
        graphs[mode] = json.loads(shown.stdout.strip().splitlines()[-1])
    assert graphs["found"].pop("dbt_core") and not graphs["hidden"].pop("dbt_core")
    assert len(graphs["found"]["checks"]) > 100
    assert graphs["hidden"] == graphs["found"]
