"""Questions to a lesson's posting department and its answers, through the one attribution rule both ways.

A signed-in member of a department asks the department that shared a lesson they may read; every
member of that department may answer. Questions and answers show under the lesson for everyone who
may read it, unless the asker keeps the question private to the two departments. On an anonymous
lesson an answer reads "the posting department" to anyone outside it; an asker may ask anonymously
and is then shown as the K rule allows ("Anonymous — a county department in HHS Region 5"), to the
posting department too. The asker's department marks a question answered; an unanswered question
older than NUDGE_AFTER is nudged once (`nudge_overdue`, run by the worker).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from exchange import clock
from exchange.conversations.access import NOT_FOUND, checked_text, is_out, parse_id, readable_lesson
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from exchange.identity import permissions
from exchange.kernel import serial
from exchange.models import User
from exchange.privacy.anonymity import attribution_line, content_facts, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows, scalar

MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 4000
QUESTION_LABEL = "Your question"
ANSWER_LABEL = "Your answer"
QUESTIONS_PER_HOUR = 10
ANSWERS_PER_HOUR = 30
DUPLICATE_WINDOW = timedelta(minutes=5)
NUDGE_AFTER = timedelta(days=14)
POSTING_DEPARTMENT = "the posting department"
QUESTION_TIMES = ("created_at", "updated_at", "answered_at")
ANSWER_TIMES = ("created_at", "updated_at")


def ask(db: Database, user: User, lesson_id, body: str, *, anonymous: bool = False, private: bool = False,
        client_token: str | None = None, now: datetime | None = None) -> int:
    """Ask the posting department of a published lesson a question; return its id (the same form sent twice: one)."""
    body = checked_text(body, "question", QUESTION_LABEL, MAX_QUESTION_CHARS)  # before anything else
    now = now or clock.now()
    _require_department(user, "ask a question")

    def work(cur):
        lesson, rels = readable_lesson(cur, user, lesson_id)
        if not is_out(lesson):
            raise InvalidInput("Questions can be asked only about a published lesson.", "lesson")
        if "own_department" in rels:
            raise InvalidInput("This is your own department's lesson: ask your colleagues directly.", "lesson")
        again = _sent_before(cur, "questions", user, client_token, body, ("lesson_id", lesson["id"]), now,
                             per_hour=QUESTIONS_PER_HOUR, counted="asked {n} questions",
                             repeated="You asked this same question a few minutes ago; it is already with the "
                                      "posting department.")
        if again:
            return again
        question_id = cur.execute(
            """INSERT INTO questions (client_token, lesson_id, department_id, author_id, anonymous, private, body,
                                      created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [client_token, lesson["id"], user.department_id, user.id, bool(anonymous), bool(private), body, now, now],
        ).fetchone()[0]
        changes.record(cur, "question", question_id, event="question.asked", payload={
            "question_id": question_id, "lesson_id": lesson["id"], "department_id": lesson["department_id"],
            "asker_user_id": user.id, "asker_department_id": user.department_id, "private": bool(private)})
        return question_id

    return serial.write(db, [("user_questions", user.id)], work, now)


