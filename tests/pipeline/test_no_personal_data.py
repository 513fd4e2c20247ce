"""No personal data where it does not belong (CONTRACTS.md §2), searched for after a real `alumni pipeline` run.

The landing data has known names and addresses (the demo members, plus files whose very names are personal).
After the run, everything but `warehouse.duckdb` and the landing files is searched for them: Dagster's
storage (run and event logs, compute logs) under DAGSTER_HOME, dbt's target/ and logs, the run summary
printed by the command, and every text column of analytics.duckdb (Great Expectations results live in
Dagster's asset-check records and in meta_data_quality, both searched).
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import DBT_PROJECT_DIR, REPO_ROOT, DataDir
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PERSONAL_FILES = {
    "erasure/Antrag_Max_Mustermann.pdf": b"%PDF-1.4 Antrag auf Loeschung Max Mustermann",
    "members/Mitgliederliste Erika Musterfrau.csv": (
        b"Mitgliedsnummer;Vorname;Nachname;E-Mail\nA-999999;Erika;Musterfrau;erika.musterfrau@example.org\n"
    ),
    "Jonas_Beispielmann/members_2024-01-31.csv": b"Vorname;Nachname\nJonas;Beispielmann\n",
}


def landing_people(landing: Path) -> tuple[set[bytes], set[bytes]]:
    """E-mail addresses and "first last" names in every members export of the landing folder."""
    emails, names = set(), set()
    for path in sorted((landing / "members").glob("members_*.csv")):
        raw = path.read_bytes()
        text = (
            raw.decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp1252", errors="replace")
        )
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
            email = (row.get("E-Mail") or "").strip()
            if "@" in email:
                emails.add(email.lower().encode())
            first, last = (row.get("Vorname") or "").strip(), (row.get("Nachname") or "").strip()
            if first and last and (first + last).isascii():
                names.add(f"{first} {last}".encode())
    return emails, names


def files_under(*roots: Path) -> list[Path]:
    # os.walk, not rglob: dbt's target/ and logs/ are shared with runs of other tests (pytest -n), whose
    # folders may go while they are listed
    return [Path(folder) / name for root in roots for folder, _, names in os.walk(root) for name in names]


def contents(paths: list[Path]) -> list[tuple[Path, bytes]]:
    """Each file's bytes; a file removed since it was listed (another run's, pruned) has none to search."""
    found = []
    for path in paths:
        try:
            found.append((path, path.read_bytes()))
        except FileNotFoundError:
            continue
    return found


def modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except FileNotFoundError:
        return False


def test_no_name_or_address_outside_the_warehouse(demo_small, tmp_path):
    root, _ = demo_small
    data_dir = DataDir(tmp_path / "data")
    shutil.copytree(root / "landing", data_dir.landing)
    for rel, content in PERSONAL_FILES.items():
        (data_dir.landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (data_dir.landing / rel).write_bytes(content)
    started = time.time()
    result = run_cli("pipeline", "--data-dir", str(data_dir.root))
    assert result.returncode == 2, (
        result.stdout[-2000:] + result.stderr[-2000:]
    )  # the personal files: rejected

    emails, names = landing_people(data_dir.landing)
    emails.add(b"erika.musterfrau@example.org")
    assert len(emails) > 100 and len(names) > 100
    words = [b"Mustermann", b"Musterfrau", b"Beispielmann", b"Mitgliederliste", b"Antrag_"]
    sample = random.Random(1).sample(sorted(names), 300)
    name_pattern = re.compile(b"|".join(re.escape(n) for n in sample + words))

    # what the run left outside the warehouse: Dagster's home, dbt's target/ and logs, logs anywhere in the repo
    searched = files_under(data_dir.dagster_home, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs")
    searched += [p for p in files_under(REPO_ROOT / "logs") if modified_since(p, started - 1)]
    searched = [p for p in searched if p.suffix not in (".duckdb", ".msgpack") or "dagster" in str(p)]
    assert any("compute_logs" in str(p) or p.suffix == ".db" for p in searched), "Dagster storage not found"
    leaks = []
    haystacks = contents(searched)
    haystacks.append((Path("run summary (stdout+stderr)"), (result.stdout + result.stderr).encode()))
    for path, raw in haystacks:
        found = {m.lower() for m in EMAIL.findall(raw)} & emails
        found |= set(name_pattern.findall(raw))
        if found:
            leaks.append(f"{path}: {sorted(found)[:3]}")
    assert leaks == [], "\n".join(leaks[:20])
    # the search does read Dagster's logs: canonical file names (and the hashed stand-ins) are in them
    assert any(b"members/members_" in raw for path, raw in haystacks if "dagster_home" in str(path))
    assert any(b"unrecognised file " in raw for path, raw in haystacks if "dagster_home" in str(path))

    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema = 'main'"
        ).fetchall()
        for table, column in columns:
            values = {
                str(v).encode()
                for (v,) in con.execute(
                    f'select distinct "{column}" from {table} where "{column}" is not null'
                ).fetchall()
            }
            joined = b"\n".join(values)
            hits = {m.lower() for m in EMAIL.findall(joined)} & emails
            hits |= set(name_pattern.findall(joined))
            assert not hits, f"analytics.duckdb {table}.{column}: {sorted(hits)[:3]}"
        published = [name for (name,) in con.execute("select file_name from meta_ingested_files").fetchall()]
        assert sum(name.startswith("unrecognised file ") for name in published) == len(PERSONAL_FILES)
        sources = {s for (s,) in con.execute("select distinct source from meta_ingested_files").fetchall()}
        assert not any("Beispielmann" in s for s in sources)
    finally:
        con.close()
