"""Driving the app in a real browser: waiting for Streamlit, signing in, widgets, grids and axe-core."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 30_000


def demo_account(role: str) -> dict:
    """A demo account by role ("member", "member2", "coordinator", "admin"): email, password, department…"""
    from exchange.demo import DEMO_ACCOUNTS

    if role == "member2":
        return [a for a in DEMO_ACCOUNTS if a["role"] == "member"][1]
    return next(a for a in DEMO_ACCOUNTS if a["role"] == role)


# ---------------------------------------------------------------- the app and the tabs
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(db_path: Path, log_path: Path, env: dict | None = None, port: int | None = None):
    """`streamlit run server.py` (app.py plus the sign-in cookie routes) on a free loopback port (or `port`) against
    db_path; yields the base URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    port = port or free_port()
    env = {**os.environ, "EXCHANGE_DB": str(db_path), "EXCHANGE_MODE": "demo", "EXCHANGE_SEARCH_REFRESH_SECONDS": "2",
           "EXCHANGE_PASSWORD_HASH_COST": "4",  # as the test process hashes (demo mode allows it)
           "EXCHANGE_BACKUP_TIME": "off",  # no nightly backup at start-up (test_backups_page.py takes one by hand)
           **(env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             # No file watcher: an edit to the working tree during a run must not reload modules under the server.
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read().strip() == b"ok":
                        break
                except OSError:
                    if proc.poll() is not None:
                        break
                time.sleep(0.2)
            else:
                pytest.fail("streamlit did not start:\n" + Path(log_path).read_text()[-3000:])
            if proc.poll() is not None:
                pytest.fail("streamlit exited:\n" + Path(log_path).read_text()[-3000:])
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def tab(browser, base: str):
    """A tab in its own browser context: its own Streamlit session (sessions live per tab)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.base = base
    try:
        yield page
    finally:
        context.close()


# ---------------------------------------------------------------- driving the app
def wait_for_app(page, timeout: int = TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and has finished running the script.

    Streamlit marks the app root with its script state (`data-test-script-state`), which turns to
    "rerunRequested" as soon as a widget changes; the short pause covers the hop to the server.
    Elements can still arrive a moment later (widgets load lazily), so follow this with an
    auto-waiting `expect(...)` on what the step should show.
    """
    page.wait_for_timeout(150)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def goto(page, path: str = "") -> None:
    """Load a URL of the app, as typing it would: a new Streamlit session (the sign-in cookie keeps you signed in)."""
    page.goto(f"{page.base}/{path.lstrip('/')}")
    wait_for_app(page)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the account page's form."""
    goto(page, "account")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The browser goes to the cookie route and comes back to the account page, signed in.
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    wait_for_app(page)


def sign_in_as(page, role: str) -> dict:
    """Sign in as the demo account of a role ("member", "member2", "coordinator", "admin")."""
    account = demo_account(role)
    sign_in(page, account["email"], account["password"])
    return account


def nav(page, title: str) -> None:
    """Go to a page through the sidebar, keeping the tab's session (and its sign-in)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_app(page)


def _shows(widget, box, option) -> bool:
    """Whether a multiselect's chips or a selectbox's value show the option."""
    text = widget.inner_text()
    try:
        text += "\n" + box.input_value(timeout=1000)
    except Exception:  # noqa: BLE001 — not an input: the chips' text is enough
        pass
    if isinstance(option, str):
        return option in text
    return re.search(option.pattern, text, re.M) is not None


def choose(page, label: str, option: str | re.Pattern, *, scope=None) -> None:
    """Pick an option of a multiselect or selectbox by its label; a text option is typed first to narrow the list.

    Waits for the app to settle first, and checks the widget then shows the option: a rerun still in
    flight (the previous field's change) redraws the widget and closes an open list, so a click on an
    option can land on nothing on a loaded box (seen in CI, twice); then it tries again.
    """
    root = scope or page
    box = root.get_by_role("combobox", name=label, exact=True)
    widget = root.locator("[data-testid='stMultiSelect'], [data-testid='stSelectbox']").filter(has=box)
    for attempt in range(3):
        wait_for_app(page)
        box.click()
        if isinstance(option, str):
            page.keyboard.type(option)
        else:
            page.keyboard.press("ArrowDown")
        try:
            # Short: clicking the box blurs the field typed before, whose rerun can close the list and detach
            # the option; waiting 30 s for it to come back failed CI once. Open the list again instead.
            page.get_by_role("option", name=option, exact=isinstance(option, str)).first.click(timeout=5000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Escape")
        wait_for_app(page)
        if widget.count() == 0 or _shows(widget.first, box, option):
            return
    raise AssertionError(f"{label}: the option {option!r} did not stay chosen after 3 tries")


def fill_date(page, label: str, day: date) -> None:
    """Type a date into st.date_input, segment by segment (it is a react-aria date field)."""
    field = page.get_by_role("group", name=label, exact=True)
    for part, text in (("year", f"{day:%Y}"), ("month", f"{day:%m}"), ("day", f"{day:%d}")):
        field.get_by_role("spinbutton", name=re.compile(f"^{part}, ")).click()
        page.keyboard.type(text)


def lesson_count(page) -> int:
    """The number in the home page's "**N lessons**" line."""
    line = page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"^\d[\d,]* lessons?\b"))
    expect(line).to_have_count(1)
    return int(re.match(r"([\d,]+)", line.inner_text()).group(1).replace(",", ""))


def grid_rows(frame) -> list[list[str]]:
    """Every row of an st.dataframe (glide grid), read from its accessible table while scrolling through it."""
    table = frame.locator("table[role=grid]")
    expect(table.locator("tbody tr").first).to_be_attached()  # the grid draws a moment after it mounts
    total = int(table.get_attribute("aria-rowcount")) - 1
    seen: dict[int, list[str]] = {}
    scroller = frame.locator(".dvn-scroller")
    for _ in range(200):
        for index, cells in table.evaluate(
                "t => [...t.querySelectorAll('tbody tr')].map(r => [+r.getAttribute('aria-rowindex'),"
                " [...r.querySelectorAll('td')].map(c => c.textContent)])"):
            seen[index] = cells
        if len(seen) >= total:
            break
        scroller.evaluate("s => { s.scrollTop += s.clientHeight * 0.8; }")
        frame.page.wait_for_timeout(100)
    return [seen[i] for i in sorted(seen)]


# ---------------------------------------------------------------- accessibility
# Violations in markup that Streamlit itself renders, which no page of ours can change. Each entry:
# (axe rule, CSS selector of the Streamlit element the node must be inside, why we exclude it).
STREAMLIT_OWNED = [
    ("*", "[data-testid=stToolbar], [data-testid=stHeader], [data-testid=stDecoration], [data-testid=stMainMenu], "
          "[data-testid=stStatusWidget], [data-testid=stAppDeployButton], [data-testid=stSidebarHeader], "
          "[data-testid=stSidebarCollapseButton], [data-testid=stLogoSpacer]",
     "Streamlit's own header, toolbar and sidebar controls"),
    # st.navigation with sections renders <ul data-testid=stSidebarNavItems> whose children are section
    # <div>s holding the <li>s (Streamlit 1.67): axe "list" and "listitem", in the sidebar nav only.
    ("list", "[data-testid=stSidebarNav]", "Streamlit's sectioned sidebar navigation markup"),
    ("listitem", "[data-testid=stSidebarNav]", "Streamlit's sectioned sidebar navigation markup"),
]


def axe_violations(page, *, impacts=("serious", "critical"), excluded: list | None = None) -> list[dict]:
    """Serious/critical axe-core violations on the current page, minus those inside Streamlit's own markup.

    Pass a list as `excluded` to receive the violations that were set aside (so they can be reported).
    """
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in result.response["violations"]:
        if violation.get("impact") not in impacts:
            continue
        ours, theirs = [], []
        for node in violation["nodes"]:
            (theirs if _streamlit_owned(page, violation["id"], node) else ours).append(node)
        for bucket, nodes in ((found, ours), (excluded, theirs)):
            if nodes and bucket is not None:
                bucket.append({"id": violation["id"], "impact": violation["impact"], "help": violation["help"],
                               "page": page.url.removeprefix(page.base),
                               "nodes": [{"target": n["target"], "html": n["html"][:200],
                                          "summary": n.get("failureSummary", "")[:300]} for n in nodes][:8]})
    return found


def _streamlit_owned(page, rule: str, node: dict) -> bool:
    target = node.get("target") or []
    if not target or not all(isinstance(t, str) for t in target):
        return False  # inside a shadow root or an iframe: not Streamlit chrome we know of
    selector = target[-1] if len(target) == 1 else None
    if selector is None:
        return False
    for rule_id, container, _why in STREAMLIT_OWNED:
        if rule_id in ("*", rule) and page.evaluate(
                "([s, c]) => { const e = document.querySelector(s); return !!(e && e.closest(c)); }",
                [selector, container]):
            return True
    return False


def describe(violations: list[dict]) -> str:
    """A readable report of violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['page']}: {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']} {n['html']}\n      {n['summary']}" for n in v["nodes"]]
    return "\n".join(lines)


def badge(scope, label: str):
    """An st.badge by its label (its text also holds the material icon's name, which comes first)."""
    return scope.locator(".stMarkdownBadge").filter(has_text=re.compile(rf"(^|\s){re.escape(label)}$"))
