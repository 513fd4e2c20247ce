"""Sign-in and roles (CONTRACTS.md §1): a real OpenID Connect provider, the real dashboard, real Chromium.

The provider is `oidc-provider-mock` (a real OIDC server made for tests: discovery, authorisation code flow,
signed ID tokens); Streamlit's own st.login talks to it. Each reader signs in on the provider's form with
their e-mail address as subject, as a person would with the university's identity provider.
"""

from __future__ import annotations

import csv
import io
import stat
import time
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from dashboard import auth, scope
from dashboard.formatting import header
from dashboard.serve import command
from pipelines.settings import DataDir
from tests.conftest import copy_data_dir, run_cli
from tests.dashboard.headless import free_port, start, stop

FACULTY = "INF"
CLUB = "C-003"
COORDINATOR = "Koordination@TU-Chemnitz.de"
OFFICER = "dekanat.inf@tu-chemnitz.de"
AMBASSADOR = "botschafterin@alumni.example.org"
UNLISTED = "student@tu-chemnitz.de"
UNCONFIRMED = "self-registered"  # the provider's subject of a reader whose address it has not confirmed
ROLES_CSV = (
    "\ufeffE-Mail;Rolle;Bereich\n"
    f" {COORDINATOR.lower()} ;coordinator;\n"
    f"{OFFICER};faculty_officer;{FACULTY}\n"
    f"{AMBASSADOR};ambassador;{CLUB}\n"
    "someone@tu-chemnitz.de;superuser;\n"
)
OIDC_VARS = list(auth.ENV.values())


def signin_env(idp_port: int, port: int) -> dict[str, str]:
    return {
        "ALUMNI_OIDC_SERVER_METADATA_URL": f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration",
        "ALUMNI_OIDC_CLIENT_ID": "alumni-dashboard",
        "ALUMNI_OIDC_CLIENT_SECRET": "test-secret",
        "ALUMNI_PUBLIC_URL": f"http://localhost:{port}",
    }


# ---------------------------------------------------------------------------------------- without a browser


def test_the_open_host_is_refused_without_signin(tmp_path):
    env = {name: "" for name in OIDC_VARS}
    refused = run_cli("dashboard", "--data-dir", str(tmp_path), "--host", "0.0.0.0", env=env, timeout=60)
    assert refused.returncode == 2
    for name in OIDC_VARS:
        assert name in refused.stderr
    assert "roles.csv" in refused.stderr
    partial = run_cli(
        "dashboard", "--data-dir", str(tmp_path), "--host", "0.0.0.0",
        env={**env, "ALUMNI_OIDC_CLIENT_ID": "x"}, timeout=60,
    )  # fmt: skip
    assert partial.returncode == 2
    assert "ALUMNI_OIDC_CLIENT_SECRET" in partial.stderr and "partly configured" in partial.stderr


def test_loopback_by_default_with_the_viewer_toolbar(tmp_path, monkeypatch):
    cmd = command(8501)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--client.toolbarMode") + 1] == "viewer"
    assert cmd[cmd.index("--theme.base") + 1] == "light"  # the charts carry the light theme (charts.TEMPLATE)
    # a served app's code does not change: no watcher resolving every module's path after a run (issue 13)
    assert cmd[cmd.index("--server.fileWatcherType") + 1] == "none"
    data_dir = DataDir(tmp_path / "data")
    monkeypatch.delenv("ALUMNI_COOKIE_SECRET", raising=False)
    config = auth.oidc_config(signin_env(9400, 8501))
    path = auth.write_secrets(data_dir, config)
    assert path.parent == data_dir.secrets
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir.secrets / "cookie_secret").stat().st_mode) == 0o600
    text = path.read_text()
    assert 'redirect_uri = "http://localhost:8501/oauth2callback"' in text
    cookie = (data_dir.secrets / "cookie_secret").read_text()
    assert len(cookie) == 64 and cookie in text
    auth.write_secrets(data_dir, config)
    assert (data_dir.secrets / "cookie_secret").read_text() == cookie  # generated once
    monkeypatch.setenv("ALUMNI_COOKIE_SECRET", "from-the-environment")
    assert "from-the-environment" in auth.write_secrets(data_dir, config).read_text()
    assert "--secrets.files" in command(8501, "0.0.0.0", path)


