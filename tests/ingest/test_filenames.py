"""Which landing file names may be published or logged (pipelines/ingest/filenames.py, CONTRACTS.md §2)."""

from __future__ import annotations

import pytest

from pipelines.ingest.filenames import UNRECOGNISED, is_known, public_folder, public_name, public_text

KEY = b"test-key"

KNOWN = [
    "members/members_2024-01-31.csv",
    "members/Members_2024-01-31.XLSX",
    "newsletter/campaigns_2023-12-01.csv",
    "newsletter/activity_2023-12-01.xlsx",
    "events/attendance_2022-05-01.csv",
    "clubs/activities_2022-05-01.csv",
    "donations/donations_2021-01-01.csv",
    "erasure/erasure_2024-02-02.csv",
    "pretix/alumnitag2024_orders.csv",
    "pretix/alumnitag2024_orders_2024-06-01.xlsx",
    "pretix/alumnitag2024_checkin_default.csv",
    "pretix/alumnitag-2024_checkin_main_entrance_2024-06-01_10-11-12.csv",
    "pretix/alumnitag2024_checkinlog.csv",
    "listmonk/campaign_views.csv",
    "listmonk/campaign_clicks_2024-03-01.csv",
    "listmonk/subscribers.csv",
    "zoom/Attendee_Report.csv",
    "zoom/attendee_report_81234567890_2024-03-01.csv",
    "mautic/emails_sent_2024-03-01.csv",
    "mautic/report-2024-03-01T10-00.csv",
    "mautic/Newsletter_Emails_Sent_2024-03-31.csv",
]

UNKNOWN = [
    "erasure/Antrag_Max_Mustermann.pdf",
    "members/Mitglieder von Max Mustermann.csv",
    "members/members_2024-01-31.csv.bak",
    "members/members.csv",
    "Max_Mustermann/members_2024-01-31.csv",
    "members_2024-01-31.csv",
    "members/sub/members_2024-01-31.csv",
    "listmonk/max@example.org_2024-01-01.csv",
    "mautic/Max Mustermann 2024-01-01.csv",
    "mautic/Max_Mustermann.csv",
    "mautic/Jürgen_2024-01-01.csv",
    "mautic/Versand_an_Hilde.Zyzzel_2024-01-15.csv",
    "mautic/emails_sent_Mustermann_2024-01-15.csv",
    "pretix/orders.csv",
    "zoom/Anna_Schmidt.csv",
]


@pytest.mark.parametrize("name", KNOWN)
def test_known_patterns_are_shown_as_they_are(name):
    assert is_known(name)
    assert public_name(name, KEY) == name


@pytest.mark.parametrize("name", UNKNOWN)
def test_other_names_become_unrecognised_file_with_a_keyed_hash(name):
    shown = public_name(name, KEY)
    assert not is_known(name)
    assert shown.startswith(f"{UNRECOGNISED} ") and len(shown) == len(UNRECOGNISED) + 13
    for part in name.replace("/", " ").replace("_", " ").replace(".", " ").split():
        if len(part) > 3 and not part.isdigit():
            assert part.lower() not in shown.lower()
    assert public_name(name, KEY) == shown  # stable
    assert public_name(name, b"other-key") != shown  # keyed: a guessed name cannot be tested without the key


def test_folders_and_texts():
    assert public_folder("erasure") == "erasure"
    assert public_folder("pretix") == "pretix"
    assert public_folder("Max_Mustermann") == "unknown"
    name = "erasure/Antrag_Max_Mustermann.pdf"
    text = public_text(f"{name}:3 bad value", name, KEY)
    assert "Mustermann" not in text and text.endswith(":3 bad value")
