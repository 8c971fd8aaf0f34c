"""The DuckDB file: open it and run units of work on their own cursor, appending to the change log.

DuckDB-specific here (what a PostgreSQL store must port, issue 13): the FTS extension load,
`SET enable_external_access=false`, error classification by message, write-write conflicts
reported as TransactionException/ConstraintException, and one process per file (so commits
can be numbered under a process lock; PostgreSQL needs a row lock or advisory lock instead).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from exchange.storage import changes
from exchange.errors import Conflict, DatabaseBusy, DatabaseCorrupt, DatabaseFull, DatabaseProblem, DatabaseReadOnly

T = TypeVar("T")
VERSION_TTL = 1.0  # seconds a data version read from the database is trusted for others' commits

ROOT = Path(__file__).resolve().parents[2]


def database_path() -> Path:
    """The database file: $EXCHANGE_DB or data/exchange.duckdb."""
    from exchange import config  # the one setting storage reads; imported here to keep the module's own imports as they are

    return config.settings().database


def fts_extension_path() -> str:
    """The FTS extension shipped inside the duckdb-extension-fts wheel (no network needed)."""
    import duckdb_extension_fts

    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise RuntimeError(f"The full-text search extension is missing at {path}; reinstall requirements.txt.")
    return str(path)


AUTO_MEMORY_SHARE = 0.4  # of the machine's memory, shared by one process per core (see auto_memory_limit_mb)


def auto_memory_limit_mb() -> int:
    """DuckDB's memory limit when none is set: 40% of physical memory divided by the number of cores, at least 512 MB.

    DuckDB's own default, 80% of memory (18.8 GiB on a 23 GiB machine), assumes it is alone; issue 13 runs one app
    process per core on one machine, each with its own Python heap (0.4-0.6 GB measured) beside PostgreSQL and the
    page cache, so each DuckDB may have its share of 40%. A national-scale search index build needs ~400 MB.
    """
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1_000_000
    return max(512, int(physical * AUTO_MEMORY_SHARE / (os.cpu_count() or 1)))


def resource_limits() -> tuple[int, int | None]:
    """(memory limit in MB, threads or None for DuckDB's default) from EXCHANGE_DUCKDB_MEMORY_LIMIT / _THREADS."""
    from exchange import config  # as database_path: settings are read here, not passed through every caller

    found = config.settings()
    return found.duckdb_memory_limit_mb or auto_memory_limit_mb(), found.duckdb_threads


class Database:
    """One DuckDB connection per process; every unit of work gets its own cursor."""

    def __init__(self, path: str | Path = ":memory:", *, lock_down: bool = True):
        self.path = str(path)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise classify(exc, self.path) from exc
        self._closed = False
        self._commit_lock = threading.Lock()  # commits that append to the change log, one at a time
        self._version = 0
        self._version_read_at = float("-inf")
        try:
            memory_mb, threads = resource_limits()
            self._con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
            if threads:
                self._con.execute(f"SET threads = {int(threads)}")
            self._con.execute(f"LOAD '{fts_extension_path()}'")
            if lock_down:
                # After our own file I/O: no SQL may read or write arbitrary files.
                self._con.execute("SET enable_external_access=false")
        except duckdb.Error as exc:
            self._con.close()
            raise classify(exc, self.path) from exc

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor for one unit of work (never share one between threads)."""
        return self._con.cursor()

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads."""
        cur = self._con.cursor()
        try:
            yield cur
        except (duckdb.IOException, duckdb.FatalException) as exc:
            raise classify(exc, self.path) from exc
        finally:
            cur.close()

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, attempts: int = 5, bump: bool = True,
              entity: str | None = None) -> T:
        """Run `work(cursor)` in one transaction; retry on a write-write conflict, then report it."""
        for attempt in range(attempts):
            cur = self._con.cursor()
            changes.take(cur)  # a cursor at a reused address starts with nothing recorded
            try:
                cur.execute("BEGIN TRANSACTION")
                result = work(cur)
                recorded = changes.take(cur)
                if bump and not recorded:  # `entity`: what kind of thing it changed, when it did not say which
                    recorded = [(entity or changes.ANYTHING, None, None, None)]
                if recorded:
                    self._commit_with_changes(cur, recorded)
                else:
                    cur.execute("COMMIT")
                return result
            except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
                _rollback(cur)
                fault = _fault(exc, self.path)
                if fault is not None:
                    # A failed commit (disk full, read-only) is not a conflict: retrying cannot help.
                    raise fault from exc
                if not _is_retryable(exc):
                    raise  # not a conflict between transactions: retrying cannot help
                if attempt == attempts - 1:
                    raise Conflict(
                        "Someone else was saving the same record at the same moment. Nothing was lost; please try again."
                    ) from exc
                time.sleep(0.01 * (2**attempt) + random.random() * 0.01)
            except (duckdb.IOException, duckdb.FatalException, duckdb.PermissionException) as exc:
                _rollback(cur)
                raise classify(exc, self.path) from exc
            except BaseException:
                _rollback(cur)
                raise
            finally:
                changes.take(cur)  # a failed attempt's recorded changes die with it
                cur.close()
        raise AssertionError("unreachable")

    def _commit_with_changes(self, cur: duckdb.DuckDBPyConnection, recorded: list[tuple]) -> None:
        # Numbered and committed under one lock, so sequence order is commit order: a reader that has
        # applied up to N never later meets a change below N. The newest number is read outside this
        # transaction (its snapshot may predate another writer's commit).
        with self._commit_lock:
            with self.read() as fresh:
                now, last = fresh.execute("SELECT current_timestamp AT TIME ZONE 'UTC', "
                                          "(SELECT coalesce(max(seq), 0) FROM changes)").fetchone()
            cur.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                            [(last + i, entity, entity_id, event, payload, now)
                             for i, (entity, entity_id, event, payload) in enumerate(recorded, start=1)])
            cur.execute("COMMIT")
            self._version, self._version_read_at = last + len(recorded), time.monotonic()

    def data_version(self) -> int:
        """The newest change-log sequence number (read from the database, at most a second old for
        changes made by another connection; this connection's own commits count at once)."""
        if time.monotonic() - self._version_read_at > VERSION_TTL:
            try:
                with self.read() as cur:
                    latest = changes.latest(cur)
                # Never backwards: a commit on another thread may have moved it on while this read ran.
                with self._commit_lock:
                    self._version = max(self._version, latest)
            except duckdb.CatalogException:  # not migrated yet: no change log
                self._version = 0
            self._version_read_at = time.monotonic()
        return self._version

    @property
    def version(self) -> int:
        """The data version (same as data_version())."""
        return self.data_version()

    @property
    def open(self) -> bool:
        """False once closed (background threads stop on it)."""
        return not self._closed

    def close(self) -> None:
        """Close the connection."""
        self._closed = True
        self._con.close()


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")


