"""The office's tools as one: which events and campaigns a tool speaks for (and so leave the canonical exports),
the ids the catalogues carry for them, the person behind a registration, and the tools' files in the truth file.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo.formats import day_of, local
from pipelines.demo.tools import LISTMONK_YEAR, MAUTIC_FROM, PRETIX_FROM, ZOOM_FROM
from pipelines.demo.tools.files import ToolFile
from pipelines.demo.tools.listmonk import ListmonkWriter
from pipelines.demo.tools.mautic import MauticWriter
from pipelines.demo.tools.pretix import PretixWriter
from pipelines.demo.tools.zoom import ZoomWriter

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

MONTHS_DE = ["jan", "feb", "mrz", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"]


class ToolExports:
    """Decides which events and campaigns a tool speaks for, and writes those tools' exports."""

    def __init__(self, gen: DemoGenerator) -> None:
        self.gen = gen
        self.config = gen.config
        self.landing = gen.landing
        self.truth = gen.truth
        self.until = gen.config.until
        self.files: list[ToolFile] = []
        self.facts: dict[str, dict] = {"pretix": {}, "zoom": {}, "listmonk": {}, "mautic": {}}
        self.campaign_ids: dict[str, tuple[str, int]] = {}  # cid -> (Externe ID, Empfänger)
        self.listmonk = ListmonkWriter(self)
        self.mautic = MauticWriter(self)

    # ---------------------------------------------------------------- shared
    def event_rng(self, event_id: str, part: int) -> np.random.Generator:
        _, year, number = event_id.split("-")
        return np.random.default_rng([self.config.seed, 30 + part, int(year), int(number)])

    def hash_uuid(self, *parts: object) -> str:
        digest = hashlib.sha256("|".join(str(p) for p in (self.config.seed, *parts)).encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def exported(self, d: date) -> bool:
        return d <= self.until

    def open(self, out: ToolFile) -> ToolFile:
        self.files.append(out)
        return out

    def close(self, out: ToolFile, export_date: date, **extra) -> None:
        out.close()
        rel = out.path.relative_to(self.landing).as_posix()
        self.truth.tool_files[rel] = {
            "tool": out.tool,
            "kind": out.kind,
            "language": out.language,
            "rows": out.rows,
            "lines": out.lines,
            "encoding": "utf-8-sig" if out.bom else "utf-8",
            "delimiter": out.delimiter,
            "newline": "crlf" if out.newline == "\r\n" else "lf",
            "export_date": export_date.isoformat(),
            **extra,
        }

    def broken(self, out: ToolFile, line: int, column: str, reason: str) -> None:
        self.truth.tool_broken_rows.append(
            {
                "tool": out.tool,
                "kind": out.kind,
                "file": out.path.relative_to(self.landing).as_posix(),
                "line": line,
                "column": column,
                "reason": reason,
            }
        )

    # ---------------------------------------------------------------- events
    def event_tool(self, ev: dict) -> str | None:
        year = int(ev["id"].split("-")[1])
        if ev["type"] in ("Alumnitreffen", "Karriere") and year >= PRETIX_FROM:
            return "pretix"
        if ev["type"] == "Ringvorlesung" and year >= ZOOM_FROM:
            return "zoom"
        return None

    def event_external_id(self, ev: dict) -> str:
        """`Externe ID` of the catalogue: the pretix event slug, or the Zoom webinar id (digits only)."""
        tool = self.event_tool(ev)
        start = local(ev["start"])
        if tool == "pretix":
            if ev["type"] == "Alumnitreffen":
                return f"alumnitreffen{start.year}"
            return f"karriere{start.year}{MONTHS_DE[start.month - 1]}"
        if tool == "zoom":
            rng = self.event_rng(ev["id"], 0)
            return "8" + "".join(str(d) for d in rng.integers(0, 10, 10))
        return ""

    def diverts_registration(self, ev: dict, reg: list) -> bool:
        """A tool event's registrations come from the tool, not the portal; pretix sells no mentor tickets."""
        tool = self.event_tool(ev)
        if tool == "zoom":
            return True
        return tool == "pretix" and reg[7] == "Teilnehmer/in"

    def write_event_exports(self, events: list[dict], registrations: dict[str, list[list]]) -> None:
        pretix, zoom = PretixWriter(self), ZoomWriter(self)
        for ev in events:
            tool = self.event_tool(ev)
            regs = [r for r in registrations.get(ev["id"], []) if self.diverts_registration(ev, r)]
            if tool == "pretix":
                pretix.event(ev, regs)
                if ev["id"] in self.facts["pretix"]:  # who buys no ticket: in the portal's attendance export
                    volunteers = len(registrations.get(ev["id"], [])) - len(regs)
                    self.facts["pretix"][ev["id"]]["volunteers_in_canonical"] = volunteers
            elif tool == "zoom":
                zoom.webinar(ev, regs)

    # ---------------------------------------------------------------- newsletter
    def campaign_tool(self, sent_at: int) -> str | None:
        year = day_of(sent_at).year
        if year == LISTMONK_YEAR:
            return "listmonk"
        if year >= MAUTIC_FROM:
            return "mautic"
        return None

    def divert_campaign(self, campaign: tuple, rows: list[tuple], members, email_idx) -> bool:
        """Called with a campaign's simulated rows (grouped by recipient, each group led by its `sent` row)."""
        tool = self.campaign_tool(campaign[3])
        if tool == "listmonk":
            self.listmonk.campaign(campaign, rows, members, email_idx)
        elif tool == "mautic":
            self.mautic.campaign(campaign, rows)
        else:
            return False
        return True

    def campaign_catalogue_extra(self, cid: str) -> list[str]:
        externe, recipients = self.campaign_ids.get(cid, ("", None))
        return [externe, "" if recipients is None else str(recipients)]

    def finish(self) -> None:
        self.listmonk.finish()
        self.mautic.finish()
        self.truth.facts["tools"] = self.facts

    # ---------------------------------------------------------------- people
    def person(self, reg: list, rng: np.random.Generator) -> dict:
        """Name, address as typed, graduation year and programme of a registration's person."""
        net = self.gen.net
        m = reg[8]
        if m < 0:  # a guest from outside the network
            female = rng.random() < 0.5
            first = (ref.FIRST_NAMES_F if female else ref.FIRST_NAMES_M)[int(rng.integers(0, 40))]
            last = ref.LAST_NAMES[int(rng.integers(0, len(ref.LAST_NAMES)))]
            return {"first": first, "last": last, "title": "", "email": reg[2], "year": "", "programme": "",
                    "country": "Germany", "member": -1}  # fmt: skip
        signed = reg[4] // 86400
        email = net.emails[net.email_index_at(np.array([m]), signed)[0]]
        if rng.random() < 0.08:  # typed with capitals; the tools keep what people type
            email = email.capitalize()
        city_idx = net.city_at(np.array([m]), signed)[0]
        code = net.cities[city_idx][1]
        country = ref.countries().get(code, {}).get("name_en", "Germany")
        return {
            "first": net.first[m],
            "last": net.last[m],
            "title": net.title[m],
            "email": email,
            "year": str(net.grad_year[m]) if net.grad_year[m] else "",
            "programme": net.programme[m],
            "country": country,
            "member": m,
        }
