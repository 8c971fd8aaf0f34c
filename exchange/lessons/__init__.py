"""Lessons: write, submit, withdraw and read them, each checked against the acting user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import duckdb

from exchange.identity import audit, permissions
from exchange import clock, taxonomy
from exchange.lessons import moderation
from exchange.kernel import serial
from exchange.privacy.anonymity import LESSON_FACTS, lesson_facts, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows
from exchange.errors import Conflict, NotFound
from exchange.lessons.form import FIELD_LABELS, LessonInput, parse_lesson_id, validate
from exchange.models import User

# Every status, in the order a lesson's life shows them; and which status allows which action.
STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn")
EDITABLE_STATUSES = ("draft", "submitted", "rejected", "withdrawn", "published")
SUBMITTABLE_STATUSES = ("draft", "rejected", "withdrawn")  # not (yet, or any longer) on its way or out there
WITHDRAWABLE_STATUSES = ("submitted", "published")
# The action each status allows, and the permission-table action that must allow it too.
_ACTIONS = (("edit", "lesson.edit", EDITABLE_STATUSES), ("submit", "lesson.submit", SUBMITTABLE_STATUSES),
            ("withdraw", "lesson.withdraw", WITHDRAWABLE_STATUSES))
_COLUMNS = ("title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently",
            "advice", "period_start", "period_end", "visibility", "anonymous")


def new_client_token() -> str:
    """A token for one open form, so a double-click or a second tab cannot create a second lesson."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Saved:
    """What a save stored: the lesson's id and the revision the editor now works from."""

    id: int
    revision: int
    status: str
    saved_at: datetime


class LessonChanged(Conflict):
    """Someone saved the lesson after this editor opened it; carries the version now stored."""

    def __init__(self, current: LessonInput, revision: int, status: str, updated_at: datetime, updated_by: str | None):
        self.current, self.revision, self.status = current, revision, status
        self.updated_at, self.updated_by = updated_at, updated_by
        who = f" by {updated_by}" if updated_by else ""
        super().__init__(f"This lesson was changed{who} at {updated_at:%H:%M} UTC after you opened it. Your text is "
                         "kept: compare the two versions below, then merge or overwrite.")

    def changed_fields(self, mine: LessonInput) -> list[str]:
        """The fields where the stored version differs from `mine`, in form order."""
        return [f for f in FIELD_LABELS if getattr(self.current, f) != getattr(mine, f)]


def save(db: Database, user: User, data: LessonInput, *, lesson_id: int | None = None, revision: int | None = None,
         client_token: str | None = None, now: datetime | None = None) -> Saved:
    """Create or update a draft; an edit saves only while `revision` (what the editor opened) is still current.

    Raises LessonChanged when someone saved in between, unless the stored text already equals this one
    (a double-click or a repeated request gets the same answer, never an error).
    """
    now = now or clock.now()
    clean = validate(data, taxonomy.load(db), today=now.date(), for_submit=False)

    def work(cur):
        lid = _store(cur, user, clean, lesson_id, client_token, now, revision)
        return _saved(cur, lid)

    return serial.write(db, [("user_lessons", user.id or 0)], work, now)


def save_draft(db: Database, user: User, data: LessonInput, *, lesson_id: int | None = None,
               client_token: str | None = None, revision: int | None = None, now: datetime | None = None) -> int:
    """Create or update a draft of the user's department; return its id (see `save`)."""
    return save(db, user, data, lesson_id=lesson_id, revision=revision, client_token=client_token, now=now).id


def check(db: Database, user: User, data: LessonInput, *, lesson_id: int | None = None, today=None) -> LessonInput:
    """Validate a lesson for submission without storing anything; raise InvalidInput naming every bad field.

    The permission is the one the submission will need: lesson.create for a new lesson (a department to post
    for), lesson.submit for an existing one, which an administrator holds without a department.
    """
    if lesson_id is None:
        permissions.require(user, "lesson.create", permissions.user_relations(user))
    else:
        with db.read() as cur:
            _load_for_write(cur, user, lesson_id, "lesson.submit")
    return validate(data, taxonomy.load(db), today=today or clock.today(), for_submit=True)


