"""A tool export being written (`ToolFile`): physical lines counted, so that the truth file can point at any."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ToolFile:
    """One tool export being written: physical lines counted so the truth file can point at any of them."""

    path: Path
    tool: str
    kind: str
    language: str
    delimiter: str = ","
    newline: str = "\n"
    bom: bool = False
    lines: int = 0
    rows: int = 0
    _out: list[str] = field(default_factory=list)
    _handle: object = None

    def line(self, text: str, data: bool = True) -> int:
        """Write one physical line (already formatted); return its line number."""
        assert "\n" not in text and "\r" not in text
        self._out.append(text)
        self.lines += 1
        self.rows += data
        if len(self._out) >= 4096:
            self.flush()
        return self.lines

    def flush(self) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("wb")
            if self.bom:
                self._handle.write(b"\xef\xbb\xbf")
        if self._out:
            self._handle.write((self.newline.join(self._out) + self.newline).encode("utf-8"))
            self._out.clear()

    def close(self) -> None:
        self.flush()
        self._handle.close()
