"""The yearly strategy report: one self-contained HTML file to hand round and print (`alumni report`).

Everything is inside the file: the styles, the figures, plotly.js itself. No request leaves it (no CDN, no
web font, no base map), so it opens on an intranet, from a mail attachment or a USB stick. It prints on A4.
Figures follow the dashboard's rules: the same small-count suppression (dashboard/privacy.py), the same
scorecard states (dashboard/scorecard.py), the same formatting (dashboard/formatting.py). The paragraphs per
goal are plain templates filled from the figures: no judgement the figures do not carry.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard import charts, formatting, scorecard
from dashboard.disclosure import clubs_shown, totals_of_growth_shown
from dashboard.privacy import MARK, suppress
from dashboard.published import open_published
from pipelines.settings import DataDir

LANGS = ("de", "en")

WORDS = {
    "title": ("Strategiebericht {year}", "Strategy report {year}"),
    "network": ("Alumni-Netzwerk TU Chemnitz", "TU Chemnitz alumni network"),
    "as_of": ("Datenstand", "Data as of"),
    "made": ("erstellt am", "made on"),
    "partial": (
        "{year} ist das laufende Jahr: alle Werte sind vorläufig.",
        "{year} is the current year: every figure is partial.",
    ),
    "headline": ("Das Netzwerk am Stichtag", "The network on the day"),
    "headline_note": (
        "Mitglieder, Länder und Alumni-Clubs: am Tag des Berichts, nach dem letzten Export; die Engagement-Quote: "
        "{year}.",
        "Members, countries and alumni clubs: on the day of the report, by the latest export; the engaged share: "
        "{year}.",
    ),
    "members": ("Mitglieder", "Members"),
    "countries": ("Länder", "Countries"),
    "clubs": ("Aktive Alumni-Clubs", "Active alumni clubs"),
    "engaged": ("Engagiert (CASE AEM) {year}", "Engaged (CASE AEM) {year}"),
    "scorecard": ("Die vier Ziele", "The four goals"),
    "kpi": ("Kennzahl", "KPI"),
    "value": ("Wert", "Value"),
    "target": ("Zielwert", "Target"),
    "status": ("Stand", "Status"),
    "trend": ("Verlauf", "Trend"),
    "aem": ("CASE AEM nach Modus", "CASE AEM by mode"),
    "mode": ("Modus", "Mode"),
    "engaged_alumni": ("Engagierte", "Engaged"),
    "contactable": ("Kontaktierbar", "Contactable"),
    "share": ("Anteil", "Share"),
    "growth": ("Wachstum des Netzwerks", "Network growth"),
    "year": ("Jahr", "Year"),
    "members_end": ("Mitglieder am Jahresende", "Members at year end"),
    "new": ("neu", "new"),
    "departed": ("ausgetreten", "departed"),
    "net": ("netto", "net"),
    "clubs_health": ("Clubs und ihr Zustand", "Clubs and their health"),
    "club": ("Club", "Club"),
    "city": ("Ort", "City"),
    "country": ("Land", "Country"),
    "meetings": ("Treffen (4 Quartale)", "Meetings (4 quarters)"),
    "health": ("Zustand", "Health"),
    "health_none": ("noch ohne Bewertung", "not yet rated"),
    "data_state": ("Stand der Daten", "State of the data"),
    "files_loaded": ("Dateien geladen", "Files loaded"),
    "files_rejected": ("Dateien abgelehnt", "Files rejected"),
    "rows_loaded": ("Zeilen geladen", "Rows loaded"),
    "rows_quarantined": ("Zeilen in Quarantäne (aussortiert)", "Rows quarantined (set aside)"),
    "checks": (
        "Prüfungen des letzten Laufs: {passed} bestanden, {failed} nicht",
        "Checks of the last run: {passed} passed, {failed} failed",
    ),  # fmt: skip
    "privacy": (
        "Werte unter 5 Personen stehen als „< 5“ da; wo sich ein verdeckter Wert aus einer Summe ergäbe, "
        "ist ein weiterer verdeckt.",
        "Values below 5 people are shown as “< 5”; where a hidden value would follow from a total, another "
        "one is hidden too.",
    ),
    "status_rule": (
        "im Plan: Wert erreicht den Zielwert; gefährdet: erreicht 90 %; sonst verfehlt. "
        "„keine Daten“: für das Jahr gibt es keinen Wert; „ohne Zielwert“: es gibt keinen Zielwert; „verborgen“: "
        "der Wert ist kleiner als 5, und der Status würde ihn verraten.",
        "on track: the value reaches the target; at risk: reaches 90 %; otherwise off track. "
        "“no data”: there is no value for the year; “no target”: there is no target; “hidden”: the value is "
        "below 5, and the status would give it away.",
    ),
    "no_rows": ("Keine Daten.", "No data."),
}

GOALS = {
    1: ("1 · Lebendige Alumni-Gemeinschaft", "1 · A lively alumni community"),
    2: ("2 · Starke Bindung an TU und Stadt Chemnitz", "2 · A strong bond to TU and city"),
    3: ("3 · Engagement der TU für ihre Alumni", "3 · The university's engagement"),
    4: ("4 · Engagement der Alumni für die TU", "4 · The alumni's engagement"),
}

# The paragraph per goal: plain sentences filled from the figures.
SENTENCES = {
    "count": (
        "Von {n} Kennzahlen sind {on_track} im Plan, {at_risk} gefährdet und {off_track} verfehlt",
        "Of {n} KPIs, {on_track} are on track, {at_risk} at risk and {off_track} off track",
    ),
    "count_other": ("; {other} ohne Zielwert oder ohne Daten", "; {other} without a target or data"),
    "count_hidden": ("; {hidden} verborgen (Wert kleiner als 5)", "; {hidden} hidden (a value below 5)"),
    "furthest": (
        "Am weitesten vom Zielwert entfernt: {kpi} mit {value} (Zielwert {target}).",
        "Furthest from its target: {kpi} at {value} (target {target}).",
    ),
    "best": ("Erreicht: {kpis}.", "Reached: {kpis}."),
    "rose": (
        "{kpi} stieg gegenüber {previous} von {before} auf {after}.",
        "{kpi} rose from {before} in {previous} to {after}.",
    ),  # fmt: skip
    "fell": (
        "{kpi} sank gegenüber {previous} von {before} auf {after}.",
        "{kpi} fell from {before} in {previous} to {after}.",
    ),  # fmt: skip
    "partial": ("Das Jahr ist noch nicht abgeschlossen.", "The year is not complete yet."),
}

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1f1f1f; font-size: 10.5pt;
       line-height: 1.4; margin: 0 auto; max-width: 190mm; padding: 8mm 0;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; }
h2 { font-size: 14pt; margin: 7mm 0 2mm 0; border-bottom: 1px solid #bbb; padding-bottom: 1mm; }
h3 { font-size: 11.5pt; margin: 4mm 0 1mm 0; }
.meta { color: #505050; margin: 0 0 4mm 0; }
.notice { border: 1px dashed #505050; padding: 2mm 3mm; margin: 3mm 0; }
.tiles { display: flex; gap: 3mm; margin: 2mm 0; }
.tile { flex: 1; border: 1px solid #ccc; border-radius: 2mm; padding: 2mm 3mm; }
.tile .label { color: #505050; font-size: 9pt; }
.tile .figure { font-size: 16pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #ddd; padding: 1mm 1.5mm; text-align: left; vertical-align: middle; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.goal { break-inside: avoid; page-break-inside: avoid; }
.figure-block { break-inside: avoid; page-break-inside: avoid; }
.small { color: #505050; font-size: 8.5pt; }
.kpi-status, .kpi-partial { white-space: nowrap; }
section { break-inside: auto; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; page-break-after: avoid; } }
"""


