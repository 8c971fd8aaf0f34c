"""Cached lesson cards (exchange/discovery/cards.py): reused across readers, never across the anonymity line."""

import pytest

from exchange import lessons
from exchange.discovery import browse, cards
from exchange.discovery.browse import Filters
from exchange.lessons import moderation
from exchange.models import VISITOR
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: discovery on DuckDB and on PostgreSQL


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    admin = make_user(db, "admin")
    home = make_department(db, name="Alder County Health Department")
    author = make_user(db, department_id=home)
    colleague = make_user(db, department_id=home)
    stranger = make_user(db, department_id=make_department(db))
    return db, admin, author, colleague, stranger


def card_of(db, user, lesson_id):
    with db.read() as cur:
        found = cards.cards(db, cur, user, [lesson_id])
    return found[0] if found else None


def test_an_anonymous_card_cached_for_a_stranger_never_names_the_department_and_the_own_department_still_sees_it(world):
    db, admin, author, colleague, stranger = world
    lesson_id = publish(db, author, admin, anonymous=True)
    assert card_of(db, stranger, lesson_id)["department_name"] is None  # cached now
    assert card_of(db, colleague, lesson_id)["department_name"] == "Alder County Health Department"
    assert card_of(db, stranger, lesson_id)["department_name"] is None
    assert card_of(db, VISITOR, lesson_id)["shown_department_id"] is None
    assert "true_department_id" not in card_of(db, stranger, lesson_id)


def test_the_own_departments_card_is_never_served_to_a_stranger(world):
    db, admin, author, colleague, stranger = world
    lesson_id = publish(db, author, admin, anonymous=True)
    assert card_of(db, colleague, lesson_id)["department_name"]  # read first by its own department
    assert card_of(db, stranger, lesson_id)["department_name"] is None
    assert all(lesson["department_name"] is None
               for lesson in browse.find(db, stranger, Filters()).lessons if lesson["id"] == lesson_id)


def test_an_edit_a_hide_and_a_department_rename_show_at_once(world):
    db, admin, author, colleague, stranger = world
    lesson_id = publish(db, author, admin, title="Old title")
    assert card_of(db, stranger, lesson_id)["title"] == "Old title"
    saved = lessons.save(db, author, valid_lesson(title="New title"), lesson_id=lesson_id)
    if lessons.submit(db, author, lesson_id, revision=saved.revision) == "submitted":
        moderation.decide(db, admin, lesson_id, "publish")
    assert card_of(db, stranger, lesson_id)["title"] == "New title"
    db.write(lambda cur: cur.execute("UPDATE departments SET name = 'Birch County Health Department' "
                                     "WHERE id = ?", [author.department_id]))
    assert card_of(db, stranger, lesson_id)["department_name"] == "Birch County Health Department"
    db.write(lambda cur: cur.execute("UPDATE lessons SET hidden = TRUE, revision = revision + 1 WHERE id = ?",
                                     [lesson_id]))
    assert card_of(db, stranger, lesson_id) is None


def test_a_members_only_card_cached_for_a_member_is_not_shown_to_a_visitor(world):
    db, admin, author, colleague, stranger = world
    lesson_id = publish(db, author, admin, visibility="members")
    assert card_of(db, stranger, lesson_id) is not None
    assert card_of(db, VISITOR, lesson_id) is None


def test_callers_changing_a_card_do_not_change_the_cached_one(world):
    db, admin, author, colleague, stranger = world
    lesson_id = publish(db, author, admin, title="Kept")
    first = card_of(db, stranger, lesson_id)
    first["title"] = "changed"
    first["practices"].append({"id": 0, "name": "x"})
    again = card_of(db, stranger, lesson_id)
    assert again["title"] == "Kept" and {"id": 0, "name": "x"} not in again["practices"]
