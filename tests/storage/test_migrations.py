"""Migrations are files run by setup: old databases migrate, a failed migration changes nothing."""

from __future__ import annotations

import shutil

import pytest

from exchange.storage import migrations, open_database
from exchange.storage.duckdb import Database

pytestmark = pytest.mark.both_backends  # issue 13: the same migrations on DuckDB and on PostgreSQL


@pytest.fixture
def place(backend, tmp_path, request):
    """Where a new, empty database can be made: a file path (DuckDB) or a fresh PostgreSQL database's URL."""
    made = []

    def make(name: str):
        if backend == "duckdb":
            return tmp_path / f"{name}.duckdb"
        server = request.getfixturevalue("pg_server")
        db_name = f"m_{len(made)}_{tmp_path.name}"[:60].lower()
        made.append(db_name)
        return server.create_database(db_name)

    yield make
    for db_name in made:
        request.getfixturevalue("pg_server").drop_database(db_name)


def raw(location):
    """A store on `location` that migrations have not touched."""
    if isinstance(location, str):
        from exchange.storage.postgres import PostgresDatabase

        return PostgresDatabase(location)
    return Database(location)


def test_opening_a_database_does_not_migrate_it(place):
    db = raw(place("raw"))
    try:
        assert migrations.applied(db) == set()
        with pytest.raises(migrations.SchemaOutOfDate, match="python -m exchange init"):
            migrations.require_current(db)
    finally:
        db.close()


def test_every_file_runs_once_in_name_order(place):
    db = open_database(place("new"))
    try:
        names = [name for name, _ in migrations.files()]
        assert names == sorted(names) and names[0].startswith("0001_")
        assert migrations.applied(db) == set(names)
        assert migrations.migrate(db) == []
        migrations.require_current(db)
    finally:
        db.close()


def test_an_old_database_migrates_to_the_current_schema(tmp_path, place):
    old = tmp_path / "old"
    old.mkdir()
    for path in sorted(migrations.FOLDER.glob("000[1-5]_*.sql")):
        shutil.copy(path, old)
    db = raw(place("old"))
    try:
        assert len(migrations.migrate(db, old)) == 5
        db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('kept', 'yes')"), bump=False)
        ran = migrations.migrate(db)
        assert ran and all(name > "0005" for name in ran)
        with db.read() as cur:
            assert cur.execute("SELECT value FROM settings WHERE key = 'kept'").fetchone() == ("yes",)
            assert cur.execute("SELECT count(*) FROM changes").fetchone()[0] >= 1
    finally:
        db.close()


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path, place):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (folder / "0002_bad.sql").write_text("-- a comment may say anything; even this\n"
                                         "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    db = raw(place("f"))
    try:
        with pytest.raises(migrations.SchemaOutOfDate, match="0002_bad failed and was rolled back"):
            migrations.migrate(db, folder)
        assert migrations.applied(db) == {"0001_good"}
        with db.read() as cur:
            tables = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "a" in tables and "b" not in tables
    finally:
        db.close()


def test_comment_lines_are_dropped_before_splitting_statements():
    assert migrations.statements("-- one; two\nSELECT 1;\n  -- three;\nSELECT 2") == ["SELECT 1", "SELECT 2"]


def test_running_migrations_is_a_data_change_for_derived_views(tmp_path, place):
    db = open_database(place("m"))
    try:
        before = db.data_version()
        extra = tmp_path / "more"
        extra.mkdir()
        for path in migrations.FOLDER.glob("*.sql"):
            shutil.copy(path, extra)
        (extra / "9999_touch.sql").write_text("UPDATE settings SET value = value;\n")
        assert migrations.migrate(db, extra) == ["9999_touch"]
        assert db.data_version() > before
    finally:
        db.close()
