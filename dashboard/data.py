"""Named, cached queries on the published analytics.duckdb (read-only).

The cache key includes the file's path and version (its inode, modification time and size), so a new file means
new figures. The queries of one version share one reader (`_cursor`): the pipeline can always swap the file in,
and the reader of the old version is closed as soon as no query uses it.

Every query is cut to the reader's scope here (dashboard/scope.py), not only by hiding pages: member figures to
the scope's faculties, club figures to its clubs; a figure the scope has no right to comes back empty.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import scope as scopes
from dashboard.published import open_published
from pipelines.settings import DataDir


def analytics_path() -> Path:
    return DataDir.resolve().analytics


def version(path: Path) -> tuple[int, int, int]:
    """Which file is at the path: the pipeline's rename brings a new inode, even where the time is the same."""
    if not path.exists():
        return (0, 0, 0)
    stat = path.stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


# Opening the file took 20-35 ms a query (two thirds of a page's first visit's query time), so the queries of a
# version share one reader, each with a cursor of its own. A reader is closed as soon as no query uses it once the
# file has been replaced, else after a short idle time (nothing of the file is held open for long). A reader is
# the file attached to an in-memory database (dashboard/published.py): opened with `duckdb.connect(path)`, it
# could be the replaced file, whose figures would have been cached as the new version's.
IDLE_SECONDS = 30.0


@dataclass
class _Reader:
    con: duckdb.DuckDBPyConnection
    opened: int  # the order in which readers were opened: a later one is of a newer file
    users: int = 0
    idle: threading.Timer | None = None


Version = tuple[int, int, int]
_readers: dict[tuple[str, Version], _Reader] = {}
_readers_lock = threading.Lock()
_opened = itertools.count()


def _close_reader(key: tuple[str, Version], reader: _Reader) -> None:
    """Under the lock: the reader closed if no query uses it (and it is still the one kept for its version)."""
    if reader.users == 0 and _readers.get(key) is reader:
        del _readers[key]
        if reader.idle is not None:
            reader.idle.cancel()
        reader.con.close()


def _idle(key: tuple[str, Version], reader: _Reader) -> None:
    with _readers_lock:
        _close_reader(key, reader)


@contextmanager
def _cursor(path: str, file_version: Version):
    """A cursor on the reader of this version of the file (opened if need be); the reader's older versions
    closed once unused."""
    key = (path, file_version)
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = _readers[key] = _Reader(open_published(path), next(_opened))
        reader.users += 1
        if reader.idle is not None:
            reader.idle.cancel()
            reader.idle = None
        for other_key, other in list(_readers.items()):
            if other_key[0] == path and other_key[1] != file_version:
                _close_reader(other_key, other)
    try:
        cursor = reader.con.cursor()
        try:
            cursor.execute("use published")
            yield cursor
        finally:
            cursor.close()
    finally:
        with _readers_lock:
            reader.users -= 1
            newer = any(k[0] == path and r.opened > reader.opened for k, r in _readers.items())
            if newer:
                _close_reader(key, reader)
            elif reader.users == 0 and _readers.get(key) is reader:
                reader.idle = threading.Timer(IDLE_SECONDS, _idle, (key, reader))
                reader.idle.daemon = True
                reader.idle.start()


# A query's result is kept as long as its file is the published one, not for a time: the key holds the file's
# version, so a new file is asked anew and nothing stale is shown. With the five minutes it had before, a page
# opened in a meeting after a pause had lost its queries and asked the database again (scale 10, one run each,
# after a pause of 5 min 20 s: 200-290 ms of the page's script on the server instead of 90-190 ms;
# docs/benchmarks.md, ninth pass). The cache is emptied when the first query sees a new file (`_forget_older`);
# its size (256 MiB of pickled results, the least recently used dropped first) bounds what many scopes and
# filters of one version can hold.
QUERY_CACHE_SIZE = "256MB"


@st.cache_data(max_size=QUERY_CACHE_SIZE, show_spinner=False)
def _query(sql: str, params: tuple, path: str, file_version: Version) -> pd.DataFrame:
    with _cursor(path, file_version) as cursor:
        return cursor.execute(sql, list(params)).df()


