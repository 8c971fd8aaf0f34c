"""Issues 2-4: every page each role can reach passes an axe-core scan (no serious or critical violation in our content).

Violations inside markup Streamlit itself renders are set aside by helpers.STREAMLIT_OWNED (each with its
reason) and printed, so they stay visible in the test output (`-rA` or `-s`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, describe, goto, nav, sign_in_as, wait_for_app


def lesson_links(page):
    return page.get_by_test_id("stMain").locator("a[href^='lesson?id=']")


def show_home(page):
    nav(page, "Find lessons")
    expect(lesson_links(page).first).to_be_visible()


def show_lesson(page):
    lesson_links(page).first.click()
    wait_for_app(page)
    # An error there is test_lesson_page.py's to report; scan whatever the page shows.
    expect(page.get_by_role("heading", name="Related lessons").or_(page.get_by_test_id("stAlert")).first).to_be_visible()


def show_account(title):
    def show(page):
        nav(page, title)
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        if title == "Sign in":
            expect(page.get_by_role("heading", name="Demo accounts")).to_be_visible()
    return show


def show_inbox(page):
    # Its navigation title carries the unread count ("Inbox (3 unread)").
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(r"^Inbox")).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What you follow")).to_be_visible()


def show_post(page):
    nav(page, "Share a lesson")
    expect(page.get_by_role("heading", name="Share a lesson", level=1)).to_be_visible()


def show_post_errors(page):
    """The form after submitting it empty: every field's error is shown at once."""
    page.get_by_role("button", name="Check and submit…").click()
    wait_for_app(page)
    expect(page.get_by_text("Please fix").first).to_be_visible()


def show_mine(page):
    nav(page, "My lessons")
    expect(page.get_by_role("heading", name="My lessons", level=1)).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()


def show_assess(page):
    nav(page, "Self-assessment")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()


def show_questions(page):
    nav(page, "Questions to your department")
    expect(page.get_by_role("heading", name="Questions to your department", level=1)).to_be_visible()
    expect(page.locator("[class*='st-key-question_']").first).to_be_visible()


def show_review(page):
    nav(page, "Review queue")
    expect(page.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    expect(page.get_by_test_id("stForm").first).to_be_visible()


def show_dashboard(page):
    nav(page, "Adoption dashboard")
    expect(page.locator(".vega-embed svg.marks")).to_have_count(4)  # the first tab, as tests/browser/test_dashboard_charts.py


def show_table_page(title):
    def show(page):
        nav(page, title)
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    return show


def show_backups(page):
    nav(page, "Backups")
    expect(page.get_by_role("heading", name="Backups", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Back up now")).to_be_visible()


def show_import(page):
    nav(page, "Import")
    expect(page.get_by_role("heading", name="Import", level=1)).to_be_visible()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()


def show_export(page):
    nav(page, "Export")
    expect(page.get_by_role("heading", name="Export the whole dataset", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Export now")).to_be_visible()


def show_peers(page):
    nav(page, "Peers")
    expect(page.get_by_role("heading", name="Who has done what we are about to do")).to_be_visible()


def show_department(page):
    nav(page, "Your department")
    expect(page.get_by_role("heading", name="Departments like this one")).to_be_visible()


def show_profile_from_lesson(page):
    """A visitor reaches a profile from a lesson's "Shared by" link (or the lesson has none: anonymous)."""
    link = page.get_by_test_id("stMain").locator("a[href^='department?id=']").first
    if link.count():
        link.click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Departments like this one")).to_be_visible()


VISITOR = [("home", show_home), ("lesson", show_lesson), ("profile", show_profile_from_lesson),
           ("sign in", show_account("Sign in"))]
SIGNED_IN = [("account", show_account("Your account")), ("home", show_home), ("lesson", show_lesson),
             ("inbox", show_inbox)]
MEMBER = SIGNED_IN + [("post", show_post), ("post with errors", show_post_errors), ("mine", show_mine),
                      ("assess", show_assess), ("peers", show_peers), ("department", show_department),
                      ("questions", show_questions)]
COORDINATOR = SIGNED_IN + [("review", show_review), ("dashboard", show_dashboard)]
ADMIN = COORDINATOR + [("accounts", show_table_page("Accounts")), ("taxonomy", show_table_page("Taxonomy")),
                       ("audit", show_table_page("Audit log")), ("backups", show_backups), ("import", show_import),
                       ("export", show_export)]
ROLES = {"visitor": VISITOR, "member": MEMBER, "coordinator": COORDINATOR, "admin": ADMIN}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_the_role_can_reach_has_no_serious_or_critical_axe_violation_in_our_content(page, role):
    if role == "visitor":
        goto(page, "")
    else:
        sign_in_as(page, role)
    found, excluded = [], []
    for _name, show in ROLES[role]:
        show(page)
        found += axe_violations(page, excluded=excluded)
    if excluded:
        print(f"\nSet aside as Streamlit's own markup ({role}):\n" + describe(excluded))
    assert found == [], describe(found)
