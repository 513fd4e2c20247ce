"""The demo world as the office's tools export it: pretix, Zoom, listmonk and Mautic (TOOLS.md, TOOL_FORMATS.md).

From some year on the office runs its central meetings and career evenings on pretix, its online lecture series
on Zoom webinars and its newsletter first on listmonk, then on Mautic. For those events and campaigns the
generator writes the tools' exports *instead of* the canonical rows (never both): `ToolExports` decides what is
diverted, and one writer per tool writes the files exactly as the tool does (headers in the tool's language,
delimiter, quoting, line endings, date spellings). Volunteers who buy no ticket (mentors, helpers, organisers
of a pretix event) stay in the canonical attendance export, as an office keeps them.

Everything here is deterministic: each event draws from its own random stream (seeded by its id), the
newsletter writers only re-spell what the simulation decided, so the world's existing streams are untouched and a
later `--until` adds files without changing the ones an earlier run wrote.

The package: `office` (which events and campaigns a tool speaks for, the bookkeeping of the tools' files in the
truth file), `files` (a tool export being written), and one writer per tool: `pretix`, `zoom`, `listmonk`,
`mautic`. The years below are read by the canonical sources too (`pipelines/demo/sources/`).
"""

# From which year each tool speaks for the office.
ZOOM_FROM = 2022  # Ringvorlesung (online) as Zoom webinar attendee reports
PRETIX_FROM = 2023  # Alumnitreffen and Karriere events as pretix exports
LISTMONK_YEAR = 2024  # the newsletter's campaigns of this year as listmonk views and clicks
MAUTIC_FROM = 2025  # the newsletter's campaigns from this year on as Mautic "Emails sent" reports
XLSX_EVENTS_YEAR = 2024  # this year's events catalogue is kept in Excel
CATALOGUE_IDS_FROM = ZOOM_FROM  # catalogues carry `Externe ID` (campaigns also `Empfänger`) from this year on