_published: dict[str, Version] = {}  # the last version of each path a query was asked of
_published_lock = threading.Lock()


def _forget_older(path: str, file_version: Version) -> None:
    """The cache emptied once a query is asked of a new version of the file: the pipeline only ever replaces the
    file with a newer one, so the earlier versions' results would only hold memory. A version read just before
    the file was replaced is not taken for a new one (the file is looked at again), so the cache is not emptied
    twice. A query of the old version still running may store its result after the clearing; it stays until the
    next file or until the size limit drops it."""
    with _published_lock:
        seen = _published.get(path)
        if seen == file_version:
            return
        if seen is not None and version(Path(path)) != file_version:
            return  # the file has moved on since this version was read
        _published[path] = file_version
    if seen is not None:
        _query.clear()


def query(sql: str, params: tuple = (), allowed: bool = True) -> pd.DataFrame:
    """`allowed=False` (a figure outside the reader's scope): the same columns, no rows."""
    path = analytics_path()
    if not allowed:
        sql = f"select * from ({sql}) as out_of_scope where false"
    file_version = version(path)
    _forget_older(str(path), file_version)
    return _query(sql, tuple(params), str(path), file_version)


def _scope(scope: scopes.Scope | None) -> scopes.Scope:
    return scopes.current() if scope is None else scope


def in_scope(column: str, values: frozenset[str] | None) -> tuple[str, tuple]:
    """`column in (values)`; None = no restriction, an empty set = nothing."""
    if values is None:
        return "true", ()
    if not values:
        return "false", ()
    return f"{column} in ({', '.join('?' * len(values))})", tuple(sorted(values))


def available() -> bool:
    return analytics_path().exists()


def where(
    filters: dict[str, list[str]], alias: str = "", scope: scopes.Scope | None = None
) -> tuple[str, tuple]:
    """SQL conditions for the sidebar filters (faculty, status group, region; empty list = all), always cut to
    the reader's faculties (a faculty officer's filter can only narrow their own faculty)."""
    prefix = f"{alias}." if alias else ""
    clauses, params = [], []
    for column, values in filters.items():
        if values:
            clauses.append(f"{prefix}{column} in ({', '.join('?' * len(values))})")
            params.extend(values)
    restriction, extra = in_scope(f"{prefix}faculty_code", _scope(scope).faculties)
    clauses.append(restriction)
    params.extend(extra)
    return " and ".join(clauses), tuple(params)


# ------------------------------------------------------------------------------------------ named queries


def data_as_of() -> str:
    frame = query("select max(finished_at) as finished from meta_pipeline_runs where status = 'success'")
    value = frame["finished"].iloc[0] if not frame.empty else None
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d.%m.%Y %H:%M:%S UTC")


def years() -> list[int]:
    return [int(y) for y in query("select distinct year from fct_strategy_kpis order by year")["year"]]


def kpis() -> pd.DataFrame:
    return query(
        "select * from fct_strategy_kpis order by goal_id, kpi_id, year", allowed=_scope(None).university
    )


def headline(year: int) -> pd.DataFrame:
    """Members and countries within the reader's faculties; clubs and the engaged share are university-wide."""
    scope = _scope(None)
    faculty, faculty_params = in_scope("faculty_code", scope.faculties)
    return query(
        f"""
        select
            (select count(*) from dim_alumni where is_active and {faculty}) as members,
            (select count(distinct country_code) from dim_alumni
             where is_active and country_code is not null and {faculty}) as countries,
            (select count(*) from dim_clubs where status = 'active') as clubs,
            (select engaged_share from fct_aem_yearly where engagement_mode = 'any' and year = ?) as engaged_share,
            (select engaged_alumni from fct_aem_yearly where engagement_mode = 'any' and year = ?) as engaged_alumni
        """,
        (*faculty_params, *faculty_params, year, year),
        allowed=scope.university,
    )


def aem() -> pd.DataFrame:
    return query(
        "select * from fct_aem_yearly order by year, engagement_mode", allowed=_scope(None).university
    )


