"""Macros whose SQL depends on the moment of the run, evaluated in DuckDB at a moment chosen for them."""

from __future__ import annotations

import json
import re

import duckdb

from pipelines.dbt_prepare import MANIFEST, ensure_manifest


def macro_sql(name: str) -> str:
    ensure_manifest()
    macros = json.loads(MANIFEST.read_text(encoding="utf-8"))["macros"]
    (sql,) = [m["macro_sql"] for m in macros.values() if m["name"] == name and m["package_name"] == "alumni"]
    return sql


def test_the_day_of_the_run_is_berlin_s_day():
    """At 23:30 UTC on 31 December it is already the new year in Berlin: the current, partial year and month
    (the calendar's last month, the scorecard's running year) are the new ones."""
    today = re.search(r"\{%- else -%\}(.*?)\{%- endif -%\}", macro_sql("as_of_date"), re.DOTALL).group(1)
    con = duckdb.connect()
    try:
        con.execute("set timezone = 'UTC'")
        at = "timestamptz '2026-12-31 23:30:00+00'"
        assert (
            str(con.execute(f"select {today.replace('current_timestamp', at)}").fetchone()[0]) == "2027-01-01"
        )
    finally:
        con.close()
