"""Issue 3 in a real browser: review before publishing, end to end, with each person in their own tab."""

from __future__ import annotations

import random
import string

from playwright.sync_api import expect

from tests.browser.helpers import axe_violations, badge, choose, describe, goto, nav, sign_in_as, wait_for_app

NEW_PASSWORD = "violet-harbor-lantern-2026"


def create_member_account(admin, email: str, department_label: str) -> str:
    """As an administrator, create a member account for a department; return the temporary password."""
    nav(admin, "Accounts")
    admin.get_by_text("Create an account").click()
    form = admin.get_by_test_id("stForm").filter(has=admin.get_by_role("button", name="Create account"))
    form.get_by_role("textbox", name="Email").fill(email)
    form.get_by_role("textbox", name="Name").fill("Rosa Author")
    choose(admin, "Department (required for members)", department_label, scope=form)
    form.get_by_text("I have checked the details above").click()
    form.get_by_role("button", name="Create account").click()
    wait_for_app(admin)
    expect(admin.get_by_text(f"Created the account for {email}.")).to_be_visible()
    return admin.get_by_test_id("stCode").inner_text().strip()


def first_sign_in(author, email: str, temporary: str) -> None:
    """Sign in with a temporary password and choose a new one; the page must pass the axe scan too."""
    goto(author, "account")
    author.get_by_label("Email").fill(email)
    author.get_by_label("Password", exact=True).fill(temporary)
    author.get_by_role("button", name="Sign in").click()
    wait_for_app(author)
    expect(author.get_by_role("heading", name="Choose a new password")).to_be_visible()
    violations = axe_violations(author)
    assert violations == [], describe(violations)
    author.get_by_role("textbox", name="Temporary password").fill(temporary)
    author.get_by_role("textbox", name="New password (at least 12 characters; a few unrelated words work well)").fill(
        NEW_PASSWORD)
    author.get_by_role("textbox", name="New password again").fill(NEW_PASSWORD)
    author.get_by_role("button", name="Set password and sign in").click()
    wait_for_app(author)
    expect(author.get_by_role("heading", name="Your account")).to_be_visible()


def review_card(coordinator, lesson_id: int):
    """The review form of one lesson (its reason box is keyed by the lesson id)."""
    return coordinator.get_by_test_id("stForm").filter(has=coordinator.locator(f".st-key-reason_{lesson_id}"))


def my_lesson_card(author, title: str):
    """The innermost bordered block on My lessons that holds this title."""
    return author.get_by_test_id("stVerticalBlock").filter(
        has=author.get_by_text(title, exact=True)).filter(has=author.get_by_role("link", name="Edit")).last


def test_coordinator_sends_a_lesson_back_the_author_edits_and_resubmits_and_the_coordinator_publishes_it(
        new_tab, demo_facts):
    lesson = demo_facts.review_lesson
    title, lesson_id = lesson["title"], lesson["id"]
    email = f"author.{lesson_id}@demo.example.org"
    reason = "Please name the partner organizations and say what the auditors asked for."

    # No demo account belongs to this department: an administrator creates one.
    admin = new_tab()
    sign_in_as(admin, "admin")
    temporary = create_member_account(admin, email, f"{lesson['department']} ({lesson['state_code']})")
    author = new_tab()
    first_sign_in(author, email, temporary)

    # The coordinator for the lesson's region sends it back with a reason.
    coordinator = new_tab()
    sign_in_as(coordinator, "coordinator")
    nav(coordinator, "Review queue")
    card = review_card(coordinator, lesson_id)
    expect(coordinator.get_by_role("heading", name=title, exact=True)).to_be_visible()
    card.get_by_role("textbox").fill(reason)
    card.get_by_role("button", name="Send back to author").click()
    wait_for_app(coordinator)
    expect(coordinator.get_by_role("heading", name=title, exact=True)).to_have_count(0)

    # The author sees the decision and the reason, edits the lesson and submits it again.
    nav(author, "My lessons")
    mine = my_lesson_card(author, title)
    expect(mine.get_by_text(f"Reviewer's reason: {reason}")).to_be_visible()
    expect(badge(mine, "Sent back")).to_be_visible()
    mine.get_by_role("link", name="Edit").click()
    wait_for_app(author)
    expect(author.get_by_role("heading", name="Edit your lesson")).to_be_visible()
    expect(author.get_by_text(f"A coordinator sent this lesson back: “{reason}”")).to_be_visible()
    summary = author.get_by_role("textbox", name="Summary (required, up to 300 characters): the lesson in two sentences")
    marker = "".join(random.choices(string.ascii_lowercase, k=10))
    added = f" Partners: the {marker} tenant union and two clinics."
    original = summary.input_value()
    summary.fill((original[: 300 - len(added)] + added).strip())
    author.get_by_role("button", name="Check and submit…").click()
    wait_for_app(author)
    author.get_by_role("button", name="Submit now").click()
    wait_for_app(author)
    expect(author.get_by_text("Submitted. A regional coordinator will review it")).to_be_visible()
    nav(author, "My lessons")
    expect(badge(my_lesson_card(author, title), "Waiting for review")).to_be_visible()

    # Back in the queue; the coordinator publishes it.
    nav(coordinator, "Find lessons")
    nav(coordinator, "Review queue")
    expect(coordinator.get_by_role("heading", name=title, exact=True)).to_be_visible()
    review_card(coordinator, lesson_id).get_by_role("button", name="Publish").click()
    wait_for_app(coordinator)
    expect(coordinator.get_by_role("heading", name=title, exact=True)).to_have_count(0)

    # Anyone can now find it, with the edited summary, and the author sees it published.
    visitor = new_tab()
    goto(visitor, "")
    box = visitor.get_by_role("textbox", name="Search lessons")
    box.fill(marker)
    box.press("Enter")
    wait_for_app(visitor)
    expect(visitor.get_by_text(f"1 lesson matching “{marker}”", exact=True)).to_be_visible()
    visitor.get_by_role("link", name=title).click()
    wait_for_app(visitor)
    expect(visitor.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(visitor.get_by_text(added.strip())).to_be_visible()
    nav(author, "Find lessons")
    nav(author, "My lessons")
    expect(badge(my_lesson_card(author, title), "Published")).to_be_visible()
