"""dbt's unit tests (the SQL of every metric rule against hand-made rows) run here, in CI: the pipeline's own
`dbt build` leaves them out, as dbt recommends for production builds, since they test code, not data."""

from __future__ import annotations

import json

import pytest

from pipelines.dbt_prepare import run_dbt
from tests.conftest import copy_data_dir

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(published_demo, tmp_path):
    # dbt opens the warehouse for writing: a copy, so that other tests may read the published one meanwhile
    data_dir = copy_data_dir(published_demo[0], tmp_path / "data")
    target = tmp_path / "target"
    result = run_dbt(["test", "--select", "test_type:unit", "--target-path", str(target)], data_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    outcomes = json.loads((target / "run_results.json").read_text())["results"]
    unit = [r for r in outcomes if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 13
    assert all(r["status"] == "pass" for r in unit), [r["unique_id"] for r in unit if r["status"] != "pass"]