# DuckDB reports every file fault with a message; each pattern below is the exact phrase of one
# fault (never a loose word: "in block at location" contains "lock").
_FAULTS: list[tuple[re.Pattern, type[DatabaseProblem], str]] = [
    (re.compile(r"No space left on device|Disk quota exceeded|not enough space", re.I), DatabaseFull,
     "The disk holding the database {path} is full, so nothing was saved. Free some space on it "
     "(or ask your administrator to), then try again."),
    (re.compile(r"Read-only file system|Permission denied|Operation not permitted|read-only mode", re.I),
     DatabaseReadOnly,
     "The database {path} cannot be written: its file or folder is read-only, or the app may not write there. "
     "Nothing was saved; make the folder writable for the app's user, then try again."),
    (re.compile(r"Corrupt database file|is not a valid DuckDB database file|Could not read enough bytes from file|"
                r"database has been invalidated", re.I), DatabaseCorrupt,
     "The database {path} is damaged or was cut short, so the exchange cannot use it. Stop the app, move the "
     "damaged file aside, copy the newest backup from data/backups/ (or your own backups) to {path}, then start "
     "the app again. Ask your administrator if there is no backup."),
    (re.compile(r"Could not set lock on file"), DatabaseBusy,
     "The database {path} is in use by another process{pid} (probably the running app). "
     "Stop the app first, or do this through the app's admin pages."),
]
_PID = re.compile(r"\(PID (\d+)\)")


def classify(exc: BaseException, path: str) -> BaseException:
    """The user-facing DatabaseProblem for a DuckDB error about the file itself, else `exc` unchanged."""
    return _fault(exc, path) or exc


def _fault(exc: BaseException, path: str) -> DatabaseProblem | None:
    if not isinstance(exc, duckdb.Error):
        return None
    message = str(exc)
    for pattern, kind, text in _FAULTS:
        if pattern.search(message):
            pid = _PID.search(message)
            return kind(text.format(path=path, pid=f" (process {pid.group(1)})" if pid else ""))
    return None


def _is_retryable(exc: Exception) -> bool:
    """A real conflict between transactions (write-write, or a concurrent insert of the same key)."""
    message = str(exc).lower()
    if isinstance(exc, duckdb.TransactionException):  # a commit can fail on another writer's key, too
        return any(word in message for word in ("conflict", "another transaction", "duplicate key"))
    # DuckDB can report a concurrent insert of the same key as a constraint error
    # even under ON CONFLICT; a retry then sees the committed row.
    # Services check uniqueness before inserting, so a duplicate key here means a
    # concurrent writer got there first: retrying reads its committed row.
    message = str(exc).lower()
    return "conflict" in message or "duplicate key" in message


def rows(cur: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict]:
    """Run a query and return rows as dicts."""
    result = cur.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, r)) for r in result.fetchall()]


def one(cur: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> dict | None:
    """The first row as a dict, or None."""
    found = rows(cur, sql, params)
    return found[0] if found else None


def scalar(cur: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> Any:
    """The first column of the first row."""
    row = cur.execute(sql, params or []).fetchone()
    return row[0] if row else None
