"""Issue 3: a page a role may not use stays out of reach, whatever address is typed."""

from __future__ import annotations

import re
import shutil

from playwright.sync_api import expect

from tests.browser.helpers import goto, nav, running_app, sign_in_as, tab, wait_for_app

# URL path → the page's heading: pages for coordinators and administrators only.
STAFF_PAGES = {"dashboard": "Adoption of equity practices", "review": "Review queue", "accounts": "Accounts",
               "taxonomy": "Taxonomy", "audit": "Audit log", "backups": "Backups"}
REFUSAL = re.compile(r"not available|not allowed|please sign in", re.IGNORECASE)


def open_in_this_tab(page, path: str) -> None:
    """Go to an address without reloading (as a link or the back button does), so the tab keeps its sign-in."""
    page.evaluate("path => { history.pushState({}, '', '/' + path);"
                  " window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }", path)
    wait_for_app(page)


def assert_staff_page_not_shown(page, path: str) -> None:
    # The app answers with its home page (an unknown page for this role) or a refusal; wait for one.
    home = page.get_by_role("heading", name="Find lessons", level=1)
    refusal = page.get_by_test_id("stAlert").filter(has_text=REFUSAL)
    expect(home.or_(refusal).first).to_be_visible()
    expect(page.get_by_role("heading", name=STAFF_PAGES[path], exact=True), f"/{path}").to_have_count(0)
    expect(page.locator(".vega-embed"), f"/{path}").to_have_count(0)
    expect(page.locator("[class*='st-key-reason_']"), f"/{path}").to_have_count(0)  # review decision forms
    expect(page.get_by_test_id("stDataFrame"), f"/{path}").to_have_count(0)  # accounts, audit, taxonomy tables


def test_a_member_who_goes_to_the_address_of_a_coordinator_or_admin_page_does_not_see_it(page):
    sign_in_as(page, "member")
    sidebar = page.get_by_test_id("stSidebarNav")
    expect(sidebar.get_by_role("link", name="My lessons")).to_be_visible()
    for heading in ("Review queue", "Adoption dashboard", "Accounts", "Taxonomy", "Audit log", "Backups"):
        expect(sidebar.get_by_role("link", name=heading)).to_have_count(0)

    for path in STAFF_PAGES:
        open_in_this_tab(page, path)
        assert_staff_page_not_shown(page, path)

    nav(page, "My lessons")  # still signed in
    expect(page.get_by_role("heading", name="My lessons")).to_be_visible()


def test_typing_the_address_of_a_coordinator_or_admin_page_in_a_new_tab_shows_no_staff_content(page):
    # Typing an address loads the app afresh: a new session, signed out, so a visitor.
    for path in STAFF_PAGES:
        goto(page, path)
        assert_staff_page_not_shown(page, path)


def test_a_freshly_started_server_serves_only_the_pages_that_app_py_lists(browser, demo_database, tmp_path):
    database = tmp_path / "exchange.duckdb"
    shutil.copy(demo_database[1], database)
    # Streamlit treats a pages/ folder as a legacy multipage app until app.py's st.navigation first runs in
    # the process, and then serves each file by its name. The app must route even that first request
    # through app.py's role-built navigation (regression: /admin_users ran pages/admin_users.py directly).
    with running_app(database, tmp_path / "streamlit.log") as base, tab(browser, base) as first_visitor:
        goto(first_visitor, "admin_users")  # the first address anyone opens after the start
        title = first_visitor.get_by_role("heading", level=1)
        expect(title.first).to_be_visible()
        links = first_visitor.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
        # The legacy file name maps to the Accounts page, which asks a visitor to sign in (no admin content).
        assert title.all_inner_texts() == ["Sign in to see this"], links
        expect(first_visitor.get_by_test_id("stDataFrame")).to_have_count(0)
        assert not any(re.search(r"admin|review|dashboard", link, re.IGNORECASE) for link in links), links


def test_on_a_phone_the_sidebar_closes_after_choosing_a_page(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.base = server
        goto(page, "")
        sidebar = page.get_by_test_id("stSidebar")
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sign in").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        assert page.get_by_role("button", name="Sign in").bounding_box()["x"] < 390
    finally:
        context.close()
