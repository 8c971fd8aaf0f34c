"""Anonymity on every notification path: no inbox text, immediate e-mail or digest names an anonymous lesson's
department, its place names or its members, nor an anonymous asker's or endorser's department."""

from __future__ import annotations

import pytest

from exchange import config
from exchange.lessons import moderation
from exchange.notify import follows, inbox, mail
from exchange.storage.duckdb import rows
from tests.factories import make_department, make_user
from tests.helpers import submit_new, valid_lesson
from tests.notify_support import Exchange

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

SECRET_DEPARTMENT = "Pinecone County 0 Public Health"
PLACES = ("Lakeside Flats", "Old Mill Road")


@pytest.fixture
def ex(fresh_db):
    ex = Exchange(fresh_db, departments=3)
    for _ in range(3):  # K departments in Region 5: the region shows, so lessons match region follows
        make_department(ex.db, state="WI")
    ex.db.write(lambda cur: cur.execute("UPDATE departments SET place_names = ? WHERE id = ?",
                                        ["\n".join(PLACES), ex.departments[0]]))
    ex.secret_author = make_user(ex.db, department_id=ex.departments[0], email="rosalind.quill@example.org")
    return ex


def _secrets(ex) -> list[str]:
    with ex.db.read() as cur:
        names = [r[0] for r in cur.execute("SELECT display_name FROM users WHERE department_id = ?",
                                           [ex.departments[0]]).fetchall()]
        emails = [r[0] for r in cur.execute("SELECT email FROM users WHERE department_id = ?",
                                            [ex.departments[0]]).fetchall()]
    return [SECRET_DEPARTMENT, *PLACES, *names, *emails, "Minnesota", "(MN)"]


def _every_event_on(ex, lesson: int) -> None:
    """Questions, answers, nudges, endorsements, a confirmation request and reports, all on one anonymous lesson."""
    asker, endorser = ex.members[1], ex.members[2]
    dept = ex.departments[0]
    ex.event("question", "question.asked", {"question_id": 1, "lesson_id": lesson, "department_id": dept,
                                            "asker_user_id": asker.id, "asker_department_id": ex.departments[1],
                                            "private": False})
    ex.event("answer", "question.answered", {"question_id": 1, "answer_id": 2, "lesson_id": lesson,
                                             "department_id": dept, "asker_user_id": asker.id})
    ex.event("question", "question.nudged", {"question_id": 1, "lesson_id": lesson, "department_id": dept})
    ex.event("endorsement", "endorsement.added", {"endorsement_id": 5, "lesson_id": lesson, "department_id": dept,
                                                  "kind": "helped", "anonymous": True})
    ex.event("lesson", "lesson.confirmation_due", {"lesson_id": lesson, "department_id": dept})
    moderation.report(ex.db, endorser, lesson, "Please check the numbers.")
    moderation.decide(ex.db, ex.admin, lesson, "dismiss")


def test_no_inbox_text_outside_the_department_gives_an_anonymous_lesson_away(ex):
    outsiders = [ex.members[1], ex.members[2], make_user(ex.db, "coordinator", regions=(5,))]
    for person in outsiders:
        for kind, target in (("practice", 14), ("region", 5), ("state", "MN"), ("department", ex.departments[0]),
                             ("view", "practice=14&region=5")):
            follows.follow(ex.db, person, kind, target)
    lesson = ex.publish(ex.secret_author, title="A budget fight we lost", anonymous=True, practice_ids=[14])
    _every_event_on(ex, lesson)
    ex.deliver()
    secrets = _secrets(ex)
    seen_kinds = set()
    for person in outsiders:
        items = inbox.items(ex.db, person)
        assert items, "each outsider hears of the lesson somehow"
        for item in items:
            seen_kinds.add(item["kind"])
            for secret in secrets:
                assert secret not in item["text"], (person.email, item["kind"], secret)
    assert {"followed_lesson", "answer", "report_decided"} <= seen_kinds
    # The department's own members see what they posted (and every other kind about it), named.
    own = {i["kind"] for i in inbox.items(ex.db, ex.secret_author)}
    assert {"question", "nudge", "endorsement", "confirmation", "review_outcome"} <= own


def test_no_notification_row_stores_a_name_or_text(ex):
    lesson = ex.publish(ex.secret_author, title="A budget fight we lost", anonymous=True)
    follows.follow(ex.db, ex.members[1], "practice", 14)
    _every_event_on(ex, lesson)
    ex.deliver()
    with ex.db.read() as cur:
        stored = repr(rows(cur, "SELECT * FROM notifications")) + repr(rows(cur, "SELECT * FROM outbox"))
    for secret in [*_secrets(ex), "A budget fight"]:
        assert secret not in stored


def test_no_e_mail_or_digest_to_an_outsider_gives_an_anonymous_lesson_away(ex):
    outsiders = [ex.members[1], ex.members[2]]
    for person in outsiders:
        follows.follow(ex.db, person, "practice", 14)
        follows.follow(ex.db, person, "region", 5)
    with config.override(smtp_host="127.0.0.1", public_url="https://exchange.example.org"):
        lesson = ex.publish(ex.secret_author, title="A budget fight we lost", anonymous=True)
        _every_event_on(ex, lesson)
        # An outsider's own lesson sent back: an immediate mail of theirs alongside.
        sent_back, _ = submit_new(ex.db, ex.members[1], valid_lesson(title="Draft to fix"), client_token="fix")
        moderation.decide(ex.db, ex.admin, sent_back, "reject", "Add the outcome.")
        ex.deliver()
        mail.digest_round(ex.db)
        with ex.db.read() as cur:
            queued = rows(cur, "SELECT id, user_id, kind FROM outbox ORDER BY id")
        secrets = _secrets(ex)
        checked = set()
        for row in queued:
            if row["user_id"] not in {p.id for p in outsiders}:
                continue
            message = mail.compose(ex.db, row["id"])
            assert message is not None
            checked.add(row["kind"])
            whole = message.as_string()
            for secret in secrets:
                assert secret not in whole, (row, secret)
        assert checked == {"immediate", "digest"}
