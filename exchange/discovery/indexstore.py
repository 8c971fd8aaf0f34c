"""Where the full-text index lives: in the DuckDB file itself, or beside PostgreSQL in a DuckDB of this process's own.

The index's SQL (tokenizer, stemmer, postings) is DuckDB's. On the DuckDB file (the default) the index is a
schema of the main database, as it always was: `of(db)` is `db`. With PostgreSQL as the system of record
(issue 13) every replica keeps its own index in an in-memory DuckDB: `of(db)` is that local database, which
mirrors, from PostgreSQL, just what indexing reads — the indexed lessons' text and revision stamps
(`lessons`), the taxonomy names (`practices`, `actions`, `risk_types`) and the change-log rows about them
(`changes`) — so search.py and textindex.py run the same statements on either. The mirror follows the change
log (`mirror`): named lessons are read again one by one; a change the log cannot name compares every indexed
lesson's revision stamp with PostgreSQL's; a taxonomy change reads the three small tables again.

In memory, not a file per replica: a national-scale rebuild (read ~88,000 lessons' text from PostgreSQL, index
them) is a few seconds of a warm-up that serves pages meanwhile, and a file would add a cache folder to
configure, to clean up, and to trust only while it belongs to the same PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import Any, Iterator

from exchange.storage import changes
from exchange.storage.duckdb import Database

FIELDS = ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice")
INDEXED = "status = 'published' AND NOT hidden"
# (column, DuckDB type) of the mirrored lessons: what search.py's SQL reads from `lessons`.
_LESSON_COLUMNS = (("id", "INTEGER"), ("status", "VARCHAR"), ("hidden", "BOOLEAN"), ("revision", "INTEGER"),
                   ("updated_at", "TIMESTAMP"), *((name, "VARCHAR") for name in FIELDS))
BULK_ROWS = 200  # lessons above which the copy goes through an Arrow table
_TAXONOMY = ("practices", "actions", "risk_types")
_WATCHED = ("lesson", "taxonomy")  # what the index and its in-memory copy follow
_LOCAL_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lessons ("
    + ", ".join(f"{name} {kind}" for name, kind in _LESSON_COLUMNS) + ")",
    *(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER, name VARCHAR)" for table in _TAXONOMY),
    """CREATE TABLE IF NOT EXISTS changes (seq BIGINT, entity VARCHAR, entity_id BIGINT, event VARCHAR,
                                           payload VARCHAR, changed_at TIMESTAMP)""",
    "CREATE TABLE IF NOT EXISTS search_index_state (id INTEGER PRIMARY KEY, built_at TIMESTAMP, built_version BIGINT)",
)
_SELECT_LESSONS = "SELECT " + ", ".join(name for name, _ in _LESSON_COLUMNS) + f" FROM lessons WHERE {INDEXED}"

_locals: "weakref.WeakKeyDictionary[Any, Database]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def is_local(db) -> bool:
    """True when the index lives apart from the system of record (PostgreSQL): it must be mirrored."""
    return not isinstance(db, Database)


def of(db) -> Database:
    """The DuckDB database the full-text index of `db` lives in (`db` itself, unless it is PostgreSQL)."""
    if not is_local(db):
        return db
    found = _locals.get(db)
    if found is not None and found.open:
        return found
    with _lock:
        found = _locals.get(db)
        if found is None or not found.open:
            found = Database(":memory:")
            with found.read() as cur:
                for statement in _LOCAL_SCHEMA:
                    cur.execute(statement)
            _locals[db] = found
            weakref.finalize(db, found.close)
    return found


@contextlib.contextmanager
def cursor(db, cur) -> Iterator[Any]:
    """A cursor on the index's database: `cur` itself when the index lives in `db`, else one of the local copy."""
    if not is_local(db):
        yield cur
        return
    with of(db).read() as local:
        yield local


def copy_all(db, cur, seq: int) -> None:
    """Fill the local copy (`cur`, inside its unit of work) from the system of record: every indexed lesson and the
    taxonomy, read after the change log reached `seq`."""
    with db.read() as source:
        found = source.execute(_SELECT_LESSONS).fetchall()
    cur.execute("DELETE FROM lessons")
    _insert_lessons(cur, found)
    _copy_taxonomy(db, cur)
    # A rebuild renumbers terms: a copy in memory older than it must be read again whole, as after a change the
    # log cannot name.
    cur.execute("DELETE FROM changes")
    cur.execute("INSERT INTO changes VALUES (?, ?, NULL, NULL, NULL, current_timestamp AT TIME ZONE 'UTC')",
                [seq, changes.ANYTHING])


