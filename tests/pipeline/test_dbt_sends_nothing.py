"""dbt sends no usage events to dbt Labs: off in dbt_project.yml (`flags`), so for every invocation of dbt, the
pipeline's `dbt build` through dagster-dbt included, not only where an environment variable says so."""

from __future__ import annotations

import pytest

from pipelines.dbt_prepare import run_dbt

pytestmark = pytest.mark.slow  # dbt itself


def test_dbt_tracking_is_off_in_the_project_for_every_invocation(tmp_path, monkeypatch):
    for variable in ("DBT_SEND_ANONYMOUS_USAGE_STATS", "DO_NOT_TRACK"):  # the project alone decides
        monkeypatch.delenv(variable, raising=False)
    result = run_dbt(["parse", "--debug", "--log-format", "text", "--target-path", str(tmp_path / "target")])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    log = result.stdout + result.stderr
    assert "Running with dbt=" in log  # dbt's debug log, where each usage event is logged as it is sent
    assert "Sending event" not in log
