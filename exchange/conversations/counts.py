"""Endorsement counts for cards, the "most helpful" sort and the small boost they give search ranking.

Counts say how many departments endorsed a lesson and nothing about which, so they are the same for every
reader. They are read fresh for the cards on a page (one small query), never kept in the card cache, and
for sorting and ranking kept per data version (`totals`).
"""

from __future__ import annotations

import math

import numpy as np

from exchange.kernel.cache import VersionedCache
from exchange.storage.duckdb import Database

ZERO = {"helped": 0, "adapted": 0}
BOOST_MAX = 0.08          # endorsements raise a search score by at most 8 %
BOOST_SATURATES_AT = 20   # ... reached at this many endorsing departments (the first ones count most)
_totals = VersionedCache("endorsement_totals", maxsize=4)


def lesson_counts(cur, ids: list[int]) -> dict[int, dict[str, int]]:
    """{lesson id: {"helped": n, "adapted": n}} for the lessons that have active endorsements."""
    if not ids:
        return {}
    found = cur.execute("""SELECT lesson_id, count(*) FILTER (WHERE kind = 'helped'), count(*) FILTER (WHERE kind = 'adapted')
                           FROM endorsements WHERE withdrawn_at IS NULL AND lesson_id IN (SELECT unnest(?::INTEGER[]))
                           GROUP BY 1""", [list(ids)]).fetchall()
    return {lesson_id: {"helped": helped, "adapted": adapted} for lesson_id, helped, adapted in found}


def attach(cur, cards: list[dict]) -> None:
    """Add `helped` and `adapted` counts to each card."""
    found = lesson_counts(cur, [card["id"] for card in cards])
    for card in cards:
        card.update(found.get(card["id"], ZERO))


def totals(db: Database) -> tuple[np.ndarray, np.ndarray]:
    """(lesson ids, endorsing departments) for every endorsed lesson, at the current data version."""
    def compute():
        with db.read() as cur:
            found = cur.execute("SELECT lesson_id, count(*) FROM endorsements WHERE withdrawn_at IS NULL "
                                "GROUP BY 1 ORDER BY 1").fetchall()
        return (np.array([r[0] for r in found], dtype=np.int64), np.array([r[1] for r in found], dtype=np.float64))
    return _totals.get(db, "all", compute)


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
