"""One writer of warehouse.duckdb at a time: a lock file held for a whole run.

Kept apart from the Dagster resources so that the CLI can take it (and find that there is nothing to do)
without importing Dagster.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from pipelines.settings import DataDir

# Lock files this process holds: the CLI holds the lock around its in-process run, whose resource takes it too.
_HELD: set[str] = set()


class WriterLockHeld(RuntimeError):
    """Another process holds the writer lock of this data directory."""


@contextmanager
def writer_lock(data_dir: DataDir) -> Iterator[None]:
    """One writer of warehouse.duckdb at a time, whoever starts the run (CLI, sensor, schedule, UI)."""
    data_dir.root.mkdir(parents=True, exist_ok=True)
    key = str(data_dir.lock_file)
    if key in _HELD:  # this process holds it already
        yield
        return
    with open(data_dir.lock_file, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WriterLockHeld(
                f"another pipeline run is writing {data_dir.warehouse}; runs are serialised - try again later"
            ) from exc
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)
