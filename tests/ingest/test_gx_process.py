"""The Great Expectations worker (pipelines/ingest/gx_process.py): a process of its own that imports GX while the
run loads files, answers as GX in the run's process would, and never stands in the way of a check."""

from __future__ import annotations

import contextlib
import json

import pandas as pd
import pytest

from pipelines.ingest import gx_process

EXPECTATIONS = [
    {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "code"},
        "meta": {"severity": "error"},
    },
    {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "code", "value_set": ["a", "b"], "mostly": 0.5},
        "meta": {"severity": "warning"},
    },
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["code", "ref"]}},
]
FRAME = pd.DataFrame({"code": ["a", "c", None, "a"], "ref": ["1", "2", "3", "1"]})


def plain(answers: list[dict], judged_in: str | None = None) -> str:
    """Answers as text, to compare them (a null's example is NaN, never equal to itself), each checked to say
    where it was judged (`judged_in`, which `evaluate` itself does not say)."""
    if judged_in is not None:
        assert [a.pop("judged_in") for a in answers] == [judged_in] * len(answers)
    return json.dumps(answers, sort_keys=True, default=str)


@pytest.fixture(autouse=True)
def no_worker_left(monkeypatch):
    monkeypatch.setenv("ALUMNI_GX_WORKER", "1")  # the tests' runs have none (tests/conftest.py)
    gx_process.stop()
    yield
    gx_process.stop()


class OnUnpickling:
    """A dataframe cell that calls `call(*args)` where the worker unpickles the request (a column no expectation
    reads: the run's own process validates the frame with it as it is)."""

    def __init__(self, call, *args):
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


def with_cell(cell) -> pd.DataFrame:
    return FRAME.assign(unread=[cell] * len(FRAME))


def _in_this_process(monkeypatch) -> list[dict]:
    """What GX says in this process; afterwards, GX in this process fails the test."""
    expected = gx_process.evaluate("t", "t", "t", EXPECTATIONS, FRAME)
    monkeypatch.setattr(gx_process, "evaluate", lambda *a: pytest.fail("judged in the run's process"))
    return expected


def test_the_worker_answers_as_great_expectations_in_this_process(monkeypatch):
    expected = _in_this_process(monkeypatch)
    gx_process.start()
    assert gx_process.running()
    answers = gx_process.results("t", "t", "t", EXPECTATIONS, FRAME)
    assert plain(answers, "worker") == plain(expected)
    by_type = {a["type"]: a for a in answers}
    assert not by_type["expect_column_values_to_not_be_null"]["success"]
    assert by_type["expect_column_values_to_not_be_null"]["unexpected_count"] == 1
    assert by_type["expect_column_values_to_be_in_set"]["success"]  # one of three: within `mostly`
    assert by_type["expect_column_values_to_be_in_set"]["partial_unexpected_list"] == ["c"]
    assert not by_type["expect_compound_columns_to_be_unique"]["success"]
    assert by_type["expect_column_values_to_be_in_set"]["meta"] == {"severity": "warning"}
    # a second request, another suite: the same worker
    again = gx_process.results("t", "u", "t", EXPECTATIONS[:1], FRAME.iloc[:2])
    assert [a["success"] for a in again] == [True]
    assert gx_process.running()


def test_a_worker_that_ended_is_replaced_by_this_process(monkeypatch):
    expected = gx_process.evaluate("t", "t", "t", EXPECTATIONS, FRAME)
    gx_process.start()
    gx_process._worker.process.kill()
    gx_process._worker.process.wait()
    assert plain(gx_process.results("t", "t", "t", EXPECTATIONS, FRAME), "run") == plain(expected)
    assert not gx_process.running()  # not asked again; a later start starts a new one
    gx_process.start()
    assert gx_process.running()


@pytest.mark.parametrize("failure", ["ends", "hangs"])
def test_a_worker_that_ends_or_hangs_while_asked_is_ended_and_the_run_judges_itself(failure, monkeypatch):
    """The worker ends in the middle of a request (its answer never comes), or takes the request and then does
    not answer: the check waits `ANSWER_SECONDS` at most, ends the worker and judges the rows in the run's
    process; the worker is not asked again."""
    import os
    import time

    frame = with_cell(OnUnpickling(os._exit, 3) if failure == "ends" else OnUnpickling(time.sleep, 300))
    expected = gx_process.evaluate("t", "t", "t", EXPECTATIONS, frame)
    monkeypatch.setattr(gx_process, "ANSWER_SECONDS", 10.0)
    gx_process.start()
    worker = gx_process._worker
    assert plain(gx_process.results("t", "t", "t", EXPECTATIONS, frame), "run") == plain(expected)
    assert not gx_process.running()
    assert worker.process.poll() is not None  # ended, not left behind


