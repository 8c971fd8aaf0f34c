"""What every conversation service checks first: the lesson, the user's relations to it, and text within its limit."""

from __future__ import annotations

from exchange.errors import InvalidInput, NotFound
from exchange.identity import permissions
from exchange.kernel import text
from exchange.lessons.form import parse_lesson_id
from exchange.models import User
from exchange.storage.duckdb import one

NOT_FOUND = "That item does not exist or you do not have access to it."


class FieldInvalid(InvalidInput):
    """InvalidInput whose message is the field's own sentence (it names the field by its on-screen label)."""

    def __init__(self, field: str, label: str, message: str):
        super().__init__({field: message})
        self.labels = {field: label}
        self.message = message
        self.args = (message,)


def checked_text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    """Cleaned multi-line text of at most `limit` characters (length checked before anything else)."""
    try:
        return text.field(value, field, limit, multiline=True, required=required, label=label)
    except InvalidInput as exc:
        raise FieldInvalid(field, label, exc.errors[field]) from None


def parse_id(value) -> int:
    """An id from a URL or a form: digits only, else NotFound."""
    try:
        return parse_lesson_id(value)
    except NotFound:
        raise NotFound(NOT_FOUND) from None


def lesson_row(cur, lesson_id) -> dict:
    """The lesson with its true region (for permissions only), or NotFound."""
    row = one(cur, "SELECT l.id, l.title, l.status, l.visibility, l.hidden, l.anonymous, l.department_id, "
                   "s.hhs_region FROM lessons l JOIN departments d ON d.id = l.department_id "
                   "JOIN states s ON s.code = d.state_code WHERE l.id = ?", [parse_lesson_id(lesson_id)])
    if row is None:
        raise NotFound("That lesson does not exist or you do not have access to it.")
    return row


def readable_lesson(cur, user: User, lesson_id) -> tuple[dict, set[str]]:
    """The lesson and the user's relations to it, once they may read it (else NotFound: no hint it exists)."""
    lesson = lesson_row(cur, lesson_id)
    rels = permissions.lesson_relations(user, lesson)
    permissions.require(user, "lesson.read", rels, hide=True)
    return lesson, rels


def is_out(lesson: dict) -> bool:
    """True when the lesson is published and visible (the only lessons conversations happen on)."""
    return lesson["status"] == "published" and not lesson["hidden"]
