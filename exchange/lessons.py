"""Lessons: write, submit, withdraw and read them, each checked against the acting user."""

from __future__ import annotations

import secrets
from datetime import datetime

import duckdb

from . import clock, moderation, permissions, taxonomy
from .anonymity import LESSON_FACTS, lesson_facts, viewer_department
from .db import Database, one, rows
from .errors import Conflict, NotFound
from .lesson_form import LessonInput, parse_lesson_id, validate
from .models import User

EDITABLE_STATUSES = ("draft", "submitted", "rejected", "withdrawn", "published")
_COLUMNS = ("title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently",
            "advice", "period_start", "period_end", "visibility", "anonymous")


def new_client_token() -> str:
    """A token for one open form, so a double-click or a second tab cannot create a second lesson."""
    return secrets.token_urlsafe(16)


def save_draft(db: Database, user: User, data: LessonInput, *, lesson_id: int | None = None,
               client_token: str | None = None, now: datetime | None = None) -> int:
    """Create or update a draft of the user's department; return its id."""
    now = now or clock.now()
    clean = validate(data, taxonomy.load(db), today=now.date(), for_submit=False)

    def work(cur):
        return _store(cur, user, clean, lesson_id, client_token, now)

    return db.write(work)


def post(db: Database, user: User, data: LessonInput, *, lesson_id: int | None = None,
         client_token: str | None = None, now: datetime | None = None) -> tuple[int, str]:
    """Save and submit in one transaction; return (id, status). Repeating the same token is harmless."""
    now = now or clock.now()
    clean = validate(data, taxonomy.load(db), today=now.date(), for_submit=True)

    def work(cur):
        lid = _store(cur, user, clean, lesson_id, client_token, now)
        return lid, _submit(cur, user, lid, now)

    return db.write(work)


def check(db: Database, user: User, data: LessonInput, *, today=None) -> LessonInput:
    """Validate a lesson for submission without storing anything; raise InvalidInput naming every bad field."""
    permissions.require(user, "lesson.create", permissions.user_relations(user))
    return validate(data, taxonomy.load(db), today=today or clock.today(), for_submit=True)


def submit(db: Database, user: User, lesson_id: int, *, now: datetime | None = None) -> str:
    """Submit a saved draft (checked in full); return the new status. Submitting twice is a no-op."""
    now = now or clock.now()
    tax = taxonomy.load(db)
    with db.read() as cur:
        current = _load_for_write(cur, user, lesson_id, "lesson.submit")
        if current["status"] not in ("submitted", "published"):
            validate(_as_input(cur, current), tax, today=now.date(), for_submit=True)
    return db.write(lambda cur: _submit(cur, user, lesson_id, now))


def withdraw(db: Database, user: User, lesson_id: int, *, now: datetime | None = None) -> None:
    """Take a lesson back from review or publication (it is kept, as 'withdrawn')."""
    now = now or clock.now()

    def work(cur):
        current = _load_for_write(cur, user, lesson_id, "lesson.withdraw")
        if current["status"] == "withdrawn":
            return
        cur.execute("UPDATE lessons SET status = 'withdrawn', updated_at = ?, revision = revision + 1 WHERE id = ?",
                    [now, lesson_id])

    db.write(work)


def editable(db: Database, user: User, lesson_id: int) -> tuple[LessonInput, dict]:
    """The form values of a lesson the user may edit, and what the form shows about it (status, last review)."""
    with db.read() as cur:
        current = _load_for_write(cur, user, lesson_id, "lesson.edit")
        about = {key: current[key] for key in ("id", "status", "hidden", "visibility", "anonymous", "revision")}
        about["last_review"] = one(
            cur, "SELECT decision, reason, decided_at FROM lesson_reviews WHERE lesson_id = ? ORDER BY id DESC LIMIT 1",
            [current["id"]])
        return _as_input(cur, current), about


