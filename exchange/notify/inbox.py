"""The inbox: notification rows (ids only) and their texts, rendered for their reader when read.

A row says what happened (its kind), to which lesson and which subject (a review, a report), and
for a followed lesson which follows it matched. The text is made when the inbox or an e-mail is
shown, through the anonymity rule for that reader (LESSON_FACTS), so nothing about an anonymous
department is ever stored here, and a question, answer or endorsement never names the asker's or
endorser's department at all.
"""

from __future__ import annotations

import json
from datetime import datetime

from exchange import clock, taxonomy
from exchange.errors import NotFound
from exchange.identity import permissions
from exchange.lessons.moderation import OUTCOME_TEXT
from exchange.models import User
from exchange.notify import follows
from exchange.privacy.anonymity import LESSON_FACTS, attribution_line, viewer_department
from exchange.storage.duckdb import Database, rows

# Each kind of notification: what it is about, in the inbox's filter and the e-mail's subject.
KINDS = {
    "followed_lesson": "New lesson you follow",
    "question": "Question to your department",
    "answer": "Answer to your question",
    "nudge": "Question waiting for an answer",
    "confirmation": "Is this lesson still current?",
    "published": "Your lesson is published",
    "sent_back": "Your lesson was sent back",
    "hidden_reports": "Your lesson was hidden after reports",
    "review_outcome": "Reports on your lesson reviewed",
    "endorsement": "Your lesson helped someone",
    "report_decided": "Your report was reviewed",
}
ENDORSEMENTS = {"helped": "This helped us", "adapted": "We adapted this"}
PAGE_SIZE = 50


