"""Issue 7 part 2: a sign-in lasts like on any modern site — reloads, new tabs, deep links, sign-out everywhere,
idle expiry — and no page fetches anything from another host."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.browser.helpers import TIMEOUT_MS, demo_account, goto, nav, running_app, sign_in_as, tab, wait_for_app


def second_tab(page):
    """Another tab of the same browser (same cookies), as opening a link in a new tab gives."""
    other = page.context.new_page()
    other.set_default_timeout(TIMEOUT_MS)
    other.base = page.base
    return other


def test_a_reload_and_a_new_tab_on_a_restricted_page_stay_signed_in(page):
    sign_in_as(page, "coordinator")
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    other = second_tab(page)
    goto(other, "review")
    expect(other.get_by_role("heading", name="Review queue", exact=True)).to_be_visible()
    expect(other.get_by_test_id("stSidebarNav").get_by_role("link", name="Adoption dashboard")).to_be_visible()


def test_the_session_cookie_is_http_only_and_kept_out_of_the_url(page):
    sign_in_as(page, "member")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["ee_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/"
    assert session["value"] not in page.url
    assert page.evaluate("document.cookie").find(session["value"]) == -1  # not readable by the page's JavaScript


def test_signing_out_in_one_tab_signs_the_other_tab_out_on_its_next_action(page):
    sign_in_as(page, "member")
    other = second_tab(page)
    goto(other, "mine")
    expect(other.get_by_role("heading", name="My lessons")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Find lessons")).to_be_visible()  # back home, signed out
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sign in")).to_be_visible()
    nav(other, "Find lessons")  # the other tab's next action
    expect(other.get_by_text("You signed out (in this tab or another one).")).to_be_visible()
    expect(other.get_by_test_id("stSidebarNav").get_by_role("link", name="My lessons")).to_have_count(0)
    goto(other, "mine")
    expect(other.get_by_role("heading", name="Sign in to see this")).to_be_visible()


def test_a_signed_out_dashboard_link_returns_to_the_same_filtered_dashboard_after_sign_in(page):
    goto(page, "dashboard?region=3&region=4")
    expect(page.get_by_role("heading", name="Sign in to see this")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    account = demo_account("coordinator")
    page.get_by_label("Email").fill(account["email"])
    page.get_by_label("Password", exact=True).fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Adoption of equity practices")).to_be_visible()
    wait_for_app(page)
    regions = page.get_by_test_id("stMultiSelect").filter(has_text="HHS regions")
    for chip in ("Region 3", "Region 4"):
        expect(regions.get_by_text(chip, exact=True)).to_be_visible()
    assert urlparse(page.url).path == "/dashboard" and urlparse(page.url).query == "region=3&region=4", page.url


def test_a_role_that_may_never_see_a_page_is_told_so_plainly(page):
    sign_in_as(page, "member")
    goto(page, "accounts")
    expect(page.get_by_role("heading", name="Not available to your role")).to_be_visible()
    expect(page.get_by_text("The Accounts is for administrators.", exact=False)).to_be_visible()


def test_an_idle_session_ends_after_thirty_minutes_on_the_test_clock(browser, demo_database, tmp_path):
    database = tmp_path / "exchange.duckdb"
    shutil.copy(demo_database[1], database)
    clock = tmp_path / "clock-offset"
    clock.write_text("0")
    with running_app(database, tmp_path / "streamlit.log", env={"EXCHANGE_TEST_CLOCK_FILE": str(clock)}) as base, \
            tab(browser, base) as page:
        goto(page, "")
        sign_in_as(page, "member")
        clock.write_text(str(29 * 60))
        nav(page, "My lessons")
        expect(page.get_by_role("heading", name="My lessons")).to_be_visible()  # 29 minutes: still signed in
        clock.write_text(str(29 * 60 + 31 * 60))
        nav(page, "Find lessons")
        expect(page.get_by_text("You were signed out after 30 minutes without activity.", exact=False)).to_be_visible()
        goto(page, "mine")
        expect(page.get_by_role("heading", name="Sign in to see this")).to_be_visible()


def test_no_page_fetches_anything_from_another_host(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def only_loopback(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.base = server
        goto(page, "")
        expect(page.get_by_role("heading", name="Find lessons")).to_be_visible()
        sign_in_as(page, "coordinator")
        for title, heading in (("Find lessons", "Find lessons"), ("Adoption dashboard", "Adoption of equity practices"),
                               ("Review queue", "Review queue")):
            nav(page, title)
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        nav(page, "Find lessons")
        page.get_by_test_id("stPageLink-NavLink").first.click()
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert blocked == [], blocked
    finally:
        context.close()


def test_every_response_keeps_the_app_out_of_other_sites_frames_and_metrics_are_not_served(server):
    with urllib.request.urlopen(f"{server}/") as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN" and headers["x-content-type-options"] == "nosniff"
    try:
        urllib.request.urlopen(f"{server}/_stcore/metrics")
        raise AssertionError("/_stcore/metrics answered")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
