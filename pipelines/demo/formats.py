"""Time as the demo simulation counts it, and how the exports spell it.

Days are ordinals since 1970-01-01; times are naive Europe/Berlin seconds since 1970-01-01 00:00. `Formats`
spells dates, datetimes and booleans the way an export's `ExportStyle` asks; `country_label` spells a country as
the office's tool of the day does. The tool writers (`pipelines/demo/tools/`) use `local`, `day_of` and
`day_start` for their own spellings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipelines.demo import reference as ref
from pipelines.demo.writer import ExportStyle

BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = date(1970, 1, 1)
_EPOCH_LOCAL = datetime(1970, 1, 1)


def ordinal(d: date) -> int:
    return (d - EPOCH).days


def from_ordinal(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def local(seconds: int) -> datetime:
    """The simulation counts naive Europe/Berlin seconds since 1970-01-01 00:00."""
    return _EPOCH_LOCAL + timedelta(seconds=int(seconds))


def day_of(seconds: int) -> date:
    return local(seconds).date()


def day_start(d: date) -> int:
    return ordinal(d) * 86400


class Formats:
    """Date, datetime and boolean spellings, cached per day and hour: millions of rows go through here."""

    def __init__(self) -> None:
        self._day_de: dict[int, str] = {}
        self._day_iso: dict[int, str] = {}
        self._offset: dict[int, str] = {}

    def day_de(self, day: int) -> str:
        text = self._day_de.get(day)
        if text is None:
            d = EPOCH + timedelta(days=day)
            text = self._day_de[day] = f"{d.day:02d}.{d.month:02d}.{d.year}"
        return text

    def day_iso(self, day: int) -> str:
        text = self._day_iso.get(day)
        if text is None:
            text = self._day_iso[day] = (EPOCH + timedelta(days=day)).isoformat()
        return text

    def date(self, day: int, style: ExportStyle) -> str:
        return self.day_de(day) if style.date_format == "de" else self.day_iso(day)

    def offset(self, seconds: int) -> str:
        hour = seconds // 3600
        text = self._offset.get(hour)
        if text is None:
            delta = local(hour * 3600).replace(tzinfo=BERLIN).utcoffset()
            minutes = int(delta.total_seconds() // 60)
            text = self._offset[hour] = f"+{minutes // 60:02d}:{minutes % 60:02d}"
        return text

    def datetime(self, seconds: int, style: ExportStyle) -> str:
        """`seconds` counts local (Europe/Berlin, naive) time since 1970-01-01 00:00."""
        day, rest = divmod(int(seconds), 86400)
        hh, rest = divmod(rest, 3600)
        mm, ss = divmod(rest, 60)
        kind = style.datetime_format
        if kind == "de":
            return f"{self.day_de(day)} {hh:02d}:{mm:02d}:{ss:02d}"
        text = f"{self.day_iso(day)}T{hh:02d}:{mm:02d}:{ss:02d}"
        if kind == "iso_offset":
            text += self.offset(int(seconds))
        return text

    @staticmethod
    def boolean(value: bool | None, style: ExportStyle) -> str:
        if value is None:
            return ""
        if style.datetime_format == "de":
            return "ja" if value else "nein"
        return "true" if value else "false"


FMT = Formats()


def country_label(code: str, variant: int) -> str:
    """Country spelled as the tool of the day spells it: German name, English name or ISO code."""
    c = ref.countries()[code]
    return [c["name_de"], c["name_en"], code][variant % 3]
