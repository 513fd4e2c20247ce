"""`make bench`: time and peak memory of generation, ingestion, the full pipeline and the dashboard pages.

Every measurement runs in its own process; peak memory is that process tree's maximum resident set size
(`wait4`). Figures go to docs/benchmarks.md with the machine they were taken on. Nothing here asserts a limit:
the aims from the issues are printed beside the figures.

    python scripts/bench.py --out docs/benchmarks.md [--scales 1 10] [--skip-dashboard]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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


def pipeline(data_dir: Path) -> tuple[float, float]:
    seconds, peak, code = measure([str(BIN / "alumni"), "pipeline", "--data-dir", str(data_dir)], env=KEY_ENV)
    assert code in (0, 2), f"pipeline failed ({code})"
    return seconds, peak


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


def dashboard_pages(data_dir: Path) -> dict[str, float]:
    """Seconds from navigation to the page's charts drawn, per page, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))  # `tests` is not installed: the headless helpers live there
    from pipelines.settings import DataDir
    from tests.dashboard.headless import CHROMIUM, CHROMIUM_ARGS, PAGES, start, stop

    server, port = start(DataDir(data_dir))
    try:
        timings = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(f"http://127.0.0.1:{port}/")  # warm-up: the app's first start
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            for path, title in PAGES.items():
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{path}")
                page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=120_000)
                if path != "datenqualitaet":
                    page.locator(".js-plotly-plot").last.wait_for(timeout=120_000)
                page.wait_for_load_state("networkidle")
                timings[title] = time.perf_counter() - started
            browser.close()
        return timings
    finally:
        stop(server)


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {cpus} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "_ingest":
        _ingest(sys.argv[2])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "_read_csv":
        _read_csv(sys.argv[2])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] in ("_ingest_tools", "_read_csv_tools"):
        {"_ingest_tools": _ingest_tools, "_read_csv_tools": _read_csv_tools}[sys.argv[1]](sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--scales", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--workdir", default=None, help="scratch space (default: a temporary directory)")
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="alumni-bench-"))
    rows: list[tuple[str, str, str, str]] = []

    def record(what: str, seconds: float, peak: float | None, aim: str) -> None:
        mem = f"{peak:,.0f} MiB" if peak is not None else "–"
        rows.append((what, f"{seconds:,.1f} s", mem, aim))
        print(f"{what:55s} {seconds:8.1f} s  {mem:>10s}   aim: {aim}", flush=True)

    pages: dict[str, dict[str, float]] = {}
    for scale in args.scales:
        label = f"scale {scale:g}"
        data = work / f"scale{scale:g}"
        shutil.rmtree(data, ignore_errors=True)
        seconds, peak = generate(data, scale)
        record(f"generate, {label}", seconds, peak, "< 20 s" if scale == 1 else "< 3 min, < 2 GB")
        files = sum(1 for _ in (data / "landing").rglob("*.csv"))
        size = sum(p.stat().st_size for p in (data / "landing").rglob("*.csv")) / 2**20
        print(f"  {files} files, {size:,.0f} MiB", flush=True)

        ingest_dir = work / f"ingest{scale:g}"
        shutil.rmtree(ingest_dir, ignore_errors=True)
        shutil.copytree(data / "landing", ingest_dir / "landing")
        seconds_ingest, peak = ingest_only(ingest_dir)
        record(f"ingest only (rules, hashes, ledger), {label}", seconds_ingest, peak, "within 2x of read_csv")
        seconds_bound, peak = read_csv_bound(ingest_dir)
        record(f"DuckDB read_csv of the same files (lower bound), {label}", seconds_bound, peak, "–")
        rows.append((f"ingest / read_csv, {label}", f"{seconds_ingest / seconds_bound:.1f} x", "", "< 2 x"))
        shutil.rmtree(ingest_dir, ignore_errors=True)

        tools_dir = work / f"tools{scale:g}"
        shutil.rmtree(tools_dir, ignore_errors=True)
        shutil.copytree(data / "landing", tools_dir / "landing")
        tool_seconds, bound_seconds, tool_files, tool_mib = tool_ingest_vs_read_csv(tools_dir)
        what = f"{tool_files} files, {tool_mib:,.1f} MiB"
        record(f"ingest of tool exports ({what}), {label}", tool_seconds, None, "–")
        record(f"DuckDB read_csv of the same tool files, {label}", bound_seconds, None, "–")
        rows.append((f"tool ingest / read_csv, {label}", f"{tool_seconds / bound_seconds:.1f} x", "", "–"))
        shutil.rmtree(tools_dir, ignore_errors=True)

        seconds, peak = pipeline(data)
        record(
            f"alumni pipeline, full, {label}", seconds, peak, "< 60 s" if scale == 1 else "< 6 min, < 4 GB"
        )
        full_seconds = seconds
        if scale == max(args.scales):
            later = work / "later"
            shutil.rmtree(later, ignore_errors=True)
            # the same world a month later (one horizon): finished years are the same files, the month adds
            # the running year's re-exports, a members snapshot and perhaps an erasure request
            generate(later, scale, UNTIL + timedelta(days=30))
            added, added_bytes = 0, 0
            for path in (later / "landing").rglob("*.csv"):
                target = data / "landing" / path.relative_to(later / "landing")
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    added += 1
                    added_bytes += path.stat().st_size
            seconds, peak = pipeline(data)
            record(
                f"alumni pipeline after one more month ({added} new files, {added_bytes / 2**20:,.0f} MiB), {label}",
                seconds,
                peak,
                f"< {full_seconds / 4:,.0f} s (a quarter of the full build)",
            )
            seconds, peak = pipeline(data)
            record(f"alumni pipeline with nothing new (the daily schedule), {label}", seconds, peak, "–")
            shutil.rmtree(later, ignore_errors=True)
        if not args.skip_dashboard:
            pages[label] = dashboard_pages(data)
            for title, seconds in pages[label].items():
                print(f"  page {title:15s} {seconds:5.2f} s", flush=True)

    lines = [
        "# Benchmarks",
        "",
        f"Measured with `make bench` ({date.today().isoformat()}) on {machine()}.",
        "Each figure is one run in a fresh process; memory is the peak resident set size of that process tree.",
        "Shared machines are noisy: repeat before drawing conclusions from small differences.",
        "One more month: `alumni generate --until` 30 days later describes the same world (the generator",
        "simulates to a fixed horizon), and the files it adds are copied into the landing folder: the running",
        "year's exports again (they repeat every earlier row of the year), a members snapshot, an erasure file.",
        "",
        "| what | time | peak memory | aim |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
    ]
    if pages:
        lines += [
            "",
            "Dashboard: seconds from navigation to the last chart drawn (headless Chromium, warm server).",
            "",
            "| page | " + " | ".join(pages) + " |",
            "|---|" + "---|" * len(pages),
        ]
        for title in next(iter(pages.values())):
            lines.append(f"| {title} | " + " | ".join(f"{pages[s][title]:.2f} s" for s in pages) + " |")
        lines.append("")
        lines.append("Aim: under 2 s per page at scale 10.")
    out = REPO / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {out}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
