"""Issue 14.5 in a real browser: a keyboard user reaches a drillable chart's data table and opens a row's drill-down."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as, wait_for_app

MAX_TABS = 250


def tab_to(page, box: str, predicate: str) -> None:
    """Press Tab until the focused element is inside `box` and matches `predicate` (a JS expression over `el`)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; "
                         f"return !!(el && el.closest('.{box}') && ({predicate})); }}"):
            return
    raise AssertionError(f"{MAX_TABS} Tab presses never reached {predicate} in {box}")


def test_a_keyboard_user_opens_a_table_and_lists_the_departments_behind_a_row_and_a_grey_row_is_refused(page):
    sign_in_as(page, "coordinator")
    nav(page, "Adoption dashboard")
    expect(page.get_by_role("heading", name="Adoption of equity practices")).to_be_visible()
    expect(page.locator(".vega-embed")).to_have_count(4)
    page.locator("h1").first.click()  # start from the top of the page; from here on only the keyboard

    # The heatmap's "Data table" expander opens with Enter and shows the table.
    heatmap = page.locator(".st-key-chart_heatmap_box")
    tab_to(page, "st-key-chart_heatmap_box", "el.tagName === 'SUMMARY'")
    page.keyboard.press("Enter")
    expect(heatmap.get_by_test_id("stDataFrame").first).to_be_visible()

    # Its row list: Tab to it, type to narrow, Enter.
    tab_to(page, "st-key-chart_heatmap_box", "el.getAttribute('role') === 'combobox'")
    page.keyboard.type("Region 5, Allocate")
    # Typing narrows the list and highlights its first match; Enter chooses it. (An ArrowDown here moved past
    # the match once the filter had caught up: it passed or failed with the machine's speed.)
    expect(page.get_by_role("option").first).to_contain_text("Region 5, Allocate Resources")
    expect(page.get_by_role("option").first).to_have_attribute("data-focused", "true")  # react-aria's highlight
    page.keyboard.press("Enter")
    wait_for_app(page)
    drill = heatmap.get_by_test_id("stMarkdownContainer").filter(has_text="Departments behind your selection")
    expect(drill).to_have_text(re.compile(r"^Departments behind your selection: Region 5, Allocate Resources \(\d+, "))
    listed = heatmap.get_by_test_id("stDataFrame").last.locator("table[role=grid]")
    expect(listed.locator("tbody tr").first).to_be_attached()
    assert int(listed.get_attribute("aria-rowcount")) > 1

    # A grey state of the tile map: chosen the same way, it says why instead of listing anyone.
    tiles = page.locator(".st-key-chart_map_box")
    tab_to(page, "st-key-chart_map_box", "el.getAttribute('role') === 'combobox'")
    page.keyboard.type("fewer than")
    expect(page.get_by_role("option").first).to_contain_text("fewer than")
    expect(page.get_by_role("option").first).to_have_attribute("data-focused", "true")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(tiles.get_by_test_id("stAlertContentError")).to_contain_text("The departments behind that figure are not listed")
    expect(tiles.get_by_test_id("stMarkdownContainer").filter(has_text="Departments behind your selection")).to_have_count(0)
    expect(drill).to_have_count(0)  # one drill-down at a time
