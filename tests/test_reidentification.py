"""Issue #8.1: no anonymous demo lesson can be traced to fewer than K departments.

Print the figures with `.venv/bin/python -m tests.reidentify` (the attacker model is tests/reidentify.py).
Before this test existed, a member pinned 17 of 73 anonymous published demo lessons to one
department and 23 more to 2–4 (a visitor: 6 and 8 of 31).
"""

from __future__ import annotations

import pytest

from exchange.privacy import identifying
from exchange.privacy.anonymity import K
from exchange.storage.duckdb import rows
from exchange.models import User
from tests import reidentify


def _admin(db) -> User:
    with db.read() as cur:
        found = rows(cur, "SELECT id, email, display_name FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")[0]
    return User(id=found["id"], email=found["email"], display_name=found["display_name"], role="admin")


def test_no_anonymous_demo_lesson_contains_its_own_departments_identifying_terms(demo_db):
    admin = _admin(demo_db)
    with demo_db.read() as cur:
        anonymous = [r["id"] for r in rows(cur, "SELECT id FROM lessons WHERE anonymous AND status <> 'draft'")]
    assert len(anonymous) > 50
    found = {lesson_id: identifying.check_lesson(demo_db, admin, lesson_id) for lesson_id in anonymous}
    assert {lesson_id: f for lesson_id, f in found.items() if f} == {}


def test_the_check_does_find_the_clues_in_named_demo_lessons(demo_db):
    """The check above is not vacuous: the same check flags the demo's attributed lessons."""
    admin = _admin(demo_db)
    with demo_db.read() as cur:
        named = [r["id"] for r in rows(cur, "SELECT id FROM lessons WHERE NOT anonymous AND status = 'published' "
                                            "ORDER BY id LIMIT 60")]
    flagged = sum(bool(identifying.check_lesson(demo_db, admin, lesson_id)) for lesson_id in named)
    assert flagged > len(named) / 2


@pytest.mark.parametrize("audience", ["visitor", "member"])
def test_every_anonymous_published_demo_lesson_has_at_least_k_candidate_departments(demo_db, audience):
    with demo_db.read() as cur:
        outcomes = reidentify.attack(cur, audience=audience)
    assert len(outcomes) > (20 if audience == "visitor" else 60)
    pinned = {o.lesson_id: (o.candidates, o.clues) for o in outcomes if o.candidates < K}
    assert pinned == {}
    assert reidentify.summary(outcomes)["pinned to 1"] == 0


def test_the_attacker_model_pins_a_lesson_that_names_its_place(fresh_db):
    """The model is not vacuous: a lesson with its department's place, state and staff figure is pinned."""
    from tests.factories import make_department, make_user
    from tests.helpers import publish

    admin = make_user(fresh_db, "admin")
    target = make_department(fresh_db, name="Alameda County Public Health Department", state="CA", population=1_648_556)
    for state in ("CA", "NV", "AZ", "HI", "CA"):
        make_department(fresh_db, state=state)
    author = make_user(fresh_db, department_id=target)
    publish(fresh_db, author, admin, anonymous=True, title="Eviction data in Alameda County")
    publish(fresh_db, author, admin, anonymous=True, title="A lesson", context="Our county board and about 900 staff.")
    with fresh_db.read() as cur:
        counts = sorted(o.candidates for o in reidentify.attack(cur, audience="member"))
    assert counts[0] == 1 and counts[1] < K
