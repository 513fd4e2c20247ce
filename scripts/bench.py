"""`make bench`: time and peak memory of generation, ingestion, the full pipeline and the dashboard pages.

Every measurement runs in its own process; peak memory is that process tree's maximum resident set size
(`wait4`). Figures go to docs/benchmarks.md with the machine they were taken on. Nothing here asserts a limit:
the aims from the issues are printed beside the figures.

    python scripts/bench.py --out docs/benchmarks.md [--scales 1 10 50] [--parts ...] [--skip-dashboard]

Figures are kept per scale in docs/benchmarks.json (a scale measured again replaces only its own figures);
docs/benchmarks.md (between its markers; hand-written sections stay) and docs/benchmarks.png are drawn from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UNTIL = date(2026, 11, 29)
KEY_ENV = {"ALUMNI_PSEUDONYM_KEY": "benchmark-key"}


def measure(command: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak RSS in MiB of the process and its children, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=dict(os.environ, **(env or {})), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        print(stderr[-3000:], file=sys.stderr)
    # wait4's ru_maxrss: the largest resident set of the child and of the descendants it waited for (dbt)
    return elapsed, usage.ru_maxrss / 1024, code


def generate(data_dir: Path, scale: float, until: date = UNTIL) -> tuple[float, float]:
    seconds, peak, code = measure(
        [
            str(BIN / "alumni"),
            "generate",
            "--data-dir",
            str(data_dir),
            "--scale",
            str(scale),
            "--until",
            until.isoformat(),
        ]
    )
    assert code == 0, "generate failed"
    return seconds, peak


def ingest_only(data_dir: Path) -> tuple[float, float]:
    seconds, peak, code = measure([sys.executable, __file__, "_ingest", str(data_dir)], env=KEY_ENV)
    assert code == 0, "ingest failed"
    return seconds, peak


def read_csv_bound(data_dir: Path) -> tuple[float, float]:
    seconds, peak, code = measure([sys.executable, __file__, "_read_csv", str(data_dir)])
    assert code == 0, "read_csv bound failed"
    return seconds, peak


def dbt_parse() -> float:
    """dbt's parse of the project, made again: once per installation (and after a change of the project) the
    first command that needs dbt's manifest makes it (`pipelines.dbt_prepare`, about 5 s), and every build reuses
    it. Made here before the first scale, so that no full build's figure includes it (the first build of a fresh
    checkout did, until the thirty-fourth pass). Returns its seconds."""
    seconds, _, code = measure(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(REPO)!r}); "
            "from pipelines.dbt_prepare import ensure_manifest; ensure_manifest(force=True)",
        ]
    )
    assert code == 0, "dbt parse failed"
    return seconds


def pipeline(data_dir: Path) -> tuple[float, float]:
    seconds, peak, code = measure([str(BIN / "alumni"), "pipeline", "--data-dir", str(data_dir)], env=KEY_ENV)
    assert code in (0, 2), f"pipeline failed ({code})"
    return seconds, peak


STEPS_SHOWN = 8


def run_steps(data_dir: Path) -> dict[str, float]:
    """Where the last run spent its time: seconds per step from Dagster's run storage (the longest ones, the
    rest summed), and the dbt build's longest nodes from their materialisations. In a process of its own."""
    return _from_dagster_home(data_dir, "_steps", "reading the run's steps")


def _from_dagster_home(data_dir: Path, command: str, what: str) -> dict:
    """`bench.py <command> <dagster home> <out>` in a process of its own, on the data directory's Dagster
    storage; what it wrote to <out>."""
    out = data_dir / f"{command.strip('_')}.json"
    home = str(data_dir / "dagster_home")
    _, _, code = measure([sys.executable, __file__, command, home, str(out)], env={"DAGSTER_HOME": home})
    assert code == 0, f"{what} failed"
    return json.loads(out.read_text(encoding="utf-8"))


