"""Migrations are files run by setup: old databases migrate, a failed migration changes nothing."""

from __future__ import annotations

import shutil

import pytest

from exchange.storage import migrations, open_database
from exchange.storage.duckdb import Database


def test_opening_a_database_does_not_migrate_it(tmp_path):
    db = Database(tmp_path / "raw.duckdb")
    try:
        assert migrations.applied(db) == set()
        with pytest.raises(migrations.SchemaOutOfDate, match="python -m exchange init"):
            migrations.require_current(db)
    finally:
        db.close()


def test_every_file_runs_once_in_name_order(tmp_path):
    db = open_database(tmp_path / "new.duckdb")
    try:
        names = [name for name, _ in migrations.files()]
        assert names == sorted(names) and names[0].startswith("0001_")
        assert migrations.applied(db) == set(names)
        assert migrations.migrate(db) == []
        migrations.require_current(db)
    finally:
        db.close()


def test_an_old_database_migrates_to_the_current_schema(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for path in sorted(migrations.FOLDER.glob("000[1-5]_*.sql")):
        shutil.copy(path, old)
    db = Database(tmp_path / "old.duckdb")
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


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_good.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (folder / "0002_bad.sql").write_text("-- a comment may say anything; even this\n"
                                         "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    db = Database(tmp_path / "f.duckdb")
    try:
        with pytest.raises(migrations.SchemaOutOfDate, match="0002_bad failed and was rolled back"):
            migrations.migrate(db, folder)
        assert migrations.applied(db) == {"0001_good"}
        with db.read() as cur:
            tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "a" in tables and "b" not in tables
    finally:
        db.close()


def test_comment_lines_are_dropped_before_splitting_statements():
    assert migrations.statements("-- one; two\nSELECT 1;\n  -- three;\nSELECT 2") == ["SELECT 1", "SELECT 2"]


def test_running_migrations_is_a_data_change_for_derived_views(tmp_path):
    db = open_database(tmp_path / "m.duckdb")
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
