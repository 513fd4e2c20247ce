"""`alumni pipeline`: run the Dagster job in the foreground and report like an operator needs it.

Exit codes (CONTRACTS.md §1): 0 all files loaded and published; 2 published, but a file was rejected;
1 the run failed and the previous analytics.duckdb is untouched.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from datetime import UTC, datetime

from pipelines.settings import DataDir

EXIT_OK, EXIT_FAILED, EXIT_REJECTED = 0, 1, 2


def _failure_messages(result) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            text = error.message.strip() if error else "unknown error"
            cause = error.cause.message.strip() if error and error.cause else ""
            messages.append(f"{event.step_key}: {text}" + (f" ({cause})" if cause else ""))
    return messages


def _fail_abandoned_cli_runs(instance) -> None:
    """A CLI run still marked as started belongs to a process that was killed: mark it failed, so the
    daemon's run queue (one run at a time) does not wait for it forever."""
    import dagster as dg

    for run in instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING], tags={"trigger": "cli"}
        )
    ):
        instance.report_run_failed(run, "the process running it ended without finishing the run")


def _lock_refused(result) -> str | None:
    """Another process took the writer lock between our check and the run's start (WriterLockHeld)."""
    from pipelines.lock import WriterLockHeld

    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            if error.cls_name == WriterLockHeld.__name__:
                return "another pipeline run is writing the warehouse; runs are serialised - try again later"
            error = error.cause
    return None


