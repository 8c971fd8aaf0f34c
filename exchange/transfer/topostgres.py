"""Moving an exchange from its embedded DuckDB file to PostgreSQL (issue 13): `python -m exchange copy-to-postgres`.

Every system-of-record table of the file is copied into an empty, migrated PostgreSQL database in one
PostgreSQL transaction: all of it or nothing. The file is read in one snapshot; the target must be at
the same migrations and hold nothing yet (only what the migrations themselves write); each table's row
count is checked inside the transaction before COMMIT; the id sequences and the change-log sequence
then continue after the copied rows. Derived data (the search index's schema, which each replica
rebuilds from the change log) is not copied.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from exchange import storage
from exchange.errors import ExchangeError
from exchange.storage.postgres import redacted

BATCH = 5_000  # rows read from DuckDB at a time
DERIVED_SCHEMAS = ("search", "fts_")  # rebuilt by each process from the change log, never copied
DERIVED_TABLES = ("search_index_state",)  # the search index's position: left empty, so the index is built anew
MIGRATION_ROWS = ("schema_migrations", "changes", "state_governance")  # tables the migrations themselves fill

_TABLES = """SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_catalog = current_database()
      AND table_schema NOT IN ('information_schema', 'pg_catalog')
    ORDER BY table_schema, table_name"""
_COLUMNS = """SELECT column_name FROM information_schema.columns
    WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _system_tables(cur) -> list[tuple[str, str]]:
    return [(schema, table) for schema, table in cur.execute(_TABLES).fetchall()
            if not schema.startswith(DERIVED_SCHEMAS) and not schema.startswith("pg_") and table not in DERIVED_TABLES]


def _main(schema: str) -> str:
    return "main" if schema in ("main", "public") else schema


def copy(source: str | Path, target: str, say: Callable[[str], None] = print) -> dict[str, int]:
    """Copy every system-of-record table of the DuckDB file `source` into the empty PostgreSQL database `target`
    (a postgresql:// URL) in one transaction; return {table: rows}. ExchangeError says what is wrong."""
    if not storage.is_url(target):
        raise ExchangeError(f"--to must be a PostgreSQL URL (postgresql://user@host:port/database), not {target!r}.")
    if storage.is_url(str(source)):
        raise ExchangeError("--from must be the exchange's DuckDB file (for example data/exchange.duckdb).")
    path = Path(source)
    if not path.is_file():
        raise ExchangeError(f"--from: there is no database file at {path}.")
    started = time.perf_counter()
    say(f"Opening {path} (migrating it if it is behind) …")
    src = storage.open_database(path)
    try:
        say(f"Opening {redacted(target)} (migrating it if it is new) …")
        dst = storage.open_database(target)
        try:
            counts = _copy(src, dst, say)
            dst.after_migrations()  # change_seq after the newest copied change, COMPAT functions in place
        finally:
            dst.close()
    finally:
        src.close()
    say(f"Copied {sum(counts.values()):,} rows in {len(counts)} tables in {time.perf_counter() - started:.1f} s. "
        f"Start the app with EXCHANGE_DATABASE_URL set to the target to use it.")
    return counts


