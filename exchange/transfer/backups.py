"""Replacing a database file safely: open it first (so DuckDB's lock refuses one in use), keep only demo data
replaceable, ask, and keep a timestamped backup before anything changes.

Deleting a file before opening it is what let `demo --force` remove the database under the running
app: the lock never got a chance to refuse, and the app kept writing into a deleted file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from exchange.storage.duckdb import classify
from exchange.errors import ExchangeError
from exchange.setup import DEMO_EMAIL



def backup_folder(path: Path) -> Path:
    """Where backups of `path` go: backups/ beside it (data/backups/ for the app's database)."""
    return Path(path).parent / "backups"


@contextlib.contextmanager
def holding(path: Path):
    """The file opened for writing, so no other process can open it meanwhile; a clear error if one has it."""
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise classify(exc, str(path)) from exc
    try:
        yield con
    finally:
        con.close()


def backup_before_change(path: Path) -> Path:
    """Copy the database (consistent: checkpointed while held) to backups/NAME-YYYYMMDD-HHMMSS.duckdb; return the copy."""
    path = Path(path)
    with holding(path) as con:
        return _copy(con, path)


def demo_contents(con: duckdb.DuckDBPyConnection, path: Path) -> dict:
    """Counts of a database that holds only demo data; ExchangeError if it is not an exchange or holds real data."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not tables:
        return {"users": 0, "lessons": 0}
    if not {"users", "lessons", "departments"} <= tables:
        raise ExchangeError(f"{path} is not an Equity Exchange database; it was not touched. Choose another file.")
    real = con.execute(f"SELECT count(*) FROM users WHERE NOT {DEMO_EMAIL}").fetchone()[0]
    if real:
        raise ExchangeError(
            f"{path} holds {real} account(s) that are not demo accounts, so it is not a demo database; it was not "
            "touched. To remove only the demo data from it use `python -m exchange demo --purge`; to build a demo, "
            "choose another file.")
    users = con.execute("SELECT count(*) FROM users").fetchone()[0]
    lessons = con.execute("SELECT count(*) FROM lessons").fetchone()[0]
    return {"users": users, "lessons": lessons}


def replace_with_demo(path: Path, *, scale: str, confirm: Callable[[dict], bool],
                      progress: Callable[[str], None] | None = None) -> tuple[dict, Path]:
    """Replace a demo database not in use with fresh demo data, after `confirm` and a backup; return counts and backup."""
    path = Path(path)
    with holding(path) as con:  # held until the new file is in place: the app cannot open the old one meanwhile
        found = demo_contents(con, path)
        if not confirm(found):
            raise ExchangeError("Nothing was changed.")
        backup = _copy(con, path)
        counts = _build_aside(path, scale, progress)
    return counts, backup


def build_demo(path: Path, *, scale: str, progress: Callable[[str], None] | None = None) -> dict:
    """Build a new demo database at `path` (built aside and moved in whole, so a failure leaves nothing half-made)."""
    return _build_aside(Path(path), scale, progress)


def _build_aside(path: Path, scale: str, progress) -> dict:
    from exchange import demo, setup
    from exchange.discovery import search

    building = path.with_name(path.name + ".building")
    for leftover in (building, Path(f"{building}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        db = setup.open_app_database(building, with_demo=False, allow_demo_data=True)
        try:
            counts = demo.build(db, scale=scale, progress=progress)
            search.refresh_index(db)
        finally:
            db.close()
        os.replace(building, path)
    except BaseException:
        for leftover in (building, Path(f"{building}.wal")):
            leftover.unlink(missing_ok=True)
        raise
    return counts


def _copy(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    try:
        con.execute("CHECKPOINT")  # everything in the main file, so one copied file is the whole database
    except duckdb.Error as exc:
        raise classify(exc, str(path)) from exc
    folder = backup_folder(path)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix or '.duckdb'}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}-{stamp}-{n}{path.suffix or '.duckdb'}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise ExchangeError(f"Could not keep a backup of {path} in {folder} ({exc.strerror or exc}); "
                            "nothing was changed.") from exc
    return target
