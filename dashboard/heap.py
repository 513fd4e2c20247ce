"""The server process's Python heap.

Python's collector scans every container object it tracks in a full collection: after the imports (Streamlit,
pandas, plotly and the validators plotly makes for its first figures) that is millions of objects, and a page
run allocates enough to start a full collection about once a second: 60-120 ms each, measured in the middle of
page runs (docs/benchmarks.md). Frozen once after the first run, they are left out of every later collection;
they live as long as the process anyway.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_after_first_run() -> None:
    """Call at the end of the app script: the first time, collect what that run left behind and freeze the rest."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
