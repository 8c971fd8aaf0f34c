"""The Backups page in a real browser (issue 12): Back up now shows progress, then the outcome and the new backup."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as


def test_an_administrator_backs_up_now_and_sees_it_finish_and_listed(page):
    sign_in_as(page, "admin")
    nav(page, "Backups")
    expect(page.get_by_role("heading", name="Backups", level=1)).to_be_visible()
    page.get_by_role("button", name="Back up now").click()
    # The page polls the running backup every second and redraws itself when it is done.
    done = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Backup written to .*exchange-\d{8}-\d{6}Z-manual"))
    expect(done).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_role("button", name="Back up now")).to_be_enabled()
