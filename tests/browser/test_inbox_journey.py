"""Issue 11.5 in a real browser: follow a practice, another member publishes on it, the worker delivers, the Inbox shows it."""

from __future__ import annotations

import random
import re
import string
import time
from datetime import date

from playwright.sync_api import expect

from tests.browser.helpers import TIMEOUT_MS, choose, fill_date, goto, nav, sign_in_as, wait_for_app


def inbox_link(page):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(r"^Inbox"))


def unread(page) -> int:
    """The unread count in the sidebar's navigation title ('Inbox (3 unread)'; 'Inbox' is 0)."""
    found = re.search(r"\((\d+) unread\)", inbox_link(page).inner_text())
    return int(found.group(1)) if found else 0


def post(page, title: str, practice: str) -> None:
    """Publish a lesson on `practice` through the form (the demo member's department publishes at once)."""
    nav(page, "Share a lesson")
    textbox = lambda name: page.get_by_role("textbox", name=name)  # noqa: E731
    textbox("Title (required, up to 120 characters)").fill(title)
    textbox("Summary (required, up to 300 characters): the lesson in two sentences").fill(
        "We moved part of the budget to equity staff. It paid for two community health workers.")
    textbox("Context (required), up to 4,000 characters").fill("The equity plan had no money behind it.")
    textbox("What we did (required), up to 4,000 characters").fill("We asked the board for two positions.")
    textbox("What happened (required), up to 4,000 characters").fill("The board funded one position this year.")
    choose(page, "Strategic practices (choose at least one)", practice)
    fill_date(page, "Work started (any day in the month)", date(2024, 5, 15))
    page.get_by_role("button", name="Check and submit…").click()
    wait_for_app(page)
    page.get_by_role("button", name="Submit now").click()
    wait_for_app(page)
    expect(page.get_by_text("Published. Thank you for sharing.")).to_be_visible()


def follow_a_practice(follower) -> str:
    """Open the first lesson of Find lessons and follow its first practice (if not followed yet); return its name."""
    nav(follower, "Find lessons")
    first = follower.get_by_test_id("stMain").locator("a[href^='lesson?id=']").first
    expect(first).to_be_visible()
    first.click()
    wait_for_app(follower)
    # The lesson's first follow control is its first practice: "Follow <practice>", or "Following …" already.
    control = follower.get_by_role("button", name=re.compile(r"^Follow(ing)? ")).first
    expect(control).to_be_visible()
    # The icons' ligatures ("notifications", "expand_more") sit on lines of their own.
    label = next(line.strip() for line in control.inner_text().splitlines() if line.strip().startswith("Follow"))
    practice = re.sub(r"^Follow(ing)? ", "", label)
    if label.startswith("Follow "):
        control.click()
        wait_for_app(follower)
        expect(follower.get_by_text(f"You follow {practice}.")).to_be_visible()
    expect(follower.get_by_role("button", name=f"Following {practice}")).to_be_visible()
    return practice


def wait_for_item(follower, title: str):
    """Reload the Inbox until the worker (every EXCHANGE_NOTIFY_SECONDS, 5 s by default) has delivered the item."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    item = follower.get_by_test_id("stMain").locator("[class*='st-key-notification_']").filter(has_text=title)
    while True:
        goto(follower, "inbox")
        if item.count() or time.monotonic() > deadline:
            break
        follower.wait_for_timeout(1000)
    expect(item).to_have_count(1)
    return item


def new_title() -> str:
    return f"Two equity positions funded in {''.join(random.choices(string.ascii_lowercase, k=8))} after a hearing"


def test_follow_a_practice_then_a_new_lesson_on_it_reaches_the_inbox_and_is_read_when_opened(page, new_tab):
    follower = page
    sign_in_as(follower, "member2")
    practice = follow_a_practice(follower)
    before = unread(follower)

    title = new_title()
    author = new_tab()
    sign_in_as(author, "member")
    post(author, title, practice)
    item = wait_for_item(follower, title)
    expect(item.get_by_role("button", name="Mark read")).to_be_visible()  # unread: it can be marked read
    expect(item.get_by_text(practice, exact=False)).to_be_visible()
    assert unread(follower) == before + 1

    item.get_by_role("button", name="Open the lesson").click()
    wait_for_app(follower)
    expect(follower.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(inbox_link(follower)).to_have_text(re.compile(r"Inbox" + (rf" \({before} unread\)" if before else r"$")))
    inbox_link(follower).click()
    wait_for_app(follower)
    read_item = follower.get_by_test_id("stMain").locator("[class*='st-key-notification_']").filter(has_text=title)
    expect(read_item).to_have_count(1)
    expect(read_item.get_by_role("button", name="Mark read")).to_have_count(0)
