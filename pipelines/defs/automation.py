"""The one job, the landing-folder sensor and the daily schedule."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipelines.ingest.landing import landing_files
from pipelines.ingest.sources import SOURCES
from pipelines.settings import DataDir

alumni_pipeline = dg.define_asset_job(
    name="alumni_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every new landing file, apply erasure requests, build dbt, publish analytics.duckdb.",
    executor_def=dg.in_process_executor,  # one process: no overlapping writers of the DuckDB file
)


def landing_fingerprint(data_dir: DataDir) -> tuple[str, int]:
    """A fingerprint of the landing folder's file names, sizes and mtimes (cheap: no file is read)."""
    entries = []
    for source in SOURCES:
        for path, name in landing_files(data_dir.landing, source):
            stat = path.stat()
            entries.append((name, stat.st_size, int(stat.st_mtime)))
    entries.sort()
    digest = hashlib.sha256(json.dumps(entries).encode()).hexdigest()
    return digest, len(entries)


@dg.sensor(
    job=alumni_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pipeline when files in landing/ appear or change (one run per new set).",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    data_dir = DataDir.resolve()
    digest, count = landing_fingerprint(data_dir)
    if count == 0:
        return dg.SkipReason(f"no landing files in {data_dir.landing}")
    if context.cursor == digest:
        return dg.SkipReason("no new landing files")
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, tags={"trigger": "landing_sensor", "landing_files": str(count)})


daily_schedule = dg.ScheduleDefinition(
    name="daily_pipeline",
    job=alumni_pipeline,
    cron_schedule="30 5 * * *",
    execution_timezone="Europe/Berlin",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning, so 'today' moves on (current-year figures, freshness) even without new files.",
)

defs = dg.Definitions(jobs=[alumni_pipeline], sensors=[landing_sensor], schedules=[daily_schedule])
