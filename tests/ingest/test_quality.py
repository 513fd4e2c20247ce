"""Great Expectations suites on the rows a run loaded: per file, counts added up, mostly judged on totals."""

from __future__ import annotations

from pipelines.ingest import connect, gx_process, quality
from tests.helpers import TEST_KEY, ingest_all, write_export
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


def test_the_examples_quoted_are_the_first_lines_of_the_file_however_its_rows_lie(data_dir):
    """A rewrite after an erasure copies a table's rows in any order (guards.compact_after_erasure), and a first
    build may check a source after one: the values quoted are still those of the file's first lines."""
    groups = ["Gasthörer/in", "Praktikant/in", "Besucher/in", "Ehrengast", "Pate/Patin"]
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        MEMBERS,
        [member(f"A-00000{i}", status=group) for i, group in enumerate(groups, start=1)],
    )
    ingest_all(data_dir, "run-q")
    con = connect(data_dir)
    try:
        # the rows stored last line first
        con.execute("create or replace table raw.members as select * from raw.members order by _line desc")
        outcome = quality.validate(con, "members", "run-q")
        (failed,) = [o for o in outcome.outcomes if o.check_name.endswith("in_set.status_group")]
        assert failed.observed_value == 5
        assert failed.details.endswith("(e.g. Gasthörer/in, Praktikant/in, Besucher/in)")
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
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "flag", "value_set": [True]}},
]
CLEAN = [
    ("a", "00ff", 1.0, True),
    ("b", "00ff", 100.0, None),
    ("a", None, None, True),
    (None, None, 5.0, True),
]
# each defect breaks exactly one expectation (by index); the clean rows break none... except the null code
BROKEN = {
    1: ("a", "xyz!", 1.0, True),
    2: ("c", "0001", 1.0, True),
    3: ("b", "0002", 100.5, True),
    4: ("a", "00ff", 2.0, True),
    5: ("b", "0003", 3.0, False),  # a flag: DuckDB's false is not the text 'False'
}


def test_duckdb_and_great_expectations_agree_on_the_blocking_checks():
    """The blocking per-file checks are decided in DuckDB where nothing is broken (quality.sql_violations):
    for each kind of expectation the suites use, DuckDB and Great Expectations find the same broken ones."""
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    batch_definition, suite = gx_process.gx_suite("t", "t", "t", EXPECTATIONS)

    def verdicts(rows):
        con.execute(
            "create or replace table t (code varchar, ref varchar, amount double, flag boolean, f varchar)"
        )
        con.executemany("insert into t values (?, ?, ?, ?, 'x')", rows)
        counts = quality.sql_violations(con, "t where f = ?", ["x"], EXPECTATIONS)
        frame = pd.DataFrame(rows, columns=["code", "ref", "amount", "flag"])
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
    # the rows that break a regex are counted as Great Expectations counts them, a value repeated in two rows twice
    # (DuckDB matches each distinct value once)
    rows = [*CLEAN[:3], ("a", "xyz!", 1.0, True), ("b", "xyz!", 2.0, True), ("a", "0ff", 3.0, True)]
    assert verdicts(rows) == ({1}, {1})
    regex = EXPECTATIONS[1]
    frame = pd.DataFrame(rows, columns=["code", "ref", "amount", "flag"])
    batch_definition, suite = gx_process.gx_suite("t", "t", "t", [regex])
    (item,) = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite).results
    assert (
        quality.sql_violations(con, "t where f = ?", ["x"], [regex])
        == [item.result["unexpected_count"]]
        == [3]
    )


