"""Sources `newsletter_campaigns` and `newsletter_activity`: the mailings and what recipients did with them
(`landing/newsletter/`).

Campaigns go out roughly monthly; each campaign's activity (sends, bounces, human and machine opens, link-scanner
clicks, unsubscribes, complaints) is simulated and streamed into the yearly activity export at once, so that the
high-volume rows never sit in memory together. Campaigns a tool sent (listmonk, Mautic) are in the tool's export
instead (`pipelines/demo/tools/`); the campaign catalogue is written last, with the tools' ids.
"""

from __future__ import annotations

import shutil
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from pipelines.demo import reference as ref
from pipelines.demo import tools
from pipelines.demo.formats import FMT, from_ordinal, ordinal
from pipelines.demo.network import NEVER
from pipelines.demo.writer import CsvExport, ExportStyle

if TYPE_CHECKING:
    from pipelines.demo.generator import DemoGenerator

APPLE_MPP_START = date(2021, 9, 20)  # iOS 15: Apple Mail Privacy Protection opens every mail via a proxy
CAMPAIGN_HEADER = ["Kampagnen-ID", "Betreff", "Thema", "Versendet am", "Sprache"]
ACTIVITY_HEADER = ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt", "Link", "User-Agent", "Maschinell"]
CAMPAIGN_DEFECTS = ["duplicate_id", "missing_sent", "invalid_sent"]
ACTIVITY_DEFECTS = [
    "unknown_campaign",
    "unknown_action",
    "missing_email",
    "invalid_time",
    "unknown_campaign",
    "missing_campaign",
    "malformed_row",
]


def write(gen: DemoGenerator) -> list[tuple]:
    """Draw the campaigns up to `until`, stream their activity, write the catalogue; return the campaigns."""
    net, rng = gen.net, gen.stream(4)
    topics = [t for t, _, _ in ref.TOPICS]
    topic_p = [p for _, p, _ in ref.TOPICS]
    appeal = {t: a for t, _, a in ref.TOPICS}
    campaigns = []
    day = ordinal(date(2012, 2, 14))
    n = 0
    while day <= gen.horizon - 2:
        d = from_ordinal(day)
        n += 1
        topic = topics[int(rng.choice(len(topics), p=topic_p))]
        cid = f"NL-{d.year}-{n:04d}"
        lang = "en" if rng.random() < 0.15 else "de"
        send_seconds = day * 86400 + 10 * 3600 + int(rng.integers(0, 4)) * 900
        subject = {
            "Neuigkeiten": "Neues aus der TU Chemnitz",
            "Weiterbildung": "Weiterbildung für Alumni: jetzt anmelden",
            "Karriere": "Karriere-Tipps & Jobs für Ehemalige",
            "Veranstaltung": "Einladung: Treffen, Vorträge, Führungen",
            "Forschung": "Forschung aus Chemnitz – Ergebnisse",
            "Spenden": "Deutschlandstipendium: Unterstützen Sie Studierende",
        }[topic]
        campaigns.append((cid, subject if lang == "de" else f"[EN] {subject}", topic, send_seconds, lang))
        # roughly monthly: 10-13 mailings a year
        day += int(rng.integers(26, 36))
    campaigns = [c for c in campaigns if c[3] < (gen.until + 1) * 86400]
    activity_rng = gen.stream(5)

    # activity exports: one a year, repeating the last two weeks of the year before
    exports: dict[int, CsvExport] = {}
    windows: dict[int, tuple[int, int]] = {}
    for year in gen.years:
        if year >= tools.MAUTIC_FROM:
            continue  # the newsletter tools export the activity now
        if year < 2016:
            style = ExportStyle(encoding="utf-8", delimiter=";", newline="\r\n", datetime_format="de")
            header = ACTIVITY_HEADER
        elif year < 2021:
            style = ExportStyle(encoding="utf-8", delimiter=",", datetime_format="iso")
            header = [
                "Zeitpunkt",
                "Kampagnen-ID",
                "Aktion",
                "E-Mail",
                "Link",
                "User-Agent",
                "Maschinell",
                "Quelle",
            ]
        else:
            style = ExportStyle(encoding="utf-8-sig", delimiter=";", datetime_format="iso_offset")
            header = [
                " kampagnen-id",
                "E-MAIL",
                "Aktion ",
                "Zeitpunkt",
                "Link",
                "User-Agent",
                "Maschinell",
            ]
        windows[year] = (
            ordinal(date(year - 1, 12, 18)) * 86400,
            (ordinal(gen.export_date(year)) + 1) * 86400,
        )
        exports[year] = gen.open(
            "newsletter_activity",
            "newsletter",
            f"activity_{FMT.day_iso(ordinal(gen.export_date(year)))}.csv",
            header,
            style,
        )
    activity_kinds = {y: gen.inject.kinds_for("newsletter_activity", y) for y in gen.years}
    # an address that hard-bounced or complained gets no more mail from that day on
    blocked = np.full(len(net.emails), NEVER, dtype=np.int64)
    stats = {
        "sent": 0,
        "delivered": 0,
        "human_open": 0,
        "human_click_people": 0,
        "machine_open": 0,
        "scanner": 0,
    }
    for campaign in campaigns:
        cid, _subject, topic, sent_at, _lang = campaign
        _campaign_activity(
            gen,
            activity_rng,
            blocked,
            activity_kinds,
            cid,
            sent_at,
            appeal[topic],
            exports,
            windows,
            stats,
            campaign,
        )
    for exp in exports.values():
        gen.close("newsletter_activity", exp)
    _campaign_catalogue(gen, campaigns)
    gen.truth.facts["newsletter"] = {
        "campaigns": len(campaigns),
        "recipients": stats["sent"],
        "delivered": stats["delivered"],
        "human_open_rate": round(stats["human_open"] / max(stats["delivered"], 1), 4),
        "human_click_rate": round(stats["human_click_people"] / max(stats["delivered"], 1), 4),
        "machine_opens": stats["machine_open"],
        "scanner_recipients": stats["scanner"],
    }
    return campaigns


