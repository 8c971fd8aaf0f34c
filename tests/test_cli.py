"""The users commands: create (the first production administrator), list, reset-password; clean errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from exchange import accounts, cli, taxonomy
from exchange.db import Database
from tests.factories import make_department

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct mulberry lantern"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """An empty database file with the taxonomy; production mode so nothing demo-ish sneaks in."""
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    path = tmp_path / "exchange.duckdb"
    db = Database(path)
    taxonomy.seed(db)
    db.close()
    return path


def run(argv, stdin="", monkeypatch=None):
    """The exit code of the command line (argparse's usage errors exit instead of returning)."""
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        return cli.main(argv)
    except SystemExit as exited:
        return exited.code


def open_db(path):
    return Database(path)


def test_users_create_with_password_stdin_makes_an_administrator_who_can_sign_in(db_path, monkeypatch, capsys):
    code = run(["users", "create", "--db", str(db_path), "--email", "Chief@State.example.gov", "--name", "Chief",
                "--role", "admin", "--password-stdin"], PASSWORD + "\n", monkeypatch)
    out = capsys.readouterr()
    assert code == 0 and "Created administrator chief@state.example.gov" in out.out and PASSWORD not in out.out
    db = open_db(db_path)
    try:
        signed = accounts.sign_in(db, "chief@state.example.gov", PASSWORD)
        assert signed.user.role == "admin" and not signed.must_change_password
    finally:
        db.close()


def test_users_create_a_coordinator_with_regions_and_a_member_with_a_department(db_path, monkeypatch, capsys):
    db = open_db(db_path)
    dept = make_department(db)
    db.close()
    assert run(["users", "create", "--db", str(db_path), "--email", "c@r.example.gov", "--name", "C", "--role",
                "coordinator", "--region", "4", "5", "--password-stdin"], PASSWORD, monkeypatch) == 0
    assert run(["users", "create", "--db", str(db_path), "--email", "m@d.example.gov", "--name", "M", "--role",
                "member", "--department-id", str(dept), "--password-stdin"], PASSWORD, monkeypatch) == 0
    capsys.readouterr()
    assert run(["users", "list", "--db", str(db_path)]) == 0
    listing = capsys.readouterr().out
    assert "Region 4, Region 5" in listing and "m@d.example.gov" in listing and "2 accounts." in listing


@pytest.mark.parametrize("argv, stdin, message", [
    (["--role", "member", "--password-stdin"], PASSWORD, "Department: A member belongs to a department"),
    (["--role", "coordinator", "--password-stdin"], PASSWORD, "Regions: A regional coordinator needs at least one"),
    (["--role", "admin", "--password-stdin"], "password1234", "Password: That password is too easy to guess"),
    (["--role", "admin", "--password-stdin"], "", "No password on standard input"),
    (["--role", "admin"], "", "No terminal to ask for the password"),
    (["--role", "superuser", "--password-stdin"], PASSWORD, "invalid choice: 'superuser'"),
    (["--role", "member", "--department-id", "x", "--password-stdin"], PASSWORD, "invalid int value: 'x'"),
])
def test_bad_input_to_users_create_is_one_clean_message_and_exit_1(db_path, monkeypatch, capsys, argv, stdin, message):
    base = ["users", "create", "--db", str(db_path), "--email", "x@y.example.gov", "--name", "X"]
    assert run(base + argv, stdin, monkeypatch) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("Error: ")
    db = open_db(db_path)
    try:
        assert accounts.list_accounts(db, accounts.OPERATOR) == []
    finally:
        db.close()


def test_a_usage_mistake_exits_with_code_1_not_2(db_path, capsys):
    assert run(["users", "create", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err.startswith("Error: the following arguments are required")


def test_a_duplicate_email_is_refused(db_path, monkeypatch, capsys):
    argv = ["users", "create", "--db", str(db_path), "--email", "a@b.example.gov", "--name", "A", "--role", "admin",
            "--password-stdin"]
    assert run(argv, PASSWORD, monkeypatch) == 0
    assert run(argv, PASSWORD, monkeypatch) == 1
    assert "Email: An account with this email already exists." in capsys.readouterr().err


def test_reset_password_prints_a_temporary_password_that_must_be_changed(db_path, monkeypatch, capsys):
    run(["users", "create", "--db", str(db_path), "--email", "a@b.example.gov", "--name", "A", "--role", "admin",
         "--password-stdin"], PASSWORD, monkeypatch)
    capsys.readouterr()
    assert run(["users", "reset-password", "--db", str(db_path), "--email", "A@B.example.gov"]) == 0
    temporary = capsys.readouterr().out.split("Temporary password (shown once): ")[1].strip()
    db = open_db(db_path)
    try:
        assert accounts.sign_in(db, "a@b.example.gov", temporary).must_change_password
    finally:
        db.close()


def test_reset_password_of_an_unknown_email_fails_cleanly(db_path, capsys):
    assert run(["users", "reset-password", "--db", str(db_path), "--email", "ghost@b.example.gov"]) == 1
    assert capsys.readouterr().err == "Error: No account with the email ghost@b.example.gov.\n"


def test_a_database_held_by_another_process_gives_a_clear_message_not_a_traceback(db_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "time.sleep(120)", str(db_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        done = subprocess.run(
            [sys.executable, "-m", "exchange", "users", "create", "--db", str(db_path), "--email", "a@b.example.gov",
             "--name", "A", "--role", "admin", "--password-stdin"],
            input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert "is in use by another process" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
