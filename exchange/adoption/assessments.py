"""Departments' dated self-assessments: the form's data, and adding a record (history is never overwritten)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from exchange import clock, taxonomy
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from exchange.identity import permissions
from exchange.kernel import serial
from exchange.kernel.text import field, is_http_url
from exchange.models import User
from exchange.storage import changes
from exchange.storage.duckdb import Database, one, rows

NOTE_LIMIT = 1000
URL_LIMIT = 2000
EARLIEST = date(2000, 1, 1)
HISTORY_SQL = """
    SELECT a.id, a.practice_id, p.name AS practice, a.stage, st.name AS stage_name, a.as_of, a.note,
           a.evidence_url, a.recorded_at
    FROM assessments a JOIN practices p ON p.id = a.practice_id LEFT JOIN adoption_stages st ON st.level = a.stage
    WHERE a.department_id = $department ORDER BY a.as_of DESC, a.id DESC"""


@dataclass(frozen=True)
class SelfAssessment:
    """What the self-assessment page shows: the scale, the practices with their current stage, the history."""

    department_id: int
    department_name: str
    stages: list[dict]
    sections: list[tuple[dict, list[dict]]]  # (category, practices with current stage or None)
    history: list[dict]
    note_limit: int = NOTE_LIMIT


def self_assessment(db: Database, user: User, department_id: int | None = None) -> SelfAssessment:
    """The department's scale, current stage per practice (grouped by category) and full history."""
    department_id = user.department_id if department_id is None else department_id
    if department_id is None:
        raise Forbidden("Self-assessment is for members of a health department; your account has none.")
    permissions.require(user, "assessment.read", permissions.department_relations(user, department_id))
    tax = taxonomy.load(db)
    with db.read() as cur:
        dept = one(cur, "SELECT id, name FROM departments WHERE id = ?", [department_id])
        if dept is None:
            raise NotFound("That department does not exist.")
        history = rows(cur, HISTORY_SQL, {"department": department_id})
    current: dict[int, dict] = {}
    for record in history:  # newest first, so the first seen per practice is current
        current.setdefault(record["practice_id"], record)
    sections = [(c, [dict(p, current=current.get(p["id"])) for p in ps]) for c, ps in tax.practices_by_category() if ps]
    return SelfAssessment(department_id, dept["name"], tax.stages, sections, history)


UNCHECKED = object()  # record(latest_seen=...) default: the caller did not say what it had seen


def record(db: Database, user: User, *, department_id: int, practice_id, stage, as_of, note: str = "",
           evidence_url: str = "", latest_seen=UNCHECKED, now: datetime | None = None) -> int:
    """Add a dated stage for one practice of a department (history is never overwritten); return its id.

    `latest_seen` is the id of the newest record of that practice the form showed (None: none): if
    another was added since, Conflict, so two colleagues never silently record over each other.
    """
    permissions.require(user, "assessment.write", permissions.department_relations(user, department_id))
    now = now or clock.now()
    tax = taxonomy.load(db)
    errors: dict[str, str] = {}
    practice = next((p for p in tax.practices if p["id"] == as_int(practice_id)), None)
    if practice is None or not practice["active"]:
        errors["practice"] = "Choose one of the practices in the list."
    levels = {s["level"] for s in tax.stages}
    if as_int(stage) not in levels:
        errors["stage"] = f"Choose a stage from the scale ({', '.join(s['name'] for s in tax.stages)})."
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        errors["as_of"] = "Give the date this stage applies from."
    elif as_of > now.date():
        errors["as_of"] = "The as-of date cannot be in the future."
    elif as_of < EARLIEST:
        errors["as_of"] = f"The as-of date must be on or after {EARLIEST:%-d %B %Y}."
    try:
        note = field(note, "note", NOTE_LIMIT, multiline=True, label="The note")
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        evidence_url = field(evidence_url, "evidence_url", URL_LIMIT, label="The evidence link")
    except InvalidInput as exc:
        errors.update(exc.errors)
    else:
        if evidence_url and not is_http_url(evidence_url):
            errors["evidence_url"] = "Give a full web address starting with http:// or https://, or leave it empty."
    if errors:
        raise InvalidInput(errors)

    def work(cur):
        if not cur.execute("SELECT 1 FROM departments WHERE id = ?", [department_id]).fetchone():
            raise NotFound("That department does not exist.")
        if latest_seen is not UNCHECKED:
            _check_latest(cur, department_id, practice, latest_seen, now)
        new_id = cur.execute(
            """INSERT INTO assessments (department_id, practice_id, stage, as_of, note, evidence_url, recorded_by, recorded_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [department_id, practice["id"], int(stage), as_of, note, evidence_url, user.id, now],
        ).fetchone()[0]
        changes.record(cur, "assessment", new_id)  # the quarterly table rewrites only this department's rows
        return new_id

    return db.write(work, attempts=serial.ATTEMPTS, entity="assessment")


def _check_latest(cur, department_id: int, practice: dict, latest_seen, now: datetime) -> None:
    # The claim serialises two saves for one practice: the second one sees the first's record.
    serial.claim(cur, "department_practice", department_id * 1_000_000 + practice["id"], now)
    newest = one(cur, """SELECT a.id, a.recorded_at, st.name AS stage_name, u.display_name FROM assessments a
                         LEFT JOIN adoption_stages st ON st.level = a.stage LEFT JOIN users u ON u.id = a.recorded_by
                         WHERE a.department_id = ? AND a.practice_id = ? ORDER BY a.id DESC LIMIT 1""",
                 [department_id, practice["id"]])
    if newest and newest["id"] != latest_seen:
        raise Conflict(f"{newest['display_name'] or 'A colleague'} recorded {practice['name']} as "
                       f"{newest['stage_name']} at {newest['recorded_at']:%H:%M} UTC, after you opened this page. "
                       "Nothing was saved: check the history, then save again if yours still applies.")


def as_int(value) -> int | None:
    """An integer from a form or chart value, or None (booleans and fractions are not ids)."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
