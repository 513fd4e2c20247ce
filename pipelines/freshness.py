"""Is there anything to do? A run with nothing new costs a fraction of a second instead of a whole build.

After every published build of the whole job, `D/state/build.json` records what the build was made from, as
it stood when the run started: the landing folder (every entry ingest looks at, by name, size and modification
time: no file is read), the code (dbt project, expectations, the pipeline's Python, installed packages), the
pseudonymisation key (as a keyed fingerprint, never the key), the day it was built for, and the earliest dated
fact in the warehouse that still lay ahead of that day (an event next spring, a donation booked for the first
of next month). The next run, schedule tick, sensor tick or CLI call, compares:

- a landing entry new, changed or gone, other code, another key, no published file: a run;
- a new calendar month (monthly scores, network growth, the current year's months): a run;
- a day has passed and a dated fact fell due in between (the figures "as of today" move only then): a run;
- otherwise nothing: the published file already says what a build would say.

The record holds hashes, counts and dates only: nothing personal. A run that starts removes it and writes it
last, after the published file is in place, so a crash, a run of selected assets only, a midnight or a deploy
during the run can only cause one build too many, never one too few. To build regardless: `--full-refresh`.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.settings import (
    DBT_PROJECT_DIR,
    DBT_SOURCE_DIRS,
    DBT_SOURCE_FILES,
    EXPECTATIONS_DIR,
    REPO_ROOT,
    DataDir,
)

STATE_VERSION = 1


def state_file(data_dir: DataDir) -> Path:
    return data_dir.root / "state" / "build.json"


def pending_file(data_dir: DataDir) -> Path:
    return data_dir.root / "state" / "build.pending.json"


BERLIN = ZoneInfo("Europe/Berlin")


def today() -> date:
    """The day dbt builds for: the day of the run in Berlin (the `as_of_date` macro), whatever the host's zone."""
    return datetime.now(BERLIN).date()


def landing_fingerprint(data_dir: DataDir) -> tuple[str, int]:
    """Every entry under landing/ that ingest looks at (files in every folder; links too, never followed, as
    ingest never follows them; not hidden ones, which ingest ignores), by name, size and mtime."""
    entries = []
    if data_dir.landing.is_dir():
        for path in data_dir.landing.rglob("*"):
            if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
                continue
            stat = path.lstat()
            entries.append((str(path.relative_to(data_dir.landing)), stat.st_size, stat.st_mtime_ns))
    entries.sort()
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest(), len(entries)


