"""Serialising rows: make a check-then-write rule atomic under DuckDB's optimistic concurrency.

A limit counted in one transaction and recorded in another lets parallel requests all pass
(20 of 20 submissions went through a limit of 10). Every write governed by a rule first
updates one counter row for the rule's subject (a user, a lesson) in the same transaction,
before it reads what the rule counts. Two such transactions cannot both commit: DuckDB raises
a conflict in the second, `Database.write` retries it, and the retry reads the first one's rows.

Inside one process a striped lock per subject also queues such writes before they start, so a
burst (a double-click sending one form ten times) waits its turn instead of exhausting the
retries; the counter row is what keeps the rule across processes (the CLI, a second replica).
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime
from typing import Callable, TypeVar

import duckdb

from exchange.storage.duckdb import Database

T = TypeVar("T")

SCOPES = ("user_lessons", "user_reports", "lesson_reports", "department_practice",
          "user_questions", "question_threads", "conversation_reports",  # these three: exchange.conversations
          "user_follows")  # exchange.notify.follows
ATTEMPTS = 8  # a conflict from another process is retried this often (Database.write backs off)
_STRIPES = [threading.Lock() for _ in range(64)]


def claim(cur: duckdb.DuckDBPyConnection, scope: str, subject_id: int, now: datetime) -> None:
    """Update the counter row of (scope, subject) in this transaction; call it before reading what the rule counts."""
    if scope not in SCOPES:
        raise ValueError(f"unknown serial scope {scope!r}")
    cur.execute(
        """INSERT INTO serial_counters (scope, subject_id, hits, touched_at) VALUES (?, ?, 1, ?)
           ON CONFLICT (scope, subject_id) DO UPDATE SET hits = serial_counters.hits + 1, touched_at = excluded.touched_at""",
        [scope, int(subject_id), now],
    )


def write(db: Database, subjects: list[tuple[str, int]], work: Callable[[duckdb.DuckDBPyConnection], T],
          now: datetime, *, entity: str | None = None) -> T:
    """Run `work` in one transaction that first claims every (scope, subject) row, one writer per subject at a time;
    `entity`: the kind of thing changed when the work records nothing itself (as `Database.write`)."""
    keys = sorted({(scope, int(subject)) for scope, subject in subjects})
    stripes = sorted({hash(key) % len(_STRIPES) for key in keys})  # a fixed order: no two writers deadlock

    def claimed(cur):
        for scope, subject in keys:
            claim(cur, scope, subject, now)
        return work(cur)

    with contextlib.ExitStack() as held:
        for index in stripes:
            held.enter_context(_STRIPES[index])
        return db.write(claimed, attempts=ATTEMPTS, entity=entity)
