"""Backups run by the app (issue 12): the administrators' start and status, requests from the command line,
the nightly schedule, and retention (14 daily, 8 weekly by default)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from exchange import cli, config
from exchange.errors import Conflict, ExchangeError, Forbidden
from exchange.storage import open_database
from exchange.transfer import backup_jobs, snapshot
from tests.factories import make_department, make_user

ROOT = Path(__file__).resolve().parent.parent


def _fake_backup(folder: Path, when: datetime, kind: str = "scheduled") -> Path:
    path = folder / f"exchange-{when:%Y%m%d-%H%M%S}Z-{kind}"
    path.mkdir(parents=True)
    (path / snapshot.MANIFEST).write_text(json.dumps({
        "format": snapshot.FORMAT, "kind": kind, "created_at": when.isoformat(timespec="seconds"),
        "tables": {}, "file": {"name": snapshot.DATA, "bytes": 0, "sha256": ""}}))
    return path


def test_retention_keeps_the_newest_backup_of_each_of_14_days_and_8_weeks_and_never_a_manual_one(tmp_path):
    now = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # a Tuesday
    nightly = [_fake_backup(tmp_path, now - timedelta(days=d)) for d in range(100)]
    extra_today = _fake_backup(tmp_path, now - timedelta(hours=1))  # an earlier one the same day
    manual = _fake_backup(tmp_path, now - timedelta(days=300), kind="manual")
    removed = backup_jobs.prune(tmp_path, keep_daily=14, keep_weekly=8, now=now)
    kept = {p for p in tmp_path.iterdir()}
    weeks = {}
    for path, day in ((p, now - timedelta(days=d)) for d, p in enumerate(nightly)):
        weeks.setdefault(day.isocalendar()[:2], path)  # newest first: the first seen is the week's newest
    expected = set(nightly[:14]) | set(list(weeks.values())[:8]) | {manual}
    assert kept == expected
    assert extra_today in removed and manual not in removed
    assert len(kept) == 14 + 5 + 1  # the newest of 3 of the 8 weeks (Dec 1, Nov 29, Nov 22) is among the 14 days


def test_retention_reads_its_defaults_from_the_settings(tmp_path):
    now = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    for d in range(5):
        _fake_backup(tmp_path, now - timedelta(days=d))
    with config.override(backup_keep_daily=2, backup_keep_weekly=0):
        backup_jobs.prune(tmp_path)
    assert len(list(tmp_path.iterdir())) == 2


@pytest.fixture
def backup_dir(tmp_path):
    with config.override(backup_dir=tmp_path / "backups"):
        yield tmp_path / "backups"


def test_nightly_backup_is_due_after_its_time_once_a_day(fresh_db, backup_dir):
    thread = backup_jobs.BackupThread(fresh_db)
    day = datetime(2026, 12, 1, tzinfo=timezone.utc)
    with config.override(backup_time=(2, 30)):
        assert not thread.nightly_due(fresh_db, day.replace(hour=2, minute=29))
        assert thread.nightly_due(fresh_db, day.replace(hour=2, minute=30))
        thread.tick(fresh_db, now=day.replace(hour=3))
        found = snapshot.listing(backup_dir)
        assert [m["kind"] for m in found] == ["scheduled"]
        assert not thread.nightly_due(fresh_db, day.replace(hour=23))
        # A restarted app sees today's backup in the folder and does not take another.
        again = backup_jobs.BackupThread(fresh_db)
        real_today = datetime.fromisoformat(found[0]["created_at"])
        assert not again.nightly_due(fresh_db, real_today.replace(hour=23, minute=59))
    with config.override(backup_time=None):
        assert not backup_jobs.BackupThread(fresh_db).nightly_due(fresh_db, day.replace(hour=23))


def test_command_line_request_is_answered_by_the_apps_backup_thread(fresh_db, backup_dir, tmp_path):
    thread = backup_jobs.BackupThread(fresh_db, interval=0.05)
    thread.start()
    seen = []
    try:
        answer = backup_jobs.request_from_running_app(Path(fresh_db.path), to=tmp_path / "elsewhere",
                                                      wait_for_pickup=10, on_progress=seen.append)
    finally:
        thread.stopped.set()
    assert answer["state"] == "done" and Path(answer["path"]).parent == tmp_path / "elsewhere"
    assert snapshot.manifest(Path(answer["path"]))["kind"] == "manual"
    assert not list((backup_dir / backup_jobs.REQUESTS).iterdir())  # nothing left behind


def test_command_line_request_nobody_picks_up_says_so_and_withdraws_itself(fresh_db, backup_dir):
    with pytest.raises(ExchangeError, match="no running app picked up the backup request"):
        backup_jobs.request_from_running_app(Path(fresh_db.path), to=None, wait_for_pickup=0.3)
    assert not list((backup_dir / backup_jobs.REQUESTS).iterdir())
    assert backup_jobs.answer_requests(fresh_db) == 0  # an app starting later does not run a stale request


def test_only_administrators_start_backups_and_one_runs_at_a_time(fresh_db, backup_dir):
    department = make_department(fresh_db)
    member = make_user(fresh_db, "member", department_id=department)
    admin = make_user(fresh_db, "admin")
    with pytest.raises(Forbidden):
        backup_jobs.start(fresh_db, member)
    with pytest.raises(Forbidden):
        backup_jobs.backups(fresh_db, member)
    job = backup_jobs.start(fresh_db, admin)
    deadline = time.monotonic() + 30
    while backup_jobs.status(admin).running and time.monotonic() < deadline:
        time.sleep(0.05)
    finished = backup_jobs.status(admin)
    assert finished.id == job.id and finished.error is None and finished.fraction == 1.0
    assert [m["path"] for m in backup_jobs.backups(fresh_db, admin)] == [finished.path]
    with fresh_db.read() as cur:
        audited = cur.execute("SELECT actor_id, success, detail FROM audit_log WHERE event = 'backup_taken'").fetchall()
    assert audited and audited[-1][0] == admin.id and audited[-1][1] and 'kind: manual' in audited[-1][2]

    running = backup_jobs._set(backup_jobs.Job(id="x", requested_by="someone", kind="manual",
                                               started_at=datetime.now(timezone.utc)))
    try:
        with pytest.raises(Conflict, match="already running"):
            backup_jobs.start(fresh_db, admin)
    finally:
        backup_jobs._set(backup_jobs.Job(**{**running.__dict__, "finished_at": datetime.now(timezone.utc)}))


def test_a_failed_backup_is_reported_not_raised_and_audited_as_failed(fresh_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    job = backup_jobs.run(fresh_db, to=blocker / "sub")
    assert job.error and "backup folder" in job.error and job.path is None
    with fresh_db.read() as cur:
        assert cur.execute("SELECT success FROM audit_log WHERE event = 'backup_taken'").fetchall()[-1] == (False,)


# ---------------------------------------------------------------- the commands, end to end


def _cli(*argv, env=None, timeout=120):
    import os

    return subprocess.run([sys.executable, "-m", "exchange", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "EXCHANGE_PASSWORD_HASH_COST": "4", **(env or {})})


APP = """
import sys, time
from exchange.storage import open_database
from exchange.transfer import backup_jobs
db = open_database(sys.argv[1])
if sys.argv[2] == "serve":
    backup_jobs.BackupThread(db, interval=0.1).start()
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def database_file(fresh_db, tmp_path):
    """A database file not open in this process (fresh_db's copy, closed)."""
    path = tmp_path / "exchange.duckdb"
    fresh_db.close()
    Path(fresh_db.path).rename(path)
    return path