def _steps(home: str, out: str) -> None:
    import dagster as dg

    os.environ["DAGSTER_HOME"] = home
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        step_stats = instance.get_run_step_stats(run.run_id)
        steps = {s.step_key: s.end_time - s.start_time for s in step_stats}
        stats = instance.get_run_stats(run.run_id)
        nodes = {}
        for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            materialization = record.dagster_event.event_specific_data.materialization
            duration = materialization.metadata.get("Execution Duration")
            if duration is not None:
                nodes[materialization.asset_key.path[-1]] = float(duration.value)
    ordered = sorted(steps.items(), key=lambda item: -item[1])
    shown = dict(ordered[:STEPS_SHOWN])
    if len(ordered) > STEPS_SHOWN:
        shown[f"{len(ordered) - STEPS_SHOWN} other steps"] = sum(
            seconds for _, seconds in ordered[STEPS_SHOWN:]
        )
    shown["outside the steps"] = (stats.end_time - stats.start_time) - sum(steps.values())
    # the rewrite of warehouse.duckdb after an erasure (meta.compactions), and the step it was part of: the
    # dbt step's start in a first build, the publish step's end otherwise
    import duckdb

    rewrite = None
    warehouse = Path(home).parent / "warehouse.duckdb"
    if warehouse.exists():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            con.execute("set timezone = 'UTC'")  # compacted_at is UTC (guards.compact_after_erasure)
            rewrite = con.execute(
                "select c.seconds, coalesce(s.step, 'a step') from meta.compactions as c "
                "left join (select unnest(?) as step, to_timestamp(unnest(?))::timestamp as started, "
                "to_timestamp(unnest(?))::timestamp as ended) as s "
                "on c.compacted_at between s.started and s.ended "
                "where c.compacted_at >= to_timestamp(?)::timestamp "
                "order by c.compacted_at desc limit 1",
                [
                    [s.step_key for s in step_stats],
                    [s.start_time for s in step_stats],
                    [s.end_time for s in step_stats],
                    stats.start_time,
                ],
            ).fetchone()
        except duckdb.CatalogException:  # no rewrite ever: no table
            pass
        finally:
            con.close()
    if rewrite:
        shown[f"{rewrite[1]}: of it the rewrite after erasure"] = rewrite[0]
    top_nodes = dict(sorted(nodes.items(), key=lambda item: -item[1])[:4])
    result = {name: round(seconds, 1) for name, seconds in shown.items()}
    result.update({f"dbt: {name}": round(seconds, 1) for name, seconds in top_nodes.items()})
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def event_log(data_dir: Path) -> dict:
    """The last run's events stored again by Dagster's own SQLite event log and by the data directory's
    (pipelines/dagster_storage.py), each into a fresh directory, alternately three times: the best of each."""
    return _from_dagster_home(data_dir, "_event_log", "storing the run's events again")


def _event_log(home: str, out: str) -> None:
    import uuid

    import dagster as dg
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    sys.path.insert(0, str(REPO))
    from pipelines.dagster_storage import KeptSqliteEventLogStorage

    os.environ["DAGSTER_HOME"] = home
    with dg.DagsterInstance.get() as instance:
        entries = instance.all_logs(instance.get_runs(limit=1)[0].run_id)
    best = {"stock": float("inf"), "kept": float("inf")}
    with tempfile.TemporaryDirectory(dir=Path(home).parent) as scratch:
        for n in range(3):
            for name, storage_class in (
                ("stock", SqliteEventLogStorage),
                ("kept", KeptSqliteEventLogStorage),
            ):
                storage = storage_class(str(Path(scratch) / f"{name}{n}"))
                run_id = str(uuid.uuid4())
                started = time.perf_counter()
                for entry in entries:
                    storage.store_event(entry._replace(run_id=run_id))
                storage.dispose()  # timed too: the kept connections' last checkpoint happens here
                best[name] = min(best[name], time.perf_counter() - started)
    result = {"events": len(entries), **{name: round(seconds, 2) for name, seconds in best.items()}}
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def _ingest(data_dir: str) -> None:
    sys.path.insert(0, str(REPO))
    from pipelines.ingest import connect, ingest_source, ingest_tool
    from pipelines.ingest.sources import SOURCES
    from pipelines.ingest.tools import TOOLS
    from pipelines.settings import DataDir

    target = DataDir(Path(data_dir))
    con = connect(target)
    for source in SOURCES:
        ingest_source(con, target, source, "bench")
    for tool in TOOLS:
        ingest_tool(con, target, tool, "bench")
    con.close()