def test_a_clean_run_is_judged_in_duckdb_as_great_expectations_would(data_dir, monkeypatch):
    """Nothing broken: the suite's outcome comes from DuckDB alone (no Great Expectations batch), and it is the
    outcome Great Expectations gives for the same rows, expectation by expectation."""
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001"), member("A-000002")]
    )
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir, "run-clean")
    con = connect(data_dir)
    try:
        monkeypatch.setattr(quality, "_unbroken", lambda *a: {})  # Great Expectations itself
        by_gx = quality.validate(con, "members", "run-clean")
        monkeypatch.undo()
        monkeypatch.setenv("ALUMNI_PSEUDONYM_KEY", TEST_KEY)  # undone with the rest: the test's key again
        monkeypatch.setattr(
            quality, "_gx_results", lambda *a: (_ for _ in ()).throw(AssertionError("GX used"))
        )
        by_duckdb = quality.validate(con, "members", "run-clean")
    finally:
        con.close()
    assert by_duckdb.rows == by_gx.rows == 3
    assert by_duckdb.judged_in == set() and by_gx.judged_in == {"run"}  # no worker in the tests (conftest.py)
    assert all(o.passed for o in by_gx.outcomes)
    key = lambda o: o.check_name  # noqa: E731
    assert sorted(by_duckdb.outcomes, key=key) == sorted(by_gx.outcomes, key=key)


def test_only_the_broken_expectations_go_to_great_expectations_with_the_same_outcome(data_dir, monkeypatch):
    """Something broken: the expectations no row breaks are decided in DuckDB, the broken ones by Great
    Expectations (on their columns only); the outcome is the one Great Expectations gives for the whole suite."""
    write_export(
        data_dir.landing / "members/members_2024-01-15.csv",
        MEMBERS,
        [member("A-000001", status="Gasthörer/in"), member("X-1", "b@x.de")],
    )
    write_export(data_dir.landing / "members/members_2024-02-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir, "run-mixed")
    con = connect(data_dir)
    try:
        monkeypatch.setattr(quality, "_unbroken", lambda *a: {})
        by_gx = quality.validate(con, "members", "run-mixed")
        monkeypatch.undo()
        monkeypatch.setenv("ALUMNI_PSEUDONYM_KEY", TEST_KEY)
        given: list[list[dict]] = []
        results = quality._gx_results
        monkeypatch.setattr(quality, "_gx_results", lambda *a: given.append(a[3]) or results(*a))
        mixed = quality.validate(con, "members", "run-mixed")
    finally:
        con.close()
    # once per file of the run, each time with the broken expectations only
    assert [sorted(e["kwargs"]["column"] for e in expectations) for expectations in given] == [
        ["member_id", "status_group"]
    ] * 2
    assert len(by_gx.outcomes) == len(quality.load_suite("members")["expectations"]) > 2
    assert mixed.rows == by_gx.rows == 3
    assert mixed.judged_in == {"run"}
    key = lambda o: o.check_name  # noqa: E731
    assert sorted(mixed.outcomes, key=key) == sorted(by_gx.outcomes, key=key)
    suite = [
        quality._check_name("members", e["type"], e["kwargs"])
        for e in quality.load_suite("members")["expectations"]
    ]
    assert [o.check_name for o in mixed.outcomes] == suite  # in the suite's order
    assert {o.check_name for o in mixed.outcomes if not o.passed} == {
        "gx.members.column_values_to_be_in_set.status_group",
        "gx.members.column_values_to_match_regex.member_id",
    }


def test_outcomes_are_recorded_each_as_it_was_and_nothing_for_none(data_dir):
    outcomes = [
        quality.CheckOutcome("gx.members.a", "error", True, 0.0, "the first"),
        quality.CheckOutcome("gx.members.b", "warning", False, 3.0, "the second"),
        quality.CheckOutcome("gx.members.c", "warning", False, None, ""),
    ]
    con = connect(data_dir)
    try:
        before = con.execute("select count(*) from meta.data_quality").fetchone()[0]
        quality.record(con, "run-r", "members", [])
        assert con.execute("select count(*) from meta.data_quality").fetchone()[0] == before
        quality.record(con, "run-r", "members", outcomes)
        rows = con.execute(
            "select run_id, check_name, source, severity, passed, observed_value, details, checked_at is not null "
            "from meta.data_quality where run_id = 'run-r' order by check_name"
        ).fetchall()
    finally:
        con.close()
    assert rows == [
        ("run-r", "gx.members.a", "members", "error", True, 0.0, "the first", True),
        ("run-r", "gx.members.b", "members", "warning", False, 3.0, "the second", True),
        ("run-r", "gx.members.c", "members", "warning", False, None, "", True),
    ]