def run_pipeline(data_dir: DataDir, quiet: bool = False, full_refresh: bool = False) -> int:
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    out = (lambda *a: None) if quiet else print
    if not data_dir.landing.is_dir() or not any(p.is_file() for p in data_dir.landing.rglob("*")):
        print(
            f"No landing files in {data_dir.landing}. Put the exports there (see CONTRACTS.md §3), "
            f"or create demo data: alumni generate --data-dir {data_dir.root}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    from pipelines.lock import WriterLockHeld, writer_lock

    # Nothing in the data directory is touched before the lock is ours: a second run started a few seconds
    # after another ends here with a message, not in a race over Dagster's storage. The in-process run below
    # takes the same lock (this process holds it already); the OS releases it if the process dies.
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(writer_lock(data_dir))
        except WriterLockHeld as exc:
            print(f"alumni pipeline: {exc}", file=sys.stderr)
            return EXIT_FAILED
        reason = "--full-refresh: everything rebuilt"
        # before Dagster and dbt are even imported: a daily run with nothing new is cheap
        if not full_refresh:
            from pipelines import freshness

            decision = freshness.decide(data_dir)
            if not decision.build:
                _nothing_to_do(data_dir, decision, out, started)
                return EXIT_OK
            reason = decision.reason
        umask = os.umask(0o077)  # what this run creates in the data directory is its owner's only
        # Great Expectations imported in a process of its own from now, while Dagster is imported and the files
        # load (gx_process.py): its checks then need not wait for it
        from pipelines.ingest import gx_process

        gx_process.start()
        try:
            return _run_locked(data_dir, out, full_refresh, started, started_at, reason)
        finally:
            os.umask(umask)


def _nothing_to_do(data_dir: DataDir, decision, out, started: float) -> None:
    out("")
    out(f"alumni pipeline - nothing to do on {data_dir.root}")
    out(f"  {decision.reason}")
    out(f"  files: {decision.files} in landing/, all handled by earlier runs")
    out(f"  {data_dir.analytics} left as built by run {(decision.run_id or '')[:8]}")
    out("  (alumni pipeline --full-refresh rebuilds everything regardless)")
    out(f"  time:  {time.perf_counter() - started:.1f} s")


def hide_dbt_core() -> None:
    """Hide dbt-core from dagster-dbt in this process, before dagster-dbt's first import. dagster-dbt imports dbt-core's
    modules where it finds them (1.2 s of every run that builds), for dbt's types and its node selection; the run's
    process runs no dbt (dbt builds in a process of its own, pipelines/dbt_in_dir.py, and no adapter is made here,
    pipelines/resources.py) and selects every node, and dagster-dbt works without dbt-core (as with dbt Fusion, whose
    projects it reads the same way). It looks for dbt-core by importing `dbt.version`: hidden, unless already
    imported. The asset graph is the same (tests/pipeline/test_definitions.py)."""
    sys.modules.setdefault("dbt.version", None)


def _run_locked(
    data_dir: DataDir, out, full_refresh: bool, started: float, started_at: datetime, reason: str
) -> int:
    data_dir.export_env()
    hide_dbt_core()
    from pipelines.dbt_prepare import ensure_manifest

    ensure_manifest()

    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.ingest import gx_process

    # Dagster's and dagster-dbt's modules and the definitions live as long as the process: frozen, the garbage
    # collector no longer walks them in the run's full collections and at the process's end (as dbt's own
    # process does, pipelines/dbt_in_dir.py)
    gc.freeze()
    job = defs.resolve_job_def("alumni_pipeline")
    with dg.DagsterInstance.get() as instance:
        _fail_abandoned_cli_runs(instance)
        try:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={
                    "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                    "ops": {"alumni_dbt_models": {"config": {"full_refresh": full_refresh}}},
                },
                tags={"trigger": "cli"},
            )
        finally:
            gx_process.stop()  # where the run ended before dbt's step, which ends it otherwise
    run_id = result.run_id
    refused = None if result.success else _lock_refused(result)
    if refused:
        print(f"alumni pipeline: {refused}", file=sys.stderr)
        return EXIT_FAILED
    summary = _summary(data_dir, run_id, result.success, started_at)

    elapsed = time.perf_counter() - started
    out("")
    out(f"alumni pipeline - run {run_id[:8]} on {data_dir.root}")
    out(f"  why:   {reason}")
    out(
        f"  files: {summary['loaded']} loaded, {summary['duplicate']} duplicate, "
        f"{summary['rejected']} rejected, {summary['unchanged']} loaded in earlier runs"
    )
    out(
        f"  rows:  {summary['rows_loaded']:,} loaded, {summary['rows_quarantined']:,} quarantined, "
        f"{summary['rows_erased']:,} erased"
    )
    out(
        f"  checks: {summary['checks_passed']} passed, {summary['checks_warned']} warnings, "
        f"{summary['checks_failed']} errors"
    )
    for line in summary["rejected_files"]:
        out(f"  REJECTED {line}")
    for line in summary["quarantined"]:
        out(f"  QUARANTINED {line}")
    if summary["rows_quarantined"] > len(summary["quarantined"]):
        out(
            f"  ... {summary['rows_quarantined'] - len(summary['quarantined'])} more quarantined rows: "
            "see meta_quarantine in analytics.duckdb or the Datenqualität page"
        )
    for line in summary["failed_checks"][:10]:
        out(f"  CHECK FAILED {line}")
    out(f"  time:  {elapsed:.1f} s")
    if not result.success:
        for message in _failure_messages(result):
            print(f"  FAILED {message}", file=sys.stderr)
        print(
            f"alumni pipeline: the run failed; {data_dir.analytics} was left as it was.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    out(f"  published {data_dir.analytics}")
    if summary["rejected"]:
        out("  exit 2: published, but at least one file was rejected (see above)")
        return EXIT_REJECTED
    return EXIT_OK


def _summary(data_dir: DataDir, run_id: str, success: bool, started_at: datetime) -> dict:
    from pipelines.defs.publish import record_run
    from pipelines.ingest import connect
    from pipelines.ingest.filenames import public_name, public_text
    from pipelines.ingest.privacy import load_key

    con = connect(data_dir)
    try:
        if not success:
            record_run(con, run_id, started_at, "failed")
        files = dict(
            con.execute(
                "select status, count(*) from meta.ingested_files where run_id = ? group by status", [run_id]
            ).fetchall()
        )
        rows = con.execute(
            "select coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), "
            # every row this run erased or detached, in its files and in what was loaded before
            "(select coalesce(sum(rows_affected), 0) from meta.erasure_log where run_id = $run) "
            "from meta.ingested_files where run_id = $run",
            {"run": run_id},
        ).fetchone()
        unchanged = con.execute(
            "select count(distinct file_name) from meta.ingested_files where run_id <> ?", [run_id]
        ).fetchone()[0]
        key = load_key(data_dir.secrets)
        rejected_files = [
            f"{public_name(name, key)}: {public_text(reason or '', name, key)}"
            for name, reason in con.execute(
                "select file_name, reason from meta.ingested_files where run_id = ? and status = 'rejected' "
                "order by file_name",
                [run_id],
            ).fetchall()
        ]
        quarantined = [
            f"{public_name(name, key)}:{line} {message}"
            for name, line, message in con.execute(
                "select file_name, line_number, message from meta.quarantine_log where run_id = ? "
                "order by file_name, line_number limit 20",
                [run_id],
            ).fetchall()
        ]
        checks = con.execute(
            "select severity, passed, check_name, details from meta.data_quality where run_id = ?", [run_id]
        ).fetchall()
    finally:
        con.close()
    return {
        "loaded": files.get("loaded", 0),
        "duplicate": files.get("duplicate", 0),
        "rejected": files.get("rejected", 0),
        "unchanged": unchanged,
        "rows_loaded": int(rows[0]),
        "rows_quarantined": int(rows[1]),
        "rows_erased": int(rows[2]),
        "rejected_files": rejected_files,
        "quarantined": quarantined,
        "checks_passed": sum(1 for _, passed, _, _ in checks if passed),
        "checks_warned": sum(1 for severity, passed, _, _ in checks if not passed and severity == "warning"),
        "checks_failed": sum(1 for severity, passed, _, _ in checks if not passed and severity == "error"),
        "failed_checks": [
            f"{name}: {details}"
            for severity, passed, name, details in checks
            if not passed and severity == "error"
        ],
    }
