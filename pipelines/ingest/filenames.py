"""Which landing file names may be shown outside the warehouse (CONTRACTS.md §2).

A landing file's name can itself be personal (`erasure/Antrag_Max_Mustermann.pdf`). The warehouse keeps the
real name (the ledger needs it); everything published or logged — `meta_ingested_files`, `meta_quarantine`,
the run summary, Dagster's logs and run storage, the Datenqualität page — goes through `public_name`, which
passes a name through only where it follows a known pattern and otherwise writes "unrecognised file" with a
short keyed hash (the same file always gets the same hash; without the key nobody can test a guessed name).

The rule, one line per folder (`D` = `YYYY-MM-DD`, `T` = an optional `_HH-MM-SS` or `THH-MM-SS` after it,
`E` = `.csv` or `.xlsx`, matched case-insensitively, one folder deep only):

- canonical: `<folder>/<prefix>_D.E` for every source of CONTRACTS.md §3 (`members/members_2024-01-31.csv`);
- pretix: `pretix/<slug>_orders[_DT].E`, `pretix/<slug>_checkin_<list>[_DT].E`, `pretix/<slug>_checkinlog[_DT].E`
  (the tool's default names; slug and list of `[A-Za-z0-9-]`, list also `_`);
- listmonk: `listmonk/campaign_views|campaign_clicks|subscribers[_DT].E`;
- zoom: `zoom/Attendee_Report[_<digits>][_DT].E` (also `attendee_report`, `webinar_attendee_report`);
- mautic: `mautic/<name>.csv` whose name contains a date `D` and is made of a report's words only (`MAUTIC_WORDS`:
  `emails_sent_2024-03-31`, `report-2024-03-01T10-00`), numbers and `_.-` between them. Mautic lets the office
  name its reports, and a name may be a person's (`Versand_an_Hilde.Muster_2024-01-15`): any other word, a name
  without a date, spaces or other characters, and the name is not shown.

Everything else — another folder, a deeper path, another extension, a name with spaces, umlauts or `@` — is
"unrecognised file <hash>". A folder name is shown only where it is a known landing folder (`public_folder`).
"""

from __future__ import annotations

import re

from pipelines.ingest.privacy import keyed_hash
from pipelines.ingest.sources import SOURCES

UNRECOGNISED = "unrecognised file"

_DATE = r"\d{4}-\d{2}-\d{2}"
_STAMP = rf"(?:_{_DATE}(?:[_T]\d{{2}}-\d{{2}}-\d{{2}})?)?"
_EXT = r"\.(?:csv|xlsx)"
_SLUG = r"[A-Za-z0-9][A-Za-z0-9-]{0,63}"


# The words of a Mautic report's name that are shown (case-insensitive): what such a report is called, in English
# and German; a word not among them may be anything, a person's name too.
MAUTIC_WORDS = (
    "email", "emails", "e", "mail", "mails", "sent", "stats", "statistics", "report", "reports", "newsletter",
    "newsletters", "mautic", "export", "alumni", "versand", "versendet", "gesendet", "bericht", "statistik",
)  # fmt: skip
_MAUTIC_TOKEN = rf"(?:{'|'.join(MAUTIC_WORDS)}|\d+(?:T\d+)?)"


def _rules() -> dict[str, list[re.Pattern[str]]]:
    rules: dict[str, list[re.Pattern[str]]] = {}
    for source in SOURCES:
        rules.setdefault(source.folder, []).append(
            re.compile(rf"{re.escape(source.prefix)}_{_DATE}{_EXT}", re.IGNORECASE)
        )
    tool = {
        "pretix": [
            rf"{_SLUG}_orders{_STAMP}{_EXT}",
            rf"{_SLUG}_checkin_[A-Za-z0-9_-]{{1,64}}?{_STAMP}{_EXT}",
            rf"{_SLUG}_checkinlog{_STAMP}{_EXT}",
        ],
        "listmonk": [rf"(?:campaign_views|campaign_clicks|subscribers){_STAMP}{_EXT}"],
        "zoom": [rf"(?:webinar_)?attendee_report(?:_\d{{1,20}})?{_STAMP}{_EXT}"],
        # a separator between each two tokens: a number followed by a number cannot be split two ways
        "mautic": [
            rf"(?=[A-Za-z0-9_.-]{{1,120}}\.csv$)(?=.*{_DATE}){_MAUTIC_TOKEN}(?:[_.-]{_MAUTIC_TOKEN})*\.csv"
        ],
    }
    for folder, patterns in tool.items():
        rules.setdefault(folder, []).extend(re.compile(p, re.IGNORECASE) for p in patterns)
    return rules


RULES = _rules()


def is_known(rel_path: str) -> bool:
    """True where `rel_path` (relative to landing/, with `/`) follows one of the known patterns."""
    parts = rel_path.replace("\\", "/").split("/")
    if len(parts) != 2:
        return False
    folder, name = parts
    return any(p.fullmatch(name) for p in RULES.get(folder, []))


def public_name(rel_path: str, key: bytes) -> str:
    """The name to publish or log for a landing file: itself if known, else "unrecognised file <hash>"."""
    if is_known(rel_path):
        return rel_path
    return f"{UNRECOGNISED} {keyed_hash(key, 'landing-file:' + rel_path)[:12]}"


def public_folder(folder: str | None) -> str:
    """A landing folder's name where it is a known one, else "unknown" (a folder name can be personal too)."""
    return folder if folder in RULES else "unknown"


def public_text(text: str, rel_path: str, key: bytes) -> str:
    """`text` (a log line, a reason) with every occurrence of the file's real name replaced by its public name."""
    public = public_name(rel_path, key)
    return text if public == rel_path else text.replace(rel_path, public)
