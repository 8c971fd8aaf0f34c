"""Numbered schema migrations: SQL files beside this module, run by setup, each in one transaction.

`python -m exchange init` and the app's start run `migrate(db)`; opening a Database does not.
A file is applied once and recorded in `schema_migrations` by its name (without `.sql`); files
run in name order. Append only: never edit a migration that has shipped. Statements are split
on ';' after dropping `--` comment lines, so a comment may say anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from exchange.errors import ExchangeError

if TYPE_CHECKING:
    from exchange.storage.duckdb import Database

FOLDER = Path(__file__).resolve().parent


class SchemaOutOfDate(ExchangeError):
    """The database's schema is older than this version of the exchange expects."""


def files(folder: Path = FOLDER) -> list[tuple[str, str]]:
    """(name, SQL) of every migration file, in the order they run."""
    return [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("[0-9]*.sql"))]


def applied(db: "Database") -> set[str]:
    """Names of the migrations recorded in this database."""
    with db.read() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        )
        return {r[0] for r in cur.execute("SELECT name FROM schema_migrations").fetchall()}


def pending(db: "Database", folder: Path = FOLDER) -> list[str]:
    """Names of the migrations this database has not had yet."""
    done = applied(db)
    return [name for name, _ in files(folder) if name not in done]


def migrate(db: "Database", folder: Path = FOLDER) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return their names.

    A migration that fails is rolled back whole: the database is as it was before it, and the
    error says which file failed.
    """
    done = applied(db)
    ran = []
    for name, sql in files(folder):
        if name in done:
            continue

        def apply(cur, sql=sql, name=name):
            for statement in statements(sql):
                cur.execute(statement)
            cur.execute("INSERT INTO schema_migrations VALUES (?, current_timestamp)", [name])

        try:
            db.write(apply, attempts=1, bump=False)
        except Exception as exc:
            raise SchemaOutOfDate(f"The database migration {name} failed and was rolled back, so the database "
                                  f"is unchanged: {exc}") from exc
        ran.append(name)
    _dialect_extras(db)
    if ran and "0006_changes" in done | set(ran):
        # A migration may change any data: derived views (search index, facets) must look again.
        db.write(lambda cur: None)
    return ran


def _dialect_extras(db) -> None:
    """PostgreSQL only: the DuckDB functions services call and the change-log sequence (idempotent)."""
    prepare = getattr(db, "after_migrations", None)
    if prepare is not None:
        prepare()


def require_current(db: "Database", folder: Path = FOLDER) -> None:
    """Refuse a database with migrations outstanding (commands other than init do not migrate)."""
    missing = pending(db, folder)
    if missing:
        raise SchemaOutOfDate(f"The database {db.path} needs {len(missing)} schema update(s) ({', '.join(missing)}). "
                              "Run `python -m exchange init` (or start the app) to apply them, then try again.")


def statements(sql: str) -> list[str]:
    """The statements of a migration file: `--` comment lines dropped, split on ';'."""
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in code.split(";") if s.strip()]
