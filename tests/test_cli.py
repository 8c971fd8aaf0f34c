"""The users commands: create (the first production administrator), list, reset-password; clean errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from exchange.storage import open_database
from exchange.identity import accounts
from exchange import cli, demo, taxonomy
from exchange.storage.duckdb import Database
from tests.factories import make_department

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct mulberry lantern"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """An empty database file with the taxonomy; production mode so nothing demo-ish sneaks in."""
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    path = tmp_path / "exchange.duckdb"
    db = open_database(path)
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
    return open_database(path)


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


# --- demo: never destroys a database in use, a real one, or without a confirmation and a backup ----------------

def _small_demo(path):
    """A tiny demo-shaped database: one department, the demo admin and a demo member with one lesson."""
    from exchange import setup

    db = setup.open_app_database(path, with_demo=False, allow_demo_data=True)
    dept = make_department(db, name="Demo County Health")
    db.write(lambda cur: cur.execute(
        """INSERT INTO users (email, display_name, role, department_id, password_hash) VALUES
           ('admin@demo.example.org', 'Sam', 'admin', NULL, 'x'),
           ('pat.lee@demo-county.example.org', 'Pat', 'member', ?, NULL)""", [dept]))
    db.write(lambda cur: cur.execute(
        """INSERT INTO lessons (title, kind, author_id, department_id, created_at, updated_at)
           SELECT 'Demo lesson', 'success', id, ?, now(), now() FROM users WHERE email LIKE 'pat%'""", [dept]))
    db.close()


def _count(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_demo_force_asks_for_confirmation_and_keeps_a_backup_before_replacing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EXCHANGE_MODE", "demo")
    path = tmp_path / "demo.duckdb"
    _small_demo(path)
    assert run(["demo", "--db", str(path), "--force"]) == 1  # no terminal, no --yes: nothing happens
    assert "needs confirmation: add --yes" in capsys.readouterr().err
    assert _count(path, "SELECT count(*) FROM lessons") == 1
    monkeypatch.setattr(demo, "build", lambda db, scale, progress=None: {"lessons": 0})
    assert run(["demo", "--db", str(path), "--force", "--yes"]) == 0
    out = capsys.readouterr().out
    [backup] = (tmp_path / "backups").iterdir()
    assert str(backup) in out and backup.name.startswith("demo-") and backup.suffix == ".duckdb"
    assert _count(backup, "SELECT count(*) FROM lessons") == 1  # the old data, whole
    assert _count(path, "SELECT count(*) FROM lessons") == 0    # the new build


def test_demo_force_refuses_a_database_with_real_accounts_and_changes_nothing(db_path, monkeypatch, capsys):
    run(["users", "create", "--db", str(db_path), "--email", "chief@state.example.gov", "--name", "Chief",
         "--role", "admin", "--password-stdin"], PASSWORD, monkeypatch)
    capsys.readouterr()
    before = db_path.read_bytes()
    assert run(["demo", "--db", str(db_path), "--force", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "not demo accounts" in err and "demo --purge" in err
    assert db_path.read_bytes() == before and not (db_path.parent / "backups").exists()


def test_demo_refuses_a_file_that_is_not_an_exchange_database(tmp_path, capsys):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    assert run(["demo", "--db", str(path), "--force", "--yes"]) == 1
    assert "is not an Equity Exchange database" in capsys.readouterr().err
    assert _count(path, "SELECT count(*) FROM invoices") == 0


def test_demo_reset_replaces_the_apps_database_named_by_exchange_db(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EXCHANGE_MODE", "demo")
    path = tmp_path / "exchange.duckdb"
    monkeypatch.setenv("EXCHANGE_DB", str(path))
    _small_demo(path)
    monkeypatch.setattr(demo, "build", lambda db, scale, progress=None: {"lessons": 0})
    assert run(["demo", "--reset", "--yes"]) == 0
    assert f"Built demo demo at {path}" in capsys.readouterr().out
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_demo_needs_a_file_or_reset(capsys):
    assert run(["demo"]) == 1
    assert "--reset" in capsys.readouterr().err


def test_production_refuses_to_start_on_demo_data_and_says_how_to_purge_it(tmp_path, monkeypatch, capsys):
    path = tmp_path / "exchange.duckdb"
    _small_demo(path)
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    assert run(["init", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Production mode" in err and "admin@demo.example.org" in err and "1 demo lesson" in err
    assert "python -m exchange demo --purge" in err


def test_demo_purge_removes_demo_accounts_and_data_in_one_audited_step_and_production_then_starts(
        tmp_path, monkeypatch, capsys):
    path = tmp_path / "exchange.duckdb"
    _small_demo(path)
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    assert run(["users", "create", "--db", str(path), "--email", "chief@state.example.gov", "--name", "Chief",
                "--role", "admin", "--password-stdin"], PASSWORD, monkeypatch) == 0
    capsys.readouterr()
    assert run(["demo", "--purge", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 demo accounts, 2 demo users, 1 lessons" in out and "Backup kept at" in out
    assert _count(path, "SELECT count(*) FROM users") == 1  # the real administrator stays
    assert _count(path, "SELECT count(*) FROM lessons") == 0
    assert _count(path, "SELECT count(*) FROM departments") == 0
    assert _count(path, "SELECT count(*) FROM audit_log WHERE event = 'demo_purged'") == 1
    assert run(["init", "--db", str(path)]) == 0


def test_users_list_never_prints_terminal_escape_codes(db_path, monkeypatch, capsys):
    db = open_db(db_path)
    dept = make_department(db, name="Evil \x1b[2J\x1b]0;pwned\x07 County \u202egnp.exe")
    db.write(lambda cur: cur.execute(
        "INSERT INTO users (email, display_name, role, department_id) VALUES ('m\x1b[31m@x.example.gov', 'M', 'member', ?)",
        [dept]))
    db.close()
    assert run(["users", "list", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[31m" in out
