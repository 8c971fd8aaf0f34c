"""The Import page in a real browser (issue 12.2): an administrator uploads a file, the check lists every problem
by row and column and stores nothing; the fixed file is checked, confirmed and imported, and its lessons are
published. Runs on a server of its own (a copy of the pristine demo database), so the shared server's demo facts
stay true for the other journeys."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import grid_rows, nav, running_app, sign_in_as, tab, wait_for_app
from tests.test_imports import csv_bytes, row


@pytest.fixture(scope="module")
def own_server(demo_database, browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("import-journey")
    path = folder / "exchange.duckdb"
    shutil.copy(demo_database[1], path)
    con = duckdb.connect(str(path))
    try:
        department = con.execute("SELECT name FROM departments ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    with running_app(path, folder / "streamlit.log") as base:
        yield base, department


def newest_titles(base: str) -> list[str]:
    answer = requests.get(f"{base}/api/v1/lessons", timeout=30)
    assert answer.status_code == 200
    return [lesson["title"] for lesson in answer.json()["lessons"]]


def upload(page, path) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app(page)


def test_an_administrator_fixes_the_problems_the_check_lists_then_imports(own_server, browser, tmp_path):
    base, department = own_server
    broken = tmp_path / "collection.csv"
    titles = ["Listening sessions on the budget, imported A", "Listening sessions on the budget, imported B"]
    broken.write_bytes(csv_bytes([row(901, department=department, title=titles[0], summary="x" * 312),
                                  row(902, department=department, title=titles[1], kind="triumph")]))
    with tab(browser, base) as page:
        sign_in_as(page, "admin")
        nav(page, "Import")
        expect(page.get_by_role("heading", name="Import", level=1)).to_be_visible()
        upload(page, broken)

        # The check lists each problem by row and column, and offers no import.
        expect(page.get_by_test_id("stAlert").filter(has_text="2 problems")).to_be_visible()
        problems = grid_rows(page.get_by_test_id("stDataFrame").last)  # the first is the template's, folded away
        assert [cells[:2] for cells in problems] == [["2", "Summary"], ["3", "Kind"]], problems
        assert "312 characters" in problems[0][2] and "success, challenge, mixed" in problems[1][2]
        expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_have_count(0)
        assert not set(titles) & set(newest_titles(base))  # the failing upload kept nothing

        # Fixed in the file and chosen again: checked clean, then imported on confirmation.
        fixed = tmp_path / "collection-fixed.csv"
        fixed.write_bytes(csv_bytes([row(901, department=department, title=titles[0]),
                                     row(902, department=department, title=titles[1])]))
        page.get_by_role("button", name="Remove collection.csv").click()
        wait_for_app(page)
        upload(page, fixed)
        expect(page.get_by_test_id("stAlert").filter(has_text="Would import 2 lesson rows: 2 new")).to_be_visible()
        assert not set(titles) & set(newest_titles(base))  # the check stores nothing either
        page.get_by_role("button", name="Import 2 lessons").click()
        wait_for_app(page)
        expect(page.get_by_test_id("stAlert").filter(has_text="Imported 2 lesson rows: 2 new")).to_be_visible(
            timeout=60_000)
    assert set(titles) <= set(newest_titles(base))  # published: visitors see them at the top of Find lessons
