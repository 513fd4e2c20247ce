"""Great Expectations suites (expectations/<source>.json) run on the rows a run loaded into raw.<source>.

The pandas route (STACK.md pitfall 6): a whole-dataframe batch from DuckDB's `.df()`, judged by the run's
Great Expectations worker where one runs (gx_process.py: it imports GX, about 3 s, while the run loads files),
else in this process, where GX is imported when first used. Not imported in a thread beside the run's (tried in
6910a16, reverted): GX imports sqlalchemy.orm, which registers itself with sqlalchemy's inspection while still
half imported, and Dagster's storage, using sqlalchemy in the run's thread meanwhile, met it half imported and
failed the run (`partially initialized module 'sqlalchemy.orm.exc'`, once in a CI run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from pipelines.ingest import gx_process
from pipelines.ingest.catalogue import raw_table
from pipelines.ingest.sources import quotable
from pipelines.settings import EXPECTATIONS_DIR


@dataclass
class CheckOutcome:
    check_name: str
    severity: str  # error | warning
    passed: bool
    observed_value: float | None
    details: str


@dataclass
class SuiteOutcome:
    source: str
    rows: int
    outcomes: list[CheckOutcome] = field(default_factory=list)
    # where Great Expectations judged the expectations DuckDB found broken: "worker" (gx_process.py), "run" (the
    # run's own process), both if the worker failed on the way; empty where DuckDB found nothing broken
    judged_in: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "error"]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "warning"]


# A file's name may itself be personal (filenames.py): never an example value either.
FILE_NAME_COLUMNS = {"_source_file"}


def may_show_values(source: str, columns: list[str]) -> bool:
    """Whether a check's details may show example values of `columns`: only where none of them is declared
    personal or hashed in sources.py / tools.py (nor is a column's keyed hash, nor a file name)."""
    found = raw_table(source)
    withheld = (found.withheld_columns if found else set()) | FILE_NAME_COLUMNS
    return bool(columns) and not withheld.intersection(columns)


def load_suite(source: str) -> dict:
    return json.loads((EXPECTATIONS_DIR / f"{source}.json").read_text(encoding="utf-8"))


def _target(kwargs: dict) -> str:
    """The column an expectation reads, or its columns joined by `+` (compound keys)."""
    return kwargs.get("column") or "+".join(kwargs.get("column_list", []))


def _check_name(source: str, kind: str, kwargs: dict) -> str:
    return f"gx.{source}.{kind.removeprefix('expect_')}.{_target(kwargs)}"


def _describe(kind: str, kwargs: dict) -> str:
    column = _target(kwargs)
    short = kind.removeprefix("expect_").replace("column_values_to_", "").replace("compound_columns_to_", "")
    return f"{column}: {short}"


def validate(con: duckdb.DuckDBPyConnection, source: str, run_id: str) -> SuiteOutcome:
    """Validate the rows of `raw.<source>` that this run loaded.

    The expectations no row breaks are decided in DuckDB over all of the run's rows at once (`_unbroken`);
    Great Expectations judges and describes the others, one landing file at a time: per file keeps pandas'
    memory bounded (an activity export has a million rows; all of a run at once took gigabytes) and keeps the
    uniqueness expectations exact: they are per file. Counts add up over the files; an expectation with
    `mostly` is judged on the totals. Nothing loaded: nothing to check.
    """
    expectations = load_suite(source)["expectations"]
    files = [
        name
        for (name,) in con.execute(
            f"select distinct _source_file from raw.{source} where _run_id = ? order by 1", [run_id]
        ).fetchall()
    ]
    outcome = SuiteOutcome(source, 0)
    if not files:
        return outcome
    outcome.rows = con.execute(f"select count(*) from raw.{source} where _run_id = ?", [run_id]).fetchone()[0]
    unbroken = _unbroken(con, source, run_id, expectations)
    outcome.outcomes = [unbroken[i] for i in sorted(unbroken)]
    broken = [e for i, e in enumerate(expectations) if i not in unbroken]
    if broken:
        outcome.outcomes += _validate_with_gx(con, source, run_id, files, broken, outcome.judged_in)
        # in the suite's order, whoever judged them
        names = [_check_name(source, e["type"], e["kwargs"]) for e in expectations]
        outcome.outcomes.sort(
            key=lambda o: names.index(o.check_name) if o.check_name in names else len(names)
        )
    return outcome


def _validate_with_gx(
    con: duckdb.DuckDBPyConnection,
    source: str,
    run_id: str,
    files: list[str],
    expectations: list[dict],
    judged_in: set[str],
) -> list[CheckOutcome]:
    """Great Expectations on the columns `expectations` read, file by file, the counts added up (and where GX
    judged them, into `judged_in`)."""
    columns = gx_process.columns_read(expectations)
    totals: dict[int, dict] = {}
    for name in files:
        frame = con.execute(
            # in the file's order of lines: the examples quoted are its first, however the table's rows lie (a
            # rewrite after an erasure copies them in any order: guards.compact_after_erasure)
            f"select {', '.join(columns)} from raw.{source} where _run_id = ? and _source_file = ? order by _line",
            [run_id, name],
        ).df()
        for index, details in enumerate(_gx_results(source, source, "warehouse", expectations, frame)):
            judged_in.add(details["judged_in"])
            total = totals.setdefault(
                index,
                {"config": details, "success": True, "unexpected": 0, "elements": 0,
                 "missing": 0, "observed": None, "examples": []},
            )  # fmt: skip
            total["success"] &= details["success"]
            total["unexpected"] += details.get("unexpected_count") or 0
            total["elements"] += details.get("element_count") or len(frame)
            total["missing"] += details.get("missing_count") or 0
            if details.get("observed_value") is not None:
                total["observed"] = details.get("observed_value")
            total["examples"].extend((details.get("partial_unexpected_list") or [])[:3])
    outcomes = []
    for total in totals.values():
        config = total["config"]
        kwargs = config["kwargs"]
        read = [kwargs["column"]] if kwargs.get("column") else kwargs.get("column_list", [])
        mostly = kwargs.get("mostly")
        passed = total["success"]
        if mostly is not None:
            considered = max(total["elements"] - total["missing"], 1)
            passed = total["unexpected"] / considered <= 1 - float(mostly) + 1e-12
        text = _describe(config["type"], kwargs)
        if total["unexpected"]:
            text += f" - {total['unexpected']} of {total['elements']} rows unexpected"
            if may_show_values(source, list(read)):
                shown = [str(v) for v in total["examples"] if quotable(v)][:3]  # never free text typed there
                if shown:
                    text += f" (e.g. {', '.join(shown)})"
        observed = (
            total["unexpected"] if total["unexpected"] or total["observed"] is None else total["observed"]
        )
        outcomes.append(
            CheckOutcome(
                check_name=_check_name(source, config["type"], kwargs),
                severity=config["meta"].get("severity", "error"),
                passed=bool(passed),
                observed_value=float(observed) if isinstance(observed, int | float) else None,
                details=text,
            )
        )
    return outcomes


def _unbroken(
    con: duckdb.DuckDBPyConnection, source: str, run_id: str, expectations: list[dict]
) -> dict[int, CheckOutcome]:
    """The expectations (by index in the suite) that no row of the run breaks, decided in DuckDB over all of the
    run's rows at once (uniqueness is per file: the suites key it by `_source_file`). Each has passed with nothing
    unexpected, as Great Expectations would say file by file. A broken expectation, or any of a suite with a kind
    of expectation not written in SQL, is left to Great Expectations, with the description of what is wrong.
    At scale 10 this saves about 30 s of a full build where nothing is broken, and most of the rest where
    something is (Great Expectations then reads only the columns of the broken expectations)."""
    counts = sql_violations(con, f"raw.{source} where _run_id = ?", [run_id], expectations)
    if counts is None:
        return {}
    return {
        i: CheckOutcome(
            check_name=_check_name(source, e["type"], e["kwargs"]),
            severity=(e.get("meta") or {}).get("severity", "error"),
            passed=True,
            observed_value=0.0,
            details=_describe(e["type"], e["kwargs"]),
        )
        for i, (e, count) in enumerate(zip(expectations, counts, strict=True))
        if not count
    }


def record(con: duckdb.DuckDBPyConnection, run_id: str, source: str, outcomes: list[CheckOutcome]) -> None:
    """The outcomes in one statement: a statement of its own per outcome was a commit each (the dbt build's
    135 tests: 0.16 s instead of 0.01 s at scale 1)."""
    if not outcomes:
        return
    con.execute(
        "insert into meta.data_quality (run_id, check_name, source, severity, passed, observed_value, details, "
        "checked_at) values " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, now())"] * len(outcomes)),
        [
            value
            for o in outcomes
            for value in (run_id, o.check_name, source, o.severity, o.passed, o.observed_value, o.details)
        ],
    )