def _campaign_catalogue(gen: DemoGenerator, campaigns: list[tuple]) -> None:
    """Campaign exports: one a year, repeating December of the year before. Written after the activity, so
    that campaigns sent with a tool carry the tool's id and recipient count (`Externe ID`, `Empfänger`)."""
    for year in gen.years:
        style = (
            ExportStyle(encoding="cp1252", delimiter=";", newline="\r\n", datetime_format="de")
            if year < 2017
            else ExportStyle(encoding="utf-8", delimiter=";", datetime_format="iso")
        )
        lo = ordinal(date(year - 1, 12, 1)) * 86400
        hi = (ordinal(gen.export_date(year)) + 1) * 86400
        with_ids = year >= tools.CATALOGUE_IDS_FROM
        exp = gen.open(
            "newsletter_campaigns",
            "newsletter",
            f"campaigns_{FMT.day_iso(ordinal(gen.export_date(year)))}.csv",
            CAMPAIGN_HEADER + (["Externe ID", "Empfänger"] if with_ids else []),
            style,
        )
        kinds = gen.inject.kinds_for("newsletter_campaigns", year)
        for cid, subject, topic, sent, lang in campaigns:
            if not lo <= sent < hi:
                continue
            extra = gen.tools.campaign_catalogue_extra(cid) if with_ids else []
            exp.write([cid, subject, topic, FMT.datetime(sent, style), lang, *extra])
            if kinds:
                kind = kinds.pop()
                if kind == "duplicate_id":
                    line = exp.write(
                        [
                            cid,
                            subject + " (Korrektur)",
                            topic,
                            FMT.datetime(sent + 3600, style),
                            lang,
                            *extra,
                        ]
                    )
                    gen.inject.record("newsletter_campaigns", exp, line, "Kampagnen-ID", "duplicate_id")
                elif kind == "missing_sent":
                    line = exp.write([f"{cid}-ENTWURF", subject, topic, "", lang, *extra])
                    gen.inject.record("newsletter_campaigns", exp, line, "Versendet am", "missing_required")
                else:
                    line = exp.write([f"{cid}-TEST", subject, topic, "morgen früh", lang, *extra])
                    gen.inject.record("newsletter_campaigns", exp, line, "Versendet am", "invalid_datetime")
        gen.close("newsletter_campaigns", exp)
        if year == 2015 and gen.config.until.year > 2015:
            # the same export downloaded twice, under another date
            copy = exp.path.with_name("campaigns_2016-01-04.csv")
            shutil.copyfile(exp.path, copy)
            gen.truth.files[copy.relative_to(gen.landing).as_posix()] = dict(
                gen.truth.files[exp.path.relative_to(gen.landing).as_posix()]
            )
            gen.truth.duplicate_files.append(
                {
                    "file": copy.relative_to(gen.landing).as_posix(),
                    "same_as": exp.path.relative_to(gen.landing).as_posix(),
                }
            )


