"""`python -m exchange import …` and `export open-data`: check first, all or none, clean messages, no duplicates."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from exchange import cli, taxonomy
from exchange.storage import open_database
from tests.factories import make_department, make_user
from tests.test_imports import DEPARTMENT, csv_bytes, row


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    path = tmp_path / "exchange.duckdb"
    db = open_database(path)
    taxonomy.seed(db)
    make_department(db, name=DEPARTMENT)
    make_user(db, "admin", email=ADMIN)
    db.close()
    return path


ADMIN = "importer@example.org"
AS = ["--as", ADMIN]


def lessons(path) -> int:
    db = open_database(path)
    try:
        with db.read() as cur:
            return cur.execute("SELECT count(*) FROM lessons").fetchone()[0]
    finally:
        db.close()


def test_import_checks_then_imports_with_yes_and_a_second_run_changes_nothing(db_path, tmp_path, capsys):
    source = tmp_path / "collection.csv"
    source.write_bytes(csv_bytes([row(1), row(2, anonymous="yes", links="")]))
    assert cli.main(["import", "lessons", str(source), *AS, "--dry-run", "--db", str(db_path)]) == 0
    assert "Would import 2 lesson rows: 2 new" in capsys.readouterr().out and lessons(db_path) == 0
    assert cli.main(["import", "lessons", str(source), *AS, "--db", str(db_path)]) == 1
    assert "needs confirmation: add --yes" in capsys.readouterr().err and lessons(db_path) == 0
    assert cli.main(["import", "lessons", str(source), *AS, "--yes", "--db", str(db_path)]) == 0
    assert "Imported 2 lesson rows: 2 new" in capsys.readouterr().out and lessons(db_path) == 2
    assert cli.main(["import", "lessons", str(source), *AS, "--yes", "--db", str(db_path)]) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out and lessons(db_path) == 2


def test_a_broken_file_prints_every_problem_and_exits_1(db_path, tmp_path, capsys):
    source = tmp_path / "broken.csv"
    source.write_bytes(csv_bytes([row(1, summary="x" * 312), row(2, practices="Time Travel")]))
    assert cli.main(["import", "lessons", str(source), *AS, "--yes", "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "row 2, Summary: 312 characters; the limit is 300." in out and "row 3, Strategic practices" in out
    assert lessons(db_path) == 0


def test_the_template_command_writes_a_template_that_imports(db_path, tmp_path, capsys):
    target = tmp_path / "template.json"
    assert cli.main(["import", "template", str(target), "--kind", "lessons"]) == 0
    assert json.loads(target.read_text())[0]["external_id"]
    assert cli.main(["import", "lessons", str(target), *AS, "--dry-run", "--db", str(db_path)]) == 0


def test_a_file_without_a_known_extension_needs_format(db_path, tmp_path, capsys):
    source = tmp_path / "collection.txt"
    source.write_bytes(csv_bytes([row(1)]))
    assert cli.main(["import", "lessons", str(source), *AS, "--db", str(db_path)]) == 1
    assert "--format csv" in capsys.readouterr().err
    assert cli.main(["import", "departments", str(source), *AS, "--format", "json", "--db", str(db_path)]) == 1
    assert "CSV only" in capsys.readouterr().err


def test_export_open_data_writes_public_lessons_with_anonymity_applied(db_path, tmp_path, capsys):
    source = tmp_path / "collection.csv"
    source.write_bytes(csv_bytes([row(1), row(2, anonymous="yes", links=""), row(3, visibility="members")]))
    assert cli.main(["import", "lessons", str(source), *AS, "--yes", "--db", str(db_path)]) == 0
    target = tmp_path / "open.csv"
    assert cli.main(["export", "open-data", "--to", str(target), "--db", str(db_path)]) == 0
    assert "Wrote 2 public lessons" in capsys.readouterr().out
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    anonymous = [r for r in table if r["anonymous"] == "yes"]
    assert len(table) == 2 and len(anonymous) == 1 and anonymous[0]["department"] == ""


def test_cli_imports_name_the_administrator_given_with_as_as_author_and_in_the_audit(db_path, tmp_path, capsys):
    source = tmp_path / "collection.csv"
    source.write_bytes(csv_bytes([row(1), row(2)]))
    assert cli.main(["import", "lessons", str(source), "--yes", "--as", ADMIN.upper(), "--db", str(db_path)]) == 0
    db = open_database(db_path)
    try:
        with db.read() as cur:
            admin_id = cur.execute("SELECT id FROM users WHERE email = ?", [ADMIN]).fetchone()[0]
            authors = cur.execute("SELECT DISTINCT author_id, updated_by FROM lessons").fetchall()
            entry = cur.execute("SELECT actor_id, actor_email, detail FROM audit_log WHERE event = 'import'").fetchone()
    finally:
        db.close()
    assert authors == [(admin_id, admin_id)]
    assert entry[:2] == (admin_id, ADMIN) and "via: command line" in entry[2] and "created: 2" in entry[2]


@pytest.mark.parametrize("who, message", [
    (None, "Say whose import this is with --as EMAIL"),
    ("nobody@example.org", "--as: no account has the e-mail nobody@example.org"),
    ("not an address", "--as: 'not an address' is not an e-mail address"),
    ("member@example.org", "--as: member@example.org is a member's account; imports are made by an administrator."),
    ("gone@example.org", "--as: the account gone@example.org is deactivated"),
])
def test_a_cli_import_without_an_active_administrator_is_refused_and_imports_nothing(db_path, tmp_path, capsys,
                                                                                         who, message):
    db = open_database(db_path)
    make_user(db, "member", email="member@example.org", department_id=make_department(db, name="Other County"))
    gone = make_user(db, "admin", email="gone@example.org")
    db.write(lambda cur: cur.execute("UPDATE users SET active = FALSE WHERE id = ?", [gone.id]))
    db.close()
    source = tmp_path / "collection.csv"
    source.write_bytes(csv_bytes([row(1)]))
    assert cli.main(["import", "lessons", str(source), "--yes", *(["--as", who] if who else []),
                     "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert lessons(db_path) == 0
