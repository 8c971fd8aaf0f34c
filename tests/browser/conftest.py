"""Real-browser tests: `streamlit run` on a free loopback port against a fresh demo database,
driven by Playwright with Debian's Chromium (never a downloaded browser).

One server per session (started once, shared by every test): tests never assume another
test ran first, and each picks demo records that no other test touches.

Facts the tests check against (which lesson to review, which departments a chart click must
list) are read from the database *before* the server opens it: DuckDB lets one process own
the file, so nothing can read it while the app runs.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from exchange.identity import accounts
from exchange import adoption, setup
from exchange.lessons import moderation
from exchange.storage.duckdb import rows
from exchange.demo import DEMO_ACCOUNTS

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, demo_account, goto, running_app, tab

# Auto-waiting assertions get the same patience as actions: a rerun on a busy 2-core CI box can take seconds.
expect.set_options(timeout=TIMEOUT_MS // 2)


def pytest_collection_modifyitems(items):
    # One server per xdist worker is plenty; keep browser tests together.
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_configure(config):
    # Registered here too so `-p no:xdist` runs stay warning-free.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


# ---------------------------------------------------------------- facts read before the server starts
@dataclass(frozen=True)
class DemoFacts:
    """What the demo data holds that a journey needs, read through the services before the app opens the file."""

    review_lesson: dict         # a submitted, public, attributed lesson in the coordinator's regions whose
                                # department still needs review and has no demo account
    heatmap_cell: dict          # {region, practice_id, practice, departments: {(name, stage name), ...}}
    trend_region: dict          # {region, rows, departments}: what clicking one region's line in the trend lists


def _read_facts(db) -> DemoFacts:
    coordinator_email = demo_account("coordinator")["email"]
    demo_departments = [a["department"] for a in DEMO_ACCOUNTS if a["department"]]
    with db.read() as cur:
        coordinator_id = cur.execute("SELECT id FROM users WHERE lower(email) = ?", [coordinator_email]).fetchone()[0]
    coordinator = accounts.load_user(db, coordinator_id)

    with db.read() as cur:
        candidates = rows(cur, """
            SELECT l.id, l.title, d.id AS department_id, d.name AS department, d.state_code
            FROM lessons l JOIN departments d ON d.id = l.department_id JOIN states s ON s.code = d.state_code
            WHERE l.status = 'submitted' AND l.visibility = 'public' AND NOT l.anonymous
              AND s.hhs_region IN (SELECT unnest(?::INTEGER[])) AND d.name NOT IN (SELECT unnest(?::VARCHAR[]))
              AND (SELECT count(*) FROM lessons o WHERE o.department_id = d.id AND o.status = 'submitted') = 1
            ORDER BY l.id""", [list(coordinator.regions), demo_departments])
        review_lesson = next(dict(c) for c in candidates if moderation.needs_review(cur, c["department_id"]))

    # The dashboard opens on the last 12 quarters (pages/dashboard.py); its drill-downs show stages at the end.
    options = adoption.options(db, coordinator)
    filters = adoption.Filters(first_quarter=options.quarters[max(0, len(options.quarters) - 12)],
                               last_quarter=options.quarters[-1])
    dash = adoption.dashboard(db, coordinator, filters)
    shown = [c for c in dash.heatmap if not c["suppressed"]]
    ours = [c for c in shown if c["region"] in coordinator.regions] or shown
    cell = min(ours, key=lambda c: (c["departments"], c["region"], c["position"]))
    found = adoption.drilldown(db, coordinator, filters,
                               adoption.Drill("chart_heatmap", region=cell["region"], practice_id=cell["practice_id"]))
    region = coordinator.regions[0]
    line = adoption.drilldown(db, coordinator, filters, adoption.Drill("chart_trend", region=region))
    return DemoFacts(
        review_lesson=review_lesson,
        heatmap_cell={"region": cell["region"], "practice_id": cell["practice_id"], "practice": cell["practice"],
                      "departments": {(r["department"], r["stage_name"]) for r in found}},
        trend_region={"region": region, "rows": len(line),
                      "departments": {r["department"] for r in line}},
    )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """A fresh demo database file, its facts, and a pristine copy for a second server."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "exchange.duckdb"
    db = setup.open_app_database(path, with_demo=True)
    try:
        facts = _read_facts(db)
    finally:
        db.close()
    pristine = folder / "pristine.duckdb"
    shutil.copy(path, pristine)
    return path, pristine, facts


@pytest.fixture(scope="session")
def demo_facts(demo_database) -> DemoFacts:
    return demo_database[2]


# ---------------------------------------------------------------- the server
@pytest.fixture(scope="session")
def server_log(tmp_path_factory) -> Path:
    """Where the shared server writes its output (unhandled errors are logged there, never shown)."""
    return tmp_path_factory.mktemp("server") / "streamlit.log"


@pytest.fixture(scope="session")
def server(demo_database, browser, server_log):
    """The app on 127.0.0.1 with its own demo database; yields the base URL."""
    with running_app(demo_database[0], server_log) as base:
        # Open the home page once before any test: the very first request after a start takes Streamlit's
        # legacy pages/ route (test_navigation.py covers it on a server of its own), and no journey here
        # should depend on which test happens to run first.
        with tab(browser, base) as first:
            goto(first, "")
            first.get_by_role("heading", name="Find lessons").wait_for()
        yield base


# Server-side errors that a reported, still-open bug causes, each with the xfail test that tracks it.
# Remove the entry together with that xfail when the bug is fixed.
KNOWN_SERVER_ERRORS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def no_unhandled_server_error(request):
    """Fail a journey whose actions made the app log an unhandled error (users only see "Something went wrong")."""
    if "server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("server")
    log: Path = request.getfixturevalue("server_log")
    start = log.stat().st_size
    yield
    with open(log, "rb") as f:
        f.seek(start)
        new = f.read().decode("utf-8", "replace")
    # Our last-line handler (app.py) and Streamlit both log a traceback for each error; one block per traceback.
    blocks = re.split(r"(?m)^(?=Traceback \(most recent call last\))", new)[1:]
    unexpected = [b for b in blocks if not any(known in b for known in KNOWN_SERVER_ERRORS)]
    if unexpected:
        pytest.fail("The app logged an unhandled error during this test:\n" + "\n".join(b[-2500:] for b in unexpected),
                    pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab (its own Streamlit session)."""
    with tab(browser, server) as p:
        yield p


@pytest.fixture
def new_tab(browser, server):
    """Open more tabs, one per person in a journey: `visitor = new_tab()`; all closed at the end."""
    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(tab(browser, server))


