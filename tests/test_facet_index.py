"""The in-memory facet index: rebuilt after writes, and each viewer sees the right side of the anonymity rule."""

from exchange.discovery import facets as facet_index
from tests.factories import make_department, make_user
from tests.helpers import publish


def test_the_index_is_rebuilt_after_a_write(fresh_db):
    admin = make_user(fresh_db, "admin")
    author = make_user(fresh_db, department_id=make_department(fresh_db))
    publish(fresh_db, author, admin, title="First")
    first = facet_index.current(fresh_db)
    assert facet_index.current(fresh_db) is first  # no write, no rebuild
    publish(fresh_db, author, admin, title="Second")
    second = facet_index.current(fresh_db)
    assert second is not first and len(second.ids) == 2


def test_an_anonymous_lessons_state_counts_only_for_its_own_department(fresh_db):
    admin = make_user(fresh_db, "admin")
    dept = make_department(fresh_db, state="TX")
    author = make_user(fresh_db, department_id=dept)
    publish(fresh_db, author, admin, title="Anonymous", anonymous=True)
    index = facet_index.current(fresh_db)
    _, total, facets = index.query(viewer_department=dept, members=True, selected={"state": ("TX",)})
    assert total == 1 and facets["state"] == {"TX": 1}
    _, total, facets = index.query(viewer_department=-1, members=True, selected={"state": ("TX",)})
    assert total == 0 and facets["state"] == {}
    _, total, _ = index.query(viewer_department=-1, members=True, selected={"department": (dept,)})
    assert total == 0


def test_unpublished_and_hidden_lessons_are_not_in_the_index(fresh_db):
    from exchange import lessons
    from tests.helpers import valid_lesson

    author = make_user(fresh_db, department_id=make_department(fresh_db))
    lessons.save_draft(fresh_db, author, valid_lesson())
    assert len(facet_index.current(fresh_db).ids) == 0


def test_known_values_are_every_id_and_code_a_filter_may_name(fresh_db):
    dept = make_department(fresh_db)
    index = facet_index.current(fresh_db)
    assert dept in index.known["department"] and 999_999 not in index.known["department"]
    assert 14 in index.known["practice"] and "MN" in index.known["state"] and "Challenge (85)" not in index.known["kind"]
