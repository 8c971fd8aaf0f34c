"""E-mail through a real SMTP server (aiosmtpd on a free loopback port): digests, immediate mail, unsubscribe, retries."""

from __future__ import annotations

import asyncio
import concurrent.futures
import email
import re
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from starlette.requests import Request

from exchange import clock, config
from exchange.lessons import moderation
from exchange.notify import follows, mail
from exchange.storage.duckdb import rows
from exchange.ui import notify_web
from tests.factories import make_department, make_user
from tests.helpers import submit_new, valid_lesson
from tests.notify_support import Exchange

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


class Inbox:
    """An aiosmtpd handler keeping every accepted message; `refuse` answers DATA with a temporary failure N times."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with config.override(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_starttls=False,
                             smtp_from="Equity Exchange <exchange@health.example.org>",
                             public_url="https://exchange.example.org"):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def ex(fresh_db):
    ex = Exchange(fresh_db, departments=2)
    for _ in range(4):  # K departments in Region 5, so an anonymous lesson shows its region
        make_department(ex.db, state="WI")
    ex.db.write(lambda cur: cur.execute("UPDATE departments SET place_names = 'Lakeside\nOld Mill' WHERE id = ?",
                                        [ex.departments[0]]))
    return ex


def _outbox(db) -> list[dict]:
    with db.read() as cur:
        return rows(cur, "SELECT * FROM outbox ORDER BY id")


def _settle(ex, reader) -> None:
    """Deliver, and mark everyone else's news read (the authors hear "published"): the tests follow one reader's mail."""
    from exchange.notify import inbox

    ex.deliver()
    with ex.db.read() as cur:
        others = [r[0] for r in cur.execute("SELECT DISTINCT user_id FROM notifications WHERE user_id <> ?",
                                            [reader.id]).fetchall()]
    ex.db.write(lambda cur: cur.execute("UPDATE notifications SET read_at = now() WHERE user_id IN (SELECT unnest(?))",
                                        [others]))


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _unsubscribe(db, link: str, method: str = "GET"):
    path, _, query = link.partition("?")
    request = Request({"type": "http", "method": method, "path": "/notify/unsubscribe", "headers": [],
                       "query_string": query.encode()})
    route = notify_web.routes(lambda: db)[0]
    # In a thread of its own: a browser test's Playwright may hold this process's event loop (same xdist worker).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, route.endpoint(request)).result()


def test_a_digest_arrives_with_a_plain_text_part_links_and_no_trace_of_an_anonymous_department(ex, smtp):
    reader = ex.members[1]
    follows.follow(ex.db, reader, "practice", 14)
    follows.follow(ex.db, reader, "region", 5)
    named = ex.publish(ex.members[1 - 1], title="Eviction data with the tenant union")
    anonymous_author = make_user(ex.db, department_id=ex.departments[0], email="quiet.author@example.org")
    quiet = ex.publish(anonymous_author, title="A budget fight we lost", anonymous=True)
    _settle(ex, reader)
    assert mail.digest_round(ex.db) == 1
    assert mail.send_round(ex.db)["sent"] == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == reader.email and message["Subject"] == "Equity Exchange: 2 new in your inbox"
    assert message["Message-ID"] == _outbox(ex.db)[0]["message_id"]
    assert message.get_content_type() == "text/plain"
    body = _body(message)
    assert "Eviction data with the tenant union" in body and "A budget fight we lost" in body
    assert f"https://exchange.example.org/lesson?id={named}" in body
    assert f"https://exchange.example.org/lesson?id={quiet}" in body
    assert "Anonymous — a county department in HHS Region 5" in body
    # The anonymous lesson's department, its place names and its members: nowhere in the message.
    whole = message.as_string()
    named_line = [line for line in body.splitlines() if "Eviction data" in line][0]
    assert "Pinecone County 0" in named_line  # the named lesson names it, on its own line only
    for line in body.splitlines():
        if "A budget fight we lost" in line:
            assert "Pinecone" not in line and "Minnesota" not in line and "MN" not in line
    for secret in ("Lakeside", "Old Mill", "Quiet.Author", "quiet.author"):
        assert secret not in whole
    unsubscribe = re.search(r"https://exchange\.example\.org/notify/unsubscribe\?token=\S+", body).group(0)
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Nothing new: no second digest, nothing sent twice.
    assert mail.digest_round(ex.db, now=clock.now() + timedelta(days=8)) == 0
    assert mail.send_round(ex.db)["sent"] == 0 and len(smtp.messages) == 1

    # The one-click link works without signing in; then nothing more is sent, not even what was queued.
    ex.publish(ex.members[0], title="Another lesson on the practice")
    _settle(ex, reader)
    assert mail.digest_round(ex.db, now=clock.now() + timedelta(days=8)) == 1
    # Opening the link (what a mail scanner's prefetch does) asks first and changes nothing.
    response = _unsubscribe(ex.db, unsubscribe)
    assert response.status_code == 200 and b"Stop all e-mail" in response.body and b'method="post"' in response.body
    assert mail.preferences(ex.db, reader)["digest"] == "weekly"
    response = _unsubscribe(ex.db, unsubscribe, "POST")  # the page's button
    assert response.status_code == 200 and b"You are unsubscribed" in response.body
    assert mail.send_round(ex.db, now=clock.now() + timedelta(days=8))["sent"] == 0
    ex.publish(ex.members[0], title="Yet another lesson on the practice")
    _settle(ex, reader)
    assert mail.digest_round(ex.db, now=clock.now() + timedelta(days=30)) == 0
    assert len(smtp.messages) == 1
    assert mail.preferences(ex.db, reader)["digest"] == "off"


def test_opening_an_unsubscribe_link_asks_first_and_its_button_keeps_the_whole_token(ex, smtp):
    with ex.db.read() as cur:
        good = mail.unsubscribe_token(cur, ex.members[0].id)
    for _ in range(3):  # a scanner fetching the link again and again
        response = _unsubscribe(ex.db, f"/notify/unsubscribe?token={good}")
        assert response.status_code == 200 and b"Stop e-mail from the Equity Exchange?" in response.body
    assert mail.preferences(ex.db, ex.members[0])["digest"] == "weekly"
    action = re.search(rb'action="([^"]+)"', response.body).group(1).decode().replace("&amp;", "&")
    assert _unsubscribe(ex.db, action, "POST").status_code == 200
    assert mail.preferences(ex.db, ex.members[0])["digest"] == "off"


def test_a_forged_or_cut_unsubscribe_link_changes_nothing(ex, smtp):
    with ex.db.read() as cur:
        good = mail.unsubscribe_token(cur, ex.members[0].id)
    other = f"{ex.members[1].id}.{good.split('.')[1]}"
    for token in (other, good[:-3], "", "abc", "1." + "0" * 32):
        for method in ("GET", "POST"):
            response = _unsubscribe(ex.db, f"/notify/unsubscribe?token={token}", method)
            assert response.status_code == 400 and b"did not work" in response.body
            assert b"Stop all e-mail" not in response.body
    assert mail.preferences(ex.db, ex.members[1])["digest"] == "weekly"
    assert _unsubscribe(ex.db, f"/notify/unsubscribe?token={good}", "POST").status_code == 200  # RFC 8058 one-click
    assert mail.preferences(ex.db, ex.members[0])["digest"] == "off"


def test_a_refused_send_is_retried_with_backoff_then_sent_exactly_once(ex, smtp):
    follows.follow(ex.db, ex.members[1], "practice", 14)
    ex.publish(ex.members[0])
    _settle(ex, ex.members[1])
    mail.digest_round(ex.db)
    smtp.refuse = 2
    now = clock.now()
    assert mail.send_round(ex.db, now=now)["retried"] == 1
    row = _outbox(ex.db)[0]
    assert row["status"] == "pending" and row["attempts"] == 1 and "451" in row["last_error"]
    assert mail.send_round(ex.db, now=now)["sent"] == 0  # not due yet: backoff
    assert mail.send_round(ex.db, now=now + timedelta(minutes=1))["retried"] == 1
    assert mail.send_round(ex.db, now=now + timedelta(minutes=2))["sent"] == 0  # the second wait is 2 minutes
    assert mail.send_round(ex.db, now=now + timedelta(minutes=3, seconds=1))["sent"] == 1
    for later in (5, 60, 600):
        assert mail.send_round(ex.db, now=now + timedelta(minutes=later))["sent"] == 0
    assert smtp.refused == 2 and len(smtp.messages) == 1
    assert _outbox(ex.db)[0]["status"] == "sent"


def test_a_send_that_keeps_failing_is_kept_as_failed_not_lost(ex, smtp, monkeypatch):
    monkeypatch.setattr(mail, "MAX_ATTEMPTS", 2)
    follows.follow(ex.db, ex.members[1], "practice", 14)
    ex.publish(ex.members[0])
    _settle(ex, ex.members[1])
    mail.digest_round(ex.db)
    smtp.refuse = 10
    now = clock.now()
    mail.send_round(ex.db, now=now)
    assert mail.send_round(ex.db, now=now + timedelta(hours=3))["failed"] == 1
    assert _outbox(ex.db)[0]["status"] == "failed" and not smtp.messages
    assert mail.status(ex.db, ex.admin)["failed"] == 1


def test_a_sender_that_died_mid_send_sends_again_with_the_same_message_id(ex, smtp):
    follows.follow(ex.db, ex.members[1], "practice", 14)
    ex.publish(ex.members[0])
    _settle(ex, ex.members[1])
    mail.digest_round(ex.db)
    now = clock.now()
    outbox_id = _outbox(ex.db)[0]["id"]
    ex.db.write(lambda cur: mail._claim(cur, outbox_id, now))  # claimed, then the process died
    assert mail.send_round(ex.db, now=now + timedelta(minutes=1))["sent"] == 0  # its lease holds
    assert mail.send_round(ex.db, now=now + mail.LEASE + timedelta(seconds=1))["sent"] == 1
    assert smtp.messages[0]["Message-ID"] == _outbox(ex.db)[0]["message_id"]


def test_a_question_and_a_lesson_sent_back_are_mailed_at_once_if_wanted(ex, smtp):
    posting = ex.members[0]
    lesson = ex.publish(posting)
    mail.set_preferences(ex.db, ex.members[0], "weekly", False)  # this one wants no immediate mail
    colleague = make_user(ex.db, department_id=ex.departments[0])
    ex.event("question", "question.asked", {"question_id": 1, "lesson_id": lesson, "department_id": ex.departments[0],
                                            "asker_user_id": ex.members[1].id, "asker_department_id": ex.departments[1],
                                            "private": False})
    sent_back, _ = submit_new(ex.db, colleague, valid_lesson(title="Second draft"), client_token="x")
    moderation.decide(ex.db, ex.admin, sent_back, "reject", "Please add the outcome.")
    ex.deliver()
    assert mail.send_round(ex.db)["sent"] == 2
    to = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert to == sorted([(colleague.email, "Equity Exchange: Question to your department"),
                         (colleague.email, "Equity Exchange: Your lesson was sent back")])
    bodies = " ".join(_body(m) for m in smtp.messages)
    assert "Please add the outcome." in bodies and "Pinecone County 1" not in bodies  # the asker is never named
    # Mailed at once, so the digest does not repeat them.
    mail.digest_round(ex.db, now=clock.now() + timedelta(days=8))
    digests = [r for r in _outbox(ex.db) if r["kind"] == "digest" and r["user_id"] == colleague.id]
    assert digests == []


def test_without_smtp_settings_nothing_is_queued_and_the_inbox_still_works(ex):
    assert not mail.enabled()
    follows.follow(ex.db, ex.members[1], "practice", 14)
    ex.publish(ex.members[0])
    ex.deliver()
    assert mail.digest_round(ex.db) == 0 and _outbox(ex.db) == []
    assert ex.kinds(ex.members[1]) == ["followed_lesson"]
    assert mail.status(ex.db, ex.admin)["enabled"] is False


def test_digest_choices_daily_weekly_off(ex, smtp):
    reader = ex.members[1]
    follows.follow(ex.db, reader, "practice", 14)
    with pytest.raises(Exception, match="daily digest"):
        mail.set_preferences(ex.db, reader, "hourly", True)
    mail.set_preferences(ex.db, reader, "daily", True)
    ex.publish(ex.members[0])
    _settle(ex, reader)
    now = clock.now()
    assert mail.digest_round(ex.db, now=now) == 1
    ex.publish(ex.members[0], title="Next day lesson")
    _settle(ex, reader)
    assert mail.digest_round(ex.db, now=now + timedelta(hours=12)) == 0  # not a day yet
    assert mail.digest_round(ex.db, now=now + timedelta(days=1, minutes=1)) == 1
    mail.set_preferences(ex.db, reader, "off", True)
    ex.publish(ex.members[0], title="Third lesson")
    _settle(ex, reader)
    assert mail.digest_round(ex.db, now=now + timedelta(days=9)) == 0
