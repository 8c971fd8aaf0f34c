"""Backups of the live database (issue 12): consistent while writers are active, verified, restored into a new file."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from exchange.errors import ExchangeError, NotFound
from exchange.storage import changes, migrations, open_database
from exchange.storage.duckdb import Database
from exchange.transfer import snapshot

TABLES_SQL = ("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
              "ORDER BY 1, 2")


def _everything(cur) -> dict:
    """Every row of every table, sorted: what two databases must share to be equal."""
    found = {}
    for schema, table in cur.execute(TABLES_SQL).fetchall():
        found[snapshot.label(schema, table)] = sorted(
            cur.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall(), key=repr)
    return found


def _write(db: Database, writer: int, n: int) -> None:
    """One transaction touching three tables: an audit row, a change-log entry, and this writer's counter."""
    def work(cur):
        cur.execute("INSERT INTO audit_log (occurred_at, event, detail) VALUES (current_timestamp, 'test_write', ?)",
                    [f"{writer}-{n}"])
        cur.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [f"writer{writer}", str(n)])
        changes.record(cur, "test", writer * 1_000_000 + n)
    db.write(work)


def test_backup_taken_while_writers_run_holds_every_acknowledged_write_and_restores_equal_to_its_snapshot(
        fresh_db, tmp_path):
    acknowledged: list[tuple[int, int]] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            _write(fresh_db, w, n)
            acknowledged.append((w, n))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    while len(acknowledged) < 30:
        time.sleep(0.01)
    seen_at_snapshot: dict = {}
    before = set(acknowledged)  # acknowledged before the backup started
    slow = lambda done, total, what: time.sleep(0.005)  # noqa: E731 — leave the writers time to commit meanwhile
    folder = snapshot.take(fresh_db, tmp_path / "backups", progress=slow,
                           during=lambda cur: seen_at_snapshot.update(_everything(cur)))
    during = len(acknowledged)
    time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    assert during > len(before), "no write committed while the backup ran: the test proves nothing"

    restored = tmp_path / "restored.duckdb"
    found = snapshot.restore(folder, restored)
    assert found["migrated"] == []
    con = duckdb.connect(str(restored), read_only=True)
    try:
        everything = _everything(con)
        details = {tuple(map(int, r[0].split("-"))) for r in con.execute(
            "SELECT detail FROM audit_log WHERE event = 'test_write'").fetchall()}
        logged = {r[0] for r in con.execute("SELECT entity_id FROM changes WHERE entity = 'test'").fetchall()}
        counters = dict(con.execute("SELECT key, value FROM settings WHERE key LIKE 'writer%'").fetchall())
    finally:
        con.close()
    assert everything == seen_at_snapshot  # every table, every row, as read at the snapshot point
    assert before <= details, f"{len(before - details)} acknowledged writes are missing from the backup"
    assert logged == {w * 1_000_000 + n for w, n in details}  # no transaction half in, half out
    assert counters == {f"writer{w}": str(max(n for ww, n in details if ww == w)) for w in {w for w, _ in details}}
    assert set(acknowledged) - details, "writes committed after the snapshot began must not be in it"


def test_manifest_records_time_schema_version_rows_and_checksums(fresh_db, tmp_path):
    _write(fresh_db, 1, 1)
    folder = snapshot.take(fresh_db, tmp_path)
    found = json.loads((folder / snapshot.MANIFEST).read_text())
    with fresh_db.read() as cur:
        lessons = cur.execute("SELECT count(*) FROM practices").fetchone()[0]
        names = [r[0] for r in cur.execute("SELECT name FROM schema_migrations ORDER BY 1").fetchall()]
    assert found["created_at"] and found["kind"] == "manual" and found["format"] == snapshot.FORMAT
    assert found["schema"] == {"migrations": names, "latest": names[-1]}
    assert found["tables"]["practices"]["rows"] == lessons > 0
    assert len(found["tables"]["practices"]["checksum"]) == 32
    assert found["file"]["sha256"] == snapshot.sha256(folder / snapshot.DATA)
    assert found["file"]["bytes"] == (folder / snapshot.DATA).stat().st_size
    assert not list(tmp_path.glob("*.partial"))


def test_restored_database_continues_every_sequence_without_reusing_an_id(fresh_db, tmp_path):
    for n in range(5):
        _write(fresh_db, 7, n)
    restored = tmp_path / "r.duckdb"
    snapshot.restore(snapshot.take(fresh_db, tmp_path / "b"), restored)
    db = Database(restored)
    try:
        _write(db, 8, 1)  # would raise a duplicate key if audit_ids restarted
        with db.read() as cur:
            assert cur.execute("SELECT count(DISTINCT id), count(*) FROM audit_log").fetchone() == (6, 6)
    finally:
        db.close()


