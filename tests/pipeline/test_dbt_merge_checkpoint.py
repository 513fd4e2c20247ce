"""An incremental model's merge is checkpointed as soon as it is committed (dbt_project/macros/
checkpoint_after_merge.sql): until then DuckDB kept what it needs about the merge's deleted rows in memory,
and at a fifth of the memory limit per row (scale 10 at 400 MB, as scale 50 at the default 2 GB) the next
test ran out of memory."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from pipelines.dbt_prepare import MANIFEST, ensure_manifest, run_dbt
from tests.conftest import copy_data_dir

pytestmark = pytest.mark.slow

COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _statements(stdout: str) -> dict[str, list[str]]:
    """The SQL each node ran, in order, from dbt's debug log in JSON (its query comment left out)."""
    by_node: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("info", {}).get("name") != "SQLQuery":
            continue
        data = event["data"]
        node = (data.get("node_info") or {}).get("unique_id")
        if node:
            by_node.setdefault(node, []).append(" ".join(COMMENT.sub("", data["sql"]).split()).lower())
    return by_node


# the warehouse, attached to dbt's in-memory database (profiles.yml): a bare `checkpoint` would checkpoint that
CHECKPOINT = "checkpoint warehouse"


def _checkpoints(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("checkpoint")]


def _merges(statement: str) -> bool:
    """The rows of the temporary `<model>__dbt_tmp<time>` (the new rows) inserted into the model: by dbt-duckdb's
    delete+insert, one statement that deletes the model's rows with their keys first, or by an append after the
    model's pre-hook deleted the rows it rebuilds (int_members_on_key_dates)."""
    return "insert into" in statement and "__dbt_tmp" in statement


def _incremental_models() -> list[str]:
    ensure_manifest()
    nodes = json.loads(MANIFEST.read_text())["nodes"].values()
    return sorted(
        n["name"]
        for n in nodes
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    )


def test_an_incremental_merge_is_checkpointed_once_committed_and_nothing_else_is(published_demo, tmp_path):
    data_dir = copy_data_dir(published_demo[0], tmp_path / "data")
    incremental = _incremental_models()
    assert len(incremental) >= 5, incremental
    table = "int_calendar_months"  # a table model: built anew, nothing merged

    def run(*extra: str) -> dict[str, list[str]]:
        result = run_dbt(
            ["--log-format", "json", "--debug", "run", "--target-path", str(tmp_path / "target"), *extra],
            data_dir,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        return _statements(result.stdout)

    merged = run("--select", *incremental, table)
    for name in incremental:
        statements = merged[f"model.alumni.{name}"]
        assert any(_merges(s) for s in statements), (name, statements)
        last_commit = max(i for i, s in enumerate(statements) if s == "commit")
        assert _checkpoints(statements[last_commit + 1 :]) == [CHECKPOINT], (name, statements[last_commit:])
        assert not _checkpoints(statements[:last_commit]), name  # after the commit, not inside the merge
    assert not _checkpoints(merged[f"model.alumni.{table}"])

    rebuilt = run("--select", incremental[0], "--full-refresh")
    assert not _checkpoints(rebuilt[f"model.alumni.{incremental[0]}"])

    # a first build creates the table: nothing merged, no checkpoint (the hook asks `is_incremental()` after
    # the build, when the new table is not yet in dbt's cache of relations)
    first = incremental[1]
    con = duckdb.connect(str(data_dir.warehouse))
    try:
        schema = con.execute(
            "select schema_name from duckdb_tables() where table_name = ? and database_name = current_database()",
            [first],
        ).fetchone()[0]
        con.execute(f'drop table "{schema}"."{first}"')
    finally:
        con.close()
    built = run("--select", first)[f"model.alumni.{first}"]
    assert any(s.startswith("create table") for s in built) and not any(_merges(s) for s in built), built
    assert not _checkpoints(built)