def _w(key: str, lang: str, **values) -> str:
    pair = WORDS[key]
    text = pair[0] if lang == "de" else pair[1]
    return text.format(**values) if values else text


def _s(key: str, lang: str, **values) -> str:
    pair = SENTENCES[key]
    return (pair[0] if lang == "de" else pair[1]).format(**values)


def _e(text) -> str:
    return html.escape(str(text))


# ------------------------------------------------------------------------------------------------ data


class Figures:
    """The report's queries on analytics.duckdb, all on one read-only connection (`with Figures(path) as f`):
    a report built while the pipeline publishes a new file is made of the figures of one file, not of both."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> Figures:
        self._con = open_published(str(self.path))
        return self

    def __exit__(self, *exc) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _q(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        if self._con is None:
            raise RuntimeError("Figures is read inside `with Figures(path) as figures:`")
        return self._con.execute(sql, list(params)).df()

    def years(self) -> pd.DataFrame:
        return self._q("select year, bool_or(is_partial) as is_partial from fct_strategy_kpis group by year order by year")  # fmt: skip

    def kpis(self) -> pd.DataFrame:
        return self._q("select * from fct_strategy_kpis order by goal_id, kpi_id, year")

    def headline(self, year: int) -> pd.DataFrame:
        return self._q(
            """
            select
                (select count(*) from dim_alumni where is_active) as members,
                (select count(distinct country_code) from dim_alumni where is_active and country_code is not null)
                    as countries,
                (select count(*) from dim_clubs where status = 'active') as clubs,
                (select engaged_share from fct_aem_yearly where engagement_mode = 'any' and year = ?) as engaged_share,
                (select engaged_alumni from fct_aem_yearly where engagement_mode = 'any' and year = ?) as engaged_alumni
            """,
            (year, year),
        )

    def aem(self) -> pd.DataFrame:
        return self._q("select * from fct_aem_yearly order by year, engagement_mode")

    def growth(self, year: int) -> pd.DataFrame:
        return self._q(
            """
            with monthly as (
                select month, year, sum(members_end_of_month) as members, sum(new_members) as new_members,
                       sum(departed_members) as departed_members
                from fct_network_growth_monthly where year <= ? group by month, year
            )
            select year, arg_max(members, month) as members, sum(new_members) as new_members,
                   sum(departed_members) as departed_members
            from monthly group by year order by year
            """,
            (year,),
        )

    def clubs(self, year: int) -> pd.DataFrame:
        return self._q(
            """
            with latest as (
                select * from fct_club_activity_quarterly
                where quarter_end = (select max(quarter_end) from fct_club_activity_quarterly where year <= ?)
            )
            select dim_clubs.club_name, dim_clubs.city, dim_clubs.country_code, latest.members,
                   latest.meetings_last_four_quarters as meetings, latest.health_status
            from dim_clubs left join latest on dim_clubs.club_id = latest.club_id
            where dim_clubs.status <> 'dissolved' and dim_clubs.founded_on <= make_date(?, 12, 31)
            order by dim_clubs.club_name
            """,
            (year, year),
        )

    def data_state(self) -> dict:
        files = self._q(
            """
            select count(*) filter (where status = 'loaded') as files_loaded,
                   count(*) filter (where status = 'rejected') as files_rejected,
                   coalesce(sum(rows_loaded), 0) as rows_loaded, coalesce(sum(rows_quarantined), 0) as rows_quarantined
            from meta_ingested_files
            """
        ).iloc[0]
        run = self._q("select max(finished_at) as finished from meta_pipeline_runs where status = 'success'")
        checks = self._q(
            """
            select count(*) filter (where passed) as passed, count(*) filter (where not passed) as failed
            from meta_data_quality
            where run_id = (select run_id from meta_pipeline_runs where status = 'success'
                            order by started_at desc limit 1)
            """
        ).iloc[0]
        return {
            **{k: int(files[k]) for k in files.index},
            "as_of": run["finished"].iloc[0] if not run.empty else None,
            "checks_passed": int(checks["passed"]),
            "checks_failed": int(checks["failed"]),
        }


def default_year(years: pd.DataFrame) -> int:
    """The last complete year (the last one if every year is partial)."""
    complete = years[~years["is_partial"].astype(bool)]
    return int((complete if not complete.empty else years)["year"].max())


# ------------------------------------------------------------------------------------------------ pieces


def goal_paragraph(goal_kpis: pd.DataFrame, previous: pd.DataFrame, year: int, lang: str) -> str:
    """A few plain sentences from the figures of one goal."""
    name = "kpi_name_de" if lang == "de" else "kpi_name_en"
    states = goal_kpis["state"].value_counts()
    counted = {s: int(states.get(s, 0)) for s in ("on_track", "at_risk", "off_track")}
    hidden = int(states.get("hidden", 0))  # a status that would give a small count away (scorecard.py)
    other = len(goal_kpis) - sum(counted.values()) - hidden
    text = _s("count", lang, n=len(goal_kpis), **counted)
    text += _s("count_other", lang, other=other) if other else ""
    text += (_s("count_hidden", lang, hidden=hidden) if hidden else "") + ". "
    measured = goal_kpis[goal_kpis["value"].notna() & goal_kpis["target"].notna() & (goal_kpis["target"] > 0)]
    behind = measured[measured["state"].isin(["off_track", "at_risk"])]
    if not behind.empty:
        worst = behind.loc[(behind["value"] / behind["target"]).idxmin()]
        text += _s(
            "furthest",
            lang,
            kpi=worst[name],
            value=scorecard.value_text(worst["value"], worst["unit"], False, lang),
            target=scorecard.value_text(worst["target"], worst["unit"], False, lang),
        )
        text += " "
    reached = goal_kpis[goal_kpis["state"] == "on_track"]
    if not reached.empty:
        text += _s("best", lang, kpis=", ".join(reached[name])) + " "
    changes = goal_kpis.merge(previous[["kpi_id", "value"]], on="kpi_id", suffixes=("", "_before"))
    changes = changes[changes["value"].notna() & changes["value_before"].notna()]
    if not changes.empty:
        relative = (changes["value"] - changes["value_before"]).abs() / changes["value_before"].abs().clip(
            lower=1e-9
        )
        moved = changes.loc[relative.idxmax()]
        if moved["value"] != moved["value_before"]:
            text += _s(
                "rose" if moved["value"] > moved["value_before"] else "fell",
                lang,
                kpi=moved[name],
                previous=year - 1,
                before=scorecard.value_text(moved["value_before"], moved["unit"], False, lang),
                after=scorecard.value_text(moved["value"], moved["unit"], False, lang),
            )
    if bool(goal_kpis["is_partial"].any()):
        text += " " + _s("partial", lang)
    return text.strip()


def _figure_html(fig: go.Figure, lang: str) -> str:
    # plotly's own template, whatever the figure came with: the dashboard's charts carry the web app's theme
    # (charts.TEMPLATE: light grey axis text, its web font), and in the dashboard's process plotly's default
    # template is Streamlit's, whose colours only its frontend fills in. A Template object, not its name: the
    # dashboard's figures are unvalidated, and a name would reach plotly.js as it is.
    fig.update_layout(template=pio.templates["plotly"])
    fig.update_layout(
        width=680, height=300, separators=formatting.plotly_separators(lang), paper_bgcolor="white",
        margin={"l": 60, "r": 60, "t": 20, "b": 20},
        plot_bgcolor="white", font={"family": "Segoe UI, Helvetica Neue, Arial, sans-serif", "size": 11},
    )  # fmt: skip
    fig.update_xaxes(gridcolor="#e5e5e5")
    fig.update_yaxes(gridcolor="#e5e5e5")
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config={"displayModeBar": False, "responsive": False, "staticPlot": False},
    )
    return f"<div class='figure-block'>{body}</div>"


def _table(headers: list[tuple[str, bool]], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th class='{'num' if num else ''}'>{_e(h)}</th>" for h, num in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td class='{'num' if headers[i][1] else ''}'>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ------------------------------------------------------------------------------------------------ report


def build(analytics: Path, year: int | None = None, lang: str = "de") -> tuple[str, int]:
    """The report as one HTML text, and the year it is for."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}")
    with Figures(analytics) as figures:
        return _build(figures, year, lang)