def test_what_a_library_prints_in_the_worker_does_not_reach_its_answers():
    """The worker answers on a pipe of its own: a print (here while it unpickles the request) goes to its stdout,
    /dev/null, and the answer that follows is read as it was written."""
    gx_process.start()
    worker = gx_process._worker
    frame = with_cell(OnUnpickling(print, "not an answer\n" * 1000))
    answers = gx_process.results("t", "t", "t", EXPECTATIONS, frame)
    assert [a["judged_in"] for a in answers] == ["worker"] * len(EXPECTATIONS)
    assert [a["success"] for a in answers] == [
        a["success"] for a in gx_process.evaluate("t", "t", "t", EXPECTATIONS, FRAME)
    ]
    assert gx_process._worker is worker


def test_a_run_starts_the_worker_when_it_loads_a_file_and_not_for_a_file_loaded_before(data_dir):
    """Runs that pipelines/run.py did not start (Dagster's UI, its sensor) start the worker in the loader."""
    from tests.helpers import ingest_all, write_export
    from tests.ingest.test_loader import MEMBERS, member

    write_export(data_dir.landing / "members/members_2024-01-15.csv", MEMBERS, [member("A-000001")])
    ingest_all(data_dir, "run-1")
    assert gx_process.running()
    gx_process.stop()
    ingest_all(data_dir, "run-2")  # nothing new
    assert not gx_process.running()


def test_what_great_expectations_reports_the_worker_reports_and_what_it_raises_is_raised_here():
    """A frame without the expectation's column: GX reports it in its result, and so does the worker. An
    expectation GX does not know: GX raises; the worker says so, is not asked again, and the check is made here,
    where GX's own error is raised in the run's process."""
    gx_process.start()
    worker = gx_process._worker
    frame = pd.DataFrame({"other": [1]})
    here = gx_process.evaluate("t", "v", "t", EXPECTATIONS[:1], frame)
    assert not here[0]["success"]
    assert plain(gx_process.results("t", "v", "t", EXPECTATIONS[:1], frame), "worker") == plain(here)
    assert gx_process._worker is worker
    unknown = [{"type": "expect_no_such_thing", "kwargs": {"column": "code"}}]
    with pytest.raises(Exception) as raised_here:
        gx_process.evaluate("t", "x", "t", unknown, FRAME)
    with pytest.raises(type(raised_here.value)):
        gx_process.results("t", "x", "t", unknown, FRAME)
    assert not gx_process.running()
    assert worker.process.poll() is not None  # ended, not left behind


def test_no_worker_where_switched_off_or_stopped(monkeypatch):
    monkeypatch.setenv("ALUMNI_GX_WORKER", "0")
    gx_process.start()
    assert not gx_process.running()
    monkeypatch.delenv("ALUMNI_GX_WORKER")
    gx_process.start()
    worker = gx_process._worker
    gx_process.start()  # one at a time
    assert gx_process._worker is worker
    gx_process.stop()
    assert not gx_process.running()
    assert worker.process.returncode is not None  # ended, not left behind


def _gone(pid: int, within: float) -> bool:
    import os
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a child of the ended process is reaped by init; until then it shows as a zombie
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
            if stat.read().split(") ", 1)[1].startswith("Z"):
                return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("ending", ["exits", "is killed"])
def test_no_worker_outlives_the_process_that_started_it(ending):
    """A run's process that exits ends its worker (atexit); one killed outright leaves the worker's input
    closed, and the worker ends by itself."""
    import signal
    import subprocess
    import sys

    from pipelines.settings import REPO_ROOT

    script = (
        "import os, sys, time\n"
        "os.environ['ALUMNI_GX_WORKER'] = '1'\n"
        "from pipelines.ingest import gx_process\n"
        "gx_process.start()\n"
        "print(gx_process._worker.process.pid, flush=True)\n"
        "if sys.argv[1] == 'is killed':\n"
        "    time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script, ending], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    worker_pid = int(parent.stdout.readline())
    if ending == "is killed":
        parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=60)
    # exited: its atexit ended the worker before it did; killed: the worker's input closed, it ends by itself
    assert _gone(worker_pid, within=0.5 if ending == "exits" else 60)