def answer(db: Database, user: User, question_id, body: str, *, client_token: str | None = None,
           now: datetime | None = None) -> int:
    """Answer a question to your department's lesson (any member of the posting department); return the answer's id."""
    body = checked_text(body, "answer", ANSWER_LABEL, MAX_ANSWER_CHARS)  # before anything else
    now = now or clock.now()
    _require_department(user, "answer a question")
    qid = parse_id(question_id)

    def work(cur):
        question, lesson, rels = visible_question(cur, user, qid)
        if "own_department" not in rels:
            raise Forbidden("Only the department that shared the lesson answers its questions.")
        if question["hidden"]:
            raise Conflict("This question was hidden after reports and waits for a coordinator; it cannot be answered.")
        if not is_out(lesson):
            raise Conflict("The lesson is not published now, so its questions cannot be answered.")
        again = _sent_before(cur, "answers", user, client_token, body, ("question_id", qid), now,
                             per_hour=ANSWERS_PER_HOUR, counted="written {n} answers",
                             repeated="You posted this same answer a few minutes ago; it is already under the question.")
        if again:
            return again
        answer_id = cur.execute(
            """INSERT INTO answers (client_token, question_id, lesson_id, department_id, author_id, body, created_at,
                                    updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [client_token, qid, lesson["id"], lesson["department_id"], user.id, body, now, now]).fetchone()[0]
        changes.record(cur, "answer", answer_id, event="question.answered", payload={
            "question_id": qid, "answer_id": answer_id, "lesson_id": lesson["id"],
            "department_id": lesson["department_id"], "asker_user_id": question["author_id"]})
        return answer_id

    # Per asker and per thread: two colleagues answering at once both land, one after the other.
    return serial.write(db, [("user_questions", user.id), ("question_threads", qid)], work, now)


# The tables and thread columns `_sent_before` may name (identifiers from an allow-list, values as parameters).
_POSTED = {"questions": "lesson_id", "answers": "question_id"}


def _sent_before(cur, table: str, user: User, client_token: str | None, body: str, thread: tuple[str, int],
                 now: datetime, *, per_hour: int, counted: str, repeated: str) -> int | None:
    """The steps before a question or answer is written, in its serialised transaction: the id of the row this same
    form already wrote (a double submit); else RateLimited past `per_hour` rows by this person in the last hour, or
    Conflict for the same text in the same thread within DUPLICATE_WINDOW; else None."""
    column, thread_id = thread
    if _POSTED.get(table) != column:
        raise ValueError(f"unknown posted table {table!r}.{column!r}")
    if client_token:
        again = scalar(cur, f"SELECT id FROM {table} WHERE client_token = ?", [client_token])
        if again:
            return again
    recent, oldest = cur.execute(f"SELECT count(*), min(created_at) FROM {table} WHERE author_id = ? AND created_at > ?",
                                 [user.id, now - timedelta(hours=1)]).fetchone()
    if recent >= per_hour:
        raise RateLimited(f"You have {counted.format(n=per_hour)} in the last hour. Try again at "
                          f"{oldest + timedelta(hours=1):%H:%M} UTC.")
    if scalar(cur, f"SELECT id FROM {table} WHERE author_id = ? AND {column} = ? AND body = ? AND created_at > ?",
              [user.id, thread_id, body, now - DUPLICATE_WINDOW]):
        raise Conflict(repeated)
    return None


def mark_answered(db: Database, user: User, question_id, *, now: datetime | None = None) -> bool:
    """The asking department says its question is answered; False when it already was (a repeat changes nothing)."""
    now = now or clock.now()
    qid = parse_id(question_id)

    def work(cur):
        question, _, _ = visible_question(cur, user, qid)
        if question["department_id"] != user.department_id:
            raise Forbidden("Only the department that asked can mark its question answered.")
        if question["answered_at"] is not None:
            return False
        if not scalar(cur, "SELECT count(*) FROM answers WHERE question_id = ? AND NOT hidden", [qid]):
            raise InvalidInput("Nobody has answered this question yet, so it cannot be marked answered.", "question")
        cur.execute("UPDATE questions SET answered_at = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
                    [now, now, qid])
        changes.record(cur, "question", qid)
        return True

    return serial.write(db, [("question_threads", qid)], work, now)


def thread(db: Database, user: User, lesson_id) -> list[dict]:
    """The questions under a lesson this user may see, oldest first, each with its answers and what the user may do."""
    with db.read() as cur:
        lesson, rels = readable_lesson(cur, user, lesson_id)
        found = _questions(cur, user, "q.lesson_id = $lesson", {"lesson": lesson["id"]})
    return found


def department_questions(db: Database, user: User) -> dict[str, list[dict]]:
    """The user's department's questions page: questions to it ("open", "answered") and those it asked ("asked")."""
    _require_department(user, "see your department's questions")
    permissions.require(user, "lesson.list_mine", permissions.user_relations(user))
    with db.read() as cur:
        to_us = _questions(cur, user, "l.department_id = $viewer_department", {})
        asked = _questions(cur, user, "q.department_id = $viewer_department AND l.department_id <> $viewer_department "
                                      "AND l.status = 'published' AND NOT l.hidden", {})
    to_us = [q for q in to_us if not q["hidden"]]
    return {"open": [q for q in to_us if q["answered_at"] is None],
            "answered": [q for q in to_us if q["answered_at"] is not None], "asked": asked}


def nudge_overdue(db: Database, *, now: datetime | None = None) -> int:
    """Nudge, once, every visible question nobody has answered for NUDGE_AFTER; return how many were nudged."""
    now = now or clock.now()

    def work(cur):
        due = cur.execute(
            """SELECT q.id, q.lesson_id, l.department_id FROM questions q JOIN lessons l ON l.id = q.lesson_id
               WHERE q.nudged_at IS NULL AND q.answered_at IS NULL AND NOT q.hidden AND q.created_at <= ?
                 AND l.status = 'published' AND NOT l.hidden
                 AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.question_id = q.id AND NOT a.hidden)
               ORDER BY q.id""", [now - NUDGE_AFTER]).fetchall()
        for qid, lesson_id, department_id in due:
            cur.execute("UPDATE questions SET nudged_at = ? WHERE id = ?", [now, qid])
            changes.record(cur, "question", qid, event="question.nudged",
                           payload={"question_id": qid, "lesson_id": lesson_id, "department_id": department_id})
        return len(due)

    return db.write(work, bump=False)


def asker_line(question: dict) -> str:
    """Who asked, as this viewer may know it: a person and department, or the K rule's anonymous line."""
    line = attribution_line(question)
    return f"{question['author_name']}, {line}" if question.get("author_name") else line