def _build(figures: Figures, year: int | None, lang: str) -> tuple[str, int]:
    years = figures.years()
    if years.empty:
        raise ValueError("the analytics file has no strategy figures yet")
    year = default_year(years) if year is None else int(year)
    if year not in set(years["year"].astype(int)):
        known = ", ".join(str(int(y)) for y in years["year"])
        raise ValueError(f"no figures for {year}; years with figures: {known}")
    partial = bool(years.loc[years["year"] == year, "is_partial"].iloc[0])
    f = formatting
    name = "kpi_name_de" if lang == "de" else "kpi_name_en"

    parts: list[str] = []
    state = figures.data_state()
    as_of = f.moment(state["as_of"], lang) if state["as_of"] is not None else f.EMPTY
    made = f.moment(datetime.now(UTC).replace(tzinfo=None), lang)
    parts.append(f"<h1>{_e(_w('title', lang, year=year))}</h1>")
    parts.append(
        f"<p class='meta'>{_e(_w('network', lang))} · {_e(_w('as_of', lang))}: {_e(as_of)} UTC · "
        f"{_e(_w('made', lang))} {_e(made)} UTC</p>"
    )
    if partial:
        parts.append(f"<p class='notice' data-partial='true'>{_e(_w('partial', lang, year=year))}</p>")

    # headline figures (as on the Strategie page)
    head = suppress(
        figures.headline(year),
        ["members", "countries", "engaged_alumni"],
        rates={"engaged_share": "engaged_alumni"},
    ).iloc[0]
    tiles = [
        (_w("members", lang), f.count(head["members"], lang)),
        (_w("countries", lang), f.count(head["countries"], lang)),
        (_w("clubs", lang), f.number(head["clubs"], lang)),
        (_w("engaged", lang, year=year), f.share(head["engaged_share"], lang)),
    ]
    parts.append(f"<h2>{_e(_w('headline', lang))}</h2><div class='tiles'>")
    parts.extend(
        f"<div class='tile'><div class='label'>{_e(label)}</div><div class='figure'>{_e(value)}</div></div>"
        for label, value in tiles
    )
    parts.append("</div>")
    parts.append(f"<p class='note'>{_e(_w('headline_note', lang, year=year))}</p>")

    # scorecard
    kpis = scorecard.prepare(figures.kpis())
    this_year = kpis[kpis["year"] == year]
    previous = kpis[kpis["year"] == year - 1]
    parts.append(f"<h2>{_e(_w('scorecard', lang))}</h2><p class='small'>{_e(_w('status_rule', lang))}</p>")
    parts.append("<section id='scorecard'>")
    for goal in (1, 2, 3, 4):
        goal_kpis = this_year[this_year["goal_id"] == goal]
        rows = []
        for _, kpi in goal_kpis.iterrows():
            history = kpis[(kpis["kpi_id"] == kpi["kpi_id"]) & (kpis["year"] <= year)]
            colour = charts.STATUS_COLOURS.get(kpi["state"], "#767676")
            partial_mark = f" {scorecard.partial_badge(lang)}" if bool(kpi["is_partial"]) else ""
            rows.append(
                [
                    _e(kpi[name]),
                    _e(scorecard.value_text(kpi["value"], kpi["unit"], kpi["suppressed"], lang)),
                    _e(scorecard.value_text(kpi["target"], kpi["unit"], False, lang)),
                    scorecard.badge(kpi["state"], lang) + partial_mark,
                    charts.sparkline(history, "year", "value", colour),
                ]
            )
        parts.append(
            f"<div class='goal' data-goal='{goal}'><h3>{_e(GOALS[goal][0 if lang == 'de' else 1])}</h3>"
        )
        parts.append(f"<p>{_e(goal_paragraph(goal_kpis, previous, year, lang))}</p>")
        parts.append(
            _table(
                [
                    (_w("kpi", lang), False),
                    (_w("value", lang), True),
                    (_w("target", lang), True),
                    (_w("status", lang), False),
                    (_w("trend", lang), False),
                ],
                rows,
                "scorecard",
            )  # fmt: skip
        )
        parts.append("</div>")
    parts.append("</section>")

    # CASE AEM by mode
    aem = suppress(figures.aem(), ["engaged_alumni"], rates={"engaged_share": "engaged_alumni"})
    aem = aem[aem["year"] <= year]
    parts.append(f"<h2>{_e(_w('aem', lang))}</h2>")
    if aem.empty:
        parts.append(f"<p>{_e(_w('no_rows', lang))}</p>")
    else:
        plot = aem.assign(mode=aem["engagement_mode"].map(lambda c: f.code(c, lang)))
        fig = charts.line(plot, "year", "engaged_share", color="mode", percent=True,
                          labels={"engaged_share": _w("share", lang), "year": _w("year", lang), "mode": ""})  # fmt: skip
        parts.append(_figure_html(fig, lang))
        rows = [
            [_e(f.code(r.engagement_mode, lang)), _e(f.count(r.engaged_alumni, lang)),
             _e(f.number(r.contactable_alumni, lang)), _e(f.share(r.engaged_share, lang))]
            for r in aem[aem["year"] == year].itertuples()
        ]  # fmt: skip
        parts.append(
            _table(
                [
                    (_w("mode", lang), False),
                    (_w("engaged_alumni", lang), True),
                    (_w("contactable", lang), True),
                    (f"{_w('share', lang)} {year}", True),
                ],
                rows,
            )  # fmt: skip
        )

    # network growth
    # a year's members are the last year's and its flows: hidden together
    growth = totals_of_growth_shown(figures.growth(year), "year")[0]
    parts.append(f"<h2>{_e(_w('growth', lang))}</h2>")
    if growth.empty:
        parts.append(f"<p>{_e(_w('no_rows', lang))}</p>")
    else:
        fig = go.Figure()
        fig.add_bar(
            x=growth["year"], y=growth["new_members"], name=_w("new", lang), marker_color=charts.PALETTE[0]
        )
        fig.add_bar(x=growth["year"], y=growth["departed_members"], name=_w("departed", lang), marker_color=charts.PALETTE[1])  # fmt: skip
        fig.add_scatter(x=growth["year"], y=growth["members"], name=_w("members_end", lang), yaxis="y2",
                        mode="lines+markers", line={"color": charts.PALETTE[6]})  # fmt: skip
        fig.update_layout(
            barmode="group", legend={"orientation": "h", "y": -0.2}, margin={"l": 10, "r": 10, "t": 10, "b": 10},
            yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"},
        )  # fmt: skip
        parts.append(_figure_html(fig, lang))
        rows = []
        for r in growth.tail(6).itertuples():
            net = (
                f.number(r.new_members - r.departed_members, lang)
                if not (f.missing(r.new_members) or f.missing(r.departed_members))
                else MARK
            )
            rows.append([str(int(r.year)), _e(f.count(r.members, lang)), _e(f.count(r.new_members, lang)),
                         _e(f.count(r.departed_members, lang)), _e(net)])  # fmt: skip
        parts.append(
            _table(
                [
                    (_w("year", lang), False),
                    (_w("members_end", lang), True),
                    (_w("new", lang), True),
                    (_w("departed", lang), True),
                    (_w("net", lang), True),
                ],
                rows,
            )  # fmt: skip
        )

    # clubs and their health
    clubs = clubs_shown(figures.clubs(year))  # as the Clubs page: a total there must not give a club back
    parts.append(f"<h2>{_e(_w('clubs_health', lang))}</h2>")
    if clubs.empty:
        parts.append(f"<p>{_e(_w('no_rows', lang))}</p>")
    else:
        health = clubs["health_status"].fillna("none")
        counts = health.value_counts()
        summary = " · ".join(
            f"{f.code(h, lang) if h != 'none' else _w('health_none', lang)}: {int(counts[h])}"
            for h in ("thriving", "quiet", "dormant", "none")
            if h in counts
        )
        parts.append(f"<p data-clubs='{len(clubs)}'>{_e(summary)}</p>")
        rows = [
            [_e(r.club_name), _e(r.city if not f.missing(r.city) else f.EMPTY), _e(f.country(r.country_code, lang)),
             _e(f.count(r.members, lang)), _e(f.number(r.meetings, lang)),
             _e(f.code(r.health_status, lang) if not f.missing(r.health_status) else _w("health_none", lang))]
            for r in clubs.itertuples()
        ]  # fmt: skip
        parts.append(
            _table(
                [
                    (_w("club", lang), False),
                    (_w("city", lang), False),
                    (_w("country", lang), False),
                    (_w("members", lang), True),
                    (_w("meetings", lang), True),
                    (_w("health", lang), False),
                ],
                rows,
            )  # fmt: skip
        )

    # the data's state
    parts.append(f"<h2>{_e(_w('data_state', lang))}</h2>")
    parts.append(
        _table(
            [
                (_w("as_of", lang), False),
                (_w("files_loaded", lang), True),
                (_w("files_rejected", lang), True),
                (_w("rows_loaded", lang), True),
                (_w("rows_quarantined", lang), True),
            ],
            [
                [
                    _e(f"{as_of} UTC"),
                    _e(f.number(state["files_loaded"], lang)),
                    _e(f.number(state["files_rejected"], lang)),
                    _e(f.number(state["rows_loaded"], lang)),
                    _e(f.number(state["rows_quarantined"], lang)),
                ]
            ],
        )  # fmt: skip
    )
    parts.append(
        f"<p>{_e(_w('checks', lang, passed=state['checks_passed'], failed=state['checks_failed']))}</p>"
        f"<p class='small'>{_e(_w('privacy', lang))}</p>"
    )

    from plotly.offline import get_plotlyjs

    page = (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        # nothing may load from elsewhere: the policy says so to the browser too
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; script-src 'unsafe-inline' "
        "'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
        f"<title>{_e(_w('title', lang, year=year))} · {_e(_w('network', lang))}</title>"
        f"<style>{CSS}</style><script>{get_plotlyjs()}</script></head>"
        f"<body>{''.join(parts)}</body></html>"
    )
    return page, year


def write(data_dir: DataDir, year: int | None = None, lang: str = "de", out: Path | None = None) -> Path:
    text, year = build(data_dir.analytics, year, lang)
    target = out or data_dir.root / "reports" / f"strategy_{year}_{lang}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    return target
