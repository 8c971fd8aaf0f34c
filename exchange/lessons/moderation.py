"""Review before publishing, reports from members, and the limits that keep both fair.

Nothing is ever hard-deleted: rejected and hidden lessons are kept with who decided, when and why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from exchange.identity import audit, permissions
from exchange import clock
from exchange.kernel import serial
from exchange.privacy.anonymity import LESSON_FACTS, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows, scalar
from exchange.errors import Conflict, InvalidInput, NotFound, RateLimited
from exchange.lessons.form import parse_lesson_id as _lesson_id
from exchange.models import User
from exchange.kernel.text import clean

DEFAULT_REVIEW_THRESHOLD = 3  # a department's first N lessons always need review; 0 = always review
SUBMISSIONS_PER_HOUR = 10
DRAFTS_PER_HOUR = 20  # new lessons started by one person; edits and autosaves of a draft do not count
DUPLICATE_WINDOW = timedelta(minutes=5)
REPORTS_TO_HIDE = 3
REPORTS_PER_DAY = 20
MAX_REASON_CHARS = 1000


def review_threshold(cur) -> int:
    """The setting: how many of a department's first lessons need review (0 means every lesson)."""
    value = scalar(cur, "SELECT value FROM settings WHERE key = 'review_threshold'")
    return int(value) if value is not None else DEFAULT_REVIEW_THRESHOLD


def needs_review(cur, department_id: int) -> bool:
    """True while the department has had fewer than the threshold of lessons published (or always, at 0)."""
    threshold = review_threshold(cur)
    if threshold == 0:
        return True
    published = scalar(cur, "SELECT count(*) FROM lessons WHERE department_id = ? AND published_at IS NOT NULL",
                       [department_id])
    return published < threshold


def must_review(cur, lesson: dict) -> bool:
    """True when a lesson goes to review whatever the threshold: anonymous, hidden, reported, or last sent back."""
    if lesson["anonymous"] or lesson["hidden"] or open_reports(cur, lesson["id"]):
        return True
    last = scalar(cur, "SELECT decision FROM lesson_reviews WHERE lesson_id = ? ORDER BY id DESC LIMIT 1", [lesson["id"]])
    return last in ("rejected", "hidden")


def open_reports(cur, lesson_id: int) -> int:
    """How many reports of the lesson no reviewer has decided on yet."""
    return scalar(cur, "SELECT count(*) FROM lesson_reports WHERE lesson_id = ? AND resolved_at IS NULL", [lesson_id])


def pending(cur, lesson: dict) -> bool:
    """True while a lesson waits for a reviewer: submitted, or published with open reports."""
    return lesson["status"] == "submitted" or (lesson["status"] == "published" and open_reports(cur, lesson["id"]) > 0)


def check_draft_allowed(cur, user: User, now: datetime) -> None:
    """Refuse a new lesson over the hourly limit (call after serial.claim(cur, "user_lessons", ...))."""
    since = now - timedelta(hours=1)
    started, oldest = cur.execute("SELECT count(*), min(created_at) FROM lessons WHERE author_id = ? AND created_at > ?",
                                  [user.id, since]).fetchone()
    if started >= DRAFTS_PER_HOUR:
        raise RateLimited(f"You have started {DRAFTS_PER_HOUR} lessons in the last hour. Finish one of your drafts, "
                          f"or try again at {oldest + timedelta(hours=1):%H:%M} UTC.")


def check_submission_allowed(cur, user: User, lesson: dict, now: datetime) -> None:
    """Refuse a submission over the hourly limit, or identical to one made in the last few minutes.

    Atomic only after serial.claim(cur, "user_lessons", user.id, now) in the same transaction.
    """
    recent, oldest = cur.execute(
        "SELECT count(*), min(occurred_at) FROM audit_log WHERE actor_id = ? AND event = 'lesson_submitted' "
        "AND occurred_at > ?", [user.id, now - timedelta(hours=1)]).fetchone()
    if recent >= SUBMISSIONS_PER_HOUR:
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


DEFAULT_QUEUE_SORT = "oldest"
QUEUE_SORTS = {"oldest": "waiting_since ASC, id ASC", "newest": "waiting_since DESC, id DESC",
               "most_reported": "open_reports DESC, waiting_since ASC, id ASC"}


