"""The DuckDB file: open it, migrate it, and run units of work on their own cursor."""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from .errors import Conflict, DatabaseBusy

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "data" / "exchange.duckdb"


def database_path() -> Path:
    """The database file: $EXCHANGE_DB or data/exchange.duckdb."""
    return Path(os.environ.get("EXCHANGE_DB", DEFAULT_PATH))


def fts_extension_path() -> str:
    """The FTS extension shipped inside the duckdb-extension-fts wheel (no network needed)."""
    import duckdb_extension_fts

    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise RuntimeError(f"The full-text search extension is missing at {path}; reinstall requirements.txt.")
    return str(path)


class Database:
    """One DuckDB connection per process; every unit of work gets its own cursor."""

    def __init__(self, path: str | Path = ":memory:", *, lock_down: bool = True):
        self.path = str(path)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseBusy(
                    f"The database {self.path} is in use by another process (probably the running app). "
                    "Stop the app first, or run this command through the app's admin pages."
                ) from exc
            raise
        self._con.execute(f"LOAD '{fts_extension_path()}'")
        self.version = 0  # bumped on every write; cache keys use it
        self._version_lock = threading.Lock()
        from . import migrations

        migrations.migrate(self)
        if lock_down:
            # After our own file I/O: no SQL may read or write arbitrary files.
            self._con.execute("SET enable_external_access=false")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor for one unit of work (never share one between threads)."""
        return self._con.cursor()

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, attempts: int = 5, bump: bool = True) -> T:
        """Run `work(cursor)` in one transaction; retry on a write-write conflict, then report it."""
        for attempt in range(attempts):
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                result = work(cur)
                cur.execute("COMMIT")
                if bump:
                    self.bump()
                return result
            except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
                _rollback(cur)
                if isinstance(exc, duckdb.ConstraintException) and not _is_retryable(exc):
                    raise
                if attempt == attempts - 1:
                    raise Conflict(
                        "Someone else was saving the same record at the same moment. Nothing was lost; please try again."
                    ) from exc
                time.sleep(0.01 * (2**attempt) + random.random() * 0.01)
            except BaseException:
                _rollback(cur)
                raise
            finally:
                cur.close()
        raise AssertionError("unreachable")

    def bump(self) -> None:
        """Mark the data as changed (cache keys and the search index watch this)."""
        with self._version_lock:
            self.version += 1

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")


def _is_retryable(exc: Exception) -> bool:
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