def growth(filters: dict, dimension: str, first_year: int, last_year: int) -> pd.DataFrame:
    condition, params = where(filters)
    return query(
        f"""
        select month, {dimension} as segment, sum(members_end_of_month) as members,
               sum(new_members) as new_members, sum(departed_members) as departed_members
        from fct_network_growth_monthly
        where {condition} and year between ? and ?
        group by month, {dimension} order by month, segment
        """,
        (*params, first_year, last_year),
    )


def growth_total(filters: dict, first_year: int, last_year: int) -> pd.DataFrame:
    condition, params = where(filters)
    return query(
        f"""
        select month, sum(new_members) as new_members, sum(departed_members) as departed_members,
               sum(members_end_of_month) as members
        from fct_network_growth_monthly
        where {condition} and year between ? and ?
        group by month order by month
        """,
        (*params, first_year, last_year),
    )


def members_by_country(filters: dict) -> pd.DataFrame:
    condition, params = where(filters)
    return query(
        f"""
        select country_code, count(*) as members from dim_alumni
        where is_active and country_code is not null and {condition}
        group by country_code order by members desc
        """,
        params,
    )


def cohorts(filters: dict) -> pd.DataFrame:
    condition, params = where(filters)
    return query(
        f"""
        select graduation_year, count(*) as members,
               count(*) filter (where is_active) as active_members
        from dim_alumni where graduation_year is not null and {condition}
        group by graduation_year order by graduation_year
        """,
        params,
    )


def campaigns(first_year: int, last_year: int) -> pd.DataFrame:
    return query(
        """
        select campaign_id, sent_at, year, topic, delivered, unique_human_opens, unique_human_clicks,
               machine_openers, open_rate, click_rate, click_to_open_rate, machine_open_share,
               anonymous_opens, anonymous_clicks, event_source
        from fct_newsletter_campaigns where year between ? and ? order by sent_at
        """,
        (first_year, last_year),
        allowed=_scope(None).university,
    )


def campaign_medians(first_year: int, last_year: int) -> pd.DataFrame:
    return query(
        """
        select year, topic, campaigns, median_open_rate, median_click_rate, smallest_human_opens,
               smallest_human_clicks
        from fct_newsletter_topics_yearly where year between ? and ? order by year desc, topic
        """,
        (first_year, last_year),
        allowed=_scope(None).university,
    )


def events_by_type(first_year: int, last_year: int) -> pd.DataFrame:
    return query(
        "select * from fct_event_attendance_yearly where year between ? and ? order by year, event_type",
        (first_year, last_year),
        allowed=_scope(None).university,
    )


def tiers(filters: dict, first_year: int, last_year: int) -> pd.DataFrame:
    condition, params = where(filters)
    return query(
        f"""
        select month, engagement_tier, sum(members) as members
        from fct_engagement_tiers_monthly
        where {condition} and extract(year from month) between ? and ?
        group by month, engagement_tier order by month
        """,
        (*params, first_year, last_year),
    )


def tier_transitions(year: int) -> pd.DataFrame:
    return query(
        "select from_tier, to_tier, members from fct_engagement_tier_transitions where year = ?",
        (year,),
        allowed=_scope(None).university,
    )


def clubs_overview() -> pd.DataFrame:
    club, club_params = in_scope("dim_clubs.club_id", _scope(None).clubs)
    return query(
        f"""
        with latest as (
            select * from fct_club_activity_quarterly
            where quarter_end = (select max(quarter_end) from fct_club_activity_quarterly)
        ),
        last_year as (
            select club_id, sum(meetings) as meetings, sum(ambassador_outputs) as activities,
                   sum(partners_won) as partners_won
            from fct_club_activity_quarterly
            where quarter_end > (select max(quarter_end) from fct_club_activity_quarterly) - interval 1 year
            group by club_id
        )
        select dim_clubs.club_id, dim_clubs.club_name, dim_clubs.city, dim_clubs.country_code,
               dim_clubs.founded_on, dim_clubs.status, latest.members, last_year.meetings,
               last_year.activities, last_year.partners_won, latest.health_status
        from dim_clubs
        left join latest on dim_clubs.club_id = latest.club_id
        left join last_year on dim_clubs.club_id = last_year.club_id
        where {club}
        order by dim_clubs.club_id
        """,
        club_params,
    )


