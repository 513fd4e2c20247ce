"""`alumni generate`: a realistic alumni network, written as the office's exports (CONTRACTS.md §3).

The network is simulated first (`network`: people, their addresses, moves, consents, clubs), as numpy arrays so
that `--scale 10` stays fast and small; each source (`sources/`) then draws what it records from that network and
writes its files, the high-volume newsletter activity streamed campaign by campaign. From some year on the
office's tools (`tools/`: pretix, Zoom, listmonk, Mautic) export some events and campaigns instead. The exports
carry the dirt of real ones (encodings, delimiters, CRLF, e-mail case and whitespace, overlapping exports, a
re-downloaded file, a few broken rows), and `demo_truth.json` (`truth`) beside `landing/` says exactly what was
generated and where every broken row went.

This module holds the entry point (`GenerateConfig`, `generate`) and the run that ties the parts together.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from pipelines.demo.formats import ordinal
from pipelines.demo.network import HISTORY_START, Network, found_clubs, horizon, request_erasures
from pipelines.demo.sources import clubs, donations, erasure, events, members, newsletter
from pipelines.demo.tools.office import ToolExports
from pipelines.demo.truth import Injector, Truth
from pipelines.demo.writer import CsvExport, ExportStyle, XlsxExport


@dataclass(frozen=True)
class GenerateConfig:
    data_dir: Path
    scale: float = 1.0
    seed: int = 42
    until: date = field(default_factory=lambda: date.today())  # today when the config is made, not imported


class DemoGenerator:
    """One run: the network, the tools, the truth file, and what every source needs to write its files."""

    def __init__(self, config: GenerateConfig) -> None:
        self.config = config
        self.landing = config.data_dir / "landing"
        self.truth = Truth(config)
        self.inject = Injector(np.random.default_rng(config.seed + 1), self.truth, self.landing)
        self.until = ordinal(config.until)  # the exports' cut
        self.horizon = ordinal(horizon(config.until))  # the simulation's end
        self.years = list(range(HISTORY_START.year, config.until.year + 1))

    def stream(self, part: int) -> np.random.Generator:
        """One random stream per part of the world, so that a part drawing less (nothing after `until`) does not
        shift what the parts after it draw."""
        return np.random.default_rng([self.config.seed, part])

    def export_date(self, year: int) -> date:
        return min(date(year, 12, 31), self.config.until)

    def open(self, source: str, folder: str, name: str, header: list[str], style: ExportStyle) -> CsvExport:
        return CsvExport(self.landing / folder / name, header, style)

    def close(self, source: str, export: CsvExport | XlsxExport) -> None:
        export.close()
        self.truth.add_file(source, export, self.landing)

    def run(self) -> Path:
        if self.landing.exists():
            shutil.rmtree(self.landing)
        self.landing.mkdir(parents=True)
        self.net = Network(self.config, self.stream(1))
        self.tools = ToolExports(self)
        self._plan_defects()
        self.erasures = request_erasures(self.net, self.stream(2), self.config.scale)
        erasure_rows = erasure.request_rows(self)
        self.clubs = found_clubs(self.net, self.stream(3), self.config.scale)
        clubs.write_catalogue(self)
        campaigns = newsletter.write(self)
        events.write(self)
        clubs.write_reports(self)
        donations.write(self)
        members.write(self)
        erasure.write(self, erasure_rows)
        self.tools.finish()
        self._facts(erased=len(erasure_rows), campaigns=len(campaigns))
        truth_path = self.config.data_dir / "demo_truth.json"
        self.truth.write(truth_path)
        return truth_path

    def _plan_defects(self) -> None:
        """Which export file of each source gets which of the source's defects (the order draws the files)."""
        years = self.years
        recent = [y for y in years if y >= 2017] or years
        plan = self.inject.plan_source
        plan("members", list(range(len(members.snapshot_days(self)))), members.DEFECTS)
        plan("newsletter_campaigns", years, newsletter.CAMPAIGN_DEFECTS)
        plan("newsletter_activity", years, newsletter.ACTIVITY_DEFECTS)
        plan("events", years, events.EVENT_DEFECTS)
        plan("attendance", years, events.ATTENDANCE_DEFECTS)
        plan("clubs", recent, clubs.CLUB_DEFECTS)
        plan("club_activities", recent, clubs.ACTIVITY_DEFECTS)
        plan("donations", [y for y in years if y >= 2014] or years, donations.DEFECTS)
        plan("erasure_requests", [0], erasure.DEFECTS)

    def _facts(self, erased: int, campaigns: int) -> None:
        net = self.net
        everyone = np.arange(net.n)
        mid_2017 = ordinal(date(2017, 6, 30))
        today = self.until
        active_today = net.is_member_on(everyone, today)
        countries = {net.cities[c][1] for c in net.city_at(everyone[active_today], today)}
        self.truth.facts.update(
            {
                "members_registered": int((net.registered <= today).sum()),
                "members_mid_2017": int(net.is_member_on(everyone, mid_2017).sum())
                if today >= mid_2017
                else None,
                "members_until": int(active_today.sum()),
                "countries_until": len(countries),
                "duplicate_people": int(((net.duplicate_of >= 0) & (net.registered <= today)).sum()),
                "erased": erased,
                "campaigns": campaigns,
            }
        )


def generate(config: GenerateConfig) -> Path:
    """Write the demo exports into `config.data_dir/landing`; return the truth file's path."""
    return DemoGenerator(config).run()
