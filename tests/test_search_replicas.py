"""Discovery on either store, and across replicas (issue 13): each replica keeps its own indexes from the change log."""

from __future__ import annotations

import time

import pytest

from exchange import lessons
from exchange.discovery import browse, indexstore, search, textindex
from exchange.discovery.browse import Filters
from exchange.lessons import moderation
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

NEUTRAL = dict(context="Background on the county.", what_happened="It went as planned.", do_differently="", advice="",
               partners=[])
DEADLINE = 2.0  # seconds: "published through replica A, listed and searchable on replica B within 2 s"


def _ids(results) -> list[int]:
    return [lesson["id"] for lesson in results.lessons]


def _within(seconds: float, check, what: str) -> float:
    """Poll `check` until it holds; fail once `seconds` have passed. Returns how long it took."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.05)


@pytest.mark.both_backends
def test_a_published_lesson_is_found_by_search_and_by_facet(fresh_db):
    db = fresh_db
    admin = make_user(db, "admin")
    author = make_user(db, department_id=make_department(db, state="TX"))
    reader = make_user(db, department_id=make_department(db))
    lesson_id = publish(db, author, admin, title="Axolotl outreach", summary="Axolotl shelters.", practice_ids=[14],
                        **NEUTRAL)
    found = browse.find(db, reader, Filters(q="axolotls"))  # stemmed: the plural finds the singular
    assert _ids(found) == [lesson_id] and found.facets["practice"].get(14) == 1
    listed = browse.find(db, reader, Filters(practice=(14,), state=("TX",)))
    assert _ids(listed) == [lesson_id] and listed.facets["state"] == {"TX": 1}
    assert browse.find(db, reader, Filters(q="axolotl", practice=(2,))).lessons == []


@pytest.mark.both_backends
def test_the_index_lives_in_the_duckdb_file_itself_and_beside_postgresql_in_memory(fresh_db, backend):
    admin = make_user(fresh_db, "admin")
    author = make_user(fresh_db, department_id=make_department(fresh_db))
    publish(fresh_db, author, admin, title="Okapi outreach", summary="Okapi.", **NEUTRAL)
    search.catch_up(fresh_db)
    local = indexstore.of(fresh_db)
    assert (local is fresh_db) == (backend == "duckdb")
    with local.read() as cur:
        assert cur.execute("SELECT count(*) FROM search.docs").fetchone()[0] == 1
    assert search.index_seq(fresh_db) == fresh_db.data_version()


@pytest.fixture
def replicas(pg_server, pg_template):
    """Two stores ("replicas" A and B) on one PostgreSQL database, each with its own derived indexes."""
    from exchange.storage.postgres import PostgresDatabase
    from tests.pg_support import fresh_postgres

    made = fresh_postgres(pg_server, pg_template)
    a = next(made)
    b = PostgresDatabase(a.url)
    try:
        yield a, b
    finally:
        b.close()
        made.close()


@pytest.fixture
def people(replicas):
    a, _ = replicas
    dept = make_department(a, name="Quokka County Health Department", state="TX")
    return {"admin": make_user(a, "admin"), "author": make_user(a, department_id=dept), "dept": dept,
            "reader": make_user(a, department_id=make_department(a, state="MN"))}


def _warm(b, reader) -> None:
    """B has built its indexes before A writes: what follows is B catching up, not a first build."""
    browse.find(b, reader, Filters(q="outreach"))
    browse.find(b, reader, Filters())


def test_a_lesson_published_through_replica_a_is_listed_and_found_on_replica_b_within_2_s(replicas, people):
    a, b = replicas
    author, admin, reader = people["author"], people["admin"], people["reader"]
    publish(a, author, admin, title="Warm-up outreach", summary="Nothing special.", practice_ids=[3],
            risk_type_ids=[2], **NEUTRAL)
    _warm(b, reader)
    assert indexstore.of(b) is not indexstore.of(a)  # each replica its own index
    lesson_id = publish(a, author, admin, title="Axolotl outreach", summary="Axolotl shelters.", practice_ids=[14],
                        risk_type_ids=[1], **NEUTRAL)
    _within(DEADLINE, lambda: _ids(browse.find(b, reader, Filters(q="axolotl"))) == [lesson_id], "found on B")
    listed = browse.find(b, reader, Filters(practice=(14,)))
    assert lesson_id in _ids(listed) and listed.facets["risk"].get(1) == 1

    # An edit: the new words match on B, the old ones stop matching.
    saved = lessons.save(a, author, valid_lesson(title="Narwhal outreach", summary="Narwhal shelters.",
                                                 practice_ids=[2], risk_type_ids=[1], **NEUTRAL), lesson_id=lesson_id)
    if lessons.submit(a, author, lesson_id, revision=saved.revision) == "submitted":
        moderation.decide(a, admin, lesson_id, "publish")
    _within(DEADLINE, lambda: _ids(browse.find(b, reader, Filters(q="narwhal"))) == [lesson_id]
            and browse.find(b, reader, Filters(q="axolotl")).lessons == [], "the edit on B")
    assert lesson_id not in _ids(browse.find(b, reader, Filters(practice=(14,))))
    assert lesson_id in _ids(browse.find(b, reader, Filters(practice=(2,))))

    # Withdrawn through A: gone from B's search and lists.
    lessons.withdraw(a, author, lesson_id)
    _within(DEADLINE, lambda: browse.find(b, reader, Filters(q="narwhal")).lessons == []
            and lesson_id not in _ids(browse.find(b, reader, Filters(practice=(2,)))), "the withdrawal on B")
    # A, which wrote, agrees without waiting.
    assert browse.find(a, reader, Filters(q="narwhal")).lessons == []


def test_an_anonymous_lesson_found_on_replica_b_never_shows_its_department_to_others(replicas, people):
    a, b = replicas
    author, admin, reader, dept = people["author"], people["admin"], people["reader"], people["dept"]
    publish(a, author, admin, title="Warm-up outreach", summary="Nothing special.", practice_ids=[3],
            risk_type_ids=[2], **NEUTRAL)
    _warm(b, reader)
    anonymous = publish(a, author, admin, title="Quokka outreach", summary="Quokka shelters.", anonymous=True,
                        **NEUTRAL)
    _within(DEADLINE, lambda: _ids(browse.find(b, reader, Filters(q="quokka"))) == [anonymous], "found on B")
    found = browse.find(b, reader, Filters(q="quokka"))
    card = found.lessons[0]
    assert card["department_name"] is None and card.get("shown_department_id") is None
    assert "Quokka County" not in repr(card) and card["attribution"].startswith("Anonymous")
    assert "TX" not in found.facets["state"]  # the state counts only for its own department
    assert anonymous not in _ids(browse.find(b, reader, Filters(department=(dept,))))
    assert browse.find(b, reader, Filters(q="quokka", state=("TX",))).lessons == []
    # Its own department, reading through B, sees it as theirs.
    own = browse.find(b, author, Filters(q="quokka"))
    assert own.lessons[0]["department_name"] == "Quokka County Health Department" and own.facets["state"] == {"TX": 1}


def test_a_taxonomy_name_searched_on_replica_b_finds_the_lessons_tagged_with_it(replicas, people):
    a, b = replicas
    author, admin, reader = people["author"], people["admin"], people["reader"]
    tagged = publish(a, author, admin, title="Plain words", summary="Nothing about it in the text.",
                     practice_ids=[14], **NEUTRAL)
    with a.read() as cur:
        name = cur.execute("SELECT name FROM practices WHERE id = 14").fetchone()[0]
    _within(DEADLINE, lambda: tagged in _ids(browse.find(b, reader, Filters(q=name))), "tag found on B")
    assert textindex.current(b).concepts  # the taxonomy was mirrored into B's index
