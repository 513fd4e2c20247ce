"""`make bench` keeps its figures per scale, keeps the hand-written sections of docs/benchmarks.md, and draws
docs/benchmarks.png: checked on made-up figures (the measurements themselves are never asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(seconds: float) -> dict:
    part = {"seconds": seconds, "mib": 100, "note": ""}
    return {name: part for name in ("generate", "ingest", "read_csv", "pipeline", "month", "nothing_new")} | {
        "pages": {"Strategie": {"first": 0.5, "again": 0.2, "load": 1.5}},
        "machine": "test",
        "date": "2026-12-01",
    }


def test_the_generated_part_is_replaced_and_the_rest_kept(tmp_path):
    b = bench()
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## A hand-written section\n\nkept\n")
    results = {"scales": {"1": figures(10.0), "10": figures(100.0)}}
    b.write_markdown(out, b.render_markdown(results))
    results["scales"]["50"] = figures(900.0)
    b.write_markdown(out, b.render_markdown(results))  # a second run replaces, never repeats
    text = out.read_text()
    assert text.count(b.START) == 1 and text.count("## A hand-written section") == 1
    assert "| 50 | full build | 900.0 s | 100 MiB | < 30 min, < 8 GB |" in text
    assert "| Strategie | 0.50 s | 0.20 s | 1.50 s |" in text
    assert "| 10 | one more month | 100.0 s | 100 MiB | < 15 s (15 % of the full build) |" in text
    b.draw(results, tmp_path / "benchmarks.png")
    assert (tmp_path / "benchmarks.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_where_a_run_spends_its_time_is_read_from_dagster_and_listed(tmp_path, monkeypatch):
    import json

    import dagster as dg

    @dg.asset
    def first() -> int:
        return 1

    home = tmp_path / "data" / "dagster_home"

    @dg.asset
    def second(first: int) -> int:
        # as the dbt step of a first build does: a rewrite of the warehouse, recorded in meta.compactions
        import duckdb

        con = duckdb.connect(str(home.parent / "warehouse.duckdb"))
        con.execute("create schema meta")
        con.execute("create table meta.compactions (compacted_at timestamp, seconds double)")
        con.execute("set timezone = 'UTC'")  # as guards.compact_after_erasure writes it
        con.execute("insert into meta.compactions values (now()::timestamp, 1.5)")
        con.close()
        return first + 1

    home.mkdir(parents=True)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert dg.materialize([first, second], instance=instance).success
    b = bench()
    b._steps(str(home), str(tmp_path / "steps.json"))
    steps = json.loads((tmp_path / "steps.json").read_text())
    assert {"first", "second", "outside the steps"} <= set(steps)
    assert steps["second: of it the rewrite after erasure"] == 1.5  # named by the step it was part of
    assert all(seconds >= 0 for seconds in steps.values())
    results = {"scales": {"10": figures(100.0)}}
    results["scales"]["10"]["pipeline"] = {"seconds": 100.0, "mib": 100, "note": "", "steps": steps}
    results["scales"]["10"]["month"] = {
        "seconds": 50.0,
        "mib": 100,
        "note": "",
        "steps": {"alumni_dbt_models": 30.0, "analytics": 15.0, "dbt: int_newsletter_events": 9.5},
    }
    text = b.render_markdown(results)
    assert (
        "| 10 | one more month | alumni_dbt_models 30.0, analytics 15.0 | int_newsletter_events 9.5 |" in text
    )
    assert "| 10 | full build | " in text


def test_the_reference_work_is_timed_and_shown_beside_the_machine():
    b = bench()
    line = b.reference()
    python, in_duckdb = (float(part.split(" s ")[0].split()[-1]) for part in line.split(" / "))
    assert line.startswith("reference work ") and python > 0 and in_duckdb > 0
    results = {"scales": {"1": figures(10.0) | {"reference": line}, "10": figures(100.0)}}
    text = b.render_markdown(results)
    assert f"| 1 | (machine, date, load) | | | | test, 2026-12-01, load ? → ?, {line} |" in text
    assert "| 10 | (machine, date, load) | | | | test, 2026-12-01, load ? → ? |" in text


def test_a_runs_events_are_stored_again_by_both_event_logs_and_listed(tmp_path, monkeypatch):

    import dagster as dg

    @dg.asset
    def only() -> int:
        return 1

    home = tmp_path / "data" / "dagster_home"
    home.mkdir(parents=True)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        run_id = dg.materialize([only], instance=instance).run_id
        stored = len(instance.all_logs(run_id))
    b = bench()
    measured = b.event_log(home.parent)  # in a process of its own, as make bench runs it
    assert measured["events"] == stored > 0
    assert measured["stock"] > 0 and measured["kept"] > 0
    assert list((home.parent).glob("tmp*")) == []  # the scratch directories are gone
    results = {"scales": {"1": figures(10.0)}}
    results["scales"]["1"]["events"] = {"seconds": 1.5, "mib": None, "note": "Dagster's own class 7.3 s"}
    assert "| 1 | Dagster's event log | 1.5 s | – | – | Dagster's own class 7.3 s |" in b.render_markdown(
        results
    )


def test_without_a_browser_it_stops_before_measuring_anything_when_the_pages_are_asked_for(
    tmp_path, monkeypatch
):
    """The pages come last: a machine without chromium lost a whole scale's figures after half an hour."""
    import shutil
    import sys

    import pytest

    b = bench()
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    measured = []
    monkeypatch.setattr(b, "measure_scale", lambda *a, **k: measured.append(a) or {})
    monkeypatch.setattr(b, "dbt_parse", lambda: 1.0)
    for argv, stops in (
        (["--scales", "10"], True),
        (["--scales", "10", "--parts", "generate", "pages"], True),
        (["--scales", "10", "--skip-dashboard"], False),
        (["--scales", "50"], False),  # scale 50 measures no pages by default
        (["--scales", "1", "--parts", "generate", "pipeline"], False),
    ):
        out = tmp_path / f"b{len(measured)}.md"
        monkeypatch.setattr(
            sys, "argv", ["bench.py", "--out", str(out), "--workdir", str(tmp_path / "w"), *argv]
        )
        before = len(measured)
        if stops:
            with pytest.raises(SystemExit) as stopped:
                b.main()
            assert stopped.value.code == 2 and len(measured) == before, argv
        else:
            monkeypatch.setattr(b, "draw", lambda *a, **k: None)
            assert b.main() == 0 and len(measured) == before + 1, argv


