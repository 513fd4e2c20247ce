"""dbt's `unique` test as the project runs it on DuckDB (macros/duplicate_keys.sql, `duckdb__test_unique`: 64-bit
hashes grouped first, only repeated hashes compared exactly) finds the same rows as dbt's own query."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.dbt_prepare import run_dbt
from pipelines.settings import DataDir

pytestmark = pytest.mark.slow  # dbt itself renders the queries

CUT = "-- 8< --"


def test_the_unique_test_finds_exactly_the_rows_dbts_own_query_finds(tmp_path):
    data_dir = DataDir(tmp_path / "data")
    data_dir.root.mkdir()
    # dbt renders both queries: the test as every model's `unique` test calls it (dispatched), and dbt's default
    inline = f"{{{{ test_unique('probe', 'k') }}}}\n{CUT}\n{{{{ dbt.default__test_unique('probe', 'k') }}}}"
    result = run_dbt(
        ["compile", "--quiet", "--inline", inline, "--target-path", str(tmp_path / "target")], data_dir
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    ours, dbts = result.stdout.split(CUT)
    assert "repeated_hashes" in ours and "repeated_hashes" not in dbts

    con = duckdb.connect(str(tmp_path / "probe.duckdb"))
    # 20,000 distinct 32-character values; one of them twice more, one once more; nulls repeated (not a finding)
    con.execute("create table probe as select md5(i::varchar) as k from range(20000) as t(i)")
    con.execute(
        "insert into probe select md5('7') from range(2) union all select md5('11') union all select null"
    )
    con.execute("insert into probe select null")
    seven, eleven = con.execute("select md5('7'), md5('11')").fetchone()
    found = {name: sorted(con.execute(query).fetchall()) for name, query in (("ours", ours), ("dbt", dbts))}
    assert found["ours"] == found["dbt"] == sorted([(seven, 3), (eleven, 2)])
    # a table without repeats: nothing found either way
    con.execute("delete from probe where k in (md5('7'), md5('11')) or k is null")
    con.execute("insert into probe values (md5('7')), (md5('11'))")
    assert con.execute(ours).fetchall() == con.execute(dbts).fetchall() == []
