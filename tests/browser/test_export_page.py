"""The Export page in a real browser (issue 12.3): Export now shows progress, then offers the zip, which holds
every exported table as Parquet and CSV and the data dictionary."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as


def test_an_administrator_exports_the_dataset_and_downloads_the_zip(page, tmp_path):
    sign_in_as(page, "admin")
    nav(page, "Export")
    expect(page.get_by_role("heading", name="Export the whole dataset", level=1)).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="This file is confidential")).to_be_visible()
    page.get_by_role("button", name="Export now").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Export ready:")).to_be_visible(timeout=90_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the zip").click()
    saved = tmp_path / "dataset.zip"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("equity-exchange-dataset-")
    with zipfile.ZipFile(saved) as zf:
        names = set(zf.namelist())
    assert {"README.md", "dictionary.json", "csv/lessons.csv", "parquet/lessons.parquet"} <= names
    assert "csv/sessions.csv" not in names
