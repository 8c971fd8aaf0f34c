"""Background work once per cluster (issue 13.2): two stores on one PostgreSQL database, one runs the job;
when the leader goes (closed, or its connection killed), the other takes over. On DuckDB every process leads."""

from __future__ import annotations

import threading
import time

import pytest

from exchange import worker
from exchange.storage.postgres import PostgresDatabase


@pytest.fixture
def two_replicas(pg_server, pg_template):
    """Two PostgresDatabase objects on one database: what two replicas of the app hold."""
    name = f"leader_{time.monotonic_ns()}"
    url = pg_server.create_database(name, template=pg_template)
    a, b = PostgresDatabase(url, max_size=2), PostgresDatabase(url, max_size=2)
    yield a, b
    for db in (a, b):
        db.close()
    pg_server.drop_database(name)


def _counting(runs: list, who: str):
    lock = threading.Lock()

    def task(_db):
        with lock:
            runs.append(who)

    return task


def _wait(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def fast_poll(monkeypatch):
    monkeypatch.setattr(worker, "LEADER_POLL_SECONDS", 0.05)


def test_only_one_replica_runs_a_once_per_cluster_job_and_the_other_takes_over_when_it_closes(two_replicas, fast_poll):
    a, b = two_replicas
    runs: list[str] = []
    threads = [worker.Periodic(db, "test-digest", _counting(runs, who), 0.05, once_per_cluster=True)
               for db, who in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    try:
        assert _wait(lambda: len(runs) >= 10)
        time.sleep(0.3)
        assert len(set(runs)) == 1, runs  # exactly one replica ran it
        leader = runs[0]
        leading_db, other = (a, b) if leader == "a" else (b, a)
        led = len(runs)
        leading_db.close()  # the leader stops (as a replica shutting down does): its thread ends and resigns
        assert _wait(lambda: runs[-1] != leader), "the other replica never took over"
        follower = runs[-1]
        assert _wait(lambda: runs.count(follower) >= 5)
        assert leader not in runs[led + 1:]  # at most one round of the old leader in flight after it closed
    finally:
        for t in threads:
            t.stopped.set()
        for t in threads:
            t.join(5)
    assert not any(t.is_alive() for t in threads)


def test_a_leader_whose_connection_dies_loses_the_job_to_the_other_replica(two_replicas, pg_server, fast_poll):
    a, b = two_replicas
    first, second = worker.Leadership(a, "test-backups"), worker.Leadership(b, "test-backups")
    assert first.held() and not second.held()
    assert first.held() and not second.held()  # confirmed, not taken twice
    # kill -9 of the leader replica, as PostgreSQL sees it: its session ends.
    pg_server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                      "'exchange-leader' AND pid <> pg_backend_pid()")
    assert _wait(lambda: second.held(), 5)
    assert not first.held()  # it notices and does not run the job beside the new leader
    second.release()
    assert _wait(lambda: first.held(), 5)
    first.release()


def test_each_job_has_its_own_lock_so_jobs_spread_over_replicas(two_replicas):
    a, b = two_replicas
    mail_a, mail_b = worker.Leadership(a, "test-mail"), worker.Leadership(b, "test-mail")
    backup_b = worker.Leadership(b, "test-backup")
    assert mail_a.held() and backup_b.held() and not mail_b.held()
    assert worker.leader_key("test-mail") == worker.leader_key("test-mail") != worker.leader_key("test-backup")
    for held in (mail_a, backup_b):
        held.release()


def test_on_duckdb_every_process_leads_and_the_job_runs_on_schedule(fresh_db):
    runs: list[str] = []
    thread = worker.Periodic(fresh_db, "test-digest", _counting(runs, "only"), 0.05, once_per_cluster=True)
    thread.start()
    try:
        assert worker.Leadership(fresh_db, "test-digest").held()
        assert _wait(lambda: len(runs) >= 3)
    finally:
        thread.stopped.set()
        thread.join(5)


def test_the_notification_mail_reminder_and_backup_threads_are_once_per_cluster(fresh_db):
    from exchange.notify import runner
    from exchange.transfer import backup_jobs

    runner.start(fresh_db)
    try:
        threads = runner._running[fresh_db]
        assert [t.name for t in threads] == ["exchange-worker", "exchange-mail-sender", "exchange-reminders"]
        assert all(t.leadership is not None for t in threads)
    finally:
        runner.stop(fresh_db)
    assert backup_jobs.BackupThread(fresh_db).leadership is not None
