"""The inbox: every kind of notification from its event, exactly once, with texts that respect anonymity."""

from __future__ import annotations

import pytest

from exchange import worker
from exchange.errors import Forbidden, NotFound
from exchange.lessons import moderation
from exchange.models import VISITOR
from exchange.notify import consumer, inbox
from tests.factories import make_department, make_user
from tests.helpers import submit_new, valid_lesson
from tests.notify_support import Exchange

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


@pytest.fixture
def ex(fresh_db):
    return Exchange(fresh_db, departments=3)


def test_a_reviewer_publishing_or_sending_back_tells_the_author_with_the_reason(ex):
    author = ex.members[0]
    published = ex.publish(author)
    sent_back, _ = submit_new(ex.db, author, valid_lesson(title="Needs more"), client_token="sb")
    moderation.decide(ex.db, ex.admin, sent_back, "reject", "Say what happened after the vote.")
    ex.deliver()
    items = {i["kind"]: i for i in ex.inbox(author)}
    assert items["published"]["lesson_id"] == published
    assert "Say what happened after the vote." in items["sent_back"]["text"]
    assert items["sent_back"]["lesson_id"] == sent_back


def test_a_lesson_its_department_publishes_straight_away_tells_its_author_nothing(ex):
    from tests.helpers import set_review_threshold

    set_review_threshold(ex.db, 1)
    ex.publish(ex.members[0])  # the first one is reviewed
    ex.deliver()
    assert ex.kinds(ex.members[0]) == ["published"]
    _, status = submit_new(ex.db, ex.members[0], valid_lesson(title="Second one"), client_token="s2")
    assert status == "published"
    ex.deliver()
    assert ex.kinds(ex.members[0]) == ["published"]


def test_hidden_after_reports_then_the_outcome_reaches_author_and_reporters(ex):
    author = ex.members[0]
    lesson = ex.publish(author)
    reporters = [ex.members[1], ex.members[2], make_user(ex.db, department_id=make_department(ex.db))]
    for reporter in reporters:
        moderation.report(ex.db, reporter, lesson, "This names a family.")
    ex.deliver()
    assert "hidden_reports" in ex.kinds(author)
    moderation.decide(ex.db, ex.admin, lesson, "hide", "It names a family.")
    ex.deliver()
    outcome = [i for i in ex.inbox(author) if i["kind"] == "review_outcome"][0]
    assert "stays hidden" in outcome["text"] and "It names a family." in outcome["text"]
    for reporter in reporters:
        decided = [i for i in ex.inbox(reporter) if i["kind"] == "report_decided"]
        assert len(decided) == 1 and "hidden" in decided[0]["text"]


def test_dismissed_reports_tell_the_reporter_the_lesson_stays(ex):
    lesson = ex.publish(ex.members[0])
    moderation.report(ex.db, ex.members[1], lesson, "I disagree.")
    moderation.decide(ex.db, ex.admin, lesson, "dismiss")
    ex.deliver()
    assert "stays published" in [i for i in ex.inbox(ex.members[1]) if i["kind"] == "report_decided"][0]["text"]
    assert "stays published" in [i for i in ex.inbox(ex.members[0]) if i["kind"] == "review_outcome"][0]["text"]


def test_question_answer_nudge_endorsement_and_confirmation_events_reach_the_right_people(ex):
    posting, asker = ex.members[0], ex.members[1]
    colleague = make_user(ex.db, department_id=ex.departments[0])
    lesson = ex.publish(posting)
    ex.deliver()
    ex.event("question", "question.asked", {"question_id": 7, "lesson_id": lesson, "department_id": ex.departments[0],
                                            "asker_user_id": asker.id, "asker_department_id": ex.departments[1],
                                            "private": False})
    ex.event("answer", "question.answered", {"question_id": 7, "answer_id": 9, "lesson_id": lesson,
                                             "department_id": ex.departments[0], "asker_user_id": asker.id})
    ex.event("question", "question.nudged", {"question_id": 7, "lesson_id": lesson, "department_id": ex.departments[0]})
    ex.event("endorsement", "endorsement.added", {"endorsement_id": 3, "lesson_id": lesson,
                                                  "department_id": ex.departments[0], "kind": "adapted",
                                                  "anonymous": False})
    ex.event("lesson", "lesson.confirmation_due", {"lesson_id": lesson, "department_id": ex.departments[0]})
    ex.deliver()
    for member in (posting, colleague):
        kinds = set(ex.kinds(member))
        assert {"question", "nudge", "endorsement", "confirmation"} <= kinds and "answer" not in kinds
    assert ex.kinds(asker) == ["answer"]
    texts = {i["kind"]: i["text"] for i in ex.inbox(posting)}
    assert "We adapted this" in texts["endorsement"] and "still current" in texts["confirmation"]
    assert "Pinecone County 1" not in " ".join(texts.values())  # the asker's and endorser's department: never named
    answer = ex.inbox(asker)[0]
    assert answer["lesson_id"] == lesson and "Pinecone County 0 Public Health (MN) answered" in answer["text"]


