"""Backups run by the process that owns the database: from the administrators' page, from the command line
(a request file the app's backup thread picks up), and nightly on a schedule, with retention.

The command line cannot open the database while the app runs (DuckDB lets one process own the file),
so `python -m exchange backup` drops a request into `<backup folder>/.requests/` and waits; the app's
thread (started by server.py) claims it by renaming it, runs the backup and writes the outcome beside
it. Whoever may write into the backup folder may ask for a backup; the folder is created readable by
its owner only (0700), as a backup holds everything in the database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from exchange import config
from exchange.errors import Conflict, ExchangeError
from exchange.identity import audit, permissions
from exchange.models import User
from exchange.transfer import snapshot
from exchange.worker import Periodic

log = logging.getLogger(__name__)
REQUESTS = ".requests"
PICKUP_SECONDS = 2.0  # how often the app's backup thread looks for requests and the nightly time
STALLED_SECONDS = 600  # no word from the app about a claimed request for this long: it is not coming
_RETRY_FAILED_NIGHTLY = timedelta(hours=1)
_ID = re.compile(r"^[0-9a-f]{32}$")


def folder(db_path: str | Path | None = None) -> Path:
    """Where backups go: $EXCHANGE_BACKUP_DIR, else backups/ beside the database."""
    chosen = config.settings().backup_dir
    if chosen:
        return Path(chosen)
    return Path(db_path or config.settings().database).parent / "backups"


def ensure_private(path: Path) -> Path:
    """Create the folder (owner-only when new); ExchangeError naming it if that is not possible."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ExchangeError(f"Could not create the backup folder {path} ({exc.strerror or exc}).") from exc
    return path


# ---------------------------------------------------------------- one backup at a time, with progress


@dataclass(frozen=True)
class Job:
    """A backup running or finished in this process: who asked, its progress and outcome."""

    id: str
    requested_by: str
    kind: str
    started_at: datetime
    done: int = 0
    total: int = 1
    step: str = "Starting"
    finished_at: datetime | None = None
    path: Path | None = None
    error: str | None = None
    summary: dict = field(default_factory=dict)

    @property
    def running(self) -> bool:
        """True until the backup has finished or failed."""
        return self.finished_at is None

    @property
    def fraction(self) -> float:
        """Progress from 0 to 1."""
        return 1.0 if not self.running else min(1.0, self.done / max(1, self.total))


_lock = threading.Lock()  # one backup at a time in this process
_jobs_guard = threading.Lock()
_latest: Job | None = None


def latest() -> Job | None:
    """The running backup, else the last one this process ran (None if none)."""
    return _latest


def _set(job: Job) -> Job:
    global _latest
    with _jobs_guard:
        _latest = job
    return job


def run(db, *, kind: str = "manual", to: Path | None = None, requested_by: str = "the command line",
        actor: User | None = None, on_progress: Callable[[Job], None] | None = None) -> Job:
    """Take one backup now (waiting for one already running to finish); the finished Job, error or not."""
    with _lock:
        job = _set(Job(id=uuid.uuid4().hex, requested_by=requested_by, kind=kind,
                       started_at=datetime.now(timezone.utc)))

        def progress(done: int, total: int, step: str) -> None:
            nonlocal job
            job = _set(replace(job, done=done, total=total, step=step))
            if on_progress:
                on_progress(job)

        target = Path(to) if to else folder(db.path)
        path, error, figures = None, None, {}
        try:
            path = snapshot.take(db, ensure_private(target), kind=kind, progress=progress)
            found = snapshot.manifest(path)
            figures = summary(found)
            log.info("backup written", extra={"event": "backup_written", "kind": kind, "path": str(path),
                                              "bytes": found["file"]["bytes"], "seconds": found["seconds"]})
        except ExchangeError as exc:
            error = exc.message
            log.warning("backup failed", extra={"event": "backup_failed", "kind": kind, "reason": exc.message})
        except Exception:  # noqa: BLE001 — reported to whoever asked, logged with its traceback
            error = "The backup failed on our side and nothing was kept; the app's log says why."
            log.exception("backup failed", extra={"event": "backup_failed", "kind": kind})
        detail = {"kind": kind, "requested_by": requested_by, **figures} if error is None else \
            {"kind": kind, "requested_by": requested_by, "error": error}
        with contextlib.suppress(Exception):
            audit.record(db, actor, "backup_taken", "backup", path.name if path else None, error is None, detail)
        if kind == "scheduled" and error is None:
            with contextlib.suppress(Exception):
                prune(target)
        # Finished only now, audited and pruned: whoever watches the job sees the whole outcome.
        job = _set(replace(job, finished_at=datetime.now(timezone.utc), path=path, error=error, summary=figures,
                           step="Failed" if error else "Done"))
        if on_progress:
            on_progress(job)
        return job