def answerer_line(answer: dict) -> str:
    """Who answered: a person and the posting department when attributed, else 'the posting department'."""
    if not answer.get("attributed") or not answer.get("department_name"):
        return POSTING_DEPARTMENT
    department = f"{answer['department_name']} ({answer['state_code']})"
    return f"{answer['author_name']}, {department}" if answer.get("author_name") else department


# --- internals -------------------------------------------------------------------------

def _require_department(user: User, doing: str) -> None:
    if not user.signed_in:
        raise Forbidden(f"Please sign in to {doing}.")
    if user.department_id is None:
        raise Forbidden(f"Questions are asked and answered for a department; your account has none, so you cannot {doing}.")


def visible_question(cur, user: User, qid: int) -> tuple[dict, dict, set[str]]:
    """The question (raw row), its lesson and the user's relations to the lesson, once the user may see the question."""
    question = one(cur, "SELECT * FROM questions WHERE id = ?", [qid])
    if question is None:
        raise NotFound(NOT_FOUND)
    try:
        lesson, rels = readable_lesson(cur, user, question["lesson_id"])
    except NotFound:
        raise NotFound(NOT_FOUND) from None
    if not visible(question, lesson, user):
        raise NotFound(NOT_FOUND)
    return question, lesson, rels


def visible(question: dict, lesson: dict, user: User) -> bool:
    """May this user see the question (its lesson already readable)? Private: the two departments; hidden: the asker's."""
    ours = user.department_id is not None and user.department_id == question["department_id"]
    posting = user.department_id is not None and user.department_id == lesson["department_id"]
    if question["private"] and not (ours or posting):
        return False
    return ours or not question["hidden"]


# The questions a viewer may see among those matching `where` (a fixed fragment of this module), with their lesson.
_SOURCE = """(SELECT q.*, l.department_id AS lesson_department_id, l.title AS lesson_title, l.anonymous AS lesson_anonymous,
                     l.status = 'published' AND NOT l.hidden AS lesson_out
              FROM questions q JOIN lessons l ON l.id = q.lesson_id WHERE {where})"""
_VISIBLE = """(NOT f.private OR f.department_id = $viewer_department OR f.lesson_department_id = $viewer_department)
              AND (NOT f.hidden OR f.department_id = $viewer_department)"""


def _questions(cur, user: User, where: str, params: dict) -> list[dict]:
    viewer = viewer_department(user)
    found = rows(cur, f"""
        WITH {content_facts(_SOURCE.format(where=where), "question_facts", timestamps=QUESTION_TIMES, alias="q")}
        SELECT f.id, f.lesson_id, f.lesson_title, f.lesson_anonymous, f.body, f.created_at, f.answered_at, f.private,
               f.anonymous, f.hidden, f.attributed, f.department_name, f.state_code, f.hhs_region, f.jurisdiction_type,
               f.author_name, f.department_id = $viewer_department AS ours,
               f.lesson_department_id = $viewer_department AS to_us, f.nudged_at IS NOT NULL AS nudged, f.lesson_out
        FROM question_facts f WHERE {_VISIBLE}
        ORDER BY f.lesson_id, f.created_at, f.id""", {"viewer_department": viewer, **params})
    if not found:
        return []
    answers = rows(cur, f"""
        WITH {content_facts('''(SELECT a.*, l.anonymous FROM answers a JOIN lessons l ON l.id = a.lesson_id
                                WHERE a.question_id IN (SELECT unnest($ids::INTEGER[])))''',
                            "answer_facts", timestamps=ANSWER_TIMES, alias="a")}
        SELECT id, question_id, body, created_at, hidden, attributed, department_name, state_code, author_name,
               department_id = $viewer_department AS ours
        FROM answer_facts WHERE NOT hidden OR department_id = $viewer_department
        ORDER BY created_at, id""", {"viewer_department": viewer, "ids": [q["id"] for q in found]})
    by_question: dict[int, list[dict]] = {}
    reporter = user.department_id is not None and permissions.allowed(user, "lesson.report", {"published"})
    for item in answers:
        item["by"] = answerer_line(item)
        item["can_report"] = reporter and not item["ours"] and not item["hidden"]
        by_question.setdefault(item["question_id"], []).append(item)
    for question in found:
        question["asker"] = asker_line(question)
        question["answers"] = by_question.get(question["id"], [])
        shown = [a for a in question["answers"] if not a["hidden"]]
        question["can_answer"] = bool(question["to_us"]) and not question["hidden"] and bool(question["lesson_out"])
        question["can_mark_answered"] = bool(question["ours"]) and question["answered_at"] is None and bool(shown)
        question["can_report"] = reporter and not question["ours"] and not question["hidden"]
    return found