def _error_expectations(source: str) -> list[dict]:
    return [
        e
        for e in load_suite(source)["expectations"]
        if (e.get("meta") or {}).get("severity", "error") == "error"
    ]


def sql_violations(
    con: duckdb.DuckDBPyConnection, where: str, params: list, expectations: list[dict]
) -> list | None:
    """Per expectation, the rows of `select ... from {where}` that break it, counted by DuckDB with the meaning
    Great Expectations gives it (nulls are not checked except by not_null; a compound key repeats only where
    not all its columns are empty; regexes match anywhere in the text). None for a kind not written here.

    Why: Great Expectations costs about 0.15 s per call whatever the rows, and every landing file is checked on
    its own inside its transaction (hundreds of files a run). DuckDB answers the usual "nothing broken" in
    milliseconds; a file with anything broken is still judged, and described, by Great Expectations."""
    parts = []
    for e in expectations:
        kwargs = e["kwargs"]
        column = kwargs.get("column")
        if e["type"] == "expect_column_values_to_not_be_null":
            parts.append(f"(select count(*) from {where} and {column} is null)")
        elif e["type"] == "expect_column_values_to_match_regex":
            # matched once per distinct value, its rows counted: a keyed hash recurs in many rows (an address in
            # an activity export, a member in every members export), and matching `^[0-9a-f]{64}$` costs by the
            # byte. At scale 10 the full build's checks of email_hash and member_id_hash took about 4.6 s row by
            # row, about 2.5 s so (docs/benchmarks.md, thirty-fifth pass).
            regex = kwargs["regex"].replace("'", "''")
            parts.append(
                f"(select coalesce(sum(n), 0) from (select {column} as v, count(*) as n from {where} "
                f"and {column} is not null group by {column}) where not regexp_matches(cast(v as varchar), '{regex}'))"
            )
        elif e["type"] == "expect_column_values_to_be_in_set" and all(
            isinstance(v, bool) for v in kwargs["value_set"]
        ):  # a flag: compared as a boolean (cast to text, DuckDB's `true` is not Python's `True`)
            values = ", ".join("true" if v else "false" for v in kwargs["value_set"])
            parts.append(
                f"(select count(*) from {where} and {column} is not null and {column} not in ({values}))"
            )
        elif e["type"] == "expect_column_values_to_be_in_set":
            values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in kwargs["value_set"])
            parts.append(
                f"(select count(*) from {where} and {column} is not null "
                f"and cast({column} as varchar) not in ({values}))"
            )
        elif (
            e["type"] == "expect_column_values_to_be_between"
            and not kwargs.get("strict_min")
            and not kwargs.get("strict_max")
        ):
            bounds = []
            if kwargs.get("min_value") is not None:
                bounds.append(f"{column} < {float(kwargs['min_value'])!r}")
            if kwargs.get("max_value") is not None:
                bounds.append(f"{column} > {float(kwargs['max_value'])!r}")
            parts.append(
                f"(select count(*) from {where} and {column} is not null and ({' or '.join(bounds) or 'false'}))"
            )
        elif e["type"] == "expect_compound_columns_to_be_unique":
            key = ", ".join(kwargs["column_list"])
            some = " or ".join(f"{c} is not null" for c in kwargs["column_list"])
            parts.append(
                f"(select coalesce(sum(n), 0) from (select count(*) as n from {where} and ({some}) "
                f"group by {key} having count(*) > 1))"
            )
        else:
            return None
    if not parts:
        return []
    # every subquery takes the same parameters
    return list(con.execute(f"select {', '.join(parts)}", params * len(parts)).fetchone())