def get(db: Database, user: User, lesson_id: int) -> dict:
    """A lesson as this user may see it (anonymity applied), with its tags; NotFound if not readable."""
    with db.read() as cur:
        lesson = one(cur, f"WITH {lesson_facts('(SELECT * FROM lessons WHERE id = $id)')} SELECT * FROM lesson_facts",
                     {"viewer_department": viewer_department(user), "id": _int(lesson_id)})
        if lesson is None:
            raise NotFound("That lesson does not exist or you do not have access to it.")
        rels = _relations(user, lesson)
        permissions.require(user, "lesson.read", rels, hide=True)
        attach_tags(cur, [lesson])
        lesson["can_edit"] = permissions.allowed(user, "lesson.edit", rels)
        lesson["can_report"] = permissions.allowed(user, "lesson.report", rels) and "own_department" not in rels
        lesson["can_review"] = lesson["status"] == "submitted" and permissions.allowed(user, "lesson.review", rels)
        lesson["can_reveal"] = bool(lesson["anonymous"]) and not lesson["attributed"] and permissions.allowed(
            user, "lesson.reveal_department", rels)
        for private in ("department_id", "author_id", "client_token", "true_region"):
            lesson.pop(private, None)
        return lesson


def mine(db: Database, user: User) -> list[dict]:
    """Every lesson of the user's department, newest first, with status and the last review decision."""
    permissions.require(user, "lesson.list_mine", permissions.user_relations(user))
    with db.read() as cur:
        found = rows(cur, f"""
            WITH {LESSON_FACTS}
            SELECT f.id, f.title, f.kind, f.status, f.hidden, f.visibility, f.anonymous, f.updated_at,
                   f.published_at, f.author_name,
                   (SELECT reason FROM lesson_reviews r WHERE r.lesson_id = f.id ORDER BY r.id DESC LIMIT 1) AS last_reason,
                   (SELECT decision FROM lesson_reviews r WHERE r.lesson_id = f.id ORDER BY r.id DESC LIMIT 1) AS last_decision
            FROM lesson_facts f WHERE f.department_id = $viewer_department
            ORDER BY f.updated_at DESC, f.id DESC""", {"viewer_department": viewer_department(user)})
    return found


def attach_tags(cur: duckdb.DuckDBPyConnection, lessons: list[dict]) -> None:
    """Add practices, actions, risk types, partners and links to each lesson dict."""
    if not lessons:
        return
    ids = [lesson["id"] for lesson in lessons]
    by_id = {lesson["id"]: lesson for lesson in lessons}
    for lesson in lessons:
        lesson.update(practices=[], actions=[], risk_types=[], partners=[], links=[])
    found = cur.execute("""
        SELECT 'practices', lp.lesson_id, p.id::VARCHAR, p.name, p.position FROM lesson_practices lp
            JOIN practices p ON p.id = lp.practice_id WHERE lp.lesson_id IN (SELECT unnest($ids))
        UNION ALL SELECT 'actions', la.lesson_id, a.id::VARCHAR, a.name, a.practice_id * 1000 + a.position
            FROM lesson_actions la JOIN actions a ON a.id = la.action_id WHERE la.lesson_id IN (SELECT unnest($ids))
        UNION ALL SELECT 'risk_types', lr.lesson_id, r.id::VARCHAR, r.name, r.position FROM lesson_risks lr
            JOIN risk_types r ON r.id = lr.risk_type_id WHERE lr.lesson_id IN (SELECT unnest($ids))
        UNION ALL SELECT 'partners', lesson_id, partner, partner, 0 FROM lesson_partners WHERE lesson_id IN (SELECT unnest($ids))
        UNION ALL SELECT 'links', lesson_id, url, url, position FROM lesson_links WHERE lesson_id IN (SELECT unnest($ids))
        ORDER BY 1, 2, 5, 4""", {"ids": ids}).fetchall()  # one round trip for every tag of every lesson
    for key, lesson_id, item_id, name, _ in found:
        value = name if key in ("partners", "links") else {"id": int(item_id), "name": name}
        by_id[lesson_id][key].append(value)


# --- internals -------------------------------------------------------------------------


_int = parse_lesson_id


def _relations(user: User, lesson: dict) -> set[str]:
    return permissions.lesson_relations(user, {**lesson, "hhs_region": lesson.get("true_region", lesson.get("hhs_region"))})


def _load_for_write(cur, user: User, lesson_id, action: str) -> dict:
    row = one(cur, "SELECT l.*, s.hhs_region FROM lessons l JOIN departments d ON d.id = l.department_id "
                   "JOIN states s ON s.code = d.state_code WHERE l.id = ?", [_int(lesson_id)])
    if row is None:
        raise NotFound("That lesson does not exist or you do not have access to it.")
    rels = permissions.lesson_relations(user, row)
    # Someone who cannot even read it must not learn that it exists.
    permissions.require(user, "lesson.read", rels, hide=True)
    permissions.require(user, action, rels)
    return row