def submit(db: Database, user: User, lesson_id: int, *, revision: int | None = None, now: datetime | None = None) -> str:
    """Submit a saved draft (checked in full); return the new status. Submitting twice is a no-op.

    With `revision`, refuse (LessonChanged) if someone saved another version since the submitter saw it.
    """
    now = now or clock.now()
    tax = taxonomy.load(db)

    def work(cur):
        current = _load_for_write(cur, user, lesson_id, "lesson.submit")
        if current["status"] in ("submitted", "published"):
            return current["status"]
        if revision is not None and current["revision"] != revision:
            raise _changed(cur, current)
        validate(_as_input(cur, current), tax, today=now.date(), for_submit=True)
        return _submit(cur, user, current["id"], now)

    return serial.write(db, [("user_lessons", user.id or 0)], work, now)


def withdraw(db: Database, user: User, lesson_id: int, *, now: datetime | None = None) -> None:
    """Take a lesson back from review or publication (it is kept, as 'withdrawn'); withdrawing twice is a no-op."""
    now = now or clock.now()

    def work(cur):
        current = _load_for_write(cur, user, lesson_id, "lesson.withdraw")
        if current["status"] == "withdrawn":
            return
        if current["status"] not in WITHDRAWABLE_STATUSES:
            raise Conflict(f"This lesson is a {_STATUS_NOUN[current['status']]}: only a lesson waiting for review or "
                           "published can be withdrawn.")
        cur.execute("UPDATE lessons SET status = 'withdrawn', updated_at = ?, updated_by = ?, revision = revision + 1 "
                    "WHERE id = ?", [now, user.id, current["id"]])
        changes.record(cur, "lesson", current["id"])

    db.write(work)


def actions_for(user: User, lesson: dict) -> tuple[str, ...]:
    """What `user` may do to `lesson` now ("edit", "submit", "withdraw"): its status and the permission table agree.

    `lesson` needs status, visibility, hidden, anonymous, department_id (and hhs_region for coordinators).
    """
    rels = permissions.lesson_relations(user, lesson)
    return tuple(name for name, action, statuses in _ACTIONS
                 if lesson["status"] in statuses and permissions.allowed(user, action, rels))


def saves_quietly(status: str) -> bool:
    """True when saving a lesson in this status takes nothing out of review or off the site (autosave may save it)."""
    return status in SUBMITTABLE_STATUSES


def is_public_now(lesson: dict) -> bool:
    """True while a lesson is published (people outside its department may be reading it): withdrawing it asks first."""
    return lesson["status"] == "published"


def editable(db: Database, user: User, lesson_id: int) -> tuple[LessonInput, dict]:
    """The form values of a lesson the user may edit, and what the form shows about it (status, revision, last review)."""
    with db.read() as cur:
        current = _load_for_write(cur, user, lesson_id, "lesson.edit")
        about = {key: current[key] for key in ("id", "status", "hidden", "visibility", "anonymous", "revision",
                                               "updated_at")}
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
        lesson["can_review"] = moderation.pending(cur, lesson) and permissions.allowed(user, "lesson.review", rels)
        lesson["can_reveal"] = bool(lesson["anonymous"]) and not lesson["attributed"] and permissions.allowed(
            user, "lesson.reveal_department", rels)
        for private in ("department_id", "author_id", "updated_by", "client_token", "true_region"):
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
    for lesson in found:
        lesson["actions"] = actions_for(user, {**lesson, "department_id": user.department_id})
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

_STATUS_NOUN = {"draft": "draft", "rejected": "lesson sent back by a reviewer", "submitted": "submission",
                "published": "published lesson", "withdrawn": "withdrawn lesson"}


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


def _token_lesson(cur, client_token: str | None) -> int | None:
    if not client_token:
        return None
    found = cur.execute("SELECT id FROM lessons WHERE client_token = ?", [client_token]).fetchone()
    return found[0] if found else None