def _gx_results(source: str, name: str, data_source: str, expectations: list[dict], frame) -> list[dict]:
    """GX's results for the rows of `frame` (gx_process.evaluate), by the run's Great Expectations worker where
    one runs."""
    return gx_process.results(source, name, data_source, expectations, frame)


def failed_blocking_expectations(con: duckdb.DuckDBPyConnection, source: str, file_sha256: str) -> list[str]:
    """The error-severity expectations that the rows of one file, loaded but not yet committed, fail.

    Called inside the file's load transaction: a file that fails one is rolled back and rejected as a whole,
    so no row that has not passed them is ever committed. Each failure names the expectation and the column
    and counts the rows; it never shows a value.
    """
    expectations = _error_expectations(source)
    if not expectations:
        return []
    where = f"raw.{source} where _file_sha256 = ?"
    if sql_violations(con, where, [file_sha256], expectations) == [0] * len(expectations):
        return []  # the common case, decided in DuckDB; any doubt goes to Great Expectations below
    columns = gx_process.columns_read(expectations)
    frame = con.execute(
        f"select {', '.join(columns)} from raw.{source} where _file_sha256 = ?", [file_sha256]
    ).df()
    if frame.empty:
        return []
    failed = []
    for details in _gx_results(source, f"{source}_errors", "loading", expectations, frame):
        if details["success"]:
            continue
        column = _target(details["kwargs"])
        text = f"expectation {details['type']} on column {column} failed"
        if details.get("unexpected_count"):
            text += f" ({details['unexpected_count']} of {details.get('element_count') or len(frame)} rows)"
        failed.append(text)
    return failed
