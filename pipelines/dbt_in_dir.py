"""dbt, run in a data directory: `python -m pipelines.dbt_in_dir DIR <dbt's arguments>`.

profiles.yml names the warehouse `warehouse.duckdb`, a path relative to dbt's working directory, and this runs dbt
with DIR as that directory. The profile is then the same for every data directory, and so is dbt's saved parse
(`partial_parse.msgpack`): dbt parses the whole project again whenever the profile differs from the one its saved
parse was made with, and a warehouse path passed as a dbt var made every data directory's first run (every full
build) parse the whole project again: `dbt parse` took 6.5-8.5 s so, 3.6-4.0 s with the saved parse reused
(docs/benchmarks.md, issue 13, twenty-second pass). The parse of `python -m pipelines.dbt_prepare`, made before
Dagster loads the definitions, now serves the first build too.

dagster-dbt starts dbt in the project's directory and passes the target and log paths relative to it (as
DBT_TARGET_PATH and DBT_LOG_PATH): they are made absolute first, as dbt would have resolved them there (the log
path against its working directory, the target path against the project's). The data directory must exist (the
pipeline's writer lock makes it; a mistyped one is refused, not made).
"""

from __future__ import annotations

import gc
import os
import sys

# what sets the level of dbt's log file, directly or through the level of its whole log
LEVEL_ASKED_FOR = {"DBT_LOG_LEVEL_FILE", "DBT_LOG_LEVEL", "DBT_DEBUG"}
LEVEL_FLAGS = {"--log-level-file", "--log-level", "--debug", "-d"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m pipelines.dbt_in_dir DIR <dbt arguments>", file=sys.stderr)
        return 2
    directory, dbt_args = argv[0], argv[1:]
    # a mistyped data directory is refused, not made: DuckDB would make an empty warehouse in it
    if not os.path.isdir(directory):
        print(f"pipelines.dbt_in_dir: {directory} is not a directory", file=sys.stderr)
        return 2
    # as dbt would have resolved them here: the target path against the project, the log path against this directory
    bases = {"DBT_TARGET_PATH": os.environ.get("DBT_PROJECT_DIR", os.getcwd()), "DBT_LOG_PATH": os.getcwd()}
    for name, base in bases.items():
        value = os.environ.get(name)
        if value and not os.path.isabs(value):
            os.environ[name] = os.path.join(os.path.abspath(base), value)
    os.chdir(directory)
    # dbt's log file at info, unless the file's or the whole log's level is asked for (dbt gives the file the
    # level of --log-level only where the file's own is not set): the pipeline's dbt writes its log into
    # dagster-dbt's target folder, which the dbt step removes once it has read the results (pipelines/defs/
    # transform.py), and its debug lines (three per SQL statement) were never read; dbt_prepare's docs keep
    # their log, at info too (its parse runs dbt itself, at dbt's own level). DBT_LOG_LEVEL_FILE=debug,
    # --log-level-file debug, --log-level debug or --debug bring the debug lines back.
    if not LEVEL_ASKED_FOR.intersection(os.environ) and not any(
        arg.split("=")[0] in LEVEL_FLAGS for arg in dbt_args
    ):
        os.environ["DBT_LOG_LEVEL_FILE"] = "info"
    from dbt.cli.main import cli

    skip_debug_events_no_one_logs()
    reuse_agate_type_testers()

    # dbt's modules, imported, are about a million objects that live as long as the process: frozen, Python's
    # garbage collector no longer walks them in every full collection of the build and at its exit (docs/
    # benchmarks.md, thirty-fourth pass)
    gc.freeze()
    sys.argv = ["dbt", *dbt_args]
    return cli()  # click's standalone mode exits with dbt's code


QUIET_LEVELS = ("info", "warn", "error")


def skip_debug_events_no_one_logs() -> None:
    """dbt fires three debug events for every SQL statement (connection used, the query, its status) and builds
    each one's protobuf log message before its loggers drop it: about 5,000 a build, 1.6 s of a month's dbt build
    at scale 1 (the median of five pairs; docs/benchmarks.md, thirty-ninth pass). A debug event is dropped here,
    unbuilt, when no logger writes debug lines and no callback but dbt's own tracking of behaviour changes (which
    looks only at those warnings) would see it; with a logger at debug (`--debug`, `--log-level debug` for the
    output, DBT_LOG_LEVEL_FILE=debug for the file) every event goes to dbt as before. Left alone where this dbt
    version keeps its event manager elsewhere."""
    try:
        from dbt.tracking import track_behavior_change_warn
        from dbt_common.events.base_types import EventLevel
        from dbt_common.events.event_manager import EventManager
    except ImportError:
        return
    fire = EventManager.fire_event
    if getattr(fire, "skips_unlogged_debug_events", False):
        return

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (
            (level or e.level_tag()) == EventLevel.DEBUG
            and not force_warn_or_error_handling
            and all(logger.level in QUIET_LEVELS for logger in self.loggers)
            and all(callback is track_behavior_change_warn for callback in self.callbacks)
        ):
            return None
        return fire(
            self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling
        )

    fire_event.skips_unlogged_debug_events = True
    EventManager.fire_event = fire_event


def reuse_agate_type_testers() -> None:
    """dbt makes an agate table of every statement's result (an empty one where nothing is fetched), and a type
    tester for each anew: seven column types, two of them (date, date and time) with a parser of dates whose
    constants take about 0.2 ms to build; 0.2-0.4 ms a table, about 800 statements in a month's build at scale 1.
    The testers are made once per set of text columns here and reused, as dbt's own default tester is
    (`DEFAULT_TYPE_TESTER`): a tester and its types keep no state of the tables they typed. About 0.4 s of that
    build (docs/benchmarks.md, fortieth pass). Left alone where this dbt version builds its tables elsewhere."""
    try:
        import agate
        from dbt_common.clients import agate_helper
    except ImportError:
        return
    build = agate_helper.build_type_tester
    if getattr(build, "reused", False):
        return
    testers: dict[tuple, agate.TypeTester] = {}

    def build_type_tester(text_columns, string_null_values=("null", "")):
        nulls = tuple(string_null_values) if string_null_values is not None else None
        key = (frozenset(text_columns), nulls)
        tester = testers.get(key)
        if tester is None:
            tester = testers[key] = build(key[0], string_null_values=nulls)
        return tester

    empty_tester = agate.TypeTester()

    def empty_table():
        return agate.Table(rows=[], column_types=empty_tester)

    build_type_tester.reused = True
    agate_helper.build_type_tester = build_type_tester
    agate_helper.empty_table = empty_table


if __name__ == "__main__":
    sys.exit(main())