def _campaign_activity(
    gen, rng, blocked, activity_kinds, cid, sent_at, appeal, exports, windows, stats, campaign
):
    """One campaign's recipients and what each did; `blocked`: from which day an address gets no more mail."""
    net = gen.net
    day = sent_at // 86400
    everyone = np.arange(net.n)
    eligible = everyone[net.is_member_on(everyone, day) & net.newsletter & (net.unsubscribed > day)]
    email_idx = net.email_index_at(eligible, day)
    alive = blocked[email_idx] > day
    members, email_idx = eligible[alive], email_idx[alive]
    k = len(members)
    if k == 0:
        return
    order = rng.permutation(k)
    members, email_idx = members[order], email_idx[order]
    sent = sent_at + np.arange(k) // 40  # the mail server sends about 40 a second
    r = rng.random((k, 8))
    hard = r[:, 0] < 0.004
    soft = ~hard & (r[:, 1] < 0.015)
    delivered = ~hard & ~soft
    eng = net.engagement(members, day)
    p_open = np.clip(0.07 + 0.85 * eng * (0.9 + 0.2 * appeal), 0, 0.95)
    human_open = delivered & (r[:, 2] < p_open)
    p_click = np.clip(0.10 * appeal * (0.6 + 2.0 * eng), 0, 0.9)
    human_click = human_open & (r[:, 3] < p_click)
    no_open_row = human_click & (r[:, 4] < 0.1)  # images blocked: a click without an open
    mpp = delivered & net.apple[members] & (day >= ordinal(APPLE_MPP_START))
    scanner = delivered & net.scanner[members]
    unsub = delivered & (r[:, 5] < 0.0012 + 0.0025 * (1 - eng))
    complaint = delivered & ~unsub & (r[:, 6] < 0.0002)
    dirt = r[:, 7] < 0.04

    emails = net.emails
    rows: list[tuple] = []  # (seconds, email, action, link, user agent, machine flag)
    open_delay = 2 + rng.exponential(18 * 3600, k).astype(np.int64)
    ua_pick = rng.integers(0, len(ref.HUMAN_USER_AGENTS), k)
    links = rng.integers(1, 7, (k, 3))
    n_links = 1 + (rng.random(k) < 0.25) + (rng.random(k) < 0.08)
    for j in range(k):
        address = emails[email_idx[j]]
        if dirt[j]:
            address = address.capitalize() if j % 2 else f" {address.upper()} "
        s = int(sent[j])
        rows.append((s, address, "sent", "", "", None))
        if hard[j]:
            rows.append((s + 20, address, "hard_bounce", "", "", None))
            blocked[email_idx[j]] = day + 1
            continue
        if soft[j]:
            rows.append((s + 60, address, "soft_bounce", "", "", None))
            continue
        if mpp[j]:
            rows.append(
                (
                    s + 1 + int(r[j, 4] * 900),
                    address,
                    "open",
                    "",
                    ref.APPLE_PROXY_UA,
                    True if r[j, 2] < 0.4 else None,
                )
            )
            stats["machine_open"] += 1
        if scanner[j]:
            t = s + int(r[j, 5] * 5)
            for link in range(1, 4 + (j % 2)):
                rows.append(
                    (t, address, "click", f"https://www.tu-chemnitz.de/alumni/nl/{cid}/{link}", "", None)
                )
            stats["scanner"] += 1
        if human_open[j]:
            t = s + int(open_delay[j])
            ua = ref.HUMAN_USER_AGENTS[ua_pick[j]]
            if not no_open_row[j]:
                rows.append((t, address, "open", "", ua, None))
            if human_click[j]:
                for c in range(int(n_links[j])):
                    rows.append(
                        (
                            t + 15 + 40 * c,
                            address,
                            "click",
                            f"https://www.tu-chemnitz.de/alumni/nl/{cid}/{links[j, c % 3]}",
                            ua,
                            None,
                        )
                    )
        if unsub[j]:
            rows.append((s + 3600 + int(r[j, 5] * 86400), address, "unsubscribe", "", "", None))
            net.unsubscribed[members[j]] = day + 1
        if complaint[j]:
            rows.append((s + 7200, address, "complaint", "", "", None))
            net.unsubscribed[members[j]] = day + 1
            blocked[email_idx[j]] = day + 1
    stats["sent"] += k
    stats["delivered"] += int(delivered.sum())
    stats["human_open"] += int(human_open.sum())
    stats["human_click_people"] += int(human_click.sum())
    if gen.tools.divert_campaign(campaign, rows, members, email_idx):
        return  # sent with listmonk or Mautic: the tool's export has it, the portal's has not
    rows.sort(key=lambda row: row[0])
    for year, exp in exports.items():
        lo, hi = windows[year]
        if rows[-1][0] < lo or rows[0][0] >= hi:
            continue
        _write_activity(gen, activity_kinds, exp, year, cid, [row for row in rows if lo <= row[0] < hi])


