"""Great Expectations in a process of its own, which imports it while the run goes on loading files.

GX's import takes about 3 s (its own modules, scipy, sqlalchemy, altair: docs/benchmarks.md, third pass), and a
run paid it in the first check that needed GX: the members' check, whenever an export has a row that one of its
expectations does not expect (in every month of the demo: a few addresses are not valid). `start()`, called when
a run first loads a file, starts a worker (`python -m pipelines.ingest.gx_process`) that imports GX at once, on
the machine's other core while the run's thread loads the files; a check then sends it the rows of one file (the
columns its expectations read) with the expectations, and it answers with GX's results as plain data (`evaluate`).
Not a thread beside the run's: tried in 6910a16 and reverted (quality.py's docstring says why).

The worker holds no connection and writes no file: the rows come over a pipe, its answers go back over another,
and its stderr goes to /dev/null (GX's and pandas' warnings could quote a value). Where no worker runs, or it
fails in any way, `results` runs `evaluate` in the run's own process, as before: a worker only saves time.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import Any, BinaryIO

from pipelines.settings import REPO_ROOT

_HEADER = struct.Struct("<Q")
_lock = threading.Lock()
_worker: subprocess.Popen | None = None
_stop_at_exit = False


def columns_read(expectations: list[dict]) -> list[str]:
    """The columns the expectations read (a compound key's each), sorted."""
    return sorted(
        {e["kwargs"]["column"] for e in expectations if "column" in e["kwargs"]}
        | {c for e in expectations for c in e["kwargs"].get("column_list", [])}
    )


# GX suites built in this process, by what they were built from (each run checks every file it loads with the
# error-severity suites; building one costs more than validating a file)
_SUITES: dict[str, tuple] = {}


def gx_suite(source: str, name: str, data_source: str, expectations: list[dict]):
    """(batch definition over a whole dataframe, GX suite) of `expectations`, in an ephemeral context. GX is
    imported here: its import costs seconds, paid only where something is validated."""
    key = json.dumps([source, name, data_source, expectations], sort_keys=True, default=str)
    if key in _SUITES:
        return _SUITES[key]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas(data_source)
        .add_dataframe_asset(name=source)
        .add_batch_definition_whole_dataframe("rows_of_one_file")
    )
    suite = gx.ExpectationSuite(
        name=name,
        expectations=[
            ExpectationConfiguration(
                type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})
            ).to_domain_obj()
            for e in expectations
        ],
    )
    _SUITES[key] = (batch_definition, suite)
    return _SUITES[key]


RESULT_KEYS = (
    "unexpected_count",
    "element_count",
    "missing_count",
    "observed_value",
    "partial_unexpected_list",
)


def evaluate(source: str, name: str, data_source: str, expectations: list[dict], frame) -> list[dict]:
    """GX's results for the rows of `frame`, in GX's order, as plain data: per expectation its type, kwargs and
    meta (as GX read them), whether it succeeded, and the counts and examples of its result."""
    batch_definition, suite = gx_suite(source, name, data_source, expectations)
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
    answers = []
    for item in result.results:
        config = item.expectation_config
        details = item.result or {}
        answers.append(
            {
                "type": config.type,
                "kwargs": dict(config.kwargs),
                "meta": dict(config.meta or {}),
                "success": bool(item.success),
                **{key: details.get(key) for key in RESULT_KEYS},
            }
        )
    return answers


def start() -> None:
    """Start the worker, unless one runs (or ALUMNI_GX_WORKER=0: every check then imports GX itself)."""
    global _worker, _stop_at_exit
    if os.environ.get("ALUMNI_GX_WORKER", "1") == "0":
        return
    with _lock:
        if _worker is not None and _worker.poll() is None:
            return
        if not _stop_at_exit:
            atexit.register(stop)
            _stop_at_exit = True
        try:
            _worker = subprocess.Popen(
                [sys.executable, "-m", "pipelines.ingest.gx_process"],
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            _worker = None


def stop() -> None:
    """End the worker, if one runs. Killed: it holds no file and no connection, and a clean exit (its
    interpreter's teardown, GX loaded) would keep the caller waiting for most of a second."""
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is None:
        return
    with contextlib.suppress(OSError):
        worker.kill()
    worker.wait()
    for stream in (worker.stdin, worker.stdout):
        with contextlib.suppress(OSError):
            stream.close()


def running() -> bool:
    with _lock:
        return _worker is not None and _worker.poll() is None


def results(source: str, name: str, data_source: str, expectations: list[dict], frame) -> list[dict]:
    """`evaluate` by the worker where one runs, else (or where it fails) in this process; each answer says
    which (`judged_in`: "worker" or "run")."""
    global _worker
    with _lock:
        worker = _worker if _worker is not None and _worker.poll() is None else None
        if worker is not None:
            try:
                _send(worker.stdin, (source, name, data_source, expectations, frame))
                answer = _receive(worker.stdout)
            except (OSError, EOFError, pickle.PickleError, struct.error):
                answer = None
            if answer is None or answer[0] != "ok":
                # a worker that failed is not asked again; the check is made here (and fails here, with GX's own
                # error, where it fails for a reason of its own)
                _worker = None
                with contextlib.suppress(OSError):
                    worker.kill()
                worker.wait()
            else:
                return [{**item, "judged_in": "worker"} for item in answer[1]]
    return [{**item, "judged_in": "run"} for item in evaluate(source, name, data_source, expectations, frame)]


def _send(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the Great Expectations worker ended")
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the Great Expectations worker ended")
    return pickle.loads(data)  # noqa: S301 - our own worker, over our own pipe


def main() -> int:
    """The worker: GX imported first, then one answer per request until its input closes. Its answers go out on
    the stdout it was started with; anything else written to stdout (a library's print) goes to stderr."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    import great_expectations  # noqa: F401 - the point of the worker: imported before the first request
    import pandas  # noqa: F401 - the requests' dataframes

    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return 0
        try:
            answer = ("ok", evaluate(*request))
        except Exception as exc:  # noqa: BLE001 - reported back; the run's process makes the check itself
            answer = ("error", type(exc).__name__)
        _send(answers, answer)


if __name__ == "__main__":
    sys.exit(main())
