"""Source `erasure_requests`: the monthly files of erasure requests (`landing/erasure/`).

A request names the person by member id, by an address they used (maybe an old one) or by both; the truth file
lists every request with all the person's addresses.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pipelines.demo.formats import FMT, from_ordinal, ordinal
from pipelines.demo.writer import ExportStyle

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

HEADER = ["Mitgliedsnummer", "E-Mail", "Eingegangen am"]
DEFECTS = ["missing_identity"]


def request_rows(gen: DemoGenerator) -> list[tuple[int, str, str]]:
    """(day requested, member id, e-mail) of the requests up to `until`, each recorded in the truth file."""
    net = gen.net
    rows = []
    for n_req, (i, requested) in enumerate(gen.erasures):
        if requested > gen.until:
            continue  # the person leaves later: still in this export's world
        used = [
            net.emails[net.email_slots[i, k]]
            for k in range(3)
            if net.email_slots[i, k] >= 0 and net.email_from[i, k] <= requested
        ]
        mode = n_req % 3  # by id, by (an old) address only, by both
        member_id = "" if mode == 1 else net.member_ids[i]
        email = used[0] if mode == 1 else (used[-1] if mode == 2 else "")
        rows.append((requested, member_id, email))
        gen.truth.erasures.append(
            {
                "member_id": net.member_ids[i],
                "requested_on": from_ordinal(requested).isoformat(),
                "by": ["member_id", "email", "both"][mode],
                "emails": [net.emails[s] for s in net.email_slots[i] if s >= 0],
            }
        )
    return rows


def write(gen: DemoGenerator, rows: list[tuple[int, str, str]]) -> None:
    """One file a month, filed on the first of the month after the requests (at most `until`)."""
    by_file: dict[int, list[tuple[int, str, str]]] = {}
    for row in rows:
        d = from_ordinal(row[0])
        filed = min(ordinal(date(d.year + (d.month == 12), d.month % 12 + 1, 1)), gen.until)
        by_file.setdefault(filed, []).append(row)
    style = ExportStyle(encoding="utf-8", delimiter=";", date_format="de")
    for n_file, (filed, file_rows) in enumerate(sorted(by_file.items())):
        exp = gen.open("erasure_requests", "erasure", f"erasure_{FMT.day_iso(filed)}.csv", HEADER, style)
        for requested, member_id, email in file_rows:
            exp.write([member_id, email, FMT.date(requested, style)])
        if n_file == 0:
            for _ in gen.inject.kinds_for("erasure_requests", 0):
                line = exp.write(["", "", FMT.date(file_rows[0][0], style)])
                gen.inject.record("erasure_requests", exp, line, "Mitgliedsnummer", "missing_identity")
        gen.close("erasure_requests", exp)
