"""The change-log consumer: each domain event becomes notification rows (and immediate e-mail) exactly once.

Run through `exchange.worker.deliver` under the name CONSUMER: the rows are written on the delivering
transaction's cursor, so they commit together with the consumer's new position. A retried
transaction writes them again from scratch; the notifications' unique (user, event, kind) key is
the second guard. Events carry ids only (see the issue-11 contract); texts are made when read.
"""

from __future__ import annotations

from typing import Callable

from exchange import clock
from exchange.notify import follows, inbox, mail
from exchange.storage import changes
from exchange.storage.duckdb import one

CONSUMER = "notifications"
# Decisions on a lesson (moderation.decide records "lesson.<decision>") and what the author hears.
_DECISION_KIND = {"rejected": "sent_back", "hidden": "review_outcome", "dismissed": "review_outcome"}
IMMEDIATE = ("question", "sent_back")  # these need action: mailed at once (if the person wants it)


def make_handler(db) -> Callable:
    """The handler `deliver(db, CONSUMER, handler)` runs for each event (it needs the database to match searches)."""

    def handle(cur, change: changes.Change) -> None:
        payload = change.payload or {}
        event = change.event or ""
        now = clock.now()

        def notify(user_ids, kind, **fields):
            made = inbox.add(cur, user_ids, kind, change.seq, now=now, **fields)
            if kind in IMMEDIATE:
                for user_id, notification_id in made:
                    mail.queue_immediate(cur, user_id, notification_id, now)
            return made

        lesson_id = _int(payload.get("lesson_id"))
        if event == "lesson.published" and lesson_id is not None:
            for user_id, follow_ids in follows.matches(db, cur, lesson_id).items():
                notify([user_id], "followed_lesson", lesson_id=lesson_id, detail={"follows": follow_ids})
            if _published_by_reviewer(cur, lesson_id):
                notify(_author(cur, lesson_id), "published", lesson_id=lesson_id)
        elif event.startswith("lesson.") and event[7:] in _DECISION_KIND and lesson_id is not None:
            decision = event[7:]
            review = one(cur, "SELECT id, reviewer_id, decided_at FROM lesson_reviews WHERE lesson_id = ? AND decision = ? "
                              "ORDER BY id DESC LIMIT 1", [lesson_id, decision])
            notify(_author(cur, lesson_id), _DECISION_KIND[decision], lesson_id=lesson_id,
                   subject_id=review["id"] if review else None, detail={"outcome": decision})
            if review:
                reports = cur.execute("SELECT reporter_id, id FROM lesson_reports WHERE lesson_id = ? AND resolved_at = ? "
                                      "AND resolved_by IS NOT DISTINCT FROM ? ORDER BY id",
                                      [lesson_id, review["decided_at"], review["reviewer_id"]]).fetchall()
                for reporter_id, report_id in reports:
                    notify([reporter_id], "report_decided", lesson_id=lesson_id, subject_id=report_id)
        elif event == "lesson.hidden_by_reports" and lesson_id is not None:
            notify(_author(cur, lesson_id), "hidden_reports", lesson_id=lesson_id)
        elif event == "lesson.confirmation_due" and lesson_id is not None:
            notify(_members(cur, payload.get("department_id")), "confirmation", lesson_id=lesson_id)
        elif event == "question.asked":
            asker = _int(payload.get("asker_user_id"))
            notify([u for u in _members(cur, payload.get("department_id")) if u != asker], "question",
                   lesson_id=lesson_id, subject_id=_int(payload.get("question_id")))
        elif event == "question.answered":
            asker = _int(payload.get("asker_user_id"))
            if asker is not None and _active(cur, asker):
                notify([asker], "answer", lesson_id=lesson_id, subject_id=_int(payload.get("answer_id")))
        elif event == "question.nudged":
            notify(_members(cur, payload.get("department_id")), "nudge", lesson_id=lesson_id,
                   subject_id=_int(payload.get("question_id")))
        elif event == "endorsement.added":
            kind = payload.get("kind") if payload.get("kind") in inbox.ENDORSEMENTS else "helped"
            notify(_members(cur, payload.get("department_id")), "endorsement", lesson_id=lesson_id,
                   subject_id=_int(payload.get("endorsement_id")), detail={"kind": kind})

    return handle


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _members(cur, department_id) -> list[int]:
    """The active accounts of a department (its members hear about its lessons and questions)."""
    department_id = _int(department_id)
    if department_id is None:
        return []
    return [r[0] for r in cur.execute("SELECT id FROM users WHERE department_id = ? AND active AND role <> 'visitor' "
                                      "ORDER BY id", [department_id]).fetchall()]


def _active(cur, user_id: int) -> bool:
    return bool(cur.execute("SELECT 1 FROM users WHERE id = ? AND active", [user_id]).fetchone())


def _author(cur, lesson_id: int) -> list[int]:
    """Who hears about a lesson's review: its author, while their account is active."""
    found = cur.execute("SELECT l.author_id FROM lessons l JOIN users u ON u.id = l.author_id WHERE l.id = ? AND u.active",
                        [lesson_id]).fetchone()
    return [found[0]] if found else []


def _published_by_reviewer(cur, lesson_id: int) -> bool:
    """True when a reviewer's decision published the lesson (not its own department, straight away)."""
    # Read when delivered, maybe after later decisions: any reviewer's "publish" since the last submission counts.
    found = cur.execute("""SELECT count(*) FROM lessons l JOIN lesson_reviews r ON r.lesson_id = l.id
                           WHERE l.id = ? AND r.decision = 'published'
                             AND r.decided_at >= coalesce(l.submitted_at, r.decided_at)""", [lesson_id]).fetchone()
    return bool(found[0])