def test_an_answer_on_an_anonymous_lesson_says_the_posting_department(ex):
    lesson = ex.publish(ex.members[0], anonymous=True)
    ex.event("answer", "question.answered", {"question_id": 1, "answer_id": 2, "lesson_id": lesson,
                                             "department_id": ex.departments[0], "asker_user_id": ex.members[1].id})
    ex.deliver()
    text = ex.inbox(ex.members[1])[0]["text"]
    assert text.startswith("The posting department answered") and "Pinecone" not in text


def test_the_asker_is_not_told_of_their_own_question(ex):
    colleague = make_user(ex.db, department_id=ex.departments[0])
    lesson = ex.publish(ex.members[0])
    ex.event("question", "question.asked", {"question_id": 1, "lesson_id": lesson, "department_id": ex.departments[0],
                                            "asker_user_id": colleague.id, "asker_department_id": ex.departments[0],
                                            "private": True})
    ex.deliver()
    assert "question" in ex.kinds(ex.members[0]) and "question" not in ex.kinds(colleague)


def test_each_event_notifies_once_even_when_the_handler_runs_again(ex):
    lesson = ex.publish(ex.members[0])
    ex.deliver()
    before = ex.stored()
    # A retried transaction runs the handler again for the same event: the unique key keeps one row.
    from exchange.storage import changes

    with ex.db.read() as cur:
        events = [c for c in changes.since(cur, 0) if c.event == "lesson.published" and c.payload["lesson_id"] == lesson]
    ex.db.write(lambda cur: ex.handler(cur, events[-1]))
    assert ex.stored() == before
    assert ex.deliver() == 0


def test_a_failing_delivery_is_retried_and_loses_nothing(ex, monkeypatch):
    lesson = ex.publish(ex.members[0])
    calls = []
    real = inbox.add

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(inbox, "add", flaky)
    with pytest.raises(RuntimeError):
        ex.deliver()
    assert ex.stored() == []
    ex.deliver()
    assert [i["lesson_id"] for i in ex.inbox(ex.members[0])] == [lesson]


def test_mark_read_and_mark_all_read_are_yours_only(ex):
    lesson = ex.publish(ex.members[0])
    moderation.report(ex.db, ex.members[1], lesson, "Hmm.")
    moderation.decide(ex.db, ex.admin, lesson, "dismiss")
    ex.deliver()
    me = ex.members[0]
    assert inbox.unread_count(ex.db, me) == 2
    first = ex.inbox(me)[0]["id"]
    with pytest.raises(NotFound):
        inbox.mark_read(ex.db, ex.members[1], first)
    with pytest.raises(NotFound):
        inbox.mark_read(ex.db, me, "1; DROP TABLE notifications")
    inbox.mark_read(ex.db, me, first)
    inbox.mark_read(ex.db, me, first)
    assert inbox.unread_count(ex.db, me) == 1
    assert inbox.mark_all_read(ex.db, me) == 1
    assert inbox.unread_count(ex.db, me) == 0 and inbox.unread_count(ex.db, ex.members[1]) == 1
    assert inbox.unread_count(ex.db, VISITOR) == 0
    with pytest.raises(Forbidden):
        inbox.items(ex.db, VISITOR)


def test_the_worker_thread_delivers_notifications_in_the_background(ex):
    from exchange.notify import follows, runner

    follows.follow(ex.db, ex.members[1], "practice", 14)
    from exchange import config

    with config.override(notify_seconds=0.05, mail_seconds=0.05):
        runner.start(ex.db)
        try:
            lesson = ex.publish(ex.members[0])
            import time

            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not ex.inbox(ex.members[1]):
                time.sleep(0.05)
        finally:
            runner.stop(ex.db)
    assert [i["lesson_id"] for i in ex.inbox(ex.members[1])] == [lesson]
    assert consumer.CONSUMER  # the same consumer name the app starts
    assert worker.deliver(ex.db, consumer.CONSUMER, ex.handler) == 0


def test_question_and_answer_notifications_quote_what_was_written_until_it_is_hidden(ex):
    from exchange.conversations import questions

    posting, asker = ex.members[0], ex.members[1]
    lesson = ex.publish(posting)
    long_question = "How did you keep the county council on board " + "through three budget cycles " * 10
    qid = questions.ask(ex.db, asker, lesson, long_question)
    questions.answer(ex.db, posting, qid, "We briefed each member one by one.")
    ex.deliver()
    asked = [i["text"] for i in ex.inbox(posting) if i["kind"] == "question"][0]
    assert "They wrote: “How did you keep the county council on board through" in asked and asked.endswith("…”")
    assert len(asked) < len(long_question)
    answered = [i["text"] for i in ex.inbox(asker) if i["kind"] == "answer"][0]
    assert answered.endswith("They wrote: “We briefed each member one by one.”")

    ex.db.write(lambda cur: cur.execute("UPDATE questions SET hidden = TRUE WHERE id = ?", [qid]))  # after reports
    asked = [i["text"] for i in ex.inbox(posting) if i["kind"] == "question"][0]
    assert "They wrote" not in asked and "new question" in asked