def test_restore_refuses_an_existing_file_or_one_with_a_wal(fresh_db, tmp_path):
    folder = snapshot.take(fresh_db, tmp_path / "b")
    existing = tmp_path / "live.duckdb"
    existing.write_bytes(b"precious")
    with pytest.raises(ExchangeError, match="already exists"):
        snapshot.restore(folder, existing)
    assert existing.read_bytes() == b"precious"
    (tmp_path / "other.duckdb.wal").write_bytes(b"x")
    with pytest.raises(ExchangeError, match="already exists"):
        snapshot.restore(folder, tmp_path / "other.duckdb")
    assert not (tmp_path / "other.duckdb").exists()


def test_restore_refuses_a_backup_whose_file_was_changed(fresh_db, tmp_path):
    folder = snapshot.take(fresh_db, tmp_path / "b")
    with open(folder / snapshot.DATA, "r+b") as f:
        f.seek(20_000)
        f.write(b"\x00garbage\x00")
    with pytest.raises(ExchangeError, match="does not match its manifest's checksum"):
        snapshot.restore(folder, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()
    assert not list(tmp_path.glob(".*restoring*"))


def test_restore_refuses_a_table_whose_rows_differ_from_the_manifest(fresh_db, tmp_path):
    folder = snapshot.take(fresh_db, tmp_path / "b")
    found = json.loads((folder / snapshot.MANIFEST).read_text())
    found["tables"]["practices"]["rows"] += 1
    (folder / snapshot.MANIFEST).write_text(json.dumps(found))
    with pytest.raises(ExchangeError, match="Table practices in the backup does not match"):
        snapshot.restore(folder, tmp_path / "r.duckdb")
    assert not (tmp_path / "r.duckdb").exists()


def test_restore_names_what_is_not_a_backup(tmp_path):
    with pytest.raises(NotFound, match="is not a backup"):
        snapshot.restore(tmp_path, tmp_path / "r.duckdb")
    (tmp_path / snapshot.MANIFEST).write_text("{not json")
    with pytest.raises(ExchangeError, match="cannot be read"):
        snapshot.restore(tmp_path, tmp_path / "r.duckdb")


def test_backup_of_an_older_schema_is_migrated_on_restore(tmp_path):
    older = tmp_path / "older-migrations"
    older.mkdir()
    names = [name for name, _ in migrations.files()]
    for path in sorted(migrations.FOLDER.glob("[0-9]*.sql"))[:-1]:
        shutil.copy(path, older)
    db = open_database(tmp_path / "old.duckdb", migrate=False)
    try:
        migrations.migrate(db, older)
        folder = snapshot.take(db, tmp_path / "b")
    finally:
        db.close()
    found = snapshot.restore(folder, tmp_path / "r.duckdb")
    assert found["migrated"] == names[-1:]
    db = Database(tmp_path / "r.duckdb")
    try:
        assert migrations.pending(db) == []
    finally:
        db.close()


def test_backup_made_by_a_newer_version_is_refused(fresh_db, tmp_path):
    folder = snapshot.take(fresh_db, tmp_path / "b")
    found = json.loads((folder / snapshot.MANIFEST).read_text())
    found["schema"]["migrations"].append("9999_from_the_future")
    (folder / snapshot.MANIFEST).write_text(json.dumps(found))
    with pytest.raises(ExchangeError, match="newer version"):
        snapshot.restore(folder, tmp_path / "r.duckdb")


def test_a_backup_folder_that_cannot_be_written_is_named_and_nothing_is_left(fresh_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ExchangeError, match="backup folder"):
        snapshot.take(fresh_db, blocker / "backups")


def test_listing_shows_complete_backups_newest_first_and_ignores_partial_ones(fresh_db, tmp_path):
    first = snapshot.take(fresh_db, tmp_path)
    second = snapshot.take(fresh_db, tmp_path, kind="scheduled")
    (tmp_path / "exchange-20990101-000000Z-manual.partial").mkdir()
    found = snapshot.listing(tmp_path)
    assert [m["path"] for m in found] == sorted([first, second], key=lambda p: p.name, reverse=True)
    assert {m["kind"] for m in found} == {"manual", "scheduled"}