def tool_ingest_vs_read_csv(data_dir: Path) -> tuple[float, float, int, float]:
    """The tools' exports alone (TOOLS.md), timed inside one process each: our ingest (after the catalogues
    they refer to, untimed) against DuckDB's read_csv of the same files. Returns (ingest s, read_csv s, files,
    MiB)."""
    for mode in ("_ingest_tools", "_read_csv_tools"):
        _, _, code = measure([sys.executable, __file__, mode, str(data_dir)], env=KEY_ENV)
        assert code == 0, f"{mode} failed"
    seconds = {
        m: float((data_dir / f"{m}.seconds").read_text()) for m in ("_ingest_tools", "_read_csv_tools")
    }
    files = _tool_files(data_dir)
    size = sum(p.stat().st_size for p in files) / 2**20
    return seconds["_ingest_tools"], seconds["_read_csv_tools"], len(files), size


def _tool_files(data_dir: Path) -> list[Path]:
    sys.path.insert(0, str(REPO))
    from pipelines.ingest.tools import TOOLS

    return sorted(p for tool in TOOLS for p in (data_dir / "landing" / tool).glob("*") if p.is_file())


def _ingest_tools(data_dir: str) -> None:
    sys.path.insert(0, str(REPO))
    from pipelines.ingest import BY_NAME, connect, ingest_source, ingest_tool
    from pipelines.ingest.tools import TOOLS
    from pipelines.settings import DataDir

    target = DataDir(Path(data_dir))
    con = connect(target)
    for name in ("erasure_requests", "events", "newsletter_campaigns"):
        ingest_source(con, target, BY_NAME[name], "bench")
    started = time.perf_counter()
    for tool in TOOLS:
        ingest_tool(con, target, tool, "bench")
    (Path(data_dir) / "_ingest_tools.seconds").write_text(f"{time.perf_counter() - started:.3f}")
    con.close()


def _read_csv_tools(data_dir: str) -> None:
    import duckdb

    con = duckdb.connect(str(Path(data_dir) / "bound_tools.duckdb"))
    started = time.perf_counter()
    for n, path in enumerate(p for p in _tool_files(Path(data_dir)) if p.suffix.lower() == ".csv"):
        con.execute(
            f"create table t{n} as select * from read_csv(?, all_varchar = true, header = true, "
            f"strict_mode = false, ignore_errors = true, null_padding = true)",
            [str(path)],
        )
    (Path(data_dir) / "_read_csv_tools.seconds").write_text(f"{time.perf_counter() - started:.3f}")
    con.close()


def _read_csv(data_dir: str) -> None:
    """The lower bound: DuckDB's own read_csv of the same files into tables, no rules, no hashes."""
    import duckdb

    con = duckdb.connect(str(Path(data_dir) / "bound.duckdb"))
    for n, path in enumerate(sorted((Path(data_dir) / "landing").rglob("*.csv"))):
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:  # DuckDB reads latin-1 but not Windows-1252: convert those few files
            path = path.with_suffix(".utf8")
            path.write_text(raw.decode("cp1252"), encoding="utf-8")
        con.execute(
            f"create table t{n} as select * from read_csv(?, all_varchar = true, header = true, "
            f"strict_mode = false, ignore_errors = true)",
            [str(path)],
        )
    con.close()