def _store(cur, user: User, data: LessonInput, lesson_id: int | None, client_token: str | None, now: datetime,
           revision: int | None = None) -> int:
    values = [getattr(data, c) for c in _COLUMNS]
    if lesson_id is None:
        permissions.require(user, "lesson.create", permissions.user_relations(user))
        lesson_id = _token_lesson(cur, client_token)  # the same form sent twice: that lesson, not another
    if lesson_id is None:
        moderation.check_draft_allowed(cur, user, now)
        lesson_id = cur.execute(
            f"INSERT INTO lessons (client_token, {', '.join(_COLUMNS)}, status, author_id, department_id, created_at, "
            f"updated_at, updated_by) VALUES (?, {', '.join('?' for _ in _COLUMNS)}, 'draft', ?, ?, ?, ?, ?) RETURNING id",
            [client_token, *values, user.id, user.department_id, now, now, user.id],
        ).fetchone()[0]
    else:
        current = _load_for_write(cur, user, lesson_id, "lesson.edit")
        if current["status"] not in EDITABLE_STATUSES:
            raise Conflict(f"This lesson is {current['status']} and cannot be edited.")
        if _as_input(cur, current) == data:
            return current["id"]  # nothing to change: a repeat, or a save with no edits, is not a conflict
        if revision is not None and current["revision"] != revision:
            raise _changed(cur, current)
        if current["anonymous"] and not data.anonymous and "own_department" not in permissions.lesson_relations(user, current):
            # An administrator un-ticking "anonymous" names the department to everyone: as audited as a reveal.
            audit.record(cur, user, "anonymity_revealed", "lesson", current["id"], detail="by editing: anonymous turned off",
                         now=now)
        # Editing a published or submitted lesson sends it back through submission (hidden stays until a decision).
        status = "draft" if current["status"] in ("published", "submitted", "withdrawn") else current["status"]
        cur.execute(
            f"UPDATE lessons SET {', '.join(f'{c} = ?' for c in _COLUMNS)}, status = ?, updated_at = ?, updated_by = ?, "
            "revision = revision + 1 WHERE id = ?",
            [*values, status, now, user.id, lesson_id],
        )
        for table in ("lesson_practices", "lesson_actions", "lesson_risks", "lesson_partners", "lesson_links"):
            cur.execute(f"DELETE FROM {table} WHERE lesson_id = ?", [lesson_id])
    _insert_links(cur, lesson_id, data)
    changes.record(cur, "lesson", lesson_id)
    return lesson_id


def _saved(cur, lesson_id: int) -> Saved:
    row = one(cur, "SELECT id, revision, status, updated_at FROM lessons WHERE id = ?", [lesson_id])
    return Saved(row["id"], row["revision"], row["status"], row["updated_at"])


def _changed(cur, current: dict) -> LessonChanged:
    by = one(cur, "SELECT display_name FROM users WHERE id = ?", [current.get("updated_by") or current["author_id"]])
    return LessonChanged(_as_input(cur, current), current["revision"], current["status"], current["updated_at"],
                         by["display_name"] if by else None)


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
    review = moderation.needs_review(cur, current["department_id"]) or moderation.must_review(cur, current)
    status = "submitted" if review else "published"
    # `hidden` is left as it is: only a reviewer's decision lifts it.
    cur.execute(
        "UPDATE lessons SET status = ?, submitted_at = ?, published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END, "
        "updated_at = ?, revision = revision + 1 WHERE id = ? AND status = ?",
        [status, now, status, now, now, lesson_id, current["status"]],
    )
    changes.record(cur, "lesson", lesson_id, event="lesson.published" if status == "published" else "lesson.submitted",
                   payload={"lesson_id": lesson_id, "department_id": current["department_id"]})
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


__all__ = ["STATUSES", "new_client_token", "Saved", "LessonChanged", "check", "save", "save_draft", "submit", "withdraw",
           "actions_for", "saves_quietly", "is_public_now", "editable", "get", "mine", "attach_tags"]
