"""Issue 11.5 end to end on a server of its own with e-mail on: follow a practice in the browser, another member
publishes on it, the worker delivers, the mail sender puts it in the follower's digest on a real SMTP server
(aiosmtpd on a free loopback port), and the digest's one-click unsubscribe link works in the browser without
signing in. The server's clock is moved a week on (EXCHANGE_TEST_CLOCK_FILE) so the weekly digest is due."""

from __future__ import annotations

import email
import re
import shutil
import socket
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.browser.helpers import TIMEOUT_MS, running_app, sign_in_as, tab
from tests.browser.test_inbox_journey import follow_a_practice, new_title, post, wait_for_item

WEEK_AND_A_DAY = 8 * 24 * 3600


class Sink:
    """Every message the SMTP server accepted."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def mail_server(demo_database, browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("digest-journey")
    path = folder / "exchange.duckdb"
    shutil.copy(demo_database[1], path)
    clock = folder / "clock"
    clock.write_text("0")
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    try:
        with running_app(path, folder / "streamlit.log", port=port, env={
                "EXCHANGE_SMTP_HOST": "127.0.0.1", "EXCHANGE_SMTP_PORT": str(smtp.port), "EXCHANGE_SMTP_STARTTLS": "0",
                "EXCHANGE_SMTP_FROM": "Equity Exchange <exchange@health.example.org>",
                "EXCHANGE_PUBLIC_URL": f"http://127.0.0.1:{port}", "EXCHANGE_NOTIFY_SECONDS": "1",
                "EXCHANGE_MAIL_SECONDS": "1", "EXCHANGE_TEST_CLOCK_FILE": str(clock)}) as base:
            yield base, sink, clock
    finally:
        smtp.stop()


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_followed_practice_reaches_the_digest_and_its_unsubscribe_link_works_without_signing_in(mail_server, browser):
    base, sink, clock = mail_server
    title = new_title()
    with tab(browser, base) as follower, tab(browser, base) as author:
        follower_account = sign_in_as(follower, "member2")
        practice = follow_a_practice(follower)
        sign_in_as(author, "member")
        post(author, title, practice)
        wait_for_item(follower, title)

    clock.write_text(str(WEEK_AND_A_DAY))  # the follower's weekly digest is due
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    found = []
    while not found and time.monotonic() < deadline:
        found = [m for m in list(sink.messages) if m["To"] == follower_account["email"] and title in body(m)]
        time.sleep(0.5)
    assert found, f"no digest with the new lesson reached {follower_account['email']}: " \
                  f"{[(m['To'], m['Subject']) for m in sink.messages]}"
    digest = found[0]
    assert digest.get_content_type() == "text/plain" and digest["Subject"].startswith("Equity Exchange: ")
    text = body(digest)
    assert re.search(rf"{re.escape(base)}/lesson\?id=\d+", text)
    link = re.search(rf"{re.escape(base)}/notify/unsubscribe\?token=\S+", text).group(0)
    assert digest["List-Unsubscribe"] == f"<{link}>"

    with tab(browser, base) as stranger:  # not signed in
        stranger.goto(link)  # opening the link asks first (mail scanners open links too)
        expect(stranger.get_by_role("heading", name="Stop e-mail from the Equity Exchange?")).to_be_visible()
        stranger.get_by_role("button", name="Stop all e-mail").click()
        expect(stranger.get_by_text("You are unsubscribed", exact=False)).to_be_visible()
    with tab(browser, base) as follower:  # Your account says so, and offers the digest back
        sign_in_as(follower, "member2")
        follower.goto(f"{base}/account")
        expect(follower.get_by_text("You unsubscribed from all e-mail on", exact=False)).to_be_visible()
