"""Sources `events` and `attendance`: the events catalogue and its registrations (`landing/events/`).

Events are planned year by year (the central meeting every other May, lecture series, further education, career
evenings, regional and club meetings); registrations are drawn from the members near and engaged enough. Events a
tool speaks for (pretix, Zoom) have their registrations in the tool's exports instead (`pipelines/demo/tools/`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo import tools
from pipelines.demo.formats import FMT, country_label, local, ordinal
from pipelines.demo.writer import ExportStyle, XlsxExport

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

EVENT_HEADER = [
    "Veranstaltungs-ID",
    "Titel",
    "Typ",
    "Beginn",
    "Ort",
    "Land",
    "Format",
    "Veranstalter",
    "Club",
    "Fakultät",
]
ATTENDANCE_HEADER = [
    "Anmelde-ID",
    "Veranstaltungs-ID",
    "E-Mail",
    "Mitgliedsnummer",
    "Angemeldet am",
    "Status",
    "Eingecheckt am",
    "Rolle",
]
EVENT_DEFECTS = ["duplicate_id", "missing_start"]
ATTENDANCE_DEFECTS = ["unknown_event", "missing_identity", "duplicate_id", "missing_id"]


def write(gen: DemoGenerator) -> None:
    """Plan every year's events up to `until`, then draw and write their registrations."""
    net, rng, scale = gen.net, gen.stream(6), gen.config.scale
    events: list[dict] = []
    chemnitz = net.city_id("Chemnitz", "DE")
    for year in gen.years:
        y0 = ordinal(date(year, 1, 1))
        plan: list[tuple[str, int, int]] = []  # (type, day, expected registrations)
        if year % 2 == 1:
            may18 = date(year, 5, 18)
            meeting = may18 + timedelta(days=(5 - may18.weekday()) % 7)  # Saturday on or after 18 May
            plan.append(("Alumnitreffen", ordinal(meeting), 380))
        for month, dd in [(4, 22), (5, 13), (6, 10), (10, 21), (11, 11), (12, 2)]:
            plan.append(("Ringvorlesung", ordinal(date(year, month, dd)), 45))
        for month in (3, 5, 9, 11, 2):
            plan.append(("Weiterbildung", ordinal(date(year, month, 8)) + int(rng.integers(0, 14)), 28))
        for month in (1, 4, 6, 11):
            plan.append(("Karriere", ordinal(date(year, month, 15)) + int(rng.integers(0, 10)), 55))
        for month in (3, 6, 9, 12):
            plan.append(("Netzwerk", ordinal(date(year, month, 5)) + int(rng.integers(0, 20)), 32))
        for month in (7, 10):
            plan.append(("Sonstiges", ordinal(date(year, month, 1)) + int(rng.integers(0, 25)), 22))
        for c, club in enumerate(gen.clubs):
            if club["founded"] < y0 + 365 and club["dissolved_on"] > y0 + 180:
                plan.append(
                    ("Clubtreffen", max(club["founded"] + 30, y0 + int(rng.integers(60, 330))), -1 - c)
                )
        for n_ev, (typ, day, size) in enumerate(sorted(plan, key=lambda p: p[1])):
            if day > gen.until:
                continue
            club = gen.clubs[-1 - size] if size < 0 else None
            if typ in ("Alumnitreffen", "Ringvorlesung", "Karriere", "Sonstiges"):
                city, country = "Chemnitz", "DE"
            elif typ == "Weiterbildung":
                city, country = ("Chemnitz", "DE") if rng.random() < 0.6 else ("", "")
            elif typ == "Netzwerk":
                city, country = [
                    ("Dresden", "DE"),
                    ("Leipzig", "DE"),
                    ("Berlin", "DE"),
                    ("München", "DE"),
                    ("Chemnitz", "DE"),
                ][int(rng.integers(0, 5))]
            else:
                city, country = club["city"], club["country"]
            online = typ == "Weiterbildung" and city == ""
            fmt = (
                "Online"
                if online
                else ("Hybrid" if year >= 2020 and typ in ("Ringvorlesung", "Alumnitreffen") else "Präsenz")
            )
            if year == 2020 and typ in ("Alumnitreffen", "Ringvorlesung", "Netzwerk"):
                fmt = "Online"
            if typ == "Ringvorlesung" and year >= tools.ZOOM_FROM:
                fmt = "Online"  # a Zoom webinar since
            faculty = (
                gen.net.faculty_codes[int(rng.integers(0, 8))] if typ in ("Karriere", "Weiterbildung") else ""
            )
            hour = {"Alumnitreffen": 10, "Ringvorlesung": 17, "Clubtreffen": 19}.get(typ, 18)
            title = ref.EVENT_TITLES[typ].format(
                topic=ref.FURTHER_EDUCATION_TOPICS[int(rng.integers(0, len(ref.FURTHER_EDUCATION_TOPICS)))],
                faculty=faculty,
                city=city or "online",
            )
            if typ == "Alumnitreffen":
                title += f" {year}"
            events.append(
                {
                    "id": f"V-{year}-{n_ev + 1:03d}",
                    "title": title,
                    "type": typ,
                    "start": day * 86400 + hour * 3600 + (1800 if typ == "Ringvorlesung" else 0),
                    "city": city,
                    "country": country,
                    "format": fmt,
                    "organiser": "Club" if club else ("Fakultät" if faculty else "zentral"),
                    "club": club["id"] if club else "",
                    "club_index": -1 - size if club else -1,
                    "faculty": faculty,
                    "size": size,
                    "home": city == "Chemnitz",
                    "city_idx": net.city_id(city, country) if city else -1,
                }
            )
    for ev in events:
        ev["external_id"] = gen.tools.event_external_id(ev)
    _attendance(gen, events, chemnitz, scale)


