"""Issue 8 part 6 in a real browser: two people editing one lesson lose nothing; the second one merges."""

from __future__ import annotations

import random
import string

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as, wait_for_app

SUMMARY = "Summary (required, up to 300 characters): the lesson in two sentences"
ADVICE = "Advice for peers, up to 4,000 characters"


def open_for_editing(page, title: str) -> None:
    """My lessons → Edit on the lesson with this title."""
    nav(page, "My lessons")
    card = page.get_by_test_id("stVerticalBlock").filter(has=page.get_by_text(title, exact=True)).filter(
        has=page.get_by_role("link", name="Edit")).last
    card.get_by_role("link", name="Edit").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Edit your lesson")).to_be_visible()


def test_two_browsers_editing_one_lesson_merge_field_by_field_and_lose_nothing(new_tab):
    marker = "".join(random.choices(string.ascii_lowercase, k=10))
    title = f"Shared draft {marker} about a community land trust"

    first = new_tab()
    sign_in_as(first, "member")
    nav(first, "Share a lesson")
    first.get_by_role("textbox", name="Title (required, up to 120 characters)").fill(title)
    first.get_by_role("button", name="Save draft").click()
    wait_for_app(first)
    expect(first.get_by_text("Draft saved").first).to_be_visible()
    expect(first.get_by_text("Saved ").first).to_be_visible()  # the autosave line near the buttons

    second = new_tab()
    sign_in_as(second, "member")
    open_for_editing(second, title)
    open_for_editing(first, title)  # both editors now start from the same revision

    theirs = f"The land trust bought {marker} lots; the council agreed to a lease."
    second.get_by_role("textbox", name=SUMMARY).fill(theirs)
    second.get_by_role("button", name="Save draft").click()
    wait_for_app(second)
    expect(second.get_by_text("Draft saved").first).to_be_visible()

    mine = f"Start with the tenants' association ({marker})."
    first.get_by_role("textbox", name=ADVICE).fill(mine)
    first.get_by_role("button", name="Save draft").click()
    wait_for_app(first)
    merge = first.locator(".st-key-post_merge")
    expect(merge.get_by_text("after you opened it")).to_be_visible()
    expect(merge.get_by_text(theirs)).to_be_visible()  # what changed meanwhile, beside what I wrote
    expect(first.get_by_role("textbox", name=ADVICE)).to_have_value(mine)  # my text is kept

    merge.locator(".st-key-merge_summary").get_by_text("Take theirs").click()
    wait_for_app(first)
    merge.get_by_role("button", name="Save the merged version").click()
    wait_for_app(first)
    expect(first.get_by_text("Draft saved").first).to_be_visible()
    expect(first.locator(".st-key-post_merge")).to_have_count(0)
    expect(first.get_by_role("textbox", name=SUMMARY)).to_have_value(theirs)
    expect(first.get_by_role("textbox", name=ADVICE)).to_have_value(mine)

    # The other editor opens it again and sees both changes.
    open_for_editing(second, title)
    expect(second.get_by_role("textbox", name=SUMMARY)).to_have_value(theirs)
    expect(second.get_by_role("textbox", name=ADVICE)).to_have_value(mine)
