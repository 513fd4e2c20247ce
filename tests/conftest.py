"""Shared fixtures: demo data generated once per test run, in temporary directories (never ./data).

`make test` runs the tests in two processes (pytest-xdist, `-n 2`): what a session or module fixture builds
(demo data, a real pipeline run: up to a minute and a half each) is built once by whichever process asks first
and read by both (`made_once`). What a test changes, it changes in a copy (`copy_data_dir`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from pipelines.demo.generator import GenerateConfig, generate

DEMO_UNTIL = date(2026, 11, 29)

# No Great Expectations worker (pipelines/ingest/gx_process.py) in the tests' runs but where a test asks for one:
# each run would start its own, a process importing GX for 3 s of CPU beside the two test processes on CI's two
# cores, and a test process imports GX once for all its runs anyway. The demo's run (`published_demo`) and
# tests/ingest/test_gx_process.py use one.
os.environ["ALUMNI_GX_WORKER"] = "0"  # whatever the shell says: the tests count on it


def pytest_configure(config):
    """dbt's manifest, made before any test starts (in the controlling process under pytest-xdist): two
    pipeline runs started at once by two test processes would otherwise both write it (dbt parse)."""
    if hasattr(config, "workerinput"):
        return
    from pipelines.dbt_prepare import ensure_manifest

    ensure_manifest()


def made_once(tmp_path_factory, name: str, make: Callable[[Path], object]) -> tuple[Path, object]:
    """A folder filled by `make` once per test run, and what `make` returned (JSON). Without pytest-xdist: a new
    temporary folder, as `tmp_path_factory.mktemp`. With it, each worker process has a session of its own, so a
    session fixture would be built once per worker, and a module fixture again whenever a worker comes back to
    its module: the folder is made in the run's folder shared by the workers, under a lock, by the first to ask;
    the others wait for it. A `make` that fails leaves nothing: the next to ask tries again."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    shared = tmp_path_factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.made.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or by the OS if the worker dies
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(mode=0o700)
            done.with_suffix(".tmp").write_text(json.dumps(make(folder)), encoding="utf-8")
            done.with_suffix(".tmp").replace(done)
    return folder, json.loads(done.read_text(encoding="utf-8"))


def _demo(scale: float, seed: int, until: date) -> Callable[[Path], object]:
    def make(root: Path) -> dict:
        truth = generate(GenerateConfig(root, scale=scale, seed=seed, until=until))
        return json.loads(truth.read_text(encoding="utf-8"))

    return make


@pytest.fixture(scope="session")
def demo_scale1(tmp_path_factory) -> tuple[Path, dict]:
    """The embedded default at scale 1, as `alumni generate` writes it."""
    return made_once(tmp_path_factory, "demo1", _demo(1.0, 42, DEMO_UNTIL))


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory) -> tuple[Path, dict]:
    """A small network with every feature (clubs, Apple opens, erasures): fast enough for many tests."""
    return made_once(tmp_path_factory, "demo_small", _demo(0.05, 7, date(2023, 3, 31)))


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
    """demo_small after one real `alumni pipeline` run: the published analytics.duckdb and its data dir (read
    it; a test that writes, a pipeline run or dbt included, works on a copy: `copy_data_dir`)."""
    from pipelines.settings import DataDir

    root, truth = demo_small

    def make(folder: Path) -> dict:
        data_dir = DataDir(folder / "data")
        shutil.copytree(root / "landing", data_dir.landing)
        result = run_cli(
            "pipeline",
            "--data-dir",
            str(data_dir.root),
            env={"ALUMNI_PSEUDONYM_KEY": "demo-test-key", "ALUMNI_GX_WORKER": "1"},  # as `make run` runs it
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return {
            "args": result.args,
            "returncode": result.returncode,
            "stdout": result.stdout,
            "stderr": result.stderr,
        }

    folder, result = made_once(tmp_path_factory, "published", make)
    return DataDir(folder / "data"), truth, subprocess.CompletedProcess(**result)


def copy_data_dir(source, target: Path, keep_build_record: bool = False):
    """A copy of a data directory to run the pipeline on again (times of files kept, Dagster's storage not).
    Without the record of its last build (D/state/), the next run builds even if nothing new has landed."""
    from pipelines.settings import DataDir

    ignored = ("dagster_home",) if keep_build_record else ("dagster_home", "state")
    shutil.copytree(source.root, target, ignore=shutil.ignore_patterns(*ignored))
    return DataDir(target)