# The page is drawn: the script has finished, no element is still a placeholder (a new tab loads the code of
# charts, tables and widgets after the script has run, showing a skeleton until then), and every chart has its SVG.
DRAWN_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(c => c.querySelector('.main-svg'));
}"""

# The page titled so is shown and drawn: checked in the page itself at every frame, as Playwright's role
# locator (the accessibility tree) would add its own time to the figure.
TITLED_JS = (
    "title => [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === title) && ("
    + DRAWN_JS
    + ")()"
)


def dashboard_pages(data_dir: Path) -> dict[str, dict[str, float]]:
    """Seconds from a click in the sidebar to the page drawn (script finished, no skeleton, every chart drawn), in
    headless Chromium on a started server: `first` is a page's first visit after the app was opened on its
    first page (the queries of the page not yet cached, except for that first page's own), `again` a later
    visit, `load` the whole app opened at the page's address in a new tab.

    Every click comes from another page, once the page shown has settled, as a reader clicks: the first page
    comes last in each round. (Clicking the page already shown, the moment its opening had drawn, timed the
    browser still busy with that opening, and a rerun whose old heading and charts satisfied the wait.)"""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))  # `tests` is not installed: the headless helpers live there
    from pipelines.settings import DataDir
    from tests.dashboard.headless import CHROMIUM, CHROMIUM_ARGS, PAGES, start, stop

    server, port = start(DataDir(data_dir))
    timings: dict[str, dict[str, float]] = {title: {} for title in PAGES.values()}
    titles = list(PAGES.values())
    rounds = [*range(1, len(titles)), 0]  # the first page, already open, is visited last
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            # the app opened as a reader opens it (its first page; plotly.js loaded once per tab), nothing cached
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function(TITLED_JS, arg=titles[0], timeout=120_000)
            links = page.locator("[data-testid=stSidebarNav] a")
            for visit in ("first", "again"):
                for index in rounds:
                    _settle(page)
                    started = time.perf_counter()
                    links.nth(index).click()
                    page.wait_for_function(TITLED_JS, arg=titles[index], timeout=120_000)
                    timings[titles[index]][visit] = time.perf_counter() - started
            for path, title in PAGES.items():
                tab = browser.new_page(viewport={"width": 1400, "height": 1600})
                started = time.perf_counter()
                tab.goto(f"http://127.0.0.1:{port}/{path}")
                tab.wait_for_function(TITLED_JS, arg=title, timeout=120_000)
                timings[title]["load"] = time.perf_counter() - started
                tab.close()
            browser.close()
        return timings
    finally:
        stop(server)


# A page's visit is a second or less, and a shared host's load moves it by a few tenths (issue 13, twenty-first
# pass: the same code's first visits 0.9-1.4 s in runs minutes apart): each figure is the median of this many
# runs, each with a server and a browser of its own, and every run's figure is kept beside it.
PAGE_RUNS = 3


def pages_figures(data_dir: Path, runs: int = PAGE_RUNS) -> dict:
    """{"pages": {title: {visit: median seconds}}, "pages_runs": {title: {visit: [seconds of each run]}}}.

    A run that fails (a page not drawn in time) is said and left out: the others' figures are kept."""
    measured = []
    for run in range(runs):
        try:
            measured.append(dashboard_pages(data_dir))
        except Exception as exc:  # noqa: BLE001 - any failure of one run: the others still count
            print(f"pages: run {run + 1} of {runs} failed, left out: {exc}", file=sys.stderr, flush=True)
    if not measured:
        raise RuntimeError(f"pages: none of {runs} runs finished")
    each = {
        title: {visit: [round(m[title][visit], 2) for m in measured] for visit in by_visit}
        for title, by_visit in measured[0].items()
    }
    median = {
        title: {visit: round(statistics.median(values), 2) for visit, values in by_visit.items()}
        for title, by_visit in each.items()
    }
    return {"pages": median, "pages_runs": each, "pages_note": ""}  # `_pages` notes where they were measured


def _pages(scale: str, data_dir: str, out: str) -> None:
    """The pages alone, on a data directory built before (`python scripts/bench.py _pages 10 DIR`, DIR made by
    `alumni generate --scale 10 --data-dir DIR` and `alumni pipeline --data-dir DIR`): their figures replace the
    scale's pages in the .json, and the .md and .png are drawn again. The scale must have figures already."""
    path = REPO / out
    store = path.with_suffix(".json")
    results = json.loads(store.read_text(encoding="utf-8"))
    key = f"{float(scale):g}"
    if key not in results["scales"]:
        raise SystemExit(f"scale {key} has no figures in {store}: run make bench for it first")
    before = load_average()
    figures = pages_figures(Path(data_dir))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    figures["pages_note"] = (
        f"measured alone at {commit.stdout.strip() or 'an unknown commit'} on {date.today().isoformat()}, "
        f"load {before} → {load_average()}"
    )
    results["scales"][key].update(figures)
    store.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    publish(results, path)
    print(figures["pages"])


# Two frames painted after the page was drawn, then a moment, as a reader looks before the next click.
PAINTED_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


def _settle(page) -> None:
    page.wait_for_function(DRAWN_JS, timeout=120_000)
    page.evaluate(PAINTED_JS)
    page.wait_for_timeout(500)


def machine() -> str:
    from pipelines.settings import duckdb_memory_limit

    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    # the runs' DuckDB memory limit: it decides what spills
    limit = duckdb_memory_limit()
    return (
        f"{platform.system()} {platform.machine()}, {cpus} cores, {mem:.0f} GiB, Python {platform.python_version()}"
        f", DuckDB memory limit {limit}"
    )


def reference() -> str:
    """The same fixed work on every run, best of three: one core of Python and DuckDB on every core. A figure
    that grew by the same factor as these between two runs grew with the machine (a slower or busier host),
    not with the code; the shared machines these figures come from differ by up to twice from one run to another."""
    import duckdb

    def best(work) -> float:
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
        return min(seconds)

    python = best(lambda: sorted(str(i * 7919 % 1_000_003) for i in range(1_000_000)))
    con = duckdb.connect()
    try:
        sql = "select sum(hash(range)) from range(200_000_000)"
        in_duckdb = best(lambda: con.execute(sql).fetchall())
    finally:
        con.close()
    return f"reference work {python:.2f} s (Python) / {in_duckdb:.2f} s (DuckDB)"


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# What each scale is measured for; the picture draws the first five against scale.
PARTS = ("generate", "ingest", "pipeline", "month", "nothing_new", "pages")
DRAWN = {
    "generate": "generate",
    "ingest": "ingest only",
    "pipeline": "full build",
    "month": "one more month",
    "nothing_new": "nothing new",
}


def aims(scale: float, full_seconds: float | None) -> dict[str, str]:
    """The aims of issue 13 (2 cores), printed beside the figures; never asserted."""
    return {
        "generate": "–",
        "ingest": "≤ 2 × read_csv",
        "pipeline": {1.0: "< 40 s", 10.0: "< 180 s, < 3 GB", 50.0: "< 30 min, < 8 GB"}.get(scale, "–"),
        "month": f"< {0.15 * full_seconds:,.0f} s (15 % of the full build)"
        if full_seconds
        else "< 15 % of full",
        "nothing_new": "< 5 s" if scale >= 10 else "–",
    }


def measure_scale(scale: float, work: Path, parts: set[str]) -> dict:
    """Every figure of one scale, each from its own process: {part: {seconds, mib, note}}."""
    label = f"scale {scale:g}"
    data = work / f"scale{scale:g}"
    shutil.rmtree(data, ignore_errors=True)
    figures: dict = {"load_before": load_average(), "reference": reference()}

    def note(part: str, seconds: float, peak: float | None, extra: str = "") -> None:
        figures[part] = {"seconds": round(seconds, 2), "mib": round(peak) if peak else None, "note": extra}
        print(f"{label:9s} {part:12s} {seconds:9.1f} s {peak or 0:9,.0f} MiB  {extra}", flush=True)

    seconds, peak = generate(data, scale)
    files = sum(1 for p in (data / "landing").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in (data / "landing").rglob("*") if p.is_file()) / 2**20
    note("generate", seconds, peak, f"{files} files, {size:,.0f} MiB")

    if "ingest" in parts:
        ingest_dir = work / f"ingest{scale:g}"
        shutil.rmtree(ingest_dir, ignore_errors=True)
        shutil.copytree(data / "landing", ingest_dir / "landing")
        seconds, peak = ingest_only(ingest_dir)
        bound, bound_peak = read_csv_bound(ingest_dir)
        note("ingest", seconds, peak, f"read_csv of the same files {bound:.1f} s: {seconds / bound:.1f} ×")
        figures["read_csv"] = {"seconds": round(bound, 2), "mib": round(bound_peak), "note": ""}
        shutil.rmtree(ingest_dir, ignore_errors=True)
        tools_dir = work / f"tools{scale:g}"
        shutil.rmtree(tools_dir, ignore_errors=True)
        shutil.copytree(data / "landing", tools_dir / "landing")
        tool_seconds, tool_bound, tool_files, tool_mib = tool_ingest_vs_read_csv(tools_dir)
        figures["tools"] = {
            "seconds": round(tool_seconds, 2),
            "mib": None,
            "note": f"{tool_files} tool files, {tool_mib:,.1f} MiB; read_csv {tool_bound:.1f} s: "
            f"{tool_seconds / tool_bound:.1f} ×",
        }
        shutil.rmtree(tools_dir, ignore_errors=True)

    seconds, peak = pipeline(data)
    note("pipeline", seconds, peak)
    figures["pipeline"]["steps"] = run_steps(data)
    if "month" in parts:
        later = work / f"later{scale:g}"
        shutil.rmtree(later, ignore_errors=True)
        # the same world a month later (one horizon): finished years are the same files, the month adds
        # the running year's re-exports, a members snapshot and perhaps an erasure request
        generate(later, scale, UNTIL + timedelta(days=30))
        added, added_bytes = 0, 0
        for path in (later / "landing").rglob("*"):
            target = data / "landing" / path.relative_to(later / "landing")
            if path.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                added += 1
                added_bytes += path.stat().st_size
        seconds, peak = pipeline(data)
        note("month", seconds, peak, f"{added} new files, {added_bytes / 2**20:,.0f} MiB")
        figures["month"]["steps"] = run_steps(data)
        stored = event_log(data)
        figures["events"] = {
            "seconds": stored["kept"],
            "mib": None,
            "note": f"the month's {stored['events']} run events stored again (best of three); Dagster's own "
            f"class {stored['stock']:.1f} s",
        }
        shutil.rmtree(later, ignore_errors=True)
    if "nothing_new" in parts:
        seconds, peak = pipeline(data)
        note("nothing_new", seconds, peak, "the daily schedule's run on an unchanged landing folder")
    if "pages" in parts:
        figures.update(pages_figures(data))
        print(f"{label:9s} pages        {figures['pages']}", flush=True)
    figures["load_after"] = load_average()
    shutil.rmtree(data, ignore_errors=True)
    return figures


def render_markdown(results: dict) -> str:
    """The generated part of docs/benchmarks.md, from docs/benchmarks.json."""
    lines = [
        "Measured with `make bench` (`python scripts/bench.py`); each figure is one run in a fresh process, memory",
        "the peak resident set size of that process tree (`wait4`). Shared machines are noisy: the load average",
        "before and after each scale is given, and the time of a fixed reference work at its start (best of three:",
        "sorting a million strings in Python, a hash of 200 million numbers in DuckDB), which compares the machine",
        "of one run with another's; repeat before drawing conclusions from small differences.",
        "One more month: `alumni generate --until` 30 days later describes the same world (one horizon); the",
        "files it adds are copied into landing/ (the running year's exports again, a members snapshot, an",
        "erasure file). Nothing new: the same command once more, with nothing changed (the daily schedule).",
        *(
            [
                "dbt's parse of the project, made once per installation and after a change of the project by the",
                f"first command that needs it, took {results['dbt_parse']['seconds']:.1f} s ({results['dbt_parse']['date']}); "
                "the bench makes it before the first scale, and every build below reuses it.",
            ]
            if "dbt_parse" in results
            else []
        ),
        "",
        "| scale | what | time | peak memory | aim | note |",
        "|---|---|---|---|---|---|",
    ]
    pages: dict[str, dict] = {}
    runs_of: dict[str, dict] = {}
    page_notes: list[str] = []
    for key in sorted(results["scales"], key=float):
        figures = results["scales"][key]
        scale = float(key)
        full = figures.get("pipeline", {}).get("seconds")
        target = aims(scale, full)
        for part in ("generate", "ingest", "read_csv", "tools", "pipeline", "month", "events", "nothing_new"):
            if part not in figures:
                continue
            f = figures[part]
            mib = f"{f['mib']:,} MiB" if f.get("mib") else "–"
            name = {
                **DRAWN,
                "read_csv": "DuckDB read_csv (lower bound)",
                "tools": "ingest of tool exports",
                "events": "Dagster's event log",
            }[part]
            lines.append(
                f"| {scale:g} | {name} | {f['seconds']:,.1f} s | {mib} | {target.get(part, '–')} | {f['note']} |"
            )
        lines.append(
            f"| {scale:g} | (machine, date, load) | | | | {figures.get('machine', '')}, {figures.get('date', '')}, "
            f"load {figures.get('load_before', '?')} → {figures.get('load_after', '?')}"
            + (f", {figures['reference']}" if "reference" in figures else "")
            + " |"
        )
        if "pages" in figures:
            pages[f"scale {scale:g}"] = figures["pages"]
            runs_of[f"scale {scale:g}"] = figures.get("pages_runs", {})
            if figures.get("pages_note"):
                page_notes.append(f"scale {scale:g}: {figures['pages_note']}")
    if pages:
        titles = list(next(iter(pages.values())))
        visits = ("first", "again", "load")
        lines += [
            "",
            "Dashboard, headless Chromium on a started server: seconds from a click in the sidebar to the page drawn",
            "(script finished, no element still loading, every chart drawn) on the page's first visit after the app was",
            "opened on Strategie (its queries not yet cached; Strategie's own were, by the opening, so it is visited",
            "last, from Datenqualität) and on a later visit, each click once the page shown has settled; and the whole",
            "app opened at the page's address in a new tab. Aim: < 1 s. Where the runs are given, the figure is",
            "their median (each run with a server and a browser of its own) and every run's figure in brackets."
            + (
                f" Pages measured apart from the rest of their scale: {'; '.join(page_notes)}."
                if page_notes
                else ""
            ),
            "",
            "| page | " + " | ".join(f"{s}: {v}" for s in pages for v in visits) + " |",
            "|---|" + "---|" * (len(pages) * len(visits)),
            *[
                f"| {t} | "
                + " | ".join(_page_cell(pages[s], runs_of[s], t, v) for s in pages for v in visits)
                + " |"
                for t in titles
            ],
        ]
    steps = [
        (f"{float(key):g}", DRAWN[part], figures[part]["steps"])
        for key, figures in sorted(results["scales"].items(), key=lambda item: float(item[0]))
        for part in ("pipeline", "month")
        if figures.get(part, {}).get("steps")
    ]
    if steps:
        lines += [
            "",
            "Where a run spends its time: seconds per step from Dagster's run storage (the longest steps; the",
            "time outside the steps is the run's start, its end and Dagster's own bookkeeping) and the dbt build's",
            "longest nodes (`Execution Duration` of their materialisations).",
            "",
            "| scale | run | steps | dbt's longest nodes |",
            "|---|---|---|---|",
            *[
                f"| {scale} | {name} | "
                + ", ".join(f"{k} {v:.1f}" for k, v in by_step.items() if not k.startswith("dbt: "))
                + " | "
                + ", ".join(f"{k[5:]} {v:.1f}" for k, v in by_step.items() if k.startswith("dbt: "))
                + " |"
                for scale, name, by_step in steps
            ],
        ]
    lines.append("")
    lines.append("Growth at a glance: ![time and memory against scale](benchmarks.png)")
    return "\n".join(lines)


START, END = "<!-- make bench: from here -->", "<!-- make bench: to here -->"


def _page_cell(median: dict, runs: dict, title: str, visit: str) -> str:
    value = f"{median.get(title, {}).get(visit, float('nan')):.2f} s"
    each = runs.get(title, {}).get(visit)
    return f"{value} ({' / '.join(f'{x:.2f}' for x in each)})" if each and len(each) > 1 else value


def write_markdown(path: Path, body: str) -> None:
    """Replace the generated part of the file and keep every hand-written section around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{body}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        head, _, rest = text.partition("\n")
        text = f"{head}\n\n{block}\n\n{rest.lstrip()}"
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def publish(results: dict, out: Path) -> None:
    """The .md's generated part and the .png, from the figures (make bench, `--redraw`, `_pages`)."""
    write_markdown(out, render_markdown(results))
    draw(results, out.with_suffix(".png"))


def draw(results: dict, out: Path) -> None:
    """docs/benchmarks.png: time and peak memory against scale (log-log), one line per measurement."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = sorted(results["scales"], key=float)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=120)
    markers = dict(zip(DRAWN, "osD^v", strict=True))
    for part, name in DRAWN.items():
        points = [(float(s), results["scales"][s][part]) for s in scales if part in results["scales"][s]]
        if not points:
            continue
        xs = [x for x, _ in points]
        left.plot(xs, [f["seconds"] for _, f in points], marker=markers[part], label=name)
        mem = [(x, f["mib"]) for x, f in points if f.get("mib")]
        if mem:
            right.plot([x for x, _ in mem], [m / 1024 for _, m in mem], marker=markers[part], label=name)
    for axis, title, unit in ((left, "time", "seconds"), (right, "peak memory", "GiB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks([float(s) for s in scales], [f"{float(s):g}" for s in scales])
        axis.set_xlabel("scale (1 = about 9,000 members in 2017)")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    fig.suptitle("alumni warehouse: make bench on 2 cores", fontsize=10)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "_ingest":
        _ingest(sys.argv[2])
        return 0
    if len(sys.argv) > 3 and sys.argv[1] in ("_steps", "_event_log"):
        {"_steps": _steps, "_event_log": _event_log}[sys.argv[1]](sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) > 3 and sys.argv[1] == "_pages":
        _pages(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "docs/benchmarks.md")
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "_read_csv":
        _read_csv(sys.argv[2])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] in ("_ingest_tools", "_read_csv_tools"):
        {"_ingest_tools": _ingest_tools, "_read_csv_tools": _read_csv_tools}[sys.argv[1]](sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0, 50.0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=None,
        help="what to measure (default: everything; at scale 50 everything but ingest-only and the pages)",
    )
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--workdir", default=None, help="scratch space (default: a temporary directory)")
    parser.add_argument("--redraw", action="store_true", help="only render the .md and .png from the .json")
    args = parser.parse_args()
    out = REPO / args.out
    store = out.with_suffix(".json")
    results = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {"scales": {}}
    if not args.redraw:

        def parts_of(scale: float) -> set[str]:
            parts = set(
                args.parts or (PARTS if scale <= 10 else ("generate", "pipeline", "month", "nothing_new"))
            )
            return parts - {"pages"} if args.skip_dashboard else parts

        if any("pages" in parts_of(scale) for scale in args.scales) and not shutil.which("chromium"):
            # the pages come last: without a browser a run lost every figure after half an hour
            parser.error("chromium is missing (make bench installs it as root; or pass --skip-dashboard)")
        work = Path(args.workdir or tempfile.mkdtemp(prefix="alumni-bench-"))
        parse = dbt_parse()
        results["dbt_parse"] = {"seconds": round(parse, 2), "date": date.today().isoformat()}
        print(
            f"dbt's parse of the project {parse:.1f} s (once per installation; not part of any build below)"
        )
        for scale in args.scales:
            figures = measure_scale(scale, work, parts_of(scale))
            figures.update(machine=machine(), date=date.today().isoformat())
            # other scales keep their last figures, and so do the parts of this scale not measured again
            results["scales"].setdefault(f"{scale:g}", {}).update(figures)
            store.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    publish(results, out)
    print(f"written {out}, {store.name} and {out.with_suffix('.png').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
