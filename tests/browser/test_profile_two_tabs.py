"""Two tabs editing one department profile (issue 11.1): the later save is refused, keeps what was typed beside the
saved version, and "Save mine" then wins on purpose; nothing is lost silently."""

from __future__ import annotations

import random
import string

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as, wait_for_app


def open_editor(page) -> None:
    nav(page, "Your department")
    page.get_by_text("Edit this profile").click()
    expect(page.get_by_role("textbox", name="Description")).to_be_visible()


def test_two_tabs_editing_one_profile_lose_nothing(new_tab):
    marker = "".join(random.choices(string.ascii_lowercase, k=8))
    first, second = new_tab(), new_tab()
    for page in (first, second):
        sign_in_as(page, "member")
        open_editor(page)  # both editors start from the same revision

    theirs = f"We serve the county's rural east ({marker}), saved first"
    second.get_by_role("textbox", name="Description").fill(theirs)
    second.get_by_role("button", name="Save profile").click()
    wait_for_app(second)
    expect(second.get_by_text("Profile saved")).to_be_visible()

    mine = f"We share budgets openly with residents ({marker}), saved second"
    first.get_by_role("textbox", name="Description").fill(mine)
    first.get_by_role("button", name="Save profile").click()
    wait_for_app(first)
    expect(first.get_by_text("after you opened it, so nothing was saved")).to_be_visible()
    main = first.get_by_test_id("stMain")
    expect(main.get_by_text(f"saved: “{theirs}”; yours: “{mine}”")).to_be_visible()
    expect(first.get_by_role("textbox", name="Description")).to_have_value(mine)  # what I typed is kept

    first.get_by_role("button", name="Save mine over the saved version").click()
    wait_for_app(first)
    expect(first.get_by_text("Profile saved")).to_be_visible()
    expect(main.get_by_text(mine).first).to_be_visible()
    second.reload()
    wait_for_app(second)
    expect(second.get_by_test_id("stMain").get_by_text(mine).first).to_be_visible()