def mirror(db, cur, seq: int) -> list[changes.Change]:
    """Bring the local copy (`cur`, inside its unit of work) up to the system of record's change log after `seq`;
    return the changes applied (lesson, taxonomy and unnamed ones), which are also written to the local `changes`."""
    with db.read() as source:
        found = changes.since(source, seq, entities=_WATCHED)
        unnamed = any(c.entity == changes.ANYTHING or c.entity_id is None for c in found)
        if unnamed:
            stamps = source.execute(f"SELECT id, revision, updated_at FROM lessons WHERE {INDEXED}").fetchall()
            ids = _differing(cur, stamps)
        else:
            ids = sorted({c.entity_id for c in found if c.entity == "lesson"})
        fresh = source.execute(_SELECT_LESSONS + " AND id IN (SELECT unnest(?::INTEGER[]))", [ids]).fetchall() \
            if ids else []
    if ids:
        cur.execute("DELETE FROM lessons WHERE id IN (SELECT unnest(?::INTEGER[]))", [ids])
        _insert_lessons(cur, fresh)
    if unnamed or any(c.entity == "taxonomy" for c in found):
        _copy_taxonomy(db, cur)
    if found:
        cur.execute("""INSERT INTO changes SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[]),
                       NULL, NULL, current_timestamp AT TIME ZONE 'UTC'""",
                    [[c.seq for c in found], [c.entity for c in found], [c.entity_id for c in found]])
        # Only the recent past is read back (textindex follows the index's own sequence): keep the table short.
        cur.execute("DELETE FROM changes WHERE seq < (SELECT max(seq) FROM changes) - 100000")
    return found


def _differing(cur, stamps: list[tuple]) -> list[int]:
    """Ids whose (revision, updated_at) differ between the system of record (`stamps`) and the local copy, or that
    one of them lacks."""
    ids, revisions, updated = (list(column) for column in zip(*stamps)) if stamps else ([], [], [])
    return [r[0] for r in cur.execute("""
        WITH source AS (SELECT unnest(?::INTEGER[]) AS id, unnest(?::INTEGER[]) AS revision,
                               unnest(?::TIMESTAMP[]) AS updated_at)
        SELECT coalesce(s.id, l.id) FROM source s FULL JOIN lessons l ON l.id = s.id
        WHERE s.id IS NULL OR l.id IS NULL OR s.revision IS DISTINCT FROM l.revision
              OR s.updated_at IS DISTINCT FROM l.updated_at""", [ids, revisions, updated]).fetchall()]


def _insert_lessons(cur, found: list[tuple]) -> None:
    if not found:
        return
    columns = [list(column) for column in zip(*found)]
    if len(found) <= BULK_ROWS:  # a few lessons: list parameters (about 2 ms)
        select = ", ".join(f"unnest(?::{kind}[])" for _, kind in _LESSON_COLUMNS)
        cur.execute(f"INSERT INTO lessons SELECT {select}", columns)
        return
    # Many: one Arrow table scanned by DuckDB (list parameters of 88,000 texts took 8x longer).
    import pyarrow as pa

    table = pa.table({name: pa.array(column) for (name, _), column in zip(_LESSON_COLUMNS, columns)})
    cur.register("search_incoming", table)
    try:
        cur.execute("INSERT INTO lessons SELECT " + ", ".join(name for name, _ in _LESSON_COLUMNS)
                    + " FROM search_incoming")
    finally:
        cur.unregister("search_incoming")


def _copy_taxonomy(db, cur) -> None:
    with db.read() as source:
        tables = {table: source.execute(f"SELECT id, name FROM {table}").fetchall() for table in _TAXONOMY}
    for table, found in tables.items():
        cur.execute(f"DELETE FROM {table}")
        if found:
            ids, names = (list(column) for column in zip(*found))
            cur.execute(f"INSERT INTO {table} SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[])", [ids, names])


__all__ = ["of", "is_local", "cursor", "copy_all", "mirror", "FIELDS", "INDEXED"]