def test_each_page_figure_is_the_median_of_its_runs_with_every_run_beside_it(tmp_path, monkeypatch):
    """A visit is a second or less and moves by tenths with the host's load: the pages are measured in
    PAGE_RUNS runs (a server and a browser each) and shown as their median, each run's figure in brackets."""
    b = bench()
    measured = iter(
        [
            {"Netzwerk": {"first": 1.4, "again": 0.5, "load": 3.0}},
            {"Netzwerk": {"first": 0.9, "again": 0.7, "load": 3.5}},
            {"Netzwerk": {"first": 1.0, "again": 0.6, "load": 2.5}},
        ]
    )
    monkeypatch.setattr(b, "dashboard_pages", lambda data_dir: next(measured))
    got = b.pages_figures(tmp_path, runs=3)
    assert got["pages"] == {"Netzwerk": {"first": 1.0, "again": 0.6, "load": 3.0}}
    assert got["pages_runs"]["Netzwerk"]["first"] == [1.4, 0.9, 1.0]
    results = {"scales": {"10": figures(100.0) | got}}
    text = b.render_markdown(results)
    assert (
        "| Netzwerk | 1.00 s (1.40 / 0.90 / 1.00) | 0.60 s (0.50 / 0.70 / 0.60) | 3.00 s (3.00 / 3.50 / 2.50) |"
        in text
    )
    # the pages measured on their own, on a data directory built before: the scale's other figures stay
    store = tmp_path / "benchmarks.json"
    store.write_text('{"scales": {"10": {"pipeline": {"seconds": 5, "mib": 1, "note": ""}}}}')
    measured = iter([{"Clubs": {"first": 0.8, "again": 0.4, "load": 2.0}}] * 3)
    monkeypatch.setattr(b, "REPO", tmp_path)
    b._pages("10.0", str(tmp_path), "benchmarks.md")  # the scale as make bench keys it
    assert list(json.loads(store.read_text())["scales"]) == ["10"]
    assert "| Clubs | 0.80 s (0.80 / 0.80 / 0.80) |" in (tmp_path / "benchmarks.md").read_text()
    assert (tmp_path / "benchmarks.png").exists()
    with pytest.raises(SystemExit, match="scale 50 has no figures"):
        b._pages("50", str(tmp_path), "benchmarks.md")
    kept = json.loads(store.read_text())["scales"]["10"]
    assert kept["pipeline"]["seconds"] == 5 and kept["pages"] == {
        "Clubs": {"first": 0.8, "again": 0.4, "load": 2.0}
    }
    assert kept["pages_note"].startswith("measured alone at ")
    # a later make bench measures the pages with the rest of the scale: the note of the lone measurement goes
    measured = iter([{"Clubs": {"first": 0.7, "again": 0.4, "load": 2.0}}] * 3)
    kept.update(b.pages_figures(tmp_path))
    assert "measured apart" not in b.render_markdown({"scales": {"10": figures(100.0) | kept}})


def test_a_failed_run_of_the_pages_is_left_out_and_the_others_count(tmp_path, monkeypatch, capsys):
    b = bench()
    runs = iter([TimeoutError("Netzwerk not drawn"), {"Netzwerk": {"first": 0.9, "again": 0.5, "load": 3.0}}])

    def one_run(data_dir):
        result = next(runs)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(b, "dashboard_pages", one_run)
    got = b.pages_figures(tmp_path, runs=2)
    assert got["pages_runs"]["Netzwerk"]["first"] == [0.9] and got["pages"]["Netzwerk"]["first"] == 0.9
    assert "run 1 of 2 failed" in capsys.readouterr().err
    runs = iter([TimeoutError("x")])
    with pytest.raises(RuntimeError, match="none of 1 runs"):
        b.pages_figures(tmp_path, runs=1)


def test_dbts_parse_of_the_project_is_made_before_the_first_scale_and_shown_apart(tmp_path, monkeypatch):
    """The first build of a fresh checkout parsed the project (about 5 s, once per installation): the bench
    makes that parse first, so that no build's figure includes it, and shows its time on its own line."""
    import sys

    b = bench()
    happened = []
    monkeypatch.setattr(b, "dbt_parse", lambda: happened.append("parse") or 4.2)
    monkeypatch.setattr(b, "measure_scale", lambda scale, *a, **k: happened.append(scale) or figures(10.0))
    monkeypatch.setattr(b, "draw", lambda *a, **k: None)
    out = tmp_path / "benchmarks.md"
    argv = ["bench.py", "--out", str(out), "--workdir", str(tmp_path / "w"), "--scales", "1", "10"]
    monkeypatch.setattr(sys, "argv", [*argv, "--skip-dashboard"])
    assert b.main() == 0
    assert happened == ["parse", 1.0, 10.0]
    assert json.loads(out.with_suffix(".json").read_text())["dbt_parse"]["seconds"] == 4.2
    text = " ".join(out.read_text().split())
    assert "first command that needs it, took 4.2 s" in text and "every build below reuses it" in text
