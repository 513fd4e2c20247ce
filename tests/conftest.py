"""Shared fixtures: demo data generated once per session, in temporary directories (never ./data)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines.demo.generator import GenerateConfig, generate

DEMO_UNTIL = date(2026, 11, 29)


@pytest.fixture(scope="session")
def demo_scale1(tmp_path_factory) -> tuple[Path, dict]:
    """The embedded default at scale 1, as `alumni generate` writes it."""
    root = tmp_path_factory.mktemp("demo1")
    truth = generate(GenerateConfig(root, scale=1.0, seed=42, until=DEMO_UNTIL))
    return root, json.loads(truth.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory) -> tuple[Path, dict]:
    """A small network with every feature (clubs, Apple opens, erasures): fast enough for many tests."""
    root = tmp_path_factory.mktemp("demo_small")
    truth = generate(GenerateConfig(root, scale=0.05, seed=7, until=date(2023, 3, 31)))
    return root, json.loads(truth.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch):
    """A fixed key for tests (the real one is generated per installation)."""
    from tests.helpers import TEST_KEY

    monkeypatch.setenv("ALUMNI_PSEUDONYM_KEY", TEST_KEY)


@pytest.fixture
def data_dir(tmp_path):
    from pipelines.settings import DataDir

    return DataDir(tmp_path / "data")


def run_cli(*args: str, env: dict | None = None, timeout: int = 600):
    """Run the installed `alumni` command as a user would (a separate process, real Dagster and dbt)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "alumni"
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout)


@pytest.fixture(scope="session")
def published_demo(demo_small, tmp_path_factory):
    """demo_small after one real `alumni pipeline` run: the published analytics.duckdb and its data dir."""
    import shutil

    from pipelines.settings import DataDir

    root, truth = demo_small
    data_dir = DataDir(tmp_path_factory.mktemp("published") / "data")
    shutil.copytree(root / "landing", data_dir.landing)
    result = run_cli(
        "pipeline", "--data-dir", str(data_dir.root), env={"ALUMNI_PSEUDONYM_KEY": "demo-test-key"}
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data_dir, truth, result


def copy_data_dir(source, target: Path, keep_build_record: bool = False):
    """A copy of a data directory to run the pipeline on again (times of files kept, Dagster's storage not).
    Without the record of its last build (D/state/), the next run builds even if nothing new has landed."""
    import shutil

    from pipelines.settings import DataDir

    ignored = ("dagster_home",) if keep_build_record else ("dagster_home", "state")
    shutil.copytree(source.root, target, ignore=shutil.ignore_patterns(*ignored))
    return DataDir(target)
