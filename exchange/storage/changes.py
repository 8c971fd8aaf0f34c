"""The change log: what changed, in commit order, for every derived view and worker to catch up on.

A unit of work says what it changed with `record(cur, entity, id)` (and, for a domain event that
someone is notified about, `event=` and `payload=`). `Database.write` appends those rows to the
`changes` table just before its COMMIT, numbering them in commit order; a data-changing write
that recorded nothing appends one `('data', None)` row, which derived views treat as "anything
may have changed". The data version is the newest sequence number.

A derived view (facet index, search index, cached aggregates) remembers the sequence it reflects
and asks `since(cur, seq)` for what to apply; a worker that must act on each event exactly once
keeps its position in `change_consumers` and advances it in the same transaction as its effect
(`advance`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Iterable

ANYTHING = "data"  # entity of a change that did not say what it touched

_pending: dict[int, list[tuple]] = {}  # id(cursor) -> changes its unit of work recorded, not yet written
_pending_lock = threading.Lock()


@dataclass(frozen=True)
class Change:
    """One row of the change log."""

    seq: int
    entity: str
    entity_id: int | None
    event: str | None
    payload: dict | None


def record(cur: Any, entity: str, entity_id: int | None = None, *, event: str | None = None,
           payload: dict | None = None) -> None:
    """Note, inside a unit of work, that `entity` `entity_id` changed (written with the commit)."""
    with _pending_lock:
        _pending.setdefault(id(cur), []).append(
            (entity, entity_id, event, json.dumps(payload, sort_keys=True) if payload is not None else None))


def take(cur: Any) -> list[tuple]:
    """The changes recorded on this cursor's unit of work (and forget them)."""
    with _pending_lock:
        return _pending.pop(id(cur), [])


def latest(cur: Any) -> int:
    """The newest sequence number: the data version."""
    return cur.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]


def since(cur: Any, seq: int, *, entities: Iterable[str] | None = None, limit: int | None = None) -> list[Change]:
    """Changes after `seq`, oldest first (only those entities, if given)."""
    sql = "SELECT seq, entity, entity_id, event, payload FROM changes WHERE seq > ?"
    params: list = [seq]
    if entities is not None:
        sql += " AND entity IN (SELECT unnest(?::VARCHAR[]))"
        params.append(sorted(set(entities) | {ANYTHING}))
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Change(s, e, i, ev, json.loads(p) if p is not None else None)
            for s, e, i, ev, p in cur.execute(sql, params).fetchall()]


def position(cur: Any, consumer: str) -> int | None:
    """Where a consumer is in the log (None: it has never run)."""
    row = cur.execute("SELECT seq FROM change_consumers WHERE name = ?", [consumer]).fetchone()
    return row[0] if row else None


def advance(cur: Any, consumer: str, seq: int) -> None:
    """Move a consumer's position forward to `seq` (inside the transaction that applied the changes); never back."""
    cur.execute("""INSERT INTO change_consumers VALUES (?, ?, current_timestamp AT TIME ZONE 'UTC')
                   ON CONFLICT (name) DO UPDATE SET seq = greatest(change_consumers.seq, excluded.seq),
                                                    updated_at = excluded.updated_at""",
                [consumer, seq])