def add(cur, user_ids, kind: str, event_seq: int, *, lesson_id: int | None = None, subject_id: int | None = None,
        detail: dict | None = None, now: datetime | None = None) -> list[tuple[int, int]]:
    """Write one notification per recipient for this event (a second delivery adds none); return (user, id) pairs."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or clock.now()
    made = []
    for user_id in dict.fromkeys(user_ids):
        found = cur.execute(
            """INSERT INTO notifications (user_id, kind, event_seq, lesson_id, subject_id, detail, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id""",
            [user_id, kind, event_seq, lesson_id, subject_id, json.dumps(detail) if detail else None, now]).fetchone()
        if found:
            made.append((user_id, found[0]))
    return made


def unread_count(db: Database, user: User) -> int:
    """How many of the user's notifications are unread (0 for a visitor)."""
    if not user.signed_in:
        return 0
    with db.read() as cur:
        return cur.execute("SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                           [user.id]).fetchone()[0]


def items(db: Database, user: User, *, unread_only: bool = False, limit: int = PAGE_SIZE) -> list[dict]:
    """The user's notifications, newest first, each with its text, when, whether read, and where it links."""
    permissions.require(user, "account.read", {"self"})
    with db.read() as cur:
        found = rows(cur, f"""SELECT id, kind, lesson_id, subject_id, detail, created_at, read_at FROM notifications
                              WHERE user_id = ? {'AND read_at IS NULL' if unread_only else ''}
                              ORDER BY created_at DESC, id DESC LIMIT ?""", [user.id, max(1, min(int(limit), 500))])
        return render(db, cur, user, found)


def by_ids(db: Database, cur, user: User, ids: list[int]) -> list[dict]:
    """The user's notifications with these ids, rendered (for e-mails), oldest first."""
    found = rows(cur, """SELECT id, kind, lesson_id, subject_id, detail, created_at, read_at FROM notifications
                         WHERE user_id = ? AND id IN (SELECT unnest(?::BIGINT[])) ORDER BY created_at, id""",
                 [user.id, list(ids)])
    return render(db, cur, user, found)


def mark_read(db: Database, user: User, notification_id) -> None:
    """Mark one of your notifications read (again is a no-op); NotFound when it is not yours."""
    permissions.require(user, "account.read", {"self"})
    text = str(notification_id)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise NotFound("That notification does not exist.")

    def work(cur):
        found = cur.execute("SELECT read_at FROM notifications WHERE id = ? AND user_id = ?", [int(text), user.id]).fetchone()
        if found is None:
            raise NotFound("That notification does not exist.")
        if found[0] is None:
            cur.execute("UPDATE notifications SET read_at = ? WHERE id = ?", [clock.now(), int(text)])

    db.write(work, entity="notification")


def mark_all_read(db: Database, user: User) -> int:
    """Mark every unread notification of yours read; return how many."""
    permissions.require(user, "account.read", {"self"})

    def work(cur):
        return len(cur.execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL RETURNING id",
                               [clock.now(), user.id]).fetchall())

    return db.write(work, entity="notification")


# ---------------------------------------------------------------- rendering
def render(db: Database, cur, user: User, found: list[dict]) -> list[dict]:
    """Texts for notification rows, as this reader may see the lessons they name (anonymity applied)."""
    lesson_ids = sorted({r["lesson_id"] for r in found if r["lesson_id"] is not None})
    lessons = {r["id"]: r for r in rows(cur, f"""
        WITH {LESSON_FACTS}
        SELECT f.id, f.title, f.status, f.hidden, f.visibility, f.anonymous, f.department_id, f.true_region,
               f.attributed, f.department_name, f.state_code, f.hhs_region, f.jurisdiction_type
        FROM lesson_facts f WHERE f.id IN (SELECT unnest($ids::INTEGER[]))""",
        {"viewer_department": viewer_department(user), "ids": lesson_ids})} if lesson_ids else {}
    reviews = _by_id(cur, "SELECT id, reason FROM lesson_reviews WHERE id IN (SELECT unnest(?::BIGINT[]))",
                     [r["subject_id"] for r in found if r["kind"] in ("sent_back", "review_outcome")])
    reports = _by_id(cur, "SELECT id, outcome FROM lesson_reports WHERE id IN (SELECT unnest(?::BIGINT[]))",
                     [r["subject_id"] for r in found if r["kind"] == "report_decided"])
    # What was asked or answered, quoted for whoever may read the thread (not once hidden after reports).
    asked = _by_id(cur, "SELECT id, body FROM questions WHERE NOT hidden AND id IN (SELECT unnest(?::BIGINT[]))",
                   [r["subject_id"] for r in found if r["kind"] in ("question", "nudge")])
    answered = _by_id(cur, "SELECT id, body FROM answers WHERE NOT hidden AND id IN (SELECT unnest(?::BIGINT[]))",
                      [r["subject_id"] for r in found if r["kind"] == "answer"])
    follow_rows = {}
    wanted = [i for r in found if r["kind"] == "followed_lesson" for i in (_detail(r).get("follows") or [])]
    if wanted:
        follow_rows = {r["id"]: r for r in rows(cur, "SELECT id, kind, target FROM follows WHERE user_id = ? AND "
                                                     "id IN (SELECT unnest(?::INTEGER[]))", [user.id, wanted])}
    tax = taxonomy.load(db) if follow_rows else None
    names = follows._department_names(cur, [int(f["target"]) for f in follow_rows.values() if f["kind"] == "department"])
    out = []
    for row in found:
        lesson = lessons.get(row["lesson_id"])
        readable = lesson is not None and permissions.allowed(
            user, "lesson.read", permissions.lesson_relations(user, {**lesson, "hhs_region": lesson["true_region"]}))
        text = _text(row, lesson if readable else None, reviews, reports, follow_rows, tax, names)
        if readable and row["kind"] in ("question", "nudge", "answer"):
            text += _quoted((answered if row["kind"] == "answer" else asked).get(row["subject_id"]))
        out.append({"id": row["id"], "kind": row["kind"], "kind_label": KINDS[row["kind"]], "text": text,
                    "created_at": row["created_at"], "read": row["read_at"] is not None,
                    "lesson_id": row["lesson_id"] if readable else None})
    return out


def _text(row: dict, lesson: dict | None, reviews: dict, reports: dict, follow_rows: dict, tax, names: dict) -> str:
    kind = row["kind"]
    title = f"“{lesson['title']}”" if lesson else "a lesson you can no longer open"
    detail = _detail(row)
    if kind == "followed_lesson":
        if lesson is None:
            return "A new lesson matched what you follow, but it is no longer available to you."
        matched = [follows.describe(tax, names, f["kind"], f["target"]) for i in detail.get("follows") or []
                   if (f := follow_rows.get(i))]
        because = f" It matches what you follow: {'; '.join(matched)}." if matched else ""
        return f"New lesson {title}, shared by {_who(lesson)}.{because}"
    if kind == "question":
        return f"Your department has a new question on {title}. Any member of your department may answer it."
    if kind == "answer":
        who = _poster(lesson)
        return f"{who[0].upper()}{who[1:]} answered your question on {title}."
    if kind == "nudge":
        return f"A question to your department on {title} has waited 14 days for an answer."
    if kind == "confirmation":
        return f"Is {title} still current? Confirm it, update it or mark it historical."
    if kind == "published":
        return f"Your lesson {title} was published by a reviewer."
    if kind == "sent_back":
        reason = (reviews.get(row["subject_id"]) or {}).get("reason") or "no reason was given"
        return f"Your lesson {title} was sent back to change. The reviewer said: {reason}"
    if kind == "hidden_reports":
        return (f"Your lesson {title} was hidden after reports from several departments. A coordinator of the "
                "region will review it; you will hear the outcome here.")
    if kind == "review_outcome":
        outcome = detail.get("outcome")
        said = (reviews.get(row["subject_id"]) or {}).get("reason")
        because = f" The reviewer said: {said}" if said else ""
        return {"dismissed": f"The reports on your lesson {title} were reviewed: it stays published.{because}",
                "hidden": f"The reports on your lesson {title} were reviewed: it stays hidden.{because}"}.get(
            outcome, f"The reports on your lesson {title} were reviewed.{because}")
    if kind == "endorsement":
        said = ENDORSEMENTS.get(detail.get("kind"), "This helped us")
        return f"A department said “{said}” about your lesson {title}."
    if kind == "report_decided":
        report = reports.get(row["subject_id"]) or {}
        outcome = OUTCOME_TEXT.get(report.get("outcome"), "Reviewed")
        return f"Your report on {title} was reviewed. {outcome}."
    return KINDS.get(kind, "Notification")


QUOTE_CHARS = 160  # a notification quotes the start of a question or answer, not all of it


def _quoted(found: dict | None) -> str:
    """' They wrote: “…”' with the start of the text, or nothing (hidden, deleted or empty)."""
    body = " ".join(str((found or {}).get("body") or "").split())
    if not body:
        return ""
    if len(body) > QUOTE_CHARS:
        body = body[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    return f" They wrote: “{body}”"


def _who(lesson: dict) -> str:
    """Who shared a lesson, as this reader may know (a department, or the K rule's anonymous line)."""
    return attribution_line(lesson)


def _poster(lesson: dict | None) -> str:
    """The posting department as this reader may name it: its name only when the lesson is attributed to them."""
    if lesson and lesson.get("attributed") and not lesson.get("anonymous") and lesson.get("department_name"):
        return f"{lesson['department_name']} ({lesson['state_code']})"
    return "the posting department"


def _detail(row: dict) -> dict:
    value = row.get("detail")
    if isinstance(value, str):
        try:
            return json.loads(value) or {}
        except ValueError:
            return {}
    return value or {}


def _by_id(cur, sql: str, ids: list) -> dict:
    ids = [i for i in ids if i is not None]
    return {r["id"]: r for r in rows(cur, sql, [ids])} if ids else {}
