"""The quarterly table: each (department, practice) pair's stage at every quarter's end, kept current from the change log.

The trend (and the movement views) used to spread every assessment over the quarters it held with
a window and `range` at query time: ~150 ms at national scale. `adoption_quarters` holds that
spread once (migration 0013), so the trend is a filtered group-by (~35 ms). It is derived data:

- `current(db, needed)` brings it up to date before a read: a new assessment (change entity
  "assessment" with its id) rewrites only its department's rows; anything vaguer (entity "data",
  an assessment without id or one since deleted) or a quarter beyond the horizon rebuilds it whole.
  The catch-up is its own write that does not move the data version (it changes nothing anyone sees).
- Its position in the change log is the change_consumers row "adoption.quarters", advanced in the
  same transaction as the rows, so a crash leaves it consistent.

A pair's stage at a quarter's end is its latest assessment dated on or before that end (ties: the
later save). The table counts whole quarters, so a view whose last day is before its quarter's end
(today, mid-quarter) is exact only if nothing is dated between that day and the quarter's end:
`exact_for` checks, and the caller falls back to the spreading query otherwise.
"""

from __future__ import annotations

import threading
import weakref
from datetime import date

from exchange import clock
from exchange.adoption.quarters import quarter_bounds, quarter_of
from exchange.storage import changes
from exchange.storage.duckdb import Database

CONSUMER = "adoption.quarters"
WATCHED = ("assessment",)  # departments' attributes and practices' active flag are joined at query time

# Quarter number of a date: year * 4 + (calendar quarter - 1).
_Q = "(year({d}) * 4 + quarter({d}) - 1)"
_SPREAD = f"""INSERT INTO adoption_quarters
    WITH records AS (
        SELECT department_id, practice_id, stage, {_Q.format(d="as_of")} AS q,
               lead({_Q.format(d="as_of")}) OVER (PARTITION BY department_id, practice_id ORDER BY as_of, id) AS next_q
        FROM assessments WHERE {{where}}
    )
    SELECT department_id, practice_id, unnest(range(q, least(coalesce(next_q, $horizon + 1), $horizon + 1))) AS quarter,
           stage
    FROM records ORDER BY quarter, department_id"""

_lock = threading.Lock()
_reached: "weakref.WeakKeyDictionary[Database, tuple[int, int]]" = weakref.WeakKeyDictionary()  # (seq, horizon)


def number(day: date) -> int:
    """The quarter number of a date (year * 4 + quarter - 1), as `adoption_quarters.quarter` counts."""
    return day.year * 4 + (day.month - 1) // 3


def current(db: Database, needed: int | None = None) -> int:
    """Bring the table up to the current data version, covering quarter number `needed`; return its horizon."""
    needed = max(needed or 0, number(clock.today()))
    reached = _reached.get(db)
    if reached is not None and reached[0] >= db.data_version() and reached[1] >= needed:
        return reached[1]
    with _lock:
        reached = db.write(lambda cur: _catch_up(cur, needed), bump=False)
        _reached[db] = reached
    return reached[1]


def _catch_up(cur, needed: int) -> tuple[int, int]:
    """Inside one transaction: apply the change log since the table's position; return (seq, horizon)."""
    seq = changes.latest(cur)  # this transaction's snapshot: its assessments and its change log agree
    position = changes.position(cur, CONSUMER)
    horizon = cur.execute("SELECT max(quarter) FROM adoption_quarters").fetchone()[0]
    if position is None or horizon is None or horizon < needed:
        _rebuild(cur, max(needed, horizon or 0))
    elif position < seq:
        departments = _departments_changed(cur, changes.since(cur, position, entities=WATCHED))
        if departments is None:
            _rebuild(cur, horizon)
        elif departments:
            chosen = {"ids": sorted(departments)}
            cur.execute("DELETE FROM adoption_quarters WHERE department_id IN (SELECT unnest($ids::INTEGER[]))", chosen)
            cur.execute(_SPREAD.format(where="department_id IN (SELECT unnest($ids::INTEGER[]))"),
                        {**chosen, "horizon": horizon})
    changes.advance(cur, CONSUMER, seq)
    return seq, cur.execute("SELECT coalesce(max(quarter), $h) FROM adoption_quarters",
                            {"h": max(needed, horizon or 0)}).fetchone()[0]


def _departments_changed(cur, found: list) -> set[int] | None:
    """The departments whose assessments these changes touched; None when only a rebuild can say."""
    if any(c.entity != "assessment" or c.entity_id is None for c in found):
        return None
    ids = sorted({c.entity_id for c in found})
    if not ids:
        return set()
    hits = cur.execute("SELECT DISTINCT id, department_id FROM assessments WHERE id IN (SELECT unnest($ids::BIGINT[]))",
                       {"ids": ids}).fetchall()
    return {d for _, d in hits} if len(hits) == len(ids) else None  # a deleted record: whose was it?


def _rebuild(cur, horizon: int) -> None:
    cur.execute("DELETE FROM adoption_quarters")
    cur.execute(_SPREAD.format(where="true"), {"horizon": horizon})


def exact_for(db: Database, as_of: date) -> bool:
    """True when quarter numbers alone give every stage as of `as_of`: nothing is dated after it in its quarter."""
    end = quarter_bounds(quarter_of(as_of))[1]
    if as_of >= end:
        return True
    with db.read() as cur:
        return not cur.execute("SELECT count(*) FROM assessments WHERE as_of > $a AND as_of <= $e",
                               {"a": as_of, "e": end}).fetchone()[0]


def reset(db: Database) -> None:
    """Forget what this process knows of the table (tests; the next read checks the change log again)."""
    _reached.pop(db, None)
