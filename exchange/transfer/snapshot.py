"""Consistent backups of the live database, and restoring one into a new file.

A backup is a folder `exchange-YYYYMMDD-HHMMSSZ-KIND/` holding `exchange.duckdb` (a complete,
compact database) and `manifest.json` (when, the schema version, row counts and a content
checksum per table, the file's size and SHA-256). It is written by the process that owns the
database: one read transaction (DuckDB's snapshot isolation) copies every table through Arrow into
a new DuckDB file while writers carry on, so every write acknowledged before the backup started
is in it and none that commits later is. The app's connection has file access locked down; the
backup file is a separate DuckDB instance, opened from Python, so nothing has to be unlocked.

A copy of the file itself is not a backup: while the app runs, committed writes may still be only
in the `.wal` beside it (issue 12).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from exchange.errors import ExchangeError, NotFound
from exchange.storage import migrations
from exchange.storage.duckdb import Database, classify

FORMAT = 1
MANIFEST = "manifest.json"
DATA = "exchange.duckdb"
KINDS = ("manual", "scheduled")
# Derived full-text schemas of an older layout: dropped by the next index build, never backed up.
_SKIPPED_SCHEMAS = ("fts_",)
_BATCH_ROWS = 50_000
Progress = Callable[[int, int, str], None]  # (steps done, steps in all, what is happening)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(schema: str, name: str) -> str:
    return f"{_quote(schema)}.{_quote(name)}"


def label(schema: str, name: str) -> str:
    """How the manifest names a table: `lessons`, or `search.docs` outside the main schema."""
    return name if schema == "main" else f"{schema}.{name}"


def _content(cur, schema: str, name: str) -> tuple[int, str]:
    """(rows, an order-independent checksum of every row's values) of one table."""
    count, total = cur.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {_table(schema, name)} AS t"
                               ).fetchone()
    return int(count), format(int(total) % (1 << 128), "032x")


def _catalog(cur) -> dict:
    """The tables, sequences, indexes and views to copy (user objects of this database only)."""
    skip = " AND ".join(f"schema_name NOT LIKE '{p}%'" for p in _SKIPPED_SCHEMAS)
    here = "database_name = current_database() AND NOT internal AND " + skip
    objects = here + " AND NOT temporary"
    return {
        "schemas": [r[0] for r in cur.execute(
            f"SELECT schema_name FROM duckdb_schemas() WHERE {here} AND schema_name <> 'main' ORDER BY 1").fetchall()],
        "tables": cur.execute(f"SELECT schema_name, table_name, sql FROM duckdb_tables() WHERE {objects} "
                              "ORDER BY schema_name <> 'main', schema_name, table_name").fetchall(),
        "indexes": [r[0] for r in cur.execute(
            f"SELECT sql FROM duckdb_indexes() WHERE database_name = current_database() AND {skip} AND sql IS NOT NULL ORDER BY index_name").fetchall()],
        "views": [r[0] for r in cur.execute(f"SELECT sql FROM duckdb_views() WHERE {objects} ORDER BY view_name"
                                            ).fetchall()],
    }


def _sequences(cur) -> list[str]:
    """CREATE SEQUENCE statements that continue each sequence past every value it has handed out.

    DuckDB reports `last_value` as the last value used in this session, or the next one to use after
    a reopen, so the copy starts one increment later: at worst one id is skipped, never one reused.
    """
    statements = []
    for schema, name, start, low, high, step, cycle, last in cur.execute(
            "SELECT schema_name, sequence_name, start_value, min_value, max_value, increment_by, cycle, last_value "
            "FROM duckdb_sequences() WHERE database_name = current_database() AND NOT temporary").fetchall():
        begin = start if last is None else last + step
        begin = max(low, min(high, begin))
        statements.append(f"CREATE SEQUENCE {_table(schema, name)} INCREMENT BY {step} MINVALUE {low} "
                          f"MAXVALUE {high} START WITH {begin} {'CYCLE' if cycle else 'NO CYCLE'}")
    return statements


