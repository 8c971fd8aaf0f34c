"""The in-memory facet index: rebuilt after writes, and each viewer sees the right side of the anonymity rule."""

import pytest

from exchange.storage import changes
from exchange.discovery import facets as facet_index
from tests.factories import make_department, make_user
from tests.helpers import publish

pytestmark = pytest.mark.both_backends  # issue 13: discovery on DuckDB and on PostgreSQL


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


def _same(a, b) -> None:
    import numpy as np

    assert a.version == b.version
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.published, b.published)
    assert np.array_equal(a.public, b.public) and np.array_equal(a.department, b.department)
    assert a.vocab == b.vocab and a.known == b.known
    for name in a.own:
        assert np.array_equal(a.own[name], b.own[name]), name
        assert np.array_equal(a.stranger[name], b.stranger[name]), name
    for name, (rows, values) in a.links.items():
        other_rows, other_values = b.links[name]
        assert sorted(zip(rows.tolist(), values.tolist())) == sorted(zip(other_rows.tolist(), other_values.tolist()))


def test_lesson_changes_are_applied_one_by_one_and_end_where_a_rebuild_does(fresh_db):
    import random

    from exchange import lessons
    from tests.helpers import valid_lesson

    rng = random.Random(4)
    admin = make_user(fresh_db, "admin")
    authors = [make_user(fresh_db, department_id=make_department(fresh_db, state=state)) for state in ("MN", "TX", "CA")]
    live, drafts = {}, set()
    fixed = 0
    facet_index.current(fresh_db)
    for step in range(24):
        writer = authors[step % 3]
        choice = rng.random()
        if choice < 0.5 or not live:
            data = valid_lesson(title=f"Lesson {step}", kind=rng.choice(["success", "challenge"]),
                                anonymous=rng.random() < 0.4, practice_ids=rng.sample([1, 2, 3, 14], 2))
            live[publish(fresh_db, writer, admin, data)] = writer
        elif choice < 0.8:
            target = rng.choice(sorted(live))
            saved = lessons.save(fresh_db, live[target], valid_lesson(title=f"Edit {step}", practice_ids=[2]),
                                 lesson_id=target)
            if step % 2:  # some edits stay drafts (out of the index), others are published again
                if lessons.submit(fresh_db, live[target], target, revision=saved.revision) == "submitted":
                    from exchange.lessons import moderation

                    moderation.decide(fresh_db, admin, target, "publish")
                drafts.discard(target)
            else:
                drafts.add(target)
        elif choice < 0.9 and set(live) - drafts:
            # A published lesson changed in place (as a moderator's fix would): its rows are overwritten.
            target = rng.choice(sorted(set(live) - drafts))

            def fix(cur, target=target, kind=rng.choice(["success", "challenge", "mixed"])):
                cur.execute("UPDATE lessons SET kind = ?, anonymous = NOT anonymous, revision = revision + 1 "
                            "WHERE id = ?", [kind, target])
                cur.execute("DELETE FROM lesson_practices WHERE lesson_id = ?", [target])
                cur.execute("INSERT INTO lesson_practices VALUES (?, ?)", [target, rng.choice([1, 2, 3, 14])])
                changes.record(cur, "lesson", target)

            fresh_db.write(fix)
            fixed += 1
        elif set(live) - drafts:
            target = rng.choice(sorted(set(live) - drafts))  # only a published lesson can be withdrawn
            lessons.withdraw(fresh_db, live.pop(target), target)
        before = facet_index.current(fresh_db)
        _same(before, facet_index.build(fresh_db))
    assert before.pairs is not None and fixed  # the in-place path ran


def test_a_department_change_rebuilds_the_index(fresh_db):
    from exchange.storage import changes

    admin = make_user(fresh_db, "admin")
    department = make_department(fresh_db)
    author = make_user(fresh_db, department_id=department)
    publish(fresh_db, author, admin)
    first = facet_index.current(fresh_db)

    def work(cur):
        cur.execute("UPDATE departments SET state_code = 'TX' WHERE id = ?", [department])
        changes.record(cur, "department", department)

    fresh_db.write(work)
    second = facet_index.current(fresh_db)
    assert second.vocab["state"] == ["TX"] and first.vocab["state"] == ["MN"]


def test_writes_that_do_not_touch_lessons_keep_the_arrays(fresh_db):
    from exchange.storage import changes

    admin = make_user(fresh_db, "admin")
    author = make_user(fresh_db, department_id=make_department(fresh_db))
    publish(fresh_db, author, admin)
    first = facet_index.current(fresh_db)
    fresh_db.write(lambda cur: changes.record(cur, "assessment", 1))
    second = facet_index.current(fresh_db)
    assert second.version == first.version + 1 and second.ids is first.ids


def test_an_anonymous_lessons_place_in_newest_reveals_only_its_day_to_others(fresh_db):
    from datetime import datetime

    from exchange.discovery import browse
    from exchange.discovery.browse import Filters
    from exchange.storage import changes
    from tests.helpers import valid_lesson

    admin = make_user(fresh_db, "admin")
    home = make_department(fresh_db)
    author = make_user(fresh_db, department_id=home)
    others = [make_user(fresh_db, department_id=make_department(fresh_db)) for _ in range(2)]
    named = publish(fresh_db, author, admin, valid_lesson(title="Named"))
    anonymous = publish(fresh_db, author, admin, valid_lesson(title="Anonymous", anonymous=True))
    early = publish(fresh_db, others[0], admin, valid_lesson(title="Early"))
    late = publish(fresh_db, others[1], admin, valid_lesson(title="Late"))
    times = {named: datetime(2026, 5, 4, 10, 0, 0), anonymous: datetime(2026, 5, 4, 10, 0, 5),
             early: datetime(2026, 5, 4, 9, 0), late: datetime(2026, 5, 4, 11, 0)}

    def work(cur):
        for lesson_id, when in times.items():
            cur.execute("UPDATE lessons SET published_at = ? WHERE id = ?", [when, lesson_id])
            changes.record(cur, "lesson", lesson_id)

    fresh_db.write(work)
    stranger = [l["id"] for l in browse.find(fresh_db, others[0], Filters(sort="newest")).lessons]
    assert stranger == [late, named, early, anonymous]  # the anonymous one sorts by its day alone
    own = [l["id"] for l in browse.find(fresh_db, author, Filters(sort="newest")).lessons]
    assert own == [late, anonymous, named, early]
