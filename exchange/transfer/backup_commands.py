"""`python -m exchange backup` and `restore`: what they print (kept out of cli.py, which only registers them)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from exchange.errors import DatabaseBusy, ExchangeError
from exchange.storage import open_database
from exchange.storage.duckdb import database_path
from exchange.transfer import backup_jobs, snapshot


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


class _Meter:
    """Progress on one terminal line (nothing when output is not a terminal)."""

    def __init__(self, label: str):
        self.label, self.shown = label, False

    def __call__(self, done: int, total: int, step: str) -> None:
        if sys.stdout.isatty():
            print(f"\r{self.label}: {100 * done // max(1, total):3d}%  {step[:50]:<50}", end="", flush=True)
            self.shown = True

    def end(self) -> None:
        if self.shown:
            print("\r" + " " * (len(self.label) + 60) + "\r", end="", flush=True)


def backup(args) -> int:
    """Take a backup (through the running app if it has the database), or list them; print where it went."""
    path = Path(args.db) if args.db else database_path()
    if args.list:
        return _list(backup_jobs.folder(path))
    to = Path(args.to) if args.to else None
    if not path.exists():
        raise ExchangeError(f"There is no database at {path}; nothing to back up.")
    meter = _Meter("Backing up")
    started = time.perf_counter()
    try:
        db = open_database(path, migrate=False)
    except DatabaseBusy:
        print(f"The running app has {path} open; asking it to take the backup…", flush=True)
        answer = backup_jobs.request_from_running_app(
            path, to=to, wait_for_pickup=args.wait, on_progress=lambda a: meter(a.get("done", 0), a.get("total", 1), a.get("step", "")))
        meter.end()
        return _done(Path(answer["path"]), time.perf_counter() - started, "the running app")
    try:
        from exchange.identity.accounts import OPERATOR

        job = backup_jobs.run(db, to=to, actor=OPERATOR, on_progress=lambda j: meter(j.done, j.total, j.step))
    finally:
        db.close()
        meter.end()
    if job.error:
        raise ExchangeError(job.error)
    return _done(job.path, time.perf_counter() - started, "this command (the app is not running)")


def _done(path: Path, seconds: float, by: str) -> int:
    found = snapshot.manifest(path)
    figures = backup_jobs.summary(found)
    print(f"Backup written to {path} by {by}: {figures['tables']} tables, {figures['rows']:,} rows, "
          f"{_megabytes(figures['bytes'])}, schema {figures['schema']} ({seconds:.1f} s). "
          f"Restore it with: python -m exchange restore {path} --db NEW_FILE")
    return 0


def _list(where: Path) -> int:
    found = snapshot.listing(where)
    if not found:
        print(f"No backups in {where} yet. Take one with: python -m exchange backup")
        return 0
    print(f"{'taken (UTC)':<26} {'kind':<10} {'size':>10} {'rows':>12}  folder")
    for m in found:
        rows = sum(t["rows"] for t in m["tables"].values())
        print(f"{m['created_at']:<26} {m['kind']:<10} {_megabytes(m['file']['bytes']):>10} {rows:>12,}  {m['path']}")
    print(f"{len(found)} backup{'s' if len(found) != 1 else ''} in {where}.")
    return 0


def restore(args) -> int:
    """Verify and restore a backup into a new file; print what was restored."""
    meter = _Meter("Restoring")
    started = time.perf_counter()
    try:
        found = snapshot.restore(Path(args.backup), Path(args.db), progress=meter)
    finally:
        meter.end()
    tables = found["tables"]
    main = ", ".join(f"{tables[t]['rows']:,} {t}" for t in ("departments", "users", "lessons", "assessments")
                     if t in tables)
    migrated = (f" Applied {len(found['migrated'])} schema update(s): {', '.join(found['migrated'])}."
                if found["migrated"] else " Its schema is current.")
    print(f"Restored the backup taken {found['created_at']} ({found['kind']}) into {found['restored_to']}: "
          f"{len(tables)} tables, {sum(t['rows'] for t in tables.values()):,} rows ({main}); the file's checksum and "
          f"every table's row count and checksum match the manifest.{migrated} "
          f"({time.perf_counter() - started:.1f} s) To use it, stop the app and set EXCHANGE_DB={found['restored_to']} "
          "(or move it to the database's place).")
    return 0
