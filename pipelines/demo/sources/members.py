"""Source `members`: the portal's member snapshots (`landing/members/`), one each January and monthly for the
last year, with the header, encoding and delimiter of the portal version of the day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo.formats import FMT, country_label, from_ordinal, ordinal
from pipelines.demo.writer import ExportStyle

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

HEADER = [
    "Mitgliedsnummer",
    "Anrede",
    "Titel",
    "Vorname",
    "Nachname",
    "E-Mail",
    "Statusgruppe",
    "Fakultät",
    "Studiengang",
    "Abschluss",
    "Abschlussjahr",
    "Land",
    "Ort",
    "Registriert am",
    "Newsletter",
    "Tracking",
    "Kontaktfreigabe",
    "Club",
    "Status",
    "Abgemeldet am",
]
DEFECTS = [
    "missing_id",
    "duplicate_id",
    "missing_registered",
    "invalid_registered",
    "duplicate_id",
    "malformed_row",
]


def snapshot_days(gen: DemoGenerator) -> list[int]:
    """15 January of every year, and the 15th of each of the last twelve months (up to `until`)."""
    days = {ordinal(date(y, 1, 15)) for y in gen.years if date(y, 1, 15) <= gen.config.until}
    u = gen.config.until
    for back in range(12):
        y, m = u.year, u.month - back
        while m <= 0:
            y, m = y - 1, m + 12
        d = date(y, m, 15)
        if date(2012, 1, 15) <= d <= u:
            days.add(ordinal(d))
    return sorted(days)


def write(gen: DemoGenerator) -> None:
    """Every snapshot day: who the portal holds (leavers for a while, erased people for a few weeks)."""
    net, rng = gen.net, gen.stream(10)
    countries = ref.countries()
    fac_names = {row["faculty_code"]: row["name_de"] for row in ref.seed("faculties")}
    everyone = np.arange(net.n)
    days = snapshot_days(gen)
    soft_plan = {
        int(i): kind
        for i, kind in zip(
            rng.choice(net.n, size=9, replace=False),
            ["unknown_status"] * 3 + ["bad_year"] * 3 + ["bad_email"] * 3,
            strict=True,
        )
    }
    soft_snapshot = days[-1]
    counts = {}
    for s_no, day in enumerate(days):
        d = from_ordinal(day)
        if d.year < 2018:
            style = ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", date_format="de")
        elif d.year < 2022:
            style = ExportStyle(encoding="utf-8-sig", delimiter=";", newline="\r\n", date_format="de")
        else:
            style = ExportStyle(encoding="utf-8", delimiter="," if d.year == 2023 else ";", date_format="iso")
        header = (
            HEADER
            if d.year < 2022
            else (
                [
                    "Registriert am",
                    "mitgliedsnummer",
                    "Nachname",
                    "Vorname",
                    "Anrede",
                    "Titel",
                    " E-Mail ",
                ]
                + HEADER[6:13]
                + HEADER[14:]
                + ["Letzte Änderung"]
            )
        )
        keys = [h.strip().lower() for h in header]
        exp = gen.open("members", "members", f"members_{d.isoformat()}.csv", header, style)
        kinds = gen.inject.kinds_for("members", s_no)
        registered = everyone[net.registered <= day]
        present = registered[
            (
                (net.left[registered] > day)
                | (net.rejoin[registered] <= day)
                | ((net.left_mode[registered] == 1) & (day - net.left[registered] < 400))
            )
            & (net.erased_on[registered] + 45 > day)  # the portal keeps erased people for a few weeks
        ]
        email_idx = net.email_index_at(present, day)
        cities = net.city_at(present, day)
        active_count = 0
        for j, m in enumerate(present):
            left = net.left[m] <= day and net.rejoin[m] > day
            active_count += not left
            city, code = net.cities[cities[j]]
            fac = net.faculty_codes[net.faculty[m]]
            email = net.emails[email_idx[j]]
            status = net.status_labels[net.status[m]]
            year_text = str(net.grad_year[m]) if net.grad_year[m] else ""
            soft = soft_plan.get(int(m)) if day == soft_snapshot else None
            if soft == "unknown_status":
                status = "Gasthörer/in"
            elif soft == "bad_year":
                year_text = "2099"
            elif soft == "bad_email":
                email = email.replace("@", "@@")
            values = {
                "mitgliedsnummer": net.member_ids[m],
                "anrede": "Frau" if net.female[m] else "Herr",
                "titel": net.title[m],
                "vorname": net.first[m],
                "nachname": net.last[m],
                "e-mail": email,
                "statusgruppe": status,
                "fakultät": fac if d.year >= 2019 or fac not in fac_names else fac_names[fac],
                "studiengang": net.programme[m],
                "abschluss": net.degree[m],
                "abschlussjahr": year_text,
                "land": country_label(code, int(m) + d.year) if code in countries else code,
                "ort": city,
                "registriert am": FMT.date(int(net.registered[m]), style),
                "newsletter": FMT.boolean(bool(net.newsletter[m] and net.unsubscribed[m] > day), style),
                "tracking": FMT.boolean(bool(net.tracking[m]), style),
                "kontaktfreigabe": FMT.boolean(bool(net.contact[m]), style) if net.contact[m] else "",
                "club": gen.clubs[net.club[m]]["id"] if net.club[m] >= 0 and net.club_join[m] <= day else "",
                "status": "abgemeldet" if left else "aktiv",
                "abgemeldet am": FMT.date(int(net.left[m]), style) if left else "",
                "letzte änderung": FMT.date(day - 1, style),
            }
            line = exp.write([values[k] for k in keys])
            if soft:
                column = {
                    "unknown_status": "Statusgruppe",
                    "bad_year": "Abschlussjahr",
                    "bad_email": "E-Mail",
                }[soft]
                gen.inject.soft("members", exp, line, column, soft)
            if kinds and j > 3:
                kind = kinds.pop()
                bad = dict(values)
                bad["mitgliedsnummer"] = f"A-9{s_no:02d}{len(kinds):03d}"
                column, reason = {
                    "missing_id": ("Mitgliedsnummer", "missing_required"),
                    "duplicate_id": ("Mitgliedsnummer", "duplicate_id"),
                    "missing_registered": ("Registriert am", "missing_required"),
                    "invalid_registered": ("Registriert am", "invalid_date"),
                    "malformed_row": ("", "malformed_row"),
                }[kind]
                if kind == "missing_id":
                    bad["mitgliedsnummer"] = ""
                elif kind == "duplicate_id":
                    bad["mitgliedsnummer"] = net.member_ids[m]
                elif kind == "missing_registered":
                    bad["registriert am"] = ""
                elif kind == "invalid_registered":
                    bad["registriert am"] = "31.02.2019"
                if kind == "malformed_row":
                    line = exp.write_raw(style.delimiter.join([bad["mitgliedsnummer"], "Herr", "", "Max"]))
                else:
                    line = exp.write([bad[k] for k in keys])
                gen.inject.record("members", exp, line, column, reason)
        counts[d.isoformat()] = active_count
        gen.close("members", exp)
    gen.truth.facts["members_active_by_snapshot"] = counts
