"""The change log read once per write for every derived view (exchange/discovery/feed.py), and what each view
re-reads after a change: counted, not timed (the benchmark times them)."""

import pytest

from exchange.conversations import counts
from exchange.conversations.endorsements import endorse, withdraw
from exchange.discovery import browse, cards, facets, feed
from exchange.discovery.browse import Filters
from exchange.storage import changes
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: discovery on DuckDB and on PostgreSQL


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    admin = make_user(db, "admin")
    author = make_user(db, department_id=make_department(db))
    reader = make_user(db, department_id=make_department(db))
    lesson_id = publish(db, author, admin)
    browse.find(db, reader, Filters())  # every view built and current
    return db, admin, author, reader, lesson_id


@pytest.fixture
def fan(world):
    db = world[0]
    fan = make_user(db, department_id=make_department(db))  # a new department: every view rebuilds, before counting
    browse.find(db, world[3], Filters())
    return fan


@pytest.fixture
def reads(monkeypatch):
    """Counts, by name, the reads each view makes of the database when it catches up."""
    counted = {"log": 0, "facet lessons": 0, "facet build": 0, "cards": 0, "counts": 0}

    def counting(name, original):
        def wrapper(*args, **kwargs):
            counted[name] += 1
            return original(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(feed.changes, "since", counting("log", changes.since))
    monkeypatch.setattr(facets, "_read", counting("facet lessons", facets._read))
    monkeypatch.setattr(facets, "build", counting("facet build", facets.build))
    monkeypatch.setattr(cards, "_read", counting("cards", cards._read))
    monkeypatch.setattr(counts, "_tally", counting("counts", counts._tally))
    return counted


@pytest.mark.parametrize("entity", ["notification", "follow", "outbox", "question", "answer", "department_profile",
                                    "user", "assessment", "mail_preferences"])
def test_a_change_that_is_not_a_lesson_makes_no_view_read_anything_again(world, reads, entity):
    db, _, _, reader, lesson_id = world
    db.write(lambda cur: changes.record(cur, entity, 1))
    found = browse.find(db, reader, Filters())
    assert [l["id"] for l in found.lessons] == [lesson_id]
    assert reads == {"log": 1, "facet lessons": 0, "facet build": 0, "cards": 0, "counts": 0}


def test_a_lesson_change_is_read_once_for_every_view(world, reads):
    db, admin, author, reader, lesson_id = world
    db.write(lambda cur: (cur.execute("UPDATE lessons SET title = 'Renamed', revision = revision + 1 WHERE id = ?",
                                      [lesson_id]), changes.record(cur, "lesson", lesson_id)))
    found = browse.find(db, reader, Filters())
    assert found.lessons[0]["title"] == "Renamed"
    # The log once (not once per view), that lesson's facets once, its card once; no rebuild, no recount.
    assert reads == {"log": 1, "facet lessons": 1, "facet build": 0, "cards": 1, "counts": 0}


def test_an_endorsement_recounts_its_lesson_only_and_keeps_the_cards(world, fan, reads):
    db, _, _, reader, lesson_id = world
    endorse(db, fan, lesson_id, "helped")
    assert browse.find(db, reader, Filters()).lessons[0]["helped"] == 1
    withdraw(db, fan, lesson_id)
    assert browse.find(db, reader, Filters()).lessons[0]["helped"] == 0
    assert reads["cards"] == 0 and reads["facet lessons"] == 0 and reads["facet build"] == 0
    assert counts.current(db).total.tolist() == []


def test_a_change_the_log_cannot_name_rebuilds_every_view(world, reads):
    db, _, _, reader, lesson_id = world
    db.write(lambda cur: cur.execute("UPDATE lessons SET title = 'Changed behind the log' WHERE id = ?", [lesson_id]))
    assert browse.find(db, reader, Filters()).lessons[0]["title"] == "Changed behind the log"
    assert reads["facet build"] == 1 and reads["cards"] == 1 and reads["counts"] == 1


def test_a_view_far_behind_gets_every_change_it_missed(world):
    db, admin, author, reader, lesson_id = world
    with db.read() as cur:
        behind = changes.latest(cur)
    later = [publish(db, author, admin, valid_lesson(title=f"Later lesson {n}")) for n in range(2)]
    found, reached = feed.since(db, behind, ("lesson",))
    assert {c.entity_id for c in found} >= set(later) and reached == db.data_version()
    assert feed.since(db, reached, ("lesson",)) == ([], reached)
