"""Storage behind one seam: a unit of work over the database, the change log, and migrations.

Services depend on the `Store` protocol (read, write, data_version), never on a driver. The
DuckDB file (`storage.duckdb.Database`) is the embedded default; a PostgreSQL store (issue 13)
implements the same protocol. Nothing here imports a domain package.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


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


def open_database(path: str | Path = ":memory:", *, migrate: bool = True, lock_down: bool = True):
    """Open the database file (DuckDB), applying outstanding migrations unless `migrate=False`."""
    from exchange.storage import migrations
    from exchange.storage.duckdb import Database

    db = Database(path, lock_down=lock_down)
    if migrate:
        try:
            migrations.migrate(db)
        except BaseException:
            db.close()
            raise
    return db