def clubs_by_country() -> pd.DataFrame:
    club, club_params = in_scope("club_id", _scope(None).clubs)
    return query(
        "select country_code, count(*) as clubs from dim_clubs where status <> 'dissolved' "
        f"and country_code is not null and {club} group by country_code",
        club_params,
    )


def ambassador_outputs() -> pd.DataFrame:
    club, club_params = in_scope("club_id", _scope(None).clubs)
    return query(
        f"""
        select year, sum(prospective_students_informed) as prospective_students_informed,
               sum(company_contacts) as company_contacts,
               sum(exchange_students_supported) as exchange_students_supported,
               sum(partners_won) as partners_won
        from fct_club_activity_quarterly where {club} group by year order by year
        """,
        club_params,
    )


def club_member_engagement() -> pd.DataFrame:
    """Members of any club vs. none, by tier: within the reader's faculties; not per club (no club_id)."""
    scope = _scope(None)
    faculty, faculty_params = in_scope("faculty_code", scope.faculties)
    return query(
        f"""
        select month, is_club_member, engagement_tier, sum(members) as members, sum(score_sum) as score_sum
        from fct_engagement_tiers_monthly
        where month = (select max(month) from fct_engagement_tiers_monthly) and {faculty}
        group by month, is_club_member, engagement_tier order by is_club_member, engagement_tier
        """,
        faculty_params,
        allowed=scope.members and scope.university,
    )


def runs() -> pd.DataFrame:
    return query(
        "select * from meta_pipeline_runs order by started_at desc limit 20", allowed=_scope(None).quality
    )


def files_by_status() -> pd.DataFrame:
    return query(
        """
        select tool, source, kind, language, status, count(*) as files, sum(rows_read) as rows_read,
               sum(rows_loaded) as rows_loaded, sum(rows_quarantined) as rows_quarantined
        from meta_ingested_files group by all order by tool, source, kind, language, status
        """,
        allowed=_scope(None).quality,
    )


def problem_files() -> pd.DataFrame:
    return query(
        """
        select file_name, tool, source, kind, status, reason, ingested_at from meta_ingested_files
        where status <> 'loaded' order by ingested_at desc
        """,
        allowed=_scope(None).quality,
    )


def quarantine_summary() -> pd.DataFrame:
    return query(
        """
        select source, reason_code, reason, column_name, count(*) as rows, count(distinct file_name) as files
        from meta_quarantine group by all order by source, rows desc
        """,
        allowed=_scope(None).quality,
    )


def recent_quarantine(limit: int = 200) -> pd.DataFrame:
    return query(
        """
        -- newest first by when the file was loaded (run ids are random UUIDs, not an order)
        select q.file_name, q.line_number, q.column_name, q.message
        from meta_quarantine as q
        left join (
            select run_id, file_name, max(ingested_at) as ingested_at from meta_ingested_files group by all
        ) as f on q.run_id = f.run_id and q.file_name = f.file_name
        order by f.ingested_at desc nulls last, q.file_name, q.line_number limit ?
        """,
        (limit,),
        allowed=_scope(None).quality,
    )


def check_results() -> pd.DataFrame:
    return query(
        """
        select check_name, source, severity, passed, observed_value, details, checked_at
        from meta_data_quality
        where run_id = (select run_id from meta_pipeline_runs where status = 'success'
                        order by started_at desc limit 1)
        order by passed, severity, check_name
        """,
        allowed=_scope(None).quality,
    )


def freshness() -> pd.DataFrame:
    return query(
        """
        -- the export time parsed at ingest (pipelines/ingest/landing.py), not the name again: tools name files
        -- their own way, and an unrecognised file's name is published as a hash
        select source, max(cast(exported_at as date)) as latest_export,
               max(ingested_at) as last_loaded, count(*) as files
        from meta_ingested_files where status = 'loaded' group by source order by source
        """,
        allowed=_scope(None).quality,
    )
