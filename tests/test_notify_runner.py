"""The app's background rounds: reminders that are due become notifications once, and a failing kind stops nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from exchange import clock
from exchange.conversations import questions
from exchange.notify import runner
from exchange.peers import freshness
from tests.notify_support import Exchange

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


@pytest.fixture
def ex(fresh_db):
    return Exchange(fresh_db, departments=2)


def later(monkeypatch, days: int) -> None:
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=days))


def test_due_reminders_are_recorded_once_and_reach_the_posting_departments_inbox(ex, monkeypatch):
    author, asker = ex.members
    lesson = ex.publish(author)
    questions.ask(ex.db, asker, lesson, "How did you recruit the community panel?")
    ex.deliver()
    assert runner.remind(ex.db)["nudges"] == 0  # nothing is due yet: the question is new
    later(monkeypatch, 400)  # past a year after publishing and 14 days after the question
    done = runner.remind(ex.db)
    assert done["confirmations"] >= 1 and done["nudges"] >= 1
    assert runner.remind(ex.db) == {"confirmations": 0, "nudges": 0}  # marked in the same transaction
    ex.deliver()
    mine = [(i["kind"], i["lesson_id"]) for i in ex.inbox(author)]
    assert ("confirmation", lesson) in mine and ("nudge", lesson) in mine
    assert [k for k, _ in mine].count("nudge") == 1
    assert "nudge" not in ex.kinds(asker) and "confirmation" not in ex.kinds(asker)


def test_one_failing_kind_of_reminder_does_not_stop_the_other(ex, monkeypatch):
    author, asker = ex.members
    questions.ask(ex.db, asker, ex.publish(author), "Who chaired the panel?")

    def broken(db):
        raise RuntimeError("scan failed")

    monkeypatch.setattr(freshness, "ask_due", broken)
    later(monkeypatch, 20)
    assert runner.remind(ex.db) == {"confirmations": 0, "nudges": 1}