def queue(db: Database, user: User, *, sort: str = DEFAULT_QUEUE_SORT) -> list[dict]:
    """Lessons waiting for this reviewer, from their regions: submitted, or published with open reports.

    Each item has its open report count, the reports' reasons, `waiting_since` (the age the queue sorts by),
    `is_submission` (new, not reported after publication) and `decisions` (what a reviewer may decide).
    Region and jurisdiction type of an anonymous lesson follow the K rule (LESSON_FACTS), as everywhere.
    """
    permissions.require(user, "lesson.review_queue")
    if sort not in QUEUE_SORTS:
        raise InvalidInput(f"Sort by one of: {', '.join(QUEUE_SORTS)}.", "sort")
    regions = list(range(1, 11)) if user.is_admin else list(user.regions)
    with db.read() as cur:
        found = rows(cur, f"""
            WITH {LESSON_FACTS},
            open AS (SELECT lesson_id, count(*) AS n, min(reported_at) AS first_at,
                            list(reason ORDER BY reported_at) AS reasons
                     FROM lesson_reports WHERE resolved_at IS NULL GROUP BY 1)
            SELECT f.id, f.title, f.kind, f.summary, f.status, f.hidden, f.anonymous, f.visibility, f.submitted_at,
                   f.department_id, f.department_name, f.state_code, f.hhs_region, f.jurisdiction_type, f.true_region,
                   f.revision, coalesce(o.n, 0) AS open_reports, coalesce(o.reasons, []) AS report_reasons,
                   CASE WHEN f.status = 'submitted' THEN least(f.submitted_at, coalesce(o.first_at, f.submitted_at))
                        ELSE o.first_at END AS waiting_since
            FROM lesson_facts f LEFT JOIN open o ON o.lesson_id = f.id
            WHERE (f.status = 'submitted' OR (f.status = 'published' AND o.n > 0))
              AND f.true_region IN (SELECT unnest($regions))
            ORDER BY {QUEUE_SORTS[sort]}""",
                     {"viewer_department": viewer_department(user), "regions": regions})
    allowed = []
    for lesson in found:
        rels = permissions.lesson_relations(user, {**lesson, "hhs_region": lesson["true_region"]})
        if permissions.allowed(user, "lesson.review", rels):
            for private in ("true_region", "department_id"):
                lesson.pop(private)
            lesson["is_submission"] = lesson["status"] == "submitted"
            lesson["decisions"] = decisions_for(lesson)
            allowed.append(lesson)
    return allowed


DECISIONS = {"publish": "published", "reject": "rejected", "dismiss": "dismissed", "hide": "hidden"}
# What each decision tells the people who reported the lesson.
REPORT_OUTCOMES = {"published": "kept", "dismissed": "kept", "rejected": "sent_back", "hidden": "hidden"}


def decisions_for(lesson: dict) -> tuple[str, ...]:
    """The decisions a reviewer chooses from for a waiting lesson, first the one that keeps or publishes it.

    A submission is published or sent back; a published lesson with reports keeps its place ("dismiss"),
    is hidden, or is sent back.
    """
    return ("dismiss", "hide", "reject") if lesson["status"] == "published" else ("publish", "reject")


def decide(db: Database, user: User, lesson_id: int, decision: str, reason: str = "", *,
           now: datetime | None = None) -> str:
    """Decide on a waiting lesson; one decision wins, a second gets Conflict. Returns the decision recorded.

    A submitted lesson is published or sent back ("reject", reason required). A reported one is kept
    ("dismiss", or "publish"), hidden ("hide"), or sent back. Its open reports close with the outcome.
    """
    now = now or clock.now()
    if decision not in DECISIONS:
        raise InvalidInput("Choose publish, send back, dismiss the reports or hide.", "decision")
    reason = _reason(reason, "Tell the author why: a reason is required to send a lesson back."
                     if decision == "reject" else None)

    def work(cur):
        lesson, rels = _lesson_for(cur, user, lesson_id, "lesson.review")
        if not pending(cur, lesson):
            raise Conflict(f"This lesson was already decided (it is now {lesson['status']}). Nothing was changed.")
        recorded = DECISIONS[decision]
        if lesson["status"] == "published" and recorded == "published":
            recorded = "dismissed"  # "publish" on a reported lesson keeps it up
        if lesson["status"] == "submitted" and recorded in ("dismissed", "hidden"):
            raise InvalidInput("A submitted lesson is published or sent back.", "decision")
        new_status = {"published": "published", "dismissed": "published", "hidden": "published"}.get(recorded, "rejected")
        changed = cur.execute(
            """UPDATE lessons SET status = ?, hidden = ?, updated_at = ?, revision = revision + 1,
                   published_at = CASE WHEN ? = 'published' THEN coalesce(published_at, ?) ELSE published_at END
               WHERE id = ? AND revision = ? RETURNING id""",
            [new_status, recorded == "hidden", now, new_status, now, lesson["id"], lesson["revision"]],
        ).fetchone()
        if not changed:
            raise Conflict("Someone else decided on this lesson at the same moment. Nothing was changed.")
        cur.execute("UPDATE lesson_reports SET resolved_at = ?, resolved_by = ?, outcome = ? "
                    "WHERE lesson_id = ? AND resolved_at IS NULL", [now, user.id, REPORT_OUTCOMES[recorded], lesson["id"]])
        cur.execute("INSERT INTO lesson_reviews (lesson_id, reviewer_id, decision, reason, decided_at) VALUES (?, ?, ?, ?, ?)",
                    [lesson["id"], user.id, recorded, reason, now])
        audit.record(cur, user, f"lesson_{recorded}", "lesson", lesson["id"], detail=reason[:200], now=now)
        changes.record(cur, "lesson", lesson["id"], event=f"lesson.{recorded}",
                       payload={"lesson_id": lesson["id"], "department_id": lesson["department_id"]})
        return recorded

    return db.write(work)


