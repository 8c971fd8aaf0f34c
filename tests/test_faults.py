"""Issue 8 part 8: each fault of the database file gets its own true message, proven on real file systems.

Disk full and read-only use a small tmpfs mounted for the test (CI runs as root, so it can
mount); a non-root run without mount rights skips those two with the reason. Corruption uses
a truncated file and a file with a damaged block; "in use" uses a second real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from exchange.storage import open_database
from exchange import cli, taxonomy
from exchange.storage import duckdb as dbmod
from exchange.storage.duckdb import Database
from exchange.errors import Conflict, DatabaseBusy, DatabaseCorrupt, DatabaseFull, DatabaseReadOnly

pytestmark = pytest.mark.xdist_group("faults")  # mounts and a second process: keep them on one worker


def _mount(where: Path, size: str = "4m") -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root and must be able to mount a tmpfs: {done.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")


@pytest.fixture
def small_fs(tmp_path):
    """A 4 MB file system of the test's own, unmounted afterwards."""
    where = tmp_path / "fs"
    _mount(where)
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_is_reported_as_a_full_disk_not_as_someone_else_saving(small_fs):
    db = open_database(small_fs / "exchange.duckdb")
    db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('kept', 'yes')"))
    filler = _fill(small_fs)
    with pytest.raises(DatabaseFull) as full:
        db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('big', repeat('x', 2000000))"))
    assert not isinstance(full.value, Conflict)
    assert "disk holding the database" in full.value.message and "is full" in full.value.message
    filler.unlink()
    # Nothing was lost, and once there is room the same write goes through.
    db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('big', repeat('x', 20000))"))
    with db.read() as cur:
        assert cur.execute("SELECT count(*) FROM settings WHERE key IN ('kept', 'big')").fetchone()[0] == 2
    db.close()


def test_a_read_only_file_system_is_reported_as_read_only(small_fs):
    path = small_fs / "exchange.duckdb"
    open_database(path).close()
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with pytest.raises(DatabaseReadOnly, match="cannot be written"):
        open_database(path)
    with pytest.raises(DatabaseReadOnly):
        open_database(small_fs / "new.duckdb")


def test_a_read_only_folder_is_reported_as_read_only_for_a_non_root_user(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions; the read-only mount test covers this case as root")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseReadOnly):
            open_database(folder / "exchange.duckdb")
    finally:
        folder.chmod(0o755)


def test_a_truncated_file_is_reported_as_damaged_with_how_to_restore(tmp_path):
    path = tmp_path / "exchange.duckdb"
    db = open_database(path)
    taxonomy.seed(db)
    db.close()
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(DatabaseCorrupt) as damaged:
        open_database(path)
    message = damaged.value.message
    assert "damaged" in message and "backup" in message and "data/backups/" in message
    assert "in use" not in message


def test_a_damaged_block_is_reported_as_damaged_never_as_in_use(tmp_path):
    # "…checksum … in block at location N" contains "lock": it once read as "in use by another process".
    path = tmp_path / "exchange.duckdb"
    open_database(path).close()
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE big AS SELECT range AS i, random()::VARCHAR AS s FROM range(200000)")
    raw.execute("CHECKPOINT")
    # Damage a block the query must read (the middle of the file may be free space after the migrations).
    block = raw.execute("""SELECT min(block_id) FROM pragma_storage_info('big')
                           WHERE column_name = 's' AND block_id >= 0""").fetchone()[0]
    block_size = raw.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    raw.close()
    with open(path, "r+b") as f:
        f.seek(3 * 4096 + block * block_size + 64)  # after the three header blocks; inside the checksummed data
        f.write(os.urandom(20000))
    with pytest.raises(DatabaseCorrupt) as damaged:
        opened = open_database(path)
        with opened.read() as cur:
            cur.execute("SELECT sum(i), max(s) FROM big").fetchall()
    assert isinstance(damaged.value.__cause__, duckdb.Error) and "block" in str(damaged.value.__cause__)
    assert "in use" not in damaged.value.message


def test_a_file_that_is_not_a_database_is_reported_as_damaged(tmp_path):
    path = tmp_path / "exchange.duckdb"
    path.write_bytes(os.urandom(50_000))
    with pytest.raises(DatabaseCorrupt):
        open_database(path)


@pytest.fixture
def held(tmp_path):
    """A database file held open by another process (like the running app); yields (path, pid)."""
    path = tmp_path / "exchange.duckdb"
    open_database(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys\ncon = duckdb.connect(sys.argv[1])\nprint('ready', flush=True)\n"
                               "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    yield path, holder.pid
    holder.stdin.close()
    holder.wait(timeout=30)


def test_a_database_another_process_holds_is_reported_as_in_use_with_its_process(held):
    path, pid = held
    with pytest.raises(DatabaseBusy) as busy:
        open_database(path)
    assert "in use by another process" in busy.value.message and str(pid) in busy.value.message


def test_the_cli_says_in_use_and_leaves_a_held_database_alone(held, capsys):
    path, _ = held
    before = path.stat().st_ino
    code = cli.main(["demo", "--db", str(path), "--force", "--yes"])
    err = capsys.readouterr().err
    assert code == 1 and "in use by another process" in err and "Traceback" not in err
    assert path.exists() and path.stat().st_ino == before and not (path.parent / "backups").exists()


def test_classification_uses_exact_phrases_never_a_loose_word():
    cases = {
        'IO Error: Could not set lock on file "/x.duckdb": Conflicting lock is held in python (PID 7)': DatabaseBusy,
        "IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at location 9":
            DatabaseCorrupt,
        'TransactionContext Error: Failed to commit: Could not write file "/x.wal": No space left on device':
            DatabaseFull,
        'IO Error: Cannot open file "/x.duckdb": Read-only file system': DatabaseReadOnly,
    }
    for message, kind in cases.items():
        exc = duckdb.IOException(message)
        assert type(dbmod.classify(exc, "/x.duckdb")) is kind, message
    unrelated = duckdb.IOException("IO Error: a block of text about locks and blocks")
    assert dbmod.classify(unrelated, "/x.duckdb") is unrelated
