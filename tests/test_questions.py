"""Questions to the posting department: who may ask and answer, privacy, anonymity both ways, answered, nudges."""

import threading
from datetime import timedelta

import pytest

from exchange import clock, lessons
from exchange.conversations import questions
from exchange.conversations.questions import answer, ask, department_questions, mark_answered, nudge_overdue, thread
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from exchange.models import VISITOR
from exchange.storage import changes
from exchange.storage.duckdb import scalar
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson


@pytest.fixture
def cast(fresh_db):
    db = fresh_db
    posting = make_department(db, name="Posting County Health", state="MN")
    asking = make_department(db, name="Asking County Health", state="WI")
    third = make_department(db, name="Third City Health", state="IL", jurisdiction_type="city")
    cast = {"db": db, "admin": make_user(db, "admin"),
            "poster": make_user(db, department_id=posting), "poster2": make_user(db, department_id=posting),
            "asker": make_user(db, department_id=asking), "asker2": make_user(db, department_id=asking),
            "other": make_user(db, department_id=third), "no_department": make_user(db, "coordinator", regions=(5,)),
            "posting": posting, "asking": asking}
    cast["lesson"] = publish(db, cast["poster"], cast["admin"])
    cast["anonymous_lesson"] = publish(db, cast["poster"], cast["admin"], valid_lesson(title="Quiet work", anonymous=True))
    return cast


def events(db, name):
    with db.read() as cur:
        return [c.payload for c in changes.since(cur, 0) if c.event == name]


def test_a_member_asks_and_every_member_of_the_posting_department_may_answer(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "How did you keep the council on board?")
    first = answer(db, cast["poster"], qid, "We briefed each member one by one.")
    second = answer(db, cast["poster2"], qid, "And we brought tenants along.")
    [question] = thread(db, cast["other"], cast["lesson"])
    assert question["body"] == "How did you keep the council on board?"
    assert [a["id"] for a in question["answers"]] == [first, second]
    assert "Asking County Health (WI)" in question["asker"]
    assert "Posting County Health (MN)" in question["answers"][0]["by"]


def test_only_the_posting_department_answers(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "What did it cost?")
    for who in ("asker", "other"):
        with pytest.raises(Forbidden):
            answer(db, cast[who], qid, "I can guess")
    with pytest.raises(Forbidden):
        answer(db, cast["no_department"], qid, "Coordinators do not answer for a department")


def test_a_department_cannot_ask_its_own_lesson_and_accounts_without_a_department_cannot_ask(cast):
    with pytest.raises(InvalidInput, match="own department"):
        ask(cast["db"], cast["poster2"], cast["lesson"], "Did we?")
    with pytest.raises(Forbidden):
        ask(cast["db"], cast["no_department"], cast["lesson"], "Hello?")
    with pytest.raises(Forbidden):
        ask(cast["db"], VISITOR, cast["lesson"], "Hello?")


def test_a_lesson_the_member_cannot_read_cannot_be_asked_about(cast):
    db = cast["db"]
    draft = lessons.save_draft(db, cast["poster"], valid_lesson(title="Not yet"))
    with pytest.raises(NotFound):
        ask(db, cast["asker"], draft, "What is this?")
    with pytest.raises(NotFound):
        thread(db, cast["asker"], draft)


def test_length_is_checked_first_and_named_by_the_fields_label(cast):
    with pytest.raises(InvalidInput) as caught:
        ask(cast["db"], VISITOR, 999999, "x" * (questions.MAX_QUESTION_CHARS + 1))
    assert caught.value.message.startswith("Your question is 2,001 characters; the limit is 2,000")
    with pytest.raises(InvalidInput, match="Your question is required"):
        ask(cast["db"], cast["asker"], cast["lesson"], "   ")
    with pytest.raises(InvalidInput, match="^Your answer is 4,001 characters"):
        answer(cast["db"], cast["poster"], 1, "y" * 4001)


def test_a_private_question_is_seen_only_by_the_two_departments(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "Can we see your budget?", private=True)
    answer(db, cast["poster"], qid, "Yes, by e-mail.")
    assert [q["id"] for q in thread(db, cast["asker2"], cast["lesson"])] == [qid]
    assert [q["id"] for q in thread(db, cast["poster2"], cast["lesson"])] == [qid]
    assert thread(db, cast["other"], cast["lesson"]) == []
    assert thread(db, cast["no_department"], cast["lesson"]) == []
    with pytest.raises(NotFound):
        answer(db, cast["other"], qid, "Me too")


