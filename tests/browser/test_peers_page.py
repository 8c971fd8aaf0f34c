"""Peers (issue 11.2) in a browser: a filter goes into the address, survives a reload, and the page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, choose, describe, nav, sign_in_as, wait_for_app


def test_a_peers_filter_is_kept_in_the_address_through_a_reload(page):
    sign_in_as(page, "member")
    nav(page, "Peers")
    expect(page.get_by_role("heading", name="Departments most like yours")).to_be_visible()
    choose(page, "Population served", "Small (< 50,000)")
    page.wait_for_url(re.compile(r"[?&]size=small"))
    listed = page.get_by_test_id("stMain").locator("a[href^='department?id=']")
    expect(listed.first).to_be_visible()
    page.reload()
    wait_for_app(page)
    size = page.locator("[data-testid='stMultiSelect']").filter(
        has=page.get_by_role("combobox", name="Population served", exact=True))
    expect(size).to_contain_text("Small (< 50,000)")
    assert re.search(r"[?&]size=small", page.url)
    assert not axe_violations(page), describe(axe_violations(page))
