"""Questions and answers are moderated like lessons: reportable, hidden after reports from three departments,
and decided by the coordinators of the lesson's region in the review queue. Nothing is deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from exchange import clock
from exchange.conversations import questions
from exchange.conversations.access import NOT_FOUND, checked_text, lesson_row, parse_id
from exchange.errors import Conflict, InvalidInput, NotFound, RateLimited
from exchange.identity import audit, permissions
from exchange.kernel import serial
from exchange.lessons.moderation import MAX_REASON_CHARS, REPORT_OUTCOMES, REPORTS_PER_DAY, REPORTS_TO_HIDE
from exchange.models import User
from exchange.privacy.anonymity import content_facts, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows, scalar

KINDS = ("question", "answer")
DECISIONS = {"dismiss": "dismissed", "hide": "hidden"}
REASON_LABEL = "Reason"


def report(db: Database, user: User, kind: str, item_id, reason: str, *, now: datetime | None = None) -> bool:
    """Report a question or an answer; return True when this report hid it (REPORTS_TO_HIDE departments reported it)."""
    reason = checked_text(reason, "reason", REASON_LABEL, MAX_REASON_CHARS, required=False)  # before anything else
    if not reason:
        raise InvalidInput({"reason": "Say what is wrong with it."})
    now = now or clock.now()
    kind = _kind(kind)
    iid = parse_id(item_id)

    def work(cur):
        item, lesson = _visible_item(cur, user, kind, iid)
        permissions.require(user, "lesson.report", permissions.lesson_relations(user, lesson))
        if user.department_id is not None and item["department_id"] == user.department_id:
            raise InvalidInput(f"You cannot report your own department's {kind}.", "item")
        if scalar(cur, "SELECT count(*) FROM conversation_reports WHERE reporter_id = ? AND item_kind = ? AND item_id = ? "
                       "AND resolved_at IS NULL", [user.id, kind, iid]):
            raise Conflict(f"You have already reported this {kind}; a coordinator will look at it.")
        today = scalar(cur, "SELECT count(*) FROM conversation_reports WHERE reporter_id = ? AND reported_at > ?",
                       [user.id, now - timedelta(days=1)])
        if today >= REPORTS_PER_DAY:
            raise RateLimited(f"You can report at most {REPORTS_PER_DAY} questions or answers a day. Try again tomorrow.")
        cur.execute("INSERT INTO conversation_reports (item_kind, item_id, reporter_id, reporter_department_id, reason, "
                    "reported_at) VALUES (?, ?, ?, ?, ?, ?)", [kind, iid, user.id, user.department_id, reason, now])
        audit.record(cur, user, f"{kind}_reported", kind, iid, detail=reason[:200], now=now)
        changes.record(cur, "conversation_report", iid)
        departments = scalar(cur, "SELECT count(DISTINCT reporter_department_id) FROM conversation_reports "
                                  "WHERE item_kind = ? AND item_id = ? AND resolved_at IS NULL", [kind, iid])
        if departments >= REPORTS_TO_HIDE and not item["hidden"]:
            cur.execute(f"UPDATE {_TABLES[kind]} SET hidden = TRUE, revision = revision + 1 WHERE id = ?", [iid])
            changes.record(cur, kind, iid)
            audit.record(cur, None, f"{kind}_hidden", kind, iid, detail=f"{departments} departments reported it", now=now)
            return True
        return False

    subject = iid * 2 + KINDS.index(kind)  # questions and answers have ids of their own
    return serial.write(db, [("user_reports", user.id or 0), ("conversation_reports", subject)], work, now)


def queue(db: Database, user: User) -> list[dict]:
    """Reported questions and answers waiting for this reviewer: on lessons of their regions, never their department's.

    Each has kind, id, body, who wrote it (as the K rule lets the reviewer see it), the lesson, its open
    report count and reasons, `waiting_since`, and `decisions`.
    """
    permissions.require(user, "lesson.review_queue")
    regions = list(range(1, 11)) if user.is_admin else list(user.regions)
    viewer = viewer_department(user)
    found = []
    with db.read() as cur:
        for kind in KINDS:
            source = _REPORTED[kind]
            found += rows(cur, f"""
                WITH {content_facts(source, "item_facts", timestamps=(), alias="c")},
                open AS (SELECT item_id, count(*) AS n, min(reported_at) AS first_at, list(reason ORDER BY reported_at) AS reasons
                         FROM conversation_reports WHERE item_kind = '{kind}' AND resolved_at IS NULL GROUP BY 1)
                SELECT '{kind}' AS kind, f.id, f.body, f.hidden, f.lesson_id, f.lesson_title, f.attributed,
                       f.department_name, f.state_code, f.hhs_region, f.jurisdiction_type, f.author_name,
                       f.department_id = $viewer_department AS ours, f.lesson_region, f.lesson_department_id,
                       o.n AS open_reports, o.reasons AS report_reasons, o.first_at AS waiting_since
                FROM item_facts f JOIN open o ON o.item_id = f.id
                WHERE f.lesson_region IN (SELECT unnest($regions))""", {"viewer_department": viewer, "regions": regions})
        allowed = []
        for item in found:
            lesson = lesson_row(cur, item["lesson_id"])
            if item.pop("ours") or not permissions.allowed(user, "lesson.review", permissions.lesson_relations(user, lesson)):
                continue
            item.pop("lesson_region"), item.pop("lesson_department_id")
            item["by"] = questions.asker_line(item) if item["kind"] == "question" else questions.answerer_line(item)
            item["decisions"] = tuple(DECISIONS)
            allowed.append(item)
    allowed.sort(key=lambda item: (item["waiting_since"], item["kind"], item["id"]))
    return allowed


def decide(db: Database, user: User, kind: str, item_id, decision: str, reason: str = "", *,
           now: datetime | None = None) -> str:
    """Keep ("dismiss") or hide a reported question or answer; its open reports close with the outcome."""
    reason = checked_text(reason, "reason", REASON_LABEL, MAX_REASON_CHARS, required=False)
    now = now or clock.now()
    kind = _kind(kind)
    iid = parse_id(item_id)
    if decision not in DECISIONS:
        raise InvalidInput("Choose: keep it (dismiss the reports) or hide it.", "decision")

    def work(cur):
        item = one(cur, f"SELECT * FROM {_TABLES[kind]} WHERE id = ?", [iid])
        if item is None:
            raise NotFound(NOT_FOUND)
        lesson = lesson_row(cur, item["lesson_id"])
        rels = permissions.lesson_relations(user, lesson)
        permissions.require(user, "lesson.review", rels, hide=True)
        if user.department_id is not None and item["department_id"] == user.department_id:
            raise NotFound(NOT_FOUND)  # nobody decides on their own department's words
        if not scalar(cur, "SELECT count(*) FROM conversation_reports WHERE item_kind = ? AND item_id = ? "
                           "AND resolved_at IS NULL", [kind, iid]):
            raise Conflict(f"This {kind} was already decided. Nothing was changed.")
        recorded = DECISIONS[decision]
        cur.execute(f"UPDATE {_TABLES[kind]} SET hidden = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
                    [recorded == "hidden", now, iid])
        cur.execute("UPDATE conversation_reports SET resolved_at = ?, resolved_by = ?, outcome = ? "
                    "WHERE item_kind = ? AND item_id = ? AND resolved_at IS NULL",
                    [now, user.id, REPORT_OUTCOMES[recorded], kind, iid])
        cur.execute("INSERT INTO conversation_reviews (item_kind, item_id, reviewer_id, decision, reason, decided_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [kind, iid, user.id, recorded, reason, now])
        audit.record(cur, user, f"{kind}_{recorded}", kind, iid, detail=reason[:200], now=now)
        changes.record(cur, kind, iid)
        return recorded

    subject = iid * 2 + KINDS.index(kind)
    return serial.write(db, [("conversation_reports", subject)], work, now)


_TABLES = {"question": "questions", "answer": "answers"}
# Reported items with their lesson (its true region picks the reviewers; it never leaves this module).
_LESSON = """JOIN lessons l ON l.id = x.lesson_id JOIN departments ld ON ld.id = l.department_id
             JOIN states ls ON ls.code = ld.state_code"""
_REPORTED = {
    "question": f"""(SELECT x.*, l.title AS lesson_title, ls.hhs_region AS lesson_region, l.department_id AS lesson_department_id
                     FROM questions x {_LESSON}
                     WHERE x.id IN (SELECT item_id FROM conversation_reports WHERE item_kind = 'question' AND resolved_at IS NULL))""",
    "answer": f"""(SELECT x.*, l.anonymous, l.title AS lesson_title, ls.hhs_region AS lesson_region,
                          l.department_id AS lesson_department_id
                   FROM answers x {_LESSON}
                   WHERE x.id IN (SELECT item_id FROM conversation_reports WHERE item_kind = 'answer' AND resolved_at IS NULL))""",
}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput("Report a question or an answer.", "kind")
    return kind


def _visible_item(cur, user: User, kind: str, iid: int) -> tuple[dict, dict]:
    """The item (raw row) and its lesson, once this user may see it (else NotFound)."""
    if kind == "question":
        question, lesson, _ = questions.visible_question(cur, user, iid)
        return question, lesson
    item = one(cur, "SELECT * FROM answers WHERE id = ?", [iid])
    if item is None:
        raise NotFound(NOT_FOUND)
    question, lesson, _ = questions.visible_question(cur, user, item["question_id"])
    if item["hidden"] and item["department_id"] != user.department_id:
        raise NotFound(NOT_FOUND)
    return item, lesson
