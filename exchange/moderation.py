"""Review before publishing, reports from members, and the limits that keep both fair.

Nothing is ever hard-deleted: rejected and hidden lessons are kept with who decided, when and why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import audit, clock, permissions
from .anonymity import LESSON_FACTS, viewer_department
from .db import Database, one, rows, scalar
from .errors import Conflict, InvalidInput, NotFound, RateLimited
from .lesson_form import parse_lesson_id as _lesson_id
from .models import User
from .text import clean

DEFAULT_REVIEW_THRESHOLD = 3  # a department's first N lessons always need review; 0 = always review
SUBMISSIONS_PER_HOUR = 10
DUPLICATE_WINDOW = timedelta(minutes=5)
REPORTS_TO_HIDE = 3
REPORTS_PER_DAY = 20
MAX_REASON_CHARS = 1000


def review_threshold(cur) -> int:
    """The setting: how many of a department's first lessons need review (0 means every lesson)."""
    value = scalar(cur, "SELECT value FROM settings WHERE key = 'review_threshold'")
    return int(value) if value is not None else DEFAULT_REVIEW_THRESHOLD


def set_review_threshold(db: Database, user: User, value: int) -> None:
    """Change the review threshold (administrators)."""
    permissions.require(user, "settings.edit")
    if not isinstance(value, int) or value < 0 or value > 100:
        raise InvalidInput("Give a whole number from 0 to 100.", "review_threshold")

    def work(cur):
        cur.execute("INSERT OR REPLACE INTO settings VALUES ('review_threshold', ?)", [str(value)])
        audit.record(cur, user, "setting_changed", "setting", "review_threshold", detail=f"review_threshold={value}")

    db.write(work)


def needs_review(cur, department_id: int) -> bool:
    """True while the department has had fewer than the threshold of lessons published (or always, at 0)."""
    threshold = review_threshold(cur)
    if threshold == 0:
        return True
    published = scalar(cur, "SELECT count(*) FROM lessons WHERE department_id = ? AND published_at IS NOT NULL",
                       [department_id])
    return published < threshold


def check_submission_allowed(cur, user: User, lesson: dict, now: datetime) -> None:
    """Refuse a submission over the hourly limit, or identical to one made in the last few minutes."""
    recent = scalar(cur, "SELECT count(*) FROM audit_log WHERE actor_id = ? AND event = 'lesson_submitted' AND occurred_at > ?",
                    [user.id, now - timedelta(hours=1)])
    if recent >= SUBMISSIONS_PER_HOUR:
        oldest = scalar(cur, "SELECT min(occurred_at) FROM audit_log WHERE actor_id = ? AND event = 'lesson_submitted' "
                             "AND occurred_at > ?", [user.id, now - timedelta(hours=1)])
        retry = (oldest + timedelta(hours=1)).strftime("%H:%M UTC")
        raise RateLimited(f"You have submitted {SUBMISSIONS_PER_HOUR} lessons in the last hour. Try again at {retry}.")
    twin = scalar(cur, """SELECT id FROM lessons WHERE author_id = ? AND id <> ? AND submitted_at > ?
                          AND title = ? AND summary = ? AND what_we_did = ? LIMIT 1""",
                  [user.id, lesson["id"], now - DUPLICATE_WINDOW, lesson["title"], lesson["summary"], lesson["what_we_did"]])
    if twin:
        raise Conflict(f"You submitted an identical lesson (#{twin}) a few minutes ago; it is already on its way.")


def record_submission(cur, user: User, lesson_id: int, status: str, now: datetime) -> None:
    """Audit a submission (also what the hourly limit counts)."""
    audit.record(cur, user, "lesson_submitted", "lesson", lesson_id, detail=f"status={status}", now=now)


def queue(db: Database, user: User) -> list[dict]:
    """Lessons waiting for this reviewer: submitted, or hidden after reports, from their regions."""
    permissions.require(user, "lesson.review_queue")
    regions = list(range(1, 11)) if user.is_admin else list(user.regions)
    with db.read() as cur:
        found = rows(cur, f"""
            WITH {LESSON_FACTS}
            SELECT f.id, f.title, f.kind, f.summary, f.status, f.hidden, f.anonymous, f.visibility, f.submitted_at,
                   f.department_name, f.state_code, f.hhs_region, f.jurisdiction_type, f.true_region, f.revision,
                   (SELECT count(*) FROM lesson_reports r WHERE r.lesson_id = f.id AND r.resolved_at IS NULL) AS open_reports
            FROM lesson_facts f
            WHERE (f.status = 'submitted' OR (f.status = 'published' AND f.hidden))
              AND f.true_region IN (SELECT unnest($regions))
            ORDER BY f.submitted_at NULLS LAST, f.id""",
                     {"viewer_department": viewer_department(user), "regions": regions})
    allowed = []
    for lesson in found:
        if permissions.allowed(user, "lesson.review", permissions.lesson_relations(user, {**lesson, "hhs_region": lesson["true_region"], "department_id": None})):
            lesson.pop("true_region")
            allowed.append(lesson)
    return allowed