def _store(cur, user: User, data: LessonInput, lesson_id: int | None, client_token: str | None, now: datetime) -> int:
    values = [getattr(data, c) for c in _COLUMNS]
    if lesson_id is None:
        permissions.require(user, "lesson.create", permissions.user_relations(user))
        if client_token:
            existing = cur.execute("SELECT id FROM lessons WHERE client_token = ?", [client_token]).fetchone()
            if existing:  # the same form sent twice: update that lesson instead of making another
                lesson_id = existing[0]
    if lesson_id is None:
        lesson_id = cur.execute(
            f"INSERT INTO lessons (client_token, {', '.join(_COLUMNS)}, status, author_id, department_id, created_at, updated_at) "
            f"VALUES (?, {', '.join('?' for _ in _COLUMNS)}, 'draft', ?, ?, ?, ?) RETURNING id",
            [client_token, *values, user.id, user.department_id, now, now],
        ).fetchone()[0]
    else:
        current = _load_for_write(cur, user, lesson_id, "lesson.edit")
        if current["status"] not in EDITABLE_STATUSES:
            raise Conflict(f"This lesson is {current['status']} and cannot be edited.")
        # Editing a published or submitted lesson sends it back through submission.
        status = "draft" if current["status"] in ("published", "submitted", "withdrawn") else current["status"]
        cur.execute(
            f"UPDATE lessons SET {', '.join(f'{c} = ?' for c in _COLUMNS)}, status = ?, updated_at = ?, "
            "revision = revision + 1 WHERE id = ?",
            [*values, status, now, lesson_id],
        )
        for table in ("lesson_practices", "lesson_actions", "lesson_risks", "lesson_partners", "lesson_links"):
            cur.execute(f"DELETE FROM {table} WHERE lesson_id = ?", [lesson_id])
    _insert_links(cur, lesson_id, data)
    return lesson_id


def _insert_links(cur, lesson_id: int, data: LessonInput) -> None:
    inserts = [
        ("INSERT INTO lesson_practices VALUES (?, ?)", data.practice_ids),
        ("INSERT INTO lesson_actions VALUES (?, ?)", data.action_ids),
        ("INSERT INTO lesson_risks VALUES (?, ?)", data.risk_type_ids),
        ("INSERT INTO lesson_partners VALUES (?, ?)", data.partners),
    ]
    for sql, values in inserts:
        if values:
            cur.executemany(sql, [[lesson_id, v] for v in values])
    if data.links:
        cur.executemany("INSERT INTO lesson_links VALUES (?, ?, ?)", [[lesson_id, i, u] for i, u in enumerate(data.links, 1)])


def _submit(cur, user: User, lesson_id: int, now: datetime) -> str:
    current = _load_for_write(cur, user, lesson_id, "lesson.submit")
    if current["status"] in ("submitted", "published"):
        return current["status"]  # a double-click or a second tab: already done
    moderation.check_submission_allowed(cur, user, current, now)
    status = "submitted" if moderation.needs_review(cur, current["department_id"]) else "published"
    cur.execute(
        "UPDATE lessons SET status = ?, submitted_at = ?, published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END, "
        "hidden = FALSE, updated_at = ?, revision = revision + 1 WHERE id = ? AND status = ?",
        [status, now, status, now, now, lesson_id, current["status"]],
    )
    moderation.record_submission(cur, user, lesson_id, status, now)
    return status


def _as_input(cur, row: dict) -> LessonInput:
    ids = lambda sql: [r[0] for r in cur.execute(sql, [row["id"]]).fetchall()]  # noqa: E731
    return LessonInput(
        **{c: row[c] for c in _COLUMNS},
        practice_ids=ids("SELECT practice_id FROM lesson_practices WHERE lesson_id = ? ORDER BY 1"),
        action_ids=ids("SELECT action_id FROM lesson_actions WHERE lesson_id = ? ORDER BY 1"),
        risk_type_ids=ids("SELECT risk_type_id FROM lesson_risks WHERE lesson_id = ? ORDER BY 1"),
        partners=ids("SELECT partner FROM lesson_partners WHERE lesson_id = ? ORDER BY 1"),
        links=ids("SELECT url FROM lesson_links WHERE lesson_id = ? ORDER BY position"),
    )


__all__ = ["new_client_token", "check", "save_draft", "post", "submit", "withdraw", "editable", "get", "mine",
           "attach_tags"]
