"""Every raw table: the canonical sources (sources.py) and one per kind of tool export (tools.py).

The schema, erasure, the quality checks and the publish guard read their tables and columns from here.
"""

from __future__ import annotations

from pipelines.ingest.sources import SOURCES, Source
from pipelines.ingest.tools import tables as tool_tables


def raw_tables() -> list[Source]:
    return [*SOURCES, *tool_tables()]


def raw_table(name: str) -> Source | None:
    return next((s for s in raw_tables() if s.name == name), None)
