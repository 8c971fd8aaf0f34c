"""Endorsement counts for cards, the "most helpful" sort and the small boost they give search ranking.

Counts say how many departments endorsed a lesson and nothing about which, so they are the same for every
reader. They are kept in memory per database (a few arrays over the endorsed lessons) and follow the change
log: an endorsement change recounts only its lesson, a change the log cannot name recounts all, and any other
change costs nothing but reading the log. A page of cards then reads no statement for its counts.
The lesson page reads its own lesson's counts fresh (`lesson_counts`).
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from exchange.discovery import feed
from exchange.storage import changes
from exchange.storage.duckdb import Database

ZERO = {"helped": 0, "adapted": 0}
BOOST_MAX = 0.08          # endorsements raise a search score by at most 8 %
BOOST_SATURATES_AT = 20   # ... reached at this many endorsing departments (the first ones count most)
RECOUNT_ALL_AT = 500      # endorsement changes in one catch-up above which every lesson is recounted
_COUNTS = """SELECT lesson_id, count(*) FILTER (WHERE kind = 'helped'), count(*) FILTER (WHERE kind = 'adapted'),
                    count(*)
             FROM endorsements WHERE withdrawn_at IS NULL {only} GROUP BY 1 ORDER BY 1"""


@dataclass(frozen=True)
class Tally:
    """Active endorsements per endorsed lesson at one change-log sequence (ids sorted)."""

    version: int
    ids: np.ndarray
    helped: np.ndarray
    adapted: np.ndarray
    total: np.ndarray      # endorsing departments (every kind)

    def of(self, ids) -> dict[int, dict[str, int]]:
        """{lesson id: {"helped": n, "adapted": n}} for those of `ids` that have active endorsements."""
        ids = np.asarray(list(ids), np.int64)
        if not len(self.ids) or not len(ids):
            return {}
        where = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        hit = self.ids[where] == ids
        return {int(i): {"helped": int(h), "adapted": int(a)}
                for i, h, a in zip(ids[hit], self.helped[where[hit]], self.adapted[where[hit]])}


_tallies: "weakref.WeakKeyDictionary[Database, Tally]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_EMPTY = np.zeros(0, np.int64)


def _tally(version: int, found: list[tuple]) -> Tally:
    columns = [np.array([row[k] for row in found], dtype=np.int64) for k in range(4)] if found else [_EMPTY] * 4
    return Tally(version, *columns)


def current(db: Database) -> Tally:
    """The counts at the current data version (caught up from the change log)."""
    version = db.data_version()
    tally = _tallies.get(db)
    if tally is not None and tally.version >= version:
        return tally
    with _lock:
        tally = _tallies.get(db)
        if tally is None or tally.version < version:
            tally = _tallies[db] = _advance(db, tally, version)
    return tally


def _advance(db: Database, tally: Tally | None, version: int) -> Tally:
    # A recount is idempotent, so the log and the counts need not come from one snapshot: a change committed
    # between the two reads is counted now and recounted (to the same numbers) on the next catch-up.
    if tally is not None:
        found, reached = feed.since(db, tally.version, ("endorsement",))  # the log read once for every view
        if not found:
            return Tally(reached, tally.ids, tally.helped, tally.adapted, tally.total)
    with db.read() as cur:
        if tally is None:
            return _tally(version, cur.execute(_COUNTS.format(only="")).fetchall())
        named = {c.entity_id for c in found if c.entity == "endorsement" and c.entity_id is not None}
        if any(c.entity == changes.ANYTHING or c.entity_id is None for c in found) or len(named) > RECOUNT_ALL_AT:
            return _tally(reached, cur.execute(_COUNTS.format(only="")).fetchall())
        touched = cur.execute("SELECT DISTINCT lesson_id FROM endorsements WHERE id IN (SELECT unnest(?::INTEGER[]))",
                              [sorted(named)]).fetchall()
        lessons = sorted(r[0] for r in touched)
        fresh = cur.execute(_COUNTS.format(only="AND lesson_id IN (SELECT unnest(?::INTEGER[]))"), [lessons]).fetchall() \
            if lessons else []
    keep = ~np.isin(tally.ids, np.asarray(lessons, np.int64))
    rows = list(zip(*(column[keep].tolist() for column in (tally.ids, tally.helped, tally.adapted, tally.total))))
    return _tally(reached, sorted(rows + [tuple(r) for r in fresh]))


def lesson_counts(cur, ids: list[int]) -> dict[int, dict[str, int]]:
    """{lesson id: {"helped": n, "adapted": n}} for the lessons that have active endorsements, read now."""
    if not ids:
        return {}
    found = cur.execute(_COUNTS.format(only="AND lesson_id IN (SELECT unnest(?::INTEGER[]))"), [list(ids)]).fetchall()
    return {lesson_id: {"helped": helped, "adapted": adapted} for lesson_id, helped, adapted, _ in found}


def attach(db: Database, cards: list[dict]) -> None:
    """Add `helped` and `adapted` counts to each card (from the counts in memory: no statement)."""
    found = current(db).of(card["id"] for card in cards) if cards else {}
    for card in cards:
        card.update(found.get(card["id"], ZERO))


def totals(db: Database) -> tuple[np.ndarray, np.ndarray]:
    """(lesson ids, endorsing departments) for every endorsed lesson, at the current data version."""
    tally = current(db)
    return tally.ids, tally.total.astype(np.float64)


def boost(n: np.ndarray | float) -> np.ndarray | float:
    """The factor a search score is multiplied by for `n` endorsements: 1, rising to 1 + BOOST_MAX (log-shaped)."""
    capped = np.minimum(np.asarray(n, dtype=np.float64), BOOST_SATURATES_AT)
    return 1.0 + BOOST_MAX * np.log1p(capped) / math.log1p(BOOST_SATURATES_AT)


def boosted(db: Database, ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Search scores of `ids` with the endorsement boost applied."""
    endorsed, n = totals(db)
    if not len(endorsed) or not len(ids):
        return scores
    where = np.minimum(np.searchsorted(endorsed, ids), len(endorsed) - 1)
    have = np.where(endorsed[where] == ids, n[where], 0.0)
    return scores * boost(have)


def clear() -> None:
    """Forget every database's counts (the benchmark times cold reads)."""
    with _lock:
        _tallies.clear()