def schema_version(cur) -> list[str]:
    """The names of the migrations applied to this database, in order."""
    try:
        return [r[0] for r in cur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    except duckdb.CatalogException:
        return []


def sha256(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _name(kind: str, now: datetime) -> str:
    return f"exchange-{now:%Y%m%d-%H%M%S}Z-{kind}"


def take(db: Database, folder: Path, *, kind: str = "manual", progress: Progress | None = None,
         during: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> Path:
    """Write a consistent backup of the open database into a new folder inside `folder`; return that folder.

    `during(cursor)` runs inside the snapshot transaction, after the copy (tests read there what the backup
    must equal). Written under a `.partial` name and renamed when complete, so a half-written backup never
    looks like one.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    folder = Path(folder)
    started, now = time.perf_counter(), datetime.now(timezone.utc)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExchangeError(f"Could not create the backup folder {folder} ({exc.strerror or exc}); "
                            "choose a folder the app may write to.") from exc
    target = folder / _name(kind, now)
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{_name(kind, now)}-{n}"
    partial = target.with_name(target.name + ".partial")
    step = progress or (lambda done, total, what: None)
    try:
        partial.mkdir()
        manifest = _copy(db, partial / DATA, step, during)
        manifest.update(format=FORMAT, kind=kind, created_at=now.isoformat(timespec="seconds"),
                        source=str(db.path), duckdb_version=duckdb.__version__)
        manifest["file"] = {"name": DATA, "bytes": (partial / DATA).stat().st_size, "sha256": sha256(partial / DATA)}
        manifest["seconds"] = round(time.perf_counter() - started, 2)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(partial, target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise ExchangeError(f"The backup could not be written to {folder} ({exc.strerror or exc}); "
                            "nothing was kept. Check the free space and permissions of that folder.") from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def _copy(db: Database, path: Path, step: Progress, during) -> dict:
    out = duckdb.connect(str(path))
    try:
        with db.read() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("SELECT 1").fetchall()  # the snapshot starts here: every write acknowledged before is in it
                with db.read() as now:
                    # Read after the snapshot began, so every id a copied row holds was handed out before.
                    sequences = _sequences(now)
                catalog = _catalog(cur)
                tables, total = {}, len(catalog["tables"]) * 2 + 1
                for schema in catalog["schemas"]:
                    out.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
                for statement in sequences:
                    out.execute(statement)
                for i, (schema, name, ddl) in enumerate(catalog["tables"]):
                    step(i * 2, total, f"Copying {label(schema, name)}")
                    out.execute(ddl)
                    tables[label(schema, name)] = _transfer(cur, out, schema, name)
                    step(i * 2 + 1, total, f"Checking {label(schema, name)}")
                    copied = _content(out, schema, name)
                    expected = (tables[label(schema, name)]["rows"], tables[label(schema, name)]["checksum"])
                    if copied != expected:
                        raise ExchangeError(f"The copy of table {label(schema, name)} differs from the database "
                                            f"({copied[0]} rows copied, {expected[0]} read); the backup was not kept.")
                step(total - 1, total, "Writing indexes")
                for statement in catalog["indexes"] + catalog["views"]:
                    out.execute(statement)
                version = schema_version(cur)
                data_version = cur.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0] \
                    if "changes" in tables else None
                if during is not None:
                    during(cur)
            finally:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("COMMIT")
        out.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise classify(exc, str(path)) from exc
    finally:
        out.close()
    step(total, total, "Done")
    return {"schema": {"migrations": version, "latest": version[-1] if version else None},
            "data_version": data_version, "tables": tables}


def _transfer(cur, out, schema: str, name: str) -> dict:
    rows, checksum = _content(cur, schema, name)
    if rows:
        reader = cur.execute(f"SELECT * FROM {_table(schema, name)}").to_arrow_reader(_BATCH_ROWS)
        out.register("_incoming", reader)
        try:
            out.execute(f"INSERT INTO {_table(schema, name)} SELECT * FROM _incoming")
        finally:
            out.unregister("_incoming")
    return {"rows": rows, "checksum": checksum}


# ---------------------------------------------------------------- reading and restoring


def locate(backup: Path) -> Path:
    """The backup folder named by `backup` (the folder, its manifest or its database file)."""
    backup = Path(backup)
    folder = backup.parent if backup.name in (MANIFEST, DATA) else backup
    if not (folder / MANIFEST).is_file():
        raise NotFound(f"{backup} is not a backup: there is no {MANIFEST} in {folder}. "
                       "Give the folder `python -m exchange backup` printed.")
    return folder


def manifest(backup: Path) -> dict:
    """The manifest of a backup; ExchangeError if it is missing or unreadable."""
    folder = locate(backup)
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        found["tables"], found["file"]["sha256"]  # noqa: B018 — the fields every check needs
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExchangeError(f"The manifest of {folder} cannot be read ({exc}); this backup cannot be checked, "
                            "so nothing was restored. Use another backup.") from exc
    if found.get("format") != FORMAT:
        raise ExchangeError(f"{folder} was written in backup format {found.get('format')!r}, which this version "
                            f"does not read (it reads format {FORMAT}).")
    return found


def listing(folder: Path) -> list[dict]:
    """The complete backups in `folder`, newest first: their manifests plus `path`."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in Path(folder).iterdir():
            if entry.is_dir() and entry.name.startswith("exchange-") and (entry / MANIFEST).is_file():
                with contextlib.suppress(ExchangeError):
                    found.append({**manifest(entry), "path": entry})
    return sorted(found, key=lambda m: (m.get("created_at", ""), m["path"].name), reverse=True)


def restore(backup: Path, new_file: Path, *, progress: Progress | None = None) -> dict:
    """Verify a backup and restore it into `new_file` (which must not exist), migrating it if it is older.

    Returns the manifest plus `migrated` (the migrations applied). Nothing is left at `new_file` unless
    every check passed.
    """
    folder = locate(backup)
    found = manifest(folder)
    step = progress or (lambda done, total, what: None)
    new_file = Path(new_file)
    for existing in (new_file, Path(f"{new_file}.wal")):
        if existing.exists():
            raise ExchangeError(f"{existing} already exists; restore never writes over a database (it may be the "
                                "one in use). Give a new file name with --db.")
    data = folder / found["file"]["name"]
    if not data.is_file():
        raise ExchangeError(f"The backup {folder} has no database file {found['file']['name']}; nothing was restored.")
    total = len(found["tables"]) + 3
    step(0, total, "Checking the file's checksum")
    if data.stat().st_size != found["file"]["bytes"] or sha256(data) != found["file"]["sha256"]:
        raise ExchangeError(f"The database file of {folder} does not match its manifest's checksum: it is damaged "
                            "or was changed after the backup. Nothing was restored; use another backup.")
    unknown = set(schema_names(found)) - {name for name, _ in migrations.files()}
    if unknown:
        raise ExchangeError(f"The backup {folder} was made by a newer version of the exchange (schema updates "
                            f"{', '.join(sorted(unknown))} are unknown here). Upgrade the exchange, then restore.")
    try:
        new_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExchangeError(f"Could not create the folder of {new_file} ({exc.strerror or exc}).") from exc
    building = new_file.with_name(f".{new_file.name}.restoring")
    leftovers = (building, Path(f"{building}.wal"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        shutil.copyfile(data, building)
        _verify_tables(building, found, step)
        step(total - 2, total, "Applying schema updates")
        db = Database(building)
        try:
            migrated = migrations.migrate(db)
        finally:
            db.close()
        Path(f"{building}.wal").unlink(missing_ok=True)  # closed cleanly: everything is in the file
        try:
            os.link(building, new_file)  # fails if the name appeared meanwhile: never replaces a file
        except FileExistsError as exc:
            raise ExchangeError(f"{new_file} appeared while restoring; it was left alone and nothing was "
                                "restored. Give a new file name with --db.") from exc
    except OSError as exc:
        raise ExchangeError(f"Could not write {new_file} ({exc.strerror or exc}); nothing was restored.") from exc
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    step(total, total, "Done")
    return {**found, "path": folder, "restored_to": new_file, "migrated": migrated}


def schema_names(found: dict) -> list[str]:
    """The migrations a manifest says its database had."""
    return list((found.get("schema") or {}).get("migrations") or [])


def _verify_tables(path: Path, found: dict, step: Progress) -> None:
    """Every table's rows and checksum as the manifest says (checksums only under the same DuckDB version)."""
    same_engine = found.get("duckdb_version") == duckdb.__version__
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise ExchangeError(f"The backup's database file cannot be opened ({exc}); nothing was restored.") from exc
    try:
        present = {label(s, t): (s, t) for s, t, _ in _catalog(con)["tables"]}
        missing = set(found["tables"]) - set(present)
        if missing:
            raise ExchangeError(f"The backup lacks table(s) its manifest lists ({', '.join(sorted(missing))}); "
                                "nothing was restored.")
        for i, (name, expected) in enumerate(sorted(found["tables"].items()), start=1):
            step(i, len(found["tables"]) + 3, f"Checking {name}")
            rows, checksum = _content(con, *present[name])
            if rows != expected["rows"] or (same_engine and checksum != expected["checksum"]):
                raise ExchangeError(f"Table {name} in the backup does not match its manifest ({rows} rows, the "
                                    f"manifest says {expected['rows']}); nothing was restored. Use another backup.")
    finally:
        con.close()
