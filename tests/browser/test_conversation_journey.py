"""Issue 11 in a real browser: a member asks the posting department, whose member finds the question in the Inbox
and answers it, and the asker finds the answer in the Inbox, opens the lesson and marks the question answered —
each person in their own tab, the worker delivering between them."""

from __future__ import annotations

import random
import shutil
import string
import time

from playwright.sync_api import expect

from exchange.demo import DEMO_ACCOUNTS
from exchange.storage.duckdb import Database, scalar
from tests.browser.helpers import TIMEOUT_MS, axe_violations, badge, describe, goto, nav, sign_in_as, wait_for_app


def a_lesson_of(demo_database, tmp_path, department: str) -> tuple[int, str]:
    """A published, named, public lesson of `department` (read from a copy: the server owns the file)."""
    copy = tmp_path / "facts.duckdb"
    shutil.copy(demo_database[1], copy)
    db = Database(copy)
    try:
        with db.read() as cur:
            found = scalar(cur, """SELECT max(l.id) FROM lessons l JOIN departments d ON d.id = l.department_id
                                   WHERE d.name = ? AND l.status = 'published' AND NOT l.hidden AND NOT l.anonymous
                                     AND l.visibility = 'public'""", [department])
            return found, scalar(cur, "SELECT title FROM lessons WHERE id = ?", [found])
    finally:
        db.close()


def question_card(page, text: str):
    return page.locator("[class*='st-key-question_']").filter(has_text=text)


def inbox_items(page, kind: str, title: str):
    return page.get_by_test_id("stMain").locator("[class*='st-key-notification_']").filter(
        has_text=kind).filter(has_text=title)


def count_in_inbox(page, kind: str, title: str) -> int:
    goto(page, "inbox")
    return inbox_items(page, kind, title).count()


def wait_in_inbox(page, kind: str, title: str, more_than: int):
    """Reload the Inbox until the worker (every EXCHANGE_NOTIFY_SECONDS) has delivered one more such item."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while count_in_inbox(page, kind, title) <= more_than and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
    expect(inbox_items(page, kind, title)).to_have_count(more_than + 1)
    return inbox_items(page, kind, title).first


def test_member_asks_the_posting_department_which_answers_and_the_asker_marks_it_answered(
        demo_database, tmp_path, new_tab):
    posting = next(a["department"] for a in DEMO_ACCOUNTS if a["role"] == "member")
    lesson_id, title = a_lesson_of(demo_database, tmp_path, posting)
    question = "Browser question " + "".join(random.choices(string.ascii_lowercase, k=8)) + ": who signed off?"
    reply = "Our director signed off after two briefings."

    asker = new_tab()
    sign_in_as(asker, "member2")
    answers_before = count_in_inbox(asker, "Answer to your question", title)
    poster = new_tab()
    sign_in_as(poster, "member")
    questions_before = count_in_inbox(poster, "Question to your department", title)
    goto(asker, f"lesson?id={lesson_id}")
    expect(asker.get_by_role("heading", name="Questions to the posting department")).to_be_visible()
    asker.get_by_role("textbox", name="Your question (up to 2,000 characters)").fill(question)
    asker.get_by_role("button", name="Ask the posting department").click()
    wait_for_app(asker)
    expect(asker.get_by_text("Your question was sent.")).to_be_visible()
    expect(question_card(asker, question)).to_be_visible()

    wait_in_inbox(poster, "Question to your department", title, questions_before)
    nav(poster, "Questions to your department")
    expect(poster.get_by_role("heading", name="Questions to your department", level=1)).to_be_visible()
    card = question_card(poster, question)
    expect(card).to_be_visible()
    violations = axe_violations(poster)
    assert violations == [], describe(violations)
    card.get_by_role("textbox", name="Your answer (up to 4,000 characters)").fill(reply)
    card.get_by_role("button", name="Post answer").click()
    wait_for_app(poster)
    expect(poster.get_by_text("Your answer is posted under the question")).to_be_visible()

    item = wait_in_inbox(asker, "Answer to your question", title, answers_before)
    item.get_by_role("button", name="Open the lesson").click()
    wait_for_app(asker)
    expect(asker.get_by_role("heading", name=title, level=1)).to_be_visible()
    card = question_card(asker, question)
    expect(card.get_by_text(reply)).to_be_visible()
    card.get_by_role("button", name="Mark answered").click()
    wait_for_app(asker)
    expect(asker.get_by_text("Marked answered.")).to_be_visible()
    expect(badge(question_card(asker, question), "Answered")).to_be_visible()
