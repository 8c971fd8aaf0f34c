"""The administrators' whole-dataset export (issue 12.3): every described table as Parquet and CSV with a data
dictionary; secrets blanked or left out; nothing undescribed leaves the server; audited; never overwrites."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile

import pyarrow.parquet as pq
import pytest

from exchange import cli, taxonomy
from exchange.api import tokens
from exchange.discovery import search
from exchange.errors import ExchangeError, Forbidden
from exchange.identity import sessions
from exchange.notify import mail
from exchange.privacy.anonymity import public_refs
from exchange.storage import open_database
from exchange.transfer import dataset, imports
from tests.factories import make_department, make_user
from tests.test_imports import DEPARTMENT, csv_bytes, row


def test_every_table_and_column_of_the_migrated_schema_is_described(fresh_db):
    search.catch_up(fresh_db)  # the search schema exists once the index is built
    with fresh_db.read() as cur:
        missing = dataset.gaps(cur)
    undescribed = missing["tables"] + missing["columns"] + missing["descriptions"]
    assert not undescribed, (
        "Describe these in exchange/transfer/dictionary.toml (a table with every column, and whether it is "
        "exported): " + ", ".join(undescribed))


def test_the_dictionary_describes_nothing_that_is_gone(fresh_db):
    search.catch_up(fresh_db)
    with fresh_db.read() as cur:
        stale = dataset.gaps(cur)["stale"]
    assert not stale, "exchange/transfer/dictionary.toml describes tables or columns the schema no longer has: " \
                      + ", ".join(stale)


@pytest.fixture
def world(fresh_db):
    """Lessons (one anonymous, one with a formula-like title), an admin with a password hash and an API token,
    a live session, and the public-reference key made."""
    db = fresh_db
    department = make_department(db, name=DEPARTMENT)
    admin = make_user(db, "admin", email="boss@example.org", password_hash="$argon2id$secret-hash")
    member = make_user(db, "member", department_id=department, password_hash="$argon2id$other-hash")
    imports.run(db, admin, "lessons", "a.csv", csv_bytes([
        row(1), row(2, anonymous="yes", links="", title="An anonymous lesson"), row(3)]), "csv")
    # A formula-like title written by any path (imports refuse them; the form may not catch every variant).
    db.write(lambda cur: cur.execute("""UPDATE lessons SET title = '=HYPERLINK("http://evil.example","click")'
                                        WHERE title LIKE '%3'"""))
    tokens.create(db, member, "my script")
    sessions.start(db, member.id)
    with db.read() as cur:
        public_refs(cur, [1])  # makes the reference key in settings
    db.write(lambda cur: mail.unsubscribe_token(cur, member.id))  # makes the unsubscribe signing key in settings
    db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('review_threshold', '2') ON CONFLICT DO NOTHING"))
    return {"db": db, "admin": admin, "member": member}


def read_zip(path):
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        about = json.loads(zf.read("dictionary.json"))
        readme = zf.read("README.md").decode()
        tables = {}
        for name in names:
            if name.startswith("csv/"):
                text = zf.read(name).decode("utf-8-sig")
                tables.setdefault(name[4:-4], {})["csv"] = list(csv.DictReader(io.StringIO(text)))
            elif name.startswith("parquet/"):
                tables.setdefault(name[8:-8], {})["parquet"] = pq.read_table(io.BytesIO(zf.read(name))).to_pylist()
    return names, about, readme, tables


def test_every_exported_table_is_in_the_zip_as_parquet_and_csv_with_its_rows(world, tmp_path):
    db = world["db"]
    summary = dataset.export(db, world["admin"], tmp_path / "all.zip")
    names, about, readme, tables = read_zip(tmp_path / "all.zip")
    exported = [t for t in about["tables"] if t["exported"]]
    assert summary["tables"] == len(exported) and {"lessons", "users", "departments", "audit_log"} <= set(tables)
    with db.read() as cur:
        for t in exported:
            files = tables[t["name"]]
            assert len(files["csv"]) == len(files["parquet"]) == t["rows"], t["name"]
            if t["name"] not in dataset.HIDDEN_ROWS:  # the log has the export's own entry now, written after
                since = " WHERE event <> 'dataset_export'" if t["name"] == "audit_log" else ""
                assert t["rows"] == cur.execute(f'SELECT count(*) FROM "{t["name"]}"{since}').fetchone()[0], t["name"]
    lessons = {r["id"]: r for r in tables["lessons"]["parquet"]}
    assert len(lessons) == 3 and all(r["author_id"] == world["admin"].id for r in lessons.values())
    for t in exported:  # the data dictionary describes every column of every file
        assert f"## {t['name']} (" in readme
        assert all(c["description"] and f"| {c['name']} |" in readme for c in t["columns"])


def test_secrets_are_blanked_and_sessions_throttles_and_plumbing_left_out(world, tmp_path):
    dataset.export(world["db"], world["admin"], tmp_path / "all.zip")
    names, about, readme, tables = read_zip(tmp_path / "all.zip")
    raw = b"".join(zipfile.ZipFile(tmp_path / "all.zip").read(n) for n in names)
    assert b"secret-hash" not in raw and b"other-hash" not in raw
    with world["db"].read() as cur:
        key = cur.execute("SELECT value FROM settings WHERE key = 'mail_unsubscribe_key'").fetchone()[0]
    assert key.encode() not in raw  # with it, anyone could forge unsubscribe links
    assert {r["password_hash"] for r in tables["users"]["parquet"]} == {None}
    assert {r["password_hash"] for r in tables["users"]["csv"]} == {""}
    assert len(tables["api_tokens"]["parquet"]) == 1 and tables["api_tokens"]["parquet"][0]["token_hash"] is None
    assert {r["client_token"] for r in tables["lessons"]["parquet"]} == {None}
    for left_out in ("sessions", "session_handoffs", "sign_in_throttle", "api_rate_limits", "serial_counters",
                     "changes", "search.postings"):
        assert f"csv/{left_out}.csv" not in names and f"parquet/{left_out}.parquet" not in names
    assert "sessions" in [t["name"] for t in about["tables"] if not t["exported"] and t["why_left_out"]]
    assert [r["key"] for r in tables["settings"]["csv"]] == ["review_threshold"]  # never the reference or mail key
    assert "| users | " not in readme.split("## Left out")[-1]  # users are exported, not listed as left out


def test_anonymous_lessons_keep_their_department_with_a_warning(world, tmp_path):
    dataset.export(world["db"], world["admin"], tmp_path / "all.zip")
    _, about, readme, tables = read_zip(tmp_path / "all.zip")
    anonymous = [r for r in tables["lessons"]["parquet"] if r["anonymous"]]
    assert len(anonymous) == 1 and anonymous[0]["department_id"] is not None
    column = next(c for t in about["tables"] if t["name"] == "lessons" for c in t["columns"] if c["name"] == "department_id")
    assert "anonymous" in column["warning"]
    assert "names the department of every anonymous lesson" in readme


def test_formula_cells_are_neutralised_in_csv_and_kept_in_parquet(world, tmp_path):
    dataset.export(world["db"], world["admin"], tmp_path / "all.zip")
    _, _, _, tables = read_zip(tmp_path / "all.zip")
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in {r["title"] for r in tables["lessons"]["csv"]}
    assert "=HYPERLINK(\"http://evil.example\",\"click\")" in {r["title"] for r in tables["lessons"]["parquet"]}
    assert {r["anonymous"] for r in tables["lessons"]["csv"]} == {"true", "false"}


def test_a_table_or_column_nobody_described_is_not_exported(world, tmp_path):
    db = world["db"]
    db.write(lambda cur: (cur.execute("CREATE TABLE mystery (secret VARCHAR)"),
                          cur.execute("INSERT INTO mystery VALUES ('do not leak')"),
                          cur.execute("ALTER TABLE users ADD COLUMN shoe_size VARCHAR DEFAULT 'size-44'")))
    dataset.export(db, world["admin"], tmp_path / "all.zip")
    names, about, _, tables = read_zip(tmp_path / "all.zip")
    assert "csv/mystery.csv" not in names and "shoe_size" not in tables["users"]["csv"][0]
    assert "shoe_size" not in tables["users"]["parquet"][0]
    listed = {t["name"]: t for t in about["tables"]}
    assert not listed["mystery"]["exported"] and "Not described" in listed["mystery"]["why_left_out"]
    assert {c["name"]: c["export"] for c in listed["users"]["columns"]}["shoe_size"] == "left out"
    with db.read() as cur:
        assert dataset.gaps(cur)["tables"] == ["mystery"] and dataset.gaps(cur)["columns"] == ["users.shoe_size"]


def test_the_export_is_audited_never_overwrites_and_is_for_administrators_only(world, tmp_path):
    db, admin = world["db"], world["admin"]
    target = tmp_path / "all.zip"
    with pytest.raises(Forbidden):
        dataset.export(db, world["member"], target)
    assert not target.exists()
    progress = []
    summary = dataset.export(db, admin, target, progress=lambda f, m: progress.append((f, m)))
    assert progress[-1] == (1.0, "Done") and all(a[0] <= b[0] for a, b in zip(progress, progress[1:]))
    target.write_bytes(b"mine")
    with pytest.raises(ExchangeError, match="already exists"):
        dataset.export(db, admin, target)
    assert target.read_bytes() == b"mine"
    assert [p.name for p in tmp_path.iterdir()] == ["all.zip"]  # no partial file left behind
    with db.read() as cur:
        entries = cur.execute("SELECT actor_id, success, subject_id, detail FROM audit_log WHERE event = "
                              "'dataset_export' ORDER BY id").fetchall()
    assert entries[0][:3] == (admin.id, True, "all.zip") and f"rows: {summary['rows']}" in entries[0][3]


def test_a_failed_export_keeps_nothing_and_is_audited(world, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(dataset, "_table", broken)
    with pytest.raises(ExchangeError, match="No space left on device"):
        dataset.export(world["db"], world["admin"], tmp_path / "all.zip")
    assert list(tmp_path.iterdir()) == []
    with world["db"].read() as cur:
        assert cur.execute("SELECT success FROM audit_log WHERE event = 'dataset_export'").fetchall() == [(False,)]


def test_the_command_writes_the_zip_and_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EXCHANGE_MODE", "production")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    path = tmp_path / "exchange.duckdb"
    db = open_database(path)
    taxonomy.seed(db)
    make_department(db, name=DEPARTMENT)
    db.close()
    target = tmp_path / "out" / "dataset.zip"
    assert cli.main(["export-dataset", "--to", str(target), "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote the whole dataset to {target}" in out and "Left out: " in out and "sessions" in out
    names, _, _, tables = read_zip(target)
    assert len(tables["departments"]["csv"]) == 1 and "parquet/practices.parquet" in names
    assert cli.main(["export-dataset", "--to", str(target), "--db", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
