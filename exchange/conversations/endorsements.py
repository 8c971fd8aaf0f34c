"""Endorsements: "This helped us" and "We adapted this", one per department per lesson, withdrawable.

An endorsement may be anonymous: it counts, and shows nothing else. The posting department sees who
endorsed (where not anonymous); everyone who may read the lesson sees the counts. A "We adapted this"
note can start the department's own lesson, linked both ways — shown only where neither the
endorsement nor the new lesson is anonymous, so the link never ties an anonymous post to a name.
"""

from __future__ import annotations

from datetime import datetime

from exchange import clock
from exchange.conversations import counts
from exchange.conversations.access import NOT_FOUND, checked_text, is_out, parse_id, readable_lesson
from exchange.errors import Forbidden, InvalidInput, NotFound
from exchange.identity import permissions
from exchange.lessons.form import LIMITS
from exchange.models import User
from exchange.privacy.anonymity import content_facts, viewer_department
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows

KINDS = {"helped": "This helped us", "adapted": "We adapted this"}
MAX_NOTE_CHARS = 2000
NOTE_LABEL = "What you adapted and how it went"


def endorse(db: Database, user: User, lesson_id, kind: str, *, note: str = "", anonymous: bool = False,
            now: datetime | None = None) -> int:
    """Endorse a published lesson for the user's department (or change its endorsement); return the endorsement's id.

    One per department and lesson, by the table's key: two members endorsing at once leave one endorsement.
    """
    note = checked_text(note, "note", NOTE_LABEL, MAX_NOTE_CHARS, required=False)  # before anything else
    if kind not in KINDS:
        raise InvalidInput({"kind": "Choose “This helped us” or “We adapted this”."})
    if kind != "adapted":
        note = ""  # the note tells what was adapted
    now = now or clock.now()
    _require_department(user)

    def work(cur):
        lesson, rels = readable_lesson(cur, user, lesson_id)
        if not is_out(lesson):
            raise InvalidInput("Only a published lesson can be endorsed.", "lesson")
        if "own_department" in rels:
            raise InvalidInput("Your department shared this lesson, so it cannot endorse it.", "lesson")
        current = one(cur, "SELECT * FROM endorsements WHERE lesson_id = ? AND department_id = ?",
                      [lesson["id"], user.department_id])
        if current is None:
            endorsement_id = cur.execute(
                """INSERT INTO endorsements (lesson_id, department_id, author_id, kind, note, anonymous, created_at,
                                             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                [lesson["id"], user.department_id, user.id, kind, note, bool(anonymous), now, now]).fetchone()[0]
        else:
            endorsement_id = current["id"]
            same = (current["kind"], current["note"], current["anonymous"]) == (kind, note, bool(anonymous))
            if current["withdrawn_at"] is None and same:
                return endorsement_id  # a repeat (a double click, a second tab) changes nothing
            cur.execute("UPDATE endorsements SET kind = ?, note = ?, anonymous = ?, author_id = ?, updated_at = ?, "
                        "withdrawn_at = NULL WHERE id = ?",
                        [kind, note, bool(anonymous), user.id, now, endorsement_id])
            if current["withdrawn_at"] is None:  # a change of kind or note: no new endorsement to tell anyone about
                changes.record(cur, "endorsement", endorsement_id)
                return endorsement_id
        changes.record(cur, "endorsement", endorsement_id, event="endorsement.added", payload={
            "endorsement_id": endorsement_id, "lesson_id": lesson["id"], "department_id": lesson["department_id"],
            "kind": kind, "anonymous": bool(anonymous)})
        return endorsement_id

    return db.write(work, attempts=8)


def withdraw(db: Database, user: User, lesson_id, *, now: datetime | None = None) -> bool:
    """Withdraw the department's endorsement of a lesson; False when there was none (a repeat changes nothing)."""
    now = now or clock.now()
    _require_department(user)

    def work(cur):
        lesson, _ = readable_lesson(cur, user, lesson_id)
        found = cur.execute("UPDATE endorsements SET withdrawn_at = ?, updated_at = ? WHERE lesson_id = ? AND "
                            "department_id = ? AND withdrawn_at IS NULL RETURNING id",
                            [now, now, lesson["id"], user.department_id]).fetchone()
        if found:
            changes.record(cur, "endorsement", found[0])
        return bool(found)

    return db.write(work, attempts=8)


def summary(db: Database, user: User, lesson_id) -> dict:
    """What the lesson page shows: counts, this department's endorsement, and — for the posting department — who."""
    viewer = viewer_department(user)
    with db.read() as cur:
        lesson, rels = readable_lesson(cur, user, lesson_id)
        tally = counts.lesson_counts(cur, [lesson["id"]]).get(lesson["id"], counts.ZERO)
        endorsed = rows(cur, f"""
            WITH {content_facts("(SELECT * FROM endorsements WHERE lesson_id = $lesson AND withdrawn_at IS NULL)",
                                "endorsement_facts", timestamps=("created_at", "updated_at"), alias="e")}
            SELECT id, kind, note, anonymous, attributed, department_name, state_code, created_at, adapted_lesson_id,
                   department_id = $viewer_department AS ours
            FROM endorsement_facts ORDER BY created_at DESC, id DESC""", {"viewer_department": viewer, "lesson": lesson["id"]})
        mine = next((e for e in endorsed if e["ours"]), None)
        posting = "own_department" in rels
        result = {
            **tally, "total": tally["helped"] + tally["adapted"], "mine": mine,
            "can_endorse": user.department_id is not None and not posting and is_out(lesson),
            "is_posting_department": posting,
            "endorsers": [e for e in endorsed if posting and e["attributed"] and not e["ours"]],
            "anonymous_endorsers": sum(1 for e in endorsed if posting and not e["attributed"]),
            "adapted_into": _linked(cur, user, "e.lesson_id = ? AND e.adapted_lesson_id IS NOT NULL", "e.adapted_lesson_id",
                                    lesson["id"]),
            "adapted_from": _linked(cur, user, "e.adapted_lesson_id = ?", "e.lesson_id", lesson["id"]),
        }
    for item in result["endorsers"]:
        item["kind_label"] = KINDS[item["kind"]]
    return result


def adaptation_start(db: Database, user: User, endorsement_id) -> dict:
    """Form values to start the department's own lesson from its "We adapted this" note (title, context, what we did)."""
    eid = parse_id(endorsement_id)
    with db.read() as cur:
        found = one(cur, "SELECT * FROM endorsements WHERE id = ? AND withdrawn_at IS NULL", [eid])
        if found is None or found["department_id"] != user.department_id or found["kind"] != "adapted":
            raise NotFound(NOT_FOUND)
        lesson, _ = readable_lesson(cur, user, found["lesson_id"])
    title = f"Adapting “{lesson['title']}”"
    if len(title) > LIMITS["title"]:
        title = title[:LIMITS["title"] - 2] + "…”"
    return {"title": title, "context": f"We adapted the lesson “{lesson['title']}” shared on the exchange.",
            "what_we_did": found["note"], "endorsement_id": eid}


def link_adaptation(db: Database, user: User, endorsement_id, new_lesson_id) -> None:
    """Record that the department's lesson `new_lesson_id` was started from its adaptation note (both must be its own)."""
    eid, new_id = parse_id(endorsement_id), parse_id(new_lesson_id)

    def work(cur):
        found = one(cur, "SELECT * FROM endorsements WHERE id = ?", [eid])
        new = one(cur, "SELECT id, department_id FROM lessons WHERE id = ?", [new_id])
        if found is None or new is None or user.department_id is None or \
                not found["department_id"] == new["department_id"] == user.department_id:
            raise NotFound(NOT_FOUND)
        if found["adapted_lesson_id"] == new_id:
            return
        cur.execute("UPDATE endorsements SET adapted_lesson_id = ? WHERE id = ?", [new_id, eid])
        changes.record(cur, "endorsement", eid)

    db.write(work)


def _linked(cur, user: User, where: str, other: str, lesson_id: int) -> list[dict]:
    """Lessons linked by an adaptation, where this viewer may read them and the link ties nothing anonymous to a name."""
    found = rows(cur, f"""
        SELECT o.id, o.title, o.status, o.visibility, o.hidden, o.anonymous, o.department_id, s.hhs_region,
               e.anonymous AS endorsement_anonymous, e.department_id AS endorsing_department,
               (SELECT anonymous FROM lessons WHERE id = e.adapted_lesson_id) AS adaptation_anonymous
        FROM endorsements e JOIN lessons o ON o.id = {other}
        JOIN departments d ON d.id = o.department_id JOIN states s ON s.code = d.state_code
        WHERE {where} AND e.withdrawn_at IS NULL ORDER BY o.id""", [lesson_id])
    shown = []
    for item in found:
        ours = user.department_id is not None and user.department_id == item["endorsing_department"]
        named = not item["endorsement_anonymous"] and not item["adaptation_anonymous"]
        readable = permissions.allowed(user, "lesson.read", permissions.lesson_relations(user, item))
        if readable and (ours or (named and is_out(item))):
            shown.append({"id": item["id"], "title": item["title"]})
    return shown


def _require_department(user: User) -> None:
    if not user.signed_in:
        raise Forbidden("Please sign in to endorse a lesson.")
    if user.department_id is None:
        raise Forbidden("Endorsements are given by a department; your account has none.")
