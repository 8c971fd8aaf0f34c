"""Real-browser tests: `streamlit run` on a free loopback port against a copy of the demo
database, driven by Playwright with Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from exchange import setup

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(items):
    # One server per xdist worker is plenty; keep browser tests together.
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A running app on 127.0.0.1 with its own demo database; yields the base URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    folder = tmp_path_factory.mktemp("server")
    db_path = folder / "exchange.duckdb"
    setup.open_app_database(db_path, with_demo=True).close()
    port = _free_port()
    env = {**os.environ, "EXCHANGE_DB": str(db_path), "EXCHANGE_MODE": "demo", "EXCHANGE_SEARCH_REFRESH_SECONDS": "2"}
    log = open(folder / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read().strip() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start:\n" + (folder / "streamlit.log").read_text()[-3000:])
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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
    """A fresh tab (its own Streamlit session) with a generous default timeout."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.base = server
    yield tab
    context.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=30_000,
    )
    page.wait_for_timeout(300)


def goto(page, path: str = "") -> None:
    """Open a path of the app and wait for it to render."""
    page.goto(f"{page.base}/{path.lstrip('/')}")
    wait_for_app(page)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the account page's form."""
    goto(page, "account")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    page.get_by_text("Signed in as").first.wait_for()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Serious/critical axe-core violations on the current page, ignoring Streamlit's own chrome."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in result.response["violations"]:
        if violation.get("impact") not in impacts:
            continue
        nodes = [n for n in violation["nodes"] if not _streamlit_chrome(n)]
        if nodes:
            found.append({"id": violation["id"], "impact": violation["impact"], "help": violation["help"],
                          "targets": [n["target"] for n in nodes][:5]})
    return found


def _streamlit_chrome(node: dict) -> bool:
    """Elements that Streamlit itself renders (toolbar, header, sidebar collapse control), not our content."""
    target = " ".join(str(t) for t in node.get("target", []))
    chrome = ("stToolbar", "stHeader", "stDecoration", "stSidebarCollapseButton", "stMainMenu", "stStatusWidget",
              "stAppDeployButton", "stSidebarHeader", "stLogoSpacer")
    return any(c in target for c in chrome) or any(c in node.get("html", "") for c in chrome)
