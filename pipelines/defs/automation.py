"""The one job, the landing-folder sensor and the daily schedule."""

from __future__ import annotations

import dagster as dg

from pipelines import freshness
from pipelines.settings import DataDir

alumni_pipeline = dg.define_asset_job(
    name="alumni_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every new landing file, apply erasure requests, build dbt, publish analytics.duckdb.",
    executor_def=dg.in_process_executor,  # one process: no overlapping writers of the DuckDB file
)


@dg.sensor(
    job=alumni_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pipeline when files in landing/ appear or change (one run per new set).",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    data_dir = DataDir.resolve()
    digest, count = freshness.landing_fingerprint(data_dir)
    if count == 0:
        return dg.SkipReason(f"no landing files in {data_dir.landing}")
    if context.cursor == digest:
        return dg.SkipReason("no new landing files")
    context.update_cursor(digest)
    decision = freshness.decide(data_dir, landing=(digest, count))
    if not decision.build:  # e.g. the CLI has built these files already
        return dg.SkipReason(decision.reason)
    return dg.RunRequest(run_key=digest, tags={"trigger": "landing_sensor", "landing_files": str(count)})


@dg.schedule(
    name="daily_pipeline",
    job=alumni_pipeline,
    cron_schedule="30 5 * * *",
    execution_timezone="Europe/Berlin",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning, so that 'today' moves on (a new month, an event's day) even without new files; "
    "skipped when nothing changed since the last build (pipelines/freshness.py).",
)
def daily_schedule(context: dg.ScheduleEvaluationContext):
    decision = freshness.decide(DataDir.resolve())
    if not decision.build:
        return dg.SkipReason(decision.reason)
    return dg.RunRequest(tags={"trigger": "daily_schedule", "reason": decision.reason})


defs = dg.Definitions(jobs=[alumni_pipeline], sensors=[landing_sensor], schedules=[daily_schedule])
