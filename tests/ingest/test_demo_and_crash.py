"""The demo generator's truth file against the pipeline's ingestion, and crash safety."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

from pipelines.settings import DataDir
from tests.helpers import ingest_all, query


def test_every_injected_broken_row_is_quarantined_with_its_reason_and_nothing_else(demo_small, tmp_path):
    root, truth = demo_small
    data_dir = DataDir(tmp_path / "data")
    shutil.copytree(root / "landing", data_dir.landing)
    ingest_all(data_dir)
    quarantined = set(
        query(data_dir, "select file_name, line_number, column_name, reason_code from meta.quarantine_log")
    )
    expected = {(b["file"], b["line"], b["column"], b["reason"]) for b in truth["broken_rows"]}
    assert quarantined == expected
    ledger = {
        name: (status, read)
        for name, status, read in query(
            data_dir, "select file_name, status, rows_read from meta.ingested_files"
        )
    }
    for dup in truth["duplicate_files"]:
        assert ledger[dup["file"]][0] == "duplicate"
    for name, meta in truth["files"].items():
        if name in {d["file"] for d in truth["duplicate_files"]}:
            continue
        assert ledger[name] == ("loaded", meta["rows"]), name
    unknown_status = query(data_dir, "select count(*) from raw.members where status_group = 'Gasthörer/in'")[
        0
    ][0]
    assert unknown_status == sum(1 for s in truth["soft_anomalies"] if s["kind"] == "unknown_status")


def _state(data_dir: DataDir) -> dict:
    state = {}
    for schema, table in query(
        data_dir,
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('raw', 'quarantine', 'meta') order by 1, 2",
    ):
        columns = [
            c
            for (c,) in query(
                data_dir,
                "select column_name from information_schema.columns where "
                "table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            )
            if c
            not in (
                "_run_id",
                "_loaded_at",
                "run_id",
                "ingested_at",
                "swept_at",
                "checked_at",
                "first_seen_run",
                "swept_everywhere_at",
                "applied_at",
            )
        ]
        body = ", ".join(columns)
        state[f"{schema}.{table}"] = query(
            data_dir, f"select count(*), coalesce(sum(hash(({body}))), 0) from {schema}.{table}"
        )[0]
    return state


def test_a_run_killed_during_a_load_leaves_no_half_file(demo_small, tmp_path):
    root, _ = demo_small
    crashed, clean = DataDir(tmp_path / "crashed"), DataDir(tmp_path / "clean")
    for target in (crashed, clean):
        shutil.copytree(root / "landing", target.landing)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.crash_worker", str(crashed.root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    done = 0
    for line in worker.stdout:
        if line.startswith("done"):
            done += 1
        if line.startswith("start") and done >= 12:
            time.sleep(0.02)  # inside the file's transaction
            worker.send_signal(signal.SIGKILL)
            break
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    partial = query(crashed, "select count(*) from meta.ingested_files")[0][0]
    assert 12 <= partial < 40, "the kill landed in the middle of the run"
    for name, read, loaded, quarantined in query(
        crashed, "select file_name, rows_read, rows_loaded, rows_quarantined from meta.ingested_files"
    ):
        assert read == loaded + quarantined, name
    ingest_all(crashed, "rerun")
    ingest_all(clean, "clean-run")
    assert _state(crashed) == _state(clean)