def _copy(src, dst, say: Callable[[str], None]) -> dict[str, int]:
    with src.read() as scur:
        scur.execute("BEGIN TRANSACTION")  # one snapshot of the file for the whole copy
        try:
            source_tables = {(_main(s), t): s for s, t in _system_tables(scur)}
            source_migrations = [r[0] for r in scur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
            expected = {key: scur.execute(f"SELECT count(*) FROM {_quote(s)}.{_quote(key[1])}").fetchone()[0]
                        for key, s in source_tables.items()}
            sequences = dict(scur.execute("SELECT sequence_name, coalesce(last_value, 0) FROM duckdb_sequences() "
                                          "WHERE database_name = current_database()").fetchall())

            def work(dcur) -> dict[str, int]:
                target_tables = {(_main(s), t): s for s, t in _system_tables(dcur)}
                _check_target(dcur, target_tables, source_tables, source_migrations)
                for table in ("changes", "state_governance"):  # the migrations' own rows: the file's replace them
                    dcur.execute(f"DELETE FROM {table}")
                done: dict[str, int] = {}
                for key, sschema in sorted(source_tables.items()):
                    if key[1] == "schema_migrations":
                        continue  # the same list on both sides (checked)
                    tschema = target_tables[key]
                    names = [r[0] for r in dcur.execute(_COLUMNS, [tschema, key[1]]).fetchall()]
                    here = [r[0] for r in scur.execute(_COLUMNS, [sschema, key[1]]).fetchall()]
                    if sorted(names) != sorted(here):
                        raise ExchangeError(f"The table {key[1]} has different columns in the file and in PostgreSQL "
                                            f"({', '.join(sorted(set(names) ^ set(here)))}); nothing was copied.")
                    label = key[1] if key[0] == "main" else f"{key[0]}.{key[1]}"
                    total = expected[key]
                    say(f"  {label}: {total:,} rows …")
                    columns = ", ".join(_quote(n) for n in names)
                    reader = scur.execute(f"SELECT {columns} FROM {_quote(sschema)}.{_quote(key[1])}")
                    copied = dcur.copy_rows(f"{_quote(tschema)}.{_quote(key[1])}", names, _batches(reader))
                    found = dcur.execute(f"SELECT count(*) FROM {_quote(tschema)}.{_quote(key[1])}").fetchone()[0]
                    if copied != total or found != total:
                        raise ExchangeError(f"{label}: {total:,} rows in the file but {found:,} in PostgreSQL after the "
                                            "copy; nothing was copied.")
                    done[label] = found
                _continue_sequences(dcur, sequences)
                return done

            return dst.write(work, bump=False, attempts=1)
        finally:
            scur.execute("ROLLBACK")


def _batches(reader):
    while True:
        found = reader.fetchmany(BATCH)
        if not found:
            return
        yield from found


def _check_target(dcur, target_tables: dict, source_tables: dict, source_migrations: list[str]) -> None:
    """Refuse a target that is not at the file's migrations or already holds data (ExchangeError)."""
    target_migrations = [r[0] for r in dcur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    if target_migrations != source_migrations:
        raise ExchangeError(f"The file is at migration {source_migrations[-1] if source_migrations else 'none'} and "
                            f"PostgreSQL at {target_migrations[-1] if target_migrations else 'none'}: run this "
                            "version of the exchange on both (python -m exchange init --db FILE) and try again.")
    missing = sorted(set(source_tables) - set(target_tables))
    if missing:
        raise ExchangeError("PostgreSQL lacks these tables of the file: " + ", ".join(t for _, t in missing)
                            + "; nothing was copied.")
    filled = []
    for key, schema in sorted(target_tables.items()):
        if key[1] in MIGRATION_ROWS:
            continue
        n = dcur.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(key[1])}").fetchone()[0]
        if n:
            filled.append(f"{key[1]} ({n:,} rows)")
    # Migrations write only ('data', NULL) changes; anything else says the exchange has been used.
    extra = dcur.execute("SELECT count(*) FROM changes WHERE entity <> 'data' OR entity_id IS NOT NULL").fetchone()[0]
    if extra:
        filled.append(f"changes ({extra:,} rows)")
    if filled:
        raise ExchangeError("The PostgreSQL database is not empty: " + ", ".join(filled[:6])
                            + (" …" if len(filled) > 6 else "") + ". Copy into a new, empty database "
                            "(createdb NAME), so nothing there is overwritten; nothing was copied.")


def _continue_sequences(dcur, sequences: dict[str, int]) -> None:
    """Every id sequence continues after the copied rows (the file's own position, or the highest id that uses it)."""
    found = dcur.execute("""SELECT c.table_schema, c.table_name, c.column_name,
                                   substring(c.column_default FROM 'nextval\\(''([^'']+)''') AS sequence
                            FROM information_schema.columns c WHERE c.column_default LIKE 'nextval(%'""").fetchall()
    highest: dict[str, int] = {}
    for schema, table, column, sequence in found:
        name = sequence.split(".")[-1].strip('"')
        top = dcur.execute(f"SELECT coalesce(max({_quote(column)}), 0) FROM {_quote(schema)}.{_quote(table)}").fetchone()[0]
        highest[name] = max(highest.get(name, 0), int(top))
    for name in sorted(set(highest) | set(sequences)):
        if name == "change_seq":
            continue
        value = max(highest.get(name, 0), int(sequences.get(name, 0)))
        exists = dcur.execute("SELECT count(*) FROM information_schema.sequences WHERE sequence_name = ?", [name]).fetchone()[0]
        if exists and value > 0:
            dcur.execute(f"SELECT setval('{_quote(name)}', ?)", [value])
    dcur.execute("SELECT setval('change_seq', greatest((SELECT coalesce(max(seq), 0) FROM changes), 1))")
