"""Issue 11 part 6: the yearly "still current?" question, what readers are told, and the Find-lessons filter."""

from __future__ import annotations

from datetime import datetime

import pytest

from exchange import lessons
from exchange.discovery import browse
from exchange.errors import Conflict, Forbidden, NotFound
from exchange.models import VISITOR
from exchange.peers import freshness
from exchange.storage import changes
from exchange.storage.duckdb import scalar
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

PUBLISHED = datetime(2024, 3, 10, 12)


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    home = make_department(db, name="Home County Health")
    other = make_department(db, name="Other County Health")
    member, admin = make_user(db, department_id=home), make_user(db, "admin")
    lesson = publish(db, member, admin, title="A lesson to keep current")
    db.write(lambda cur: cur.execute("UPDATE lessons SET published_at = ? WHERE id = ?", [PUBLISHED, lesson]))
    return {"db": db, "home": home, "member": member, "admin": admin, "lesson": lesson,
            "outsider": make_user(db, department_id=other)}


def due_events(db) -> list[dict]:
    with db.read() as cur:
        return [c.payload for c in changes.since(cur, 0) if c.event == freshness.EVENT]


def test_the_question_is_asked_once_per_yearly_period(world):
    db, lesson = world["db"], world["lesson"]
    assert freshness.ask_due(db, now=datetime(2025, 3, 9)) == 0  # not yet a year
    assert freshness.ask_due(db, now=datetime(2025, 3, 11)) == 1
    assert freshness.ask_due(db, now=datetime(2025, 3, 12)) == 0  # asked: not again this period
    assert freshness.ask_due(db, now=datetime(2026, 1, 1)) == 0
    assert freshness.ask_due(db, now=datetime(2026, 3, 11)) == 1  # the next yearly period
    assert due_events(db) == [{"lesson_id": lesson, "department_id": world["home"]}] * 2


def test_a_confirmation_moves_the_next_question_a_year_after_it(world):
    db = world["db"]
    freshness.ask_due(db, now=datetime(2025, 3, 11))
    freshness.confirm(db, world["member"], world["lesson"], now=datetime(2025, 6, 1))
    assert freshness.ask_due(db, now=datetime(2026, 3, 11)) == 0  # a year after publishing, but not after confirming
    assert freshness.ask_due(db, now=datetime(2026, 6, 2)) == 1


def test_historical_hidden_and_unpublished_lessons_are_not_asked(world):
    db = world["db"]
    freshness.mark_historical(db, world["member"], world["lesson"])
    draft = lessons.save_draft(db, world["member"], valid_lesson())
    db.write(lambda cur: cur.execute("UPDATE lessons SET published_at = ? WHERE id = ?", [PUBLISHED, draft]))
    assert freshness.ask_due(db, now=datetime(2027, 1, 1)) == 0


def test_readers_are_told_when_it_was_last_confirmed_or_that_it_may_be_out_of_date(world):
    lesson = {"published_at": PUBLISHED, "last_confirmed_at": None, "historical": False}
    assert freshness.describe(lesson, now=datetime(2025, 1, 1)) == {
        "state": "current", "basis": PUBLISHED, "text": "Last confirmed March 2024"}
    stale = freshness.describe(lesson, now=datetime(2026, 3, 11))
    assert stale["state"] == "stale" and stale["text"].startswith("May be out of date: last confirmed March 2024")
    confirmed = {**lesson, "last_confirmed_at": datetime(2025, 11, 2)}
    assert freshness.describe(confirmed, now=datetime(2026, 3, 11))["text"] == "Last confirmed November 2025"
    assert freshness.describe({**lesson, "historical": True})["state"] == "historical"


def test_only_the_posting_departments_members_confirm_or_mark_historical(world):
    db, lesson = world["db"], world["lesson"]
    assert freshness.can_confirm(db, world["member"], lesson)
    for stranger in (world["outsider"], world["admin"]):
        assert not freshness.can_confirm(db, stranger, lesson)
        with pytest.raises(Forbidden):
            freshness.confirm(db, stranger, lesson)
        with pytest.raises(Forbidden):
            freshness.mark_historical(db, stranger, lesson)
    with pytest.raises(NotFound):
        freshness.confirm(db, VISITOR, "nope")
    freshness.mark_historical(db, world["member"], lesson)
    freshness.mark_historical(db, world["member"], lesson)  # twice is once
    with db.read() as cur:
        assert scalar(cur, "SELECT count(*) FROM audit_log WHERE event = 'lesson.marked_historical'") == 1
    freshness.confirm(db, world["member"], lesson, now=datetime(2026, 11, 30))
    with db.read() as cur:
        assert scalar(cur, "SELECT historical FROM lessons WHERE id = ?", [lesson]) is False


def test_a_withdrawn_lesson_cannot_be_confirmed(world):
    db, lesson = world["db"], world["lesson"]
    lessons.withdraw(db, world["member"], lesson)
    with pytest.raises(Conflict, match="Only a published lesson"):
        freshness.confirm(db, world["member"], lesson)


def test_find_lessons_can_hide_lessons_that_may_be_out_of_date(world):
    db, lesson = world["db"], world["lesson"]
    fresh = publish(db, world["member"], world["admin"], title="A fresh lesson")
    every = {c["id"] for c in browse.find(db, VISITOR, browse.Filters()).lessons}
    current = {c["id"] for c in browse.find(db, VISITOR, browse.Filters(current=True)).lessons}
    assert every == {lesson, fresh} and current == {fresh}  # published March 2024: over two years ago
    freshness.confirm(db, world["member"], lesson)
    assert {c["id"] for c in browse.find(db, VISITOR, browse.Filters(current=True)).lessons} == {lesson, fresh}
    freshness.mark_historical(db, world["member"], fresh)
    assert {c["id"] for c in browse.find(db, VISITOR, browse.Filters(current=True)).lessons} == {lesson}


def test_the_filter_travels_in_the_url_and_an_unknown_value_is_named(world):
    assert browse.to_params(browse.Filters(current=True)) == {"current": ["only"]}
    assert browse.parse_params({"current": ["only"]}) == (browse.Filters(current=True), ())
    filters, ignored = browse.parse_params({"current": ["yes please"]})
    assert not filters.current and ignored == ("current",)