def test_on_an_anonymous_lesson_answers_read_the_posting_department_to_outsiders(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["anonymous_lesson"], "Who led this?")
    answer(db, cast["poster"], qid, "Our director.")
    for viewer in ("asker", "other", "no_department", "admin"):
        [question] = thread(db, cast[viewer], cast["anonymous_lesson"])
        shown = repr(question)
        assert question["answers"][0]["by"] == "the posting department"
        assert "Posting County Health" not in shown and cast["poster"].display_name not in shown
    [own] = thread(db, cast["poster2"], cast["anonymous_lesson"])
    assert "Posting County Health" in own["answers"][0]["by"]


def test_an_anonymous_asker_is_shown_only_as_the_k_rule_allows_even_to_the_posting_department(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "Did it work for a small county?", anonymous=True)
    for viewer in ("poster", "other", "admin"):
        [question] = thread(db, cast[viewer], cast["lesson"])
        assert question["asker"] == "Anonymous department"  # too few departments in Region 5 for K = 5
        assert "Asking County" not in repr(question) and cast["asker"].display_name not in repr(question)
    [own] = thread(db, cast["asker2"], cast["lesson"])
    assert own["asker"].endswith("Asking County Health (WI) — anonymous to others")
    assert qid == own["id"]


def test_an_anonymous_asker_shows_region_and_type_once_k_departments_share_them(cast):
    db = cast["db"]
    for n in range(5):
        make_department(db, name=f"Filler County {n}", state="WI")
    ask(db, cast["asker"], cast["lesson"], "Did it work for you?", anonymous=True)
    [question] = thread(db, cast["poster"], cast["lesson"])
    assert question["asker"] == "Anonymous — a county department in HHS Region 5"


def test_anonymous_timestamps_are_coarsened_for_outsiders(cast):
    db = cast["db"]
    at = clock.now().replace(hour=15, minute=42, second=7, microsecond=0)
    ask(db, cast["asker"], cast["lesson"], "When did you start?", anonymous=True, now=at)
    [seen] = thread(db, cast["poster"], cast["lesson"])
    assert seen["created_at"] == at.replace(hour=0, minute=0, second=0)
    [own] = thread(db, cast["asker2"], cast["lesson"])
    assert own["created_at"] == at


def test_the_asking_department_marks_a_question_answered_once_it_has_an_answer(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "Any templates?")
    with pytest.raises(InvalidInput, match="Nobody has answered"):
        mark_answered(db, cast["asker"], qid)
    answer(db, cast["poster"], qid, "Attached to the lesson.")
    with pytest.raises(Forbidden):
        mark_answered(db, cast["poster"], qid)
    assert mark_answered(db, cast["asker"], qid) is True
    assert mark_answered(db, cast["asker2"], qid) is False  # a repeat changes nothing
    [question] = thread(db, cast["other"], cast["lesson"])
    assert question["answered_at"] is not None and not question["can_mark_answered"]


def test_questions_are_rate_limited_per_person_and_a_double_send_is_one_question(cast):
    db = cast["db"]
    token = lessons.new_client_token()
    first = ask(db, cast["asker"], cast["lesson"], "Question 0", client_token=token)
    assert ask(db, cast["asker"], cast["lesson"], "Question 0", client_token=token) == first
    with pytest.raises(Conflict, match="same question"):
        ask(db, cast["asker"], cast["lesson"], "Question 0")
    for n in range(1, questions.QUESTIONS_PER_HOUR):
        ask(db, cast["asker"], cast["lesson"], f"Question {n}")
    with pytest.raises(RateLimited, match=r"You have asked 10 questions in the last hour\. Try again at \d\d:\d\d UTC"):
        ask(db, cast["asker"], cast["lesson"], "One too many")
    ask(db, cast["asker2"], cast["lesson"], "A colleague may still ask")


def test_answers_are_rate_limited_per_person_and_the_same_answer_twice_is_refused(cast):
    db, poster = cast["db"], cast["poster"]
    qid = ask(db, cast["asker"], cast["lesson"], "What did the first meeting look like?")
    token = lessons.new_client_token()
    first = answer(db, poster, qid, "Answer 0", client_token=token)
    assert answer(db, poster, qid, "Answer 0", client_token=token) == first  # the same form sent twice: one answer
    with pytest.raises(Conflict, match="same answer a few minutes ago"):
        answer(db, poster, qid, "Answer 0")
    for n in range(1, questions.ANSWERS_PER_HOUR):
        answer(db, poster, qid, f"Answer {n}")
    with pytest.raises(RateLimited, match=r"You have written 30 answers in the last hour\. Try again at \d\d:\d\d UTC"):
        answer(db, poster, qid, "One too many")
    answer(db, cast["poster2"], qid, "A colleague may still answer")


