"""Great Expectations in a process of its own, which imports it while the run goes on loading files.

GX's import takes about 3 s (its own modules, scipy, sqlalchemy, altair: docs/benchmarks.md, third pass), and a
run paid it in the first check that needed GX: the members' check, whenever an export has a row that one of its
expectations does not expect (in every month of the demo: a few addresses are not valid). `start()`, called when
a run decides to build (pipelines/run.py) and, for runs started otherwise (Dagster's UI, its sensor), when a file
is about to be loaded, starts a worker (`python -m pipelines.ingest.gx_process`) that imports GX at once, on the
machine's other core while the run goes on; a check then sends it the rows of one file (the columns its
expectations read) with the expectations, and it answers with GX's results as plain data (`evaluate`). Not a
thread beside the run's: tried in 6910a16 and reverted (quality.py's docstring says why). The worker is ended
before dbt's step (pipelines/defs/transform.py), so that its memory (about 260 MB) is back before dbt's.

The worker holds no connection and writes no file: the rows come over a pipe and its answers go back over a pipe
of their own (not its stdout, where a library might print); its stdout and stderr go to /dev/null (GX's and
pandas' warnings could quote a value), and it is not given the pseudonymisation key. Where no worker runs, or it
answers with an error, ends, garbles its answer or does not answer within `ANSWER_SECONDS`, it is killed and not
asked again, and `results` runs `evaluate` in the run's own process, as before: a worker only saves time.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from typing import Any, BinaryIO

from pipelines.settings import REPO_ROOT

_HEADER = struct.Struct("<Q")
# how long a check waits for the worker's answer before it judges the rows itself: GX's import (about 3 s, far
# more on a loaded machine) and a validation of one file (well under a second for a members export of scale 10)
ANSWER_SECONDS = 120.0
_lock = threading.Lock()
_worker: Worker | None = None
_stop_at_exit = False


class Worker:
    """The worker's process, the pipe its requests go into (its stdin) and the pipe its answers come out of."""

    def __init__(self) -> None:
        answers, answer_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pipelines.ingest.gx_process", str(answer_end)],
                cwd=REPO_ROOT,
                env={k: v for k, v in os.environ.items() if k != "ALUMNI_PSEUDONYM_KEY"},
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(answer_end,),
            )
        except BaseException:
            os.close(answers)
            raise
        finally:
            os.close(answer_end)
        self.answers = os.fdopen(answers, "rb", buffering=0)

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: tuple, seconds: float) -> Any:
        """The worker's answer to `request`; TimeoutError where it neither takes the request nor answers in time
        (written as the pipe takes it, so that a worker that stopped reading cannot block the run either)."""
        deadline = time.monotonic() + seconds
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        pending = memoryview(_HEADER.pack(len(data)) + data)
        fd = self.process.stdin.fileno()
        os.set_blocking(fd, False)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise TimeoutError("the Great Expectations worker did not take the request in time")
            with contextlib.suppress(BlockingIOError):
                pending = pending[os.write(fd, pending[: 1 << 20]) :]
        return _receive(self.answers, deadline)

    def end(self) -> None:
        """Killed: it holds no file and no connection, and a clean exit (its interpreter's teardown, GX loaded)
        would keep the caller waiting for most of a second."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.answers):
            with contextlib.suppress(OSError):
                stream.close()


def columns_read(expectations: list[dict]) -> list[str]:
    """The columns the expectations read (a compound key's each), sorted."""
    return sorted(
        {e["kwargs"]["column"] for e in expectations if "column" in e["kwargs"]}
        | {c for e in expectations for c in e["kwargs"].get("column_list", [])}
    )


# GX suites built in this process, by what they were built from: a run checks every file it loads with the
# error-severity suites, and its check of each raw table validates file by file (building a suite costs more
# than validating a file). Emptied by `stop()`: GX keeps the last rows it validated with a suite's data source.
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
        if _worker is not None and _worker.alive():
            return
        if not _stop_at_exit:
            atexit.register(stop)
            _stop_at_exit = True
        try:
            _worker = Worker()
        except OSError:
            _worker = None


def stop() -> None:
    """End the worker, if one runs (even while a check waits for it: the check then judges its rows itself),
    and forget the suites built in this process."""
    global _worker
    worker = _worker
    if worker is not None:
        with contextlib.suppress(OSError):
            worker.process.kill()  # before the lock, which a check waiting for an answer holds
    with _lock:
        worker, _worker = _worker, None
        _SUITES.clear()
    if worker is not None:
        worker.end()


def running() -> bool:
    with _lock:
        return _worker is not None and _worker.alive()


def results(source: str, name: str, data_source: str, expectations: list[dict], frame) -> list[dict]:
    """`evaluate` by the worker where one runs, else (or where it fails) in this process; each answer says
    which (`judged_in`: "worker" or "run")."""
    global _worker
    with _lock:
        worker = _worker if _worker is not None and _worker.alive() else None
        if worker is not None:
            try:
                answer = worker.ask((source, name, data_source, expectations, frame), ANSWER_SECONDS)
            except BaseException as exc:
                # no answer, or half of one: the pipe is out of step, and the worker is not asked again
                _worker = None
                worker.end()
                if not isinstance(exc, Exception):  # an interrupt of the run: it goes on up
                    raise
                answer = None
            if isinstance(answer, tuple) and answer[:1] == ("ok",):
                return [{**item, "judged_in": "worker"} for item in answer[1]]
            if _worker is worker:  # it answered with an error: the check is made here, and fails here
                _worker = None  # with GX's own error where it fails for a reason of its own
                worker.end()
    return [{**item, "judged_in": "run"} for item in evaluate(source, name, data_source, expectations, frame)]


def _send(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: BinaryIO, deadline: float | None = None) -> Any:
    """One message: its length, then its pickle. With a deadline: TimeoutError once it has passed."""
    header = _read(stream, _HEADER.size, deadline)
    return pickle.loads(_read(stream, _HEADER.unpack(header)[0], deadline))  # noqa: S301 - our own worker's pipe


def _read(stream: BinaryIO, size: int, deadline: float | None) -> bytes:
    chunks, missing = [], size
    while missing:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                raise TimeoutError("the Great Expectations worker did not answer in time")
        chunk = stream.read(missing if deadline is None else min(missing, 1 << 20))
        if not chunk:
            raise EOFError("the Great Expectations worker ended")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def main(argv: list[str]) -> int:
    """The worker: GX imported first, then one answer per request until its input closes, each written to the
    pipe whose descriptor it was given."""
    answers = os.fdopen(int(argv[0]), "wb")
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
    sys.exit(main(sys.argv[1:]))