def _write_activity(
    gen: DemoGenerator, activity_kinds: dict, exp: CsvExport, year: int, cid: str, rows: list[tuple]
) -> None:
    style = exp.style
    header = [h.strip().lower() for h in exp.header]
    dt, boolean = FMT.datetime, FMT.boolean
    records = []
    for s, address, action, link, ua, machine in rows:
        values = {
            "kampagnen-id": cid,
            "e-mail": address,
            "aktion": action,
            "zeitpunkt": dt(s, style),
            "link": link,
            "user-agent": ua,
            "maschinell": boolean(machine, style) if machine else "",
            "quelle": "mailer",
        }
        if style.delimiter in ua:  # user agents carry both ';' and ','
            values["user-agent"] = '"' + ua + '"'
        records.append(style.delimiter.join(values[h] for h in header))
    exp.write_plain_many(records)
    kinds = activity_kinds[year]
    if kinds:
        kind = kinds.pop()
        s, address = rows[0][0], rows[0][1]
        values = {
            "kampagnen-id": cid,
            "e-mail": address,
            "aktion": "open",
            "zeitpunkt": dt(s + 5, style),
            "link": "",
            "user-agent": "",
            "maschinell": "",
            "quelle": "mailer",
        }
        column, reason = {
            "unknown_campaign": ("Kampagnen-ID", "unknown_campaign"),
            "missing_campaign": ("Kampagnen-ID", "missing_required"),
            "unknown_action": ("Aktion", "invalid_value"),
            "missing_email": ("E-Mail", "missing_required"),
            "invalid_time": ("Zeitpunkt", "invalid_datetime"),
            "malformed_row": ("", "malformed_row"),
        }[kind]
        if kind == "unknown_campaign":
            values["kampagnen-id"] = cid.replace("NL-", "NL-X")
        elif kind == "missing_campaign":
            values["kampagnen-id"] = ""
        elif kind == "unknown_action":
            values["aktion"] = "forward"
        elif kind == "missing_email":
            values["e-mail"] = ""
        elif kind == "invalid_time":
            values["zeitpunkt"] = "32.13.2019 25:61"
        if kind == "malformed_row":
            line = exp.write_raw(style.delimiter.join([cid, address, "open"]))
        else:
            line = exp.write_raw(style.delimiter.join(values[h] for h in header))
        gen.inject.record("newsletter_activity", exp, line, column, reason)