def _holding(path: Path, mode: str, env: dict):
    import os

    proc = subprocess.Popen([sys.executable, "-c", APP, str(path), mode], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "EXCHANGE_BACKUP_TIME": "off", **env})  # no nightly backup meanwhile
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_backup_command_goes_through_the_running_app_and_restore_rebuilds_it(database_file, tmp_path):
    env = {"EXCHANGE_BACKUP_DIR": str(tmp_path / "backups")}
    app = _holding(database_file, "serve", env)
    try:
        done = _cli("backup", "--db", str(database_file), env=env)
    finally:
        app.stdin.close()
        app.wait(20)
    assert done.returncode == 0, done.stderr
    assert "asking it to take the backup" in done.stdout and "by the running app" in done.stdout
    folder = Path(done.stdout.split("Backup written to ")[1].split(" by ")[0])
    assert folder.parent == tmp_path / "backups"

    restored = _cli("restore", str(folder), "--db", str(tmp_path / "restored.duckdb"))
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup taken" in restored.stdout and "match the manifest" in restored.stdout
    again = _cli("restore", str(folder), "--db", str(database_file))
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr

    listed = _cli("backup", "--list", "--db", str(database_file), env=env)
    assert folder.name in listed.stdout and "1 backup in" in listed.stdout


def test_backup_command_works_when_the_app_is_stopped(database_file, tmp_path):
    done = _cli("backup", "--db", str(database_file), "--to", str(tmp_path / "here"))
    assert done.returncode == 0, done.stderr
    assert "the app is not running" in done.stdout and str(tmp_path / "here") in done.stdout


def test_backup_command_says_clearly_when_another_process_holds_the_database_and_answers_nothing(database_file, tmp_path):
    env = {"EXCHANGE_BACKUP_DIR": str(tmp_path / "b")}
    holder = _holding(database_file, "hold", env)
    try:
        done = _cli("backup", "--db", str(database_file), "--wait", "1", env=env)
    finally:
        holder.stdin.close()
        holder.wait(20)
    assert done.returncode == 1 and "no running app picked up" in done.stderr and "Traceback" not in done.stderr


def test_backup_command_names_a_missing_database(tmp_path, capsys):
    assert cli.main(["backup", "--db", str(tmp_path / "nothing.duckdb")]) == 1
    assert "There is no database at" in capsys.readouterr().err
    assert not (tmp_path / "nothing.duckdb").exists()
