"""Questions and answers are moderated like lessons: reports, hiding after three departments, the region's review."""

import pytest

from exchange.conversations import moderation
from exchange.conversations.questions import answer, ask, thread
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from exchange.storage.duckdb import scalar
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


@pytest.fixture
def cast(fresh_db):
    db = fresh_db
    posting = make_department(db, name="Posting County Health", state="MN")  # region 5
    cast = {"db": db, "admin": make_user(db, "admin"), "poster": make_user(db, department_id=posting),
            "asker": make_user(db, department_id=make_department(db, name="Asking County Health", state="WI")),
            "coord5": make_user(db, "coordinator", regions=(5,)), "coord6": make_user(db, "coordinator", regions=(6,)),
            "reporters": [make_user(db, department_id=make_department(db, state=s)) for s in ("TX", "CA", "NY", "WA")]}
    cast["lesson"] = publish(db, cast["poster"], cast["admin"])
    cast["question"] = ask(db, cast["asker"], cast["lesson"], "A rude question")
    cast["answer"] = answer(db, cast["poster"], cast["question"], "A rude answer")
    return cast


def hidden(db, table, item_id):
    with db.read() as cur:
        return scalar(cur, f"SELECT hidden FROM {table} WHERE id = ?", [item_id])


def test_reports_from_three_departments_hide_a_question_and_it_reaches_the_regions_queue(cast):
    db, (a, b, c, _) = cast["db"], cast["reporters"]
    assert moderation.report(db, a, "question", cast["question"], "Off topic") is False
    assert moderation.report(db, b, "question", cast["question"], "Rude") is False
    [item] = moderation.queue(db, cast["coord5"])
    assert (item["kind"], item["id"], item["open_reports"]) == ("question", cast["question"], 2)
    assert moderation.queue(db, cast["coord6"]) == []
    assert moderation.report(db, c, "question", cast["question"], "Spam") is True
    assert hidden(db, "questions", cast["question"])
    assert thread(db, cast["reporters"][3], cast["lesson"]) == []
    [own] = thread(db, cast["asker"], cast["lesson"])  # the asker still sees it, marked hidden
    assert own["hidden"]


def test_two_reports_from_one_department_count_once(cast):
    db, first = cast["db"], cast["reporters"][0]
    colleague = make_user(db, department_id=first.department_id)
    moderation.report(db, first, "answer", cast["answer"], "Wrong")
    moderation.report(db, colleague, "answer", cast["answer"], "Wrong too")
    moderation.report(db, cast["reporters"][1], "answer", cast["answer"], "Wrong three")
    assert not hidden(db, "answers", cast["answer"])


def test_a_report_needs_a_reason_within_the_limit_checked_first(cast):
    with pytest.raises(InvalidInput, match="^Reason is 1,001 characters"):
        moderation.report(cast["db"], cast["reporters"][0], "nonsense-kind", 1, "r" * 1001)
    with pytest.raises(InvalidInput, match="Say what is wrong"):
        moderation.report(cast["db"], cast["reporters"][0], "question", cast["question"], " ")


def test_nobody_reports_their_own_departments_words_or_twice(cast):
    db = cast["db"]
    with pytest.raises(InvalidInput, match="own department"):
        moderation.report(db, cast["asker"], "question", cast["question"], "Mine")
    with pytest.raises(InvalidInput, match="own department"):
        moderation.report(db, cast["poster"], "answer", cast["answer"], "Mine")
    moderation.report(db, cast["poster"], "question", cast["question"], "Rude to us")
    with pytest.raises(Conflict):
        moderation.report(db, cast["poster"], "question", cast["question"], "Again")


def test_a_private_question_cannot_be_reported_by_outsiders(cast):
    db = cast["db"]
    private = ask(db, cast["asker"], cast["lesson"], "Just between us", private=True)
    with pytest.raises(NotFound):
        moderation.report(db, cast["reporters"][0], "question", private, "I cannot see it anyway")


def test_the_coordinator_hides_or_keeps_and_a_second_decision_conflicts(cast):
    db = cast["db"]
    moderation.report(db, cast["reporters"][0], "answer", cast["answer"], "Insulting")
    with pytest.raises((Forbidden, NotFound)):
        moderation.decide(db, cast["coord6"], "answer", cast["answer"], "hide")
    with pytest.raises((Forbidden, NotFound)):
        moderation.decide(db, cast["asker"], "answer", cast["answer"], "hide")
    assert moderation.decide(db, cast["coord5"], "answer", cast["answer"], "hide", "Insulting") == "hidden"
    assert hidden(db, "answers", cast["answer"])
    with pytest.raises(Conflict):
        moderation.decide(db, cast["admin"], "answer", cast["answer"], "dismiss")
    [question] = thread(db, cast["reporters"][1], cast["lesson"])
    assert question["answers"] == []
    with db.read() as cur:
        assert scalar(cur, "SELECT outcome FROM conversation_reports WHERE item_id = ?", [cast["answer"]]) == "hidden"


def test_dismissing_reports_shows_a_hidden_question_again(cast):
    db = cast["db"]
    for reporter in cast["reporters"][:3]:
        moderation.report(db, reporter, "question", cast["question"], "Bad")
    assert moderation.decide(db, cast["coord5"], "question", cast["question"], "dismiss") == "dismissed"
    assert not hidden(db, "questions", cast["question"])
    assert moderation.queue(db, cast["coord5"]) == []


def test_the_queue_shows_an_anonymous_askers_department_to_nobody(cast):
    db = cast["db"]
    anonymous = ask(db, cast["asker"], cast["lesson"], "Who are you?", anonymous=True)
    moderation.report(db, cast["poster"], "question", anonymous, "Rude")
    for reviewer in ("coord5", "admin"):
        [item] = moderation.queue(db, cast[reviewer])
        assert item["by"] == "Anonymous department"
        assert "Asking County" not in repr(item) and cast["asker"].display_name not in repr(item)


def test_answers_on_an_anonymous_lesson_read_the_posting_department_in_the_queue(cast):
    db = cast["db"]
    quiet = publish(db, cast["poster"], cast["admin"], valid_lesson(title="Quiet", anonymous=True))
    qid = ask(db, cast["asker"], quiet, "Who did this?")
    aid = answer(db, cast["poster"], qid, "We did.")
    moderation.report(db, cast["asker"], "answer", aid, "Evasive")
    [item] = moderation.queue(db, cast["coord5"])
    assert item["by"] == "the posting department"
    assert "Posting County" not in repr(item)


def test_a_coordinator_does_not_review_their_own_departments_question(cast):
    db = cast["db"]
    own_coord = make_user(db, "coordinator", department_id=cast["asker"].department_id, regions=(5,))
    moderation.report(db, cast["poster"], "question", cast["question"], "Rude")
    assert moderation.queue(db, own_coord) == []
    with pytest.raises(NotFound):
        moderation.decide(db, own_coord, "question", cast["question"], "hide")
