"""The demo generator: determinism, formats, dirt, realism, and a truth file that matches the files."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from pipelines.demo.generator import GenerateConfig, generate

REQUIRED = {
    "members": ["Mitgliedsnummer", "Registriert am"],
    "newsletter_campaigns": ["Kampagnen-ID", "Versendet am"],
    "newsletter_activity": ["Kampagnen-ID", "E-Mail", "Aktion", "Zeitpunkt"],
    "events": ["Veranstaltungs-ID", "Beginn"],
    "attendance": ["Anmelde-ID", "Veranstaltungs-ID"],
    "clubs": ["Club-ID"],
    "club_activities": ["Bericht-ID", "Club-ID", "Datum"],
    "donations": ["Spenden-ID", "Betrag"],
    "erasure_requests": ["Eingegangen am"],
}
DATE_RE = re.compile(r"^(\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2})$")
DATETIME_RE = re.compile(
    r"^(\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}(:\d{2})?|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)$"
)


def decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def read_export(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], dict]:
    """An independent reader of the canonical format (not the pipeline's): header names, rows with lines."""
    raw = path.read_bytes()
    text, encoding = decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    keys = [h.lower() for h in header]
    rows = []
    line = reader.line_num + 1
    for values in reader:
        record = dict(zip(keys, values, strict=False)) if len(values) == len(keys) else {"__malformed__": "1"}
        rows.append((line, record))
        line = reader.line_num + 1
    info = {"encoding": encoding, "delimiter": delimiter, "crlf": b"\r\n" in raw}
    return header, rows, info


def parse_date(text: str) -> date:
    text = text.strip()
    if "." in text:
        return datetime.strptime(text, "%d.%m.%Y").date()
    return date.fromisoformat(text)


def parse_datetime(text: str) -> datetime:
    text = text.strip()
    if "." in text[:6]:
        fmt = "%d.%m.%Y %H:%M:%S" if text.count(":") == 2 else "%d.%m.%Y %H:%M"
        return datetime.strptime(text, fmt)
    return datetime.fromisoformat(text).replace(tzinfo=None)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_the_same_bytes(tmp_path):
    args = {"scale": 0.03, "seed": 3, "until": date(2022, 10, 31)}
    generate(GenerateConfig(tmp_path / "a", **args))
    generate(GenerateConfig(tmp_path / "b", **args))
    generate(GenerateConfig(tmp_path / "c", **{**args, "seed": 4}))
    a, b, c = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b"), tree_digest(tmp_path / "c")
    assert a == b
    assert len(a) > 40
    assert a != c


def test_until_defaults_to_the_day_the_config_is_made(tmp_path, monkeypatch):
    # a long-running process (the Dagster daemon, a notebook) must not generate up to the day it started
    from pipelines.demo import generator

    class Later(date):
        @classmethod
        def today(cls) -> date:
            return date(2031, 1, 2)

    monkeypatch.setattr(generator, "date", Later)
    assert GenerateConfig(tmp_path).until == date(2031, 1, 2)


def test_a_month_later_extends_the_same_world(tmp_path):
    """`--until` a month later (same horizon) adds a month of activity to the same network: finished years are
    exported unchanged and every row of the running year's exports is exported again, plus the new month's."""
    args = {"scale": 0.05, "seed": 7}
    generate(GenerateConfig(tmp_path / "a", until=date(2022, 10, 31), **args))
    generate(GenerateConfig(tmp_path / "b", until=date(2022, 11, 30), **args))
    a, b = tmp_path / "a" / "landing", tmp_path / "b" / "landing"
    finished = [p.relative_to(a) for p in a.rglob("*_2021-12-31.csv")]
    assert len(finished) >= 6
    for rel in finished:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    grown = 0
    for earlier in a.rglob("*_2022-10-31.csv"):
        if earlier.parent.name == "erasure":
            continue
        later = b / earlier.parent.name / earlier.name.replace("2022-10-31", "2022-11-30")
        old_lines = earlier.read_bytes().splitlines()
        new_lines = later.read_bytes().splitlines()
        assert set(old_lines) <= set(new_lines), later
        grown += len(new_lines) > len(old_lines)
    assert grown >= 3  # newsletter activity, attendance, club reports at least
    members = sorted((b / "members").glob("*.csv"))
    assert members[-1].name == "members_2022-11-15.csv"


def test_every_file_parses_per_contract(demo_small):
    root, truth = demo_small
    broken = {(b["file"], b["line"]) for b in truth["broken_rows"]}
    csv_files = [rel for rel, meta in truth["files"].items() if meta.get("format") != "xlsx"]
    assert len(csv_files) > 50  # workbooks: see test_tool_exports.py
    for rel, meta in truth["files"].items():
        if meta.get("format") == "xlsx":
            continue
        header, rows, info = read_export(root / "landing" / rel)
        lowered = [h.lower() for h in header]
        for column in REQUIRED[meta["source"]]:
            assert column.lower() in lowered, f"{rel}: required header {column} missing"
        assert re.match(r".+_\d{4}-\d{2}-\d{2}\.csv$", rel), rel
        assert len(rows) == meta["rows"], rel
        for line, record in rows:
            if (rel, line) in broken:
                continue
            assert "__malformed__" not in record, f"{rel}:{line} unexpected malformed row"
            for column in REQUIRED[meta["source"]]:
                if meta["source"] == "erasure_requests":
                    continue
                assert record[column.lower()].strip(), f"{rel}:{line} {column} empty"
            for key, value in record.items():
                if not value:
                    continue
                if key in (
                    "registriert am",
                    "abgemeldet am",
                    "datum",
                    "gegründet am",
                    "angemeldet am",
                    "eingegangen am",
                ):
                    assert DATE_RE.match(value), f"{rel}:{line} {key}={value!r}"
                    parse_date(value)
                if key in ("versendet am", "zeitpunkt", "beginn", "eingecheckt am"):
                    assert DATETIME_RE.match(value), f"{rel}:{line} {key}={value!r}"
                    parse_datetime(value)
                if key in ("newsletter", "tracking", "kontaktfreigabe", "maschinell"):
                    assert value.lower() in ("ja", "nein", "yes", "no", "true", "false", "1", "0"), value
                if key == "betrag":
                    assert re.match(r"^\d{1,3}(\.\d{3})*,\d{2}$|^\d+\.\d{2}$", value), value


def test_encodings_delimiters_and_line_endings_as_intended(demo_small):
    root, truth = demo_small
    seen = Counter()
    for rel, meta in truth["files"].items():
        if meta.get("format") == "xlsx":
            continue  # a workbook: see test_tool_exports.py
        raw = (root / "landing" / rel).read_bytes()
        _, _, info = read_export(root / "landing" / rel)
        assert info["delimiter"] == meta["delimiter"], rel
        assert info["crlf"] == (meta["newline"] == "crlf"), rel
        if meta["encoding"] == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf"), rel
        elif meta["encoding"] == "utf-8":
            raw.decode("utf-8")
            assert not raw.startswith(b"\xef\xbb\xbf"), rel
        else:
            assert meta["encoding"] == "cp1252"
            if any(b > 127 for b in raw):
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")
                # umlauts survive in the Windows encoding: no mojibake
                assert "Ã" not in raw.decode("cp1252"), rel
        seen[(meta["encoding"], meta["delimiter"], meta["newline"])] += 1
    encodings = {e for e, _, _ in seen}
    assert encodings == {"utf-8", "utf-8-sig", "cp1252"}
    assert {d for _, d, _ in seen} == {";", ","}
    assert {n for _, _, n in seen} == {"lf", "crlf"}


def test_realistic_volumes_and_rates_at_scale_1(demo_scale1):
    root, truth = demo_scale1
    facts = truth["facts"]
    assert 8000 <= facts["members_mid_2017"] <= 10000
    snapshots = facts["members_active_by_snapshot"]
    ordered = [snapshots[k] for k in sorted(snapshots)]
    assert ordered[0] < ordered[-1], "the network keeps growing"
    assert facts["countries_until"] >= 50
    news = facts["newsletter"]
    assert 0.20 <= news["human_open_rate"] <= 0.30
    assert 0.02 <= news["human_click_rate"] <= 0.05
    assert news["machine_opens"] > 0 and news["scanner_recipients"] > 0
    campaigns_per_year = Counter()
    members_files = sorted((root / "landing" / "members").glob("*.csv"))
    assert len(members_files) >= 15  # yearly, then monthly
    for path in (root / "landing" / "newsletter").glob("campaigns_*.csv"):
        for _, record in read_export(path)[1]:
            if record.get("versendet am") and DATETIME_RE.match(record["versendet am"]):
                campaigns_per_year[(record["kampagnen-id"], parse_datetime(record["versendet am"]).year)] += 1
    per_year = Counter(year for _, year in campaigns_per_year)
    for year in range(2013, 2026):
        assert 10 <= per_year[year] <= 14, (year, per_year[year])
    assert 2 <= facts["erased"] <= 20
    assert 0 < facts["duplicate_people"] < 0.01 * facts["members_registered"]


def test_distributions_of_the_latest_snapshot(demo_scale1):
    root, _ = demo_scale1
    latest = sorted((root / "landing" / "members").glob("*.csv"))[-1]
    _, rows, _ = read_export(latest)
    records = [r for _, r in rows if "__malformed__" not in r]
    status = Counter(r["statusgruppe"] for r in records)
    assert status.most_common(1)[0][0] == "Absolvent/in"
    assert {
        "Promovierte/r",
        "Professor/in",
        "Mitarbeiter/in",
        "ehemalige/r Studierende/r",
        "Freund/in",
    } <= set(status)
    faculties = Counter(r["fakultät"] for r in records)
    assert {"NAT", "MATH", "MB", "ETIT", "INF", "WIWI", "PHIL", "HSW"} <= set(faculties)
    cities = Counter(r["ort"] for r in records)
    assert cities.most_common(1)[0][0] == "Chemnitz"
    assert 0.25 < cities["Chemnitz"] / len(records) < 0.45
    consent = Counter(r["newsletter"] for r in records)
    assert 0.4 < consent["ja"] / len(records) < 0.8 or 0.4 < consent["true"] / len(records) < 0.8


def test_events_meetings_clubs_and_machine_opens(demo_scale1):
    root, _ = demo_scale1
    events = {}
    for path in (root / "landing" / "events").glob("events_*.csv"):
        for _, r in read_export(path)[1]:
            if r.get("beginn"):
                events[r["veranstaltungs-id"]] = r
    meetings = [r for r in events.values() if r["typ"] == "Alumnitreffen"]
    assert any(
        parse_datetime(r["beginn"]).date() == date(2017, 5, 20) and r["ort"] == "Chemnitz" for r in meetings
    )
    years = sorted(parse_datetime(r["beginn"]).year for r in meetings)
    assert all(b - a == 2 for a, b in zip(years, years[1:], strict=False))
    types = Counter(r["typ"] for r in events.values())
    assert types["Ringvorlesung"] >= 6 * 10 and types["Weiterbildung"] > 0 and types["Karriere"] > 0
    speakers = 0
    for path in (root / "landing" / "events").glob("attendance_*.csv"):
        speakers += sum(1 for _, r in read_export(path)[1] if r.get("rolle") == "Referent/in")
    assert speakers > 50
    clubs_by_year = {}
    for path in sorted((root / "landing" / "clubs").glob("clubs_*.csv")):
        clubs_by_year[int(path.stem[6:10])] = {
            r["club-id"] for _, r in read_export(path)[1] if r.get("club-id")
        }
    assert min(clubs_by_year) == 2017 and len(clubs_by_year[2017]) <= 8
    assert 20 <= len(clubs_by_year[max(clubs_by_year)]) <= 60
    activities = Counter()
    for path in (root / "landing" / "clubs").glob("activities_*.csv"):
        activities.update(r.get("aktivität") for _, r in read_export(path)[1])
    for kind in (
        "Clubtreffen",
        "Studieninteressierte informiert",
        "Unternehmenskontakt",
        "Austauschstudierende betreut",
        "Sponsor gewonnen",
        "Kooperationspartner gewonnen",
    ):
        assert activities[kind] > 0, kind
    proxy_before, proxy_after = 0, 0
    for path in (root / "landing" / "newsletter").glob("activity_*.csv"):
        for _, r in read_export(path)[1]:
            if r.get("user-agent") == "Mozilla/5.0":
                when = parse_datetime(r["zeitpunkt"]).date()
                proxy_after += when >= date(2021, 9, 1)
                proxy_before += when < date(2021, 9, 1)
    assert proxy_before == 0 and proxy_after > 1000


def test_real_dirt_is_present(demo_small):
    root, truth = demo_small
    emails_with_dirt = 0
    overlap = defaultdict(set)
    for path in (root / "landing" / "newsletter").glob("activity_*.csv"):
        for _, r in read_export(path)[1]:
            e = r.get("e-mail", "")
            emails_with_dirt += e != e.strip().lower()
            overlap[(r.get("kampagnen-id"), e, r.get("aktion"), r.get("link"))].add(path.name)
    assert emails_with_dirt > 0
    assert any(len(files) > 1 for files in overlap.values()), "overlapping exports repeat rows"
    assert truth["duplicate_files"], "a file downloaded twice"
    dup = truth["duplicate_files"][0]
    assert (root / "landing" / dup["file"]).read_bytes() == (root / "landing" / dup["same_as"]).read_bytes()
    # people who changed address: one member id with several addresses across snapshots
    addresses = defaultdict(set)
    for path in (root / "landing" / "members").glob("*.csv"):
        for _, r in read_export(path)[1]:
            if r.get("mitgliedsnummer"):
                addresses[r["mitgliedsnummer"]].add(r.get("e-mail"))
    assert sum(len(a) > 1 for a in addresses.values()) > 10
    sources = {b["source"] for b in truth["broken_rows"]}
    assert sources == set(REQUIRED)


def test_truth_file_matches_the_files(demo_small):
    root, truth = demo_small
    cache = {}
    for broken in truth["broken_rows"]:
        rel = broken["file"]
        if rel.endswith(".xlsx"):
            continue
        if rel not in cache:
            header, rows, _ = read_export(root / "landing" / rel)
            cache[rel] = (header, dict(rows), rows)
        header, by_line, rows = cache[rel]
        record = by_line[broken["line"]]
        column, reason = broken["column"].lower(), broken["reason"]
        if reason == "malformed_row":
            assert "__malformed__" in record
            continue
        value = record[column]
        if reason in ("missing_required", "missing_identity"):
            assert value.strip() == ""
        elif reason == "duplicate_id":
            earlier = [r[column] for line, r in rows if line < broken["line"] and column in r]
            assert value in earlier
        elif reason == "invalid_date":
            with pytest.raises(ValueError):
                parse_date(value)
        elif reason == "invalid_datetime":
            with pytest.raises(ValueError):
                parse_datetime(value)
        elif reason == "invalid_value":
            assert value not in (
                "sent",
                "open",
                "click",
                "hard_bounce",
                "soft_bounce",
                "unsubscribe",
                "complaint",
            )
        elif reason in ("unknown_campaign", "unknown_event", "unknown_club"):
            assert value
        elif reason == "non_positive_amount":
            assert float(value.replace(".", "").replace(",", ".")) <= 0
        elif reason == "invalid_decimal":
            assert not re.match(r"^-?[\d.,]+$", value)
        else:
            pytest.fail(f"unexpected reason {reason}")
    for soft in truth["soft_anomalies"]:
        header, rows, _ = read_export(root / "landing" / soft["file"])
        assert soft["line"] in dict(rows)
    # the truth's row counts match (checked per file in test_every_file_parses_per_contract)
    assert statistics.mean(f["rows"] for f in truth["files"].values()) > 0


def test_cli_generate_writes_into_the_data_dir(tmp_path, capsys):
    from pipelines.cli import main

    assert main(["generate", "--data-dir", str(tmp_path), "--scale", "0.02", "--until", "2020-06-30"]) == 0
    out = capsys.readouterr().out
    assert "Demo data written" in out
    assert (tmp_path / "landing" / "members").is_dir()
    assert (tmp_path / "demo_truth.json").is_file()
    assert not (tmp_path / "landing" / "demo_truth.json").exists()


def test_cli_rejects_bad_arguments(capsys):
    from pipelines.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["generate", "--scale", "-1"])
    assert exc.value.code == 2
    assert "above 0" in capsys.readouterr().err
