"""`alumni pipeline` end to end, as a user runs it: real Dagster, dbt and DuckDB files; exit codes 0, 2, 1."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from collections import Counter
from datetime import date, datetime, timedelta

import duckdb
import pytest

from pipelines import freshness
from pipelines.ingest.privacy import keyed_hash, normalise_member_id
from pipelines.settings import DataDir
from tests.conftest import copy_data_dir, run_cli
from tests.helpers import read_export

pytestmark = pytest.mark.slow

CONTRACT_MARTS = {
    "dim_alumni",
    "dim_clubs",
    "dim_events",
    "dim_campaigns",
    "fct_engagement_activities",
    "fct_newsletter_campaigns",
    "fct_event_attendance",
    "fct_network_growth_monthly",
    "fct_aem_yearly",
    "fct_alumni_engagement_monthly",
    "fct_club_activity_quarterly",
    "fct_strategy_kpis",
    "meta_pipeline_runs",
    "meta_data_quality",
    "meta_ingested_files",
    "meta_quarantine",
}
KEY = {"ALUMNI_PSEUDONYM_KEY": "demo-test-key"}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name for (name,) in con.execute("show tables").fetchall()}
    finally:
        con.close()


def test_demo_run_publishes_every_mart_and_prints_a_summary(published_demo):
    data_dir, truth, result = published_demo
    assert tables(data_dir.analytics) >= CONTRACT_MARTS
    out = result.stdout
    assert re.search(r"files: \d+ loaded, 1 duplicate, 0 rejected", out)
    assert f"{len(truth['broken_rows']) + len(truth['tool_broken_rows'])} quarantined" in out
    assert "published" in out
    assert not (data_dir.root / "analytics.duckdb.tmp").exists()
    key_file = data_dir.secrets / "pseudonym.key"
    assert not key_file.exists()  # the key came from the environment


def test_demo_run_has_great_expectations_judge_the_members_in_its_worker(
    published_demo, tmp_path, monkeypatch
):
    """A demo members export has addresses that are not valid (within the suite's `mostly`): DuckDB finds the
    expectation broken and Great Expectations judges it, in the worker the run started (gx_process.py), so that
    the run did not wait for GX's import. The other suites' checks found nothing broken and needed no GX."""
    import dagster as dg

    data_dir, _, _ = published_demo
    home = tmp_path / "dagster_home"
    shutil.copytree(data_dir.root / "dagster_home", home)  # read a copy: the fixture is shared
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        evaluations = [
            record.dagster_event.event_specific_data
            for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    judged = {e.asset_key.path[-1]: e for e in evaluations if e.check_name == "great_expectations"}
    where = {table: evaluation.metadata["great_expectations"].value for table, evaluation in judged.items()}
    assert where["members"] == "in its worker process"
    assert judged["members"].passed  # broken within `mostly`: a warning at most, as before
    assert {table for table, text in where.items() if text != "not needed"} == {"members"}


def test_the_ingest_and_dbt_write_the_demo_warehouse_in_row_groups_of_one_size(published_demo):
    """The ingest, the rewrite after erasure and dbt attach warehouse.duckdb with one row group size
    (`settings.ROW_GROUP_SIZE`): the demo's larger tables built by dbt are cut at it, and no raw table has a
    larger row group. (A checkpoint also ends a table's last row group, and the run's connection checkpoints
    where its log reaches DuckDB's threshold, so the small demo's raw tables need not fill one: the ingest's
    connection is tested with the size in tests/ingest/test_loader.py.)"""
    from pipelines.settings import ROW_GROUP_SIZE

    data_dir, _, _ = published_demo
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'intermediate', 'marts')"
        ).fetchall()
        largest: dict[str, int] = {}
        for schema, table in tables:
            (rows,) = con.execute(
                f"select max(count) from pragma_storage_info('{schema}.{table}')"
            ).fetchone()
            largest[schema] = max(largest.get(schema, 0), rows or 0)
    finally:
        con.close()
    assert largest["intermediate"] == ROW_GROUP_SIZE, largest
    assert largest["raw"] <= ROW_GROUP_SIZE and largest["marts"] <= ROW_GROUP_SIZE, largest


def test_demo_tool_exports_load_as_the_truth_file_says(published_demo):
    """Every tool export of the demo is recognised (tool, kind, language) and read with the rows the truth file
    counts, and exactly the tool rows the truth file calls broken are quarantined, with their reason codes."""
    data_dir, truth, _ = published_demo
    assert truth["tool_files"]
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        ledger = {
            name: rest
            for name, *rest in con.execute(
                "select file_name, status, tool, kind, language, rows_read from meta.ingested_files"
            ).fetchall()
        }
        quarantined = set(
            con.execute(
                "select file_name, line_number, column_name, reason_code from meta.quarantine_log"
            ).fetchall()
        )
    finally:
        con.close()
    for name, meta in truth["tool_files"].items():
        assert ledger[name] == ["loaded", meta["tool"], meta["kind"], meta["language"], meta["rows"]], name
    tool_quarantined = {q for q in quarantined if q[0] in truth["tool_files"]}
    assert tool_quarantined == {
        (b["file"], b["line"], b["column"], b["reason"]) for b in truth["tool_broken_rows"]
    }


def test_published_file_holds_no_personal_data(published_demo):
    """Scan every text value of every table for names, addresses, member ids and notes of the landing files."""
    data_dir, _, _ = published_demo

    personal_headers = {
        "mitgliedsnummer",
        "vorname",
        "nachname",
        "e-mail",
        "notiz",
        "gemeldet von",
        "botschafter/in",
        "user-agent",
    }
    personal: set[str] = set()
    for path in data_dir.landing.rglob("*.csv"):
        _, (header, *rows) = read_export(path)
        header = [h.strip().lower() for h in header]
        for row in rows:
            for name, value in zip(header, row, strict=False):
                value = value.strip()
                if name in personal_headers and len(value) >= 3:
                    personal.add(value.lower())
    assert len(personal) > 1000
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    try:
        found = []
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall():
            values = {v for (v,) in con.execute(f'select distinct "{column}" from "{table}"').fetchall() if v}
            leaked = {
                v for v in values if v.strip().lower() in personal or re.fullmatch(r"A-\d{6}", v) or "@" in v
            }
            found.extend(f"{table}.{column}={v}" for v in list(leaked)[:3])
        assert found == []
    finally:
        con.close()


def test_rerun_changes_nothing_and_a_rejected_file_exits_2(published_demo, tmp_path):
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data", keep_build_record=True)
    published = digest(data_dir.analytics)
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    before = con.execute(
        "select sum(value) filter (where value is not null), count(*) from fct_strategy_kpis"
    ).fetchone()
    con.close()

    # nothing new since the last build: nothing is done, not even Dagster is started
    idle = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert idle.returncode == 0, idle.stderr[-2000:]
    assert "nothing to do" in idle.stdout and "nothing new since the build of" in idle.stdout
    assert digest(data_dir.analytics) == published
    assert not (data_dir.root / "dagster_home").exists()

    # a build regardless (here: the record of the last one is gone) loads nothing again and changes no figure
    freshness.state_file(data_dir).unlink()
    again = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "why:   no record of an earlier build" in again.stdout
    assert "files: 0 loaded, 0 duplicate, 0 rejected" in again.stdout
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    assert (
        con.execute(
            "select sum(value) filter (where value is not null), count(*) from fct_strategy_kpis"
        ).fetchone()
        == before
    )
    assert con.execute("select count(*) from meta_pipeline_runs").fetchone()[0] == 2
    con.close()

    # newer than every demo export, and a plausible export date (a later one is refused for its date alone)
    today = date.today().isoformat()
    (data_dir.landing / "members" / f"members_{today}.csv").write_text("Vorname;Nachname\nA;B\n")
    (data_dir.landing / "members" / "notes.txt").write_text("not an export")
    rejected = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert rejected.returncode == 2, rejected.stdout[-2000:] + rejected.stderr[-2000:]
    assert f"REJECTED members/members_{today}.csv: missing_required_header" in rejected.stdout
    # a name that follows no known pattern can itself be personal: shown as "unrecognised file <hash>"
    assert "REJECTED unrecognised file " in rejected.stdout
    assert "notes.txt" not in rejected.stdout
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    statuses = dict(con.execute("select file_name, status from meta_ingested_files").fetchall())
    con.close()
    assert statuses[f"members/members_{today}.csv"] == "rejected"
    assert not any("notes" in name for name in statuses)
    assert sum(name.startswith("unrecognised file ") for name in statuses) == 1


def test_an_older_export_loaded_late_does_not_override_a_newer_one(published_demo, tmp_path):
    # "the latest export wins" is by export date (in the file name), not by when a file happens to be loaded
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    newest = max((data_dir.landing / "newsletter").glob("campaigns_*.csv"))
    header, *rows = list(csv.reader(io.StringIO(newest.read_text(encoding="utf-8")), delimiter=";"))
    exported = date.fromisoformat(newest.stem.removeprefix("campaigns_"))
    campaign = next(r for r in rows if date.fromisoformat(r[3][:10]) < exported - timedelta(days=1))
    topic = "Karriere" if campaign[2] != "Karriere" else "Neuigkeiten"
    older = newest.with_name(f"campaigns_{exported - timedelta(days=1)}.csv")
    older.write_text(
        f"{';'.join(header[:5])}\n{campaign[0]};{campaign[1]};{topic};{campaign[3]};{campaign[4]}\n"
    )

    query = "select topic from fct_newsletter_campaigns where campaign_id = ?"
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    before = con.execute(query, [campaign[0]]).fetchall()
    con.close()

    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    try:
        loaded = con.execute(
            "select status from meta_ingested_files where file_name = ?", [f"newsletter/{older.name}"]
        ).fetchall()
        after = con.execute(query, [campaign[0]]).fetchall()
    finally:
        con.close()
    assert loaded == [("loaded",)]
    assert len(before) == 1 and after == before


def test_a_failed_run_leaves_the_previous_analytics_file_untouched(published_demo, tmp_path):
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    before = digest(data_dir.analytics)
    # a leftover that cannot be removed makes the publish step fail (as a full disk or a crash would)
    (data_dir.root / "analytics.duckdb.tmp").mkdir()
    (data_dir.root / "analytics.duckdb.tmp" / "x").write_text("x")
    failed = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert failed.returncode == 1
    assert "the run failed" in failed.stderr
    assert "analytics" in failed.stderr
    assert digest(data_dir.analytics) == before


def test_no_landing_files_is_a_clear_error(tmp_path):
    result = run_cli("pipeline", "--data-dir", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "No landing files" in result.stderr and "alumni generate" in result.stderr
    assert "Traceback" not in result.stderr


def test_one_writer_at_a_time(published_demo, tmp_path):
    from pipelines.lock import writer_lock

    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    with writer_lock(data_dir):  # as a running pipeline holds it
        refused = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert refused.returncode == 1
    assert "another pipeline run is writing" in refused.stderr
    assert "Traceback" not in refused.stderr


def _marts(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            "campaigns": con.execute(
                "select * from fct_newsletter_campaigns order by campaign_id"
            ).fetchall(),
            "acts": con.execute(
                "select count(*), count(distinct alumni_key) from fct_engagement_activities"
            ).fetchall(),
            "kpis": con.execute("select year, kpi_id, value from fct_strategy_kpis order by 1, 2").fetchall(),
            "scores": con.execute(
                "select alumni_key, month, engagement_score, engagement_tier from fct_alumni_engagement_monthly "
                "order by 1, 2"
            ).fetchall(),
            "tiers": con.execute("select * from fct_engagement_tiers_monthly order by all").fetchall(),
            "alumni": con.execute("select * from dim_alumni order by all").fetchall(),
            "growth": con.execute("select * from fct_network_growth_monthly order by all").fetchall(),
            "aem": con.execute("select * from fct_aem_yearly order by all").fetchall(),
        }
    finally:
        con.close()


def _tracked_member(data_dir: DataDir) -> tuple[str, str, str]:
    """A member of the latest snapshot with tracking consent and an address no one else in it has."""
    latest = sorted((data_dir.landing / "members").glob("members_*.csv"))[-1]
    _, (header, *lines) = read_export(latest)
    names = [name.strip().lower() for name in header]
    rows = [
        {**dict.fromkeys(names, ""), **dict(zip(names, map(str.strip, line), strict=False))} for line in lines
    ]
    emails = Counter(row["e-mail"].lower() for row in rows)
    for row in rows:
        if (
            row["tracking"] in ("ja", "yes", "true", "1")
            and re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+", row["e-mail"])
            and emails[row["e-mail"]] == 1
            and row.get("status", "aktiv") in ("", "aktiv")
        ):
            return row["mitgliedsnummer"], row["e-mail"], latest.stem.split("_")[1]
    raise AssertionError("no member with tracking consent in the latest snapshot")


def _score(path, alumni_key: str, month: str) -> float:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            "select engagement_score from fct_alumni_engagement_monthly where alumni_key = ? and month = ?",
            [alumni_key, month],
        ).fetchone()
    finally:
        con.close()
    assert row, (alumni_key, month)
    return row[0]


def test_incremental_run_equals_a_full_rebuild(published_demo, tmp_path):
    """New rows for an old campaign (an overlapping export), a member's late click and an erasure, built
    incrementally, then from scratch: the same marts, scores included."""
    source, truth, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    campaign, recipients = con.execute(
        "select campaign_id, recipients from fct_newsletter_campaigns order by sent_at limit 1 offset 3"
    ).fetchone()
    sent_at = con.execute(
        "select strftime(sent_at, '%d.%m.%Y %H:%M:%S') from dim_campaigns where campaign_id = ?", [campaign]
    ).fetchone()[0]
    con.close()
    rows = [f"{campaign};neu{i}@example.org;sent;{sent_at};;;" for i in range(7)]
    rows += [
        f"{campaign};neu{i}@example.org;click;{sent_at[:-2]}59;https://x/{i};Thunderbird;" for i in range(3)
    ]
    # a late click by a member who consented to tracking, on the day of the latest snapshot: that member's
    # score history changes, everyone else's only gains nothing
    member_id, email, snapshot_on = _tracked_member(data_dir)
    rows.append(f"{campaign};{email};click;{snapshot_on} 12:00:00;https://x/late;Thunderbird;")
    # a week later the next snapshot: every tenth member has left (their later months go), the rest stay; one
    # member is new though registered years ago, one reports having left years ago, one's registration is
    # corrected to an earlier day (all three change the members on earlier key dates), and one member's address
    # bounced years ago (their earlier contactability changes)
    latest = sorted((data_dir.landing / "members").glob("members_*.csv"))[-1]
    delimiter, (header, *lines) = read_export(latest)
    columns = [name.strip().lower() for name in header]
    kept = [line for n, line in enumerate(lines) if n % 10 or member_id in line]
    newcomer = dict.fromkeys(columns, "")
    newcomer.update(
        {
            "registriert am": "2012-03-01",
            "mitgliedsnummer": "A-990001",
            "nachname": "Neumann",
            "vorname": "Nora",
            "e-mail": "nora.neumann@example.org",
            "statusgruppe": "Absolvent/in",
            "status": "aktiv",
        }
    )
    kept.append([newcomer[name] for name in columns])
    status, left_on, address = (columns.index(name) for name in ("status", "abgemeldet am", "e-mail"))
    leaver = next(n for n, line in enumerate(kept) if member_id not in line and line[status] == "aktiv")
    kept[leaver][status], kept[leaver][left_on] = "abgemeldet", "2019-06-30"
    bounced = kept[leaver + 1][address].strip()
    assert bounced and member_id not in kept[leaver + 1]
    # the portal's registration date of a member in every snapshot since their first (one spell, so far),
    # registered in 2015 or later, corrected to 2012; and another such member erased at their request
    registered, number = columns.index("registriert am"), columns.index("mitgliedsnummer")
    present = [_member_ids(path) for path in sorted((data_dir.landing / "members").glob("members_*.csv"))]
    first_in = {member: next(n for n, ids in enumerate(present) if member in ids) for member in present[-1]}
    one_spell = {
        member for member, first in first_in.items() if all(member in ids for ids in present[first:])
    }
    others = [
        line
        for line in kept
        if line[number] in one_spell
        and member_id not in line
        and line not in (kept[leaver], kept[leaver + 1])
    ]
    corrected = next(line for line in others if _day(line[registered]) >= date(2015, 1, 1))
    corrected[registered] = "2012-06-01"
    # registered after the campaign above was sent: not among its recipients, whose count is checked below
    sent_on = datetime.strptime(sent_at, "%d.%m.%Y %H:%M:%S").date()
    erased_member = next(
        line[number] for line in others if line is not corrected and _day(line[registered]) > sent_on
    )
    erased_key = keyed_hash(KEY["ALUMNI_PSEUDONYM_KEY"].encode(), normalise_member_id(erased_member))
    next_on = (date.fromisoformat(snapshot_on) + timedelta(days=7)).isoformat()
    snapshot = io.StringIO()
    csv.writer(snapshot, delimiter=delimiter, lineterminator="\n").writerows([header, *kept])
    (latest.parent / f"members_{next_on}.csv").write_text(snapshot.getvalue(), encoding="utf-8")
    rows.append(f"{campaign};{bounced};hard_bounce;{sent_at};;;")
    alumni_key = keyed_hash(KEY["ALUMNI_PSEUDONYM_KEY"].encode(), normalise_member_id(member_id))
    month = snapshot_on[:8] + "01"
    before = _score(data_dir.analytics, alumni_key, month)
    before_scores = _marts(data_dir.analytics)["scores"]
    today = date.today()  # newer than every demo export (an export date years ahead is refused)
    (data_dir.landing / "newsletter" / f"activity_{today.isoformat()}.csv").write_text(
        "Kampagnen-ID;E-Mail;Aktion;Zeitpunkt;Link;User-Agent;Maschinell\n" + "\n".join(rows) + "\n"
    )
    erased = truth["erasures"][0]
    (data_dir.landing / "erasure" / f"erasure_{today.isoformat()}.csv").write_text(
        f"Mitgliedsnummer;E-Mail;Eingegangen am\n;{erased['emails'][-1]};{today:%d.%m.%Y}\n"
        f"{erased_member};;{today:%d.%m.%Y}\n"
    )
    assert any(row[1] == erased_key for row in _members_on_key_dates(data_dir.warehouse)[0])
    incremental = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert incremental.returncode == 0, incremental.stdout[-2000:] + incremental.stderr[-2000:]
    after_incremental = _marts(data_dir.analytics)
    by_id = {row[0]: row for row in after_incremental["campaigns"]}
    assert by_id[campaign][5] == recipients + 7
    assert _score(data_dir.analytics, alumni_key, month) == pytest.approx(before + 1)
    assert len(after_incremental["scores"]) < len(before_scores)  # the leavers' later months are gone
    # int_members_on_key_dates rebuilt only in part: some of its rows kept from the first build
    members_incremental, kept_builds = _members_on_key_dates(data_dir.warehouse)
    assert len(kept_builds) == 2, kept_builds
    assert not any(row[1] == erased_key for row in members_incremental)
    full = run_cli("pipeline", "--data-dir", str(data_dir.root), "--full-refresh", env=KEY)
    assert full.returncode == 0, full.stderr[-2000:]
    assert _marts(data_dir.analytics) == after_incremental
    assert _members_on_key_dates(data_dir.warehouse)[0] == members_incremental


@pytest.mark.parametrize("late", ["between", "again"])
def test_a_members_export_loaded_late_rebuilds_the_members_on_key_dates_whole(published_demo, tmp_path, late):
    """A snapshot dated between two built ones, or a built date exported again, changes spells before the
    newest snapshot: the incremental model int_members_on_key_dates then rebuilds every row, and equals a full
    rebuild. Every fifth member is missing on that day, so is no member on the key dates of the year's end."""
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    snapshots = sorted((data_dir.landing / "members").glob("members_*.csv"))
    december = [path for path in snapshots[:-1] if path.stem.split("_")[1][5:7] == "12"][-1]
    delimiter, (header, *lines) = read_export(december)
    exported = date.fromisoformat(december.stem.split("_")[1])
    # between: five days later (before the year's end); again: the same day, another name for the same export
    name = f"members_{exported + timedelta(days=5)}.csv" if late == "between" else f"Members_{exported}.CSV"
    export = io.StringIO()
    csv.writer(export, delimiter=delimiter, lineterminator="\n").writerows(
        [header, *(line for n, line in enumerate(lines) if n % 5)]
    )
    (december.parent / name).write_text(export.getvalue(), encoding="utf-8")
    before = _members_on_key_dates(data_dir.warehouse)[0]
    incremental = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert incremental.returncode == 0, incremental.stdout[-2000:] + incremental.stderr[-2000:]
    members, builds = _members_on_key_dates(data_dir.warehouse)
    assert len(members) < len(before)
    marts = _marts(data_dir.analytics)
    full = run_cli("pipeline", "--data-dir", str(data_dir.root), "--full-refresh", env=KEY)
    assert full.returncode == 0, full.stderr[-2000:]
    assert _members_on_key_dates(data_dir.warehouse)[0] == members
    assert _marts(data_dir.analytics) == marts
    assert len(builds) == 1, builds


def test_members_on_key_dates_built_before_it_was_incremental_is_rebuilt_whole(published_demo, tmp_path):
    """A warehouse from before int_members_on_key_dates was incremental (a table without the columns of its
    builds) needs no --full-refresh: the next run rebuilds the table whole, with the same rows."""
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    before = _members_on_key_dates(data_dir.warehouse)[0]
    con = duckdb.connect(str(data_dir.warehouse))
    for column in ("built_at", "snapshots_loaded_at", "last_snapshot_on", "snapshot_dates"):
        con.execute(f"alter table intermediate.int_members_on_key_dates drop column {column}")
    con.close()
    result = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    members, builds = _members_on_key_dates(data_dir.warehouse)
    assert len(builds) == 1 and builds[0][0] is not None, builds
    assert members == before


def _member_ids(path) -> set[str]:
    """The member ids of a members export."""
    _, (header, *lines) = read_export(path)
    number = [name.strip().lower() for name in header].index("mitgliedsnummer")
    return {line[number].strip() for line in lines if len(line) > number}


def _day(text: str) -> date:
    """A date of a members export (YYYY-MM-DD or DD.MM.YYYY); an invalid one as the earliest day."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return date.min


def _members_on_key_dates(path) -> tuple[list, list]:
    """int_members_on_key_dates without the columns that say which build wrote a row, and those builds."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select * exclude (built_at, snapshots_loaded_at, last_snapshot_on, snapshot_dates) "
            "from intermediate.int_members_on_key_dates order by all"
        ).fetchall()
        builds = con.execute(
            "select built_at, count(*) from intermediate.int_members_on_key_dates group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    return rows, builds


def test_an_upgrade_that_changed_keyed_hashes_makes_the_next_build_a_full_refresh(published_demo, tmp_path):
    """After an upgrade of loaded rows changed keyed hashes (pipelines/ingest/upgrade.py), the incremental models
    hold rows built from the old ones: the next build refreshes them whole by itself, once. Here an incremental
    model is left as an older version built it (a column fewer), which only a full refresh mends."""
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    before = _marts(data_dir.analytics)
    con = duckdb.connect(str(data_dir.warehouse))
    con.execute("alter table intermediate.int_member_snapshot_intervals drop column loaded_at")
    con.execute("update meta.upgrades set rows_changed = 1")  # as if the upgrade had changed a row
    con.close()
    freshness.state_file(data_dir).unlink(missing_ok=True)  # an update of the code is what starts the run
    refreshed = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert refreshed.returncode == 0, refreshed.stdout[-2000:] + refreshed.stderr[-2000:]
    assert _marts(data_dir.analytics) == before
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    assert con.execute("select count(*) - count(full_refresh_done_at) from meta.upgrades").fetchone() == (0,)
    con.close()


def test_an_incremental_model_built_by_an_older_version_asks_for_a_full_refresh(published_demo, tmp_path):
    """A warehouse from before a change of an incremental model fails clearly, and --full-refresh mends it."""
    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    before = digest(data_dir.analytics)
    con = duckdb.connect(str(data_dir.warehouse))
    con.execute("alter table intermediate.int_member_snapshot_intervals drop column loaded_at")
    con.close()
    failed = run_cli("pipeline", "--data-dir", str(data_dir.root), env=KEY)
    assert failed.returncode == 1
    output = failed.stdout + failed.stderr
    assert "int_member_snapshot_intervals" in output and "alumni pipeline --full-refresh" in output, output[
        -3000:
    ]
    assert digest(data_dir.analytics) == before
    mended = run_cli("pipeline", "--data-dir", str(data_dir.root), "--full-refresh", env=KEY)
    assert mended.returncode == 0, mended.stdout[-2000:] + mended.stderr[-2000:]
