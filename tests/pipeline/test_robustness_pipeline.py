"""Issue 11 end to end: concurrent starts, killed runs, erasure with a shared address and its bytes, file
modes, dbt's target/ - real `alumni pipeline` runs on copies of the published demo."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.privacy import keyed_hash, normalise_member_id
from pipelines.settings import DBT_PROJECT_DIR, DataDir
from tests.conftest import copy_data_dir, run_cli
from tests.helpers import read_export

pytestmark = pytest.mark.slow
KEY = {"ALUMNI_PSEUDONYM_KEY": "demo-test-key"}
REPO = Path(__file__).resolve().parents[2]


def copy_of(published_demo, tmp_path) -> DataDir:
    return copy_data_dir(published_demo[0], tmp_path / "data")


def runs(data_dir: DataDir) -> list[tuple[str, str]]:
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    try:
        return con.execute("select run_id, status from meta_pipeline_runs order by started_at").fetchall()
    finally:
        con.close()


def run_ids(data_dir: DataDir) -> set[str]:
    """The runs recorded in the warehouse (also those not published, unlike `runs`)."""
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        return {run_id for (run_id,) in con.execute("select run_id from meta.pipeline_runs").fetchall()}
    finally:
        con.close()


def test_a_second_run_started_at_the_same_time_gets_a_message_not_a_traceback(published_demo, tmp_path):
    data_dir = copy_of(published_demo, tmp_path)
    exe = Path(sys.executable).parent / "alumni"
    env = dict(os.environ, **KEY)
    procs = [
        subprocess.Popen(
            [str(exe), "pipeline", "--data-dir", str(data_dir.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outcomes = sorted((p.wait(timeout=600), *p.communicate()) for p in procs)
    (ok, ok_out, ok_err), (refused, _, refused_err) = outcomes
    assert ok == 0, ok_out[-2000:] + ok_err[-2000:]
    assert refused == 1
    assert "another pipeline run is writing" in refused_err
    assert "Traceback" not in refused_err


KILLER = """
import os, sys
from pathlib import Path
import pipelines.defs.{module} as target
target.{function} = lambda *a, **k: os._exit(9)
from pipelines.run import run_pipeline
from pipelines.settings import DataDir
run_pipeline(DataDir(Path(sys.argv[1])))
"""


def test_killed_runs_are_recorded_started_then_abandoned(published_demo, tmp_path):
    data_dir = copy_of(published_demo, tmp_path)
    env = dict(os.environ, **KEY)
    for module, function in (("ingest", "ingest_source"), ("publish", "publish")):
        killed = subprocess.run(
            [sys.executable, "-c", KILLER.format(module=module, function=function), str(data_dir.root)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert killed.returncode == 9, killed.stderr[-3000:]
        con = duckdb.connect(str(data_dir.warehouse), read_only=True)
        statuses = [
            s for (s,) in con.execute("select status from meta.pipeline_runs order by started_at").fetchall()
        ]
        con.close()
        assert statuses[-1] == ("started" if module == "ingest" else "publishing"), statuses
    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [status for _, status in runs(data_dir)] == ["success", "abandoned", "abandoned", "success"]


def _members(path: Path) -> tuple[list[str], list[dict]]:
    """Header names trimmed and lower-cased (the loader matches them so), values trimmed."""
    _, (names, *lines) = read_export(path)
    header = [name.strip().lower() for name in names]
    rows = [
        {name: (line[i].strip() if i < len(line) else "") for i, name in enumerate(header) if name}
        for line in lines
        if line
    ]
    return header, rows


def test_a_first_build_writes_no_erased_row_and_keeps_no_erased_bytes(published_demo):
    """The demo's erasure requests load first in the build that loads everything else: every row of an erased
    person is taken out before writing, the addresses their members' rows reveal derived from the staged rows
    (privacy.erase_before_writing), so no erased value reaches the warehouse's bytes and there is nothing to
    rewrite, before dbt or after publishing (a rewrite where rows were written: tests/ingest/test_robustness.py,
    and the shared address below)."""
    data_dir, truth, _ = published_demo
    assert truth["erasures"]
    content = data_dir.warehouse.read_bytes()
    for erased in truth["erasures"]:
        for value in [erased["member_id"], *erased["emails"]]:
            assert value.encode() not in content
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        logged = con.execute("select count(*), bool_and(before_writing) from meta.erasure_log").fetchone()
        assert logged[0] > 0 and logged[1]
        assert con.execute("select count(*) from meta.compactions").fetchone()[0] == 0
    finally:
        con.close()
    logged = b"".join(p.read_bytes() for p in data_dir.dagster_home.rglob("*.db"))
    assert b"rewritten after an erasure" not in logged


def test_a_first_build_rewrites_right_after_the_step_that_swept_written_rows(
    demo_small, tmp_path, monkeypatch
):
    """A member found erased only in a later export (the request names an address that only the last export
    links to the member): the rows of the earlier exports are written, then swept at the end of the members'
    step. The first build rewrites warehouse.duckdb right after that step (guards.compact_after_erasure), while
    it holds the sources loaded so far, not before dbt after every other source; once: the sources loaded after
    it take the member's rows out before writing. Nothing of the member stays in the bytes, and every source
    loaded after the rewrite is in the warehouse."""
    import dagster as dg

    root, _ = demo_small
    data_dir = DataDir(tmp_path / "data")
    shutil.copytree(root / "landing", data_dir.landing)
    exports = sorted((data_dir.landing / "members").glob("members_*.csv"))
    _, first_rows = _members(exports[0])
    header, rows = _members(exports[-1])
    named_first = {r["mitgliedsnummer"] for r in first_rows if "@" in r["e-mail"]}
    member = next(r for r in rows if r["mitgliedsnummer"] in named_first and "@" in r["e-mail"])
    old_address = next(r["e-mail"] for r in first_rows if r["mitgliedsnummer"] == member["mitgliedsnummer"])
    member["e-mail"] = "spaeter.geloescht@example.org"  # the last export alone links the member to it
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    exports[-1].write_text(buffer.getvalue(), encoding="utf-8")
    (data_dir.landing / "erasure/erasure_2023-03-20.csv").write_text(
        "Mitgliedsnummer;E-Mail;Eingegangen am\n;spaeter.geloescht@example.org;20.03.2023\n", encoding="utf-8"
    )

    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    content = data_dir.warehouse.read_bytes()
    for value in (member["mitgliedsnummer"], old_address, member["e-mail"]):
        assert value.encode() not in content, value
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        # rows of the member were written (by earlier exports) and swept: the rewrite was due, and done once
        assert con.execute(
            "select count(*) from meta.erasure_log where table_name = 'raw.members' and not coalesce(before_writing, false)"
        ).fetchone()[0]
        assert con.execute("select count(*) from meta.compactions").fetchone()[0] == 1
        assert con.execute(
            "select count(*) from raw.members where member_id = ?", [member["mitgliedsnummer"]]
        ).fetchone() == (0,)
        loaded = dict(
            con.execute(
                "select source, sum(rows_loaded) from meta.ingested_files where status = 'loaded' group by source"
            ).fetchall()
        )
        erased = dict(
            con.execute(
                "select table_name, sum(rows_affected) from meta.erasure_log group by table_name"
            ).fetchall()
        )
        # every row loaded before the rewrite (clubs, donations, events, members) and after it is there, but the
        # erased ones (they count as loaded, and as erased: before or after writing)
        for source in ("clubs", "donations", "events", "members", "newsletter_campaigns", "newsletter_activity",
                       "attendance"):  # fmt: skip
            stored = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
            assert stored > 0 and stored == loaded[source] - erased.get(f"raw.{source}", 0), source
    finally:
        con.close()
    monkeypatch.setenv("DAGSTER_HOME", str(data_dir.dagster_home))
    with dg.DagsterInstance.get() as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        rewrites = [
            record.step_key
            for record in instance.all_logs(run_id)
            if "rewritten after an erasure" in (record.user_message or "")
        ]
    assert rewrites == ["raw__members"]


def test_erasure_with_a_shared_address_leaves_no_bytes_and_keeps_the_other_member(published_demo, tmp_path):
    data_dir = copy_of(published_demo, tmp_path)
    latest = sorted((data_dir.landing / "members").glob("members_*.csv"))[-1]
    header, rows = _members(latest)
    active = [r for r in rows if r.get("status", "aktiv") in ("", "aktiv") and "@" in r["e-mail"]]
    erased, partner = active[0], active[1]
    partner["e-mail"] = erased["e-mail"]  # a family mailbox
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data_dir.landing / "members/members_2026-11-30.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (data_dir.landing / "erasure/erasure_2026-11-30.csv").write_text(
        f"Mitgliedsnummer;E-Mail;Eingegangen am\n{erased['mitgliedsnummer']};{erased['e-mail']};30.11.2026\n",
        encoding="utf-8",
    )
    # a warehouse loaded before file-name dates were checked: a snapshot named with an impossible date
    con = duckdb.connect(str(data_dir.warehouse))
    con.execute(
        "insert into raw.members select * replace ('members/members_2020-13-45.csv' as _source_file) "
        "from raw.members where member_id = ? limit 1",
        [partner["mitgliedsnummer"].upper()],
    )
    con.close()
    needle = erased["mitgliedsnummer"].encode()
    assert needle in data_dir.warehouse.read_bytes()
    earlier = run_ids(data_dir)

    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    erased_count = int(result.stdout.split(" quarantined, ")[1].split(" erased")[0].replace(",", ""))
    assert erased_count > 0
    # nothing of the erased member in the bytes of the warehouse or its log
    assert needle not in data_dir.warehouse.read_bytes()
    wal = data_dir.warehouse.with_name("warehouse.duckdb.wal")
    assert not wal.exists() or needle not in wal.read_bytes()
    # the partner keeps the address and every figure
    key = KEY["ALUMNI_PSEUDONYM_KEY"].encode()
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    keys = {k for (k,) in con.execute("select alumni_key from dim_alumni").fetchall()}
    con.close()
    assert keyed_hash(key, normalise_member_id(partner["mitgliedsnummer"])) in keys
    assert keyed_hash(key, normalise_member_id(erased["mitgliedsnummer"])) not in keys
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    assert con.execute(
        "select count(*) from raw.members where member_id = ? and _source_file like '%2026-11-30%' and email = ?",
        [partner["mitgliedsnummer"].upper(), erased["e-mail"]],
    ).fetchone() == (1,)
    con.close()
    # owner-only files, and no dbt target folder left behind by this run (dagster-dbt names a build's folder
    # after the op and the run's id; runs of other tests, on other data directories, may have one open now)
    for path in (data_dir.warehouse, data_dir.analytics):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    (this_run,) = run_ids(data_dir) - earlier
    left = list((DBT_PROJECT_DIR / "target").glob(f"alumni_dbt_models-{this_run[:7]}-*"))
    assert left == []
