"""Mautic (the newsletter from 2025): the "Emails sent" report with English labels, scheduled at the end of June
and of December, spelled as Mautic and PHP's `fputcsv` write it."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from pipelines.demo import reference as ref
from pipelines.demo.formats import day_of, day_start, local
from pipelines.demo.tools import MAUTIC_FROM
from pipelines.demo.tools.files import ToolFile

if TYPE_CHECKING:
    from pipelines.demo.tools.office import ToolExports

MAUTIC_EMAILS_SENT = [
    "Email address", "Subject", "Date sent", "Read", "Date read", "Clicked", "Unsubscribed", "Bounced",
    "Read delay",
]  # fmt: skip

MONTHS_EN = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]  # fmt: skip


_MAUTIC_MINUTES: dict[int, str] = {}


def mautic_time(seconds: int) -> str:
    """Mautic's default `F j, Y g:i a` in the user's zone (Europe/Berlin): `March 5, 2024 3:19 pm`."""
    minute = int(seconds) // 60
    text = _MAUTIC_MINUTES.get(minute)
    if text is None:
        t = local(minute * 60)
        hour = t.hour % 12 or 12
        ampm = "am" if t.hour < 12 else "pm"
        text = _MAUTIC_MINUTES[minute] = (
            f"{MONTHS_EN[t.month - 1]} {t.day}, {t.year} {hour}:{t.minute:02d} {ampm}"
        )
    return text


def duration(seconds: int) -> str:
    """MySQL TIMEDIFF as Mautic shows it: `HH:MM:SS` (hours may exceed 24)."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


_PHP_QUOTED = re.compile(r'[,"\\ \t\r\n]')


def php_csv_field(value: str) -> str:
    """PHP `fputcsv`: quote a field with a delimiter, quote, backslash, space, tab, CR or LF."""
    if _PHP_QUOTED.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


class MauticWriter:
    """Report "Emails sent" with English labels, scheduled at the end of June and of December: each download
    holds the sends since 1 December of the year before, as Mautic knew them on that day."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        self.files: dict[date, ToolFile] = {}
        self.windows: dict[date, tuple[int, int]] = {}
        for year in range(MAUTIC_FROM, tools.until.year + 1):
            for end in (date(year, 6, 30), date(year, 12, 31)):
                d = min(end, tools.until)
                if d.year != year or d in self.files:
                    continue
                path = tools.landing / f"mautic/emails_sent_{d.isoformat()}.csv"
                out = tools.open(ToolFile(path, "mautic", "email_stats", "en"))
                out.line(",".join(php_csv_field(h) for h in MAUTIC_EMAILS_SENT), False)
                self.files[d] = out
                self.windows[d] = (day_start(date(year - 1, 12, 1)), day_start(d) + 86400)

    def campaign(self, campaign: tuple, rows: list[tuple]) -> None:
        tools = self.tools
        cid, subject, _topic, sent_at, lang = campaign
        if lang == "en":
            # English mailings go out under their own subject: the catalogue names it in `Externe ID`
            sent_day = day_of(sent_at)
            subject = f"TU Chemnitz Alumni News, {MONTHS_EN[sent_day.month - 1]} {sent_day.year}"
            tools.campaign_ids[cid] = (subject, None)
        recipients = []  # (address, sent, read, machine read, click, unsubscribe, bounce) seconds or None
        current = None
        for s, address, action, _link, ua, _machine in rows:
            if action == "sent":
                current = {"address": address.strip(), "sent": s}
                recipients.append(current)
                continue
            if action == "open":
                machine = ua == ref.APPLE_PROXY_UA
                key = "machine_read" if machine else "read"
                current.setdefault(key, s)
            elif action == "click":
                machine = s - current["sent"] <= 5 and "click" not in current and "read" not in current
                current.setdefault("click", s)
                if machine:
                    current.setdefault("machine_read", current["sent"] + 1)
                else:
                    current.setdefault("read", s)
            elif action in ("unsubscribe", "complaint"):
                current.setdefault("unsub", s)
            elif action == "hard_bounce":
                current["bounce"] = s
        subject_field = php_csv_field(subject)
        fact = {"subject": subject, "sent": 0, "read": 0, "machine_read": 0, "clicked": 0, "bounced": 0,
                "unsubscribed": 0, "files": []}  # fmt: skip
        for d, out in self.files.items():
            lo, hi = self.windows[d]
            if not lo <= sent_at < hi:
                continue
            fact["files"].append(d.isoformat())
            counts = dict.fromkeys(("sent", "read", "machine_read", "clicked", "bounced", "unsubscribed"), 0)
            for r in recipients:
                sent = r["sent"]
                if sent >= hi:
                    continue
                machine = r.get("machine_read")
                human = r.get("read")
                machine = machine if machine is not None and machine < hi else None
                human = human if human is not None and human < hi else None
                if machine is not None and (human is None or machine <= human):
                    read, delay = sent + 1, 1  # Apple's proxy or a link scanner: a second after sending
                elif human is not None:
                    read, delay = human, human - sent
                else:
                    read, delay = None, None
                click = r.get("click") is not None and r["click"] < hi
                unsub = r.get("unsub") is not None and r["unsub"] < hi
                bounce = r.get("bounce") is not None
                counts["sent"] += 1
                counts["read"] += read is not None
                counts["machine_read"] += delay is not None and delay < 2
                counts["clicked"] += click
                counts["bounced"] += bounce
                counts["unsubscribed"] += unsub
                out.line(
                    ",".join(
                        [
                            php_csv_field(r["address"]),
                            subject_field,
                            php_csv_field(mautic_time(sent)),
                            "Yes" if read is not None else "No",
                            php_csv_field(mautic_time(read)) if read is not None else "",
                            "Yes" if click else "No",
                            "Yes" if unsub else "No",
                            "Yes" if bounce else "No",
                            duration(delay) if delay is not None else "-",
                        ]
                    )
                )
            fact.update(counts)  # the latest download's state is the campaign's
        if fact["files"]:
            tools.facts["mautic"][cid] = fact

    def finish(self) -> None:
        for d, out in self.files.items():
            self.tools.close(out, d)