def test_parallel_questions_cannot_pass_the_hourly_limit(cast):
    db, asker = cast["db"], cast["asker"]
    outcomes = []

    def send(n):
        try:
            outcomes.append(ask(db, asker, cast["lesson"], f"Parallel question {n}"))
        except (RateLimited, Conflict) as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(questions.QUESTIONS_PER_HOUR + 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as cur:
        assert scalar(cur, "SELECT count(*) FROM questions WHERE author_id = ?", [asker.id]) == questions.QUESTIONS_PER_HOUR


def test_two_members_answering_at_once_both_answers_are_kept(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "Who should we call?")
    done, barrier = [], threading.Barrier(2)

    def reply(who):
        barrier.wait()
        done.append(answer(db, cast[who], qid, f"Call me, {who}"))

    threads = [threading.Thread(target=reply, args=(w,)) for w in ("poster", "poster2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(done)) == 2
    [question] = thread(db, cast["asker"], cast["lesson"])
    assert len(question["answers"]) == 2
    assert len(events(db, "question.answered")) == 2


def test_the_events_carry_ids_only(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["anonymous_lesson"], "Anything secret?", anonymous=True, private=True)
    aid = answer(db, cast["poster"], qid, "Nothing secret.")
    assert events(db, "question.asked") == [{
        "question_id": qid, "lesson_id": cast["anonymous_lesson"], "department_id": cast["posting"],
        "asker_user_id": cast["asker"].id, "asker_department_id": cast["asking"], "private": True}]
    assert events(db, "question.answered") == [{
        "question_id": qid, "answer_id": aid, "lesson_id": cast["anonymous_lesson"], "department_id": cast["posting"],
        "asker_user_id": cast["asker"].id}]


def test_unanswered_questions_are_nudged_once_after_fourteen_days(cast):
    db = cast["db"]
    old = clock.now() - timedelta(days=15)
    waiting = ask(db, cast["asker"], cast["lesson"], "Still there?", now=old)
    answered = ask(db, cast["asker2"], cast["lesson"], "Answered already?", now=old)
    answer(db, cast["poster"], answered, "Yes.")
    ask(db, cast["other"], cast["lesson"], "Too new to nudge")
    assert nudge_overdue(db) == 1
    assert nudge_overdue(db) == 0
    assert events(db, "question.nudged") == [{"question_id": waiting, "lesson_id": cast["lesson"],
                                              "department_id": cast["posting"]}]


def test_the_questions_page_lists_open_answered_and_asked(cast):
    db = cast["db"]
    waiting = ask(db, cast["asker"], cast["lesson"], "Open one")
    done = ask(db, cast["asker"], cast["anonymous_lesson"], "Done one")
    answer(db, cast["poster"], done, "Here.")
    mark_answered(db, cast["asker"], done)
    mine = department_questions(db, cast["poster2"])
    assert [q["id"] for q in mine["open"]] == [waiting]
    assert [q["id"] for q in mine["answered"]] == [done]
    assert mine["asked"] == []
    theirs = department_questions(db, cast["asker2"])
    assert {q["id"] for q in theirs["asked"]} == {waiting, done}
    assert theirs["open"] == theirs["answered"] == []
    on_anonymous = next(q for q in theirs["asked"] if q["id"] == done)
    assert on_anonymous["answers"][0]["by"] == "the posting department"
    assert "Posting County" not in repr(on_anonymous)
    with pytest.raises(Forbidden):
        department_questions(db, cast["no_department"])


def test_a_withdrawn_lessons_questions_cannot_be_answered(cast):
    db = cast["db"]
    qid = ask(db, cast["asker"], cast["lesson"], "Before you withdraw it?")
    lessons.withdraw(db, cast["poster"], cast["lesson"])
    [question] = department_questions(db, cast["poster"])["open"]
    assert question["id"] == qid and not question["can_answer"]
    with pytest.raises(Conflict, match="not published"):
        answer(db, cast["poster"], qid, "Too late")