def test_roles_add_up_and_emails_are_normalised(tmp_path):
    data_dir = DataDir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "roles.csv").write_text(
        ROLES_CSV + f"{OFFICER.upper()};ambassador;C-001\n{OFFICER};faculty_officer;MB\n", encoding="utf-8"
    )
    assert scope.from_grants(auth.grants_for(COORDINATOR, data_dir)).pages == frozenset(scope.PAGES)
    officer = scope.from_grants(auth.grants_for(f"  {OFFICER} ", data_dir))
    assert officer.faculties == {FACULTY, "MB"} and officer.clubs is None
    assert "datenqualitaet" not in officer.pages and "clubs" in officer.pages
    ambassador = scope.from_grants(auth.grants_for(AMBASSADOR, data_dir))
    assert ambassador.pages == {"clubs"} and ambassador.clubs == {CLUB} and not ambassador.members
    assert scope.from_grants(auth.grants_for("someone@tu-chemnitz.de", data_dir)) == scope.NOTHING
    assert auth.contacts(data_dir) == [COORDINATOR.lower()]


def test_an_address_the_provider_has_not_confirmed_grants_nothing(tmp_path):
    data_dir = DataDir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "roles.csv").write_text(ROLES_CSV, encoding="utf-8")

    def pages(claims: dict) -> frozenset[str]:
        return scope.from_grants(auth.grants_for(auth.roles_email(claims), data_dir)).pages

    everything = frozenset(scope.PAGES)
    # no claim: the provider's own address (Shibboleth's mail, Entra ID); confirmed, also as text
    for verified in ({}, {"email_verified": True}, {"email_verified": "true"}, {"email_verified": " TRUE "}):
        assert not auth.unconfirmed(verified)
        assert pages({"email": COORDINATOR, **verified}) == everything
    for verified in (False, "false", "False", "0", 0, ""):
        assert auth.unconfirmed({"email_verified": verified})
        assert auth.roles_email({"email": COORDINATOR, "email_verified": verified}) == ""
        assert pages({"email": COORDINATOR, "email_verified": verified}) == frozenset()
    assert pages({}) == frozenset() and pages({"email": None}) == frozenset()


def test_the_scope_is_enforced_where_data_is_read(published_demo, monkeypatch):
    from dashboard import data

    data_dir, _, _ = published_demo
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    faculty_members = con.execute(
        "select count(*) from dim_alumni where is_active and country_code is not null and faculty_code = ?",
        [FACULTY],
    ).fetchone()[0]
    con.close()

    officer = scope.from_grants([("faculty_officer", FACULTY)])
    monkeypatch.setattr(scope, "current", lambda: officer)
    assert data.members_by_country({})["members"].sum() == faculty_members
    # the sidebar filter cannot widen the scope
    assert data.members_by_country({"faculty_code": ["MB"]}).empty
    assert set(data.growth({}, "faculty_code", 2000, 2100)["segment"]) == {FACULTY}
    assert data.runs().empty and data.check_results().empty  # no Datenqualität
    assert len(data.clubs_overview()) > 1  # club figures: university-wide

    ambassador = scope.from_grants([("ambassador", CLUB)])
    monkeypatch.setattr(scope, "current", lambda: ambassador)
    assert data.clubs_overview()["club_id"].tolist() == [CLUB]
    assert data.members_by_country({}).empty and data.kpis().empty and data.campaigns(2000, 2100).empty
    assert data.club_member_engagement().empty

    monkeypatch.setattr(scope, "current", lambda: scope.NOTHING)
    assert data.clubs_overview().empty and data.cohorts({}).empty and data.aem().empty


# ---------------------------------------------------------------------------------------- in a real browser


@pytest.fixture
def signed_in_dashboard(published_demo, tmp_path):
    """The demo's data dir with roles.csv, a real OIDC provider, and `alumni dashboard` with sign-in."""
    import oidc_provider_mock

    source, _, _ = published_demo
    data_dir = copy_data_dir(source, tmp_path / "data")
    (data_dir.root / "config").mkdir(exist_ok=True)
    (data_dir.root / "config" / "roles.csv").write_text(ROLES_CSV, encoding="utf-8")
    # somebody registered at a provider that lets anyone register, with the coordinator's address, unconfirmed
    unconfirmed = oidc_provider_mock.User(
        sub=UNCONFIRMED, claims={"email": COORDINATOR, "email_verified": False}
    )
    with oidc_provider_mock.run_server_in_thread(user_claims=[unconfirmed]) as server:
        port = free_port()
        env = signin_env(server.server_port, port)
        process, port = start(data_dir, env={**env, "ALUMNI_PSEUDONYM_KEY": "signin-test-key"}, port=port)
        try:
            yield data_dir, port
        finally:
            stop(process)


