"""The append-only audit log of security-relevant events.

`record` is the only way in; there is deliberately no function that updates or deletes an
entry. It works inside a caller's transaction (pass the cursor, so the entry commits or
rolls back with the change it describes) or on its own (pass the Database).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

import duckdb

from exchange import clock
from exchange.kernel import limits
from exchange.identity import permissions
from exchange.storage import Store
from exchange.storage.duckdb import Database, rows, scalar
from exchange.errors import InvalidInput
from exchange.models import User
from exchange.kernel.text import field

MAX_DETAIL = 2000
PER_PAGE = 50
# Keys a structured detail may never carry: a secret must never reach the log.
_SECRET_WORDS = ("password", "secret", "token", "hash")


def record(
    target: Database | duckdb.DuckDBPyConnection,
    actor: User | None,
    event: str,
    subject_type: str | None = None,
    subject_id: Any = None,
    success: bool = True,
    detail: str | Mapping[str, Any] = "",
    *,
    actor_email: str | None = None,
    now: datetime | None = None,
) -> None:
    """Append one entry, in the caller's transaction (cursor) or its own (Database)."""
    if not event or not event.replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"audit event names are identifiers, not {event!r}")
    values = [
        now or clock.now(),
        actor.id if actor is not None else None,
        actor_email if actor_email is not None else (actor.email if actor is not None and actor.email else None),
        event,
        subject_type,
        None if subject_id is None else str(subject_id),
        bool(success),
        _detail_text(detail),
    ]
    sql = """INSERT INTO audit_log (occurred_at, actor_id, actor_email, event, subject_type, subject_id, success, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
    if isinstance(target, Store):  # the DuckDB file or PostgreSQL (issue 13), not a cursor
        # Not a data change: no cache or search index depends on the log.
        target.write(lambda cur: cur.execute(sql, values), bump=False)
    else:
        target.execute(sql, values)


def change(old: Any, new: Any) -> str:
    """The conventional 'old → new' detail text."""
    return f"{_plain(old)} → {_plain(new)}"


def _plain(value: Any) -> str:
    if value is None or value == "" or value == ():
        return "none"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in sorted(value)) or "none"
    return str(value)


def _detail_text(detail: str | Mapping[str, Any]) -> str:
    if isinstance(detail, Mapping):
        for key in detail:
            if any(word in str(key).lower() for word in _SECRET_WORDS):
                raise ValueError(f"audit detail may not carry {key!r}: secrets never go in the log")
        detail = "; ".join(f"{k}: {_plain(v)}" for k, v in detail.items())
    text = str(detail or "")
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def events(db: Database, user: User) -> list[str]:
    """The distinct event names in the log (for the filter); administrators only.

    Not audited: it shows no entry, and `search`, which does, records every reading.
    """
    permissions.require(user, "audit.read")
    with db.read() as cur:
        return [r[0] for r in cur.execute("SELECT DISTINCT event FROM audit_log ORDER BY event").fetchall()]


def search(
    db: Database,
    user: User,
    *,
    event: str | None = None,
    actor: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    success: bool | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[dict], int]:
    """One page of entries, newest first, and the total count; administrators only (each call is audited)."""
    permissions.require(user, "audit.read")
    errors = {}
    texts = {}
    for name, value in (("event", event), ("actor", actor), ("subject_type", subject_type), ("subject_id", subject_id)):
        if isinstance(value, int) and not isinstance(value, bool) and name == "subject_id":
            value = str(value)
        try:
            texts[name] = field(value, name, limits.AUDIT_FILTER)
        except InvalidInput as exc:
            errors.update(exc.errors)
    event, actor, subject_type, subject_id = (texts.get(k) for k in ("event", "actor", "subject_type", "subject_id"))
    for name, value in (("since", since), ("until", until)):
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            errors[name] = "Give a date."
    if errors:
        raise InvalidInput(errors)
    if since and until and since > until:
        errors["until"] = "The end date is before the start date."
    if not isinstance(page, int) or page < 1:
        errors["page"] = "Pages are numbered from 1."
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 500:
        errors["per_page"] = "Show between 1 and 500 entries per page."
    if errors:
        raise InvalidInput(errors)
    where, params = ["TRUE"], []
    if event:
        where.append("event = ?")
        params.append(event)
    if actor:
        where.append("(contains(lower(actor_email), lower(?)) OR CAST(actor_id AS VARCHAR) = ?)")
        params += [actor.strip(), actor.strip()]
    if subject_type:
        where.append("subject_type = ?")
        params.append(subject_type)
    if subject_id is not None and subject_id != "":
        where.append("subject_id = ?")
        params.append(str(subject_id))
    if success is not None:
        where.append("success = ?")
        params.append(success)
    if since:
        where.append("occurred_at >= ?")
        params.append(datetime.combine(since, time.min))
    if until:
        where.append("occurred_at < ?")
        params.append(datetime.combine(until + timedelta(days=1), time.min))
    condition = " AND ".join(where)
    with db.read() as cur:
        total = scalar(cur, f"SELECT count(*) FROM audit_log WHERE {condition}", params)
        found = rows(
            cur,
            f"""SELECT id, occurred_at, actor_id, actor_email, event, subject_type, subject_id, success, detail
                FROM audit_log WHERE {condition} ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?""",
            params + [per_page, (page - 1) * per_page],
        )
    # Reading the log is itself audited (after the query, so a page never lists its own reading).
    looked_for = {"event": event, "actor": actor, "subject_type": subject_type, "subject_id": subject_id,
                  "success": success, "since": since, "until": until}
    record(db, user, "audit_read", "audit_log", None,
           detail={**{k: v for k, v in looked_for.items() if v is not None and v != ""}, "page": page})
    return found, total

