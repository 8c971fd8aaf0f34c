"""Anonymity on every read path the conversations add to: CSV, API records, search, cards and counts."""

import json

import pytest

from exchange.api import service as api
from exchange.conversations import endorsements, questions
from exchange.discovery import browse
from exchange.models import VISITOR
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

SECRET = "Hidden Asker County Health"


@pytest.fixture
def cast(fresh_db):
    db = fresh_db
    posting = make_department(db, name="Quiet Poster County Health", state="MN")
    cast = {"db": db, "admin": make_user(db, "admin"), "poster": make_user(db, department_id=posting),
            "asker": make_user(db, department_id=make_department(db, name=SECRET, state="WI")),
            "reader": make_user(db, department_id=make_department(db, name="Reader Health", state="TX"))}
    cast["lesson"] = publish(db, cast["poster"], cast["admin"], valid_lesson(title="Quiet eviction work", anonymous=True))
    qid = questions.ask(db, cast["asker"], cast["lesson"], "Zanzibarian procurement question", anonymous=True,
                        private=True)
    questions.answer(db, cast["poster"], qid, "Quokka-level answer from us")
    endorsements.endorse(db, cast["asker"], cast["lesson"], "adapted", note="Our secret adaptation", anonymous=True)
    return cast


def test_the_lesson_csv_names_neither_side(cast):
    for viewer in ("reader", "asker"):
        exported = browse.to_csv(cast["db"], cast[viewer], browse.Filters()).decode()
        for secret in ("Quiet Poster", SECRET, "Our secret adaptation", "Zanzibarian", "Quokka"):
            assert secret not in exported


def test_api_records_name_neither_side(cast):
    found = json.dumps(api.lesson_page(cast["db"], cast["reader"], {}), default=str)
    assert "Quiet eviction work" in found
    for secret in ("Quiet Poster", SECRET, "Our secret adaptation", "Zanzibarian", "Quokka"):
        assert secret not in found


def test_questions_and_notes_are_not_searchable(cast):
    for word in ("Zanzibarian", "Quokka", "adaptation"):
        assert browse.find(cast["db"], cast["reader"], browse.Filters(q=word)).lessons == []


def test_cards_carry_counts_only(cast):
    for viewer in (cast["reader"], VISITOR, cast["poster"]):
        [card] = [c for c in browse.find(cast["db"], viewer, browse.Filters()).lessons if c["id"] == cast["lesson"]]
        assert card["adapted"] == 1
        assert SECRET not in repr(card) and "secret adaptation" not in repr(card)


def test_the_posting_department_learns_only_that_someone_endorsed_anonymously(cast):
    seen = endorsements.summary(cast["db"], cast["poster"], cast["lesson"])
    assert seen["endorsers"] == [] and seen["anonymous_endorsers"] == 1
    assert SECRET not in repr(seen) and "secret adaptation" not in repr(seen)


def test_a_private_anonymous_thread_is_seen_by_the_two_departments_without_naming_the_other(cast):
    [to_poster] = questions.thread(cast["db"], cast["poster"], cast["lesson"])
    assert SECRET not in repr(to_poster) and cast["asker"].display_name not in repr(to_poster)
    [to_asker] = questions.thread(cast["db"], cast["asker"], cast["lesson"])
    assert "Quiet Poster" not in repr(to_asker) and cast["poster"].display_name not in repr(to_asker)
    assert to_asker["answers"][0]["by"] == "the posting department"
    assert questions.thread(cast["db"], cast["reader"], cast["lesson"]) == []