def sign_in(browser, port: int, email: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"http://localhost:{port}/")
    assert page.locator(".js-plotly-plot").count() == 0  # nothing before signing in
    page.get_by_role("button", name="Mit Hochschulkonto anmelden").click()
    page.locator("input[name=sub]").fill(email)  # the provider's sign-in form
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.get_by_text("Angemeldet als").first.wait_for(timeout=60_000)
    return context, page


def nav_pages(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=stSidebarNav] a").all_inner_texts()]


def open_path(page, port: int, path: str) -> None:
    page.goto(f"http://localhost:{port}/{path}")
    page.get_by_text("Angemeldet als").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)


def heading(page, title: str):
    return page.get_by_role("heading", name=title, exact=True)


READ_COLUMNS = ("country_code", "members", "club_id", "club_name", "year", "company_contacts")


def download_csv(page, name: str) -> list[dict]:
    button = page.locator(f".st-key-download_{name} button")
    button.wait_for(timeout=60_000)
    with page.expect_download() as info:
        button.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    # downloads carry headers in the reader's language (German here): back to the column names this test reads
    names = {header(column, "de"): column for column in READ_COLUMNS}
    return [
        {names.get(key, key): value for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def access_log(data_dir: DataDir) -> list[list[str]]:
    path = data_dir.root / "logs" / "access.log"
    return [line.split("\t") for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_each_role_sees_its_own_figures_in_chromium(signed_in_dashboard, browser):
    data_dir, port = signed_in_dashboard
    con = duckdb.connect(str(data_dir.analytics), read_only=True)
    by_country = dict(
        con.execute(
            "select country_code, count(*) from dim_alumni where is_active and country_code is not null "
            "and faculty_code = ? group by 1",
            [FACULTY],
        ).fetchall()
    )
    club_name = con.execute("select club_name from dim_clubs where club_id = ?", [CLUB]).fetchone()[0]
    other_club = con.execute("select club_name from dim_clubs where club_id <> ? limit 1", [CLUB]).fetchone()[
        0
    ]
    club_contacts = {
        int(year): "< 5" if 0 < n < 5 else str(int(n))
        for year, n in con.execute(
            "select year, sum(company_contacts) from fct_club_activity_quarterly where club_id = ? group by year",
            [CLUB],
        ).fetchall()
    }
    con.close()
    timings = {}

    # coordinator: every page, Datenqualität included; sign-out is logged
    started = time.perf_counter()
    context, page = sign_in(browser, port, COORDINATOR)
    timings["coordinator"] = time.perf_counter() - started
    heading(page, "Strategie").wait_for(timeout=60_000)
    assert nav_pages(page) == ["Strategie", "Netzwerk", "Engagement", "Clubs", "Datenqualität"]
    open_path(page, port, "datenqualitaet")
    heading(page, "Datenqualität").wait_for(timeout=60_000)
    assert page.get_by_text("Deploy").count() == 0  # viewer toolbar
    page.locator("[data-testid=stMainMenu] button").first.click()  # the viewer's menu: no developer options
    page.wait_for_timeout(500)
    assert page.get_by_text("Clear cache").count() == 0 and page.get_by_text("Developer options").count() == 0
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_timeout(2000)
    context.close()

    # faculty officer: no Datenqualität; member figures of the faculty only; downloads follow
    context, page = sign_in(browser, port, OFFICER)
    heading(page, "Strategie").wait_for(timeout=60_000)
    assert nav_pages(page) == ["Strategie", "Netzwerk", "Engagement", "Clubs"]
    expect(page.get_by_text(f"Fakultät {FACULTY}").first).to_be_visible(timeout=30_000)
    open_path(page, port, "netzwerk")
    heading(page, "Netzwerk").wait_for(timeout=60_000)
    rows = download_csv(page, "members_by_country")
    assert {row["country_code"] for row in rows} == set(by_country)
    for row in rows:
        if row["members"] != "< 5":
            assert int(float(row["members"])) == by_country[row["country_code"]]
        else:
            assert by_country[row["country_code"]] < 5 or any(r["members"] == "< 5" for r in rows)
    small = [code for code, n in by_country.items() if n < 5]
    assert all(row["members"] == "< 5" for row in rows if row["country_code"] in small)  # still suppressed
    growth = download_csv(page, "members_over_time")
    assert growth and sum(float(r["members"]) for r in growth if r["members"] != "< 5") > 0
    open_path(page, port, "engagement")
    heading(page, "Engagement").wait_for(timeout=60_000)
    assert page.get_by_text("Hochschulweit").count() >= 1  # campaigns and events have no faculty
    open_path(page, port, "datenqualitaet")  # not among the officer's pages: the first page instead
    heading(page, "Strategie").wait_for(timeout=60_000)
    expect(heading(page, "Datenqualität")).to_have_count(0)
    context.close()

    # ambassador: the Clubs page for the own club only
    context, page = sign_in(browser, port, AMBASSADOR)
    heading(page, "Clubs").wait_for(timeout=60_000)
    assert nav_pages(page) in ([], ["Clubs"])
    clubs = download_csv(page, "clubs")
    assert [row["club_id"] for row in clubs] == [CLUB]
    assert clubs[0]["club_name"] == club_name and other_club not in {row["club_name"] for row in clubs}
    outputs = download_csv(page, "ambassador_outputs")  # the own club's activities only
    assert {int(row["year"]): row["company_contacts"] for row in outputs} == club_contacts
    for path, title in [("", "Strategie"), ("netzwerk", "Netzwerk"), ("datenqualitaet", "Datenqualität")]:
        open_path(page, port, path)  # not among the ambassador's pages: the Clubs page instead
        heading(page, "Clubs").wait_for(timeout=60_000)
        expect(heading(page, title)).to_have_count(0)
    context.close()

    # signed in but not listed: no figure, only whom to ask
    context, page = sign_in(browser, port, UNLISTED)
    heading(page, "Keine Freigabe").wait_for(timeout=60_000)
    # the page is drawn element by element: wait for the contact rather than count it at once
    expect(page.get_by_text(COORDINATOR.lower())).to_have_count(1, timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0
    assert page.locator("[data-testid=stSidebarNav]").count() == 0
    open_path(page, port, "netzwerk")
    heading(page, "Keine Freigabe").wait_for(timeout=60_000)
    expect(page.get_by_text(COORDINATOR.lower())).to_have_count(1, timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0
    context.close()

    # the coordinator's address, but not confirmed by the provider: no figure, and why
    context, page = sign_in(browser, port, UNCONFIRMED)
    heading(page, "Keine Freigabe").wait_for(timeout=60_000)
    expect(page.get_by_text("nicht bestätigt", exact=False)).to_have_count(1, timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0
    assert page.locator("[data-testid=stSidebarNav]").count() == 0
    open_path(page, port, "datenqualitaet")
    heading(page, "Keine Freigabe").wait_for(timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 0
    context.close()

    # the access log: time, event, keyed hash of the user, role; never an address
    log = access_log(data_dir)
    events = [(event, role) for _, event, _, role in log]
    assert ("sign-in", "role=coordinator") in events and ("sign-out", "role=coordinator") in events
    assert ("sign-in", "role=faculty_officer") in events and ("sign-in", "role=ambassador") in events
    assert events.count(("sign-in", "role=none")) == 1  # the unlisted reader
    assert (
        "sign-in",
        "role=unconfirmed",
    ) in events  # the coordinator's address, unconfirmed: not the coordinator
    # once per sign-in, not once per page load (the officer opened four pages)
    assert events.count(("sign-in", "role=faculty_officer")) == 1
    text = (data_dir.root / "logs" / "access.log").read_text().lower()
    for email in (COORDINATOR, OFFICER, AMBASSADOR, UNLISTED):
        assert email.lower() not in text and email.split("@")[0].lower() not in text
    assert len({user for _, _, user, _ in log}) == 4
    assert timings["coordinator"] < 60


def test_local_mode_is_labelled_and_sign_in_shows_no_figure_before(published_demo, monkeypatch):
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py")
    data_dir, _, _ = published_demo
    monkeypatch.setenv("ALUMNI_DATA_DIR", str(data_dir.root))
    for name in OIDC_VARS:
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(app, default_timeout=60).run()
    assert any(c.value.startswith("🔓 Lokaler Modus") for c in at.sidebar.caption)
    assert at.metric  # everything shown
    for name, value in signin_env(9, 8501).items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(app, default_timeout=60).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Mit Hochschulkonto anmelden"]
    assert not at.metric and not any("Lokaler Modus" in c.value for c in at.sidebar.caption)
