"""`made_once` (tests/conftest.py): a fixture's folder built once per test run, also across pytest-xdist's
worker processes, which `make test` runs two of."""

from __future__ import annotations

import pytest

from tests.conftest import made_once


class Factory:
    """As much of pytest's tmp_path_factory as `made_once` uses, for a worker whose folder is `base`."""

    def __init__(self, base):
        self.base = base
        self.base.mkdir(parents=True, exist_ok=True)
        self.made = 0

    def getbasetemp(self):
        return self.base

    def mktemp(self, name):
        self.made += 1
        folder = self.base / f"{name}{self.made}"
        folder.mkdir()
        return folder


def test_workers_share_one_build_and_its_value(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    calls = []

    def make(folder):
        calls.append(folder)
        (folder / "landing.csv").write_text("a;b\n", encoding="utf-8")
        return {"rows": 1}

    first = made_once(Factory(tmp_path / "popen-gw0"), "demo", make)
    again = made_once(Factory(tmp_path / "popen-gw0"), "demo", make)  # a module fixture asked again
    other = made_once(Factory(tmp_path / "popen-gw1"), "demo", make)  # the other worker
    assert len(calls) == 1
    assert first == again == other == (tmp_path / "demo", {"rows": 1})
    assert (tmp_path / "demo" / "landing.csv").read_text(encoding="utf-8") == "a;b\n"
    assert made_once(Factory(tmp_path / "popen-gw1"), "other", make)[0] == tmp_path / "other"
    assert len(calls) == 2


def test_a_failed_build_leaves_nothing_and_the_next_asker_builds_anew(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")

    def broken(folder):
        (folder / "half.csv").write_text("a", encoding="utf-8")
        raise RuntimeError("the pipeline failed")

    with pytest.raises(RuntimeError):
        made_once(Factory(tmp_path / "popen-gw1"), "demo", broken)
    folder, value = made_once(
        Factory(tmp_path / "popen-gw0"), "demo", lambda folder: sorted(folder.iterdir())
    )
    assert value == []  # the half-built folder was emptied before the new build


def test_without_xdist_each_fixture_gets_a_folder_of_its_own(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    factory = Factory(tmp_path / "session")
    first = made_once(factory, "demo", lambda folder: folder.name)
    second = made_once(factory, "demo", lambda folder: folder.name)
    assert first == (tmp_path / "session" / "demo1", "demo1")
    assert second == (tmp_path / "session" / "demo2", "demo2")