def report(db: Database, user: User, lesson_id: int, reason: str, *, now: datetime | None = None) -> bool:
    """Report a published lesson; return True when this report hid it (REPORTS_TO_HIDE departments reported it).

    Each department counts once; accounts without a department are heard (the report reaches the
    queue) but do not count: coordinators and administrators hide by decision.
    """
    now = now or clock.now()
    reason = _reason(reason, "Say what is wrong with this lesson.")

    def work(cur):
        lesson, rels = _lesson_for(cur, user, lesson_id, "lesson.report")
        if "own_department" in rels:
            raise InvalidInput("You cannot report your own department's lesson; edit or withdraw it instead.", "lesson")
        if scalar(cur, "SELECT count(*) FROM lesson_reports WHERE reporter_id = ? AND lesson_id = ? AND resolved_at IS NULL",
                  [user.id, lesson["id"]]):
            raise Conflict("You have already reported this lesson; a coordinator will look at it.")
        today_count = scalar(cur, "SELECT count(*) FROM lesson_reports WHERE reporter_id = ? AND reported_at > ?",
                             [user.id, now - timedelta(days=1)])
        if today_count >= REPORTS_PER_DAY:
            raise RateLimited(f"You can send at most {REPORTS_PER_DAY} reports a day. Try again tomorrow.")
        cur.execute("INSERT INTO lesson_reports (lesson_id, reporter_id, reporter_department_id, reason, reported_at) "
                    "VALUES (?, ?, ?, ?, ?)", [lesson["id"], user.id, user.department_id, reason, now])
        audit.record(cur, user, "lesson_reported", "lesson", lesson["id"], detail=reason[:200], now=now)
        changes.record(cur, "lesson_report", lesson["id"])
        departments = scalar(cur, "SELECT count(DISTINCT reporter_department_id) FROM lesson_reports "
                                  "WHERE lesson_id = ? AND resolved_at IS NULL", [lesson["id"]])  # NULLs do not count
        if departments >= REPORTS_TO_HIDE and not lesson["hidden"]:
            cur.execute("UPDATE lessons SET hidden = TRUE, revision = revision + 1 WHERE id = ?", [lesson["id"]])
            changes.record(cur, "lesson", lesson["id"], event="lesson.hidden_by_reports",
                           payload={"lesson_id": lesson["id"], "department_id": lesson["department_id"]})
            audit.record(cur, None, "lesson_hidden", "lesson", lesson["id"], detail=f"{departments} departments reported it", now=now)
            return True
        return False

    # Both rules count after the claims: a user's parallel reports, and different departments'
    # reports of one lesson, commit one at a time (else two "second" reports never hide it).
    return serial.write(db, [("user_reports", user.id or 0), ("lesson_reports", _lesson_id(lesson_id))], work, now)


OUTCOME_TEXT = {None: "Waiting for a coordinator", "kept": "Reviewed: the lesson stays published",
                "hidden": "Reviewed: the lesson was hidden", "sent_back": "Reviewed: sent back to its authors to change"}


def my_reports(db: Database, user: User) -> list[dict]:
    """The reports this user sent, newest first, with what became of each (title, reason, outcome, when)."""
    permissions.require(user, "lesson.report", {"published"})
    with db.read() as cur:
        found = rows(cur, """
            SELECT r.lesson_id, l.title, r.reason, r.reported_at, r.outcome, r.resolved_at
            FROM lesson_reports r JOIN lessons l ON l.id = r.lesson_id
            WHERE r.reporter_id = ? ORDER BY r.reported_at DESC, r.id DESC""", [user.id])
    for item in found:
        item["outcome_text"] = OUTCOME_TEXT.get(item["outcome"], item["outcome"])
    return found


def reveal_department(db: Database, user: User, lesson_id: int, reason: str = "", *, now: datetime | None = None) -> str:
    """An administrator's explicit, audited look at who posted an anonymous lesson; the reason is logged."""
    now = now or clock.now()

    def work(cur):
        lesson = _lesson(cur, lesson_id)
        permissions.require(user, "lesson.reveal_department", permissions.lesson_relations(user, lesson), hide=True)
        why = _reason(reason, "Say why you need to know who posted it: the reason is kept in the audit log.")
        name = scalar(cur, "SELECT name || ' (' || state_code || ')' FROM departments WHERE id = ?", [lesson["department_id"]])
        audit.record(cur, user, "anonymity_revealed", "lesson", lesson["id"], detail=why[:200], now=now)
        return name

    return db.write(work, bump=False)  # only the audit log changes


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
