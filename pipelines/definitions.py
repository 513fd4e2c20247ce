"""The Dagster code location: each domain module contributes its definitions; this root only merges."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.defs.automation import alumni_pipeline, daily_schedule, landing_sensor
from pipelines.defs.ingest import expectation_checks, ingest_assets
from pipelines.defs.publish import analytics_file
from pipelines.defs.transform import alumni_dbt_models, dbt_project
from pipelines.resources import AlumniDbtCliResource, WarehouseResource, dbt_executable
from pipelines.settings import DataDir

_data_dir = DataDir.resolve()
os.environ.setdefault("ALUMNI_WAREHOUSE_PATH", str(_data_dir.warehouse))

defs = dg.Definitions(
    assets=[*ingest_assets, alumni_dbt_models, analytics_file],
    asset_checks=expectation_checks,
    jobs=[alumni_pipeline],
    sensors=[landing_sensor],
    schedules=[daily_schedule],
    resources={
        "warehouse": WarehouseResource(data_dir=str(_data_dir.root)),
        "dbt": AlumniDbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    },
)
