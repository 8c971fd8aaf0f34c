"""The change log: every data-changing write appends to it in its own transaction, in commit order."""

from __future__ import annotations

import threading

import pytest

from exchange.storage import changes, open_database

pytestmark = pytest.mark.both_backends  # issue 13: the same change log on DuckDB and on PostgreSQL


def _count(db) -> int:
    with db.read() as cur:
        return cur.execute("SELECT count(*) FROM changes").fetchone()[0]


def test_a_write_that_records_nothing_appends_one_anything_change(fresh_db):
    before = fresh_db.data_version()
    fresh_db.write(lambda cur: cur.execute("UPDATE settings SET value = value"))
    assert fresh_db.data_version() == before + 1
    with fresh_db.read() as cur:
        [last] = changes.since(cur, before)
    assert (last.entity, last.entity_id) == (changes.ANYTHING, None)


def test_recorded_changes_and_events_are_written_with_the_commit(fresh_db):
    before = fresh_db.data_version()

    def work(cur):
        changes.record(cur, "lesson", 7)
        changes.record(cur, "lesson", 8, event="lesson.published", payload={"department": 3})

    fresh_db.write(work)
    with fresh_db.read() as cur:
        found = changes.since(cur, before)
    assert [(c.seq, c.entity, c.entity_id, c.event, c.payload) for c in found] == [
        (before + 1, "lesson", 7, None, None), (before + 2, "lesson", 8, "lesson.published", {"department": 3})]
    assert fresh_db.data_version() == before + 2


def test_a_failed_unit_of_work_leaves_no_change_behind(fresh_db):
    before = _count(fresh_db)

    def work(cur):
        changes.record(cur, "lesson", 1)
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fresh_db.write(work)
    fresh_db.write(lambda cur: None, bump=False)  # the same cursor id may be reused: nothing may leak into it
    assert _count(fresh_db) == before


def test_a_write_marked_as_no_data_change_appends_nothing(fresh_db):
    before = fresh_db.data_version()
    fresh_db.write(lambda cur: cur.execute("SELECT 1"), bump=False)
    assert fresh_db.data_version() == before


def test_concurrent_writers_get_gapless_sequence_numbers_in_commit_order(fresh_db):
    before = fresh_db.data_version()
    errors = []

    def writer(n):
        try:
            for i in range(10):
                fresh_db.write(lambda cur: changes.record(cur, "lesson", n * 100 + i))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with fresh_db.read() as cur:
        found = changes.since(cur, before)
    assert [c.seq for c in found] == list(range(before + 1, before + 41))
    assert sorted(c.entity_id for c in found) == sorted(n * 100 + i for n in range(4) for i in range(10))


def test_the_data_version_is_read_from_the_database_so_another_connection_sees_it(backend, tmp_path, request):
    if backend == "postgres":
        server = request.getfixturevalue("pg_server")
        path = server.create_database(f"shared_{tmp_path.name}"[:60].lower())
    else:
        path = tmp_path / "shared.duckdb"
    first = open_database(path)
    try:
        first.write(lambda cur: changes.record(cur, "lesson", 1))
        with first.read() as cur:  # a second handle on the same file, as a CLI command or replica would have
            assert changes.latest(cur) == first.data_version()
        version = first.data_version()
    finally:
        first.close()
    again = open_database(path)
    try:
        assert again.data_version() == version  # nothing migrated again: the same number, read from the file
    finally:
        again.close()


def test_a_consumer_keeps_its_position_in_the_log(fresh_db):
    fresh_db.write(lambda cur: changes.record(cur, "lesson", 5, event="lesson.published"))
    with fresh_db.read() as cur:
        assert changes.position(cur, "digest") is None
    fresh_db.write(lambda cur: changes.advance(cur, "digest", fresh_db.data_version()), bump=False)
    with fresh_db.read() as cur:
        assert changes.position(cur, "digest") == fresh_db.data_version()
        assert changes.since(cur, changes.position(cur, "digest")) == []


def _errors(backend):
    """(an error that is not a conflict, a real conflict) as each backend raises them."""
    if backend == "postgres":
        from psycopg import errors

        return errors.FeatureNotSupported("not a conflict"), errors.SerializationFailure(
            "could not serialize access due to concurrent update")
    import duckdb

    return (duckdb.TransactionException("TransactionContext Error: cannot start a transaction within a transaction"),
            duckdb.TransactionException("TransactionContext Error: Conflict on tuple deletion!"))


def test_only_real_transaction_conflicts_are_retried(fresh_db, backend):
    from exchange.errors import Conflict

    other, real = _errors(backend)
    attempts = []

    def not_a_conflict(cur):
        attempts.append(1)
        raise other

    with pytest.raises(type(other)):
        fresh_db.write(not_a_conflict)
    assert len(attempts) == 1

    def conflict(cur):
        attempts.append(2)
        raise real

    with pytest.raises(Conflict):
        fresh_db.write(conflict, attempts=3)
    assert attempts.count(2) == 3


def test_two_transactions_updating_one_row_at_once_end_in_one_retry_not_a_lost_update(fresh_db):
    fresh_db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('counter', '0')"), bump=False)
    inside, proceed = threading.Event(), threading.Event()
    runs = []

    def slow(cur):
        runs.append("slow")
        value = int(cur.execute("SELECT value FROM settings WHERE key = 'counter'").fetchone()[0])
        inside.set()
        proceed.wait(5)
        cur.execute("UPDATE settings SET value = ? WHERE key = 'counter'", [str(value + 1)])

    def quick(cur):
        value = int(cur.execute("SELECT value FROM settings WHERE key = 'counter'").fetchone()[0])
        cur.execute("UPDATE settings SET value = ? WHERE key = 'counter'", [str(value + 1)])

    thread = threading.Thread(target=fresh_db.write, args=(slow,))
    thread.start()
    inside.wait(5)
    fresh_db.write(quick)  # commits between the slow one's read and its update
    proceed.set()
    thread.join(10)
    with fresh_db.read() as cur:
        assert cur.execute("SELECT value FROM settings WHERE key = 'counter'").fetchone()[0] == "2"
    assert runs == ["slow", "slow"]  # the slow one met the conflict and ran again on the new value


def test_the_data_version_never_goes_backwards(fresh_db, backend, monkeypatch):
    from exchange.storage import duckdb, postgres

    store = postgres if backend == "postgres" else duckdb

    fresh_db.data_version()
    fresh_db._version += 5  # as if another thread committed while this one was reading the old number
    fresh_db._version_read_at = float("-inf")  # the cached number is due to be read again
    expected = fresh_db._version
    assert fresh_db.data_version() == expected
    monkeypatch.setattr(store, "VERSION_TTL", 0.0)
    assert fresh_db.data_version() == expected


def test_seeding_an_existing_taxonomy_is_not_a_change(fresh_db):
    from exchange import taxonomy

    before = fresh_db.data_version()
    assert taxonomy.seed(fresh_db) is False
    assert fresh_db.data_version() == before
