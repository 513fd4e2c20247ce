"""dbt's `unique` test and the project's unique_combination_of_columns as the project runs them on DuckDB
(macros/duplicate_keys.sql: 64-bit hashes sorted first, only repeated hashes compared exactly) find the same rows as
dbt's own query and a plain grouping of the keys."""

from __future__ import annotations

import datetime

import duckdb
import pytest

from pipelines.dbt_prepare import run_dbt
from pipelines.settings import DataDir

pytestmark = pytest.mark.slow  # dbt itself renders the queries

CUT = "-- 8< --"


def _rendered(tmp_path, ours: str, theirs: str) -> tuple[str, str]:
    """The two queries as dbt renders them in this project (macros dispatched as a test's are)."""
    data_dir = DataDir(tmp_path / "data")
    data_dir.root.mkdir()
    inline = f"{ours}\n{CUT}\n{theirs}"
    result = run_dbt(
        ["compile", "--quiet", "--inline", inline, "--target-path", str(tmp_path / "target")], data_dir
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    first, second = result.stdout.split(CUT)
    return first, second


def test_the_unique_test_finds_exactly_the_rows_dbts_own_query_finds(tmp_path):
    # the test as every model's `unique` test calls it (dispatched), and dbt's default
    ours, dbts = _rendered(
        tmp_path, "{{ test_unique('probe', 'k') }}", "{{ dbt.default__test_unique('probe', 'k') }}"
    )
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


def test_the_combination_test_finds_exactly_the_rows_a_plain_grouping_finds(tmp_path):
    """unique_combination_of_columns (tests/generic/, `duplicate_keys` dispatched to DuckDB's): the repeated hashes
    found by sorting them, then the keys compared exactly, give what grouping the keys themselves gives: a key
    three times, one twice, a key repeated with an empty part (grouped as one, as dbt_utils' test does), and keys
    that share one column but not the other (not findings)."""
    ours, plain = _rendered(
        tmp_path,
        "{{ adapter.dispatch('duplicate_keys', 'alumni')('probe', ['a', 'b']) }}",
        "{{ default__duplicate_keys('probe', ['a', 'b']) }}",
    )
    assert "lag(key_hash) over (order by key_hash)" in ours and "key_hash" not in plain

    con = duckdb.connect(str(tmp_path / "probe.duckdb"))
    # 30,000 distinct keys: 3,000 values of a, each with ten months
    con.execute(
        "create table probe as select md5((i // 10)::varchar) as a, (date '2020-01-01' + to_months(i % 10))::date as b "
        "from range(30000) as t(i)"
    )
    con.execute(
        """
        insert into probe values
            (md5('7'), date '2020-01-01'), (md5('7'), date '2020-01-01'),  -- with the table's own: three times
            (md5('11'), date '2020-03-01'),                                -- with the table's own: twice
            (md5('12'), null), (md5('12'), null),                          -- a key with an empty part, twice
            (null, null),                                                  -- once: not a finding
            (md5('13'), date '2031-01-01')                                 -- a new month of a known a
        """
    )
    found = {
        name: sorted(con.execute(query).fetchall(), key=str)
        for name, query in (("ours", ours), ("plain", plain))
    }
    seven, eleven, twelve = con.execute("select md5('7'), md5('11'), md5('12')").fetchone()
    expected = [
        (seven, datetime.date(2020, 1, 1), 3),
        (eleven, datetime.date(2020, 3, 1), 2),
        (twelve, None, 2),
    ]
    assert found["ours"] == found["plain"] == sorted(expected, key=str)
    # without the repeats: nothing found either way
    con.execute(
        "delete from probe where a in (md5('7'), md5('11'), md5('12')) and (b is null or b < date '2021-01-01')"
    )
    con.execute("insert into probe values (md5('7'), date '2020-01-01'), (md5('11'), date '2020-03-01')")
    assert con.execute(ours).fetchall() == con.execute(plain).fetchall() == []
