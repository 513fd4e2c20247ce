"""dbt build as Dagster assets: one `dbt build` per run (STACK.md pitfall 3); dbt tests become asset checks."""

import json
import os
import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.ingest import guards, gx_process, quality, upgrade
from pipelines.resources import DBT_IN_DIR, AlumniDbtCliResource, WarehouseResource
from pipelines.settings import DBT_PROJECT_DIR, duckdb_memory_limit

# The manifest is prepared explicitly (pipelines/dbt_prepare.py) by every entry point before this import:
# DbtProject.prepare_if_dev() would look for `dbt` on PATH, which an unactivated venv does not have.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class AlumniTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "transform"


class DbtBuildConfig(dg.Config):
    # Rebuild incremental models from scratch (after a change of their definition, or to be sure).
    full_refresh: bool = False


def _keep_partial_parse(run_target: Path) -> None:
    """dbt parses only what changed since its saved parse, as long as the profile is the one the parse was made
    with; the profile names no data directory (dbt runs in it, pipelines/dbt_in_dir.py), so this run's parse, kept,
    serves the next run on any data directory (a few seconds on every run)."""
    parsed = run_target / "partial_parse.msgpack"
    if not parsed.exists():
        return
    kept = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{os.getpid()}")
    shutil.copyfile(parsed, partial)
    os.replace(partial, kept)


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=AlumniTranslator())
def alumni_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    # Unit tests check the SQL, not the data: they run in CI (tests/pipeline/test_dbt_unit_tests.py), not on
    # every load, as dbt's documentation recommends for production builds.
    args = ["build", "--exclude-resource-type", "unit_test"]
    # every check of the ingest has run: the Great Expectations worker's memory goes back before dbt's
    gx_process.stop()
    # rows of an earlier version upgraded with new keyed hashes (pipelines/ingest/upgrade.py): incremental models
    # hold rows built from the old ones, so this build starts them afresh
    with warehouse.connect() as con:
        refresh_for_upgrade = upgrade.full_refresh_due(con)
    # dbt is a process of its own, and the rewrite below a writer of its own: the run's connection is closed
    warehouse.release()
    # A first build rewrites the warehouse after the ingest's erasures before dbt, while it holds the ingest's
    # tables alone: the rewrite after publishing would copy every model too, about twice as long (docs/
    # benchmarks.md, fourth pass). Each ingest step rewrites after its own sweep already
    # (pipelines/defs/ingest.py): here only what none of them did (dbt's step run alone, from Dagster's UI)
    seconds = guards.compact_after_erasure(warehouse.data, before_models=True)
    if seconds is not None:
        context.log.info(f"warehouse.duckdb rewritten after an erasure, before dbt ({seconds:.1f} s)")
    if config.full_refresh or refresh_for_upgrade:
        args.append("--full-refresh")
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from invocation.stream()
    _keep_partial_parse(invocation.target_path)
    # no results: dbt never got to build (e.g. its process could not start in the data directory)
    try:
        results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        _prune_targets(invocation.target_path)
        raise dg.Failure(
            description=f"dbt did not run (exit code {invocation.process.returncode}): the analytics file is not "
            "published; its output is in the step's log"
        ) from None
    outcomes = []
    for item in results.get("results", []):
        unique_id = item.get("unique_id", "")
        if not unique_id.startswith(("test.", "unit_test.")):
            continue
        status = item.get("status")
        outcomes.append(
            quality.CheckOutcome(
                check_name=f"dbt.{unique_id.split('.', 2)[-1]}",
                # a test skipped because an upstream model failed is not a finding of its own
                severity="warning" if status in ("warn", "skipped") else "error",
                passed=status in ("pass", "success"),
                observed_value=float(item["failures"]) if item.get("failures") is not None else None,
                details=(item.get("message") or status or "")[:500],
            )
        )
    with warehouse.connect() as con:
        quality.record(con, context.run.run_id, "dbt", outcomes)
        # done once every model was rebuilt: not by a run of selected models only (Dagster's UI selects them)
        if refresh_for_upgrade and invocation.is_successful() and not context.is_subset:
            upgrade.full_refresh_done(con)
    hint = "" if invocation.is_successful() else _incremental_hint(results, invocation.manifest)
    _prune_targets(invocation.target_path)
    if not invocation.is_successful():
        failed = [o.check_name for o in outcomes if not o.passed]
        raise dg.Failure(
            description="dbt build failed: the analytics file is not published" + hint,
            metadata={"failed_tests": json.dumps(failed[:30])},
        )


STALE_TARGET_SECONDS = 3600


def _prune_targets(current: Path) -> None:
    """dagster-dbt writes a target folder per invocation (manifest, compiled SQL, run results: megabytes):
    this run's goes once its results are read (the partial parse is kept above), and any other one left by a
    run that died, once it is an hour old (a run on another data directory may still be using a newer one)."""
    import time

    shutil.rmtree(current, ignore_errors=True)
    root = current.parent
    now = time.time()
    for path in root.glob("alumni_dbt_models-*"):
        try:
            if path.is_dir() and now - path.stat().st_mtime > STALE_TARGET_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:
            pass


def _incremental_hint(results: dict, manifest: dict) -> str:
    """What to do about a failed build, where it is clear: DuckDB out of memory (a large installation needs a
    higher limit), the disk full (DuckDB's spill), or an incremental model that failed otherwise (usually built by
    an earlier version of its definition). dbt's own message is not repeated: it can quote values from the data."""
    nodes = manifest.get("nodes", {})
    errors = [item for item in results.get("results", []) if item.get("status") == "error"]
    out_of_memory = _failed_with(errors, "Out of Memory")
    if out_of_memory:
        limit = duckdb_memory_limit()
        return (
            f" (DuckDB ran out of memory in {', '.join(out_of_memory)} with a limit of {limit}: set"
            " ALUMNI_DUCKDB_MEMORY_LIMIT higher, e.g. 6GB, and run again)"
        )
    # what does not fit in memory goes to warehouse.duckdb.tmp/ beside the warehouse (about 20 GB at scale 50):
    # a full refresh would need more of it, not less
    disk_full = _failed_with(errors, "No space left on device")
    if disk_full:
        return (
            f" (the disk ran full in {', '.join(disk_full)}: DuckDB writes what does not fit in memory beside"
            " warehouse.duckdb, in warehouse.duckdb.tmp/; free disk space there, or set ALUMNI_DUCKDB_MEMORY_LIMIT"
            f" higher than {duckdb_memory_limit()}, and run again)"
        )
    failed = [
        _node_name(item["unique_id"])
        for item in errors
        if nodes.get(item["unique_id"], {}).get("config", {}).get("materialized") == "incremental"
    ]
    if not failed:
        return ""
    return (
        f" (incremental model {', '.join(failed)} failed: if its definition changed since the warehouse was"
        " built, run `alumni pipeline --full-refresh` once)"
    )


def _failed_with(errors: list[dict], text: str) -> list[str]:
    """The names of the nodes whose error message contains `text` (the names only: the message can quote data)."""
    return [_node_name(item["unique_id"]) for item in errors if text in (item.get("message") or "")]


def _node_name(unique_id: str) -> str:
    """A node's name from its unique id: `model.alumni.<name>`, and for a data test `test.alumni.<name>.<hash>`
    (the name says which model and columns it checks; the hash alone would say nothing to an operator)."""
    parts = unique_id.split(".")
    return parts[2] if len(parts) > 2 else unique_id


defs = dg.Definitions(
    assets=[alumni_dbt_models],
    resources={
        "dbt": AlumniDbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            **DBT_IN_DIR,
        )
    },
)
