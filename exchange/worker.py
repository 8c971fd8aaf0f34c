"""Delivering domain events from the change log, each exactly once, outside the request path.

A consumer (issue 11's notifications and digests, for example) is a name and a handler. `deliver`
reads the events after the consumer's position and, in one transaction per event, runs the handler
on that transaction's cursor and moves the position past the event: the handler's effect (say, the
notification rows it inserts) and the new position commit together, so an event is never lost
(a failed handler leaves the position where it was, to try again) and never applied twice.

Exactly once holds for the handler's database effects. A handler may run again when its
transaction conflicts and is retried, so anything outside the database (an e-mail) must be sent
by a later step that reads what the handler wrote (an outbox), not by the handler itself. A
failing event holds back the consumer's later events until it succeeds.

Several replicas (issue 13): background work runs once per cluster, not once per replica. A
`Periodic(..., once_per_cluster=True)` runs its task only while this process is the job's leader:
on PostgreSQL it holds a session advisory lock (`pg_try_advisory_lock`, one key per job name) on a
dedicated connection kept open while it leads; a leader that stops, closes or dies (its connection
goes, and the lock with it) is replaced within `LEADER_POLL_SECONDS` by whichever replica takes the
lock next. On DuckDB one process owns the file anyway: every process leads.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
import weakref
from typing import Any, Callable

from exchange.storage import changes

log = logging.getLogger(__name__)
Handler = Callable[[Any, changes.Change], None]  # (cursor of the delivering transaction, the event)
_locks: "weakref.WeakKeyDictionary[Any, dict[str, threading.Lock]]" = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def deliver(db, consumer: str, handler: Handler, *, batch: int = 100) -> int:
    """Apply the handler to every event after the consumer's position (oldest first); return how many.

    A consumer seen for the first time starts from now: it is not sent the whole history.
    """
    with _guard:
        lock = _locks.setdefault(db, {}).setdefault(consumer, threading.Lock())
    delivered = 0
    with lock:  # one delivery per consumer at a time in this process; the position check guards the rest
        while True:
            with db.read() as cur:
                start = changes.position(cur, consumer)
                if start is None:
                    latest = changes.latest(cur)
                else:
                    found = changes.since(cur, start, limit=batch)
            if start is None:
                db.write(lambda cur: changes.advance(cur, consumer, latest), bump=False)
                return 0
            if not found:
                return delivered
            for event in found:
                if event.event is None:
                    continue

                def work(cur, event=event):
                    if changes.position(cur, consumer) >= event.seq:
                        return False  # delivered meanwhile by another process
                    handler(cur, event)
                    changes.advance(cur, consumer, event.seq)
                    return True

                # The handler's rows are data (e.g. notifications): the version moves, as entity "delivered:<name>".
                delivered += bool(db.write(work, entity=f"delivered:{consumer}"))
            db.write(lambda cur: changes.advance(cur, consumer, found[-1].seq), bump=False)


LEADER_POLL_SECONDS = 5.0  # how often a replica that does not lead a job asks whether it may
_KEY_SPACE = b"equity-exchange:leader:"


def leader_key(job: str) -> int:
    """The advisory lock key of a job (a signed 64-bit number from its name, the same in every replica)."""
    return int.from_bytes(hashlib.blake2b(_KEY_SPACE + job.encode(), digest_size=8).digest(), "big", signed=True)


class _LeaderConnection:
    """One dedicated PostgreSQL connection per database and process, holding the advisory locks of the jobs it leads."""

    def __init__(self, url: str):
        self.url = url
        self.con = None
        self.held: set[int] = set()
        self.lock = threading.Lock()

    def _connect(self):
        import psycopg

        # Keepalives: a leader whose machine vanishes (no FIN, no RST) loses its lock within about a minute.
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10, application_name="exchange-leader",
                               keepalives=1, keepalives_idle=15, keepalives_interval=5, keepalives_count=3)

    def lead(self, key: int) -> bool:
        """Take (or confirm) the lock `key`; False while another session holds it or the server is unreachable."""
        with self.lock:
            try:
                if self.con is not None and key in self.held:
                    self.con.execute("SELECT 1")  # still connected, so still holding it
                    return True
                if self.con is None or self.con.closed:
                    self.con, self.held = self._connect(), set()
                if self.con.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
                    self.held.add(key)
                    return True
                return False
            except Exception:  # noqa: BLE001 — connection lost: every lock on it went with it; retry next round
                log.warning("lost the connection that holds background-job leadership; trying again",
                            extra={"event": "leader_connection_lost"})
                self._drop()
                return False

    def resign(self, key: int) -> None:
        """Give up the lock `key` (the connection closes with the last one)."""
        with self.lock:
            if key in self.held and self.con is not None:
                with contextlib.suppress(Exception):
                    self.con.execute("SELECT pg_advisory_unlock(%s)", [key])
            self.held.discard(key)
            if not self.held:
                self._drop()

    def _drop(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.close()
        self.con, self.held = None, set()


_leaders: "weakref.WeakKeyDictionary[Any, _LeaderConnection]" = weakref.WeakKeyDictionary()
_leaders_guard = threading.Lock()


class Leadership:
    """Whether this process runs a once-per-cluster job now (see the module's note); always true on DuckDB."""

    def __init__(self, db, job: str):
        self.job = job
        self.key = leader_key(job)
        url = getattr(db, "url", None)
        self._shared: _LeaderConnection | None = None
        if isinstance(url, str) and url.startswith(("postgresql://", "postgres://")):
            with _leaders_guard:
                self._shared = _leaders.get(db)
                if self._shared is None:
                    self._shared = _leaders[db] = _LeaderConnection(url)
        self.leading = False

    def held(self) -> bool:
        """True when this process leads the job (taking the lock if it is free); logs each change."""
        now = True if self._shared is None else self._shared.lead(self.key)
        if now != self.leading and self._shared is not None:
            log.info("%s background job %s", "leading" if now else "no longer leading", self.job,
                     extra={"event": "leader_taken" if now else "leader_lost", "job": self.job})
        self.leading = now
        return now

    def release(self) -> None:
        """Stop leading (another replica takes the job at its next poll)."""
        if self._shared is not None and self.leading:
            self._shared.resign(self.key)
            log.info("resigned background job %s", self.job, extra={"event": "leader_resigned", "job": self.job})
        self.leading = False


class Periodic(threading.Thread):
    """Runs `task(db)` every `interval` seconds outside the request path, until stopped or the database goes.

    Holds the database weakly (a closed, forgotten database ends the thread); a failing round is logged
    and the next one tries again. With `once_per_cluster`, only the replica that leads the job (its
    name: see `Leadership`) runs it; the others ask every `LEADER_POLL_SECONDS` and one takes over,
    running at once if a round is overdue, when the leader goes.
    """

    def __init__(self, db, name: str, task: Callable[[Any], None], interval: float, *,
                 once_per_cluster: bool = False):
        super().__init__(name=name, daemon=True)
        self._db = weakref.ref(db)
        self.task = task
        self.interval = interval
        self.stopped = threading.Event()
        self.leadership = Leadership(db, name) if once_per_cluster else None

    def run(self) -> None:
        try:
            self._rounds()
        finally:
            if self.leadership is not None:
                self.leadership.release()

    def _rounds(self) -> None:
        due = time.monotonic() + self.interval
        poll = self.interval if self.leadership is None else min(self.interval, LEADER_POLL_SECONDS)
        while not self.stopped.wait(max(0.0, min(poll, due - time.monotonic()))):
            db = self._db()
            if db is None or not db.open:
                return
            if self.leadership is not None and not self.leadership.held():
                del db
                continue  # a follower: the leader runs it; `due` stays, so a takeover runs an overdue round at once
            if time.monotonic() < due:
                del db
                continue
            due = time.monotonic() + self.interval
            try:
                self.task(db)
            except Exception:  # noqa: BLE001 — keep going: what the task derives catches up next round
                if not db.open:
                    return
                log.exception("%s failed", self.name)
            del db


class Worker(Periodic):
    """Runs `deliver` for each consumer every `interval` seconds until stopped."""

    def __init__(self, db, consumers: dict[str, Handler], interval: float = 5.0, *, once_per_cluster: bool = True):
        self.consumers = consumers
        super().__init__(db, "exchange-worker", self._deliver_all, interval, once_per_cluster=once_per_cluster)

    def _deliver_all(self, db) -> None:
        for name, handler in self.consumers.items():
            try:
                deliver(db, name, handler)
            except Exception:  # noqa: BLE001 — the position did not move; the next round retries
                if not db.open:
                    raise
                log.exception("delivering events to %s failed", name)
