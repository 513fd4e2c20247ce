"""The truth file (`D/demo_truth.json`): what the demo generator wrote, and where every deliberate defect went.

`Truth` collects the files, facts, broken rows and erasures while the sources are written and writes them once at
the end; `Injector` plans which export file of a source gets which defect and records where it landed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo.writer import CsvExport, XlsxExport

if TYPE_CHECKING:
    from pipelines.demo.generator import GenerateConfig


class Truth:
    """What was generated and where the deliberate defects went; written to D/demo_truth.json.

    `files`, `broken_rows`, `duplicate_files` cover the canonical exports (CONTRACTS.md §3; the one `.xlsx`
    catalogue has `"format": "xlsx"` and sheet rows for lines). The tool exports (TOOLS.md) have their own keys:
    `tool_files` (tool, kind, language, rows as the ledger counts them, lines, export date), `tool_broken_rows`
    (rows the reader must quarantine, with file, physical line, column and reason code) and `facts.tools`: per
    pretix and Zoom event what its latest downloads say (registrations, cancellations, attendees, speakers,
    add-ons; a pretix event's mentors, helpers and organisers, `volunteers_in_canonical`, come on top from the
    canonical attendance export), per listmonk campaign views, clicks and anonymous ones (counts of its latest download, which holds
    the earlier one), per Mautic campaign sends, reads (machine reads: delay under 2 s), clicks, bounces and
    unsubscribes as its latest report shows them.
    """

    def __init__(self, config: GenerateConfig) -> None:
        self.config = config
        self.files: dict[str, dict] = {}
        self.broken_rows: list[dict] = []
        self.soft_anomalies: list[dict] = []
        self.duplicate_files: list[dict] = []
        self.erasures: list[dict] = []
        self.facts: dict = {}
        self.tool_files: dict[str, dict] = {}  # tool exports (TOOLS.md): pretix, zoom, listmonk, mautic
        self.tool_broken_rows: list[dict] = []  # tool rows the reader must quarantine

    def add_file(self, source: str, export: CsvExport | XlsxExport, landing: Path) -> None:
        rel = export.path.relative_to(landing).as_posix()
        if isinstance(export, XlsxExport):
            self.files[rel] = {"source": source, "rows": export.rows, "lines": export.lines, "format": "xlsx"}
            return
        self.files[rel] = {
            "source": source,
            "rows": export.rows,
            "lines": export.lines,
            "encoding": export.style.encoding,
            "delimiter": export.style.delimiter,
            "newline": "crlf" if export.style.newline == "\r\n" else "lf",
        }

    def write(self, path: Path) -> None:
        payload = {
            "generator": "alumni generate",
            "params": {
                "scale": self.config.scale,
                "seed": self.config.seed,
                "until": self.config.until.isoformat(),
            },
            "facts": self.facts,
            "files": dict(sorted(self.files.items())),
            "duplicate_files": self.duplicate_files,
            "broken_rows": sorted(self.broken_rows, key=lambda r: (r["file"], r["line"])),
            "soft_anomalies": sorted(self.soft_anomalies, key=lambda r: (r["file"], r["line"])),
            "erasures": self.erasures,
            "tool_files": dict(sorted(self.tool_files.items())),
            "tool_broken_rows": sorted(self.tool_broken_rows, key=lambda r: (r["file"], r["line"])),
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=int), encoding="utf-8")


class Injector:
    """Puts each planned defect into one export file of its source, after a few good rows."""

    def __init__(self, rng: np.random.Generator, truth: Truth, landing: Path) -> None:
        self.rng = rng
        self.truth = truth
        self.landing = landing
        self.plan: dict[str, dict[int, list[str]]] = {}

    def plan_source(self, source: str, file_keys: list[int], kinds: list[str]) -> None:
        per_file: dict[int, list[str]] = {}
        for kind in kinds:
            key = file_keys[int(self.rng.integers(0, len(file_keys)))]
            per_file.setdefault(key, []).append(kind)
        self.plan[source] = per_file

    def kinds_for(self, source: str, file_key: int) -> list[str]:
        return list(self.plan.get(source, {}).get(file_key, []))

    def record(self, source: str, export: CsvExport, line: int, column: str, reason: str) -> None:
        self.truth.broken_rows.append(
            {
                "source": source,
                "file": export.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "reason": reason,
            }
        )

    def soft(self, source: str, export: CsvExport, line: int, column: str, kind: str) -> None:
        self.truth.soft_anomalies.append(
            {
                "source": source,
                "file": export.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "kind": kind,
            }
        )
