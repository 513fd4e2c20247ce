"""Sources `clubs` and `club_activities`: the yearly club catalogue and the clubs' activity reports (`landing/clubs/`).

The clubs themselves are founded in the network (`network.found_clubs`); here their state is exported once a year
from 2017, and each club's quarterly reports are drawn (a sleeping club reports little) and exported.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo.formats import FMT, country_label, from_ordinal, ordinal
from pipelines.demo.writer import ExportStyle

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

CLUB_HEADER = ["Club-ID", "Name", "Ort", "Land", "Gegründet am", "Botschafter/in", "Status"]
ACTIVITY_HEADER = [
    "Bericht-ID",
    "Club-ID",
    "Datum",
    "Aktivität",
    "Anzahl",
    "Teilnehmende",
    "Gemeldet von",
    "Notiz",
]
CLUB_DEFECTS = ["duplicate_id", "missing_id"]
ACTIVITY_DEFECTS = ["unknown_club", "missing_date", "duplicate_id"]


def write_catalogue(gen: DemoGenerator) -> None:
    """One catalogue a year from 2017: every club founded by then, with its state that day."""
    net = gen.net
    style_old = ExportStyle(encoding="utf-8-sig", delimiter=";", newline="\r\n", date_format="de")
    style_new = ExportStyle(encoding="utf-8", delimiter=";", date_format="iso")
    for year in gen.years:
        if year < 2017:
            continue
        day = ordinal(gen.export_date(year))
        style = style_old if year < 2021 else style_new
        exp = gen.open("clubs", "clubs", f"clubs_{FMT.day_iso(day)}.csv", CLUB_HEADER, style)
        kinds = gen.inject.kinds_for("clubs", year)
        for club in gen.clubs:
            if club["founded"] > day:
                continue
            status = (
                "aufgelöst"
                if club["dissolved_on"] <= day
                else "ruhend"
                if club["sleeps_on"] <= day
                else "aktiv"
            )
            row = [
                club["id"],
                club["name"],
                club["city"],
                country_label(club["country"], year),
                FMT.date(club["founded"], style),
                net.member_ids[club["ambassador"]],
                status,
            ]
            exp.write(row)
            if kinds:
                kind = kinds.pop()
                bad = list(row)
                bad[0] = "" if kind == "missing_id" else club["id"]
                bad[1] = club["name"] + " (Dublette)"
                line = exp.write(bad)
                reason = "missing_required" if kind == "missing_id" else "duplicate_id"
                gen.inject.record("clubs", exp, line, "Club-ID", reason)
        gen.close("clubs", exp)


def write_reports(gen: DemoGenerator) -> None:
    """Reports drawn quarter by quarter to the horizon, exported once a year from December of the year before."""
    net, rng = gen.net, gen.stream(8)
    reports = []
    n_report = 0
    for club in gen.clubs:
        d = from_ordinal(club["founded"])
        q_start = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        while ordinal(q_start) <= gen.horizon:  # reports after `until` are drawn, then left out
            q_end = date(q_start.year + (q_start.month == 10), (q_start.month + 2) % 12 + 1, 1)
            lo, hi = max(ordinal(q_start), club["founded"]), min(ordinal(q_end) - 1, gen.horizon)
            vigor = club["vigor"] if lo < club["sleeps_on"] else 0.05
            if lo >= club["dissolved_on"]:
                break
            members = np.flatnonzero((net.club == gen.clubs.index(club)) & (net.club_join <= hi))
            for activity, rate, (a_lo, a_hi) in ref.CLUB_ACTIVITIES:
                for _ in range(int(rng.poisson(rate * vigor))):
                    n_report += 1
                    day = int(rng.integers(lo, hi + 1))
                    by = (
                        club["ambassador"]
                        if rng.random() < 0.8 or len(members) == 0
                        else int(rng.choice(members))
                    )
                    participants = int(rng.integers(4, 26)) if activity == "Clubtreffen" else None
                    note = ref.CLUB_NOTES[int(rng.integers(0, len(ref.CLUB_NOTES)))]
                    note = note.format(name=f"{net.first[by]} {net.last[by]}")
                    if rng.random() < 0.02:
                        note += '\nFortsetzung folgt; Kontakt: "siehe Liste"'
                    reports.append(
                        {
                            "id": f"B-{n_report:06d}",
                            "club": club["id"],
                            "day": day,
                            "activity": activity,
                            "count": int(rng.integers(a_lo, a_hi + 1)),
                            "participants": participants,
                            "by": net.member_ids[by],
                            "by_index": by,
                            "note": note,
                        }
                    )
            q_start = q_end
    reports = sorted((r for r in reports if r["day"] <= gen.until), key=lambda r: r["day"])
    for year in gen.years:
        if year < 2017:
            continue
        lo, hi = ordinal(date(year - 1, 12, 1)), ordinal(gen.export_date(year))
        style = ExportStyle(encoding="utf-8", delimiter=";", date_format="de" if year < 2022 else "iso")
        exp = gen.open(
            "club_activities", "clubs", f"activities_{FMT.day_iso(hi)}.csv", ACTIVITY_HEADER, style
        )
        kinds = gen.inject.kinds_for("club_activities", year)
        for rep in reports:
            if not lo <= rep["day"] <= hi:
                continue
            row = [
                rep["id"],
                rep["club"],
                FMT.date(rep["day"], style),
                rep["activity"],
                "" if rep["count"] == 1 and rep["activity"] == "Clubtreffen" else str(rep["count"]),
                "" if rep["participants"] is None else str(rep["participants"]),
                rep["by"],
                rep["note"],
            ]
            exp.write(row)
            if kinds:
                kind = kinds.pop()
                bad = list(row)
                if kind == "unknown_club":
                    bad[0], bad[1] = rep["id"] + "X", "C-999"
                    column, reason = "Club-ID", "unknown_club"
                elif kind == "missing_date":
                    bad[0], bad[2] = rep["id"] + "Y", ""
                    column, reason = "Datum", "missing_required"
                else:
                    column, reason = "Bericht-ID", "duplicate_id"
                line = exp.write(bad)
                gen.inject.record("club_activities", exp, line, column, reason)
        gen.close("club_activities", exp)
    founded = sum(club["founded"] <= gen.until for club in gen.clubs)
    gen.truth.facts["clubs"] = {"clubs": founded, "reports": len(reports)}
