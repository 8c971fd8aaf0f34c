"""The Backups page (issue 12): administrators take a backup with progress and see it listed; nobody else sees it."""

from __future__ import annotations

import time

import pytest

from exchange import config
from exchange.demo import DEMO_ACCOUNTS
from exchange.transfer import backup_jobs, snapshot
from exchange.ui import auth
from tests.pages.text import shown

EMAIL = {a["role"]: a["email"] for a in DEMO_ACCOUNTS}


@pytest.fixture
def backup_dir(tmp_path):
    with config.override(backup_dir=tmp_path / "backups", backup_time=(2, 0)):
        yield tmp_path / "backups"


def _wait_for_the_backup() -> backup_jobs.Job:
    deadline = time.monotonic() + 60
    while (job := backup_jobs.latest()) is not None and job.running and time.monotonic() < deadline:
        time.sleep(0.1)
    return job


def test_an_administrator_backs_up_and_sees_the_outcome_and_the_backup_listed(pages, backup_dir):
    at = pages.open("admin_backups", email=EMAIL["admin"])
    assert not at.exception and not at.error
    assert any("No backups yet" in i.value for i in at.info)
    assert any("every night at 02:00 UTC" in shown(m.value) and "kept for 14 days" in m.value for m in at.markdown)
    at.button(key="backup_now").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    job = _wait_for_the_backup()
    assert job.error is None
    at.run()
    assert [shown(s.value) for s in at.success] == [
        f"Backup written to {job.path}: {job.summary['tables']} tables, {job.summary['rows']:,} rows, "
        f"{job.summary['bytes'] / 1_000_000:,.1f} MB, in {job.summary['seconds']} s."]
    grid = at.dataframe[0].value
    assert list(grid["Folder"]) == [job.path.name] and list(grid["Kind"]) == ["By hand"]
    assert snapshot.manifest(job.path)["tables"]["lessons"]["rows"] > 0
    at.run()
    assert not at.success, "the outcome is said once"


@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_everyone_but_administrators_sees_not_available_and_no_button(pages, backup_dir, role):
    at = pages.open("admin_backups", email=EMAIL.get(role))
    assert [e.value for e in at.error] == [auth.NOT_AVAILABLE]
    assert not at.button and not at.dataframe
