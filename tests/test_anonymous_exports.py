"""Issue #8.1: what else links an anonymous lesson to its department — its time, its id — is coarsened."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from exchange.storage import open_database
from exchange.discovery import browse
from exchange import lessons
from exchange.lessons import moderation
from exchange.privacy.anonymity import public_refs
from exchange.discovery.browse import Filters
from exchange.models import VISITOR
from tests.factories import make_department, make_user
from tests.helpers import set_review_threshold, submit_new, valid_lesson

PUBLISHED = datetime(2026, 3, 4, 14, 37, 21, 123456)


@pytest.fixture
def world(fresh_db):
    """Department D posts a named and an anonymous lesson, published the same minute; E posts one too."""
    db = fresh_db
    admin = make_user(db, "admin")
    d, e = make_department(db, name="Lakeshore Valley Health Department"), make_department(db)
    author, outsider = make_user(db, department_id=d), make_user(db, department_id=e)
    set_review_threshold(db, 0)
    ids = {}
    for key, user, anonymous in (("named", author, False), ("anonymous", author, True), ("other", outsider, False)):
        ids[key], _ = submit_new(db, user, valid_lesson(title=f"Lesson {key}", anonymous=anonymous),
                                   client_token=f"token-{key}")
        moderation.decide(db, admin, ids[key], "publish", now=PUBLISHED)
    return {"db": db, "ids": ids, "author": author, "outsider": outsider, "admin": admin}


def _table(w, user, filters=Filters()) -> list[dict]:
    return list(csv.DictReader(io.StringIO(browse.to_csv(w["db"], user, filters).decode("utf-8-sig"))))


@pytest.mark.parametrize("viewer", ["outsider", "admin"])
def test_others_see_an_anonymous_lessons_times_only_to_the_day(world, viewer):
    lesson = lessons.get(world["db"], world[viewer], world["ids"]["anonymous"])
    for column in ("published_at", "submitted_at", "created_at", "updated_at"):
        assert lesson[column] == datetime.combine(lesson[column].date(), datetime.min.time()), column
    assert lesson["published_at"].date() == PUBLISHED.date()
    card = next(c for c in browse.find(world["db"], world[viewer], Filters()).lessons if c["id"] == world["ids"]["anonymous"])
    assert card["published_at"] == datetime(2026, 3, 4)


def test_the_posting_department_and_named_lessons_keep_their_exact_times(world):
    assert lessons.get(world["db"], world["author"], world["ids"]["anonymous"])["published_at"] == PUBLISHED
    assert lessons.get(world["db"], world["outsider"], world["ids"]["named"])["published_at"] == PUBLISHED


def test_the_csv_cites_lessons_by_a_stable_non_sequential_reference_not_the_id(world):
    first, again = _table(world, world["outsider"]), _table(world, world["outsider"])
    assert "id" not in first[0] and [r["ref"] for r in first] == [r["ref"] for r in again]
    with world["db"].read() as cur:
        refs = public_refs(cur, list(world["ids"].values()))
    assert sorted(r["ref"] for r in first) == sorted(refs.values())
    assert all(ref.startswith("L-") and len(ref) == 12 for ref in refs.values())
    assert len(set(refs.values())) == 3
    with world["db"].read() as cur:
        many = public_refs(cur, list(range(1, 51)))
    assert sorted(many, key=many.get) != list(range(1, 51))  # ref order says nothing of id order


def test_references_differ_between_exchanges(world, fresh_db):
    with world["db"].read() as cur:
        here = public_refs(cur, [1, 2, 3])
    other = open_database(":memory:")
    from exchange import taxonomy
    taxonomy.seed(other)
    with other.read() as cur:
        assert public_refs(cur, [1, 2, 3]) != here  # keyed per exchange: no one can precompute id → ref
    other.close()


def test_the_csv_has_dates_not_times_and_lists_one_days_lessons_by_reference(world):
    table = _table(world, world["outsider"], Filters(sort="newest"))
    assert {r["published"] for r in table} == {"2026-03-04"}
    assert [r["ref"] for r in table] == sorted(r["ref"] for r in table)  # not the order they were posted
    text = browse.to_csv(world["db"], world["outsider"], Filters()).decode("utf-8-sig")
    assert "14:37" not in text and "123456" not in text


def test_the_posting_departments_csv_marks_its_anonymous_lesson(world):
    rows = {r["title"]: r for r in _table(world, world["author"])}
    assert rows["Lesson anonymous"]["attribution"].endswith("— anonymous to others")
    assert not rows["Lesson named"]["attribution"].endswith("anonymous to others")
    visitor_rows = {r["title"]: r for r in _table(world, VISITOR)}
    assert "Lakeshore" not in visitor_rows["Lesson anonymous"]["attribution"]
