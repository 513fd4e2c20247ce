"""Ingest assets: one per landing source, writing raw.<source>; Great Expectations as asset checks.

No `from __future__ import annotations` in Dagster modules: Dagster reads the context type hints at runtime.
"""

import dagster as dg

from pipelines.ingest import guards, ingest_source, ingest_tool, quality, record_unrecognised
from pipelines.ingest.filenames import public_name, public_text
from pipelines.ingest.privacy import load_key
from pipelines.ingest.sources import SOURCES, Source
from pipelines.ingest.tools import TOOLS, UPSTREAM, kinds_of
from pipelines.ingest.tools import tables as tool_tables
from pipelines.resources import WarehouseResource

INGEST_GROUP = "ingest"


def raw_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", name])


@dg.asset(
    key=dg.AssetKey(["meta", "landing_inventory"]),
    group_name=INGEST_GROUP,
    kinds={"duckdb"},
    description="Files in landing/ that match no source: recorded as rejected, never loaded.",
)
def landing_inventory(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        rejected = record_unrecognised(con, warehouse.data, context.run.run_id)
    key = load_key(warehouse.data.secrets)
    for result in rejected:  # the name only where it follows a known pattern (it can itself be personal)
        context.log.warning(f"rejected {public_name(result.file_name, key)}: {result.reason}")
    return dg.MaterializeResult(metadata={"rejected_files": len(rejected)})


def _summarise(context: dg.AssetExecutionContext, results, key: bytes = b"") -> dg.MaterializeResult:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
        name = public_name(r.file_name, key)  # Dagster keeps its logs: a file name only where it is known
        if r.status == "rejected":
            context.log.error(f"{name}: rejected - {public_text(r.reason, r.file_name, key)}")
        elif r.status == "duplicate":
            context.log.warning(f"{name}: {public_text(r.reason, r.file_name, key)}")
        for problem in r.problems:
            context.log.warning(f"quarantined {public_text(problem, r.file_name, key)}")
        for column, n in r.kept_with_issue.items():
            context.log.info(f"{name}: {n} row(s) kept with an unusable '{column}' value (set empty)")
    loaded = [r for r in results if r.status == "loaded"]
    return dg.MaterializeResult(
        metadata={
            "files_loaded": counts.get("loaded", 0),
            "files_duplicate": counts.get("duplicate", 0),
            "files_rejected": counts.get("rejected", 0),
            "rows_loaded": sum(r.rows_loaded for r in loaded),
            "rows_quarantined": sum(r.rows_quarantined for r in loaded),
            "rows_erased": sum(r.rows_erased for r in loaded),
        }
    )


def _record_kept(con, run_id: str, source: Source, results) -> None:
    totals: dict[str, int] = {}
    for r in results:
        for column, n in r.kept_with_issue.items():
            totals[column] = totals.get(column, 0) + n
    outcomes = [
        quality.CheckOutcome(
            check_name=f"ingest.{source.name}.unusable_value.{column}",
            severity="warning",
            passed=n == 0,
            observed_value=float(n),
            details=f"{n} row(s) kept with an unusable '{column}' (treated as empty, per CONTRACTS.md)",
        )
        for column, n in sorted(totals.items())
    ]
    outcomes.append(
        quality.CheckOutcome(
            check_name=f"ingest.{source.name}.quarantined_rows",
            severity="warning",
            passed=sum(r.rows_quarantined for r in results) == 0,
            observed_value=float(sum(r.rows_quarantined for r in results)),
            details="rows set aside in quarantine with file, line, column and reason",
        )
    )
    quality.record(con, run_id, source.name, outcomes)


def _rewrite_after_erasure(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """In a first build, the rewrite after an erasure right after the step whose sweep removed written rows
    (guards.compact_after_erasure, before_models): it copies what is loaded so far, not every source loaded
    after it too, which dbt's step would. At scale 10 the members' step is the one (a member found erased only
    in a later export, by an address: the rows of earlier exports were written, then swept), fourth of the
    sources: its copy takes about a third of the one before dbt (docs/benchmarks.md, thirty-seventh pass).
    Asked on the run's connection (about 1 ms in an ingest step, 2 ms where an erasure is pending in a built
    warehouse); when due, the connection goes, as before dbt's step, and the next step opens another."""
    with warehouse.connect() as con:
        due = guards.rewrite_due(con, before_models=True)
    if not due:
        return
    warehouse.release()
    seconds = guards.compact_after_erasure(warehouse.data, before_models=True)
    if seconds is not None:
        context.log.info(f"warehouse.duckdb rewritten after an erasure, after this step ({seconds:.1f} s)")


def build_ingest_asset(source: Source) -> dg.AssetsDefinition:
    deps = [raw_key(name) for name in source.upstream]
    if source.name != "erasure_requests":
        deps.append(raw_key("erasure_requests"))  # tombstones first: erased people never load again

    @dg.asset(
        key=raw_key(source.name),
        group_name=INGEST_GROUP,
        deps=deps,
        kinds={"duckdb", "csv"},
        description=f"{source.description} From landing/{source.folder}/{source.prefix}_YYYY-MM-DD.csv.",
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            results = ingest_source(con, warehouse.data, source, context.run.run_id)
            _record_kept(con, context.run.run_id, source, results)
        _rewrite_after_erasure(context, warehouse)
        return _summarise(context, results, load_key(warehouse.data.secrets))

    return _ingest


JUDGED_IN = {"run": "in the run's process", "worker": "in its worker process"}


def build_expectation_check(source: Source) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(source.name),
        name="great_expectations",
        blocking=True,
        description=f"expectations/{source.name}.json on the rows this run loaded "
        "(error-severity expectations block the dbt build)",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            outcome = quality.validate(con, source.name, context.run.run_id)
            quality.record(con, context.run.run_id, source.name, outcome.outcomes)
        failed = outcome.errors or outcome.warnings
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if outcome.errors else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_checked": outcome.rows,
                "expectations": len(outcome.outcomes),
                "failed": [o.details for o in failed][:20],
                # where Great Expectations judged what DuckDB found broken (pipelines/ingest/gx_process.py)
                "great_expectations": " and ".join(JUDGED_IN[w] for w in sorted(outcome.judged_in))
                or "not needed",
            },
        )

    return _check


def build_tool_asset(tool: str) -> dg.AssetsDefinition:
    """One step per tool folder; it writes one raw table per kind of that tool's exports (TOOLS.md)."""
    kinds = kinds_of(tool)
    deps = [raw_key(name) for name in (*UPSTREAM[tool], "erasure_requests")]

    @dg.multi_asset(
        name=f"ingest_{tool}",
        group_name=INGEST_GROUP,
        specs=[
            dg.AssetSpec(
                raw_key(kind.table),
                deps=deps,
                kinds={"duckdb", tool},
                description=f"{kind.description} From landing/{tool}/ (any file name; kind from the header).",
                skippable=True,
            )
            for kind in kinds
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with warehouse.connect() as con:
            results = ingest_tool(con, warehouse.data, tool, context.run.run_id)
            for kind in kinds:
                _record_kept(
                    con, context.run.run_id, kind.source("en"), [r for r in results if r.source == kind.table]
                )
        _rewrite_after_erasure(context, warehouse)
        # rejected or duplicate: reported with the first kind
        of_no_kind = [r for r in results if r.source == tool]
        key = load_key(warehouse.data.secrets)
        for kind in kinds:
            mine = [r for r in results if r.source == kind.table]
            result = _summarise(context, mine + (of_no_kind if kind is kinds[0] else []), key)
            yield dg.MaterializeResult(asset_key=raw_key(kind.table), metadata=result.metadata)

    return _ingest


ingest_assets = (
    [landing_inventory] + [build_ingest_asset(s) for s in SOURCES] + [build_tool_asset(t) for t in TOOLS]
)
expectation_checks = [build_expectation_check(s) for s in [*SOURCES, *tool_tables()]]

defs = dg.Definitions(assets=ingest_assets, asset_checks=expectation_checks)