def summary(found: dict) -> dict:
    """The figures of a manifest worth showing: tables, rows, bytes, seconds, schema version."""
    return {"tables": len(found["tables"]), "rows": sum(t["rows"] for t in found["tables"].values()),
            "bytes": found["file"]["bytes"], "seconds": found.get("seconds"),
            "schema": (found.get("schema") or {}).get("latest")}


# ---------------------------------------------------------------- the administrators' page


def start(db, actor: User) -> Job:
    """Start a backup in the background for an administrator; Conflict if one is running already."""
    permissions.require(actor, "backups.manage")
    running = latest()
    if running is not None and running.running:
        raise Conflict(f"A backup is already running (started {running.started_at:%H:%M:%S} UTC by "
                       f"{running.requested_by}); wait for it to finish.")
    started = threading.Event()
    holder: dict = {}

    def progress(job: Job) -> None:
        holder.setdefault("job", job)
        started.set()

    thread = threading.Thread(target=lambda: run(db, requested_by=actor.email or "an administrator", actor=actor,
                                                 on_progress=progress), name="exchange-backup", daemon=True)
    thread.start()
    started.wait(5)
    return holder.get("job") or latest()


def status(actor: User) -> Job | None:
    """The running or last backup of this process, for an administrator."""
    permissions.require(actor, "backups.manage")
    return latest()


def backups(db, actor: User) -> list[dict]:
    """The backups in the backup folder, newest first, for an administrator."""
    permissions.require(actor, "backups.manage")
    return snapshot.listing(folder(db.path))


# ---------------------------------------------------------------- retention


def prune(where: Path, *, keep_daily: int | None = None, keep_weekly: int | None = None,
          now: datetime | None = None) -> list[Path]:
    """Delete scheduled backups beyond retention: the newest of each of the last `keep_daily` days and of each
    of the last `keep_weekly` ISO weeks stay. Backups taken by hand are never deleted. Returns what went."""
    settings = config.settings()
    keep_daily = settings.backup_keep_daily if keep_daily is None else keep_daily
    keep_weekly = settings.backup_keep_weekly if keep_weekly is None else keep_weekly
    scheduled = [m for m in snapshot.listing(where) if m.get("kind") == "scheduled"]  # newest first
    keep: set[Path] = set()
    for bucket, count in ((lambda d: d, keep_daily), (lambda d: d.isocalendar()[:2], keep_weekly)):
        seen: list = []
        for found in scheduled:
            key = bucket(_created(found).date())
            if key not in seen:
                seen.append(key)
                if len(seen) <= count:
                    keep.add(found["path"])
    removed = []
    for found in scheduled:
        if found["path"] not in keep:
            shutil.rmtree(found["path"], ignore_errors=True)
            removed.append(found["path"])
    if removed:
        log.info("old backups removed", extra={"event": "backups_pruned", "count": len(removed)})
    return removed


def _created(found: dict) -> datetime:
    return datetime.fromisoformat(found["created_at"])


# ---------------------------------------------------------------- the nightly schedule and CLI requests


class BackupThread(Periodic):
    """The app's backup thread: picks up command-line requests and takes the nightly backup when it is due."""

    def __init__(self, db, interval: float = PICKUP_SECONDS):
        # Once per cluster: with several replicas, one (the leader of "exchange-backups") answers and takes the nightly.
        super().__init__(db, "exchange-backups", self.tick, interval, once_per_cluster=True)
        self._nightly_done: date | None = None
        self._nightly_failed_at: datetime | None = None

    def tick(self, db, now: datetime | None = None) -> None:
        """One round: answer every waiting request, then the nightly backup if it is due."""
        answer_requests(db)
        now = now or datetime.now(timezone.utc)
        if self.nightly_due(db, now):
            job = run(db, kind="scheduled", requested_by="the nightly schedule")
            if job.error is None:
                self._nightly_done = now.date()
            else:
                self._nightly_failed_at = now

    def nightly_due(self, db, now: datetime) -> bool:
        """True once today's backup time has passed and no scheduled backup exists for today (retried hourly)."""
        at = config.settings().backup_time
        if at is None or (now.hour, now.minute) < at or self._nightly_done == now.date():
            return False
        if self._nightly_failed_at and now - self._nightly_failed_at < _RETRY_FAILED_NIGHTLY:
            return False
        if any(m.get("kind") == "scheduled" and _created(m).date() == now.date()
               for m in snapshot.listing(folder(db.path))):
            self._nightly_done = now.date()
            return False
        return True


