"""listmonk (the newsletter of 2024): campaign views and clicks exports, downloaded at the end of June and of the
year, anonymous before individual tracking was switched on."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pipelines.demo.formats import BERLIN, day_of, day_start, local
from pipelines.demo.tools import LISTMONK_YEAR
from pipelines.demo.tools.files import ToolFile

if TYPE_CHECKING:
    from pipelines.demo.tools.office import ToolExports

# listmonk's individual tracking is off by default: its views and clicks are anonymous before this day
LISTMONK_TRACKING_FROM = date(2024, 4, 1)
LISTMONK_VIEWS = [
    "campaign_id", "campaign_uuid", "campaign_name", "subscriber_id", "subscriber_uuid", "email",
    "subscriber_name", "created_at",
]  # fmt: skip
LISTMONK_CLICKS = LISTMONK_VIEWS[:7] + ["url", "created_at"]


_UTC_OFFSETS: dict[int, int] = {}


def rfc3339_utc(seconds: int) -> str:
    """listmonk's `created_at`: `time.RFC3339` in the database session's zone (UTC), no fractions."""
    hour = int(seconds) // 3600
    offset = _UTC_OFFSETS.get(hour)
    if offset is None:
        delta = local(hour * 3600).replace(tzinfo=BERLIN).utcoffset()
        offset = _UTC_OFFSETS[hour] = int(delta.total_seconds())
    return (local(int(seconds) - offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_csv_field(value: str) -> str:
    """Go `encoding/csv`: quote only a field with a delimiter, quote, CR or LF, or a leading space."""
    if value and (any(c in value for c in ',"\r\n') or value[0] in " \t"):
        return '"' + value.replace('"', '""') + '"'
    return value


class ListmonkWriter:
    """Campaign analytics exports (Admin → Maintenance, v6.2+): views and clicks since 1 January, downloaded at
    the end of June and at the end of the year, so the second download repeats the first."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        ends = [date(LISTMONK_YEAR, 6, 30), date(LISTMONK_YEAR, 12, 31)]
        self.downloads = sorted(
            {min(d, tools.until) for d in ends if min(d, tools.until).year == LISTMONK_YEAR}
        )
        self.views: dict[date, ToolFile] = {}
        self.clicks: dict[date, ToolFile] = {}
        if tools.until < date(LISTMONK_YEAR, 1, 1):
            self.downloads = []
        for d in self.downloads:
            self.views[d] = tools.open(
                ToolFile(tools.landing / f"listmonk/campaign_views_{d.isoformat()}.csv", "listmonk",
                         "campaign_views", "en")
            )  # fmt: skip
            self.clicks[d] = tools.open(
                ToolFile(tools.landing / f"listmonk/campaign_clicks_{d.isoformat()}.csv", "listmonk",
                         "campaign_clicks", "en")
            )  # fmt: skip
            self.views[d].line(",".join(LISTMONK_VIEWS), False)
            self.clicks[d].line(",".join(LISTMONK_CLICKS), False)

    def campaign(self, campaign: tuple, rows: list[tuple], members, email_idx) -> None:
        tools, net = self.tools, self.tools.gen.net
        cid, subject, _topic, sent_at, _lang = campaign
        number = int(cid.rsplit("-", 1)[1])
        sent_day = day_of(sent_at)
        tools.campaign_ids[cid] = (str(number), len(members))
        name = go_csv_field(f"Alumni-Newsletter {sent_day.month:02d}/{sent_day.year}: {subject}")
        head = f"{number},{tools.hash_uuid('listmonk-campaign', cid)},{name}"
        anonymous = sent_day < LISTMONK_TRACKING_FROM
        events = []  # (seconds, is click, subscriber part, url)
        j = -1
        subscriber = ""
        for s, _address, action, link, _ua, _machine in rows:
            if action == "sent":
                j += 1
                subscriber = ""
                continue
            if action not in ("open", "click"):
                continue
            if not subscriber:
                if anonymous:
                    subscriber = "0,,,"
                else:
                    e, m = int(email_idx[j]), int(members[j])
                    subscriber = (
                        f"{e + 1},{tools.hash_uuid('listmonk-subscriber', e)},{go_csv_field(net.emails[e])},"
                        f"{go_csv_field(net.first[m] + ' ' + net.last[m])}"
                    )
            events.append((s, action == "click", subscriber, link))
        events.sort(key=lambda e: e[0])
        fact = {"campaign_id": number, "recipients": len(members), "views": 0, "clicks": 0,
                "anonymous_opens": 0, "anonymous_clicks": 0, "files": []}  # fmt: skip
        for d in self.downloads:
            if d < sent_day:
                continue
            end = day_start(d) + 86400
            for s, click, sub, url in events:
                if s >= end:
                    break
                if click:
                    self.clicks[d].line(f"{head},{sub},{go_csv_field(url)},{rfc3339_utc(s)}")
                else:
                    self.views[d].line(f"{head},{sub},{rfc3339_utc(s)}")
            fact["files"].append(d.isoformat())
            # the latest download holds the most: its counts are the campaign's
            inside = [e for e in events if e[0] < end]
            fact["views"] = sum(not e[1] for e in inside)
            fact["clicks"] = sum(e[1] for e in inside)
            fact["anonymous_opens"] = sum(not e[1] and e[2] == "0,,," for e in inside)
            fact["anonymous_clicks"] = sum(e[1] and e[2] == "0,,," for e in inside)
        tools.facts["listmonk"][cid] = fact

    def finish(self) -> None:
        for d in self.downloads:
            self.tools.close(self.views[d], d)
            self.tools.close(self.clicks[d], d)
