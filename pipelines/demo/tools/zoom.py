"""Zoom (from 2022: the online lecture series): one webinar attendee report per lecture, generated the day after,
with its summary, host, panelist and attendee sections."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pipelines.demo.formats import day_of, day_start, local
from pipelines.demo.tools.files import ToolFile

if TYPE_CHECKING:
    from pipelines.demo.tools.office import ToolExports

ZOOM_SUMMARY = [
    "Topic", "Webinar ID", "Actual Start Time", "Actual Duration (minutes)", "# Registered", "# Cancelled",
    "Unique Viewers", "Total Users", "Max Concurrent Views",
]  # fmt: skip
ZOOM_HOST = [
    "Attended", "User Name (Original Name)", "Email", "Join Time", "Leave Time", "Time in Session (minutes)",
    "Is Guest", "Country/Region Name",
]  # fmt: skip
ZOOM_ATTENDEE = [
    "Attended", "User Name (Original Name)", "First Name", "Last Name", "Email", "Phone", "Registration Time",
    "Approval Status", "Join Time", "Leave Time", "Time in Session (minutes)", "Is Guest", "Country/Region Name",
    "Source Name",
]  # fmt: skip
OFFICE_ACCOUNT = ("Alumni-Büro TU Chemnitz", "alumni-buero@tu-chemnitz.example")


def zoom_time(seconds: int) -> str:
    return local(seconds).strftime("%m/%d/%Y %I:%M:%S %p")


def excel_csv_field(value: str, delimiter: str = ",") -> str:
    """Python's `csv` excel dialect (QUOTE_MINIMAL), as Zoom's report looks."""
    if value and any(c in value for c in delimiter + '"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class ZoomWriter:
    """One webinar attendee report per lecture, generated the day after."""

    def __init__(self, tools: ToolExports) -> None:
        self.tools = tools
        self.first_of_year: set[int] = set()

    def webinar(self, ev: dict, regs: list[list]) -> None:
        tools = self.tools
        rng = tools.event_rng(ev["id"], 2)
        start = ev["start"]
        event_day = day_of(start)
        year = event_day.year
        report_day = event_day + timedelta(days=1)
        first_of_year = year not in self.first_of_year
        self.first_of_year.add(year)
        if not tools.exported(report_day):
            return
        webinar_id = ev["external_id"]
        spaced = f"{webinar_id[:3]} {webinar_id[3:7]} {webinar_id[7:]}"
        actual_start = start + int(rng.integers(0, 240))
        length = int(rng.integers(70, 100)) * 60
        end = actual_start + length
        panelists, attendees = [], []  # rows as lists of strings
        cancelled = 0
        written = 0  # registrations (not rows: a person may join twice) in the attendee section
        sessions = 0
        emails_attended: set[str] = set()
        registered: set[str] = set()
        for reg in regs:
            person = tools.person(reg, rng)
            email = person["email"]
            name = f"{person['first']} {person['last']}"
            if reg[7] == "Referent/in":
                join = start - int(rng.integers(10, 25)) * 60
                leave = end + int(rng.integers(0, 300))
                panelists.append(
                    ["Yes", name, email, zoom_time(join), zoom_time(leave), str(round((leave - join) / 60)),
                     "Yes", person["country"]]
                )  # fmt: skip
                registered.add(email.lower())
                emails_attended.add(email.lower())
                continue
            if reg[5] == "storniert":
                cancelled += 1
                continue
            registered.add(email.lower())
            written += 1
            reg_time = (reg[4] // 86400) * 86400 + int(rng.integers(7 * 3600, 23 * 3600))
            source = ["Newsletter", "Website", ""][int(rng.integers(0, 3))]
            base = [person["first"], person["last"], email, "", zoom_time(reg_time), "approved"]
            if reg[6] is None:
                attendees.append(["No", name, *base, "--", "--", "--", "Yes", person["country"], source])
                continue
            emails_attended.add(email.lower())
            join = actual_start + (reg[6] - start) // 6 + int(rng.integers(0, 300))
            leave = (
                end - int(rng.integers(0, 1200))
                if rng.random() < 0.8
                else join + int(rng.integers(600, 2400))
            )
            parts = [(join, leave)]
            if rng.random() < 0.15:  # dropped out and joined again (another device, a lost connection)
                cut = join + int((leave - join) * rng.uniform(0.2, 0.7))
                parts = [(join, cut), (cut + int(rng.integers(30, 400)), leave)]
            for a, b in parts:
                if b <= a:
                    b = a + 60
                sessions += 1
                user = name if a == join else f"{name} (iPhone)"
                attendees.append(
                    ["Yes", user, *base, zoom_time(a), zoom_time(b), str(max(1, round((b - a) / 60))), "Yes",
                     person["country"], source]
                )  # fmt: skip
        dial_in = first_of_year or rng.random() < 0.25
        phone_row = None
        if dial_in and attendees:
            a = actual_start + int(rng.integers(60, 600))
            phone_row = ["Yes", "Telefonteilnehmer/in 2", "", "", "", "+49371531xxxx", "", "approved",
                         zoom_time(a), zoom_time(end), str(round((end - a) / 60)), "Yes", "Germany", ""]  # fmt: skip
            attendees.insert(int(rng.integers(0, len(attendees) + 1)), phone_row)

        bom = year >= 2024  # newer Zoom downloads start with a byte order mark
        path = tools.landing / f"zoom/Attendee_Report_{webinar_id}_{report_day.isoformat()}.csv"
        out = tools.open(ToolFile(path, "zoom", "webinar_attendees", "en", newline="\n", bom=bom))

        def row(values: list[str], data: bool = True, quoted: tuple[int, ...] = ()) -> int:
            fields = [
                '"' + v.replace('"', '""') + '"' if i in quoted else excel_csv_field(v)
                for i, v in enumerate(values)
            ]
            return out.line(",".join(fields), data)

        generated = day_start(report_day) + 9 * 3600 + int(rng.integers(0, 7200))
        out.line("Attendee Report", False)
        row(["Report Generated:", local(generated).strftime("%m/%d/%Y %I:%M %p")], False, quoted=(1,))
        row(ZOOM_SUMMARY, False)
        unique_viewers = len({r[4].lower() for r in attendees if r[0] == "Yes" and r[4]})
        row(
            [ev["title"], spaced, zoom_time(actual_start), str(length // 60), str(len(registered) + cancelled),
             str(cancelled), str(unique_viewers), str(sessions), str(max(1, round(unique_viewers * 0.9)))],
            False,
            quoted=(2,),
        )  # fmt: skip
        trailing = "," if int(ev["id"][-3:]) % 2 else ""  # some reports end section lines with a comma
        out.line("Host Details" + trailing, False)
        row(ZOOM_HOST, False)
        host_join = actual_start - 20 * 60
        row(["Yes", OFFICE_ACCOUNT[0], OFFICE_ACCOUNT[1], zoom_time(host_join), zoom_time(end + 120),
             str(round((end + 120 - host_join) / 60)), "No", "Germany"])  # fmt: skip
        out.line("Panelist Details" + trailing, False)
        row(ZOOM_HOST, False)
        for values in panelists:
            row(values)
        out.line("Attendee Details" + trailing, False)
        row(ZOOM_ATTENDEE, False)
        without_email = 0
        for values in attendees:
            line = row(values)
            if values is phone_row:
                without_email += 1
                tools.broken(out, line, "Email", "missing_email")
        tools.close(out, report_day, event_id=ev["id"], webinar_id=webinar_id)
        tools.facts["zoom"][ev["id"]] = {
            "webinar_id": webinar_id,
            "file": path.name,
            "registrations": len(registered),  # distinct e-mails of panelists and attendees
            "registration_rows": len(panelists) + written,  # registrations of the world in this report
            "attendees": len(emails_attended),
            "speakers": len(panelists),
            "no_shows": sum(1 for r in attendees if r[0] == "No"),
            "cancelled": cancelled,
            "join_sessions": sessions,
            "rows_without_email": without_email,
        }
