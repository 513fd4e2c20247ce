"""Great Expectations suites on the rows a run loaded: per file, counts added up, mostly judged on totals."""

from __future__ import annotations

from pipelines.ingest import connect, quality
from tests.helpers import ingest_all, write_export
from tests.ingest.test_loader import MEMBERS, member


def test_suite_results_add_up_over_files_and_never_show_personal_values(data_dir):
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        MEMBERS,
        [member("A-000001", status="Gasthörer/in"), member("X-1", "b@x.de")],
    )
    write_export(
        data_dir.landing / "members/members_2024-02-15.csv",
        MEMBERS,
        [member("A-000001"), member("A-000002", "b@x.de")],
    )
    ingest_all(data_dir, "run-q")
    con = connect(data_dir)
    try:
        outcome = quality.validate(con, "members", "run-q")
        assert outcome.rows == 4
        failed = {o.check_name: o for o in outcome.outcomes if not o.passed}
        assert set(failed) == {
            "gx.members.column_values_to_be_in_set.status_group",
            "gx.members.column_values_to_match_regex.member_id",
        }
        assert not outcome.errors  # both are warnings: the rows are kept
        assert failed["gx.members.column_values_to_be_in_set.status_group"].observed_value == 1
        assert "Gasthörer/in" in failed["gx.members.column_values_to_be_in_set.status_group"].details
        assert "X-1" not in failed["gx.members.column_values_to_match_regex.member_id"].details
        assert quality.validate(con, "members", "another-run").outcomes == []
    finally:
        con.close()


EXPECTATIONS = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "code"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "ref", "regex": "^[0-9a-f]{4}$"}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "code", "value_set": ["a", "b"]}},
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "amount", "min_value": 0.01, "max_value": 100},
    },
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["code", "ref"]}},
]
CLEAN = [("a", "00ff", 1.0), ("b", "00ff", 100.0), ("a", None, None), (None, None, 5.0)]
# each defect breaks exactly one expectation (by index); the clean rows break none... except the null code
BROKEN = {
    1: ("a", "xyz!", 1.0),
    2: ("c", "0001", 1.0),
    3: ("b", "0002", 100.5),
    4: ("a", "00ff", 2.0),
}


def test_duckdb_and_great_expectations_agree_on_the_blocking_checks():
    """The blocking per-file checks are decided in DuckDB where nothing is broken (quality.sql_violations):
    for each kind of expectation the suites use, DuckDB and Great Expectations find the same broken ones."""
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    batch_definition, suite, _ = quality._gx_suite("t", "t", "t", EXPECTATIONS)

    def verdicts(rows):
        con.execute("create or replace table t (code varchar, ref varchar, amount double, f varchar)")
        con.executemany("insert into t values (?, ?, ?, 'x')", rows)
        counts = quality.sql_violations(con, "t where f = ?", ["x"], EXPECTATIONS)
        frame = pd.DataFrame(rows, columns=["code", "ref", "amount"])
        result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        # Great Expectations reports in its own order: back to the suite's index by kind and column
        keys = [
            (e["type"], str(e["kwargs"].get("column") or e["kwargs"].get("column_list")))
            for e in EXPECTATIONS
        ]
        gx_failed = {
            keys.index((item.expectation_config.type, str(item.expectation_config.kwargs.get("column")
                        or item.expectation_config.kwargs.get("column_list"))))
            for item in result.results
            if not item.success
        }  # fmt: skip
        return {i for i, n in enumerate(counts) if n}, gx_failed

    assert verdicts(CLEAN[:3]) == (set(), set())
    assert verdicts(CLEAN) == ({0}, {0})  # a null code
    for index, row in BROKEN.items():
        assert verdicts([*CLEAN[:3], row]) == ({index}, {index}), index
