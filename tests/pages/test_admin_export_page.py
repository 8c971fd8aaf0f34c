"""The Export page (issue 12.3): administrators export the whole dataset with progress, see a warning, and get the
zip to download; the export is audited; nobody else sees the page."""

from __future__ import annotations

import time
import zipfile

import pytest

from exchange import config
from exchange.demo import DEMO_ACCOUNTS
from exchange.transfer import dataset_jobs
from exchange.identity import accounts
from exchange.ui import auth
from tests.pages.text import shown

EMAIL = {a["role"]: a["email"] for a in DEMO_ACCOUNTS}


@pytest.fixture
def backup_dir(tmp_path):
    with config.override(backup_dir=tmp_path / "backups"):
        yield tmp_path / "backups"


def _wait_for_the_export() -> dataset_jobs.Job:
    deadline = time.monotonic() + 60
    while (job := dataset_jobs._latest) is not None and job.running and time.monotonic() < deadline:
        time.sleep(0.1)
    return job


def test_an_administrator_exports_sees_the_warning_and_gets_a_download(pages, backup_dir):
    at = pages.open("admin_export", email=EMAIL["admin"])
    assert not at.exception and not at.error
    assert any("names the department of every anonymous lesson" in w.value for w in at.warning)
    at.button(key="export_now").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    job = _wait_for_the_export()
    assert job.error is None and job.path.parent.parent == backup_dir / ".exports"
    at.run()
    assert [shown(s.value) for s in at.success][0].startswith(f"Export ready: {job.summary['tables']} tables, ")
    assert at.get("download_button")
    with zipfile.ZipFile(job.path) as zf:
        assert "dictionary.json" in zf.namelist() and "csv/lessons.csv" in zf.namelist()
    with pages.db.read() as cur:
        entry = cur.execute("SELECT actor_id, success FROM audit_log WHERE event = 'dataset_export'").fetchall()
    assert entry == [(pages.user_id(EMAIL["admin"]), True)]
    admin = accounts.load_user(pages.db, pages.user_id(EMAIL["admin"]))
    with dataset_jobs.open_zip(admin, job.id) as f:
        assert f.read(2) == b"PK"


@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_everyone_but_administrators_sees_not_available_and_no_button(pages, backup_dir, role):
    at = pages.open("admin_export", email=EMAIL.get(role))
    assert [e.value for e in at.error] == [auth.NOT_AVAILABLE]
    assert not at.button