def _attendance(gen: DemoGenerator, events: list[dict], chemnitz: int, scale: float) -> None:
    """Registrations with roles, cancellations and check-ins; the catalogue and attendance files a year."""
    net, rng = gen.net, gen.stream(7)
    everyone = np.arange(net.n)
    registrations: dict[str, list[list]] = {}
    reg_no = 0
    guest_no = 0
    facts = {"registrations": 0, "checked_in": 0, "speakers": 0}
    for ev in events:
        day = ev["start"] // 86400
        if ev["size"] < 0:
            club_members = everyone[(net.club == ev["club_index"]) & (net.club_join <= day)]
            pool = club_members[net.is_member_on(club_members, day)]
            expected = max(3, len(pool) * 0.4)
        else:
            pool = everyone[net.is_member_on(everyone, day)]
            expected = ev["size"] * scale
        if len(pool) == 0:
            registrations[ev["id"]] = []
            continue
        w = net.engagement(pool, day) + 0.02
        if ev["size"] >= 0:
            here = net.city_at(pool, day)
            w = w * np.where(here == chemnitz, 3.0 if ev["home"] else 1.0, 1.0)
            if ev["city_idx"] >= 0 and not ev["home"]:
                w = w * np.where(here == ev["city_idx"], 8.0, 0.3)
        k = min(len(pool), int(rng.poisson(expected)))
        chosen = rng.choice(pool, size=k, replace=False, p=w / w.sum()) if k else np.array([], dtype=np.int64)
        rows = []
        # volunteers: speakers, mentors, helpers, organisers by event type
        roles = ["Teilnehmer/in"] * k
        n_roles = {
            "Ringvorlesung": [("Referent/in", 1 + (rng.random() < 0.3))],
            "Weiterbildung": [("Referent/in", 1)],
            "Karriere": [("Mentor/in", 2 + int(rng.integers(0, 3)))],
            "Alumnitreffen": [("Referent/in", 3), ("Helfer/in", 4), ("Organisator/in", 2)],
            "Netzwerk": [("Organisator/in", 1)],
            "Clubtreffen": [("Organisator/in", 1)],
        }.get(ev["type"], [])
        pos = 0
        for role, count in n_roles:
            for _ in range(int(count)):
                if pos < k:
                    roles[pos] = role
                    pos += 1
        eng = net.engagement(chosen, day) if k else np.array([])
        for j, m in enumerate(chosen):
            reg_no += 1
            signed = day - int(rng.integers(1, 40))
            volunteer = roles[j] != "Teilnehmer/in"
            cancelled = not volunteer and rng.random() < 0.10
            attended = not cancelled and (volunteer or rng.random() < 0.78 + 0.2 * eng[j])
            checkin = ev["start"] - int(rng.integers(0, 1800)) if attended else None
            ident = rng.random()
            email = net.emails[net.email_index_at(np.array([m]), signed)[0]]
            member_id = net.member_ids[m] if ident < 0.65 else ""
            if member_id and ident < 0.35:
                email = ""
            elif ident > 0.9:
                email = f" {email.title()}"
            rows.append(
                [
                    f"R-{reg_no:07d}",
                    ev["id"],
                    email,
                    member_id,
                    signed * 86400 + 43200,
                    "storniert" if cancelled else "angemeldet",
                    checkin,
                    roles[j],
                    int(m),  # who it is (not exported: the tool exports need the person)
                ]
            )
            facts["registrations"] += 1
            facts["checked_in"] += attended
            facts["speakers"] += roles[j] == "Referent/in" and attended
        for _ in range(int(rng.poisson(0.05 * k))):  # guests who are not in the network
            reg_no += 1
            guest_no += 1
            rows.append(
                [
                    f"R-{reg_no:07d}",
                    ev["id"],
                    f"gast{guest_no}@example.org",
                    "",
                    (day - 5) * 86400 + 43200,
                    "angemeldet",
                    ev["start"] - 600,
                    "Teilnehmer/in",
                    -1,
                ]
            )
            facts["registrations"] += 1
            facts["checked_in"] += 1
        registrations[ev["id"]] = rows
    gen.truth.facts["events"] = {"events": len(events), **facts}

    for year in gen.years:
        lo = ordinal(date(year - 1, 12, 1)) * 86400
        hi = (ordinal(gen.export_date(year)) + 1) * 86400
        if year < 2016:
            style = ExportStyle(
                encoding="cp1252", delimiter=",", newline="\r\n", datetime_format="de", date_format="de"
            )
        elif year < 2019:
            style = ExportStyle(encoding="utf-8", delimiter=",", datetime_format="de", date_format="de")
        else:
            style = ExportStyle(encoding="utf-8", delimiter=";", datetime_format="iso", date_format="iso")
        stamp = FMT.day_iso(ordinal(gen.export_date(year)))
        with_ids = year >= tools.CATALOGUE_IDS_FROM
        ev_header = EVENT_HEADER + (["Externe ID"] if with_ids else [])
        if year == tools.XLSX_EVENTS_YEAR:  # kept in Excel that year
            created = datetime.combine(gen.export_date(year), datetime.min.time())
            ev_exp = XlsxExport(gen.landing / "events" / f"events_{stamp}.xlsx", ev_header, created)
        else:
            ev_exp = gen.open("events", "events", f"events_{stamp}.csv", ev_header, style)
        at_exp = gen.open("attendance", "events", f"attendance_{stamp}.csv", ATTENDANCE_HEADER, style)
        ev_kinds = gen.inject.kinds_for("events", year)
        at_kinds = gen.inject.kinds_for("attendance", year)
        for ev in events:
            if not lo <= ev["start"] < hi:
                continue
            row = [
                ev["id"],
                ev["title"],
                ev["type"],
                FMT.datetime(ev["start"], style),
                ev["city"],
                country_label(ev["country"], year) if ev["country"] else "",
                ev["format"],
                ev["organiser"],
                ev["club"],
                ev["faculty"],
            ] + ([ev["external_id"]] if with_ids else [])
            if isinstance(ev_exp, XlsxExport):
                row[3] = local(ev["start"])  # a typed date cell
                if ev["external_id"].isdigit() and int(ev["id"][-3:]) % 2:
                    row[-1] = int(ev["external_id"])  # Excel turned some webinar ids into numbers
            ev_exp.write(row)
            if ev_kinds:
                kind = ev_kinds.pop()
                bad = list(row)
                if kind == "duplicate_id":
                    bad[1] += " (verschoben)"
                    line = ev_exp.write(bad)
                    gen.inject.record("events", ev_exp, line, "Veranstaltungs-ID", "duplicate_id")
                else:
                    bad[0], bad[3] = ev["id"] + "-B", ""
                    line = ev_exp.write(bad)
                    gen.inject.record("events", ev_exp, line, "Beginn", "missing_required")
            for reg in registrations[ev["id"]]:
                if gen.tools.diverts_registration(ev, reg):
                    continue  # in the tool's export instead
                out = [
                    reg[0],
                    reg[1],
                    reg[2],
                    reg[3],
                    FMT.date(reg[4] // 86400, style),
                    reg[5],
                    FMT.datetime(reg[6], style) if reg[6] is not None else "",
                    reg[7],
                ]
                at_exp.write(out)
                if at_kinds:
                    kind = at_kinds.pop()
                    bad = list(out)
                    column, reason = {
                        "unknown_event": ("Veranstaltungs-ID", "unknown_event"),
                        "missing_identity": ("Mitgliedsnummer", "missing_identity"),
                        "duplicate_id": ("Anmelde-ID", "duplicate_id"),
                        "missing_id": ("Anmelde-ID", "missing_required"),
                    }[kind]
                    if kind == "unknown_event":
                        bad[0], bad[1] = reg[0] + "X", ev["id"].replace("V-", "V-9")
                    elif kind == "missing_identity":
                        bad[0], bad[2], bad[3] = reg[0] + "Y", "", ""
                    elif kind == "missing_id":
                        bad[0] = ""
                    line = at_exp.write(bad)
                    gen.inject.record("attendance", at_exp, line, column, reason)
        gen.close("events", ev_exp)
        gen.close("attendance", at_exp)
    gen.tools.write_event_exports(events, registrations)