def decide(db: Database, user: User, lesson_id: int, decision: str, reason: str = "", *,
           now: datetime | None = None) -> str:
    """Publish or reject a submitted lesson, or restore/reject a hidden one. One decision wins; a second gets Conflict."""
    now = now or clock.now()
    if decision not in ("publish", "reject"):
        raise InvalidInput("Choose publish or reject.", "decision")
    reason = _reason(reason, "Tell the author why: a reason is required to reject." if decision == "reject" else None)

    def work(cur):
        lesson, rels = _lesson_for(cur, user, lesson_id, "lesson.review")
        pending = lesson["status"] == "submitted" or (lesson["status"] == "published" and lesson["hidden"])
        if not pending:
            raise Conflict(f"This lesson was already decided (it is now {lesson['status']}). Nothing was changed.")
        new_status = "published" if decision == "publish" else "rejected"
        changed = cur.execute(
            """UPDATE lessons SET status = ?, hidden = FALSE, updated_at = ?, revision = revision + 1,
                   published_at = CASE WHEN ? = 'published' THEN coalesce(published_at, ?) ELSE published_at END
               WHERE id = ? AND revision = ? RETURNING id""",
            [new_status, now, new_status, now, lesson["id"], lesson["revision"]],
        ).fetchone()
        if not changed:
            raise Conflict("Someone else decided on this lesson at the same moment. Nothing was changed.")
        cur.execute("UPDATE lesson_reports SET resolved_at = ? WHERE lesson_id = ? AND resolved_at IS NULL", [now, lesson["id"]])
        cur.execute("INSERT INTO lesson_reviews (lesson_id, reviewer_id, decision, reason, decided_at) VALUES (?, ?, ?, ?, ?)",
                    [lesson["id"], user.id, new_status, reason, now])
        audit.record(cur, user, f"lesson_{new_status}", "lesson", lesson["id"], detail=reason[:200], now=now)
        return new_status

    return db.write(work)


def report(db: Database, user: User, lesson_id: int, reason: str, *, now: datetime | None = None) -> bool:
    """Report a published lesson; return True when this report hid it (3 departments reported it)."""
    now = now or clock.now()
    reason = _reason(reason, "Say what is wrong with this lesson.")

    def work(cur):
        lesson, rels = _lesson_for(cur, user, lesson_id, "lesson.report")
        if "own_department" in rels:
            raise InvalidInput("You cannot report your own department's lesson; edit or withdraw it instead.", "lesson")
        if scalar(cur, "SELECT count(*) FROM lesson_reports WHERE reporter_id = ? AND lesson_id = ?", [user.id, lesson["id"]]):
            raise Conflict("You have already reported this lesson; a coordinator will look at it.")
        today_count = scalar(cur, "SELECT count(*) FROM lesson_reports WHERE reporter_id = ? AND reported_at > ?",
                             [user.id, now - timedelta(days=1)])
        if today_count >= REPORTS_PER_DAY:
            raise RateLimited(f"You can send at most {REPORTS_PER_DAY} reports a day. Try again tomorrow.")
        cur.execute("INSERT INTO lesson_reports (lesson_id, reporter_id, reporter_department_id, reason, reported_at) "
                    "VALUES (?, ?, ?, ?, ?)", [lesson["id"], user.id, user.department_id, reason, now])
        audit.record(cur, user, "lesson_reported", "lesson", lesson["id"], detail=reason[:200], now=now)
        departments = scalar(cur, "SELECT count(DISTINCT coalesce(reporter_department_id, -reporter_id)) FROM lesson_reports "
                                  "WHERE lesson_id = ? AND resolved_at IS NULL", [lesson["id"]])
        if departments >= REPORTS_TO_HIDE and not lesson["hidden"]:
            cur.execute("UPDATE lessons SET hidden = TRUE, revision = revision + 1 WHERE id = ?", [lesson["id"]])
            audit.record(cur, None, "lesson_hidden", "lesson", lesson["id"], detail=f"{departments} departments reported it", now=now)
            return True
        return False

    return db.write(work)


def reveal_department(db: Database, user: User, lesson_id: int, *, now: datetime | None = None) -> str:
    """An administrator's explicit, audited look at who posted an anonymous lesson."""
    now = now or clock.now()

    def work(cur):
        lesson = _lesson(cur, lesson_id)
        permissions.require(user, "lesson.reveal_department", permissions.lesson_relations(user, lesson), hide=True)
        name = scalar(cur, "SELECT name || ' (' || state_code || ')' FROM departments WHERE id = ?", [lesson["department_id"]])
        audit.record(cur, user, "anonymity_revealed", "lesson", lesson["id"], now=now)
        return name

    return db.write(work)


def _reason(text: str, required: str | None) -> str:
    """A cleaned reason within the limit; `required` is the message when it may not be empty."""
    reason = clean(text)
    if required and not reason:
        raise InvalidInput(required, "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"The reason is {len(reason):,} characters; the limit is {MAX_REASON_CHARS:,}.", "reason")
    return reason


def _lesson_for(cur, user: User, lesson_id, action: str) -> tuple[dict, set[str]]:
    """The lesson and the user's relations to it, once they may read it (else NotFound) and do `action`."""
    lesson = _lesson(cur, lesson_id)
    rels = permissions.lesson_relations(user, lesson)
    permissions.require(user, "lesson.read", rels, hide=True)  # no hint that an unreadable lesson exists
    permissions.require(user, action, rels)
    return lesson, rels


def _lesson(cur, lesson_id) -> dict:
    lesson_id = _lesson_id(lesson_id)
    lesson = one(cur, "SELECT l.*, s.hhs_region FROM lessons l JOIN departments d ON d.id = l.department_id "
                      "JOIN states s ON s.code = d.state_code WHERE l.id = ?", [lesson_id])
    if lesson is None:
        raise NotFound("That lesson does not exist or you do not have access to it.")
    return lesson
