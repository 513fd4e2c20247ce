"""The `alumni` command line (CONTRACTS.md §1): generate, pipeline, dashboard, report.

Heavy imports (Dagster, dbt, Streamlit) happen inside the commands, so `alumni --help` and `alumni generate`
start fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from pipelines.settings import DataDir


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alumni",
        description="Alumni analytics warehouse of TU Chemnitz (demo data, pipeline, dashboard).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    data_help = "data directory (default: $ALUMNI_DATA_DIR, else ./data)"

    gen = sub.add_parser("generate", help="write the demo exports into D/landing/")
    gen.add_argument("--data-dir", help=data_help)
    gen.add_argument("--scale", type=_positive, default=1.0, help="1 = about 9,000 members in mid-2017")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--until", type=_date, default=None, help="last day of history (default: today)")

    pipe = sub.add_parser("pipeline", help="ingest, validate, build the marts and publish analytics.duckdb")
    pipe.add_argument("--data-dir", help=data_help)
    pipe.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental dbt models from scratch (after an upgrade)",
    )

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard on D/analytics.duckdb")
    dash.add_argument("--data-dir", help=data_help)
    dash.add_argument("--port", type=int, default=8501)
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1; any other needs sign-in configured, see README)",
    )

    report = sub.add_parser(
        "report", help="write the year's strategy report as one self-contained HTML file (prints on A4)"
    )
    report.add_argument("--data-dir", help=data_help)
    report.add_argument("--year", type=int, default=None, help="default: the last complete year")
    report.add_argument("--lang", choices=["de", "en"], default="de")
    report.add_argument("--out", default=None, help="default: D/reports/strategy_<year>_<lang>.html")
    return parser


def cmd_generate(args: argparse.Namespace) -> int:
    from pipelines.demo.generator import GenerateConfig, generate

    data_dir = DataDir.resolve(args.data_dir)
    until = args.until or date.today()
    started = time.perf_counter()
    truth_path = generate(GenerateConfig(data_dir.root, scale=args.scale, seed=args.seed, until=until))
    import json
    from collections import Counter

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    facts = truth["facts"]
    rows = sum(f["rows"] for f in truth["files"].values())
    print(f"Demo data written to {data_dir.landing}")
    print(f"  {len(truth['files'])} files, {rows:,} rows, history to {until.isoformat()}")
    print(f"  members registered {facts['members_registered']:,}, members today {facts['members_until']:,}")
    tool_files = truth.get("tool_files", {})
    if tool_files:
        per_tool = Counter(meta["tool"] for meta in tool_files.values())
        tool_rows = sum(meta["rows"] for meta in tool_files.values())
        kinds = ", ".join(f"{tool} {n}" for tool, n in sorted(per_tool.items()))
        print(f"  {len(tool_files)} tool exports ({kinds}), {tool_rows:,} rows (see TOOLS.md)")
    print(f"  {len(truth['broken_rows'])} deliberately broken rows (see {truth_path.name})")
    print(f"  took {time.perf_counter() - started:.1f} s")
    return 0


def cmd_pipeline(args: argparse.Namespace) -> int:
    from pipelines.run import run_pipeline

    return run_pipeline(DataDir.resolve(args.data_dir), full_refresh=args.full_refresh)


def cmd_dashboard(args: argparse.Namespace) -> int:
    from dashboard.serve import serve

    return serve(DataDir.resolve(args.data_dir), port=args.port, host=args.host)


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dashboard.report import write

    data_dir = DataDir.resolve(args.data_dir)
    if not data_dir.analytics.exists():
        print(f"{data_dir.analytics} does not exist yet: run `alumni pipeline` first.", file=sys.stderr)
        return 1
    try:
        path = write(data_dir, args.year, args.lang, Path(args.out) if args.out else None)
    except ValueError as exc:
        print(f"no report: {exc}", file=sys.stderr)
        return 2
    print(f"Report written to {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "generate": cmd_generate,
        "pipeline": cmd_pipeline,
        "dashboard": cmd_dashboard,
        "report": cmd_report,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
