"""The whole-dataset export run from the administrators' page: in the background with progress, one at a time,
the finished zip kept until the next export replaces it or the app stops.

The zip is written under the backup folder (`.exports/`, owner-only), not /tmp: /tmp is often a memory
file system, and a national export is tens of megabytes.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from exchange.errors import Conflict, ExchangeError, NotFound
from exchange.models import User
from exchange.transfer import dataset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """An export running or finished in this process."""

    id: str
    requested_by: str
    started_at: datetime
    fraction: float = 0.0
    step: str = "Starting"
    finished_at: datetime | None = None
    path: Path | None = None
    error: str | None = None
    summary: dict = field(default_factory=dict)

    @property
    def running(self) -> bool:
        """True until the export has finished or failed."""
        return self.finished_at is None


_guard = threading.Lock()
_latest: Job | None = None


def _set(job: Job) -> Job:
    global _latest
    with _guard:
        _latest = job
    return job


def _scratch(db) -> Path:
    from exchange.transfer import backup_jobs

    parent = backup_jobs.ensure_private(backup_jobs.folder(db.path) / ".exports")
    folder = Path(tempfile.mkdtemp(prefix="dataset-", dir=parent))  # 0700: the zip holds everything
    atexit.register(shutil.rmtree, folder, True)
    return folder


def start(db, actor: User) -> Job:
    """Start an export in the background; Conflict while one is running (the previous zip is deleted)."""
    dataset.require(actor)
    with _guard:
        previous = _latest
        if previous is not None and previous.running:
            raise Conflict(f"An export is already running (started {previous.started_at:%H:%M:%S} UTC by "
                           f"{previous.requested_by}); wait for it to finish.")
        job = Job(id=uuid.uuid4().hex, requested_by=actor.email or "an administrator",
                  started_at=datetime.now(timezone.utc))
        globals()["_latest"] = job
    if previous is not None and previous.path is not None:
        shutil.rmtree(previous.path.parent, ignore_errors=True)
    try:
        folder = _scratch(db)
    except (ExchangeError, OSError) as exc:
        _set(replace(job, step="Failed", finished_at=datetime.now(timezone.utc),
                     error=getattr(exc, "message", None) or f"Could not make a folder for the export ({exc})."))
        raise ExchangeError(_latest.error) from exc
    target = folder / dataset.file_name(job.started_at)

    def run() -> None:
        current = job

        def progress(fraction: float, step: str) -> None:
            nonlocal current
            current = _set(replace(current, fraction=fraction, step=step))

        try:
            summary = dataset.export(db, actor, target, progress=progress)
            _set(replace(current, fraction=1.0, step="Done", finished_at=datetime.now(timezone.utc), path=target,
                         summary=summary))
        except ExchangeError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            _set(replace(current, step="Failed", finished_at=datetime.now(timezone.utc), error=exc.message))
        except Exception:  # noqa: BLE001 — told to the page, logged with its traceback
            log.exception("dataset export failed", extra={"event": "dataset_export_failed"})
            shutil.rmtree(folder, ignore_errors=True)
            _set(replace(current, step="Failed", finished_at=datetime.now(timezone.utc),
                         error="The export failed on our side and nothing was kept; the app's log says why."))

    threading.Thread(target=run, name="exchange-dataset-export", daemon=True).start()
    return job


def status(actor: User) -> Job | None:
    """The running or last export of this process, for an administrator."""
    dataset.require(actor)
    return _latest


def open_zip(actor: User, job_id: str) -> BinaryIO:
    """The finished zip of export `job_id`, opened for reading; NotFound once it was replaced."""
    dataset.require(actor)
    job = _latest
    if job is None or job.id != job_id or job.path is None or not job.path.exists():
        raise NotFound("That export has been replaced by a newer one; download the newest, or export again.")
    return open(job.path, "rb")