_threads: dict[int, BackupThread] = {}


def start_thread(db) -> BackupThread:
    """Start the backup thread for this database once per process."""
    running = _threads.get(id(db))
    if running is not None and running.is_alive() and running._db() is db:
        return running
    thread = _threads[id(db)] = BackupThread(db)
    thread.start()
    return thread


def answer_requests(db) -> int:
    """Run the backup of every waiting command-line request; return how many were answered."""
    inbox = folder(db.path) / REQUESTS
    answered = 0
    with contextlib.suppress(FileNotFoundError):
        waiting = sorted(p for p in inbox.iterdir() if p.suffix == ".request" and _ID.match(p.stem))
        for request in waiting:
            claimed = request.with_suffix(".claimed")
            try:
                os.rename(request, claimed)  # atomic: the command may have given up and taken it back
            except FileNotFoundError:
                continue
            try:
                asked = json.loads(claimed.read_text(encoding="utf-8"))
                to = Path(asked["to"]) if asked.get("to") else None
            except (OSError, ValueError, KeyError, TypeError):
                _answer(claimed, {"state": "failed", "message": "The request could not be read."})
                continue
            job = run(db, to=to, requested_by="the command line",
                      on_progress=lambda job, claimed=claimed: _answer(claimed, _state(job)))
            _answer(claimed, _state(job))
            answered += 1
    return answered


def _state(job: Job) -> dict:
    if job.running:
        return {"state": "running", "done": job.done, "total": job.total, "step": job.step}
    if job.error:
        return {"state": "failed", "message": job.error}
    return {"state": "done", "path": str(job.path), **job.summary}


def _answer(claimed: Path, state: dict) -> None:
    answer = claimed.with_suffix(".answer")
    partial = claimed.with_suffix(".answer-partial")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, answer)


def request_from_running_app(db_path: Path, *, to: Path | None, wait_for_pickup: float = 30.0,
                             on_progress: Callable[[dict], None] | None = None) -> dict:
    """Ask the app that owns the database for a backup and wait for it; the final answer (state done)."""
    inbox = ensure_private(folder(db_path) / REQUESTS)
    ident = uuid.uuid4().hex
    request = inbox / f"{ident}.request"
    partial = inbox / f".{ident}.partial"
    partial.write_text(json.dumps({"to": str(Path(to).resolve()) if to else None,
                                   "requested_at": datetime.now(timezone.utc).isoformat()}), encoding="utf-8")
    os.replace(partial, request)
    answer, claimed = request.with_suffix(".answer"), request.with_suffix(".claimed")
    deadline = time.monotonic() + wait_for_pickup
    try:
        while not claimed.exists() and not answer.exists():
            if time.monotonic() > deadline:
                try:
                    os.rename(request, inbox / f".{ident}.abandoned")  # only if the app has not claimed it
                except FileNotFoundError:
                    continue  # claimed just now: wait for the answer
                raise ExchangeError(
                    f"The database {db_path} is in use, and no running app picked up the backup request within "
                    f"{wait_for_pickup:.0f} s. Backups through the app need it started with server.py "
                    "(`make run`, `streamlit run server.py` or the systemd unit); otherwise stop the process "
                    "that has the database open and run the command again.")
            time.sleep(0.2)
        last, heard = None, time.monotonic()
        while True:
            with contextlib.suppress(FileNotFoundError, ValueError):
                found = json.loads(answer.read_text(encoding="utf-8"))
                if found != last:
                    last, heard = found, time.monotonic()
                    if last["state"] != "running":
                        break
                    if on_progress:
                        on_progress(last)
            if time.monotonic() - heard > STALLED_SECONDS:
                raise ExchangeError(f"The running app took the backup request but has reported no progress for "
                                    f"{STALLED_SECONDS // 60} minutes; see the app's log. Nothing is known to "
                                    "have been kept.")
            time.sleep(0.2)
    finally:
        for leftover in (request, claimed, answer, inbox / f".{ident}.abandoned"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    if last["state"] == "failed":
        raise ExchangeError(last["message"])
    return last