def code_fingerprint() -> str:
    """What a build is made of besides the data: models, macros, seeds, suites, the pipeline's code, versions."""
    digest = hashlib.sha256()
    roots = [DBT_PROJECT_DIR / d for d in DBT_SOURCE_DIRS] + [EXPECTATIONS_DIR, REPO_ROOT / "pipelines"]
    files = [DBT_PROJECT_DIR / name for name in DBT_SOURCE_FILES]
    for root in roots:
        files.extend(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    # every installed package and its version (dbt, DuckDB, Great Expectations, pandas, ...)
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\0".join(installed).encode())
    return digest.hexdigest()


def key_fingerprint(data_dir: DataDir) -> str:
    """Another key means other pseudonyms in the published file: a keyed fingerprint, never the key itself."""
    from pipelines.ingest.privacy import load_key

    return hmac.new(load_key(data_dir.secrets), b"alumni build fingerprint", hashlib.sha256).hexdigest()[:16]


def analytics_stamp(data_dir: DataDir) -> list[int] | None:
    path = data_dir.analytics
    if not path.exists():
        return None
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


@dataclass(frozen=True)
class Decision:
    """Whether a run has something to do, and why (one line an operator understands)."""

    build: bool
    reason: str
    run_id: str | None = None  # the run that built what is published
    files: int = 0


def decide(data_dir: DataDir, now: date | None = None, landing: tuple[str, int] | None = None) -> Decision:
    """Compare the landing folder, code, key and calendar with the record of the last published build.
    `landing`: the folder's fingerprint where the caller has just taken it (the sensor)."""
    now = now or today()
    path = state_file(data_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Decision(True, "no record of an earlier build")
    if state.get("version") != STATE_VERSION:
        return Decision(True, "the record of the last build is from another release")
    digest, count = landing or landing_fingerprint(data_dir)
    built_for = date.fromisoformat(state["as_of"])
    due = date.fromisoformat(state["next_fact"]) if state.get("next_fact") else None
    if analytics_stamp(data_dir) != state.get("analytics"):
        return Decision(True, f"{data_dir.analytics.name} is missing or was changed since the last build")
    if digest != state.get("landing"):
        return Decision(True, "new or changed files in landing/")
    if code_fingerprint() != state.get("code"):
        return Decision(True, "the models or the pipeline's code changed since the last build")
    if key_fingerprint(data_dir) != state.get("key"):
        return Decision(True, "the pseudonymisation key changed since the last build")
    if (now.year, now.month) != (built_for.year, built_for.month):
        return Decision(True, f"a new calendar month ({now:%Y-%m}) since the last build")
    if due is not None and due <= now:
        return Decision(True, "a dated fact fell due since the last build (e.g. an event's day)")
    return Decision(
        False,
        f"nothing new since the build of {built_for.isoformat()}: landing files, code and month unchanged",
        run_id=state.get("run_id"),
        files=count,
    )


def next_fact(con, as_of: date) -> date | None:
    """The earliest day after `as_of` on which a fact in the raw tables is dated (events, donations, acts, ...):
    until then, moving "today" on changes no figure. Timestamps (UTC) count by their day in Berlin, as the
    models date them. Bookkeeping columns (`_loaded_at`, ...) are no facts; a file's export time is."""
    columns = con.execute(
        """
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'raw' and (data_type in ('DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'))
          and (column_name not like '\\_%' escape '\\' or column_name = '_exported_at')
        order by all
        """
    ).fetchall()
    if not columns:
        return None
    parts = []
    for table, column, kind in columns:
        day = {
            "DATE": f'"{column}"',
            "TIMESTAMP": f"timezone('Europe/Berlin', timezone('UTC', \"{column}\"))",  # naive values are UTC
        }.get(kind, f"timezone('Europe/Berlin', \"{column}\")")
        parts.append(
            f'select min(cast({day} as date)) as d from raw."{table}" where cast({day} as date) > $as_of'
        )
    found = con.execute(f"select min(d) from ({' union all '.join(parts)})", {"as_of": as_of}).fetchone()[0]
    return found


def start_build(data_dir: DataDir, run_id: str) -> None:
    """When a run starts: the record of the last build goes (a crash from here on means a build next time), and
    the landing folder as this run finds it is kept for the record this run writes once it has published."""
    state_file(data_dir).unlink(missing_ok=True)
    digest, count = landing_fingerprint(data_dir)
    # what the build starts from: a run that crosses midnight, or code deployed while it runs, is recorded as
    # what it was built from (the earlier day, the older code), so the next run builds again rather than skip
    started = {
        "run_id": run_id,
        "landing": digest,
        "files": count,
        "as_of": today().isoformat(),
        "code": code_fingerprint(),
        "key": key_fingerprint(data_dir),
    }
    _write(pending_file(data_dir), started)


def record_build(con, data_dir: DataDir, run_id: str) -> None:
    """After a publish: what it was built from. The landing folder is the one the run found when it started,
    so a file that arrived during the run is new to the next one."""
    try:
        started = json.loads(pending_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # a run started outside the resource (a test's direct call): no record, the next run builds
    if started.get("run_id") != run_id:
        return
    as_of = date.fromisoformat(started["as_of"])
    due = next_fact(con, as_of)
    state = {
        "version": STATE_VERSION,
        "run_id": run_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "next_fact": due.isoformat() if due else None,
        "landing": started["landing"],
        "files": started["files"],
        "code": started["code"],
        "key": started["key"],
        "analytics": analytics_stamp(data_dir),
    }
    _write(state_file(data_dir), state)
    pending_file(data_dir).unlink(missing_ok=True)


def _write(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(content, indent=1), encoding="utf-8")
    os.replace(tmp, path)
