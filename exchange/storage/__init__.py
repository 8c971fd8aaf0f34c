"""Storage behind one seam: a unit of work over the database, the change log, and migrations.

Services depend on the `Store` protocol (read, write, data_version), never on a driver. The
DuckDB file (`storage.duckdb.Database`) is the embedded default; `storage.postgres.PostgresDatabase`
(issue 13, selected by EXCHANGE_DATABASE_URL) implements the same protocol. Nothing here imports a domain package.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar, runtime_checkable

import duckdb as _duckdb
import psycopg as _psycopg

T = TypeVar("T")

# What either store's driver raises, so services catch a database error without naming a driver (issue 13).
DatabaseError: tuple[type[Exception], ...] = (_duckdb.Error, _psycopg.Error)
# What DuckDB raises when a concurrent first INSERT … ON CONFLICT DO NOTHING of the same key wins the race; the
# caller may go on and read the row back. PostgreSQL aborts the transaction instead, and write() retries it.
INSERT_RACE: tuple[type[Exception], ...] = (_duckdb.ConstraintException, _duckdb.TransactionException)


@runtime_checkable
class Store(Protocol):
    """What services need from the database."""

    path: str

    def read(self) -> AbstractContextManager[Any]:
        """A cursor for reads (autocommit; each statement sees every committed write)."""

    def write(self, work: Callable[[Any], T], *, attempts: int = 5, bump: bool = True, entity: str | None = None) -> T:
        """Run `work(cursor)` as one transaction, appending what it recorded to the change log; retry
        real transaction conflicts, then raise errors.Conflict. `bump=False`: not a data change;
        `entity`: the kind of thing changed when the work recorded nothing itself."""

    def data_version(self) -> int:
        """The newest change-log sequence number."""

    @property
    def open(self) -> bool:
        """False once closed."""

    def close(self) -> None:
        """Release the connection."""


def is_url(path: object) -> bool:
    """True for a PostgreSQL URL (postgresql://…), which selects the PostgreSQL store."""
    return isinstance(path, str) and path.startswith(("postgresql://", "postgres://"))


def location(path: str | Path | None = None) -> str | Path:
    """Where the app's database is: `path` if given, else EXCHANGE_DATABASE_URL if set, else the EXCHANGE_DB file."""
    from exchange import config  # the settings storage reads; imported here so storage imports no domain package

    if path is None or path == "":
        return config.settings().database_url or config.settings().database
    return path if is_url(path) or str(path) == ":memory:" else Path(path)


def open_database(path: str | Path = ":memory:", *, migrate: bool = True, lock_down: bool = True):
    """Open the database (a DuckDB file, or PostgreSQL for a postgresql:// URL), applying outstanding
    migrations unless `migrate=False`."""
    from exchange.storage import migrations

    if is_url(path):
        from exchange.storage.postgres import PostgresDatabase

        db = PostgresDatabase(str(path))
    else:
        from exchange.storage.duckdb import Database

        db = Database(path, lock_down=lock_down)
    if migrate:
        try:
            migrations.migrate(db)
        except BaseException:
            db.close()
            raise
    return db
