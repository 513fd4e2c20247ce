"""Source `donations`: the yearly donation exports from 2014 (`landing/donations/`), drawn day by day.

Engaged members give more often; a donation names the donor by member id, by address or by a one-off address.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo.formats import FMT, ordinal
from pipelines.demo.writer import ExportStyle

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

HEADER = ["Spenden-ID", "Mitgliedsnummer", "E-Mail", "Datum", "Betrag", "Zweck"]
DEFECTS = ["zero_amount", "negative_amount", "invalid_amount", "duplicate_id"]


def write(gen: DemoGenerator) -> None:
    net, rng, scale = gen.net, gen.stream(9), gen.config.scale
    everyone = np.arange(net.n)
    purposes = ["Deutschlandstipendium", "Förderverein", "Fakultät", "Sonstiges"]
    n_don = 0
    style = ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", date_format="de")
    total = 0
    for year in gen.years:
        if year < 2014:
            continue
        # the whole year is drawn, in order of the day; what lies after `until` is left out
        y0, y1 = ordinal(date(year, 1, 1)), ordinal(date(year, 12, 31))
        exported = ordinal(gen.export_date(year))
        exp = gen.open("donations", "donations", f"donations_{FMT.day_iso(exported)}.csv", HEADER, style)
        kinds = gen.inject.kinds_for("donations", year)
        k = int(rng.poisson(30 * scale * (y1 - y0 + 1) / 365))
        for day in np.sort(rng.integers(y0, y1 + 1, k)):
            day = int(day)
            if day > exported:
                break
            pool = everyone[net.is_member_on(everyone, day)]
            w = net.engagement(pool, day) ** 2 + 1e-4
            m = int(rng.choice(pool, p=w / w.sum()))
            n_don += 1
            amount = float(np.round(np.exp(rng.normal(4.0, 1.0)), 0))
            amount = max(amount, 10.0)
            text = (
                f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
                if rng.random() < 0.7
                else f"{amount:.2f}"
            )
            ident = rng.random()
            member_id = net.member_ids[m] if ident < 0.8 else ""
            email = (
                ""
                if ident < 0.8
                else (
                    net.emails[net.email_index_at(np.array([m]), day)[0]]
                    if ident < 0.95
                    else f"spender{n_don}@example.org"
                )
            )
            row = [
                f"S-{n_don:06d}",
                member_id,
                email,
                FMT.date(day, style),
                text,
                purposes[int(rng.choice(4, p=[0.45, 0.3, 0.15, 0.1]))],
            ]
            exp.write(row)
            total += 1
            if kinds:
                kind = kinds.pop()
                bad = list(row)
                if kind != "duplicate_id":
                    bad[0] = row[0] + "-K"
                column, reason = (
                    "Betrag",
                    {
                        "zero_amount": "non_positive_amount",
                        "negative_amount": "non_positive_amount",
                        "invalid_amount": "invalid_decimal",
                    }.get(kind, "duplicate_id"),
                )
                bad[4] = {
                    "zero_amount": "0,00",
                    "negative_amount": "-25,00",
                    "invalid_amount": "fünfzig",
                }.get(kind, bad[4])
                if kind == "duplicate_id":
                    column = "Spenden-ID"
                line = exp.write(bad)
                gen.inject.record("donations", exp, line, column, reason)
        gen.close("donations", exp)
    gen.truth.facts["donations"] = {"donations": total}
