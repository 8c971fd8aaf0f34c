"""Moving from the DuckDB file to PostgreSQL (issue 13): `python -m exchange copy-to-postgres` copies every table in one
transaction, refuses a target that holds data, checks counts, and leaves the sequences continuing after the copy."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest

from exchange import cli, lessons
from exchange.errors import ExchangeError
from exchange.storage import open_database
from exchange.storage.duckdb import Database
from exchange.storage.postgres import PostgresDatabase
from exchange.transfer import topostgres
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

_names = itertools.count(1)


@pytest.fixture
def source(template_file, tmp_path) -> Path:
    """A DuckDB exchange file with a department, accounts, a published lesson and an assessment."""
    path = tmp_path / "exchange.duckdb"
    shutil.copyfile(template_file, path)
    db = Database(path)
    try:
        dept = make_department(db, name="Olmsted County Public Health")
        author = make_user(db, department_id=dept)
        admin = make_user(db, "admin")
        publish(db, author, admin, valid_lesson(title="Walking school buses"))
        db.write(lambda cur: cur.execute(
            "INSERT INTO assessments (department_id, practice_id, stage, as_of, recorded_by, recorded_at) "
            "VALUES (?, 1, 2, ?, ?, TIMESTAMP '2025-03-02 10:00')",
            [dept, date(2025, 3, 1), author.id]))
    finally:
        db.close()
    return path


@pytest.fixture
def empty_target(pg_server):
    """An empty PostgreSQL database (not even migrated), dropped afterwards."""
    name = f"copy_{next(_names)}"
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


def _counts(db) -> dict[str, int]:
    with db.read() as cur:
        tables = [t for _, t in topostgres._system_tables(cur) if t != "schema_migrations"]
        return {t: cur.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_every_table_is_copied_with_its_rows_and_the_sequences_continue(source, empty_target, capsys):
    assert cli.main(["copy-to-postgres", "--from", str(source), "--to", empty_target]) == 0
    out = capsys.readouterr().out
    assert "lessons: 1 rows" in out and "Copied" in out
    src = Database(source)
    dst = PostgresDatabase(empty_target)
    try:
        expected, found = _counts(src), _counts(dst)
        assert {t: n for t, n in found.items() if t in expected} == expected
        assert found["lessons"] == 1 and found["assessments"] == 1
        with src.read() as s, dst.read() as d:
            query = "SELECT id, title, anonymous, published_at FROM lessons ORDER BY id"
            assert s.execute(query).fetchall() == d.execute(query).fetchall()
            newest = d.execute("SELECT max(seq) FROM changes").fetchone()[0]
            copied_ids = [r[0] for r in s.execute("SELECT id FROM lessons").fetchall()]
        # New rows on PostgreSQL get ids after the copied ones, and the change log goes on from the file's.
        author = make_user(dst, department_id=make_department(dst))
        lesson_id = lessons.save_draft(dst, author, valid_lesson(title="After the move"))
        assert lesson_id > max(copied_ids)
        assert dst.data_version() > newest
    finally:
        src.close()
        dst.close()


def test_a_target_with_data_is_refused_and_left_as_it_was(source, empty_target, capsys):
    db = open_database(empty_target)
    try:
        make_department(db, name="Already Here Health Department")
    finally:
        db.close()
    assert cli.main(["copy-to-postgres", "--from", str(source), "--to", empty_target]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "departments (1 rows)" in err and "nothing was copied" in err
    db = PostgresDatabase(empty_target)
    try:
        assert _counts(db)["departments"] == 1 and _counts(db)["lessons"] == 0
    finally:
        db.close()


def test_a_failure_part_way_copies_nothing(source, empty_target, monkeypatch):
    from exchange.storage import postgres  # the lessons table's COPY fails, after others went in

    original = postgres.Cursor.copy_rows

    def failing(self, table, columns, rows):
        if table.endswith('"lessons"'):
            raise RuntimeError("the network went away")
        return original(self, table, columns, rows)

    monkeypatch.setattr(postgres.Cursor, "copy_rows", failing)
    with pytest.raises(RuntimeError):
        topostgres.copy(source, empty_target, say=lambda m: None)
    db = PostgresDatabase(empty_target)
    try:
        counts = _counts(db)
        assert counts["departments"] == 0 and counts["assessments"] == 0 and counts["users"] == 0
    finally:
        db.close()
    monkeypatch.undo()
    assert topostgres.copy(source, empty_target, say=lambda m: None)["lessons"] == 1  # and it can simply be run again


@pytest.mark.parametrize("args, message", [
    (["--to", "data/other.duckdb"], "must be a PostgreSQL URL"),
    (["--from", "/nonexistent/exchange.duckdb", "--to", "postgresql://x@127.0.0.1:1/x"], "no database file"),
])
def test_bad_arguments_say_what_is_wrong(args, message, capsys):
    assert cli.main(["copy-to-postgres", *args]) == 1
    assert message in capsys.readouterr().err


def test_an_unreachable_server_is_reported_without_a_traceback(source, capsys):
    assert cli.main(["copy-to-postgres", "--from", str(source), "--to", "postgresql://nobody@127.0.0.1:1/none"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach its PostgreSQL database" in err and "Traceback" not in err


def test_copy_refuses_when_the_source_is_a_url():
    with pytest.raises(ExchangeError, match="DuckDB file"):
        topostgres.copy("postgresql://x@127.0.0.1:1/x", "postgresql://x@127.0.0.1:1/y", say=lambda m: None)
