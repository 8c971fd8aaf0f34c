"""Is this lesson still current? A yearly question to the posting department, and what readers are told.

A lesson's freshness counts from its *basis*: the later of its publication and its last confirmation.
- Once a year after the basis, `ask_due` records the event "lesson.confirmation_due" for it, exactly once per
  due period (the time of asking is kept; the next question comes a year after the previous due date, or a
  year after a confirmation, whichever the basis says). The inbox and e-mail deliver it (notify11).
- Readers see "Last confirmed <month year>"; unconfirmed for two years, "may be out of date" (still
  findable; Find lessons can hide those); a lesson its department marked historical says so.
- Only the posting department's members confirm a lesson or mark it historical (permission lesson.confirm).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from exchange import clock
from exchange.errors import Conflict, NotFound
from exchange.identity import audit, permissions
from exchange.lessons.form import parse_lesson_id
from exchange.models import User
from exchange.storage import changes
from exchange.storage.duckdb import Database, one

ASK_EVERY_YEARS = 1
STALE_AFTER_YEARS = 2
ASK_BATCH = 1000  # lessons asked about per scan at most: a first scan of an old exchange is drained over several
EVENT = "lesson.confirmation_due"
QUESTION = "Is this lesson still current?"
BASIS = "greatest(l.published_at, coalesce(l.last_confirmed_at, l.published_at))"
NOT_FOUND = "That lesson does not exist or you do not have access to it."


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def stale_cutoff(now: datetime | None = None) -> datetime:
    """A lesson whose basis is before this moment may be out of date."""
    return years_before(now or clock.now(), STALE_AFTER_YEARS)


def cutoff_us(now: datetime | None = None) -> int:
    """stale_cutoff as epoch microseconds (UTC), the unit of the facet index's confirmed column."""
    return (stale_cutoff(now) - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def describe(lesson: dict, now: datetime | None = None) -> dict:
    """What a reader is told: {"state": "current" | "stale" | "historical", "basis": datetime | None, "text": str}.

    `lesson` needs published_at, last_confirmed_at and historical (as lessons.get returns them).
    """
    published, confirmed = lesson.get("published_at"), lesson.get("last_confirmed_at")
    basis = max(d for d in (published, confirmed) if d is not None) if (published or confirmed) else None
    when = f"{basis:%B %Y}" if basis else ""
    if lesson.get("historical"):
        text = "Historical: its department marked this lesson as no longer current; it is kept for the record."
        return {"state": "historical", "basis": basis, "text": text}
    if basis is None:
        return {"state": "current", "basis": None, "text": ""}
    if basis < stale_cutoff(now):
        return {"state": "stale", "basis": basis,
                "text": f"May be out of date: last confirmed {when}, more than {STALE_AFTER_YEARS} years ago."}
    return {"state": "current", "basis": basis, "text": f"Last confirmed {when}"}


def can_confirm(db: Database, user: User, lesson_id) -> bool:
    """True when `user` may confirm this lesson or mark it historical (a member of its department; published)."""
    with db.read() as cur:
        row = _row(cur, lesson_id)
    if row is None or row["status"] != "published":
        return False
    return permissions.allowed(user, "lesson.confirm", permissions.lesson_relations(user, row))


def confirm(db: Database, user: User, lesson_id, *, now: datetime | None = None) -> datetime:
    """The posting department says the lesson is still current (a historical lesson becomes current again)."""
    now = now or clock.now()

    def work(cur):
        row = _for_write(cur, user, lesson_id)
        cur.execute("UPDATE lessons SET last_confirmed_at = ?, historical = FALSE WHERE id = ?", [now, row["id"]])
        audit.record(cur, user, "lesson.confirmed_current", "lesson", row["id"], now=now,
                     detail="was historical" if row["historical"] else "")
        changes.record(cur, "lesson", row["id"])
        return now

    return db.write(work)


def mark_historical(db: Database, user: User, lesson_id, *, now: datetime | None = None) -> None:
    """The posting department says the lesson is no longer current: it stays readable, marked historical."""
    now = now or clock.now()

    def work(cur):
        row = _for_write(cur, user, lesson_id)
        if row["historical"]:
            return  # twice is once
        cur.execute("UPDATE lessons SET historical = TRUE WHERE id = ?", [row["id"]])
        audit.record(cur, user, "lesson.marked_historical", "lesson", row["id"], now=now)
        changes.record(cur, "lesson", row["id"])

    db.write(work)


def ask_due(db: Database, *, now: datetime | None = None, limit: int = ASK_BATCH) -> int:
    """Record "lesson.confirmation_due" once for every published lesson whose yearly question is due; return how many.

    Due: at least a year since the basis, and not asked since the latest yearly anniversary of the basis.
    Marking and recording happen in one transaction, so two scans at once ask each lesson once.
    """
    now = now or clock.now()

    def work(cur):
        found = cur.execute(f"""
            UPDATE lessons SET confirmation_asked_at = $now
            WHERE id IN (
                SELECT l.id FROM lessons l
                WHERE l.status = 'published' AND NOT l.hidden AND NOT coalesce(l.historical, FALSE)
                  AND l.published_at IS NOT NULL
                  AND date_sub('year', {BASIS}, $now) >= {ASK_EVERY_YEARS}
                  AND (l.confirmation_asked_at IS NULL OR l.confirmation_asked_at
                       < {BASIS} + to_years(CAST(date_sub('year', {BASIS}, $now) AS INTEGER)))
                ORDER BY l.id LIMIT $limit)
            RETURNING id, department_id""", {"now": now, "limit": int(limit)}).fetchall()
        for lesson_id, department_id in found:
            changes.record(cur, "lesson", lesson_id, event=EVENT,
                           payload={"lesson_id": lesson_id, "department_id": department_id})
        return len(found)

    return db.write(work, bump=False)


# --- internals -------------------------------------------------------------------------

def _row(cur, lesson_id) -> dict | None:
    try:
        lid = parse_lesson_id(lesson_id)
    except NotFound:
        return None
    return one(cur, "SELECT l.id, l.status, l.visibility, l.hidden, l.anonymous, l.department_id, "
                    "coalesce(l.historical, FALSE) AS historical, s.hhs_region FROM lessons l "
                    "JOIN departments d ON d.id = l.department_id JOIN states s ON s.code = d.state_code "
                    "WHERE l.id = ?", [lid])


def _for_write(cur, user: User, lesson_id) -> dict:
    row = _row(cur, lesson_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    rels = permissions.lesson_relations(user, row)
    permissions.require(user, "lesson.read", rels, hide=True)
    permissions.require(user, "lesson.confirm", rels)
    if row["status"] != "published":
        raise Conflict("Only a published lesson can be confirmed as current or marked historical.")
    return row
